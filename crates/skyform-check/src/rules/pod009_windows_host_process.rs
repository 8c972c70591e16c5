//! **POD-009 `windows-host-process`**: A pod or container sets `windowsOptions.hostProcess: true`.
//!
//! *Why:* Windows HostProcess containers run directly on the host with administrator rights.
//!
//! *Fix:* Remove `windowsOptions.hostProcess` (or set it to false).
//!
//! *Severity:* error.
//!
//! *Maps to:* Pod Security Standards baseline; CIS Kubernetes Benchmark v1.10 5.2.11; NSA/CISA hardening guide: Kubernetes Pod security; Polaris `hostProcess`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "POD-009",
    name: "windows-host-process",
    severity: Severity::Error,
    category: Category::PodSecurityBaseline,
    default_enabled: true,
    summary: "A pod or container sets `windowsOptions.hostProcess: true`.",
    hint: "Remove `windowsOptions.hostProcess` (or set it to false).",
    refs: Refs {
        pss: "baseline",
        cis: "5.2.11",
        nsa: "Kubernetes Pod security",
        polaris: &["hostProcess"],
        ..Refs::NONE
    },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    let Some(pod) = obj.pod() else { return };
    let host = |sc: Option<&Node>| {
        let w = sc?.get("windowsOptions")?;
        (flag(Some(w), "hostProcess") == Some(true)).then(|| key_span(w, "hostProcess"))
    };
    if let Some(span) = host(pod.security_context()) {
        out.at(span, "pod runs as a Windows HostProcess");
    }
    for c in pod.containers() {
        if let Some(span) = host(c.security_context()) {
            out.at(span, format!("{} runs as a Windows HostProcess", c.label()));
        }
    }
}
