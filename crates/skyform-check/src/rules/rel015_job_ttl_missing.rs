//! **REL-015 `job-ttl-missing`**: A standalone Job does not set `ttlSecondsAfterFinished`.
//!
//! *Why:* Finished Jobs and their pods pile up forever, cluttering the namespace and etcd.
//!
//! *Fix:* Set `spec.ttlSecondsAfterFinished` (e.g. 86400).
//!
//! *Severity:* note.
//!
//! *Maps to:* kube-linter `job-ttl-seconds-after-finished`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "REL-015",
    name: "job-ttl-missing",
    severity: Severity::Note,
    category: Category::Reliability,
    default_enabled: true,
    summary: "A standalone Job does not set `ttlSecondsAfterFinished`.",
    hint: "Set `spec.ttlSecondsAfterFinished` (e.g. 86400).",
    refs: Refs { kube_linter: &["job-ttl-seconds-after-finished"], ..Refs::NONE },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    if obj.kind != "Job" {
        return;
    }
    if let Some(spec) = obj.spec()
        && spec.get("ttlSecondsAfterFinished").is_none()
    {
        out.at(key_span(&obj.node, "spec"), "Job has no `ttlSecondsAfterFinished`");
    }
}
