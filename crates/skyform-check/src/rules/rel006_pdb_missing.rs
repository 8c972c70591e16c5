//! **REL-006 `pdb-missing`**: A replicated production Deployment or StatefulSet is not covered by a PodDisruptionBudget.
//!
//! *Why:* Without a PDB a node drain may evict every replica at once.
//!
//! *Fix:* Add a PodDisruptionBudget selecting the pods with `maxUnavailable: 1`.
//!
//! *Severity:* warning.
//!
//! *Maps to:* Polaris `missingPodDisruptionBudget`; kube-score `deployment-has-poddisruptionbudget`, `statefulset-has-poddisruptionbudget`.

#[allow(unused_imports)]
use super::prelude::*;
use super::util::{hpa_for, pdbs_for};

pub const RULE: Rule = Rule {
    id: "REL-006",
    name: "pdb-missing",
    severity: Severity::Warning,
    category: Category::Reliability,
    default_enabled: true,
    summary: "A replicated production Deployment or StatefulSet is not covered by a PodDisruptionBudget.",
    hint: "Add a PodDisruptionBudget selecting the pods with `maxUnavailable: 1`.",
    refs: Refs {
        polaris: &["missingPodDisruptionBudget"],
        kube_score: &["deployment-has-poddisruptionbudget", "statefulset-has-poddisruptionbudget"],
        ..Refs::NONE
    },
    check,
};

fn check(cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    if !matches!(obj.kind.as_str(), "Deployment" | "StatefulSet") || !cx.production(obj) {
        return;
    }
    let Some((replicas, _)) = obj.replicas() else { return };
    let hpa = hpa_for(cx.index, obj);
    if hpa.is_none() && replicas < 2 {
        return;
    }
    if pdbs_for(cx.index, obj).is_empty() {
        out.at(key_span(&obj.node, "metadata"), format!("no PodDisruptionBudget covers {} `{}`", obj.kind, obj.name));
    }
}
