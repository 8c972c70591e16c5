//! **REF-013 `service-target-port-undeclared`**: A Service's named `targetPort` is not declared by any container of the pods it selects.
//!
//! *Why:* Endpoints cannot resolve the port name, so the Service has no working endpoints for that port.
//!
//! *Fix:* Name the container port as the Service's `targetPort`, or use a number.
//!
//! *Severity:* warning.
//!
//! *Maps to:* kube-linter `invalid-target-ports`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "REF-013",
    name: "service-target-port-undeclared",
    severity: Severity::Warning,
    category: Category::Integrity,
    default_enabled: true,
    summary: "A Service's named `targetPort` is not declared by any container of the pods it selects.",
    hint: "Name the container port as the Service's `targetPort`, or use a number.",
    refs: Refs { kube_linter: &["invalid-target-ports"], ..Refs::NONE },
    check,
};

fn check(cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    if obj.kind != "Service" {
        return;
    }
    let Some(spec) = obj.spec() else { return };
    let sel = string_map(spec.get("selector"));
    if sel.is_empty() {
        return;
    }
    let targets: Vec<&Object> =
        cx.index.workload_candidates(obj.ns(), &sel).filter(|w| map_selector_matches(&sel, w.pod_labels())).collect();
    if targets.is_empty() {
        return;
    }
    for p in spec.get("ports").and_then(Node::as_seq).unwrap_or(&[]) {
        let Some(tp) = p.get("targetPort") else { continue };
        let Some(name) = tp.as_str() else { continue };
        if name.parse::<u16>().is_ok() {
            continue;
        }
        let declared = targets.iter().any(|w| {
            w.pod().is_some_and(|pod| {
                pod.containers().iter().any(|c| c.ports().iter().any(|cp| text(Some(cp), "name") == Some(name)))
            })
        });
        if !declared {
            out.at(tp.span, format!("no selected container declares a port named `{name}`"));
        }
    }
}
