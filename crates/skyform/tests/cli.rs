//! End-to-end tests of the binary: exit codes, stdout/stderr split, written files. The
//! text of messages is pinned by the snapshots of `tests/messages.rs`.

use assert_cmd::Command;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn skyform() -> Command {
    let mut c = Command::cargo_bin("skyform").expect("binary builds");
    c.env("NO_COLOR", "1").current_dir(root());
    c
}

#[test]
fn validate_examples_succeeds() {
    for ex in ["examples/health-platform/platform.yaml", "examples/resimate/platform.yaml"] {
        let out = skyform().args(["validate", ex]).output().expect("runs");
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(out.stdout.is_empty(), "validate prints messages on stderr only");
        assert!(String::from_utf8_lossy(&out.stderr).contains("is valid"));
    }
}

#[test]
fn invalid_file_exits_2_with_location() {
    let f = "crates/skyform-model/test-data/invalid/many-errors-at-once.yaml";
    let out = skyform().args(["validate", f]).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("--> {f}:12:25")), "{err}");
    assert!(!err.contains('\x1b'), "NO_COLOR disables colour");
}

#[test]
fn explain_shows_resolved_environment_as_json() {
    let out = skyform()
        .args(["explain", "examples/health-platform/platform.yaml", "--env", "dev", "--output", "json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json on stdout");
    assert_eq!(v["name"], "dev");
    let api = v["services"].as_array().and_then(|s| s.iter().find(|x| x["name"] == "health-api")).cloned();
    let api = api.expect("health-api present");
    assert_eq!(api["replicas"]["min"], 2);
    assert_eq!(api["replicas"]["max"], 2, "dev collapses ranges to their minimum");
    let prod = skyform()
        .args(["explain", "examples/health-platform/platform.yaml", "--env", "production", "-o", "json"])
        .output()
        .expect("runs");
    let v: serde_json::Value = serde_json::from_slice(&prod.stdout).expect("json");
    let api = v["services"].as_array().and_then(|s| s.iter().find(|x| x["name"] == "health-api")).cloned();
    assert_eq!(api.expect("present")["replicas"]["max"], 10, "production override applies");
}

#[test]
fn schema_matches_checked_in_file() {
    let out = skyform().arg("schema").output().expect("runs");
    let on_disk = std::fs::read(root().join("schema/platform.schema.json")).expect("schema file");
    assert_eq!(out.stdout, on_disk);
}

#[test]
fn init_writes_a_valid_starter_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let target = dir.path().join("platform.yaml");
    let t = target.to_str().expect("utf-8 path");
    skyform().args(["init", t]).assert().success();
    let starter = std::fs::read_to_string(&target).expect("written");
    assert!(starter.contains("controller: envoy-gateway"), "new files expose through the Gateway API");
    assert!(starter.contains("stack: loki-fluent-bit"), "new files ship logs with a maintained agent");
    let v = skyform().args(["validate", t]).output().expect("runs");
    assert_eq!(v.status.code(), Some(0));
    let err = String::from_utf8_lossy(&v.stderr);
    assert!(
        !err.contains("SF401"),
        "the starter chooses only maintained components:
{err}"
    );
    let again = skyform().args(["init", t]).output().expect("runs");
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
}

#[test]
fn completions_are_generated() {
    let out = skyform().args(["completions", "bash"]).output().expect("runs");
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("skyform"));
}

#[test]
fn check_finds_located_problems_and_speaks_sarif() {
    let b = "crates/skyform/tests/data/privileged-deployment.yaml";
    let out = skyform().args(["check", b]).output().expect("runs");
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("privileged-deployment.yaml:12:"), "privileged is located on its line: {text}");
    let sarif = skyform().args(["check", b, "--output", "sarif"]).output().expect("runs");
    let v: serde_json::Value = serde_json::from_slice(&sarif.stdout).expect("SARIF is JSON");
    assert_eq!(v["version"], "2.1.0");
    assert!(v["runs"][0]["results"].as_array().is_some_and(|r| !r.is_empty()));
}

#[test]
fn render_then_check_is_clean_and_plan_is_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let o = out.to_str().expect("utf-8");
    skyform()
        .args(["render", "examples/resimate/platform.yaml", "--env", "production", "--provider", "gcp", "--out", o])
        .assert()
        .success();
    let check = skyform().args(["check", o, "--fail-on", "error"]).output().expect("runs");
    assert_eq!(check.status.code(), Some(0), "{}", String::from_utf8_lossy(&check.stdout));
    let plan = skyform()
        .args(["plan", "examples/health-platform/platform.yaml", "--env", "production", "--output", "json"])
        .output()
        .expect("runs");
    assert_eq!(plan.status.code(), Some(0), "{}", String::from_utf8_lossy(&plan.stderr));
    let _: serde_json::Value = serde_json::from_slice(&plan.stdout).expect("plan JSON on stdout");
}

#[test]
fn import_output_validates() {
    let imported =
        skyform().args(["import", "examples/health-platform/docker-compose.yml", "--out", "-"]).output().expect("runs");
    assert_eq!(imported.status.code(), Some(0), "{}", String::from_utf8_lossy(&imported.stderr));
    let mut validate = skyform();
    validate.args(["validate", "-"]).write_stdin(imported.stdout);
    validate.assert().success();
}

#[test]
fn dr_and_compliance_run_on_the_examples() {
    for cmd in ["dr", "compliance"] {
        let out = skyform()
            .args([cmd, "examples/health-platform/platform.yaml", "--env", "production"])
            .output()
            .expect("runs");
        assert!(matches!(out.status.code(), Some(0 | 1)), "{cmd}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(!out.stdout.is_empty(), "{cmd} prints a report");
    }
}

#[test]
fn apply_dry_run_plans_every_rendered_object_and_the_releases() {
    let dir = tempfile::tempdir().expect("tempdir");
    let releases = dir.path().join("releases.yaml");
    std::fs::write(&releases, "- name: local\n  namespace: tools\n  chart: ./charts/local\n").unwrap();
    for (ex, env) in
        [("examples/health-platform/platform.yaml", "production"), ("examples/resimate/platform.yaml", "production")]
    {
        for provider in ["aws", "k3s"] {
            let render =
                skyform().args(["render", ex, "--env", env, "--provider", provider, "-o", "-"]).output().unwrap();
            assert_eq!(render.status.code(), Some(0), "{}", String::from_utf8_lossy(&render.stderr));
            let rendered = String::from_utf8_lossy(&render.stdout).lines().filter(|l| l.starts_with("kind: ")).count();
            let plan = skyform()
                .args(["apply", ex, "--env", env, "--provider", provider, "--dry-run", "--releases"])
                .arg(&releases)
                .output()
                .unwrap();
            assert_eq!(plan.status.code(), Some(0), "{}", String::from_utf8_lossy(&plan.stderr));
            let text = String::from_utf8_lossy(&plan.stdout);
            let objects = text.lines().filter(|l| l.starts_with("  ") && !l.starts_with("  Release ")).count();
            assert_eq!(objects, rendered, "{ex} {provider}: every rendered object is planned\n{text}");
            // Releases after the first wave, in their own waves (wave 0 before wave 1).
            let at = |needle: &str| text.find(needle).unwrap_or_else(|| panic!("no `{needle}` in\n{text}"));
            // `--releases` replaces the version table's releases; they are installed after
            // the cluster wave, before any custom resource.
            assert!(at("wave cluster") < at("releases 1 (1 releases)"), "{text}");
            assert!(at("  Release tools/local: ./charts/local serving -") < at("wave config"), "{text}");
            assert!(!text.contains("  Release cert-manager/"), "{text}");
            // Without it, the version table's releases for the object set (cert-manager
            // serves the Certificates), after the cluster wave and before the custom resources.
            let plan =
                skyform().args(["apply", ex, "--env", env, "--provider", provider, "--dry-run"]).output().unwrap();
            let text = String::from_utf8_lossy(&plan.stdout);
            let at = |needle: &str| text.find(needle).unwrap_or_else(|| panic!("no `{needle}` in\n{text}"));
            assert!(at("wave cluster") < at("  Release cert-manager/cert-manager: cert-manager "), "{text}");
            assert!(at("  Release cert-manager/cert-manager: ") < at("wave config"), "{text}");
        }
    }
}

#[test]
fn apply_store_credential_values_never_come_from_the_command_line() {
    let out = skyform()
        .args(["apply", "examples/health-platform/platform.yaml", "--env", "dev", "--dry-run"])
        .args(["--store-credential", "external-secrets/vault-token:token=s.12345"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "the message is in tests/messages.rs' snapshots");
    let out = skyform()
        .args(["apply", "examples/health-platform/platform.yaml", "--env", "dev", "--dry-run"])
        .args(["--store-credential", "vault-token=env:SKYFORM_TEST_UNSET_VARIABLE"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("NAMESPACE/NAME:KEY"));
}

#[test]
fn readme_and_help_agree_on_the_rule_count() {
    let listed = skyform().args(["check", "--list-rules"]).output().expect("runs");
    let n = String::from_utf8_lossy(&listed.stdout).lines().count();
    assert_eq!(n, skyform_check::ALL_RULES.len());
    let help = skyform().args(["--help"]).output().expect("runs");
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains(&format!("against {n} rules")), "--help does not say {n} rules:\n{help}");
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README");
    assert!(readme.contains(&format!("| {n} rules over any Kubernetes YAML")), "README does not say {n} rules");
}
