//! The I/O layer: connects with kube-rs, checks discovery before any write, server-side
//! applies in waves with field manager `skyform`, waits for readiness, prunes, and keeps
//! the inventory. Every request the server refuses becomes an [`ApplyError`] whose text
//! is already meant for a person (see [`crate::explain`]).
//!
//! An object is only written when the server's dry-run of our apply differs from the live
//! object, so re-applying an unchanged platform writes nothing; [`Cluster::writes`] counts
//! the real (non-dry-run) writes.

use crate::bootstrap;
use crate::cluster::secret_ref;
pub use crate::cluster::{Cluster, Target};
use crate::diff::{self, ChangeKind, ObjectDiff};
pub use crate::error::{ApplyError, Problem};
use crate::inventory::{self, Revision, Status};
use crate::object::{MANAGED_BY, MANAGED_BY_LABEL, Manifest, ObjRef};
use crate::plan::{self, ServiceInfo, Wave};
use crate::progress::Progress;
use crate::prune::{self, LiveFacts, PruneAction, PruneDecision};
use crate::readiness::{self, Readiness};
use crate::release::{self, HelmRunner, Release, ReleaseAction};
use futures::{StreamExt, TryStreamExt, stream};
use kube::api::ListParams;
use kube::discovery::Scope;
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;
pub use tokio_util::sync::CancellationToken;

/// Field manager of every write.
pub const FIELD_MANAGER: &str = "skyform";
/// Requests in flight at once within a wave.
const CONCURRENCY: usize = 16;

/// What to apply, and how.
#[derive(Clone, Debug)]
pub struct ApplyOptions {
    pub platform: String,
    pub environment: String,
    pub force_conflicts: bool,
    pub prune_data: bool,
    /// Readiness timeout of each wave.
    pub wave_timeout: Duration,
    /// Recorded in the revision (`apply`, `rollback to 3`).
    pub reason: String,
    /// Do not install prerequisite releases: refuse when the cluster lacks one.
    pub no_bootstrap: bool,
    /// When the apply started, in seconds since the Unix epoch (the caller's clock;
    /// recorded in the revision).
    pub started: u64,
}

/// What the caller hands the engine besides the objects: where progress goes, who runs
/// helm, and the token that interrupts the apply (Ctrl-C).
#[derive(Clone)]
pub struct Handles<'a> {
    pub progress: &'a dyn Progress,
    /// Installs prerequisite releases; required when there are releases to install.
    pub helm: Option<Arc<dyn HelmRunner>>,
    /// Cancelled: the engine stops between requests, marks the revision `failed`
    /// (never leaves it `pending`) and returns [`ApplyError::Interrupted`].
    pub cancel: CancellationToken,
    /// Secret-store credentials the caller supplies (see [`crate::bootstrap`]): applied
    /// after the releases, before the custom resources, and never recorded.
    pub credentials: Vec<Manifest>,
}

/// One prerequisite release and what the apply did with it.
#[derive(Clone, Debug, Serialize)]
pub struct ReleaseOutcome {
    pub name: String,
    pub namespace: String,
    #[serde(flatten)]
    pub action: ReleaseAction,
}

/// What an apply did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ApplyReport {
    pub revision: u64,
    /// False when the objects equal the last deployed revision's (no new record).
    pub new_revision: bool,
    pub created: Vec<ObjRef>,
    pub updated: Vec<ObjRef>,
    pub unchanged: usize,
    pub pruned: Vec<ObjRef>,
    pub kept: Vec<PruneDecision>,
    /// Prerequisite releases, in install order.
    pub releases: Vec<ReleaseOutcome>,
    pub writes: u64,
    pub seconds: f64,
}

/// The plan of an apply, for `--dry-run` (no cluster needed).
pub fn plan(manifests: &[Manifest], services: &[ServiceInfo]) -> Vec<Wave> {
    plan::plan_waves(manifests, services)
}

/// Applies `manifests` in waves, prunes what the previous revisions had and this one has
/// not, and records the revision (no prerequisite releases, no interruption).
pub async fn apply(
    cluster: &mut Cluster,
    manifests: &[Manifest],
    services: &[ServiceInfo],
    opts: &ApplyOptions,
    progress: &dyn Progress,
) -> Result<ApplyReport, ApplyError> {
    let handles = Handles { progress, helm: None, cancel: CancellationToken::new(), credentials: Vec::new() };
    apply_all(cluster, manifests, services, &[], opts, &handles).await
}

/// The whole apply: the first wave (namespaces, CRDs, cluster-wide objects), then the
/// prerequisite `releases` wave by wave (installed with helm, then waited for: CRDs
/// Established, workloads available, webhooks with a ready endpoint), then the other
/// waves with readiness between them, then the prune, and the revision record.
pub async fn apply_all(
    cluster: &mut Cluster,
    manifests: &[Manifest],
    services: &[ServiceInfo],
    releases: &[Release],
    opts: &ApplyOptions,
    h: &Handles<'_>,
) -> Result<ApplyReport, ApplyError> {
    let start = cluster.now();
    let writes_before = cluster.writes();
    // 1. Nothing is written before discovery says every object can be served (once the
    //    releases are installed).
    cluster.check_prerequisites(manifests, releases, opts.no_bootstrap)?;
    let releases: &[Release] = if opts.no_bootstrap { &[] } else { releases };
    if !releases.is_empty() && h.helm.is_none() {
        return Err(ApplyError::Helm("prerequisite releases to install but no helm runner was given".into()));
    }
    check_credentials(cluster, manifests, &h.credentials).await?;
    if h.cancel.is_cancelled() {
        return Err(ApplyError::Interrupted("interrupted before anything was written".into()));
    }
    // 2. Inventory: which revision this is, and what earlier ones left in the cluster.
    let history = cluster.history(&opts.platform, &opts.environment, true).await?;
    let values: Vec<Value> = manifests.iter().map(|m| m.value.clone()).collect();
    let digest = inventory::digest(&values);
    let last_deployed = history.iter().rev().find(|r| r.status == Status::Deployed);
    let unchanged_revision = last_deployed.is_some_and(|r| r.digest == digest)
        && history.last().is_some_and(|r| r.status == Status::Deployed);
    let live = inventory::live_revisions(&history);
    let recorded: Vec<ObjRef> = live.iter().flat_map(|r| r.refs()).collect();
    let retained: BTreeSet<ObjRef> = live.iter().flat_map(|r| r.retained.iter().cloned()).collect();
    let mut report = ApplyReport::default();
    let mut rev = Revision {
        platform: opts.platform.clone(),
        environment: opts.environment.clone(),
        number: last_deployed.map_or(0, |r| r.number),
        time: inventory::rfc3339(opts.started),
        status: Status::Pending,
        digest: digest.clone(),
        reason: opts.reason.clone(),
        services: services.to_vec(),
        objects: values,
        retained: last_deployed.map(|r| r.retained.clone()).unwrap_or_default(),
    };
    if unchanged_revision && let Some(d) = last_deployed {
        rev.time = d.time.clone();
        rev.reason = d.reason.clone();
    }
    if !unchanged_revision {
        let (n, _) = inventory::next_number(&history, &digest);
        rev.number = n;
        cluster.ensure_inventory_namespace().await?;
        cluster.write_revision(&rev).await?;
        report.new_revision = true;
    }
    report.revision = rev.number;

    // 3.+4. Waves, releases and prune; an interruption stops them between requests.
    let body = run_waves(cluster, manifests, services, releases, &recorded, &retained, opts, h, &mut report);
    let result = tokio::select! {
        r = body => r,
        () = h.cancel.cancelled() => Err(ApplyError::Interrupted(String::new())),
    };
    let kept = match result {
        Ok(kept) => kept,
        Err(e) => {
            if report.new_revision {
                // Best effort: the revision must not stay `pending`.
                let _ = cluster.set_status(&rev, Status::Failed).await;
            }
            return Err(match e {
                ApplyError::Interrupted(_) if report.new_revision => ApplyError::Interrupted(format!(
                    "interrupted; revision {} is marked failed (re-run `skyform apply` to finish it)",
                    rev.number
                )),
                ApplyError::Interrupted(_) => {
                    ApplyError::Interrupted("interrupted; the last deployed revision is unchanged".into())
                }
                e => e,
            });
        }
    };

    // 5. Record success (with what the prune kept); older revisions become superseded,
    //    the oldest expire.
    if report.new_revision {
        rev.retained = kept;
        rev.status = Status::Deployed;
        cluster.write_revision(&rev).await?;
        for old in history.iter().filter(|r| r.number != rev.number && r.status != Status::Superseded) {
            cluster.set_status(old, Status::Superseded).await?;
        }
        let mut all = history.clone();
        if !all.iter().any(|r| r.number == rev.number) {
            all.push(rev.clone());
        }
        for n in inventory::expired(&all) {
            cluster.delete(&secret_ref(&opts.platform, &opts.environment, n)).await?;
        }
    } else if kept != rev.retained {
        rev.retained = kept;
        rev.status = Status::Deployed;
        cluster.write_revision(&rev).await?;
    }
    report.writes = cluster.writes() - writes_before;
    report.seconds = start.elapsed().as_secs_f64();
    Ok(report)
}

/// Steps 3 and 4 of [`apply_all`]: waves (releases after the first), then the prune.
/// Returns what the prune kept and later prunes must still consider.
#[allow(clippy::too_many_arguments)]
async fn run_waves(
    cluster: &mut Cluster,
    manifests: &[Manifest],
    services: &[ServiceInfo],
    releases: &[Release],
    recorded: &[ObjRef],
    retained: &BTreeSet<ObjRef>,
    opts: &ApplyOptions,
    h: &Handles<'_>,
    report: &mut ApplyReport,
) -> Result<Vec<ObjRef>, ApplyError> {
    let progress = h.progress;
    let waves = plan::plan_waves(manifests, services);
    let releases_after = usize::from(waves.first().is_some_and(|w| w.name == "cluster"));
    let mut rediscovered = false;
    for (n, wave) in waves.iter().enumerate() {
        if n == releases_after {
            install_releases(cluster, releases, opts, h, report).await?;
            apply_credentials(cluster, &h.credentials, opts, progress).await?;
        }
        if !rediscovered && wave.objects.iter().any(|&i| cluster.resource(&manifests[i].r).is_err()) {
            // Kinds of CRDs created in an earlier wave: refresh discovery once.
            cluster.rediscover().await?;
            rediscovered = true;
        }
        progress.wave_start(&wave.name, wave.objects.len());
        let result = apply_wave(cluster, manifests, wave, opts, progress, report).await;
        let result = match result {
            Ok(()) => wait_wave(cluster, manifests, wave, opts.wave_timeout, progress).await,
            Err(e) => Err(e),
        };
        if let Err(e) = result {
            progress.wave_end(false, "");
            return Err(e);
        }
        progress.wave_end(true, "");
    }
    if waves.len() <= releases_after {
        install_releases(cluster, releases, opts, h, report).await?;
        apply_credentials(cluster, &h.credentials, opts, progress).await?;
    }

    // Prune what earlier revisions had and this one has not.
    let mut kept = Vec::new();
    for d in decide_prune(cluster, recorded, retained, manifests, opts.prune_data).await? {
        match d.action {
            PruneAction::Delete => {
                cluster.delete(&d.r).await?;
                report.pruned.push(d.r);
            }
            PruneAction::Keep { ref reason } if reason != "already gone" => {
                if prune::carried(&d.action) {
                    kept.push(d.r.clone());
                }
                report.kept.push(d);
            }
            PruneAction::Keep { .. } => {}
        }
    }
    kept.sort();
    kept.dedup();
    Ok(kept)
}

/// Refuses, before any write, a store credential nobody creates: not in the set, not
/// supplied, not in the cluster already.
async fn check_credentials(cluster: &Cluster, manifests: &[Manifest], supplied: &[Manifest]) -> Result<(), ApplyError> {
    let refs = bootstrap::credential_refs(manifests);
    let mut unmet = Vec::new();
    for r in bootstrap::unmet(&refs, manifests) {
        let has_key = |v: &Value| v.pointer("/data").and_then(|d| d.get(&r.key)).is_some();
        if supplied
            .iter()
            .any(|m| m.r.namespace.as_deref() == Some(r.namespace.as_str()) && m.r.name == r.name && has_key(&m.value))
        {
            continue;
        }
        let secret = ObjRef {
            api_version: "v1".into(),
            kind: "Secret".into(),
            namespace: Some(r.namespace.clone()),
            name: r.name.clone(),
        };
        if cluster.get(&secret).await?.as_ref().is_some_and(has_key) {
            continue;
        }
        unmet.push(r);
    }
    if unmet.is_empty() { Ok(()) } else { Err(ApplyError::Invalid(bootstrap::describe_unmet(&unmet))) }
}

/// Applies the supplied store credentials (written only when they differ).
async fn apply_credentials(
    cluster: &Cluster,
    credentials: &[Manifest],
    opts: &ApplyOptions,
    progress: &dyn Progress,
) -> Result<(), ApplyError> {
    if credentials.is_empty() {
        return Ok(());
    }
    progress.wave_start("credentials", credentials.len());
    for m in credentials {
        apply_one(cluster, m, opts.force_conflicts).await?;
        progress.object_done(&m.r.to_string());
    }
    progress.wave_end(true, "");
    Ok(())
}

/// Dry-runs one object and writes it only when the result differs from the live one.
async fn apply_one(cluster: &Cluster, m: &Manifest, force: bool) -> Result<ChangeKind, ApplyError> {
    let (live, dry) = futures::join!(cluster.get(&m.r), cluster.ssa(m, true, force));
    let live = live?;
    let dry = dry?;
    let d = diff::compare(&m.r, live.as_ref(), Some(&dry));
    if d.change != ChangeKind::Unchanged {
        cluster.ssa(m, false, force).await?;
    }
    Ok(d.change)
}

/// Runs one helm call off the async threads (helm blocks).
async fn helm_call<T: Send + 'static>(
    helm: &Arc<dyn HelmRunner>,
    release: &Release,
    f: impl FnOnce(&dyn HelmRunner, &Release) -> Result<T, String> + Send + 'static,
) -> Result<T, ApplyError> {
    let helm = helm.clone();
    let release = release.clone();
    tokio::task::spawn_blocking(move || f(helm.as_ref(), &release))
        .await
        .map_err(|e| ApplyError::Helm(format!("helm task failed: {e}")))?
        .map_err(ApplyError::Helm)
}

/// Installs the releases wave by wave and waits until each wave serves what it provides.
async fn install_releases(
    cluster: &mut Cluster,
    releases: &[Release],
    opts: &ApplyOptions,
    h: &Handles<'_>,
    report: &mut ApplyReport,
) -> Result<(), ApplyError> {
    if releases.is_empty() {
        return Ok(());
    }
    let Some(helm) = &h.helm else {
        return Err(ApplyError::Helm("prerequisite releases to install but no helm runner was given".into()));
    };
    for wave in release::waves(releases) {
        let names: Vec<&str> = wave.iter().map(|r| r.name.as_str()).collect();
        let wave_name = format!("releases {}", names.join(", "));
        h.progress.wave_start(&wave_name, wave.len());
        for r in &wave {
            let installed = helm_call(helm, r, |h, r| h.status(r)).await?;
            let action = release::decide(r, installed.as_ref());
            if action != ReleaseAction::Unchanged {
                let timeout = opts.wave_timeout;
                helm_call(helm, r, move |h, r| h.install(r, timeout))
                    .await
                    .map_err(|e| ApplyError::Helm(format!("installing {} failed:\n{e}", r.label())))?;
            }
            h.progress.object_done(&r.label());
            report.releases.push(ReleaseOutcome { name: r.name.clone(), namespace: r.namespace.clone(), action });
        }
        let result = wait_releases(cluster, helm, &wave, opts.wave_timeout, h.progress).await;
        h.progress.wave_end(result.is_ok(), "");
        result.map_err(|e| match e {
            ApplyError::NotReady { report, timed_out, .. } => {
                ApplyError::NotReady { wave: wave_name.clone(), timed_out, report }
            }
            e => e,
        })?;
    }
    Ok(())
}

/// What a release must have before its custom resources can be applied: the objects of
/// its manifest that readiness applies to, the Endpoints of its webhooks' Services, and
/// the CRDs of the groups it provides (those from a chart's `crds/` folder are not in the
/// manifest).
async fn release_waitables(
    cluster: &Cluster,
    helm: &Arc<dyn HelmRunner>,
    r: &Release,
) -> Result<Vec<Manifest>, ApplyError> {
    let objects = helm_call(helm, r, |h, r| h.manifest(r)).await?;
    let mut out: Vec<Manifest> = Vec::new();
    for v in objects {
        let (Some(api), Some(kind), Some(name)) = (
            v.get("apiVersion").and_then(Value::as_str),
            v.get("kind").and_then(Value::as_str),
            v.pointer("/metadata/name").and_then(Value::as_str),
        ) else {
            continue;
        };
        if kind == "ValidatingWebhookConfiguration" || kind == "MutatingWebhookConfiguration" {
            for w in v.get("webhooks").and_then(Value::as_array).into_iter().flatten() {
                if let (Some(ns), Some(svc)) = (
                    w.pointer("/clientConfig/service/namespace").and_then(Value::as_str),
                    w.pointer("/clientConfig/service/name").and_then(Value::as_str),
                ) {
                    let r = ObjRef {
                        api_version: "v1".into(),
                        kind: "Endpoints".into(),
                        namespace: Some(ns.into()),
                        name: svc.into(),
                    };
                    if !out.iter().any(|m| m.r == r) {
                        out.push(Manifest { r, value: json!({}) });
                    }
                }
            }
            continue;
        }
        if !readiness::is_waitable(kind) {
            continue;
        }
        let mut obj = ObjRef { api_version: api.into(), kind: kind.into(), namespace: None, name: name.into() };
        let namespaced = cluster.resource(&obj).is_ok_and(|(_, caps)| caps.scope == Scope::Namespaced);
        if namespaced {
            // helm installs namespaced objects without a namespace into the release's.
            let ns = v.pointer("/metadata/namespace").and_then(Value::as_str).unwrap_or(&r.namespace);
            obj.namespace = Some(ns.to_string());
        }
        if !out.iter().any(|m| m.r == obj) {
            out.push(Manifest { r: obj, value: v });
        }
    }
    // CRDs of the provided groups, wherever they came from.
    let crd = ObjRef {
        api_version: "apiextensions.k8s.io/v1".into(),
        kind: "CustomResourceDefinition".into(),
        namespace: None,
        name: String::new(),
    };
    let lp = ListParams::default();
    for v in cluster.list(&crd.api_version, &crd.kind, None, &lp).await? {
        let group = v.pointer("/spec/group").and_then(Value::as_str).unwrap_or_default();
        if r.provides_groups.iter().any(|g| g == group)
            && let Some(name) = v.pointer("/metadata/name").and_then(Value::as_str)
        {
            let obj = ObjRef { name: name.into(), ..crd.clone() };
            if !out.iter().any(|m| m.r == obj) {
                out.push(Manifest { r: obj, value: v });
            }
        }
    }
    Ok(out)
}

/// Waits until every release of a wave is ready and its groups are served.
async fn wait_releases(
    cluster: &mut Cluster,
    helm: &Arc<dyn HelmRunner>,
    wave: &[&Release],
    timeout: Duration,
    progress: &dyn Progress,
) -> Result<(), ApplyError> {
    let deadline = cluster.now() + timeout;
    loop {
        let mut items = Vec::new();
        for r in wave {
            items.extend(release_waitables(cluster, helm, r).await?);
        }
        let left = deadline.saturating_duration_since(cluster.now());
        wait_for(cluster, items.iter().collect(), "releases", left, progress).await?;
        cluster.rediscover().await?;
        let served = cluster.served_groups();
        let unserved: Vec<String> = wave
            .iter()
            .flat_map(|r| {
                r.provides_groups.iter().filter(|g| !served.contains(*g)).map(|g| format!("{g} ({})", r.name))
            })
            .collect();
        if unserved.is_empty() {
            return Ok(());
        }
        if cluster.now() >= deadline {
            return Err(ApplyError::NotReady {
                wave: "releases".into(),
                timed_out: true,
                report: format!(
                    "  the API server does not serve {} (no CRD of the group was installed, or it is not established)\n",
                    unserved.join(", ")
                ),
            });
        }
        progress.waiting(&format!("waiting for {} to be served", unserved.join(", ")));
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Applies one wave: dry-run first, write only what differs.
async fn apply_wave(
    cluster: &Cluster,
    manifests: &[Manifest],
    wave: &Wave,
    opts: &ApplyOptions,
    progress: &dyn Progress,
    report: &mut ApplyReport,
) -> Result<(), ApplyError> {
    let results: Vec<Result<(ObjRef, ChangeKind), ApplyError>> = stream::iter(wave.objects.iter().map(|&i| {
        let m = &manifests[i];
        async move {
            let change = apply_one(cluster, m, opts.force_conflicts).await?;
            progress.object_done(&m.r.to_string());
            Ok((m.r.clone(), change))
        }
    }))
    .buffer_unordered(CONCURRENCY)
    .collect()
    .await;
    let mut conflicts = Vec::new();
    let mut first_err = None;
    for res in results {
        match res {
            Ok((r, ChangeKind::Create)) => report.created.push(r),
            Ok((r, ChangeKind::Update)) => report.updated.push(r),
            Ok(_) => report.unchanged += 1,
            Err(ApplyError::Conflicts(c)) => conflicts.extend(c),
            Err(e) => {
                first_err.get_or_insert(e);
            }
        }
    }
    if !conflicts.is_empty() {
        conflicts.sort();
        return Err(ApplyError::Conflicts(conflicts));
    }
    match first_err {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Waits until every waitable object of the wave is ready, or the timeout.
async fn wait_wave(
    cluster: &Cluster,
    manifests: &[Manifest],
    wave: &Wave,
    timeout: Duration,
    progress: &dyn Progress,
) -> Result<(), ApplyError> {
    let items: Vec<&Manifest> = wave.objects.iter().map(|&i| &manifests[i]).collect();
    wait_for(cluster, items, &wave.name, timeout, progress).await
}

/// Waits until every waitable object of `items` is ready, or the timeout.
async fn wait_for(
    cluster: &Cluster,
    items: Vec<&Manifest>,
    wave_name: &str,
    timeout: Duration,
    progress: &dyn Progress,
) -> Result<(), ApplyError> {
    let mut pending: Vec<&Manifest> = items.into_iter().filter(|m| readiness::is_waitable(&m.r.kind)).collect();
    let deadline = cluster.now() + timeout;
    let mut last: BTreeMap<ObjRef, Readiness> = BTreeMap::new();
    loop {
        let states: Vec<(ObjRef, Readiness, Option<Value>)> = stream::iter(pending.iter().map(|m| async move {
            let live = cluster.get(&m.r).await?;
            let state = match &live {
                Some(v) => readiness::evaluate(&m.r.kind, v),
                None => Readiness::Waiting("not found".into()),
            };
            Ok::<_, ApplyError>((m.r.clone(), state, live))
        }))
        .buffer_unordered(CONCURRENCY)
        .try_collect()
        .await?;
        last.clear();
        let mut failed = Vec::new();
        for (r, s, live) in states {
            match &s {
                Readiness::Ready => {}
                Readiness::Failed(_) => failed.push((r.clone(), live)),
                Readiness::Waiting(_) => {}
            }
            last.insert(r, s);
        }
        pending.retain(|m| last.get(&m.r).is_some_and(|s| *s != Readiness::Ready));
        if pending.is_empty() {
            return Ok(());
        }
        let timed_out = cluster.now() >= deadline;
        if !failed.is_empty() || timed_out {
            let mut report = String::new();
            for m in &pending {
                let state = last.get(&m.r).cloned().unwrap_or(Readiness::Waiting("unknown".into()));
                report.push_str(&failure_report(cluster, m, &state).await);
            }
            return Err(ApplyError::NotReady { wave: wave_name.to_string(), timed_out: failed.is_empty(), report });
        }
        let summary: Vec<String> = last
            .iter()
            .filter_map(|(r, s)| match s {
                Readiness::Waiting(w) => Some(format!("{} {}: {w}", r.kind, r.name)),
                _ => None,
            })
            .take(2)
            .collect();
        progress.waiting(&summary.join("; "));
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// Why an object is not ready: its state, conditions, recent events, unready pods.
async fn failure_report(cluster: &Cluster, m: &Manifest, state: &Readiness) -> String {
    let mut s = format!("  {}: ", m.r);
    match state {
        Readiness::Waiting(w) => s.push_str(&format!("waiting: {w}\n")),
        Readiness::Failed(f) => s.push_str(&format!("failed: {f}\n")),
        Readiness::Ready => s.push_str("ready\n"),
    }
    let live = cluster.get(&m.r).await.ok().flatten();
    if let Some(conds) = live.as_ref().and_then(|v| v.pointer("/status/conditions")).and_then(Value::as_array) {
        for c in conds {
            let get = |k: &str| c.get(k).and_then(Value::as_str).unwrap_or("");
            s.push_str(&format!(
                "    condition {}={} {} {}\n",
                get("type"),
                get("status"),
                get("reason"),
                get("message")
            ));
        }
    }
    let ns = m.r.namespace.as_deref();
    // Recent events about the object.
    let lp = ListParams::default().fields(&format!("involvedObject.name={}", m.r.name));
    if let Ok(mut events) = cluster.list("v1", "Event", ns, &lp).await {
        events.sort_by_key(|e| e.get("lastTimestamp").and_then(Value::as_str).unwrap_or("").to_string());
        for e in events.iter().rev().take(5) {
            let get = |k: &str| e.get(k).and_then(Value::as_str).unwrap_or("");
            s.push_str(&format!("    event {} {}: {}\n", get("type"), get("reason"), get("message")));
        }
    }
    // Pods of a workload that are not ready.
    if let Some(sel) = m.value.pointer("/spec/selector/matchLabels").and_then(Value::as_object) {
        let selector: Vec<String> = sel.iter().filter_map(|(k, v)| v.as_str().map(|v| format!("{k}={v}"))).collect();
        let lp = ListParams::default().labels(&selector.join(","));
        match cluster.list("v1", "Pod", ns, &lp).await {
            Ok(pods) if pods.is_empty() => s.push_str("    no pods exist yet\n"),
            Ok(pods) => {
                for p in pods.iter().filter(|p| readiness::condition(p, "Ready").map(|c| c.0) != Some("True")).take(5) {
                    let name = p.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("?");
                    let phase = p.pointer("/status/phase").and_then(Value::as_str).unwrap_or("Unknown");
                    let mut why = Vec::new();
                    if let Some(("False", msg)) = readiness::condition(p, "PodScheduled") {
                        why.push(format!("unschedulable: {msg}"));
                    } else if p.pointer("/spec/nodeName").is_none() {
                        why.push("not scheduled yet (is a scheduler running, and are there nodes?)".into());
                    } else if phase == "Pending" {
                        why.push("scheduled, not started (is the node's kubelet running?)".into());
                    }
                    for cs in p.pointer("/status/containerStatuses").and_then(Value::as_array).into_iter().flatten() {
                        if let Some(w) = cs.pointer("/state/waiting") {
                            why.push(format!(
                                "{} waiting: {} {}",
                                cs.get("name").and_then(Value::as_str).unwrap_or("?"),
                                w.get("reason").and_then(Value::as_str).unwrap_or(""),
                                w.get("message").and_then(Value::as_str).unwrap_or("")
                            ));
                        }
                    }
                    s.push_str(&format!("    pod {name} not ready ({phase}) {}\n", why.join("; ")));
                }
            }
            Err(_) => {}
        }
    }
    s
}

/// Decides the prune set against the live cluster: recorded and retained objects the
/// desired set lacks, plus the claims of removed StatefulSets.
async fn decide_prune(
    cluster: &Cluster,
    recorded: &[ObjRef],
    retained: &BTreeSet<ObjRef>,
    desired: &[Manifest],
    prune_data: bool,
) -> Result<Vec<PruneDecision>, ApplyError> {
    let mut all: Vec<ObjRef> = recorded.to_vec();
    all.extend(retained.iter().cloned());
    let desired_refs: Vec<ObjRef> = desired.iter().map(|m| m.r.clone()).collect();
    // Claims of a StatefulSet that is (again) desired are its data, never prunable.
    let desired_sts: Vec<&Manifest> = desired.iter().filter(|m| m.r.kind == "StatefulSet").collect();
    let owned_by_desired = |r: &ObjRef| {
        r.kind == "PersistentVolumeClaim"
            && desired_sts.iter().any(|m| {
                m.r.namespace == r.namespace
                    && !prune::statefulset_claims(&m.value, std::slice::from_ref(&r.name)).is_empty()
            })
    };
    let mut out: Vec<PruneDecision> = Vec::new();
    for r in prune::candidates(&all, &desired_refs) {
        if owned_by_desired(&r) || out.iter().any(|d| d.r == r) {
            continue;
        }
        if cluster.resource(&r).is_err() {
            out.push(PruneDecision { r, action: PruneAction::Keep { reason: "its API is no longer served".into() } });
            continue;
        }
        let live = cluster.get(&r).await?;
        let mut facts = LiveFacts {
            exists: live.is_some(),
            // What skyform recorded as retained is its own, labelled or not.
            managed_by_skyform: retained.contains(&r)
                || live.as_ref().and_then(|v| crate::object::label(v, MANAGED_BY_LABEL)) == Some(MANAGED_BY),
            holds_data: false,
        };
        if r.kind == "Namespace" && facts.exists {
            let lp = ListParams::default().limit(1);
            facts.holds_data = !cluster.list("v1", "PersistentVolumeClaim", Some(&r.name), &lp).await?.is_empty();
        }
        let action = prune::decide(&r, &facts, prune_data);
        let sts = (r.kind == "StatefulSet" && action == PruneAction::Delete).then(|| live.clone()).flatten();
        out.push(PruneDecision { r: r.clone(), action });
        // A removed StatefulSet's claims: kept (and carried) unless --prune-data.
        if let (Some(sts), Some(ns)) = (sts, r.namespace.as_deref()) {
            let claims: Vec<String> = cluster
                .list("v1", "PersistentVolumeClaim", Some(ns), &ListParams::default())
                .await?
                .iter()
                .filter_map(|c| c.pointer("/metadata/name").and_then(Value::as_str).map(String::from))
                .collect();
            for name in prune::statefulset_claims(&sts, &claims) {
                let claim = ObjRef {
                    api_version: "v1".into(),
                    kind: "PersistentVolumeClaim".into(),
                    namespace: Some(ns.into()),
                    name,
                };
                if !out.iter().any(|d| d.r == claim) {
                    out.push(PruneDecision { action: prune::decide_statefulset_claim(&r, prune_data), r: claim });
                }
            }
        }
    }
    Ok(out)
}

/// `skyform diff`: every object's change (dry-run vs live) and the prune set. Objects
/// whose API a prerequisite release will serve show as created.
pub async fn diff(
    cluster: &Cluster,
    manifests: &[Manifest],
    releases: &[Release],
    platform: &str,
    environment: &str,
    prune_data: bool,
) -> Result<Vec<ObjectDiff>, ApplyError> {
    cluster.check_prerequisites(manifests, releases, false)?;
    let results: Vec<ObjectDiff> = stream::iter(manifests.iter().map(|m| async move {
        if cluster.resource(&m.r).is_err() {
            // Served once its release (or a CRD of the set) is installed.
            return Ok(diff::compare(&m.r, None, Some(&m.value)));
        }
        let live = cluster.get(&m.r).await?;
        let desired = match cluster.ssa(m, true, true).await {
            Ok(v) => v,
            // The namespace (or CRD) is created by an earlier wave: show the object as is.
            Err(_) if live.is_none() => m.value.clone(),
            Err(e) => return Err(e),
        };
        Ok::<_, ApplyError>(diff::compare(&m.r, live.as_ref(), Some(&desired)))
    }))
    .buffered(CONCURRENCY)
    .try_collect()
    .await?;
    let mut out = results;
    let history = cluster.history(platform, environment, true).await?;
    let live = inventory::live_revisions(&history);
    let recorded: Vec<ObjRef> = live.iter().flat_map(|r| r.refs()).collect();
    let retained: BTreeSet<ObjRef> = live.iter().flat_map(|r| r.retained.iter().cloned()).collect();
    for d in decide_prune(cluster, &recorded, &retained, manifests, prune_data).await? {
        if d.action == PruneAction::Delete {
            let live = cluster.get(&d.r).await?;
            out.push(diff::compare(&d.r, live.as_ref(), None));
        }
    }
    Ok(out)
}

/// The revision `rollback` re-applies: `to`, or the deployed-or-superseded revision
/// before the current one.
pub fn rollback_target(history: &[Revision], to: Option<u64>) -> Result<&Revision, ApplyError> {
    if let Some(n) = to {
        return history.iter().find(|r| r.number == n).ok_or_else(|| {
            let have: Vec<String> = history.iter().map(|r| r.number.to_string()).collect();
            ApplyError::Inventory(format!("no revision {n}; recorded revisions: {}", have.join(", ")))
        });
    }
    let current = history.iter().rev().find(|r| r.status == Status::Deployed).map(|r| r.number);
    history
        .iter()
        .rev()
        .filter(|r| Some(r.number) != current && current.is_none_or(|c| r.number < c))
        .find(|r| matches!(r.status, Status::Superseded | Status::Deployed))
        .ok_or_else(|| ApplyError::Inventory("no earlier revision to roll back to".into()))
}
