//! **RBAC-013 `system-masters-binding`**: A binding names the `system:masters` group.
//!
//! *Why:* `system:masters` bypasses RBAC entirely and cannot be revoked by removing bindings.
//!
//! *Fix:* Never bind `system:masters`; grant a scoped ClusterRole to a dedicated group.
//!
//! *Severity:* error.
//!
//! *Maps to:* CIS Kubernetes Benchmark v1.10 5.1.7; NSA/CISA hardening guide: Authentication and authorization.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "RBAC-013",
    name: "system-masters-binding",
    severity: Severity::Error,
    category: Category::Rbac,
    default_enabled: true,
    summary: "A binding names the `system:masters` group.",
    hint: "Never bind `system:masters`; grant a scoped ClusterRole to a dedicated group.",
    refs: Refs { cis: "5.1.7", nsa: "Authentication and authorization", ..Refs::NONE },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    if !matches!(obj.kind.as_str(), "RoleBinding" | "ClusterRoleBinding") {
        return;
    }
    for s in obj.node.get("subjects").and_then(Node::as_seq).unwrap_or(&[]) {
        if text(Some(s), "kind") == Some("Group") && text(Some(s), "name") == Some("system:masters") {
            out.at(s.get("name").map_or(s.span, |n| n.span), "binding names the `system:masters` group");
        }
    }
}
