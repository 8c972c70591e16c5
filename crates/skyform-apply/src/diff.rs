//! Comparing objects: the live object against the server's dry-run of our apply.
//!
//! Both sides come from the server, so both carry the same defaults; what must go is the
//! bookkeeping that changes on every write or never describes intent: `status`,
//! `metadata.managedFields`, `resourceVersion`, `uid`, `generation`, `creationTimestamp`,
//! `selfLink` and the `kubectl.kubernetes.io/last-applied-configuration` annotation.
//! [`unified`] renders a change as a unified diff of YAML.

use crate::object::ObjRef;
use serde::Serialize;
use serde_json::Value;

const DROPPED_METADATA: [&str; 7] = [
    "managedFields",
    "resourceVersion",
    "uid",
    "generation",
    "creationTimestamp",
    "selfLink",
    "deletionGracePeriodSeconds",
];
const DROPPED_ANNOTATIONS: [&str; 2] =
    ["kubectl.kubernetes.io/last-applied-configuration", "deployment.kubernetes.io/revision"];

/// Strips everything that is not part of the object's intent.
pub fn normalize(value: &Value) -> Value {
    let mut v = value.clone();
    if let Some(obj) = v.as_object_mut() {
        obj.remove("status");
        if let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
            for k in DROPPED_METADATA {
                meta.remove(k);
            }
            let empty = if let Some(ann) = meta.get_mut("annotations").and_then(Value::as_object_mut) {
                for k in DROPPED_ANNOTATIONS {
                    ann.remove(k);
                }
                ann.is_empty()
            } else {
                false
            };
            if empty {
                meta.remove("annotations");
            }
        }
    }
    v
}

/// What happens to one object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Create,
    Update,
    Unchanged,
    Delete,
}

/// One object's change, with both sides normalized.
#[derive(Clone, Debug, Serialize)]
pub struct ObjectDiff {
    #[serde(flatten)]
    pub r: ObjRef,
    pub change: ChangeKind,
    /// Unified diff (empty when unchanged).
    pub diff: String,
}

/// Compares a live object (None: absent) with the dry-run result (None: to be deleted).
pub fn compare(r: &ObjRef, live: Option<&Value>, desired: Option<&Value>) -> ObjectDiff {
    let live_n = live.map(normalize);
    let desired_n = desired.map(normalize);
    let change = match (&live_n, &desired_n) {
        (None, Some(_)) => ChangeKind::Create,
        (Some(_), None) => ChangeKind::Delete,
        (Some(a), Some(b)) if a == b => ChangeKind::Unchanged,
        (Some(_), Some(_)) => ChangeKind::Update,
        (None, None) => ChangeKind::Unchanged,
    };
    let diff = if change == ChangeKind::Unchanged {
        String::new()
    } else {
        unified(&r.to_string(), live_n.as_ref(), desired_n.as_ref())
    };
    ObjectDiff { r: r.clone(), change, diff }
}

/// YAML text of a value (empty for None).
pub fn to_yaml(value: Option<&Value>) -> String {
    value.map(|v| serde_saphyr::to_string(v).unwrap_or_else(|_| format!("{v:#}\n"))).unwrap_or_default()
}

/// Unified diff (3 lines of context) between two optional values, as YAML.
pub fn unified(title: &str, old: Option<&Value>, new: Option<&Value>) -> String {
    let a = to_yaml(old);
    let b = to_yaml(new);
    similar::TextDiff::from_lines(&a, &b)
        .unified_diff()
        .context_radius(3)
        .header(&format!("live: {title}"), &format!("skyform: {title}"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn r() -> ObjRef {
        ObjRef { api_version: "v1".into(), kind: "ConfigMap".into(), namespace: Some("n".into()), name: "c".into() }
    }

    #[test]
    fn bookkeeping_is_ignored() {
        let live = json!({"apiVersion":"v1","kind":"ConfigMap",
            "metadata":{"name":"c","namespace":"n","resourceVersion":"7","uid":"u","managedFields":[{}],
                "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{}"}},
            "data":{"a":"1"}});
        let desired = json!({"apiVersion":"v1","kind":"ConfigMap",
            "metadata":{"name":"c","namespace":"n","resourceVersion":"8","managedFields":[{},{}]},
            "data":{"a":"1"}, "status": {}});
        let d = compare(&r(), Some(&live), Some(&desired));
        assert_eq!(d.change, ChangeKind::Unchanged);
        assert!(d.diff.is_empty());
    }

    #[test]
    fn a_change_is_a_unified_diff() {
        let live = json!({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"1"}});
        let desired = json!({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"2"}});
        let d = compare(&r(), Some(&live), Some(&desired));
        assert_eq!(d.change, ChangeKind::Update);
        assert!(d.diff.contains("-  a: '1'") || d.diff.contains("-  a: \"1\""), "{}", d.diff);
        assert!(d.diff.contains("+  a:"), "{}", d.diff);
        assert_eq!(compare(&r(), None, Some(&desired)).change, ChangeKind::Create);
        assert_eq!(compare(&r(), Some(&live), None).change, ChangeKind::Delete);
    }
}
