//! **RES-004 `cpu-limit-missing`**: A container has no CPU limit.
//!
//! *Why:* Some teams cap CPU to keep noisy neighbours in check (others deliberately avoid limits to prevent throttling).
//!
//! *Fix:* Set `resources.limits.cpu`, or keep this rule disabled if you rely on requests only.
//!
//! *Severity:* note (off by default; enable with `--enable RES-004`).
//!
//! *Maps to:* NSA/CISA hardening guide: Resource policies; checkov `CKV_K8S_11`; Polaris `cpuLimitsMissing`; kube-score `container-resources`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "RES-004",
    name: "cpu-limit-missing",
    severity: Severity::Note,
    category: Category::Resources,
    default_enabled: false,
    summary: "A container has no CPU limit.",
    hint: "Set `resources.limits.cpu`, or keep this rule disabled if you rely on requests only.",
    refs: Refs {
        nsa: "Resource policies",
        checkov: &["CKV_K8S_11"],
        polaris: &["cpuLimitsMissing"],
        kube_score: &["container-resources"],
        ..Refs::NONE
    },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    missing_resource(obj, out, "limits", "cpu", "cpu limit");
}
