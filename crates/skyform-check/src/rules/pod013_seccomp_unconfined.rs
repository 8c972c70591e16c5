//! **POD-013 `seccomp-unconfined`**: A seccomp profile of type `Unconfined` is set at pod or container level.
//!
//! *Why:* Unconfined seccomp lets the container call every syscall, including ones used in kernel exploits.
//!
//! *Fix:* Use `seccompProfile: {type: RuntimeDefault}` (or a `Localhost` profile).
//!
//! *Severity:* warning.
//!
//! *Maps to:* Pod Security Standards baseline; CIS Kubernetes Benchmark v1.10 5.7.2; NSA/CISA hardening guide: Kubernetes Pod security (Trivy NSA 1.10); Polaris `linuxHardening`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "POD-013",
    name: "seccomp-unconfined",
    severity: Severity::Warning,
    category: Category::PodSecurityBaseline,
    default_enabled: true,
    summary: "A seccomp profile of type `Unconfined` is set at pod or container level.",
    hint: "Use `seccompProfile: {type: RuntimeDefault}` (or a `Localhost` profile).",
    refs: Refs {
        pss: "baseline",
        cis: "5.7.2",
        nsa: "Kubernetes Pod security (Trivy NSA 1.10)",
        polaris: &["linuxHardening"],
        ..Refs::NONE
    },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    let Some(pod) = obj.pod() else { return };
    let unconfined = |sc: Option<&Node>| {
        let p = sc?.get("seccompProfile")?;
        (text(Some(p), "type") == Some("Unconfined")).then(|| key_span(p, "type"))
    };
    if let Some(span) = unconfined(pod.security_context()) {
        out.at(span, "pod sets seccomp profile `Unconfined`");
    }
    for c in pod.containers() {
        if let Some(span) = unconfined(c.security_context()) {
            out.at(span, format!("{} sets seccomp profile `Unconfined`", c.label()));
        }
    }
}
