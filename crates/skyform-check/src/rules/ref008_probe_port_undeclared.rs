//! **REF-008 `probe-port-undeclared`**: A probe refers to a named port the container does not declare.
//!
//! *Why:* The kubelet cannot resolve the port name; the probe always fails and the pod never becomes ready (or is restarted forever).
//!
//! *Fix:* Declare the port under `ports` with that `name`, or use the port number.
//!
//! *Severity:* warning.
//!
//! *Maps to:* kube-linter `liveness-port`, `readiness-port`, `startup-port`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "REF-008",
    name: "probe-port-undeclared",
    severity: Severity::Warning,
    category: Category::Integrity,
    default_enabled: true,
    summary: "A probe refers to a named port the container does not declare.",
    hint: "Declare the port under `ports` with that `name`, or use the port number.",
    refs: Refs { kube_linter: &["liveness-port", "readiness-port", "startup-port"], ..Refs::NONE },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    let Some(pod) = obj.pod() else { return };
    for c in pod.app_containers() {
        let names: Vec<&str> = c.ports().iter().filter_map(|p| text(Some(p), "name")).collect();
        for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
            let Some(p) = c.get(probe) else { continue };
            for action in ["httpGet", "tcpSocket", "grpc"] {
                if let Some(port) = p.get(action).and_then(|a| a.get("port"))
                    && let Some(name) = port.as_str()
                    && !names.contains(&name)
                {
                    out.at(port.span, format!("{} {probe} uses port `{name}`, which it does not declare", c.label()));
                }
            }
        }
    }
}
