//! **REF-005 `pdb-selects-nothing`**: A PodDisruptionBudget's selector matches no workload in its namespace.
//!
//! *Why:* The budget protects nothing; drains can take down the workload it was written for.
//!
//! *Fix:* Fix the PDB selector to match the workload's pod template labels.
//!
//! *Severity:* warning.
//!
//! *Maps to:* kube-score `poddisruptionbudget-has-policy`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "REF-005",
    name: "pdb-selects-nothing",
    severity: Severity::Warning,
    category: Category::Integrity,
    default_enabled: true,
    summary: "A PodDisruptionBudget's selector matches no workload in its namespace.",
    hint: "Fix the PDB selector to match the workload's pod template labels.",
    refs: Refs { kube_score: &["poddisruptionbudget-has-policy"], ..Refs::NONE },
    check,
};

fn check(cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    if obj.kind != "PodDisruptionBudget" || cx.index.workloads.is_empty() {
        return;
    }
    let Some(sel) = obj.spec().and_then(|s| s.get("selector")) else { return };
    if selector_is_empty(Some(sel)) {
        return;
    }
    if !cx.index.selector_candidates(obj.ns(), sel).any(|w| label_selector_matches(sel, w.pod_labels())) {
        out.at(sel.span, format!("selector matches no workload in namespace `{}`", obj.ns()));
    }
}
