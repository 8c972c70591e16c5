//! Readiness of live objects, the same rules as `kubectl rollout status`: Deployments,
//! StatefulSets and DaemonSets have observed their generation and have every replica
//! updated and available; Jobs are Complete; CRDs are Established. Credentials come
//! first: External Secrets' stores and ExternalSecrets are `Ready`, SealedSecrets are
//! `Synced` (their controllers set those conditions once the Secret exists). A webhook's
//! Endpoints have a ready address. Other kinds are ready as soon as they exist. Pure
//! functions over the object's JSON.

use serde_json::Value;

/// The state of one object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Readiness {
    Ready,
    /// Still converging; the text says on what.
    Waiting(String),
    /// Will not become ready without a change (a failed Job).
    Failed(String),
}

/// Whether `kind` is something the engine waits for.
pub fn is_waitable(kind: &str) -> bool {
    matches!(
        kind,
        "Deployment"
            | "StatefulSet"
            | "DaemonSet"
            | "Job"
            | "CustomResourceDefinition"
            | "ExternalSecret"
            | "SecretStore"
            | "ClusterSecretStore"
            | "SealedSecret"
            | "Endpoints"
    )
}

/// Kinds that produce or authorize the Secrets workloads read: applied and waited for
/// before the workloads of the same wave.
pub fn is_credential(kind: &str) -> bool {
    matches!(kind, "ServiceAccount" | "SecretStore" | "ExternalSecret" | "SealedSecret")
}

fn condition_ready(v: &Value, kind: &str, what: &str) -> Readiness {
    match condition(v, kind) {
        Some(("True", _)) => Readiness::Ready,
        Some((_, msg)) if !msg.is_empty() => Readiness::Waiting(format!("{what}: {msg}")),
        _ => Readiness::Waiting(format!("{what}: no {kind} condition yet (is its controller running?)")),
    }
}

fn int(v: &Value, path: &str) -> i64 {
    v.pointer(path).and_then(Value::as_i64).unwrap_or(0)
}

/// A condition's status (`"True"`, `"False"`, ...) and message.
pub fn condition<'a>(v: &'a Value, kind: &str) -> Option<(&'a str, &'a str)> {
    v.pointer("/status/conditions")?.as_array()?.iter().find_map(|c| {
        (c.get("type")?.as_str()? == kind).then(|| {
            (
                c.get("status").and_then(Value::as_str).unwrap_or(""),
                c.get("message").and_then(Value::as_str).unwrap_or(""),
            )
        })
    })
}

/// Evaluates one live object.
pub fn evaluate(kind: &str, v: &Value) -> Readiness {
    let generation = int(v, "/metadata/generation");
    let observed = int(v, "/status/observedGeneration");
    match kind {
        "Deployment" => {
            if observed < generation {
                return Readiness::Waiting("waiting for the deployment spec to be observed".into());
            }
            if let Some(("False", msg)) = condition(v, "Progressing") {
                return Readiness::Failed(format!("progress deadline exceeded: {msg}"));
            }
            let want = v.pointer("/spec/replicas").and_then(Value::as_i64).unwrap_or(1);
            let updated = int(v, "/status/updatedReplicas");
            let total = int(v, "/status/replicas");
            let available = int(v, "/status/availableReplicas");
            if updated < want {
                Readiness::Waiting(format!("{updated} of {want} updated replicas"))
            } else if total > updated {
                Readiness::Waiting(format!("{} old replicas pending termination", total - updated))
            } else if available < updated {
                Readiness::Waiting(format!("{available} of {updated} updated replicas available"))
            } else {
                Readiness::Ready
            }
        }
        "StatefulSet" => {
            if observed < generation {
                return Readiness::Waiting("waiting for the statefulset spec to be observed".into());
            }
            let want = v.pointer("/spec/replicas").and_then(Value::as_i64).unwrap_or(1);
            let ready = int(v, "/status/readyReplicas");
            let updated = int(v, "/status/updatedReplicas");
            let rolling = v.pointer("/spec/updateStrategy/type").and_then(Value::as_str).unwrap_or("RollingUpdate")
                == "RollingUpdate";
            if ready < want {
                return Readiness::Waiting(format!("{ready} of {want} pods ready"));
            }
            if rolling {
                let current = v.pointer("/status/currentRevision").and_then(Value::as_str);
                let update = v.pointer("/status/updateRevision").and_then(Value::as_str);
                if updated < want {
                    return Readiness::Waiting(format!("{updated} of {want} pods updated"));
                }
                if current != update {
                    return Readiness::Waiting("rolling update in progress".into());
                }
            }
            Readiness::Ready
        }
        "DaemonSet" => {
            if observed < generation {
                return Readiness::Waiting("waiting for the daemonset spec to be observed".into());
            }
            let want = int(v, "/status/desiredNumberScheduled");
            let updated = int(v, "/status/updatedNumberScheduled");
            let available = int(v, "/status/numberAvailable");
            if updated < want || available < want {
                Readiness::Waiting(format!("{available} of {want} pods available"))
            } else {
                Readiness::Ready
            }
        }
        "Job" => {
            if let Some(("True", _)) = condition(v, "Complete") {
                Readiness::Ready
            } else if let Some(("True", msg)) = condition(v, "Failed") {
                Readiness::Failed(format!("job failed: {msg}"))
            } else {
                Readiness::Waiting(format!(
                    "{} succeeded, {} active",
                    int(v, "/status/succeeded"),
                    int(v, "/status/active")
                ))
            }
        }
        "CustomResourceDefinition" => match condition(v, "Established") {
            Some(("True", _)) => Readiness::Ready,
            _ => Readiness::Waiting("not established yet".into()),
        },
        "ExternalSecret" => condition_ready(v, "Ready", "the Secret is not synced yet"),
        "SecretStore" | "ClusterSecretStore" => condition_ready(v, "Ready", "the store is not ready"),
        "SealedSecret" => condition_ready(v, "Synced", "not unsealed yet"),
        "Endpoints" => {
            let ready = v.get("subsets").and_then(Value::as_array).is_some_and(|s| {
                s.iter().any(|s| s.get("addresses").and_then(Value::as_array).is_some_and(|a| !a.is_empty()))
            });
            if ready {
                Readiness::Ready
            } else {
                Readiness::Waiting("the webhook's Service has no ready endpoint".into())
            }
        }
        _ => Readiness::Ready,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn deployment_rollout() {
        let mut d = json!({"metadata":{"generation":2},"spec":{"replicas":2},
            "status":{"observedGeneration":1}});
        assert!(matches!(evaluate("Deployment", &d), Readiness::Waiting(_)));
        d["status"] = json!({"observedGeneration":2,"replicas":3,"updatedReplicas":2,"availableReplicas":2});
        assert!(matches!(evaluate("Deployment", &d), Readiness::Waiting(m) if m.contains("old replicas")));
        d["status"]["replicas"] = json!(2);
        assert_eq!(evaluate("Deployment", &d), Readiness::Ready);
        d["status"]["conditions"] = json!([{"type":"Progressing","status":"False","message":"timed out"}]);
        assert!(matches!(evaluate("Deployment", &d), Readiness::Failed(_)));
    }

    #[test]
    fn statefulset_job_crd() {
        let s = json!({"metadata":{"generation":1},"spec":{"replicas":1},
            "status":{"observedGeneration":1,"readyReplicas":1,"updatedReplicas":1,"currentRevision":"a","updateRevision":"a"}});
        assert_eq!(evaluate("StatefulSet", &s), Readiness::Ready);
        let j = json!({"status":{"conditions":[{"type":"Failed","status":"True","message":"BackoffLimitExceeded"}]}});
        assert!(matches!(evaluate("Job", &j), Readiness::Failed(_)));
        let c = json!({"status":{"conditions":[{"type":"Established","status":"True"}]}});
        assert_eq!(evaluate("CustomResourceDefinition", &c), Readiness::Ready);
        assert!(matches!(evaluate("CustomResourceDefinition", &json!({})), Readiness::Waiting(_)));
        assert_eq!(evaluate("ConfigMap", &json!(null)), Readiness::Ready);
        assert!(matches!(evaluate("Deployment", &json!(null)), Readiness::Waiting(_)));
    }

    #[test]
    fn credentials_and_webhook_endpoints() {
        let es =
            json!({"status":{"conditions":[{"type":"Ready","status":"False","message":"could not get secret data"}]}});
        assert!(
            matches!(evaluate("ExternalSecret", &es), Readiness::Waiting(m) if m.contains("could not get secret data"))
        );
        assert!(matches!(evaluate("ExternalSecret", &json!({})), Readiness::Waiting(m) if m.contains("controller")));
        let ok = json!({"status":{"conditions":[{"type":"Ready","status":"True"}]}});
        assert_eq!(evaluate("ExternalSecret", &ok), Readiness::Ready);
        assert_eq!(evaluate("ClusterSecretStore", &ok), Readiness::Ready);
        let synced = json!({"status":{"conditions":[{"type":"Synced","status":"True"}]}});
        assert_eq!(evaluate("SealedSecret", &synced), Readiness::Ready);
        let ep = json!({"subsets":[{"notReadyAddresses":[{"ip":"10.0.0.1"}]}]});
        assert!(matches!(evaluate("Endpoints", &ep), Readiness::Waiting(_)));
        let ep = json!({"subsets":[{"addresses":[{"ip":"10.0.0.1"}]}]});
        assert_eq!(evaluate("Endpoints", &ep), Readiness::Ready);
        assert!(is_credential("ExternalSecret") && !is_credential("Deployment"));
    }
}
