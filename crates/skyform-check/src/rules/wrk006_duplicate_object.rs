//! **WRK-006 `duplicate-object`**: Two objects of the input share one identity (API group, kind, namespace, name).
//!
//! *Why:* Only one survives `kubectl apply` (the last one wins, silently), Helm and Kustomize refuse the set, and Argo CD reports a shared-resource conflict.
//!
//! *Fix:* Rename one of them or drop the duplicate.
//!
//! *Severity:* error.
//!
//! *Maps to:* nothing in checkov, kube-linter, Polaris or kube-score.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "WRK-006",
    name: "duplicate-object",
    severity: Severity::Error,
    category: Category::Works,
    default_enabled: true,
    summary: "Two objects of the input share one identity (API group, kind, namespace, name).",
    hint: "Rename one of them or drop the duplicate.",
    refs: Refs::NONE,
    check,
};

fn check(cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    if !cx.index.works.duplicates.contains(&(obj.file, obj.node.span.line, obj.node.span.column)) {
        return;
    }
    let span = obj.metadata().and_then(|m| m.get("name")).map_or(obj.node.span, |n| n.span);
    let place = obj.namespace.as_deref().map(|n| format!(" in namespace `{n}`")).unwrap_or_default();
    out.at(span, format!("a second {} `{}`{place}; only one of them can exist", obj.kind, obj.name));
}
