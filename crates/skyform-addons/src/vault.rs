//! HashiCorp Vault: the server configuration of a `component: vault` service and the
//! Kubernetes-auth roles and policies for every service that reads secrets from Vault.
//!
//! For each in-cluster Vault component:
//! - the ConfigMap [`crate::component_config_name`] with `vault.json` — integrated
//!   storage (Raft) on the data volume with one `retry_join` per replica through the
//!   headless Service (`<vault>-<i>.<vault>-headless`), so three replicas form an HA
//!   cluster; `disable_mlock` (the container drops every capability, including
//!   IPC_LOCK); Prometheus telemetry readable without a token, matching the PodMonitor.
//!   The listener always serves TLS from `/vault/tls/tls.{crt,key}` (the Secret
//!   `<vault>-server-tls`, issued by cert-manager from the platform's internal CA; see
//!   `tls_objects`) and every `retry_join` verifies its peer against that CA; the
//!   Raft peers reach each other on the API and cluster ports (the core renderer's
//!   policy). The seal is Shamir: run `vault operator init` once on pod 0 and store the
//!   keys offline; after a restart each pod must be unsealed (`vault operator unseal`)
//!   until a cloud KMS `seal` stanza (awskms/gcpckms/azurekeyvault, with a key created
//!   by Terraform) is added. The workload must mount this ConfigMap at `/vault/config`
//!   and set `VAULT_CLUSTER_ADDR`/`VAULT_API_ADDR` per pod;
//! - a ClusterRoleBinding `<platform>-<vault>-tokenreview` to `system:auth-delegator`,
//!   which Vault's Kubernetes auth method needs to verify ServiceAccount tokens;
//! - `allow-<vault>-kube-api`: egress from the Vault pods to the API server (TCP 443 and
//!   6443) for those TokenReviews.
//!
//! When the secrets backend is Vault (in-cluster or not), the ConfigMap
//! `<platform>-vault-auth` (in the Vault component's namespace, else the first tier's)
//! holds one read-only policy per service (`policy-<service>.json`: exactly the KV
//! entries its secrets name), and `configure.sh`, which an operator runs once with an
//! admin token (`VAULT_ADDR=… VAULT_TOKEN=… sh configure.sh`) to enable the Kubernetes
//! auth method and write one role per ServiceAccount, bound to that ServiceAccount's
//! name and namespace only. Vault state is not declarative Kubernetes configuration, so
//! it is delivered as a reviewed script rather than a Job holding an admin token.

use crate::secrets::{entries, vault_address, vault_role};
use crate::{Ctx, annotate, component_config_name, platform_meta, pretty_json, service_meta};
use k8s_openapi::api::core::v1::ConfigMap;
use k8s_openapi::api::networking::v1::{
    IPBlock, NetworkPolicy, NetworkPolicyEgressRule, NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicySpec,
};
use k8s_openapi::api::rbac::v1::{ClusterRoleBinding, RoleRef, Subject};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde_json::{Map, Value, json};
use skyform_model::{ComponentKind, SecretsBackend, Service};
use skyform_render::Object;
use skyform_render::k8s::wiring::{vault_ca_secret, vault_dependency, vault_server_tls_secret};
use skyform_render::objects::{headless_name, selector_labels};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// Every Vault object of the environment.
pub fn objects(cx: &Ctx<'_>) -> Vec<Object> {
    let mut out = Vec::new();
    for (i, v) in cx.components(ComponentKind::Vault).enumerate() {
        out.push(server_config(cx, v));
        out.push(token_review_binding(cx, v));
        out.push(kube_api_egress(cx, v));
        out.extend(tls_objects(cx, v, i == 0));
    }
    if cx.model.secrets.backend == SecretsBackend::Vault {
        out.push(auth_config(cx));
    }
    out
}

/// The `vault.json` server configuration.
pub fn server_json(cx: &Ctx<'_>, v: &Service) -> Value {
    let api = v.port("api").map_or(8200, |p| p.port);
    let cluster = v.port("cluster").map_or(8201, |p| p.port);
    // An in-cluster Vault always serves TLS (certificate from the internal CA).
    let tls = true;
    let scheme = if tls { "https" } else { "http" };
    let dir = skyform_render::k8s::wiring::VAULT_TLS_DIR;
    let data = v.storage.as_ref().map_or("/vault/data", |s| s.mount_path.as_str());
    let joins: Vec<Value> = (0..v.replicas.max.max(1))
        .map(|i| {
            json!({
                "leader_api_addr": format!(
                    "{scheme}://{}-{i}.{}.{}.svc.cluster.local:{api}",
                    v.name,
                    headless_name(&v.name),
                    v.namespace
                ),
                "leader_ca_cert_file": format!("{dir}/ca.crt"),
            })
        })
        .collect();
    let mut listener = Map::new();
    listener.insert("address".into(), json!(format!("[::]:{api}")));
    listener.insert("cluster_address".into(), json!(format!("[::]:{cluster}")));
    if tls {
        listener.insert("tls_cert_file".into(), json!(format!("{dir}/tls.crt")));
        listener.insert("tls_key_file".into(), json!(format!("{dir}/tls.key")));
        listener.insert("tls_min_version".into(), json!("tls12"));
    } else {
        listener.insert("tls_disable".into(), json!(true));
    }
    listener.insert("telemetry".into(), json!({ "unauthenticated_metrics_access": true }));
    json!({
        "ui": true,
        "disable_mlock": true,
        "cluster_name": format!("{}-{}", cx.model.name, v.name),
        "listener": [{ "tcp": listener }],
        "storage": { "raft": { "path": data, "retry_join": joins } },
        "telemetry": { "prometheus_retention_time": "30s", "disable_hostname": true },
    })
}

fn server_config(cx: &Ctx<'_>, v: &Service) -> Object {
    let m = annotate(
        service_meta(cx.model, v, &component_config_name(&v.name), &v.namespace),
        &[("skyform.dev/mount-path", crate::component_config_dir(ComponentKind::Vault).unwrap_or_default().into())],
    );
    Object::typed(&ConfigMap {
        metadata: m,
        data: Some(BTreeMap::from([("vault.json".to_string(), pretty_json(&server_json(cx, v)))])),
        ..ConfigMap::default()
    })
}

fn token_review_binding(cx: &Ctx<'_>, v: &Service) -> Object {
    let name = format!("{}-{}-tokenreview", cx.model.name, v.name);
    Object::typed(&ClusterRoleBinding {
        metadata: service_meta(cx.model, v, &name, &v.namespace).tap_cluster_scoped(),
        role_ref: RoleRef {
            api_group: Some("rbac.authorization.k8s.io".into()),
            kind: "ClusterRole".into(),
            name: "system:auth-delegator".into(),
        },
        subjects: Some(vec![Subject {
            kind: "ServiceAccount".into(),
            name: v.name.clone(),
            namespace: Some(v.namespace.clone()),
            ..Subject::default()
        }]),
    })
}

/// Drops the namespace of metadata (for cluster-scoped objects).
trait ClusterScoped {
    fn tap_cluster_scoped(self) -> Self;
}

impl ClusterScoped for k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
    fn tap_cluster_scoped(mut self) -> Self {
        self.namespace = None;
        self
    }
}

fn kube_api_egress(cx: &Ctx<'_>, v: &Service) -> Object {
    let port = |p: i32| NetworkPolicyPort {
        port: Some(IntOrString::Int(p)),
        protocol: Some("TCP".into()),
        ..NetworkPolicyPort::default()
    };
    let np = NetworkPolicy {
        metadata: annotate(
            service_meta(cx.model, v, &format!("allow-{}-kube-api", v.name), &v.namespace),
            &[(
                "skyform.dev/reason",
                "Vault's Kubernetes auth method verifies ServiceAccount tokens with the API server (TokenReview); \
                 the API server's address is only known to the cluster, so any address is allowed on its ports"
                    .into(),
            )],
        ),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(LabelSelector {
                match_labels: Some(selector_labels(cx.model, &v.name)),
                ..LabelSelector::default()
            }),
            policy_types: Some(vec!["Egress".into()]),
            egress: Some(vec![NetworkPolicyEgressRule {
                to: Some(vec![NetworkPolicyPeer {
                    ip_block: Some(IPBlock { cidr: "0.0.0.0/0".into(), except: None }),
                    ..NetworkPolicyPeer::default()
                }]),
                ports: Some(vec![port(443), port(6443)]),
            }]),
            ..NetworkPolicySpec::default()
        }),
    };
    Object::typed(&np)
}

/// Namespace of cert-manager, where a ClusterIssuer's CA Secret must live.
pub const CERT_MANAGER_NAMESPACE: &str = "cert-manager";

/// The internal CA (once per platform: a self-signed root in cert-manager's namespace
/// behind the ClusterIssuer `<platform>-internal-ca`), Vault's serving certificate, and
/// the CA bundle `<vault>-ca` in every namespace whose pods or SecretStores talk to
/// Vault (cert-manager puts the issuing CA in each certificate's `ca.crt`). Vault reads
/// its certificate at start-up: restart the pods (or send SIGHUP) after a renewal.
fn tls_objects(cx: &Ctx<'_>, v: &Service, with_ca: bool) -> Vec<Object> {
    let platform = &cx.model.name;
    let selfsigned = format!("{platform}-selfsigned");
    let ca = format!("{platform}-internal-ca");
    let issuer_ref = |name: &str| json!({ "name": name, "kind": "ClusterIssuer", "group": "cert-manager.io" });
    let mut out = Vec::new();
    if with_ca {
        out.push(crate::custom(
            "cert-manager.io/v1",
            "ClusterIssuer",
            platform_meta(cx.model, &selfsigned, None),
            json!({ "selfSigned": {} }),
        ));
        out.push(crate::custom(
            "cert-manager.io/v1",
            "Certificate",
            platform_meta(cx.model, &ca, Some(CERT_MANAGER_NAMESPACE)),
            json!({
                "isCA": true,
                "commonName": format!("{platform} internal CA"),
                "secretName": ca,
                "duration": "87600h",
                "privateKey": { "algorithm": "ECDSA", "size": 256 },
                "issuerRef": issuer_ref(&selfsigned),
            }),
        ));
        out.push(crate::custom(
            "cert-manager.io/v1",
            "ClusterIssuer",
            platform_meta(cx.model, &ca, None),
            json!({ "ca": { "secretName": ca } }),
        ));
    }
    let headless = headless_name(&v.name);
    let ns = &v.namespace;
    let dns: Vec<String> = vec![
        v.name.clone(),
        format!("{}.{ns}", v.name),
        format!("{}.{ns}.svc", v.name),
        format!("{}.{ns}.svc.cluster.local", v.name),
        format!("*.{headless}"),
        format!("*.{headless}.{ns}"),
        format!("*.{headless}.{ns}.svc"),
        format!("*.{headless}.{ns}.svc.cluster.local"),
        "localhost".into(),
    ];
    out.push(crate::custom(
        "cert-manager.io/v1",
        "Certificate",
        service_meta(cx.model, v, &vault_server_tls_secret(&v.name), ns),
        json!({
            "secretName": vault_server_tls_secret(&v.name),
            "commonName": format!("{}.{ns}.svc", v.name),
            "dnsNames": dns,
            "ipAddresses": ["127.0.0.1"],
            "duration": "2160h",
            "renewBefore": "720h",
            "privateKey": { "algorithm": "ECDSA", "size": 256, "rotationPolicy": "Always" },
            "usages": ["server auth", "client auth", "digital signature", "key encipherment"],
            "issuerRef": issuer_ref(&ca),
        }),
    ));
    let mut client_ns: BTreeSet<String> = cx
        .in_cluster_services()
        .filter(|s| {
            let rcx = skyform_render::k8s::Ctx { model: cx.model, env: cx.env, provider: cx.provider };
            vault_dependency(&rcx, s).is_some_and(|x| x.name == v.name)
        })
        .map(|s| s.namespace.clone())
        .collect();
    if crate::secrets::own_vault(cx).is_some_and(|x| x.name == v.name) {
        client_ns.extend(
            cx.in_cluster_services().filter(|s| crate::secrets::needs_store(cx, s)).map(|s| s.namespace.clone()),
        );
    }
    for n in client_ns {
        out.push(crate::custom(
            "cert-manager.io/v1",
            "Certificate",
            service_meta(cx.model, v, &vault_ca_secret(&v.name), &n),
            json!({
                "secretName": vault_ca_secret(&v.name),
                "commonName": format!("{} clients in {n}", v.name),
                "duration": "2160h",
                "renewBefore": "720h",
                "privateKey": { "algorithm": "ECDSA", "size": 256 },
                "usages": ["client auth", "digital signature"],
                "issuerRef": issuer_ref(&ca),
            }),
        ));
    }
    out
}

/// The KV v2 data path of a key: `secret/data/<key>`.
fn data_path(mount: &str, key: &str) -> String {
    format!("{}/data/{}", mount.trim_matches('/'), key.trim_matches('/'))
}

/// One read-only policy per service: exactly the entries it reads.
pub fn policy(cx: &Ctx<'_>, s: &Service) -> Value {
    let keys: BTreeSet<String> = entries(cx, s)
        .into_iter()
        .map(|(_, key, _)| key)
        .chain(crate::data::backend_keys(cx, s))
        .map(|key| data_path(&cx.model.secrets.vault_path, &key))
        .collect();
    let paths: Map<String, Value> = keys.into_iter().map(|k| (k, json!({ "capabilities": ["read"] }))).collect();
    json!({ "path": paths })
}

fn policy_name(cx: &Ctx<'_>, s: &Service) -> String {
    format!("{}-{}", cx.model.name, s.name)
}

/// The shell script that writes the auth method, policies and roles (run by an operator).
pub fn configure_script(cx: &Ctx<'_>, readers: &[&Service]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "#!/bin/sh");
    let _ = writeln!(s, "# Generated by skyform for platform `{}`, environment `{}`.", cx.model.name, cx.env.name);
    let _ = writeln!(s, "# Run once (idempotent) with an admin token: VAULT_ADDR=... VAULT_TOKEN=... sh configure.sh");
    let _ = writeln!(s, "# Save every key of this ConfigMap as a file in one directory and run it from there.");
    let _ = writeln!(s, "set -eu");
    let _ = writeln!(s, ": \"${{VAULT_ADDR:={}}}\"", vault_address(cx));
    let _ = writeln!(s, "export VAULT_ADDR");
    let _ = writeln!(s, "vault auth list -format=json | grep -q '\"kubernetes/\"' || vault auth enable kubernetes");
    if cx.components(ComponentKind::Vault).next().is_some() {
        let _ = writeln!(s, "vault write auth/kubernetes/config kubernetes_host=https://kubernetes.default.svc");
    } else {
        let _ = writeln!(s, "# Vault runs outside the cluster: give it the API server's address and CA, and a");
        let _ = writeln!(s, "# token of a ServiceAccount bound to system:auth-delegator for TokenReviews.");
        let _ = writeln!(
            s,
            "vault write auth/kubernetes/config kubernetes_host=\"$KUBERNETES_HOST\" kubernetes_ca_cert=@ca.crt token_reviewer_jwt=\"$TOKEN_REVIEWER_JWT\""
        );
    }
    for r in readers {
        let _ = writeln!(s, "vault policy write {} policy-{}.json", policy_name(cx, r), r.name);
        let _ = writeln!(
            s,
            "vault write auth/kubernetes/role/{} bound_service_account_names={} bound_service_account_namespaces={} token_policies={} token_ttl=1h token_max_ttl=4h",
            vault_role(cx, &r.name),
            r.name,
            r.namespace,
            policy_name(cx, r)
        );
    }
    s
}

fn auth_config(cx: &Ctx<'_>) -> Object {
    let readers: Vec<&Service> = cx.in_cluster_services().filter(|s| crate::secrets::needs_store(cx, s)).collect();
    let namespace = cx
        .components(ComponentKind::Vault)
        .next()
        .map(|v| v.namespace.clone())
        .or_else(|| cx.model.tiers.first().map(|t| t.namespace.clone()))
        .unwrap_or_default();
    let mut data = BTreeMap::new();
    data.insert("configure.sh".to_string(), configure_script(cx, &readers));
    for r in &readers {
        data.insert(format!("policy-{}.json", r.name), pretty_json(&policy(cx, r)));
    }
    let m = annotate(
        platform_meta(cx.model, &format!("{}-vault-auth", cx.model.name), Some(&namespace)),
        &[(
            "skyform.dev/apply",
            "not applied by Kubernetes: an operator runs configure.sh once with a Vault admin token".into(),
        )],
    );
    Object::typed(&ConfigMap { metadata: m, data: Some(data), ..ConfigMap::default() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kv2_paths() {
        assert_eq!(data_path("secret", "shop/api"), "secret/data/shop/api");
        assert_eq!(data_path("/kv/", "/x"), "kv/data/x");
    }
}
