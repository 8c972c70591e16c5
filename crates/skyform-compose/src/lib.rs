//! docker-compose → skyform platform file.
//!
//! [`import`] reads one or more compose files (merged in order, as `docker compose -f a
//! -f b` does), interpolates variables per the Compose Specification, resolves `extends`,
//! `env_file` and profiles, and writes a platform file that the user then owns: services
//! with their images, commands, ports, environment (secret-looking values become secret
//! references and are never copied), storage, resources, replicas, probes, dependencies
//! (from `depends_on` and from connection URLs in the environment), known components and
//! tiers (with the reasoning as comments). Next to it comes a [`Report`] of everything
//! that was mapped, approximated or dropped, each with the compose file's
//! `file:line:column`.
//!
//! The crate is pure: the caller passes file names and texts, the environment used for
//! interpolation, and a reader for auxiliary files (`env_file`, `extends: {file: …}`);
//! nothing here touches the file system, the terminal or the process environment.
//!
//! ```text
//! compose files ─ load (parse, interpolate, check, normalise, extends, merge, profiles)
//!               ─ convert (two passes: names/tiers/ports, then everything else + report)
//!               ─ emit (deterministic YAML with comments)
//! ```

mod classify;
mod convert;
mod emit;
mod envfile;
mod image;
pub mod interpolate;
mod load;
mod report;
mod tree;
mod wellknown;

pub use envfile::{EnvFileError, EnvLine, parse_env_file};
pub use report::{Outcome, Report, ReportItem};

use skyform_spec::{Diagnostic, SourceFile};
use std::collections::BTreeMap;

/// A compose file given by the user.
#[derive(Clone, Debug)]
pub struct ComposeFile {
    /// The name used in messages and to resolve relative paths (as given on the command
    /// line, e.g. `deploy/docker-compose.yml`).
    pub name: String,
    pub text: String,
}

impl ComposeFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> ComposeFile {
        ComposeFile { name: name.into(), text: text.into() }
    }
}

/// Import settings.
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// Variables for interpolation (the caller merges the process environment over the
    /// project's `.env` file, as compose does). `COMPOSE_PROFILES` is honoured.
    pub env: BTreeMap<String, String>,
    /// Active profiles (`--profile`).
    pub profiles: Vec<String>,
    /// Platform name when the compose files have no `name:` (e.g. the directory name).
    pub project_name: Option<String>,
}

/// One located problem in one of the input files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportError {
    /// The file's name, as in [`Import::sources`] / [`ImportFailure::sources`].
    pub file: String,
    pub diagnostic: Diagnostic,
}

/// Import failed: every problem found, with the texts needed to render them.
#[derive(Clone, Debug)]
pub struct ImportFailure {
    pub errors: Vec<ImportError>,
    pub sources: Vec<SourceFile>,
}

impl ImportFailure {
    /// Renders every error (uv style, `file:line:column`, source excerpt, hints).
    pub fn render(&self, color: bool) -> String {
        let mut out = String::new();
        for e in &self.errors {
            let source =
                self.sources.iter().find(|s| s.name == e.file).cloned().unwrap_or_else(|| SourceFile::new(&e.file, ""));
            out.push_str(&skyform_spec::diag::render(&e.diagnostic, &source, color));
            out.push('\n');
        }
        let n = self.errors.len();
        out.push_str(&format!("failed: {n} error{} in the compose files\n", if n == 1 { "" } else { "s" }));
        out
    }
}

/// A successful import.
#[derive(Clone, Debug)]
pub struct Import {
    /// The platform file, deterministic for the same inputs.
    pub platform_yaml: String,
    pub report: Report,
    /// Every file read (compose files, env files, extends files).
    pub sources: Vec<SourceFile>,
}

/// Imports compose files. `read` returns the text of an auxiliary file by path (relative
/// paths are joined to the directory of the compose file naming them), or `None`.
pub fn import(
    files: &[ComposeFile],
    options: &ImportOptions,
    read: &dyn Fn(&str) -> Option<String>,
) -> Result<Import, ImportFailure> {
    import_with(files, options, read, &|_| None)
}

/// [`import`], with `list` returning the regular files below a directory (paths relative
/// to it, recursively, sorted), or `None` when the path is not a directory: bind-mounted
/// configuration directories then become `files:` too.
pub fn import_with(
    files: &[ComposeFile],
    options: &ImportOptions,
    read: &dyn Fn(&str) -> Option<String>,
    list: &dyn Fn(&str) -> Option<Vec<String>>,
) -> Result<Import, ImportFailure> {
    let mut loader = load::Loader::new(&options.env, read, list);
    for f in files {
        loader.load_file(&f.name, &f.text);
    }
    let project = loader.finish(&options.profiles);
    let fallback = options.project_name.clone().unwrap_or_else(|| default_project_name(files));
    let mut converter = convert::Converter::new(&mut loader, &options.env);
    let plan = converter.convert(&project, &fallback);
    let mut report = converter.report;
    if loader.errors.is_empty() && plan.services.is_empty() && !files.is_empty() {
        let span = skyform_yaml::Span::START;
        let hint = if project.inactive.is_empty() {
            "add services under `services:`".to_string()
        } else {
            format!(
                "every service is in an inactive profile; pass `--profile` (e.g. `{}`)",
                project.inactive.iter().flat_map(|(_, _, p)| p.first()).next().map_or("dev", String::as_str)
            )
        };
        loader.error(
            tree::Loc { file: 0, span },
            Diagnostic::error(skyform_spec::Code::Incomplete, span, "the compose project has no services to import")
                .hint(hint),
        );
    }
    if !loader.errors.is_empty() {
        let mut errors: Vec<ImportError> = loader
            .errors
            .into_iter()
            .map(|(file, diagnostic)| ImportError {
                file: loader.sources.get(file).map_or_else(String::new, |s| s.name.clone()),
                diagnostic,
            })
            .collect();
        errors.sort_by(|a, b| {
            (&a.file, a.diagnostic.line, a.diagnostic.column).cmp(&(&b.file, b.diagnostic.line, b.diagnostic.column))
        });
        errors.dedup();
        return Err(ImportFailure { errors, sources: loader.sources });
    }
    report.services = plan.services.len();
    report.sort();
    let names: Vec<String> = files.iter().map(|f| f.name.clone()).collect();
    let platform_yaml = emit::render(&plan, &names);
    Ok(Import { platform_yaml, report, sources: loader.sources })
}

/// The compose default project name: the first file's directory name, else `platform`.
fn default_project_name(files: &[ComposeFile]) -> String {
    files
        .first()
        .and_then(|f| {
            let path = f.name.replace('\\', "/");
            let mut parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
            parts.pop();
            parts.last().map(|s| (*s).to_string())
        })
        .filter(|s| s != "..")
        .unwrap_or_else(|| "platform".to_string())
}
