//! **REF-020 `route-backend-missing`**: A Gateway API route (HTTPRoute, GRPCRoute,
//! TLSRoute, TCPRoute, UDPRoute) sends to a Service or Service port that is not in the
//! input, or to a Service in another namespace that no ReferenceGrant opens to it.
//!
//! *Why:* The Gateway marks the route `ResolvedRefs=False` (`BackendNotFound` or
//! `RefNotPermitted`) and answers 500 (HTTP) or resets the connection.
//!
//! *Fix:* Fix the backend name, port or namespace; add the Service; or add a
//! ReferenceGrant in the Service's namespace allowing the route's kind and namespace.
//!
//! *Severity:* error.
//!
//! *Maps to:* the Gateway API's own `ResolvedRefs` condition; kube-linter
//! `dangling-ingress` is its Ingress analogue (REF-003 here).

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "REF-020",
    name: "route-backend-missing",
    severity: Severity::Error,
    category: Category::Integrity,
    default_enabled: true,
    summary: "A Gateway API route sends to a Service (or port) that is not in the input, or across namespaces without a ReferenceGrant.",
    hint: "Fix the backend name/port/namespace, add the Service, or add a ReferenceGrant in the Service's namespace.",
    refs: Refs::NONE,
    check,
};

const GATEWAY_GROUP: &str = "gateway.networking.k8s.io";
const ROUTE_KINDS: [&str; 5] = ["HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute"];

fn check(cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    if obj.group() != GATEWAY_GROUP || !ROUTE_KINDS.contains(&obj.kind.as_str()) {
        return;
    }
    let Some(spec) = obj.spec() else { return };
    for rule in spec.get("rules").and_then(Node::as_seq).unwrap_or(&[]) {
        for b in rule.get("backendRefs").and_then(Node::as_seq).unwrap_or(&[]) {
            backend(cx, obj, b, out);
        }
    }
}

fn backend(cx: &Cx<'_>, obj: &Object, b: &Node, out: &mut Out) {
    let group = b.get("group").and_then(Node::as_str).unwrap_or("");
    let kind = b.get("kind").and_then(Node::as_str).unwrap_or("Service");
    if !group.is_empty() || kind != "Service" {
        return; // Another kind of backend (an implementation's own); not ours to judge.
    }
    let Some(name_node) = b.get("name") else { return };
    let Some(name) = name_node.as_str() else { return };
    let ns_node = b.get("namespace");
    let ns = ns_node.and_then(Node::as_str).unwrap_or(obj.ns());
    if ns != obj.ns() && !granted(cx, obj, ns, name) {
        out.at(
            ns_node.map_or(name_node.span, |n| n.span),
            format!("backend Service `{ns}/{name}` is in another namespace and no ReferenceGrant there allows {} from `{}`", obj.kind, obj.ns()),
        )
        .hint(format!(
            "add a ReferenceGrant in `{ns}`: from {{group: {GATEWAY_GROUP}, kind: {}, namespace: {}}} to {{group: \"\", kind: Service}}",
            obj.kind,
            obj.ns()
        ));
    }
    match cx.index.reference_exists("Service", ns, name) {
        Some(false) => {
            out.at(name_node.span, format!("backend Service `{name}` is not in the input"));
        }
        Some(true) => {
            let Some(s) = cx.index.get("Service", ns, name) else { return };
            let Some(port) = b.get("port") else {
                out.at(name_node.span, format!("backend Service `{name}` has no `port`"))
                    .hint("a Service backend needs the Service port number");
                return;
            };
            let Some(want) = port.scalar_text() else { return };
            let ports = s.spec().and_then(|x| x.get("ports")).and_then(Node::as_seq).unwrap_or(&[]);
            if !ports.iter().any(|p| p.get("port").and_then(Node::scalar_text).as_deref() == Some(want.as_str())) {
                let have: Vec<String> =
                    ports.iter().filter_map(|p| p.get("port").and_then(Node::scalar_text)).collect();
                out.at(port.span, format!("Service `{name}` has no port {want}"))
                    .hint(format!("its ports: {}", if have.is_empty() { "none".into() } else { have.join(", ") }));
            }
        }
        None => {}
    }
}

/// Whether a ReferenceGrant in `ns` lets routes of `obj`'s kind in `obj`'s namespace refer
/// to Service `name`.
fn granted(cx: &Cx<'_>, obj: &Object, ns: &str, name: &str) -> bool {
    cx.index.objects.iter().filter(|g| g.kind == "ReferenceGrant" && g.group() == GATEWAY_GROUP && g.ns() == ns).any(
        |g| {
            let Some(spec) = g.spec() else { return false };
            let from_ok = spec.get("from").and_then(Node::as_seq).unwrap_or(&[]).iter().any(|f| {
                f.get("group").and_then(Node::as_str) == Some(GATEWAY_GROUP)
                    && f.get("kind").and_then(Node::as_str) == Some(obj.kind.as_str())
                    && f.get("namespace").and_then(Node::as_str) == Some(obj.ns())
            });
            let to_ok = spec.get("to").and_then(Node::as_seq).unwrap_or(&[]).iter().any(|t| {
                t.get("group").and_then(Node::as_str) == Some("")
                    && t.get("kind").and_then(Node::as_str) == Some("Service")
                    && t.get("name").and_then(Node::as_str).is_none_or(|n| n == name)
            });
            from_ok && to_ok
        },
    )
}
