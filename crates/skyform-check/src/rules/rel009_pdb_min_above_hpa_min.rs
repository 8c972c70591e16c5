//! **REL-009 `pdb-min-above-hpa-min`**: A PodDisruptionBudget's `minAvailable` is not below its workload's HPA `minReplicas`.
//!
//! *Why:* When the HPA has scaled down to its minimum, the PDB allows no eviction and drains hang.
//!
//! *Fix:* Lower `minAvailable` (or use `maxUnavailable: 1`), or raise the HPA's `minReplicas`.
//!
//! *Severity:* warning.
//!
//! *Maps to:* Polaris `pdbMinAvailableGreaterThanHPAMinReplicas`.

#[allow(unused_imports)]
use super::prelude::*;
use super::util::hpa_for;

pub const RULE: Rule = Rule {
    id: "REL-009",
    name: "pdb-min-above-hpa-min",
    severity: Severity::Warning,
    category: Category::Reliability,
    default_enabled: true,
    summary: "A PodDisruptionBudget's `minAvailable` is not below its workload's HPA `minReplicas`.",
    hint: "Lower `minAvailable` (or use `maxUnavailable: 1`), or raise the HPA's `minReplicas`.",
    refs: Refs { polaris: &["pdbMinAvailableGreaterThanHPAMinReplicas"], ..Refs::NONE },
    check,
};

fn check(cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    if obj.kind != "PodDisruptionBudget" {
        return;
    }
    let Some(spec) = obj.spec() else { return };
    let Some(ma) = spec.get("minAvailable") else { return };
    let Some(min) = ma.as_i64() else { return };
    let Some(sel) = spec.get("selector") else { return };
    for w in cx.index.selector_candidates(obj.ns(), sel) {
        if !label_selector_matches(sel, w.pod_labels()) {
            continue;
        }
        if let Some(hpa) = hpa_for(cx.index, w) {
            let hmin = hpa.spec().and_then(|s| s.get("minReplicas")).and_then(Node::as_i64).unwrap_or(1);
            if min >= hmin {
                out.at(
                    ma.span,
                    format!(
                        "`minAvailable: {min}` is not below `minReplicas: {hmin}` of HorizontalPodAutoscaler `{}`",
                        hpa.name
                    ),
                );
            }
        }
    }
}
