//! **REL-001 `readiness-probe-missing`**: A long-running container has no readiness probe.
//!
//! *Why:* Without readiness the Service sends traffic to pods that are still starting or are overloaded.
//!
//! *Fix:* Add a `readinessProbe` (HTTP, TCP, gRPC or exec) that reflects whether the container can serve.
//!
//! *Severity:* note.
//!
//! *Maps to:* kube-linter `no-readiness-probe`; checkov `CKV_K8S_9`; Polaris `readinessProbeMissing`; kube-score `pod-probes`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "REL-001",
    name: "readiness-probe-missing",
    severity: Severity::Note,
    category: Category::Reliability,
    default_enabled: true,
    summary: "A long-running container has no readiness probe.",
    hint: "Add a `readinessProbe` (HTTP, TCP, gRPC or exec) that reflects whether the container can serve.",
    refs: Refs {
        kube_linter: &["no-readiness-probe"],
        checkov: &["CKV_K8S_9"],
        polaris: &["readinessProbeMissing"],
        kube_score: &["pod-probes"],
        ..Refs::NONE
    },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    missing_probe(obj, out, "readinessProbe", "readiness probe");
}
