//! Every message the CLI shows a person, pinned with insta: each command's `--help`, the
//! main errors (bad input, unknown environment or provider, missing flags, an unreadable
//! kubeconfig, an unreachable cluster), and the reports. A change of wording shows up in
//! review as a snapshot diff.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs skyform from the repository root without colour; returns exit code and both
/// streams, with `dir` (a temporary folder) written as `$TMP`.
fn run(args: &[&str], dir: Option<&Path>) -> String {
    let out = Command::cargo_bin("skyform")
        .expect("binary builds")
        .env("NO_COLOR", "1")
        .env_remove("KUBECONFIG")
        .current_dir(root())
        .args(args)
        .output()
        .expect("runs");
    let mut text = format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if let Some(d) = dir {
        text = text.replace(&d.display().to_string(), "$TMP");
    }
    text
}

const COMMANDS: &[&str] = &[
    "validate",
    "explain",
    "import",
    "render",
    "graph",
    "check",
    "plan",
    "dr",
    "compliance",
    "apply",
    "diff",
    "history",
    "rollback",
    "schema",
    "init",
    "completions",
];

#[test]
fn help_of_every_command() {
    insta::assert_snapshot!("help", run(&["--help"], None));
    for cmd in COMMANDS {
        insta::assert_snapshot!(format!("help-{cmd}"), run(&[cmd, "--help"], None));
    }
}

const HEALTH: &str = "examples/health-platform/platform.yaml";

/// A folder holding `skyform init`'s starter (two environments, two providers, no
/// warnings), so that error snapshots show only the error.
fn starter() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("platform.yaml");
    let f = file.to_str().expect("utf-8").to_string();
    Command::cargo_bin("skyform").expect("binary").args(["init", &f]).assert().success();
    (dir, f)
}

#[test]
fn bad_input_messages() {
    let (dir, f) = starter();
    let f = f.as_str();
    let cases: &[(&str, &[&str])] = &[
        ("missing-file", &["validate", "does/not/exist.yaml"]),
        ("invalid-file", &["validate", "crates/skyform-model/test-data/invalid/many-errors-at-once.yaml"]),
        ("unknown-environment", &["explain", f, "--env", "qa"]),
        ("unknown-provider", &["render", f, "--env", "dev", "--provider", "nope"]),
        ("undeclared-provider", &["render", f, "--env", "dev", "--provider", "hetzner"]),
        ("provider-required", &["render", f, "--env", "dev"]),
        ("environment-required", &["render", f, "--provider", "aws"]),
        ("apply-needs-env", &["apply", f]),
        ("bad-migration", &["dr", f, "--migrate", "aws"]),
        ("already-exists", &["init", f]),
        ("unknown-subcommand", &["frobnicate"]),
        (
            "store-credential-on-command-line",
            &[
                "apply",
                f,
                "--env",
                "dev",
                "--dry-run",
                "--store-credential",
                "external-secrets/vault-token:token=s.12345",
            ],
        ),
    ];
    for (name, args) in cases {
        insta::assert_snapshot!(format!("error-{name}"), run(args, Some(dir.path())));
    }
}

#[test]
fn cluster_errors_render_with_their_hints() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("bad.kubeconfig");
    std::fs::write(&bad, "this: [is not a kubeconfig").expect("write");
    let b = bad.to_str().expect("utf-8");
    insta::assert_snapshot!(
        "error-bad-kubeconfig",
        run(&["history", "--platform", "shop", "--env", "dev", "--kubeconfig", b], Some(dir.path()))
    );
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("port");
    let down = dir.path().join("down.kubeconfig");
    std::fs::write(
        &down,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:{port}\n    insecure-skip-tls-verify: true\nusers:\n- name: u\n  user:\n    token: x\ncontexts:\n- name: x\n  context:\n    cluster: c\n    user: u\ncurrent-context: x\n"
        ),
    )
    .expect("write");
    let d = down.to_str().expect("utf-8");
    let text = run(&["history", "--platform", "shop", "--env", "dev", "--kubeconfig", d], Some(dir.path()));
    let text = text.replace(&port.to_string(), "$PORT");
    // The OS's wording of "connection refused" differs; keep what skyform says.
    let head: String = text.lines().filter(|l| !l.starts_with("error: cannot reach")).collect::<Vec<_>>().join("\n");
    assert!(text.contains("error: cannot reach the cluster at https://127.0.0.1:$PORT/"), "{text}");
    insta::assert_snapshot!("error-unreachable-cluster", head);
}

#[test]
fn reports() {
    insta::assert_snapshot!(
        "report-check",
        run(&["check", "crates/skyform/tests/data/privileged-deployment.yaml"], None)
    );
    insta::assert_snapshot!("report-validate", run(&["validate", HEALTH], None));
    insta::assert_snapshot!("report-dr", run(&["dr", HEALTH, "--env", "production"], None));
    insta::assert_snapshot!("report-compliance", run(&["compliance", HEALTH, "--env", "production"], None));
    insta::assert_snapshot!("report-plan", run(&["plan", HEALTH, "--env", "production", "-p", "aws"], None));
    insta::assert_snapshot!("report-graph", run(&["graph", HEALTH, "--env", "dev"], None));
}

#[cfg(unix)]
#[test]
fn check_walks_folders_with_symlink_loops() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sub = dir.path().join("manifests");
    std::fs::create_dir_all(sub.join(".hidden")).expect("mkdir");
    std::fs::write(sub.join("cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: shop}\n")
        .expect("write");
    std::fs::write(sub.join(".hidden/skipped.yaml"), "not: [yaml").expect("write");
    // A link back to its own folder: a naive recursive walk never ends.
    std::os::unix::fs::symlink(&sub, sub.join("again")).expect("symlink");
    let s = sub.to_str().expect("utf-8");
    insta::assert_snapshot!("report-check-symlink-loop", run(&["check", s], Some(dir.path())));
}
