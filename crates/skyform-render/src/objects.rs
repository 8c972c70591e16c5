//! The renderer-neutral object list and the naming/labelling rules every renderer shares.
//!
//! An [`Object`] is one Kubernetes object (typed `k8s-openapi` struct or custom resource)
//! flattened to a `serde_json::Value` plus its identity. The k8s, Helm and Kustomize
//! renderers all start from the same `Vec<Object>` (see [`crate::render_objects`]), so
//! they cannot disagree about what is deployed.

use k8s_openapi::{Metadata, Resource, apimachinery::pkg::apis::meta::v1::ObjectMeta};
use serde::Serialize;
use serde_json::{Map, Value};
use skyform_model::{ComponentKind, Model, ProviderName, Service};
use std::collections::BTreeMap;

/// Value of `app.kubernetes.io/managed-by` on every object.
pub const MANAGED_BY: &str = "skyform";

/// One rendered Kubernetes object.
#[derive(Clone, Debug, PartialEq)]
pub struct Object {
    pub api_version: String,
    pub kind: String,
    /// `None` for cluster-scoped objects (Namespace, StorageClass, ClusterIssuer).
    pub namespace: Option<String>,
    pub name: String,
    /// The whole object, including `apiVersion`, `kind` and `metadata`.
    pub value: Value,
}

impl Object {
    /// Wraps a typed `k8s-openapi` object.
    pub fn typed<T>(obj: &T) -> Object
    where
        T: Resource + Metadata<Ty = ObjectMeta> + Serialize,
    {
        let meta = obj.metadata();
        // k8s-openapi's Serialize impls only fail on non-string map keys, which its types
        // never have; fall back to an empty object rather than panicking.
        let value = serde_json::to_value(obj).unwrap_or(Value::Object(Map::new()));
        Object {
            api_version: T::API_VERSION.to_string(),
            kind: T::KIND.to_string(),
            namespace: meta.namespace.clone(),
            name: meta.name.clone().unwrap_or_default(),
            value,
        }
    }

    /// Builds a custom resource (or any object without a typed struct) from its parts.
    /// `body` holds the top-level fields besides apiVersion/kind/metadata (e.g. `spec`).
    pub fn custom(api_version: &str, kind: &str, meta: ObjectMeta, body: Map<String, Value>) -> Object {
        let mut value = Map::new();
        value.insert("apiVersion".into(), Value::String(api_version.into()));
        value.insert("kind".into(), Value::String(kind.into()));
        value.insert("metadata".into(), serde_json::to_value(&meta).unwrap_or(Value::Object(Map::new())));
        value.extend(body);
        Object {
            api_version: api_version.to_string(),
            kind: kind.to_string(),
            namespace: meta.namespace.clone(),
            name: meta.name.clone().unwrap_or_default(),
            value: Value::Object(value),
        }
    }

    /// `apiVersion` group (`""` for the core group).
    pub fn group(&self) -> &str {
        self.api_version.rsplit_once('/').map_or("", |(g, _)| g)
    }

    /// Whether the object is cluster-scoped.
    pub fn is_cluster_scoped(&self) -> bool {
        self.namespace.is_none()
    }

    /// Sort key used by every output: cluster-scoped objects first, then by namespace,
    /// then in apply order of kinds (see [`kind_rank`]), then by name.
    pub fn sort_key(&self) -> (bool, String, u8, String, String) {
        (
            !self.is_cluster_scoped(),
            self.namespace.clone().unwrap_or_default(),
            kind_rank(&self.kind),
            self.kind.clone(),
            self.name.clone(),
        )
    }
}

/// Sorts objects into their canonical, deterministic order.
pub fn sort_objects(objects: &mut [Object]) {
    objects.sort_by_cached_key(Object::sort_key);
}

/// Apply order: things others refer to come first (namespaces, storage, RBAC, config).
pub fn kind_rank(kind: &str) -> u8 {
    match kind {
        "Namespace" => 0,
        "StorageClass" => 1,
        "ClusterIssuer" => 2,
        "NetworkPolicy" => 3,
        "ServiceAccount" => 4,
        "Role" => 5,
        "RoleBinding" => 6,
        "ConfigMap" => 7,
        "Secret" | "ExternalSecret" | "SealedSecret" => 8,
        "Service" => 9,
        "Deployment" | "StatefulSet" => 10,
        "HorizontalPodAutoscaler" | "ScaledObject" | "TriggerAuthentication" => 11,
        "PodDisruptionBudget" => 12,
        "Ingress" | "DomainMapping" | "GatewayClass" | "Gateway" => 13,
        "HTTPRoute" | "GRPCRoute" | "TLSRoute" | "TCPRoute" | "UDPRoute" => 14,
        _ => 20,
    }
}

/// The `app.kubernetes.io/instance` value: one platform is one instance.
pub fn instance(model: &Model) -> &str {
    &model.name
}

/// Labels that select a service's pods (stable across releases: never add to these).
pub fn selector_labels(model: &Model, service: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("app.kubernetes.io/instance".to_string(), instance(model).to_string()),
        ("app.kubernetes.io/name".to_string(), service.to_string()),
    ])
}

/// Labels every object of the platform carries: user labels from `metadata.labels`,
/// then `part-of` and `managed-by` (ours win).
pub fn platform_labels(model: &Model) -> BTreeMap<String, String> {
    let mut l = model.labels.clone();
    l.insert("app.kubernetes.io/part-of".into(), model.name.clone());
    l.insert("app.kubernetes.io/managed-by".into(), MANAGED_BY.into());
    l
}

/// Full labels of a service's objects and pods.
pub fn service_labels(model: &Model, s: &Service) -> BTreeMap<String, String> {
    let mut l = platform_labels(model);
    l.extend(selector_labels(model, &s.name));
    l.insert("app.kubernetes.io/component".into(), component_label(s));
    l
}

/// `app.kubernetes.io/component`: the known component (`postgres`), else the tier.
pub fn component_label(s: &Service) -> String {
    s.component.map_or_else(|| s.tier.clone(), |c| component_name(c).to_string())
}

/// Lowercase name of a known component.
pub fn component_name(c: ComponentKind) -> &'static str {
    match c {
        ComponentKind::Postgres => "postgres",
        ComponentKind::Redis => "redis",
        ComponentKind::Minio => "minio",
        ComponentKind::Rabbitmq => "rabbitmq",
        ComponentKind::Jaeger => "jaeger",
        ComponentKind::Envoy => "envoy",
        ComponentKind::Kratos => "kratos",
        ComponentKind::Vault => "vault",
        ComponentKind::Nginx => "nginx",
        ComponentKind::Prometheus => "prometheus",
        ComponentKind::Grafana => "grafana",
        ComponentKind::Loki => "loki",
    }
}

/// Lowercase name of a provider, as written in `platform.yaml`.
pub fn provider_name(p: ProviderName) -> &'static str {
    p.as_str()
}

/// Every provider, in declaration order.
pub const ALL_PROVIDERS: [ProviderName; 10] = ProviderName::ALL;

/// Parses a provider name as written in `platform.yaml`.
pub fn parse_provider(name: &str) -> Option<ProviderName> {
    ProviderName::parse(name)
}

/// Name of the ConfigMap holding a service's non-secret environment.
pub fn config_map_name(service: &str) -> String {
    format!("{service}-config")
}

/// Name of the Secret holding a service's secret environment. Contract with the secrets
/// add-on: it creates this Secret (ExternalSecret target / SealedSecret) in the service's
/// namespace with one key per secret environment variable, the key being the variable name.
pub fn secret_name(service: &str) -> String {
    format!("{service}-secrets")
}

/// Name of a StatefulSet's governing headless Service.
pub fn headless_name(service: &str) -> String {
    format!("{service}-headless")
}

/// Name of a service's TLS certificate Secret (issued by cert-manager).
pub fn tls_secret_name(service: &str) -> String {
    format!("{service}-tls")
}

/// A volume name (DNS-1123 label) for a writable path: `/var/run/postgresql` → `rw-var-run-postgresql`.
pub fn volume_name_for_path(path: &str) -> String {
    let mut out = String::from("rw");
    for part in path.split(|c: char| !c.is_ascii_alphanumeric()).filter(|p| !p.is_empty()) {
        out.push('-');
        out.push_str(&part.to_ascii_lowercase());
    }
    if out.len() > 63 {
        // Keep it unique and short: a stable hash suffix of the full path.
        let digest = crate::output::sha256_hex(path.as_bytes());
        out.truncate(50);
        out = format!("{}-{}", out.trim_end_matches('-'), &digest[..12]);
    }
    out
}

/// Standard metadata: name, optional namespace, labels and annotations.
pub fn meta(
    name: &str,
    namespace: Option<&str>,
    labels: BTreeMap<String, String>,
    annotations: BTreeMap<String, String>,
) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.to_string()),
        namespace: namespace.map(str::to_string),
        labels: (!labels.is_empty()).then_some(labels),
        annotations: (!annotations.is_empty()).then_some(annotations),
        ..ObjectMeta::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volume_names_are_dns_labels() {
        assert_eq!(volume_name_for_path("/var/run/postgresql"), "rw-var-run-postgresql");
        assert_eq!(volume_name_for_path("/tmp"), "rw-tmp");
        let long = format!("/{}", "a/".repeat(60));
        let v = volume_name_for_path(&long);
        assert!(v.len() <= 63, "{v}");
    }

    #[test]
    fn providers_round_trip() {
        for p in ALL_PROVIDERS {
            assert_eq!(parse_provider(provider_name(p)), Some(p));
        }
    }
}
