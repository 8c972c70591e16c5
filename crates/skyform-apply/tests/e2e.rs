//! Integration tests against a real Kubernetes 1.20 API server (scripts/kube-testenv),
//! with the node simulator from `support::sim` standing in for kubelets. Built only with
//! the `e2e` feature (scripts/e2e-apply); without the test env they fail, never skip.

mod support;

use kube::api::{Api, DynamicObject, Patch, PatchParams};
use serde_json::{Value, json};
use skyform_apply::diff::ChangeKind;
use skyform_apply::inventory::Status;
use skyform_apply::progress::{Progress, Quiet};
use skyform_apply::{ApplyError, Cluster, ObjRef, Target, engine};
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
    let d = engine::diff(&c, &shop.manifests(), &shop.name, "dev", false).await.expect("diff");
    assert!(d.iter().all(|d| d.change == ChangeKind::Unchanged), "{d:#?}");

    // A change shows in diff, and applies.
    shop.greeting = "hello, world".into();
    shop.api_tag = "1.1.0".into();
    let d = engine::diff(&c, &shop.manifests(), &shop.name, "dev", false).await.expect("diff");
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
    let d = engine::diff(&c, &shop.manifests(), &shop.name, "dev", false).await.expect("diff");
    assert!(d.iter().all(|d| d.change == ChangeKind::Unchanged), "{d:#?}");

    // A removed service is pruned, its PVC kept.
    shop.worker = false;
    let d = engine::diff(&c, &shop.manifests(), &shop.name, "dev", false).await.expect("diff");
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
    assert!(msg.contains("--force-conflicts"), "{msg}");
    assert_eq!(c.writes() - writes, 0, "a conflict is found by the dry-run: nothing is written");
    let forced = skyform_apply::ApplyOptions { force_conflicts: true, ..opts };
    engine::apply(&mut c, &shop.manifests(), &shop.services(), &forced, &Quiet).await.expect("forced apply");
    let cm = live(&c, "v1", "ConfigMap", &shop.app_ns(), "app-config").await.unwrap();
    assert_eq!(cm.pointer("/data/greeting"), Some(&json!("hello")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unprivileged_user_gets_a_403_naming_verb_resource_namespace() {
    let user = support::user_kubeconfig();
    let mut c =
        Cluster::connect(&Target { kubeconfig: Some(user), context: None }).await.expect("discovery is allowed");
    let shop = Shop::new("e2e-forbidden");
    let err = engine::apply(&mut c, &shop.manifests(), &shop.services(), &shop.options(), &Quiet)
        .await
        .expect_err("must be forbidden");
    let msg = err.to_string();
    eprintln!("{msg}");
    assert!(msg.contains("forbidden: cannot `list` secrets in namespace `skyform-system`"), "{msg}");
    assert!(msg.contains("hint:") && msg.contains("Role"), "{msg}");
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
    let bad = dir.join("bad.kubeconfig");
    std::fs::write(&bad, "this: [is not a kubeconfig").unwrap();
    let err = Cluster::connect(&Target { kubeconfig: Some(bad), context: None }).await.err().expect("bad kubeconfig");
    assert!(matches!(err, ApplyError::Kubeconfig(_)), "{err}");
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
    let err = Cluster::connect(&Target { kubeconfig: Some(down), context: None }).await.err().expect("unreachable");
    let msg = err.to_string();
    assert!(matches!(err, ApplyError::Unreachable { .. }) && msg.contains("cannot reach the cluster"), "{msg}");
    let _ = std::fs::remove_dir_all(dir);
}
