//! `skyform dr FILE [--env ENV] [--migrate FROM:TO]`: the disaster-recovery table
//! computed from the platform's replicas, storage, backup schedules and replication (see
//! `skyform_addons::dr` for the model and its stated assumptions), or a cloud-to-cloud
//! migration runbook.

use super::OutputFormat;
use super::args::{EnvArg, EnvDefault, parse_migration};
use crate::exit;
use crate::ui::Ui;
use anyhow::Result;
use skyform_model::ProviderName;
use std::path::PathBuf;

#[derive(clap::Args)]
#[command(mut_arg("env", |a| a.help("Environment (default: `production` if it exists, else the first one)")))]
pub struct Args {
    /// Platform file (`-` reads standard input)
    pub file: PathBuf,
    #[command(flatten)]
    pub env: EnvArg,
    /// Print the migration runbook between two providers instead, e.g. `digitalocean:aws`
    #[arg(long, value_name = "FROM:TO", value_parser = parse_migration)]
    pub migrate: Option<(ProviderName, ProviderName)>,
    /// Output format
    #[arg(long, short, value_enum, default_value = "table")]
    pub output: OutputFormat,
}

use crate::stdout::write as out;

pub fn run(args: &Args, ui: &Ui) -> Result<u8> {
    let (model, _) = match super::compile_platform(&args.file, ui)? {
        Ok(m) => m,
        Err(code) => return Ok(code),
    };
    if let Some((from, to)) = args.migrate {
        let runbook = skyform_addons::migration_runbook(&model, from, to);
        let json = serde_json::json!({ "runbook": runbook });
        match args.output {
            OutputFormat::Json => out(&(serde_json::to_string_pretty(&json)? + "\n"))?,
            OutputFormat::Yaml => out(&super::to_yaml(&json)?)?,
            OutputFormat::Table => out(&runbook)?,
        }
        return Ok(exit::OK);
    }
    let Some(env) = args.env.select(&model, EnvDefault::Production, ui) else { return Ok(exit::BAD_INPUT) };
    let report = skyform_addons::dr_table(&model, env);
    match args.output {
        OutputFormat::Json => out(&(serde_json::to_string_pretty(&report)? + "\n"))?,
        OutputFormat::Yaml => out(&super::to_yaml(&report)?)?,
        OutputFormat::Table => out(report.to_text())?,
    }
    Ok(exit::OK)
}
