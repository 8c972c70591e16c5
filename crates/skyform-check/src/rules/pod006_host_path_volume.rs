//! **POD-006 `host-path-volume`**: The pod mounts a `hostPath` volume.
//!
//! *Why:* hostPath volumes expose the node's filesystem to the pod; writable ones allow escaping to the node.
//!
//! *Fix:* Use an `emptyDir`, a PersistentVolumeClaim, a ConfigMap or a CSI volume instead of `hostPath`.
//!
//! *Severity:* warning.
//!
//! *Maps to:* Pod Security Standards baseline; CIS Kubernetes Benchmark v1.10 5.2.12; NSA/CISA hardening guide: Kubernetes Pod security; kube-linter `writable-host-mount`; Polaris `hostPathSet`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "POD-006",
    name: "host-path-volume",
    severity: Severity::Warning,
    category: Category::PodSecurityBaseline,
    default_enabled: true,
    summary: "The pod mounts a `hostPath` volume.",
    hint: "Use an `emptyDir`, a PersistentVolumeClaim, a ConfigMap or a CSI volume instead of `hostPath`.",
    refs: Refs {
        pss: "baseline",
        cis: "5.2.12",
        nsa: "Kubernetes Pod security",
        kube_linter: &["writable-host-mount"],
        polaris: &["hostPathSet"],
        ..Refs::NONE
    },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    if let Some(pod) = obj.pod() {
        for v in pod.volumes() {
            if let Some(hp) = v.get("hostPath") {
                let path = text(Some(hp), "path").unwrap_or("?");
                let name = text(Some(v), "name").unwrap_or("?");
                out.at(key_span(v, "hostPath"), format!("volume `{name}` mounts host path `{path}`"));
            }
        }
    }
}
