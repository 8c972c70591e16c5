//! **RBAC-002 `default-service-account`**: A pod runs as the namespace's `default` service account, or a binding grants it rights.
//!
//! *Why:* The default service account is shared by every pod that names none; rights granted to it leak to all of them.
//!
//! *Fix:* Create a dedicated ServiceAccount per workload and set `serviceAccountName`.
//!
//! *Severity:* note.
//!
//! *Maps to:* CIS Kubernetes Benchmark v1.10 5.1.5; NSA/CISA hardening guide: Authentication and authorization; kube-linter `default-service-account`; checkov `CKV_K8S_41`, `CKV_K8S_42`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "RBAC-002",
    name: "default-service-account",
    severity: Severity::Note,
    category: Category::Rbac,
    default_enabled: true,
    summary: "A pod runs as the namespace's `default` service account, or a binding grants it rights.",
    hint: "Create a dedicated ServiceAccount per workload and set `serviceAccountName`.",
    refs: Refs {
        cis: "5.1.5",
        nsa: "Authentication and authorization",
        kube_linter: &["default-service-account"],
        checkov: &["CKV_K8S_41", "CKV_K8S_42"],
        ..Refs::NONE
    },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    if let Some(pod) = obj.pod() {
        let (sa, node) = pod.service_account();
        let automount_off = pod.get("automountServiceAccountToken").and_then(Node::as_bool) == Some(false);
        if sa == "default" && !automount_off {
            out.at(node.map_or(pod.span(), |n| n.span), "pod runs as the `default` service account");
        }
    }
    if matches!(obj.kind.as_str(), "RoleBinding" | "ClusterRoleBinding") {
        for s in obj.node.get("subjects").and_then(Node::as_seq).unwrap_or(&[]) {
            if text(Some(s), "kind") == Some("ServiceAccount") && text(Some(s), "name") == Some("default") {
                out.at(name_span(s), "binding grants rights to the `default` service account");
            }
        }
    }
}
