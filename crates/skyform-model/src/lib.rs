//! The resolved platform model.
//!
//! [`lower`] turns a loaded raw platform ([`skyform_spec::LoadedPlatform`], the parts
//! that passed the structural check) into a [`Model`]: every name checked, every
//! quantity parsed, component defaults applied, and every environment's overrides
//! merged — collecting all problems, the structural ones included, as located
//! diagnostics before failing (vector's one-pass configuration compile).
//! A `Model` cannot be built any other way, so renderers may trust it completely.

mod components;
mod cron;
pub mod lifecycle;
mod lower;
pub mod managed;
mod types;

pub use components::{ComponentDefaults, ReplicationMode, component_defaults, replication_mode};
pub use lower::{lower, lower_with_warnings};
pub use managed::ManagedService;
pub use skyform_spec::raw::{
    AcmeServer, BackupMethod, ComponentKind, ExposeProtocol, GitopsTool, IngressController, LogStack, PodSecurityLevel,
    Protocol, ProviderName, SecretsBackend, ServerlessMetric, StorageClassName,
};
pub use types::*;

/// Loads and lowers a platform file in one call: text → model or every diagnostic.
pub fn compile(text: &str) -> Result<Model, Vec<skyform_spec::Diagnostic>> {
    let loaded = skyform_spec::load_platform(text)?;
    lower(&loaded)
}
