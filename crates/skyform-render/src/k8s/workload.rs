//! Per-service objects: identity (ServiceAccount, RBAC), configuration, the workload
//! itself (Deployment, StatefulSet or Knative Service), its Services, scaling (HPA or KEDA),
//! disruption budget and public exposure (Ingress or Knative DomainMapping).
//!
//! Secret contract (for the secrets add-on): a service with `secrets:` reads each variable
//! from the Secret `<service>-secrets` in its own namespace, key = variable name. A service
//! scaled on a queue additionally needs key `KEDA_QUEUE_HOST` (the queue's connection URL
//! with credentials) in that Secret, read by KEDA through a TriggerAuthentication.

use super::provider::placement;
use super::{Ctx, replication, wiring};
use crate::objects::{
    Object, config_map_name, headless_name, meta, secret_name, selector_labels, service_labels, tls_secret_name,
    volume_name_for_path,
};
use crate::output::sha256_hex;
use k8s_openapi::api::apps::v1::{
    Deployment, DeploymentSpec, DeploymentStrategy, RollingUpdateDeployment, StatefulSet, StatefulSetSpec,
};
use k8s_openapi::api::autoscaling::v2::{
    CrossVersionObjectReference, HorizontalPodAutoscaler, HorizontalPodAutoscalerSpec, MetricSpec, MetricTarget,
    ResourceMetricSource,
};
use k8s_openapi::api::core::v1::{
    Affinity, Capabilities, ConfigMap, ConfigMapEnvSource, ConfigMapVolumeSource, Container, ContainerPort,
    EmptyDirVolumeSource, EnvFromSource, EnvVar, EnvVarSource, ExecAction, HTTPGetAction, PersistentVolumeClaim,
    PersistentVolumeClaimSpec, PodAffinityTerm, PodAntiAffinity, PodSecurityContext, PodSpec, PodTemplateSpec, Probe,
    ResourceRequirements, SeccompProfile, SecretKeySelector, SecurityContext, Service as KService, ServiceAccount,
    ServicePort, ServiceSpec, TCPSocketAction, TopologySpreadConstraint, Volume, VolumeMount,
    VolumeResourceRequirements, WeightedPodAffinityTerm,
};
use k8s_openapi::api::networking::v1::{
    HTTPIngressPath, HTTPIngressRuleValue, Ingress, IngressBackend, IngressRule, IngressServiceBackend, IngressSpec,
    IngressTLS, ServiceBackendPort,
};
use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetSpec};
use k8s_openapi::api::rbac::v1::{PolicyRule, Role, RoleBinding, RoleRef, Subject};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde_json::{Map, Value, json};
use skyform_model::{ComponentKind, ProbeAction, Protocol, Service, StorageClassName, WorkloadKind};
use std::collections::BTreeMap;

/// Queue-proxy port of Knative pods (what callers and the activator connect to).
pub const KNATIVE_QUEUE_PORT: u16 = 8012;

/// Everything rendered for one in-cluster service.
pub fn service_objects(cx: &Ctx<'_>, s: &Service) -> Vec<Object> {
    let mut out = Vec::new();
    if wiring::cnpg(cx, s) {
        // CloudNativePG creates the pods, Services, ServiceAccount and PDB.
        return out;
    }
    out.push(service_account(cx, s));
    if !s.rbac.is_empty() {
        out.extend(rbac(cx, s));
    }
    let config = config_map(cx, s);
    let checksum = config.as_ref().map(|(_, data)| config_checksum(data));
    if let Some((cm, _)) = config {
        out.push(cm);
    }
    out.extend(super::mounts::objects(cx, s));
    match s.workload {
        WorkloadKind::Knative => {
            out.push(knative_service(cx, s, checksum.as_deref()));
            if let Some(dm) = domain_mapping(cx, s) {
                out.push(dm);
            }
            return out;
        }
        WorkloadKind::Job => {
            out.push(super::mounts::job(cx, s, pod_template(cx, s, checksum.as_deref())));
            return out;
        }
        WorkloadKind::Deployment => {
            // A Service needs ports: a service that listens on none gets no Service.
            if !s.ports.is_empty() {
                out.push(cluster_ip_service(cx, s));
            }
            out.push(deployment(cx, s, checksum.as_deref()));
        }
        WorkloadKind::StatefulSet => {
            if !s.ports.is_empty() {
                out.push(cluster_ip_service(cx, s));
            }
            out.push(headless_service(cx, s));
            out.push(stateful_set(cx, s, checksum.as_deref()));
        }
    }
    out.extend(scaling(cx, s));
    if let Some(pdb) = disruption_budget(cx, s) {
        out.push(pdb);
    }
    if let Some(ing) = ingress(cx, s) {
        out.push(ing);
    }
    out
}

fn labels(cx: &Ctx<'_>, s: &Service) -> BTreeMap<String, String> {
    service_labels(cx.model, s)
}

fn obj_meta(cx: &Ctx<'_>, s: &Service, name: &str) -> ObjectMeta {
    meta(name, Some(&s.namespace), labels(cx, s), BTreeMap::new())
}

fn selector(cx: &Ctx<'_>, s: &Service) -> LabelSelector {
    LabelSelector { match_labels: Some(selector_labels(cx.model, &s.name)), ..LabelSelector::default() }
}

/// Whether an autoscaler (HPA or KEDA) owns the replica count.
pub fn autoscaled(s: &Service) -> bool {
    s.workload != WorkloadKind::Knative && s.replicas.is_range()
}

fn service_account(cx: &Ctx<'_>, s: &Service) -> Object {
    Object::typed(&ServiceAccount {
        metadata: obj_meta(cx, s, &s.name),
        automount_service_account_token: Some(!s.rbac.is_empty()),
        ..ServiceAccount::default()
    })
}

fn rbac(cx: &Ctx<'_>, s: &Service) -> Vec<Object> {
    let sorted = |v: &[String]| {
        let mut v = v.to_vec();
        v.sort();
        v.dedup();
        v
    };
    let rules = s
        .rbac
        .iter()
        .map(|r| PolicyRule {
            api_groups: Some(sorted(&r.api_groups)).filter(|g| !g.is_empty()).or_else(|| Some(vec![String::new()])),
            resources: Some(sorted(&r.resources)),
            verbs: sorted(&r.verbs),
            resource_names: Some(sorted(&r.resource_names)).filter(|n| !n.is_empty()),
            ..PolicyRule::default()
        })
        .collect();
    let role = Role { metadata: obj_meta(cx, s, &s.name), rules: Some(rules) };
    let binding = RoleBinding {
        metadata: obj_meta(cx, s, &s.name),
        role_ref: RoleRef {
            api_group: Some("rbac.authorization.k8s.io".into()),
            kind: "Role".into(),
            name: s.name.clone(),
        },
        subjects: Some(vec![Subject {
            kind: "ServiceAccount".into(),
            name: s.name.clone(),
            namespace: Some(s.namespace.clone()),
            ..Subject::default()
        }]),
    };
    vec![Object::typed(&role), Object::typed(&binding)]
}

fn config_map(cx: &Ctx<'_>, s: &Service) -> Option<(Object, BTreeMap<String, String>)> {
    let (data, _) = wiring::rewrite_env(cx, s);
    if data.is_empty() {
        return None;
    }
    let cm = ConfigMap {
        metadata: obj_meta(cx, s, &config_map_name(&s.name)),
        data: Some(data.clone()),
        ..ConfigMap::default()
    };
    Some((Object::typed(&cm), data))
}

/// SHA-256 of the ConfigMap data in canonical JSON (keys sorted by the BTreeMap).
pub fn config_checksum(data: &BTreeMap<String, String>) -> String {
    sha256_hex(serde_json::to_string(data).unwrap_or_default().as_bytes())
}

fn protocol(p: Protocol) -> String {
    match p {
        Protocol::Tcp => "TCP".into(),
        Protocol::Udp => "UDP".into(),
    }
}

fn service_ports(s: &Service) -> Vec<ServicePort> {
    s.ports
        .iter()
        .map(|p| ServicePort {
            name: Some(p.name.clone()),
            port: i32::from(p.port),
            target_port: Some(IntOrString::String(p.name.clone())),
            protocol: Some(protocol(p.protocol)),
            ..ServicePort::default()
        })
        .collect()
}

fn cluster_ip_service(cx: &Ctx<'_>, s: &Service) -> Object {
    Object::typed(&KService {
        metadata: obj_meta(cx, s, &s.name),
        spec: Some(ServiceSpec {
            type_: Some("ClusterIP".into()),
            selector: Some(replication::client_selector(cx, s)),
            ports: Some(service_ports(s)),
            ..ServiceSpec::default()
        }),
        ..KService::default()
    })
}

fn headless_service(cx: &Ctx<'_>, s: &Service) -> Object {
    Object::typed(&KService {
        metadata: obj_meta(cx, s, &headless_name(&s.name)),
        spec: Some(ServiceSpec {
            cluster_ip: Some("None".into()),
            publish_not_ready_addresses: Some(true),
            selector: Some(selector_labels(cx.model, &s.name)),
            ports: Some(service_ports(s)).filter(|p| !p.is_empty()),
            ..ServiceSpec::default()
        }),
        ..KService::default()
    })
}

fn probe_port(s: &Service, port: &str) -> IntOrString {
    if s.ports.iter().any(|p| p.name == port) {
        IntOrString::String(port.to_string())
    } else if let Ok(n) = port.parse::<i32>() {
        IntOrString::Int(n)
    } else {
        IntOrString::String(port.to_string())
    }
}

fn probe(s: &Service, p: &skyform_model::Probe, knative: bool) -> Probe {
    let mut out = Probe {
        initial_delay_seconds: (p.initial_delay_seconds > 0).then_some(int(p.initial_delay_seconds)),
        period_seconds: Some(int(p.period_seconds)),
        failure_threshold: Some(int(p.failure_threshold)),
        timeout_seconds: Some(3),
        ..Probe::default()
    };
    // Knative probes the (single) user port itself; a port name is not allowed there.
    match &p.action {
        ProbeAction::Http { path, port } => {
            out.http_get = Some(HTTPGetAction {
                // An in-cluster Vault serves TLS only (the kubelet does not verify it).
                scheme: (s.component == Some(ComponentKind::Vault)).then(|| "HTTPS".to_string()),
                path: Some(path.clone()),
                port: if knative { IntOrString::Int(0) } else { probe_port(s, port) },
                ..HTTPGetAction::default()
            });
        }
        ProbeAction::Tcp { port } => {
            out.tcp_socket = Some(TCPSocketAction {
                port: if knative { IntOrString::Int(0) } else { probe_port(s, port) },
                ..TCPSocketAction::default()
            });
        }
        ProbeAction::Exec { command } => out.exec = Some(ExecAction { command: Some(command.clone()) }),
    }
    out
}

/// A model count as a Kubernetes int32, saturating instead of wrapping.
fn int(v: u32) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

fn quantity(s: impl ToString) -> Quantity {
    Quantity(s.to_string())
}

fn container_security(s: &Service) -> SecurityContext {
    SecurityContext {
        allow_privilege_escalation: Some(false),
        privileged: Some(false),
        read_only_root_filesystem: Some(true),
        run_as_non_root: Some(true),
        run_as_user: Some(s.security.run_as_user),
        run_as_group: Some(s.security.run_as_user),
        capabilities: Some(Capabilities { drop: Some(vec!["ALL".into()]), ..Capabilities::default() }),
        seccomp_profile: Some(SeccompProfile { type_: "RuntimeDefault".into(), ..SeccompProfile::default() }),
        ..SecurityContext::default()
    }
}

fn writable_paths(s: &Service) -> Vec<&str> {
    let data = s.storage.as_ref().map(|st| st.mount_path.as_str());
    s.security.writable_paths.iter().map(String::as_str).filter(|p| Some(*p) != data).collect()
}

fn container(cx: &Ctx<'_>, s: &Service, knative: bool) -> Container {
    let (config, moved) = wiring::rewrite_env(cx, s);
    let wired = wiring::wired_vars(cx, s);
    let mut env: Vec<EnvVar> = s
        .secrets
        .iter()
        .filter(|r| !wired.contains_key(&r.env))
        .filter(|r| r.mount_path.is_none())
        .map(|r| EnvVar {
            name: r.env.clone(),
            value_from: Some(EnvVarSource {
                secret_key_ref: Some(SecretKeySelector {
                    name: secret_name(&s.name),
                    key: r.env.clone(),
                    optional: Some(false),
                }),
                ..EnvVarSource::default()
            }),
            ..EnvVar::default()
        })
        .collect();
    env.extend(component_env(s));
    env.extend(wiring::wired_env(cx, s));
    if wiring::vault_dependency(cx, s).is_some() && !s.env.contains_key("VAULT_CACERT") {
        env.push(EnvVar {
            name: "VAULT_CACERT".into(),
            value: Some(format!("{}/ca.crt", wiring::VAULT_CA_DIR)),
            ..EnvVar::default()
        });
    }
    env.sort_by(|a, b| a.name.cmp(&b.name));
    // Values with `$(VAR)` references come after the variables they reference.
    let mut moved = moved;
    moved.sort_by(|a, b| a.name.cmp(&b.name));
    env.extend(moved);
    let mut mounts: Vec<VolumeMount> = writable_paths(s)
        .into_iter()
        .map(|p| VolumeMount { name: volume_name_for_path(p), mount_path: p.to_string(), ..VolumeMount::default() })
        .collect();
    if let Some(st) = &s.storage {
        mounts.push(VolumeMount { name: "data".into(), mount_path: st.mount_path.clone(), ..VolumeMount::default() });
    }
    for (name, _, path) in tls_mounts(cx, s) {
        mounts.push(VolumeMount { name, mount_path: path, read_only: Some(true), ..VolumeMount::default() });
    }
    if needs_api_token(s) {
        mounts.push(VolumeMount {
            name: API_TOKEN_VOLUME.into(),
            mount_path: API_TOKEN_PATH.into(),
            read_only: Some(true),
            ..VolumeMount::default()
        });
    }
    mounts.extend(super::mounts::mounts(s));
    if let Some(dir) = s.component.and_then(component_config_dir) {
        mounts.push(VolumeMount {
            name: COMPONENT_CONFIG_VOLUME.into(),
            mount_path: dir.to_string(),
            read_only: Some(true),
            ..VolumeMount::default()
        });
    }
    mounts.sort_by(|a, b| a.mount_path.cmp(&b.mount_path));
    let ports: Vec<ContainerPort> = if knative {
        knative_port(s)
            .map(|p| ContainerPort {
                name: Some("http1".into()),
                container_port: i32::from(p.port),
                ..ContainerPort::default()
            })
            .into_iter()
            .collect()
    } else {
        s.ports
            .iter()
            .map(|p| ContainerPort {
                name: Some(p.name.clone()),
                container_port: i32::from(p.port),
                protocol: Some(protocol(p.protocol)),
                ..ContainerPort::default()
            })
            .collect()
    };
    let r = &s.resources;
    Container {
        name: s.name.clone(),
        image: Some(s.image.clone()),
        image_pull_policy: Some("Always".into()),
        command: (!s.command.is_empty()).then(|| s.command.clone()),
        args: (!s.args.is_empty()).then(|| s.args.clone()),
        ports: (!ports.is_empty()).then_some(ports),
        env: (!env.is_empty()).then_some(env),
        env_from: (!config.is_empty()).then(|| {
            vec![EnvFromSource {
                config_map_ref: Some(ConfigMapEnvSource { name: config_map_name(&s.name), optional: Some(false) }),
                ..EnvFromSource::default()
            }]
        }),
        resources: Some(ResourceRequirements {
            requests: Some(BTreeMap::from([
                ("cpu".to_string(), quantity(r.cpu_request)),
                ("memory".to_string(), quantity(r.memory_request)),
            ])),
            limits: Some(BTreeMap::from([
                ("cpu".to_string(), quantity(r.cpu_limit)),
                ("memory".to_string(), quantity(r.memory_limit)),
            ])),
            ..ResourceRequirements::default()
        }),
        liveness_probe: (!s.probes.disabled).then(|| probe(s, &s.probes.liveness, knative)),
        readiness_probe: (!s.probes.disabled).then(|| probe(s, &s.probes.readiness, knative)),
        startup_probe: s.probes.startup.as_ref().filter(|_| !s.probes.disabled).map(|p| probe(s, p, knative)),
        security_context: Some(container_security(s)),
        volume_mounts: (!mounts.is_empty()).then_some(mounts),
        ..Container::default()
    }
}

/// Volume holding a component's configuration files (see [`component_config_dir`]).
const COMPONENT_CONFIG_VOLUME: &str = "component-config";

/// Components whose configuration the add-ons render as ConfigMap
/// `<service>-component-config`, and where the workload mounts it.
pub fn component_config_dir(kind: skyform_model::ComponentKind) -> Option<&'static str> {
    match kind {
        skyform_model::ComponentKind::Vault => Some("/vault/config"),
        skyform_model::ComponentKind::Kratos => Some("/etc/config/kratos"),
        _ => None,
    }
}

/// Name of the ConfigMap with a component's configuration files.
pub fn component_config_name(service: &str) -> String {
    format!("{service}-component-config")
}

/// Secret volumes of TLS material: `(volume, secret, mount path)` — an in-cluster
/// Vault's serving certificate, and the internal CA in the pods of Vault's clients.
fn tls_mounts(cx: &Ctx<'_>, s: &Service) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    if wiring::vault_tls(cx, s) {
        out.push(("vault-tls".into(), wiring::vault_server_tls_secret(&s.name), wiring::VAULT_TLS_DIR.into()));
    }
    if let Some(v) = wiring::vault_dependency(cx, s) {
        out.push(("vault-ca".into(), wiring::vault_ca_secret(&v.name), wiring::VAULT_CA_DIR.into()));
    }
    out
}

/// Per-pod addresses Vault's Raft cluster needs, from the downward API.
fn component_env(s: &Service) -> Vec<EnvVar> {
    if s.component != Some(skyform_model::ComponentKind::Vault) {
        return Vec::new();
    }
    let field = |name: &str, path: &str| EnvVar {
        name: name.into(),
        value_from: Some(EnvVarSource {
            field_ref: Some(k8s_openapi::api::core::v1::ObjectFieldSelector {
                field_path: path.into(),
                ..Default::default()
            }),
            ..EnvVarSource::default()
        }),
        ..EnvVar::default()
    };
    let value = |name: &str, v: String| EnvVar { name: name.into(), value: Some(v), ..EnvVar::default() };
    let api = s.port("api").map_or(8200, |p| p.port);
    let cluster = s.port("cluster").map_or(8201, |p| p.port);
    vec![
        field("POD_IP", "status.podIP"),
        field("POD_NAME", "metadata.name"),
        value(
            "VAULT_API_ADDR",
            format!("https://$(POD_NAME).{}.{}.svc.cluster.local:{api}", headless_name(&s.name), s.namespace),
        ),
        value("VAULT_CACERT", format!("{}/ca.crt", wiring::VAULT_TLS_DIR)),
        value(
            "VAULT_CLUSTER_ADDR",
            format!("https://$(POD_NAME).{}.{}.svc.cluster.local:{cluster}", headless_name(&s.name), s.namespace),
        ),
    ]
}

/// Whether the pod needs an API token although it has no RBAC rules of its own: Vault,
/// whose Kubernetes auth method calls the TokenReview API with its own token. Such pods
/// keep `automountServiceAccountToken: false` and mount the token explicitly through a
/// projected volume ([`API_TOKEN_VOLUME`]), so the exception is visible in the manifest.
pub fn needs_api_token(s: &Service) -> bool {
    s.rbac.is_empty() && s.component == Some(skyform_model::ComponentKind::Vault)
}

/// The projected service-account token volume of [`needs_api_token`] pods.
const API_TOKEN_VOLUME: &str = "kube-api-access";
/// Where Kubernetes clients look for the in-cluster token and CA.
const API_TOKEN_PATH: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

fn api_token_volume() -> Volume {
    use k8s_openapi::api::core::v1::{
        ConfigMapProjection, DownwardAPIProjection, DownwardAPIVolumeFile, KeyToPath, ProjectedVolumeSource,
        ServiceAccountTokenProjection, VolumeProjection,
    };
    Volume {
        name: API_TOKEN_VOLUME.into(),
        projected: Some(ProjectedVolumeSource {
            sources: Some(vec![
                VolumeProjection {
                    service_account_token: Some(ServiceAccountTokenProjection {
                        path: "token".into(),
                        expiration_seconds: Some(3607),
                        ..ServiceAccountTokenProjection::default()
                    }),
                    ..VolumeProjection::default()
                },
                VolumeProjection {
                    config_map: Some(ConfigMapProjection {
                        name: "kube-root-ca.crt".into(),
                        items: Some(vec![KeyToPath {
                            key: "ca.crt".into(),
                            path: "ca.crt".into(),
                            ..KeyToPath::default()
                        }]),
                        ..ConfigMapProjection::default()
                    }),
                    ..VolumeProjection::default()
                },
                VolumeProjection {
                    downward_api: Some(DownwardAPIProjection {
                        items: Some(vec![DownwardAPIVolumeFile {
                            path: "namespace".into(),
                            field_ref: Some(k8s_openapi::api::core::v1::ObjectFieldSelector {
                                field_path: "metadata.namespace".into(),
                                ..Default::default()
                            }),
                            ..DownwardAPIVolumeFile::default()
                        }]),
                    }),
                    ..VolumeProjection::default()
                },
            ]),
            ..ProjectedVolumeSource::default()
        }),
        ..Volume::default()
    }
}

fn volumes(cx: &Ctx<'_>, s: &Service) -> Vec<Volume> {
    let mut v: Vec<Volume> = writable_paths(s)
        .into_iter()
        .map(|p| Volume {
            name: volume_name_for_path(p),
            empty_dir: Some(EmptyDirVolumeSource::default()),
            ..Volume::default()
        })
        .collect();
    if needs_api_token(s) {
        v.push(api_token_volume());
    }
    for (name, secret, _) in tls_mounts(cx, s) {
        v.push(Volume {
            name,
            secret: Some(k8s_openapi::api::core::v1::SecretVolumeSource {
                secret_name: Some(secret),
                optional: Some(false),
                ..Default::default()
            }),
            ..Volume::default()
        });
    }
    v.extend(super::mounts::volumes(s));
    if s.component.and_then(component_config_dir).is_some() {
        v.push(Volume {
            name: COMPONENT_CONFIG_VOLUME.into(),
            config_map: Some(ConfigMapVolumeSource {
                name: component_config_name(&s.name),
                optional: Some(false),
                ..ConfigMapVolumeSource::default()
            }),
            ..Volume::default()
        });
    }
    v.sort_by(|a, b| a.name.cmp(&b.name));
    v
}

fn pod_spec(cx: &Ctx<'_>, s: &Service) -> PodSpec {
    let stateful = s.workload == WorkloadKind::StatefulSet;
    let (node_affinity, tolerations) = placement(cx.provider, s.spot, stateful);
    let spread = s.replicas.max > 1;
    let anti = spread.then(|| PodAntiAffinity {
        preferred_during_scheduling_ignored_during_execution: Some(vec![WeightedPodAffinityTerm {
            weight: 100,
            pod_affinity_term: PodAffinityTerm {
                label_selector: Some(selector(cx, s)),
                topology_key: "kubernetes.io/hostname".into(),
                ..PodAffinityTerm::default()
            },
        }]),
        ..PodAntiAffinity::default()
    });
    let co_located = super::mounts::pod_affinity(s);
    let affinity = (node_affinity.is_some() || anti.is_some() || co_located.is_some()).then_some(Affinity {
        node_affinity,
        pod_anti_affinity: anti,
        pod_affinity: co_located,
    });
    let topology = spread.then(|| {
        ["kubernetes.io/hostname", "topology.kubernetes.io/zone"]
            .into_iter()
            .map(|key| TopologySpreadConstraint {
                max_skew: 1,
                topology_key: key.into(),
                when_unsatisfiable: "ScheduleAnyway".into(),
                label_selector: Some(selector(cx, s)),
                ..TopologySpreadConstraint::default()
            })
            .collect()
    });
    let vols = volumes(cx, s);
    let mut pod = PodSpec {
        service_account_name: Some(s.name.clone()),
        automount_service_account_token: Some(!s.rbac.is_empty()),
        enable_service_links: Some(false),
        security_context: Some(PodSecurityContext {
            run_as_non_root: Some(true),
            run_as_user: Some(s.security.run_as_user),
            run_as_group: Some(s.security.run_as_user),
            fs_group: Some(s.security.run_as_user),
            seccomp_profile: Some(SeccompProfile { type_: "RuntimeDefault".into(), ..SeccompProfile::default() }),
            ..PodSecurityContext::default()
        }),
        containers: vec![container(cx, s, false)],
        volumes: (!vols.is_empty()).then_some(vols),
        affinity,
        tolerations: (!tolerations.is_empty()).then_some(tolerations),
        topology_spread_constraints: topology,
        ..PodSpec::default()
    };
    replication::adjust_pod(cx, s, &mut pod);
    if s.component == Some(ComponentKind::Kratos)
        && let Some(c) = pod.containers.first()
    {
        pod.init_containers = Some(vec![kratos_wait_for_migrations(c)]);
    }
    pod
}

/// Kratos must not serve before its SQL migrations ran (the `<kratos>-migrate` Job of
/// the identity add-on): `kratos migrate status --block` waits until they have, in
/// every delivery path (plain apply, Helm, Argo CD, Flux).
fn kratos_wait_for_migrations(main: &Container) -> Container {
    let config = main.args.as_ref().and_then(|a| a.iter().position(|x| x == "--config").and_then(|i| a.get(i + 1)));
    let mut args = vec!["migrate".to_string(), "status".into(), "-e".into(), "--block".into()];
    if let Some(c) = config {
        args.extend(["--config".to_string(), c.clone()]);
    }
    Container {
        name: "wait-for-migrations".into(),
        image: main.image.clone(),
        image_pull_policy: main.image_pull_policy.clone(),
        args: Some(args),
        env: main.env.as_ref().map(|e| e.iter().filter(|v| v.name == "DSN").cloned().collect()),
        env_from: main.env_from.clone(),
        resources: main.resources.clone(),
        security_context: main.security_context.clone(),
        volume_mounts: main.volume_mounts.clone(),
        ..Container::default()
    }
}

fn pod_template(cx: &Ctx<'_>, s: &Service, checksum: Option<&str>) -> PodTemplateSpec {
    let annotations: BTreeMap<String, String> =
        checksum.map(|c| BTreeMap::from([("checksum/config".to_string(), c.to_string())])).unwrap_or_default();
    let mut pod_labels = labels(cx, s);
    pod_labels.extend(super::mounts::pod_labels(s));
    PodTemplateSpec {
        metadata: Some(ObjectMeta {
            labels: Some(pod_labels),
            annotations: (!annotations.is_empty()).then_some(annotations),
            ..ObjectMeta::default()
        }),
        spec: Some(pod_spec(cx, s)),
    }
}

fn replicas(s: &Service) -> Option<i32> {
    (!autoscaled(s)).then_some(int(s.replicas.min))
}

fn deployment(cx: &Ctx<'_>, s: &Service, checksum: Option<&str>) -> Object {
    Object::typed(&Deployment {
        metadata: obj_meta(cx, s, &s.name),
        spec: DeploymentSpec {
            replicas: replicas(s),
            revision_history_limit: Some(5),
            selector: selector(cx, s),
            strategy: Some(DeploymentStrategy {
                type_: Some("RollingUpdate".into()),
                rolling_update: Some(RollingUpdateDeployment {
                    max_surge: Some(IntOrString::Int(1)),
                    max_unavailable: Some(IntOrString::Int(0)),
                }),
            }),
            template: pod_template(cx, s, checksum),
            ..DeploymentSpec::default()
        },
        ..Deployment::default()
    })
}

fn storage_class(provider: skyform_model::ProviderName, c: StorageClassName) -> &'static str {
    crate::k8s::provider::storage_class_name(provider, c)
}

fn stateful_set(cx: &Ctx<'_>, s: &Service, checksum: Option<&str>) -> Object {
    let mut claims = s.storage.as_ref().map(|st| {
        vec![PersistentVolumeClaim {
            metadata: ObjectMeta { name: Some("data".into()), labels: Some(labels(cx, s)), ..ObjectMeta::default() },
            spec: Some(PersistentVolumeClaimSpec {
                access_modes: Some(vec!["ReadWriteOnce".into()]),
                storage_class_name: Some(storage_class(cx.provider, st.class).into()),
                resources: Some(VolumeResourceRequirements {
                    requests: Some(BTreeMap::from([("storage".to_string(), quantity(st.size))])),
                    ..VolumeResourceRequirements::default()
                }),
                ..PersistentVolumeClaimSpec::default()
            }),
            ..PersistentVolumeClaim::default()
        }]
    });
    let extra = super::mounts::claim_templates(cx, s);
    if !extra.is_empty() {
        claims.get_or_insert_with(Vec::new).extend(extra);
    }
    let mut spec = StatefulSetSpec {
        replicas: replicas(s),
        revision_history_limit: Some(5),
        selector: selector(cx, s),
        service_name: Some(headless_name(&s.name)),
        template: pod_template(cx, s, checksum),
        volume_claim_templates: claims,
        ..StatefulSetSpec::default()
    };
    replication::adjust_stateful_set(cx, s, &mut spec);
    Object::typed(&StatefulSet { metadata: obj_meta(cx, s, &s.name), spec, ..StatefulSet::default() })
}

fn scaling(cx: &Ctx<'_>, s: &Service) -> Vec<Object> {
    if !autoscaled(s) {
        return Vec::new();
    }
    let kind = if s.workload == WorkloadKind::StatefulSet { "StatefulSet" } else { "Deployment" };
    let cpu = s.autoscale.as_ref().and_then(|a| a.cpu_percent);
    let memory = s.autoscale.as_ref().and_then(|a| a.memory_percent);
    // A range without targets scales on CPU at 80%.
    let cpu = if cpu.is_none() && memory.is_none() { Some(80) } else { cpu };
    let min = s.replicas.min.max(1);
    if let Some(q) = s.autoscale.as_ref().and_then(|a| a.queue.as_ref()) {
        return keda(
            cx,
            s,
            kind,
            q,
            cpu.filter(|_| s.autoscale.as_ref().is_some_and(|a| a.cpu_percent.is_some())),
            memory,
        );
    }
    let mut metrics = Vec::new();
    for (name, target) in [("cpu", cpu), ("memory", memory)] {
        if let Some(t) = target {
            metrics.push(MetricSpec {
                type_: "Resource".into(),
                resource: Some(ResourceMetricSource {
                    name: name.into(),
                    target: MetricTarget {
                        type_: "Utilization".into(),
                        average_utilization: Some(int(t)),
                        ..MetricTarget::default()
                    },
                }),
                ..MetricSpec::default()
            });
        }
    }
    vec![Object::typed(&HorizontalPodAutoscaler {
        metadata: obj_meta(cx, s, &s.name),
        spec: HorizontalPodAutoscalerSpec {
            scale_target_ref: CrossVersionObjectReference {
                api_version: Some("apps/v1".into()),
                kind: kind.into(),
                name: s.name.clone(),
            },
            min_replicas: Some(int(min)),
            max_replicas: int(s.replicas.max),
            metrics: Some(metrics),
            ..HorizontalPodAutoscalerSpec::default()
        },
        ..HorizontalPodAutoscaler::default()
    })]
}

fn keda(
    cx: &Ctx<'_>,
    s: &Service,
    kind: &str,
    q: &skyform_model::QueueScale,
    cpu: Option<u32>,
    memory: Option<u32>,
) -> Vec<Object> {
    let queue_component = cx.env.service(&q.service).and_then(|x| x.component);
    let auth_name = format!("{}-queue", s.name);
    let mut triggers = Vec::new();
    match queue_component {
        Some(ComponentKind::Redis) => triggers.push(json!({
            "type": "redis",
            "metadata": {"listName": q.queue, "listLength": q.target.to_string()},
            "authenticationRef": {"name": auth_name},
        })),
        _ => triggers.push(json!({
            "type": "rabbitmq",
            "metadata": {"protocol": "amqp", "queueName": q.queue, "mode": "QueueLength", "value": q.target.to_string()},
            "authenticationRef": {"name": auth_name},
        })),
    }
    for (name, t) in [("cpu", cpu), ("memory", memory)] {
        if let Some(t) = t {
            triggers.push(json!({"type": name, "metricType": "Utilization", "metadata": {"value": t.to_string()}}));
        }
    }
    let param = if queue_component == Some(ComponentKind::Redis) { "address" } else { "host" };
    let mut auth_body = Map::new();
    auth_body.insert(
        "spec".into(),
        json!({"secretTargetRef": [{"parameter": param, "name": secret_name(&s.name), "key": "KEDA_QUEUE_HOST"}]}),
    );
    let mut body = Map::new();
    body.insert(
        "spec".into(),
        json!({
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": kind, "name": s.name},
            "minReplicaCount": s.replicas.min.max(1),
            "maxReplicaCount": s.replicas.max,
            "triggers": triggers,
        }),
    );
    vec![
        Object::custom("keda.sh/v1alpha1", "TriggerAuthentication", obj_meta(cx, s, &auth_name), auth_body),
        Object::custom("keda.sh/v1alpha1", "ScaledObject", obj_meta(cx, s, &s.name), body),
    ]
}

fn disruption_budget(cx: &Ctx<'_>, s: &Service) -> Option<Object> {
    (s.replicas.min >= 2).then(|| {
        Object::typed(&PodDisruptionBudget {
            metadata: obj_meta(cx, s, &s.name),
            spec: Some(PodDisruptionBudgetSpec {
                max_unavailable: Some(IntOrString::Int(1)),
                selector: Some(selector(cx, s)),
                unhealthy_pod_eviction_policy: Some("AlwaysAllow".into()),
                ..PodDisruptionBudgetSpec::default()
            }),
            ..PodDisruptionBudget::default()
        })
    })
}

fn ingress(cx: &Ctx<'_>, s: &Service) -> Option<Object> {
    // With Gateway API exposure the route comes from `gateway::objects`; a LoadBalancer
    // exposure has its own Service.
    let e = s.expose.as_ref().filter(|e| !e.load_balancer && cx.model.ingress.gateway.is_none())?;
    let mut m = obj_meta(cx, s, &s.name);
    if e.tls {
        m.annotations = Some(BTreeMap::from([(
            "cert-manager.io/cluster-issuer".to_string(),
            cx.model.ingress.issuer.name.clone(),
        )]));
    }
    Some(Object::typed(&Ingress {
        metadata: m,
        spec: Some(IngressSpec {
            ingress_class_name: Some(cx.model.ingress.class_name.clone()),
            rules: Some(vec![IngressRule {
                host: Some(e.host.clone()),
                http: Some(HTTPIngressRuleValue {
                    paths: vec![HTTPIngressPath {
                        path: Some(e.path.clone()),
                        path_type: "Prefix".into(),
                        backend: IngressBackend {
                            service: Some(IngressServiceBackend {
                                name: s.name.clone(),
                                port: Some(ServiceBackendPort {
                                    name: Some(e.port.name.clone()),
                                    ..ServiceBackendPort::default()
                                }),
                            }),
                            ..IngressBackend::default()
                        },
                    }],
                }),
            }]),
            tls: e.tls.then(|| {
                vec![IngressTLS { hosts: Some(vec![e.host.clone()]), secret_name: Some(tls_secret_name(&s.name)) }]
            }),
            ..IngressSpec::default()
        }),
        ..Ingress::default()
    }))
}

/// The port a Knative Service serves: the exposed one, else the first.
pub fn knative_port(s: &Service) -> Option<&skyform_model::Port> {
    s.expose.as_ref().map(|e| &e.port).or_else(|| s.ports.first())
}

fn knative_service(cx: &Ctx<'_>, s: &Service, checksum: Option<&str>) -> Object {
    let sl = s.serverless.as_ref();
    let mut annotations = Map::new();
    if let Some(c) = checksum {
        annotations.insert("checksum/config".into(), Value::String(c.into()));
    }
    if let Some(sl) = sl {
        let metric = match sl.metric {
            skyform_model::ServerlessMetric::Concurrency => "concurrency",
            skyform_model::ServerlessMetric::Rps => "rps",
            skyform_model::ServerlessMetric::Cpu => "cpu",
        };
        annotations.insert("autoscaling.knative.dev/metric".into(), Value::String(metric.into()));
        annotations.insert("autoscaling.knative.dev/min-scale".into(), Value::String(sl.min_scale.to_string()));
        annotations.insert("autoscaling.knative.dev/max-scale".into(), Value::String(sl.max_scale.to_string()));
        annotations.insert("autoscaling.knative.dev/target".into(), Value::String(sl.target.to_string()));
        if sl.metric == skyform_model::ServerlessMetric::Cpu {
            annotations
                .insert("autoscaling.knative.dev/class".into(), Value::String("hpa.autoscaling.knative.dev".into()));
        }
    }
    let mut c = serde_json::to_value(container(cx, s, true)).unwrap_or(Value::Null);
    // Knative only allows probing the serving port itself.
    let serving_port = knative_port(s).map_or(0, |p| i64::from(p.port));
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        for action in ["httpGet", "tcpSocket"] {
            if let Some(a) = c.get_mut(probe).and_then(|p| p.get_mut(action)).and_then(Value::as_object_mut) {
                a.insert("port".into(), json!(serving_port));
            }
        }
    }
    let vols = serde_json::to_value(volumes(cx, s)).unwrap_or(Value::Null);
    let mut pod = Map::new();
    pod.insert("serviceAccountName".into(), Value::String(s.name.clone()));
    pod.insert("automountServiceAccountToken".into(), Value::Bool(!s.rbac.is_empty()));
    pod.insert("enableServiceLinks".into(), Value::Bool(false));
    pod.insert("containerConcurrency".into(), json!(sl.map_or(0, |x| x.concurrency)));
    pod.insert("containers".into(), Value::Array(vec![c]));
    if vols.as_array().is_some_and(|a| !a.is_empty()) {
        pod.insert("volumes".into(), vols);
    }
    let mut tmeta = Map::new();
    tmeta.insert("labels".into(), serde_json::to_value(labels(cx, s)).unwrap_or(Value::Null));
    if !annotations.is_empty() {
        tmeta.insert("annotations".into(), Value::Object(annotations));
    }
    let mut m = obj_meta(cx, s, &s.name);
    if s.expose.is_none() {
        let mut l = m.labels.take().unwrap_or_default();
        l.insert("networking.knative.dev/visibility".into(), "cluster-local".into());
        m.labels = Some(l);
    }
    let mut body = Map::new();
    body.insert("spec".into(), json!({"template": {"metadata": tmeta, "spec": pod}}));
    Object::custom("serving.knative.dev/v1", "Service", m, body)
}

fn domain_mapping(cx: &Ctx<'_>, s: &Service) -> Option<Object> {
    let e = s.expose.as_ref()?;
    let mut body = Map::new();
    let mut spec = json!({"ref": {"apiVersion": "serving.knative.dev/v1", "kind": "Service", "name": s.name}});
    if e.tls {
        spec["tls"] = json!({"secretName": tls_secret_name(&s.name)});
    }
    body.insert("spec".into(), spec);
    let mut m = obj_meta(cx, s, &e.host);
    if e.tls {
        m.annotations = Some(BTreeMap::from([(
            "cert-manager.io/cluster-issuer".to_string(),
            cx.model.ingress.issuer.name.clone(),
        )]));
    }
    Some(Object::custom("serving.knative.dev/v1beta1", "DomainMapping", m, body))
}
