//! Backups: Velero Schedules and object-storage mirroring.
//!
//! In an environment with `backup: true` every `backup.schedules` entry becomes a Velero
//! `Schedule` `<platform>-<schedule>` in the [`VELERO_NAMESPACE`] namespace:
//! - `schedule` is the cron expression, `template.ttl` the retention (`720h0m0s`);
//! - `includedNamespaces` are the namespaces of the schedule's tiers;
//! - the label selector picks the platform's objects (`app.kubernetes.io/part-of`) or,
//!   when the schedule names services, exactly those services' objects
//!   (`app.kubernetes.io/name In [...]`); services that run as the provider's managed
//!   database are left out (the provider's own backups cover them, see [`crate::dr`]);
//! - `method: snapshot` takes CSI/cloud volume snapshots (`snapshotVolumes: true`),
//!   `method: filesystem` copies volume contents with Velero's node agent
//!   (`defaultVolumesToFsBackup: true`). On k3s the local-path provisioner cannot
//!   snapshot, so a snapshot schedule falls back to file-system backup there
//!   (annotation `skyform.dev/method-fallback`).
//!
//! Replication, like the schedules, only applies to environments with `backup: true`.
//! A schedule that selects no in-cluster service (all of them run as managed databases
//! on the provider) is not rendered. Each `backup.replication` entry whose source is an in-cluster MinIO gets
//! the ConfigMap `<minio>-replication` with `mirror.sh` (`mc mirror --watch` of the
//! bucket to the target) and the maximum lag; deletions are deliberately *not*
//! propagated (no `--remove`), so a deleted or encrypted-by-ransomware source cannot
//! erase the copy — enable versioning on the target to keep overwritten objects too.

use crate::{Ctx, annotate, custom, platform_meta, service_meta};
use k8s_openapi::api::core::v1::ConfigMap;
use serde_json::json;
use skyform_model::{BackupMethod, BackupSchedule, ComponentKind, Model, ProviderName, Service};
use skyform_render::Object;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// Namespace Velero runs in.
pub const VELERO_NAMESPACE: &str = "velero";

/// The schedules that apply to the environment (none when `backup: false`).
pub fn schedules_in<'a>(cx: &Ctx<'a>) -> Vec<&'a BackupSchedule> {
    if !cx.env.backup {
        return Vec::new();
    }
    cx.model.backup.schedules.iter().filter(|s| !services_of(cx, s).is_empty()).collect()
}

/// Name of the Velero Schedule of a platform schedule.
pub fn schedule_name(model: &Model, schedule: &str) -> String {
    format!("{}-{schedule}", model.name)
}

/// The method a schedule really uses on this provider.
pub fn effective_method(provider: ProviderName, s: &BackupSchedule) -> BackupMethod {
    if provider == ProviderName::K3s { BackupMethod::Filesystem } else { s.method }
}

/// The in-cluster services a schedule backs up: the named ones, else every service of
/// its tiers.
pub fn services_of<'a>(cx: &Ctx<'a>, s: &BackupSchedule) -> Vec<&'a Service> {
    cx.env
        .services
        .iter()
        .filter(|x| !x.is_managed_on(cx.provider))
        .filter(|x| if s.services.is_empty() { s.tiers.contains(&x.tier) } else { s.services.contains(&x.name) })
        .collect()
}

/// Every backup object of the environment.
pub fn objects(cx: &Ctx<'_>) -> Vec<Object> {
    let mut out: Vec<Object> = schedules_in(cx).into_iter().map(|s| schedule(cx, s)).collect();
    for r in cx.model.backup.replication.iter().filter(|_| cx.env.backup) {
        if let Some(src) =
            cx.in_cluster_services().find(|x| x.name == r.service && x.component == Some(ComponentKind::Minio))
        {
            out.push(mirror(cx, src, r));
        }
    }
    out
}

fn schedule(cx: &Ctx<'_>, s: &BackupSchedule) -> Object {
    let namespaces: BTreeSet<String> = s
        .tiers
        .iter()
        .filter_map(|t| cx.model.tier(t).map(|t| t.namespace.clone()))
        .chain(services_of(cx, s).iter().map(|x| x.namespace.clone()))
        .collect();
    let selector = if s.services.is_empty() {
        json!({ "matchLabels": { "app.kubernetes.io/part-of": cx.model.name } })
    } else {
        let names: Vec<&str> = services_of(cx, s).iter().map(|x| x.name.as_str()).collect();
        json!({
            "matchLabels": { "app.kubernetes.io/instance": cx.model.name },
            "matchExpressions": [{ "key": "app.kubernetes.io/name", "operator": "In", "values": names }],
        })
    };
    let method = effective_method(cx.provider, s);
    let mut template = json!({
        "includedNamespaces": namespaces,
        "labelSelector": selector,
        "ttl": format!("{}h0m0s", s.ttl_hours),
        "storageLocation": "default",
        "includeClusterResources": false,
    });
    match method {
        BackupMethod::Snapshot => {
            template["snapshotVolumes"] = json!(true);
            template["defaultVolumesToFsBackup"] = json!(false);
            template["volumeSnapshotLocations"] = json!(["default"]);
        }
        BackupMethod::Filesystem => {
            template["snapshotVolumes"] = json!(false);
            template["defaultVolumesToFsBackup"] = json!(true);
        }
    }
    let mut m = platform_meta(cx.model, &schedule_name(cx.model, &s.name), Some(VELERO_NAMESPACE));
    if method != s.method {
        m = annotate(
            m,
            &[(
                "skyform.dev/method-fallback",
                "snapshot requested; the k3s local-path provisioner cannot snapshot, so volumes are copied by the node agent".into(),
            )],
        );
    }
    custom(
        "velero.io/v1",
        "Schedule",
        m,
        json!({ "schedule": s.cron, "useOwnerReferencesInBackup": false, "template": template }),
    )
}

fn mirror(cx: &Ctx<'_>, src: &Service, r: &skyform_model::Replication) -> Object {
    let port = src.port("api").map_or(9000, |p| p.port);
    let mut sh = String::new();
    let _ = writeln!(sh, "#!/bin/sh");
    let _ = writeln!(
        sh,
        "# Mirrors bucket `{}` of `{}` to `{}` (maximum lag {} minutes).",
        r.bucket, src.name, r.target, r.interval_minutes
    );
    let _ = writeln!(sh, "# Credentials come from the environment (never from this file):");
    let _ = writeln!(
        sh,
        "#   MINIO_ROOT_USER, MINIO_ROOT_PASSWORD  (source; the `{}` Secret)",
        skyform_render::objects::secret_name(&src.name)
    );
    let _ = writeln!(sh, "#   TARGET_ENDPOINT, TARGET_ACCESS_KEY, TARGET_SECRET_KEY  (target)");
    let _ = writeln!(sh, "set -eu");
    let _ = writeln!(
        sh,
        "mc alias set source http://{}:{port} \"$MINIO_ROOT_USER\" \"$MINIO_ROOT_PASSWORD\"",
        crate::service_host(src)
    );
    let _ = writeln!(sh, "mc alias set target \"$TARGET_ENDPOINT\" \"$TARGET_ACCESS_KEY\" \"$TARGET_SECRET_KEY\"");
    let target = r.target.trim_start_matches("s3://").trim_end_matches('/');
    // Continuous mirroring keeps the lag far below the declared maximum.
    let _ = writeln!(sh, "exec mc mirror --watch --overwrite source/{} target/{target}", r.bucket);
    let cfg = json!({
        "source": { "service": src.name, "bucket": r.bucket },
        "target": r.target,
        "maxLagMinutes": r.interval_minutes,
        "propagateDeletes": false,
    });
    let m = annotate(
        service_meta(cx.model, src, &format!("{}-replication", src.name), &src.namespace),
        &[("skyform.dev/max-lag-minutes", r.interval_minutes.to_string())],
    );
    Object::typed(&ConfigMap {
        metadata: m,
        data: Some(BTreeMap::from([
            ("mirror.sh".to_string(), sh),
            ("replication.json".to_string(), crate::pretty_json(&cfg)),
        ])),
        ..ConfigMap::default()
    })
}
