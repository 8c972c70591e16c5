//! `terraform validate` of the generated AWS modules against the real provider plugin,
//! offline: `terraform init -plugin-dir=DIR` with a local copy of `hashicorp/aws`
//! (provider plugins cannot be downloaded here).
//!
//! The plugin directory is `SKYFORM_TF_PLUGIN_DIR`, else the first of Terraform's
//! implied local mirror directories (`~/.terraform.d/plugins`,
//! `$XDG_DATA_HOME/terraform/plugins`, `/usr/local/share/terraform/plugins`,
//! `/usr/share/terraform/plugins`) holding `registry.terraform.io/hashicorp/aws`. When
//! none has it, the test says so loudly on stderr and checks nothing: the provider-schema
//! test (`tests/schema.rs`) stays the gate. Module folders that need another provider
//! (`random` for managed-database passwords) cannot be initialised offline and are
//! listed as not validated.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use skyform_model::ProviderName;
use skyform_terraform::Format;

fn plugin_dir() -> Option<PathBuf> {
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(d) = std::env::var_os("SKYFORM_TF_PLUGIN_DIR") {
        candidates.push(PathBuf::from(d));
    }
    if let Some(home) = std::env::var_os("HOME") {
        candidates.push(Path::new(&home).join(".terraform.d/plugins"));
    }
    if let Some(x) = std::env::var_os("XDG_DATA_HOME") {
        candidates.push(Path::new(&x).join("terraform/plugins"));
    }
    candidates.push(PathBuf::from("/usr/local/share/terraform/plugins"));
    candidates.push(PathBuf::from("/usr/share/terraform/plugins"));
    candidates.into_iter().find(|d| d.join("registry.terraform.io/hashicorp/aws").is_dir())
}

fn terraform(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new("terraform")
        .args(args)
        .current_dir(dir)
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_IN_AUTOMATION", "1")
        .output()
        .unwrap_or_else(|e| panic!("terraform could not be run ({e})"))
}

#[test]
fn terraform_validate_accepts_the_aws_modules_offline() {
    let Some(plugins) = plugin_dir() else {
        eprintln!(
            "\n=====================================================================\n\
             terraform validate NOT RUN: no local hashicorp/aws provider plugin.\n\
             Set SKYFORM_TF_PLUGIN_DIR to a directory holding\n\
             registry.terraform.io/hashicorp/aws/<version>/<os_arch>/ to run it.\n\
             The offline provider-schema check (tests/schema.rs) is the gate.\n\
             =====================================================================\n"
        );
        return;
    };
    let plugins = plugins.canonicalize().expect("plugin dir");
    let all = common::render_all(Format::Terraform);
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut validated = Vec::new();
    let mut skipped = Vec::new();
    for (example, _, p, files) in &all {
        if *p != ProviderName::Aws {
            continue;
        }
        let base = tmp.path().join(example);
        common::write(&base, files);
        let mut dirs: Vec<String> = files
            .iter()
            .filter(|(path, _)| path.starts_with("modules/") && path.ends_with("/versions.tf"))
            .map(|(path, _)| path.trim_end_matches("/versions.tf").to_owned())
            .collect();
        dirs.sort();
        dirs.dedup();
        for d in dirs {
            let key = format!("{example}/{d}");
            if validated.contains(&key) || skipped.iter().any(|(k, _): &(String, String)| *k == key) {
                continue;
            }
            let versions = std::fs::read_to_string(base.join(&d).join("versions.tf")).expect("versions.tf");
            let others: Vec<&str> = ["hashicorp/random", "hashicorp/tls", "hashicorp/vault"]
                .into_iter()
                .filter(|s| versions.contains(*s))
                .collect();
            if !others.is_empty() {
                skipped.push((key, format!("needs {} (no offline plugin)", others.join(", "))));
                continue;
            }
            let dir = base.join(&d);
            let init = terraform(
                &dir,
                &["init", "-backend=false", "-input=false", &format!("-plugin-dir={}", plugins.display())],
            );
            assert!(
                init.status.success(),
                "{key}: terraform init failed:\n{}{}",
                String::from_utf8_lossy(&init.stdout),
                String::from_utf8_lossy(&init.stderr)
            );
            let v = terraform(&dir, &["validate", "-no-color"]);
            assert!(
                v.status.success(),
                "{key}: terraform validate failed:\n{}{}",
                String::from_utf8_lossy(&v.stdout),
                String::from_utf8_lossy(&v.stderr)
            );
            validated.push(key);
        }
    }
    eprintln!("terraform validate passed ({}): {validated:#?}", plugins.display());
    eprintln!("NOT validated offline: {skipped:#?}");
    assert!(
        validated.iter().any(|k| k.ends_with("modules/kubernetes-cluster/aws")),
        "the EKS module must be validated: {validated:?}"
    );
    assert!(validated.iter().any(|k| k.ends_with("modules/networking/aws")), "{validated:?}");
}
