//! `skyform validate FILE`: every problem of a platform file, located.

use crate::exit;
use crate::ui::Ui;
use anyhow::Result;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Platform file (`-` reads standard input)
    pub file: PathBuf,
    /// Treat warnings as findings (exit 1)
    #[arg(long)]
    pub strict: bool,
}

pub fn run(args: &Args, ui: &Ui) -> Result<u8> {
    let source = super::read_source(&args.file)?;
    let loaded = match skyform_spec::load_platform(&source.text) {
        Ok(l) => l,
        Err(diags) => {
            ui.diagnostics(&diags, &source);
            return Ok(exit::BAD_INPUT);
        }
    };
    let (model, diags) = skyform_model::lower_with_warnings(&loaded);
    ui.diagnostics(&diags, &source);
    let errors = diags.iter().filter(|d| d.severity == skyform_spec::Severity::Error).count();
    if errors > 0 {
        return Ok(exit::BAD_INPUT);
    }
    if let Some(m) = model {
        let services = m.environments.first().map_or(0, |e| e.services.len());
        ui.status(&format!(
            "`{}` is valid: {} services in {} tiers, environments: {}",
            source.name,
            services,
            m.tiers.len(),
            m.environment_names().join(", ")
        ));
    }
    if args.strict && !diags.is_empty() {
        return Ok(exit::FINDINGS);
    }
    Ok(exit::OK)
}
