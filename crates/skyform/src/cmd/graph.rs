//! `skyform graph FILE [--env ENV] [--provider P] [--format mermaid|dot]`: the traffic the
//! rendered NetworkPolicies allow, evaluated from the policies themselves.

use super::args::{EnvDefault, PlatformTarget};
use crate::exit;
use crate::ui::Ui;
use anyhow::Result;
use skyform_render::graph::{GraphFormat, TrafficGraph};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Mermaid flowchart
    Mermaid,
    /// Graphviz DOT
    Dot,
}

#[derive(clap::Args)]
#[command(mut_arg("env", |a| a.help("Environment (default: `production` if present, else the first)")))]
#[command(mut_arg("provider", |a| a.help("Provider; matters for managed databases (default: the first declared)")))]
pub struct Args {
    #[command(flatten)]
    pub target: PlatformTarget,
    /// Output format (`--format` is its old spelling)
    #[arg(long, short, alias = "format", value_enum, default_value = "mermaid")]
    pub output: Format,
}

pub fn run(args: &Args, ui: &Ui) -> Result<u8> {
    let (model, _source) = match super::compile_platform(&args.target.file, ui)? {
        Ok(m) => m,
        Err(code) => return Ok(code),
    };
    let Some(env) = args.target.env.select(&model, EnvDefault::Production, ui) else { return Ok(exit::BAD_INPUT) };
    let Some(provider) = args.target.provider.select_or_first(&model, ui) else { return Ok(exit::BAD_INPUT) };
    let objects = super::render::platform_objects(&model, env, provider);
    let graph = TrafficGraph::from_objects(&objects, &model);
    let format = match args.output {
        Format::Mermaid => GraphFormat::Mermaid,
        Format::Dot => GraphFormat::Dot,
    };
    crate::stdout::write(graph.render(format))?;
    Ok(exit::OK)
}
