//! **API-006 `removed-api-version`**: The object uses an apiVersion that has been removed from Kubernetes.
//!
//! *Why:* The API server rejects it: the manifest cannot be applied on any supported cluster.
//!
//! *Fix:* Migrate to the replacement apiVersion named in the message (fields may have changed too).
//!
//! *Severity:* error.
//!
//! *Maps to:* NSA/CISA hardening guide: Upgrading and application security practices; kube-linter `no-extensions-v1beta`; kube-score `stable-version`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "API-006",
    name: "removed-api-version",
    severity: Severity::Error,
    category: Category::Api,
    default_enabled: true,
    summary: "The object uses an apiVersion that has been removed from Kubernetes.",
    hint: "Migrate to the replacement apiVersion named in the message (fields may have changed too).",
    refs: Refs {
        nsa: "Upgrading and application security practices",
        kube_linter: &["no-extensions-v1beta"],
        kube_score: &["stable-version"],
        ..Refs::NONE
    },
    check,
};

/// (apiVersion, kind or "*", removed in, replacement)
const REMOVED: &[(&str, &str, &str, &str)] = &[
    ("extensions/v1beta1", "Ingress", "1.22", "networking.k8s.io/v1"),
    ("extensions/v1beta1", "NetworkPolicy", "1.16", "networking.k8s.io/v1"),
    ("extensions/v1beta1", "PodSecurityPolicy", "1.16", "Pod Security Admission"),
    ("extensions/v1beta1", "*", "1.16", "apps/v1"),
    ("apps/v1beta1", "*", "1.16", "apps/v1"),
    ("apps/v1beta2", "*", "1.16", "apps/v1"),
    ("networking.k8s.io/v1beta1", "*", "1.22", "networking.k8s.io/v1"),
    ("policy/v1beta1", "PodSecurityPolicy", "1.25", "Pod Security Admission"),
    ("policy/v1beta1", "*", "1.25", "policy/v1"),
    ("batch/v1beta1", "*", "1.25", "batch/v1"),
    ("batch/v2alpha1", "*", "1.21", "batch/v1"),
    ("autoscaling/v2beta1", "*", "1.25", "autoscaling/v2"),
    ("autoscaling/v2beta2", "*", "1.26", "autoscaling/v2"),
    ("rbac.authorization.k8s.io/v1beta1", "*", "1.22", "rbac.authorization.k8s.io/v1"),
    ("rbac.authorization.k8s.io/v1alpha1", "*", "1.22", "rbac.authorization.k8s.io/v1"),
    ("apiextensions.k8s.io/v1beta1", "*", "1.22", "apiextensions.k8s.io/v1"),
    ("admissionregistration.k8s.io/v1beta1", "*", "1.22", "admissionregistration.k8s.io/v1"),
    ("scheduling.k8s.io/v1beta1", "*", "1.22", "scheduling.k8s.io/v1"),
    ("storage.k8s.io/v1beta1", "CSIStorageCapacity", "1.27", "storage.k8s.io/v1"),
    ("storage.k8s.io/v1beta1", "*", "1.22", "storage.k8s.io/v1"),
    ("discovery.k8s.io/v1beta1", "*", "1.25", "discovery.k8s.io/v1"),
    ("events.k8s.io/v1beta1", "*", "1.25", "events.k8s.io/v1"),
    ("node.k8s.io/v1beta1", "*", "1.25", "node.k8s.io/v1"),
    ("certificates.k8s.io/v1beta1", "*", "1.22", "certificates.k8s.io/v1"),
    ("coordination.k8s.io/v1beta1", "*", "1.22", "coordination.k8s.io/v1"),
    ("flowcontrol.apiserver.k8s.io/v1beta1", "*", "1.26", "flowcontrol.apiserver.k8s.io/v1"),
    ("flowcontrol.apiserver.k8s.io/v1beta2", "*", "1.29", "flowcontrol.apiserver.k8s.io/v1"),
    ("flowcontrol.apiserver.k8s.io/v1beta3", "*", "1.32", "flowcontrol.apiserver.k8s.io/v1"),
];

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    let hit = REMOVED.iter().find(|(v, k, _, _)| *v == obj.api_version && (*k == "*" || *k == obj.kind));
    if let Some((v, _, removed, to)) = hit {
        let span = obj.node.get("apiVersion").map_or(obj.node.span, |n| n.span);
        out.at(span, format!("`{v}` {} was removed in Kubernetes {removed}; use {to}", obj.kind));
    }
}
