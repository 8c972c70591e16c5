//! Every add-on object of both examples, in every environment on every provider, plus the
//! GitOps bootstrap objects, validated by `scripts/validate-manifests` (kubernetes-validate
//! --strict for built-in kinds, the `@kubernetes-models/*` CRD validators, Velero's JSON
//! Schema). Fails — never skips — when the tools are missing: run `scripts/setup-tools`.

mod common;

use common::examples;
use skyform_render::objects::provider_name;
use skyform_render::output::stream;
use std::path::PathBuf;
use std::process::Command;

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn addon_objects_validate() {
    let root = repo_root();
    let script = root.join("scripts/validate-manifests");
    assert!(script.is_file(), "{} is missing", script.display());
    let dir = std::env::temp_dir().join(format!("skyform-addons-validate-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut count = 0;
    for (name, m) in examples() {
        for p in m.providers.iter().map(|p| p.name) {
            for env in &m.environments {
                let objs = skyform_addons::objects(&m, env, p);
                count += objs.len();
                let file = dir.join(format!("{name}-{}-{}.yaml", env.name, provider_name(p)));
                std::fs::write(&file, stream(&objs)).expect("write");
            }
            let boot = skyform_addons::bootstrap_objects(&m, p);
            count += boot.len();
            std::fs::write(dir.join(format!("{name}-bootstrap-{}.yaml", provider_name(p))), stream(&boot))
                .expect("write");
        }
    }
    assert!(count > 100, "only {count} objects rendered");
    let out = Command::new(&script)
        .arg("--k8s-version")
        .arg("1.31")
        .arg(&dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}; run scripts/setup-tools", script.display()));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success(),
        "validate-manifests failed ({}); run scripts/setup-tools if tools are missing\n{stdout}\n{stderr}",
        out.status
    );
    assert!(stderr.contains(" 0 invalid"), "{stderr}");
    assert!(stderr.contains(" 0 unchecked"), "{stderr}");
    eprintln!("{stderr}");
}
