//! `skyform dr --migrate FROM:TO`: every `skyform` command of the runbook runs (in a
//! folder holding the platform file as `platform.yaml`), and every folder the runbook's
//! `terraform -chdir=…` and `kubectl … -f …` commands name is one those commands wrote.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn skyform(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("skyform").expect("binary builds");
    c.env("NO_COLOR", "1").current_dir(dir);
    c
}

/// Lines inside ```sh fences.
fn shell_lines(md: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in md.lines() {
        if line.starts_with("```") {
            inside = line.trim() == "```sh";
            continue;
        }
        if inside {
            out.push(line.trim().to_owned());
        }
    }
    out
}

fn check(example: &str, from: &str, to: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::copy(root().join("examples").join(example).join("platform.yaml"), dir.path().join("platform.yaml"))
        .expect("copy");
    let out =
        skyform(dir.path()).args(["dr", "platform.yaml", "--migrate", &format!("{from}:{to}")]).output().expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let md = String::from_utf8(out.stdout).expect("utf-8");
    let lines = shell_lines(&md);
    let mut ran = 0;
    for line in lines.iter().filter(|l| l.starts_with("skyform ")) {
        let args: Vec<&str> = line.split_whitespace().skip(1).collect();
        let out = skyform(dir.path()).args(&args).output().expect("runs");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{example} {from}->{to}: `{line}` failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        ran += 1;
    }
    assert!(ran >= 2, "{example} {from}->{to}: the runbook runs skyform at least twice:\n{md}");
    // Every folder a later command uses was written.
    for line in &lines {
        for word in line.split_whitespace() {
            let path = word.strip_prefix("-chdir=").or_else(|| (word.starts_with("deploy/")).then_some(word));
            if let Some(p) = path {
                assert!(
                    dir.path().join(p).is_dir(),
                    "{example} {from}->{to}: `{p}` (in `{line}`) was not written:\n{md}"
                );
            }
        }
    }
}

#[test]
fn every_skyform_command_of_the_migration_runbooks_runs() {
    check("health-platform", "digitalocean", "aws");
    check("health-platform", "aws", "hetzner");
    check("resimate", "k3s", "gcp");
    check("resimate", "azure", "k3s");
}
