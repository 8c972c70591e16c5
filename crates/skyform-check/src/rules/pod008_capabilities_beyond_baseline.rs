//! **POD-008 `capabilities-beyond-baseline`**: A container adds Linux capabilities outside the Pod Security Standards baseline set.
//!
//! *Why:* Capabilities such as `SYS_ADMIN`, `NET_ADMIN` or `ALL` are close to root on the node.
//!
//! *Fix:* Remove the capability from `capabilities.add`; the baseline allows only AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID and SYS_CHROOT.
//!
//! *Severity:* error.
//!
//! *Maps to:* Pod Security Standards baseline; CIS Kubernetes Benchmark v1.10 5.2.9; NSA/CISA hardening guide: Kubernetes Pod security; kube-linter `privilege-escalation-container`; checkov `CKV_K8S_25`, `CKV_K8S_39`; Polaris `dangerousCapabilities`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "POD-008",
    name: "capabilities-beyond-baseline",
    severity: Severity::Error,
    category: Category::PodSecurityBaseline,
    default_enabled: true,
    summary: "A container adds Linux capabilities outside the Pod Security Standards baseline set.",
    hint: "Remove the capability from `capabilities.add`; the baseline allows only AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID and SYS_CHROOT.",
    refs: Refs {
        pss: "baseline",
        cis: "5.2.9",
        nsa: "Kubernetes Pod security",
        kube_linter: &["privilege-escalation-container"],
        checkov: &["CKV_K8S_25", "CKV_K8S_39"],
        polaris: &["dangerousCapabilities"],
        ..Refs::NONE
    },
    check,
};

/// The capabilities PSS baseline allows in `capabilities.add`.
pub const BASELINE_CAPS: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    each_container(obj, |_, c, eff| {
        let (add, _, _) = eff.capabilities();
        for (cap, span) in add {
            let bare = cap.strip_prefix("CAP_").unwrap_or(&cap);
            if !BASELINE_CAPS.contains(&bare) {
                out.at(span, format!("{} adds capability `{cap}`", c.label()));
            }
        }
    });
}
