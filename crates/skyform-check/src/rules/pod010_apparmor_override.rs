//! **POD-010 `apparmor-override`**: An AppArmor profile other than `RuntimeDefault`/`Localhost` is set (field or legacy annotation).
//!
//! *Why:* Setting AppArmor to `Unconfined` removes a kernel-enforced sandbox around the container.
//!
//! *Fix:* Remove the override or use `appArmorProfile: {type: RuntimeDefault}`.
//!
//! *Severity:* warning.
//!
//! *Maps to:* Pod Security Standards baseline; NSA/CISA hardening guide: Kubernetes Pod security (Trivy NSA 1.9); Polaris `linuxHardening`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "POD-010",
    name: "apparmor-override",
    severity: Severity::Warning,
    category: Category::PodSecurityBaseline,
    default_enabled: true,
    summary: "An AppArmor profile other than `RuntimeDefault`/`Localhost` is set (field or legacy annotation).",
    hint: "Remove the override or use `appArmorProfile: {type: RuntimeDefault}`.",
    refs: Refs {
        pss: "baseline",
        nsa: "Kubernetes Pod security (Trivy NSA 1.9)",
        polaris: &["linuxHardening"],
        ..Refs::NONE
    },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    let Some(pod) = obj.pod() else { return };
    let bad = |sc: Option<&Node>| {
        let p = sc?.get("appArmorProfile")?;
        let t = p.get("type")?.as_str()?;
        (!matches!(t, "RuntimeDefault" | "Localhost")).then(|| (t.to_string(), key_span(p, "type")))
    };
    if let Some((t, span)) = bad(pod.security_context()) {
        out.at(span, format!("pod sets AppArmor profile `{t}`"));
    }
    for c in pod.containers() {
        if let Some((t, span)) = bad(c.security_context()) {
            out.at(span, format!("{} sets AppArmor profile `{t}`", c.label()));
        }
    }
    for e in pod.annotations().and_then(Node::as_map).unwrap_or(&[]) {
        if let Some(ctr) = e.key.strip_prefix("container.apparmor.security.beta.kubernetes.io/") {
            let v = e.value.as_str().unwrap_or("");
            if !(v == "runtime/default" || v.starts_with("localhost/")) {
                out.at(e.key_span, format!("annotation sets AppArmor profile `{v}` for container `{ctr}`"));
            }
        }
    }
}
