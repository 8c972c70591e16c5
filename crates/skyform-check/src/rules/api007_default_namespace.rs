//! **API-007 `default-namespace`**: An object is explicitly placed in the `default` namespace.
//!
//! *Why:* The default namespace is shared by everything that forgets a namespace; policies and RBAC there are usually lax.
//!
//! *Fix:* Put the object in a dedicated namespace.
//!
//! *Severity:* note.
//!
//! *Maps to:* CIS Kubernetes Benchmark v1.10 5.7.1, 5.7.4; NSA/CISA hardening guide: Namespaces; kube-linter `use-namespace`; checkov `CKV_K8S_21`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "API-007",
    name: "default-namespace",
    severity: Severity::Note,
    category: Category::Api,
    default_enabled: true,
    summary: "An object is explicitly placed in the `default` namespace.",
    hint: "Put the object in a dedicated namespace.",
    refs: Refs {
        cis: "5.7.1, 5.7.4",
        nsa: "Namespaces",
        kube_linter: &["use-namespace"],
        checkov: &["CKV_K8S_21"],
        ..Refs::NONE
    },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    if obj.namespace_written.as_deref() == Some("default")
        && let Some(m) = obj.metadata()
    {
        out.at(
            m.get("namespace").map_or(m.span, |n| n.span),
            format!("{} is placed in the `default` namespace", obj.kind),
        );
    }
}
