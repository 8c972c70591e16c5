//! `skyform compliance FILE [--env ENV] [--provider P]`: the HIPAA, GDPR and SOC 2
//! technical controls of the seeds (encryption in transit and at rest, audit logging,
//! least privilege, secrets, backups, network segmentation, monitoring), each with the
//! generated objects implementing it or the gap. Exit 1 when a control has no evidence.

use super::OutputFormat;
use super::args::{EnvDefault, PlatformTarget};
use crate::exit;
use crate::ui::Ui;
use anyhow::Result;

#[derive(clap::Args)]
#[command(mut_arg("env", |a| a.help("Environment (default: `production` if it exists, else the first one)")))]
#[command(mut_arg("provider", |a| a.help("Provider whose objects are assessed (default: the first provider of the platform)")))]
pub struct Args {
    #[command(flatten)]
    pub target: PlatformTarget,
    /// Output format
    #[arg(long, short, value_enum, default_value = "table")]
    pub output: OutputFormat,
}

pub fn run(args: &Args, ui: &Ui) -> Result<u8> {
    let (model, _) = match super::compile_platform(&args.target.file, ui)? {
        Ok(m) => m,
        Err(code) => return Ok(code),
    };
    let Some(env) = args.target.env.select(&model, EnvDefault::Production, ui) else { return Ok(exit::BAD_INPUT) };
    let Some(provider) = args.target.provider.select_or_first(&model, ui) else { return Ok(exit::BAD_INPUT) };
    let objects = super::render::platform_objects(&model, env, provider);
    let report = skyform_addons::compliance(&model, env, provider, &objects);
    match args.output {
        OutputFormat::Json => crate::stdout::write(&(serde_json::to_string_pretty(&report)? + "\n"))?,
        OutputFormat::Yaml => crate::stdout::write(&super::to_yaml(&report)?)?,
        OutputFormat::Table => crate::stdout::write(report.to_text())?,
    }
    Ok(if report.has_gaps() { exit::FINDINGS } else { exit::OK })
}
