//! **POD-004 `host-network`**: The pod sets `hostNetwork: true` and shares the host's network namespace.
//!
//! *Why:* Sharing the host's network namespace lets the pod see and interfere with everything else on the node.
//!
//! *Fix:* Remove `hostNetwork: true` (it defaults to false).
//!
//! *Severity:* error.
//!
//! *Maps to:* Pod Security Standards baseline; CIS Kubernetes Benchmark v1.10 5.2.5; NSA/CISA hardening guide: Kubernetes Pod security; kube-linter `host-network`; checkov `CKV_K8S_19`; Polaris `hostNetworkSet`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "POD-004",
    name: "host-network",
    severity: Severity::Error,
    category: Category::PodSecurityBaseline,
    default_enabled: true,
    summary: "The pod sets `hostNetwork: true` and shares the host's network namespace.",
    hint: "Remove `hostNetwork: true` (it defaults to false).",
    refs: Refs {
        pss: "baseline",
        cis: "5.2.5",
        nsa: "Kubernetes Pod security",
        kube_linter: &["host-network"],
        checkov: &["CKV_K8S_19"],
        polaris: &["hostNetworkSet"],
        ..Refs::NONE
    },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    if let Some(pod) = obj.pod()
        && flag(Some(pod.spec), "hostNetwork") == Some(true)
    {
        out.at(key_span(pod.spec, "hostNetwork"), "pod shares the host's network namespace (`hostNetwork: true`)");
    }
}
