//! Unit tests of the engine: the security-context resolver, selectors, waivers, outputs.

use super::*;

fn findings(yaml: &str, rule: &str) -> Vec<Finding> {
    let options = Options { enable: vec![rule.to_string()], ..Options::default() };
    check(&[("t.yaml", yaml)], &options).findings.into_iter().filter(|f| f.rule == rule).collect()
}

const POD: &str = "apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  securityContext:
    runAsNonRoot: true
  containers:
    - name: a
      image: x:1
    - name: b
      image: x:1
      securityContext:
        runAsNonRoot: false
";

#[test]
fn container_value_overrides_pod_value() {
    let f = findings(POD, "POD-022");
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(f[0].message.contains("`b`"));
    assert_eq!((f[0].line, f[0].column), (14, 9));
}

#[test]
fn pod_level_value_is_inherited() {
    let yaml = POD.replace("      securityContext:\n        runAsNonRoot: false\n", "");
    assert!(findings(&yaml, "POD-022").is_empty());
}

#[test]
fn pod_level_run_as_user_zero_is_flagged_even_when_containers_override() {
    let yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext:\n    runAsUser: 0\n  containers:\n    - name: a\n      securityContext:\n        runAsUser: 1000\n";
    let f = findings(yaml, "POD-023");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].line, 6);
}

#[test]
fn run_as_user_alone_does_not_satisfy_run_as_non_root() {
    // gatekeeper-library#658: PSA restricted rejects runAsUser: 1 without runAsNonRoot.
    let yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext:\n    runAsUser: 1\n  containers:\n    - name: a\n";
    assert_eq!(findings(yaml, "POD-022").len(), 1);
}

#[test]
fn capabilities_at_pod_level_are_not_a_pod_field() {
    // checkov#3300's reproducer: `capabilities` under the pod securityContext is ignored.
    let yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext:\n    capabilities:\n      drop: [ALL]\n  containers:\n    - name: a\n";
    assert_eq!(findings(yaml, "POD-025").len(), 1);
}

#[test]
fn windows_pods_skip_linux_only_controls() {
    let yaml =
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  os: {name: windows}\n  containers:\n    - name: a\n";
    for rule in ["POD-021", "POD-024", "POD-025"] {
        assert!(findings(yaml, rule).is_empty(), "{rule}");
    }
    assert_eq!(findings(yaml, "POD-022").len(), 1);
}

#[test]
fn seccomp_from_pod_or_every_container() {
    let every = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n      securityContext:\n        seccompProfile: {type: RuntimeDefault}\n    - name: b\n      securityContext:\n        seccompProfile: {type: Localhost, localhostProfile: x.json}\n";
    assert!(findings(every, "POD-024").is_empty());
    let one_missing = every.replace(
        "        seccompProfile: {type: Localhost, localhostProfile: x.json}\n",
        "        privileged: false\n",
    );
    assert_eq!(findings(&one_missing, "POD-024").len(), 1);
}

#[test]
fn selectors_match_expressions() {
    let labels = skyform_yaml::parse_document("app: web\ntier: fe\n").ok();
    let sel = skyform_yaml::parse_document(
        "matchLabels: {app: web}\nmatchExpressions:\n  - {key: tier, operator: In, values: [fe, be]}\n  - {key: canary, operator: DoesNotExist}\n",
    )
    .ok();
    let (Some(labels), Some(sel)) = (labels, sel) else { panic!("parse") };
    assert!(model::label_selector_matches(&sel, Some(&labels)));
    let sel2 = skyform_yaml::parse_document("matchExpressions: [{key: tier, operator: NotIn, values: [fe]}]\n").ok();
    assert!(sel2.is_some_and(|s| !model::label_selector_matches(&s, Some(&labels))));
}

#[test]
fn waivers_apply_until_they_expire() {
    let waivers = parse_waivers(
        "waivers:\n  - rule: privileged-container\n    object: Pod/*/p\n    reason: node agent\n    expires: 2027-01-31\n",
    )
    .unwrap_or_default();
    assert_eq!(waivers.len(), 1);
    let yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n      securityContext: {privileged: true}\n";
    let mut options = Options { waivers: waivers.clone(), today: Date::parse("2027-01-31"), ..Options::default() };
    let r = check(&[("t.yaml", yaml)], &options);
    assert!(r.findings.iter().all(|f| f.rule != "POD-001"));
    assert_eq!(r.waived.len(), 1);
    options.today = Date::parse("2027-02-01");
    let r = check(&[("t.yaml", yaml)], &options);
    assert!(r.findings.iter().any(|f| f.rule == "POD-001"));
    assert_eq!(r.expired_waivers.len(), 1);
}

#[test]
fn waiver_file_errors_are_located() {
    let e = parse_waivers("waivers:\n  - rule: POD-999\n    object: x\n    reason: y\n    expires: 2027-01-01\n");
    assert!(matches!(e, Err(WaiverError { line: 2, .. })), "{e:?}");
    let e = parse_waivers("waivers:\n  - rule: POD-001\n    object: x\n    expires: 2027-01-01\n");
    assert!(e.is_err_and(|e| e.message.contains("reason")));
    let e = parse_waivers("waivers:\n  - rule: POD-001\n    object: x\n    reason: y\n    expires: soon\n");
    assert!(e.is_err());
}

#[test]
fn inline_waivers_are_opt_in() {
    let yaml = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    skyform.dev/waive: POD-001\nspec:\n  containers:\n    - name: a\n      securityContext: {privileged: true}\n";
    assert_eq!(findings(yaml, "POD-001").len(), 1);
    let options = Options { inline_waivers: true, ..Options::default() };
    let r = check(&[("t.yaml", yaml)], &options);
    assert!(r.findings.iter().all(|f| f.rule != "POD-001"));
}

#[test]
fn unix_days_to_date() {
    assert_eq!(Date::from_unix_days(0).to_string(), "1970-01-01");
    assert_eq!(Date::from_unix_days(20_454).to_string(), "2026-01-01");
    assert_eq!(Date::from_unix_days(19_782).to_string(), "2024-02-29");
}

#[test]
fn missing_references_only_when_the_kind_could_be_present() {
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n      envFrom:\n        - secretRef: {name: creds}\n";
    assert!(findings(pod, "REF-007").is_empty(), "no Secret in the input: unknowable");
    let with_other = format!("{pod}---\napiVersion: v1\nkind: Secret\nmetadata: {{name: other}}\n");
    // By default WRK-003 reports it (as an error) and REF-007 stays quiet; with WRK-003
    // off, REF-007 reports it.
    assert_eq!(findings(&with_other, "WRK-003").len(), 1);
    assert!(findings(&with_other, "REF-007").is_empty(), "said once, by WRK-003");
    let options = Options { disable: vec!["WRK-003".to_string()], ..Options::default() };
    let without = check(&[("t.yaml", with_other.as_str())], &options);
    assert_eq!(without.findings.iter().filter(|f| f.rule == "REF-007").count(), 1);
    let produced =
        format!("{with_other}---\napiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata: {{name: creds}}\n");
    assert!(findings(&produced, "REF-007").is_empty(), "a SealedSecret produces it");
    assert!(findings(&produced, "WRK-003").is_empty(), "a SealedSecret produces it");
}

#[test]
fn sarif_has_levels_and_regions() {
    let yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n      securityContext: {privileged: true}\n";
    let r = check(&[("t.yaml", yaml)], &Options::default());
    let v: serde_json::Value = serde_json::from_str(&output::sarif(&r, "0.1.0")).unwrap_or_default();
    assert_eq!(v["version"], "2.1.0");
    let results = v["runs"][0]["results"].as_array().cloned().unwrap_or_default();
    assert!(!results.is_empty());
    for res in &results {
        assert!(matches!(res["level"].as_str(), Some("error" | "warning" | "note")));
        assert!(res["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64().unwrap_or(0) >= 1);
    }
    let privileged = results.iter().find(|r| r["ruleId"] == "POD-001").cloned().unwrap_or_default();
    assert_eq!(privileged["locations"][0]["physicalLocation"]["region"]["startLine"], 7);
    assert_eq!(privileged["level"], "error");
}

#[test]
fn text_output_is_grouped_and_quotes_the_line() {
    let yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n      securityContext: {privileged: true}\n";
    let r = check(&[("t.yaml", yaml)], &Options { enable: vec![], disable: vec![], ..Options::default() });
    let t = output::text(&r, &[("t.yaml", yaml)], false);
    assert!(t.contains("error[POD-001 privileged-container]: container `a` runs privileged"), "{t}");
    assert!(t.contains("--> t.yaml:7:25 (Pod/default/p)"), "{t}");
    assert!(t.lines().last().is_some_and(|l| l.starts_with("failed:")));
}

#[test]
fn syntax_errors_are_load_errors() {
    let r = check(&[("bad.yaml", "a: [\n")], &Options::default());
    assert_eq!(r.errors.len(), 1);
    assert_eq!(r.errors[0].file, "bad.yaml");
}

#[test]
fn lists_are_expanded_and_non_objects_skipped() {
    let yaml = "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: a}\n---\nfoo: bar\n";
    let r = check(&[("t.yaml", yaml)], &Options::default());
    assert_eq!((r.objects, r.skipped_documents), (1, 1));
}
