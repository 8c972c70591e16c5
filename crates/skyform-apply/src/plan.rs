//! Wave planning: which objects go to the server together, and in which order.
//!
//! Wave 1 holds cluster-wide foundations (CRDs, namespaces, storage classes, cluster RBAC,
//! priority classes); wave 2 the namespaced objects that belong to no service (config,
//! RBAC, network policies, custom resources); then the services of the data tier, layered
//! by their declared dependencies; then every other service, layered the same way. When a
//! layer's services get their Secrets from External Secrets or Sealed Secrets, those
//! objects (with the ServiceAccounts the stores authenticate as) form a wave of their own
//! (`data 1 secrets`) just before the layer, so `<service>-secrets` exist before the pods
//! that read them start. Prerequisite releases go between the first wave and the rest
//! (see [`crate::release`]). Between
//! waves the engine waits until the wave is ready. A dependency cycle (which the model
//! rejects anyway) never loops: the services left over form one last wave.

use crate::object::{Manifest, SERVICE_LABEL};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// What the planner needs to know about one service.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceInfo {
    pub name: String,
    #[serde(default)]
    /// Services this one depends on (unknown names are ignored).
    pub depends_on: Vec<String>,
    /// Whether the service belongs to the data tier (applied before the others).
    #[serde(default)]
    pub data: bool,
}

/// One wave of the plan.
#[derive(Clone, Debug, Serialize)]
pub struct Wave {
    /// Human-readable name (`cluster`, `config`, `data 1`, `services 2`, ...).
    pub name: String,
    /// Services in this wave (empty for the first two).
    pub services: Vec<String>,
    /// Indexes into the manifest list, in apply order.
    pub objects: Vec<usize>,
}

/// Cluster-scoped kinds that go in the first wave.
fn is_foundation(kind: &str) -> bool {
    matches!(
        kind,
        "CustomResourceDefinition"
            | "Namespace"
            | "StorageClass"
            | "PriorityClass"
            | "ClusterRole"
            | "ClusterRoleBinding"
            | "IngressClass"
    )
}

/// Order of kinds inside a wave: referenced things first.
pub fn kind_rank(kind: &str) -> u8 {
    match kind {
        "CustomResourceDefinition" => 0,
        "Namespace" => 1,
        "StorageClass" | "PriorityClass" | "IngressClass" => 2,
        "ClusterRole" => 3,
        "ClusterRoleBinding" => 4,
        "NetworkPolicy" | "ResourceQuota" | "LimitRange" => 5,
        "ServiceAccount" => 6,
        "Role" => 7,
        "RoleBinding" => 8,
        "ConfigMap" | "Secret" => 9,
        "PersistentVolumeClaim" => 10,
        "Service" => 11,
        "Deployment" | "StatefulSet" | "DaemonSet" | "Job" | "CronJob" => 12,
        "HorizontalPodAutoscaler" | "PodDisruptionBudget" => 13,
        "Ingress" => 14,
        _ => 15,
    }
}

/// Splits `manifests` into waves.
pub fn plan_waves(manifests: &[Manifest], services: &[ServiceInfo]) -> Vec<Wave> {
    let known: BTreeMap<&str, &ServiceInfo> = services.iter().map(|s| (s.name.as_str(), s)).collect();
    let mut foundation = Vec::new();
    let mut config = Vec::new();
    let mut by_service: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, m) in manifests.iter().enumerate() {
        if m.r.namespace.is_none() && is_foundation(&m.r.kind) {
            foundation.push(i);
            continue;
        }
        match m.label(SERVICE_LABEL).filter(|s| known.contains_key(s)) {
            Some(s) => by_service.entry(s.to_string()).or_default().push(i),
            None => config.push(i),
        }
    }
    let sort = |v: &mut Vec<usize>| v.sort_by_key(|&i| (kind_rank(&manifests[i].r.kind), manifests[i].r.clone()));
    let mut waves = Vec::new();
    for (name, mut objects) in [("cluster", foundation), ("config", config)] {
        if !objects.is_empty() {
            sort(&mut objects);
            waves.push(Wave { name: name.into(), services: Vec::new(), objects });
        }
    }
    let data: Vec<&ServiceInfo> = services.iter().filter(|s| s.data).collect();
    let rest: Vec<&ServiceInfo> = services.iter().filter(|s| !s.data).collect();
    let mut done: BTreeSet<&str> = BTreeSet::new();
    for (label, group) in [("data", data), ("services", rest)] {
        for (n, layer) in layers(&group, &mut done, &known).into_iter().enumerate() {
            let mut objects: Vec<usize> =
                layer.iter().flat_map(|s| by_service.get(*s).cloned().unwrap_or_default()).collect();
            if objects.is_empty() {
                continue;
            }
            sort(&mut objects);
            let services: Vec<String> = layer.iter().map(|s| s.to_string()).collect();
            let produces_secrets = objects.iter().any(|&i| {
                crate::readiness::is_credential(&manifests[i].r.kind) && manifests[i].r.kind != "ServiceAccount"
            });
            if produces_secrets {
                let (creds, rest): (Vec<usize>, Vec<usize>) =
                    objects.iter().partition(|&&i| crate::readiness::is_credential(&manifests[i].r.kind));
                waves.push(Wave {
                    name: format!("{label} {} secrets", n + 1),
                    services: services.clone(),
                    objects: creds,
                });
                objects = rest;
                if objects.is_empty() {
                    continue;
                }
            }
            waves.push(Wave { name: format!("{label} {}", n + 1), services, objects });
        }
    }
    waves
}

/// Topological layers of `group`: a service goes in the first layer after all of its
/// dependencies (within `known`) are in `done`.
fn layers<'a>(
    group: &[&'a ServiceInfo],
    done: &mut BTreeSet<&'a str>,
    known: &BTreeMap<&str, &ServiceInfo>,
) -> Vec<Vec<&'a str>> {
    let mut left: Vec<&ServiceInfo> = group.to_vec();
    let mut out = Vec::new();
    while !left.is_empty() {
        let (ready, blocked): (Vec<&ServiceInfo>, Vec<&ServiceInfo>) = left.iter().partition(|s| {
            s.depends_on.iter().all(|d| d == &s.name || !known.contains_key(d.as_str()) || done.contains(d.as_str()))
        });
        // A cycle: everything left goes together rather than looping forever.
        let layer = if ready.is_empty() { blocked.clone() } else { ready };
        let mut names: Vec<&'a str> =
            layer.iter().map(|s| group.iter().find(|g| g.name == s.name).map_or("", |g| g.name.as_str())).collect();
        names.sort_unstable();
        done.extend(names.iter().copied());
        left.retain(|s| !done.contains(s.name.as_str()));
        out.push(names);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn m(api: &str, kind: &str, ns: Option<&str>, name: &str, service: Option<&str>) -> Manifest {
        let mut meta = json!({"name": name});
        if let Some(ns) = ns {
            meta["namespace"] = json!(ns);
        }
        if let Some(s) = service {
            meta["labels"] = json!({ SERVICE_LABEL: s });
        }
        Manifest::from_value(0, json!({"apiVersion": api, "kind": kind, "metadata": meta})).unwrap()
    }

    fn svc(name: &str, deps: &[&str], data: bool) -> ServiceInfo {
        ServiceInfo { name: name.into(), depends_on: deps.iter().map(|s| s.to_string()).collect(), data }
    }

    #[test]
    fn waves_follow_foundation_data_then_dependencies() {
        let ms = vec![
            m("apps/v1", "Deployment", Some("p-api"), "api", Some("api")),
            m("v1", "Service", Some("p-api"), "api", Some("api")),
            m("apps/v1", "StatefulSet", Some("p-data"), "pg", Some("pg")),
            m("v1", "Namespace", None, "p-api", None),
            m("apiextensions.k8s.io/v1", "CustomResourceDefinition", None, "x.example.com", None),
            m("networking.k8s.io/v1", "NetworkPolicy", Some("p-api"), "default-deny", None),
            m("apps/v1", "Deployment", Some("p-api"), "web", Some("web")),
        ];
        let services = [svc("web", &["api"], false), svc("api", &["pg", "ghost"], false), svc("pg", &[], true)];
        let waves = plan_waves(&ms, &services);
        let names: Vec<&str> = waves.iter().map(|w| w.name.as_str()).collect();
        assert_eq!(names, ["cluster", "config", "data 1", "services 1", "services 2"]);
        // CRD before Namespace inside the first wave.
        assert_eq!(waves[0].objects, vec![4, 3]);
        assert_eq!(waves[2].services, vec!["pg"]);
        // Service before Deployment.
        assert_eq!(waves[3].objects, vec![1, 0]);
        assert_eq!(waves[4].services, vec!["web"]);
        let total: usize = waves.iter().map(|w| w.objects.len()).sum();
        assert_eq!(total, ms.len());
    }

    #[test]
    fn secrets_come_before_the_workloads_that_read_them() {
        let ms = vec![
            m("apps/v1", "Deployment", Some("n"), "api", Some("api")),
            m("external-secrets.io/v1", "ExternalSecret", Some("n"), "api-secrets", Some("api")),
            m("v1", "ServiceAccount", Some("n"), "api", Some("api")),
            m("external-secrets.io/v1", "SecretStore", Some("n"), "api-secret-store", Some("api")),
            m("apps/v1", "Deployment", Some("n"), "web", Some("web")),
            m("v1", "ServiceAccount", Some("n"), "web", Some("web")),
        ];
        let waves = plan_waves(&ms, &[svc("api", &[], false), svc("web", &["api"], false)]);
        let names: Vec<&str> = waves.iter().map(|w| w.name.as_str()).collect();
        assert_eq!(names, ["services 1 secrets", "services 1", "services 2"]);
        let kinds: Vec<&str> = waves[0].objects.iter().map(|&i| ms[i].r.kind.as_str()).collect();
        assert_eq!(kinds, ["ServiceAccount", "ExternalSecret", "SecretStore"]);
        assert_eq!(waves[1].objects, vec![0]);
        // No store, no extra wave: the ServiceAccount stays with its workload.
        assert_eq!(waves[2].objects.len(), 2);
    }

    #[test]
    fn a_cycle_ends_in_one_wave() {
        let ms = vec![
            m("apps/v1", "Deployment", Some("n"), "a", Some("a")),
            m("apps/v1", "Deployment", Some("n"), "b", Some("b")),
        ];
        let waves = plan_waves(&ms, &[svc("a", &["b"], false), svc("b", &["a"], false)]);
        assert_eq!(waves.len(), 1);
        assert_eq!(waves[0].objects.len(), 2);
    }
}
