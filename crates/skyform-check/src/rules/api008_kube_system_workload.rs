//! **API-008 `kube-system-workload`**: A workload is deployed into `kube-system`.
//!
//! *Why:* kube-system holds highly privileged control-plane components; application workloads there inherit its exemptions.
//!
//! *Fix:* Deploy the workload into its own namespace.
//!
//! *Severity:* note.
//!
//! *Maps to:* NSA/CISA hardening guide: Namespaces (Trivy NSA 1.12).

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "API-008",
    name: "kube-system-workload",
    severity: Severity::Note,
    category: Category::Api,
    default_enabled: true,
    summary: "A workload is deployed into `kube-system`.",
    hint: "Deploy the workload into its own namespace.",
    refs: Refs { nsa: "Namespaces (Trivy NSA 1.12)", ..Refs::NONE },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    if obj.pod().is_some()
        && obj.namespace_written.as_deref() == Some("kube-system")
        && let Some(m) = obj.metadata()
    {
        out.at(
            m.get("namespace").map_or(m.span, |n| n.span),
            format!("{} `{}` runs in `kube-system`", obj.kind, obj.name),
        );
    }
}
