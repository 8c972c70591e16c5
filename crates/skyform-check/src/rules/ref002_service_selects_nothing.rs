//! **REF-002 `service-selects-nothing`**: A Service's selector matches no pod template in its namespace.
//!
//! *Why:* The Service has no endpoints: every request to it fails.
//!
//! *Fix:* Fix the selector to match the labels of the intended workload's pod template.
//!
//! *Severity:* warning.
//!
//! *Maps to:* kube-linter `dangling-service`; kube-score `service-targets-pod`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "REF-002",
    name: "service-selects-nothing",
    severity: Severity::Warning,
    category: Category::Integrity,
    default_enabled: true,
    summary: "A Service's selector matches no pod template in its namespace.",
    hint: "Fix the selector to match the labels of the intended workload's pod template.",
    refs: Refs { kube_linter: &["dangling-service"], kube_score: &["service-targets-pod"], ..Refs::NONE },
    check,
};

fn check(cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    if obj.kind != "Service" || cx.index.workloads.is_empty() {
        return;
    }
    let Some(sel_node) = obj.spec().and_then(|s| s.get("selector")) else { return };
    let sel = string_map(Some(sel_node));
    if sel.is_empty() {
        return;
    }
    if !cx.index.workload_candidates(obj.ns(), &sel).any(|w| map_selector_matches(&sel, w.pod_labels())) {
        out.at(sel_node.span, format!("selector matches no pods in namespace `{}`", obj.ns()));
    }
}
