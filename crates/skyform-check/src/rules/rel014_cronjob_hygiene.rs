//! **REL-014 `cronjob-hygiene`**: A CronJob lacks `startingDeadlineSeconds` or `concurrencyPolicy`, or its pods use `restartPolicy: Always`.
//!
//! *Why:* Without a deadline a controller outage makes missed runs pile up; `Always` is rejected for Job pods.
//!
//! *Fix:* Set `startingDeadlineSeconds`, an explicit `concurrencyPolicy` (usually `Forbid`), and `restartPolicy: OnFailure` or `Never`.
//!
//! *Severity:* note.
//!
//! *Maps to:* kube-linter `restart-policy`; kube-score `cronjob-has-deadline`, `cronjob-restartpolicy`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "REL-014",
    name: "cronjob-hygiene",
    severity: Severity::Note,
    category: Category::Reliability,
    default_enabled: true,
    summary: "A CronJob lacks `startingDeadlineSeconds` or `concurrencyPolicy`, or its pods use `restartPolicy: Always`.",
    hint: "Set `startingDeadlineSeconds`, an explicit `concurrencyPolicy` (usually `Forbid`), and `restartPolicy: OnFailure` or `Never`.",
    refs: Refs {
        kube_linter: &["restart-policy"],
        kube_score: &["cronjob-has-deadline", "cronjob-restartpolicy"],
        ..Refs::NONE
    },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    if obj.kind != "CronJob" {
        return;
    }
    let Some(spec) = obj.spec() else { return };
    let at = key_span(&obj.node, "spec");
    if spec.get("startingDeadlineSeconds").is_none() {
        out.at(at, "CronJob has no `startingDeadlineSeconds`");
    }
    if spec.get("concurrencyPolicy").is_none() {
        out.at(at, "CronJob has no explicit `concurrencyPolicy`");
    }
    if let Some(pod) = obj.pod()
        && let Some(rp) = pod.get("restartPolicy")
        && rp.as_str() == Some("Always")
    {
        out.at(rp.span, "Job pods cannot use `restartPolicy: Always`").severity(Severity::Error);
    }
}
