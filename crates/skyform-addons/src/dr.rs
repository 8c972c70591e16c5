//! Disaster recovery: the DR table *computed* from the platform, and the cloud-to-cloud
//! migration runbook.
//!
//! Each row's RTO and RPO follow from what the platform file declares — replicas,
//! workload kinds, probes, storage sizes, backup schedules (cron interval, method,
//! retention) and replication lag — and from the assumptions listed in the report (the
//! constants below), never from typed-in numbers. Change a schedule and the table
//! changes. Scenarios:
//! - **Pod failure**: replicated services lose nothing but the failed pod's in-flight
//!   requests (the readiness probe takes it out of rotation); a single-replica service
//!   is down for liveness detection + restart + start-up + readiness.
//! - **Node failure**: pods on the node are evicted after the node-monitor grace period
//!   and the default `not-ready`/`unreachable` toleration; a StatefulSet pod also waits
//!   for its volume to be force-detached. Components that replicate their own data
//!   (Vault Raft, MinIO erasure coding, RabbitMQ quorum queues) and replicated stateless
//!   services keep serving.
//! - **Data corruption** (one row per stateful service): restore from the most recent
//!   backup of the schedules covering it; RPO = the shortest covering interval. An
//!   operator-run PostgreSQL with continuous WAL archiving recovers to a point in time
//!   instead: RPO = the archive timeout (minutes).
//! - **Cluster loss**: new cluster + operators + restore of every stateful service.
//! - **Region outage**: as cluster loss in another region, but only copies that live
//!   outside the region count: file-system backups (in the backup bucket, assumed in
//!   another region) and replicated buckets; volume snapshots are regional.

use serde::Serialize;
use skyform_model::{
    BackupMethod, BackupSchedule, ComponentKind, Environment, Model, ProviderName, Service, WorkloadKind,
};
use skyform_render::objects::{component_name, provider_name};
use std::fmt::Write as _;

/// Node-monitor grace period before a node is `NotReady` (kube-controller-manager default).
pub const NODE_GRACE_S: u64 = 40;
/// Default `tolerationSeconds` of the `not-ready`/`unreachable` taints.
pub const EVICTION_S: u64 = 300;
/// Attach-detach controller's wait before force-detaching a volume from a lost node.
pub const FORCE_DETACH_S: u64 = 360;
/// Image pull and process start of one pod.
pub const POD_START_S: u64 = 30;
/// First restart back-off of a crashed container.
pub const RESTART_BACKOFF_S: u64 = 10;
/// Creating a volume from a snapshot (per restore; volumes are created in parallel).
pub const SNAPSHOT_RESTORE_S: u64 = 600;
/// File-system restore throughput of Velero's node agent, MiB/s.
pub const FS_RESTORE_MIB_S: u64 = 50;
/// Velero restore overhead (discovery, object creation).
pub const VELERO_OVERHEAD_S: u64 = 300;
/// Provisioning a managed cluster with Terraform.
pub const CLUSTER_PROVISION_S: u64 = 1200;
/// Installing the operators and syncing the manifests with GitOps.
pub const OPERATORS_S: u64 = 600;
/// DNS cutover (records at a 60 s TTL, plus propagation margin).
pub const DNS_CUTOVER_S: u64 = 300;
/// Point-in-time-restore granularity of the clouds' managed databases.
pub const MANAGED_PITR_S: u64 = 300;
/// CloudNativePG's `archive_timeout`: the longest a WAL segment waits before it is
/// archived, so the data-loss window of continuous archiving.
pub const WAL_ARCHIVE_S: u64 = 300;
/// Failover of a replicated CloudNativePG cluster or a Sentinel-watched Redis: failure
/// detection plus promotion.
pub const FAILOVER_S: u64 = 30;

/// Where a database's WAL is archived continuously, if it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum WalArchive {
    /// The platform's in-cluster MinIO: lost with the cluster.
    InCluster,
    /// The provider's object storage: survives the cluster.
    ObjectStorage,
}

/// Continuous WAL archiving of an operator-run PostgreSQL (see `data`): the environment
/// has backups and the database runs in the cluster on a provider with an object store
/// (the in-cluster MinIO, else any provider but k3s).
fn wal_archive(model: &Model, env: &Environment, s: &Service) -> Option<WalArchive> {
    if !env.backup || s.component != Some(ComponentKind::Postgres) {
        return None;
    }
    let in_cluster = model.providers.iter().filter(|p| !s.is_managed_on(p.name)).map(|p| p.name);
    let in_cluster: Vec<ProviderName> = in_cluster.collect();
    if in_cluster.is_empty() {
        return None;
    }
    if env.services.iter().any(|x| x.component == Some(ComponentKind::Minio)) {
        Some(WalArchive::InCluster)
    } else if in_cluster.iter().all(|p| *p != ProviderName::K3s) {
        Some(WalArchive::ObjectStorage)
    } else {
        None
    }
}

/// One row of the DR table.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Scenario {
    pub scenario: String,
    /// Recovery time in seconds; `None` when recovery is not possible from what is declared.
    pub rto_seconds: Option<u64>,
    pub rto: String,
    /// Data-loss window in seconds; `None` when unbounded (no copy exists).
    pub rpo_seconds: Option<u64>,
    pub rpo: String,
    pub recovery: Vec<String>,
    /// What the numbers were computed from.
    pub basis: String,
}

/// The DR table of one environment.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct DrReport {
    pub platform: String,
    pub environment: String,
    pub backups_enabled: bool,
    pub scenarios: Vec<Scenario>,
    pub assumptions: Vec<String>,
    pub gaps: Vec<String>,
}

/// A human duration: `45 s`, `12 min`, `2 h 5 min`, `1 d`.
pub fn human(seconds: u64) -> String {
    match seconds {
        0 => "0".to_string(),
        s if s < 120 => format!("{s} s"),
        s if s < 7200 => format!("{} min", s.div_ceil(60)),
        s if s % 86400 == 0 => format!("{} d", s / 86400),
        s => {
            let m = s.div_ceil(60);
            if m % 60 == 0 { format!("{} h", m / 60) } else { format!("{} h {} min", m / 60, m % 60) }
        }
    }
}

fn fmt_opt(v: Option<u64>, none: &str) -> String {
    v.map_or_else(|| none.to_string(), human)
}

fn readiness_s(s: &Service) -> u64 {
    let r = &s.probes.readiness;
    u64::from(r.initial_delay_seconds) + u64::from(r.period_seconds)
}

fn start_s(s: &Service) -> u64 {
    POD_START_S + s.probes.startup.as_ref().map_or(0, |p| u64::from(p.initial_delay_seconds)) + readiness_s(s)
}

fn liveness_detect_s(s: &Service) -> u64 {
    let l = &s.probes.liveness;
    u64::from(l.period_seconds) * u64::from(l.failure_threshold)
}

/// Whether the component keeps serving and keeps its data when one member is lost.
fn self_replicating(s: &Service) -> bool {
    (s.replicas.min >= 3
        && matches!(s.component, Some(ComponentKind::Vault | ComponentKind::Minio | ComponentKind::Rabbitmq)))
        || (s.replicas.min >= 2 && matches!(s.component, Some(ComponentKind::Postgres | ComponentKind::Redis)))
}

fn stateful(env: &Environment) -> Vec<&Service> {
    env.services.iter().filter(|s| s.storage.is_some() && s.workload == WorkloadKind::StatefulSet).collect()
}

fn covering<'a>(model: &'a Model, s: &Service) -> Vec<&'a BackupSchedule> {
    model
        .backup
        .schedules
        .iter()
        .filter(|b| if b.services.is_empty() { b.tiers.contains(&s.tier) } else { b.services.contains(&s.name) })
        .collect()
}

fn volume_bytes(s: &Service) -> u64 {
    s.storage.as_ref().map_or(0, |st| st.size.0) * u64::from(s.replicas.max.max(1))
}

/// Restore time of one service from a schedule of `method`.
fn restore_s(s: &Service, method: BackupMethod) -> u64 {
    match method {
        BackupMethod::Snapshot => SNAPSHOT_RESTORE_S,
        BackupMethod::Filesystem => volume_bytes(s).div_ceil(FS_RESTORE_MIB_S << 20),
    }
}

fn managed_note(s: &Service) -> Option<String> {
    (!s.managed_on.is_empty()).then(|| {
        let p: Vec<&str> = s.managed_on.iter().map(|p| provider_name(*p)).collect();
        format!(
            "{} runs as the managed database on {}: there its RPO is the provider's point-in-time restore ({}), not these schedules",
            s.name,
            p.join(", "),
            human(MANAGED_PITR_S)
        )
    })
}

/// Best copy of a service for a scenario: `(rpo seconds, restore seconds, schedule)`.
fn best_copy<'a>(
    model: &'a Model,
    env: &Environment,
    s: &Service,
    offsite_only: bool,
) -> Option<(u64, u64, &'a BackupSchedule)> {
    if !env.backup {
        return None;
    }
    covering(model, s)
        .into_iter()
        .filter(|b| !offsite_only || b.method == BackupMethod::Filesystem)
        .map(|b| (b.interval_minutes * 60, restore_s(s, b.method), b))
        .min_by_key(|(rpo, restore, b)| (*rpo, *restore, b.name.clone()))
}

/// The DR table of `env`, computed from its services, schedules and replication.
pub fn dr_table(model: &Model, env: &Environment) -> DrReport {
    let mut gaps = Vec::new();
    let mut scenarios = Vec::new();

    scenarios.push(pod_failure(env));
    scenarios.push(node_failure(env));

    // Data corruption, per stateful service.
    let mut cluster_restore = 0u64;
    let mut cluster_rpo: Option<u64> = Some(0);
    let mut region_rpo: Option<u64> = Some(0);
    let mut region_restore = 0u64;
    for s in stateful(env) {
        if let Some(n) = managed_note(s) {
            gaps.push(n);
        }
        let copy = best_copy(model, env, s, false);
        let wal = wal_archive(model, env, s);
        let (rto, rpo, recovery, basis) = match copy {
            _ if wal.is_some() => {
                let restore = volume_bytes(s).div_ceil(FS_RESTORE_MIB_S << 20) / u64::from(s.replicas.max.max(1));
                (
                    Some(restore + start_s(s) + POD_START_S),
                    Some(WAL_ARCHIVE_S),
                    vec![
                        format!(
                            "Create a CloudNativePG Cluster `{}-restore` with bootstrap.recovery from ObjectStore `{}-backups` and recoveryTarget.targetTime just before the corruption",
                            s.name, s.name
                        ),
                        format!("Point the consumers at `{}-restore-rw` (or rename it to `{}`)", s.name, s.name),
                    ],
                    format!(
                        "continuous WAL archiving (archive_timeout {}) + base backups to the object store; point-in-time recovery of {} at {} MiB/s",
                        human(WAL_ARCHIVE_S),
                        skyform_spec_bytes(volume_bytes(s) / u64::from(s.replicas.max.max(1))),
                        FS_RESTORE_MIB_S
                    ),
                )
            }
            Some((rpo, restore, b)) => {
                let ret = covering(model, s).iter().map(|b| b.ttl_hours).max().unwrap_or(0);
                (
                    Some(VELERO_OVERHEAD_S + restore + start_s(s)),
                    Some(rpo),
                    vec![
                        format!("Scale `{}` to 0", s.name),
                        format!("velero restore create --from-schedule {}-{}", model.name, b.name),
                        format!("Scale `{}` back up and verify", s.name),
                    ],
                    format!(
                        "schedule `{}` ({}, every {}; {}), retention {}",
                        b.name,
                        b.cron,
                        human(b.interval_minutes * 60),
                        match b.method {
                            BackupMethod::Snapshot => "volume snapshot".to_string(),
                            BackupMethod::Filesystem => format!(
                                "file-system copy of {} at {} MiB/s",
                                skyform_spec_bytes(volume_bytes(s)),
                                FS_RESTORE_MIB_S
                            ),
                        },
                        human(ret * 3600)
                    ),
                )
            }
            None => {
                let why = if env.backup {
                    format!("no backup schedule covers `{}` (tier `{}`)", s.name, s.tier)
                } else {
                    format!("backups are disabled in environment `{}`", env.name)
                };
                gaps.push(format!("{}: data cannot be restored — {why}", s.name));
                (None, None, vec!["No backup: rebuild from the source of truth, if any".into()], why)
            }
        };
        cluster_restore += rto.unwrap_or(0);
        // WAL archived to the in-cluster MinIO is lost with the cluster: Velero's copy counts.
        let lost_rpo = if wal == Some(WalArchive::InCluster) { copy.map(|c| c.0) } else { rpo };
        cluster_rpo = match (cluster_rpo, lost_rpo) {
            (Some(a), Some(b)) => Some(a.max(b)),
            _ => None,
        };
        // Region outage: only off-site copies count.
        let replicated = model
            .backup
            .replication
            .iter()
            .filter(|r| env.backup && r.service == s.name)
            .map(|r| r.interval_minutes * 60)
            .min();
        let offsite = best_copy(model, env, s, true);
        let replicated = match wal {
            Some(WalArchive::ObjectStorage) => Some(replicated.map_or(WAL_ARCHIVE_S, |r| r.min(WAL_ARCHIVE_S))),
            _ => replicated,
        };
        let r_rpo = match (replicated, offsite) {
            (Some(a), Some((b, _, _))) => Some(a.min(b)),
            (Some(a), None) => Some(a),
            (None, Some((b, _, _))) => Some(b),
            (None, None) => None,
        };
        if r_rpo.is_none() && rpo.is_some() {
            gaps.push(format!(
                "{}: only volume snapshots, which stay in the region; add a `method: filesystem` schedule or replication to survive a region outage",
                s.name
            ));
        }
        region_restore += offsite.map_or(rto.unwrap_or(0), |(_, r, _)| VELERO_OVERHEAD_S + r + start_s(s));
        region_rpo = match (region_rpo, r_rpo) {
            (Some(a), Some(b)) => Some(a.max(b)),
            _ => None,
        };
        scenarios.push(Scenario {
            scenario: format!("Data corruption: {} ({})", s.name, s.component.map_or("data", component_name)),
            rto_seconds: rto,
            rto: fmt_opt(rto, "not recoverable"),
            rpo_seconds: rpo,
            rpo: fmt_opt(rpo, "unbounded"),
            recovery,
            basis,
        });
    }

    scenarios.push(cluster_loss(cluster_restore, cluster_rpo));
    scenarios.push(region_outage(region_restore, region_rpo));

    let assumptions = assumptions(model);
    gaps.sort();
    gaps.dedup();
    DrReport {
        platform: model.name.clone(),
        environment: env.name.clone(),
        backups_enabled: env.backup,
        scenarios,
        assumptions,
        gaps,
    }
}

/// Cluster loss: a new cluster, the restores one after another, DNS; the worst RPO.
fn cluster_loss(cluster_restore: u64, cluster_rpo: Option<u64>) -> Scenario {
    let cluster_rto = CLUSTER_PROVISION_S + OPERATORS_S + cluster_restore + DNS_CUTOVER_S;
    Scenario {
        scenario: "Cluster loss".into(),
        rto_seconds: Some(cluster_rto),
        rto: human(cluster_rto),
        rpo_seconds: cluster_rpo,
        rpo: fmt_opt(cluster_rpo, "unbounded"),
        recovery: vec![
            "skyform render --format terraform → terraform apply (new cluster)".into(),
            "Install operators; GitOps syncs the rendered manifests".into(),
            "velero restore create --from-schedule … for each schedule".into(),
            "Point DNS at the new load balancer".into(),
        ],
        basis: format!(
            "provision {} + operators and sync {} + restores (sequential) + DNS {}; RPO = worst stateful service",
            human(CLUSTER_PROVISION_S),
            human(OPERATORS_S),
            human(DNS_CUTOVER_S)
        ),
    }
}

/// Region outage: as cluster loss, from off-site copies only.
fn region_outage(region_restore: u64, region_rpo: Option<u64>) -> Scenario {
    let region_rto = CLUSTER_PROVISION_S + OPERATORS_S + region_restore + DNS_CUTOVER_S;
    Scenario {
        scenario: "Region outage".into(),
        rto_seconds: region_rpo.map(|_| region_rto),
        rto: if region_rpo.is_some() { human(region_rto) } else { "no off-site copy".to_string() },
        rpo_seconds: region_rpo,
        rpo: fmt_opt(region_rpo, "unbounded"),
        recovery: vec![
            "Provision the cluster in another region".into(),
            "Restore file-system backups from the backup bucket; repoint replicated buckets".into(),
            "Point DNS at the new region".into(),
        ],
        basis: "only off-site copies count: file-system backups and bucket replication (volume snapshots are regional)"
            .into(),
    }
}

/// Pod failure: the slowest single-replica service restarts; replicated ones shift traffic.
fn pod_failure(env: &Environment) -> Scenario {
    let single: Vec<&Service> = env.services.iter().filter(|s| s.replicas.min < 2).collect();
    let worst_pod = single
        .iter()
        .map(|s| (liveness_detect_s(s) + RESTART_BACKOFF_S + start_s(s), s.name.as_str()))
        .max_by_key(|(t, n)| (*t, std::cmp::Reverse(n.to_string())));
    let max_ready = env.services.iter().map(|s| {
        let r = &s.probes.readiness;
        u64::from(r.period_seconds) * u64::from(r.failure_threshold)
    });
    let shift = max_ready.max().unwrap_or(0);
    Scenario {
        scenario: "Pod failure".into(),
        rto_seconds: Some(worst_pod.map_or(shift, |w| w.0)),
        rto: fmt_opt(Some(worst_pod.map_or(shift, |w| w.0)), ""),
        rpo_seconds: Some(0),
        rpo: "0".into(),
        recovery: vec!["Kubernetes restarts the container; replicated services keep serving".into()],
        basis: match worst_pod {
            Some((_, n)) => format!(
                "slowest single-replica service `{n}`: liveness failures + restart back-off + start-up + readiness; replicated services shift traffic within {}",
                human(shift)
            ),
            None => format!("every service has ≥ 2 replicas; readiness shifts traffic within {}", human(shift)),
        },
    }
}

/// Node failure: the slowest service to come back on another node.
fn node_failure(env: &Environment) -> Scenario {
    let node = |s: &Service| -> u64 {
        if s.replicas.min >= 2 && matches!(s.component, Some(ComponentKind::Postgres | ComponentKind::Redis)) {
            FAILOVER_S
        } else if s.replicas.min >= 2 && (s.workload != WorkloadKind::StatefulSet || self_replicating(s)) {
            let r = &s.probes.readiness;
            u64::from(r.period_seconds) * u64::from(r.failure_threshold)
        } else if s.workload == WorkloadKind::StatefulSet {
            NODE_GRACE_S + EVICTION_S + FORCE_DETACH_S + start_s(s)
        } else {
            NODE_GRACE_S + EVICTION_S + start_s(s)
        }
    };
    let worst_node = env
        .services
        .iter()
        .map(|s| (node(s), s.name.as_str()))
        .max_by_key(|(t, n)| (*t, std::cmp::Reverse(n.to_string())));
    Scenario {
        scenario: "Node failure".into(),
        rto_seconds: worst_node.map(|w| w.0),
        rto: fmt_opt(worst_node.map(|w| w.0), "0"),
        rpo_seconds: Some(0),
        rpo: "0".into(),
        recovery: vec![
            "Node marked NotReady, pods evicted and rescheduled".into(),
            "StatefulSet volumes force-detached and attached on the new node".into(),
        ],
        basis: worst_node.map_or_else(String::new, |(_, n)| {
            format!(
                "slowest service `{n}`: node grace {} + eviction {} (+ force-detach {} for a StatefulSet pod) + start-up; network block volumes survive the node",
                human(NODE_GRACE_S),
                human(EVICTION_S),
                human(FORCE_DETACH_S)
            )
        }),
    }
}

/// The assumptions behind the numbers, sorted.
fn assumptions(model: &Model) -> Vec<String> {
    let mut assumptions = vec![
        format!("node failure: node-monitor grace {} + eviction toleration {}; StatefulSet volumes force-detached after {}", human(NODE_GRACE_S), human(EVICTION_S), human(FORCE_DETACH_S)),
        format!("pod start {} + the service's readiness probe; first restart back-off {}", human(POD_START_S), human(RESTART_BACKOFF_S)),
        format!("snapshot restore {} per restore (volumes created in parallel); file-system restore {} MiB/s of the volumes' declared size × replicas; Velero overhead {}", human(SNAPSHOT_RESTORE_S), FS_RESTORE_MIB_S, human(VELERO_OVERHEAD_S)),
        format!("new cluster {}; operators and GitOps sync {}; DNS cutover {} (60 s TTL)", human(CLUSTER_PROVISION_S), human(OPERATORS_S), human(DNS_CUTOVER_S)),
        "volumes are network block storage (every cloud provider); on k3s local-path volumes are lost with their node, so node failure costs the backup interval there".into(),
        "the Velero backup bucket is outside the cluster's region; volume snapshots stay in the region".into(),
        "RPO of a schedule is its longest gap between two runs (from the cron expression); a run's duration is not counted".into(),
        "replicated StatefulSets other than Vault (Raft), MinIO (erasure coding) and RabbitMQ (quorum queues) do not replicate data by themselves; each pod's volume is its own".into(),
    ];
    for r in &model.backup.replication {
        assumptions.push(format!(
            "bucket `{}` of `{}` is mirrored to `{}` with at most {} lag",
            r.bucket,
            r.service,
            r.target,
            human(r.interval_minutes * 60)
        ));
    }
    assumptions.sort();
    assumptions
}

fn skyform_spec_bytes(b: u64) -> String {
    let gib = b as f64 / f64::from(1u32 << 30);
    if gib >= 1.0 { format!("{} GiB", (gib * 10.0).round() / 10.0) } else { format!("{} MiB", b.div_ceil(1 << 20)) }
}

impl DrReport {
    /// The report as an aligned text table followed by the recovery steps, assumptions
    /// and gaps.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "DR table of `{}`, environment `{}` (backups {})",
            self.platform,
            self.environment,
            if self.backups_enabled { "enabled" } else { "disabled" }
        );
        let w0 = self.scenarios.iter().map(|s| s.scenario.chars().count()).max().unwrap_or(0).max(8);
        let w1 = self.scenarios.iter().map(|s| s.rto.chars().count()).max().unwrap_or(0).max(3);
        let w2 = self.scenarios.iter().map(|s| s.rpo.chars().count()).max().unwrap_or(0).max(3);
        let _ = writeln!(out, "{:<w0$}  {:<w1$}  {:<w2$}  basis", "scenario", "RTO", "RPO");
        for s in &self.scenarios {
            let _ = writeln!(out, "{:<w0$}  {:<w1$}  {:<w2$}  {}", s.scenario, s.rto, s.rpo, s.basis);
        }
        let _ = writeln!(out, "\nRecovery steps:");
        for s in &self.scenarios {
            let _ = writeln!(out, "  {}:", s.scenario);
            for (i, step) in s.recovery.iter().enumerate() {
                let _ = writeln!(out, "    {}. {step}", i + 1);
            }
        }
        let _ = writeln!(out, "\nAssumptions:");
        for a in &self.assumptions {
            let _ = writeln!(out, "  - {a}");
        }
        if !self.gaps.is_empty() {
            let _ = writeln!(out, "\nGaps:");
            for g in &self.gaps {
                let _ = writeln!(out, "  - {g}");
            }
        }
        out
    }
}

/// A cloud-to-cloud migration runbook (Markdown) from `from` to `to`, for the first
/// production environment (else the first environment).
pub fn migration_runbook(model: &Model, from: ProviderName, to: ProviderName) -> String {
    let Some(env) = model.environments.iter().find(|e| e.production).or_else(|| model.environments.first()) else {
        return String::new();
    };
    let (f, t) = (provider_name(from), provider_name(to));
    let mut md = String::new();
    let mut step = 0;
    let mut h = |md: &mut String, title: &str| {
        step += 1;
        let _ = writeln!(md, "\n## {step}. {title}\n");
    };
    let _ = writeln!(md, "# Migrating `{}` ({}) from {f} to {t}", model.name, env.name);
    let _ = writeln!(
        md,
        "\nGenerated from the platform file: every command names the real services, namespaces and buckets. \
         Kubernetes manifests need no change beyond the provider (StorageClasses, spot placement, managed services)."
    );
    h(&mut md, "Prepare (a day before)");
    let hosts: Vec<&str> = env.services.iter().filter_map(|s| s.expose.as_ref().map(|e| e.host.as_str())).collect();
    for host in &hosts {
        let _ = writeln!(md, "- Lower the TTL of `{host}` to 60 s.");
    }
    let _ = writeln!(md, "- Announce a write freeze window for the cutover.");
    let _ = writeln!(md, "- Save the {f} cluster's kubeconfig as `kubeconfig-{f}` (the commands below use it).");
    h(&mut md, &format!("Provision {t}"));
    let _ = writeln!(md, "{}", provision_steps(env, to));
    h(&mut md, &format!("Deploy to {t}"));
    let _ = writeln!(
        md,
        "```sh\nskyform render platform.yaml --env {e} --provider {t} --out deploy/{t}/{e}\nkubectl --kubeconfig kubeconfig-{t} apply --server-side -R -f deploy/{t}/{e}\n```",
        e = env.name
    );
    let _ = writeln!(
        md,
        "Secrets come from the same backend ({}); grant the new cluster's identities access first.",
        serde_json::to_value(model.secrets.backend)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    );
    let pg: Vec<&Service> = env.services.iter().filter(|s| s.component == Some(ComponentKind::Postgres)).collect();
    if !pg.is_empty() {
        h(&mut md, "Migrate PostgreSQL");
        for s in &pg {
            let side = |p: ProviderName, name: &str| -> (String, String, String) {
                // (description, dump/restore command prefix, host for replication)
                if s.is_managed_on(p) {
                    let host = format!("<{name} managed endpoint of {}>", s.name);
                    (format!("the managed database on {name} (`{host}`)"), format!("-h {host}"), host)
                } else {
                    (
                        format!("the in-cluster StatefulSet in the {name} cluster"),
                        format!("kubectl --kubeconfig kubeconfig-{name} -n {} exec -i {}-0 --", s.namespace, s.name),
                        format!("<address of {} reachable from the target>", s.name),
                    )
                }
            };
            let (src_desc, src_cmd, src_host) = side(from, f);
            let (dst_desc, dst_cmd, _) = side(to, t);
            let dump = if s.is_managed_on(from) {
                format!("pg_dump -Fc {src_cmd} -U postgres postgres")
            } else {
                format!("{src_cmd} pg_dump -Fc -U postgres postgres")
            };
            let restore = if s.is_managed_on(to) {
                format!("pg_restore --no-owner {dst_cmd} -U postgres -d postgres")
            } else {
                format!("{dst_cmd} pg_restore --no-owner -U postgres -d postgres")
            };
            let _ = writeln!(
                md,
                "### {}
",
                s.name
            );
            let _ = writeln!(
                md,
                "From {src_desc} to {dst_desc}.
"
            );
            let _ = writeln!(
                md,
                "With downtime (during the freeze):
```sh
{dump} | {restore}
```"
            );
            let _ = writeln!(
                md,
                "Without downtime (logical replication, PostgreSQL ≥ 10; the target must reach the source, e.g. over a VPN or peering):
```sql
-- on the source
CREATE PUBLICATION skyform_migration FOR ALL TABLES;
-- on the target, after copying the schema (pg_dump --schema-only | psql)
CREATE SUBSCRIPTION skyform_migration CONNECTION 'host={src_host} dbname=postgres user=postgres' PUBLICATION skyform_migration;
-- when pg_stat_subscription shows no lag: stop writes, cut over, then
DROP SUBSCRIPTION skyform_migration;
```"
            );
        }
    }
    let buckets: Vec<&Service> = env.services.iter().filter(|s| s.component == Some(ComponentKind::Minio)).collect();
    if !buckets.is_empty() {
        h(&mut md, "Sync object storage");
        for s in &buckets {
            let names: Vec<&str> =
                model.backup.replication.iter().filter(|r| r.service == s.name).map(|r| r.bucket.as_str()).collect();
            let list = if names.is_empty() { vec!["<bucket>"] } else { names };
            for b in list {
                let _ = writeln!(
                    md,
                    "```sh\nrclone sync {f}-{n}:{b} {t}-{n}:{b} --checksum --progress   # repeat until the delta is small, then once more in the freeze\n```",
                    n = s.name
                );
            }
        }
    }
    let others: Vec<&Service> = env
        .services
        .iter()
        .filter(|s| s.storage.is_some() && !matches!(s.component, Some(ComponentKind::Postgres | ComponentKind::Minio)))
        .collect();
    if !others.is_empty() {
        h(&mut md, "Other stateful services");
        for s in others {
            let how = match s.component {
                Some(ComponentKind::Redis) => "cache and sessions: start empty on the target (users sign in again), or `redis-cli --rdb` and restore the dump".to_string(),
                Some(ComponentKind::Rabbitmq) => "drain the queues during the freeze (consumers keep running on the source until empty); definitions: `rabbitmqctl export_definitions` → `import_definitions`".to_string(),
                Some(ComponentKind::Vault) => "`vault operator raft snapshot save vault.snap` on the source, `vault operator raft snapshot restore -force vault.snap` on the target, then unseal with the source's keys".to_string(),
                _ => format!("restore its volume with Velero: `velero restore create --from-backup <latest {} backup>` on the target cluster", s.name),
            };
            let _ = writeln!(md, "- `{}`: {how}", s.name);
        }
    }
    h(&mut md, "Cut over DNS");
    for host in &hosts {
        let _ = writeln!(
            md,
            "- Point `{host}` at the {t} ingress load balancer; watch error rates and latency on the dashboards."
        );
    }
    let _ =
        writeln!(md, "- Keep {f} running read-only for 24 hours as the rollback target (rollback = point DNS back).");
    h(&mut md, &format!("Decommission {f}"));
    let _ = writeln!(md, "{}", decommission_steps(env, from));
    md
}

/// The root folder `skyform render --format terraform --out infra/<p>` writes for an
/// environment (`environments/<env>/<p>`), under `infra/<p>`.
fn terraform_root(env: &Environment, p: ProviderName) -> String {
    let k = provider_name(p);
    format!("infra/{k}/environments/{}/{k}", env.name)
}

/// Provisioning commands for the migration target: render the Terraform, create the
/// remote-state bucket, apply the environment root, fetch the kubeconfig.
fn provision_steps(env: &Environment, to: ProviderName) -> String {
    let t = provider_name(to);
    if to == ProviderName::K3s {
        return "On-premises k3s has no cloud API: bring the cluster up yourself (k3s install script) and save its \
                kubeconfig as `kubeconfig-k3s`."
            .to_owned();
    }
    let root = terraform_root(env, to);
    let mut cmds = vec![format!(
        "skyform render platform.yaml --env {e} --provider {t} --format terraform --out infra/{t}",
        e = env.name
    )];
    if matches!(to, ProviderName::Hetzner) {
        cmds.push(format!("# state bucket: follow infra/{t}/bootstrap/{t}/README.md (created by hand on Hetzner)"));
    } else {
        cmds.push(format!(
            "terraform -chdir=infra/{t}/bootstrap/{t} init && terraform -chdir=infra/{t}/bootstrap/{t} apply"
        ));
    }
    cmds.push(format!(
        "terraform -chdir={root} init && terraform -chdir={root} apply -var 'api_allowed_cidrs=[\"<your admin network>/32\"]'"
    ));
    cmds.push(format!("terraform -chdir={root} output -raw kubeconfig > kubeconfig-{t}"));
    let managed = env.services.iter().any(|s| s.is_managed_on(to));
    let mut out = format!("```sh\n{}\n```", cmds.join("\n"));
    if managed {
        let _ = write!(
            out,
            "\nAfter the deploy step, write the managed services' connection records into the secrets backend:\n\
             ```sh\nterraform -chdir={root}/connections init && terraform -chdir={root}/connections apply\n```"
        );
    }
    out
}

/// Tear-down commands for the migration source.
fn decommission_steps(env: &Environment, from: ProviderName) -> String {
    let f = provider_name(from);
    if from == ProviderName::K3s {
        return "Drain and power off the on-premises nodes once the rollback window has passed. \
                Delete the old backups only after the new cluster's schedules have run successfully."
            .to_owned();
    }
    let root = terraform_root(env, from);
    format!(
        "```sh\nskyform render platform.yaml --env {e} --provider {f} --format terraform --out infra/{f}\n\
         terraform -chdir={root} init && terraform -chdir={root} destroy\n```\n\
         Delete the old backups only after the new cluster's schedules have run successfully.",
        e = env.name
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_durations() {
        assert_eq!(human(0), "0");
        assert_eq!(human(45), "45 s");
        assert_eq!(human(720), "12 min");
        assert_eq!(human(86400), "1 d");
        assert_eq!(human(3600 * 2 + 300), "2 h 5 min");
        assert_eq!(human(7200), "2 h");
    }
}
