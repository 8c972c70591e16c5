//! **RBAC-004 `rbac-wildcard`**: A Role or ClusterRole uses `*` in apiGroups, resources or verbs.
//!
//! *Why:* Wildcards grant every current and future resource or verb, including ones added by CRDs later.
//!
//! *Fix:* List the exact apiGroups, resources and verbs the subject needs.
//!
//! *Severity:* error.
//!
//! *Maps to:* CIS Kubernetes Benchmark v1.10 5.1.3; NSA/CISA hardening guide: Authentication and authorization; kube-linter `wildcard-in-rules`; checkov `CKV_K8S_49`; Polaris `rolebindingClusterAdminRole`.

#[allow(unused_imports)]
use super::prelude::*;
use super::util::policy_rules;

pub const RULE: Rule = Rule {
    id: "RBAC-004",
    name: "rbac-wildcard",
    severity: Severity::Error,
    category: Category::Rbac,
    default_enabled: true,
    summary: "A Role or ClusterRole uses `*` in apiGroups, resources or verbs.",
    hint: "List the exact apiGroups, resources and verbs the subject needs.",
    refs: Refs {
        cis: "5.1.3",
        nsa: "Authentication and authorization",
        kube_linter: &["wildcard-in-rules"],
        checkov: &["CKV_K8S_49"],
        polaris: &["rolebindingClusterAdminRole"],
        ..Refs::NONE
    },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    for r in policy_rules(obj) {
        for field in ["apiGroups", "resources", "verbs"] {
            for item in r.node.get(field).and_then(Node::as_seq).unwrap_or(&[]) {
                if item.as_str() == Some("*") {
                    out.at(item.span, format!("{} rule uses `*` in {field}", obj.kind));
                }
            }
        }
    }
}
