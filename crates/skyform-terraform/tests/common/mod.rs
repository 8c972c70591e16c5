//! Shared test helpers: compile the examples, plan them, render every provider.
#![allow(dead_code)]

use skyform_cost::{Catalog, PlanOptions, plan_environment};
use skyform_model::{Model, ProviderName};
use skyform_terraform::{Files, Format, render_format};

pub const EXAMPLES: [(&str, &str); 2] = [
    ("health-platform", include_str!("../../../../examples/health-platform/platform.yaml")),
    ("resimate", include_str!("../../../../examples/resimate/platform.yaml")),
];

/// The cloud providers: every provider but the local k3s and kind (declared last),
/// which render Hetzner's modules.
pub const PROVIDERS: [ProviderName; 8] = match ProviderName::ALL.first_chunk::<8>() {
    Some(clouds) => *clouds,
    None => panic!("fewer than eight providers"),
};

pub fn model(text: &str) -> Model {
    match skyform_model::compile(text) {
        Ok(m) => m,
        Err(d) => panic!("example does not compile: {d:?}"),
    }
}

/// Renders `(example, environment, provider)` for every environment and provider.
pub fn render_all(format: Format) -> Vec<(String, String, ProviderName, Files)> {
    let catalog = Catalog::embedded().expect("embedded catalog");
    let keys: Vec<String> = PROVIDERS.iter().map(|p| skyform_terraform::provider_key(*p).to_owned()).collect();
    let mut out = Vec::new();
    for (name, text) in EXAMPLES {
        let m = model(text);
        for env in &m.environments {
            let set = plan_environment(&m, env, &keys, &catalog, &PlanOptions::default()).expect("plans");
            for p in PROVIDERS {
                let plan = set.plans.iter().find(|x| x.provider == skyform_terraform::provider_key(p));
                let files = render_format(format, &m, env, p, plan).expect("renders");
                out.push((name.to_owned(), env.name.clone(), p, files));
            }
        }
    }
    out
}

/// Writes files under `dir` (later writes of the same path are identical modules).
pub fn write(dir: &std::path::Path, files: &Files) {
    for (path, text) in files {
        let full = dir.join(path);
        std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
        std::fs::write(full, text).expect("write");
    }
}
