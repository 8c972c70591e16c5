//! **RBAC-008 `rbac-nodes-proxy`**: A Role or ClusterRole grants access to `nodes/proxy`.
//!
//! *Why:* nodes/proxy reaches the kubelet API, which can exec into any pod on the node and bypasses audit.
//!
//! *Fix:* Remove `nodes/proxy`; use metrics endpoints or the metrics API instead.
//!
//! *Severity:* error.
//!
//! *Maps to:* CIS Kubernetes Benchmark v1.10 5.1.10; NSA/CISA hardening guide: Authentication and authorization; checkov `CKV2_K8S_2`.

#[allow(unused_imports)]
use super::prelude::*;
use super::util::explicit_grants;

pub const RULE: Rule = Rule {
    id: "RBAC-008",
    name: "rbac-nodes-proxy",
    severity: Severity::Error,
    category: Category::Rbac,
    default_enabled: true,
    summary: "A Role or ClusterRole grants access to `nodes/proxy`.",
    hint: "Remove `nodes/proxy`; use metrics endpoints or the metrics API instead.",
    refs: Refs { cis: "5.1.10", nsa: "Authentication and authorization", checkov: &["CKV2_K8S_2"], ..Refs::NONE },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    explicit_grants(
        obj,
        "",
        "nodes/proxy",
        &["get", "create", "update", "patch", "delete", "list", "watch"],
        |r, span| {
            out.at(span, format!("{} grants {} on `nodes/proxy`", obj.kind, r.verb_list()));
        },
    );
}
