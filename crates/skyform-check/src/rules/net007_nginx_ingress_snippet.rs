//! **NET-007 `nginx-ingress-snippet`**: An Ingress uses an ingress-nginx `*-snippet` annotation.
//!
//! *Why:* Snippets inject raw nginx configuration; CVE-2021-25742 lets them read the controller's Secrets (Lua, alias).
//!
//! *Fix:* Remove the snippet annotation and use the controller's supported annotations or a ConfigMap.
//!
//! *Severity:* error.
//!
//! *Maps to:* checkov `CKV_K8S_152`, `CKV_K8S_153`, `CKV_K8S_154`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "NET-007",
    name: "nginx-ingress-snippet",
    severity: Severity::Error,
    category: Category::Network,
    default_enabled: true,
    summary: "An Ingress uses an ingress-nginx `*-snippet` annotation.",
    hint: "Remove the snippet annotation and use the controller's supported annotations or a ConfigMap.",
    refs: Refs { checkov: &["CKV_K8S_152", "CKV_K8S_153", "CKV_K8S_154"], ..Refs::NONE },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    if obj.kind != "Ingress" {
        return;
    }
    for e in obj.annotations().and_then(Node::as_map).unwrap_or(&[]) {
        if e.key.starts_with("nginx.ingress.kubernetes.io/") && e.key.ends_with("-snippet") {
            out.at(e.key_span, format!("annotation `{}` injects raw nginx configuration", e.key));
        }
    }
}
