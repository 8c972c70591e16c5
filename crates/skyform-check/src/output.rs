//! Renderers for a [`Report`]: text (uv style, grouped by file, through the one
//! diagnostic renderer `skyform_diag::render`), JSON, and SARIF 2.1.0 (the typed model in
//! [`crate::sarif`]). All pure: they return `String`s; the CLI prints them.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde::Serialize;
use skyform_diag::{Diag, Level, Location, paint, plural, style};

use crate::finding::{Finding, LoadError, Severity};
use crate::sarif;
use crate::waiver::Waiver;
use crate::{ALL_RULES, Report, Rule};

fn rule_by_id(id: &str) -> Option<&'static Rule> {
    ALL_RULES.iter().find(|r| r.id == id)
}

fn level(s: Severity) -> Level {
    match s {
        Severity::Error => Level::Error,
        Severity::Warning => Level::Warning,
        Severity::Note => Level::Note,
    }
}

/// A finding as a diagnostic: `error[RULE name]: message --> file:line:col (object)`.
pub fn finding_diag(f: &Finding) -> Diag {
    Diag::new(level(f.severity), f.message.clone())
        .code(format!("{} {}", f.rule, f.name))
        .at(Location {
            file: f.file.clone(),
            line: f.line,
            column: f.column,
            len: 0,
            context: Some(f.object.to_string()),
        })
        .hints((!f.hint.is_empty()).then(|| f.hint.clone()))
}

/// A credential found in plain text in an output file (`render`'s gate scans every file
/// it would write, Terraform and Pulumi included), as a WRK-011 diagnostic.
pub fn credential_diag(file: &str, hit: &crate::credentials::Located) -> Diag {
    let rule = ALL_RULES.iter().find(|r| r.id == "WRK-011");
    Diag::new(Level::Error, format!("the output would hold {} in plain text", hit.what.describe()))
        .code(rule.map_or_else(|| "WRK-011".to_string(), |r| format!("{} {}", r.id, r.name)))
        .at(Location { file: file.to_string(), line: hit.line, column: hit.column, len: 0, context: None })
        .hints(rule.map(|r| r.hint.to_string()))
}

/// An input that could not be read, as a diagnostic.
pub fn load_error_diag(e: &LoadError) -> Diag {
    Diag::new(Level::Error, e.message.clone()).code("load").at(Location {
        file: e.file.clone(),
        line: e.line,
        column: e.column,
        len: 0,
        context: None,
    })
}

/// A waiver past its date, as a diagnostic.
pub fn expired_waiver_diag(w: &Waiver) -> Diag {
    Diag::new(
        Level::Warning,
        format!(
            "waiver for `{}` on `{}` expired on {} and no longer applies (waiver file line {})",
            w.rule, w.object, w.expires, w.line
        ),
    )
    .code("waiver-expired")
}

/// Renders findings as text, grouped by file in input order, each with a source excerpt
/// and a caret, then a summary line. `sources` maps file names to their text.
pub fn text(report: &Report, sources: &[(&str, &str)], color: bool) -> String {
    let src: HashMap<&str, &str> = sources.iter().copied().collect();
    let mut out = String::new();
    for e in &report.errors {
        out.push_str(&skyform_diag::render(&load_error_diag(e), None, color));
        out.push('\n');
    }
    let mut current: Option<&str> = None;
    for f in &report.findings {
        if current != Some(f.file.as_str()) {
            current = Some(f.file.as_str());
            let _ = writeln!(out, "{}", paint(color, style::BOLD, &f.file));
        }
        let source = src.get(f.file.as_str()).copied().filter(|t| !line_holds_credential(t, f.line));
        out.push_str(&skyform_diag::render(&finding_diag(f), source, color));
        out.push('\n');
    }
    for w in &report.expired_waivers {
        out.push_str(&skyform_diag::render(&expired_waiver_diag(w), None, color));
    }
    out.push_str(&summary(report, color));
    out
}

/// Whether line `line` (1-based) of `text` holds a credential: its excerpt is left out of
/// the report, which names the credential's kind and place but must never copy its value
/// into a terminal or CI log.
fn line_holds_credential(text: &str, line: u32) -> bool {
    let n = line.saturating_sub(1) as usize;
    text.lines().nth(n).is_some_and(|l| !crate::credentials::scan_text(l).is_empty())
}

/// The last line of the text report.
fn summary(report: &Report, color: bool) -> String {
    let (e, w, n) = (report.count(Severity::Error), report.count(Severity::Warning), report.count(Severity::Note));
    let verdict = if e > 0 || !report.errors.is_empty() {
        paint(color, style::RED, "failed")
    } else if w > 0 {
        paint(color, style::YELLOW, "passed")
    } else {
        paint(color, style::GREEN, "passed")
    };
    let mut out = format!(
        "{verdict}: {}, {}, {} in {} across {}",
        plural(e, "error"),
        plural(w, "warning"),
        plural(n, "note"),
        plural(report.objects, "object"),
        plural(report.files, "file"),
    );
    if !report.waived.is_empty() {
        let _ = write!(out, " ({} waived)", report.waived.len());
    }
    if !report.errors.is_empty() {
        let _ = write!(out, "; {} could not be read", plural(report.errors.len(), "input"));
    }
    out.push('\n');
    out
}

/// The JSON report's shape.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonReport<'a> {
    findings: &'a [Finding],
    waived: Vec<JsonWaived<'a>>,
    expired_waivers: &'a [Waiver],
    errors: &'a [LoadError],
    summary: JsonSummary,
}

#[derive(Serialize)]
struct JsonWaived<'a> {
    finding: &'a Finding,
    reason: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonSummary {
    files: usize,
    objects: usize,
    skipped_documents: usize,
    errors: usize,
    warnings: usize,
    notes: usize,
}

/// Renders the report as JSON: findings, waived findings, expired waivers, errors, summary.
pub fn json(report: &Report) -> String {
    let value = JsonReport {
        findings: &report.findings,
        waived: report.waived.iter().map(|(finding, reason)| JsonWaived { finding, reason }).collect(),
        expired_waivers: &report.expired_waivers,
        errors: &report.errors,
        summary: JsonSummary {
            files: report.files,
            objects: report.objects,
            skipped_documents: report.skipped_documents,
            errors: report.count(Severity::Error),
            warnings: report.count(Severity::Warning),
            notes: report.count(Severity::Note),
        },
    };
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

fn security_severity(r: &Rule) -> &'static str {
    match r.severity {
        Severity::Error => "8.0",
        Severity::Warning => "5.5",
        Severity::Note => "3.0",
    }
}

fn sarif_level(s: Severity) -> sarif::Level {
    match s {
        Severity::Error => sarif::Level::Error,
        Severity::Warning => sarif::Level::Warning,
        Severity::Note => sarif::Level::Note,
    }
}

fn sarif_result(f: &Finding, rule_index: &HashMap<&str, usize>, suppressed: Option<&str>) -> sarif::SarifResult {
    // Columns are 1-based; SARIF counts characters, and skyform-yaml's columns are
    // character columns too. Byte offsets are deliberately not emitted.
    sarif::SarifResult {
        rule_id: f.rule,
        rule_index: rule_index.get(f.rule).copied().unwrap_or(0),
        level: sarif_level(f.severity),
        kind: "fail",
        message: sarif::Text { text: format!("{} ({})", f.message, f.object) },
        locations: vec![sarif::Location {
            physical_location: sarif::PhysicalLocation {
                artifact_location: sarif::ArtifactLocation { uri: f.file.replace('\\', "/") },
                region: sarif::Region { start_line: f.line.max(1), start_column: f.column.max(1) },
            },
            logical_locations: vec![sarif::LogicalLocation {
                name: f.object.name.clone(),
                fully_qualified_name: f.object.to_string(),
                kind: "object",
            }],
        }],
        properties: [("hint", f.hint.clone())].into_iter().collect(),
        suppressions: suppressed
            .map(|reason| sarif::Suppression { kind: "external", justification: reason.to_string() })
            .into_iter()
            .collect(),
    }
}

fn sarif_rule(r: &Rule) -> sarif::ReportingDescriptor {
    let mut tags = vec!["security".to_string()];
    if !r.refs.pss.is_empty() {
        tags.push(format!("pss-{}", r.refs.pss));
    }
    sarif::ReportingDescriptor {
        id: r.id,
        name: r.name,
        short_description: sarif::Text { text: r.summary.to_string() },
        full_description: sarif::Text { text: r.summary.to_string() },
        help: sarif::Text { text: r.hint.to_string() },
        default_configuration: sarif::Configuration { level: sarif_level(r.severity), enabled: r.default_enabled },
        properties: sarif::RuleProperties {
            security_severity: security_severity(r),
            tags,
            cis: r.refs.cis,
            kube_linter: r.refs.kube_linter,
            checkov: r.refs.checkov,
            polaris: r.refs.polaris,
            kube_score: r.refs.kube_score,
        },
    }
}

/// The SARIF 2.1.0 log of a report: every rule in the catalog under `tool.driver.rules`
/// with its default level and `security-severity`; every result with an explicit `level`
/// and a region holding the real line and column. Waived findings appear with an external
/// suppression.
pub fn sarif_log(report: &Report, version: &str) -> sarif::Log {
    let rule_index: HashMap<&str, usize> = ALL_RULES.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
    let mut results: Vec<sarif::SarifResult> =
        report.findings.iter().map(|f| sarif_result(f, &rule_index, None)).collect();
    results.extend(report.waived.iter().map(|(f, reason)| sarif_result(f, &rule_index, Some(reason))));
    let notifications = report
        .errors
        .iter()
        .map(|e| sarif::Notification {
            level: sarif::Level::Error,
            message: sarif::Text { text: e.message.clone() },
            locations: vec![sarif::NotificationLocation {
                physical_location: sarif::PhysicalLocation {
                    artifact_location: sarif::ArtifactLocation { uri: e.file.clone() },
                    region: sarif::Region { start_line: e.line.max(1), start_column: e.column.max(1) },
                },
            }],
        })
        .collect();
    sarif::Log {
        schema: sarif::SCHEMA,
        version: "2.1.0",
        runs: vec![sarif::Run {
            tool: sarif::Tool {
                driver: sarif::Driver {
                    name: "skyform",
                    version: version.to_string(),
                    information_uri: "https://github.com/skyform-dev/skyform",
                    rules: ALL_RULES.iter().map(sarif_rule).collect(),
                },
            },
            invocations: vec![sarif::Invocation {
                execution_successful: report.errors.is_empty(),
                tool_execution_notifications: notifications,
            }],
            results,
        }],
    }
}

/// Renders SARIF 2.1.0 ([`sarif_log`]) as pretty JSON.
pub fn sarif(report: &Report, version: &str) -> String {
    serde_json::to_string_pretty(&sarif_log(report, version)).unwrap_or_default()
}

/// Looks a rule up by id or name.
pub fn find_rule(key: &str) -> Option<&'static Rule> {
    rule_by_id(key).or_else(|| ALL_RULES.iter().find(|r| r.is(key)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Options, check};
    use serde_json::Value;

    const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n      image: nginx:1.27\n      securityContext: {privileged: true}\n";

    fn report() -> Report {
        let mut r = check(&[("t.yaml", POD), ("bad.yaml", "a: [\n")], &Options::default());
        if let Some(f) = r.findings.pop() {
            r.waived.push((f, "accepted until the migration".into()));
        }
        r
    }

    /// What SARIF 2.1.0's schema requires of the objects skyform writes (required
    /// properties, enumerations, minimums); fails with the JSON path of the first breach.
    fn validate(v: &Value) -> Result<(), String> {
        fn req<'a>(v: &'a Value, key: &str, at: &str) -> Result<&'a Value, String> {
            v.get(key).ok_or_else(|| format!("{at}: `{key}` is required"))
        }
        fn one_of(v: &Value, allowed: &[&str], at: &str) -> Result<(), String> {
            match v.as_str() {
                Some(s) if allowed.contains(&s) => Ok(()),
                _ => Err(format!("{at}: {v} is not one of {allowed:?}")),
            }
        }
        fn message(v: &Value, at: &str) -> Result<(), String> {
            if v.get("text").and_then(Value::as_str).is_some() || v.get("id").is_some() {
                Ok(())
            } else {
                Err(format!("{at}: a message needs `text` or `id`"))
            }
        }
        fn physical(v: &Value, at: &str) -> Result<(), String> {
            let uri = req(req(v, "artifactLocation", at)?, "uri", at)?;
            uri.as_str().ok_or(format!("{at}.artifactLocation.uri: not a string"))?;
            let region = req(v, "region", at)?;
            for key in ["startLine", "startColumn"] {
                if region.get(key).and_then(Value::as_u64).is_none_or(|n| n < 1) {
                    return Err(format!("{at}.region.{key}: an integer >= 1 is required"));
                }
            }
            Ok(())
        }
        const LEVELS: &[&str] = &["none", "note", "warning", "error"];
        if req(v, "version", "$")? != "2.1.0" {
            return Err("$.version: must be \"2.1.0\"".into());
        }
        let runs = req(v, "runs", "$")?.as_array().ok_or("$.runs: not an array")?;
        for (i, run) in runs.iter().enumerate() {
            let at = format!("$.runs[{i}]");
            let driver = req(req(run, "tool", &at)?, "driver", &at)?;
            req(driver, "name", &at)?.as_str().ok_or(format!("{at}.tool.driver.name: not a string"))?;
            let rules = driver.get("rules").and_then(Value::as_array).cloned().unwrap_or_default();
            for (j, rule) in rules.iter().enumerate() {
                let at = format!("{at}.tool.driver.rules[{j}]");
                req(rule, "id", &at)?;
                for key in ["shortDescription", "fullDescription", "help"] {
                    if let Some(m) = rule.get(key) {
                        message(m, &format!("{at}.{key}"))?;
                    }
                }
                one_of(req(req(rule, "defaultConfiguration", &at)?, "level", &at)?, LEVELS, &at)?;
            }
            for (j, inv) in run.get("invocations").and_then(Value::as_array).into_iter().flatten().enumerate() {
                let at = format!("{at}.invocations[{j}]");
                req(inv, "executionSuccessful", &at)?.as_bool().ok_or(format!("{at}: not a boolean"))?;
                for (k, n) in inv["toolExecutionNotifications"].as_array().into_iter().flatten().enumerate() {
                    let at = format!("{at}.toolExecutionNotifications[{k}]");
                    message(req(n, "message", &at)?, &at)?;
                    one_of(&n["level"], LEVELS, &at)?;
                    for l in n["locations"].as_array().into_iter().flatten() {
                        physical(req(l, "physicalLocation", &at)?, &at)?;
                    }
                }
            }
            let results = req(run, "results", &at)?.as_array().ok_or(format!("{at}.results: not an array"))?;
            for (j, r) in results.iter().enumerate() {
                let at = format!("{at}.results[{j}]");
                message(req(r, "message", &at)?, &at)?;
                one_of(&r["level"], LEVELS, &format!("{at}.level"))?;
                one_of(&r["kind"], &["notApplicable", "pass", "fail", "review", "open", "informational"], &at)?;
                let index = r["ruleIndex"].as_u64().ok_or(format!("{at}.ruleIndex: not an integer"))?;
                let rule = rules.get(index as usize).ok_or(format!("{at}.ruleIndex: no such rule"))?;
                if rule["id"] != r["ruleId"] {
                    return Err(format!("{at}: ruleIndex points at {} not {}", rule["id"], r["ruleId"]));
                }
                for l in r["locations"].as_array().into_iter().flatten() {
                    physical(req(l, "physicalLocation", &at)?, &at)?;
                }
                for s in r["suppressions"].as_array().into_iter().flatten() {
                    one_of(req(s, "kind", &at)?, &["inSource", "external"], &format!("{at}.suppressions"))?;
                }
            }
        }
        Ok(())
    }

    #[test]
    fn sarif_has_the_shape_of_sarif_2_1_0() {
        let v: Value = serde_json::from_str(&sarif(&report(), "0.1.0")).unwrap_or_default();
        assert_eq!(validate(&v), Ok(()));
        assert_eq!(v["$schema"], sarif::SCHEMA);
        assert_eq!(v["runs"][0]["invocations"][0]["executionSuccessful"], false);
        let results = v["runs"][0]["results"].as_array().cloned().unwrap_or_default();
        assert!(results.iter().any(|r| r["suppressions"][0]["kind"] == "external"), "the waived finding");
        // The validator is not a rubber stamp.
        let mut broken = v.clone();
        broken["runs"][0]["results"][0]["level"] = "fatal".into();
        assert!(validate(&broken).is_err());
        let mut broken = v;
        broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0.into();
        assert!(validate(&broken).is_err());
    }

    #[test]
    fn sarif_results_snapshot() {
        let log = sarif_log(&report(), "0.1.0");
        let run = &log.runs[0];
        insta::assert_json_snapshot!("sarif_results", (&run.invocations, &run.results));
    }

    #[test]
    fn text_and_json_snapshots() {
        let r = report();
        insta::assert_snapshot!("text_report", text(&r, &[("t.yaml", POD)], false));
        insta::assert_snapshot!("json_report", json(&r));
        assert!(!text(&r, &[("t.yaml", POD)], false).contains('\u{1b}'));
        assert!(text(&r, &[("t.yaml", POD)], true).contains('\u{1b}'));
    }
}
