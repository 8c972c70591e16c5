//! Lifecycle jobs ordered before the services that need them.
//!
//! Ory Kratos (`component: kratos` with a `DSN` secret): the Job
//! `<kratos>-migrate-<image hash>` runs `kratos migrate sql -e --yes` with Kratos's own
//! DSN (the wired `uri-kratos` key of the database's connection Secret, else its own
//! Secret), retrying until the database accepts connections. Kratos's pods wait for it
//! with an init container (`kratos migrate status -e --block`), so the order holds on
//! every delivery path (plain apply, Helm, Argo CD waves, Flux). The Job is named after
//! the image (a Job's pod template cannot change; an upgrade is a new Job) and keeps no
//! `ttlSecondsAfterFinished`: GitOps tools would re-create a deleted Job and re-run it.
//! Its pods have their own NetworkPolicy (egress to the database only), and the
//! database admits them.

use super::Ctx;
use crate::objects::Object;
use skyform_model::{ComponentKind, Service};
use std::collections::BTreeMap;

/// Name of the migration Job: it carries the image's digest of the name, because a
/// Job's pod template cannot change (a new Kratos version is a new Job).
pub fn migration_job_name(k: &Service) -> String {
    let h = crate::output::sha256_hex(k.image.as_bytes());
    format!("{}-migrate-{}", k.name, &h[..8])
}

/// The `kratos migrate sql -e --yes` Job (Argo CD: its tier's sync wave, after the
/// database's; Kratos's pods wait for it with `migrate status --block`), its
/// NetworkPolicy (egress to the database only) and the database's side of that edge.
pub fn migration(cx: &Ctx<'_>, k: &Service) -> Vec<Object> {
    use k8s_openapi::api::batch::v1::{Job, JobSpec};
    use k8s_openapi::api::core::v1::{
        Container, EmptyDirVolumeSource, EnvVar, EnvVarSource, PodSpec, PodTemplateSpec, SecretKeySelector, Volume,
        VolumeMount,
    };
    let (secret, key) = super::wiring::wired_vars(cx, k)
        .remove("DSN")
        .unwrap_or_else(|| (crate::objects::secret_name(&k.name), "DSN".into()));
    let has_dsn = k.secrets.iter().any(|r| r.env == "DSN");
    if !has_dsn {
        return Vec::new();
    }
    let name = migration_job_name(k);
    let mut labels = crate::objects::platform_labels(cx.model);
    labels.extend(crate::objects::selector_labels(cx.model, &name));
    labels.insert("app.kubernetes.io/component".into(), "kratos-migration".into());
    let config_dir = super::component_config_dir(ComponentKind::Kratos).unwrap_or("/etc/config/kratos");
    let uid = k.security.run_as_user;
    let sc = k8s_openapi::api::core::v1::SecurityContext {
        allow_privilege_escalation: Some(false),
        privileged: Some(false),
        read_only_root_filesystem: Some(true),
        run_as_non_root: Some(true),
        run_as_user: Some(uid),
        run_as_group: Some(uid),
        capabilities: Some(k8s_openapi::api::core::v1::Capabilities {
            drop: Some(vec!["ALL".into()]),
            ..Default::default()
        }),
        seccomp_profile: Some(k8s_openapi::api::core::v1::SeccompProfile {
            type_: "RuntimeDefault".into(),
            ..Default::default()
        }),
        ..Default::default()
    };
    let q = |v: String| k8s_openapi::apimachinery::pkg::api::resource::Quantity(v);
    let r = &k.resources;
    let container = Container {
        name: "migrate".into(),
        image: Some(k.image.clone()),
        image_pull_policy: Some("Always".into()),
        args: Some(vec![
            "migrate".into(),
            "sql".into(),
            "-e".into(),
            "--yes".into(),
            "--config".into(),
            format!("{config_dir}/kratos.yml"),
        ]),
        env: Some(vec![EnvVar {
            name: "DSN".into(),
            value_from: Some(EnvVarSource {
                secret_key_ref: Some(SecretKeySelector { name: secret, key, optional: Some(false) }),
                ..Default::default()
            }),
            ..Default::default()
        }]),
        resources: Some(k8s_openapi::api::core::v1::ResourceRequirements {
            requests: Some(BTreeMap::from([
                ("cpu".to_string(), q(r.cpu_request.to_string())),
                ("memory".to_string(), q(r.memory_request.to_string())),
            ])),
            limits: Some(BTreeMap::from([
                ("cpu".to_string(), q(r.cpu_limit.to_string())),
                ("memory".to_string(), q(r.memory_limit.to_string())),
            ])),
            ..Default::default()
        }),
        security_context: Some(sc),
        volume_mounts: Some(vec![
            VolumeMount {
                name: "config".into(),
                mount_path: config_dir.into(),
                read_only: Some(true),
                ..Default::default()
            },
            VolumeMount { name: "rw-tmp".into(), mount_path: "/tmp".into(), ..Default::default() },
        ]),
        ..Default::default()
    };
    let pod = PodSpec {
        service_account_name: Some(k.name.clone()),
        automount_service_account_token: Some(false),
        enable_service_links: Some(false),
        restart_policy: Some("OnFailure".into()),
        security_context: Some(k8s_openapi::api::core::v1::PodSecurityContext {
            run_as_non_root: Some(true),
            run_as_user: Some(uid),
            run_as_group: Some(uid),
            fs_group: Some(uid),
            seccomp_profile: Some(k8s_openapi::api::core::v1::SeccompProfile {
                type_: "RuntimeDefault".into(),
                ..Default::default()
            }),
            ..Default::default()
        }),
        containers: vec![container],
        volumes: Some(vec![
            Volume {
                name: "config".into(),
                config_map: Some(k8s_openapi::api::core::v1::ConfigMapVolumeSource {
                    name: super::component_config_name(&k.name),
                    optional: Some(false),
                    ..Default::default()
                }),
                ..Default::default()
            },
            Volume { name: "rw-tmp".into(), empty_dir: Some(EmptyDirVolumeSource::default()), ..Default::default() },
        ]),
        ..Default::default()
    };
    let job = Job {
        metadata: crate::objects::meta(&name, Some(&k.namespace), labels.clone(), BTreeMap::new()),
        spec: Some(JobSpec {
            backoff_limit: Some(20),
            template: PodTemplateSpec {
                metadata: Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
                    labels: Some(labels.clone()),
                    ..Default::default()
                }),
                spec: Some(pod),
            },
            ..Default::default()
        }),
        ..Default::default()
    };
    let mut out = vec![Object::typed(&job)];
    out.extend(migration_policies(cx, k, &name, &labels));
    out
}

/// Egress of the migration pods to the database, and the database's ingress from them.
fn migration_policies(cx: &Ctx<'_>, k: &Service, job: &str, labels: &BTreeMap<String, String>) -> Vec<Object> {
    use k8s_openapi::api::networking::v1::{
        IPBlock, NetworkPolicy, NetworkPolicyEgressRule, NetworkPolicyIngressRule, NetworkPolicyPeer,
        NetworkPolicyPort, NetworkPolicySpec,
    };
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
    use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
    let dbs: Vec<&Service> = k
        .depends_on
        .iter()
        .filter_map(|d| cx.env.service(&d.service))
        .filter(|t| t.component == Some(ComponentKind::Postgres))
        .collect();
    let port = |p: u16| NetworkPolicyPort {
        port: Some(IntOrString::Int(i32::from(p))),
        protocol: Some("TCP".into()),
        ..Default::default()
    };
    let pods = |ns: &str, name: &str| NetworkPolicyPeer {
        namespace_selector: Some(LabelSelector {
            match_labels: Some(BTreeMap::from([(super::NAMESPACE_NAME_LABEL.to_string(), ns.to_string())])),
            ..Default::default()
        }),
        pod_selector: Some(LabelSelector {
            match_labels: Some(crate::objects::selector_labels(cx.model, name)),
            ..Default::default()
        }),
        ..Default::default()
    };
    let mut egress = Vec::new();
    let mut out = Vec::new();
    for db in &dbs {
        let p = db.port("postgres").map_or(5432, |x| x.port);
        if cx.in_cluster(db) {
            egress.push(NetworkPolicyEgressRule {
                to: Some(vec![pods(&db.namespace, &db.name)]),
                ports: Some(vec![port(p)]),
            });
            out.push(Object::typed(&NetworkPolicy {
                metadata: crate::objects::meta(
                    &format!("allow-{}-from-{job}", db.name),
                    Some(&db.namespace),
                    crate::objects::service_labels(cx.model, db),
                    BTreeMap::new(),
                ),
                spec: Some(NetworkPolicySpec {
                    pod_selector: Some(LabelSelector {
                        match_labels: Some(crate::objects::selector_labels(cx.model, &db.name)),
                        ..Default::default()
                    }),
                    policy_types: Some(vec!["Ingress".into()]),
                    ingress: Some(vec![NetworkPolicyIngressRule {
                        from: Some(vec![pods(&k.namespace, job)]),
                        ports: Some(vec![port(p)]),
                    }]),
                    ..Default::default()
                }),
            }));
        } else {
            let peers = super::PRIVATE
                .iter()
                .map(|c| NetworkPolicyPeer {
                    ip_block: Some(IPBlock { cidr: (*c).to_string(), except: None }),
                    ..Default::default()
                })
                .collect();
            egress.push(NetworkPolicyEgressRule { to: Some(peers), ports: Some(vec![port(p)]) });
        }
    }
    out.push(Object::typed(&NetworkPolicy {
        metadata: crate::objects::meta(&format!("allow-{job}"), Some(&k.namespace), labels.clone(), BTreeMap::new()),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(LabelSelector {
                match_labels: Some(crate::objects::selector_labels(cx.model, job)),
                ..Default::default()
            }),
            policy_types: Some(vec!["Egress".into(), "Ingress".into()]),
            egress: (!egress.is_empty()).then_some(egress),
            ..Default::default()
        }),
    }));
    out
}
