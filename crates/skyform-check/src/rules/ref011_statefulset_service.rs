//! **REF-011 `statefulset-service`**: A StatefulSet's `serviceName` is missing, absent from the input, or not a headless Service.
//!
//! *Why:* Pods of a StatefulSet get stable DNS names only through a headless governing Service.
//!
//! *Fix:* Add a Service with `clusterIP: None` named as `spec.serviceName`.
//!
//! *Severity:* warning.
//!
//! *Maps to:* kube-score `statefulset-has-servicename`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "REF-011",
    name: "statefulset-service",
    severity: Severity::Warning,
    category: Category::Integrity,
    default_enabled: true,
    summary: "A StatefulSet's `serviceName` is missing, absent from the input, or not a headless Service.",
    hint: "Add a Service with `clusterIP: None` named as `spec.serviceName`.",
    refs: Refs { kube_score: &["statefulset-has-servicename"], ..Refs::NONE },
    check,
};

fn check(cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    if obj.kind != "StatefulSet" {
        return;
    }
    let Some(spec) = obj.spec() else { return };
    let Some(sn) = spec.get("serviceName") else {
        out.at(key_span(&obj.node, "spec"), "StatefulSet has no `serviceName`").severity(Severity::Note);
        return;
    };
    let Some(name) = sn.as_str() else { return };
    match cx.index.reference_exists("Service", obj.ns(), name) {
        Some(false) => {
            out.at(sn.span, format!("governing Service `{name}` is not in the input"));
        }
        Some(true) => {
            if let Some(s) = cx.index.get("Service", obj.ns(), name)
                && text(s.spec(), "clusterIP") != Some("None")
            {
                out.at(sn.span, format!("governing Service `{name}` is not headless (`clusterIP: None`)"));
            }
        }
        None => {}
    }
}
