//! Kubernetes objects for one environment on one provider.
//!
//! Built as typed `k8s-openapi` structs (custom resources — cert-manager ClusterIssuer,
//! Knative Service/DomainMapping, KEDA ScaledObject/TriggerAuthentication — as JSON
//! values; Gateway API objects in [`gateway`]) and returned as [`Object`]s in canonical order. A service that is the cloud's
//! managed database on the chosen provider gets no in-cluster objects; its dependents get
//! egress to it instead, and their connection details from its Secret ([`wiring`]).
//! In-cluster PostgreSQL is a CloudNativePG `Cluster` (rendered by the data add-on), so
//! only its NetworkPolicy is built here; replicated Redis, RabbitMQ, MinIO and Vault get
//! what turns their pods into one system ([`replication`]).

pub mod cnpg;
mod gateway;
pub mod lifecycle;
mod mounts;
mod network;
mod provider;
pub mod replication;
pub mod wiring;
mod workload;

pub use gateway::{
    ACME_SOLVER_LABEL, ACME_SOLVER_PORT, ENVOY_GATEWAY_CONTROLLER, GATEWAY_API_V1, GATEWAY_API_V1ALPHA2,
    OWNING_GATEWAY_NAME, OWNING_GATEWAY_NAMESPACE, data_plane_labels,
};
pub use mounts::{files_config_map_name, public_service_name, shared_volume_label};
pub use network::{
    DNS_LABEL, DNS_NAMESPACE, KEDA_NAMESPACE, KNATIVE_GATEWAY_NAMESPACE, KNATIVE_GATEWAY_PORT, KNATIVE_METRICS_PORT,
    KNATIVE_NAMESPACE, NAMESPACE_NAME_LABEL, NON_PUBLIC, PRIVATE, queue_port,
};
pub use provider::{SpotMarker, spot_marker, storage_class_name};
pub use workload::{
    KNATIVE_QUEUE_PORT, autoscaled, component_config_dir, component_config_name, config_checksum, knative_port,
    needs_api_token,
};

use crate::objects::{Object, meta, platform_labels, sort_objects};
use k8s_openapi::api::core::v1::Namespace;
use rayon::prelude::*;
use serde_json::{Map, json};
use skyform_model::{AcmeServer, Environment, Model, PodSecurityLevel, ProviderName, Service};
use std::collections::BTreeMap;

/// What every builder needs: the model, the environment and the provider.
pub struct Ctx<'a> {
    pub model: &'a Model,
    pub env: &'a Environment,
    pub provider: ProviderName,
}

impl Ctx<'_> {
    /// Whether the service runs in the cluster (not as the provider's managed offering).
    pub fn in_cluster(&self, s: &Service) -> bool {
        !s.is_managed_on(self.provider)
    }

    /// Services that run in the cluster, in model order.
    pub fn in_cluster_services(&self) -> impl Iterator<Item = &Service> {
        self.env.services.iter().filter(|s| self.in_cluster(s))
    }
}

/// Every object of `env` on `provider`, sorted canonically.
pub fn objects(model: &Model, env: &Environment, provider: ProviderName) -> Vec<Object> {
    let cx = Ctx { model, env, provider };
    let mut out = Vec::new();
    for t in &model.tiers {
        out.push(namespace(model, &t.namespace, t.pod_security, t.reason.as_deref()));
        out.extend(network::namespace_policies(&cx, &t.namespace));
    }
    out.extend(provider::storage_classes(model, provider, env.production));
    if env.services.iter().any(|s| s.expose.as_ref().is_some_and(|e| e.tls && !e.load_balancer) && cx.in_cluster(s)) {
        out.push(cluster_issuer(model));
    }
    let callers = network::Callers::new(&cx);
    // Each service's objects are built on their own, in parallel; `collect` keeps the
    // services' order (and `sort_objects` makes the set's order canonical anyway).
    let services: Vec<&Service> = cx.in_cluster_services().collect();
    let per_service: Vec<Vec<Object>> = services
        .par_iter()
        .with_min_len(crate::PARALLEL_MIN)
        .map(|&s| {
            let mut out = workload::service_objects(&cx, s);
            if wiring::cnpg(&cx, s) {
                out.push(cnpg::cluster(&cx, s));
            }
            if s.component == Some(skyform_model::ComponentKind::Kratos) {
                out.extend(lifecycle::migration(&cx, s));
            }
            out.extend(replication::extra_objects(&cx, s));
            out.push(network::service_policy(&cx, s, &callers));
            out.extend(network::helper_policies(&cx, s, &callers));
            out
        })
        .collect();
    out.extend(per_service.into_iter().flatten());
    out.extend(gateway::objects(&cx));
    sort_objects(&mut out);
    out
}

fn level_name(l: PodSecurityLevel) -> &'static str {
    match l {
        PodSecurityLevel::Restricted => "restricted",
        PodSecurityLevel::Baseline => "baseline",
        PodSecurityLevel::Privileged => "privileged",
    }
}

/// A Namespace with the Pod Security labels of `level` (`reason` explains a level below
/// `restricted`).
pub fn namespace(model: &Model, name: &str, level: PodSecurityLevel, reason: Option<&str>) -> Object {
    let mut labels = platform_labels(model);
    let version = format!("v{}", model.kubernetes_version);
    for mode in ["enforce", "audit", "warn"] {
        labels.insert(format!("pod-security.kubernetes.io/{mode}"), level_name(level).into());
        labels.insert(format!("pod-security.kubernetes.io/{mode}-version"), version.clone());
    }
    // Audit and warn always at restricted so a weaker tier still reports what it allows.
    if level != PodSecurityLevel::Restricted {
        labels.insert("pod-security.kubernetes.io/audit".into(), "restricted".into());
        labels.insert("pod-security.kubernetes.io/warn".into(), "restricted".into());
    }
    let annotations: BTreeMap<String, String> = reason
        .map(|r| BTreeMap::from([("skyform.dev/pod-security-reason".to_string(), r.to_string())]))
        .unwrap_or_default();
    Object::typed(&Namespace { metadata: meta(name, None, labels, annotations), ..Namespace::default() })
}

fn cluster_issuer(model: &Model) -> Object {
    let issuer = &model.ingress.issuer;
    let spec = match issuer.acme {
        AcmeServer::SelfSigned => json!({"selfSigned": {}}),
        AcmeServer::Production | AcmeServer::Staging => {
            let server = if issuer.acme == AcmeServer::Production {
                "https://acme-v02.api.letsencrypt.org/directory"
            } else {
                "https://acme-staging-v02.api.letsencrypt.org/directory"
            };
            json!({"acme": {
                "server": server,
                "email": issuer.email,
                "privateKeySecretRef": {"name": format!("{}-account-key", issuer.name)},
                "solvers": [match &model.ingress.gateway {
                    Some(g) => gateway::http01_solver(g),
                    None => json!({"http01": {"ingress": {"ingressClassName": model.ingress.class_name}}}),
                }],
            }})
        }
    };
    let mut body = Map::new();
    body.insert("spec".into(), spec);
    Object::custom(
        "cert-manager.io/v1",
        "ClusterIssuer",
        meta(&issuer.name, None, platform_labels(model), BTreeMap::new()),
        body,
    )
}
