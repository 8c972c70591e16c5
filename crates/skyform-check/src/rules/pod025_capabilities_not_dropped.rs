//! **POD-025 `capabilities-not-dropped`**: A container does not drop `ALL` capabilities, or adds one other than `NET_BIND_SERVICE`.
//!
//! *Why:* Default capabilities such as NET_RAW allow spoofing and other attacks; restricted pods start from none.
//!
//! *Fix:* Set `securityContext.capabilities.drop: [ALL]` and add back only `NET_BIND_SERVICE` if needed.
//!
//! *Severity:* warning.
//!
//! *Maps to:* Pod Security Standards restricted; CIS Kubernetes Benchmark v1.10 5.2.8, 5.2.10; NSA/CISA hardening guide: Kubernetes Pod security; kube-linter `drop-net-raw-capability`; checkov `CKV_K8S_37`, `CKV_K8S_28`; Polaris `insecureCapabilities`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "POD-025",
    name: "capabilities-not-dropped",
    severity: Severity::Warning,
    category: Category::PodSecurityRestricted,
    default_enabled: true,
    summary: "A container does not drop `ALL` capabilities, or adds one other than `NET_BIND_SERVICE`.",
    hint: "Set `securityContext.capabilities.drop: [ALL]` and add back only `NET_BIND_SERVICE` if needed.",
    refs: Refs {
        pss: "restricted",
        cis: "5.2.8, 5.2.10",
        nsa: "Kubernetes Pod security",
        kube_linter: &["drop-net-raw-capability"],
        checkov: &["CKV_K8S_37", "CKV_K8S_28"],
        polaris: &["insecureCapabilities"],
        ..Refs::NONE
    },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    if obj.pod().is_some_and(|p| p.is_windows()) {
        return;
    }
    each_container(obj, |_, c, eff| {
        let (add, drop, caps_span) = eff.capabilities();
        if !drop.iter().any(|d| d == "ALL") {
            out.at(caps_span.unwrap_or(c.span()), format!("{} does not drop ALL capabilities", c.label()));
        }
        for (cap, span) in add {
            let bare = cap.strip_prefix("CAP_").unwrap_or(&cap);
            if bare != "NET_BIND_SERVICE" {
                out.at(
                    span,
                    format!("{} adds capability `{cap}` (restricted allows only NET_BIND_SERVICE)", c.label()),
                );
            }
        }
    });
}
