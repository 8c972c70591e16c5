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

/// Credential-looking values written in the platform file itself (URL passwords, tokens,
/// provider keys, private keys), located at the value: they would end up in every
/// rendered format.
pub fn credential_diagnostics(text: &str) -> Vec<skyform_spec::Diagnostic> {
    let Ok(root) = skyform_yaml::parse_document(text) else { return Vec::new() };
    credential_diagnostics_in(&root)
}

/// [`credential_diagnostics`] of a platform file already parsed into `root`.
fn credential_diagnostics_in(root: &skyform_yaml::Node) -> Vec<skyform_spec::Diagnostic> {
    skyform_check::credentials::scan_yaml(root)
        .into_iter()
        .map(|(span, path, what)| {
            let mut d = skyform_spec::Diagnostic::error(
                skyform_spec::Code::InvalidValue,
                span,
                format!("`{path}` holds {} in plain text", what.describe()),
            );
            d.hints.push(
                "list the variable under the service's `secrets:` and keep the value in the secrets backend; \
                 build URLs with `$(VAR)` from it"
                    .to_string(),
            );
            d
        })
        .collect()
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
    let (model, mut diags) = skyform_model::lower_with_warnings(&loaded);
    // Nothing pruned: the loaded tree is the whole file, no need to parse it again.
    diags.extend(if loaded.pruned.is_empty() {
        credential_diagnostics_in(&loaded.tree)
    } else {
        credential_diagnostics(&source.text)
    });
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
