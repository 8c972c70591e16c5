//! **RES-003 `cpu-request-missing`**: A container has no CPU request.
//!
//! *Why:* Without a CPU request the container gets almost no CPU under contention and the scheduler overpacks nodes.
//!
//! *Fix:* Set `resources.requests.cpu`.
//!
//! *Severity:* note.
//!
//! *Maps to:* NSA/CISA hardening guide: Resource policies; kube-linter `unset-cpu-requirements`; checkov `CKV_K8S_10`; Polaris `cpuRequestsMissing`; kube-score `container-resources`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "RES-003",
    name: "cpu-request-missing",
    severity: Severity::Note,
    category: Category::Resources,
    default_enabled: true,
    summary: "A container has no CPU request.",
    hint: "Set `resources.requests.cpu`.",
    refs: Refs {
        nsa: "Resource policies",
        kube_linter: &["unset-cpu-requirements"],
        checkov: &["CKV_K8S_10"],
        polaris: &["cpuRequestsMissing"],
        kube_score: &["container-resources"],
        ..Refs::NONE
    },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    missing_resource(obj, out, "requests", "cpu", "cpu request");
}
