//! `modules/kubernetes-cluster/<provider>/`: one interface, eight implementations.
//!
//! Every implementation has byte-identical `variables.tf` ([`variables`]): the seed's
//! interface (cluster name, region, Kubernetes version, node pools with min/max,
//! autoscale and spot) plus `high_availability`, `network` (what the networking
//! module produced) and `labels`. Every implementation has the same three outputs:
//! `cluster_endpoint`, `cluster_ca_certificate` (sensitive) and `kubeconfig`
//! (sensitive). Where the cloud returns no kubeconfig (EKS, GKE) it is built with
//! `yamlencode` around the cloud CLI's exec credential plugin, so it holds no secret.

use hcl::expr::BinaryOperator;

use crate::hclw::{
    Blk, File, arr, b, call, call_expand, cond, for_list, for_map, n, null, obj, op, r, s, strs, tpl, ty,
};
use crate::{Ctx, Error, Files, print, versions};
use skyform_model::ProviderName;

/// The module's folder.
pub fn dir(p: ProviderName) -> String {
    format!("modules/kubernetes-cluster/{}", crate::provider_key(p))
}

/// The type of the `node_pools` variable, shared by every cluster module and every root.
pub fn node_pool_type() -> hcl::Expression {
    call(
        "list",
        [call(
            "object",
            [obj([
                ("name", ty("string")),
                ("size", ty("string")),
                ("min_nodes", ty("number")),
                ("max_nodes", ty("number")),
                ("auto_scale", ty("bool")),
                ("spot", ty("bool")),
            ])],
        )],
    )
}

/// The shared `variables.tf`.
pub fn variables() -> File {
    let pool_type = node_pool_type();
    let network_type = call(
        "object",
        [obj([("id", ty("string")), ("subnet_ids", ty("list(string)")), ("firewall_id", ty("string"))])],
    );
    File::new()
        .blk(
            Blk::new("variable", &["cluster_name"])
                .a("description", s("Cluster name; also the prefix of every resource name."))
                .a("type", ty("string")),
        )
        .blk(
            Blk::new("variable", &["region"])
                .a("description", s("The provider's region (location, data centre)."))
                .a("type", ty("string")),
        )
        .blk(
            Blk::new("variable", &["kubernetes_version"])
                .a("description", s("Kubernetes version in the provider's notation."))
                .a("type", ty("string")),
        )
        .blk(
            Blk::new("variable", &["node_pools"])
                .a(
                    "description",
                    s("Worker pools, sized by `skyform plan`. The first pool is on-demand and hosts system workloads."),
                )
                .a("type", pool_type)
                .blk(
                    Blk::new("validation", &[])
                        .a("condition", op(call("length", [r("var.node_pools")]), BinaryOperator::Greater, n(0)))
                        .a("error_message", s("At least one node pool is required.")),
                ),
        )
        .blk(
            Blk::new("variable", &["high_availability"])
                .a("description", s("Highly available control plane where the provider offers one."))
                .a("type", ty("bool"))
                .a("default", b(true)),
        )
        .blk(
            Blk::new("variable", &["network"])
                .a("description", s("The networking module's output; null fields where the provider has none."))
                .a("type", network_type)
                .a("default", obj([("id", null()), ("subnet_ids", arr([])), ("firewall_id", null())])),
        )
        .blk(
            Blk::new("variable", &["labels"])
                .a("description", s("Labels / tags put on every resource that takes them."))
                .a("type", ty("map(string)"))
                .a("default", obj::<&str>([])),
        )
}

fn outputs(endpoint: hcl::Expression, ca: hcl::Expression, kubeconfig: hcl::Expression) -> File {
    File::new()
        .blk(
            Blk::new("output", &["cluster_endpoint"])
                .a("description", s("The Kubernetes API server URL."))
                .a("value", endpoint),
        )
        .blk(
            Blk::new("output", &["cluster_ca_certificate"])
                .a("description", s("The cluster CA certificate (PEM)."))
                .a("value", ca)
                .a("sensitive", b(true)),
        )
        .blk(
            Blk::new("output", &["kubeconfig"])
                .a("description", s("A kubeconfig for the cluster's administrators."))
                .a("value", kubeconfig)
                .a("sensitive", b(true)),
        )
}

/// `required_providers` for a module (sources only; the root pins versions).
pub fn module_versions(reqs: &[versions::Requirement]) -> File {
    let mut rp = Blk::new("required_providers", &[]);
    for q in reqs {
        rp = rp.a(q.name, obj([("source", s(q.source))]));
    }
    File::new().blk(Blk::new("terraform", &[]).blk(rp))
}

/// A kubeconfig built from endpoint, CA (base64) and an exec credential plugin.
fn exec_kubeconfig(
    endpoint: hcl::Expression,
    ca_b64: hcl::Expression,
    command: &str,
    args: hcl::Expression,
) -> hcl::Expression {
    call(
        "yamlencode",
        [obj([
            ("apiVersion", s("v1")),
            ("kind", s("Config")),
            ("current-context", r("var.cluster_name")),
            (
                "clusters",
                arr([obj([
                    ("name", r("var.cluster_name")),
                    ("cluster", obj([("server", endpoint), ("certificate-authority-data", ca_b64)])),
                ])]),
            ),
            (
                "contexts",
                arr([obj([
                    ("name", r("var.cluster_name")),
                    ("context", obj([("cluster", r("var.cluster_name")), ("user", r("var.cluster_name"))])),
                ])]),
            ),
            (
                "users",
                arr([obj([
                    ("name", r("var.cluster_name")),
                    (
                        "user",
                        obj([(
                            "exec",
                            obj([
                                ("apiVersion", s("client.authentication.k8s.io/v1beta1")),
                                ("command", s(command)),
                                ("args", args),
                            ]),
                        )]),
                    ),
                ])]),
            ),
        ])],
    )
}

/// `{ for p in <coll> : p.name => p }`.
fn by_name(coll: hcl::Expression) -> hcl::Expression {
    for_map("p", coll, r("p.name"), r("p"))
}

/// All pools but the first (created inline by providers that require one).
fn tail_pools() -> hcl::Expression {
    by_name(call("slice", [r("var.node_pools"), n(1), call("length", [r("var.node_pools")])]))
}

/// Renders the cluster module of `ctx.provider` into `files`.
///
/// # Errors
/// [`Error::Hcl`] if a file cannot be printed.
pub fn module(ctx: &Ctx<'_>, files: &mut Files) -> Result<(), Error> {
    let dir = dir(ctx.provider);
    let (main, outs, reqs, extra) = match ctx.provider {
        ProviderName::Aws => aws(),
        ProviderName::Gcp => gcp(),
        ProviderName::Azure => azure(),
        ProviderName::Digitalocean => digitalocean(),
        ProviderName::Linode => linode(),
        ProviderName::Civo => civo(),
        ProviderName::Vultr => vultr(),
        ProviderName::Hetzner | ProviderName::K3s | ProviderName::Kind => hetzner(),
    };
    print(format!("{dir}/main.tf"), &main, files)?;
    print(format!("{dir}/variables.tf"), &variables(), files)?;
    print(format!("{dir}/outputs.tf"), &outs, files)?;
    print(format!("{dir}/versions.tf"), &module_versions(&reqs), files)?;
    for (name, text) in extra {
        files.push((format!("{dir}/{name}"), text));
    }
    Ok(())
}

type Module = (File, File, Vec<versions::Requirement>, Vec<(String, String)>);

fn aws() -> Module {
    let assume = |service: &str| {
        call(
            "jsonencode",
            [obj([
                ("Version", s("2012-10-17")),
                (
                    "Statement",
                    arr([obj([
                        ("Effect", s("Allow")),
                        ("Action", s("sts:AssumeRole")),
                        ("Principal", obj([("Service", s(service))])),
                    ])]),
                ),
            ])],
        )
    };
    let policy = |p: &str| format!("arn:aws:iam::aws:policy/{p}");
    let main = File::new()
        .blk(
            Blk::resource("aws_iam_role", "cluster")
                .a("name", tpl("${var.cluster_name}-cluster"))
                .a("assume_role_policy", assume("eks.amazonaws.com"))
                .a("tags", r("var.labels")),
        )
        .blk(
            Blk::resource("aws_iam_role_policy_attachment", "cluster")
                .a("role", r("aws_iam_role.cluster.name"))
                .a("policy_arn", s(policy("AmazonEKSClusterPolicy"))),
        )
        .blk(
            Blk::resource("aws_eks_cluster", "this")
                .a("name", r("var.cluster_name"))
                .a("role_arn", r("aws_iam_role.cluster.arn"))
                .a("version", r("var.kubernetes_version"))
                .a("enabled_cluster_log_types", strs(["api", "audit", "authenticator"]))
                .a("tags", r("var.labels"))
                .blk(
                    Blk::new("vpc_config", &[])
                        .a("subnet_ids", r("var.network.subnet_ids"))
                        .a("endpoint_private_access", b(true))
                        .a("endpoint_public_access", b(true)),
                )
                .blk(
                    Blk::new("access_config", &[])
                        .a("authentication_mode", s("API"))
                        .a("bootstrap_cluster_creator_admin_permissions", b(true)),
                )
                .a("depends_on", arr([r("aws_iam_role_policy_attachment.cluster")])),
        )
        .blk(
            Blk::resource("aws_iam_role", "node")
                .a("name", tpl("${var.cluster_name}-node"))
                .a("assume_role_policy", assume("ec2.amazonaws.com"))
                .a("tags", r("var.labels")),
        )
        .blk(
            Blk::resource("aws_iam_role_policy_attachment", "node")
                .a(
                    "for_each",
                    call(
                        "toset",
                        [strs([
                            policy("AmazonEKSWorkerNodePolicy"),
                            policy("AmazonEKS_CNI_Policy"),
                            policy("AmazonEC2ContainerRegistryReadOnly"),
                        ])],
                    ),
                )
                .a("role", r("aws_iam_role.node.name"))
                .a("policy_arn", r("each.value")),
        )
        .blk(
            Blk::resource("aws_eks_node_group", "pool")
                .a("for_each", by_name(r("var.node_pools")))
                .a("cluster_name", r("aws_eks_cluster.this.name"))
                .a("node_group_name", r("each.key"))
                .a("node_role_arn", r("aws_iam_role.node.arn"))
                .a("subnet_ids", r("var.network.subnet_ids"))
                .a("instance_types", arr([r("each.value.size")]))
                .a("capacity_type", cond(r("each.value.spot"), s("SPOT"), s("ON_DEMAND")))
                .a("labels", obj([("skyform.dev/pool", r("each.key"))]))
                .a("tags", r("var.labels"))
                .blk(
                    Blk::new("scaling_config", &[])
                        .a("desired_size", call("max", [r("each.value.min_nodes"), n(1)]))
                        .a("min_size", r("each.value.min_nodes"))
                        .a("max_size", r("each.value.max_nodes")),
                )
                .blk(Blk::new("update_config", &[]).a("max_unavailable", n(1)))
                .blk(Blk::new("lifecycle", &[]).a("ignore_changes", arr([r("scaling_config[0].desired_size")])))
                .a("depends_on", arr([r("aws_iam_role_policy_attachment.node")])),
        );
    let ca = r("aws_eks_cluster.this.certificate_authority[0].data");
    let outs = outputs(
        r("aws_eks_cluster.this.endpoint"),
        call("base64decode", [ca.clone()]),
        exec_kubeconfig(
            r("aws_eks_cluster.this.endpoint"),
            ca,
            "aws",
            arr([s("eks"), s("get-token"), s("--cluster-name"), r("var.cluster_name"), s("--region"), r("var.region")]),
        ),
    );
    (main, outs, vec![versions::AWS], Vec::new())
}

fn gcp() -> Module {
    let main = File::new()
        .blk(
            Blk::resource("google_container_cluster", "this")
                .a("name", r("var.cluster_name"))
                // A region gives a regional (replicated) control plane; a zone a zonal one.
                .a("location", cond(r("var.high_availability"), r("var.region"), tpl("${var.region}-a")))
                .a("min_master_version", r("var.kubernetes_version"))
                .a("network", r("var.network.id"))
                .a("subnetwork", call("one", [r("var.network.subnet_ids")]))
                .a("remove_default_node_pool", b(true))
                .a("initial_node_count", n(1))
                .a("deletion_protection", b(true))
                .a("resource_labels", r("var.labels"))
                .blk(Blk::new("release_channel", &[]).a("channel", s("UNSPECIFIED")))
                .blk(
                    Blk::new("ip_allocation_policy", &[])
                        .a("cluster_secondary_range_name", s("pods"))
                        .a("services_secondary_range_name", s("services")),
                )
                .blk(Blk::new("network_policy", &[]).a("enabled", b(true)))
                .blk(
                    Blk::new("maintenance_policy", &[]).blk(
                        Blk::new("recurring_window", &[])
                            .a("start_time", s("2024-01-07T03:00:00Z"))
                            .a("end_time", s("2024-01-07T07:00:00Z"))
                            .a("recurrence", s("FREQ=WEEKLY;BYDAY=SU")),
                    ),
                ),
        )
        .blk(
            Blk::resource("google_container_node_pool", "pool")
                .a("for_each", by_name(r("var.node_pools")))
                .a("name", r("each.key"))
                .a("cluster", r("google_container_cluster.this.id"))
                .a("location", r("google_container_cluster.this.location"))
                .a("version", r("var.kubernetes_version"))
                .blk(
                    Blk::new("autoscaling", &[])
                        .a("total_min_node_count", r("each.value.min_nodes"))
                        .a("total_max_node_count", r("each.value.max_nodes")),
                )
                .blk(Blk::new("management", &[]).a("auto_repair", b(true)).a("auto_upgrade", b(true)))
                .blk(
                    Blk::new("node_config", &[])
                        .a("machine_type", r("each.value.size"))
                        .a("spot", r("each.value.spot"))
                        .a("labels", call("merge", [r("var.labels"), obj([("skyform-pool", r("each.key"))])]))
                        .a("oauth_scopes", strs(["https://www.googleapis.com/auth/cloud-platform"]))
                        .blk(Blk::new("workload_metadata_config", &[]).a("mode", s("GKE_METADATA")))
                        .blk(
                            Blk::new("shielded_instance_config", &[])
                                .a("enable_secure_boot", b(true))
                                .a("enable_integrity_monitoring", b(true)),
                        ),
                )
                .blk(Blk::new("lifecycle", &[]).a("ignore_changes", arr([r("initial_node_count")]))),
        );
    let endpoint = tpl("https://${google_container_cluster.this.endpoint}");
    let ca = r("google_container_cluster.this.master_auth[0].cluster_ca_certificate");
    let outs = outputs(
        endpoint.clone(),
        call("base64decode", [ca.clone()]),
        exec_kubeconfig(endpoint, ca, "gke-gcloud-auth-plugin", arr([])),
    );
    (main, outs, vec![versions::GOOGLE], Vec::new())
}

fn azure() -> Module {
    let main = File::new()
        .blk(Blk::new("locals", &[]).a("system_pool", r("var.node_pools[0]")))
        .blk(
            Blk::resource("azurerm_resource_group", "this")
                .a("name", tpl("${var.cluster_name}-aks"))
                .a("location", r("var.region"))
                .a("tags", r("var.labels")),
        )
        .blk(
            Blk::resource("azurerm_kubernetes_cluster", "this")
                .a("name", r("var.cluster_name"))
                .a("location", r("azurerm_resource_group.this.location"))
                .a("resource_group_name", r("azurerm_resource_group.this.name"))
                .a("dns_prefix", r("var.cluster_name"))
                .a("kubernetes_version", r("var.kubernetes_version"))
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

fn digitalocean() -> Module {
    let first = |f: &str| r(&format!("var.node_pools[0].{f}"));
    let main = File::new()
        .blk(
            Blk::data("digitalocean_kubernetes_versions", "this")
                .a("version_prefix", tpl("${var.kubernetes_version}.")),
        )
        .blk(
            Blk::resource("digitalocean_kubernetes_cluster", "this")
                .a("name", r("var.cluster_name"))
                .a("region", r("var.region"))
                .a("version", r("data.digitalocean_kubernetes_versions.this.latest_version"))
                .a("vpc_uuid", r("var.network.id"))
                .a("ha", r("var.high_availability"))
                .a("auto_upgrade", b(true))
                .a("surge_upgrade", b(true))
                .a("tags", call("values", [r("var.labels")]))
                .blk(
                    Blk::new("node_pool", &[])
                        .a("name", first("name"))
                        .a("size", first("size"))
                        .a("auto_scale", first("auto_scale"))
                        .a("min_nodes", call("max", [first("min_nodes"), n(1)]))
                        .a("max_nodes", first("max_nodes"))
                        .a("node_count", cond(first("auto_scale"), null(), first("max_nodes"))),
                )
                .blk(Blk::new("maintenance_policy", &[]).a("day", s("sunday")).a("start_time", s("03:00")))
                .blk(Blk::new("lifecycle", &[]).a("ignore_changes", arr([r("node_pool[0].node_count")]))),
        )
        .blk(
            Blk::resource("digitalocean_kubernetes_node_pool", "pool")
                .a("for_each", tail_pools())
                .a("cluster_id", r("digitalocean_kubernetes_cluster.this.id"))
                .a("name", r("each.key"))
                .a("size", r("each.value.size"))
                .a("auto_scale", r("each.value.auto_scale"))
                .a("min_nodes", cond(r("each.value.auto_scale"), r("each.value.min_nodes"), null()))
                .a("max_nodes", cond(r("each.value.auto_scale"), r("each.value.max_nodes"), null()))
                .a("node_count", cond(r("each.value.auto_scale"), null(), r("each.value.max_nodes")))
                .a("labels", obj([("skyform.dev/pool", r("each.key"))])),
        );
    let kc = "digitalocean_kubernetes_cluster.this.kube_config[0]";
    let outs = outputs(
        r("digitalocean_kubernetes_cluster.this.endpoint"),
        call("base64decode", [r(&format!("{kc}.cluster_ca_certificate"))]),
        r(&format!("{kc}.raw_config")),
    );
    (main, outs, vec![versions::DIGITALOCEAN], Vec::new())
}

fn linode() -> Module {
    let pool = Blk::new("pool", &[])
        .a("labels", obj([("skyform.dev/pool", r("pool.value.name"))]))
        .a("type", r("pool.value.size"))
        .a("count", call("max", [r("pool.value.min_nodes"), n(1)]))
        .blk(
            Blk::new("autoscaler", &[])
                .a("min", call("max", [r("pool.value.min_nodes"), n(1)]))
                .a("max", call("max", [r("pool.value.max_nodes"), n(1)])),
        );
    let main = File::new().blk(
        Blk::resource("linode_lke_cluster", "this")
            .a("label", r("var.cluster_name"))
            .a("region", r("var.region"))
            .a("k8s_version", r("var.kubernetes_version"))
            .a("tags", call("values", [r("var.labels")]))
            .blk(Blk::new("control_plane", &[]).a("high_availability", r("var.high_availability")))
            .dynamic("pool", r("var.node_pools"), pool),
    );
    let kubeconfig = call("base64decode", [r("linode_lke_cluster.this.kubeconfig")]);
    let ca = call(
        "base64decode",
        [r_index(call("yamldecode", [kubeconfig.clone()]), "clusters[0].cluster[\"certificate-authority-data\"]")],
    );
    let outs = outputs(r("linode_lke_cluster.this.api_endpoints[0]"), ca, kubeconfig);
    (main, outs, vec![versions::LINODE], Vec::new())
}

/// A traversal on an arbitrary expression (`yamldecode(x).clusters[0]…`).
fn r_index(base: hcl::Expression, path: &str) -> hcl::Expression {
    let tail = r(&format!("x.{path}"));
    match tail {
        hcl::Expression::Traversal(t) => hcl::Expression::from(hcl::expr::Traversal::new(base, t.operators)),
        other => other,
    }
}

fn civo() -> Module {
    let first = |f: &str| r(&format!("var.node_pools[0].{f}"));
    let main = File::new()
        .blk(
            Blk::resource("civo_kubernetes_cluster", "this")
                .a("name", r("var.cluster_name"))
                .a("region", r("var.region"))
                .a("kubernetes_version", r("var.kubernetes_version"))
                .a("cluster_type", s("k3s"))
                .a("network_id", r("var.network.id"))
                .a("firewall_id", r("var.network.firewall_id"))
                .a("tags", call("join", [s(" "), call("values", [r("var.labels")])]))
                .blk(
                    Blk::new("pools", &[])
                        .a("label", first("name"))
                        .a("size", first("size"))
                        .a("node_count", first("max_nodes")),
                ),
        )
        .blk(
            Blk::resource("civo_kubernetes_node_pool", "pool")
                .a("for_each", tail_pools())
                .a("cluster_id", r("civo_kubernetes_cluster.this.id"))
                .a("region", r("var.region"))
                .a("label", r("each.key"))
                .a("size", r("each.value.size"))
                .a("node_count", r("each.value.max_nodes")),
        );
    let kubeconfig = r("civo_kubernetes_cluster.this.kubeconfig");
    let ca = call(
        "base64decode",
        [r_index(call("yamldecode", [kubeconfig.clone()]), "clusters[0].cluster[\"certificate-authority-data\"]")],
    );
    let outs = outputs(r("civo_kubernetes_cluster.this.api_endpoint"), ca, kubeconfig);
    (main, outs, vec![versions::CIVO], Vec::new())
}

fn vultr() -> Module {
    let first = |f: &str| r(&format!("var.node_pools[0].{f}"));
    let main = File::new()
        .blk(
            Blk::resource("vultr_kubernetes", "this")
                .a("label", r("var.cluster_name"))
                .a("region", r("var.region"))
                .a("version", r("var.kubernetes_version"))
                .a("ha_controlplanes", r("var.high_availability"))
                .a("enable_firewall", b(true))
                .blk(
                    Blk::new("node_pools", &[])
                        .a("label", first("name"))
                        .a("plan", first("size"))
                        .a("node_quantity", call("max", [first("min_nodes"), n(1)]))
                        .a("auto_scaler", first("auto_scale"))
                        .a("min_nodes", call("max", [first("min_nodes"), n(1)]))
                        .a("max_nodes", first("max_nodes")),
                ),
        )
        .blk(
            Blk::resource("vultr_kubernetes_node_pools", "pool")
                .a("for_each", tail_pools())
                .a("cluster_id", r("vultr_kubernetes.this.id"))
                .a("label", r("each.key"))
                .a("plan", r("each.value.size"))
                .a("node_quantity", call("max", [r("each.value.min_nodes"), n(1)]))
                .a("auto_scaler", r("each.value.auto_scale"))
                .a("min_nodes", call("max", [r("each.value.min_nodes"), n(1)]))
                .a("max_nodes", r("each.value.max_nodes")),
        );
    let outs = outputs(
        tpl("https://${vultr_kubernetes.this.endpoint}:6443"),
        call("base64decode", [r("vultr_kubernetes.this.cluster_ca_certificate")]),
        call("base64decode", [r("vultr_kubernetes.this.kube_config")]),
    );
    (main, outs, vec![versions::VULTR], Vec::new())
}

/// k3s on Hetzner Cloud servers, bootstrapped by cloud-init. The cluster CA and the
/// administrator's client certificate are made by the `tls` provider and handed to k3s
/// (k3s uses CA files present in `server/tls` at first start), so the module can output
/// a real CA certificate and kubeconfig without SSH. Private keys live only in state.
fn hetzner() -> Module {
    let cp_filter = op(r("p.name"), BinaryOperator::Eq, s("control-plane"));
    let worker_filter = op(r("p.name"), BinaryOperator::NotEq, s("control-plane"));
    let servers = r("local.servers");
    let ca_subject = |cn: &str| Blk::new("subject", &[]).a("common_name", tpl(cn));
    let ca = |name: &str, cn: &str| {
        [
            Blk::resource("tls_private_key", name).a("algorithm", s("ECDSA")).a("ecdsa_curve", s("P256")),
            Blk::resource("tls_self_signed_cert", name)
                .a("private_key_pem", r(&format!("tls_private_key.{name}.private_key_pem")))
                .a("is_ca_certificate", b(true))
                .a("validity_period_hours", n(87600))
                .a("allowed_uses", strs(["cert_signing", "crl_signing", "digital_signature", "key_encipherment"]))
                .blk(ca_subject(cn)),
        ]
    };
    let mut main = File::new().blk(
        Blk::new("locals", &[])
            .a(
                "control_plane",
                call(
                    "coalesce",
                    [
                        call("one", [for_list("p", r("var.node_pools"), r("p"), Some(cp_filter))]),
                        obj([
                            ("name", s("control-plane")),
                            ("size", s("cx22")),
                            ("min_nodes", cond(r("var.high_availability"), n(3), n(1))),
                            ("max_nodes", cond(r("var.high_availability"), n(3), n(1))),
                            ("auto_scale", b(false)),
                            ("spot", b(false)),
                        ]),
                    ],
                ),
            )
            .a("servers", call("max", [r("local.control_plane.max_nodes"), n(1)]))
            .a("workers", for_list("p", r("var.node_pools"), r("p"), Some(worker_filter)))
            .a(
                "agents",
                call_expand(
                    "merge",
                    [
                        obj::<&str>([]),
                        for_list(
                            "p",
                            r("local.workers"),
                            for_map("i", call("range", [r("p.max_nodes")]), tpl("${p.name}-${i}"), r("p")),
                            None,
                        ),
                    ],
                ),
            )
            .a("api_endpoint", tpl("https://${hcloud_server.server[0].ipv4_address}:6443")),
    );
    main = main.blk(Blk::resource("random_password", "k3s_token").a("length", n(48)).a("special", b(false)));
    for blk in ca("server_ca", "${var.cluster_name}-server-ca")
        .into_iter()
        .chain(ca("client_ca", "${var.cluster_name}-client-ca"))
    {
        main.push(blk);
    }
    main = main
        .blk(Blk::resource("tls_private_key", "admin").a("algorithm", s("ECDSA")).a("ecdsa_curve", s("P256")))
        .blk(
            Blk::resource("tls_cert_request", "admin")
                .a("private_key_pem", r("tls_private_key.admin.private_key_pem"))
                .blk(
                    Blk::new("subject", &[])
                        .a("common_name", s("skyform-admin"))
                        .a("organization", s("system:masters")),
                ),
        )
        .blk(
            Blk::resource("tls_locally_signed_cert", "admin")
                .a("cert_request_pem", r("tls_cert_request.admin.cert_request_pem"))
                .a("ca_private_key_pem", r("tls_private_key.client_ca.private_key_pem"))
                .a("ca_cert_pem", r("tls_self_signed_cert.client_ca.cert_pem"))
                .a("validity_period_hours", n(8760))
                .a("allowed_uses", strs(["client_auth", "digital_signature", "key_encipherment"])),
        );
    let cloud_init = |role: &str| {
        call(
            "templatefile",
            [
                tpl(format!("${{path.module}}/cloud-init-{role}.yaml.tftpl")),
                obj([
                    ("k3s_version", r("var.kubernetes_version")),
                    ("token", r("random_password.k3s_token.result")),
                    ("server_ca_cert", r("tls_self_signed_cert.server_ca.cert_pem")),
                    ("server_ca_key", r("tls_private_key.server_ca.private_key_pem")),
                    ("client_ca_cert", r("tls_self_signed_cert.client_ca.cert_pem")),
                    ("client_ca_key", r("tls_private_key.client_ca.private_key_pem")),
                    (
                        "cluster_args",
                        cond(
                            op(r("count.index"), BinaryOperator::Eq, n(0)),
                            s("--cluster-init"),
                            s("--server https://10.0.1.2:6443"),
                        ),
                    ),
                ]),
            ],
        )
    };
    let network_blk = || Blk::new("network", &[]).a("network_id", call("tonumber", [r("var.network.id")]));
    main = main
        .blk(
            Blk::resource("hcloud_placement_group", "servers")
                .a("name", tpl("${var.cluster_name}-servers"))
                .a("type", s("spread"))
                .a("labels", r("var.labels")),
        )
        .blk(
            Blk::resource("hcloud_server", "server")
                .a("count", servers)
                .a("name", tpl("${var.cluster_name}-server-${count.index}"))
                .a("server_type", r("local.control_plane.size"))
                .a("image", s("ubuntu-24.04"))
                .a("location", r("var.region"))
                .a("placement_group_id", r("hcloud_placement_group.servers.id"))
                .a("firewall_ids", call("compact", [arr([r("var.network.firewall_id")])]))
                .a("user_data", cloud_init("server"))
                .a("labels", call("merge", [r("var.labels"), obj([("role", s("server"))])]))
                .blk(network_blk().a("ip", tpl("10.0.1.${count.index + 2}")))
                .blk(Blk::new("lifecycle", &[]).a("ignore_changes", arr([r("user_data")]))),
        );
    let agent_init = call(
        "templatefile",
        [
            tpl("${path.module}/cloud-init-agent.yaml.tftpl"),
            obj([
                ("k3s_version", r("var.kubernetes_version")),
                ("token", r("random_password.k3s_token.result")),
                ("server_url", s("https://10.0.1.2:6443")),
                ("pool", r("each.value.name")),
            ]),
        ],
    );
    main = main.blk(
        Blk::resource("hcloud_server", "agent")
            .a("for_each", r("local.agents"))
            .a("name", tpl("${var.cluster_name}-${each.key}"))
            .a("server_type", r("each.value.size"))
            .a("image", s("ubuntu-24.04"))
            .a("location", r("var.region"))
            .a("firewall_ids", call("compact", [arr([r("var.network.firewall_id")])]))
            .a("user_data", agent_init)
            .a("labels", call("merge", [r("var.labels"), obj([("role", s("agent")), ("pool", r("each.value.name"))])]))
            .blk(network_blk())
            .blk(Blk::new("lifecycle", &[]).a("ignore_changes", arr([r("user_data")])))
            .a("depends_on", arr([r("hcloud_server.server")])),
    );
    let kubeconfig = call(
        "yamlencode",
        [obj([
            ("apiVersion", s("v1")),
            ("kind", s("Config")),
            ("current-context", r("var.cluster_name")),
            (
                "clusters",
                arr([obj([
                    ("name", r("var.cluster_name")),
                    (
                        "cluster",
                        obj([
                            ("server", r("local.api_endpoint")),
                            (
                                "certificate-authority-data",
                                call("base64encode", [r("tls_self_signed_cert.server_ca.cert_pem")]),
                            ),
                        ]),
                    ),
                ])]),
            ),
            (
                "contexts",
                arr([obj([
                    ("name", r("var.cluster_name")),
                    ("context", obj([("cluster", r("var.cluster_name")), ("user", s("skyform-admin"))])),
                ])]),
            ),
            (
                "users",
                arr([obj([
                    ("name", s("skyform-admin")),
                    (
                        "user",
                        obj([
                            (
                                "client-certificate-data",
                                call("base64encode", [r("tls_locally_signed_cert.admin.cert_pem")]),
                            ),
                            ("client-key-data", call("base64encode", [r("tls_private_key.admin.private_key_pem")])),
                        ]),
                    ),
                ])]),
            ),
        ])],
    );
    let outs = outputs(r("local.api_endpoint"), r("tls_self_signed_cert.server_ca.cert_pem"), kubeconfig);
    let extra = vec![
        ("cloud-init-server.yaml.tftpl".to_owned(), crate::root::cloud_init_server()),
        ("cloud-init-agent.yaml.tftpl".to_owned(), crate::root::cloud_init_agent()),
    ];
    (main, outs, vec![versions::HCLOUD, versions::RANDOM, versions::TLS], extra)
}
