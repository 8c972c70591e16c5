//! skyform-terraform: Terraform modules and roots, and Pulumi YAML programs ([`pulumi`]),
//! for the clusters and cloud services of a resolved platform model.
//!
//! The crate is pure: a [`Model`], one of its environments, a provider and the cost
//! planner's [`Plan`] go in; `(relative path, contents)` pairs come out, sorted by path.
//! Nothing is read from or written to disk, and the same input gives byte-identical
//! output.
//!
//! ```text
//! modules/kubernetes-cluster/<provider>/   one interface, eight implementations
//! modules/networking/<provider>/           VPC / subnets / firewall where the cloud has them
//! modules/dns/<provider>/                  zone + records for the exposed hosts
//! modules/object-storage/<provider>/       backup and replication buckets
//! modules/managed-postgres/<provider>/     only where the platform chose managed
//! modules/managed-redis/<provider>/        only where the platform chose managed
//! environments/<env>/<provider>/           main.tf (literal module sources), variables.tf,
//!                                          terraform.tfvars (node pools from the cost
//!                                          planner), versions.tf, outputs.tf, backend.tf
//! ```
//!
//! HCL is built with `hcl-rs` ([`hclw`]) and printed `terraform fmt`-clean.

pub mod cluster;
pub mod hclw;
pub mod pools;
pub mod pulumi;
pub mod root;
pub mod services;
pub mod state;
pub mod versions;

use skyform_cost::Plan;
use skyform_model::{Environment, Model, ProviderName};

pub use pools::{Pool, pools_for, pools_with_policy};

/// Generated files: `(relative path, contents)`, sorted by path.
pub type Files = Vec<(String, String)>;

/// Why rendering failed (never because of user input: the model is already valid).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("printing HCL for {path}: {source}")]
    Hcl { path: String, source: hcl::Error },
    #[error("printing YAML for {path}: {message}")]
    Yaml { path: String, message: String },
}

/// The output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Terraform,
    Pulumi,
}

/// The Terraform files for one environment on one provider: the provider's modules and
/// the environment root `environments/<env>/<provider>/`. `plan` is the cost planner's
/// plan for this (environment, provider); without one (no catalog, planning failed) the
/// node pools fall back to one modest pool and the tfvars say so. `k3s` (on-premises,
/// no cloud API) yields no files.
///
/// # Errors
/// [`Error::Hcl`] if a file cannot be printed.
pub fn render(model: &Model, env: &Environment, provider: ProviderName, plan: Option<&Plan>) -> Result<Files, Error> {
    let Some(ctx) = Ctx::new(model, env, provider, plan) else {
        return Ok(Vec::new());
    };
    let mut files = Vec::new();
    cluster::module(&ctx, &mut files)?;
    services::modules(&ctx, &mut files)?;
    root::environment(&ctx, &mut files)?;
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files.dedup_by(|a, b| a.0 == b.0);
    Ok(files)
}

/// The Pulumi YAML program for one environment on one provider:
/// `pulumi/<env>/<provider>/Pulumi.yaml` and `Pulumi.<env>.yaml`. `k3s` yields no files.
///
/// # Errors
/// [`Error::Yaml`] if a file cannot be printed.
pub fn render_pulumi(
    model: &Model,
    env: &Environment,
    provider: ProviderName,
    plan: Option<&Plan>,
) -> Result<Files, Error> {
    let Some(ctx) = Ctx::new(model, env, provider, plan) else {
        return Ok(Vec::new());
    };
    pulumi::program(&ctx)
}

/// Renders either format.
///
/// # Errors
/// As [`render`] and [`render_pulumi`].
pub fn render_format(
    format: Format,
    model: &Model,
    env: &Environment,
    provider: ProviderName,
    plan: Option<&Plan>,
) -> Result<Files, Error> {
    match format {
        Format::Terraform => render(model, env, provider, plan),
        Format::Pulumi => render_pulumi(model, env, provider, plan),
    }
}

/// The lower-case provider name used in paths and module names.
pub fn provider_key(p: ProviderName) -> &'static str {
    skyform_cost::from_model::provider_key(p)
}

/// Everything a generator needs, resolved once.
#[derive(Debug)]
pub struct Ctx<'a> {
    pub model: &'a Model,
    pub env: &'a Environment,
    pub provider: ProviderName,
    pub region: String,
    /// `<platform>-<env>`, the cluster name.
    pub name: String,
    pub pools: Vec<Pool>,
    /// Whether the pools came from the cost planner.
    pub planned: bool,
    pub managed_postgres: Vec<&'a skyform_model::Service>,
    pub managed_redis: Vec<&'a skyform_model::Service>,
    /// Exposed host names, sorted and unique.
    pub hosts: Vec<String>,
    /// Buckets to create, sorted and unique.
    pub buckets: Vec<String>,
}

impl<'a> Ctx<'a> {
    fn new(model: &'a Model, env: &'a Environment, provider: ProviderName, plan: Option<&Plan>) -> Option<Self> {
        if matches!(provider, ProviderName::K3s | ProviderName::Kind) {
            return None;
        }
        let region = model
            .provider(provider)
            .map(|p| p.region.clone())
            .filter(|r| !r.is_empty() && r != "any")
            .unwrap_or_else(|| versions::default_region(provider).to_owned());
        let name = format!("{}-{}", model.name, env.name);
        let (pools, planned) = pools_with_policy(provider, env.production, plan, &model.autoscaling);
        let managed = |c: skyform_model::ComponentKind| {
            env.services.iter().filter(|s| s.component == Some(c) && s.is_managed_on(provider)).collect::<Vec<_>>()
        };
        let managed_postgres = managed(skyform_model::ComponentKind::Postgres);
        let managed_redis = managed(skyform_model::ComponentKind::Redis);
        let mut hosts: Vec<String> =
            env.services.iter().filter_map(|s| s.expose.as_ref().map(|e| e.host.clone())).collect();
        hosts.sort();
        hosts.dedup();
        let mut buckets = vec![format!("{name}-backups")];
        for rep in &model.backup.replication {
            let target = rep.target.split_once("://").map_or(rep.target.as_str(), |(_, rest)| rest);
            let bucket = target.split('/').next().unwrap_or(target);
            if !bucket.is_empty() {
                buckets.push(bucket.to_owned());
            }
        }
        buckets.sort();
        buckets.dedup();
        Some(Self {
            model,
            env,
            provider,
            region,
            name,
            pools,
            planned,
            managed_postgres,
            managed_redis,
            hosts,
            buckets,
        })
    }

    /// The provider's path key (`aws`, `gcp`, …).
    pub fn key(&self) -> &'static str {
        provider_key(self.provider)
    }

    /// Whether the control plane should be highly available (production environments).
    pub fn ha(&self) -> bool {
        self.env.production
    }
}

/// Prints a file built with [`hclw`], attaching the path to any error.
pub(crate) fn print(path: String, file: &hclw::File, files: &mut Files) -> Result<(), Error> {
    let text = file.print().map_err(|source| Error::Hcl { path: path.clone(), source })?;
    files.push((path, text));
    Ok(())
}
