//! `skyform check [PATH…|-]`: fast, located policy checks over any Kubernetes manifests.
//!
//! Paths may be files (any extension), folders (searched recursively for `*.yaml`,
//! `*.yml` and `*.json`, skipping hidden entries and unrendered Helm charts) or `-` for
//! standard input, so `helm template … | skyform check -` works. Files are read in
//! parallel and checked as one set, so cross-file references (a Service and its
//! Deployment in different files) resolve. The engine is `skyform_check`; this module
//! only does I/O, output and exit codes:
//!
//! * `0`: no finding at or above `--fail-on` (default `error`);
//! * `1`: findings at or above `--fail-on`;
//! * `2`: bad input (unreadable file, YAML syntax error, malformed waiver file).

use crate::exit;
use crate::ui::Ui;
use anyhow::{Context, Result};
use rayon::prelude::*;
use skyform_check::{Date, Options, Severity};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Output format of `skyform check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckOutput {
    /// Findings grouped by file, with source excerpts (coloured on a terminal)
    Text,
    /// Findings, waivers and a summary as JSON
    Json,
    /// SARIF 2.1.0 (GitHub code scanning, GitLab, Azure DevOps)
    Sarif,
}

/// The lowest severity that makes the command fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    Note,
    Warning,
    Error,
}

#[derive(clap::Args)]
pub struct Args {
    /// Manifest files or folders (recursive); `-` reads standard input
    #[arg(required_unless_present = "list_rules", value_name = "PATH|-")]
    pub paths: Vec<PathBuf>,
    /// Output format
    #[arg(long, short = 'o', value_enum, default_value = "text")]
    pub output: CheckOutput,
    /// Exit 1 when a finding of at least this severity remains
    #[arg(long, value_enum, default_value = "error")]
    pub fail_on: FailOn,
    /// Waiver file (rule, object, reason, expiry per entry)
    #[arg(long, value_name = "FILE")]
    pub waivers: Option<PathBuf>,
    /// Also honour `skyform.dev/waive` annotations on objects (off by default)
    #[arg(long)]
    pub inline_waivers: bool,
    /// Run an off-by-default rule too (id or name; repeatable; `all` for every rule)
    #[arg(long, value_name = "RULE")]
    pub enable: Vec<String>,
    /// Do not run a rule (id or name; repeatable)
    #[arg(long, value_name = "RULE")]
    pub disable: Vec<String>,
    /// Apply the production HA rules to every object (default: objects whose namespace
    /// or environment label says prod/production)
    #[arg(long)]
    pub production: bool,
    /// Namespace of objects that set none
    #[arg(long, default_value = "default", value_name = "NAMESPACE")]
    pub namespace: String,
    /// Print the rule catalog and exit
    #[arg(long)]
    pub list_rules: bool,
}

pub fn run(args: &Args, ui: &Ui) -> Result<u8> {
    if args.list_rules {
        print_rules()?;
        return Ok(exit::OK);
    }
    for key in args.enable.iter().chain(&args.disable) {
        if key != "all" && skyform_check::output::find_rule(key).is_none() {
            ui.error(&format!("unknown rule `{key}`"));
            ui.hint("`skyform check --list-rules` prints every rule id and name");
            return Ok(exit::BAD_INPUT);
        }
    }
    let waivers = match &args.waivers {
        None => Vec::new(),
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("cannot read `{}`", path.display()))?;
            match skyform_check::parse_waivers(&text) {
                Ok(w) => w,
                Err(e) => {
                    ui.error(&format!("{}:{}:{}: {}", path.display(), e.line, e.column, e.message));
                    return Ok(exit::BAD_INPUT);
                }
            }
        }
    };

    let (files, mut bad) = collect_files(&args.paths, ui);
    let read: Vec<std::result::Result<(String, String), String>> = files
        .par_iter()
        .map(|p| {
            if p.as_os_str() == "-" {
                let mut s = String::new();
                std::io::stdin().read_to_string(&mut s).map_err(|e| format!("cannot read standard input: {e}"))?;
                Ok(("stdin".to_string(), s))
            } else {
                let name = p.display().to_string();
                std::fs::read_to_string(p).map(|t| (name.clone(), t)).map_err(|e| format!("cannot read `{name}`: {e}"))
            }
        })
        .collect();
    let mut inputs = Vec::with_capacity(read.len());
    for r in read {
        match r {
            Ok(pair) => inputs.push(pair),
            Err(e) => {
                ui.error(&e);
                bad = true;
            }
        }
    }

    if bad && inputs.is_empty() {
        return Ok(exit::BAD_INPUT);
    }
    let options = Options {
        default_namespace: args.namespace.clone(),
        production: args.production.then_some(true),
        enable: args.enable.clone(),
        disable: args.disable.clone(),
        inline_waivers: args.inline_waivers,
        waivers,
        today: today(),
    };
    let report = skyform_check::check(&inputs, &options);

    let rendered = match args.output {
        CheckOutput::Text => {
            let color = crate::ui::colors(&std::io::stdout());
            let sources: Vec<(&str, &str)> = inputs.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
            skyform_check::output::text(&report, &sources, color)
        }
        CheckOutput::Json => skyform_check::output::json(&report) + "\n",
        CheckOutput::Sarif => skyform_check::output::sarif(&report, env!("CARGO_PKG_VERSION")) + "\n",
    };
    crate::stdout::write(&rendered)?;

    if bad || !report.errors.is_empty() {
        if args.output != CheckOutput::Text {
            for e in &report.errors {
                ui.error(&format!("{}:{}:{}: {}", e.file, e.line, e.column, e.message));
            }
        }
        return Ok(exit::BAD_INPUT);
    }
    let threshold = match args.fail_on {
        FailOn::Note => Severity::Note,
        FailOn::Warning => Severity::Warning,
        FailOn::Error => Severity::Error,
    };
    let expired_fail = !report.expired_waivers.is_empty() && threshold <= Severity::Warning;
    if report.max_severity().is_some_and(|s| s >= threshold) || expired_fail {
        return Ok(exit::FINDINGS);
    }
    Ok(exit::OK)
}

/// Expands the arguments into a sorted, de-duplicated file list; `true` when a path
/// does not exist.
fn collect_files(paths: &[PathBuf], ui: &Ui) -> (Vec<PathBuf>, bool) {
    let mut out = Vec::new();
    let mut bad = false;
    for p in paths {
        if p.as_os_str() == "-" {
            if !out.iter().any(|x: &PathBuf| x.as_os_str() == "-") {
                out.push(p.clone());
            }
        } else if p.is_dir() {
            let mut found = Vec::new();
            walk(p, &mut found, ui);
            found.sort();
            out.extend(found);
        } else if p.exists() {
            out.push(p.clone());
        } else {
            ui.error(&format!("`{}` does not exist", p.display()));
            bad = true;
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|p| seen.insert(p.clone()));
    (out, bad)
}

/// The YAML and JSON files below `dir` (walkdir: symbolic links followed, loops reported
/// and skipped), leaving out hidden entries and Helm charts (which need rendering first).
fn walk(dir: &Path, out: &mut Vec<PathBuf>, ui: &Ui) {
    let skip_chart = |path: &Path| {
        let chart = path.join("Chart.yaml").is_file();
        if chart {
            ui.status(&format!(
                "skipping Helm chart `{}`: render it first (`helm template … | skyform check -`)",
                path.display()
            ));
        }
        chart
    };
    let entries = walkdir::WalkDir::new(dir).follow_links(true).sort_by_file_name().into_iter().filter_entry(|e| {
        let hidden = e.depth() > 0 && e.file_name().to_string_lossy().starts_with('.');
        !(hidden || (e.file_type().is_dir() && skip_chart(e.path())))
    });
    for entry in entries {
        match entry {
            Ok(e) if e.file_type().is_file() => {
                let path = e.into_path();
                if path.extension().and_then(|e| e.to_str()).is_some_and(|e| matches!(e, "yaml" | "yml" | "json")) {
                    out.push(path);
                }
            }
            Ok(_) => {}
            Err(e) if e.loop_ancestor().is_some() => {
                ui.status(&format!("skipping `{}`: a symbolic link loop", e.path().unwrap_or(dir).display()));
            }
            Err(e) => ui.error(&format!("cannot read folder `{}`: {e}", e.path().unwrap_or(dir).display())),
        }
    }
}

/// Today's UTC date, for waiver expiry.
fn today() -> Option<Date> {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
    Some(Date::from_unix_days(i64::try_from(secs / 86_400).ok()?))
}

fn print_rules() -> Result<()> {
    let mut out = String::new();
    for r in skyform_check::ALL_RULES {
        let on = if r.default_enabled { "" } else { " (off by default)" };
        out.push_str(&format!("{:<9} {:<8} {:<34} {}{on}\n", r.id, r.severity.as_str(), r.name, r.summary));
    }
    crate::stdout::write(&out)
}
