//! **REL-007 `pdb-blocks-drain`**: A PodDisruptionBudget allows no voluntary disruption (maxUnavailable 0, minAvailable 100% or ≥ replicas).
//!
//! *Why:* Such a PDB blocks node drains and cluster upgrades forever.
//!
//! *Fix:* Use `maxUnavailable: 1` (or a `minAvailable` below the replica count).
//!
//! *Severity:* warning.
//!
//! *Maps to:* kube-linter `pdb-max-unavailable`, `pdb-min-available`; Polaris `pdbDisruptionsIsZero`; kube-score `poddisruptionbudget-has-policy`.

#[allow(unused_imports)]
use super::prelude::*;
use super::util::hpa_for;

pub const RULE: Rule = Rule {
    id: "REL-007",
    name: "pdb-blocks-drain",
    severity: Severity::Warning,
    category: Category::Reliability,
    default_enabled: true,
    summary: "A PodDisruptionBudget allows no voluntary disruption (maxUnavailable 0, minAvailable 100% or ≥ replicas).",
    hint: "Use `maxUnavailable: 1` (or a `minAvailable` below the replica count).",
    refs: Refs {
        kube_linter: &["pdb-max-unavailable", "pdb-min-available"],
        polaris: &["pdbDisruptionsIsZero"],
        kube_score: &["poddisruptionbudget-has-policy"],
        ..Refs::NONE
    },
    check,
};

fn check(cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    if obj.kind != "PodDisruptionBudget" {
        return;
    }
    let Some(spec) = obj.spec() else { return };
    if let Some(mu) = spec.get("maxUnavailable") {
        let t = mu.scalar_text().unwrap_or_default();
        if t == "0" || t == "0%" {
            out.at(mu.span, "`maxUnavailable: 0` blocks every voluntary eviction");
        }
        return;
    }
    let Some(ma) = spec.get("minAvailable") else { return };
    let t = ma.scalar_text().unwrap_or_default();
    if t == "100%" {
        out.at(ma.span, "`minAvailable: 100%` blocks every voluntary eviction");
        return;
    }
    let Some(min) = ma.as_i64() else { return };
    let Some(sel) = spec.get("selector") else { return };
    for w in cx.index.selector_candidates(obj.ns(), sel) {
        let Some((replicas, _)) = w.replicas() else { continue };
        if hpa_for(cx.index, w).is_some() || !label_selector_matches(sel, w.pod_labels()) {
            continue;
        }
        if min >= replicas {
            out.at(
                ma.span,
                format!("`minAvailable: {min}` is not below the {replicas} replica(s) of {} `{}`", w.kind, w.name),
            );
        }
    }
}
