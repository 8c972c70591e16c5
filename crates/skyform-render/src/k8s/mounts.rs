//! What a pod mounts beyond writable paths and `storage`, and the objects behind it:
//! extra persistent volumes (claim templates), shared claims (one PVC per namespace,
//! pods co-located on one node so ReadWriteOnce works on every provider), configuration
//! files (ConfigMap `<service>-files`), secret files (from `<service>-secrets`), and the
//! workloads that are not long-running: one-shot Jobs. Also the LoadBalancer Service of
//! a service exposed outside the HTTP ingress.

use super::Ctx;
use crate::objects::{Object, meta, secret_name, selector_labels, service_labels};
use k8s_openapi::api::batch::v1::{Job, JobSpec};
use k8s_openapi::api::core::v1::{
    ConfigMap, ConfigMapVolumeSource, KeyToPath, PersistentVolumeClaim, PersistentVolumeClaimSpec,
    PersistentVolumeClaimVolumeSource, PodAffinity, PodAffinityTerm, PodTemplateSpec, SecretVolumeSource,
    Service as KService, ServicePort, ServiceSpec, Volume, VolumeMount, VolumeResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use skyform_model::{Protocol, Service};
use std::collections::BTreeMap;

/// Volume of a service's configuration files.
const FILES_VOLUME: &str = "files";
/// Volume of a service's secret files.
const SECRET_FILES_VOLUME: &str = "secret-files";

/// Name of the ConfigMap holding a service's `files`.
pub fn files_config_map_name(service: &str) -> String {
    format!("{service}-files")
}

/// Name of a service's LoadBalancer Service (`expose: {loadBalancer: true}`).
pub fn public_service_name(service: &str) -> String {
    format!("{service}-public")
}

/// Pod label marking the users of a shared claim (they are co-located on one node).
pub fn shared_volume_label(volume: &str) -> String {
    format!("volumes.skyform.dev/{volume}")
}

/// ConfigMap keys of `files`, by mount path: the path's characters a key allows, made
/// unique with a counter.
fn file_keys(s: &Service) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut used: Vec<String> = Vec::new();
    for path in s.files.keys() {
        let mut key: String = path
            .trim_start_matches('/')
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '_' })
            .collect();
        if key.len() > 200 {
            key = key[key.len() - 200..].to_string();
        }
        if key.is_empty() || key == "." || key == ".." {
            key = "file".into();
        }
        let base = key.clone();
        let mut n = 2;
        while used.contains(&key) {
            key = format!("{base}-{n}");
            n += 1;
        }
        used.push(key.clone());
        out.insert(path.clone(), key);
    }
    out
}

/// Secrets mounted as files: (variable, path).
fn secret_files(s: &Service) -> Vec<(&str, &str)> {
    s.secrets.iter().filter_map(|r| r.mount_path.as_deref().map(|p| (r.env.as_str(), p))).collect()
}

/// The container's extra mounts.
pub fn mounts(s: &Service) -> Vec<VolumeMount> {
    let mut out: Vec<VolumeMount> = s
        .volumes
        .iter()
        .map(|v| VolumeMount { name: v.name.clone(), mount_path: v.mount_path.clone(), ..VolumeMount::default() })
        .collect();
    for (path, key) in file_keys(s) {
        out.push(VolumeMount {
            name: FILES_VOLUME.into(),
            mount_path: path,
            sub_path: Some(key),
            read_only: Some(true),
            ..VolumeMount::default()
        });
    }
    for (env, path) in secret_files(s) {
        out.push(VolumeMount {
            name: SECRET_FILES_VOLUME.into(),
            mount_path: path.to_string(),
            sub_path: Some(env.to_string()),
            read_only: Some(true),
            ..VolumeMount::default()
        });
    }
    out
}

/// The pod's extra volumes (claim templates of a StatefulSet are not pod volumes).
pub fn volumes(s: &Service) -> Vec<Volume> {
    let mut out: Vec<Volume> = s
        .volumes
        .iter()
        .filter(|v| v.shared)
        .map(|v| Volume {
            name: v.name.clone(),
            persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
                claim_name: v.name.clone(),
                read_only: Some(false),
            }),
            ..Volume::default()
        })
        .collect();
    if !s.files.is_empty() {
        out.push(Volume {
            name: FILES_VOLUME.into(),
            config_map: Some(ConfigMapVolumeSource {
                name: files_config_map_name(&s.name),
                optional: Some(false),
                ..ConfigMapVolumeSource::default()
            }),
            ..Volume::default()
        });
    }
    let files = secret_files(s);
    if !files.is_empty() {
        out.push(Volume {
            name: SECRET_FILES_VOLUME.into(),
            secret: Some(SecretVolumeSource {
                secret_name: Some(secret_name(&s.name)),
                optional: Some(false),
                items: Some(
                    files
                        .iter()
                        .map(|(env, _)| KeyToPath { key: (*env).into(), path: (*env).into(), ..KeyToPath::default() })
                        .collect(),
                ),
                ..SecretVolumeSource::default()
            }),
            ..Volume::default()
        });
    }
    out
}

fn claim(
    name: &str,
    labels: BTreeMap<String, String>,
    namespace: Option<&str>,
    v: &skyform_model::Volume,
    class: &str,
) -> PersistentVolumeClaim {
    PersistentVolumeClaim {
        metadata: ObjectMeta {
            name: Some(name.to_string()),
            namespace: namespace.map(str::to_string),
            labels: Some(labels),
            ..ObjectMeta::default()
        },
        spec: Some(PersistentVolumeClaimSpec {
            access_modes: Some(vec!["ReadWriteOnce".into()]),
            storage_class_name: Some(class.to_string()),
            resources: Some(VolumeResourceRequirements {
                requests: Some(BTreeMap::from([("storage".to_string(), Quantity(v.size.to_string()))])),
                ..VolumeResourceRequirements::default()
            }),
            ..PersistentVolumeClaimSpec::default()
        }),
        ..PersistentVolumeClaim::default()
    }
}

/// Claim templates of a StatefulSet's own extra volumes.
pub fn claim_templates(cx: &Ctx<'_>, s: &Service) -> Vec<PersistentVolumeClaim> {
    s.volumes
        .iter()
        .filter(|v| !v.shared)
        .map(|v| {
            let class = super::provider::storage_class_name(cx.provider, v.class);
            claim(&v.name, service_labels(cx.model, s), None, v, class)
        })
        .collect()
}

/// Objects owned by the service beside its workload: the files ConfigMap, the shared
/// claims it is the first (by name) user of in its namespace, the LoadBalancer Service.
pub fn objects(cx: &Ctx<'_>, s: &Service) -> Vec<Object> {
    let mut out = Vec::new();
    if !s.files.is_empty() {
        let keys = file_keys(s);
        let data: BTreeMap<String, String> =
            s.files.iter().map(|(p, c)| (keys.get(p).cloned().unwrap_or_default(), c.clone())).collect();
        out.push(Object::typed(&ConfigMap {
            metadata: meta(
                &files_config_map_name(&s.name),
                Some(&s.namespace),
                service_labels(cx.model, s),
                BTreeMap::new(),
            ),
            data: Some(data),
            ..ConfigMap::default()
        }));
    }
    for v in s.volumes.iter().filter(|v| v.shared) {
        let first = cx
            .in_cluster_services()
            .filter(|x| x.namespace == s.namespace && x.volumes.iter().any(|y| y.shared && y.name == v.name))
            .map(|x| x.name.as_str())
            .min();
        if first == Some(s.name.as_str()) {
            let class = super::provider::storage_class_name(cx.provider, v.class);
            let mut labels = crate::objects::platform_labels(cx.model);
            labels.insert(shared_volume_label(&v.name), "true".into());
            out.push(Object::typed(&claim(&v.name, labels, Some(&s.namespace), v, class)));
        }
    }
    if let Some(e) = s.expose.as_ref().filter(|e| e.load_balancer) {
        out.push(Object::typed(&KService {
            metadata: meta(
                &public_service_name(&s.name),
                Some(&s.namespace),
                service_labels(cx.model, s),
                BTreeMap::new(),
            ),
            spec: Some(ServiceSpec {
                type_: Some("LoadBalancer".into()),
                selector: Some(selector_labels(cx.model, &s.name)),
                ports: Some(vec![ServicePort {
                    name: Some(e.port.name.clone()),
                    port: i32::from(e.port.port),
                    target_port: Some(IntOrString::String(e.port.name.clone())),
                    protocol: Some(if e.port.protocol == Protocol::Udp { "UDP".into() } else { "TCP".into() }),
                    ..ServicePort::default()
                }]),
                ..ServiceSpec::default()
            }),
            ..KService::default()
        }));
    }
    out
}

/// Extra pod-template labels: membership of shared claims.
pub fn pod_labels(s: &Service) -> BTreeMap<String, String> {
    s.volumes.iter().filter(|v| v.shared).map(|v| (shared_volume_label(&v.name), "true".to_string())).collect()
}

/// Required co-location with the other users of each shared claim (ReadWriteOnce claims
/// mount on one node; the first pod places the group).
pub fn pod_affinity(s: &Service) -> Option<PodAffinity> {
    let terms: Vec<PodAffinityTerm> = s
        .volumes
        .iter()
        .filter(|v| v.shared)
        .map(|v| PodAffinityTerm {
            label_selector: Some(LabelSelector {
                match_labels: Some(BTreeMap::from([(shared_volume_label(&v.name), "true".to_string())])),
                ..LabelSelector::default()
            }),
            topology_key: "kubernetes.io/hostname".into(),
            ..PodAffinityTerm::default()
        })
        .collect();
    (!terms.is_empty()).then(|| PodAffinity {
        required_during_scheduling_ignored_during_execution: Some(terms),
        ..PodAffinity::default()
    })
}

/// A one-shot Job: runs to completion, retried a few times; kept after it finishes so that
/// re-applying the same manifests does not run it again.
pub fn job(cx: &Ctx<'_>, s: &Service, mut template: PodTemplateSpec) -> Object {
    if let Some(spec) = template.spec.as_mut() {
        spec.restart_policy = Some("OnFailure".into());
    }
    let mut m = meta(&s.name, Some(&s.namespace), service_labels(cx.model, s), BTreeMap::new());
    // GitOps tools run it before the long-running services that wait for it.
    m.annotations = Some(BTreeMap::from([("argocd.argoproj.io/sync-wave".to_string(), "-1".to_string())]));
    Object::typed(&Job {
        metadata: m,
        spec: Some(JobSpec {
            backoff_limit: Some(6),
            ttl_seconds_after_finished: None,
            template,
            ..JobSpec::default()
        }),
        ..Job::default()
    })
}
