//! **RES-002 `memory-request-missing`**: A container has no memory request.
//!
//! *Why:* Without a request the scheduler cannot place the pod sensibly and it is first to be evicted.
//!
//! *Fix:* Set `resources.requests.memory` to the container's typical working set.
//!
//! *Severity:* note.
//!
//! *Maps to:* NSA/CISA hardening guide: Resource policies; kube-linter `unset-memory-requirements`; checkov `CKV_K8S_12`; Polaris `memoryRequestsMissing`; kube-score `container-resources`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "RES-002",
    name: "memory-request-missing",
    severity: Severity::Note,
    category: Category::Resources,
    default_enabled: true,
    summary: "A container has no memory request.",
    hint: "Set `resources.requests.memory` to the container's typical working set.",
    refs: Refs {
        nsa: "Resource policies",
        kube_linter: &["unset-memory-requirements"],
        checkov: &["CKV_K8S_12"],
        polaris: &["memoryRequestsMissing"],
        kube_score: &["container-resources"],
        ..Refs::NONE
    },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    missing_resource(obj, out, "requests", "memory", "memory request");
}
