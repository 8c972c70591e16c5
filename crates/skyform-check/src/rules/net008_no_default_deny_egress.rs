//! **NET-008 `no-default-deny-egress`**: A workload's namespace has no default-deny egress NetworkPolicy.
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
use super::util::is_default_deny;


pub const RULE: Rule = Rule {
    id: "NET-008",
    name: "no-default-deny-egress",
    severity: Severity::Note,
    category: Category::Network,
    default_enabled: true,
    summary: "A workload's namespace has no default-deny egress NetworkPolicy.",
    hint: "Add a NetworkPolicy with `podSelector: {}`, `policyTypes: [Egress]` and no egress rules, then allow DNS and the edges you need.",
    refs: Refs {
        pss: "",
        cis: "",
        nsa: "Network policies",
        kube_linter: &[],
        checkov: &[],
        polaris: &[],
        kube_score: &[],
    },
    check,
};

fn check(cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    let Some(pod) = obj.pod() else { return };
    let policies = cx.index.network_policies.get(obj.ns()).map(Vec::as_slice).unwrap_or(&[]);
    if policies.iter().any(|&i| is_default_deny(&cx.index.objects[i], "Egress")) {
        return;
    }
    out.at(pod.span(), format!("namespace `{}` has no default-deny egress policy", obj.ns()));
}
