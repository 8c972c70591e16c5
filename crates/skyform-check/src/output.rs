//! Renderers for a [`Report`]: text (uv style, grouped by file, optional ANSI colour),
//! JSON, and SARIF 2.1.0. All pure: they return `String`s; the CLI prints them.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::finding::{Finding, Severity};
use crate::{ALL_RULES, Report, Rule};

const RED: &str = "\x1b[1;31m";
const YELLOW: &str = "\x1b[1;33m";
const GREEN: &str = "\x1b[1;32m";
const BLUE: &str = "\x1b[1;34m";
const CYAN: &str = "\x1b[1;36m";
const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

fn rule_by_id(id: &str) -> Option<&'static Rule> {
    ALL_RULES.iter().find(|r| r.id == id)
}

/// Renders findings as text, grouped by file in input order, each with a source excerpt
/// and a caret, then a summary line. `sources` maps file names to their text.
pub fn text(report: &Report, sources: &[(&str, &str)], color: bool) -> String {
    let paint = |style: &str, t: &str| if color { format!("{style}{t}{RESET}") } else { t.to_string() };
    let src: HashMap<&str, &str> = sources.iter().copied().collect();
    let mut out = String::new();
    for e in &report.errors {
        let _ = writeln!(out, "{}{}", paint(RED, "error[load]"), paint(BOLD, &format!(": {}", e.message)));
        let _ = writeln!(out, "  {} {}:{}:{}\n", paint(BLUE, "-->"), e.file, e.line, e.column);
    }
    let mut current: Option<&str> = None;
    for f in &report.findings {
        if current != Some(f.file.as_str()) {
            current = Some(f.file.as_str());
            let _ = writeln!(out, "{}", paint(BOLD, &f.file));
        }
        let (label, style) = match f.severity {
            Severity::Error => ("error", RED),
            Severity::Warning => ("warning", YELLOW),
            Severity::Note => ("note", CYAN),
        };
        let head = format!("{label}[{} {}]", f.rule, f.name);
        let _ = writeln!(out, "{}{}", paint(style, &head), paint(BOLD, &format!(": {}", f.message)));
        let _ = writeln!(
            out,
            "  {} {}:{}:{} {}",
            paint(BLUE, "-->"),
            f.file,
            f.line,
            f.column,
            paint(DIM, &format!("({})", f.object))
        );
        if let Some(line) = src.get(f.file.as_str()).and_then(|t| t.lines().nth((f.line as usize).saturating_sub(1))) {
            let number = f.line.to_string();
            let pad = " ".repeat(number.len());
            let line = line.replace('\t', " ");
            let col = (f.column as usize).max(1);
            let width = line.chars().skip(col - 1).take_while(|c| !c.is_whitespace() && *c != ':').count().max(1);
            let _ = writeln!(out, "{pad} {}", paint(BLUE, "|"));
            let _ = writeln!(out, "{} {} {}", paint(BLUE, &number), paint(BLUE, "|"), line.trim_end());
            let _ =
                writeln!(out, "{pad} {} {}{}", paint(BLUE, "|"), " ".repeat(col - 1), paint(style, &"^".repeat(width)));
        }
        if !f.hint.is_empty() {
            let _ = writeln!(out, "  {}: {}", paint(CYAN, "hint"), f.hint);
        }
        out.push('\n');
    }
    for w in &report.expired_waivers {
        let _ = writeln!(
            out,
            "{}: waiver for `{}` on `{}` expired on {} and no longer applies (waiver file line {})",
            paint(YELLOW, "warning[waiver-expired]"),
            w.rule,
            w.object,
            w.expires,
            w.line
        );
    }
    let (e, w, n) = (report.count(Severity::Error), report.count(Severity::Warning), report.count(Severity::Note));
    let plural = |n: usize, word: &str| if n == 1 { format!("{n} {word}") } else { format!("{n} {word}s") };
    let verdict = if e > 0 || !report.errors.is_empty() {
        paint(RED, "failed")
    } else if w > 0 {
        paint(YELLOW, "passed")
    } else {
        paint(GREEN, "passed")
    };
    let _ = write!(
        out,
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

/// Renders the report as JSON: findings, waived findings, expired waivers, errors, summary.
pub fn json(report: &Report) -> String {
    let value = json!({
        "findings": report.findings,
        "waived": report.waived.iter().map(|(f, reason)| json!({"finding": f, "reason": reason})).collect::<Vec<_>>(),
        "expiredWaivers": report.expired_waivers,
        "errors": report.errors,
        "summary": {
            "files": report.files,
            "objects": report.objects,
            "skippedDocuments": report.skipped_documents,
            "errors": report.count(Severity::Error),
            "warnings": report.count(Severity::Warning),
            "notes": report.count(Severity::Note),
        }
    });
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

fn security_severity(r: &Rule) -> &'static str {
    match r.severity {
        Severity::Error => "8.0",
        Severity::Warning => "5.5",
        Severity::Note => "3.0",
    }
}

fn sarif_result(f: &Finding, rule_index: &HashMap<&str, usize>, suppressed: Option<&str>) -> Value {
    // Columns are 1-based; SARIF counts characters, and skyform-yaml's columns are
    // character columns too. Byte offsets are deliberately not emitted.
    let region = json!({ "startLine": f.line.max(1), "startColumn": f.column.max(1) });
    let mut r = json!({
        "ruleId": f.rule,
        "ruleIndex": rule_index.get(f.rule).copied().unwrap_or(0),
        "level": f.severity.as_str(),
        "kind": "fail",
        "message": { "text": format!("{} ({})", f.message, f.object) },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": f.file.replace('\\', "/") },
                "region": region,
            },
            "logicalLocations": [{
                "name": f.object.name,
                "fullyQualifiedName": f.object.to_string(),
                "kind": "object",
            }],
        }],
        "properties": { "hint": f.hint },
    });
    if let Some(reason) = suppressed {
        r["suppressions"] = json!([{ "kind": "external", "justification": reason }]);
    }
    r
}

/// Renders SARIF 2.1.0: every rule in the catalog under `tool.driver.rules` with its
/// default level and `security-severity`; every result with an explicit `level` and a
/// region holding the real line and column. Waived findings appear with an external
/// suppression.
pub fn sarif(report: &Report, version: &str) -> String {
    let rule_index: HashMap<&str, usize> = ALL_RULES.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
    let rules: Vec<Value> = ALL_RULES
        .iter()
        .map(|r| {
            let mut tags = vec!["security".to_string()];
            if !r.refs.pss.is_empty() {
                tags.push(format!("pss-{}", r.refs.pss));
            }
            json!({
                "id": r.id,
                "name": r.name,
                "shortDescription": { "text": r.summary },
                "fullDescription": { "text": r.summary },
                "help": { "text": r.hint },
                "defaultConfiguration": { "level": r.severity.as_str(), "enabled": r.default_enabled },
                "properties": {
                    "security-severity": security_severity(r),
                    "tags": tags,
                    "cis": r.refs.cis,
                    "kube-linter": r.refs.kube_linter,
                    "checkov": r.refs.checkov,
                    "polaris": r.refs.polaris,
                    "kube-score": r.refs.kube_score,
                },
            })
        })
        .collect();
    let mut results: Vec<Value> = report.findings.iter().map(|f| sarif_result(f, &rule_index, None)).collect();
    results.extend(report.waived.iter().map(|(f, reason)| sarif_result(f, &rule_index, Some(reason))));
    let notifications: Vec<Value> = report
        .errors
        .iter()
        .map(|e| {
            json!({
                "level": "error",
                "message": { "text": e.message },
                "locations": [{ "physicalLocation": {
                    "artifactLocation": { "uri": e.file },
                    "region": { "startLine": e.line.max(1), "startColumn": e.column.max(1) },
                }}],
            })
        })
        .collect();
    let value = json!({
        "$schema": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "skyform",
                "version": version,
                "informationUri": "https://github.com/skyform-dev/skyform",
                "rules": rules,
            }},
            "invocations": [{
                "executionSuccessful": report.errors.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

/// Looks a rule up by id or name.
pub fn find_rule(key: &str) -> Option<&'static Rule> {
    rule_by_id(key).or_else(|| ALL_RULES.iter().find(|r| r.is(key)))
}
