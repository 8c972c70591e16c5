//! Data components that replicate, without an operator: what turns N pods of one
//! StatefulSet into one replicated system, and the NetworkPolicy edges that needs.
//!
//! - **Redis ×N** (N ≥ 2): the StatefulSet pods start from `redis.sh` (ConfigMap
//!   `<redis>-ha-scripts`): a pod asks the Sentinels for the current master and
//!   replicates from it (`replicaof`), or — on first start, when no Sentinel knows one —
//!   pod 0 is the master and the others replicate from it. Replicas announce their
//!   stable DNS names (`replica-announce-ip`). Three Sentinels (StatefulSet
//!   `<redis>-sentinel`, quorum 2, `resolve-hostnames`/`announce-hostnames`) watch the
//!   master and fail over; their configuration is written to a writable volume because
//!   Sentinel rewrites it. **How clients connect:** the Service `<redis>` keeps its name
//!   but selects `<redis>-proxy` (two HAProxy pods) that route every connection to the
//!   one pod answering `role:master`, so plain `redis://<redis>:6379` URLs keep working
//!   after a failover; Sentinel-aware clients may instead ask `<redis>-sentinel:26379`
//!   for master `<redis>`. A password, when the service has the secret `REDIS_PASSWORD`,
//!   is set as `requirepass`/`masterauth`, given to the Sentinels and used by the proxy's
//!   health check.
//! - **RabbitMQ ×N**: one cluster. Nodes are named
//!   `rabbit@<pod>.<headless>.<ns>.svc.cluster.local` (long names) and find each other
//!   through the classic peer-discovery list of every node (the replica count is fixed),
//!   share the Erlang cookie `RABBITMQ_ERLANG_COOKIE` from the service's Secret, and use
//!   quorum queues by default with `pause_minority` partition handling. Pods start in
//!   parallel; the headless Service publishes not-ready addresses so peers resolve.
//! - **MinIO ×N** (N ≥ 4): distributed mode, one erasure-coded pool over
//!   `http://<sts>-{0...N-1}.<headless>.<ns>.svc.cluster.local/<data>`, pods started in
//!   parallel and *required* on distinct nodes.
//! - **Vault ×N**: Raft peers talk to each other on the API and cluster ports.
//! - **PostgreSQL** runs as a CloudNativePG `Cluster` (see the data add-on); here only
//!   its streaming-replication edge (5432 between instances) is admitted.
//!
//! `replicas: 1` of any of these stays one plain server with none of the above.

use super::Ctx;
use super::wiring::cnpg;
use crate::objects::{Object, headless_name, meta, platform_labels, selector_labels};
use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec, StatefulSet, StatefulSetSpec};
use k8s_openapi::api::core::v1::{
    Affinity, Capabilities, ConfigMap, ConfigMapVolumeSource, Container, ContainerPort, EmptyDirVolumeSource, EnvVar,
    EnvVarSource, ExecAction, HTTPGetAction, ObjectFieldSelector, PodAffinityTerm, PodAntiAffinity, PodSecurityContext,
    PodSpec, PodTemplateSpec, Probe, ResourceRequirements, SeccompProfile, SecretKeySelector, SecurityContext,
    Service as KService, ServiceAccount, ServicePort, ServiceSpec, TCPSocketAction, TopologySpreadConstraint, Volume,
    VolumeMount, WeightedPodAffinityTerm,
};
use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetSpec};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use skyform_model::{ComponentKind, Service, WorkloadKind};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Redis data port.
pub const REDIS_PORT: u16 = 6379;
/// Sentinel port.
pub const SENTINEL_PORT: u16 = 26379;
/// Number of Sentinels (quorum 2).
pub const SENTINELS: u32 = 3;
/// Image of the master-tracking proxy in front of a Sentinel-managed Redis.
pub const PROXY_IMAGE: &str = "haproxy:3.0.6-alpine";
/// UID of the HAProxy image's `haproxy` user.
const PROXY_UID: i64 = 99;
/// Health endpoint port of the proxy.
const PROXY_HEALTH_PORT: u16 = 8404;
/// Where the replication scripts are mounted.
const SCRIPTS_DIR: &str = "/etc/redis-replication";
/// RabbitMQ's configuration directory read by the official image.
const RABBIT_CONF_DIR: &str = "/etc/rabbitmq/conf.d";
/// Erlang distribution ports of RabbitMQ: epmd and inter-node.
pub const RABBIT_PEER_PORTS: [u16; 2] = [4369, 25672];

/// Whether `s` is a Redis with replicas and Sentinels.
pub fn sentinel(cx: &Ctx<'_>, s: &Service) -> bool {
    s.component == Some(ComponentKind::Redis) && clustered(s) && cx.in_cluster(s)
}

/// Whether a stateful component runs with more than one replica.
pub fn clustered(s: &Service) -> bool {
    s.replicas.max > 1 && s.workload == WorkloadKind::StatefulSet
}

/// Names of the Redis helpers.
pub fn sentinel_name(redis: &str) -> String {
    format!("{redis}-sentinel")
}
pub fn proxy_name(redis: &str) -> String {
    format!("{redis}-proxy")
}
pub fn replication_config_name(redis: &str) -> String {
    format!("{redis}-ha-scripts")
}
pub fn rabbit_config_name(rabbit: &str) -> String {
    format!("{rabbit}-cluster")
}

fn fqdn_suffix(s: &Service) -> String {
    format!("{}.{}.svc.cluster.local", headless_name(&s.name), s.namespace)
}

/// Labels selecting the pods a client of `s` connects to through the Service `<s>`.
pub fn client_selector(cx: &Ctx<'_>, s: &Service) -> BTreeMap<String, String> {
    if sentinel(cx, s) { selector_labels(cx.model, &proxy_name(&s.name)) } else { selector_labels(cx.model, &s.name) }
}

fn port_of(s: &Service, name: &str, default: u16) -> u16 {
    s.port(name).map_or(default, |p| p.port)
}

fn field_env(name: &str, path: &str) -> EnvVar {
    EnvVar {
        name: name.into(),
        value_from: Some(EnvVarSource {
            field_ref: Some(ObjectFieldSelector { field_path: path.into(), ..ObjectFieldSelector::default() }),
            ..EnvVarSource::default()
        }),
        ..EnvVar::default()
    }
}

fn value_env(name: &str, v: impl Into<String>) -> EnvVar {
    EnvVar { name: name.into(), value: Some(v.into()), ..EnvVar::default() }
}

fn config_volume(name: &str, config_map: &str) -> Volume {
    Volume {
        name: name.into(),
        config_map: Some(ConfigMapVolumeSource {
            name: config_map.into(),
            optional: Some(false),
            ..ConfigMapVolumeSource::default()
        }),
        ..Volume::default()
    }
}

fn mount(name: &str, path: &str, read_only: bool) -> VolumeMount {
    VolumeMount {
        name: name.into(),
        mount_path: path.into(),
        read_only: read_only.then_some(true),
        ..VolumeMount::default()
    }
}

fn hostname_anti_affinity(cx: &Ctx<'_>, pods: &str, required: bool) -> PodAntiAffinity {
    let term = PodAffinityTerm {
        label_selector: Some(LabelSelector {
            match_labels: Some(selector_labels(cx.model, pods)),
            ..LabelSelector::default()
        }),
        topology_key: "kubernetes.io/hostname".into(),
        ..PodAffinityTerm::default()
    };
    if required {
        PodAntiAffinity {
            required_during_scheduling_ignored_during_execution: Some(vec![term]),
            ..PodAntiAffinity::default()
        }
    } else {
        PodAntiAffinity {
            preferred_during_scheduling_ignored_during_execution: Some(vec![WeightedPodAffinityTerm {
                weight: 100,
                pod_affinity_term: term,
            }]),
            ..PodAntiAffinity::default()
        }
    }
}

/// Changes to the pod of a replicated data component (called by the workload builder).
pub fn adjust_pod(cx: &Ctx<'_>, s: &Service, pod: &mut PodSpec) {
    let rabbit = s.component == Some(ComponentKind::Rabbitmq);
    if !(clustered(s) || rabbit) || !cx.in_cluster(s) {
        return;
    }
    let Some(c) = pod.containers.first_mut() else { return };
    let mut env = c.env.take().unwrap_or_default();
    let mut mounts = c.volume_mounts.take().unwrap_or_default();
    let mut volumes = pod.volumes.take().unwrap_or_default();
    match s.component {
        Some(ComponentKind::Redis) if clustered(s) => {
            c.command = Some(vec!["sh".into(), format!("{SCRIPTS_DIR}/redis.sh")]);
            c.args = None;
            env.push(field_env("POD_NAME", "metadata.name"));
            mounts.push(mount("replication", SCRIPTS_DIR, true));
            volumes.push(config_volume("replication", &replication_config_name(&s.name)));
        }
        Some(ComponentKind::Rabbitmq) => {
            // The shared Erlang cookie goes to `$HOME/.erlang.cookie` (mode 0400) through
            // an init container; the official image refuses the environment variable.
            let home = s.storage.as_ref().map_or("/var/lib/rabbitmq", |st| st.mount_path.as_str()).to_string();
            let cookie = env.iter().find(|e| e.name == "RABBITMQ_ERLANG_COOKIE").cloned();
            env.retain(|e| e.name != "RABBITMQ_ERLANG_COOKIE");
            if let Some(cookie) = cookie {
                let file = format!("{home}/.erlang.cookie");
                pod.init_containers = Some(vec![Container {
                    name: "erlang-cookie".into(),
                    image: c.image.clone(),
                    image_pull_policy: c.image_pull_policy.clone(),
                    command: Some(vec![
                        "sh".into(),
                        "-c".into(),
                        format!(
                            "rm -f {file} && umask 077 && printf '%s' \"$RABBITMQ_ERLANG_COOKIE\" > {file} && chmod 400 {file}"
                        ),
                    ]),
                    env: Some(vec![cookie]),
                    resources: c.resources.clone(),
                    security_context: c.security_context.clone(),
                    volume_mounts: Some(vec![mount("data", &home, false)]),
                    ..Container::default()
                }]);
            }
            if clustered(s) {
                env.push(field_env("POD_NAME", "metadata.name"));
                env.push(value_env("RABBITMQ_USE_LONGNAME", "true"));
                env.push(value_env("RABBITMQ_NODENAME", format!("rabbit@$(POD_NAME).{}", fqdn_suffix(s))));
                mounts.push(mount("cluster-config", RABBIT_CONF_DIR, true));
                volumes.push(config_volume("cluster-config", &rabbit_config_name(&s.name)));
            }
        }
        Some(ComponentKind::Minio) if clustered(s) => {
            let data = s.storage.as_ref().map_or("/data", |st| st.mount_path.as_str());
            let console = port_of(s, "console", 9001);
            let api = port_of(s, "api", 9000);
            c.args = Some(vec![
                "server".into(),
                format!("http://{}-{{0...{}}}.{}:{api}{data}", s.name, s.replicas.max - 1, fqdn_suffix(s)),
                "--console-address".into(),
                format!(":{console}"),
            ]);
            // Erasure coding only protects data when the drives are on distinct nodes.
            let affinity = pod.affinity.get_or_insert_with(Affinity::default);
            affinity.pod_anti_affinity = Some(hostname_anti_affinity(cx, &s.name, true));
        }
        _ => {}
    }
    // `$(POD_NAME)` must be defined before the variables that use it; names sort so.
    env.sort_by(|a, b| a.name.cmp(&b.name));
    mounts.sort_by(|a, b| a.mount_path.cmp(&b.mount_path));
    volumes.sort_by(|a, b| a.name.cmp(&b.name));
    c.env = Some(env);
    c.volume_mounts = Some(mounts);
    pod.volumes = Some(volumes);
}

/// Changes to the StatefulSet of a replicated data component.
pub fn adjust_stateful_set(cx: &Ctx<'_>, s: &Service, spec: &mut StatefulSetSpec) {
    if !clustered(s) || !cx.in_cluster(s) {
        return;
    }
    // Distributed MinIO and RabbitMQ need all members up to form quorum / the cluster.
    if matches!(s.component, Some(ComponentKind::Minio | ComponentKind::Rabbitmq)) {
        spec.pod_management_policy = Some("Parallel".into());
    }
}

/// Objects a replicated data component needs besides its own workload.
pub fn extra_objects(cx: &Ctx<'_>, s: &Service) -> Vec<Object> {
    if !clustered(s) || !cx.in_cluster(s) {
        return Vec::new();
    }
    match s.component {
        Some(ComponentKind::Redis) => redis_objects(cx, s),
        Some(ComponentKind::Rabbitmq) => vec![rabbit_config(cx, s)],
        _ => Vec::new(),
    }
}

/// Whether the Redis service has a password (the secret `REDIS_PASSWORD`).
fn redis_password(s: &Service) -> bool {
    s.secrets.iter().any(|r| r.env == "REDIS_PASSWORD")
}

/// `redis.sh`: writes the configuration of one Redis pod and starts it as master or
/// replica. Every address can be overridden through `SKYFORM_*` variables (used by the
/// loopback test that runs the script with real Redis binaries).
pub fn redis_script(s: &Service) -> String {
    let suffix = fqdn_suffix(s);
    let sentinel_host = format!("{}.{}.svc.cluster.local", sentinel_name(&s.name), s.namespace);
    let data = s.storage.as_ref().map_or("/data", |st| st.mount_path.as_str());
    let port = port_of(s, "redis", REDIS_PORT);
    let mut o = String::new();
    let _ = writeln!(o, "#!/bin/sh");
    let _ = writeln!(o, "# Generated by skyform: start one pod of the Redis `{}` as master or replica.", s.name);
    let _ = writeln!(o, "set -eu");
    let _ = writeln!(o, ": \"${{SKYFORM_PORT:={port}}}\"");
    let _ = writeln!(o, ": \"${{SKYFORM_SELF_HOST:=${{POD_NAME}}.{suffix}}}\"");
    let _ = writeln!(o, ": \"${{SKYFORM_SEED_HOST:={}-0.{suffix}}}\"", s.name);
    let _ = writeln!(o, ": \"${{SKYFORM_SEED_PORT:={port}}}\"");
    let _ = writeln!(o, ": \"${{SKYFORM_SENTINEL_HOST:={sentinel_host}}}\"");
    let _ = writeln!(o, ": \"${{SKYFORM_SENTINEL_PORT:={SENTINEL_PORT}}}\"");
    let _ = writeln!(o, ": \"${{SKYFORM_DATA_DIR:={data}}}\"");
    let _ = writeln!(o, ": \"${{SKYFORM_CONF:=/tmp/redis.conf}}\"");
    let _ = writeln!(o, "{{");
    let _ = writeln!(o, "  echo \"port $SKYFORM_PORT\"");
    let _ = writeln!(o, "  echo \"dir $SKYFORM_DATA_DIR\"");
    let _ = writeln!(o, "  echo \"appendonly yes\"");
    let _ = writeln!(o, "  echo \"protected-mode no\"");
    let _ = writeln!(o, "  echo \"replica-announce-ip $SKYFORM_SELF_HOST\"");
    let _ = writeln!(o, "  echo \"replica-announce-port $SKYFORM_PORT\"");
    let _ = writeln!(o, "  if [ -n \"${{REDIS_PASSWORD:-}}\" ]; then");
    let _ = writeln!(o, "    echo \"requirepass $REDIS_PASSWORD\"");
    let _ = writeln!(o, "    echo \"masterauth $REDIS_PASSWORD\"");
    let _ = writeln!(o, "  fi");
    let _ = writeln!(o, "}} > \"$SKYFORM_CONF\"");
    let _ = writeln!(o, "# The current master, as the Sentinels know it (empty on first start).");
    let _ = writeln!(
        o,
        "MASTER=$(redis-cli -h \"$SKYFORM_SENTINEL_HOST\" -p \"$SKYFORM_SENTINEL_PORT\" --raw sentinel get-master-addr-by-name {} 2>/dev/null | tr '\\n' ' ' || true)",
        s.name
    );
    let _ = writeln!(o, "MHOST=$(echo \"$MASTER\" | cut -d' ' -f1)");
    let _ = writeln!(o, "MPORT=$(echo \"$MASTER\" | cut -d' ' -f2)");
    let _ = writeln!(
        o,
        "case \"$MPORT\" in ''|*[!0-9]*) MHOST=\"$SKYFORM_SEED_HOST\"; MPORT=\"$SKYFORM_SEED_PORT\" ;; esac"
    );
    let _ = writeln!(o, "if [ \"$MHOST:$MPORT\" != \"$SKYFORM_SELF_HOST:$SKYFORM_PORT\" ]; then");
    let _ = writeln!(o, "  echo \"replicaof $MHOST $MPORT\" >> \"$SKYFORM_CONF\"");
    let _ = writeln!(o, "fi");
    let _ = writeln!(o, "exec redis-server \"$SKYFORM_CONF\"");
    o
}

/// `sentinel.sh`: writes a Sentinel's configuration (to a writable path: Sentinel
/// rewrites it) and starts it, monitoring the master the other Sentinels agree on, or
/// pod 0 on first start.
pub fn sentinel_script(s: &Service) -> String {
    let suffix = fqdn_suffix(s);
    let sentinel = sentinel_name(&s.name);
    let sentinel_suffix = format!("{}.{}.svc.cluster.local", headless_name(&sentinel), s.namespace);
    let peers: Vec<String> =
        (0..SENTINELS).map(|i| format!("{sentinel}-{i}.{sentinel_suffix}:{SENTINEL_PORT}")).collect();
    let port = port_of(s, "redis", REDIS_PORT);
    let m = &s.name;
    let mut o = String::new();
    let _ = writeln!(o, "#!/bin/sh");
    let _ = writeln!(o, "# Generated by skyform: start one Sentinel of the Redis `{m}` (quorum 2 of {SENTINELS}).");
    let _ = writeln!(o, "set -eu");
    let _ = writeln!(o, ": \"${{SKYFORM_SENTINEL_PORT:={SENTINEL_PORT}}}\"");
    let _ = writeln!(o, ": \"${{SKYFORM_SELF_HOST:=${{POD_NAME}}.{sentinel_suffix}}}\"");
    let _ = writeln!(o, ": \"${{SKYFORM_PEERS:={}}}\"", peers.join(" "));
    let _ = writeln!(o, ": \"${{SKYFORM_SEED_HOST:={m}-0.{suffix}}}\"");
    let _ = writeln!(o, ": \"${{SKYFORM_SEED_PORT:={port}}}\"");
    let _ = writeln!(o, ": \"${{SKYFORM_CONF:=/tmp/sentinel.conf}}\"");
    let _ = writeln!(o, "MHOST=\"$SKYFORM_SEED_HOST\"");
    let _ = writeln!(o, "MPORT=\"$SKYFORM_SEED_PORT\"");
    let _ = writeln!(o, "for peer in $SKYFORM_PEERS; do");
    let _ = writeln!(o, "  [ \"$peer\" = \"$SKYFORM_SELF_HOST:$SKYFORM_SENTINEL_PORT\" ] && continue");
    let _ = writeln!(
        o,
        "  ANSWER=$(redis-cli -h \"${{peer%:*}}\" -p \"${{peer##*:}}\" --raw sentinel get-master-addr-by-name {m} 2>/dev/null | tr '\\n' ' ' || true)"
    );
    let _ = writeln!(o, "  H=$(echo \"$ANSWER\" | cut -d' ' -f1)");
    let _ = writeln!(o, "  P=$(echo \"$ANSWER\" | cut -d' ' -f2)");
    let _ = writeln!(o, "  case \"$P\" in ''|*[!0-9]*) continue ;; esac");
    let _ = writeln!(o, "  MHOST=\"$H\"; MPORT=\"$P\"; break");
    let _ = writeln!(o, "done");
    let _ = writeln!(o, "{{");
    let _ = writeln!(o, "  echo \"port $SKYFORM_SENTINEL_PORT\"");
    let _ = writeln!(o, "  echo \"protected-mode no\"");
    let _ = writeln!(o, "  echo \"sentinel resolve-hostnames yes\"");
    let _ = writeln!(o, "  echo \"sentinel announce-hostnames yes\"");
    let _ = writeln!(o, "  echo \"sentinel announce-ip $SKYFORM_SELF_HOST\"");
    let _ = writeln!(o, "  echo \"sentinel announce-port $SKYFORM_SENTINEL_PORT\"");
    let _ = writeln!(o, "  echo \"sentinel monitor {m} $MHOST $MPORT 2\"");
    let _ = writeln!(o, "  echo \"sentinel down-after-milliseconds {m} 5000\"");
    let _ = writeln!(o, "  echo \"sentinel failover-timeout {m} 60000\"");
    let _ = writeln!(o, "  echo \"sentinel parallel-syncs {m} 1\"");
    let _ =
        writeln!(o, "  if [ -n \"${{REDIS_PASSWORD:-}}\" ]; then echo \"sentinel auth-pass {m} $REDIS_PASSWORD\"; fi");
    let _ = writeln!(o, "}} > \"$SKYFORM_CONF\"");
    let _ = writeln!(o, "exec redis-server \"$SKYFORM_CONF\" --sentinel");
    o
}

/// `haproxy.cfg`: one TCP frontend on the Redis port, forwarding to the pod that
/// reports `role:master`; DNS re-resolved so restarted pods are found.
pub fn proxy_config(s: &Service) -> String {
    let suffix = fqdn_suffix(s);
    let port = port_of(s, "redis", REDIS_PORT);
    let mut o = String::new();
    let _ = writeln!(o, "# Generated by skyform: route to the current master of the Redis `{}`.", s.name);
    let _ = writeln!(o, "global\n  maxconn 4096\n");
    let _ = writeln!(
        o,
        "defaults\n  mode tcp\n  timeout connect 3s\n  timeout client 1h\n  timeout server 1h\n  timeout check 2s\n"
    );
    let _ = writeln!(o, "resolvers cluster\n  parse-resolv-conf\n  hold valid 5s\n");
    let _ = writeln!(o, "frontend health\n  mode http\n  bind :{PROXY_HEALTH_PORT}\n  monitor-uri /healthz\n");
    let _ = writeln!(o, "frontend redis\n  bind :{port}\n  default_backend master\n");
    let _ = writeln!(o, "backend master\n  option tcp-check\n  tcp-check connect");
    if redis_password(s) {
        let _ = writeln!(o, "  tcp-check send \"AUTH ${{REDIS_PASSWORD}}\\r\\n\"\n  tcp-check expect string +OK");
    }
    let _ = writeln!(o, "  tcp-check send PING\\r\\n\n  tcp-check expect string +PONG");
    let _ = writeln!(o, "  tcp-check send info\\ replication\\r\\n\n  tcp-check expect string role:master");
    let _ = writeln!(o, "  tcp-check send QUIT\\r\\n\n  tcp-check expect string +OK");
    for i in 0..s.replicas.max {
        let _ = writeln!(
            o,
            "  server {name}-{i} {name}-{i}.{suffix}:{port} check inter 1s fall 2 rise 1 resolvers cluster init-addr none",
            name = s.name
        );
    }
    o
}

fn helper_labels(cx: &Ctx<'_>, name: &str) -> BTreeMap<String, String> {
    let mut l = platform_labels(cx.model);
    l.extend(selector_labels(cx.model, name));
    l.insert("app.kubernetes.io/component".into(), "redis".into());
    l
}

fn helper_meta(cx: &Ctx<'_>, s: &Service, name: &str) -> ObjectMeta {
    meta(name, Some(&s.namespace), helper_labels(cx, name), BTreeMap::new())
}

fn selector(cx: &Ctx<'_>, name: &str) -> LabelSelector {
    LabelSelector { match_labels: Some(selector_labels(cx.model, name)), ..LabelSelector::default() }
}

fn security(uid: i64) -> SecurityContext {
    SecurityContext {
        allow_privilege_escalation: Some(false),
        privileged: Some(false),
        read_only_root_filesystem: Some(true),
        run_as_non_root: Some(true),
        run_as_user: Some(uid),
        run_as_group: Some(uid),
        capabilities: Some(Capabilities { drop: Some(vec!["ALL".into()]), ..Capabilities::default() }),
        seccomp_profile: Some(SeccompProfile { type_: "RuntimeDefault".into(), ..SeccompProfile::default() }),
        ..SecurityContext::default()
    }
}

fn pod_security(uid: i64) -> PodSecurityContext {
    PodSecurityContext {
        run_as_non_root: Some(true),
        run_as_user: Some(uid),
        run_as_group: Some(uid),
        fs_group: Some(uid),
        seccomp_profile: Some(SeccompProfile { type_: "RuntimeDefault".into(), ..SeccompProfile::default() }),
        ..PodSecurityContext::default()
    }
}

fn small_resources() -> ResourceRequirements {
    let q = |v: &str| Quantity(v.to_string());
    ResourceRequirements {
        requests: Some(BTreeMap::from([("cpu".into(), q("50m")), ("memory".into(), q("64Mi"))])),
        limits: Some(BTreeMap::from([("cpu".into(), q("200m")), ("memory".into(), q("128Mi"))])),
        ..ResourceRequirements::default()
    }
}

fn password_env(s: &Service) -> Option<EnvVar> {
    redis_password(s).then(|| EnvVar {
        name: "REDIS_PASSWORD".into(),
        value_from: Some(EnvVarSource {
            secret_key_ref: Some(SecretKeySelector {
                name: crate::objects::secret_name(&s.name),
                key: "REDIS_PASSWORD".into(),
                optional: Some(false),
            }),
            ..EnvVarSource::default()
        }),
        ..EnvVar::default()
    })
}

fn service_account(cx: &Ctx<'_>, s: &Service, name: &str) -> Object {
    Object::typed(&ServiceAccount {
        metadata: helper_meta(cx, s, name),
        automount_service_account_token: Some(false),
        ..ServiceAccount::default()
    })
}

fn pdb(cx: &Ctx<'_>, s: &Service, name: &str) -> Object {
    Object::typed(&PodDisruptionBudget {
        metadata: helper_meta(cx, s, name),
        spec: Some(PodDisruptionBudgetSpec {
            max_unavailable: Some(IntOrString::Int(1)),
            selector: Some(selector(cx, name)),
            unhealthy_pod_eviction_policy: Some("AlwaysAllow".into()),
            ..PodDisruptionBudgetSpec::default()
        }),
        ..PodDisruptionBudget::default()
    })
}

fn helper_pod(cx: &Ctx<'_>, name: &str, uid: i64, container: Container, volumes: Vec<Volume>) -> PodSpec {
    PodSpec {
        service_account_name: Some(name.into()),
        automount_service_account_token: Some(false),
        enable_service_links: Some(false),
        security_context: Some(pod_security(uid)),
        containers: vec![container],
        volumes: Some(volumes),
        affinity: Some(Affinity {
            pod_anti_affinity: Some(hostname_anti_affinity(cx, name, false)),
            ..Affinity::default()
        }),
        topology_spread_constraints: Some(vec![TopologySpreadConstraint {
            max_skew: 1,
            topology_key: "topology.kubernetes.io/zone".into(),
            when_unsatisfiable: "ScheduleAnyway".into(),
            label_selector: Some(selector(cx, name)),
            ..TopologySpreadConstraint::default()
        }]),
        ..PodSpec::default()
    }
}

fn redis_objects(cx: &Ctx<'_>, s: &Service) -> Vec<Object> {
    let mut out = vec![Object::typed(&ConfigMap {
        metadata: helper_meta(cx, s, &replication_config_name(&s.name)),
        data: Some(BTreeMap::from([
            ("redis.sh".to_string(), redis_script(s)),
            ("sentinel.sh".to_string(), sentinel_script(s)),
        ])),
        ..ConfigMap::default()
    })];
    out.extend(sentinel_objects(cx, s));
    out.extend(proxy_objects(cx, s));
    out
}

/// The Sentinels watching a replicated Redis: a StatefulSet of [`SENTINELS`], its Service,
/// headless Service and PodDisruptionBudget.
fn sentinel_objects(cx: &Ctx<'_>, s: &Service) -> Vec<Object> {
    let mut out = Vec::new();
    let sentinel = sentinel_name(&s.name);
    let uid = s.security.run_as_user;
    let mut env = vec![field_env("POD_NAME", "metadata.name")];
    env.extend(password_env(s));
    let sentinel_probe = |initial: i32| Probe {
        exec: Some(ExecAction {
            command: Some(vec!["redis-cli".into(), "-p".into(), SENTINEL_PORT.to_string(), "ping".into()]),
        }),
        initial_delay_seconds: Some(initial),
        period_seconds: Some(10),
        timeout_seconds: Some(3),
        failure_threshold: Some(3),
        ..Probe::default()
    };
    let container = Container {
        name: "sentinel".into(),
        image: Some(s.image.clone()),
        image_pull_policy: Some("Always".into()),
        command: Some(vec!["sh".into(), format!("{SCRIPTS_DIR}/sentinel.sh")]),
        ports: Some(vec![ContainerPort {
            name: Some("sentinel".into()),
            container_port: i32::from(SENTINEL_PORT),
            protocol: Some("TCP".into()),
            ..ContainerPort::default()
        }]),
        env: Some(env),
        resources: Some(small_resources()),
        liveness_probe: Some(Probe {
            exec: None,
            tcp_socket: Some(TCPSocketAction {
                port: IntOrString::String("sentinel".into()),
                ..TCPSocketAction::default()
            }),
            ..sentinel_probe(10)
        }),
        readiness_probe: Some(sentinel_probe(5)),
        security_context: Some(security(uid)),
        volume_mounts: Some(vec![mount("replication", SCRIPTS_DIR, true), mount("rw-tmp", "/tmp", false)]),
        ..Container::default()
    };
    let volumes = vec![
        config_volume("replication", &replication_config_name(&s.name)),
        Volume { name: "rw-tmp".into(), empty_dir: Some(EmptyDirVolumeSource::default()), ..Volume::default() },
    ];
    out.push(service_account(cx, s, &sentinel));
    out.push(Object::typed(&StatefulSet {
        metadata: helper_meta(cx, s, &sentinel),
        spec: StatefulSetSpec {
            replicas: Some(i32::try_from(SENTINELS).unwrap_or(3)),
            revision_history_limit: Some(5),
            selector: selector(cx, &sentinel),
            service_name: Some(headless_name(&sentinel)),
            pod_management_policy: Some("Parallel".into()),
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta { labels: Some(helper_labels(cx, &sentinel)), ..ObjectMeta::default() }),
                spec: Some(helper_pod(cx, &sentinel, uid, container, volumes)),
            },
            ..StatefulSetSpec::default()
        },
        ..StatefulSet::default()
    }));
    let sentinel_ports = vec![ServicePort {
        name: Some("sentinel".into()),
        port: i32::from(SENTINEL_PORT),
        target_port: Some(IntOrString::String("sentinel".into())),
        protocol: Some("TCP".into()),
        ..ServicePort::default()
    }];
    out.push(Object::typed(&KService {
        metadata: helper_meta(cx, s, &sentinel),
        spec: Some(ServiceSpec {
            type_: Some("ClusterIP".into()),
            selector: Some(selector_labels(cx.model, &sentinel)),
            ports: Some(sentinel_ports.clone()),
            ..ServiceSpec::default()
        }),
        ..KService::default()
    }));
    out.push(Object::typed(&KService {
        metadata: helper_meta(cx, s, &headless_name(&sentinel)),
        spec: Some(ServiceSpec {
            cluster_ip: Some("None".into()),
            publish_not_ready_addresses: Some(true),
            selector: Some(selector_labels(cx.model, &sentinel)),
            ports: Some(sentinel_ports),
            ..ServiceSpec::default()
        }),
        ..KService::default()
    }));
    out.push(pdb(cx, s, &sentinel));
    out
}

/// The master-tracking proxy in front of a replicated Redis: HAProxy asks each pod for its
/// role and sends clients to the master only.
fn proxy_objects(cx: &Ctx<'_>, s: &Service) -> Vec<Object> {
    let mut out = Vec::new();
    let proxy = proxy_name(&s.name);
    let port = port_of(s, "redis", REDIS_PORT);
    let mut penv = Vec::new();
    penv.extend(password_env(s));
    let health = |initial: i32| Probe {
        http_get: Some(HTTPGetAction {
            path: Some("/healthz".into()),
            port: IntOrString::String("health".into()),
            ..HTTPGetAction::default()
        }),
        initial_delay_seconds: Some(initial),
        period_seconds: Some(10),
        timeout_seconds: Some(3),
        failure_threshold: Some(3),
        ..Probe::default()
    };
    let pcontainer = Container {
        name: "haproxy".into(),
        image: Some(PROXY_IMAGE.into()),
        image_pull_policy: Some("Always".into()),
        args: Some(vec![
            "haproxy".into(),
            "-W".into(),
            "-db".into(),
            "-f".into(),
            "/usr/local/etc/haproxy/haproxy.cfg".into(),
        ]),
        ports: Some(vec![
            ContainerPort {
                name: Some("redis".into()),
                container_port: i32::from(port),
                protocol: Some("TCP".into()),
                ..ContainerPort::default()
            },
            ContainerPort {
                name: Some("health".into()),
                container_port: i32::from(PROXY_HEALTH_PORT),
                protocol: Some("TCP".into()),
                ..ContainerPort::default()
            },
        ]),
        env: (!penv.is_empty()).then_some(penv),
        resources: Some(small_resources()),
        liveness_probe: Some(health(5)),
        readiness_probe: Some(health(2)),
        security_context: Some(security(PROXY_UID)),
        volume_mounts: Some(vec![mount("config", "/usr/local/etc/haproxy", true), mount("rw-tmp", "/tmp", false)]),
        ..Container::default()
    };
    let pvolumes = vec![
        config_volume("config", &proxy),
        Volume { name: "rw-tmp".into(), empty_dir: Some(EmptyDirVolumeSource::default()), ..Volume::default() },
    ];
    out.push(Object::typed(&ConfigMap {
        metadata: helper_meta(cx, s, &proxy),
        data: Some(BTreeMap::from([("haproxy.cfg".to_string(), proxy_config(s))])),
        ..ConfigMap::default()
    }));
    out.push(service_account(cx, s, &proxy));
    out.push(Object::typed(&Deployment {
        metadata: helper_meta(cx, s, &proxy),
        spec: DeploymentSpec {
            replicas: Some(2),
            revision_history_limit: Some(5),
            selector: selector(cx, &proxy),
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta { labels: Some(helper_labels(cx, &proxy)), ..ObjectMeta::default() }),
                spec: Some(helper_pod(cx, &proxy, PROXY_UID, pcontainer, pvolumes)),
            },
            ..DeploymentSpec::default()
        },
        ..Deployment::default()
    }));
    out.push(pdb(cx, s, &proxy));
    out
}

/// `10-skyform.conf` of a RabbitMQ cluster.
pub fn rabbit_conf(s: &Service) -> String {
    let amqp = port_of(s, "amqp", 5672);
    let management = port_of(s, "management", 15672);
    let prometheus = port_of(s, "prometheus", 15692);
    let mut o = String::new();
    let _ = writeln!(o, "# Generated by skyform: one RabbitMQ cluster of {} nodes.", s.replicas.max);
    let _ = writeln!(o, "listeners.tcp.default = {amqp}");
    let _ = writeln!(o, "management.tcp.port = {management}");
    let _ = writeln!(o, "prometheus.tcp.port = {prometheus}");
    let _ = writeln!(o, "loopback_users.guest = false");
    let _ = writeln!(o, "cluster_formation.peer_discovery_backend = classic_config");
    for i in 0..s.replicas.max {
        let _ =
            writeln!(o, "cluster_formation.classic_config.nodes.{} = rabbit@{}-{i}.{}", i + 1, s.name, fqdn_suffix(s));
    }
    let _ = writeln!(o, "cluster_partition_handling = pause_minority");
    let _ = writeln!(o, "default_queue_type = quorum");
    let _ = writeln!(o, "queue_leader_locator = balanced");
    o
}

fn rabbit_config(cx: &Ctx<'_>, s: &Service) -> Object {
    Object::typed(&ConfigMap {
        metadata: meta(
            &rabbit_config_name(&s.name),
            Some(&s.namespace),
            crate::objects::service_labels(cx.model, s),
            BTreeMap::new(),
        ),
        data: Some(BTreeMap::from([("10-skyform.conf".to_string(), rabbit_conf(s))])),
        ..ConfigMap::default()
    })
}

/// One edge of replication traffic: pods selected by `from` reach pods selected by
/// `to` on `ports` (TCP). Both ends are in the service's namespace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeerEdge {
    pub from: String,
    pub to: String,
    pub ports: Vec<u16>,
}

/// The replication edges of `s` (between its own pods and its helpers).
pub fn peer_edges(cx: &Ctx<'_>, s: &Service) -> Vec<PeerEdge> {
    let edge =
        |from: &str, to: &str, ports: &[u16]| PeerEdge { from: from.into(), to: to.into(), ports: ports.to_vec() };
    let n = s.name.as_str();
    if cnpg(cx, s) {
        // Streaming replication and pg_rewind between instances.
        return if s.replicas.max > 1 { vec![edge(n, n, &[port_of(s, "postgres", 5432)])] } else { Vec::new() };
    }
    if !clustered(s) || !cx.in_cluster(s) {
        return Vec::new();
    }
    match s.component {
        Some(ComponentKind::Redis) => {
            let port = port_of(s, "redis", REDIS_PORT);
            let sentinel = sentinel_name(n);
            let proxy = proxy_name(n);
            vec![
                edge(n, n, &[port]),
                edge(n, &sentinel, &[SENTINEL_PORT]),
                edge(&sentinel, n, &[port]),
                edge(&sentinel, &sentinel, &[SENTINEL_PORT]),
                edge(&proxy, n, &[port]),
            ]
        }
        Some(ComponentKind::Rabbitmq) => vec![edge(n, n, &RABBIT_PEER_PORTS)],
        Some(ComponentKind::Minio) => vec![edge(n, n, &[port_of(s, "api", 9000)])],
        Some(ComponentKind::Vault) => vec![edge(n, n, &[port_of(s, "api", 8200), port_of(s, "cluster", 8201)])],
        _ => Vec::new(),
    }
}
