//! `skyform explain FILE --env ENV`: the resolved model of one environment.

use super::OutputFormat;
use super::args::{EnvArg, EnvDefault};
use crate::exit;
use crate::ui::Ui;
use anyhow::Result;
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use std::path::PathBuf;

#[derive(clap::Args)]
#[command(mut_arg("env", |a| a.help("Environment to resolve (default: the first one)")))]
pub struct Args {
    /// Platform file
    pub file: PathBuf,
    #[command(flatten)]
    pub env: EnvArg,
    /// Output format
    #[arg(long, short, value_enum, default_value = "table")]
    pub output: OutputFormat,
}

pub fn run(args: &Args, ui: &Ui) -> Result<u8> {
    let (model, _) = match super::compile_platform(&args.file, ui)? {
        Ok(m) => m,
        Err(code) => return Ok(code),
    };
    let Some(env) = args.env.select(&model, EnvDefault::First, ui) else { return Ok(exit::BAD_INPUT) };
    match args.output {
        OutputFormat::Json => crate::stdout::write(serde_json::to_string_pretty(env)? + "\n")?,
        OutputFormat::Yaml => crate::stdout::write(super::to_yaml(env)?)?,
        OutputFormat::Table => {
            let mut table = Table::new();
            table.load_style(UTF8_FULL_CONDENSED);
            table.set_header(["service", "tier", "kind", "image", "replicas", "cpu", "memory", "ports", "depends on"]);
            for s in &env.services {
                let replicas = if s.replicas.is_range() {
                    format!("{}..{}", s.replicas.min, s.replicas.max)
                } else {
                    s.replicas.min.to_string()
                };
                let kind = match s.workload {
                    skyform_model::WorkloadKind::Deployment => "Deployment",
                    skyform_model::WorkloadKind::StatefulSet => "StatefulSet",
                    skyform_model::WorkloadKind::Knative => "Knative",
                    skyform_model::WorkloadKind::Job => "Job",
                };
                table.add_row([
                    s.name.clone(),
                    s.tier.clone(),
                    kind.to_string(),
                    s.image.clone(),
                    replicas,
                    format!("{}..{}", s.resources.cpu_request, s.resources.cpu_limit),
                    format!("{}..{}", s.resources.memory_request, s.resources.memory_limit),
                    s.ports.iter().map(|p| format!("{}:{}", p.name, p.port)).collect::<Vec<_>>().join(" "),
                    s.depends_on.iter().map(|d| d.service.clone()).collect::<Vec<_>>().join(" "),
                ]);
            }
            crate::stdout::write(format!(
                "environment `{}` (production: {}, domain: {})\n{table}\n",
                env.name, env.production, env.domain
            ))?;
        }
    }
    Ok(exit::OK)
}
