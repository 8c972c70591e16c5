//! Shared helpers for the add-on tests: the two example platforms, compiled.

#![allow(dead_code)]

use skyform_model::{Model, ProviderName};

pub const HEALTH: &str = include_str!("../../../../examples/health-platform/platform.yaml");
pub const RESIMATE: &str = include_str!("../../../../examples/resimate/platform.yaml");

/// Compiles a platform file, failing the test with every diagnostic.
pub fn compile(text: &str) -> Model {
    match skyform_model::compile(text) {
        Ok(m) => m,
        Err(d) => panic!("platform does not compile: {d:#?}"),
    }
}

/// The examples: (name, model).
pub fn examples() -> Vec<(&'static str, Model)> {
    vec![("health-platform", compile(HEALTH)), ("resimate", compile(RESIMATE))]
}

/// The first provider the platform targets.
pub fn first_provider(m: &Model) -> ProviderName {
    m.providers.first().map_or(ProviderName::K3s, |p| p.name)
}
