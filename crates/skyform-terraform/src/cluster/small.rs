//! The implementations whose cloud returns a kubeconfig: DigitalOcean (DOKS), Linode
//! (LKE), Civo and Vultr (VKE).

use super::*;

pub(super) fn digitalocean() -> Module {
    let first = |f: &str| r(&format!("var.node_pools[0].{f}"));
    let main = File::new()
        // DOKS releases are looked up by minor: the newest `1.31.x-do.y`.
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
                .blk(
                    Blk::new("cluster_autoscaler_configuration", &[])
                        .a("scale_down_unneeded_time", tpl("${var.autoscaling.scale_down_unneeded_minutes}m"))
                        .a("scale_down_utilization_threshold", r("var.autoscaling.scale_down_utilization")),
                )
                .dynamic(
                    "control_plane_firewall",
                    cond(
                        op(call("length", [r("var.api_allowed_cidrs")]), BinaryOperator::Greater, n(0)),
                        arr([n(1)]),
                        arr([]),
                    ),
                    Blk::new("content", &[]).a("enabled", b(true)).a("allowed_addresses", r("var.api_allowed_cidrs")),
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

pub(super) fn linode() -> Module {
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
            .blk(
                Blk::new("control_plane", &[]).a("high_availability", r("var.high_availability")).dynamic(
                    "acl",
                    cond(
                        op(call("length", [r("var.api_allowed_cidrs")]), BinaryOperator::Greater, n(0)),
                        arr([n(1)]),
                        arr([]),
                    ),
                    Blk::new("content", &[])
                        .a("enabled", b(true))
                        .blk(Blk::new("addresses", &[]).a("ipv4", r("var.api_allowed_cidrs"))),
                ),
            )
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

pub(super) fn civo() -> Module {
    let first = |f: &str| r(&format!("var.node_pools[0].{f}"));
    let main = File::new()
        // The newest k3s release of the requested minor.
        .blk(
            Blk::data("civo_kubernetes_version", "this")
                .blk(Blk::new("filter", &[]).a("key", s("type")).a("values", strs(["k3s"])))
                .blk(
                    Blk::new("filter", &[])
                        .a("key", s("version"))
                        .a("values", arr([tpl("^${replace(var.kubernetes_version, \".\", \"\\\\.\")}\\\\.")]))
                        .a("match_by", s("re")),
                )
                .blk(Blk::new("sort", &[]).a("key", s("version")).a("direction", s("desc"))),
        )
        .blk(
            Blk::resource("civo_kubernetes_cluster", "this")
                .a("name", r("var.cluster_name"))
                .a("region", r("var.region"))
                .a("kubernetes_version", r("data.civo_kubernetes_version.this.versions[0].version"))
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

pub(super) fn vultr() -> Module {
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
