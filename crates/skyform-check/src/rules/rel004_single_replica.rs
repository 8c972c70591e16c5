//! **REL-004 `single-replica`**: A production Deployment or StatefulSet runs fewer than 2 replicas (including its HPA minimum).
//!
//! *Why:* One replica means every node drain, rollout or crash is an outage.
//!
//! *Fix:* Set `replicas: 2` or more (or an HPA with `minReplicas: 2`).
//!
//! *Severity:* warning.
//!
//! *Maps to:* kube-linter `minimum-three-replicas`; Polaris `deploymentMissingReplicas`; kube-score `deployment-replicas`.

#[allow(unused_imports)]
use super::prelude::*;
use super::util::hpa_for;

pub const RULE: Rule = Rule {
    id: "REL-004",
    name: "single-replica",
    severity: Severity::Warning,
    category: Category::Reliability,
    default_enabled: true,
    summary: "A production Deployment or StatefulSet runs fewer than 2 replicas (including its HPA minimum).",
    hint: "Set `replicas: 2` or more (or an HPA with `minReplicas: 2`).",
    refs: Refs {
        kube_linter: &["minimum-three-replicas"],
        polaris: &["deploymentMissingReplicas"],
        kube_score: &["deployment-replicas"],
        ..Refs::NONE
    },
    check,
};

fn check(cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    if !matches!(obj.kind.as_str(), "Deployment" | "StatefulSet") || !cx.production(obj) {
        return;
    }
    let Some((replicas, node)) = obj.replicas() else { return };
    if let Some(hpa) = hpa_for(cx.index, obj) {
        let min = hpa.spec().and_then(|s| s.get("minReplicas"));
        if min.and_then(Node::as_i64).unwrap_or(1) < 2 {
            out.at(
                min.map_or(key_span(&hpa.node, "spec"), |n| n.span),
                format!("HorizontalPodAutoscaler `{}` lets it scale down to 1 replica", hpa.name),
            );
        }
        return;
    }
    if replicas < 2 {
        let span = node.map_or(key_span(&obj.node, "spec"), |n| n.span);
        out.at(span, format!("{} `{}` runs {replicas} replica in production", obj.kind, obj.name));
    }
}
