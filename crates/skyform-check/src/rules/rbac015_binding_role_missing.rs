//! **RBAC-015 `binding-role-missing`**: A binding references a Role or ClusterRole that is not in the input.
//!
//! *Why:* A binding to a missing role grants nothing now, and whatever a future role of that name grants later.
//!
//! *Fix:* Fix the `roleRef` name, or add the role to the manifests.
//!
//! *Severity:* warning.
//!
//! *Maps to:* Polaris `clusterrolebindingPodExecAttach`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "RBAC-015",
    name: "binding-role-missing",
    severity: Severity::Warning,
    category: Category::Integrity,
    default_enabled: true,
    summary: "A binding references a Role or ClusterRole that is not in the input.",
    hint: "Fix the `roleRef` name, or add the role to the manifests.",
    refs: Refs { polaris: &["clusterrolebindingPodExecAttach"], ..Refs::NONE },
    check,
};

/// ClusterRoles every cluster has.
fn builtin(name: &str) -> bool {
    matches!(name, "cluster-admin" | "admin" | "edit" | "view") || name.starts_with("system:")
}

fn check(cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    if !matches!(obj.kind.as_str(), "RoleBinding" | "ClusterRoleBinding") {
        return;
    }
    let Some(rr) = obj.node.get("roleRef") else { return };
    let (Some(kind), Some(name)) = (text(Some(rr), "kind"), text(Some(rr), "name")) else { return };
    let ns = if kind == "Role" { obj.ns() } else { "" };
    if kind == "ClusterRole" && builtin(name) {
        return;
    }
    if cx.index.reference_exists(kind, ns, name) == Some(false) {
        out.at(rr.get("name").map_or(rr.span, |n| n.span), format!("{kind} `{name}` is not in the input"));
    }
}
