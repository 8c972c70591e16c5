//! **REL-002 `liveness-probe-missing`**: A long-running container has no liveness probe.
//!
//! *Why:* A deadlocked process without a liveness probe stays up forever, serving errors.
//!
//! *Fix:* Add a `livenessProbe` that fails only when a restart would help (not on dependency outages).
//!
//! *Severity:* note.
//!
//! *Maps to:* kube-linter `no-liveness-probe`; checkov `CKV_K8S_8`; Polaris `livenessProbeMissing`; kube-score `pod-probes`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "REL-002",
    name: "liveness-probe-missing",
    severity: Severity::Note,
    category: Category::Reliability,
    default_enabled: true,
    summary: "A long-running container has no liveness probe.",
    hint: "Add a `livenessProbe` that fails only when a restart would help (not on dependency outages).",
    refs: Refs {
        kube_linter: &["no-liveness-probe"],
        checkov: &["CKV_K8S_8"],
        polaris: &["livenessProbeMissing"],
        kube_score: &["pod-probes"],
        ..Refs::NONE
    },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    missing_probe(obj, out, "livenessProbe", "liveness probe");
}
