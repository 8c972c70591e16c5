//! **RBAC-010 `rbac-webhook-write`**: A Role or ClusterRole can modify admission webhook configurations.
//!
//! *Why:* Whoever controls admission webhooks can read or rewrite every object sent to the API server.
//!
//! *Fix:* Remove write verbs on validating/mutating webhook configurations.
//!
//! *Severity:* warning.
//!
//! *Maps to:* CIS Kubernetes Benchmark v1.10 5.1.12; NSA/CISA hardening guide: Authentication and authorization; checkov `CKV_K8S_155`.

#[allow(unused_imports)]
use super::prelude::*;
use super::util::explicit_grants;

pub const RULE: Rule = Rule {
    id: "RBAC-010",
    name: "rbac-webhook-write",
    severity: Severity::Warning,
    category: Category::Rbac,
    default_enabled: true,
    summary: "A Role or ClusterRole can modify admission webhook configurations.",
    hint: "Remove write verbs on validating/mutating webhook configurations.",
    refs: Refs { cis: "5.1.12", nsa: "Authentication and authorization", checkov: &["CKV_K8S_155"], ..Refs::NONE },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    for res in ["validatingwebhookconfigurations", "mutatingwebhookconfigurations"] {
        explicit_grants(
            obj,
            "admissionregistration.k8s.io",
            res,
            &["create", "update", "patch", "delete"],
            |r, span| {
                out.at(span, format!("{} grants {} on `{res}`", obj.kind, r.verb_list()));
            },
        );
    }
}
