//! **API-011 `object-name-missing`**: An object has neither `metadata.name` nor `metadata.generateName`.
//!
//! *Why:* The API server rejects it.
//!
//! *Fix:* Add `metadata.name`.
//!
//! *Severity:* error.
//!
//! *Maps to:* no equivalent in the other frameworks or tools.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "API-011",
    name: "object-name-missing",
    severity: Severity::Error,
    category: Category::Api,
    default_enabled: true,
    summary: "An object has neither `metadata.name` nor `metadata.generateName`.",
    hint: "Add `metadata.name`.",
    refs: Refs { pss: "", cis: "", nsa: "", kube_linter: &[], checkov: &[], polaris: &[], kube_score: &[] },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    if obj.name.is_empty() {
        let span = obj.node.entry("metadata").map_or_else(|| key_span(&obj.node, "kind"), |e| e.key_span);
        out.at(span, format!("{} has no `metadata.name`", obj.kind));
    }
}
