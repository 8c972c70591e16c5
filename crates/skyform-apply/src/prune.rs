//! The prune set: objects recorded in the live revisions that the new object set no longer
//! contains, minus what must be kept.
//!
//! Kept unless `--prune-data`: PersistentVolumeClaims, and namespaces that still hold
//! PVCs. Always kept: objects that are gone already and objects that do not carry
//! skyform's `managed-by` label (someone else created or adopted them). Deletion runs in
//! reverse apply order, namespaces last.
//!
//! A removed StatefulSet leaves the PersistentVolumeClaims of its `volumeClaimTemplates`
//! (`<template>-<statefulset>-<ordinal>`) behind, which no revision lists: they are
//! reported as kept (deleted with `--prune-data`, after the StatefulSet). Whatever is kept
//! is recorded in the new revision ([`crate::inventory::Revision::retained`]), so a later
//! `--prune-data` still finds it.

use crate::object::ObjRef;
use crate::plan::kind_rank;
use serde::Serialize;
use std::collections::{BTreeSet, HashSet};

/// What the server says about a prune candidate.
#[derive(Clone, Debug, Default)]
pub struct LiveFacts {
    pub exists: bool,
    /// Carries `app.kubernetes.io/managed-by: skyform`.
    pub managed_by_skyform: bool,
    /// For namespaces: whether PersistentVolumeClaims live in it.
    pub holds_data: bool,
}

/// The decision for one candidate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "lowercase")]
pub enum PruneAction {
    Delete,
    Keep { reason: String },
}

/// One candidate and what to do with it.
#[derive(Clone, Debug, Serialize)]
pub struct PruneDecision {
    #[serde(flatten)]
    pub r: ObjRef,
    #[serde(flatten)]
    pub action: PruneAction,
}

/// Recorded objects that are absent from `desired`, deduplicated, in deletion order.
pub fn candidates(recorded: &[ObjRef], desired: &[ObjRef]) -> Vec<ObjRef> {
    let want: HashSet<&ObjRef> = desired.iter().collect();
    // The same object recorded under another apiVersion of its kind is not a candidate.
    let want_loose: HashSet<(&str, &str, Option<&str>, &str)> =
        desired.iter().map(|r| (r.group(), r.kind.as_str(), r.namespace.as_deref(), r.name.as_str())).collect();
    let set: BTreeSet<&ObjRef> = recorded
        .iter()
        .filter(|r| !want.contains(r))
        .filter(|r| !want_loose.contains(&(r.group(), r.kind.as_str(), r.namespace.as_deref(), r.name.as_str())))
        .collect();
    let mut out: Vec<ObjRef> = set.into_iter().cloned().collect();
    // Reverse apply order: dependents first, namespaces and CRDs last.
    out.sort_by_key(|r| (std::cmp::Reverse(kind_rank(&r.kind)), r.clone()));
    out
}

/// Decides for one candidate.
pub fn decide(r: &ObjRef, facts: &LiveFacts, prune_data: bool) -> PruneAction {
    let keep = |reason: &str| PruneAction::Keep { reason: reason.to_string() };
    if !facts.exists {
        return keep("already gone");
    }
    if !facts.managed_by_skyform {
        return keep("not created by skyform (no app.kubernetes.io/managed-by=skyform label)");
    }
    if !prune_data {
        if r.kind == "PersistentVolumeClaim" {
            return keep("holds data; pass --prune-data to delete it");
        }
        if r.kind == "Namespace" && r.namespace.is_none() && facts.holds_data {
            return keep("holds PersistentVolumeClaims; pass --prune-data to delete it");
        }
    }
    PruneAction::Delete
}

/// Whether a kept object stays a candidate of later prunes (it is ours and still there).
pub fn carried(action: &PruneAction) -> bool {
    match action {
        PruneAction::Delete => false,
        PruneAction::Keep { reason } => reason != "already gone" && !reason.starts_with("not created by skyform"),
    }
}

/// The claims of `statefulset` (a live StatefulSet) among `claims` (names of the
/// PersistentVolumeClaims in its namespace): `<template>-<name>-<ordinal>`.
pub fn statefulset_claims(statefulset: &serde_json::Value, claims: &[String]) -> Vec<String> {
    let name = statefulset.pointer("/metadata/name").and_then(serde_json::Value::as_str).unwrap_or_default();
    let templates: Vec<&str> = statefulset
        .pointer("/spec/volumeClaimTemplates")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|t| t.pointer("/metadata/name").and_then(serde_json::Value::as_str))
        .collect();
    let mut out: Vec<String> = claims
        .iter()
        .filter(|c| {
            templates.iter().any(|t| {
                c.strip_prefix(&format!("{t}-{name}-"))
                    .is_some_and(|ordinal| !ordinal.is_empty() && ordinal.chars().all(|d| d.is_ascii_digit()))
            })
        })
        .cloned()
        .collect();
    out.sort();
    out
}

/// The decision for a claim of a removed StatefulSet.
pub fn decide_statefulset_claim(statefulset: &ObjRef, prune_data: bool) -> PruneAction {
    if prune_data {
        PruneAction::Delete
    } else {
        PruneAction::Keep {
            reason: format!(
                "holds data of the removed StatefulSet {}; pass --prune-data to delete it",
                statefulset.name
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statefulset_claims_match_template_name_ordinal() {
        let sts = serde_json::json!({"metadata":{"name":"pg"},"spec":{"volumeClaimTemplates":[
            {"metadata":{"name":"data"}},{"metadata":{"name":"wal"}}]}});
        let claims: Vec<String> =
            ["data-pg-0", "data-pg-1", "wal-pg-0", "data-pg2-0", "data-pg-", "data-pg-x", "other"]
                .iter()
                .map(|s| s.to_string())
                .collect();
        assert_eq!(statefulset_claims(&sts, &claims), ["data-pg-0", "data-pg-1", "wal-pg-0"]);
        let r = ObjRef {
            api_version: "apps/v1".into(),
            kind: "StatefulSet".into(),
            namespace: Some("d".into()),
            name: "pg".into(),
        };
        assert!(
            matches!(decide_statefulset_claim(&r, false), PruneAction::Keep { reason } if reason.contains("--prune-data"))
        );
        assert_eq!(decide_statefulset_claim(&r, true), PruneAction::Delete);
        assert!(carried(&PruneAction::Keep { reason: "holds data; pass --prune-data to delete it".into() }));
        assert!(!carried(&PruneAction::Keep { reason: "already gone".into() }));
        assert!(!carried(&PruneAction::Delete));
    }

    fn r(kind: &str, ns: Option<&str>, name: &str) -> ObjRef {
        let api = if kind == "Deployment" { "apps/v1" } else { "v1" };
        ObjRef { api_version: api.into(), kind: kind.into(), namespace: ns.map(Into::into), name: name.into() }
    }

    #[test]
    fn candidates_are_the_difference_in_reverse_order() {
        let recorded = vec![
            r("Namespace", None, "old"),
            r("Service", Some("a"), "x"),
            r("Deployment", Some("a"), "x"),
            r("Service", Some("a"), "kept"),
        ];
        let desired = vec![r("Service", Some("a"), "kept")];
        let c = candidates(&recorded, &desired);
        assert_eq!(c.iter().map(|r| r.kind.as_str()).collect::<Vec<_>>(), ["Deployment", "Service", "Namespace"]);
        let mut moved = r("Deployment", Some("a"), "x");
        moved.api_version = "apps/v1beta2".into();
        assert!(candidates(&[moved], &[r("Deployment", Some("a"), "x")]).is_empty());
    }

    #[test]
    fn data_and_foreign_objects_are_kept() {
        let ours = LiveFacts { exists: true, managed_by_skyform: true, holds_data: false };
        let pvc = r("PersistentVolumeClaim", Some("a"), "data");
        assert!(matches!(decide(&pvc, &ours, false), PruneAction::Keep { .. }));
        assert_eq!(decide(&pvc, &ours, true), PruneAction::Delete);
        let ns = r("Namespace", None, "a");
        let with_data = LiveFacts { holds_data: true, ..ours.clone() };
        assert!(matches!(decide(&ns, &with_data, false), PruneAction::Keep { .. }));
        assert_eq!(decide(&ns, &ours, false), PruneAction::Delete);
        let foreign = LiveFacts { managed_by_skyform: false, ..ours.clone() };
        assert!(matches!(decide(&r("Service", Some("a"), "s"), &foreign, true), PruneAction::Keep { .. }));
        assert!(matches!(decide(&r("Service", Some("a"), "s"), &LiveFacts::default(), true), PruneAction::Keep { .. }));
        assert_eq!(decide(&r("Service", Some("a"), "s"), &ours, false), PruneAction::Delete);
    }
}
