//! Every generated file is `terraform fmt`-clean, and rendering is deterministic.

mod common;

use skyform_terraform::Format;
use std::process::Command;

#[test]
fn terraform_fmt_accepts_everything_generated() {
    let dir = tempfile::tempdir().expect("tempdir");
    let all = common::render_all(Format::Terraform);
    assert!(!all.is_empty());
    for (example, _, _, files) in &all {
        common::write(&dir.path().join(example), files);
    }
    let out = Command::new("terraform")
        .args(["fmt", "-check", "-recursive", "-diff"])
        .arg(dir.path())
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .env("CHECKPOINT_DISABLE", "1")
        .output();
    let out = match out {
        Ok(o) => o,
        Err(e) => panic!(
            "terraform is required for this test and could not be run ({e}); install Terraform >= 1.5 (see scripts/setup-tools)"
        ),
    };
    assert!(
        out.status.success(),
        "terraform fmt -check found unformatted files:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn rendering_is_deterministic() {
    assert_eq!(common::render_all(Format::Terraform), common::render_all(Format::Terraform));
}
