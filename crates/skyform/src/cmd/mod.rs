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
    let mut folders = std::collections::BTreeSet::new();
    for (rel, _) in files {
        let rel_path = Path::new(rel);
        if rel_path.is_absolute() || rel_path.components().any(|c| matches!(c, std::path::Component::ParentDir)) {
            anyhow::bail!("refusing to write outside the output folder: `{rel}`");
        }
        folders.extend(rel_path.parent().filter(|p| !p.as_os_str().is_empty()));
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
        std::fs::remove_dir_all(b).ok();
    }
    Ok(())
}

/// Serializes a value as YAML.
pub fn to_yaml<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_saphyr::to_string(value).context("cannot serialize as YAML")
}
