//! **RBAC-007 `rbac-exec-attach`**: A Role or ClusterRole grants `pods/exec` or `pods/attach`.
//!
//! *Why:* Exec and attach give a shell in running containers, with their tokens and Secrets.
//!
//! *Fix:* Remove `pods/exec` and `pods/attach`; use ephemeral debug containers under audited break-glass roles.
//!
//! *Severity:* error.
//!
//! *Maps to:* NSA/CISA hardening guide: Authentication and authorization; checkov `CKV2_K8S_2`; Polaris `clusterrolePodExecAttach`, `rolePodExecAttach`.

#[allow(unused_imports)]
use super::prelude::*;
use super::util::explicit_grants;

pub const RULE: Rule = Rule {
    id: "RBAC-007",
    name: "rbac-exec-attach",
    severity: Severity::Error,
    category: Category::Rbac,
    default_enabled: true,
    summary: "A Role or ClusterRole grants `pods/exec` or `pods/attach`.",
    hint: "Remove `pods/exec` and `pods/attach`; use ephemeral debug containers under audited break-glass roles.",
    refs: Refs {
        nsa: "Authentication and authorization",
        checkov: &["CKV2_K8S_2"],
        polaris: &["clusterrolePodExecAttach", "rolePodExecAttach"],
        ..Refs::NONE
    },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    for res in ["pods/exec", "pods/attach"] {
        explicit_grants(obj, "", res, &["create", "get"], |r, span| {
            out.at(span, format!("{} grants {} on `{res}`", obj.kind, r.verb_list()));
        });
    }
}
