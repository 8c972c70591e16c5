//! Every rule has a failing and a passing fixture in `test-data/rules/<ID>/`; the failing
//! one's findings for that rule are snapshot-tested with line and column.

use std::fmt::Write as _;
use std::path::Path;

use skyform_check::{ALL_RULES, Options, check};

fn run(rule: &str, file: &Path) -> Vec<skyform_check::Finding> {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let name = format!("{}/{}", rule, file.file_name().and_then(|n| n.to_str()).unwrap_or("?"));
    // The rule alone: rules that defer to an overlapping one (REF-007 to WRK-003) are
    // judged on their own here.
    let disable = ALL_RULES.iter().filter(|r| r.id != rule).map(|r| r.id.to_string()).collect();
    let options = Options { enable: vec![rule.to_string()], disable, ..Options::default() };
    let report = check(&[(name, text)], &options);
    assert!(report.errors.is_empty(), "{}: {:?}", file.display(), report.errors);
    report.findings.into_iter().filter(|f| f.rule == rule).collect()
}

#[test]
fn every_rule_fails_its_failing_fixture_and_passes_its_passing_one() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("test-data/rules");
    let mut problems = Vec::new();
    for rule in ALL_RULES {
        let dir = root.join(rule.id);
        let fail = run(rule.id, &dir.join("fail.yaml"));
        let pass = run(rule.id, &dir.join("pass.yaml"));
        if fail.is_empty() {
            problems.push(format!("{}: failing fixture produced no finding", rule.id));
        }
        if !pass.is_empty() {
            problems.push(format!(
                "{}: passing fixture produced {:?}",
                rule.id,
                pass.iter().map(|f| &f.message).collect::<Vec<_>>()
            ));
        }
        let mut snap = String::new();
        for f in &fail {
            let _ = writeln!(
                snap,
                "{}:{}:{} {} [{}] {}: {}",
                f.file,
                f.line,
                f.column,
                f.severity.as_str(),
                f.object,
                f.rule,
                f.message
            );
        }
        insta::assert_snapshot!(rule.id, snap);
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_fixture_directory_belongs_to_a_rule() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("test-data/rules");
    for entry in std::fs::read_dir(root).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        assert!(ALL_RULES.iter().any(|r| r.id == name), "fixture directory {name} has no rule");
    }
}

#[test]
fn rule_ids_and_names_are_unique_and_documented() {
    let mut seen = std::collections::HashSet::new();
    for r in ALL_RULES {
        assert!(seen.insert(r.id), "duplicate id {}", r.id);
        assert!(seen.insert(r.name), "duplicate name {}", r.name);
        assert!(!r.summary.is_empty() && !r.hint.is_empty(), "{} lacks docs", r.id);
    }
    assert!(ALL_RULES.len() >= 60, "catalog has only {} rules", ALL_RULES.len());
}

#[test]
fn the_good_bundle_has_no_errors_or_warnings() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("test-data/rules/POD-001/pass.yaml");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let report = check(&[("good.yaml".to_string(), text)], &Options::default());
    let loud: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.severity > skyform_check::Severity::Note)
        .map(|f| format!("{}:{} {} {}", f.line, f.column, f.rule, f.message))
        .collect();
    assert!(loud.is_empty(), "{loud:#?}");
}
