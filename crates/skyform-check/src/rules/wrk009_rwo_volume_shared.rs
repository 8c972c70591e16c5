//! **WRK-009 `rwo-volume-shared`**: A ReadWriteOnce PersistentVolumeClaim is mounted by more than one pod that may run on different nodes (a Deployment or StatefulSet template with several replicas or an autoscaler, a DaemonSet, or several workloads).
//!
//! *Why:* The volume attaches to one node; the other pods hang in `ContainerCreating` with `Multi-Attach error`, and a rolling update deadlocks.
//!
//! *Fix:* Use `volumeClaimTemplates` (one claim per replica), a ReadWriteMany storage class, or keep one replica with the `Recreate` strategy.
//!
//! *Severity:* error.
//!
//! *Maps to:* nothing in checkov, kube-linter, Polaris or kube-score.

#[allow(unused_imports)]
use super::prelude::*;
use super::util::hpa_for;

pub const RULE: Rule = Rule {
    id: "WRK-009",
    name: "rwo-volume-shared",
    severity: Severity::Error,
    category: Category::Works,
    default_enabled: true,
    summary: "A ReadWriteOnce PersistentVolumeClaim is mounted by several pods that may run on different nodes.",
    hint: "Use `volumeClaimTemplates` (one claim per replica), a ReadWriteMany storage class, or one replica with the `Recreate` strategy.",
    refs: Refs::NONE,
    check,
};

fn check(cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    let Some(pod) = obj.pod() else { return };
    let replicas = obj.replicas().map_or(1, |r| r.0);
    let scaled = hpa_for(cx.index, obj)
        .and_then(|h| h.spec().and_then(|s| s.get("maxReplicas")).and_then(Node::as_i64))
        .unwrap_or(1);
    let many = obj.kind == "DaemonSet" || replicas > 1 || scaled > 1;
    for v in pod.volumes() {
        let Some(claim_node) = v.get("persistentVolumeClaim").and_then(|p| p.get("claimName")) else { continue };
        let Some(claim) = claim_node.as_str() else { continue };
        let Some(pvc) = cx.index.get("PersistentVolumeClaim", obj.ns(), claim) else { continue };
        let modes = strings(pvc.spec().and_then(|s| s.get("accessModes")));
        if modes.is_empty() || modes.iter().any(|m| matches!(*m, "ReadWriteMany" | "ReadOnlyMany")) {
            continue;
        }
        let users: Vec<&Object> =
            cx.index.works.claim_users(obj.ns(), claim).into_iter().filter(|o| !std::ptr::eq(*o, obj)).collect();
        // Pods that must all run on one node may share a ReadWriteOnce claim: each user
        // requires (pod affinity on the node) the pods of every user, itself included.
        if colocated(obj, obj) && users.iter().all(|u| colocated(obj, u) && colocated(u, obj)) {
            continue;
        }
        let others = users.len();
        if many || others > 0 {
            let why = if obj.kind == "DaemonSet" {
                "a DaemonSet runs one pod per node".to_string()
            } else if others > 0 {
                format!("{others} other workload(s) mount it too")
            } else if replicas > 1 {
                format!("{} `{}` runs {replicas} replicas", obj.kind, obj.name)
            } else {
                format!("its autoscaler may run {scaled} replicas")
            };
            out.at(claim_node.span, format!("claim `{claim}` is {} but {why}", modes.join("/")));
        }
    }
}

/// Whether `a`'s pods are required to run on the node of `b`'s pods: a required pod-affinity
/// term on `kubernetes.io/hostname`, in `a`'s namespace, whose selector matches `b`'s pods.
fn colocated(a: &Object, b: &Object) -> bool {
    if a.ns() != b.ns() {
        return false;
    }
    let Some(pod) = a.pod() else { return false };
    let labels = b.pod().and_then(|p| p.labels());
    let terms = pod
        .get("affinity")
        .and_then(|x| x.get("podAffinity"))
        .and_then(|x| x.get("requiredDuringSchedulingIgnoredDuringExecution"))
        .and_then(Node::as_seq)
        .unwrap_or(&[]);
    terms.iter().any(|t| {
        text(Some(t), "topologyKey") == Some("kubernetes.io/hostname")
            && t.get("namespaces").is_none()
            && t.get("namespaceSelector").is_none()
            && t.get("labelSelector")
                .is_some_and(|sel| !selector_is_empty(Some(sel)) && label_selector_matches(sel, labels))
    })
}
