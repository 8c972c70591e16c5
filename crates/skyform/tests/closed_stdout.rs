//! Every command that prints data ends quietly when its reader has gone away
//! (`skyform … | head -c 1`): no panic, no exit 101, no "failed printing" message.
//!
//! The test hands each command a pipe whose read end is already closed, so the very first
//! write fails with `EPIPE`, deterministically.

use std::path::PathBuf;
use std::process::{Command, Stdio};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `skyform args…` with stdout connected to a pipe nobody reads.
fn run_with_closed_stdout(args: &[&str]) -> std::process::Output {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    Command::new(env!("CARGO_BIN_EXE_skyform"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .expect("runs")
}

#[test]
fn no_command_panics_on_a_closed_stdout() {
    let health = "examples/health-platform/platform.yaml";
    let commands: &[&[&str]] = &[
        &["render", health, "--env", "production", "--provider", "aws", "--allow-findings"],
        &["render", health, "--env", "production", "--provider", "aws", "-o", "-", "--allow-findings"],
        &["plan", health, "--env", "production"],
        &["plan", health, "--env", "production", "-o", "json"],
        &["explain", health, "--env", "production"],
        &["explain", health, "--env", "production", "-o", "yaml"],
        &["graph", health, "--env", "production", "--provider", "aws"],
        &["dr", health, "--env", "production"],
        &["compliance", health, "--env", "production"],
        &["check", "--list-rules"],
        &["check", "crates/skyform-check/test-data"],
        &["schema"],
        &["init", "-"],
        &["import", "examples/health-platform/docker-compose.yml", "-o", "-"],
        &["completions", "bash"],
        &["--help"],
    ];
    for args in commands {
        let out = run_with_closed_stdout(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_ne!(out.status.code(), Some(101), "`skyform {}` panicked:\n{stderr}", args.join(" "));
        assert!(!stderr.contains("panicked"), "`skyform {}` panicked:\n{stderr}", args.join(" "));
        assert!(!stderr.contains("failed printing"), "`skyform {}`:\n{stderr}", args.join(" "));
        assert!(!stderr.contains("Broken pipe"), "`skyform {}` reported the closed pipe:\n{stderr}", args.join(" "));
    }
}
