//! **WRK-001 `connection-target-missing`**: A container is configured to reach an in-cluster address (env value, `*_HOST`/`*_PORT` pair, URL, argument) that no Service of the input answers: the Service does not exist, does not expose that port, or selects no pods that serve it.
//!
//! *Why:* The application starts and then fails on its first connection (`Name or service not known`, `connection refused`), which no schema or per-object check can see.
//!
//! *Fix:* Point the variable at an existing Service and port, add the missing Service or port, or fix the Service's selector / `targetPort`.
//!
//! *Severity:* error.
//!
//! *Maps to:* nothing in checkov, kube-linter, Polaris or kube-score (they check one object at a time).

#[allow(unused_imports)]
use super::prelude::*;
use crate::works::{Outcome, connections};

pub const RULE: Rule = Rule {
    id: "WRK-001",
    name: "connection-target-missing",
    severity: Severity::Error,
    category: Category::Works,
    default_enabled: true,
    summary: "A container is configured to reach an in-cluster address that no Service of the input answers (missing Service, port or serving pods).",
    hint: "Point the variable at an existing Service and port, add the missing Service or port, or fix the Service's selector / `targetPort`.",
    refs: Refs::NONE,
    check,
};

fn check(cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    for c in connections(cx.index, obj) {
        let svc = format!("Service `{}` in namespace `{}`", c.service, c.ns);
        let asks = format!("{} {} asks for `{}`", c.container, c.via, c.host);
        match c.outcome {
            Outcome::Missing => {
                let hint = if cx.index.works.namespaces.contains(&c.ns) {
                    format!("add a Service `{}` in `{}`, or point {} at a Service that exists", c.service, c.ns, c.via)
                } else {
                    format!("namespace `{}` is not in the input either; fix the host in {}", c.ns, c.via)
                };
                out.at(c.span, format!("{asks}, but there is no {svc}")).hint(hint);
            }
            Outcome::NoPort { available } => {
                let port = c.port.map_or_else(|| "?".to_string(), |p| p.to_string());
                let list: Vec<String> = available.iter().map(u16::to_string).collect();
                let have = if list.is_empty() { "no ports".to_string() } else { format!("ports {}", list.join(", ")) };
                out.at(c.span, format!("{asks} on port {port}, but {svc} exposes {have}")).hint(format!(
                    "use one of the Service's ports in {}, or add port {port} to Service `{}`",
                    c.via, c.service
                ));
            }
            Outcome::NoPods => {
                out.at(c.span, format!("{asks}, but {svc} selects no pods")).hint(format!(
                    "make Service `{}`'s selector match the pod labels of the workload that serves it",
                    c.service
                ));
            }
            Outcome::NoServingPort { target_port } => {
                out.at(
                    c.span,
                    format!(
                        "{asks}, but the pods behind {svc} declare no port named `{target_port}` (its `targetPort`)"
                    ),
                )
                .hint(format!(
                    "name the container port `{target_port}`, or set the Service's `targetPort` to a declared port"
                ));
            }
            Outcome::Resolved { .. } => {}
        }
    }
}
