//! Recognising things in a compose service: which known component an image is, which
//! tier a service belongs to and why, which environment variables are secrets, and which
//! values are connection addresses of other services.

use skyform_spec::raw::ComponentKind;

/// An image reference split into its parts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef {
    /// Repository path without registry, e.g. `library/postgres` → `postgres`,
    /// `quay.io/minio/minio` → `minio/minio`.
    pub repo: String,
    pub tag: Option<String>,
    pub digest: bool,
}

impl ImageRef {
    pub fn parse(image: &str) -> ImageRef {
        let (name, digest) = match image.split_once('@') {
            Some((n, _)) => (n, true),
            None => (image, false),
        };
        let last_slash = name.rfind('/').map_or(0, |i| i + 1);
        let (path, tag) = match name[last_slash..].rfind(':') {
            Some(i) => (&name[..last_slash + i], Some(name[last_slash + i + 1..].to_string())),
            None => (name, None),
        };
        let mut segs: Vec<&str> = path.split('/').collect();
        if segs.len() > 1 && (segs[0].contains('.') || segs[0].contains(':') || segs[0] == "localhost") {
            segs.remove(0);
        }
        if segs.len() == 2 && segs[0] == "library" {
            segs.remove(0);
        }
        ImageRef { repo: segs.join("/").to_ascii_lowercase(), tag, digest }
    }

    /// Pinned to a version: a digest, or a tag other than `latest` (and not empty).
    pub fn is_pinned(&self) -> bool {
        self.digest || self.tag.as_deref().is_some_and(|t| !t.is_empty() && t != "latest")
    }

    /// The last path segment (`bitnami/postgresql` → `postgresql`).
    pub fn base(&self) -> &str {
        self.repo.rsplit('/').next().unwrap_or(&self.repo)
    }
}

/// The known component an image is, if any.
pub fn component_of(image: &ImageRef) -> Option<ComponentKind> {
    use ComponentKind::*;
    Some(match image.repo.as_str() {
        "postgres" | "postgis/postgis" | "bitnami/postgresql" => Postgres,
        "redis" | "bitnami/redis" | "redis/redis-stack-server" => Redis,
        "minio/minio" | "bitnami/minio" => Minio,
        "rabbitmq" | "bitnami/rabbitmq" => Rabbitmq,
        "jaegertracing/all-in-one" | "jaegertracing/jaeger" => Jaeger,
        "envoyproxy/envoy" | "envoyproxy/envoy-distroless" => Envoy,
        "oryd/kratos" => Kratos,
        "hashicorp/vault" | "vault" => Vault,
        "nginx" | "nginxinc/nginx-unprivileged" | "bitnami/nginx" => Nginx,
        "prom/prometheus" | "bitnami/prometheus" => Prometheus,
        "grafana/grafana" | "grafana/grafana-oss" | "grafana/grafana-enterprise" => Grafana,
        "grafana/loki" => Loki,
        _ => return None,
    })
}

/// The component's name as written in a platform file.
pub fn component_name(kind: ComponentKind) -> &'static str {
    use ComponentKind::*;
    match kind {
        Postgres => "postgres",
        Redis => "redis",
        Minio => "minio",
        Rabbitmq => "rabbitmq",
        Jaeger => "jaeger",
        Envoy => "envoy",
        Kratos => "kratos",
        Vault => "vault",
        Nginx => "nginx",
        Prometheus => "prometheus",
        Grafana => "grafana",
        Loki => "loki",
    }
}

/// The tiers an import can produce, in the order the platform file lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tier {
    System,
    Auth,
    Api,
    Data,
    Observability,
}

impl Tier {
    pub const ALL: [Tier; 5] = [Tier::System, Tier::Auth, Tier::Api, Tier::Data, Tier::Observability];

    pub fn name(self) -> &'static str {
        match self {
            Tier::System => "system",
            Tier::Auth => "auth",
            Tier::Api => "api",
            Tier::Data => "data",
            Tier::Observability => "observability",
        }
    }
}

/// What a service does, as far as its image, name and command tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    DataStore,
    Observability,
    Identity,
    Proxy,
    Worker,
    App,
}

const DATA_IMAGES: &[&str] = &[
    "mysql",
    "mariadb",
    "mongo",
    "mongodb",
    "memcached",
    "elasticsearch",
    "opensearch",
    "kafka",
    "zookeeper",
    "nats",
    "clickhouse",
    "clickhouse-server",
    "cassandra",
    "etcd",
    "valkey",
    "keydb",
    "couchdb",
    "influxdb",
    "timescaledb",
    "timescaledb-ha",
    "redpanda",
    "meilisearch",
    "typesense",
    "qdrant",
    "cockroach",
    "mssql-server",
    "seaweedfs",
    "garage",
    "dragonfly",
    "neo4j",
    "activemq",
    "pulsar",
    "mosquitto",
];
const OBSERVABILITY_IMAGES: &[&str] = &[
    "opentelemetry-collector",
    "opentelemetry-collector-contrib",
    "alertmanager",
    "node-exporter",
    "cadvisor",
    "promtail",
    "tempo",
    "zipkin",
    "fluent-bit",
    "fluentd",
    "blackbox-exporter",
    "pushgateway",
    "mimir",
    "victoria-metrics",
    "vector",
    "uptime-kuma",
    "postgres-exporter",
    "redis_exporter",
    "otel-collector",
];
const IDENTITY_IMAGES: &[&str] = &[
    "keycloak",
    "server",
    "authentik",
    "zitadel",
    "hydra",
    "dex",
    "authelia",
    "oauth2-proxy",
    "kratos",
    "casdoor",
    "logto",
    "lldap",
    "openldap",
    "kanidm",
    "pomerium",
];
const PROXY_IMAGES: &[&str] =
    &["traefik", "caddy", "haproxy", "envoy", "nginx", "nginx-unprivileged", "nginx-proxy", "kong", "apisix"];
const WORKER_WORDS: &[&str] =
    &["worker", "celery", "consumer", "etl", "sidekiq", "scheduler", "cron", "beat", "processor", "queue", "jobs"];
const IDENTITY_WORDS: &[&str] = &["auth", "webauthn", "keycloak", "identity", "idp", "sso", "oauth", "oidc", "login"];

/// Classifies a service from its name, image and command.
pub fn role_of(name: &str, image: Option<&ImageRef>, component: Option<ComponentKind>, command: &str) -> Role {
    use ComponentKind::*;
    let lname = name.to_ascii_lowercase();
    let base = image.map(ImageRef::base).unwrap_or_default();
    let repo = image.map(|i| i.repo.as_str()).unwrap_or_default();
    match component {
        Some(Postgres | Redis | Minio | Rabbitmq) => return Role::DataStore,
        Some(Jaeger | Prometheus | Grafana | Loki) => return Role::Observability,
        Some(Kratos | Vault) => return Role::Identity,
        Some(Envoy | Nginx) => return Role::Proxy,
        None => {}
    }
    if DATA_IMAGES.contains(&base) || image.is_some_and(crate::wellknown::is_data_family) {
        return Role::DataStore;
    }
    if OBSERVABILITY_IMAGES.contains(&base) || repo.starts_with("grafana/") || repo.starts_with("prom/") {
        return Role::Observability;
    }
    if (IDENTITY_IMAGES.contains(&base) && base != "server")
        || repo == "goauthentik/server"
        || repo.contains("keycloak")
    {
        return Role::Identity;
    }
    if PROXY_IMAGES.contains(&base) {
        return Role::Proxy;
    }
    // Flags (`--workers 3`) say how a server runs, not that it is a worker.
    let command_words: String = command
        .split_whitespace()
        .filter(|w| !w.starts_with('-'))
        .map(str::to_ascii_lowercase)
        .collect::<Vec<_>>()
        .join(" ");
    let words = format!("{lname} {command_words}");
    if WORKER_WORDS.iter().any(|w| words.contains(w)) {
        return Role::Worker;
    }
    if IDENTITY_WORDS.iter().any(|w| lname.contains(w)) {
        return Role::Identity;
    }
    Role::App
}

/// The tier of a role, and the reason written next to it in the platform file.
pub fn tier_of(role: Role, name: &str, image: Option<&str>) -> (Tier, String) {
    let what = image.map_or_else(|| format!("`{name}`"), |i| format!("`{i}`"));
    let auth_named = IDENTITY_WORDS.iter().any(|w| name.to_ascii_lowercase().contains(w));
    match role {
        Role::DataStore => {
            (Tier::Data, format!("{what} keeps state (database, cache, queue or object store): data tier"))
        }
        Role::Observability => (Tier::Observability, format!("{what} collects or shows telemetry: observability tier")),
        Role::Identity => (Tier::Auth, format!("{what} handles identity or authentication: auth tier")),
        Role::Proxy if auth_named => {
            (Tier::Auth, format!("{what} is the gateway of the authentication stack: auth tier"))
        }
        Role::Proxy => (
            Tier::System,
            format!("{what} is a reverse proxy or gateway: system tier (the ingress controller may replace it)"),
        ),
        Role::Worker => (Tier::Api, format!("`{name}` looks like a background worker: application (api) tier")),
        Role::App => (Tier::Api, format!("`{name}` is an application service: api tier")),
    }
}

/// Whether an environment variable's name says it holds a secret.
pub fn is_secret_name(key: &str) -> bool {
    let k = key.to_ascii_uppercase();
    // `*_FILE` (the `_FILE` convention), paths and directories name where a secret is.
    if ["_FILE", "_PATH", "_DIR", "_FILENAME"].iter().any(|w| k.ends_with(w)) {
        return false;
    }
    const CONTAINS: &[&str] =
        &["PASSWORD", "PASSWD", "SECRET", "TOKEN", "PRIVATE_KEY", "API_KEY", "ACCESS_KEY", "CREDENTIAL", "COOKIE"];
    const ENDS: &[&str] = &["_KEY", "_PASS", "_PWD", "_PSK", "_SALT"];
    CONTAINS.iter().any(|w| k.contains(w)) || ENDS.iter().any(|w| k.ends_with(w)) || k == "KEY"
}

/// A network address found in a value: `host[:port]` at a byte range of the value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Address {
    pub host: String,
    pub port: Option<u16>,
    pub scheme: Option<String>,
    /// Byte range of `host` in the value.
    pub start: usize,
    pub end: usize,
    /// The URL carries `user:password@`.
    pub credentials: bool,
}

/// The default port of a URL scheme.
pub fn scheme_port(scheme: &str) -> Option<u16> {
    Some(match scheme.to_ascii_lowercase().as_str() {
        "postgres" | "postgresql" | "postgresql+psycopg2" | "postgresql+asyncpg" | "postgresql+psycopg" => 5432,
        "redis" => 6379,
        "rediss" => 6380,
        "amqp" => 5672,
        "amqps" => 5671,
        "mongodb" => 27017,
        "mysql" | "mysql+pymysql" | "mariadb" => 3306,
        "http" | "ws" => 80,
        "https" | "wss" => 443,
        "nats" => 4222,
        "kafka" => 9092,
        "memcached" => 11211,
        "grpc" => 4317,
        _ => return None,
    })
}

fn is_host_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'
}

/// Every URL authority in `value` (`scheme://[user[:pass]@]host[:port][,host[:port]]…`).
pub fn urls_in(value: &str) -> Vec<Address> {
    let mut out = Vec::new();
    let mut search = 0;
    while let Some(rel) = value[search..].find("://") {
        let sep = search + rel;
        let scheme_start = value[..sep]
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'))
            .last()
            .map_or(sep, |(i, _)| i);
        let scheme = value[scheme_start..sep].to_string();
        let auth_start = sep + 3;
        let auth_end = value[auth_start..]
            .find(|c: char| matches!(c, '/' | '?' | '#' | ' ' | '"' | '\'' | ';') || c.is_whitespace())
            .map_or(value.len(), |i| auth_start + i);
        let authority = &value[auth_start..auth_end];
        let (hosts_start, credentials) = match authority.rfind('@') {
            Some(i) => (auth_start + i + 1, authority[..i].split_once(':').is_some_and(|(_, pw)| !pw.is_empty())),
            None => (auth_start, false),
        };
        let mut pos = hosts_start;
        for part in value[hosts_start..auth_end].split(',') {
            let host_len = part.find(|c: char| !is_host_char(c)).unwrap_or(part.len());
            let host = &part[..host_len];
            let port = part[host_len..].strip_prefix(':').and_then(|p| {
                let digits: String = p.chars().take_while(char::is_ascii_digit).collect();
                digits.parse::<u16>().ok()
            });
            if !host.is_empty() {
                out.push(Address {
                    host: host.to_string(),
                    port: port.or_else(|| scheme_port(&scheme)),
                    scheme: Some(scheme.clone()),
                    start: pos,
                    end: pos + host_len,
                    credentials,
                });
            }
            pos += part.len() + 1;
        }
        search = auth_end.max(sep + 3);
        if search >= value.len() {
            break;
        }
    }
    out
}

/// Plain `host:port` or `host` tokens (outside URLs) in a value; bare hosts only count
/// when the variable's name says it holds an address.
pub fn plain_addresses_in(key: &str, value: &str) -> Vec<Address> {
    let k = key.to_ascii_uppercase();
    const ADDRESS_WORDS: &[&str] = &[
        "HOST", "ADDR", "SERVER", "ENDPOINT", "BROKER", "URL", "URI", "NODES", "SERVICE", "UPSTREAM", "BACKEND",
        "TARGET", "DSN",
    ];
    let address_key = ADDRESS_WORDS.iter().any(|w| k.contains(w));
    let mut out = Vec::new();
    if value.contains("://") {
        return out;
    }
    let mut pos = 0;
    for token in value.split([',', ';', ' ']) {
        let host_len = token.find(|c: char| !is_host_char(c)).unwrap_or(token.len());
        let host = &token[..host_len];
        let rest = &token[host_len..];
        let port = rest.strip_prefix(':').and_then(|p| p.parse::<u16>().ok());
        let whole = rest.is_empty() || port.is_some();
        if !host.is_empty() && whole && (port.is_some() || address_key) && host.chars().any(|c| c.is_ascii_alphabetic())
        {
            out.push(Address {
                host: host.to_string(),
                port,
                scheme: None,
                start: pos,
                end: pos + host_len,
                credentials: false,
            });
        }
        pos += token.len() + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_references() {
        let i = ImageRef::parse("postgres:16-alpine");
        assert_eq!((i.repo.as_str(), i.tag.as_deref(), i.is_pinned()), ("postgres", Some("16-alpine"), true));
        let i = ImageRef::parse("quay.io/minio/minio:RELEASE.2024-01-01T00-00-00Z");
        assert_eq!(i.repo, "minio/minio");
        let i = ImageRef::parse("localhost:5000/team/app");
        assert_eq!((i.repo.as_str(), i.is_pinned()), ("team/app", false));
        let i = ImageRef::parse("docker.io/library/redis:latest");
        assert_eq!((i.repo.as_str(), i.is_pinned()), ("redis", false));
        assert!(ImageRef::parse("x@sha256:abc").is_pinned());
        assert_eq!(component_of(&ImageRef::parse("jaegertracing/all-in-one:1.50")), Some(ComponentKind::Jaeger));
        assert_eq!(component_of(&ImageRef::parse("ghcr.io/acme/api:1")), None);
    }

    #[test]
    fn secret_names() {
        for k in [
            "POSTGRES_PASSWORD",
            "JWT_SECRET",
            "SECRET_KEY_BASE",
            "GITHUB_TOKEN",
            "S3_SECRET_KEY",
            "AWS_ACCESS_KEY_ID",
            "RABBITMQ_DEFAULT_PASS",
            "STRIPE_API_KEY",
        ] {
            assert!(is_secret_name(k), "{k}");
        }
        for k in [
            "POSTGRES_USER",
            "POSTGRES_DB",
            "LOG_LEVEL",
            "KEYCLOAK_ADMIN",
            "MINIO_ROOT_USER",
            "PORT",
            "DB_PASSWORD_FILE",
        ] {
            assert!(!is_secret_name(k), "{k}");
        }
    }

    #[test]
    fn urls_and_credentials() {
        let v = "postgresql://user:pw@db:5433/app?sslmode=disable";
        let a = urls_in(v);
        assert_eq!(a.len(), 1);
        assert_eq!((a[0].host.as_str(), a[0].port, a[0].credentials), ("db", Some(5433), true));
        assert_eq!(&v[a[0].start..a[0].end], "db");
        let a = urls_in("redis://cache");
        assert_eq!((a[0].host.as_str(), a[0].port, a[0].credentials), ("cache", Some(6379), false));
        let a = urls_in("mongodb://m1:27017,m2:27018/db");
        assert_eq!(
            a.iter().map(|x| (x.host.as_str(), x.port)).collect::<Vec<_>>(),
            vec![("m1", Some(27017)), ("m2", Some(27018))]
        );
        let a = urls_in("amqp://guest@rabbit/ then http://api:8000/x");
        assert_eq!(a.iter().map(|x| x.host.as_str()).collect::<Vec<_>>(), vec!["rabbit", "api"]);
        assert!(urls_in("://").is_empty());
        assert!(urls_in("a://").is_empty());
    }

    #[test]
    fn plain_addresses() {
        let a = plain_addresses_in("KAFKA_BROKERS", "kafka:9092,kafka2:9092");
        assert_eq!(
            a.iter().map(|x| (x.host.as_str(), x.port)).collect::<Vec<_>>(),
            vec![("kafka", Some(9092)), ("kafka2", Some(9092))]
        );
        assert_eq!(plain_addresses_in("REDIS_HOST", "redis")[0].host, "redis");
        assert!(plain_addresses_in("LOG_LEVEL", "debug").is_empty());
        assert!(plain_addresses_in("TIME", "12:30").is_empty());
    }
}
