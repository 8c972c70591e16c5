//! Arguments lowered once: the flags several commands share are clap `Args` structs
//! flattened into each command, and each is turned into a model value in one place. A
//! provider is a typed value ([`Provider`], one spelling each: the platform file's); the
//! environment is chosen by [`EnvArg::select`] for every command.
//!
//! Conventions (README, "Command line"): `--out DIR|FILE` names where files go,
//! `-o/--output FORMAT` names the format of what is printed.

use crate::ui::Ui;
use skyform_model::{Environment, Model, ProviderName};
use std::path::PathBuf;

/// A provider on the command line, spelled as in `platform.yaml` (`aws`, `digitalocean`, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Provider(pub ProviderName);

const PROVIDERS: [Provider; 10] = {
    let all = ProviderName::ALL;
    [
        Provider(all[0]),
        Provider(all[1]),
        Provider(all[2]),
        Provider(all[3]),
        Provider(all[4]),
        Provider(all[5]),
        Provider(all[6]),
        Provider(all[7]),
        Provider(all[8]),
        Provider(all[9]),
    ]
};

impl clap::ValueEnum for Provider {
    fn value_variants<'a>() -> &'a [Self] {
        &PROVIDERS
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.0.as_str()))
    }
}

/// Which environment (`--env`). Commands that need one name it (`#[command(mut_arg("env",
/// …))]` makes it required there); the others fall back as [`EnvDefault`] says.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct EnvArg {
    /// Environment (default: the only one; `production` for reports)
    #[arg(long, short, value_name = "ENV")]
    pub env: Option<String>,
}

/// What an absent `--env` means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnvDefault {
    /// The only environment; with several, the user must choose.
    Only,
    /// `production` if present, else the first.
    Production,
    /// The first one.
    First,
}

impl EnvArg {
    /// The environment `--env` names (it must exist), or the default.
    pub fn select<'m>(&self, model: &'m Model, default: EnvDefault, ui: &Ui) -> Option<&'m Environment> {
        let names = || format!("environments: {}", model.environment_names().join(", "));
        match &self.env {
            Some(n) => {
                let found = model.environment(n);
                if found.is_none() {
                    ui.error(&format!("platform `{}` has no environment `{n}`", model.name));
                    ui.hint(&names());
                }
                found
            }
            None if model.environments.len() == 1 => model.environments.first(),
            None if default == EnvDefault::Production => {
                model.environment("production").or_else(|| model.environments.first())
            }
            None if default == EnvDefault::First => model.environments.first(),
            None => {
                ui.error("choose an environment with `--env`");
                ui.hint(&names());
                None
            }
        }
    }

    /// The named environment, or every one.
    pub fn select_all<'m>(&self, model: &'m Model, ui: &Ui) -> Option<Vec<&'m Environment>> {
        match &self.env {
            Some(_) => self.select(model, EnvDefault::Only, ui).map(|e| vec![e]),
            None => Some(model.environments.iter().collect()),
        }
    }

    /// The name given, for commands that only pass it on (history, rollback).
    pub fn name(&self) -> &str {
        self.env.as_deref().unwrap_or_default()
    }
}

/// Which provider (`--provider`).
#[derive(clap::Args, Clone, Debug, Default)]
pub struct ProviderArg {
    /// Provider (default: the only declared one, else the first)
    #[arg(long, short, value_enum, value_name = "PROVIDER")]
    pub provider: Option<Provider>,
}

impl ProviderArg {
    /// The named provider (it must be a target of the platform; `kind` always is), the
    /// only declared one, or `default`.
    pub fn select(&self, model: &Model, default: Option<ProviderName>, ui: &Ui) -> Option<ProviderName> {
        let declared: Vec<&str> = model.providers.iter().map(|p| p.name.as_str()).collect();
        let hint = if declared.is_empty() {
            "the platform declares no providers".to_string()
        } else {
            format!("providers: {}", declared.join(", "))
        };
        match self.provider {
            // kind (a local cluster for development) needs no declaration.
            Some(Provider(p))
                if model.provider(p).is_some() || model.providers.is_empty() || skyform_prereqs::is_local(p) =>
            {
                Some(p)
            }
            Some(Provider(p)) => {
                ui.error(&format!("provider `{}` is not a target of platform `{}`", p.as_str(), model.name));
                ui.hint(&format!("add it under `spec.providers`, or use one of the {hint}"));
                None
            }
            None if model.providers.len() == 1 => model.providers.first().map(|p| p.name),
            None => default.or_else(|| {
                ui.error("choose a provider with `--provider`");
                ui.hint(&hint);
                None
            }),
        }
    }

    /// The first declared provider when none is named (reports, apply).
    pub fn select_or_first(&self, model: &Model, ui: &Ui) -> Option<ProviderName> {
        self.select(model, Some(model.providers.first().map_or(ProviderName::K3s, |p| p.name)), ui)
    }
}

/// A platform file with its environment and provider: what every rendering command reads.
#[derive(clap::Args, Clone, Debug)]
pub struct PlatformTarget {
    /// Platform file (`-` reads standard input)
    pub file: PathBuf,
    #[command(flatten)]
    pub env: EnvArg,
    #[command(flatten)]
    pub provider: ProviderArg,
}

impl Provider {
    /// Parses a provider name as `--provider` does.
    pub fn parse(name: &str) -> Result<Provider, String> {
        <Provider as clap::ValueEnum>::from_str(name.trim(), false).map_err(|_| {
            let known: Vec<&str> = ProviderName::ALL.iter().map(|p| p.as_str()).collect();
            format!("unknown provider `{}` (providers: {})", name.trim(), known.join(", "))
        })
    }
}

/// `--migrate FROM:TO`: two providers.
pub fn parse_migration(text: &str) -> Result<(ProviderName, ProviderName), String> {
    let (a, b) = text.split_once(':').ok_or_else(|| "expected FROM:TO, e.g. `digitalocean:aws`".to_string())?;
    Ok((Provider::parse(a)?.0, Provider::parse(b)?.0))
}
