//! **RBAC-003 `cluster-admin-binding`**: A RoleBinding or ClusterRoleBinding grants the `cluster-admin` ClusterRole.
//!
//! *Why:* cluster-admin is unrestricted superuser access; a compromised subject owns the cluster.
//!
//! *Fix:* Bind a narrowly scoped Role instead; keep cluster-admin for break-glass humans, not workloads.
//!
//! *Severity:* error.
//!
//! *Maps to:* CIS Kubernetes Benchmark v1.10 5.1.1; NSA/CISA hardening guide: Authentication and authorization; kube-linter `cluster-admin-role-binding`; Polaris `clusterrolebindingClusterAdmin`, `rolebindingClusterAdminClusterRole`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "RBAC-003",
    name: "cluster-admin-binding",
    severity: Severity::Error,
    category: Category::Rbac,
    default_enabled: true,
    summary: "A RoleBinding or ClusterRoleBinding grants the `cluster-admin` ClusterRole.",
    hint: "Bind a narrowly scoped Role instead; keep cluster-admin for break-glass humans, not workloads.",
    refs: Refs {
        cis: "5.1.1",
        nsa: "Authentication and authorization",
        kube_linter: &["cluster-admin-role-binding"],
        polaris: &["clusterrolebindingClusterAdmin", "rolebindingClusterAdminClusterRole"],
        ..Refs::NONE
    },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    if !matches!(obj.kind.as_str(), "RoleBinding" | "ClusterRoleBinding") {
        return;
    }
    let Some(rr) = obj.node.get("roleRef") else { return };
    if text(Some(rr), "kind") == Some("ClusterRole") && text(Some(rr), "name") == Some("cluster-admin") {
        out.at(rr.get("name").map_or(rr.span, |n| n.span), "binding grants `cluster-admin`");
    }
}
