//! skyform's renderers: the resolved [`Model`] for one environment and one provider in,
//! Kubernetes objects or files out.
//!
//! Pure and deterministic: no file, terminal or environment access, no panics, and the
//! same input always gives byte-identical output. [`render_objects`] is the single source
//! of the object set; [`render_k8s`] lays it out as plain manifests, and the Helm and
//! Kustomize renderers post-process the same objects.
//!
//! Modules: [`objects`] (shared object type, names, labels), [`k8s`] (the builders),
//! [`output`] (YAML and tree layout), [`netpol`] (a NetworkPolicy evaluator) and
//! [`graph`] (the allowed-traffic graph, computed by that evaluator).

pub mod graph;
pub mod k8s;
pub mod netpol;
pub mod objects;
pub mod output;

pub use objects::{Object, parse_provider, provider_name};
pub use output::RenderedFile;

use skyform_model::{Environment, Model, ProviderName};

/// The fewest items a parallel loop of the renderers hands to one task: below it, a loop
/// runs on the calling thread and wakes no other (each wake-up costs more CPU than a few
/// services' objects take to build).
pub const PARALLEL_MIN: usize = 16;

/// Every Kubernetes object of `env` on `provider`, in canonical order.
pub fn render_objects(model: &Model, env: &Environment, provider: ProviderName) -> Vec<Object> {
    k8s::objects(model, env, provider)
}

/// Plain manifests: one file per object (layout in [`output`]).
pub fn render_k8s(model: &Model, env: &Environment, provider: ProviderName) -> Vec<RenderedFile> {
    output::files(&render_objects(model, env, provider))
}

/// Plain manifests as one multi-document YAML stream.
pub fn render_k8s_stream(model: &Model, env: &Environment, provider: ProviderName) -> String {
    output::stream(&render_objects(model, env, provider))
}
