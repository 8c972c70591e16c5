//! Deterministic YAML serialization of objects and the output tree layout.
//!
//! The emitter is small and fully ours so the bytes never depend on a library's
//! formatting choices: block style, two-space indentation, keys sorted (with `apiVersion`,
//! `kind`, `metadata` first at the top and `name` first in every nested mapping), and a
//! string is written plain only when no YAML 1.1 or 1.2 parser could read it as anything
//! but that string; otherwise it is a JSON-escaped double-quoted scalar.
//!
//! Tree layout of `skyform render --out DIR` ([`files`]):
//! - `DIR/<namespace>/<kind>-<name>.yaml` for namespaced objects, `<kind>` lower-cased
//!   (`DIR/shop-api/deployment-checkout.yaml`);
//! - `DIR/cluster/<kind>-<name>.yaml` for cluster-scoped ones (Namespaces, StorageClasses,
//!   ClusterIssuers);
//! - a custom resource whose kind is also a built-in kind is prefixed with its API
//!   group's first label: Knative's Service is `serving-service-<name>.yaml`.
//!
//! One object per file, so a GitOps diff names exactly the object that changed.

use crate::objects::Object;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// One output file: a relative `/`-separated path and its contents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderedFile {
    pub path: String,
    pub contents: String,
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// The relative path of an object in the output tree.
pub fn object_path(o: &Object) -> String {
    let dir = o.namespace.as_deref().unwrap_or("cluster");
    format!("{dir}/{}-{}.yaml", file_kind(o), o.name)
}

/// The kind part of a file name: the lower-cased kind, prefixed with the first label of
/// the API group when a custom resource reuses a built-in kind's name (Knative's
/// `Service` becomes `serving-service`).
pub fn file_kind(o: &Object) -> String {
    let kind = o.kind.to_ascii_lowercase();
    let group = o.group();
    let builtin_group = group.is_empty() || !group.contains('.') || group.ends_with(".k8s.io");
    if !builtin_group && BUILTIN_KINDS.contains(&o.kind.as_str()) {
        let label = group.split('.').next().unwrap_or(group);
        format!("{label}-{kind}")
    } else {
        kind
    }
}

const BUILTIN_KINDS: &[&str] = &[
    "ConfigMap",
    "Deployment",
    "HorizontalPodAutoscaler",
    "Ingress",
    "Namespace",
    "NetworkPolicy",
    "PodDisruptionBudget",
    "Role",
    "RoleBinding",
    "Secret",
    "Service",
    "ServiceAccount",
    "StatefulSet",
    "StorageClass",
];

/// The objects in canonical order, by reference (the set is never copied).
fn sorted(objects: &[Object]) -> Vec<&Object> {
    let mut refs: Vec<&Object> = objects.iter().collect();
    // The same stable keyed sort as `objects::sort_objects`, so the order is identical.
    refs.sort_by_cached_key(|o| o.sort_key());
    refs
}

/// One file per object, in canonical order.
pub fn files(objects: &[Object]) -> Vec<RenderedFile> {
    sorted(objects).into_iter().map(|o| RenderedFile { path: object_path(o), contents: to_yaml(&o.value) }).collect()
}

/// A multi-document YAML stream (`---` before every document), in canonical order.
pub fn stream(objects: &[Object]) -> String {
    let mut out = String::new();
    for o in sorted(objects) {
        out.push_str("---\n");
        emit_document(&o.value, &mut out);
    }
    out
}

/// The stream of [`files`]' output: the same bytes as [`stream`] of the objects they came
/// from, without serializing them again.
pub fn stream_of_files(files: &[RenderedFile]) -> String {
    let mut out = String::with_capacity(files.iter().map(|f| f.contents.len() + 4).sum());
    for f in files {
        out.push_str("---\n");
        out.push_str(&f.contents);
    }
    out
}

/// Serializes one value as a YAML document (without a leading `---`).
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    emit_document(value, &mut out);
    out
}

fn emit_document(value: &Value, out: &mut String) {
    match value {
        Value::Object(m) if !m.is_empty() => emit_map(value, 0, true, out),
        Value::Array(a) if !a.is_empty() => emit_seq(a, 0, out),
        other => {
            push_scalar(other, out);
            out.push('\n');
        }
    }
}

/// The key order of skyform's YAML: `apiVersion`, `kind`, `metadata` first at the top of an
/// object, `name` first in nested maps, the rest alphabetical. Shared with the Helm writer
/// so chart templates print objects exactly as the plain manifests do.
pub fn key_order(top: bool, k: &str) -> (u8, &str) {
    let rank = if top {
        match k {
            "apiVersion" => 0,
            "kind" => 1,
            "metadata" => 2,
            _ => 3,
        }
    } else if k == "name" {
        0
    } else {
        1
    };
    (rank, k)
}

fn sorted_entries(value: &Value, top: bool) -> Vec<(&String, &Value)> {
    let Value::Object(m) = value else { return Vec::new() };
    let mut entries: Vec<(&String, &Value)> = m.iter().collect();
    entries.sort_by(|a, b| key_order(top, a.0).cmp(&key_order(top, b.0)));
    entries
}

fn is_block(v: &Value) -> bool {
    match v {
        Value::Object(m) => !m.is_empty(),
        Value::Array(a) => !a.is_empty(),
        _ => false,
    }
}

fn pad(out: &mut String, indent: usize) {
    const SPACES: &str = "                                                                ";
    let mut left = indent;
    while left > 0 {
        let n = left.min(SPACES.len());
        out.push_str(&SPACES[..n]);
        left -= n;
    }
}

/// Emits a mapping whose first line is already indented (by the caller) when
/// `first_inline` is used from a sequence item; otherwise every line is padded.
fn emit_map_entries(value: &Value, indent: usize, top: bool, skip_first_pad: bool, out: &mut String) {
    for (i, (k, v)) in sorted_entries(value, top).into_iter().enumerate() {
        if !(i == 0 && skip_first_pad) {
            pad(out, indent);
        }
        push_string_scalar(k, out);
        out.push(':');
        match v {
            Value::Object(_) if is_block(v) => {
                out.push('\n');
                emit_map(v, indent + 2, false, out);
            }
            Value::Array(a) if !a.is_empty() => {
                out.push('\n');
                emit_seq(a, indent + 2, out);
            }
            _ => {
                out.push(' ');
                push_scalar(v, out);
                out.push('\n');
            }
        }
    }
}

fn emit_map(value: &Value, indent: usize, top: bool, out: &mut String) {
    emit_map_entries(value, indent, top, false, out);
}

fn emit_seq(items: &[Value], indent: usize, out: &mut String) {
    for item in items {
        pad(out, indent);
        match item {
            Value::Object(_) if is_block(item) => {
                out.push_str("- ");
                emit_map_entries(item, indent + 2, false, true, out);
            }
            Value::Array(a) if !a.is_empty() => {
                out.push_str("-\n");
                emit_seq(a, indent + 2, out);
            }
            _ => {
                out.push_str("- ");
                push_scalar(item, out);
                out.push('\n');
            }
        }
    }
}

fn push_scalar(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::String(s) => push_string_scalar(s, out),
        Value::Array(_) => out.push_str("[]"),
        Value::Object(_) => out.push_str("{}"),
    }
}

/// Words some YAML version reads as a bool, null or special float.
const RESERVED: &[&str] =
    &["y", "n", "yes", "no", "on", "off", "true", "false", "null", "~", ".nan", ".inf", "-.inf", "+.inf", "=", "<<"];

fn plain_ok(s: &str) -> bool {
    let Some(first) = s.chars().next() else { return false };
    if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(s)) {
        return false;
    }
    if "-?:,[]{}#&*!|>'\"%@`<= ".contains(first) {
        return false;
    }
    if s.ends_with([' ', ':']) || s.contains(": ") || s.contains(" #") || s.contains('#') {
        return false;
    }
    if !s.chars().all(|c| c.is_ascii_graphic() || c == ' ') || s.contains(['"', '\'', '\\', ',', '[', ']', '{', '}']) {
        return false;
    }
    // Anything that might be read as a number, date or sexagesimal value.
    let numberish = |c: char| c.is_ascii_hexdigit() || "xXoO_.:+-eE".contains(c);
    if (first.is_ascii_digit() || first == '+' || first == '.') && s.chars().all(numberish) {
        return false;
    }
    true
}

/// A string as a YAML scalar: plain when unambiguous, else double-quoted.
pub fn string_scalar(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_string_scalar(s, &mut out);
    out
}

/// [`string_scalar`] appended to `out`.
fn push_string_scalar(s: &str, out: &mut String) {
    if plain_ok(s) {
        out.push_str(s);
    } else {
        // A JSON string literal is a valid YAML double-quoted scalar.
        out.push_str(&serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn quoting_is_conservative() {
        for s in
            ["true", "yes", "No", "1.0", "0700", "2024-10-13", "1e3", "", "a: b", "#x", "-x", "x,y", "12:30", "null"]
        {
            assert!(string_scalar(s).starts_with('"'), "{s}");
        }
        for s in ["nginx", "250m", "1Gi", "app.kubernetes.io/name", "/health/live", "http://x:80/y", "RuntimeDefault"] {
            assert_eq!(string_scalar(s), s);
        }
    }

    #[test]
    fn emits_nested_blocks() {
        let v = json!({"kind": "X", "apiVersion": "v1", "metadata": {"name": "a", "labels": {}},
            "spec": {"list": [{"b": 1, "name": "x", "sub": {"c": [1, 2]}}, "s"], "empty": []}});
        assert_eq!(
            to_yaml(&v),
            "apiVersion: v1\nkind: X\nmetadata:\n  name: a\n  labels: {}\nspec:\n  empty: []\n  list:\n    - name: x\n      b: 1\n      sub:\n        c:\n          - 1\n          - 2\n    - s\n"
        );
    }

    #[test]
    fn tricky_scalars_round_trip() {
        let tricky = [
            "",
            " lead",
            "trail ",
            "a: b",
            "a #b",
            "#c",
            "- x",
            "? q",
            "yes",
            "NO",
            "~",
            "null",
            "0x1F",
            "0o17",
            "1_000",
            "1e3",
            ".5",
            "+1",
            "12:30:00",
            "2024-01-01",
            "tab\there",
            "line\nbreak",
            "quote\"d",
            "back\\slash",
            "unicode é ✓",
            "{x}",
            "[y]",
            "a,b",
            "*ref",
            "&anchor",
            "!tag",
            "%dir",
            "@at",
            "`tick`",
            "|",
            ">",
            "=",
            "<<",
            "it's",
            "http://h:80/p?q=1&r=2",
        ];
        for t in tricky {
            let v = json!({"k": t, "list": [t], t: 1});
            let text = to_yaml(&v);
            let back: Value = serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{t:?}: {e}\n{text}"));
            assert_eq!(back, v, "{t:?}\n{text}");
        }
    }
}
