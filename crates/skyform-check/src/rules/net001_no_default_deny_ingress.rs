//! **NET-001 `no-default-deny-ingress`**: A workload's pods are not selected by a default-deny ingress NetworkPolicy (a policy with no ingress rules) in their namespace.
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
use super::util::{denies_all, policy_selects, policy_types};

pub const RULE: Rule = Rule {
    id: "NET-001",
    name: "no-default-deny-ingress",
    severity: Severity::Warning,
    category: Category::Network,
    default_enabled: true,
    summary: "A workload's pods are not selected by a default-deny ingress NetworkPolicy (a policy with no ingress rules) in their namespace.",
    hint: "Add a NetworkPolicy with `podSelector: {}`, `policyTypes: [Ingress]` and no ingress rules, then allow the edges you need.",
    refs: Refs {
        cis: "5.3.2",
        nsa: "Network policies (Trivy NSA 2.0)",
        kube_linter: &["non-isolated-pod"],
        checkov: &["CKV2_K8S_6"],
        polaris: &["missingNetworkPolicy"],
        kube_score: &["pod-networkpolicy"],
        ..Refs::NONE
    },
    check,
};

fn check(cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    let Some(pod) = obj.pod() else { return };
    // Only the policies whose selector may pick these pods (both tests below require it).
    let candidates = cx.index.policy_selectors.candidates(obj.ns(), pod.labels());
    let nps: Vec<&Object> = candidates.iter().map(|&i| &cx.index.objects[i]).collect();
    if nps.iter().any(|np| denies_all(np, obj, "Ingress")) {
        return;
    }
    let selected = nps
        .iter()
        .any(|np| policy_selects(np, obj) && policy_types(np.spec().unwrap_or(&np.node)).contains(&"Ingress"));
    let msg = if selected {
        format!(
            "pods are selected by an ingress allow policy but by no default-deny ingress policy in namespace `{}`",
            obj.ns()
        )
    } else {
        format!(
            "no NetworkPolicy isolates these pods: namespace `{}` has no default-deny ingress policy selecting them",
            obj.ns()
        )
    };
    out.at(pod.span(), msg);
}
