//! **REL-011 `replicas-with-hpa`**: A workload targeted by an HPA also sets a fixed `spec.replicas`.
//!
//! *Why:* Every apply (GitOps sync) resets the replica count, fighting the autoscaler and causing scale flaps.
//!
//! *Fix:* Remove `spec.replicas` from the workload and let the HPA own it.
//!
//! *Severity:* warning.
//!
//! *Maps to:* kube-score `deployment-targeted-by-hpa-does-not-have-replicas-configured`.

#[allow(unused_imports)]
use super::prelude::*;
use super::util::hpa_for;

pub const RULE: Rule = Rule {
    id: "REL-011",
    name: "replicas-with-hpa",
    severity: Severity::Warning,
    category: Category::Reliability,
    default_enabled: true,
    summary: "A workload targeted by an HPA also sets a fixed `spec.replicas`.",
    hint: "Remove `spec.replicas` from the workload and let the HPA own it.",
    refs: Refs { kube_score: &["deployment-targeted-by-hpa-does-not-have-replicas-configured"], ..Refs::NONE },
    check,
};

fn check(cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    let Some((_, Some(node))) = obj.replicas() else { return };
    if let Some(hpa) = hpa_for(cx.index, obj) {
        out.at(node.span, format!("fixed `replicas` fights HorizontalPodAutoscaler `{}`", hpa.name));
    }
}
