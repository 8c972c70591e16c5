//! **POD-023 `run-as-user-zero`**: `runAsUser: 0` is set at pod or container level.
//!
//! *Why:* UID 0 is root; PSS restricted forbids it at either level, even when every container overrides a pod-level 0.
//!
//! *Fix:* Set `runAsUser` to a non-zero UID (or leave it unset and use `runAsNonRoot: true`).
//!
//! *Severity:* warning.
//!
//! *Maps to:* Pod Security Standards restricted; CIS Kubernetes Benchmark v1.10 5.2.7; NSA/CISA hardening guide: Non-root containers; kube-linter `run-as-non-root`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "POD-023",
    name: "run-as-user-zero",
    severity: Severity::Warning,
    category: Category::PodSecurityRestricted,
    default_enabled: true,
    summary: "`runAsUser: 0` is set at pod or container level.",
    hint: "Set `runAsUser` to a non-zero UID (or leave it unset and use `runAsNonRoot: true`).",
    refs: Refs {
        pss: "restricted",
        cis: "5.2.7",
        nsa: "Non-root containers",
        kube_linter: &["run-as-non-root"],
        ..Refs::NONE
    },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    let Some(pod) = obj.pod() else { return };
    if let Some(sc) = pod.security_context()
        && sc.get("runAsUser").and_then(Node::as_i64) == Some(0)
    {
        out.at(key_span(sc, "runAsUser"), "pod sets `runAsUser: 0` (root)");
    }
    for c in pod.containers() {
        if let Some(sc) = c.security_context()
            && sc.get("runAsUser").and_then(Node::as_i64) == Some(0)
        {
            out.at(key_span(sc, "runAsUser"), format!("{} sets `runAsUser: 0` (root)", c.label()));
        }
    }
}
