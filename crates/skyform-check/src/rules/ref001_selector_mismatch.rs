//! **REF-001 `selector-mismatch`**: A workload's `spec.selector` does not match its own pod template labels.
//!
//! *Why:* The API server rejects the object (apps/v1), or the controller never sees its own pods.
//!
//! *Fix:* Make `spec.selector.matchLabels` a subset of `spec.template.metadata.labels`.
//!
//! *Severity:* error.
//!
//! *Maps to:* kube-linter `mismatching-selector`; kube-score `deployment-pod-selector-labels-match-template-metadata-labels`, `statefulset-pod-selector-labels-match-template-metadata-labels`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "REF-001",
    name: "selector-mismatch",
    severity: Severity::Error,
    category: Category::Integrity,
    default_enabled: true,
    summary: "A workload's `spec.selector` does not match its own pod template labels.",
    hint: "Make `spec.selector.matchLabels` a subset of `spec.template.metadata.labels`.",
    refs: Refs {
        pss: "",
        cis: "",
        nsa: "",
        kube_linter: &["mismatching-selector"],
        checkov: &[],
        polaris: &[],
        kube_score: &[
            "deployment-pod-selector-labels-match-template-metadata-labels",
            "statefulset-pod-selector-labels-match-template-metadata-labels",
        ],
    },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    if !matches!(obj.kind.as_str(), "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet") {
        return;
    }
    let Some(sel) = obj.spec().and_then(|s| s.get("selector")) else {
        out.at(key_span(&obj.node, "spec"), format!("{} has no `spec.selector`", obj.kind));
        return;
    };
    let labels = obj.pod().and_then(|p| p.labels());
    if selector_is_empty(Some(sel)) || !label_selector_matches(sel, labels) {
        out.at(sel.span, "selector does not match the pod template's labels");
    }
}
