//! **RES-005 `ephemeral-storage-limit-missing`**: A container has no ephemeral-storage limit.
//!
//! *Why:* A container writing logs or scratch files without a limit can fill the node's disk and evict everything on it.
//!
//! *Fix:* Set `resources.limits.ephemeral-storage`.
//!
//! *Severity:* note (off by default; enable with `--enable RES-005`).
//!
//! *Maps to:* NSA/CISA hardening guide: Resource policies; kube-score `container-ephemeral-storage-request-and-limit`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "RES-005",
    name: "ephemeral-storage-limit-missing",
    severity: Severity::Note,
    category: Category::Resources,
    default_enabled: false,
    summary: "A container has no ephemeral-storage limit.",
    hint: "Set `resources.limits.ephemeral-storage`.",
    refs: Refs {
        nsa: "Resource policies",
        kube_score: &["container-ephemeral-storage-request-and-limit"],
        ..Refs::NONE
    },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    missing_resource(obj, out, "limits", "ephemeral-storage", "ephemeral-storage limit");
}
