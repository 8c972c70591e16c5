//! `skyform import`: docker-compose files → a platform file the user then owns.
//!
//! The work is done by `skyform_compose::import`, which is pure; this module reads the
//! compose files, the project's `.env` and the process environment (for interpolation),
//! prints the import report on stderr, and writes the platform file atomically. Exit
//! codes: 0 imported; 1 `--strict` and something was dropped (nothing is written);
//! 2 bad input (unreadable or invalid compose files).

use crate::exit;
use crate::ui::Ui;
use anyhow::{Context, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct Args {
    /// The compose file to import (usually `docker-compose.yml`)
    pub file: PathBuf,
    /// More compose files merged on top, in order, as `docker compose -f` does
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Where to write the platform file (`-` for standard output; `-o` is its old spelling)
    #[arg(long, short_alias = 'o', default_value = "platform.yaml")]
    pub out: PathBuf,
    /// Activate a compose profile (repeatable; `COMPOSE_PROFILES` is honoured too)
    #[arg(long = "profile", value_name = "PROFILE")]
    pub profiles: Vec<String>,
    /// Platform name when the compose files have no top-level `name:`
    #[arg(long)]
    pub name: Option<String>,
    /// Fail with exit code 1, writing nothing, when anything is dropped or the imported
    /// stack has error-level check findings
    #[arg(long)]
    pub strict: bool,
    /// Overwrite an existing output file
    #[arg(long)]
    pub force: bool,
}

/// The interpolation environment: the project's `.env` (next to the first compose file),
/// overridden by the process environment, as compose does.
fn environment(first: &Path) -> BTreeMap<String, String> {
    let dir = first.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or_else(|| Path::new("."));
    let mut env = BTreeMap::new();
    if let Ok(text) = std::fs::read_to_string(dir.join(".env")) {
        let process = |k: &str| std::env::var(k).ok();
        let mut unset = Vec::new();
        if let Ok(lines) = skyform_compose::parse_env_file(&text, &process, &mut unset) {
            for l in lines {
                if let Some(v) = l.value {
                    env.insert(l.key, v);
                }
            }
        }
    }
    for (k, v) in std::env::vars() {
        env.insert(k, v);
    }
    env
}

pub fn run(args: &Args, ui: &Ui) -> Result<u8> {
    let mut compose = Vec::new();
    for path in std::iter::once(&args.file).chain(&args.files) {
        let source = super::read_source(path)?;
        compose.push(skyform_compose::ComposeFile::new(source.name, source.text));
    }
    if args.out.as_os_str() != "-" && args.out.exists() && !args.force {
        ui.error(&format!("`{}` already exists", args.out.display()));
        ui.hint("pass `--force` to overwrite it, or choose another path with `--out`");
        return Ok(exit::BAD_INPUT);
    }
    let project_name = args.name.clone().or_else(|| {
        std::fs::canonicalize(&args.file)
            .ok()
            .and_then(|p| p.parent().and_then(Path::file_name).map(|n| n.to_string_lossy().into_owned()))
    });
    let options =
        skyform_compose::ImportOptions { env: environment(&args.file), profiles: args.profiles.clone(), project_name };
    let read = |p: &str| std::fs::read_to_string(p).ok();
    let list = |p: &str| list_files(Path::new(p));
    let import = match skyform_compose::import_with(&compose, &options, &read, &list) {
        Ok(i) => i,
        Err(failure) => {
            ui.eprint(&failure.render(ui.color));
            return Ok(exit::BAD_INPUT);
        }
    };
    ui.status(&import.report.render());
    // The importer promises output that compiles; check it before writing anything.
    let model = match skyform_model::compile(&import.platform_yaml) {
        Ok(m) => m,
        Err(diags) => {
            let source = skyform_spec::SourceFile::new("imported platform.yaml", import.platform_yaml.clone());
            ui.diagnostics(&diags, &source);
            ui.error("the imported platform file does not validate (a bug in `skyform import`; please report it)");
            return Ok(exit::BAD_INPUT);
        }
    };
    // What the imported stack would fail on once rendered: the render gate's findings,
    // for every environment on the first declared provider (k3s when none).
    let provider = model.providers.first().map_or(skyform_model::ProviderName::K3s, |p| p.name);
    let sets: Vec<super::render::CheckSet> = model
        .environments
        .iter()
        .map(|e| {
            super::render::CheckSet::new(&e.name, e.production, &super::render::platform_objects(&model, e, provider))
        })
        .collect();
    let source = skyform_spec::SourceFile::new("imported platform.yaml", import.platform_yaml.clone());
    ui.diagnostics(&super::validate::credential_diagnostics(&import.platform_yaml), &source);
    let findings = super::render::gate_findings(&sets, &[], ui);
    if findings > 0 {
        ui.status(&format!(
            "the imported stack would fail `skyform render` with {findings} error-level finding{} (listed above); fix them in the platform file",
            if findings == 1 { "" } else { "s" }
        ));
    }
    let dropped = import.report.dropped().count();
    if args.strict && findings > 0 {
        ui.error(&format!("{findings} error-level findings in the imported stack; nothing written (`--strict`)"));
        return Ok(exit::FINDINGS);
    }
    if args.strict && dropped > 0 {
        ui.error(&format!(
            "{dropped} compose item{} dropped; nothing written (`--strict`)",
            if dropped == 1 { " was" } else { "s were" }
        ));
        ui.hint("remove them from the compose files, or import without `--strict` and review the report");
        return Ok(exit::FINDINGS);
    }
    if args.out.as_os_str() == "-" {
        crate::stdout::write(&import.platform_yaml)?;
    } else {
        super::write_file_atomic(&args.out, import.platform_yaml.as_bytes())
            .with_context(|| format!("cannot write `{}`", args.out.display()))?;
        ui.status(&format!("wrote `{}`; next: `skyform validate {}`", args.out.display(), args.out.display()));
    }
    Ok(exit::OK)
}

/// The regular files below `dir` (relative paths, at most four levels deep, sorted), or
/// `None` when it is not a directory: bind-mounted configuration directories.
fn list_files(dir: &Path) -> Option<Vec<String>> {
    if !dir.is_dir() {
        return None;
    }
    let mut out: Vec<String> = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .max_depth(5)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| e.path().strip_prefix(dir).ok().map(|rel| rel.to_string_lossy().replace('\\', "/")))
        .take(257)
        .collect();
    out.sort();
    Some(out)
}
