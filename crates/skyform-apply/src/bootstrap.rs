//! Secrets bootstrap: the first credentials of a secret store.
//!
//! An External Secrets `SecretStore`/`ClusterSecretStore` that authenticates with a
//! static credential (a Vault token, AWS access keys, an Azure client secret) reads it
//! from a Kubernetes Secret that nothing in the platform can create: it has to come from
//! the person running the apply. [`credential_refs`] finds every such reference (any
//! `{name, key}` selector under the store's `spec.provider`), [`unmet`] those the object
//! set does not create itself, and [`credential_secret`] builds the Secret from what the
//! caller supplies (`skyform apply --store-credential NS/NAME:KEY=@FILE`). The engine
//! applies those Secrets after the first wave and never records them in the inventory,
//! so the credential is not copied anywhere else.
//!
//! Stores that authenticate as a ServiceAccount (Vault Kubernetes auth, AWS IRSA, GCP and
//! Azure Workload Identity: what skyform emits) need no Secret here; their bootstrap is
//! on the store's side (the Vault role, the IAM binding), see the apply documentation.

use crate::error::Problem;
use crate::object::{MANAGED_BY, MANAGED_BY_LABEL, Manifest, ObjRef};
use base64::Engine as _;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// One Secret key a store reads its credential from.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct CredentialRef {
    /// The store (`ClusterSecretStore vault-backend`).
    pub store: ObjRef,
    pub namespace: String,
    pub name: String,
    pub key: String,
}

impl CredentialRef {
    /// `namespace/name:key`, the form `--store-credential` takes.
    pub fn spec(&self) -> String {
        format!("{}/{}:{}", self.namespace, self.name, self.key)
    }
}

fn is_store(kind: &str) -> bool {
    kind == "SecretStore" || kind == "ClusterSecretStore"
}

/// Every `{name, key}` secret selector under the stores' `spec.provider`.
pub fn credential_refs(manifests: &[Manifest]) -> Vec<CredentialRef> {
    let mut out = Vec::new();
    for m in manifests.iter().filter(|m| is_store(&m.r.kind) && m.r.group() == "external-secrets.io") {
        if let Some(p) = m.value.pointer("/spec/provider") {
            walk(p, &m.r, &mut out);
        }
    }
    out.sort();
    out.dedup();
    out
}

fn walk(v: &Value, store: &ObjRef, out: &mut Vec<CredentialRef>) {
    match v {
        Value::Object(map) => {
            let s = |k: &str| map.get(k).and_then(Value::as_str);
            // A ServiceAccount selector has a name but no key: not a Secret.
            if let (Some(name), Some(key)) = (s("name"), s("key")) {
                let namespace = s("namespace").map(String::from).or_else(|| store.namespace.clone());
                if let Some(namespace) = namespace {
                    out.push(CredentialRef { store: store.clone(), namespace, name: name.into(), key: key.into() });
                }
                return;
            }
            for child in map.values() {
                walk(child, store, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| walk(i, store, out)),
        _ => {}
    }
}

/// References whose Secret the object set does not create.
pub fn unmet<'a>(refs: &'a [CredentialRef], manifests: &[Manifest]) -> Vec<&'a CredentialRef> {
    refs.iter()
        .filter(|r| {
            !manifests.iter().any(|m| {
                m.r.kind == "Secret" && m.r.namespace.as_deref() == Some(r.namespace.as_str()) && m.r.name == r.name
            })
        })
        .collect()
}

/// Parses `NAMESPACE/NAME:KEY` (the left side of `--store-credential`).
pub fn parse_spec(s: &str) -> Result<(String, String, String), String> {
    let bad = || format!("`{s}` is not NAMESPACE/NAME:KEY (e.g. external-secrets/vault-token:token)");
    let (ns, rest) = s.split_once('/').ok_or_else(bad)?;
    let (name, key) = rest.split_once(':').ok_or_else(bad)?;
    if [ns, name, key].iter().any(|p| p.is_empty()) {
        return Err(bad());
    }
    Ok((ns.into(), name.into(), key.into()))
}

/// The Secrets holding supplied credentials: `(namespace, name) -> key -> value`.
pub fn credential_secrets(supplied: &BTreeMap<(String, String), BTreeMap<String, Vec<u8>>>) -> Vec<Manifest> {
    supplied
        .iter()
        .filter_map(|((ns, name), data)| Manifest::from_value(0, credential_secret(ns, name, data)).ok())
        .collect()
}

/// One credential Secret (Opaque, labelled as skyform's).
pub fn credential_secret(namespace: &str, name: &str, data: &BTreeMap<String, Vec<u8>>) -> Value {
    let encoded: serde_json::Map<String, Value> = data
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(base64::engine::general_purpose::STANDARD.encode(v))))
        .collect();
    json!({
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "Opaque",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": { MANAGED_BY_LABEL: MANAGED_BY, "skyform.dev/role": "store-credential" },
        },
        "data": encoded,
    })
}

/// The refusal when a store's credential is neither in the set, nor live, nor supplied.
pub fn describe_unmet(list: &[&CredentialRef]) -> Problem {
    let mut s = String::from("secret stores read credentials that nothing creates; nothing was changed:");
    for r in list {
        s.push_str(&format!("\n  - {} reads Secret {}/{} key `{}`", r.store, r.namespace, r.name, r.key));
    }
    let example = list.first().map_or(String::new(), |r| format!("{}=env:VAULT_TOKEN", r.spec()));
    Problem::hinted(
        s,
        format!(
            "pass each with --store-credential NAMESPACE/NAME:KEY=@FILE (or =env:VARIABLE), e.g. --store-credential {example}"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(kind: &str, ns: Option<&str>, provider: Value) -> Manifest {
        let mut meta = json!({"name": "backend"});
        if let Some(ns) = ns {
            meta["namespace"] = json!(ns);
        }
        Manifest::from_value(
            0,
            json!({"apiVersion":"external-secrets.io/v1","kind":kind,"metadata":meta,"spec":{"provider":provider}}),
        )
        .unwrap()
    }

    #[test]
    fn finds_token_and_key_selectors_not_service_accounts() {
        let ms = vec![
            store(
                "ClusterSecretStore",
                None,
                json!({"vault":{"server":"http://vault:8200","auth":{"tokenSecretRef":{"name":"vault-token","key":"token","namespace":"external-secrets"}}}}),
            ),
            store(
                "SecretStore",
                Some("shop"),
                json!({"aws":{"auth":{"secretRef":{"accessKeyIDSecretRef":{"name":"aws","key":"id"},"secretAccessKeySecretRef":{"name":"aws","key":"secret"}}}}}),
            ),
            store(
                "SecretStore",
                Some("api"),
                json!({"vault":{"auth":{"kubernetes":{"role":"r","serviceAccountRef":{"name":"api"}}}}}),
            ),
        ];
        let refs = credential_refs(&ms);
        let specs: Vec<String> = refs.iter().map(CredentialRef::spec).collect();
        assert_eq!(specs, ["external-secrets/vault-token:token", "shop/aws:id", "shop/aws:secret"]);
        let mut with_secret = ms.clone();
        let data = BTreeMap::from([("id".to_string(), b"AKIA".to_vec())]);
        with_secret.push(Manifest::from_value(0, credential_secret("shop", "aws", &data)).unwrap());
        let left: Vec<String> = unmet(&refs, &with_secret).iter().map(|r| r.spec()).collect();
        assert_eq!(left, ["external-secrets/vault-token:token"]);
        let text = describe_unmet(&unmet(&refs, &with_secret));
        assert!(
            text.contains("ClusterSecretStore backend reads Secret external-secrets/vault-token key `token`"),
            "{text}"
        );
        assert!(text.contains("--store-credential external-secrets/vault-token:token=env:VAULT_TOKEN"), "{text}");
    }

    #[test]
    fn specs_and_secrets() {
        assert_eq!(parse_spec("a/b:c").unwrap(), ("a".into(), "b".into(), "c".into()));
        assert!(parse_spec("a/b").is_err() && parse_spec("b:c").is_err() && parse_spec("/b:c").is_err());
        let s = credential_secret("a", "b", &BTreeMap::from([("token".to_string(), b"s.123".to_vec())]));
        assert_eq!(s.pointer("/data/token"), Some(&json!("cy4xMjM=")));
        assert_eq!(s.pointer("/metadata/labels/app.kubernetes.io~1managed-by"), Some(&json!("skyform")));
    }
}
