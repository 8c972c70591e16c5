//! **WRK-005 `namespace-not-created`**: An object lives in a namespace that the input does not create (the input creates other namespaces, so it owns them).
//!
//! *Why:* `kubectl apply` fails with `namespaces "x" not found`, and GitOps syncs stall on it.
//!
//! *Fix:* Add the Namespace object, or move the object into a namespace the input creates.
//!
//! *Severity:* error.
//!
//! *Maps to:* nothing in checkov, kube-linter, Polaris or kube-score.
//!
//! Judged only when the input creates at least one Namespace; `default`, `kube-system`,
//! `kube-public` and `kube-node-lease` always exist.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "WRK-005",
    name: "namespace-not-created",
    severity: Severity::Error,
    category: Category::Works,
    default_enabled: true,
    summary: "An object lives in a namespace that the input (which creates namespaces) does not create.",
    hint: "Add the Namespace object, or move the object into a namespace the input creates.",
    refs: Refs::NONE,
    check,
};

const SYSTEM: &[&str] = &["default", "kube-system", "kube-public", "kube-node-lease"];

fn check(cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    let created = &cx.index.works.created_namespaces;
    if created.is_empty() || obj.namespace_written.is_none() {
        return;
    }
    let ns = obj.ns();
    if obj.namespace.is_none() || SYSTEM.contains(&ns) || created.contains_key(ns) {
        return;
    }
    let span = obj.metadata().and_then(|m| m.get("namespace")).map_or(obj.node.span, |n| n.span);
    out.at(span, format!("{} `{}` is in namespace `{ns}`, which nothing in the input creates", obj.kind, obj.name))
        .hint(format!("add `apiVersion: v1, kind: Namespace, metadata.name: {ns}` (or move the object)"));
}
