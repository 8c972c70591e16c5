//! **POD-032 `low-uid-gid`**: The effective `runAsUser` or `runAsGroup` is unset or below 10000.
//!
//! *Why:* UIDs below 10000 may collide with host users if the container escapes; some teams require high IDs.
//!
//! *Fix:* Set `runAsUser` and `runAsGroup` to values of 10000 or more.
//!
//! *Severity:* note (off by default; enable with `--enable POD-032`).
//!
//! *Maps to:* checkov `CKV_K8S_40`; kube-score `container-security-context-user-group-id`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "POD-032",
    name: "low-uid-gid",
    severity: Severity::Note,
    category: Category::PodSecurity,
    default_enabled: false,
    summary: "The effective `runAsUser` or `runAsGroup` is unset or below 10000.",
    hint: "Set `runAsUser` and `runAsGroup` to values of 10000 or more.",
    refs: Refs { checkov: &["CKV_K8S_40"], kube_score: &["container-security-context-user-group-id"], ..Refs::NONE },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    each_container(obj, |_, c, eff| {
        for k in ["runAsUser", "runAsGroup"] {
            match eff.int(k) {
                Some((v, _)) if v >= 10000 => {}
                Some((v, span)) => {
                    out.at(span, format!("{} runs with {k} {v} (below 10000)", c.label()));
                }
                None => {
                    out.at(c.span(), format!("{} does not set {k}", c.label()));
                }
            }
        }
    });
}
