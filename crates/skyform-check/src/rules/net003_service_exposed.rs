//! **NET-003 `service-exposed`**: A Service has type `LoadBalancer` or `NodePort`.
//!
//! *Why:* These types open the workload outside the cluster, bypassing the Ingress, its TLS and its policies.
//!
//! *Fix:* Use `ClusterIP` behind an Ingress or Gateway; if a load balancer is intended, restrict `loadBalancerSourceRanges` and waive this rule.
//!
//! *Severity:* note.
//!
//! *Maps to:* NSA/CISA hardening guide: Network separation and hardening; kube-linter `exposed-services`; kube-score `service-type`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "NET-003",
    name: "service-exposed",
    severity: Severity::Note,
    category: Category::Network,
    default_enabled: true,
    summary: "A Service has type `LoadBalancer` or `NodePort`.",
    hint: "Use `ClusterIP` behind an Ingress or Gateway; if a load balancer is intended, restrict `loadBalancerSourceRanges` and waive this rule.",
    refs: Refs {
        nsa: "Network separation and hardening",
        kube_linter: &["exposed-services"],
        kube_score: &["service-type"],
        ..Refs::NONE
    },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    if obj.kind != "Service" {
        return;
    }
    let Some(t) = obj.spec().and_then(|s| s.get("type")) else { return };
    if let Some(v @ ("LoadBalancer" | "NodePort")) = t.as_str() {
        out.at(t.span, format!("Service of type `{v}` is reachable from outside the cluster"));
    }
}
