//! `modules/kubernetes-cluster/<provider>/`: one interface, eight implementations.
//!
//! Every implementation has byte-identical `variables.tf` ([`variables`]): the seed's
//! interface (cluster name, region, Kubernetes version, node pools with min/max,
//! autoscale and spot) plus `high_availability`, `network` (what the networking
//! module produced) and `labels`. Every implementation has the same three outputs:
//! `cluster_endpoint`, `cluster_ca_certificate` (sensitive) and `kubeconfig`
//! (sensitive). Where the cloud returns no kubeconfig (EKS, GKE) it is built with
//! `yamlencode` around the cloud CLI's exec credential plugin, so it holds no secret.

mod aws;
mod azure;
mod gcp;
mod hetzner;
mod small;

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
        .blk(
            Blk::new("variable", &["api_allowed_cidrs"])
                .a(
                    "description",
                    s("Networks allowed to reach the Kubernetes API where the provider can restrict it; empty: private endpoint only (EKS) or no restriction (where the provider has no private endpoint)."),
                )
                .a("type", ty("list(string)"))
                .a("default", arr([])),
        )
        .blk(
            Blk::new("variable", &["autoscaling"])
                .a(
                    "description",
                    s("Cluster autoscaler policy: remove a node after `scale_down_unneeded_minutes` below `scale_down_utilization` (0-1) of its allocatable."),
                )
                .a("type", autoscaling_type())
                .a(
                    "default",
                    obj([
                        ("min_nodes", n(1)),
                        ("max_nodes", n(10)),
                        ("scale_down_unneeded_minutes", n(10)),
                        ("scale_down_utilization", hcl::Expression::from(0.5)),
                    ]),
                ),
        )
}

/// The type of the `autoscaling` variable, shared by the cluster modules and the roots.
pub fn autoscaling_type() -> hcl::Expression {
    call(
        "object",
        [obj([
            ("min_nodes", ty("number")),
            ("max_nodes", ty("number")),
            ("scale_down_unneeded_minutes", ty("number")),
            ("scale_down_utilization", ty("number")),
        ])],
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
    let exec =
        obj([("apiVersion", s("client.authentication.k8s.io/v1beta1")), ("command", s(command)), ("args", args)]);
    kubeconfig(endpoint, ca_b64, r("var.cluster_name"), obj([("exec", exec)]))
}

/// A kubeconfig of the one cluster `var.cluster_name` (`server`, CA in base64) and its
/// one user `user_name` with credentials `user`.
fn kubeconfig(
    server: hcl::Expression,
    ca_b64: hcl::Expression,
    user_name: hcl::Expression,
    user: hcl::Expression,
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
                    ("cluster", obj([("server", server), ("certificate-authority-data", ca_b64)])),
                ])]),
            ),
            (
                "contexts",
                arr([obj([
                    ("name", r("var.cluster_name")),
                    ("context", obj([("cluster", r("var.cluster_name")), ("user", user_name.clone())])),
                ])]),
            ),
            ("users", arr([obj([("name", user_name), ("user", user)])])),
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
        ProviderName::Aws => aws::module(),
        ProviderName::Gcp => gcp::module(),
        ProviderName::Azure => azure::module(),
        ProviderName::Digitalocean => small::digitalocean(),
        ProviderName::Linode => small::linode(),
        ProviderName::Civo => small::civo(),
        ProviderName::Vultr => small::vultr(),
        ProviderName::Hetzner | ProviderName::K3s | ProviderName::Kind => hetzner::module(),
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
