//! **REF-012 `deprecated-service-account-field`**: A pod uses the deprecated `serviceAccount` field.
//!
//! *Why:* `serviceAccount` is a deprecated alias; tools disagree when both fields are set.
//!
//! *Fix:* Rename `serviceAccount` to `serviceAccountName`.
//!
//! *Severity:* note.
//!
//! *Maps to:* kube-linter `deprecated-service-account-field`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "REF-012",
    name: "deprecated-service-account-field",
    severity: Severity::Note,
    category: Category::Integrity,
    default_enabled: true,
    summary: "A pod uses the deprecated `serviceAccount` field.",
    hint: "Rename `serviceAccount` to `serviceAccountName`.",
    refs: Refs { kube_linter: &["deprecated-service-account-field"], ..Refs::NONE },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    if let Some(pod) = obj.pod()
        && pod.get("serviceAccount").is_some()
    {
        out.at(key_span(pod.spec, "serviceAccount"), "pod uses the deprecated `serviceAccount` field");
    }
}
