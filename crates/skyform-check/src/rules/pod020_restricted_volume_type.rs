//! **POD-020 `restricted-volume-type`**: A volume uses a type outside the restricted set.
//!
//! *Why:* Only configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected and secret volumes are safe to allow without review.
//!
//! *Fix:* Replace the volume with one of the allowed types (usually a PersistentVolumeClaim or a CSI volume).
//!
//! *Severity:* warning.
//!
//! *Maps to:* Pod Security Standards restricted; NSA/CISA hardening guide: Kubernetes Pod security.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "POD-020",
    name: "restricted-volume-type",
    severity: Severity::Warning,
    category: Category::PodSecurityRestricted,
    default_enabled: true,
    summary: "A volume uses a type outside the restricted set.",
    hint: "Replace the volume with one of the allowed types (usually a PersistentVolumeClaim or a CSI volume).",
    refs: Refs { pss: "restricted", nsa: "Kubernetes Pod security", ..Refs::NONE },
    check,
};

const ALLOWED: &[&str] =
    &["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    let Some(pod) = obj.pod() else { return };
    for v in pod.volumes() {
        for e in v.as_map().unwrap_or(&[]) {
            if e.key != "name" && !ALLOWED.contains(&e.key.as_str()) && !matches!(e.value.value, Value::Null) {
                let name = text(Some(v), "name").unwrap_or("?");
                out.at(e.key_span, format!("volume `{name}` has restricted type `{}`", e.key));
            }
        }
    }
}
