//! **REF-004 `autoscaler-target-missing`**: An HPA's `scaleTargetRef` names a workload that is not in the input.
//!
//! *Why:* The autoscaler does nothing; the workload it was meant for is not scaled.
//!
//! *Fix:* Fix `scaleTargetRef.kind`/`name`, or add the workload.
//!
//! *Severity:* warning.
//!
//! *Maps to:* kube-linter `dangling-horizontalpodautoscaler`; kube-score `horizontalpodautoscaler-has-target`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "REF-004",
    name: "autoscaler-target-missing",
    severity: Severity::Warning,
    category: Category::Integrity,
    default_enabled: true,
    summary: "An HPA's `scaleTargetRef` names a workload that is not in the input.",
    hint: "Fix `scaleTargetRef.kind`/`name`, or add the workload.",
    refs: Refs {
        kube_linter: &["dangling-horizontalpodautoscaler"],
        kube_score: &["horizontalpodautoscaler-has-target"],
        ..Refs::NONE
    },
    check,
};

fn check(cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    if obj.kind != "HorizontalPodAutoscaler" {
        return;
    }
    let Some(r) = obj.spec().and_then(|s| s.get("scaleTargetRef")) else { return };
    let (Some(kind), Some(name)) = (text(Some(r), "kind"), text(Some(r), "name")) else { return };
    if cx.index.reference_exists(kind, obj.ns(), name) == Some(false) {
        out.at(r.get("name").map_or(r.span, |n| n.span), format!("{kind} `{name}` is not in the input"));
    }
}
