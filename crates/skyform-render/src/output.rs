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
use rayon::prelude::*;
use serde_json::Value;
use sha2::{Digest, Sha256};
use skyform_yaml::{Entry, Node, Span, Value as Yaml};
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
    sorted(objects)
        .into_par_iter()
        .map(|o| RenderedFile { path: object_path(o), contents: to_yaml(&o.value) })
        .collect()
}

/// [`files`] with each file's located tree: the [`skyform_yaml::Node`] that
/// `skyform_yaml::parse_stream` would return for the file's text (same values, same spans),
/// built while the text is written, so a checker needs no second parse.
pub fn located_files(objects: &[Object]) -> Vec<(RenderedFile, Node)> {
    // Each object is written on its own; `collect` keeps the canonical order.
    sorted(objects).into_par_iter().map(located_file).collect()
}

/// [`located_files`] of objects the caller needs no longer: each is freed once written,
/// so the objects, the texts and the trees are not all alive at once.
pub fn into_located_files(mut objects: Vec<Object>) -> Vec<(RenderedFile, Node)> {
    // The same stable keyed sort as `sorted`, so the order is identical.
    objects.sort_by_cached_key(|o| o.sort_key());
    objects.into_par_iter().map(|o| located_file(&o)).collect()
}

fn located_file(o: &Object) -> (RenderedFile, Node) {
    let (contents, node) = to_located_yaml(&o.value);
    (RenderedFile { path: object_path(o), contents }, node)
}

/// A multi-document YAML stream (`---` before every document), in canonical order.
pub fn stream(objects: &[Object]) -> String {
    let mut out = String::new();
    for o in sorted(objects) {
        out.push_str("---\n");
        Writer::new(&mut out, false).document(&o.value);
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
    Writer::new(&mut out, false).document(value);
    out
}

/// [`to_yaml`] and the located tree of the text it returns (see [`located_files`]).
pub fn to_located_yaml(value: &Value) -> (String, Node) {
    let mut out = String::new();
    let node = Writer::new(&mut out, true).document(value);
    (out, node.unwrap_or(Node { span: Span::START, value: Yaml::Null }))
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

/// The one YAML emitter. With `locate` it also builds each node's [`Node`], its spans
/// where the parser reports them: a scalar (or an empty `{}`/`[]`) at its first byte with
/// the length of its written text (`{}`/`[]`: 1), a block mapping at its first key and a
/// block sequence at its first `-` (both with length 0), a key at its first byte with
/// its written length. Lines and columns are 1-based, columns count characters, offsets
/// are bytes from the document's start.
struct Writer<'a> {
    out: &'a mut String,
    locate: bool,
    /// Where the document starts in `out`.
    base: usize,
    line: u32,
    /// Where the current line starts in `out`.
    line_start: usize,
}

impl<'a> Writer<'a> {
    fn new(out: &'a mut String, locate: bool) -> Writer<'a> {
        let base = out.len();
        Writer { out, locate, base, line: 1, line_start: base }
    }

    fn newline(&mut self) {
        self.out.push('\n');
        self.line += 1;
        self.line_start = self.out.len();
    }

    /// The span of what is written next, `len` bytes long.
    fn here(&self, len: usize) -> Span {
        let current = &self.out[self.line_start..];
        let chars = if current.is_ascii() { current.len() } else { current.chars().count() };
        Span {
            line: self.line,
            column: u32::try_from(chars + 1).unwrap_or(u32::MAX),
            offset: self.out.len() - self.base,
            len,
        }
    }

    /// Appends `s` and returns its span when locating.
    fn push_located(&mut self, f: impl FnOnce(&mut String)) -> Option<Span> {
        let span = self.locate.then(|| self.here(0));
        let before = self.out.len();
        f(self.out);
        span.map(|s| Span { len: self.out.len() - before, ..s })
    }

    fn pad(&mut self, indent: usize) {
        const SPACES: &str = "                                                                ";
        let mut left = indent;
        while left > 0 {
            let n = left.min(SPACES.len());
            self.out.push_str(&SPACES[..n]);
            left -= n;
        }
    }

    fn document(&mut self, value: &Value) -> Option<Node> {
        match value {
            Value::Object(m) if !m.is_empty() => self.map_entries(value, 0, true, false),
            Value::Array(a) if !a.is_empty() => self.seq(a, 0),
            other => {
                let node = self.scalar(other);
                self.newline();
                node
            }
        }
    }

    /// A mapping's entries, each line padded, except the first when a sequence item's
    /// `- ` already indented it.
    fn map_entries(&mut self, value: &Value, indent: usize, top: bool, skip_first_pad: bool) -> Option<Node> {
        let mut entries = Vec::new();
        let mut start = None;
        for (i, (k, v)) in sorted_entries(value, top).into_iter().enumerate() {
            if !(i == 0 && skip_first_pad) {
                self.pad(indent);
            }
            let key_span = self.push_located(|out| push_string_scalar(k, out));
            self.out.push(':');
            let node = match v {
                Value::Object(_) if is_block(v) => {
                    self.newline();
                    self.map_entries(v, indent + 2, false, false)
                }
                Value::Array(a) if !a.is_empty() => {
                    self.newline();
                    self.seq(a, indent + 2)
                }
                _ => {
                    self.out.push(' ');
                    let node = self.scalar(v);
                    self.newline();
                    node
                }
            };
            if let (Some(key_span), Some(value)) = (key_span, node) {
                start.get_or_insert(Span { len: 0, ..key_span });
                entries.push(Entry { key: k.clone(), key_span, value });
            }
        }
        start.map(|span| Node { span, value: Yaml::Map(entries) })
    }

    fn seq(&mut self, items: &[Value], indent: usize) -> Option<Node> {
        let mut nodes = Vec::new();
        let mut start = None;
        for item in items {
            self.pad(indent);
            if self.locate && start.is_none() {
                start = Some(self.here(0));
            }
            let node = match item {
                Value::Object(_) if is_block(item) => {
                    self.out.push_str("- ");
                    self.map_entries(item, indent + 2, false, true)
                }
                Value::Array(a) if !a.is_empty() => {
                    self.out.push('-');
                    self.newline();
                    self.seq(a, indent + 2)
                }
                _ => {
                    self.out.push_str("- ");
                    let node = self.scalar(item);
                    self.newline();
                    node
                }
            };
            nodes.extend(node);
        }
        start.map(|span| Node { span, value: Yaml::Seq(nodes) })
    }

    fn scalar(&mut self, v: &Value) -> Option<Node> {
        let span = self.push_located(|out| push_scalar(v, out))?;
        let value = match v {
            Value::Null => Yaml::Null,
            Value::Bool(b) => Yaml::Bool(*b),
            Value::Number(n) => n.as_i64().map_or_else(|| Yaml::Float(n.as_f64().unwrap_or(f64::NAN)), Yaml::Int),
            Value::String(s) => Yaml::String(s.clone()),
            Value::Array(_) => Yaml::Seq(Vec::new()),
            Value::Object(_) => Yaml::Map(Vec::new()),
        };
        // The parser reports an empty flow collection at its opening bracket.
        let len = if matches!(v, Value::Array(_) | Value::Object(_)) { 1 } else { span.len };
        Some(Node { span: Span { len, ..span }, value })
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

/// The bytes a plain scalar may hold anywhere: printable ASCII and space, but the
/// indicators that would end it or start something inside it.
const PLAIN: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = b' ';
    while b <= b'~' {
        table[b as usize] = !matches!(b, b'#' | b'"' | b'\'' | b'\\' | b',' | b'[' | b']' | b'{' | b'}');
        b += 1;
    }
    table
};

fn plain_ok(s: &str) -> bool {
    let bytes = s.as_bytes();
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else { return false };
    // The longest reserved word has five bytes, and each starts with one of these.
    if bytes.len() <= 5 && b"yYnNoOtTfF~.-+=<".contains(&first) && RESERVED.iter().any(|r| r.eq_ignore_ascii_case(s)) {
        return false;
    }
    if b"-?:,[]{}#&*!|>'\"%@`<= ".contains(&first) || matches!(last, b' ' | b':') {
        return false;
    }
    // One pass over the bytes: printable ASCII only (a byte of a multi-byte character is
    // not), none of the indicators that end or start something inside a plain scalar, no
    // `: `, and whether the whole could be read as a number, date or sexagesimal value.
    let mut numberish = first.is_ascii_digit() || first == b'+' || first == b'.';
    for (i, &b) in bytes.iter().enumerate() {
        if !PLAIN[usize::from(b)] || (b == b':' && bytes.get(i + 1) == Some(&b' ')) {
            return false;
        }
        numberish = numberish && (b.is_ascii_hexdigit() || b"xXoO_.:+-eE".contains(&b));
    }
    !numberish
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
        // JSON's string literal where it is valid YAML (the output has always been that).
        skyform_yaml::push_double_quoted(s, out, |_| false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// [`plain_ok`] as first written, one rule per pass: the definition the one-pass
    /// version must agree with.
    fn plain_ok_by_definition(s: &str) -> bool {
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
        if !s.chars().all(|c| c.is_ascii_graphic() || c == ' ')
            || s.contains(['"', '\'', '\\', ',', '[', ']', '{', '}'])
        {
            return false;
        }
        let numberish = |c: char| c.is_ascii_hexdigit() || "xXoO_.:+-eE".contains(c);
        !((first.is_ascii_digit() || first == '+' || first == '.') && s.chars().all(numberish))
    }

    #[test]
    fn one_pass_plain_rule_agrees_with_the_definition() {
        // Every string of up to three characters over an alphabet of each class the
        // rule tells apart, and the reserved words in several cases.
        let alphabet = [
            "a", "Z", "0", "9", "f", "x", "e", ".", "+", "-", ":", " ", "#", "\"", "'", "\\", ",", "[", "{", "}", "?",
            "&", "@", "`", "<", "=", "_", "/", "é", "\t", "\u{7f}",
        ];
        let mut samples: Vec<String> = vec![String::new()];
        for _ in 0..3 {
            let longer: Vec<String> =
                samples.iter().flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}"))).collect();
            samples.extend(longer);
        }
        samples.sort();
        samples.dedup();
        for r in RESERVED {
            samples.extend([r.to_string(), r.to_uppercase(), format!("{r}x"), format!("x{r}")]);
        }
        samples.extend(
            ["12:30:00", "0x1F", "1_000", "2024-01-01", "1e3", "http://x:80/y", "a: b", "a :b"].map(String::from),
        );
        for s in &samples {
            assert_eq!(plain_ok(s), plain_ok_by_definition(s), "{s:?}");
        }
    }

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

#[cfg(test)]
mod located_tests {
    use super::*;
    use serde_json::json;

    /// The tree built while writing equals the parse of the written text, spans included.
    fn assert_located(v: &Value) {
        let (text, tree) = to_located_yaml(v);
        assert_eq!(text, to_yaml(v));
        let parsed = skyform_yaml::parse_stream(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(parsed, vec![tree], "\n{text}");
    }

    #[test]
    fn trees_match_the_parser_on_nested_and_tricky_values() {
        assert_located(&json!({"kind": "X", "apiVersion": "v1", "metadata": {"name": "a", "labels": {}},
            "spec": {"list": [{"b": 1, "name": "x", "sub": {"c": [1, [2, [3, "q"]], {"d": []}]}}, "s", [], {}],
                "empty": [], "n": null, "t": true, "f": 1.5, "neg": -3, "big": 18_446_744_073_709_551_615_u64}}));
        let tricky = [
            "",
            " lead",
            "a: b",
            "yes",
            "NO",
            "~",
            "0x1F",
            "1e3",
            "12:30:00",
            "tab\there",
            "line\nbreak",
            "quote\"d",
            "unicode é ✓",
            "ünï",
            "{x}",
            "*ref",
            "it's",
            "http://h:80/p?q=1&r=2",
            "n",
            "Y",
        ];
        for t in tricky {
            assert_located(&json!({"k": t, "list": [t, {t: t}], t: {"é": [t]}, "ü": 1}));
        }
    }

    /// A small deterministic generator (xorshift64*), so a failure reproduces.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }

        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }

        fn string(&mut self) -> String {
            const PIECES: &[&str] = &[
                "a", "Z", "0", "9", "-", "_", ".", "/", ":", " ", "#", "'", "\"", "\\", "\n", "\t", "é", "✓", "{", "]",
                ",", "&", "*", "!", "|", ">", "%", "@", "`", "~", "yes", "null", "1e3", "0x", "true", "..", "\u{7f}",
                "\u{1}", "\u{2028}", "\u{feff}", "\u{85}", "\u{9f}", "\u{a0}", "\u{ffff}", "\r", "\u{8}",
            ];
            let n = self.below(6);
            (0..n).map(|_| PIECES[self.below(PIECES.len() as u64) as usize]).collect()
        }

        fn value(&mut self, depth: u32) -> Value {
            match self.below(if depth == 0 { 5 } else { 7 }) {
                0 => Value::Null,
                1 => Value::Bool(self.below(2) == 1),
                2 => match self.below(3) {
                    0 => json!(self.next() as i64),
                    1 => json!(self.next()),
                    _ => json!((self.next() as f64) / 1e9 - 9e9),
                },
                3 | 4 => Value::String(self.string()),
                5 => Value::Array((0..self.below(4)).map(|_| self.value(depth - 1)).collect()),
                _ => Value::Object((0..self.below(4)).map(|_| (self.string(), self.value(depth - 1))).collect()),
            }
        }
    }

    #[test]
    fn double_quoting_is_json_where_json_is_yaml() {
        let mut rng = Rng(0x0dd_ba11);
        for _ in 0..3_000 {
            let s = rng.string();
            let mut quoted = String::new();
            skyform_yaml::push_double_quoted(&s, &mut quoted, |_| false);
            let json = serde_json::to_string(&s).unwrap_or_default();
            let beyond_json = s
                .chars()
                .any(|c| ('\u{7f}'..='\u{9f}').contains(&c) && c != '\u{85}' || matches!(c, '\u{fffe}' | '\u{ffff}'));
            assert_eq!(quoted == json, !beyond_json, "{s:?}");
            let parsed =
                skyform_yaml::parse_stream(&format!("k: {quoted}\n")).unwrap_or_else(|e| panic!("{e}: {quoted}"));
            assert_eq!(parsed[0].get("k").and_then(|n| n.as_str()), Some(s.as_str()), "{quoted}");
        }
    }

    #[test]
    fn trees_match_the_parser_on_generated_values() {
        let mut rng = Rng(0x5eed_cafe_f00d_0001);
        for _ in 0..3_000 {
            // A document is an object, as every Kubernetes object is.
            let mut doc = serde_json::Map::new();
            doc.insert("kind".into(), json!("X"));
            for _ in 0..rng.below(4) {
                doc.insert(rng.string(), rng.value(4));
            }
            assert_located(&Value::Object(doc));
        }
    }
}
