//! **POD-011 `selinux-custom-options`**: `seLinuxOptions` sets a custom type, user or role.
//!
//! *Why:* Custom SELinux types, users or roles can lift the container out of the confined `container_t` domain.
//!
//! *Fix:* Remove `seLinuxOptions.user`/`role`; use only `type` values container_t, container_init_t, container_kvm_t or container_engine_t.
//!
//! *Severity:* warning.
//!
//! *Maps to:* Pod Security Standards baseline; NSA/CISA hardening guide: Kubernetes Pod security (Trivy NSA 1.8).

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "POD-011",
    name: "selinux-custom-options",
    severity: Severity::Warning,
    category: Category::PodSecurityBaseline,
    default_enabled: true,
    summary: "`seLinuxOptions` sets a custom type, user or role.",
    hint: "Remove `seLinuxOptions.user`/`role`; use only `type` values container_t, container_init_t, container_kvm_t or container_engine_t.",
    refs: Refs { pss: "baseline", nsa: "Kubernetes Pod security (Trivy NSA 1.8)", ..Refs::NONE },
    check,
};

const ALLOWED_TYPES: &[&str] = &["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"];

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    let Some(pod) = obj.pod() else { return };
    let mut inspect = |sc: Option<&Node>, who: String| {
        let Some(se) = sc.and_then(|s| s.get("seLinuxOptions")) else { return };
        if let Some(t) = text(Some(se), "type")
            && !ALLOWED_TYPES.contains(&t)
        {
            out.at(key_span(se, "type"), format!("{who} sets SELinux type `{t}`"));
        }
        for k in ["user", "role"] {
            if let Some(v) = text(Some(se), k)
                && !v.is_empty()
            {
                out.at(key_span(se, k), format!("{who} sets SELinux {k} `{v}`"));
            }
        }
    };
    inspect(pod.security_context(), "pod".to_string());
    for c in pod.containers() {
        inspect(c.security_context(), c.label());
    }
}
