//! **RBAC-005 `rbac-secrets-read`**: A Role or ClusterRole can get, list or watch Secrets.
//!
//! *Why:* Reading Secrets reveals credentials; `list`/`watch` reveal all of them in scope. A ClusterRole does so cluster-wide (error).
//!
//! *Fix:* Limit `get` to named Secrets with `resourceNames`, or mount the Secret into the pod instead of reading it through the API.
//!
//! *Severity:* warning.
//!
//! *Maps to:* CIS Kubernetes Benchmark v1.10 5.1.2; NSA/CISA hardening guide: Authentication and authorization; kube-linter `access-to-secrets`; checkov `CKV2_K8S_5`.

#[allow(unused_imports)]
use super::prelude::*;
use super::util::policy_rules;

pub const RULE: Rule = Rule {
    id: "RBAC-005",
    name: "rbac-secrets-read",
    severity: Severity::Warning,
    category: Category::Rbac,
    default_enabled: true,
    summary: "A Role or ClusterRole can get, list or watch Secrets.",
    hint: "Limit `get` to named Secrets with `resourceNames`, or mount the Secret into the pod instead of reading it through the API.",
    refs: Refs {
        cis: "5.1.2",
        nsa: "Authentication and authorization",
        kube_linter: &["access-to-secrets"],
        checkov: &["CKV2_K8S_5"],
        ..Refs::NONE
    },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    for r in policy_rules(obj) {
        if !r.group("") {
            continue;
        }
        let Some(span) = r.resource_span("secrets") else { continue };
        let broad = r.verb_any(&["list", "watch"]) || (r.verb_any(&["get"]) && r.resource_names.is_empty());
        if broad {
            let cluster = obj.kind == "ClusterRole";
            let h = out.at(span, format!("{} can read Secrets ({})", obj.kind, r.verb_list()));
            if cluster {
                h.severity(Severity::Error);
            }
        }
    }
}
