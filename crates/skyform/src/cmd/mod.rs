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

/// What writing a tree changed, against the tree that was there before.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct TreeChanges {
    /// Whether a tree was there before (a fresh folder has nothing to compare with).
    pub replaced: bool,
    /// Files that were not there before.
    pub new: usize,
    /// Files that were there with other contents.
    pub changed: usize,
    /// Files that were there with the same contents: kept as they are (same inode and
    /// modification time).
    pub unchanged: usize,
    /// Files (and links or other entries that are not folders) that were there and are gone.
    pub removed: usize,
    /// Folders that were there and are gone.
    pub removed_folders: usize,
}

impl TreeChanges {
    /// Whether the folder already held exactly this tree, so nothing was written.
    pub fn is_unchanged(&self) -> bool {
        self.replaced && self.new == 0 && self.changed == 0 && self.removed == 0 && self.removed_folders == 0
    }
}

impl std::fmt::Display for TreeChanges {
    /// `""` for a fresh folder, else `; nothing changed` or `; 2 changed, 1 new, …`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if !self.replaced {
            return Ok(());
        }
        if self.is_unchanged() {
            return write!(f, "; nothing changed");
        }
        let parts = [
            (self.changed, "changed"),
            (self.new, "new"),
            (self.removed, "removed"),
            (self.removed_folders, if self.removed_folders == 1 { "folder removed" } else { "folders removed" }),
            (self.unchanged, "unchanged"),
        ];
        let mut sep = "; ";
        for (n, what) in parts.into_iter().filter(|(n, _)| *n > 0) {
            write!(f, "{sep}{n} {what}")?;
            sep = ", ";
        }
        Ok(())
    }
}

/// Writes a tree of files atomically: everything goes to a temporary folder next to
/// `out`, which then replaces `out` in one rename. On any error nothing changes.
///
/// When `out` already holds some of the files with the same contents, those are
/// hard-linked into the new tree instead of written again, and when it holds exactly
/// this tree nothing is written at all: a render into its own previous output (a CI
/// drift check, a rerun after a small change) touches only what changed, and the file
/// system does not allocate and free an inode per unchanged file.
pub fn write_tree_atomic(out: &Path, files: &[(String, Vec<u8>)]) -> Result<TreeChanges> {
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or_else(|| Path::new("."));
    // Paths checked and folders collected as text: the paths are `/`-separated, and
    // `Path`'s component walk costs more than the rest of this loop.
    let mut folders = std::collections::BTreeSet::new();
    for (rel, _) in files {
        if Path::new(rel).is_absolute() || rel.split(['/', std::path::MAIN_SEPARATOR]).any(|c| c == "..") {
            anyhow::bail!("refusing to write outside the output folder: `{rel}`");
        }
        folders.extend(rel.rsplit_once('/').map(|(folder, _)| folder).filter(|f| !f.is_empty()));
    }
    let previous = PreviousTree::read(out, files, &folders);
    let changes = previous.as_ref().map_or(TreeChanges { new: files.len(), ..TreeChanges::default() }, |p| p.changes());
    if changes.is_unchanged() {
        return Ok(changes);
    }
    std::fs::create_dir_all(parent).with_context(|| format!("cannot create `{}`", parent.display()))?;
    let staging = tempfile::Builder::new().prefix(".skyform-staging-").tempdir_in(parent)?;
    // Each folder once (a render of every environment writes thousands of files into a
    // few hundred folders), then the files in parallel: creating a file is most of the
    // time of writing a small one.
    for folder in &folders {
        std::fs::create_dir_all(staging.path().join(folder))?;
    }
    files.par_iter().enumerate().try_for_each(|(i, (rel, contents))| {
        let target = staging.path().join(rel);
        let kept = previous.as_ref().is_some_and(|p| p.held[i] == Held::Same);
        if kept && std::fs::hard_link(out.join(rel), &target).is_ok() {
            return Ok(());
        }
        std::fs::write(&target, contents).with_context(|| format!("cannot write `{rel}`"))
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
    Ok(changes)
}

/// What an output folder holds where a new file goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Held {
    /// No regular file (nothing, or an entry the walk counts as removed).
    Nothing,
    /// The file, with other contents.
    Other,
    /// The file, with the same contents.
    Same,
}

/// The tree an output folder held before a write, compared with the files about to
/// replace it.
struct PreviousTree {
    /// Per new file: what the folder holds at its path.
    held: Vec<Held>,
    /// Entries of the folder that the new tree does not have, folders apart: files not
    /// written again, links and anything else.
    removed: usize,
    /// Folders the new tree does not have.
    removed_folders: usize,
}

impl PreviousTree {
    /// `None` when `out` is not a real folder (absent, a file or a link: replaced whole).
    fn read(out: &Path, files: &[(String, Vec<u8>)], folders: &std::collections::BTreeSet<&str>) -> Option<Self> {
        if !std::fs::symlink_metadata(out).is_ok_and(|m| m.is_dir()) {
            return None;
        }
        // Only regular files the walk found are opened: never a link to a file or folder
        // elsewhere, nor a FIFO, whose opening would wait for a writer.
        let (present, removed, removed_folders) = walk_previous(out, files, folders);
        let held = files
            .par_iter()
            .map(|(rel, contents)| match present.contains(rel.as_str()) {
                false => Held::Nothing,
                true if holds(&out.join(rel), contents) => Held::Same,
                true => Held::Other,
            })
            .collect();
        Some(PreviousTree { held, removed, removed_folders })
    }

    fn changes(&self) -> TreeChanges {
        let count = |kind: Held| self.held.iter().filter(|h| **h == kind).count();
        TreeChanges {
            replaced: true,
            new: count(Held::Nothing),
            changed: count(Held::Other),
            unchanged: count(Held::Same),
            removed: self.removed,
            removed_folders: self.removed_folders,
        }
    }
}

/// Walks the previous tree: (its files the new tree has, the count of other entries
/// that are not folders, the count of folders the new tree does not have).
fn walk_previous<'a>(
    out: &Path,
    files: &'a [(String, Vec<u8>)],
    folders: &std::collections::BTreeSet<&str>,
) -> (std::collections::HashSet<&'a str>, usize, usize) {
    let wanted: std::collections::HashSet<&str> = files.iter().map(|(rel, _)| rel.as_str()).collect();
    // Every folder of the new tree, with the folders that only hold folders.
    let mut dirs = std::collections::HashSet::new();
    for folder in folders {
        dirs.extend(folder.match_indices('/').map(|(at, _)| &folder[..at]));
        dirs.insert(*folder);
    }
    let (mut removed, mut removed_folders) = (0, 0);
    let mut present = std::collections::HashSet::new();
    for entry in walkdir::WalkDir::new(out).min_depth(1) {
        let Ok(entry) = entry else {
            removed += 1;
            continue;
        };
        let kind = entry.file_type();
        let rel = relative_slash_path(out, entry.path());
        if kind.is_file() {
            match rel.and_then(|rel| wanted.get(rel.as_str()).copied()) {
                Some(file) => {
                    present.insert(file);
                }
                None => removed += 1,
            }
        } else if kind.is_dir() {
            if !rel.is_some_and(|rel| dirs.contains(rel.as_str())) {
                removed_folders += 1;
            }
        } else {
            removed += 1;
        }
    }
    (present, removed, removed_folders)
}

/// `path` below `root` as `/`-separated text (the form output paths are written in);
/// `None` when a component is not UTF-8.
fn relative_slash_path(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
    Some(parts?.join("/"))
}

/// Whether the regular file at `path` holds exactly `contents`: read up to one byte more
/// than `contents` (no `stat` for its size, no copy of a longer file).
fn holds(path: &Path, contents: &[u8]) -> bool {
    use std::io::Read;
    let Ok(file) = std::fs::File::open(path) else { return false };
    let mut held = Vec::with_capacity(contents.len() + 1);
    match file.take(contents.len() as u64 + 1).read_to_end(&mut held) {
        Ok(n) => n == contents.len() && held == contents,
        Err(_) => false,
    }
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

    fn files(list: &[(&str, &str)]) -> Vec<(String, Vec<u8>)> {
        list.iter().map(|(p, c)| (p.to_string(), c.as_bytes().to_vec())).collect()
    }

    #[cfg(unix)]
    fn inode(path: &Path) -> u64 {
        std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(path).expect("metadata"))
    }

    #[test]
    #[cfg(unix)]
    fn the_same_tree_again_writes_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("out");
        let tree_files = files(&[("a/b/x.yaml", "x"), ("a/y.yaml", "y"), ("z.yaml", "z")]);
        let first = write_tree_atomic(&out, &tree_files).expect("first");
        assert!(!first.replaced && first.new == 3, "{first:?}");
        assert_eq!(first.to_string(), "");
        let (folder, file) = (inode(&out), inode(&out.join("a/b/x.yaml")));
        let again = write_tree_atomic(&out, &tree_files).expect("again");
        assert!(again.is_unchanged(), "{again:?}");
        assert_eq!(again.to_string(), "; nothing changed");
        // Not replaced: the same folder and the same file, nothing staged beside them.
        assert_eq!((inode(&out), inode(&out.join("a/b/x.yaml"))), (folder, file));
        assert_eq!(std::fs::read_dir(dir.path()).expect("read").count(), 1);
    }

    #[test]
    #[cfg(unix)]
    fn a_changed_tree_keeps_its_unchanged_files_and_drops_the_rest() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("out");
        write_tree_atomic(&out, &files(&[("a/same.yaml", "s"), ("a/edit.yaml", "1"), ("gone/old.yaml", "o")]))
            .expect("first");
        let kept = inode(&out.join("a/same.yaml"));
        let next = files(&[("a/same.yaml", "s"), ("a/edit.yaml", "2"), ("b/new.yaml", "n")]);
        let changes = write_tree_atomic(&out, &next).expect("second");
        assert_eq!(
            changes,
            TreeChanges { replaced: true, new: 1, changed: 1, unchanged: 1, removed: 1, removed_folders: 1 }
        );
        assert_eq!(changes.to_string(), "; 1 changed, 1 new, 1 removed, 1 folder removed, 1 unchanged");
        assert_eq!(tree(&out), vec!["a/edit.yaml", "a/same.yaml", "b/new.yaml"]);
        assert_eq!(std::fs::read_to_string(out.join("a/edit.yaml")).expect("read"), "2");
        // The unchanged file is the same file (linked into the new tree, not written again).
        assert_eq!(inode(&out.join("a/same.yaml")), kept);
        assert_eq!(std::fs::read_dir(dir.path()).expect("read").count(), 1);
    }

    #[test]
    #[cfg(unix)]
    fn anything_else_in_the_folder_makes_it_changed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("out");
        let tree_files = files(&[("a/x.yaml", "x")]);
        write_tree_atomic(&out, &tree_files).expect("first");
        // An empty folder, a link (even to an identical file) and a file the tree lacks.
        std::fs::create_dir(out.join("empty")).expect("mkdir");
        assert_eq!(write_tree_atomic(&out, &tree_files).expect("folder").removed_folders, 1);
        std::fs::write(dir.path().join("x.yaml"), "x").expect("write");
        std::os::unix::fs::symlink(dir.path().join("x.yaml"), out.join("a/link.yaml")).expect("link");
        assert_eq!(write_tree_atomic(&out, &tree_files).expect("link").removed, 1);
        std::fs::remove_file(out.join("a/x.yaml")).expect("rm");
        std::os::unix::fs::symlink(dir.path().join("x.yaml"), out.join("a/x.yaml")).expect("link");
        let through_link = write_tree_atomic(&out, &tree_files).expect("through a link");
        assert_eq!((through_link.removed, through_link.new), (1, 1), "{through_link:?}");
        assert!(!std::fs::symlink_metadata(out.join("a/x.yaml")).expect("meta").file_type().is_symlink());
        assert_eq!(tree(&out), vec!["a/x.yaml"]);
        // A FIFO where a file goes is replaced, never opened (opening it would wait for a writer).
        std::fs::remove_file(out.join("a/x.yaml")).expect("rm");
        let made = std::process::Command::new("mkfifo").arg(out.join("a/x.yaml")).status().expect("mkfifo runs");
        assert!(made.success());
        let over_fifo = write_tree_atomic(&out, &tree_files).expect("over a FIFO");
        assert_eq!((over_fifo.removed, over_fifo.new), (1, 1), "{over_fifo:?}");
        assert_eq!(tree(&out), vec!["a/x.yaml"]);
        assert!(write_tree_atomic(&out, &tree_files).expect("clean").is_unchanged());
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
