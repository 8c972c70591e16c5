//! One module per subcommand. Shared helpers for reading platform files and writing
//! output live here so that every command behaves the same.

pub mod apply;
pub mod args;
pub mod check;
pub mod completions;
pub mod compliance;
pub mod diff;
pub mod dr;
pub mod explain;
pub mod graph;
pub mod history;
pub mod import;
pub mod init;
pub mod plan;
pub mod render;
pub mod rollback;
pub mod schema;
pub mod validate;

use crate::exit;
use crate::ui::Ui;
use anyhow::{Context, Result};
use rayon::prelude::*;
use skyform_model::Model;
use skyform_spec::SourceFile;
use std::path::Path;

/// Output format for commands that print data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Table,
    Json,
    Yaml,
}

/// Reads a file (or stdin for `-`) as UTF-8 text.
pub fn read_source(path: &Path) -> Result<SourceFile> {
    let name = path.display().to_string();
    let text = if name == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s).context("cannot read standard input")?;
        s
    } else {
        std::fs::read_to_string(path).with_context(|| format!("cannot read `{name}`"))?
    };
    Ok(SourceFile::new(name, text))
}

/// Loads and lowers a platform file; on failure prints every diagnostic and returns the
/// exit code to use. Warnings are printed either way.
pub fn compile_platform(path: &Path, ui: &Ui) -> Result<std::result::Result<(Model, SourceFile), u8>> {
    let source = read_source(path)?;
    let loaded = match skyform_spec::load_platform(&source.text) {
        Ok(l) => l,
        Err(diags) => {
            ui.diagnostics(&diags, &source);
            return Ok(Err(exit::BAD_INPUT));
        }
    };
    let (model, diags) = skyform_model::lower_with_warnings(&loaded);
    let has_errors = diags.iter().any(|d| d.severity == skyform_spec::Severity::Error);
    if !diags.is_empty() {
        ui.diagnostics(&diags, &source);
    }
    match model {
        Some(m) if !has_errors => Ok(Ok((m, source))),
        _ => Ok(Err(exit::BAD_INPUT)),
    }
}

/// Writes `contents` to `path` atomically (temp file in the same folder, then rename).
pub fn write_file_atomic(path: &Path, contents: &[u8]) -> Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create `{}`", dir.display()))?;
    let mut tmp =
        tempfile::NamedTempFile::new_in(dir).with_context(|| format!("cannot write in `{}`", dir.display()))?;
    std::io::Write::write_all(&mut tmp, contents)?;
    tmp.persist(path).with_context(|| format!("cannot write `{}`", path.display()))?;
    Ok(())
}

/// Writes a tree of files atomically: everything goes to a temporary folder next to
/// `out`, which then replaces `out` in one rename. On any error nothing changes.
pub fn write_tree_atomic(out: &Path, files: &[(String, Vec<u8>)]) -> Result<()> {
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(parent).with_context(|| format!("cannot create `{}`", parent.display()))?;
    let staging = tempfile::Builder::new().prefix(".skyform-staging-").tempdir_in(parent)?;
    // Paths checked and folders collected as text: the paths are `/`-separated, and
    // `Path`'s component walk costs more than the rest of this loop.
    let mut folders = std::collections::BTreeSet::new();
    for (rel, _) in files {
        if Path::new(rel).is_absolute() || rel.split(['/', std::path::MAIN_SEPARATOR]).any(|c| c == "..") {
            anyhow::bail!("refusing to write outside the output folder: `{rel}`");
        }
        folders.extend(rel.rsplit_once('/').map(|(folder, _)| folder).filter(|f| !f.is_empty()));
    }
    // Each folder once (a render of every environment writes thousands of files into a
    // few hundred folders), then the files in parallel: creating a file is most of the
    // time of writing a small one.
    for folder in folders {
        std::fs::create_dir_all(staging.path().join(folder))?;
    }
    files.par_iter().try_for_each(|(rel, contents)| {
        std::fs::write(staging.path().join(rel), contents).with_context(|| format!("cannot write `{rel}`"))
    })?;
    let backup = if out.exists() {
        let b = tempfile::Builder::new().prefix(".skyform-previous-").tempdir_in(parent)?.keep();
        std::fs::remove_dir(&b).ok();
        std::fs::rename(out, &b).with_context(|| format!("cannot replace `{}`", out.display()))?;
        Some(b)
    } else {
        None
    };
    let staged = staging.keep();
    if let Err(e) = std::fs::rename(&staged, out) {
        if let Some(b) = &backup {
            let _ = std::fs::rename(b, out);
        }
        let _ = std::fs::remove_dir_all(&staged);
        return Err(e).with_context(|| format!("cannot write `{}`", out.display()));
    }
    if let Some(b) = backup {
        remove_tree(&b);
    }
    Ok(())
}

/// Removes a folder and everything in it, its entries on every core: unlinking is most of
/// the time of replacing a tree of thousands of small files. Best effort: what cannot be
/// removed stays (it is a hidden backup next to the output, never the output).
fn remove_tree(folder: &Path) {
    let entries: Vec<std::path::PathBuf> = match std::fs::read_dir(folder) {
        Ok(entries) => entries.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(_) => return,
    };
    entries.par_iter().for_each(|entry| {
        let removed = match std::fs::symlink_metadata(entry) {
            Ok(m) if m.is_dir() => std::fs::remove_dir_all(entry),
            _ => std::fs::remove_file(entry),
        };
        removed.ok();
    });
    std::fs::remove_dir(folder).ok();
}

/// Serializes a value as YAML.
pub fn to_yaml<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_saphyr::to_string(value).context("cannot serialize as YAML")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(root: &Path) -> Vec<String> {
        let mut found: Vec<String> = walkdir::WalkDir::new(root)
            .into_iter()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_file())
            .map(|e| e.path().strip_prefix(root).unwrap_or(e.path()).to_string_lossy().into_owned())
            .collect();
        found.sort();
        found
    }

    #[test]
    fn a_tree_replaces_the_previous_one_whole() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("out");
        let first: Vec<(String, Vec<u8>)> = (0..40)
            .map(|i| (format!("p{}/f{}/x{i}.yaml", i % 3, i % 5), b"a".to_vec()))
            .chain([("top.yaml".to_string(), b"t".to_vec())])
            .collect();
        write_tree_atomic(&out, &first).expect("first");
        assert_eq!(tree(&out).len(), 41);
        let second = vec![("p1/only.yaml".to_string(), b"b".to_vec())];
        write_tree_atomic(&out, &second).expect("second");
        assert_eq!(tree(&out), vec!["p1/only.yaml".to_string()]);
        // Neither the staging folder nor the backup of the first tree is left beside it.
        let beside: Vec<_> = std::fs::read_dir(dir.path()).expect("read").filter_map(|e| e.ok()).collect();
        assert_eq!(beside.len(), 1, "{beside:?}");
    }

    #[test]
    fn paths_that_leave_the_folder_change_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("out");
        write_tree_atomic(&out, &[("keep.yaml".to_string(), b"k".to_vec())]).expect("first");
        for bad in ["a/../../escape.yaml", "../escape.yaml", "/abs.yaml", "a/.."] {
            let files = vec![("fine.yaml".to_string(), b"f".to_vec()), (bad.to_string(), b"x".to_vec())];
            let err = write_tree_atomic(&out, &files).expect_err(bad);
            assert!(err.to_string().contains("refusing to write outside"), "{bad}: {err}");
            assert_eq!(tree(&out), vec!["keep.yaml".to_string()], "{bad}");
        }
        // `..` inside a name is not a parent folder.
        write_tree_atomic(&out, &[("a/b..c.yaml".to_string(), b"k".to_vec())]).expect("dots in a name");
        assert_eq!(tree(&out), vec!["a/b..c.yaml".to_string()]);
    }
}
