//! The AKS implementation: a resource group, the cluster with its system pool and one
//! node pool per further platform pool.

use super::*;

pub(super) fn module() -> Module {
    let main = File::new()
        .blk(Blk::new("locals", &[]).a("system_pool", r("var.node_pools[0]")))
        .blk(
            Blk::resource("azurerm_resource_group", "this")
                .a("name", tpl("${var.cluster_name}-aks"))
                .a("location", r("var.region"))
                .a("tags", r("var.labels")),
        )
        // The newest GA release of the requested minor.
        .blk(
            Blk::data("azurerm_kubernetes_service_versions", "this")
                .a("location", r("var.region"))
                .a("version_prefix", tpl("${var.kubernetes_version}."))
                .a("include_preview", b(false)),
        )
        // Control-plane logs (API server, audit, controller manager, scheduler, autoscaler).
        .blk(
            Blk::resource("azurerm_log_analytics_workspace", "this")
                .a("name", tpl("${var.cluster_name}-aks-logs"))
                .a("location", r("azurerm_resource_group.this.location"))
                .a("resource_group_name", r("azurerm_resource_group.this.name"))
                .a("sku", s("PerGB2018"))
                .a("retention_in_days", n(90))
                .a("tags", r("var.labels")),
        )
        .blk(
            Blk::resource("azurerm_monitor_diagnostic_setting", "control_plane")
                .a("name", s("control-plane-logs"))
                .a("target_resource_id", r("azurerm_kubernetes_cluster.this.id"))
                .a("log_analytics_workspace_id", r("azurerm_log_analytics_workspace.this.id"))
                .dynamic(
                    "enabled_log",
                    call(
                        "toset",
                        [strs([
                            "kube-apiserver",
                            "kube-audit-admin",
                            "kube-controller-manager",
                            "kube-scheduler",
                            "cluster-autoscaler",
                        ])],
                    ),
                    Blk::new("content", &[]).a("category", r("enabled_log.value")),
                ),
        )
        .blk(
            Blk::resource("azurerm_kubernetes_cluster", "this")
                .a("name", r("var.cluster_name"))
                .a("location", r("azurerm_resource_group.this.location"))
                .a("resource_group_name", r("azurerm_resource_group.this.name"))
                .a("dns_prefix", r("var.cluster_name"))
                .a("kubernetes_version", r("data.azurerm_kubernetes_service_versions.this.latest_version"))
                // The Standard tier carries the uptime SLA (replicated control plane).
                .a("sku_tier", cond(r("var.high_availability"), s("Standard"), s("Free")))
                .a("automatic_upgrade_channel", s("patch"))
                .a("oidc_issuer_enabled", b(true))
                .a("workload_identity_enabled", b(true))
                .a("local_account_disabled", b(false))
                .a("tags", r("var.labels"))
                .blk(
                    Blk::new("default_node_pool", &[])
                        .a("name", s("system"))
                        .a("vm_size", r("local.system_pool.size"))
                        .a("auto_scaling_enabled", b(true))
                        .a("min_count", call("max", [r("local.system_pool.min_nodes"), n(1)]))
                        .a("max_count", call("max", [r("local.system_pool.max_nodes"), n(1)]))
                        .a("vnet_subnet_id", call("try", [r("var.network.subnet_ids[0]"), null()]))
                        .a("only_critical_addons_enabled", b(false))
                        .a("temporary_name_for_rotation", s("systemtmp"))
                        .blk(Blk::new("upgrade_settings", &[]).a("max_surge", s("33%"))),
                )
                .blk(Blk::new("identity", &[]).a("type", s("SystemAssigned")))
                .blk(
                    Blk::new("auto_scaler_profile", &[])
                        .a("scale_down_unneeded", tpl("${var.autoscaling.scale_down_unneeded_minutes}m"))
                        .a(
                            "scale_down_utilization_threshold",
                            call("tostring", [r("var.autoscaling.scale_down_utilization")]),
                        )
                        .a("balance_similar_node_groups", b(true))
                        .a("expander", s("least-waste")),
                )
                .blk(Blk::new("api_server_access_profile", &[]).a(
                    "authorized_ip_ranges",
                    cond(
                        op(call("length", [r("var.api_allowed_cidrs")]), BinaryOperator::Greater, n(0)),
                        r("var.api_allowed_cidrs"),
                        null(),
                    ),
                ))
                .blk(
                    Blk::new("network_profile", &[])
                        .a("network_plugin", s("azure"))
                        .a("network_policy", s("azure"))
                        .a("load_balancer_sku", s("standard")),
                )
                .blk(
                    Blk::new("maintenance_window_auto_upgrade", &[])
                        .a("frequency", s("Weekly"))
                        .a("interval", n(1))
                        .a("duration", n(4))
                        .a("day_of_week", s("Sunday"))
                        .a("start_time", s("03:00"))
                        .a("utc_offset", s("+00:00")),
                ),
        )
        .blk(
            Blk::resource("azurerm_kubernetes_cluster_node_pool", "pool")
                .a("for_each", tail_pools())
                .a("name", call("substr", [call("replace", [r("each.key"), s("-"), s("")]), n(0), n(12)]))
                .a("kubernetes_cluster_id", r("azurerm_kubernetes_cluster.this.id"))
                .a("vm_size", r("each.value.size"))
                .a("auto_scaling_enabled", r("each.value.auto_scale"))
                .a("node_count", cond(r("each.value.auto_scale"), null(), r("each.value.max_nodes")))
                .a("min_count", cond(r("each.value.auto_scale"), r("each.value.min_nodes"), null()))
                .a("max_count", cond(r("each.value.auto_scale"), r("each.value.max_nodes"), null()))
                .a("priority", cond(r("each.value.spot"), s("Spot"), s("Regular")))
                .a("eviction_policy", cond(r("each.value.spot"), s("Delete"), null()))
                .a("spot_max_price", cond(r("each.value.spot"), n(-1), null()))
                .a("vnet_subnet_id", call("try", [r("var.network.subnet_ids[0]"), null()]))
                .a("node_labels", obj([("skyform.dev/pool", r("each.key"))]))
                .a("tags", r("var.labels")),
        )
        .blk(
            Blk::resource("azurerm_role_assignment", "network")
                .a("count", cond(op(r("var.network.id"), BinaryOperator::Eq, null()), n(0), n(1)))
                .a("scope", r("var.network.id"))
                .a("role_definition_name", s("Network Contributor"))
                .a("principal_id", r("azurerm_kubernetes_cluster.this.identity[0].principal_id")),
        );
    let outs = outputs(
        r("azurerm_kubernetes_cluster.this.kube_config[0].host"),
        call("base64decode", [r("azurerm_kubernetes_cluster.this.kube_config[0].cluster_ca_certificate")]),
        r("azurerm_kubernetes_cluster.this.kube_config_raw"),
    );
    (main, outs, vec![versions::AZURERM], Vec::new())
}
