//! `skyform render FILE --env ENV --provider P [--out DIR | -o -]`: Kubernetes manifests.
//!
//! With `--out DIR` the tree (`DIR/<namespace>/<kind>-<name>.yaml`, cluster-scoped
//! objects under `DIR/cluster/`) is written to a temporary folder next to `DIR` and
//! renamed into place, so an error never leaves half an output and nothing outside `DIR`
//! is touched. Without `--out`, or with `-o -`, one multi-document stream goes to stdout.

use crate::exit;
use crate::ui::Ui;
use anyhow::Result;
use skyform_model::{Environment, Model, ProviderName};
use std::path::{Path, PathBuf};

/// What to render.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum RenderFormat {
    /// Plain Kubernetes manifests
    K8s,
}

#[derive(clap::Args)]
pub struct Args {
    /// Platform file (`-` reads standard input)
    pub file: PathBuf,
    /// Environment to render (may be omitted when the platform has only one)
    #[arg(long, short)]
    pub env: Option<String>,
    /// Target provider (may be omitted when the platform declares only one)
    #[arg(long, short)]
    pub provider: Option<String>,
    /// Output folder, replaced atomically; `-` writes one YAML stream to stdout (default)
    #[arg(long = "out", short = 'o', visible_alias = "output", value_name = "DIR|-")]
    pub out: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value = "k8s")]
    pub format: RenderFormat,
}

/// Picks the environment: the named one, or the only one.
pub fn select_env<'m>(model: &'m Model, name: Option<&str>, ui: &Ui) -> Option<&'m Environment> {
    let names = model.environment_names().join(", ");
    match name {
        Some(n) => {
            let found = model.environment(n);
            if found.is_none() {
                ui.error(&format!("platform `{}` has no environment `{n}`", model.name));
                ui.hint(&format!("environments: {names}"));
            }
            found
        }
        None if model.environments.len() == 1 => model.environments.first(),
        None => {
            ui.error("choose an environment with `--env`");
            ui.hint(&format!("environments: {names}"));
            None
        }
    }
}

/// Picks the provider: the named one (it must be a target of the platform), the only
/// declared one, or `default` when given.
pub fn select_provider(
    model: &Model,
    name: Option<&str>,
    default: Option<ProviderName>,
    ui: &Ui,
) -> Option<ProviderName> {
    let declared: Vec<&str> = model.providers.iter().map(|p| skyform_render::provider_name(p.name)).collect();
    let hint = if declared.is_empty() {
        "the platform declares no providers".to_string()
    } else {
        format!("providers: {}", declared.join(", "))
    };
    match name {
        Some(n) => match skyform_render::parse_provider(n) {
            Some(p) if model.provider(p).is_some() || model.providers.is_empty() => Some(p),
            Some(_) => {
                ui.error(&format!("provider `{n}` is not a target of platform `{}`", model.name));
                ui.hint(&format!("add it under `spec.providers`, or use one of the {hint}"));
                None
            }
            None => {
                ui.error(&format!("unknown provider `{n}`"));
                ui.hint(&hint);
                None
            }
        },
        None if model.providers.len() == 1 => model.providers.first().map(|p| p.name),
        None => default.or_else(|| {
            ui.error("choose a provider with `--provider`");
            ui.hint(&hint);
            None
        }),
    }
}

pub fn run(args: &Args, ui: &Ui) -> Result<u8> {
    let (model, _source) = match super::compile_platform(&args.file, ui)? {
        Ok(m) => m,
        Err(code) => return Ok(code),
    };
    let Some(env) = select_env(&model, args.env.as_deref(), ui) else { return Ok(exit::BAD_INPUT) };
    let Some(provider) = select_provider(&model, args.provider.as_deref(), None, ui) else {
        return Ok(exit::BAD_INPUT);
    };
    match args.format {
        RenderFormat::K8s => {}
    }
    match args.out.as_deref().filter(|p| *p != Path::new("-")) {
        None => {
            print!("{}", skyform_render::render_k8s_stream(&model, env, provider));
        }
        Some(out) => {
            let files: Vec<(String, Vec<u8>)> = skyform_render::render_k8s(&model, env, provider)
                .into_iter()
                .map(|f| (f.path, f.contents.into_bytes()))
                .collect();
            super::write_tree_atomic(out, &files)?;
            ui.status(&format!(
                "rendered {} objects for `{}` on {} into `{}`",
                files.len(),
                env.name,
                skyform_render::provider_name(provider),
                out.display()
            ));
        }
    }
    Ok(exit::OK)
}
