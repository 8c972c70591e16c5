//! `lower()`: raw platform → [`Model`], collecting every semantic diagnostic.

use crate::components::{DefaultProbe, component_defaults};
use crate::types::*;
use crate::{
    AcmeServer, BackupMethod, ExposeProtocol, IngressController, LogStack, PodSecurityLevel, Protocol, ProviderName,
    SecretsBackend, ServerlessMetric, StorageClassName,
};
use skyform_spec::quantity::{self, Bytes, Cpu};
use skyform_spec::raw::{self, ServiceSpec};
use skyform_spec::{Code, Diagnostic, LoadedPlatform, did_you_mean};
use skyform_yaml::Path;
use std::collections::{BTreeMap, BTreeSet};

/// Validates and resolves a loaded platform. Returns the model, or every error found
/// (warnings alone do not fail; they are returned by [`lower_with_warnings`]).
pub fn lower(loaded: &LoadedPlatform) -> Result<Model, Vec<Diagnostic>> {
    let (model, diags) = lower_with_warnings(loaded);
    match model {
        Some(m) if !diags.iter().any(|d| d.severity == skyform_spec::Severity::Error) => Ok(m),
        _ => Err(diags),
    }
}

/// Like [`lower`], but also returns warnings next to a successful model.
pub fn lower_with_warnings(loaded: &LoadedPlatform) -> (Option<Model>, Vec<Diagnostic>) {
    let mut cx = Cx { loaded, diags: Vec::new(), seen: BTreeSet::new(), gateway_api: false };
    let model = cx.platform();
    // The structural problems come first in the run; a semantic one at the very spot of a
    // structural one is its echo (the pruned value's default), not news.
    let structural: BTreeSet<(u32, u32)> = loaded.diagnostics.iter().map(|d| (d.span.line, d.span.column)).collect();
    let mut diags = loaded.diagnostics.clone();
    diags.extend(cx.diags.into_iter().filter(|d| !structural.contains(&(d.span.line, d.span.column))));
    diags.sort_by_key(|d| (d.span.line, d.span.column, d.code));
    (Some(model), diags)
}

struct Cx<'a> {
    loaded: &'a LoadedPlatform,
    diags: Vec<Diagnostic>,
    /// Deduplicates diagnostics that every environment would otherwise repeat.
    seen: BTreeSet<(u32, u32, String)>,
    /// Exposure goes through the Gateway API (set once `spec.ingress` is lowered).
    gateway_api: bool,
}

fn spec_path() -> Path {
    Path::root().key("spec")
}

fn is_dns1123_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

fn is_iana_svc_name(s: &str) -> bool {
    is_dns1123_label(s) && s.len() <= 15 && s.bytes().any(|b| b.is_ascii_lowercase()) && !s.contains("--")
}

/// A name Kubernetes accepts for an environment variable (`[-._a-zA-Z][-._a-zA-Z0-9]*`):
/// `discovery.type` and `spring.profiles.active` are as valid as `LOG_LEVEL`.
fn is_env_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || matches!(c, '_' | '.' | '-'))
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        && s != "."
        && s != ".."
}

/// A duration with its unit(s), in whole minutes (rounded up); `None` when invalid.
fn duration_minutes(s: &str) -> Option<u64> {
    skyform_spec::duration::parse_minutes(s).ok()
}

impl Cx<'_> {
    /// Whether service `name` was dropped for a structural problem (already reported):
    /// references to it are then not reported again as unknown.
    fn dropped_service(&self, name: &str) -> bool {
        let path = spec_path().key("services").key(name);
        self.loaded.was_pruned(&path) || ["tier", "image", "component"].iter().any(|k| self.pruned_field(&path, k))
    }

    /// Whether field `key` of the mapping at `path` was pruned for a structural problem.
    fn pruned_field(&self, path: &Path, key: &str) -> bool {
        self.loaded.was_pruned(&path.key(key))
    }

    /// Reports a reference to a service that does not exist, unless the service was
    /// dropped for a structural problem (then the reference is not news).
    fn unknown_service(&mut self, target: &str, path: &Path, message: impl Into<String>, hint: Option<String>) {
        if !self.dropped_service(target) {
            self.error(Code::UnknownService, path, message, hint);
        }
    }

    fn push(&mut self, d: Diagnostic) {
        if self.seen.insert((d.span.line, d.span.column, d.message.clone())) {
            self.diags.push(d);
        }
    }

    fn err(&mut self, code: Code, path: &Path, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(code, self.loaded.span(path), message)
    }

    fn error(&mut self, code: Code, path: &Path, message: impl Into<String>, hint: Option<String>) {
        let d = self.err(code, path, message).hint_opt(hint);
        self.push(d);
    }

    fn error_at_key(&mut self, code: Code, path: &Path, message: impl Into<String>, hint: Option<String>) {
        let d = Diagnostic::error(code, self.loaded.key_span(path), message).hint_opt(hint);
        self.push(d);
    }

    fn warn(&mut self, code: Code, path: &Path, message: impl Into<String>, hint: Option<String>) {
        let d = Diagnostic::warning(code, self.loaded.span(path), message).hint_opt(hint);
        self.push(d);
    }
}

fn protocol_name(p: ExposeProtocol) -> &'static str {
    match p {
        ExposeProtocol::Http => "http",
        ExposeProtocol::Grpc => "grpc",
        ExposeProtocol::Tls => "tls",
        ExposeProtocol::Tcp => "tcp",
        ExposeProtocol::Udp => "udp",
    }
}

/// Whether the replicas were written as a range (an environment policy may collapse it).
fn written_as_range(r: Option<&raw::ReplicasSpec>) -> bool {
    matches!(r, Some(raw::ReplicasSpec::Text(t)) if t.contains(".."))
}

fn tier_of(services: &BTreeMap<String, ServiceSpec>, name: &str) -> String {
    services.get(name).and_then(|s| s.tier.clone()).unwrap_or_default()
}

fn port_list(ports: &[Port]) -> String {
    if ports.is_empty() {
        return "it declares no ports".to_string();
    }
    format!(
        "its ports are: {}",
        ports.iter().map(|p| format!("{} ({})", p.name, p.port)).collect::<Vec<_>>().join(", ")
    )
}

fn valid_cidr(c: &str) -> bool {
    let Some((ip, bits)) = c.split_once('/') else { return false };
    let Ok(bits) = bits.parse::<u8>() else { return false };
    match ip.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(_)) => bits <= 32,
        Ok(std::net::IpAddr::V6(_)) => bits <= 128,
        Err(_) => false,
    }
}

/// A service's base spec with an environment's override on top.
struct Merged<'a> {
    tree: &'a skyform_yaml::Node,
    base: &'a ServiceSpec,
    over: Option<&'a ServiceSpec>,
    base_path: &'a Path,
    over_path: &'a Path,
}

impl Merged<'_> {
    /// The effective value of a field: the override's if set, else the base's.
    fn get<T>(&self, f: impl Fn(&ServiceSpec) -> Option<T>) -> Option<T> {
        self.over.and_then(&f).or_else(|| f(self.base))
    }

    /// Where a field (camelCase key) is written: in the override when it sets it, so that
    /// a diagnostic points at the line the user must change.
    fn path(&self, key: &str) -> Path {
        let over = self.over_path.key(key);
        if self.over.is_some() && self.tree.at(&over).is_some() { over } else { self.base_path.key(key) }
    }
}

mod backup;
mod platform;
mod probes;
mod refs;
mod resources;
mod security;
mod service;
mod workload;
