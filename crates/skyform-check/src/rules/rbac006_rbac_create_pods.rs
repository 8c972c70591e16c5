//! **RBAC-006 `rbac-create-pods`**: A Role or ClusterRole can create Pods.
//!
//! *Why:* Creating pods lets a subject run any image with any service account in scope, and read the Secrets it mounts.
//!
//! *Fix:* Grant `create` on a controller (Deployment/Job) to a CI identity instead, or remove it.
//!
//! *Severity:* warning.
//!
//! *Maps to:* CIS Kubernetes Benchmark v1.10 5.1.4; NSA/CISA hardening guide: Authentication and authorization; kube-linter `access-to-create-pods`.

#[allow(unused_imports)]
use super::prelude::*;
use super::util::explicit_grants;

pub const RULE: Rule = Rule {
    id: "RBAC-006",
    name: "rbac-create-pods",
    severity: Severity::Warning,
    category: Category::Rbac,
    default_enabled: true,
    summary: "A Role or ClusterRole can create Pods.",
    hint: "Grant `create` on a controller (Deployment/Job) to a CI identity instead, or remove it.",
    refs: Refs {
        cis: "5.1.4",
        nsa: "Authentication and authorization",
        kube_linter: &["access-to-create-pods"],
        ..Refs::NONE
    },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    explicit_grants(obj, "", "pods", &["create"], |r, span| {
        out.at(span, format!("{} grants {} on `pods`", obj.kind, r.verb_list()));
    });
}
