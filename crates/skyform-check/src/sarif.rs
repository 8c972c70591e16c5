//! SARIF 2.1.0 as typed serde structs: only the parts of the OASIS schema skyform fills
//! (`sarifLog` → `run` → `tool.driver.rules` / `invocations` / `results`). Field names
//! follow the schema through `rename_all = "camelCase"`; [`sarif`](crate::output::sarif)
//! builds a [`Log`] from a report.

use serde::Serialize;
use std::collections::BTreeMap;

/// The schema every log names.
pub const SCHEMA: &str = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// `sarifLog`.
#[derive(Clone, Debug, Serialize)]
pub struct Log {
    #[serde(rename = "$schema")]
    pub schema: &'static str,
    pub version: &'static str,
    pub runs: Vec<Run>,
}

/// `run`.
#[derive(Clone, Debug, Serialize)]
pub struct Run {
    pub tool: Tool,
    pub invocations: Vec<Invocation>,
    pub results: Vec<SarifResult>,
}

/// `tool`.
#[derive(Clone, Debug, Serialize)]
pub struct Tool {
    pub driver: Driver,
}

/// `toolComponent` (the driver).
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Driver {
    pub name: &'static str,
    pub version: String,
    pub information_uri: &'static str,
    pub rules: Vec<ReportingDescriptor>,
}

/// `reportingDescriptor` (one rule).
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportingDescriptor {
    pub id: &'static str,
    pub name: &'static str,
    pub short_description: Text,
    pub full_description: Text,
    pub help: Text,
    pub default_configuration: Configuration,
    pub properties: RuleProperties,
}

/// `multiformatMessageString` / `message` with text only.
#[derive(Clone, Debug, Serialize)]
pub struct Text {
    pub text: String,
}

/// `reportingConfiguration`.
#[derive(Clone, Debug, Serialize)]
pub struct Configuration {
    pub level: Level,
    pub enabled: bool,
}

/// `level` (the schema's enum; skyform never emits `none`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Note,
    Warning,
    Error,
}

/// A rule's property bag: GitHub's `security-severity`, tags and the rule's counterparts
/// in other tools.
#[derive(Clone, Debug, Serialize)]
pub struct RuleProperties {
    #[serde(rename = "security-severity")]
    pub security_severity: &'static str,
    pub tags: Vec<String>,
    pub cis: &'static str,
    #[serde(rename = "kube-linter")]
    pub kube_linter: &'static [&'static str],
    pub checkov: &'static [&'static str],
    pub polaris: &'static [&'static str],
    #[serde(rename = "kube-score")]
    pub kube_score: &'static [&'static str],
}

/// `invocation`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Invocation {
    pub execution_successful: bool,
    pub tool_execution_notifications: Vec<Notification>,
}

/// `notification` (an input that could not be read).
#[derive(Clone, Debug, Serialize)]
pub struct Notification {
    pub level: Level,
    pub message: Text,
    pub locations: Vec<NotificationLocation>,
}

/// `location` with a physical location only.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NotificationLocation {
    pub physical_location: PhysicalLocation,
}

/// `result`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifResult {
    pub rule_id: &'static str,
    pub rule_index: usize,
    pub level: Level,
    pub kind: &'static str,
    pub message: Text,
    pub locations: Vec<Location>,
    pub properties: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suppressions: Vec<Suppression>,
}

/// `location`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    pub physical_location: PhysicalLocation,
    pub logical_locations: Vec<LogicalLocation>,
}

/// `physicalLocation`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PhysicalLocation {
    pub artifact_location: ArtifactLocation,
    pub region: Region,
}

/// `artifactLocation`.
#[derive(Clone, Debug, Serialize)]
pub struct ArtifactLocation {
    pub uri: String,
}

/// `region`: 1-based line and character column.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    pub start_line: u32,
    pub start_column: u32,
}

/// `logicalLocation` (the Kubernetes object).
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogicalLocation {
    pub name: String,
    pub fully_qualified_name: String,
    pub kind: &'static str,
}

/// `suppression` (a waived finding).
#[derive(Clone, Debug, Serialize)]
pub struct Suppression {
    pub kind: &'static str,
    pub justification: String,
}
