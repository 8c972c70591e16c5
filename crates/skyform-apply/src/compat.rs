//! Adjustments that make valid objects server-side-applicable on older API servers.
//!
//! Kubernetes before 1.21 (kubernetes/kubernetes#103544, found against the 1.20 test
//! server) rejects a server-side apply whose Service ports or container ports omit
//! `protocol`: the ports lists are keyed by `(port, protocol)` and the key has no default
//! at merge time ("associative list with keys has an element that omits key field
//! protocol"). Filling in the API's own default, `TCP`, changes nothing on any server.

use serde_json::Value;

/// Fills in `protocol: TCP` where the API would default it anyway.
pub fn fill_defaults(value: &mut Value) {
    let kind = value.get("kind").and_then(Value::as_str).unwrap_or_default().to_string();
    match kind.as_str() {
        "Service" => ports(value.pointer_mut("/spec/ports")),
        "Pod" => pod_spec(value.pointer_mut("/spec")),
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" => {
            pod_spec(value.pointer_mut("/spec/template/spec"));
        }
        "CronJob" => pod_spec(value.pointer_mut("/spec/jobTemplate/spec/template/spec")),
        _ => {}
    }
}

fn pod_spec(spec: Option<&mut Value>) {
    let Some(spec) = spec else { return };
    for list in ["containers", "initContainers"] {
        if let Some(cs) = spec.get_mut(list).and_then(Value::as_array_mut) {
            for c in cs {
                ports(c.get_mut("ports"));
            }
        }
    }
}

fn ports(list: Option<&mut Value>) {
    if let Some(items) = list.and_then(Value::as_array_mut) {
        for p in items.iter_mut().filter_map(Value::as_object_mut) {
            p.entry("protocol").or_insert_with(|| Value::String("TCP".into()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn protocol_is_filled_in_where_missing_only() {
        let mut s = json!({"kind":"Service","spec":{"ports":[{"port":80},{"port":53,"protocol":"UDP"}]}});
        fill_defaults(&mut s);
        assert_eq!(s["spec"]["ports"][0]["protocol"], "TCP");
        assert_eq!(s["spec"]["ports"][1]["protocol"], "UDP");
        let mut d = json!({"kind":"Deployment","spec":{"template":{"spec":{
            "containers":[{"name":"a","ports":[{"containerPort":8080}]}],"initContainers":[{"name":"i"}]}}}});
        fill_defaults(&mut d);
        assert_eq!(d.pointer("/spec/template/spec/containers/0/ports/0/protocol"), Some(&json!("TCP")));
        let mut odd = json!({"kind":"Service","spec":{"ports":"nonsense"}});
        fill_defaults(&mut odd);
        fill_defaults(&mut json!(null));
    }
}
