//! `skyform dr FILE [--env ENV] [--migrate FROM:TO]`: the disaster-recovery table
//! computed from the platform's replicas, storage, backup schedules and replication (see
//! `skyform_addons::dr` for the model and its stated assumptions), or a cloud-to-cloud
//! migration runbook.

use super::OutputFormat;
use crate::exit;
use crate::ui::Ui;
use anyhow::Result;
use skyform_model::{Environment, Model, ProviderName};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Platform file (`-` reads standard input)
    pub file: PathBuf,
    /// Environment (default: `production` if it exists, else the first one)
    #[arg(long, short)]
    pub env: Option<String>,
    /// Print the migration runbook between two providers instead, e.g. `digitalocean:aws`
    #[arg(long, value_name = "FROM:TO")]
    pub migrate: Option<String>,
    /// Output format
    #[arg(long, short, value_enum, default_value = "table")]
    pub output: OutputFormat,
}

/// The environment named on the command line, else `production`, else the first one.
pub fn pick_env<'m>(model: &'m Model, name: Option<&str>, ui: &Ui) -> Option<&'m Environment> {
    match name {
        Some(n) => {
            let env = model.environment(n);
            if env.is_none() {
                ui.error(&format!("environment `{n}` does not exist"));
                ui.hint(&format!("environments: {}", model.environment_names().join(", ")));
            }
            env
        }
        None => model.environment("production").or_else(|| model.environments.first()),
    }
}

fn parse_pair(text: &str, ui: &Ui) -> Option<(ProviderName, ProviderName)> {
    let known = || {
        skyform_render::objects::ALL_PROVIDERS
            .iter()
            .map(|p| skyform_render::provider_name(*p))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let Some((a, b)) = text.split_once(':') else {
        ui.error(&format!("`--migrate {text}` is not FROM:TO"));
        ui.hint("for example `--migrate digitalocean:aws`");
        return None;
    };
    let mut out = Vec::new();
    for name in [a, b] {
        match skyform_render::parse_provider(name.trim()) {
            Some(p) => out.push(p),
            None => {
                ui.error(&format!("unknown provider `{name}`"));
                ui.hint(&format!("providers: {}", known()));
                return None;
            }
        }
    }
    Some((out[0], out[1]))
}

use crate::stdout::write as out;

pub fn run(args: &Args, ui: &Ui) -> Result<u8> {
    let (model, _) = match super::compile_platform(&args.file, ui)? {
        Ok(m) => m,
        Err(code) => return Ok(code),
    };
    if let Some(pair) = &args.migrate {
        let Some((from, to)) = parse_pair(pair, ui) else { return Ok(exit::BAD_INPUT) };
        let runbook = skyform_addons::migration_runbook(&model, from, to);
        let json = serde_json::json!({ "runbook": runbook });
        match args.output {
            OutputFormat::Json => out(&(serde_json::to_string_pretty(&json)? + "\n"))?,
            OutputFormat::Yaml => out(&super::to_yaml(&json)?)?,
            OutputFormat::Table => out(&runbook)?,
        }
        return Ok(exit::OK);
    }
    let Some(env) = pick_env(&model, args.env.as_deref(), ui) else { return Ok(exit::BAD_INPUT) };
    let report = skyform_addons::dr_table(&model, env);
    match args.output {
        OutputFormat::Json => out(&(serde_json::to_string_pretty(&report)? + "\n"))?,
        OutputFormat::Yaml => out(&super::to_yaml(&report)?)?,
        OutputFormat::Table => out(report.to_text())?,
    }
    Ok(exit::OK)
}
