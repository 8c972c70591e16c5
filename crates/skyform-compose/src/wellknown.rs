//! What public images listen on when a compose file does not say: most real stacks never
//! declare internal ports, because every container already listens on its image's port.
//! The table holds the documented default ports of widely used images, with the protocol
//! spoken there (which decides between an HTTP ingress and a LoadBalancer for exposure).

use crate::classify::ImageRef;

/// The application protocol on a port.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AppProto {
    Http,
    Grpc,
    /// Any other TCP protocol (database wire protocols, AMQP, MQTT, SMTP, …).
    Tcp,
}

impl AppProto {
    pub fn name(self) -> &'static str {
        match self {
            AppProto::Http => "HTTP",
            AppProto::Grpc => "gRPC",
            AppProto::Tcp => "TCP",
        }
    }
}

use AppProto::{Grpc, Http, Tcp};

/// Default ports of well-known images, by repository (without registry) or by its last
/// path segment. The first port is the main one.
const TABLE: &[(&str, &[(u16, AppProto)])] = &[
    // Databases and caches.
    ("mysql", &[(3306, Tcp)]),
    ("mariadb", &[(3306, Tcp)]),
    ("percona", &[(3306, Tcp)]),
    ("mongo", &[(27017, Tcp)]),
    ("mongodb", &[(27017, Tcp)]),
    ("mongodb-community-server", &[(27017, Tcp)]),
    ("memcached", &[(11211, Tcp)]),
    ("valkey", &[(6379, Tcp)]),
    ("keydb", &[(6379, Tcp)]),
    ("dragonfly", &[(6379, Tcp)]),
    ("redis-stack", &[(6379, Tcp), (8001, Http)]),
    ("elasticsearch", &[(9200, Http), (9300, Tcp)]),
    ("opensearch", &[(9200, Http), (9600, Http)]),
    ("opensearch-dashboards", &[(5601, Http)]),
    ("kibana", &[(5601, Http)]),
    ("logstash", &[(5044, Tcp), (9600, Http)]),
    ("clickhouse-server", &[(8123, Http), (9000, Tcp)]),
    ("clickhouse", &[(8123, Http), (9000, Tcp)]),
    ("cassandra", &[(9042, Tcp)]),
    ("scylla", &[(9042, Tcp)]),
    ("couchdb", &[(5984, Http)]),
    ("couchbase", &[(8091, Http), (11210, Tcp)]),
    ("influxdb", &[(8086, Http)]),
    ("timescaledb", &[(5432, Tcp)]),
    ("timescaledb-ha", &[(5432, Tcp)]),
    ("pgvector", &[(5432, Tcp)]),
    ("supabase/postgres", &[(5432, Tcp)]),
    ("cockroach", &[(26257, Tcp), (8080, Http)]),
    ("mssql-server", &[(1433, Tcp)]),
    ("neo4j", &[(7474, Http), (7687, Tcp)]),
    ("etcd", &[(2379, Grpc), (2380, Tcp)]),
    ("meilisearch", &[(7700, Http)]),
    ("typesense", &[(8108, Http)]),
    ("qdrant", &[(6333, Http), (6334, Grpc)]),
    ("weaviate", &[(8080, Http), (50051, Grpc)]),
    ("chroma", &[(8000, Http)]),
    ("milvus", &[(19530, Grpc), (9091, Http)]),
    ("solr", &[(8983, Http)]),
    ("zookeeper", &[(2181, Tcp)]),
    ("seaweedfs", &[(9333, Http), (8080, Http), (8333, Http)]),
    ("pgbouncer", &[(5432, Tcp)]),
    ("edoburu/pgbouncer", &[(5432, Tcp)]),
    ("bitnami/pgbouncer", &[(6432, Tcp)]),
    ("pgpool", &[(5432, Tcp)]),
    ("postgrest", &[(3000, Http)]),
    ("hasura/graphql-engine", &[(8080, Http)]),
    ("adminer", &[(8080, Http)]),
    ("phpmyadmin", &[(80, Http)]),
    ("pgadmin4", &[(80, Http)]),
    ("mongo-express", &[(8081, Http)]),
    ("redis-commander", &[(8081, Http)]),
    ("redisinsight", &[(5540, Http)]),
    // Queues and streaming.
    ("kafka", &[(9092, Tcp)]),
    ("cp-kafka", &[(9092, Tcp)]),
    ("cp-zookeeper", &[(2181, Tcp)]),
    ("cp-schema-registry", &[(8081, Http)]),
    ("redpanda", &[(9092, Tcp), (8081, Http), (8082, Http), (9644, Http)]),
    ("kafka-ui", &[(8080, Http)]),
    ("nats", &[(4222, Tcp), (8222, Http)]),
    ("nats-streaming", &[(4222, Tcp), (8222, Http)]),
    ("activemq", &[(61616, Tcp), (8161, Http)]),
    ("activemq-artemis", &[(61616, Tcp), (8161, Http)]),
    ("pulsar", &[(6650, Tcp), (8080, Http)]),
    ("eclipse-mosquitto", &[(1883, Tcp)]),
    ("mosquitto", &[(1883, Tcp)]),
    ("emqx", &[(1883, Tcp), (18083, Http)]),
    // Observability.
    ("opentelemetry-collector", &[(4317, Grpc), (4318, Http)]),
    ("opentelemetry-collector-contrib", &[(4317, Grpc), (4318, Http)]),
    ("otel-collector", &[(4317, Grpc), (4318, Http)]),
    ("zipkin", &[(9411, Http)]),
    ("tempo", &[(3200, Http), (4317, Grpc), (4318, Http)]),
    ("alertmanager", &[(9093, Http)]),
    ("node-exporter", &[(9100, Http)]),
    ("cadvisor", &[(8080, Http)]),
    ("pushgateway", &[(9091, Http)]),
    ("blackbox-exporter", &[(9115, Http)]),
    ("postgres-exporter", &[(9187, Http)]),
    ("redis_exporter", &[(9121, Http)]),
    ("mimir", &[(8080, Http)]),
    ("victoria-metrics", &[(8428, Http)]),
    ("promtail", &[(9080, Http)]),
    ("uptime-kuma", &[(3001, Http)]),
    ("signoz", &[(8080, Http)]),
    // Identity, proxies, gateways.
    ("keycloak", &[(8080, Http)]),
    ("authentik/server", &[(9000, Http), (9443, Http)]),
    ("goauthentik/server", &[(9000, Http), (9443, Http)]),
    ("zitadel", &[(8080, Http)]),
    ("hydra", &[(4444, Http), (4445, Http)]),
    ("dex", &[(5556, Http)]),
    ("authelia", &[(9091, Http)]),
    ("oauth2-proxy", &[(4180, Http)]),
    ("casdoor", &[(8000, Http)]),
    ("logto", &[(3001, Http), (3002, Http)]),
    ("lldap", &[(17170, Http), (3890, Tcp)]),
    ("openldap", &[(389, Tcp)]),
    ("gotrue", &[(9999, Http)]),
    ("supabase/gotrue", &[(9999, Http)]),
    ("supabase/realtime", &[(4000, Http)]),
    ("supabase/storage-api", &[(5000, Http)]),
    ("supabase/studio", &[(3000, Http)]),
    ("supabase/postgres-meta", &[(8080, Http)]),
    ("imgproxy", &[(8080, Http)]),
    ("darthsim/imgproxy", &[(8080, Http)]),
    ("kong", &[(8000, Http), (8443, Http), (8001, Http)]),
    ("traefik", &[(80, Http), (8080, Http)]),
    ("caddy", &[(80, Http), (443, Http)]),
    ("haproxy", &[(80, Http)]),
    ("httpd", &[(80, Http)]),
    ("apisix", &[(9080, Http), (9180, Http)]),
    ("varnish", &[(80, Http)]),
    ("consul", &[(8500, Http), (8600, Tcp)]),
    // Workflow engines and platforms.
    ("temporalio/auto-setup", &[(7233, Grpc)]),
    ("temporalio/server", &[(7233, Grpc)]),
    ("temporalio/ui", &[(8080, Http)]),
    ("temporalio/admin-tools", &[]),
    ("n8n", &[(5678, Http)]),
    ("n8nio/n8n", &[(5678, Http)]),
    ("gitea", &[(3000, Http), (22, Tcp)]),
    ("forgejo", &[(3000, Http), (22, Tcp)]),
    ("sonarqube", &[(9000, Http)]),
    ("jenkins", &[(8080, Http), (50000, Tcp)]),
    ("wordpress", &[(80, Http)]),
    ("ghost", &[(2368, Http)]),
    ("nextcloud", &[(80, Http)]),
    ("drupal", &[(80, Http)]),
    ("tomcat", &[(8080, Http)]),
    ("mailhog", &[(1025, Tcp), (8025, Http)]),
    ("mailpit", &[(1025, Tcp), (8025, Http)]),
    ("maildev", &[(1025, Tcp), (1080, Http)]),
    ("selenium/standalone-chrome", &[(4444, Http)]),
    ("localstack", &[(4566, Http)]),
    ("azurite", &[(10000, Http), (10001, Http), (10002, Http)]),
    ("portainer", &[(9000, Http)]),
    ("metabase", &[(3000, Http)]),
    ("superset", &[(8088, Http)]),
    ("apache/superset", &[(8088, Http)]),
    ("apache/airflow", &[(8080, Http)]),
    ("redash", &[(5000, Http)]),
    ("grafana/tempo", &[(3200, Http), (4317, Grpc), (4318, Http)]),
    ("grafana/mimir", &[(8080, Http)]),
    ("grafana/agent", &[(12345, Http)]),
    ("grafana/alloy", &[(12345, Http)]),
    ("flower", &[(5555, Http)]),
    ("mher/flower", &[(5555, Http)]),
    ("unleash-server", &[(4242, Http)]),
    ("minio/console", &[(9090, Http)]),
    ("spicedb", &[(50051, Grpc)]),
    ("authzed/spicedb", &[(50051, Grpc)]),
    ("openfga/openfga", &[(8080, Http), (8081, Grpc)]),
];

/// Image families recognised by a word of the repository path (`tensorchord/pgvecto-rs`,
/// `bitnami/mongodb-sharded`): derived images keep the port of what they derive from.
const FAMILIES: &[(&str, &[(u16, AppProto)])] = &[
    ("postgres", &[(5432, Tcp)]),
    ("postgresql", &[(5432, Tcp)]),
    ("pgvector", &[(5432, Tcp)]),
    ("pgvecto", &[(5432, Tcp)]),
    ("postgis", &[(5432, Tcp)]),
    ("timescaledb", &[(5432, Tcp)]),
    ("mysql", &[(3306, Tcp)]),
    ("mariadb", &[(3306, Tcp)]),
    ("redis", &[(6379, Tcp)]),
    ("valkey", &[(6379, Tcp)]),
    ("mongo", &[(27017, Tcp)]),
    ("mongodb", &[(27017, Tcp)]),
    ("rabbitmq", &[(5672, Tcp)]),
    ("elasticsearch", &[(9200, Http)]),
    ("opensearch", &[(9200, Http)]),
    ("kafka", &[(9092, Tcp)]),
    ("memcached", &[(11211, Tcp)]),
    ("clickhouse", &[(8123, Http), (9000, Tcp)]),
    ("smtp", &[(25, Tcp)]),
    ("postfix", &[(25, Tcp)]),
];

/// The default ports of an image, if it is a well-known one (or derived from one).
pub fn image_ports(image: &ImageRef) -> Option<&'static [(u16, AppProto)]> {
    TABLE
        .iter()
        .find(|(k, _)| *k == image.repo)
        .or_else(|| TABLE.iter().find(|(k, _)| *k == image.base()))
        .or_else(|| family(image))
        .map(|(_, p)| *p)
}

/// The database family an image derives from, by a word of its repository path; tools
/// around a database (exporters, UIs, backups, sentinels) are not the database.
fn family(image: &ImageRef) -> Option<&'static (&'static str, &'static [(u16, AppProto)])> {
    const TOOLS: &[&str] =
        &["exporter", "ui", "admin", "commander", "backup", "sentinel", "insight", "express", "operator", "proxy"];
    let words: Vec<&str> = image.repo.split(|c: char| !c.is_ascii_alphanumeric()).collect();
    if words.iter().any(|w| TOOLS.contains(w)) {
        return None;
    }
    FAMILIES.iter().find(|(k, _)| words.contains(k))
}

/// Whether an image derives from a database, cache or broker (`tensorchord/pgvecto-rs`).
pub fn is_data_family(image: &ImageRef) -> bool {
    family(image).is_some()
}

/// The protocol usually spoken on a port number, when nothing else tells.
pub fn port_proto(port: u16) -> Option<AppProto> {
    Some(match port {
        21 | 22 | 25 | 110 | 143 | 389 | 465 | 587 | 636 | 993 | 995 | 1025 | 1433 | 1521 | 1883 | 2181 | 3306
        | 3890 | 4222 | 5432 | 5433 | 5671 | 5672 | 6379 | 6380 | 6432 | 6650 | 7687 | 8883 | 9042 | 9092 => Tcp,
        9300 | 11211 | 26257 | 27017 | 61616 => Tcp,
        4317 | 7233 | 9095 | 50051 | 50052 | 8980 => Grpc,
        _ => return None,
    })
}

/// The name of a well-known TCP protocol on a port, for naming ports (≤ 15 characters).
pub fn tcp_port_name(port: u16) -> Option<&'static str> {
    Some(match port {
        5432 | 5433 | 6432 | 26257 => "postgres",
        3306 => "mysql",
        6379 | 6380 => "redis",
        27017 => "mongodb",
        5672 | 5671 => "amqp",
        9092 => "kafka",
        2181 => "zookeeper",
        4222 => "nats",
        1883 | 8883 => "mqtt",
        9042 => "cql",
        11211 => "memcached",
        1433 => "mssql",
        7687 => "bolt",
        25 | 587 | 465 | 1025 => "smtp",
        22 => "ssh",
        389 | 636 | 3890 => "ldap",
        61616 => "openwire",
        6650 => "pulsar",
        9300 => "transport",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_lookups() {
        let ports = |s: &str| image_ports(&ImageRef::parse(s)).map(|p| p.iter().map(|x| x.0).collect::<Vec<_>>());
        assert_eq!(ports("mysql:8.4"), Some(vec![3306]));
        assert_eq!(ports("docker.io/library/mongo:7"), Some(vec![27017]));
        assert_eq!(ports("temporalio/auto-setup:1.25"), Some(vec![7233]));
        assert_eq!(ports("quay.io/keycloak/keycloak:26.0"), Some(vec![8080]));
        assert_eq!(ports("ghcr.io/acme/api:1"), None);
        assert_eq!(ports("tensorchord/pgvecto-rs:pg14-v0.2.0"), Some(vec![5432]));
        assert_eq!(ports("bitnami/mongodb-sharded:7.0"), Some(vec![27017]));
        assert_eq!(ports("oliver006/redis_exporter:v1.62.0"), Some(vec![9121]));
        assert_eq!(ports("acme/postgres-backup:1"), None);
        assert_eq!(port_proto(5432), Some(AppProto::Tcp));
        assert_eq!(port_proto(9093), None);
        assert_eq!(port_proto(7233), Some(AppProto::Grpc));
        assert_eq!(port_proto(8080), None);
    }
}
