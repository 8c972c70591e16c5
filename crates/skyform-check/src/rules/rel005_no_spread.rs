//! **REL-005 `no-spread`**: A replicated production workload has neither topology spread constraints nor pod anti-affinity.
//!
//! *Why:* Without spreading all replicas can land on one node or zone and fail together.
//!
//! *Fix:* Add `topologySpreadConstraints` over `kubernetes.io/hostname` (and `topology.kubernetes.io/zone`), or a preferred pod anti-affinity.
//!
//! *Severity:* note.
//!
//! *Maps to:* kube-linter `no-anti-affinity`; Polaris `topologySpreadConstraint`; kube-score `deployment-has-host-podantiaffinity`, `statefulset-has-host-podantiaffinity`, `pod-topology-spread-constraints`.

#[allow(unused_imports)]
use super::prelude::*;
use super::util::hpa_for;

pub const RULE: Rule = Rule {
    id: "REL-005",
    name: "no-spread",
    severity: Severity::Note,
    category: Category::Reliability,
    default_enabled: true,
    summary: "A replicated production workload has neither topology spread constraints nor pod anti-affinity.",
    hint: "Add `topologySpreadConstraints` over `kubernetes.io/hostname` (and `topology.kubernetes.io/zone`), or a preferred pod anti-affinity.",
    refs: Refs {
        pss: "",
        cis: "",
        nsa: "",
        kube_linter: &["no-anti-affinity"],
        checkov: &[],
        polaris: &["topologySpreadConstraint"],
        kube_score: &[
            "deployment-has-host-podantiaffinity",
            "statefulset-has-host-podantiaffinity",
            "pod-topology-spread-constraints",
        ],
    },
    check,
};

fn check(cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    if !matches!(obj.kind.as_str(), "Deployment" | "StatefulSet") || !cx.production(obj) {
        return;
    }
    let Some((replicas, _)) = obj.replicas() else { return };
    let hpa_min = hpa_for(cx.index, obj).and_then(|h| h.spec()?.get("maxReplicas")?.as_i64());
    if replicas.max(hpa_min.unwrap_or(0)) < 2 {
        return;
    }
    let Some(pod) = obj.pod() else { return };
    let spread = pod.get("topologySpreadConstraints").and_then(Node::as_seq).is_some_and(|s| !s.is_empty());
    let anti = pod.get("affinity").and_then(|a| a.get("podAntiAffinity")).is_some();
    if !spread && !anti {
        out.at(pod.span(), format!("replicas of {} `{}` may all land on one node", obj.kind, obj.name));
    }
}
