//! `skyform diff FILE --env ENV`: the server-side dry-run of an apply compared with the
//! live objects (ignoring managedFields, status and server defaults), as a coloured
//! unified diff per object or JSON; objects the apply would prune are shown as deletions.
//! Exit 1 when anything would change.

use super::apply::{DeployArgs, connect, render, report_error};
use crate::exit;
use crate::ui::Ui;

/// Writes a line through the one stdout writer; a closed pipe ends output quietly.
macro_rules! outln {
    ($($arg:tt)*) => {{
        crate::stdout::write(format!("{}\n", format_args!($($arg)*)))?;
    }};
}
use anstyle::AnsiColor;
use anyhow::Result;
use skyform_apply::diff::ChangeKind;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    Diff,
    Json,
}

#[derive(clap::Args)]
#[command(mut_arg("env", |a| a.required(true).help("Environment to compare")))]
#[command(mut_arg("provider", |a| a.help("Provider to render for (default: the platform's first provider)")))]
pub struct Args {
    #[command(flatten)]
    pub deploy: DeployArgs,
    /// Also show PersistentVolumeClaims (and namespaces holding them) that would be pruned
    #[arg(long)]
    pub prune_data: bool,
    /// Output format
    #[arg(long, short, value_enum, default_value = "diff")]
    pub output: DiffFormat,
}

pub fn run(args: &Args, ui: &Ui) -> Result<u8> {
    let mut rendered = match render(&args.deploy.target, ui)? {
        Ok(r) => r,
        Err(code) => return Ok(code),
    };
    rendered.releases = args.deploy.prereqs.releases_or(std::mem::take(&mut rendered.releases))?;
    let session = match connect(&args.deploy.cluster, ui) {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    let diffs = match session.diff(
        &rendered.manifests,
        &rendered.releases,
        &rendered.platform,
        &rendered.environment,
        args.prune_data,
    ) {
        Ok(d) => d,
        Err(e) => return Ok(report_error(&e, ui)),
    };
    let changed: Vec<_> = diffs.iter().filter(|d| d.change != ChangeKind::Unchanged).collect();
    match args.output {
        DiffFormat::Json => outln!("{}", serde_json::to_string_pretty(&changed)?),
        DiffFormat::Diff => {
            let color = crate::ui::colors(&std::io::stdout());
            for d in &changed {
                for line in d.diff.lines() {
                    let style = match line.chars().next() {
                        Some('+') if !line.starts_with("+++") => Some(AnsiColor::Green),
                        Some('-') if !line.starts_with("---") => Some(AnsiColor::Red),
                        Some('@') => Some(AnsiColor::Cyan),
                        _ => None,
                    };
                    let colored = match style {
                        Some(c) if color => skyform_diag::paint(true, c.on_default(), line),
                        _ => line.to_string(),
                    };
                    outln!("{colored}");
                }
            }
            let count = |k: ChangeKind| changed.iter().filter(|d| d.change == k).count();
            ui.status(&format!(
                "{} to create, {} to update, {} to delete, {} unchanged",
                count(ChangeKind::Create),
                count(ChangeKind::Update),
                count(ChangeKind::Delete),
                diffs.len() - changed.len()
            ));
        }
    }
    Ok(if changed.is_empty() { exit::OK } else { exit::FINDINGS })
}
