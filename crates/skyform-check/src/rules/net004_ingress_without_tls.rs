//! **NET-004 `ingress-without-tls`**: An Ingress has no `tls` section, or serves a host not covered by it.
//!
//! *Why:* Without TLS credentials and session data cross the network in plaintext.
//!
//! *Fix:* Add `spec.tls` with the Ingress's hosts and a certificate Secret (e.g. from cert-manager).
//!
//! *Severity:* warning.
//!
//! *Maps to:* NSA/CISA hardening guide: Encryption; Polaris `tlsSettingsMissing`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "NET-004",
    name: "ingress-without-tls",
    severity: Severity::Warning,
    category: Category::Network,
    default_enabled: true,
    summary: "An Ingress has no `tls` section, or serves a host not covered by it.",
    hint: "Add `spec.tls` with the Ingress's hosts and a certificate Secret (e.g. from cert-manager).",
    refs: Refs { nsa: "Encryption", polaris: &["tlsSettingsMissing"], ..Refs::NONE },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    if obj.kind != "Ingress" {
        return;
    }
    let Some(spec) = obj.spec() else { return };
    let tls = spec.get("tls").and_then(Node::as_seq).unwrap_or(&[]);
    if tls.is_empty() {
        out.at(key_span(&obj.node, "spec"), "Ingress has no TLS configuration");
        return;
    }
    let covered: Vec<&str> = tls.iter().flat_map(|t| strings(t.get("hosts"))).collect();
    for r in spec.get("rules").and_then(Node::as_seq).unwrap_or(&[]) {
        if let Some(h) = r.get("host")
            && let Some(host) = h.as_str()
            && !covered.iter().any(|c| {
                *c == host || (c.starts_with("*.") && host.split_once('.').is_some_and(|(_, rest)| rest == &c[2..]))
            })
        {
            out.at(h.span, format!("host `{host}` is not covered by any `tls` entry"));
        }
    }
}
