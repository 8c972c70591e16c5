//! **RES-001 `memory-limit-missing`**: A container has no memory limit.
//!
//! *Why:* Without a memory limit one leaking container can exhaust the node and get its neighbours OOM-killed.
//!
//! *Fix:* Set `resources.limits.memory` (and a matching request).
//!
//! *Severity:* warning.
//!
//! *Maps to:* NSA/CISA hardening guide: Resource policies; kube-linter `unset-memory-requirements`; checkov `CKV_K8S_13`; Polaris `memoryLimitsMissing`; kube-score `container-resources`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "RES-001",
    name: "memory-limit-missing",
    severity: Severity::Warning,
    category: Category::Resources,
    default_enabled: true,
    summary: "A container has no memory limit.",
    hint: "Set `resources.limits.memory` (and a matching request).",
    refs: Refs {
        nsa: "Resource policies",
        kube_linter: &["unset-memory-requirements"],
        checkov: &["CKV_K8S_13"],
        polaris: &["memoryLimitsMissing"],
        kube_score: &["container-resources"],
        ..Refs::NONE
    },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    missing_resource(obj, out, "limits", "memory", "memory limit");
}
