//! `skyform graph FILE [--env ENV] [--provider P] [--format mermaid|dot]`: the traffic the
//! rendered NetworkPolicies allow, evaluated from the policies themselves.

use crate::exit;
use crate::ui::Ui;
use anyhow::Result;
use skyform_model::ProviderName;
use skyform_render::graph::{GraphFormat, TrafficGraph};
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Mermaid flowchart
    Mermaid,
    /// Graphviz DOT
    Dot,
}

#[derive(clap::Args)]
pub struct Args {
    /// Platform file (`-` reads standard input)
    pub file: PathBuf,
    /// Environment (default: `production` if present, else the first)
    #[arg(long, short)]
    pub env: Option<String>,
    /// Provider; matters for managed databases (default: the first declared)
    #[arg(long, short)]
    pub provider: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value = "mermaid")]
    pub format: Format,
}

pub fn run(args: &Args, ui: &Ui) -> Result<u8> {
    let (model, _source) = match super::compile_platform(&args.file, ui)? {
        Ok(m) => m,
        Err(code) => return Ok(code),
    };
    let env_name = args
        .env
        .clone()
        .or_else(|| model.environment("production").or_else(|| model.environments.first()).map(|e| e.name.clone()));
    let Some(env) = super::render::select_env(&model, env_name.as_deref(), ui) else { return Ok(exit::BAD_INPUT) };
    let default = model.providers.first().map_or(ProviderName::K3s, |p| p.name);
    let Some(provider) = super::render::select_provider(&model, args.provider.as_deref(), Some(default), ui) else {
        return Ok(exit::BAD_INPUT);
    };
    let objects = super::render::platform_objects(&model, env, provider);
    let graph = TrafficGraph::from_objects(&objects, &model);
    let format = match args.format {
        Format::Mermaid => GraphFormat::Mermaid,
        Format::Dot => GraphFormat::Dot,
    };
    crate::stdout::write(graph.render(format))?;
    Ok(exit::OK)
}
