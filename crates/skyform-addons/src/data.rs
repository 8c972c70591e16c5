//! Data services: PostgreSQL through the CloudNativePG operator, and the Secrets that
//! carry database connection details to consumers.
//!
//! Every in-cluster `component: postgres` service `<db>` becomes (CloudNativePG 1.30,
//! `postgresql.cnpg.io/v1`):
//! - a `Cluster` `<db>` with `instances` = the replica count (1 is a single instance —
//!   still operator-run, with WAL archiving and backups), streaming replication and
//!   automated failover, synchronous replication (`any 1`, durability `preferred`) in
//!   production clusters of three or more, pod anti-affinity across nodes, the operator's
//!   PodDisruptionBudget, storage of the service's size and class, `initdb` of database
//!   and owner (`POSTGRES_DB`/`POSTGRES_USER` of the service, else `app`) with the
//!   owner's password from the Secret `<db>-app`, and the platform's labels on every pod
//!   (`inheritedMetadata`) so the NetworkPolicies select them. The operator creates the
//!   Services `<db>-rw`, `<db>-ro` and `<db>-r`;
//! - when the environment has backups and the platform has an object store (an
//!   in-cluster MinIO, else the provider's S3-compatible storage; none on k3s without
//!   MinIO): a barman-cloud `ObjectStore` `<db>-backups` (`barmancloud.cnpg.io/v1`,
//!   plugin-barman-cloud) at `s3://<platform>-pg-backups/<env>/` with the retention of
//!   the covering backup schedules, the Cluster's WAL archiver plugin (continuous
//!   archiving: point-in-time recovery to any moment), and a `ScheduledBackup` `<db>`
//!   (six-field cron of the covering schedule, method `plugin`). The credentials come
//!   from the backend entry `<platform>/<db>-backup` (`ACCESS_KEY_ID`,
//!   `ACCESS_SECRET_KEY`) through the Secret `<db>-backup-credentials`; on GCP and
//!   Azure the pods' workload identity is used instead. Velero's file-system backup
//!   skips the database volumes (a file copy of a live data directory is not
//!   consistent);
//! - a `Database` `<db>-<database>` creating the service's `schemas:` (and Kratos's
//!   `kratos_identities` when Kratos uses the database) in the application database;
//! - a `PodMonitor` `<db>` on the instances' `metrics` port (9187) when metrics are on;
//! - `allow-<db>-cnpg`: the operator (`cnpg-system`) reaching the instance manager on
//!   8000, Prometheus on 9187, the instances reaching the API server (443/6443) and the
//!   object store.
//!
//! Connection Secrets (see [`skyform_render::k8s::wiring`]): `<db>-app` in the
//! database's namespace and in every consumer's namespace (username, password, host,
//! port, dbname, uri), built by an ExternalSecret from the database's own
//! `POSTGRES_PASSWORD` entry; for a managed service, `<svc>-connection` in every
//! consumer namespace from the entry `<platform>/<svc>-connection` that Terraform writes
//! (host, port, database, username, password, sslmode — redis: host, port, password,
//! tls — plus a `uri` built from them). A consumer namespace's Secret is read through
//! the SecretStore of the first consumer (by name) in it. With Sealed Secrets these are
//! SealedSecret templates to fill with `kubeseal`.

use crate::secrets::{ESO_API, remote_key, store_name};
use crate::{Ctx, annotate, custom, label, platform_meta, service_meta};
use k8s_openapi::api::networking::v1::{
    IPBlock, NetworkPolicy, NetworkPolicyEgressRule, NetworkPolicyIngressRule, NetworkPolicyPeer, NetworkPolicyPort,
    NetworkPolicySpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde_json::{Map, Value, json};
use skyform_model::{BackupSchedule, ComponentKind, SecretsBackend, Service};
use skyform_render::Object;
pub use skyform_render::k8s::cnpg::{
    BARMAN_API, BARMAN_PLUGIN, BackupStore, CNPG_API, CNPG_NAMESPACE, INSTANCE_MANAGER_PORT, PG_METRICS_PORT,
    database_and_owner, object_store_name, operand_image,
};
use skyform_render::k8s::wiring::{
    self, KRATOS_DSN_KEY, KRATOS_SCHEMA, app_secret_name, cnpg, connection_key, rw_service_name,
};
use skyform_render::k8s::{NAMESPACE_NAME_LABEL, NON_PUBLIC};
use skyform_render::objects::selector_labels;
use std::collections::{BTreeMap, BTreeSet};

/// Backend property names of the backup credentials.
pub const BACKUP_KEYS: [&str; 2] = ["ACCESS_KEY_ID", "ACCESS_SECRET_KEY"];

/// Every data object of the environment.
pub fn objects(cx: &Ctx<'_>) -> Vec<Object> {
    let mut out = Vec::new();
    for db in cx.in_cluster_services().filter(|s| cnpg_of(cx, s)) {
        out.extend(cluster_objects(cx, db));
    }
    out.extend(wiring_objects(cx));
    out
}

fn cnpg_of(cx: &Ctx<'_>, s: &Service) -> bool {
    cnpg(&render_cx(cx), s)
}

fn render_cx<'a>(cx: &Ctx<'a>) -> skyform_render::k8s::Ctx<'a> {
    skyform_render::k8s::Ctx { model: cx.model, env: cx.env, provider: cx.provider }
}

/// The object store of the platform on this provider, if there is one.
pub fn backup_store<'a>(cx: &Ctx<'a>) -> Option<BackupStore<'a>> {
    skyform_render::k8s::cnpg::backup_store(&render_cx(cx))
}

/// Whether the database archives WAL continuously (and takes base backups).
pub fn archives_wal(cx: &Ctx<'_>, db: &Service) -> bool {
    skyform_render::k8s::cnpg::archives_wal(&render_cx(cx), db)
}

/// Backup schedules covering a service (by name, else by tier).
pub fn covering<'a>(cx: &Ctx<'a>, s: &Service) -> Vec<&'a BackupSchedule> {
    cx.model
        .backup
        .schedules
        .iter()
        .filter(|b| if b.services.is_empty() { b.tiers.contains(&s.tier) } else { b.services.contains(&s.name) })
        .collect()
}

fn backup_secret_name(db: &str) -> String {
    format!("{db}-backup-credentials")
}

fn backup_key(cx: &Ctx<'_>, db: &Service) -> String {
    format!("{}/{}-backup", cx.model.name, db.name)
}

/// The bucket path of a database's backups.
pub fn destination_path(cx: &Ctx<'_>) -> String {
    match backup_store(cx) {
        Some(BackupStore::Azure) => {
            format!(
                "https://{}backups.blob.core.windows.net/pg-backups/{}",
                cx.model.name.replace('-', ""),
                cx.env.name
            )
        }
        Some(BackupStore::Gcs) => format!("gs://{}-pg-backups/{}", cx.model.name, cx.env.name),
        _ => format!("s3://{}-pg-backups/{}", cx.model.name, cx.env.name),
    }
}

/// The Kratos services that use `db`.
fn kratos_users<'a>(cx: &Ctx<'a>, db: &Service) -> Vec<&'a Service> {
    cx.in_cluster_services()
        .filter(|s| s.component == Some(ComponentKind::Kratos) && s.depends_on.iter().any(|d| d.service == db.name))
        .collect()
}

/// Schemas created in the database: the service's own, plus Kratos's.
pub fn schemas(cx: &Ctx<'_>, db: &Service) -> Vec<String> {
    let mut out: BTreeSet<String> = db.schemas.iter().cloned().collect();
    if !kratos_users(cx, db).is_empty() {
        out.insert(KRATOS_SCHEMA.to_string());
    }
    out.into_iter().collect()
}

fn cluster_objects(cx: &Ctx<'_>, db: &Service) -> Vec<Object> {
    let mut out = Vec::new();
    if archives_wal(cx, db) {
        out.push(object_store(cx, db));
        out.push(scheduled_backup(cx, db));
    }
    let (database, owner) = database_and_owner(db);
    let schemas = schemas(cx, db);
    if !schemas.is_empty() {
        let list: Vec<Value> =
            schemas.iter().map(|s| json!({ "name": s, "owner": owner, "ensure": "present" })).collect();
        out.push(custom(
            CNPG_API,
            "Database",
            service_meta(cx.model, db, &format!("{}-{}", db.name, database.replace('_', "-")), &db.namespace),
            json!({
                "cluster": { "name": db.name },
                "name": database,
                "owner": owner,
                "ensure": "present",
                "databaseReclaimPolicy": "retain",
                "schemas": list,
            }),
        ));
    }
    if cx.model.observability.metrics {
        out.push(custom(
            "monitoring.coreos.com/v1",
            "PodMonitor",
            service_meta(cx.model, db, &db.name, &db.namespace),
            json!({
                "selector": { "matchLabels": { "cnpg.io/cluster": db.name } },
                "podMetricsEndpoints": [{ "port": "metrics", "path": "/metrics" }],
            }),
        ));
    }
    out.push(operator_policy(cx, db));
    if let Some(BackupStore::Minio(m)) = backup_store(cx).filter(|_| archives_wal(cx, db)) {
        out.push(minio_ingress(cx, db, m));
    }
    out
}

fn retention_days(cx: &Ctx<'_>, db: &Service) -> u64 {
    covering(cx, db).iter().map(|b| b.ttl_hours).max().unwrap_or(720).div_ceil(24).max(1)
}

/// The ObjectStore spec.
pub fn object_store_spec(cx: &Ctx<'_>, db: &Service) -> Value {
    let mut conf = Map::new();
    conf.insert("destinationPath".into(), json!(destination_path(cx)));
    let creds = |key: &str| json!({ "name": backup_secret_name(&db.name), "key": key });
    match backup_store(cx) {
        Some(BackupStore::Minio(m)) => {
            let port = m.port("api").map_or(9000, |p| p.port);
            conf.insert("endpointURL".into(), json!(format!("http://{}:{port}", crate::service_host(m))));
            conf.insert(
                "s3Credentials".into(),
                json!({ "accessKeyId": creds(BACKUP_KEYS[0]), "secretAccessKey": creds(BACKUP_KEYS[1]) }),
            );
        }
        Some(BackupStore::S3 { endpoint }) => {
            if let Some(e) = endpoint {
                conf.insert("endpointURL".into(), json!(e));
            }
            conf.insert(
                "s3Credentials".into(),
                json!({ "accessKeyId": creds(BACKUP_KEYS[0]), "secretAccessKey": creds(BACKUP_KEYS[1]) }),
            );
        }
        Some(BackupStore::Gcs) => {
            conf.insert("googleCredentials".into(), json!({ "gkeEnvironment": true }));
        }
        Some(BackupStore::Azure) => {
            conf.insert("azureCredentials".into(), json!({ "inheritFromAzureAD": true }));
        }
        None => {}
    }
    conf.insert("wal".into(), json!({ "compression": "gzip", "maxParallel": 2 }));
    conf.insert("data".into(), json!({ "compression": "gzip", "jobs": 2 }));
    json!({
        "retentionPolicy": format!("{}d", retention_days(cx, db)),
        "configuration": Value::Object(conf),
    })
}

fn object_store(cx: &Ctx<'_>, db: &Service) -> Object {
    custom(
        BARMAN_API,
        "ObjectStore",
        service_meta(cx.model, db, &object_store_name(&db.name), &db.namespace),
        object_store_spec(cx, db),
    )
}

/// Whether the database reads backup credentials from the secrets backend.
pub fn needs_backup_credentials(cx: &Ctx<'_>, db: &Service) -> bool {
    archives_wal(cx, db) && matches!(backup_store(cx), Some(BackupStore::Minio(_) | BackupStore::S3 { .. }))
}

/// Six-field cron (seconds first) of the covering schedule that runs most often, else
/// daily at 03:00.
pub fn backup_cron(cx: &Ctx<'_>, db: &Service) -> String {
    covering(cx, db)
        .into_iter()
        .min_by_key(|b| (b.interval_minutes, b.name.clone()))
        .map_or_else(|| "0 0 3 * * *".to_string(), |b| format!("0 {}", b.cron))
}

fn scheduled_backup(cx: &Ctx<'_>, db: &Service) -> Object {
    custom(
        CNPG_API,
        "ScheduledBackup",
        service_meta(cx.model, db, &db.name, &db.namespace),
        json!({
            "cluster": { "name": db.name },
            "schedule": backup_cron(cx, db),
            "method": "plugin",
            "pluginConfiguration": { "name": BARMAN_PLUGIN },
            "immediate": true,
            "backupOwnerReference": "self",
        }),
    )
}

fn np_port(p: u16) -> NetworkPolicyPort {
    NetworkPolicyPort {
        port: Some(IntOrString::Int(i32::from(p))),
        protocol: Some("TCP".into()),
        ..NetworkPolicyPort::default()
    }
}

fn ns_peer(ns: &str) -> NetworkPolicyPeer {
    NetworkPolicyPeer {
        namespace_selector: Some(LabelSelector {
            match_labels: Some(BTreeMap::from([(NAMESPACE_NAME_LABEL.to_string(), ns.to_string())])),
            ..LabelSelector::default()
        }),
        ..NetworkPolicyPeer::default()
    }
}

fn pod_peer(cx: &Ctx<'_>, s: &Service) -> NetworkPolicyPeer {
    NetworkPolicyPeer {
        pod_selector: Some(LabelSelector {
            match_labels: Some(selector_labels(cx.model, &s.name)),
            ..LabelSelector::default()
        }),
        ..ns_peer(&s.namespace)
    }
}

fn ip_peer(cidr: &str, except: &[&str]) -> NetworkPolicyPeer {
    NetworkPolicyPeer {
        ip_block: Some(IPBlock {
            cidr: cidr.into(),
            except: (!except.is_empty()).then(|| except.iter().map(|e| (*e).to_string()).collect()),
        }),
        ..NetworkPolicyPeer::default()
    }
}

/// `allow-<db>-cnpg`: the operator's and Prometheus's ingress, the instances' egress to
/// the API server and to the object store.
fn operator_policy(cx: &Ctx<'_>, db: &Service) -> Object {
    let mut ingress = vec![NetworkPolicyIngressRule {
        from: Some(vec![ns_peer(CNPG_NAMESPACE)]),
        ports: Some(vec![np_port(INSTANCE_MANAGER_PORT)]),
    }];
    if cx.model.observability.metrics {
        ingress.push(NetworkPolicyIngressRule {
            from: Some(vec![ns_peer(&cx.model.observability.namespace)]),
            ports: Some(vec![np_port(PG_METRICS_PORT)]),
        });
    }
    let mut egress = vec![NetworkPolicyEgressRule {
        to: Some(vec![ip_peer("0.0.0.0/0", &[])]),
        ports: Some(vec![np_port(443), np_port(6443)]),
    }];
    if archives_wal(cx, db) {
        match backup_store(cx) {
            Some(BackupStore::Minio(m)) => egress.push(NetworkPolicyEgressRule {
                to: Some(vec![pod_peer(cx, m)]),
                ports: Some(vec![np_port(m.port("api").map_or(9000, |p| p.port))]),
            }),
            // Cloud object storage: public HTTPS (the API-server rule above already
            // admits 443 anywhere; kept explicit for readers).
            Some(_) => egress.push(NetworkPolicyEgressRule {
                to: Some(vec![ip_peer("0.0.0.0/0", &NON_PUBLIC)]),
                ports: Some(vec![np_port(443)]),
            }),
            None => {}
        }
    }
    let m = annotate(
        service_meta(cx.model, db, &format!("allow-{}-cnpg", db.name), &db.namespace),
        &[(
            "skyform.dev/reason",
            "CloudNativePG: the operator polls each instance manager on 8000; instances watch their Cluster through \
             the API server (address known only to the cluster, so any address on its ports) and archive WAL to the \
             object store"
                .into(),
        )],
    );
    Object::typed(&NetworkPolicy {
        metadata: m,
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(LabelSelector {
                match_labels: Some(selector_labels(cx.model, &db.name)),
                ..LabelSelector::default()
            }),
            policy_types: Some(vec!["Egress".into(), "Ingress".into()]),
            ingress: Some(ingress),
            egress: Some(egress),
        }),
    })
}

/// `allow-<minio>-from-<db>`: the database's WAL archiver reaching MinIO.
fn minio_ingress(cx: &Ctx<'_>, db: &Service, m: &Service) -> Object {
    Object::typed(&NetworkPolicy {
        metadata: service_meta(cx.model, m, &format!("allow-{}-from-{}", m.name, db.name), &m.namespace),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(LabelSelector {
                match_labels: Some(selector_labels(cx.model, &m.name)),
                ..LabelSelector::default()
            }),
            policy_types: Some(vec!["Ingress".into()]),
            ingress: Some(vec![NetworkPolicyIngressRule {
                from: Some(vec![pod_peer(cx, db)]),
                ports: Some(vec![np_port(m.port("api").map_or(9000, |p| p.port))]),
            }]),
            ..NetworkPolicySpec::default()
        }),
    })
}

/// One connection Secret in one namespace.
#[derive(Clone, Debug)]
pub struct ConnectionSecret<'a> {
    pub namespace: String,
    /// `<db>-app` or `<svc>-connection`.
    pub name: String,
    pub target: &'a Service,
    /// The service whose SecretStore reads the backend (the database itself for its own
    /// namespace's `<db>-app`).
    pub reader: &'a Service,
    pub managed: bool,
    /// Whether a Kratos in this namespace needs the DSN with its schema.
    pub kratos: bool,
}

/// Every connection Secret of the environment, one per (namespace, name).
pub fn connection_secrets<'c, 'a>(cx: &'c Ctx<'a>) -> &'c [ConnectionSecret<'a>] {
    cx.connections.get_or_init(|| build_connection_secrets(cx))
}

fn build_connection_secrets<'a>(cx: &Ctx<'a>) -> Vec<ConnectionSecret<'a>> {
    let rcx = render_cx(cx);
    let mut out: BTreeMap<(String, String), ConnectionSecret<'a>> = BTreeMap::new();
    for db in cx.in_cluster_services().filter(|s| cnpg_of(cx, s)) {
        out.insert(
            (db.namespace.clone(), app_secret_name(&db.name)),
            ConnectionSecret {
                namespace: db.namespace.clone(),
                name: app_secret_name(&db.name),
                target: db,
                reader: db,
                managed: false,
                kratos: false,
            },
        );
    }
    let mut consumers: Vec<&'a Service> = cx.in_cluster_services().collect();
    consumers.sort_by(|a, b| a.name.cmp(&b.name));
    for c in consumers {
        let wired = wiring::wired_vars(&rcx, c);
        for w in wiring::wired_dependencies(&rcx, c) {
            if !wired.values().any(|(secret, _)| *secret == w.secret) {
                continue;
            }
            let kratos = c.component == Some(ComponentKind::Kratos);
            let entry = out.entry((c.namespace.clone(), w.secret.clone())).or_insert(ConnectionSecret {
                namespace: c.namespace.clone(),
                name: w.secret.clone(),
                target: w.target,
                reader: c,
                managed: w.managed,
                kratos: false,
            });
            entry.kratos |= kratos;
        }
    }
    // Kratos in the database's own namespace reads the database's `<db>-app`.
    out.into_values().collect()
}

/// Backend keys a service's SecretStore reads for the data objects (for its policy).
pub fn backend_keys(cx: &Ctx<'_>, s: &Service) -> Vec<String> {
    let mut keys = BTreeSet::new();
    for c in connection_secrets(cx).iter().filter(|c| c.reader.name == s.name) {
        if c.managed {
            keys.insert(connection_key(&cx.model.name, &c.target.name));
        } else if let Some(r) = password_ref(c.target) {
            keys.insert(r.key.clone());
        }
    }
    if cnpg_of(cx, s) && needs_backup_credentials(cx, s) {
        keys.insert(backup_key(cx, s));
    }
    keys.into_iter().collect()
}

fn password_ref(db: &Service) -> Option<&skyform_model::SecretRef> {
    db.secrets.iter().find(|r| r.env == "POSTGRES_PASSWORD")
}

/// Whether a service's SecretStore is needed by the data objects.
pub fn needs_store(cx: &Ctx<'_>, s: &Service) -> bool {
    !backend_keys(cx, s).is_empty()
}

fn kratos_dsn(uri: &str) -> String {
    let sep = if uri.contains('?') { '&' } else { '?' };
    format!("{uri}{sep}search_path={KRATOS_SCHEMA}")
}

/// Keys and templates of a connection Secret: `(template data, backend reads)`, where a
/// backend read is `(secret key, backend key, property)`.
#[allow(clippy::type_complexity)]
fn secret_layout(cx: &Ctx<'_>, c: &ConnectionSecret<'_>) -> (BTreeMap<String, String>, Vec<(String, String, String)>) {
    let mut data = BTreeMap::new();
    let mut reads = Vec::new();
    let t = c.target;
    if c.managed {
        let key = connection_key(&cx.model.name, &t.name);
        let props: &[&str] = if t.component == Some(ComponentKind::Redis) {
            &["host", "port", "password", "tls"]
        } else {
            &["host", "port", "database", "username", "password", "sslmode"]
        };
        for p in props {
            reads.push(((*p).to_string(), key.clone(), (*p).to_string()));
            data.insert((*p).to_string(), format!("{{{{ .{p} }}}}"));
        }
        if t.component == Some(ComponentKind::Redis) {
            data.insert(
                "uri".into(),
                "{{ if eq .tls \"true\" }}rediss{{ else }}redis{{ end }}://:{{ .password | urlquery }}@{{ .host }}:{{ .port }}".into(),
            );
        } else {
            let uri = "postgresql://{{ .username | urlquery }}:{{ .password | urlquery }}@{{ .host }}:{{ .port }}/{{ .database }}?sslmode={{ .sslmode }}";
            data.insert("uri".into(), uri.into());
            if c.kratos {
                data.insert(KRATOS_DSN_KEY.into(), kratos_dsn(uri));
            }
        }
    } else {
        let (database, owner) = database_and_owner(t);
        let port = t.port("postgres").map_or(5432, |p| p.port);
        let host = format!("{}.{}.svc.cluster.local", rw_service_name(&t.name), t.namespace);
        if let Some(r) = password_ref(t) {
            reads.push(("password".into(), r.key.clone(), r.property.clone()));
        }
        let uri =
            format!("postgresql://{owner}:{{{{ .password | urlquery }}}}@{host}:{port}/{database}?sslmode=require");
        data.insert("username".into(), owner);
        data.insert("password".into(), "{{ .password }}".into());
        data.insert("host".into(), host);
        data.insert("port".into(), port.to_string());
        data.insert("dbname".into(), database);
        if c.kratos || (c.reader.name == t.name && !kratos_users(cx, t).is_empty()) {
            data.insert(KRATOS_DSN_KEY.into(), kratos_dsn(&uri));
        }
        data.insert("uri".into(), uri);
    }
    (data, reads)
}

/// Keys a connection Secret holds.
pub fn connection_secret_keys(cx: &Ctx<'_>, c: &ConnectionSecret<'_>) -> Vec<String> {
    secret_layout(cx, c).0.into_keys().collect()
}

/// A SealedSecret template without data, with the `kubeseal` command that fills it (as
/// the secrets add-on writes them).
fn sealed_template(
    meta: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
    name: &str,
    namespace: &str,
    keys: &[String],
    secret_type: &str,
) -> Object {
    let file = skyform_render::output::object_path(&Object::custom(
        "bitnami.com/v1alpha1",
        "SealedSecret",
        meta.clone(),
        Map::new(),
    ));
    let literals: Vec<String> =
        keys.iter().map(|k| format!("--from-literal={k}=\"${{{}}}\"", k.replace('-', "_"))).collect();
    let command = format!(
        "kubectl create secret generic {name} --namespace {namespace} --type {secret_type} --dry-run=client -o yaml {} | kubeseal --format yaml --merge-into {file}",
        literals.join(" ")
    );
    let m = annotate(meta, &[("skyform.dev/required-keys", keys.join(",")), ("skyform.dev/seal-command", command)]);
    custom(
        "bitnami.com/v1alpha1",
        "SealedSecret",
        m,
        json!({
            "encryptedData": {},
            "template": { "metadata": { "name": name, "namespace": namespace }, "type": secret_type },
        }),
    )
}

fn wiring_objects(cx: &Ctx<'_>) -> Vec<Object> {
    let backend = cx.model.secrets.backend;
    let mut out = Vec::new();
    for c in connection_secrets(cx) {
        let (data, reads) = secret_layout(cx, c);
        let meta = label(
            platform_meta(cx.model, &c.name, Some(&c.namespace)),
            &[("app.kubernetes.io/name", c.target.name.as_str())],
        );
        let secret_type = if c.managed { "Opaque" } else { "kubernetes.io/basic-auth" };
        if backend == SecretsBackend::SealedSecrets {
            let keys: Vec<String> = data.keys().cloned().collect();
            out.push(sealed_template(meta, &c.name, &c.namespace, &keys, secret_type));
            continue;
        }
        let remote: Vec<Value> = reads
            .iter()
            .map(|(k, key, p)| json!({ "secretKey": k, "remoteRef": { "key": remote_key(backend, key), "property": p } }))
            .collect();
        let target = json!({
            "name": c.name,
            "creationPolicy": "Owner",
            "deletionPolicy": "Retain",
            "template": { "type": secret_type, "engineVersion": "v2", "data": data },
        });
        out.push(external_secret(cx, meta, &c.reader.name, target, remote));
    }
    for db in cx.in_cluster_services().filter(|s| cnpg_of(cx, s) && needs_backup_credentials(cx, s)) {
        let name = backup_secret_name(&db.name);
        let meta = service_meta(cx.model, db, &name, &db.namespace);
        if backend == SecretsBackend::SealedSecrets {
            let keys: Vec<String> = BACKUP_KEYS.iter().map(|k| (*k).to_string()).collect();
            out.push(sealed_template(meta, &name, &db.namespace, &keys, "Opaque"));
            continue;
        }
        let key = remote_key(backend, &backup_key(cx, db));
        let data: Vec<Value> =
            BACKUP_KEYS.iter().map(|k| json!({ "secretKey": k, "remoteRef": { "key": key, "property": k } })).collect();
        let target = json!({ "name": name, "creationPolicy": "Owner", "deletionPolicy": "Retain" });
        out.push(external_secret(cx, meta, &db.name, target, data));
    }
    out
}

/// An ExternalSecret that writes `target` from `data`, read through the SecretStore of
/// the service `store_of`.
fn external_secret(
    cx: &Ctx<'_>,
    meta: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
    store_of: &str,
    target: Value,
    data: Vec<Value>,
) -> Object {
    custom(
        ESO_API,
        "ExternalSecret",
        meta,
        json!({
            "refreshInterval": cx.model.secrets.refresh_interval,
            "secretStoreRef": { "name": store_name(store_of), "kind": "SecretStore" },
            "target": target,
            "data": data,
        }),
    )
}
