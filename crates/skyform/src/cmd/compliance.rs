//! `skyform compliance FILE [--env ENV] [--provider P]`: the HIPAA, GDPR and SOC 2
//! technical controls of the seeds (encryption in transit and at rest, audit logging,
//! least privilege, secrets, backups, network segmentation, monitoring), each with the
//! generated objects implementing it or the gap. Exit 1 when a control has no evidence.

use super::OutputFormat;
use crate::exit;
use crate::ui::Ui;
use anyhow::Result;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Platform file (`-` reads standard input)
    pub file: PathBuf,
    /// Environment (default: `production` if it exists, else the first one)
    #[arg(long, short)]
    pub env: Option<String>,
    /// Provider whose objects are assessed (default: the first provider of the platform)
    #[arg(long, short)]
    pub provider: Option<String>,
    /// Output format
    #[arg(long, short, value_enum, default_value = "table")]
    pub output: OutputFormat,
}

pub fn run(args: &Args, ui: &Ui) -> Result<u8> {
    let (model, _) = match super::compile_platform(&args.file, ui)? {
        Ok(m) => m,
        Err(code) => return Ok(code),
    };
    let Some(env) = super::dr::pick_env(&model, args.env.as_deref(), ui) else { return Ok(exit::BAD_INPUT) };
    let provider = match &args.provider {
        Some(name) => match skyform_render::parse_provider(name).filter(|p| model.provider(*p).is_some()) {
            Some(p) => p,
            None => {
                ui.error(&format!("`{name}` is not a provider of this platform"));
                let names: Vec<&str> = model.providers.iter().map(|p| skyform_render::provider_name(p.name)).collect();
                ui.hint(&format!("providers: {}", names.join(", ")));
                return Ok(exit::BAD_INPUT);
            }
        },
        None => match model.providers.first() {
            Some(p) => p.name,
            None => skyform_model::ProviderName::K3s,
        },
    };
    let objects = super::render::platform_objects(&model, env, provider);
    let report = skyform_addons::compliance(&model, env, provider, &objects);
    match args.output {
        OutputFormat::Json => crate::stdout::write(&(serde_json::to_string_pretty(&report)? + "\n"))?,
        OutputFormat::Yaml => crate::stdout::write(&super::to_yaml(&report)?)?,
        OutputFormat::Table => crate::stdout::write(report.to_text())?,
    }
    Ok(if report.has_gaps() { exit::FINDINGS } else { exit::OK })
}
