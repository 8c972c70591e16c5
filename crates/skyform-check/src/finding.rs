//! What a check produces: a located [`Finding`] about one object, and the ways input can
//! be unusable ([`LoadError`]).

use serde::Serialize;
use skyform_yaml::Span;

/// How bad a finding is. Ordered: `Note < Warning < Error`.
///
/// The catalog's five levels collapse onto these three (docs/checks.md §8.1): Critical and
/// High are errors, Medium is a warning, Low and Info are notes. SARIF uses the same three
/// words, so the mapping to `result.level` is the identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// Parses `note`, `warning` or `error` (also `info`/`warn`).
    pub fn parse(s: &str) -> Option<Severity> {
        match s.trim().to_ascii_lowercase().as_str() {
            "note" | "info" => Some(Severity::Note),
            "warning" | "warn" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

/// Which Kubernetes object a finding is about: `Kind/namespace/name` (namespace omitted
/// for cluster-scoped objects).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ObjectRef {
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub name: String,
}

impl std::fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{}/{}/{}", self.kind, ns, self.name),
            None => write!(f, "{}/{}", self.kind, self.name),
        }
    }
}

/// One rule violation, located at the offending field (or, for a missing field, at the
/// nearest existing parent such as the container).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    pub rule: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub file: String,
    pub line: u32,
    pub column: u32,
    #[serde(skip)]
    pub span: Span,
    pub object: ObjectRef,
    pub message: String,
    pub hint: String,
}

/// Input that could not be checked: a YAML syntax error or an unreadable document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LoadError {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub message: String,
}
