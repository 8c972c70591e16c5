//! Integration tests against a real Kubernetes 1.20 API server (scripts/kube-testenv),
//! with the node simulator from `support::sim` standing in for kubelets. Built only with
//! the `e2e` feature (scripts/e2e-apply); without the test env they fail, never skip.

mod support;
// The binary's helm runner, compiled into the tests: the same code `skyform apply` runs.
#[path = "../../skyform/src/helm.rs"]
#[allow(dead_code)]
mod helm;

use kube::api::{Api, DynamicObject, Patch, PatchParams};
use serde_json::{Value, json};
use skyform_apply::diff::ChangeKind;
use skyform_apply::inventory::Status;
use skyform_apply::progress::{Progress, Quiet};
use skyform_apply::{ApplyError, CancellationToken, Cluster, Handles, ObjRef, Release, ReleaseAction, engine};
use std::sync::Arc;
use support::Shop;

fn r(api: &str, kind: &str, ns: Option<&str>, name: &str) -> ObjRef {
    ObjRef { api_version: api.into(), kind: kind.into(), namespace: ns.map(Into::into), name: name.into() }
}

async fn live(c: &Cluster, api: &str, kind: &str, ns: &str, name: &str) -> Option<Value> {
    c.get(&r(api, kind, Some(ns), name)).await.expect("get")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_noop_change_prune_history_rollback() {
    let mut c = support::admin().await;
    let mut shop = Shop::new("e2e-life");
    let opts = shop.options();

    // Apply reaches ready.
    let rep = engine::apply(&mut c, &shop.manifests(), &shop.services(), &opts, &Quiet).await.expect("first apply");
    assert_eq!(rep.revision, 1);
    assert_eq!(rep.created.len(), shop.manifests().len(), "{rep:?}");
    let api = live(&c, "apps/v1", "Deployment", &shop.app_ns(), "api").await.expect("api deployment");
    assert_eq!(api.pointer("/status/availableReplicas"), Some(&json!(2)), "{api:#}");
    let pg = live(&c, "apps/v1", "StatefulSet", &shop.data_ns(), "postgres").await.expect("postgres");
    assert_eq!(pg.pointer("/status/readyReplicas"), Some(&json!(1)), "{pg:#}");
    eprintln!("first apply: {} objects, {} writes, {:.2}s", rep.created.len(), rep.writes, rep.seconds);

    // Re-apply is a no-op: not one write.
    let rep = engine::apply(&mut c, &shop.manifests(), &shop.services(), &opts, &Quiet).await.expect("re-apply");
    assert_eq!(rep.writes, 0, "{rep:?}");
    assert!(!rep.new_revision);
    assert_eq!(rep.unchanged, shop.manifests().len());
    let d = engine::diff(&c, &shop.manifests(), &[], &shop.name, "dev", false).await.expect("diff");
    assert!(d.iter().all(|d| d.change == ChangeKind::Unchanged), "{d:#?}");

    // A change shows in diff, and applies.
    shop.greeting = "hello, world".into();
    shop.api_tag = "1.1.0".into();
    let d = engine::diff(&c, &shop.manifests(), &[], &shop.name, "dev", false).await.expect("diff");
    let changed: Vec<&str> =
        d.iter().filter(|d| d.change != ChangeKind::Unchanged).map(|d| d.r.name.as_str()).collect();
    assert_eq!(changed, ["app-config", "api"], "{d:#?}");
    let api_diff = &d.iter().find(|d| d.r.kind == "Deployment" && d.r.name == "api").unwrap().diff;
    assert!(api_diff.contains("-") && api_diff.contains("example/api:1.1.0"), "{api_diff}");
    assert!(!api_diff.contains("managedFields") && !api_diff.contains("resourceVersion"), "{api_diff}");
    let rep = engine::apply(&mut c, &shop.manifests(), &shop.services(), &opts, &Quiet).await.expect("apply change");
    assert_eq!(rep.revision, 2);
    assert_eq!(rep.updated.len(), 2, "{rep:?}");
    let cm = live(&c, "v1", "ConfigMap", &shop.app_ns(), "app-config").await.unwrap();
    assert_eq!(cm.pointer("/data/greeting"), Some(&json!("hello, world")));
    let d = engine::diff(&c, &shop.manifests(), &[], &shop.name, "dev", false).await.expect("diff");
    assert!(d.iter().all(|d| d.change == ChangeKind::Unchanged), "{d:#?}");

    // A removed service is pruned, its PVC kept.
    shop.worker = false;
    let d = engine::diff(&c, &shop.manifests(), &[], &shop.name, "dev", false).await.expect("diff");
    let deletes: Vec<String> = d.iter().filter(|d| d.change == ChangeKind::Delete).map(|d| d.r.to_string()).collect();
    assert_eq!(deletes.len(), 2, "{deletes:?}");
    let rep = engine::apply(&mut c, &shop.manifests(), &shop.services(), &opts, &Quiet).await.expect("apply removal");
    assert_eq!(rep.revision, 3);
    let pruned: Vec<String> = rep.pruned.iter().map(|r| r.to_string()).collect();
    assert_eq!(pruned.len(), 2, "{pruned:?}");
    assert!(pruned.iter().any(|p| p.starts_with("Deployment")) && pruned.iter().any(|p| p.starts_with("Service")));
    assert!(rep.kept.iter().any(|k| k.r.kind == "PersistentVolumeClaim" && k.r.name == "worker-cache"), "{rep:?}");
    assert!(live(&c, "v1", "PersistentVolumeClaim", &shop.app_ns(), "worker-cache").await.is_some());
    let worker = live(&c, "apps/v1", "Deployment", &shop.app_ns(), "worker").await;
    assert!(worker.is_none() || worker.unwrap().pointer("/metadata/deletionTimestamp").is_some());

    // History.
    let h = c.history(&shop.name, "dev", false).await.expect("history");
    let states: Vec<(u64, Status)> = h.iter().map(|r| (r.number, r.status)).collect();
    assert_eq!(states, [(1, Status::Superseded), (2, Status::Superseded), (3, Status::Deployed)]);

    // Rollback restores the previous revision (2: worker back, api 1.1.0) as revision 4.
    let h = c.history(&shop.name, "dev", true).await.expect("history");
    let target = engine::rollback_target(&h, None).expect("target").clone();
    assert_eq!(target.number, 2);
    let ms = skyform_apply::Manifest::from_values(target.objects.clone()).unwrap();
    let rb = skyform_apply::ApplyOptions { reason: "rollback to 2".into(), ..opts.clone() };
    let rep = engine::apply(&mut c, &ms, &target.services, &rb, &Quiet).await.expect("rollback");
    assert_eq!(rep.revision, 4);
    let worker = live(&c, "apps/v1", "Deployment", &shop.app_ns(), "worker").await.expect("worker back");
    assert_eq!(worker.pointer("/status/availableReplicas"), Some(&json!(1)));
    // And to revision 1 (api 1.0.0, old greeting).
    let target = engine::rollback_target(&h, Some(1)).expect("target 1").clone();
    let ms = skyform_apply::Manifest::from_values(target.objects.clone()).unwrap();
    let rep = engine::apply(&mut c, &ms, &target.services, &rb, &Quiet).await.expect("rollback to 1");
    assert_eq!(rep.revision, 5);
    let api = live(&c, "apps/v1", "Deployment", &shop.app_ns(), "api").await.unwrap();
    assert_eq!(api.pointer("/spec/template/spec/containers/0/image"), Some(&json!("example/api:1.0.0")));
    let cm = live(&c, "v1", "ConfigMap", &shop.app_ns(), "app-config").await.unwrap();
    assert_eq!(cm.pointer("/data/greeting"), Some(&json!("hello")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conflicting_field_manager_is_reported_and_force_takes_over() {
    let mut c = support::admin().await;
    let shop = Shop::new("e2e-conflict");
    let opts = shop.options();
    engine::apply(&mut c, &shop.manifests(), &shop.services(), &opts, &Quiet).await.expect("apply");
    // Another tool takes the ConfigMap's greeting.
    let ar = kube::discovery::ApiResource::erase::<k8s_openapi::api::core::v1::ConfigMap>(&());
    let cms: Api<DynamicObject> = Api::namespaced_with(c.client(), &shop.app_ns(), &ar);
    let patch =
        json!({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"app-config"},"data":{"greeting":"hijacked"}});
    cms.patch("app-config", &PatchParams::apply("other-tool").force(), &Patch::Apply(&patch)).await.expect("hijack");
    let writes = c.writes();
    let err = engine::apply(&mut c, &shop.manifests(), &shop.services(), &opts, &Quiet).await.expect_err("conflict");
    let msg = err.to_string();
    eprintln!("{msg}");
    assert!(matches!(err, ApplyError::Conflicts(_)));
    assert!(msg.contains("`other-tool` owns .data.greeting"), "{msg}");
    assert!(err.hints().iter().any(|h| h.contains("--force-conflicts")), "{:?}", err.hints());
    assert_eq!(c.writes() - writes, 0, "a conflict is found by the dry-run: nothing is written");
    let forced = skyform_apply::ApplyOptions { force_conflicts: true, ..opts };
    engine::apply(&mut c, &shop.manifests(), &shop.services(), &forced, &Quiet).await.expect("forced apply");
    let cm = live(&c, "v1", "ConfigMap", &shop.app_ns(), "app-config").await.unwrap();
    assert_eq!(cm.pointer("/data/greeting"), Some(&json!("hello")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unprivileged_user_gets_a_403_naming_verb_resource_namespace() {
    let user = support::user_kubeconfig();
    let mut c = Cluster::connect(&support::target(&user, None)).await.expect("discovery is allowed");
    let shop = Shop::new("e2e-forbidden");
    let err = engine::apply(&mut c, &shop.manifests(), &shop.services(), &shop.options(), &Quiet)
        .await
        .expect_err("must be forbidden");
    let msg = err.to_string();
    eprintln!("{msg}");
    assert!(msg.contains("forbidden: cannot `list` secrets in namespace `skyform-system`"), "{msg}");
    assert!(err.hints().iter().any(|h| h.contains("Role")), "{:?}", err.hints());
    assert_eq!(c.writes(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unserved_api_version_is_refused_before_any_write() {
    let mut c = support::admin().await;
    let mut shop = Shop::new("e2e-unserved");
    shop.hpa_v2 = true;
    let err = engine::apply(&mut c, &shop.manifests(), &shop.services(), &shop.options(), &Quiet)
        .await
        .expect_err("1.20 does not serve autoscaling/v2");
    let msg = err.to_string();
    eprintln!("{msg}");
    assert!(matches!(err, ApplyError::Unserved(_)));
    assert!(msg.contains("autoscaling/v2 HorizontalPodAutoscaler") && msg.contains("autoscaling/v2beta2"), "{msg}");
    assert_eq!(c.writes(), 0);
    assert!(c.get(&r("v1", "Namespace", None, &shop.app_ns())).await.unwrap().is_none());
    assert!(c.history(&shop.name, "dev", false).await.unwrap().is_empty());
}

/// Signals once a wave is waiting for readiness.
struct Tripwire(tokio::sync::Notify, String);
impl Progress for Tripwire {
    fn waiting(&self, _status: &str) {
        self.0.notify_one();
    }
    fn wave_start(&self, name: &str, _objects: usize) {
        eprintln!("wave {name} ({})", self.1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_mid_wave_then_rerun_converges() {
    let shop = Shop::new("e2e-kill");
    let (ms, services, opts) = (shop.manifests(), shop.services(), shop.options());
    let trip = Tripwire(tokio::sync::Notify::new(), "killed run".into());
    {
        let mut c = support::admin().await;
        let run = engine::apply(&mut c, &ms, &services, &opts, &trip);
        // Killed (the future dropped, no cleanup runs) while the first wave with a
        // workload waits for readiness.
        tokio::select! {
            res = run => panic!("the apply finished before it could be interrupted: {res:?}"),
            _ = trip.0.notified() => {}
        }
    }
    let mut c = support::admin().await;
    let h = c.history(&shop.name, "dev", false).await.unwrap();
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].status, Status::Pending);
    let rep = engine::apply(&mut c, &ms, &services, &opts, &Quiet).await.expect("re-run converges");
    assert_eq!(rep.revision, 1, "the interrupted revision is completed, not duplicated");
    let h = c.history(&shop.name, "dev", false).await.unwrap();
    assert_eq!(h.iter().map(|r| (r.number, r.status)).collect::<Vec<_>>(), [(1, Status::Deployed)]);
    let web = live(&c, "apps/v1", "Deployment", &shop.app_ns(), "web").await.expect("web");
    assert_eq!(web.pointer("/status/availableReplicas"), Some(&json!(1)));
    let again = engine::apply(&mut c, &ms, &services, &opts, &Quiet).await.expect("no-op");
    assert_eq!(again.writes, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_timeout_reports_why() {
    let mut c = support::admin().await;
    let shop = Shop::new("e2e-stuck");
    let mut objects = shop.objects();
    // No node matches: the api pods stay Pending and the wave times out.
    for o in objects.iter_mut() {
        if o["kind"] == "Deployment" && o["metadata"]["name"] == "api" {
            o["spec"]["template"]["spec"]["nodeSelector"] = json!({"skyform-sim/never": "true"});
        }
    }
    let ms = skyform_apply::Manifest::from_values(objects).unwrap();
    let opts = skyform_apply::ApplyOptions { wave_timeout: std::time::Duration::from_secs(8), ..shop.options() };
    let err = engine::apply(&mut c, &ms, &shop.services(), &opts, &Quiet).await.expect_err("times out");
    let msg = err.to_string();
    eprintln!("{msg}");
    assert!(matches!(err, ApplyError::NotReady { timed_out: true, .. }), "{msg}");
    assert!(msg.contains(&format!("Deployment {}/api", shop.app_ns())), "{msg}");
    assert!(msg.contains("not ready (Pending)") && msg.contains("unschedulable"), "{msg}");
    let h = c.history(&shop.name, "dev", false).await.unwrap();
    assert_eq!(h[0].status, Status::Failed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_cluster_and_bad_kubeconfig_are_clear_errors() {
    let _ = support::admin_kubeconfig();
    let dir = std::env::temp_dir().join(format!("skyform-e2e-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let down = dir.join("down.kubeconfig");
    std::fs::write(
        &down,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:{port}\n    insecure-skip-tls-verify: true\nusers:\n- name: u\n  user:\n    token: x\ncontexts:\n- name: x\n  context:\n    cluster: c\n    user: u\ncurrent-context: x\n"
        ),
    )
    .unwrap();
    // A context the kubeconfig does not have.
    let err = Cluster::connect(&support::target(&down, Some("nope"))).await.err().expect("bad kubeconfig");
    assert!(matches!(err, ApplyError::Kubeconfig(_)), "{err}");
    let err = Cluster::connect(&support::target(&down, None)).await.err().expect("unreachable");
    let msg = err.to_string();
    assert!(matches!(err, ApplyError::Unreachable { .. }) && msg.contains("cannot reach the cluster"), "{msg}");
    let _ = std::fs::remove_dir_all(dir);
}

fn helm_runner(kubeconfig: std::path::PathBuf) -> helm::HelmCli {
    let helm = std::env::var_os("SKYFORM_E2E_HELM").map_or_else(|| "helm".into(), std::path::PathBuf::from);
    helm::HelmCli { helm, kubeconfig: Some(kubeconfig), context: None }
}

fn widget(ns: &str, name: &str, group: &str, size: u32) -> Value {
    json!({"apiVersion": format!("{group}/v1"), "kind": "Widget",
        "metadata": {"name": name, "namespace": ns, "labels": {"app.kubernetes.io/managed-by": "skyform"}},
        "spec": {"size": size}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_prerequisite_release_is_installed_with_helm_before_its_custom_resources() {
    let mut c = support::admin().await;
    let dir = std::env::temp_dir().join(format!("skyform-e2e-chart-{}", std::process::id()));
    let group = support::chart::group("widgets");
    let chart = support::chart::write(&dir, "widget-operator", &group, "0.1.0");
    let mut shop = Shop::new("e2e-prereq");
    shop.extra = vec![widget(&shop.app_ns(), "w1", &group, 3)];
    let ns = format!("{}-ops", shop.name);
    let release = Release {
        name: "widget-operator".into(),
        namespace: ns.clone(),
        chart: chart.display().to_string(),
        repo: String::new(),
        version: "0.1.0".into(),
        values_yaml: "replicas: 2\n".into(),
        provides_groups: vec![group.clone()],
        wave: 0,
    };
    let before = c.served_groups();
    assert!(!before.contains(&group), "the group must not be served before the release");
    let helm: Arc<dyn skyform_apply::HelmRunner> = Arc::new(helm_runner(support::admin_kubeconfig()));
    let order = Order::default();
    let h = Handles {
        progress: &order,
        helm: Some(helm.clone()),
        cancel: CancellationToken::new(),
        credentials: Vec::new(),
    };
    let rep = engine::apply_all(
        &mut c,
        &shop.manifests(),
        &shop.services(),
        std::slice::from_ref(&release),
        &shop.options(),
        &h,
    )
    .await
    .expect("apply with a prerequisite release");
    eprintln!("waves: {:?}", order.0.lock().unwrap());
    assert_eq!(rep.releases.len(), 1);
    assert_eq!(rep.releases[0].action, ReleaseAction::Install);
    // The release came after the namespaces, before the custom resources and workloads.
    let waves = order.0.lock().unwrap().clone();
    let at =
        |w: &str| waves.iter().position(|x| x.starts_with(w)).unwrap_or_else(|| panic!("no wave {w} in {waves:?}"));
    assert!(
        at("cluster") < at("releases widget-operator") && at("releases widget-operator") < at("config"),
        "{waves:?}"
    );
    // Installed by helm, deployed, CRD established, operator available with our values.
    let installed = helm.status(&release).expect("helm status").expect("installed");
    assert_eq!((installed.chart.as_str(), installed.status.as_str()), ("widget-operator-0.1.0", "deployed"));
    let crd = c
        .get(&r("apiextensions.k8s.io/v1", "CustomResourceDefinition", None, &format!("widgets.{group}")))
        .await
        .unwrap()
        .expect("crd");
    assert!(
        crd.pointer("/status/conditions")
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["type"] == "Established" && c["status"] == "True")
    );
    let op = live(&c, "apps/v1", "Deployment", &ns, "widget-operator").await.expect("operator");
    assert_eq!(op.pointer("/status/availableReplicas"), Some(&json!(2)), "{op:#}");
    let ep = live(&c, "v1", "Endpoints", &ns, "widget-operator-webhook").await.expect("webhook endpoints");
    assert!(ep.pointer("/subsets/0/addresses/0").is_some(), "{ep:#}");
    // Then the custom resource and the workloads.
    let w = live(&c, &format!("{group}/v1"), "Widget", &shop.app_ns(), "w1").await.expect("widget applied");
    assert_eq!(w.pointer("/spec/size"), Some(&json!(3)));
    let api = live(&c, "apps/v1", "Deployment", &shop.app_ns(), "api").await.expect("api");
    assert_eq!(api.pointer("/status/availableReplicas"), Some(&json!(2)));
    // A re-apply leaves the release alone and writes nothing.
    let rep = engine::apply_all(
        &mut c,
        &shop.manifests(),
        &shop.services(),
        std::slice::from_ref(&release),
        &shop.options(),
        &h,
    )
    .await
    .expect("re-apply");
    assert_eq!(rep.releases[0].action, ReleaseAction::Unchanged);
    assert_eq!(rep.writes, 0, "{rep:?}");
    // Other values: upgraded.
    let bigger = Release { values_yaml: "replicas: 3\n".into(), ..release.clone() };
    let rep = engine::apply_all(
        &mut c,
        &shop.manifests(),
        &shop.services(),
        std::slice::from_ref(&bigger),
        &shop.options(),
        &h,
    )
    .await
    .expect("upgrade");
    assert!(matches!(&rep.releases[0].action, ReleaseAction::Upgrade { why } if why.contains("values")), "{rep:?}");
    let op = live(&c, "apps/v1", "Deployment", &ns, "widget-operator").await.unwrap();
    assert_eq!(op.pointer("/status/availableReplicas"), Some(&json!(3)), "{op:#}");
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_prerequisite_with_no_bootstrap_is_refused_before_any_write() {
    let mut c = support::admin().await;
    let group = support::chart::group("gadgets");
    let mut shop = Shop::new("e2e-nobootstrap");
    shop.extra = vec![widget(&shop.app_ns(), "g1", &group, 1)];
    let release = Release {
        name: "gadget-operator".into(),
        namespace: "gadget-system".into(),
        chart: "gadget-operator".into(),
        repo: "https://charts.example.org".into(),
        version: "1.4.2".into(),
        values_yaml: String::new(),
        provides_groups: vec![group.clone()],
        wave: 0,
    };
    let opts = skyform_apply::ApplyOptions { no_bootstrap: true, ..shop.options() };
    // No helm runner at all: nothing may be installed, and nothing is.
    let h = Handles { progress: &Quiet, helm: None, cancel: CancellationToken::new(), credentials: Vec::new() };
    let writes = c.writes();
    let err = engine::apply_all(&mut c, &shop.manifests(), &shop.services(), &[release], &opts, &h)
        .await
        .expect_err("refused");
    let msg = err.to_string();
    eprintln!("{msg}");
    assert!(matches!(err, ApplyError::Unserved(_)), "{msg}");
    assert!(msg.contains("lacks 1 prerequisite") && msg.contains("nothing was changed"), "{msg}");
    assert!(
        msg.contains(&format!("gadget-operator (gadget-operator 1.4.2) in namespace gadget-system: serves {group}")),
        "{msg}"
    );
    assert!(msg.contains(&format!("Widget {}/g1", shop.app_ns())), "{msg}");
    assert!(msg.contains("install: helm upgrade --install gadget-operator gadget-operator --repo https://charts.example.org --version 1.4.2"), "{msg}");
    assert_eq!(c.writes() - writes, 0);
    assert!(c.get(&r("v1", "Namespace", None, &shop.app_ns())).await.unwrap().is_none());
    assert!(c.history(&shop.name, "dev", false).await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prune_data_deletes_what_an_earlier_revision_kept_and_statefulset_claims_are_reported() {
    let mut c = support::admin().await;
    let mut shop = Shop::new("e2e-keep");
    let opts = shop.options();
    engine::apply(&mut c, &shop.manifests(), &shop.services(), &opts, &Quiet).await.expect("apply");
    let claim = live(&c, "v1", "PersistentVolumeClaim", &shop.data_ns(), "data-postgres-0").await;
    assert!(claim.is_some(), "the StatefulSet controller created its claim");
    // The data tier goes: StatefulSet and Service pruned; its claim and namespace kept.
    shop.data = false;
    let rep = engine::apply(&mut c, &shop.manifests(), &shop.services(), &opts, &Quiet).await.expect("remove data");
    eprintln!("{rep:#?}");
    let pruned: Vec<String> = rep.pruned.iter().map(|r| r.to_string()).collect();
    assert!(pruned.contains(&format!("StatefulSet {}/postgres", shop.data_ns())), "{pruned:?}");
    let kept: Vec<String> = rep.kept.iter().map(|k| k.r.to_string()).collect();
    assert!(kept.contains(&format!("PersistentVolumeClaim {}/data-postgres-0", shop.data_ns())), "{kept:?}");
    assert!(kept.contains(&format!("Namespace {}", shop.data_ns())), "{kept:?}");
    let rev = c.history(&shop.name, "dev", false).await.unwrap().pop().unwrap();
    assert_eq!(rev.retained.len(), 2, "{rev:?}");
    // The same objects again with --prune-data: no new revision, and the kept ones go.
    let prune = skyform_apply::ApplyOptions { prune_data: true, ..opts.clone() };
    let d = engine::diff(&c, &shop.manifests(), &[], &shop.name, "dev", true).await.expect("diff");
    let deletes: Vec<String> = d.iter().filter(|d| d.change == ChangeKind::Delete).map(|d| d.r.to_string()).collect();
    assert_eq!(deletes.len(), 2, "{deletes:?}");
    let rep = engine::apply(&mut c, &shop.manifests(), &shop.services(), &prune, &Quiet).await.expect("prune data");
    assert!(!rep.new_revision);
    let pruned: Vec<String> = rep.pruned.iter().map(|r| r.to_string()).collect();
    assert_eq!(
        pruned,
        [format!("PersistentVolumeClaim {}/data-postgres-0", shop.data_ns()), format!("Namespace {}", shop.data_ns())]
    );
    let gone = |v: Option<Value>| v.is_none() || v.unwrap().pointer("/metadata/deletionTimestamp").is_some();
    assert!(gone(c.get(&r("v1", "Namespace", None, &shop.data_ns())).await.unwrap()));
    let rev = c.history(&shop.name, "dev", false).await.unwrap().pop().unwrap();
    assert!(rev.retained.is_empty(), "{rev:?}");
}

/// Cancels a token once a wave waits for readiness.
struct CancelOnWait(CancellationToken);
impl Progress for CancelOnWait {
    fn waiting(&self, _status: &str) {
        self.0.cancel();
    }
}

/// Records wave names.
#[derive(Default)]
struct Order(std::sync::Mutex<Vec<String>>);
impl Progress for Order {
    fn wave_start(&self, name: &str, _objects: usize) {
        self.0.lock().unwrap().push(name.to_string());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_apply_leaves_no_pending_revision() {
    let mut c = support::admin().await;
    let shop = Shop::new("e2e-interrupt");
    let token = CancellationToken::new();
    let progress = CancelOnWait(token.clone());
    let h = Handles { progress: &progress, helm: None, cancel: token, credentials: Vec::new() };
    let err = engine::apply_all(&mut c, &shop.manifests(), &shop.services(), &[], &shop.options(), &h)
        .await
        .expect_err("interrupted");
    let msg = err.to_string();
    assert!(matches!(err, ApplyError::Interrupted(_)), "{msg}");
    assert!(msg.contains("revision 1 is marked failed"), "{msg}");
    let h = c.history(&shop.name, "dev", false).await.unwrap();
    assert_eq!(h.iter().map(|r| (r.number, r.status)).collect::<Vec<_>>(), [(1, Status::Failed)]);
    let rep =
        engine::apply(&mut c, &shop.manifests(), &shop.services(), &shop.options(), &Quiet).await.expect("re-run");
    assert_eq!(rep.revision, 1, "the interrupted revision is completed, not duplicated");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_credential_is_required_then_created_before_the_store_and_never_recorded() {
    let mut c = support::admin().await;
    let mut shop = Shop::new("e2e-cred");
    let crd = json!({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
        "metadata":{"name":"clustersecretstores.external-secrets.io"},
        "spec":{"group":"external-secrets.io","scope":"Cluster",
            "names":{"plural":"clustersecretstores","singular":"clustersecretstore","kind":"ClusterSecretStore","listKind":"ClusterSecretStoreList"},
            "versions":[{"name":"v1","served":true,"storage":true,"subresources":{"status":{}},
                "schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}});
    let store = json!({"apiVersion":"external-secrets.io/v1","kind":"ClusterSecretStore",
        "metadata":{"name":format!("{}-vault", shop.name),"labels":{"app.kubernetes.io/managed-by":"skyform"}},
        "spec":{"provider":{"vault":{"server":"http://vault:8200","path":"secret","version":"v2",
            "auth":{"tokenSecretRef":{"name":"vault-token","key":"token","namespace":shop.app_ns()}}}}}});
    shop.extra = vec![crd, store];
    let opts = skyform_apply::ApplyOptions { wave_timeout: std::time::Duration::from_secs(5), ..shop.options() };
    // Nobody supplies the token: refused before any write.
    let h = Handles { progress: &Quiet, helm: None, cancel: CancellationToken::new(), credentials: Vec::new() };
    let writes = c.writes();
    let err =
        engine::apply_all(&mut c, &shop.manifests(), &shop.services(), &[], &opts, &h).await.expect_err("refused");
    let msg = err.to_string();
    eprintln!("{msg}");
    assert!(msg.contains(&format!("reads Secret {}/vault-token key `token`", shop.app_ns())), "{msg}");
    assert!(msg.contains("nothing was changed"), "{msg}");
    assert!(err.hints().iter().any(|h| h.contains("--store-credential")), "{:?}", err.hints());
    assert_eq!(c.writes() - writes, 0);
    // Supplied: the Secret exists before the store; the store then waits for its controller.
    let data = std::collections::BTreeMap::from([("token".to_string(), b"s.e2e-token".to_vec())]);
    let secret = skyform_apply::bootstrap::credential_secret(&shop.app_ns(), "vault-token", &data);
    let h = Handles { credentials: vec![skyform_apply::Manifest::from_value(0, secret).unwrap()], ..h };
    let err = engine::apply_all(&mut c, &shop.manifests(), &shop.services(), &[], &opts, &h)
        .await
        .expect_err("no controller");
    let msg = err.to_string();
    eprintln!("{msg}");
    assert!(msg.contains("the store is not ready") && msg.contains("is its controller running?"), "{msg}");
    let live_secret = live(&c, "v1", "Secret", &shop.app_ns(), "vault-token").await.expect("credential created");
    assert_eq!(live_secret.pointer("/data/token"), Some(&json!("cy5lMmUtdG9rZW4=")));
    let rev = c.history(&shop.name, "dev", true).await.unwrap().pop().unwrap();
    assert!(rev.refs().iter().all(|r| r.name != "vault-token"), "the credential is not in the inventory");
    assert!(
        !rev.objects
            .iter()
            .any(|o| o.to_string().contains("s.e2e-token") || o.to_string().contains("cy5lMmUtdG9rZW4="))
    );
}
