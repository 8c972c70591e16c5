//! **NET-008 `no-default-deny-egress`**: A workload's pods are not selected by a default-deny egress NetworkPolicy in their namespace.
//!
//! *Why:* Unrestricted egress lets a compromised pod reach the cloud metadata API, other namespaces and the internet.
//!
//! *Fix:* Add a NetworkPolicy with `podSelector: {}`, `policyTypes: [Egress]` and no egress rules, then allow DNS and the edges you need.
//!
//! *Severity:* note.
//!
//! *Maps to:* NSA/CISA hardening guide: Network policies.

#[allow(unused_imports)]
use super::prelude::*;
use super::util::denies_all;

pub const RULE: Rule = Rule {
    id: "NET-008",
    name: "no-default-deny-egress",
    severity: Severity::Note,
    category: Category::Network,
    default_enabled: true,
    summary: "A workload's pods are not selected by a default-deny egress NetworkPolicy in their namespace.",
    hint: "Add a NetworkPolicy with `podSelector: {}`, `policyTypes: [Egress]` and no egress rules, then allow DNS and the edges you need.",
    refs: Refs { nsa: "Network policies", ..Refs::NONE },
    check,
};

fn check(cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    let Some(pod) = obj.pod() else { return };
    let policies = cx.index.policy_selectors.candidates(obj.ns(), pod.labels());
    if policies.iter().any(|&i| denies_all(&cx.index.objects[i], obj, "Egress")) {
        return;
    }
    out.at(pod.span(), format!("no default-deny egress policy in namespace `{}` selects these pods", obj.ns()));
}
