//! `skyform render --all`: the whole matrix (environments × declared providers × formats)
//! in one call, each part in its own folder, deterministic, written atomically.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for e in entries.flatten() {
            let path = e.path();
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                let rel = path.strip_prefix(base).unwrap_or(&path).to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&path).unwrap_or_default());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn render_all(out: &Path, formats: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_skyform"))
        .args(["render", "examples/resimate/platform.yaml", "--all", "--formats", formats, "--out"])
        .arg(out)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("runs")
}

#[test]
fn the_matrix_renders_every_environment_and_provider_deterministically() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for out in [&a, &b] {
        let run = render_all(out, "k8s,helm");
        assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
    }
    let (ta, tb) = (tree(&a), tree(&b));
    assert_eq!(ta, tb, "two runs give byte-identical trees");
    let text = std::fs::read_to_string(root().join("examples/resimate/platform.yaml")).expect("example");
    let model = skyform_model::compile(&text).unwrap_or_else(|d| panic!("example compiles: {d:?}"));
    for p in &model.providers {
        let p = skyform_render::provider_name(p.name);
        assert!(ta.keys().any(|k| k.starts_with(&format!("{p}/helm/Chart.yaml"))), "{p}: no chart");
        for e in &model.environments {
            let prefix = format!("{p}/k8s/{}/", e.name);
            assert!(ta.keys().any(|k| k.starts_with(&prefix)), "no `{prefix}` in the matrix");
        }
    }
}

#[test]
fn the_matrix_refuses_without_an_output_folder() {
    let run = Command::new(env!("CARGO_BIN_EXE_skyform"))
        .args(["render", "examples/resimate/platform.yaml", "--all"])
        .current_dir(root())
        .output()
        .expect("runs");
    assert_eq!(run.status.code(), Some(2));
}

#[test]
fn a_rerun_over_its_own_output_restores_edits_and_otherwise_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let status = |run: &std::process::Output| {
        assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
        String::from_utf8_lossy(&run.stderr).lines().last().unwrap_or_default().to_string()
    };
    status(&render_all(&out, "k8s,helm"));
    let rendered = tree(&out);
    // A hand edit and a stray file: the rerun puts back the one and drops the other.
    let chart = rendered.keys().find(|k| k.ends_with("helm/Chart.yaml")).expect("a chart").clone();
    std::fs::write(out.join(&chart), "edited").expect("edit");
    std::fs::write(out.join("stray.yaml"), "x").expect("stray");
    let line = status(&render_all(&out, "k8s,helm"));
    assert!(line.contains("; 1 changed, 1 removed, "), "{line}");
    assert_eq!(tree(&out), rendered);
    // Nothing left to change: the files are the very same (not rewritten).
    let modified = |p: &str| std::fs::metadata(out.join(p)).and_then(|m| m.modified()).expect("mtime");
    let before = modified(&chart);
    let line = status(&render_all(&out, "k8s,helm"));
    assert!(line.contains("is up to date") && line.contains("nothing was written"), "{line}");
    assert_eq!(modified(&chart), before);
    assert_eq!(tree(&out), rendered);
}
