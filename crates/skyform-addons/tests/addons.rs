//! Golden and property tests of the add-on objects, the DR table and the compliance
//! report on both example platforms.

mod common;

use common::{HEALTH, RESIMATE, compile, examples, first_provider};
use serde_json::Value;
use skyform_addons::{
    annotate_sync_waves, bootstrap_objects, ci_workflow, compliance, dr_table, migration_runbook, objects,
};
use skyform_model::{Model, ProviderName, WorkloadKind};
use skyform_render::objects::secret_name;
use skyform_render::output::stream;
use skyform_render::render_objects;
use std::collections::BTreeSet;

fn production(m: &Model) -> &skyform_model::Environment {
    m.environment("production").expect("production environment")
}

#[test]
fn production_objects_snapshot() {
    for (name, m) in examples() {
        let env = production(&m);
        let p = first_provider(&m);
        let addons = objects(&m, env, p);
        insta::assert_snapshot!(format!("{name}-production-addons"), stream(&addons));
        insta::assert_snapshot!(format!("{name}-bootstrap"), stream(&bootstrap_objects(&m, p)));
        insta::assert_snapshot!(format!("{name}-ci-workflow"), ci_workflow(&m).contents);
    }
}

#[test]
fn output_is_deterministic_and_every_combination_renders() {
    for (_, m) in examples() {
        for env in &m.environments {
            for p in m.providers.iter().map(|p| p.name) {
                let a = stream(&objects(&m, env, p));
                let b = stream(&objects(&m, env, p));
                assert_eq!(a, b);
                let _ = dr_table(&m, env);
                let mut all = render_objects(&m, env, p);
                all.extend(objects(&m, env, p));
                let _ = compliance(&m, env, p, &all);
            }
        }
    }
}

/// Every `secretKeyRef` and KEDA `secretTargetRef` of the core objects is provided by an
/// ExternalSecret (or SealedSecret) of the add-ons: same namespace, Secret name and key.
#[test]
fn every_secret_the_workloads_read_is_created() {
    fn refs(v: &Value, out: &mut BTreeSet<(String, String)>) {
        match v {
            Value::Object(o) => {
                if let Some(r) = o.get("secretKeyRef") {
                    out.insert((r["name"].as_str().unwrap_or("").into(), r["key"].as_str().unwrap_or("").into()));
                }
                if let Some(Value::Array(list)) = o.get("secretTargetRef") {
                    for r in list {
                        out.insert((r["name"].as_str().unwrap_or("").into(), r["key"].as_str().unwrap_or("").into()));
                    }
                }
                o.values().for_each(|x| refs(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }
    for (_, m) in examples() {
        for env in &m.environments {
            for p in m.providers.iter().map(|p| p.name) {
                let core = render_objects(&m, env, p);
                let add = objects(&m, env, p);
                let mut provided = BTreeSet::new();
                let cx = skyform_addons::Ctx::new(&m, env, p);
                for o in add.iter().filter(|o| o.kind == "ExternalSecret") {
                    let ns = o.namespace.clone().unwrap_or_default();
                    let target = o.value["spec"]["target"]["name"].as_str().unwrap_or("").to_string();
                    // `dataFrom.extract`: the Secret's keys are the properties of that entry.
                    if let Some(key) = o.value["spec"]["dataFrom"][0]["extract"]["key"].as_str() {
                        let svc = env.services.iter().find(|s| s.namespace == ns && secret_name(&s.name) == target);
                        let svc = svc.expect("service of the ExternalSecret");
                        for (env_name, k, property) in skyform_addons::secrets::entries(&cx, svc) {
                            assert_eq!(k, key);
                            assert_eq!(env_name, property);
                            provided.insert((ns.clone(), target.clone(), env_name));
                        }
                    }
                    for k in
                        o.value["spec"]["target"]["template"]["data"].as_object().into_iter().flatten().map(|x| x.0)
                    {
                        provided.insert((
                            o.namespace.clone().unwrap_or_default(),
                            o.value["spec"]["target"]["name"].as_str().unwrap_or("").to_string(),
                            k.clone(),
                        ));
                    }
                    for d in o.value["spec"]["data"].as_array().into_iter().flatten() {
                        provided.insert((
                            o.namespace.clone().unwrap_or_default(),
                            o.value["spec"]["target"]["name"].as_str().unwrap_or("").to_string(),
                            d["secretKey"].as_str().unwrap_or("").to_string(),
                        ));
                    }
                }
                for o in &core {
                    let mut r = BTreeSet::new();
                    refs(&o.value, &mut r);
                    for (secret, key) in r {
                        let want = (o.namespace.clone().unwrap_or_default(), secret, key);
                        assert!(provided.contains(&want), "{} {}: {want:?} is not created", env.name, o.name);
                    }
                }
            }
        }
    }
    let m = compile(HEALTH);
    let s = production(&m).service("health-api").expect("health-api");
    assert_eq!(secret_name(&s.name), "health-api-secrets");
}

/// Sealed Secrets: templates only, never a value.
#[test]
fn sealed_secrets_have_no_values() {
    let text = HEALTH.replace("backend: vault", "backend: sealed-secrets");
    let m = compile(&text);
    let env = production(&m);
    let add = objects(&m, env, ProviderName::Digitalocean);
    let sealed: Vec<_> = add.iter().filter(|o| o.kind == "SealedSecret").collect();
    assert!(!sealed.is_empty());
    assert!(!add.iter().any(|o| o.kind == "ExternalSecret" || o.kind == "SecretStore" || o.kind == "Secret"));
    for o in sealed {
        assert_eq!(o.value["spec"]["encryptedData"], serde_json::json!({}));
        let cmd = o.value["metadata"]["annotations"]["skyform.dev/seal-command"].as_str().unwrap_or("");
        assert!(cmd.contains("kubeseal") && cmd.contains("--merge-into"), "{cmd}");
    }
    insta::assert_snapshot!(
        "health-platform-sealed-secret-api",
        stream(&add.into_iter().filter(|o| o.name == "health-api-secrets").collect::<Vec<_>>())
    );
}

/// Monitoring is the same set of services whether Knative is on or off.
#[test]
fn monitoring_consistent_with_and_without_knative() {
    let on = RESIMATE
        .replace("metric: concurrency }", "metric: concurrency }\n      metrics: { port: http, path: /metrics }");
    let m = compile(&on);
    let prod = production(&m);
    assert!(prod.services.iter().any(|s| s.workload == WorkloadKind::Knative && s.metrics.is_some()));
    let dev = m.environment("dev").expect("dev");
    let monitored = |env| -> BTreeSet<String> {
        objects(&m, env, ProviderName::Aws)
            .into_iter()
            .filter(|o| o.kind == "ServiceMonitor" || o.kind == "PodMonitor")
            .map(|o| o.name)
            .collect()
    };
    assert_eq!(monitored(prod), monitored(dev));
    assert!(monitored(prod).contains("core-model-api"));
    // Knative pods admit Prometheus on the metrics port through an extra policy.
    let add = objects(&m, prod, ProviderName::Aws);
    let np = add.iter().find(|o| o.name == "allow-monitoring-core-model-api").expect("scrape policy");
    assert_eq!(np.value["spec"]["ingress"][0]["ports"][0]["port"], 8080);
}

#[test]
fn sync_waves_put_data_before_apps() {
    let m = compile(HEALTH);
    let env = production(&m);
    let mut all = render_objects(&m, env, ProviderName::Digitalocean);
    all.extend(objects(&m, env, ProviderName::Digitalocean));
    annotate_sync_waves(&m, env, &mut all);
    let wave = |kind: &str, name: &str| -> i64 {
        let o = all.iter().find(|o| o.kind == kind && o.name == name).unwrap_or_else(|| panic!("{kind} {name}"));
        o.value["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .unwrap_or(i64::MIN)
    };
    assert!(wave("Namespace", "health-platform-data") < wave("Cluster", "postgres-health"));
    assert!(wave("Cluster", "postgres-health") < wave("Deployment", "webauthn-server"));
    assert!(
        wave("Deployment", "webauthn-server") < wave("Deployment", "envoy-gateway")
            || wave("Deployment", "webauthn-server") == wave("Deployment", "envoy-gateway")
    );
    assert!(wave("Cluster", "postgres-health") < wave("Deployment", "health-api"));
    assert!(wave("Deployment", "health-api") < wave("PrometheusRule", "health-platform-alerts"));
}

#[test]
fn dr_and_compliance_snapshots() {
    for (name, m) in examples() {
        let env = production(&m);
        let p = first_provider(&m);
        insta::assert_snapshot!(format!("{name}-dr"), dr_table(&m, env).to_text());
        let mut all = render_objects(&m, env, p);
        all.extend(objects(&m, env, p));
        insta::assert_snapshot!(format!("{name}-compliance"), compliance(&m, env, p, &all).to_text());
    }
    let m = compile(HEALTH);
    insta::assert_snapshot!(
        "health-platform-migration-digitalocean-aws",
        migration_runbook(&m, ProviderName::Digitalocean, ProviderName::Aws)
    );
}

/// The DR table is computed: a more frequent schedule lowers the RPO, and the table and
/// the Velero Schedule change with it; an operator-run PostgreSQL with continuous WAL
/// archiving has an RPO of minutes whatever the schedules.
#[test]
fn dr_table_follows_the_schedules() {
    let base = compile(HEALTH);
    let hourly = compile(&HEALTH.replace("cron: \"30 2 * * *\"", "cron: \"30 * * * *\""));
    let rpo = |m: &Model, scenario: &str| {
        dr_table(m, production(m))
            .scenarios
            .into_iter()
            .find(|s| s.scenario.starts_with(scenario))
            .and_then(|s| s.rpo_seconds)
    };
    assert_eq!(rpo(&base, "Data corruption: redis-health"), Some(24 * 3600));
    assert_eq!(rpo(&hourly, "Data corruption: redis-health"), Some(3600));
    // Continuous WAL archiving: minutes, not the daily schedule.
    assert_eq!(rpo(&base, "Data corruption: postgres-health"), Some(skyform_addons::dr::WAL_ARCHIVE_S));
    assert_eq!(rpo(&hourly, "Data corruption: postgres-health"), Some(skyform_addons::dr::WAL_ARCHIVE_S));
    // The off-site (file-system) schedule bounds the region-outage RPO.
    assert_eq!(rpo(&base, "Region outage"), Some(24 * 3600));
    assert_eq!(rpo(&hourly, "Region outage"), Some(3600));
    let a = dr_table(&base, production(&base)).to_text();
    let b = dr_table(&hourly, production(&hourly)).to_text();
    assert_ne!(a, b);
    insta::assert_snapshot!("health-platform-dr-hourly-postgres", b);

    // Without backups, every stateful row is unrecoverable and the compliance report says so.
    let mut none = compile(HEALTH);
    for e in &mut none.environments {
        e.backup = false;
    }
    let env = production(&none);
    assert!(!env.backup);
    assert_eq!(rpo(&none, "Data corruption: postgres-health"), None);
    let mut all = render_objects(&none, env, ProviderName::Digitalocean);
    all.extend(objects(&none, env, ProviderName::Digitalocean));
    let report = compliance(&none, env, ProviderName::Digitalocean, &all);
    let backups = report.controls.iter().find(|c| c.id == "backups").expect("backups control");
    assert_eq!(backups.status, skyform_addons::compliance::Status::Gap);
}
