//! No render format ever writes a credential value: a platform whose plain `env:` carries
//! canary credentials (URL password, Bearer token, GitHub token, AWS key id) is rendered in
//! all six formats; each either refuses with a located credential finding and writes
//! nothing, or writes output that holds none of the canaries.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

const CANARIES: &[&str] =
    &["CanaryPw9x7q", "Canary0123456789tok", "ghp_Canary0123456789abcdefghijABCDEFGH", "AKIACANARYCANARY1234"];

fn platform() -> String {
    let starter = include_str!("../starter.yaml");
    let env = "      env:\n        DATABASE_URL: \"postgres://app:CanaryPw9x7q@db:5432/app\"\n        WEBHOOK_AUTH: \"Bearer Canary0123456789tok\"\n        GH_REF: ghp_Canary0123456789abcdefghijABCDEFGH\n        KEY_REF: AKIACANARYCANARY1234\n";
    let anchor = "      secrets: [DATABASE_PASSWORD]";
    assert!(starter.contains(anchor), "the starter file changed; update the canary test");
    starter.replacen(anchor, &format!("{env}{anchor}"), 1)
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

#[test]
fn no_format_writes_a_credential() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let file = tmp.path().join("platform.yaml");
    std::fs::write(&file, platform()).expect("write platform");
    for format in ["k8s", "helm", "kustomize", "gitops", "terraform", "pulumi"] {
        let out_dir = tmp.path().join(format!("out-{format}"));
        let out = Command::cargo_bin("skyform")
            .expect("binary builds")
            .env("NO_COLOR", "1")
            .args(["render", file.to_str().unwrap_or_default(), "--env", "production", "--provider", "aws"])
            .args(["--format", format, "--out", out_dir.to_str().unwrap_or_default()])
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let stdout = String::from_utf8_lossy(&out.stdout);
        for c in CANARIES {
            assert!(!stdout.contains(c), "{format}: stdout holds canary {c}");
            // Messages name the credential's kind and place, never its value (CI logs).
            assert!(!stderr.contains(c), "{format}: stderr holds canary {c}:\n{stderr}");
        }
        let mut written = Vec::new();
        files_under(&out_dir, &mut written);
        if out.status.code() == Some(0) {
            for p in &written {
                let text = std::fs::read_to_string(p).unwrap_or_default();
                for c in CANARIES {
                    assert!(!text.contains(c), "{format}: {} holds canary {c}", p.display());
                }
            }
        } else {
            assert_eq!(out.status.code(), Some(1), "{format}: {stderr}");
            assert!(written.is_empty(), "{format}: refused but wrote {written:?}");
            assert!(
                stderr.contains("WRK-011") && stderr.contains("GitHub token"),
                "{format}: refused without naming the credential:\n{stderr}"
            );
        }
    }
}

#[test]
fn validate_reports_credentials_located_in_the_platform_file() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let file = tmp.path().join("platform.yaml");
    let text = platform();
    std::fs::write(&file, &text).expect("write platform");
    let out = Command::cargo_bin("skyform")
        .expect("binary builds")
        .env("NO_COLOR", "1")
        .args(["validate", file.to_str().unwrap_or_default()])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let line = text.lines().position(|l| l.contains("CanaryPw9x7q")).map_or(0, |i| i + 1);
    assert!(stderr.contains(&format!("platform.yaml:{line}:")), "{stderr}");
    assert!(stderr.contains("a password in URL userinfo"), "{stderr}");
    assert!(stderr.contains("a GitHub token") && stderr.contains("an AWS access key id"), "{stderr}");
}
