//! The model's types. Everything is resolved: no `Option` means "use a default" here.

use crate::{
    AcmeServer, BackupMethod, ComponentKind, ExposeProtocol, GitopsTool, IngressController, LogStack, PodSecurityLevel,
    Protocol, ProviderName, SecretsBackend, ServerlessMetric, StorageClassName,
};
use serde::Serialize;
use skyform_spec::quantity::{Bytes, Cpu};
use std::collections::{BTreeMap, BTreeSet};

/// The whole platform: shared settings plus one resolved view per environment.
#[derive(Clone, Debug, Serialize)]
pub struct Model {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub kubernetes_version: String,
    pub tiers: Vec<Tier>,
    pub ingress: Ingress,
    pub secrets: Secrets,
    pub observability: Observability,
    pub backup: Backup,
    pub gitops: Option<Gitops>,
    pub providers: Vec<ProviderTarget>,
    pub environments: Vec<Environment>,
    /// Node autoscaling policy of the clusters.
    pub autoscaling: ClusterAutoscaling,
}

/// The cluster autoscaler's policy (the seed's §2.3 values are the defaults).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ClusterAutoscaling {
    /// Fewest nodes in a production environment.
    pub min_nodes_production: u32,
    /// Fewest nodes in any other environment.
    pub min_nodes: u32,
    /// Most nodes of a cluster.
    pub max_nodes: u32,
    /// Minutes a node must be underused before it is removed.
    pub scale_down_after_minutes: u32,
    /// Underused: requests below this percentage of allocatable.
    pub scale_down_utilization_percent: u32,
}

impl Default for ClusterAutoscaling {
    fn default() -> Self {
        Self {
            min_nodes_production: 2,
            min_nodes: 1,
            max_nodes: 10,
            scale_down_after_minutes: 10,
            scale_down_utilization_percent: 50,
        }
    }
}

impl ClusterAutoscaling {
    /// Fewest nodes for an environment.
    pub fn min_for(&self, production: bool) -> u32 {
        if production { self.min_nodes_production } else { self.min_nodes }
    }
}

impl Model {
    pub fn environment(&self, name: &str) -> Option<&Environment> {
        self.environments.iter().find(|e| e.name == name)
    }

    pub fn environment_names(&self) -> Vec<&str> {
        self.environments.iter().map(|e| e.name.as_str()).collect()
    }

    pub fn tier(&self, name: &str) -> Option<&Tier> {
        self.tiers.iter().find(|t| t.name == name)
    }

    pub fn provider(&self, name: ProviderName) -> Option<&ProviderTarget> {
        self.providers.iter().find(|p| p.name == name)
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Tier {
    pub name: String,
    pub namespace: String,
    pub pod_security: PodSecurityLevel,
    pub reason: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Ingress {
    pub controller: IngressController,
    /// IngressClass, or GatewayClass for Gateway API exposure.
    pub class_name: String,
    /// Where the controller's proxy pods run (Envoy Gateway: its data plane).
    pub namespace: String,
    pub issuer: Issuer,
    /// The platform's Gateway when exposure goes through the Gateway API.
    pub gateway: Option<GatewayTarget>,
}

/// The one Gateway of a platform: all exposed services share its load balancer.
#[derive(Clone, Debug, Serialize)]
pub struct GatewayTarget {
    /// Gateway name (the platform name).
    pub name: String,
    /// Namespace holding the Gateway and its TLS Secrets: `<platform>-gateway`.
    pub namespace: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Issuer {
    pub name: String,
    pub email: String,
    pub acme: AcmeServer,
}

#[derive(Clone, Debug, Serialize)]
pub struct Secrets {
    pub backend: SecretsBackend,
    pub vault_address: Option<String>,
    pub vault_path: String,
    pub vault_role: String,
    pub refresh_interval: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Observability {
    pub metrics: bool,
    pub dashboards: bool,
    pub retention: String,
    pub storage: Option<Bytes>,
    pub namespace: String,
    pub logs: Option<LogStack>,
    pub log_retention: String,
    pub log_fields: Vec<String>,
    /// Service and port receiving OTLP traces.
    pub tracing: Option<TracingTarget>,
}

#[derive(Clone, Debug, Serialize)]
pub struct TracingTarget {
    pub service: String,
    pub port: u16,
}

#[derive(Clone, Debug, Serialize)]
pub struct Backup {
    pub schedules: Vec<BackupSchedule>,
    pub replication: Vec<Replication>,
    /// Expected size of each backup / replication bucket, GiB (0 when not given).
    pub bucket_size_gib: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct BackupSchedule {
    pub name: String,
    pub tiers: Vec<String>,
    pub cron: String,
    pub ttl: String,
    /// Retention in hours, parsed from `ttl`.
    pub ttl_hours: u64,
    /// Worst-case interval between two runs, in minutes (for RPO).
    pub interval_minutes: u64,
    pub method: BackupMethod,
    pub services: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Replication {
    pub service: String,
    pub bucket: String,
    pub target: String,
    pub interval_minutes: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Gitops {
    pub tool: GitopsTool,
    pub repo_url: String,
    pub path: String,
    pub target_revision: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct ProviderTarget {
    pub name: ProviderName,
    pub region: String,
}

/// One environment with every service resolved for it.
#[derive(Clone, Debug, Serialize)]
pub struct Environment {
    pub name: String,
    pub production: bool,
    pub domain: String,
    pub knative: bool,
    pub backup: bool,
    pub services: Vec<Service>,
}

impl Environment {
    /// The service called `name`. `lower()` builds `services` from the platform file's
    /// name-sorted map, so this is a binary search; a list that is not sorted (built by
    /// hand) falls back to a scan, so the answer never depends on the order.
    pub fn service(&self, name: &str) -> Option<&Service> {
        match self.services.binary_search_by(|s| s.name.as_str().cmp(name)) {
            Ok(i) => Some(&self.services[i]),
            Err(_) if self.services.is_sorted_by(|a, b| a.name <= b.name) => None,
            Err(_) => self.services.iter().find(|s| s.name == name),
        }
    }
}

/// How a service runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum WorkloadKind {
    Deployment,
    StatefulSet,
    /// A Knative Service (only when Knative is enabled in the environment).
    Knative,
    /// A one-shot Job (`job: true`): runs to completion, no Service, no probes.
    Job,
}

#[derive(Clone, Debug, Serialize)]
pub struct Service {
    pub name: String,
    pub tier: String,
    pub namespace: String,
    pub component: Option<ComponentKind>,
    pub workload: WorkloadKind,
    pub image: String,
    pub command: Vec<String>,
    pub args: Vec<String>,
    pub ports: Vec<Port>,
    pub env: BTreeMap<String, String>,
    pub secrets: Vec<SecretRef>,
    pub resources: Resources,
    pub replicas: Replicas,
    pub autoscale: Option<Autoscale>,
    pub probes: Probes,
    pub expose: Option<Expose>,
    pub depends_on: Vec<Dependency>,
    pub storage: Option<Storage>,
    pub serverless: Option<Serverless>,
    pub spot: bool,
    pub egress: Vec<Egress>,
    pub managed_on: BTreeSet<ProviderName>,
    pub security: Security,
    pub metrics: Option<Metrics>,
    pub tracing: bool,
    pub rbac: Vec<RbacRule>,
    /// PostgreSQL schemas to create in the service's database (`component: postgres`).
    pub schemas: Vec<String>,
    /// One-shot services (Jobs) that must complete before this one starts (ordering only).
    pub after: Vec<String>,
    /// Persistent volumes beside `storage`.
    pub volumes: Vec<Volume>,
    /// Read-only configuration files: absolute mount path → content.
    pub files: BTreeMap<String, String>,
}

/// A persistent volume beside a service's `storage`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Volume {
    /// DNS-1123 label; the claim template name, or the shared claim's name.
    pub name: String,
    pub mount_path: String,
    pub size: Bytes,
    pub class: StorageClassName,
    /// One claim `<name>` shared by every service of the namespace that lists it.
    pub shared: bool,
}

impl Service {
    pub fn port(&self, name_or_number: &str) -> Option<&Port> {
        self.ports.iter().find(|p| p.name == name_or_number || p.port.to_string() == name_or_number)
    }

    /// Whether this service runs as the provider's managed offering on `provider`.
    pub fn is_managed_on(&self, provider: ProviderName) -> bool {
        self.managed_on.contains(&provider)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Port {
    pub name: String,
    pub port: u16,
    pub protocol: Protocol,
}

#[derive(Clone, Debug, Serialize)]
pub struct SecretRef {
    /// Environment variable name.
    pub env: String,
    /// Backend key (e.g. `health-platform/health-api`).
    pub key: String,
    /// Property in the backend entry.
    pub property: String,
    /// Mounted as a read-only file at this path instead of an environment variable.
    pub mount_path: Option<String>,
}

#[derive(Clone, Copy, Debug, Serialize)]
pub struct Resources {
    pub cpu_request: Cpu,
    pub cpu_limit: Cpu,
    pub memory_request: Bytes,
    pub memory_limit: Bytes,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Replicas {
    pub min: u32,
    pub max: u32,
}

impl Replicas {
    pub fn is_range(self) -> bool {
        self.min != self.max
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Autoscale {
    pub cpu_percent: Option<u32>,
    pub memory_percent: Option<u32>,
    pub queue: Option<QueueScale>,
}

#[derive(Clone, Debug, Serialize)]
pub struct QueueScale {
    pub service: String,
    pub queue: String,
    pub target: u32,
}

#[derive(Clone, Debug, Serialize)]
pub struct Probes {
    pub liveness: Probe,
    pub readiness: Probe,
    pub startup: Option<Probe>,
    /// No probe is rendered (`probes: {none: true}`, a Job, or nothing to probe): the
    /// timings above stay as estimates for the recovery report.
    pub disabled: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct Probe {
    pub action: ProbeAction,
    pub initial_delay_seconds: u32,
    pub period_seconds: u32,
    pub failure_threshold: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProbeAction {
    Http { path: String, port: String },
    Tcp { port: String },
    Exec { command: Vec<String> },
}

#[derive(Clone, Debug, Serialize)]
pub struct Expose {
    pub host: String,
    pub path: String,
    pub port: Port,
    /// TLS terminated at the edge with a cert-manager certificate (never for `tls`
    /// passthrough or `udp`).
    pub tls: bool,
    /// What the port speaks; Ingress exposure is always `http`.
    pub protocol: ExposeProtocol,
    /// Through a LoadBalancer Service `<service>-public` instead of the HTTP ingress.
    pub load_balancer: bool,
}

/// An allowed connection from this service to another one of the platform.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Dependency {
    pub service: String,
    pub ports: Vec<u16>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Storage {
    pub size: Bytes,
    pub class: StorageClassName,
    pub mount_path: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Serverless {
    pub min_scale: u32,
    pub max_scale: u32,
    pub target: u32,
    pub concurrency: u32,
    pub metric: ServerlessMetric,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Egress {
    pub host: Option<String>,
    pub cidr: Option<String>,
    pub port: u16,
    pub protocol: Protocol,
}

#[derive(Clone, Debug, Serialize)]
pub struct Security {
    pub run_as_user: i64,
    pub writable_paths: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Metrics {
    pub port: Port,
    pub path: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RbacRule {
    pub api_groups: Vec<String>,
    pub resources: Vec<String>,
    pub verbs: Vec<String>,
    pub resource_names: Vec<String>,
}
