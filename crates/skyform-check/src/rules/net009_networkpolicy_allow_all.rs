//! **NET-009 `networkpolicy-allow-all`**: A NetworkPolicy rule allows all traffic (no peers and no ports, or an all-matching peer).
//!
//! *Why:* An allow-all rule silently cancels the default deny for the pods it selects.
//!
//! *Fix:* List the peers (podSelector/namespaceSelector) and ports the pods actually need.
//!
//! *Severity:* warning.
//!
//! *Maps to:* NSA/CISA hardening guide: Network policies.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "NET-009",
    name: "networkpolicy-allow-all",
    severity: Severity::Warning,
    category: Category::Network,
    default_enabled: true,
    summary: "A NetworkPolicy rule allows all traffic (no peers and no ports, or an all-matching peer).",
    hint: "List the peers (podSelector/namespaceSelector) and ports the pods actually need.",
    refs: Refs { nsa: "Network policies", ..Refs::NONE },
    check,
};

fn all_peer(p: &Node) -> bool {
    if let Some(ip) = p.get("ipBlock") {
        let cidr = text(Some(ip), "cidr").unwrap_or("");
        return (cidr == "0.0.0.0/0" || cidr == "::/0")
            && ip.get("except").and_then(Node::as_seq).is_none_or(<[Node]>::is_empty);
    }
    // `namespaceSelector: {}` without a podSelector, or both empty: every pod in every namespace.
    p.get("namespaceSelector").is_some()
        && selector_is_empty(p.get("namespaceSelector"))
        && selector_is_empty(p.get("podSelector"))
}

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    if obj.kind != "NetworkPolicy" {
        return;
    }
    let Some(spec) = obj.spec() else { return };
    for (dir, peers_key) in [("ingress", "from"), ("egress", "to")] {
        for r in spec.get(dir).and_then(Node::as_seq).unwrap_or(&[]) {
            let peers = r.get(peers_key).and_then(Node::as_seq).unwrap_or(&[]);
            let ports = r.get("ports").and_then(Node::as_seq).unwrap_or(&[]);
            if !ports.is_empty() {
                continue;
            }
            if peers.is_empty() {
                out.at(r.span, format!("{dir} rule allows all traffic (no `{peers_key}` and no `ports`)"));
            } else if let Some(p) = peers.iter().find(|p| all_peer(p)) {
                out.at(p.span, format!("{dir} rule allows traffic from or to everywhere on every port"));
            }
        }
    }
}
