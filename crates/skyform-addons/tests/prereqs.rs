//! From a bare cluster: every custom resource of the object set is served by a pinned
//! release the output installs, every namespace any object uses is created, and the
//! GitOps output gives each environment its own destination with no automated sync
//! into production.

mod common;

use common::examples;
use serde_json::Value;
use skyform_addons::env_objects;
use skyform_addons::prereqs::{SYSTEM_NAMESPACES, prerequisites};
use skyform_model::ProviderName;
use std::collections::BTreeSet;

#[test]
fn every_custom_resource_is_served_and_every_namespace_created() {
    for (name, m) in examples() {
        for env in &m.environments {
            for p in [ProviderName::Aws, ProviderName::K3s, ProviderName::Kind] {
                let objects = env_objects(&m, env, p);
                let pre = prerequisites(&m, env, p, &objects);
                assert!(pre.unserved.is_empty(), "{name} {} {p:?}: unserved {:?}", env.name, pre.unserved);
                for o in &objects {
                    let group = skyform_prereqs::api_group(&o.api_version);
                    let served = pre.serves(group);
                    assert!(served, "{name} {} {p:?}: {} {} has no installed server", env.name, o.api_version, o.kind);
                }
                for r in &pre.releases {
                    assert!(skyform_prereqs::is_exact_version(&r.version), "{} {}", r.name, r.version);
                }
                let created: BTreeSet<&str> =
                    objects.iter().filter(|o| o.kind == "Namespace").map(|o| o.name.as_str()).collect();
                let used = objects
                    .iter()
                    .filter_map(|o| o.namespace.as_deref())
                    .chain(pre.releases.iter().map(|r| r.namespace.as_str()));
                for ns in used {
                    assert!(
                        created.contains(ns) || SYSTEM_NAMESPACES.contains(&ns),
                        "{name} {} {p:?}: namespace {ns} is used but not created",
                        env.name
                    );
                }
            }
        }
    }
}

#[test]
fn operator_namespaces_allow_what_their_pods_need() {
    for (name, m) in examples() {
        let env = m.environment("production").expect("production");
        let objects = env_objects(&m, env, ProviderName::Aws);
        let level = |ns: &str| {
            objects
                .iter()
                .find(|o| o.kind == "Namespace" && o.name == ns)
                .and_then(|o| o.value.pointer("/metadata/labels/pod-security.kubernetes.io~1enforce"))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        // The node exporter and the log agent read the host.
        assert_eq!(level(&m.observability.namespace).as_deref(), Some("privileged"), "{name}");
        if objects.iter().any(|o| o.namespace.as_deref() == Some("velero")) {
            assert_eq!(level("velero").as_deref(), Some("privileged"), "{name}");
        }
        assert_eq!(level("cert-manager").as_deref(), Some("restricted"), "{name}");
    }
}

#[test]
fn kind_runs_one_replica_with_a_self_signed_issuer_and_no_cloud_dns() {
    for (name, m) in examples() {
        let env = m.environment("production").expect("production");
        let objects = env_objects(&m, env, ProviderName::Kind);
        for o in &objects {
            if let Some(r) = o.value.pointer("/spec/replicas").and_then(Value::as_u64)
                && matches!(o.kind.as_str(), "Deployment" | "StatefulSet")
            {
                assert_eq!(r, 1, "{name}: {} {}", o.kind, o.name);
            }
            assert_ne!(o.kind, "HorizontalPodAutoscaler", "{name}: {}", o.name);
            // Self-signed or an internal CA (itself self-signed); never an ACME issuer, which
            // a laptop cluster cannot complete.
            if o.kind == "ClusterIssuer" {
                assert!(o.value.pointer("/spec/acme").is_none(), "{name}: {}", o.value);
                assert!(
                    o.value.pointer("/spec/selfSigned").is_some() || o.value.pointer("/spec/ca").is_some(),
                    "{name}: {}",
                    o.value
                );
            }
            assert_ne!(o.name, "standard", "{name}: kind ships its own `standard` StorageClass");
        }
        let pre = prerequisites(&m, env, ProviderName::Kind, &objects);
        assert!(pre.release(skyform_prereqs::ComponentId::ExternalDns).is_none(), "{name}");
    }
}

#[test]
fn gitops_gives_each_environment_its_own_destination_and_gates_production() {
    for (name, m) in examples() {
        let boot = skyform_addons::bootstrap_objects(&m, ProviderName::Aws);
        let mut destinations = BTreeSet::new();
        for env in &m.environments {
            let tool = m.gitops.as_ref().map(|g| g.tool);
            match tool {
                Some(skyform_model::GitopsTool::Argocd) => {
                    let app_name = format!("{}-{}", m.name, env.name);
                    let app = boot
                        .iter()
                        .find(|o| o.kind == "Application" && o.name == app_name)
                        .unwrap_or_else(|| panic!("{name}: no Application {app_name}"));
                    let dest = app.value.pointer("/spec/destination/name").and_then(Value::as_str).unwrap_or_default();
                    assert!(destinations.insert(dest.to_string()), "{name}: destination {dest} shared");
                    // Every Application of the environment: same destination, automated only outside production.
                    for o in boot.iter().filter(|o| {
                        o.kind == "Application"
                            && o.value.pointer("/metadata/labels/skyform.dev~1environment").and_then(Value::as_str)
                                == Some(env.name.as_str())
                    }) {
                        assert_eq!(o.value.pointer("/spec/destination/name").and_then(Value::as_str), Some(dest));
                        let automated = o.value.pointer("/spec/syncPolicy/automated").is_some();
                        assert_eq!(automated, !env.production, "{name} {}: {}", env.name, o.name);
                    }
                    let project = boot.iter().find(|o| o.kind == "AppProject" && o.name == app_name);
                    let dests = project.and_then(|p| p.value.pointer("/spec/destinations")).and_then(Value::as_array);
                    assert!(dests.is_some_and(|d| d.iter().all(|x| x["name"] == dest)), "{name}: project {app_name}");
                }
                Some(skyform_model::GitopsTool::Flux) => {
                    let prefix = format!("{}-{}-", m.name, env.name);
                    let mine: Vec<_> = boot
                        .iter()
                        .filter(|o| {
                            matches!(o.kind.as_str(), "Kustomization" | "HelmRelease") && o.name.starts_with(&prefix)
                        })
                        .collect();
                    assert!(!mine.is_empty(), "{name} {}", env.name);
                    for o in mine {
                        let secret = o
                            .value
                            .pointer("/spec/kubeConfig/secretRef/name")
                            .and_then(Value::as_str)
                            .unwrap_or_default();
                        assert_eq!(secret, format!("{}-{}-kubeconfig", m.name, env.name));
                        let suspended = o.value.pointer("/spec/suspend").and_then(Value::as_bool).unwrap_or(false);
                        assert_eq!(suspended, env.production, "{name}: {}", o.name);
                    }
                    destinations.insert(prefix);
                }
                None => {}
            }
        }
        assert_eq!(destinations.len(), m.environments.len(), "{name}");
    }
}
