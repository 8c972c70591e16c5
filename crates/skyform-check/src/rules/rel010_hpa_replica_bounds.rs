//! **REL-010 `hpa-replica-bounds`**: An HPA has `minReplicas` equal to `maxReplicas`, or (in production) a minimum below 2.
//!
//! *Why:* Equal bounds make the autoscaler a no-op; a minimum of 1 makes every disruption an outage.
//!
//! *Fix:* Set `minReplicas: 2` or more and `maxReplicas` above it.
//!
//! *Severity:* note.
//!
//! *Maps to:* kube-linter `hpa-minimum-three-replicas`; Polaris `hpaMinAvailability`, `hpaMaxAvailability`; kube-score `horizontalpodautoscaler-replicas`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "REL-010",
    name: "hpa-replica-bounds",
    severity: Severity::Note,
    category: Category::Reliability,
    default_enabled: true,
    summary: "An HPA has `minReplicas` equal to `maxReplicas`, or (in production) a minimum below 2.",
    hint: "Set `minReplicas: 2` or more and `maxReplicas` above it.",
    refs: Refs {
        kube_linter: &["hpa-minimum-three-replicas"],
        polaris: &["hpaMinAvailability", "hpaMaxAvailability"],
        kube_score: &["horizontalpodautoscaler-replicas"],
        ..Refs::NONE
    },
    check,
};

fn check(cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    if obj.kind != "HorizontalPodAutoscaler" {
        return;
    }
    let Some(spec) = obj.spec() else { return };
    let min_node = spec.get("minReplicas");
    let min = min_node.and_then(Node::as_i64).unwrap_or(1);
    if let Some(max) = spec.get("maxReplicas")
        && max.as_i64() == Some(min)
    {
        out.at(max.span, format!("`maxReplicas` equals `minReplicas` ({min}): the autoscaler can never scale"));
    }
    if min < 2 && cx.production(obj) {
        out.at(
            min_node.map_or(key_span(&obj.node, "spec"), |n| n.span),
            format!("`minReplicas: {min}` allows a single replica in production"),
        );
    }
}
