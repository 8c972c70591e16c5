//! Defaults of the known components (postgres, redis, minio, …).
//!
//! A component supplies what a team would otherwise look up: a pinned image, its ports
//! with conventional names, health probes, a non-root UID, writable paths for a read-only
//! root filesystem, persistent storage and a metrics endpoint. Anything the service sets
//! itself wins.

use crate::{ComponentKind, StorageClassName};

/// Probe shorthand used by the defaults table.
#[derive(Clone, Copy, Debug)]
pub enum DefaultProbe {
    Http(&'static str, &'static str),
    Tcp(&'static str),
    Exec(&'static [&'static str]),
}

#[derive(Clone, Debug)]
pub struct ComponentDefaults {
    pub image: &'static str,
    pub ports: &'static [(&'static str, u16)],
    pub command: &'static [&'static str],
    pub args: &'static [&'static str],
    pub env: &'static [(&'static str, &'static str)],
    pub liveness: DefaultProbe,
    pub readiness: DefaultProbe,
    pub run_as_user: i64,
    pub writable_paths: &'static [&'static str],
    /// Size, class and mount path of the data volume, for stateful components.
    pub storage: Option<(&'static str, StorageClassName, &'static str)>,
    pub cpu: &'static str,
    pub memory: &'static str,
    /// Metrics port name and path.
    pub metrics: Option<(&'static str, &'static str)>,
    /// Whether the cloud providers sell this as a managed service.
    pub manageable: bool,
}

/// The defaults for one component.
pub fn component_defaults(kind: ComponentKind) -> ComponentDefaults {
    match kind {
        ComponentKind::Postgres => POSTGRES,
        ComponentKind::Redis => REDIS,
        ComponentKind::Minio => MINIO,
        ComponentKind::Rabbitmq => RABBITMQ,
        ComponentKind::Jaeger => JAEGER,
        ComponentKind::Envoy => ENVOY,
        ComponentKind::Kratos => KRATOS,
        ComponentKind::Vault => VAULT,
        ComponentKind::Nginx => NGINX,
        ComponentKind::Prometheus => PROMETHEUS,
        ComponentKind::Grafana => GRAFANA,
        ComponentKind::Loki => LOKI,
    }
}

// The table, one constant per component.
use DefaultProbe::{Exec, Http, Tcp};
use StorageClassName::{FastSsd, Standard};

const POSTGRES: ComponentDefaults = ComponentDefaults {
    image: "postgres:16.4-alpine",
    ports: &[("postgres", 5432)],
    command: &[],
    args: &[],
    env: &[("PGDATA", "/var/lib/postgresql/data/pgdata")],
    liveness: Tcp("postgres"),
    readiness: Exec(&["pg_isready", "-h", "127.0.0.1", "-p", "5432"]),
    run_as_user: 70,
    writable_paths: &["/var/run/postgresql", "/tmp"],
    storage: Some(("10Gi", FastSsd, "/var/lib/postgresql/data")),
    cpu: "250m..1000m",
    memory: "256Mi..1Gi",
    metrics: None,
    manageable: true,
};

const REDIS: ComponentDefaults = ComponentDefaults {
    image: "redis:7.4-alpine",
    ports: &[("redis", 6379)],
    command: &[],
    args: &[],
    env: &[],
    liveness: Tcp("redis"),
    readiness: Exec(&["redis-cli", "ping"]),
    run_as_user: 999,
    writable_paths: &["/tmp"],
    storage: Some(("1Gi", FastSsd, "/data")),
    cpu: "100m..250m",
    memory: "128Mi..256Mi",
    metrics: None,
    manageable: true,
};

const MINIO: ComponentDefaults = ComponentDefaults {
    image: "quay.io/minio/minio:RELEASE.2024-10-13T13-34-11Z",
    ports: &[("api", 9000), ("console", 9001)],
    command: &[],
    args: &["server", "/data", "--console-address", ":9001"],
    env: &[("MINIO_PROMETHEUS_AUTH_TYPE", "public")],
    liveness: Http("/minio/health/live", "api"),
    readiness: Http("/minio/health/ready", "api"),
    run_as_user: 1000,
    writable_paths: &["/tmp"],
    storage: Some(("10Gi", Standard, "/data")),
    cpu: "500m..1000m",
    memory: "512Mi..1Gi",
    metrics: Some(("api", "/minio/v2/metrics/cluster")),
    manageable: false,
};

const RABBITMQ: ComponentDefaults = ComponentDefaults {
    image: "rabbitmq:4.1-management-alpine",
    ports: &[("amqp", 5672), ("management", 15672), ("prometheus", 15692)],
    command: &[],
    args: &[],
    env: &[],
    liveness: Tcp("amqp"),
    readiness: Exec(&["rabbitmq-diagnostics", "-q", "check_port_connectivity"]),
    run_as_user: 100,
    writable_paths: &["/tmp", "/var/log/rabbitmq"],
    storage: Some(("8Gi", FastSsd, "/var/lib/rabbitmq")),
    cpu: "500m..1000m",
    memory: "512Mi..1Gi",
    metrics: Some(("prometheus", "/metrics")),
    manageable: false,
};

const JAEGER: ComponentDefaults = ComponentDefaults {
    image: "jaegertracing/all-in-one:1.62.0",
    ports: &[("ui", 16686), ("otlp-grpc", 4317), ("otlp-http", 4318), ("admin", 14269)],
    command: &[],
    args: &[],
    env: &[],
    liveness: Http("/", "admin"),
    readiness: Http("/", "admin"),
    run_as_user: 10001,
    writable_paths: &["/tmp"],
    storage: None,
    cpu: "250m..500m",
    memory: "256Mi..512Mi",
    metrics: Some(("admin", "/metrics")),
    manageable: false,
};

const ENVOY: ComponentDefaults = ComponentDefaults {
    image: "envoyproxy/envoy:v1.31.2",
    ports: &[("http", 8000), ("admin", 9901)],
    command: &[],
    args: &[],
    env: &[],
    liveness: Http("/ready", "admin"),
    readiness: Http("/ready", "admin"),
    run_as_user: 101,
    writable_paths: &["/tmp"],
    storage: None,
    cpu: "100m..500m",
    memory: "128Mi..256Mi",
    metrics: Some(("admin", "/stats/prometheus")),
    manageable: false,
};

const KRATOS: ComponentDefaults = ComponentDefaults {
    image: "oryd/kratos:v1.3.1",
    ports: &[("public", 4433), ("admin", 4434)],
    command: &[],
    args: &["serve", "--config", "/etc/config/kratos/kratos.yml"],
    env: &[],
    liveness: Http("/admin/health/alive", "admin"),
    readiness: Http("/admin/health/ready", "admin"),
    run_as_user: 10000,
    writable_paths: &["/tmp"],
    storage: None,
    cpu: "250m..500m",
    memory: "512Mi..1Gi",
    metrics: Some(("admin", "/admin/metrics/prometheus")),
    manageable: false,
};

const VAULT: ComponentDefaults = ComponentDefaults {
    image: "hashicorp/vault:1.18.1",
    ports: &[("api", 8200), ("cluster", 8201)],
    command: &[],
    args: &["server"],
    env: &[("SKIP_SETCAP", "true")],
    liveness: Http("/v1/sys/health?standbyok=true&sealedcode=204&uninitcode=204", "api"),
    readiness: Http("/v1/sys/health?standbyok=true", "api"),
    run_as_user: 100,
    writable_paths: &["/tmp", "/vault/logs"],
    storage: Some(("10Gi", FastSsd, "/vault/data")),
    cpu: "500m..1000m",
    memory: "1Gi..2Gi",
    metrics: Some(("api", "/v1/sys/metrics?format=prometheus")),
    manageable: false,
};

const NGINX: ComponentDefaults = ComponentDefaults {
    image: "nginxinc/nginx-unprivileged:1.27-alpine",
    ports: &[("http", 8080)],
    command: &[],
    args: &[],
    env: &[],
    liveness: Tcp("http"),
    readiness: Http("/", "http"),
    run_as_user: 101,
    writable_paths: &["/tmp", "/var/cache/nginx"],
    storage: None,
    cpu: "100m..250m",
    memory: "64Mi..128Mi",
    metrics: None,
    manageable: false,
};

const PROMETHEUS: ComponentDefaults = ComponentDefaults {
    image: "prom/prometheus:v2.55.0",
    ports: &[("http", 9090)],
    command: &[],
    args: &["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"],
    env: &[],
    liveness: Http("/-/healthy", "http"),
    readiness: Http("/-/ready", "http"),
    run_as_user: 65534,
    writable_paths: &["/tmp"],
    storage: Some(("50Gi", Standard, "/prometheus")),
    cpu: "500m..1000m",
    memory: "1Gi..2Gi",
    metrics: Some(("http", "/metrics")),
    manageable: false,
};

const GRAFANA: ComponentDefaults = ComponentDefaults {
    image: "grafana/grafana:11.3.0",
    ports: &[("http", 3000)],
    command: &[],
    args: &[],
    env: &[],
    liveness: Http("/api/health", "http"),
    readiness: Http("/api/health", "http"),
    run_as_user: 472,
    writable_paths: &["/tmp", "/var/lib/grafana"],
    storage: None,
    cpu: "100m..500m",
    memory: "128Mi..512Mi",
    metrics: Some(("http", "/metrics")),
    manageable: false,
};

const LOKI: ComponentDefaults = ComponentDefaults {
    image: "grafana/loki:3.2.1",
    ports: &[("http", 3100)],
    command: &[],
    args: &["-config.file=/etc/loki/local-config.yaml"],
    env: &[],
    liveness: Http("/ready", "http"),
    readiness: Http("/ready", "http"),
    run_as_user: 10001,
    writable_paths: &["/tmp"],
    storage: Some(("10Gi", Standard, "/loki")),
    cpu: "250m..500m",
    memory: "256Mi..512Mi",
    metrics: Some(("http", "/metrics")),
    manageable: false,
};

/// How a stateful component keeps several replicas consistent. A component with storage
/// and no replication mode runs as one server: `replicas > 1` would be independent copies
/// behind one Service, so `lower` refuses it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReplicationMode {
    /// PostgreSQL run by the CloudNativePG operator: one primary, streaming replicas,
    /// automated failover (`Cluster.spec.instances`).
    CloudNativePg,
    /// Redis primary + replicas (`replicaof` the first pod) watched by three Sentinels.
    Sentinel,
    /// One RabbitMQ cluster (peer discovery, shared Erlang cookie, quorum queues).
    RabbitCluster,
    /// MinIO distributed mode: one erasure-coded pool over every replica's volume.
    MinioDistributed,
    /// Vault integrated storage (Raft), one `retry_join` per peer.
    Raft,
}

impl ReplicationMode {
    /// Smallest replica count the mode works with (beyond a single server).
    pub fn min_replicas(self) -> u32 {
        match self {
            ReplicationMode::MinioDistributed => 4,
            _ => 2,
        }
    }

    /// Short description for messages.
    pub fn describe(self) -> &'static str {
        match self {
            ReplicationMode::CloudNativePg => "CloudNativePG cluster (streaming replication, automated failover)",
            ReplicationMode::Sentinel => "primary + replicas with Sentinel",
            ReplicationMode::RabbitCluster => "one RabbitMQ cluster with quorum queues",
            ReplicationMode::MinioDistributed => "MinIO distributed mode (erasure coding)",
            ReplicationMode::Raft => "Vault integrated storage (Raft)",
        }
    }
}

/// The replication mode of a component, if it has one.
pub fn replication_mode(kind: ComponentKind) -> Option<ReplicationMode> {
    match kind {
        ComponentKind::Postgres => Some(ReplicationMode::CloudNativePg),
        ComponentKind::Redis => Some(ReplicationMode::Sentinel),
        ComponentKind::Rabbitmq => Some(ReplicationMode::RabbitCluster),
        ComponentKind::Minio => Some(ReplicationMode::MinioDistributed),
        ComponentKind::Vault => Some(ReplicationMode::Raft),
        ComponentKind::Jaeger
        | ComponentKind::Envoy
        | ComponentKind::Kratos
        | ComponentKind::Nginx
        | ComponentKind::Prometheus
        | ComponentKind::Grafana
        | ComponentKind::Loki => None,
    }
}
