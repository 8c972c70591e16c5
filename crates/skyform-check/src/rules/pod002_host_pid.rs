//! **POD-002 `host-pid`**: The pod sets `hostPID: true` and shares the host's process namespace.
//!
//! *Why:* Sharing the host's process namespace lets the pod see and interfere with everything else on the node.
//!
//! *Fix:* Remove `hostPID: true` (it defaults to false).
//!
//! *Severity:* error.
//!
//! *Maps to:* Pod Security Standards baseline; CIS Kubernetes Benchmark v1.10 5.2.3; NSA/CISA hardening guide: Kubernetes Pod security; kube-linter `host-pid`; checkov `CKV_K8S_17`; Polaris `hostPIDSet`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "POD-002",
    name: "host-pid",
    severity: Severity::Error,
    category: Category::PodSecurityBaseline,
    default_enabled: true,
    summary: "The pod sets `hostPID: true` and shares the host's process namespace.",
    hint: "Remove `hostPID: true` (it defaults to false).",
    refs: Refs {
        pss: "baseline",
        cis: "5.2.3",
        nsa: "Kubernetes Pod security",
        kube_linter: &["host-pid"],
        checkov: &["CKV_K8S_17"],
        polaris: &["hostPIDSet"],
        ..Refs::NONE
    },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    if let Some(pod) = obj.pod()
        && flag(Some(pod.spec), "hostPID") == Some(true)
    {
        out.at(key_span(pod.spec, "hostPID"), "pod shares the host's process namespace (`hostPID: true`)");
    }
}
