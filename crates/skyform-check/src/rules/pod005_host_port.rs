//! **POD-005 `host-port`**: A container port binds a `hostPort`.
//!
//! *Why:* Host ports bypass Services and NetworkPolicies, pin pods to nodes and limit scheduling.
//!
//! *Fix:* Remove `hostPort`; expose the port through a Service (and an Ingress if it must be public).
//!
//! *Severity:* warning.
//!
//! *Maps to:* Pod Security Standards baseline; CIS Kubernetes Benchmark v1.10 5.2.13; NSA/CISA hardening guide: Network separation and hardening; checkov `CKV_K8S_26`; Polaris `hostPortSet`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "POD-005",
    name: "host-port",
    severity: Severity::Warning,
    category: Category::PodSecurityBaseline,
    default_enabled: true,
    summary: "A container port binds a `hostPort`.",
    hint: "Remove `hostPort`; expose the port through a Service (and an Ingress if it must be public).",
    refs: Refs {
        pss: "baseline",
        cis: "5.2.13",
        nsa: "Network separation and hardening",
        checkov: &["CKV_K8S_26"],
        polaris: &["hostPortSet"],
        ..Refs::NONE
    },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    each_container(obj, |_, c, _| {
        for p in c.ports() {
            if let Some(n) = p.get("hostPort")
                && !matches!(n.value, Value::Null)
                && n.as_i64() != Some(0)
            {
                let port = n.scalar_text().unwrap_or_default();
                out.at(key_span(p, "hostPort"), format!("{} binds host port {port}", c.label()));
            }
        }
    });
}
