//! **POD-021 `allow-privilege-escalation`**: A container does not set `allowPrivilegeEscalation: false`.
//!
//! *Why:* Without it, setuid binaries and file capabilities can raise the process's privileges (no_new_privs is off).
//!
//! *Fix:* Set `securityContext.allowPrivilegeEscalation: false` on every container.
//!
//! *Severity:* warning.
//!
//! *Maps to:* Pod Security Standards restricted; CIS Kubernetes Benchmark v1.10 5.2.6; NSA/CISA hardening guide: Kubernetes Pod security (Trivy NSA 1.7); kube-linter `privilege-escalation-container`; checkov `CKV_K8S_20`; Polaris `privilegeEscalationAllowed`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "POD-021",
    name: "allow-privilege-escalation",
    severity: Severity::Warning,
    category: Category::PodSecurityRestricted,
    default_enabled: true,
    summary: "A container does not set `allowPrivilegeEscalation: false`.",
    hint: "Set `securityContext.allowPrivilegeEscalation: false` on every container.",
    refs: Refs {
        pss: "restricted",
        cis: "5.2.6",
        nsa: "Kubernetes Pod security (Trivy NSA 1.7)",
        kube_linter: &["privilege-escalation-container"],
        checkov: &["CKV_K8S_20"],
        polaris: &["privilegeEscalationAllowed"],
        ..Refs::NONE
    },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    if obj.pod().is_some_and(|p| p.is_windows()) {
        return;
    }
    each_container(obj, |_, c, eff| match eff.container_only("allowPrivilegeEscalation") {
        Some(r) if r.node.as_bool() == Some(false) => {}
        Some(r) if r.node.as_bool() == Some(true) => {
            out.at(r.span, format!("{} explicitly allows privilege escalation", c.label())).severity(Severity::Error);
        }
        Some(r) => {
            out.at(r.span, format!("{} sets `allowPrivilegeEscalation` to a non-boolean", c.label()));
        }
        None => {
            out.at(c.span(), format!("{} does not set `allowPrivilegeEscalation: false`", c.label()));
        }
    });
}
