//! The golden output of `skyform render`: exactly what the command writes for each example
//! in production (the whole object set every format starts from, core objects and
//! add-ons), pinned byte for byte. Any change to what users deploy shows up here as a
//! reviewed snapshot diff; refactors must leave it untouched.

use assert_cmd::Command;
use std::path::PathBuf;

fn render(file: &str, provider: &str) -> String {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = Command::cargo_bin("skyform")
        .expect("binary builds")
        .env("NO_COLOR", "1")
        .current_dir(root)
        .args(["render", file, "--env", "production", "--provider", provider, "-o", "-"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8 YAML")
}

#[test]
fn health_platform_production_aws() {
    insta::assert_snapshot!(render("examples/health-platform/platform.yaml", "aws"));
}

#[test]
fn resimate_production_gcp() {
    insta::assert_snapshot!(render("examples/resimate/platform.yaml", "gcp"));
}
