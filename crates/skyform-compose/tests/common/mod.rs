//! Shared helpers for the integration tests: importing a directory of compose files the
//! way the CLI does (relative names, `.env` for interpolation, a reader rooted there).

#![allow(dead_code)]

use skyform_compose::{ComposeFile, Import, ImportFailure, ImportOptions};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn repo_dir() -> PathBuf {
    crate_dir().join("../..")
}

/// The `.env` of a directory as an interpolation environment.
pub fn dotenv(dir: &Path) -> BTreeMap<String, String> {
    let Ok(text) = std::fs::read_to_string(dir.join(".env")) else { return BTreeMap::new() };
    let lookup = |_: &str| None;
    let mut unset = Vec::new();
    skyform_compose::parse_env_file(&text, &lookup, &mut unset)
        .map(|lines| lines.into_iter().filter_map(|l| Some((l.key, l.value?))).collect())
        .unwrap_or_default()
}

/// Imports `files` (names relative to `dir`), with `dir/.env` as the environment.
pub fn import_dir(dir: &Path, files: &[&str], profiles: &[&str]) -> Result<Import, ImportFailure> {
    let compose: Vec<ComposeFile> =
        files.iter().map(|f| ComposeFile::new(*f, std::fs::read_to_string(dir.join(f)).unwrap_or_default())).collect();
    let options = ImportOptions {
        env: dotenv(dir),
        profiles: profiles.iter().map(|p| (*p).to_string()).collect(),
        project_name: dir.file_name().map(|n| n.to_string_lossy().into_owned()),
    };
    let root = dir.to_path_buf();
    let read = |p: &str| std::fs::read_to_string(root.join(p)).ok();
    let list = |p: &str| list_files(&root.join(p));
    skyform_compose::import_with(&compose, &options, &read, &list)
}

/// The regular files below `dir`, relative, sorted (as the CLI lists them).
pub fn list_files(dir: &Path) -> Option<Vec<String>> {
    fn walk(base: &Path, dir: &Path, depth: usize, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() && depth < 4 {
                walk(base, &p, depth + 1, out);
            } else if p.is_file()
                && let Ok(rel) = p.strip_prefix(base)
            {
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    if !dir.is_dir() {
        return None;
    }
    let mut out = Vec::new();
    walk(dir, dir, 0, &mut out);
    out.sort();
    Some(out)
}

/// Compiles a platform file; panics with every rendered diagnostic on failure.
pub fn assert_compiles(name: &str, yaml: &str) -> skyform_model::Model {
    match skyform_model::compile(yaml) {
        Ok(m) => m,
        Err(diags) => {
            let src = skyform_spec::SourceFile::new(name, yaml);
            panic!("{name} does not compile:\n{}\n{yaml}", skyform_spec::diag::render_all(&diags, &src, false));
        }
    }
}
