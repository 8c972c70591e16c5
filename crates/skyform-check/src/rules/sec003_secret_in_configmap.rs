//! **SEC-003 `secret-in-configmap`**: A ConfigMap holds something that looks like a credential or a private key.
//!
//! *Why:* ConfigMaps are not access-controlled like Secrets and are readable by anyone who can read the namespace's config.
//!
//! *Fix:* Move the value into a Secret (via External Secrets or Sealed Secrets) and reference it.
//!
//! *Severity:* error.
//!
//! *Maps to:* CIS Kubernetes Benchmark v1.10 5.4.1; NSA/CISA hardening guide: Secrets; Polaris `sensitiveConfigmapContent`.

#[allow(unused_imports)]
use super::prelude::*;
use super::util::{is_placeholder, secret_like_name, secret_like_value};

pub const RULE: Rule = Rule {
    id: "SEC-003",
    name: "secret-in-configmap",
    severity: Severity::Error,
    category: Category::Secrets,
    default_enabled: true,
    summary: "A ConfigMap holds something that looks like a credential or a private key.",
    hint: "Move the value into a Secret (via External Secrets or Sealed Secrets) and reference it.",
    refs: Refs { cis: "5.4.1", nsa: "Secrets", polaris: &["sensitiveConfigmapContent"], ..Refs::NONE },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    if obj.kind != "ConfigMap" {
        return;
    }
    for e in obj.node.get("data").and_then(Node::as_map).unwrap_or(&[]) {
        let value = e.value.scalar_text().unwrap_or_default();
        if is_placeholder(&value) {
            continue;
        }
        if secret_like_value(&value) {
            out.at(e.key_span, format!("ConfigMap key `{}` contains key material", e.key));
        } else if secret_like_name(&e.key) && !value.contains('\n') {
            out.at(e.key_span, format!("ConfigMap key `{}` looks like a credential", e.key));
        }
    }
}
