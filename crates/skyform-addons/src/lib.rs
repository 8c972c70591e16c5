//! Platform add-ons rendered around the core workloads: observability, secrets,
//! backups and disaster recovery, GitOps and CI, identity, and the compliance report.
//!
//! Everything here is a pure, deterministic function of the resolved [`Model`] (plus an
//! environment and a provider): no file, terminal, clock or environment access and no
//! panics. Objects use the same [`Object`] type as the core renderer
//! ([`skyform_render::render_objects`]) and come back in the same canonical order, so
//! every output layout (plain manifests, Helm, Kustomize) can take core and add-on
//! objects together.
//!
//! | module | objects / output |
//! |---|---|
//! | [`observability`] | ServiceMonitor/PodMonitor per metrics port, PrometheusRule, Grafana dashboard ConfigMaps, Promtail or Fluent Bit config |
//! | [`secrets`] | SecretStore + ExternalSecret per service with secrets, or SealedSecret templates |
//! | [`data`] | CloudNativePG Cluster, barman-cloud ObjectStore, ScheduledBackup, Database, PodMonitor; database connection Secrets for consumers (operator-run and managed) |
//! | [`vault`] | Vault as a component: Raft HA config, TokenReview binding, Kubernetes-auth roles and policies |
//! | [`backup`] | Velero Schedules, MinIO bucket mirroring config |
//! | [`identity`] | Ory Kratos config (identity schema, self-service flows from the domain) |
//! | [`prereqs`] | the prerequisites of an object set, their manifests and every missing Namespace |
//! | [`gitops`] | Argo CD ApplicationSet or Flux GitRepository + Kustomizations, sync waves, CI workflow |
//! | [`dr`] | the DR table computed from schedules and replication, the migration runbook |
//! | [`compliance`] | HIPAA/GDPR/SOC2 technical controls, each with its evidence or gap |
//!
//! Operator namespaces (`monitoring` or the configured observability namespace,
//! `velero`, `external-secrets`, ...) are created by [`prereqs::complete`], with the
//! components that need them installed ([`skyform_prereqs`]). Prometheus must select the platform's
//! ServiceMonitors, PodMonitors and PrometheusRules by the label
//! `app.kubernetes.io/part-of: <platform>` (kube-prometheus-stack:
//! `serviceMonitorSelector`, `podMonitorSelector`, `ruleSelector`).
//!
//! Contracts with the core renderer:
//! - the secrets add-on creates the Secret [`skyform_render::objects::secret_name`] of
//!   every service with `secrets:` (one key per variable, plus `KEDA_QUEUE_HOST` for a
//!   service scaled on a queue);
//! - Vault and Kratos read their configuration from the ConfigMap
//!   [`component_config_name`], which the workload must mount at
//!   [`component_config_dir`].

pub mod backup;
pub mod compliance;
pub mod data;
pub mod dr;
pub mod gitops;
pub mod identity;
pub mod observability;
pub mod prereqs;
pub mod secrets;
pub mod vault;

pub use compliance::{ComplianceReport, compliance};
pub use dr::{DrReport, dr_table, migration_runbook};
pub use gitops::{annotate_sync_waves, bootstrap_objects, ci_workflow, sync_wave};
pub use skyform_render::Object;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::{Map, Value};
use skyform_model::{ComponentKind, Environment, Model, ProviderName, Service};
use skyform_render::objects::{meta, platform_labels, service_labels, sort_objects};
use std::collections::BTreeMap;

/// Every add-on object of `env` on `provider`, in canonical order.
///
/// GitOps objects that manage the environments themselves (Argo CD ApplicationSet, Flux
/// sources) are not in here — they live outside any one environment: see
/// [`bootstrap_objects`].
pub fn objects(model: &Model, env: &Environment, provider: ProviderName) -> Vec<Object> {
    let cx = Ctx::new(model, env, provider);
    let mut out = Vec::new();
    out.extend(observability::objects(&cx));
    out.extend(secrets::objects(&cx));
    out.extend(data::objects(&cx));
    out.extend(vault::objects(&cx));
    out.extend(backup::objects(&cx));
    out.extend(identity::objects(&cx));
    sort_objects(&mut out);
    out
}

/// The whole object set of an environment without Argo CD sync waves: core objects,
/// add-on objects, the prerequisites' manifests and every Namespace used, in canonical
/// order (what `skyform render` writes; on `kind` with one replica and a self-signed
/// issuer, see [`skyform_prereqs::local`]).
pub fn env_objects(model: &Model, env: &Environment, provider: ProviderName) -> Vec<Object> {
    let mut out = skyform_prereqs::as_deployed(model, env, provider, |model, env| {
        // The core objects and the add-ons' are independent: built side by side.
        let (mut out, addons) =
            rayon::join(|| skyform_render::render_objects(model, env, provider), || objects(model, env, provider));
        out.extend(addons);
        prereqs::complete(model, env, provider, &mut out);
        out
    });
    sort_objects(&mut out);
    out
}

/// The one object set of an environment that every format (and `apply`, `graph`,
/// `compliance`) starts from: [`env_objects`] with Argo CD sync waves when the platform
/// uses Argo CD. The releases that serve its custom resources:
/// [`prereqs::prerequisites`].
pub fn platform_objects(model: &Model, env: &Environment, provider: ProviderName) -> Vec<Object> {
    let mut objects = env_objects(model, env, provider);
    if model.gitops.as_ref().is_some_and(|g| g.tool == skyform_model::GitopsTool::Argocd) {
        skyform_prereqs::as_deployed(model, env, provider, |model, env| annotate_sync_waves(model, env, &mut objects));
    }
    objects
}

/// What every builder needs: the model, the environment and the provider.
pub struct Ctx<'a> {
    pub model: &'a Model,
    pub env: &'a Environment,
    pub provider: ProviderName,
    /// The environment's database connection Secrets, built on first use and shared by
    /// every service's lookups ([`data::connection_secrets`]), which would otherwise
    /// rebuild them per service (cubic in the number of services).
    connections: std::sync::OnceLock<Vec<data::ConnectionSecret<'a>>>,
}

impl<'a> Ctx<'a> {
    pub fn new(model: &'a Model, env: &'a Environment, provider: ProviderName) -> Ctx<'a> {
        Ctx { model, env, provider, connections: std::sync::OnceLock::new() }
    }

    /// Whether the service runs in the cluster (not as the provider's managed offering).
    pub fn in_cluster(&self, s: &Service) -> bool {
        !s.is_managed_on(self.provider)
    }

    /// Services that run in the cluster, in model order.
    pub fn in_cluster_services(&self) -> impl Iterator<Item = &'a Service> + '_ {
        self.env.services.iter().filter(|s| self.in_cluster(s))
    }

    /// In-cluster services of one component kind.
    pub fn components(&self, kind: ComponentKind) -> impl Iterator<Item = &'a Service> + '_ {
        self.in_cluster_services().filter(move |s| s.component == Some(kind))
    }

    /// Namespaces of every tier, in tier order.
    pub fn tier_namespaces(&self) -> Vec<String> {
        self.model.tiers.iter().map(|t| t.namespace.clone()).collect()
    }
}

/// The component-configuration contract is the core renderer's: it mounts these.
pub use skyform_render::k8s::{component_config_dir, component_config_name};

/// A NetworkPolicy `name` letting pods of `namespace` reach `s`'s pods on one port: the
/// extra edges add-ons need on top of the core default-deny (Prometheus scraping Knative
/// pods, the External Secrets controller reading Vault).
pub(crate) fn allow_ingress_from_namespace(
    cx: &Ctx<'_>,
    s: &Service,
    name: &str,
    namespace: &str,
    port: u16,
    protocol: skyform_model::Protocol,
) -> Object {
    use k8s_openapi::api::networking::v1::{
        NetworkPolicy, NetworkPolicyIngressRule, NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicySpec,
    };
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
    use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
    let np = NetworkPolicy {
        metadata: service_meta(cx.model, s, name, &s.namespace),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(LabelSelector {
                match_labels: Some(skyform_render::objects::selector_labels(cx.model, &s.name)),
                ..LabelSelector::default()
            }),
            policy_types: Some(vec!["Ingress".into()]),
            ingress: Some(vec![NetworkPolicyIngressRule {
                from: Some(vec![NetworkPolicyPeer {
                    namespace_selector: Some(LabelSelector {
                        match_labels: Some(BTreeMap::from([(
                            skyform_render::k8s::NAMESPACE_NAME_LABEL.to_string(),
                            namespace.to_string(),
                        )])),
                        ..LabelSelector::default()
                    }),
                    ..NetworkPolicyPeer::default()
                }]),
                ports: Some(vec![NetworkPolicyPort {
                    port: Some(IntOrString::Int(i32::from(port))),
                    protocol: Some(if protocol == skyform_model::Protocol::Udp { "UDP" } else { "TCP" }.into()),
                    ..NetworkPolicyPort::default()
                }]),
            }]),
            ..NetworkPolicySpec::default()
        }),
    };
    Object::typed(&np)
}

/// Metadata of an object belonging to a service.
pub(crate) fn service_meta(model: &Model, s: &Service, name: &str, namespace: &str) -> ObjectMeta {
    meta(name, Some(namespace), service_labels(model, s), BTreeMap::new())
}

/// Metadata of a platform-wide object.
pub(crate) fn platform_meta(model: &Model, name: &str, namespace: Option<&str>) -> ObjectMeta {
    meta(name, namespace, platform_labels(model), BTreeMap::new())
}

/// A custom resource with a `spec`.
pub(crate) fn custom(api_version: &str, kind: &str, m: ObjectMeta, spec: Value) -> Object {
    let mut body = Map::new();
    body.insert("spec".into(), spec);
    Object::custom(api_version, kind, m, body)
}

/// Adds annotations to metadata.
pub(crate) fn annotate(mut m: ObjectMeta, pairs: &[(&str, String)]) -> ObjectMeta {
    let mut a = m.annotations.take().unwrap_or_default();
    for (k, v) in pairs {
        a.insert((*k).to_string(), v.clone());
    }
    m.annotations = (!a.is_empty()).then_some(a);
    m
}

/// Adds labels to metadata.
pub(crate) fn label(mut m: ObjectMeta, pairs: &[(&str, &str)]) -> ObjectMeta {
    let mut l = m.labels.take().unwrap_or_default();
    for (k, v) in pairs {
        l.insert((*k).to_string(), (*v).to_string());
    }
    m.labels = Some(l);
    m
}

/// Pretty JSON with a trailing newline (deterministic: `serde_json` keeps insertion order).
pub(crate) fn pretty_json(v: &impl serde::Serialize) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

/// In-cluster DNS name of a service.
pub(crate) fn service_host(s: &Service) -> String {
    format!("{}.{}.svc.cluster.local", s.name, s.namespace)
}
