//! Golden snapshots: both examples × every provider, production environment, Terraform
//! (Pulumi is not implemented yet). Each snapshot is the whole file set, one `# ==> path` header per file.

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
fn pulumi_says_it_is_not_implemented() {
    let m = common::model(common::EXAMPLES[0].1);
    let env = &m.environments[0];
    let r = skyform_terraform::render_pulumi(&m, env, ProviderName::Aws, None);
    assert!(matches!(r, Err(skyform_terraform::Error::NotImplemented(_))));
}

#[test]
fn k3s_has_no_cloud_to_provision() {
    let m = common::model(common::EXAMPLES[0].1);
    let env = &m.environments[0];
    assert!(skyform_terraform::render(&m, env, ProviderName::K3s, None).expect("renders").is_empty());
}
