//! **WRK-004 `service-without-ports`**: A Service (not headless, not ExternalName) declares no ports.
//!
//! *Why:* The API server rejects it (`spec.ports: Required value`); schema validators that treat `ports` as optional accept it.
//!
//! *Fix:* Declare the ports the selected pods serve, make the Service headless (`clusterIP: None`), or remove it.
//!
//! *Severity:* error.
//!
//! *Maps to:* kube-apiserver validation of `core/v1.Service`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "WRK-004",
    name: "service-without-ports",
    severity: Severity::Error,
    category: Category::Works,
    default_enabled: true,
    summary: "A Service (not headless, not ExternalName) declares no ports; the API server rejects it.",
    hint: "Declare the ports the selected pods serve, make the Service headless (`clusterIP: None`), or remove it.",
    refs: Refs::NONE,
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    if obj.kind != "Service" || !obj.group().is_empty() {
        return;
    }
    let spec = obj.spec();
    if text(spec, "type") == Some("ExternalName") || text(spec, "clusterIP") == Some("None") {
        return;
    }
    let ports = spec.and_then(|s| s.get("ports"));
    if ports.and_then(Node::as_seq).is_none_or(<[Node]>::is_empty) {
        let span = match (spec, ports) {
            (Some(s), Some(_)) => key_span(s, "ports"),
            (Some(_), None) => key_span(&obj.node, "spec"),
            _ => name_span(obj.metadata().unwrap_or(&obj.node)),
        };
        out.at(span, format!("Service `{}` has no ports; the API server refuses it", obj.name));
    }
}
