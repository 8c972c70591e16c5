//! **POD-015 `probe-or-hook-host`**: A probe or lifecycle hook sets `httpGet.host`/`tcpSocket.host`.
//!
//! *Why:* A host on a probe or hook makes the kubelet connect to an arbitrary address: a server-side request forgery from the node.
//!
//! *Fix:* Remove `host`; probes and hooks should target the pod's own IP (the default).
//!
//! *Severity:* warning.
//!
//! *Maps to:* Pod Security Standards baseline (1.34+).

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "POD-015",
    name: "probe-or-hook-host",
    severity: Severity::Warning,
    category: Category::PodSecurityBaseline,
    default_enabled: true,
    summary: "A probe or lifecycle hook sets `httpGet.host`/`tcpSocket.host`.",
    hint: "Remove `host`; probes and hooks should target the pod's own IP (the default).",
    refs: Refs { pss: "baseline (1.34+)", ..Refs::NONE },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    let Some(pod) = obj.pod() else { return };
    for c in pod.app_containers() {
        let mut handlers: Vec<(String, &Node)> = Vec::new();
        for p in ["livenessProbe", "readinessProbe", "startupProbe"] {
            if let Some(n) = c.get(p) {
                handlers.push((p.to_string(), n));
            }
        }
        if let Some(l) = c.get("lifecycle") {
            for h in ["postStart", "preStop"] {
                if let Some(n) = l.get(h) {
                    handlers.push((h.to_string(), n));
                }
            }
        }
        for (what, h) in handlers {
            for action in ["httpGet", "tcpSocket"] {
                if let Some(a) = h.get(action)
                    && let Some(host) = text(Some(a), "host")
                    && !host.is_empty()
                {
                    out.at(key_span(a, "host"), format!("{} {what} targets host `{host}`", c.label()));
                }
            }
        }
    }
}
