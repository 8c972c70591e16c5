//! Object identity: [`ObjRef`] (apiVersion, kind, namespace, name) and [`Manifest`], a
//! desired object as plain JSON, checked once so that later stages never have to guess.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

/// The identity of one Kubernetes object.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ObjRef {
    #[serde(rename = "apiVersion")]
    pub api_version: String,
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub name: String,
}

impl ObjRef {
    /// API group (`""` for the core group).
    pub fn group(&self) -> &str {
        self.api_version.rsplit_once('/').map_or("", |(g, _)| g)
    }

    /// API version without the group (`v1`).
    pub fn version(&self) -> &str {
        self.api_version.rsplit_once('/').map_or(self.api_version.as_str(), |(_, v)| v)
    }

    /// `kind/name` or `kind namespace/name`, as people read it.
    pub fn display(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for ObjRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{} {}/{}", self.kind, ns, self.name),
            None => write!(f, "{} {}", self.kind, self.name),
        }
    }
}

/// One desired object.
#[derive(Clone, Debug, PartialEq)]
pub struct Manifest {
    pub r: ObjRef,
    /// The whole object, including apiVersion, kind and metadata.
    pub value: Value,
}

/// Why an object cannot be applied.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ManifestError {
    #[error("object #{index}: {what}")]
    Invalid { index: usize, what: String },
    #[error("{0} appears twice")]
    Duplicate(ObjRef),
}

impl Manifest {
    /// Reads apiVersion/kind/metadata.namespace/metadata.name out of a JSON object.
    /// Defaults that older servers need for server-side apply are filled in
    /// (see [`crate::compat`]).
    pub fn from_value(index: usize, mut value: Value) -> Result<Manifest, ManifestError> {
        crate::compat::fill_defaults(&mut value);
        let invalid = |what: &str| ManifestError::Invalid { index, what: what.to_string() };
        let obj = value.as_object().ok_or_else(|| invalid("not a JSON object"))?;
        let api_version = obj
            .get("apiVersion")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| invalid("missing apiVersion"))?
            .to_string();
        let kind =
            obj.get("kind").and_then(Value::as_str).filter(|s| !s.is_empty()).ok_or_else(|| invalid("missing kind"))?;
        let meta = obj.get("metadata").and_then(Value::as_object).ok_or_else(|| invalid("missing metadata"))?;
        let name = meta
            .get("name")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| invalid("missing metadata.name"))?
            .to_string();
        let namespace = meta.get("namespace").and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string);
        Ok(Manifest { r: ObjRef { api_version, kind: kind.to_string(), namespace, name }, value })
    }

    /// Parses a whole list and rejects duplicates.
    pub fn from_values(values: Vec<Value>) -> Result<Vec<Manifest>, ManifestError> {
        let mut out = Vec::with_capacity(values.len());
        let mut seen = std::collections::HashSet::new();
        for (i, v) in values.into_iter().enumerate() {
            let m = Manifest::from_value(i, v)?;
            if !seen.insert(m.r.clone()) {
                return Err(ManifestError::Duplicate(m.r));
            }
            out.push(m);
        }
        Ok(out)
    }

    /// A label of the object, if set.
    pub fn label(&self, key: &str) -> Option<&str> {
        label(&self.value, key)
    }
}

/// A label of any object value.
pub fn label<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get("metadata")?.get("labels")?.get(key)?.as_str()
}

/// Label naming the service an object belongs to.
pub const SERVICE_LABEL: &str = "app.kubernetes.io/name";
/// Label marking objects skyform created.
pub const MANAGED_BY_LABEL: &str = "app.kubernetes.io/managed-by";
/// Value of [`MANAGED_BY_LABEL`] on skyform's objects.
pub const MANAGED_BY: &str = "skyform";

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_identity() {
        let m = Manifest::from_value(
            0,
            json!({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a","namespace":"ns"}}),
        )
        .unwrap();
        assert_eq!(m.r.group(), "apps");
        assert_eq!(m.r.version(), "v1");
        assert_eq!(m.r.to_string(), "Deployment ns/a");
        let core = ObjRef { api_version: "v1".into(), kind: "Namespace".into(), namespace: None, name: "x".into() };
        assert_eq!(core.group(), "");
        assert_eq!(core.version(), "v1");
    }

    #[test]
    fn rejects_bad_input_without_panicking() {
        for v in [json!(1), json!({}), json!({"apiVersion":"v1"}), json!({"apiVersion":"v1","kind":"X"})] {
            assert!(Manifest::from_value(3, v).is_err());
        }
        let a = json!({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","namespace":"n"}});
        assert!(matches!(Manifest::from_values(vec![a.clone(), a]), Err(ManifestError::Duplicate(_))));
    }
}
