//! **RBAC-009 `rbac-escalation-verbs`**: A Role or ClusterRole grants `escalate`, `bind` or `impersonate`.
//!
//! *Why:* These verbs bypass RBAC's own privilege-escalation prevention: the subject can grant itself anything.
//!
//! *Fix:* Remove the verb; only cluster administrators should hold it.
//!
//! *Severity:* error.
//!
//! *Maps to:* CIS Kubernetes Benchmark v1.10 5.1.8; NSA/CISA hardening guide: Authentication and authorization; checkov `CKV_K8S_157`, `CKV_K8S_158`, `CKV2_K8S_3`.

#[allow(unused_imports)]
use super::prelude::*;
use super::util::policy_rules;

pub const RULE: Rule = Rule {
    id: "RBAC-009",
    name: "rbac-escalation-verbs",
    severity: Severity::Error,
    category: Category::Rbac,
    default_enabled: true,
    summary: "A Role or ClusterRole grants `escalate`, `bind` or `impersonate`.",
    hint: "Remove the verb; only cluster administrators should hold it.",
    refs: Refs {
        cis: "5.1.8",
        nsa: "Authentication and authorization",
        checkov: &["CKV_K8S_157", "CKV_K8S_158", "CKV2_K8S_3"],
        ..Refs::NONE
    },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    for r in policy_rules(obj) {
        for item in r.node.get("verbs").and_then(Node::as_seq).unwrap_or(&[]) {
            if let Some(v) = item.as_str()
                && matches!(v, "escalate" | "bind" | "impersonate")
            {
                out.at(item.span, format!("{} grants `{v}`", obj.kind));
            }
        }
    }
}
