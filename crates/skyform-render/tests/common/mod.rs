//! Shared helpers of the integration tests: the platforms under test and their targets.

use skyform_model::{Model, ProviderName};
use skyform_render::parse_provider;

/// (label, path relative to this crate, providers under test).
pub const PLATFORMS: &[(&str, &str, &[&str])] = &[
    ("health-platform", "../../examples/health-platform/platform.yaml", &["aws", "digitalocean", "k3s"]),
    ("resimate", "../../examples/resimate/platform.yaml", &["aws", "gcp", "k3s"]),
    ("edge-cases", "test-data/edge-cases/platform.yaml", &["aws", "gcp", "azure", "hetzner", "k3s"]),
];

pub fn load(rel: &str) -> Model {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    skyform_model::compile(&text).unwrap_or_else(|d| panic!("{rel} does not compile: {d:#?}"))
}

#[allow(dead_code)]
pub fn providers(names: &[&str]) -> Vec<ProviderName> {
    names.iter().map(|n| parse_provider(n).unwrap_or_else(|| panic!("unknown provider {n}"))).collect()
}
