//! **REF-006 `service-account-missing`**: A pod references a ServiceAccount that is not in the input.
//!
//! *Why:* The controller cannot create pods until the ServiceAccount exists.
//!
//! *Fix:* Add the ServiceAccount to the manifests or fix `serviceAccountName`.
//!
//! *Severity:* warning.
//!
//! *Maps to:* kube-linter `non-existent-service-account`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "REF-006",
    name: "service-account-missing",
    severity: Severity::Warning,
    category: Category::Integrity,
    default_enabled: true,
    summary: "A pod references a ServiceAccount that is not in the input.",
    hint: "Add the ServiceAccount to the manifests or fix `serviceAccountName`.",
    refs: Refs { kube_linter: &["non-existent-service-account"], ..Refs::NONE },
    check,
};

fn check(cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    let Some(pod) = obj.pod() else { return };
    let (sa, node) = pod.service_account();
    if let Some(node) = node
        && cx.index.reference_exists("ServiceAccount", obj.ns(), sa) == Some(false)
        // WRK-003 reports the same reference as an error; say it once.
        && !cx.runs("WRK-003")
    {
        out.at(node.span, format!("ServiceAccount `{sa}` is not in the input"));
    }
}
