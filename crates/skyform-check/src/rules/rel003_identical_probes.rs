//! **REL-003 `identical-probes`**: A container's liveness and readiness probes are identical.
//!
//! *Why:* When the app is merely busy both fail together, so the kubelet restarts pods that only needed to shed load, cascading the outage.
//!
//! *Fix:* Make liveness cheaper and more tolerant (longer period, higher failureThreshold) or point it at a different endpoint.
//!
//! *Severity:* note.
//!
//! *Maps to:* kube-score `pod-probes-identical`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "REL-003",
    name: "identical-probes",
    severity: Severity::Note,
    category: Category::Reliability,
    default_enabled: true,
    summary: "A container's liveness and readiness probes are identical.",
    hint: "Make liveness cheaper and more tolerant (longer period, higher failureThreshold) or point it at a different endpoint.",
    refs: Refs { kube_score: &["pod-probes-identical"], ..Refs::NONE },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    let Some(pod) = obj.pod() else { return };
    for c in pod.main_containers() {
        if let (Some(l), Some(r)) = (c.get("livenessProbe"), c.get("readinessProbe"))
            && l.to_json() == r.to_json()
        {
            out.at(
                key_span(c.node, "livenessProbe"),
                format!("{} uses the same probe for liveness and readiness", c.label()),
            );
        }
    }
}
