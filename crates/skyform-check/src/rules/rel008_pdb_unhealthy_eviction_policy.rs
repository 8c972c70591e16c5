//! **REL-008 `pdb-unhealthy-eviction-policy`**: A PodDisruptionBudget does not set `unhealthyPodEvictionPolicy: AlwaysAllow`.
//!
//! *Why:* With the default policy, crash-looping pods count against the budget and can block drains.
//!
//! *Fix:* Set `unhealthyPodEvictionPolicy: AlwaysAllow`.
//!
//! *Severity:* note (off by default; enable with `--enable REL-008`).
//!
//! *Maps to:* kube-linter `pdb-unhealthy-pod-eviction-policy`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "REL-008",
    name: "pdb-unhealthy-eviction-policy",
    severity: Severity::Note,
    category: Category::Reliability,
    default_enabled: false,
    summary: "A PodDisruptionBudget does not set `unhealthyPodEvictionPolicy: AlwaysAllow`.",
    hint: "Set `unhealthyPodEvictionPolicy: AlwaysAllow`.",
    refs: Refs { kube_linter: &["pdb-unhealthy-pod-eviction-policy"], ..Refs::NONE },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    if obj.kind != "PodDisruptionBudget" {
        return;
    }
    if text(obj.spec(), "unhealthyPodEvictionPolicy") != Some("AlwaysAllow") {
        out.at(key_span(&obj.node, "spec"), "PDB does not set `unhealthyPodEvictionPolicy: AlwaysAllow`");
    }
}
