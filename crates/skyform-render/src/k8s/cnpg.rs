//! PostgreSQL in the cluster is a CloudNativePG `Cluster` (operator 1.30,
//! `postgresql.cnpg.io/v1`): the workload itself, so it is a core object like a
//! StatefulSet. `instances` is the replica count (1 is a single instance, still
//! operator-run, with WAL archiving and backups); streaming replication and automated
//! failover come from the operator; production clusters of three or more replicate
//! synchronously (`any 1`, durability `preferred`: a lost standby never blocks writes).
//! Pods get the platform's labels through `inheritedMetadata` (so the NetworkPolicies
//! select them) and a Velero annotation that keeps file-system backups away from the
//! live data directory. The operator creates the Services `<db>-rw`, `<db>-ro`, `<db>-r`.
//! With backups on and an object store (the in-cluster MinIO, else the provider's
//! S3-compatible storage; none on k3s without MinIO) the barman-cloud plugin archives WAL
//! continuously to the ObjectStore `<db>-backups` (rendered by the data add-on with the
//! ScheduledBackup, Database, PodMonitor and connection Secrets).

use super::Ctx;
use super::wiring::{app_secret_name, cnpg, rw_service_name};
use crate::objects::{Object, meta, service_labels};
use serde_json::{Map, Value, json};
use skyform_model::{ComponentKind, ProviderName, Service};
use std::collections::BTreeMap;

/// API version of CloudNativePG resources.
pub const CNPG_API: &str = "postgresql.cnpg.io/v1";
/// API version of the barman-cloud plugin's ObjectStore.
pub const BARMAN_API: &str = "barmancloud.cnpg.io/v1";
/// Name under which the barman-cloud plugin registers with the operator.
pub const BARMAN_PLUGIN: &str = "barman-cloud.cloudnative-pg.io";
/// Namespace of the CloudNativePG operator and the barman-cloud plugin.
pub const CNPG_NAMESPACE: &str = "cnpg-system";
/// Port of the CloudNativePG instance manager (status, probes).
pub const INSTANCE_MANAGER_PORT: u16 = 8000;
/// Port of the instances' PostgreSQL exporter.
pub const PG_METRICS_PORT: u16 = 9187;
/// Port of PostgreSQL in the instances.
pub const PG_PORT: u16 = 5432;

/// Database name and owner role of an operator-run PostgreSQL.
pub fn database_and_owner(db: &Service) -> (String, String) {
    let pick = |var: &str| {
        db.env
            .get(var)
            .filter(|v| !v.is_empty() && v.as_str() != "postgres" && !v.starts_with('$'))
            .cloned()
            .unwrap_or_else(|| "app".to_string())
    };
    (pick("POSTGRES_DB"), pick("POSTGRES_USER"))
}

/// The CloudNativePG operand image for the service's PostgreSQL version.
pub fn operand_image(db: &Service) -> String {
    match db.image.strip_prefix("postgres:").or_else(|| db.image.strip_prefix("docker.io/library/postgres:")) {
        Some(tag) => {
            let version: String = tag.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
            let version = if version.is_empty() { "16.4".to_string() } else { version };
            format!("ghcr.io/cloudnative-pg/postgresql:{version}")
        }
        None => db.image.clone(),
    }
}

/// Where the platform keeps backups: an in-cluster MinIO or the provider's storage.
#[derive(Clone, Debug)]
pub enum BackupStore<'a> {
    Minio(&'a Service),
    S3 { endpoint: Option<String> },
    Gcs,
    Azure,
}

/// The object store of the platform on this provider, if there is one.
pub fn backup_store<'a>(cx: &Ctx<'a>) -> Option<BackupStore<'a>> {
    if let Some(m) = cx.env.services.iter().find(|s| s.component == Some(ComponentKind::Minio) && cx.in_cluster(s)) {
        return Some(BackupStore::Minio(m));
    }
    let region = cx.model.provider(cx.provider).map(|p| p.region.clone()).unwrap_or_default();
    let s3 = |url: String| Some(BackupStore::S3 { endpoint: Some(url) });
    match cx.provider {
        ProviderName::Aws => Some(BackupStore::S3 { endpoint: None }),
        ProviderName::Gcp => Some(BackupStore::Gcs),
        ProviderName::Azure => Some(BackupStore::Azure),
        ProviderName::Digitalocean => s3(format!("https://{region}.digitaloceanspaces.com")),
        ProviderName::Linode => s3(format!("https://{region}-1.linodeobjects.com")),
        ProviderName::Hetzner => s3(format!("https://{region}.your-objectstorage.com")),
        ProviderName::Civo => s3(format!("https://objectstore.{region}.civo.com")),
        ProviderName::Vultr => s3(format!("https://{region}.vultrobjects.com")),
        ProviderName::K3s | ProviderName::Kind => None,
    }
}

/// Whether the database archives WAL continuously (and takes base backups).
pub fn archives_wal(cx: &Ctx<'_>, db: &Service) -> bool {
    cx.env.backup && cnpg(cx, db) && backup_store(cx).is_some()
}

/// Name of a database's barman-cloud ObjectStore.
pub fn object_store_name(db: &str) -> String {
    format!("{db}-backups")
}

fn resources(db: &Service) -> Value {
    let r = &db.resources;
    json!({
        "requests": { "cpu": r.cpu_request.to_string(), "memory": r.memory_request.to_string() },
        "limits": { "cpu": r.cpu_limit.to_string(), "memory": r.memory_limit.to_string() },
    })
}

/// The `Cluster` spec.
pub fn cluster_spec(cx: &Ctx<'_>, db: &Service) -> Value {
    let (database, owner) = database_and_owner(db);
    let instances = db.replicas.max.max(1);
    let mut labels: BTreeMap<String, String> = service_labels(cx.model, db);
    labels.retain(|k, _| !k.starts_with("cnpg.io/"));
    let mut spec = json!({
        "instances": instances,
        "imageName": operand_image(db),
        "primaryUpdateStrategy": "unsupervised",
        "primaryUpdateMethod": "switchover",
        "enablePDB": true,
        "inheritedMetadata": {
            "labels": labels,
            // A file copy of a live data directory is not a consistent backup.
            "annotations": { "backup.velero.io/backup-volumes-excludes": "pgdata,pg-wal" },
        },
        "storage": {
            "size": db.storage.as_ref().map_or_else(|| "10Gi".to_string(), |s| s.size.to_string()),
            "storageClass": super::storage_class_name(
                cx.provider,
                db.storage.as_ref().map_or(skyform_model::StorageClassName::FastSsd, |s| s.class),
            ),
        },
        "resources": resources(db),
        "affinity": {
            "enablePodAntiAffinity": true,
            "podAntiAffinityType": "preferred",
            "topologyKey": "kubernetes.io/hostname",
        },
        "bootstrap": { "initdb": {
            "database": database,
            "owner": owner,
            "secret": { "name": app_secret_name(&db.name) },
            "dataChecksums": true,
        }},
    });
    if let Some(m) = super::spot_marker(cx.provider) {
        spec["affinity"]["nodeAffinity"] = json!({
            "requiredDuringSchedulingIgnoredDuringExecution": { "nodeSelectorTerms": [{
                "matchExpressions": [{ "key": m.label, "operator": "NotIn", "values": [m.value] }],
            }]},
        });
    }
    if cx.env.production && instances >= 3 {
        spec["postgresql"] = json!({ "synchronous": { "method": "any", "number": 1, "dataDurability": "preferred" } });
    }
    if archives_wal(cx, db) {
        spec["plugins"] = json!([{
            "name": BARMAN_PLUGIN,
            "isWALArchiver": true,
            "parameters": { "barmanObjectName": object_store_name(&db.name) },
        }]);
    }
    spec
}

/// The `Cluster` object of an in-cluster PostgreSQL.
pub fn cluster(cx: &Ctx<'_>, db: &Service) -> Object {
    let services = format!(
        "{} (read-write, primary), {}-ro (read-only replicas), {}-r (any instance)",
        rw_service_name(&db.name),
        db.name,
        db.name
    );
    let m = meta(
        &db.name,
        Some(&db.namespace),
        service_labels(cx.model, db),
        BTreeMap::from([("skyform.dev/services".to_string(), services)]),
    );
    let mut body = Map::new();
    body.insert("spec".into(), cluster_spec(cx, db));
    Object::custom(CNPG_API, "Cluster", m, body)
}
