//! Raw platform-file types: one Rust type per YAML shape, nothing resolved.
//!
//! Field docs become the JSON Schema descriptions that editors show. Strings that carry
//! structure (`250m..1000m`, `2..5`, `70%`) stay strings here; `skyform-model` parses them
//! so that its diagnostics can say exactly what is wrong.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A skyform platform file.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Platform {
    /// Always `skyform.dev/v1alpha1`.
    pub api_version: String,
    /// Always `Platform`.
    pub kind: String,
    pub metadata: Metadata,
    pub spec: PlatformSpec,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Metadata {
    /// Platform name (DNS-1123 label); namespaces are `<name>-<tier>`.
    pub name: String,
    /// Labels added to every generated object.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Free-form description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PlatformSpec {
    /// Base DNS domain; `{domain}` in hosts expands to it (per environment if overridden).
    pub domain: String,
    /// Target Kubernetes minor version, quoted, e.g. `"1.31"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubernetes_version: Option<String>,
    /// Tiers, one namespace each (`<platform>-<tier>`). A tier needing a weaker Pod
    /// Security level must say so, with a reason.
    pub tiers: Vec<TierSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ingress: Option<IngressSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secrets: Option<SecretsSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observability: Option<ObservabilitySpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup: Option<BackupSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gitops: Option<GitopsSpec>,
    /// Knative Serving for services with `serverless:` settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub knative: Option<KnativeSpec>,
    /// Node autoscaling of the clusters (default: the seed's policy, min 2 nodes in
    /// production / 1 elsewhere, max 10, scale down after 10 minutes below 50 %).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_autoscaling: Option<ClusterAutoscalingSpec>,
    /// Target providers and their settings.
    #[serde(default)]
    pub providers: ProvidersSpec,
    /// The services of the platform, by name.
    pub services: BTreeMap<String, ServiceSpec>,
    /// Environments as overrides of the base; default: one `production` environment.
    #[serde(default)]
    pub environments: BTreeMap<String, EnvironmentSpec>,
}

/// The cluster autoscaler's policy.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ClusterAutoscalingSpec {
    /// Fewest nodes of a cluster; default 2 in production environments, 1 elsewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_nodes: Option<u32>,
    /// Most nodes of a cluster; default 10.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_nodes: Option<u32>,
    /// How long a node must be underused before it is removed, e.g. `10m` (default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_down_after: Option<String>,
    /// A node is underused below this share (percent) of its allocatable; default 50.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_down_utilization: Option<u32>,
}

/// A tier: a bare name (Pod Security `restricted`) or a name with settings.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum TierSpec {
    Name(String),
    Detailed(TierDetail),
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TierDetail {
    pub name: String,
    /// Pod Security Standard enforced in the tier's namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_security: Option<PodSecurityLevel>,
    /// Why the tier needs a weaker level than `restricted` (required when it does).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum PodSecurityLevel {
    Restricted,
    Baseline,
    Privileged,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct IngressSpec {
    /// How exposed services are reached: `envoy-gateway` renders Gateway API objects (a
    /// Gateway per platform, a route per exposed service) for Envoy Gateway; `nginx`
    /// (ingress-nginx, retired since March 2026), `traefik` and `haproxy` render Ingress
    /// objects. Without an `ingress:` block: `nginx`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub controller: Option<IngressController>,
    /// IngressClass (or, for `envoy-gateway`, GatewayClass) name when it differs from the
    /// default (`nginx`, `traefik`, `haproxy`, `envoy`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_name: Option<String>,
    /// cert-manager ClusterIssuer for TLS certificates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<IssuerSpec>,
    /// Namespace the controller's proxy pods run in (for NetworkPolicies); for
    /// `envoy-gateway` the namespace of Envoy Gateway's data plane, `envoy-gateway-system`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum IngressController {
    Nginx,
    Traefik,
    Haproxy,
    /// Envoy Gateway through the Gateway API (Gateway, HTTPRoute, GRPCRoute, TLSRoute,
    /// TCPRoute, UDPRoute).
    #[serde(rename = "envoy-gateway")]
    EnvoyGateway,
}

impl IngressController {
    /// Whether exposure goes through the Gateway API rather than Ingress objects.
    pub fn is_gateway_api(self) -> bool {
        matches!(self, IngressController::EnvoyGateway)
    }
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct IssuerSpec {
    /// ClusterIssuer name, e.g. `letsencrypt-prod`.
    pub name: String,
    /// ACME account e-mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// ACME directory: Let's Encrypt production, staging, or a self-signed issuer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acme: Option<AcmeServer>,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum AcmeServer {
    Production,
    Staging,
    SelfSigned,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SecretsSpec {
    /// Where secret values live; skyform never writes a secret value.
    pub backend: SecretsBackend,
    /// Vault settings when `backend: vault`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vault: Option<VaultBackendSpec>,
    /// How often External Secrets re-reads values, e.g. `1h`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_interval: Option<String>,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum SecretsBackend {
    Vault,
    AwsSecretsManager,
    GcpSecretManager,
    AzureKeyVault,
    SealedSecrets,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct VaultBackendSpec {
    /// Vault address, e.g. `http://vault.example-system:8200`.
    pub address: String,
    /// KV mount path, e.g. `secret`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Vault Kubernetes-auth role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ObservabilitySpec {
    /// Prometheus metrics (ServiceMonitors, rules, dashboards).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics: Option<MetricsStackSpec>,
    /// Log shipping stack.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logs: Option<LogsSpec>,
    /// Tracing: the service that receives OTLP spans (e.g. `jaeger`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracing: Option<TracingSpec>,
    /// Namespace that runs Prometheus (allowed to scrape metrics ports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MetricsStackSpec {
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Prometheus retention, e.g. `30d`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention: Option<String>,
    /// Prometheus volume size, e.g. `50Gi`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<String>,
    /// Grafana dashboards per service.
    #[serde(default = "yes")]
    pub dashboards: bool,
}

fn yes() -> bool {
    true
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LogsSpec {
    pub stack: LogStack,
    /// Log retention, e.g. `30d`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention: Option<String>,
    /// Structured-log fields to index (e.g. `service`, `tenant`, `user_id`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum LogStack {
    LokiPromtail,
    LokiFluentBit,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TracingSpec {
    /// Service receiving OTLP (must be a service of this platform), e.g. `jaeger`.
    pub service: String,
    /// Port name on that service; default: `otlp-grpc`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BackupSpec {
    /// Backup tool; Velero is the only one today.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool: Option<BackupTool>,
    /// Backup schedules.
    #[serde(default)]
    pub schedules: Vec<BackupScheduleSpec>,
    /// Continuous object-storage replication (e.g. MinIO bucket mirroring).
    #[serde(default)]
    pub replication: Vec<ReplicationSpec>,
    /// Expected size of each backup / replication bucket, e.g. `100Gi` (priced by
    /// `skyform plan`; default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket_size: Option<String>,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum BackupTool {
    Velero,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BackupScheduleSpec {
    /// Schedule name (DNS-1123).
    pub name: String,
    /// Tiers whose namespaces are backed up.
    pub tiers: Vec<String>,
    /// Cron expression (5 fields), e.g. `0 2 * * *`.
    pub cron: String,
    /// Retention, e.g. `720h`.
    pub ttl: String,
    /// Volume snapshots or file-system backup.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<BackupMethod>,
    /// Only services with these names (default: all stateful services of the tiers).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<String>,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum BackupMethod {
    Snapshot,
    Filesystem,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ReplicationSpec {
    /// Source service (e.g. `minio`).
    pub service: String,
    /// Bucket to replicate.
    pub bucket: String,
    /// Target, e.g. `s3://health-data-backup`.
    pub target: String,
    /// Maximum lag between source and target, e.g. `1h` (`0s` = continuous).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GitopsSpec {
    pub tool: GitopsTool,
    /// Git repository holding the rendered output.
    #[serde(rename = "repoURL")]
    pub repo_url: String,
    /// Path in the repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Branch or tag; default `main`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_revision: Option<String>,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum GitopsTool {
    Argocd,
    Flux,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct KnativeSpec {
    /// Render `serverless:` services as Knative Services (else Deployment + HPA).
    #[serde(default)]
    pub enabled: bool,
}

/// Target providers. Each key present is a target.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ProvidersSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws: Option<ProviderSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gcp: Option<ProviderSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azure: Option<ProviderSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digitalocean: Option<ProviderSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linode: Option<ProviderSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub civo: Option<ProviderSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vultr: Option<ProviderSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hetzner: Option<ProviderSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub k3s: Option<ProviderSpec>,
    /// A local kind cluster (`kind create cluster`) for development.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<ProviderSpec>,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ProviderSpec {
    /// Region (provider's own naming, e.g. `us-east-1`, `nyc3`, `fsn1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

/// A service. In `environments.<env>.services` the same shape overrides the base field by
/// field; there every field is optional.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ServiceSpec {
    /// Tier (namespace) the service runs in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    /// A known component: sane image, ports, probes, storage and security defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component: Option<ComponentKind>,
    /// Container image; pin a tag or digest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args: Option<Vec<String>>,
    /// Ports: `8080` or `{name: http, port: 8080}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ports: Option<Vec<PortSpec>>,
    /// Non-secret environment variables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<BTreeMap<String, String>>,
    /// Secret environment variables, by name; values come from the secrets backend.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secrets: Option<Vec<SecretRefSpec>>,
    /// `{cpu: 250m..1000m, memory: 256Mi..512Mi}` (request..limit; one value = both).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourcesSpec>,
    /// A fixed count (`3`) or a range (`2..5`) which creates an autoscaler.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<ReplicasSpec>,
    /// Autoscaling targets for a replica range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autoscale: Option<AutoscaleSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probes: Option<ProbesSpec>,
    /// Public exposure through the ingress.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expose: Option<ExposeSpec>,
    /// Services this one connects to: `name` (all its ports) or `name:port`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depends_on: Option<Vec<String>>,
    /// Persistent storage; makes the service a StatefulSet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<StorageSpec>,
    /// Scale-to-zero settings (Knative when enabled, else Deployment + HPA).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serverless: Option<ServerlessSpec>,
    /// May run on spot/preemptible nodes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spot: Option<bool>,
    /// Allowed traffic leaving the cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub egress: Option<Vec<EgressSpec>>,
    /// Providers on which this data service is the cloud's managed offering instead of
    /// running in the cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed: Option<Vec<ProviderName>>,
    /// Paths the container writes to (emptyDir; the root filesystem is read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub writable_paths: Option<Vec<String>>,
    /// Non-root UID the container runs as.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_as_user: Option<i64>,
    /// Prometheus metrics endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics: Option<MetricsSpec>,
    /// Inject the tracing endpoint (OTLP) into this service's environment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracing: Option<bool>,
    /// Kubernetes API permissions this service needs (becomes a Role).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rbac: Option<Vec<RbacRuleSpec>>,
    /// `component: postgres` only: schemas created (declaratively, by the operator) in
    /// the service's database, e.g. one per tenant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schemas: Option<Vec<String>>,
    /// One-shot service (migration, seeding, set-up task): runs to completion as a Job
    /// instead of a long-running workload; it has no Service and no probes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<bool>,
    /// One-shot services (`job: true`) that must finish before this service starts: apply
    /// and GitOps waves order them. Ordering only; network edges come from `dependsOn`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<Vec<String>>,
    /// Persistent volumes beside `storage` (each its own claim), or volumes shared with
    /// other services of the same tier (`shared: true`: one claim named after the volume).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volumes: Option<Vec<VolumeSpec>>,
    /// Configuration files mounted read-only, by absolute path: file content (rendered as
    /// ConfigMap `<service>-files`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub files: Option<BTreeMap<String, String>>,
}

/// A persistent volume of a service (see `ServiceSpec::volumes`).
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct VolumeSpec {
    /// Volume name (DNS-1123 label); a shared volume's claim is named after it.
    pub name: String,
    /// Mount path in the container.
    pub mount_path: String,
    /// Size, e.g. `10Gi` (default `10Gi`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<String>,
    /// `fast-ssd` or `standard` (default `standard`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<StorageClassName>,
    /// One claim used by every service of the tier that lists a shared volume of this
    /// name; their pods are co-located on one node (ReadWriteOnce works everywhere).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared: Option<bool>,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "lowercase")]
pub enum ComponentKind {
    Postgres,
    Redis,
    Minio,
    Rabbitmq,
    Jaeger,
    Envoy,
    Kratos,
    Vault,
    Nginx,
    Prometheus,
    Grafana,
    Loki,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "lowercase")]
pub enum ProviderName {
    Aws,
    Gcp,
    Azure,
    Digitalocean,
    Linode,
    Civo,
    Vultr,
    Hetzner,
    K3s,
    /// A local kind cluster for development: single replicas, local storage, a
    /// self-signed issuer, no cloud resources.
    Kind,
}

impl ProviderName {
    /// Every provider, in declaration order.
    pub const ALL: [ProviderName; 10] = [
        ProviderName::Aws,
        ProviderName::Gcp,
        ProviderName::Azure,
        ProviderName::Digitalocean,
        ProviderName::Linode,
        ProviderName::Civo,
        ProviderName::Vultr,
        ProviderName::Hetzner,
        ProviderName::K3s,
        ProviderName::Kind,
    ];

    /// The name as written in `platform.yaml` (and used by the price catalog).
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderName::Aws => "aws",
            ProviderName::Gcp => "gcp",
            ProviderName::Azure => "azure",
            ProviderName::Digitalocean => "digitalocean",
            ProviderName::Linode => "linode",
            ProviderName::Civo => "civo",
            ProviderName::Vultr => "vultr",
            ProviderName::Hetzner => "hetzner",
            ProviderName::K3s => "k3s",
            ProviderName::Kind => "kind",
        }
    }

    /// Parses a name as written in `platform.yaml`.
    pub fn parse(name: &str) -> Option<ProviderName> {
        ProviderName::ALL.into_iter().find(|p| p.as_str() == name)
    }
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum PortSpec {
    Number(u16),
    Detailed(PortDetail),
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PortDetail {
    /// IANA service name (≤ 15 chars), e.g. `http`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub port: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<Protocol>,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "UPPERCASE")]
pub enum Protocol {
    Tcp,
    Udp,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum SecretRefSpec {
    /// Environment variable name; the backend key is `<platform>/<service>`, property = name.
    Name(String),
    Detailed(SecretRefDetail),
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SecretRefDetail {
    /// Environment variable name.
    pub name: String,
    /// Key in the secrets backend.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Property within the backend entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub property: Option<String>,
    /// Mount the value as a read-only file at this absolute path instead of an environment
    /// variable (for images that read `*_FILE` paths or `/run/secrets/<name>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mount_path: Option<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ResourcesSpec {
    /// CPU `request..limit`, e.g. `250m..1000m`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<QuantityText>,
    /// Memory `request..limit`, e.g. `256Mi..512Mi`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<QuantityText>,
}

/// A quantity or range written as a string or a bare number.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum QuantityText {
    Text(String),
    Number(f64),
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum ReplicasSpec {
    Fixed(u32),
    /// `min..max`, or (environments only) `min` / `max` to collapse a range.
    Text(String),
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AutoscaleSpec {
    /// Target average CPU utilisation, e.g. `70%`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<PercentSpec>,
    /// Target average memory utilisation, e.g. `80%`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<PercentSpec>,
    /// Scale on a message queue's depth (KEDA ScaledObject).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<QueueScaleSpec>,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum PercentSpec {
    Number(u32),
    Text(String),
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct QueueScaleSpec {
    /// The queue service (e.g. `rabbitmq`).
    pub service: String,
    /// Queue name.
    pub queue: String,
    /// Target messages per replica.
    pub target: u32,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ProbesSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub liveness: Option<ProbeSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readiness: Option<ProbeSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub startup: Option<ProbeSpec>,
    /// Port name or number probed (default: the first port).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<String>,
    /// `true`: no probes at all (a service with no port and no health command, which
    /// nothing can probe truthfully). Other probe settings must then be absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub none: Option<bool>,
}

/// An HTTP path (`/healthz`) or a detailed probe.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum ProbeSpec {
    Path(String),
    Detailed(ProbeDetail),
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ProbeDetail {
    /// HTTP GET path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http: Option<String>,
    /// TCP connect (true) on the probe port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tcp: Option<bool>,
    /// Command to run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exec: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_delay_seconds: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_seconds: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_threshold: Option<u32>,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ExposeSpec {
    /// Host name; `{domain}` expands to the environment's domain.
    pub host: String,
    /// Path prefix; default `/`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Port name or number (default: the first port).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<String>,
    /// TLS through cert-manager; default true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<bool>,
    /// Expose the port through its own LoadBalancer Service (`<service>-public`) instead
    /// of the HTTP ingress: for TCP, gRPC and other protocols an HTTP ingress cannot carry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_balancer: Option<bool>,
    /// What the exposed port speaks (Gateway API exposure picks the route kind from it):
    /// `http` (HTTPRoute), `grpc` (GRPCRoute), `tls` (TLSRoute: the service terminates TLS
    /// itself, routed by SNI), `tcp` (TCPRoute) or `udp` (UDPRoute). Default: `udp` for a
    /// UDP port, `grpc` for a port named `grpc…`, else `http`. Ingress carries `http` only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<ExposeProtocol>,
}

/// What an exposed port speaks.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum ExposeProtocol {
    Http,
    Grpc,
    Tls,
    Tcp,
    Udp,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct StorageSpec {
    /// Volume size, e.g. `50Gi`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<String>,
    /// `fast-ssd` or `standard` (mapped per provider).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<StorageClassName>,
    /// Mount path in the container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mount_path: Option<String>,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum StorageClassName {
    FastSsd,
    Standard,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ServerlessSpec {
    /// Minimum instances (0 = scale to zero).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_scale: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_scale: Option<u32>,
    /// Autoscaling target (per `metric`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<u32>,
    /// Maximum concurrent requests per instance (0 = unlimited).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concurrency: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<ServerlessMetric>,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ServerlessMetric {
    Concurrency,
    Rps,
    Cpu,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EgressSpec {
    /// DNS name (documentation; NetworkPolicies cannot match names, so pair it with `cidr`
    /// or accept any address on this port).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// Destination CIDR, e.g. `203.0.113.0/24`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cidr: Option<String>,
    pub port: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<Protocol>,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MetricsSpec {
    /// Port name or number serving metrics.
    pub port: String,
    /// HTTP path; default `/metrics`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RbacRuleSpec {
    #[serde(default)]
    pub api_groups: Vec<String>,
    pub resources: Vec<String>,
    pub verbs: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resource_names: Vec<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EnvironmentSpec {
    /// Production environments get HA guarantees (PDBs, spread, ≥ 2 nodes).
    /// Default: true for an environment named `production` or `prod`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub production: Option<bool>,
    /// Domain for this environment (replaces `{domain}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// Collapse every replica range to its `min` or `max`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<ReplicaPolicy>,
    /// Enable or disable Knative in this environment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub knative: Option<bool>,
    /// Enable or disable backups in this environment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup: Option<bool>,
    /// Per-service overrides.
    #[serde(default)]
    pub services: BTreeMap<String, ServiceSpec>,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ReplicaPolicy {
    Min,
    Max,
}
