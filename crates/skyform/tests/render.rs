//! CLI tests of `skyform render` and `skyform graph`: stdout stream, atomic tree output
//! that never touches anything outside the output folder, and errors that change nothing.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn skyform() -> Command {
    let mut c = Command::cargo_bin("skyform").expect("binary builds");
    c.env("NO_COLOR", "1").current_dir(root());
    c
}

const HEALTH: &str = "examples/health-platform/platform.yaml";

fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("readable") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).expect("inside").display().to_string());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn stream_on_stdout_is_deterministic() {
    let run = || skyform().args(["render", HEALTH, "--env", "production", "--provider", "aws"]).output().expect("runs");
    let a = run();
    assert_eq!(a.status.code(), Some(0), "{}", String::from_utf8_lossy(&a.stderr));
    let text = String::from_utf8_lossy(&a.stdout);
    assert!(text.starts_with("---\napiVersion: "), "{}", &text[..80.min(text.len())]);
    assert!(text.contains("kind: NetworkPolicy"));
    assert_eq!(a.stdout, run().stdout);
    let dash = skyform().args(["render", HEALTH, "-e", "production", "-p", "aws", "-o", "-"]).output().expect("runs");
    assert_eq!(dash.stdout, a.stdout);
}

#[test]
fn tree_is_replaced_atomically_and_nothing_else_is_touched() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("deploy");
    std::fs::create_dir_all(&out).expect("mkdir");
    std::fs::write(out.join("stale.yaml"), "old").expect("write");
    std::fs::write(tmp.path().join("sibling.txt"), "keep").expect("write");
    let o = skyform()
        .args(["render", HEALTH, "--env", "dev", "--provider", "k3s", "--out"])
        .arg(&out)
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(o.stdout.is_empty());
    let files = files_under(&out);
    assert!(!files.contains(&"stale.yaml".to_string()), "the old tree is replaced");
    assert!(files.contains(&"cluster/namespace-health-platform-api.yaml".to_string()), "{files:?}");
    assert!(files.contains(&"health-platform-api/deployment-health-api.yaml".to_string()), "{files:?}");
    let mut top: Vec<String> = std::fs::read_dir(tmp.path())
        .expect("dir")
        .map(|e| e.expect("e").file_name().to_string_lossy().into_owned())
        .collect();
    top.sort();
    assert_eq!(top, ["deploy", "sibling.txt"], "no staging folders left behind");
    assert_eq!(std::fs::read_to_string(tmp.path().join("sibling.txt")).expect("read"), "keep");

    // An error changes nothing.
    let before = files_under(&out);
    let bad = skyform()
        .args(["render", HEALTH, "--env", "nope", "--provider", "k3s", "--out"])
        .arg(&out)
        .output()
        .expect("runs");
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no environment `nope`"));
    assert_eq!(files_under(&out), before);
}

#[test]
fn undeclared_provider_is_bad_input_with_hint() {
    let o = skyform()
        .args(["render", "examples/resimate/platform.yaml", "-e", "dev", "-p", "linode"])
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("not a target") && err.contains("aws, gcp, azure, k3s"), "{err}");
}

#[test]
fn kind_needs_no_declaration_and_creates_no_infrastructure() {
    let o = skyform()
        .args(["render", "examples/resimate/platform.yaml", "-e", "production", "-p", "kind"])
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("selfSigned: {}"), "a self-signed issuer");
    assert!(!text.contains("kind: HorizontalPodAutoscaler"), "one replica, no HPA");
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("tf");
    let o = skyform()
        .args(["render", HEALTH, "-e", "dev", "-p", "kind", "--format", "terraform", "--out"])
        .arg(&out)
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("local cluster") && err.contains("kind create cluster"), "{err}");
    assert!(!out.exists());
}

#[test]
fn operator_namespaces_are_created_and_the_chart_depends_on_pinned_prerequisites() {
    let o = skyform().args(["render", HEALTH, "--env", "production", "--provider", "aws"]).output().expect("runs");
    let text = String::from_utf8_lossy(&o.stdout);
    for ns in ["monitoring", "velero", "cert-manager", "external-secrets", "ingress-nginx"] {
        assert!(text.contains(&format!("kind: Namespace\nmetadata:\n  name: {ns}\n")), "Namespace {ns}");
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("chart");
    let o =
        skyform().args(["render", HEALTH, "-p", "aws", "--format", "helm", "--out"]).arg(&out).output().expect("runs");
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let chart = std::fs::read_to_string(out.join("Chart.yaml")).expect("Chart.yaml");
    assert!(chart.contains("repository: https://charts.jetstack.io\n    version: v1.21.2"), "{chart}");
    assert!(chart.contains("condition: kube-prometheus-stack.enabled"), "{chart}");
}

#[test]
fn graph_prints_the_allowed_edges() {
    let o = skyform().args(["graph", HEALTH, "--env", "dev", "--provider", "k3s"]).output().expect("runs");
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let m = String::from_utf8_lossy(&o.stdout);
    assert!(m.starts_with("flowchart LR\n"));
    assert!(m.contains("n_health_api -->|\"5432/TCP\"| n_postgres_health"), "{m}");
    let d = skyform()
        .args(["graph", HEALTH, "--env", "dev", "--provider", "aws", "--format", "dot"])
        .output()
        .expect("runs");
    let dot = String::from_utf8_lossy(&d.stdout);
    assert!(dot.starts_with("digraph traffic {"));
    // On aws postgres-health is managed: the API talks to the private network instead.
    assert!(dot.contains("\"health-api\" -> \"private-network\" [label=\"5432/TCP\"]"), "{dot}");
}

/// The health example with Gateway API exposure renders in every format (each one passes
/// the render gate's `check`), the plain tree passes `skyform check`, and its traffic graph
/// has the same exposed edges as the Ingress variant, from the Gateway's Envoy pods.
#[test]
fn gateway_exposure_renders_in_every_format_and_graphs_like_the_ingress() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string(root().join(HEALTH)).expect("example");
    let gateway = tmp.path().join("platform.yaml");
    std::fs::write(&gateway, text.replace("controller: nginx", "controller: envoy-gateway")).expect("write");
    for (env, provider) in [("production", "aws"), ("dev", "k3s")] {
        for format in ["k8s", "helm", "kustomize"] {
            let out = tmp.path().join(format!("{env}-{provider}-{format}"));
            let o = skyform()
                .arg("render")
                .arg(&gateway)
                .args(["--env", env, "--provider", provider, "--format", format, "--out"])
                .arg(&out)
                .output()
                .expect("runs");
            assert_eq!(o.status.code(), Some(0), "{format}: {}", String::from_utf8_lossy(&o.stderr));
            if format == "k8s" {
                let files = files_under(&out);
                assert!(files.iter().any(|f| f.ends_with("gateway-health-platform.yaml")), "{files:?}");
                assert!(files.iter().any(|f| f.ends_with("httproute-health-api.yaml")), "{files:?}");
                assert!(!files.iter().any(|f| f.contains("/ingress-")), "{files:?}");
                let check = skyform().arg("check").arg(&out).args(["--fail-on", "error"]).output().expect("runs");
                assert_eq!(check.status.code(), Some(0), "{}", String::from_utf8_lossy(&check.stdout));
            }
        }
        let edges = |file: &Path, from: &str| -> Vec<String> {
            let o =
                skyform().arg("graph").arg(file).args(["--env", env, "--provider", provider]).output().expect("runs");
            assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
            let prefix = format!("  {from} -->");
            let mut e: Vec<String> = String::from_utf8_lossy(&o.stdout)
                .lines()
                .filter_map(|l| l.strip_prefix(&prefix).map(str::to_string))
                .collect();
            e.sort();
            e
        };
        let compliance = skyform().arg("compliance").arg(&gateway).args(["--env", env]).output().expect("runs");
        let report = String::from_utf8_lossy(&compliance.stdout);
        assert!(report.contains("- Gateway health-platform-gateway/health-platform"), "TLS evidence:\n{report}");
        let via_gateway = edges(&gateway, "n_gateway");
        assert!(!via_gateway.is_empty());
        assert_eq!(via_gateway, edges(&root().join(HEALTH), "n_ingress_controller"), "{env} {provider}");
    }
}

#[test]
fn validate_warns_about_retired_components_and_still_succeeds() {
    let o = skyform().args(["validate", HEALTH]).output().expect("runs");
    assert_eq!(o.status.code(), Some(0));
    let err = String::from_utf8_lossy(&o.stderr);
    for want in [
        "warning[SF401]: ingress-nginx (ingress controller) is retired since 2026-03",
        "hint: use the Gateway API with Envoy Gateway",
        "warning[SF401]: MinIO community edition",
        "hint: use an S3-compatible store still published as images",
        "examples/health-platform/platform.yaml:17:",
    ] {
        assert!(err.contains(want), "missing `{want}` in:\n{err}");
    }
    let strict = skyform().args(["validate", "--strict", HEALTH]).output().expect("runs");
    assert_eq!(strict.status.code(), Some(1), "--strict turns the warnings into findings");
}
