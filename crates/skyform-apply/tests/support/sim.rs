//! A node simulator, as KWOK does it: registers a Node, marks every pod scheduled on it
//! Running and Ready (with a pod-network address, so Endpoints list it), finishes terminating pods, and binds pending PersistentVolumeClaims
//! to hostPath PersistentVolumes it creates. Runs until its stop flag is set.

use k8s_openapi::api::core::v1::{Node, PersistentVolume, PersistentVolumeClaim, Pod};
use kube::Client;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Name of the simulated node.
pub const NODE: &str = "skyform-sim-node";
const MANAGER: &str = "skyform-node-sim";

/// Registers the node and reports it Ready.
pub async fn register_node(client: &Client) -> anyhow::Result<()> {
    let nodes: Api<Node> = Api::all(client.clone());
    if nodes.get_opt(NODE).await?.is_none() {
        let node: Node = serde_json::from_value(json!({
            "apiVersion": "v1", "kind": "Node",
            "metadata": {"name": NODE, "labels": {"kubernetes.io/hostname": NODE, "kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64", "type": "skyform-sim"}},
        }))?;
        nodes.create(&PostParams::default(), &node).await?;
    }
    // The API server taints new nodes not-ready; the node lifecycle controller (off in the
    // test env) would lift it once the node reports Ready. Lift it here.
    let untaint = json!({"spec": {"taints": null}});
    nodes.patch(NODE, &PatchParams::default(), &Patch::Merge(&untaint)).await?;
    let now = k8s_openapi::jiff::Timestamp::now().to_string();
    let status = json!({"status": {
        "capacity": {"cpu": "200", "memory": "1000Gi", "pods": "5000", "ephemeral-storage": "1000Gi"},
        "allocatable": {"cpu": "200", "memory": "1000Gi", "pods": "5000", "ephemeral-storage": "1000Gi"},
        "conditions": [
            {"type": "Ready", "status": "True", "reason": "KubeletReady", "message": "simulated",
             "lastHeartbeatTime": now, "lastTransitionTime": now},
            {"type": "MemoryPressure", "status": "False", "reason": "Sim", "lastHeartbeatTime": now, "lastTransitionTime": now},
            {"type": "DiskPressure", "status": "False", "reason": "Sim", "lastHeartbeatTime": now, "lastTransitionTime": now},
            {"type": "PIDPressure", "status": "False", "reason": "Sim", "lastHeartbeatTime": now, "lastTransitionTime": now},
        ],
        "addresses": [{"type": "InternalIP", "address": "127.0.0.1"}, {"type": "Hostname", "address": NODE}],
        "nodeInfo": {"machineID": "sim", "systemUUID": "sim", "bootID": "sim", "kernelVersion": "sim", "osImage": "sim",
            "containerRuntimeVersion": "sim://1", "kubeletVersion": "v1.20.2", "kubeProxyVersion": "v1.20.2",
            "operatingSystem": "linux", "architecture": "amd64"}
    }});
    nodes.patch_status(NODE, &PatchParams::default(), &Patch::Merge(&status)).await?;
    Ok(())
}

/// One pass: pods, terminating pods, claims.
pub async fn tick(client: &Client) -> anyhow::Result<()> {
    let pods: Api<Pod> = Api::all(client.clone());
    let lp = ListParams::default().fields(&format!("spec.nodeName={NODE}"));
    for p in pods.list(&lp).await?.items {
        let ns = p.metadata.namespace.clone().unwrap_or_default();
        let name = p.metadata.name.clone().unwrap_or_default();
        let api: Api<Pod> = Api::namespaced(client.clone(), &ns);
        if p.metadata.deletion_timestamp.is_some() {
            let _ = api.delete(&name, &DeleteParams { grace_period_seconds: Some(0), ..Default::default() }).await;
            continue;
        }
        let ready = p
            .status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"));
        if ready {
            continue;
        }
        let now = k8s_openapi::jiff::Timestamp::now().to_string();
        let containers: Vec<serde_json::Value> = p
            .spec
            .as_ref()
            .map(|s| {
                s.containers
                    .iter()
                    .map(|c| {
                        json!({
                "name": c.name, "image": c.image.clone().unwrap_or_default(), "imageID": "sim",
                "ready": true, "started": true, "restartCount": 0,
                "state": {"running": {"startedAt": now}}})
                    })
                    .collect()
            })
            .unwrap_or_default();
        let cond = |t: &str| json!({"type": t, "status": "True", "lastTransitionTime": now});
        // A pod network address (Endpoints refuse loopback ones), stable per pod.
        let uid = p.metadata.uid.clone().unwrap_or_default();
        let h = uid.bytes().fold(0u32, |a, b| a.wrapping_mul(31).wrapping_add(u32::from(b)));
        let ip = format!("10.244.{}.{}", (h >> 8) % 250, h % 250 + 2);
        let status = json!({"status": {
            "phase": "Running", "hostIP": "127.0.0.1", "podIP": ip, "podIPs": [{"ip": ip}], "startTime": now,
            "conditions": [cond("Initialized"), cond("Ready"), cond("ContainersReady"), cond("PodScheduled")],
            "containerStatuses": containers,
        }});
        let _ = api.patch_status(&name, &PatchParams::default(), &Patch::Merge(&status)).await;
    }
    // Bind pending claims to fresh hostPath volumes (static provisioning).
    let pvcs: Api<PersistentVolumeClaim> = Api::all(client.clone());
    let pvs: Api<PersistentVolume> = Api::all(client.clone());
    for c in pvcs.list(&ListParams::default()).await?.items {
        let phase = c.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default();
        if phase == "Bound" || c.spec.as_ref().and_then(|s| s.volume_name.clone()).is_some() {
            continue;
        }
        let ns = c.metadata.namespace.clone().unwrap_or_default();
        let name = c.metadata.name.clone().unwrap_or_default();
        let uid = c.metadata.uid.clone().unwrap_or_default();
        let spec = c.spec.clone().unwrap_or_default();
        let size = spec
            .resources
            .as_ref()
            .and_then(|r| r.requests.as_ref())
            .and_then(|r| r.get("storage"))
            .map_or_else(|| "1Gi".to_string(), |q| q.0.clone());
        let pv_name = format!("sim-{}", &uid.get(..18).unwrap_or(&uid));
        let pv: PersistentVolume = serde_json::from_value(json!({
            "apiVersion": "v1", "kind": "PersistentVolume",
            "metadata": {"name": pv_name, "labels": {"skyform-sim": "true"}},
            "spec": {
                "capacity": {"storage": size},
                "accessModes": spec.access_modes.clone().unwrap_or_else(|| vec!["ReadWriteOnce".into()]),
                "storageClassName": spec.storage_class_name.clone().unwrap_or_default(),
                "persistentVolumeReclaimPolicy": "Retain",
                "hostPath": {"path": format!("/var/lib/skyform-sim/{pv_name}")},
                "claimRef": {"namespace": ns, "name": name, "uid": uid},
            }
        }))?;
        let _ = pvs.create(&PostParams { field_manager: Some(MANAGER.into()), ..Default::default() }, &pv).await;
    }
    Ok(())
}

/// Runs the simulator until `stop` is set.
pub async fn run(client: Client, stop: Arc<AtomicBool>) {
    let mut n = 0u64;
    while !stop.load(Ordering::Relaxed) {
        if n.is_multiple_of(50)
            && let Err(e) = register_node(&client).await
        {
            eprintln!("node-sim: cannot register the node: {e}");
        }
        if let Err(e) = tick(&client).await {
            eprintln!("node-sim: {e}");
        }
        n += 1;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
