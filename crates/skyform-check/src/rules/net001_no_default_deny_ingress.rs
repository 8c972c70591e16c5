//! **NET-001 `no-default-deny-ingress`**: A workload's pods are not covered by a default-deny ingress NetworkPolicy in their namespace.
//!
//! *Why:* Without a default deny every pod accepts traffic from every other pod in the cluster; one compromise spreads everywhere.
//!
//! *Fix:* Add a NetworkPolicy with `podSelector: {}`, `policyTypes: [Ingress]` and no ingress rules, then allow the edges you need.
//!
//! *Severity:* warning.
//!
//! *Maps to:* CIS Kubernetes Benchmark v1.10 5.3.2; NSA/CISA hardening guide: Network policies (Trivy NSA 2.0); kube-linter `non-isolated-pod`; checkov `CKV2_K8S_6`; Polaris `missingNetworkPolicy`; kube-score `pod-networkpolicy`.

#[allow(unused_imports)]
use super::prelude::*;
use super::util::{is_default_deny, policy_selects, policy_types};


pub const RULE: Rule = Rule {
    id: "NET-001",
    name: "no-default-deny-ingress",
    severity: Severity::Warning,
    category: Category::Network,
    default_enabled: true,
    summary: "A workload's pods are not covered by a default-deny ingress NetworkPolicy in their namespace.",
    hint: "Add a NetworkPolicy with `podSelector: {}`, `policyTypes: [Ingress]` and no ingress rules, then allow the edges you need.",
    refs: Refs {
        pss: "",
        cis: "5.3.2",
        nsa: "Network policies (Trivy NSA 2.0)",
        kube_linter: &["non-isolated-pod"],
        checkov: &["CKV2_K8S_6"],
        polaris: &["missingNetworkPolicy"],
        kube_score: &["pod-networkpolicy"],
    },
    check,
};

fn check(cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    let Some(pod) = obj.pod() else { return };
    let policies = cx.index.network_policies.get(obj.ns()).map(Vec::as_slice).unwrap_or(&[]);
    let nps: Vec<&Object> = policies.iter().map(|&i| &cx.index.objects[i]).collect();
    if nps.iter().any(|np| is_default_deny(np, "Ingress")) {
        return;
    }
    let selected = nps.iter().any(|np| policy_selects(np, obj) && policy_types(np.spec().unwrap_or(&np.node)).contains(&"Ingress"));
    let msg = if selected {
        format!("namespace `{}` has no default-deny ingress policy (some policy selects these pods, but anything not selected is open)", obj.ns())
    } else {
        format!("no NetworkPolicy isolates these pods: namespace `{}` has no default-deny ingress policy", obj.ns())
    };
    out.at(pod.span(), msg);
}
