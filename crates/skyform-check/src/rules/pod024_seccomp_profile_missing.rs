//! **POD-024 `seccomp-profile-missing`**: A container has no effective seccomp profile of type `RuntimeDefault` or `Localhost`.
//!
//! *Why:* Without a seccomp profile the container can call every syscall the kernel offers.
//!
//! *Fix:* Set `securityContext.seccompProfile.type: RuntimeDefault` at pod level (containers inherit it).
//!
//! *Severity:* warning.
//!
//! *Maps to:* Pod Security Standards restricted; CIS Kubernetes Benchmark v1.10 5.7.2; NSA/CISA hardening guide: Kubernetes Pod security (Trivy NSA 1.10); checkov `CKV_K8S_31`; Polaris `linuxHardening`; kube-score `container-seccomp-profile`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "POD-024",
    name: "seccomp-profile-missing",
    severity: Severity::Warning,
    category: Category::PodSecurityRestricted,
    default_enabled: true,
    summary: "A container has no effective seccomp profile of type `RuntimeDefault` or `Localhost`.",
    hint: "Set `securityContext.seccompProfile.type: RuntimeDefault` at pod level (containers inherit it).",
    refs: Refs {
        pss: "restricted",
        cis: "5.7.2",
        nsa: "Kubernetes Pod security (Trivy NSA 1.10)",
        checkov: &["CKV_K8S_31"],
        polaris: &["linuxHardening"],
        kube_score: &["container-seccomp-profile"],
        ..Refs::NONE
    },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    let Some(pod) = obj.pod() else { return };
    if pod.is_windows() {
        return;
    }
    let mut pod_reported = false;
    for c in pod.containers() {
        let eff = Effective::new(&pod, &c);
        match eff.field("seccompProfile") {
            None => {
                out.at(c.span(), format!("{} has no seccomp profile (neither it nor the pod sets one)", c.label()));
            }
            Some(r) => {
                let t = text(Some(r.node), "type").unwrap_or("");
                if matches!(t, "RuntimeDefault" | "Localhost") {
                    continue;
                }
                let span = key_span(r.node, "type");
                if r.level == Level::Pod {
                    if !pod_reported {
                        pod_reported = true;
                        out.at(span, format!("pod seccomp profile type `{t}` is not RuntimeDefault or Localhost"));
                    }
                } else {
                    out.at(
                        span,
                        format!("{} seccomp profile type `{t}` is not RuntimeDefault or Localhost", c.label()),
                    );
                }
            }
        }
    }
}
