//! Both examples in production, core and add-on objects together, through `skyform
//! check` (the library) and checkov (from `.tools/`, run by `scripts/setup-tools`; the
//! test fails, never skips, when it is missing). Findings on *add-on* objects fail the
//! test; findings on core objects belong to the core renderer's own tests.

mod common;

use common::{examples, first_provider};
use skyform_render::output::stream;
use std::path::PathBuf;
use std::process::Command;

fn production_streams() -> Vec<(String, String, String)> {
    examples()
        .into_iter()
        .map(|(name, m)| {
            let env = m.environment("production").expect("production");
            let p = first_provider(&m);
            // The whole object set, split: the add-on objects, and everything else (core
            // objects, the prerequisites' manifests and the Namespaces they all use).
            let addons = skyform_addons::objects(&m, env, p);
            let is_addon = |o: &skyform_render::Object| {
                addons.iter().any(|a| a.kind == o.kind && a.name == o.name && a.namespace == o.namespace)
            };
            let rest: Vec<skyform_render::Object> =
                skyform_addons::env_objects(&m, env, p).into_iter().filter(|o| !is_addon(o)).collect();
            (name.to_string(), stream(&rest), stream(&addons))
        })
        .collect()
}

#[test]
fn skyform_check_finds_nothing_in_addon_objects() {
    for (name, core, add) in production_streams() {
        let inputs = [("core.yaml".to_string(), core), ("addons.yaml".to_string(), add)];
        let report = skyform_check::check(&inputs, &skyform_check::Options::default());
        assert!(report.errors.is_empty(), "{name}: {:?}", report.errors);
        let mine: Vec<String> = report
            .findings
            .iter()
            .filter(|f| f.file == "addons.yaml")
            .map(|f| format!("{}:{} {} {}", f.line, f.column, f.rule, f.message))
            .collect();
        assert!(mine.is_empty(), "{name}: skyform check findings on add-on objects:\n{}", mine.join("\n"));
    }
}

#[test]
fn checkov_passes_addon_objects() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let checkov = root.join(".tools/bin/checkov");
    assert!(checkov.is_file(), "{} is missing: run scripts/setup-tools", checkov.display());
    let dir = std::env::temp_dir().join(format!("skyform-addons-checkov-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    for (name, _, add) in production_streams() {
        std::fs::write(dir.join(format!("{name}-addons.yaml")), add).expect("write");
    }
    let out = Command::new(&checkov)
        .args(["--framework", "kubernetes", "secrets", "--skip-download", "--compact", "--quiet", "-o", "json", "-d"])
        .arg(&dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run checkov: {e}"));
    let _ = std::fs::remove_dir_all(&dir);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "checkov failed ({}):\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("\"passed\""), "checkov ran no checks:\n{stdout}");
}
