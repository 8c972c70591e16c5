//! **POD-003 `host-ipc`**: The pod sets `hostIPC: true` and shares the host's IPC namespace.
//!
//! *Why:* Sharing the host's IPC namespace lets the pod see and interfere with everything else on the node.
//!
//! *Fix:* Remove `hostIPC: true` (it defaults to false).
//!
//! *Severity:* error.
//!
//! *Maps to:* Pod Security Standards baseline; CIS Kubernetes Benchmark v1.10 5.2.4; NSA/CISA hardening guide: Kubernetes Pod security; kube-linter `host-ipc`; checkov `CKV_K8S_18`; Polaris `hostIPCSet`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "POD-003",
    name: "host-ipc",
    severity: Severity::Error,
    category: Category::PodSecurityBaseline,
    default_enabled: true,
    summary: "The pod sets `hostIPC: true` and shares the host's IPC namespace.",
    hint: "Remove `hostIPC: true` (it defaults to false).",
    refs: Refs {
        pss: "baseline",
        cis: "5.2.4",
        nsa: "Kubernetes Pod security",
        kube_linter: &["host-ipc"],
        checkov: &["CKV_K8S_18"],
        polaris: &["hostIPCSet"],
        ..Refs::NONE
    },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    if let Some(pod) = obj.pod()
        && flag(Some(pod.spec), "hostIPC") == Some(true)
    {
        out.at(key_span(pod.spec, "hostIPC"), "pod shares the host's IPC namespace (`hostIPC: true`)");
    }
}
