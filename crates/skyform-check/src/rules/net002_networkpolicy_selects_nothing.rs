//! **NET-002 `networkpolicy-selects-nothing`**: A NetworkPolicy's `podSelector` matches no workload in its namespace.
//!
//! *Why:* A policy that selects nothing protects nothing, usually because of a label typo.
//!
//! *Fix:* Fix the selector labels to match the pod template labels of the intended workload.
//!
//! *Severity:* note.
//!
//! *Maps to:* kube-linter `dangling-networkpolicy`; kube-score `networkpolicy-targets-pod`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "NET-002",
    name: "networkpolicy-selects-nothing",
    severity: Severity::Note,
    category: Category::Network,
    default_enabled: true,
    summary: "A NetworkPolicy's `podSelector` matches no workload in its namespace.",
    hint: "Fix the selector labels to match the pod template labels of the intended workload.",
    refs: Refs { kube_linter: &["dangling-networkpolicy"], kube_score: &["networkpolicy-targets-pod"], ..Refs::NONE },
    check,
};

fn check(cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    if obj.kind != "NetworkPolicy" {
        return;
    }
    let Some(sel) = obj.spec().and_then(|s| s.get("podSelector")) else { return };
    if selector_is_empty(Some(sel)) || cx.index.workloads_in(obj.ns()).next().is_none() {
        return;
    }
    let hit = cx.index.selector_candidates(obj.ns(), sel).any(|w| label_selector_matches(sel, w.pod_labels()));
    if !hit {
        out.at(
            key_span(obj.spec().unwrap_or(&obj.node), "podSelector"),
            format!("podSelector matches no workload in namespace `{}`", obj.ns()),
        );
    }
}
