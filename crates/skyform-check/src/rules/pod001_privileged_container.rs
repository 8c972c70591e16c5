//! **POD-001 `privileged-container`**: A container runs with `securityContext.privileged: true`.
//!
//! *Why:* A privileged container has every capability and all host devices; escaping to the node is trivial.
//!
//! *Fix:* Remove `privileged: true`; grant only the specific capabilities the process needs.
//!
//! *Severity:* error.
//!
//! *Maps to:* Pod Security Standards baseline; CIS Kubernetes Benchmark v1.10 5.2.2; NSA/CISA hardening guide: Kubernetes Pod security (Trivy NSA 1.2); kube-linter `privileged-container`; checkov `CKV_K8S_16`; Polaris `runAsPrivileged`; kube-score `container-security-context-privileged`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "POD-001",
    name: "privileged-container",
    severity: Severity::Error,
    category: Category::PodSecurityBaseline,
    default_enabled: true,
    summary: "A container runs with `securityContext.privileged: true`.",
    hint: "Remove `privileged: true`; grant only the specific capabilities the process needs.",
    refs: Refs {
        pss: "baseline",
        cis: "5.2.2",
        nsa: "Kubernetes Pod security (Trivy NSA 1.2)",
        kube_linter: &["privileged-container"],
        checkov: &["CKV_K8S_16"],
        polaris: &["runAsPrivileged"],
        kube_score: &["container-security-context-privileged"],
    },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    each_container(obj, |_, c, eff| {
        if let Some(r) = eff.container_only("privileged")
            && r.node.as_bool() == Some(true)
        {
            out.at(r.span, format!("{} runs privileged", c.label()));
        }
    });
}
