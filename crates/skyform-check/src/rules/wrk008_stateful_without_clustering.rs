//! **WRK-008 `stateful-without-clustering`**: A Deployment or StatefulSet runs more than one replica (or may, through an autoscaler) of well-known stateful software (PostgreSQL, MySQL/MariaDB, MongoDB, Redis/Valkey, RabbitMQ, MinIO, Elasticsearch/OpenSearch, etcd, ZooKeeper, Kafka) without that software's own clustering configured.
//!
//! *Why:* Each replica is an independent server with its own data behind one Service: writes split between them, reads return different answers, and a failover loses data.
//!
//! *Fix:* Configure the software's replication (see the hint per software), run it with its operator's cluster object, or keep one replica.
//!
//! *Severity:* error.
//!
//! *Maps to:* nothing in checkov, kube-linter, Polaris or kube-score.
//!
//! Clustering is recognised from the containers' environment (including `envFrom`
//! ConfigMaps), arguments and commands, and the ConfigMaps/Secrets (`stringData`) the pod
//! mounts: e.g. `replicaof`/`slaveof` or a `redis-sentinel`/`--sentinel` container for
//! Redis, `{0...N}` distributed endpoints for MinIO, `cluster_formation` for RabbitMQ,
//! `--replSet` for MongoDB, `primary_conninfo`/Patroni/repmgr for PostgreSQL.

#[allow(unused_imports)]
use super::prelude::*;
use super::util::hpa_for;
use crate::works::container_env;

pub const RULE: Rule = Rule {
    id: "WRK-008",
    name: "stateful-without-clustering",
    severity: Severity::Error,
    category: Category::Works,
    default_enabled: true,
    summary: "More than one replica of stateful software (postgres, mysql, mongo, redis, rabbitmq, minio, elasticsearch, etcd, zookeeper, kafka) without its clustering configured.",
    hint: "Configure the software's replication, run it with its operator's cluster object, or keep one replica.",
    refs: Refs::NONE,
    check,
};

/// One piece of stateful software: image names, clustering markers, and the fix.
struct Software {
    name: &'static str,
    images: &'static [&'static str],
    /// Lower-case substrings of env names/values, args, commands or mounted config that
    /// show clustering is configured.
    markers: &'static [&'static str],
    hint: &'static str,
}

const SOFTWARE: &[Software] = &[
    Software {
        name: "PostgreSQL",
        images: &["postgres", "postgresql", "postgis", "timescaledb", "pgvector"],
        markers: &[
            "primary_conninfo",
            "patroni",
            "repmgr",
            "postgresql_replication_mode",
            "postgres_replication_mode",
            "pg_basebackup",
            "stolon",
        ],
        hint: "run it with CloudNativePG (a `postgresql.cnpg.io/v1` Cluster with `instances: N`, consumers on `<name>-rw`), or keep `replicas: 1`",
    },
    Software {
        name: "MySQL",
        images: &["mysql", "mysql-server", "percona-server"],
        markers: &[
            "mysql_replication_mode",
            "group_replication",
            "wsrep",
            "--server-id",
            "server_id",
            "gtid_mode",
            "source_host",
            "master_host",
        ],
        hint: "use the MySQL Operator (InnoDBCluster) or Percona Operator, configure GTID replication, or keep `replicas: 1`",
    },
    Software {
        name: "MariaDB",
        images: &["mariadb", "mariadb-galera"],
        markers: &[
            "mariadb_replication_mode",
            "mariadb_galera",
            "wsrep",
            "galera",
            "--server-id",
            "server_id",
            "master_host",
        ],
        hint: "use the mariadb-operator (`MariaDB` with `replicas` and replication/Galera), or keep `replicas: 1`",
    },
    Software {
        name: "MongoDB",
        images: &["mongo", "mongodb", "mongodb-community-server", "percona-server-mongodb"],
        markers: &[
            "--replset",
            "replset",
            "replication.replsetname",
            "mongodb_replica_set_mode",
            "mongodb_replica_set_name",
            "--configsvr",
            "--shardsvr",
        ],
        hint: "start it as a replica set (`--replSet` plus `rs.initiate`) or use the MongoDB Community/Percona operator, or keep `replicas: 1`",
    },
    Software {
        name: "Redis",
        images: &["redis", "redis-stack", "redis-stack-server", "valkey", "keydb"],
        markers: &[
            "replicaof",
            "slaveof",
            "sentinel",
            "cluster-enabled",
            "redis_replication_mode",
            "valkey_replication_mode",
            "redis_cluster",
            "valkey_cluster",
            "--cluster-enabled",
            "active-replica",
        ],
        hint: "configure replication with Sentinel (`replicaof` on the replicas plus `redis-sentinel` sidecars, clients via Sentinel) or Redis Cluster (`cluster-enabled yes`), use a Redis/Valkey operator, or keep `replicas: 1`",
    },
    Software {
        name: "RabbitMQ",
        images: &["rabbitmq"],
        markers: &["cluster_formation", "rabbitmq_cluster_node_name", "rabbit_peer_discovery", "rabbitmq_node_type"],
        hint: "use the RabbitMQ Cluster Operator (`rabbitmq.com/v1beta1` RabbitmqCluster with `replicas: N`) or configure `cluster_formation.peer_discovery_backend = k8s` with a shared Erlang cookie, or keep `replicas: 1`",
    },
    Software {
        name: "MinIO",
        images: &["minio"],
        markers: &["...", "minio_distributed_mode_enabled", "minio_distributed_nodes"],
        hint: "start it distributed (`server http://minio-{0...3}.minio-hl.<ns>.svc.cluster.local/data` on a StatefulSet with a headless Service) or use the MinIO Operator (Tenant), or keep `replicas: 1`",
    },
    Software {
        name: "Elasticsearch",
        images: &["elasticsearch", "opensearch"],
        markers: &[
            "minimum_master_nodes",
            "discovery.seed_hosts",
            "discovery_seed_hosts",
            "cluster.initial_master_nodes",
            "cluster_initial_master_nodes",
            "cluster.initial_cluster_manager_nodes",
            "discovery.seed_providers",
        ],
        hint: "set `discovery.seed_hosts` and `cluster.initial_master_nodes` (or use ECK / the OpenSearch operator), or keep `replicas: 1`",
    },
    Software {
        name: "etcd",
        images: &["etcd"],
        markers: &["initial-cluster", "etcd_initial_cluster", "--discovery", "etcd_discovery"],
        hint: "set `--initial-cluster` with every member (StatefulSet + headless Service) or keep `replicas: 1`",
    },
    Software {
        name: "ZooKeeper",
        images: &["zookeeper", "cp-zookeeper"],
        markers: &["zoo_servers", "server.1=", "zookeeper_servers"],
        hint: "list the ensemble in `ZOO_SERVERS` / `server.N=` (StatefulSet + headless Service) or keep `replicas: 1`",
    },
    Software {
        name: "Kafka",
        images: &["kafka", "cp-kafka", "cp-server"],
        markers: &[
            "controller_quorum_voters",
            "controller.quorum.voters",
            "zookeeper_connect",
            "zookeeper.connect",
            "kafka_cfg_controller_quorum_voters",
            "controller_quorum_bootstrap_servers",
        ],
        hint: "run it with Strimzi (Kafka + KafkaNodePool) or configure KRaft `controller.quorum.voters` for every broker, or keep `replicas: 1`",
    },
];

/// The repository basename of an image reference: `quay.io/minio/minio:TAG` → `minio`.
fn image_base(image: &str) -> &str {
    let no_digest = image.split('@').next().unwrap_or(image);
    let last = no_digest.rsplit('/').next().unwrap_or(no_digest);
    last.split(':').next().unwrap_or(last)
}

fn check(cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    let Some((replicas, _)) = obj.replicas() else { return };
    let scaled = hpa_for(cx.index, obj)
        .and_then(|h| h.spec().and_then(|s| s.get("maxReplicas")).and_then(Node::as_i64))
        .unwrap_or(1);
    if replicas <= 1 && scaled <= 1 {
        return;
    }
    let Some(pod) = obj.pod() else { return };
    let main = pod.main_containers();
    for c in &main {
        let Some(image_node) = c.get("image") else { continue };
        let Some(image) = image_node.as_str() else { continue };
        let base = image_base(image);
        let Some(sw) = SOFTWARE.iter().find(|s| s.images.contains(&base)) else { continue };
        let hay = haystack(cx, obj, &pod);
        if sw.markers.iter().any(|m| hay.contains(m)) {
            continue;
        }
        let how =
            if replicas > 1 { format!("{replicas} replicas") } else { format!("up to {scaled} replicas (autoscaler)") };
        out.at(
            image_node.span,
            format!(
                "{} runs {} (`{image}`) with {how} but no {} clustering is configured: each replica is an independent server",
                c.label(),
                sw.name,
                sw.name
            ),
        )
        .hint(sw.hint);
    }
}

/// Everything that could configure clustering, lower-cased: env (incl. envFrom
/// ConfigMaps), args/commands of every container, and mounted ConfigMaps/Secrets.
fn haystack(cx: &Cx<'_>, obj: &Object, pod: &PodView<'_>) -> String {
    let mut hay = String::new();
    for c in pod.containers() {
        if let Some(img) = c.get("image").and_then(Node::as_str) {
            hay.push_str(image_base(img));
            hay.push('\n');
        }
        hay.push_str(c.name);
        hay.push('\n');
        for v in container_env(cx.index, obj.ns(), c.node) {
            hay.push_str(&v.name);
            hay.push('=');
            hay.push_str(&v.value);
            hay.push('\n');
        }
        for e in c.get("env").and_then(Node::as_seq).unwrap_or(&[]) {
            if let Some(n) = text(Some(e), "name") {
                hay.push_str(n);
                hay.push('\n');
            }
        }
        for key in ["command", "args"] {
            for s in strings(c.get(key)) {
                hay.push_str(s);
                hay.push('\n');
            }
        }
    }
    for v in pod.volumes() {
        let mut names = Vec::new();
        if let Some(n) = v.get("configMap").and_then(|c| text(Some(c), "name")) {
            names.push(("ConfigMap", n));
        }
        if let Some(n) = v.get("secret").and_then(|c| text(Some(c), "secretName")) {
            names.push(("Secret", n));
        }
        for src in v.get("projected").and_then(|p| p.get("sources")).and_then(Node::as_seq).unwrap_or(&[]) {
            if let Some(n) = src.get("configMap").and_then(|c| text(Some(c), "name")) {
                names.push(("ConfigMap", n));
            }
        }
        for (kind, n) in names {
            if let Some(o) = cx.index.get(kind, obj.ns(), n) {
                for key in ["data", "stringData"] {
                    for (k, val) in string_map(o.node.get(key)) {
                        hay.push_str(k);
                        hay.push('=');
                        hay.push_str(&val);
                        hay.push('\n');
                    }
                }
            }
        }
    }
    hay.to_ascii_lowercase()
}
