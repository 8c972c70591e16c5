//! **POD-022 `run-as-non-root`**: A container's effective `runAsNonRoot` is not `true`.
//!
//! *Why:* Unless the kubelet is told to refuse root, an image whose USER is root (or unset) runs as root.
//!
//! *Fix:* Set `securityContext.runAsNonRoot: true` at pod level (containers inherit it) and make the image run as a non-zero UID.
//!
//! *Severity:* warning.
//!
//! *Maps to:* Pod Security Standards restricted; CIS Kubernetes Benchmark v1.10 5.2.7; NSA/CISA hardening guide: Non-root containers (Trivy NSA 1.0); kube-linter `run-as-non-root`; checkov `CKV_K8S_23`; Polaris `runAsRootAllowed`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "POD-022",
    name: "run-as-non-root",
    severity: Severity::Warning,
    category: Category::PodSecurityRestricted,
    default_enabled: true,
    summary: "A container's effective `runAsNonRoot` is not `true`.",
    hint: "Set `securityContext.runAsNonRoot: true` at pod level (containers inherit it) and make the image run as a non-zero UID.",
    refs: Refs {
        pss: "restricted",
        cis: "5.2.7",
        nsa: "Non-root containers (Trivy NSA 1.0)",
        kube_linter: &["run-as-non-root"],
        checkov: &["CKV_K8S_23"],
        polaris: &["runAsRootAllowed"],
        ..Refs::NONE
    },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    let Some(pod) = obj.pod() else { return };
    let mut from_pod_reported = false;
    for c in pod.containers() {
        let eff = Effective::new(&pod, &c);
        match eff.field("runAsNonRoot") {
            Some(r) if r.node.as_bool() == Some(true) => {}
            Some(r) if r.level == Level::Pod => {
                if !from_pod_reported {
                    from_pod_reported = true;
                    out.at(r.span, "pod sets `runAsNonRoot` to something other than true and containers inherit it");
                }
            }
            Some(r) => {
                out.at(r.span, format!("{} sets `runAsNonRoot` to something other than true", c.label()));
            }
            None => {
                out.at(
                    c.span(),
                    format!("{} may run as root: `runAsNonRoot: true` is set neither on it nor on the pod", c.label()),
                );
            }
        }
    }
}
