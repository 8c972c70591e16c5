//! **REF-010 `duplicate-env-var`**: A container defines the same environment variable twice.
//!
//! *Why:* Only the last definition wins, silently; the earlier one is usually the intended value.
//!
//! *Fix:* Remove the duplicate `env` entry.
//!
//! *Severity:* warning.
//!
//! *Maps to:* kube-linter `duplicate-env-var`; kube-score `environment-variable-key-duplication`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "REF-010",
    name: "duplicate-env-var",
    severity: Severity::Warning,
    category: Category::Integrity,
    default_enabled: true,
    summary: "A container defines the same environment variable twice.",
    hint: "Remove the duplicate `env` entry.",
    refs: Refs {
        kube_linter: &["duplicate-env-var"],
        kube_score: &["environment-variable-key-duplication"],
        ..Refs::NONE
    },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    each_container(obj, |_, c, _| {
        let mut seen: Vec<&str> = Vec::new();
        for e in c.get("env").and_then(Node::as_seq).unwrap_or(&[]) {
            let Some(name) = text(Some(e), "name") else { continue };
            if seen.contains(&name) {
                out.at(name_span(e), format!("{} defines `{name}` more than once", c.label()));
            }
            seen.push(name);
        }
    });
}
