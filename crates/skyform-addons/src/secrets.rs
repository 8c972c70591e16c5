//! Secrets: the objects that create each service's `<service>-secrets` Secret, never a
//! plaintext value.
//!
//! With an External Secrets backend (Vault, AWS Secrets Manager, GCP Secret Manager,
//! Azure Key Vault), every in-cluster service with `secrets:` gets
//! - a namespaced `SecretStore` `<service>-secret-store` that authenticates *as the
//!   service's own ServiceAccount* (Vault Kubernetes auth with the role
//!   `<role>-<service>`; AWS IRSA, GCP Workload Identity or Azure Workload Identity
//!   through the same ServiceAccount), so one service can never read another's entries;
//! - an `ExternalSecret` `<service>-secrets` whose target is exactly the Secret the
//!   workload reads ([`skyform_render::objects::secret_name`]), one key per variable,
//!   from the key/property the platform file gives (`<platform>/<service>` and the
//!   variable name by default). In that default form the one backend entry is
//!   extracted whole (`dataFrom.extract`): its properties are the variable names. A service scaled on a queue also gets `KEDA_QUEUE_HOST`
//!   (same entry, property `KEDA_QUEUE_HOST`), which KEDA's TriggerAuthentication reads.
//!
//! GCP Secret Manager and Azure Key Vault do not allow `/` in secret names, so the key
//! is written with `-` there (`health-platform-health-api`). The Azure vault URL is
//! `https://<platform>-kv.vault.azure.net` (the name the Terraform module must give it).
//!
//! With `sealed-secrets`, every such service gets a `SealedSecret` template with no
//! encrypted data and the `kubeseal` command that fills it (annotations
//! `skyform.dev/required-keys` and `skyform.dev/seal-command`); until sealed, the
//! workload does not start, because its secret references are not optional.
//!
//! When the secrets live in the platform's own Vault, the External Secrets controller
//! must reach it: `allow-external-secrets-<vault>` admits the controller's namespace
//! ([`ESO_NAMESPACE`]) on Vault's API port.

use crate::{Ctx, annotate, custom, service_meta};
use serde_json::{Value, json};
use skyform_model::{ComponentKind, ProviderName, SecretsBackend, Service};
use skyform_render::Object;
use skyform_render::k8s::autoscaled;
use skyform_render::objects::secret_name;
use std::collections::BTreeMap;

/// Namespace of the External Secrets Operator's controller.
pub const ESO_NAMESPACE: &str = "external-secrets";
/// API version of External Secrets resources.
pub const ESO_API: &str = "external-secrets.io/v1";
/// Secret key KEDA reads the queue connection URL from.
pub const KEDA_QUEUE_KEY: &str = "KEDA_QUEUE_HOST";

/// Every secrets object of the environment.
pub fn objects(cx: &Ctx<'_>) -> Vec<Object> {
    let mut out = Vec::new();
    for s in cx.in_cluster_services().filter(|s| needs_store(cx, s)) {
        let own = !entries(cx, s).is_empty();
        match cx.model.secrets.backend {
            SecretsBackend::SealedSecrets => {
                if own {
                    out.push(sealed_secret(cx, s));
                }
            }
            _ => {
                out.push(secret_store(cx, s));
                if own {
                    out.push(external_secret(cx, s));
                }
            }
        }
    }
    if cx.model.secrets.backend == SecretsBackend::Vault {
        for v in cx.components(ComponentKind::Vault) {
            out.push(eso_to_vault_policy(cx, v));
        }
    }
    out
}

/// Whether the service reads anything from the secrets backend: its own Secret
/// ([`entries`]) or a database connection Secret ([`crate::data`]).
pub fn needs_store(cx: &Ctx<'_>, s: &Service) -> bool {
    !entries(cx, s).is_empty() || crate::data::needs_store(cx, s)
}

/// Variables of the service that read a database connection Secret instead of its own
/// (all of them for an operator-run PostgreSQL, whose password bootstraps `<db>-app`).
fn wired(cx: &Ctx<'_>, s: &Service) -> std::collections::BTreeSet<String> {
    let rcx = skyform_render::k8s::Ctx { model: cx.model, env: cx.env, provider: cx.provider };
    if skyform_render::k8s::wiring::cnpg(&rcx, s) {
        return s.secrets.iter().map(|r| r.env.clone()).collect();
    }
    skyform_render::k8s::wiring::wired_vars(&rcx, s).into_keys().collect()
}

/// Whether the service's Secret must also hold KEDA's queue connection URL.
pub fn needs_queue_key(s: &Service) -> bool {
    autoscaled(s) && s.autoscale.as_ref().is_some_and(|a| a.queue.is_some())
}

/// Name of a service's SecretStore.
pub fn store_name(service: &str) -> String {
    format!("{service}-secret-store")
}

/// The Vault Kubernetes-auth role a service authenticates with.
pub fn vault_role(cx: &Ctx<'_>, service: &str) -> String {
    format!("{}-{service}", cx.model.secrets.vault_role)
}

/// The Vault address: the configured one, else the platform's own Vault component.
/// An in-cluster Vault serves TLS only, so an `http://` address naming it is upgraded.
pub fn vault_address(cx: &Ctx<'_>) -> String {
    let own = cx.components(ComponentKind::Vault).next();
    if let Some(a) = &cx.model.secrets.vault_address {
        return own.map_or_else(|| a.clone(), |v| skyform_render::k8s::wiring::upgrade_vault_scheme(a, v));
    }
    own.map(|v| {
        let port = v.port("api").map_or(8200, |p| p.port);
        format!("https://{}:{port}", crate::service_host(v))
    })
    .unwrap_or_else(|| "http://vault:8200".to_string())
}

/// The in-cluster Vault the secrets backend address names, if any.
pub fn own_vault<'a>(cx: &Ctx<'a>) -> Option<&'a Service> {
    let address = vault_address(cx);
    cx.components(ComponentKind::Vault)
        .find(|v| address.contains(&format!("//{}", v.name)) || address.contains(&format!("//{}.", v.name)))
}

/// The region for AWS Secrets Manager: the AWS target's, else the current provider's.
fn aws_region(cx: &Ctx<'_>) -> String {
    cx.model
        .provider(ProviderName::Aws)
        .or_else(|| cx.model.provider(cx.provider))
        .map(|p| p.region.clone())
        .filter(|r| !r.is_empty())
        .unwrap_or_else(|| "us-east-1".to_string())
}

/// The backend's name for a key (GCP and Azure do not allow `/`).
pub fn remote_key(backend: SecretsBackend, key: &str) -> String {
    match backend {
        SecretsBackend::GcpSecretManager | SecretsBackend::AzureKeyVault => key.replace(['/', '_', '.'], "-"),
        _ => key.to_string(),
    }
}

fn provider_spec(cx: &Ctx<'_>, s: &Service) -> Value {
    let sa = json!({ "name": s.name });
    match cx.model.secrets.backend {
        SecretsBackend::Vault => {
            let mut v = json!({
                "server": vault_address(cx),
                "path": cx.model.secrets.vault_path,
                "version": "v2",
                "auth": { "kubernetes": {
                    "mountPath": "kubernetes",
                    "role": vault_role(cx, &s.name),
                    "serviceAccountRef": sa,
                }},
            });
            if let Some(own) = own_vault(cx) {
                // The internal CA, issued into this namespace by cert-manager.
                v["caProvider"] = json!({
                    "type": "Secret",
                    "name": skyform_render::k8s::wiring::vault_ca_secret(&own.name),
                    "key": "ca.crt",
                });
            }
            json!({ "vault": v })
        }
        SecretsBackend::AwsSecretsManager => json!({ "aws": {
            "service": "SecretsManager",
            "region": aws_region(cx),
            "auth": { "jwt": { "serviceAccountRef": sa } },
        }}),
        SecretsBackend::GcpSecretManager => json!({ "gcpsm": {
            "auth": { "workloadIdentity": { "serviceAccountRef": sa } },
        }}),
        SecretsBackend::AzureKeyVault | SecretsBackend::SealedSecrets => json!({ "azurekv": {
            "vaultUrl": format!("https://{}-kv.vault.azure.net", cx.model.name),
            "authType": "WorkloadIdentity",
            "serviceAccountRef": sa,
        }}),
    }
}

fn secret_store(cx: &Ctx<'_>, s: &Service) -> Object {
    custom(
        ESO_API,
        "SecretStore",
        service_meta(cx.model, s, &store_name(&s.name), &s.namespace),
        json!({ "provider": provider_spec(cx, s) }),
    )
}

/// `(secret key, remote key, property)` of every entry the service's Secret holds
/// (variables wired to a database connection Secret are not in it).
pub fn entries(cx: &Ctx<'_>, s: &Service) -> Vec<(String, String, String)> {
    let wired = wired(cx, s);
    let mut out: Vec<(String, String, String)> = s
        .secrets
        .iter()
        .filter(|r| !wired.contains(&r.env))
        .map(|r| (r.env.clone(), r.key.clone(), r.property.clone()))
        .collect();
    if needs_queue_key(s) && !out.iter().any(|e| e.0 == KEDA_QUEUE_KEY) {
        out.push((KEDA_QUEUE_KEY.into(), format!("{}/{}", cx.model.name, s.name), KEDA_QUEUE_KEY.into()));
    }
    out.sort();
    out
}

fn external_secret(cx: &Ctx<'_>, s: &Service) -> Object {
    let backend = cx.model.secrets.backend;
    let list = entries(cx, s);
    let mut spec = json!({
        "refreshInterval": cx.model.secrets.refresh_interval,
        "secretStoreRef": { "name": store_name(&s.name), "kind": "SecretStore" },
        "target": {
            "name": secret_name(&s.name),
            "creationPolicy": "Owner",
            "deletionPolicy": "Retain",
        },
    });
    match extract_key(&list) {
        // One backend entry whose properties are the variable names: extract it whole.
        Some(key) => spec["dataFrom"] = json!([{ "extract": { "key": remote_key(backend, key) } }]),
        None => {
            let data: Vec<Value> = list
                .iter()
                .map(|(env, key, property)| {
                    json!({ "secretKey": env, "remoteRef": { "key": remote_key(backend, key), "property": property } })
                })
                .collect();
            spec["data"] = json!(data);
        }
    }
    custom(ESO_API, "ExternalSecret", service_meta(cx.model, s, &secret_name(&s.name), &s.namespace), spec)
}

/// The single backend key of `entries` when every property is named like its variable
/// (the default `secrets: [NAME]` form): then the whole entry is extracted with
/// `dataFrom`, and the Secret's keys are the entry's properties.
pub fn extract_key(entries: &[(String, String, String)]) -> Option<&str> {
    let first = &entries.first()?.1;
    entries.iter().all(|(env, key, property)| key == first && env == property).then_some(first.as_str())
}

fn sealed_secret(cx: &Ctx<'_>, s: &Service) -> Object {
    let name = secret_name(&s.name);
    let keys: Vec<String> = entries(cx, s).into_iter().map(|e| e.0).collect();
    let literals: Vec<String> = keys.iter().map(|k| format!("--from-literal={k}=\"${k}\"")).collect();
    let command = format!(
        "kubectl create secret generic {name} --namespace {ns} --dry-run=client -o yaml {lits} | kubeseal --format yaml --merge-into {file}",
        ns = s.namespace,
        lits = literals.join(" "),
        file = skyform_render::output::object_path(&Object::custom(
            "bitnami.com/v1alpha1",
            "SealedSecret",
            service_meta(cx.model, s, &name, &s.namespace),
            serde_json::Map::new(),
        )),
    );
    let m = annotate(
        service_meta(cx.model, s, &name, &s.namespace),
        &[("skyform.dev/required-keys", keys.join(",")), ("skyform.dev/seal-command", command)],
    );
    let labels: BTreeMap<String, String> = skyform_render::objects::service_labels(cx.model, s);
    custom(
        "bitnami.com/v1alpha1",
        "SealedSecret",
        m,
        json!({
            "encryptedData": {},
            "template": {
                "metadata": { "name": name, "namespace": s.namespace, "labels": labels },
                "type": "Opaque",
            },
        }),
    )
}

fn eso_to_vault_policy(cx: &Ctx<'_>, v: &Service) -> Object {
    let port = v.port("api").map_or(8200, |p| p.port);
    let name = format!("allow-external-secrets-{}", v.name);
    crate::allow_ingress_from_namespace(cx, v, &name, ESO_NAMESPACE, port, skyform_model::Protocol::Tcp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extract_only_when_properties_are_the_variable_names() {
        let e = |a: &str, k: &str, p: &str| (a.to_string(), k.to_string(), p.to_string());
        assert_eq!(extract_key(&[e("A", "x/y", "A"), e("B", "x/y", "B")]), Some("x/y"));
        assert_eq!(extract_key(&[e("A", "x/y", "password"), e("B", "x/y", "B")]), None);
        assert_eq!(extract_key(&[e("A", "x/y", "A"), e("B", "x/z", "B")]), None);
        assert_eq!(extract_key(&[]), None);
    }

    #[test]
    fn gcp_and_azure_keys_have_no_slashes() {
        assert_eq!(remote_key(SecretsBackend::AzureKeyVault, "shop/api"), "shop-api");
        assert_eq!(remote_key(SecretsBackend::GcpSecretManager, "shop/api"), "shop-api");
        assert_eq!(remote_key(SecretsBackend::Vault, "shop/api"), "shop/api");
    }
}
