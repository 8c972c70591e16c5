//! Golden snapshots: both examples × every provider, production environment, Terraform
//! and Pulumi YAML. Each snapshot is the whole file set, one `# ==> path` header per file.

mod common;

use skyform_model::ProviderName;
use skyform_terraform::{Files, Format};

fn joined(files: &Files) -> String {
    let mut out = String::new();
    for (path, text) in files {
        out.push_str(&format!("# ==> {path}\n{text}\n"));
    }
    out
}

fn snapshots(format: Format, tag: &str) {
    let all = common::render_all(format);
    let mut count = 0;
    for (example, env, provider, files) in &all {
        let production = common::EXAMPLES
            .iter()
            .find(|(n, _)| n == example)
            .map(|(_, t)| common::model(t))
            .and_then(|m| m.environment(env).map(|e| e.production))
            .unwrap_or(false);
        if !production {
            continue;
        }
        let name = format!("{tag}__{example}__{env}__{}", skyform_terraform::provider_key(*provider));
        insta::assert_snapshot!(name, joined(files));
        count += 1;
    }
    assert_eq!(count, 2 * common::PROVIDERS.len(), "one production snapshot per example and provider");
}

#[test]
fn terraform_golden() {
    snapshots(Format::Terraform, "terraform");
}

#[test]
fn pulumi_golden() {
    snapshots(Format::Pulumi, "pulumi");
}

#[test]
fn pulumi_renders_a_yaml_program_and_stack() {
    let m = common::model(common::EXAMPLES[0].1);
    let env = &m.environments[0];
    let files = skyform_terraform::render_format(Format::Pulumi, &m, env, ProviderName::Aws, None).expect("renders");
    let paths: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
    let d = format!("pulumi/{}/aws", env.name);
    let mut want = [format!("{d}/Pulumi.yaml"), format!("{d}/Pulumi.{}.yaml", env.name)];
    want.sort();
    assert_eq!(paths, want);
    assert!(files.iter().any(|(p, t)| p.ends_with("/Pulumi.yaml") && t.contains("runtime: yaml")));
    let again = skyform_terraform::render_format(Format::Pulumi, &m, env, ProviderName::Aws, None).expect("renders");
    assert_eq!(files, again, "deterministic");
    assert!(skyform_terraform::render_pulumi(&m, env, ProviderName::K3s, None).expect("renders").is_empty());
}

#[test]
fn k3s_has_no_cloud_to_provision() {
    let m = common::model(common::EXAMPLES[0].1);
    let env = &m.environments[0];
    assert!(skyform_terraform::render(&m, env, ProviderName::K3s, None).expect("renders").is_empty());
}
