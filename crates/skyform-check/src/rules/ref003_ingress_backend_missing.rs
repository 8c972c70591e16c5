//! **REF-003 `ingress-backend-missing`**: An Ingress routes to a Service (or Service port) that is not in the input.
//!
//! *Why:* Requests to that path return 503.
//!
//! *Fix:* Fix the backend service name/port, or add the Service.
//!
//! *Severity:* warning.
//!
//! *Maps to:* kube-linter `dangling-ingress`; kube-score `ingress-targets-service`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "REF-003",
    name: "ingress-backend-missing",
    severity: Severity::Warning,
    category: Category::Integrity,
    default_enabled: true,
    summary: "An Ingress routes to a Service (or Service port) that is not in the input.",
    hint: "Fix the backend service name/port, or add the Service.",
    refs: Refs { kube_linter: &["dangling-ingress"], kube_score: &["ingress-targets-service"], ..Refs::NONE },
    check,
};

fn check(cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    if obj.kind != "Ingress" {
        return;
    }
    let Some(spec) = obj.spec() else { return };
    let mut backends: Vec<&Node> = Vec::new();
    if let Some(d) = spec.get("defaultBackend") {
        backends.push(d);
    }
    for r in spec.get("rules").and_then(Node::as_seq).unwrap_or(&[]) {
        for p in r.get("http").and_then(|h| h.get("paths")).and_then(Node::as_seq).unwrap_or(&[]) {
            if let Some(b) = p.get("backend") {
                backends.push(b);
            }
        }
    }
    for b in backends {
        let Some(svc) = b.get("service") else { continue };
        let Some(name_node) = svc.get("name") else { continue };
        let Some(name) = name_node.as_str() else { continue };
        match cx.index.reference_exists("Service", obj.ns(), name) {
            Some(false) => {
                out.at(name_node.span, format!("backend Service `{name}` is not in the input"));
            }
            Some(true) => {
                let Some(s) = cx.index.get("Service", obj.ns(), name) else { continue };
                let Some(port) = svc.get("port") else { continue };
                let ports = s.spec().and_then(|x| x.get("ports")).and_then(Node::as_seq).unwrap_or(&[]);
                let (key, want) = if let Some(n) = port.get("number") {
                    ("port", n.scalar_text())
                } else {
                    ("name", port.get("name").and_then(Node::scalar_text))
                };
                let Some(want) = want else { continue };
                if !ports.iter().any(|p| p.get(key).and_then(Node::scalar_text).as_deref() == Some(want.as_str())) {
                    out.at(port.span, format!("Service `{name}` has no port {want}"));
                }
            }
            None => {}
        }
    }
}
