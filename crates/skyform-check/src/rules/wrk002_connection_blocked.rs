//! **WRK-002 `connection-blocked`**: The NetworkPolicies in force (egress of the source's namespace, ingress of the destination's) do not allow a connection a container is configured to make, or its DNS lookups.
//!
//! *Why:* With a default-deny in place, a connection nobody allowed times out at run time; manifests validate and every per-object check passes.
//!
//! *Fix:* Add an egress rule to the source's NetworkPolicy and an ingress rule to the destination's that admit this pod pair and port (and egress to kube-dns on 53/UDP).
//!
//! *Severity:* error.
//!
//! *Maps to:* nothing in checkov, kube-linter, Polaris or kube-score.

#[allow(unused_imports)]
use super::prelude::*;
use crate::netpol::{Direction, Pods, Port, names};
use crate::works::{Outcome, Target, backend_ports, connections, pod_labels};

pub const RULE: Rule = Rule {
    id: "WRK-002",
    name: "connection-blocked",
    severity: Severity::Error,
    category: Category::Works,
    default_enabled: true,
    summary: "The NetworkPolicies in force do not allow a connection a container is configured to make (or its DNS lookups).",
    hint: "Add an egress rule on the source side and an ingress rule on the destination side that admit this pod pair and port.",
    refs: Refs::NONE,
    check,
};

fn check(cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    let conns = connections(cx.index, obj);
    if conns.is_empty() {
        return;
    }
    let net = &cx.index.net;
    let works = &cx.index.works;
    let src_labels = pod_labels(obj);
    let src = Pods { ns: obj.ns(), labels: &src_labels };
    let egress = net.selecting(src, Direction::Egress);
    let src_ns_labels = works.namespace_labels(obj.ns());
    let mut dns_reported = false;
    for c in &conns {
        if !dns_reported && !egress.is_empty() {
            let dns_labels = vec![("k8s-app".to_string(), "kube-dns".to_string())];
            let dns = Pods { ns: "kube-system", labels: &dns_labels };
            let port = Port { number: 53, name: Some("dns".to_string()), protocol: "UDP" };
            if !net.admits(&egress, Direction::Egress, dns, &works.namespace_labels("kube-system"), &port) {
                dns_reported = true;
                out.at(
                    c.span,
                    format!(
                        "{} {} needs DNS to resolve `{}`, but the egress policies selecting {} `{}` ({}) do not allow 53/UDP to kube-dns",
                        c.container,
                        c.via,
                        c.host,
                        obj.kind,
                        obj.name,
                        names(&egress)
                    ),
                )
                .hint(format!(
                    "add an egress rule to kube-dns (namespace `kube-system`, `k8s-app: kube-dns`, port 53 UDP and TCP) in namespace `{}`",
                    obj.ns()
                ));
            }
        }
        let Outcome::Resolved { target, port } = &c.outcome else { continue };
        if matches!(target, Target::Opaque(_)) {
            continue;
        }
        for b in cx.index.works.backends(target) {
            let ports = backend_ports(target, *port, &b);
            if ports.is_empty() {
                continue;
            }
            let dst = Pods { ns: &b.ns, labels: &b.labels };
            let dst_ns_labels = works.namespace_labels(&b.ns);
            let ingress = net.selecting(dst, Direction::Ingress);
            let mk = |(n, name): &(u16, Option<String>)| Port { number: *n, name: name.clone(), protocol: "TCP" };
            let egress_ok = ports.iter().any(|p| net.admits(&egress, Direction::Egress, dst, &dst_ns_labels, &mk(p)));
            let ingress_ok =
                ports.iter().any(|p| net.admits(&ingress, Direction::Ingress, src, &src_ns_labels, &mk(p)));
            let port_text = ports.iter().map(|p| p.0.to_string()).collect::<Vec<_>>().join("/");
            let what = format!(
                "{} {} connects to Service `{}` in `{}` (port {port_text} on {})",
                c.container, c.via, c.service, c.ns, b.label
            );
            if !egress_ok {
                out.at(
                    c.span,
                    format!(
                        "{what}, but no egress rule of the policies selecting {} `{}` in `{}` ({}) allows it",
                        obj.kind,
                        obj.name,
                        obj.ns(),
                        names(&egress)
                    ),
                )
                .hint(format!(
                    "{} an egress rule to namespace `{}` pods {} on port {port_text}",
                    where_to_add(&egress.objects, obj.ns()),
                    b.ns,
                    label_text(&b.labels)
                ));
            }
            if !ingress_ok {
                out.at(
                    c.span,
                    format!(
                        "{what}, but no ingress rule of the policies selecting {} in `{}` ({}) admits it",
                        b.label,
                        b.ns,
                        names(&ingress)
                    ),
                )
                .hint(format!(
                    "{} an ingress rule admitting namespace `{}` pods {} on port {port_text}",
                    where_to_add(&ingress.objects, &b.ns),
                    obj.ns(),
                    label_text(&src_labels)
                ));
            }
        }
    }
}

/// Where the missing rule belongs: the policy made for these pods (a non-empty pod
/// selector) when there is one, else a new policy in the namespace.
fn where_to_add(policies: &[&Object], ns: &str) -> String {
    let own = policies.iter().find(|p| !selector_is_empty(p.spec().and_then(|s| s.get("podSelector"))));
    match own {
        Some(p) => format!("add to NetworkPolicy `{}` in `{ns}`", p.name),
        None => format!("add a NetworkPolicy in `{ns}` selecting these pods with"),
    }
}

fn label_text(labels: &[(String, String)]) -> String {
    let pick: Vec<String> = labels
        .iter()
        .filter(|(k, _)| k.ends_with("/name") || k == "app" || k.starts_with("cnpg.io/"))
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    if pick.is_empty() { "(any)".to_string() } else { pick.join(",") }
}
