//! `skyform history FILE --env ENV` (or `--platform NAME`): the revisions recorded in the
//! cluster's inventory for one platform and environment.

use super::OutputFormat;
use super::apply::{ClusterArgs, connect, report_error};
use super::args::EnvArg;
use crate::exit;
use crate::ui::Ui;

/// Writes a line through the one stdout writer; a closed pipe ends output quietly.
macro_rules! outln {
    ($($arg:tt)*) => {{
        crate::stdout::write(format!("{}\n", format_args!($($arg)*)))?;
    }};
}
use anyhow::{Result, bail};
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use std::path::PathBuf;

/// Which records, in which cluster: the platform from its file or by name, the
/// environment (required), and the cluster flags. Shared by `history` and `rollback`.
#[derive(clap::Args, Clone, Debug)]
pub struct PlatformArgs {
    /// Platform file (its `metadata.name` names the records)
    pub file: Option<PathBuf>,
    /// Platform name, instead of a file
    #[arg(long, conflicts_with = "file")]
    pub platform: Option<String>,
    #[command(flatten)]
    pub env: EnvArg,
    #[command(flatten)]
    pub cluster: ClusterArgs,
}

impl PlatformArgs {
    /// The platform name; `Err(code)` when the file is bad (already reported).
    pub fn name(&self, ui: &Ui) -> Result<std::result::Result<String, u8>> {
        match (&self.platform, &self.file) {
            (Some(name), _) => Ok(Ok(name.clone())),
            (None, Some(file)) => Ok(super::compile_platform(file, ui)?.map(|(m, _)| m.name)),
            (None, None) => bail!("pass a platform file or --platform NAME"),
        }
    }
}

#[derive(clap::Args)]
#[command(mut_arg("env", |a| a.required(true).help("Environment")))]
pub struct Args {
    #[command(flatten)]
    pub platform: PlatformArgs,
    /// Output format
    #[arg(long, short, value_enum, default_value = "table")]
    pub output: OutputFormat,
}

pub fn run(args: &Args, ui: &Ui) -> Result<u8> {
    let name = match args.platform.name(ui)? {
        Ok(n) => n,
        Err(code) => return Ok(code),
    };
    let session = match connect(&args.platform.cluster, ui) {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    let history = match session.history(&name, args.platform.env.name(), false) {
        Ok(h) => h,
        Err(e) => return Ok(report_error(&e, ui)),
    };
    match args.output {
        OutputFormat::Json => outln!("{}", serde_json::to_string_pretty(&history)?),
        OutputFormat::Yaml => {
            crate::stdout::write(super::to_yaml(&history)?)?;
        }
        OutputFormat::Table => {
            if history.is_empty() {
                ui.status(&format!("no revisions of {name}/{} in this cluster", args.platform.env.name()));
                return Ok(exit::OK);
            }
            let mut table = Table::new();
            table.load_style(UTF8_FULL_CONDENSED);
            table.set_header(["revision", "time", "status", "reason", "digest"]);
            for r in &history {
                table.add_row([
                    r.number.to_string(),
                    r.time.clone(),
                    r.status.as_str().to_string(),
                    r.reason.clone(),
                    r.digest.chars().take(19).collect(),
                ]);
            }
            outln!("{table}");
        }
    }
    Ok(exit::OK)
}
