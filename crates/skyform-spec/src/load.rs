//! Loading a platform file: YAML → located tree → structural check → raw types.
//!
//! The structural check walks the tree against the JSON Schema generated from
//! [`crate::raw`], so the schema editors use and the checks the CLI runs cannot drift
//! apart. It reports every problem it finds, not just the first.
//!
//! A structural problem does not stop the run (vector's approach): the offending node is
//! pruned from the tree (an unknown key, a value of the wrong type or outside its enum or
//! range; a mapping that misses a required key goes as a whole, so one bad service or
//! environment does not hide the others), the rest is deserialized, and the structural
//! diagnostics travel with the [`LoadedPlatform`] so that lowering adds its own to them.

use crate::diag::{Code, Diagnostic};
use crate::raw::Platform;
use crate::suggest::did_you_mean;
use serde_json::{Map, Value as Json};
use skyform_yaml::{Node, Path, Segment, Span, Value};

/// A platform file that passed the structural check, with its tree kept for locating
/// later (semantic) diagnostics.
#[derive(Clone, Debug)]
pub struct LoadedPlatform {
    pub raw: Platform,
    /// The tree `raw` was read from: the source tree less the pruned nodes.
    pub tree: Node,
    /// The structural problems found (empty for a valid file); `raw` holds what remained.
    pub diagnostics: Vec<Diagnostic>,
    /// Where nodes were pruned (paths into the source tree), so that lowering does not
    /// report a second, confusing error about something already reported.
    pub pruned: Vec<Path>,
}

impl LoadedPlatform {
    /// The span of the value at `path` (or of its deepest existing ancestor).
    pub fn span(&self, path: &Path) -> Span {
        self.tree.locate(path, false)
    }

    /// The span of the key at the end of `path`.
    pub fn key_span(&self, path: &Path) -> Span {
        self.tree.locate(path, true)
    }

    /// Whether the node at `path` was pruned for a structural problem.
    pub fn was_pruned(&self, path: &Path) -> bool {
        self.pruned.iter().any(|p| p == path)
    }
}

/// Parses and structurally checks a platform file. Structural problems are returned in
/// [`LoadedPlatform::diagnostics`] next to what could still be read; `Err` (with every
/// diagnostic found) only when nothing can be: invalid YAML, or a document that misses
/// what every platform file has (`apiVersion`, `kind`, `metadata.name`, `spec`).
pub fn load_platform(text: &str) -> Result<LoadedPlatform, Vec<Diagnostic>> {
    // The schema is read while the file is parsed: neither needs the other.
    let (parsed, schema) =
        rayon::join(|| skyform_yaml::parse_document(text), crate::schema::checked_in_platform_schema);
    let tree = parsed.map_err(|e| {
        let hint = if e.message.contains("duplicate") {
            "a mapping may hold each key once: remove or rename one of them"
        } else if e.message.contains("tab") {
            "YAML indents with spaces, never tabs"
        } else {
            "check indentation and quoting around this position"
        };
        vec![Diagnostic::error(Code::YamlSyntax, e.span, format!("invalid YAML: {}", e.message)).hint(hint)]
    })?;
    let mut walker = Walker {
        root: &schema,
        defs: schema.get("$defs").and_then(Json::as_object),
        document: Some(&tree),
        text,
        diags: Vec::new(),
        prune: Vec::new(),
        blank: Vec::new(),
    };
    walker.check_header(&tree);
    let whole = walker.check(&tree, &schema, &Path::root(), "the platform file");
    let Walker { mut diags, mut prune, blank, .. } = walker;
    diags.sort_by_key(|d| (d.span.line, d.span.column, d.code));
    if !whole {
        return Err(diags);
    }
    let mut kept = tree.clone();
    // Deepest and last first, so that pruning a list item does not shift the indices of
    // the items still to prune; blanking (which keeps indices) goes before.
    let mut order = prune.clone();
    order.sort_by(|a, b| b.cmp(a));
    for (path, empty) in blank {
        if let Some(node) = node_mut(&mut kept, path.segments()) {
            node.value = empty;
        }
        prune.push(path);
    }
    for path in &order {
        remove(&mut kept, path.segments());
    }
    match serde_json::from_value::<Platform>(kept.to_json()) {
        Ok(raw) => Ok(LoadedPlatform { raw, tree: kept, diagnostics: diags, pruned: prune }),
        // The walker mirrors the schema; reaching this means the two disagree. Still a
        // located error, never a panic.
        Err(e) => {
            if diags.is_empty() {
                diags.push(Diagnostic::error(Code::WrongType, tree.span, format!("invalid platform file: {e}")));
            }
            Err(diags)
        }
    }
}

/// The node at `path` below `node`, to change it.
fn node_mut<'n>(node: &'n mut Node, path: &[Segment]) -> Option<&'n mut Node> {
    let mut node = node;
    for seg in path {
        node = match (seg, &mut node.value) {
            (Segment::Key(k), Value::Map(entries)) => {
                entries.iter_mut().find(|e| *e.key == **k).map(|e| &mut e.value)?
            }
            (Segment::Index(i), Value::Seq(items)) => items.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(node)
}

/// Removes the node at `path` (a mapping entry or a list item) from `node`.
fn remove(node: &mut Node, path: &[Segment]) {
    let Some((last, parents)) = path.split_last() else { return };
    let Some(node) = node_mut(node, parents) else { return };
    match (last, &mut node.value) {
        (Segment::Key(k), Value::Map(entries)) => entries.retain(|e| *e.key != **k),
        (Segment::Index(i), Value::Seq(items)) if *i < items.len() => {
            items.remove(*i);
        }
        _ => {}
    }
}

struct Walker<'s> {
    root: &'s Json,
    /// The schema's `$defs`, which its `$ref`s name.
    defs: Option<&'s Map<String, Json>>,
    document: Option<&'s Node>,
    /// The source, to quote a scalar exactly as typed (`1.30`, not the float `1.3`).
    text: &'s str,
    diags: Vec<Diagnostic>,
    /// Nodes to prune before deserializing: each failed its check and its parent can do
    /// without it.
    prune: Vec<Path>,
    /// Required values replaced by an empty one of their type instead.
    blank: Vec<(Path, Value)>,
}

fn describe(path: &Path) -> String {
    let s = path.to_string();
    let s = s.trim_start_matches('/').replace('/', ".");
    if s.is_empty() { "the document".to_string() } else { format!("`{s}`") }
}

impl<'s> Walker<'s> {
    fn check_header(&mut self, tree: &Node) {
        if let Some(v) = tree.get("apiVersion").and_then(Node::as_str)
            && v != crate::API_VERSION
        {
            let span = tree.locate(&Path::root().key("apiVersion"), false);
            self.diags.push(
                Diagnostic::error(Code::WrongApiVersion, span, format!("unsupported apiVersion `{v}`"))
                    .hint(format!("skyform reads `apiVersion: {}`", crate::API_VERSION)),
            );
        }
        if let Some(v) = tree.get("kind").and_then(Node::as_str)
            && v != crate::KIND
        {
            let span = tree.locate(&Path::root().key("kind"), false);
            self.diags.push(
                Diagnostic::error(Code::WrongApiVersion, span, format!("unsupported kind `{v}`"))
                    .hint(format!("a platform file has `kind: {}`", crate::KIND)),
            );
        }
    }

    fn resolve(&self, schema: &'s Json) -> &'s Json {
        let mut s = schema;
        for _ in 0..32 {
            match s.get("$ref").and_then(Json::as_str) {
                Some(r) => {
                    let pointer = r.trim_start_matches('#');
                    // `#/$defs/Name`, the form schemars writes, without a pointer walk.
                    let def = pointer.strip_prefix("/$defs/").filter(|name| !name.contains(['/', '~']));
                    let found = match def {
                        Some(name) => self.defs.and_then(|d| d.get(name)),
                        None => self.root.pointer(pointer),
                    };
                    match found {
                        Some(next) => s = next,
                        None => return s,
                    }
                }
                None => return s,
            }
        }
        s
    }

    /// Checks `node` against `schema`; `false` when the node is unusable as a whole (its
    /// parent must drop it). Usable parts' problems are reported and queued for pruning.
    fn check(&mut self, node: &Node, schema: &'s Json, path: &Path, what: &str) -> bool {
        let schema = self.resolve(schema);
        if let Some(alts) = schema.get("anyOf").or_else(|| schema.get("oneOf")).and_then(Json::as_array) {
            return self.check_alternatives(node, alts, path, what);
        }
        if let Some(types) = schema.get("type")
            && !type_matches(types, &node.value)
        {
            self.wrong_type(node, &expected_text(types, schema), path);
            return false;
        }
        if let Some(allowed) = schema.get("enum").and_then(Json::as_array) {
            return self.check_enum(node, allowed, path);
        }
        if let Some(c) = schema.get("const") {
            return self.check_enum(node, std::slice::from_ref(c), path);
        }
        match &node.value {
            Value::Map(_) => self.check_object(node, schema, path),
            Value::Seq(items) => {
                if let Some(item_schema) = schema.get("items") {
                    for (i, item) in items.iter().enumerate() {
                        if !self.check(item, item_schema, &path.index(i), what) {
                            self.prune.push(path.index(i));
                        }
                    }
                }
                true
            }
            Value::Int(i) => self.check_range(node, *i as f64, schema, path),
            Value::Float(f) => self.check_range(node, *f, schema, path),
            _ => true,
        }
    }

    fn check_range(&mut self, node: &Node, n: f64, schema: &Json, path: &Path) -> bool {
        let min = schema.get("minimum").and_then(Json::as_f64);
        let max = schema.get("maximum").and_then(Json::as_f64);
        let below = min.is_some_and(|m| n < m);
        let above = max.is_some_and(|m| n > m);
        if below || above {
            let range = match (min, max) {
                (Some(a), Some(b)) => format!("between {a} and {b}"),
                (Some(a), None) => format!("at least {a}"),
                (None, Some(b)) => format!("at most {b}"),
                (None, None) => String::new(),
            };
            self.diags.push(Diagnostic::error(
                Code::OutOfRange,
                node.span,
                format!("{} must be {range}, found {n}", describe(path)),
            ));
        }
        !(below || above)
    }

    fn check_enum(&mut self, node: &Node, allowed: &[Json], path: &Path) -> bool {
        // Text (most enum values) compares without converting the node.
        let allowed_here = match &node.value {
            Value::String(text) => allowed.iter().any(|a| a.as_str() == Some(text)),
            _ => allowed.contains(&node.to_json()),
        };
        if allowed_here {
            return true;
        }
        let names: Vec<&str> = allowed.iter().filter_map(Json::as_str).collect();
        let found = node.scalar_text().unwrap_or_else(|| node.value.kind_name().to_string());
        let list = names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
        let diag =
            Diagnostic::error(Code::UnknownValue, node.span, format!("unknown value `{found}` for {}", describe(path)));
        let diag = match did_you_mean(&found, names.iter().copied()) {
            Some(s) => diag.hint(format!("did you mean `{s}`?")),
            None => diag.hint(format!("expected one of {list}")),
        };
        self.diags.push(diag);
        false
    }

    fn check_object(&mut self, node: &Node, schema: &'s Json, path: &Path) -> bool {
        let entries = node.as_map().unwrap_or(&[]);
        static EMPTY: std::sync::OnceLock<Map<String, Json>> = std::sync::OnceLock::new();
        let props: &'s Map<String, Json> =
            schema.get("properties").and_then(Json::as_object).unwrap_or_else(|| EMPTY.get_or_init(Map::new));
        let additional = schema.get("additionalProperties");
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Json::as_array)
            .map_or(Vec::new(), |r| r.iter().filter_map(Json::as_str).collect());
        let mut whole = true;
        for entry in entries {
            let child = path.key(&entry.key);
            if let Some(prop) = props.get(&entry.key) {
                if !self.check(&entry.value, prop, &child, &entry.key) {
                    if !required.contains(&entry.key.as_str()) {
                        self.prune.push(child);
                    } else if let Some(empty) = self.empty_value(prop) {
                        // A required text or list the parent cannot do without: keep it
                        // empty (at its own span, so lowering's echo is recognised).
                        self.blank.push((child, empty));
                    } else {
                        whole = false;
                    }
                }
            } else {
                match additional {
                    Some(Json::Bool(false)) => {
                        let diag = Diagnostic::error(
                            Code::UnknownKey,
                            entry.key_span,
                            format!("unknown key `{}` in {}", entry.key, describe(path)),
                        );
                        let diag = match did_you_mean(&entry.key, props.keys().map(String::as_str)) {
                            Some(s) => diag.hint(format!("did you mean `{s}`?")),
                            None => {
                                let mut keys: Vec<&str> = props.keys().map(String::as_str).collect();
                                keys.sort_unstable();
                                diag.hint(format!("allowed keys: {}", keys.join(", ")))
                            }
                        };
                        self.diags.push(diag);
                        self.prune.push(child);
                    }
                    Some(s @ Json::Object(_)) if !self.check(&entry.value, s, &child, &entry.key) => {
                        self.prune.push(child);
                    }
                    _ => {}
                }
            }
        }
        {
            for key in required.iter().copied() {
                if node.get(key).is_none() {
                    whole = false;
                    let span = if path.segments().is_empty() { node.span } else { self.tree_key_span(node, path) };
                    self.diags.push(
                        Diagnostic::error(Code::MissingKey, span, format!("missing key `{key}` in {}", describe(path)))
                            .hint_opt(
                                props
                                    .get(key)
                                    .and_then(|p| self.resolve(p).get("description"))
                                    .and_then(Json::as_str)
                                    .map(|d| format!("`{key}`: {}", first_sentence(d))),
                            ),
                    );
                }
            }
        }
        whole
    }

    /// Where to point for a missing key: the key that owns the incomplete mapping.
    fn tree_key_span(&self, node: &Node, path: &Path) -> Span {
        self.document.map_or(node.span, |doc| doc.locate(path, true))
    }

    /// The neutral value of a required string or list, when `schema` is one.
    fn empty_value(&self, schema: &'s Json) -> Option<Value> {
        match self.resolve(schema).get("type").and_then(Json::as_str) {
            Some("string") => Some(Value::String(String::new())),
            Some("array") => Some(Value::Seq(Vec::new())),
            _ => None,
        }
    }

    fn check_alternatives(&mut self, node: &Node, alts: &'s [Json], path: &Path, what: &str) -> bool {
        // The alternative with the fewest problems: (diagnostics, pruning, usable).
        type Outcome = (Vec<Diagnostic>, (Vec<Path>, Vec<(Path, Value)>), bool);
        let mut best: Option<Outcome> = None;
        let mut matching_type = false;
        for alt in alts {
            let alt = self.resolve(alt);
            let shape_ok = alt.get("type").is_none_or(|t| type_matches(t, &node.value));
            if !shape_ok {
                continue;
            }
            matching_type = true;
            let mut sub = Walker {
                root: self.root,
                defs: self.defs,
                document: self.document,
                text: self.text,
                diags: Vec::new(),
                prune: Vec::new(),
                blank: Vec::new(),
            };
            let usable = sub.check(node, alt, path, what);
            if sub.diags.is_empty() {
                return true;
            }
            if best.as_ref().is_none_or(|b| sub.diags.len() < b.0.len()) {
                best = Some((sub.diags, (sub.prune, sub.blank), usable));
            }
        }
        if let Some((diags, (prune, blank), usable)) = best {
            self.diags.extend(diags);
            // An alternative that stays usable once its bad parts are pruned (a list or
            // mapping behind `null`'s alternative, say) keeps the node.
            if usable {
                self.prune.extend(prune);
                self.blank.extend(blank);
            }
            return usable;
        }
        if !matching_type {
            let expected: Vec<String> = alts
                .iter()
                .map(|a| self.resolve(a))
                .map(|a| a.get("type").map_or("a value".to_string(), |t| expected_text(t, a)))
                .collect();
            self.wrong_type(node, &expected.join(" or "), path);
        }
        false
    }

    fn wrong_type(&mut self, node: &Node, expected: &str, path: &Path) {
        let found = node.value.kind_name();
        let mut diag = Diagnostic::error(
            Code::WrongType,
            node.span,
            format!("{} must be {expected}, found {found}", describe(path)),
        );
        if expected.contains("a string") && matches!(node.value, Value::Int(_) | Value::Float(_) | Value::Bool(_)) {
            let typed = self.text.get(node.span.offset..node.span.offset + node.span.len).filter(|t| !t.is_empty());
            if let Some(text) = typed.map(str::to_string).or_else(|| node.scalar_text()) {
                diag = diag.hint(format!("quote it to keep it as text: \"{text}\""));
            }
        }
        self.diags.push(diag);
    }
}

/// The first sentence of a schema description (an `e.g.` or `i.e.` does not end it).
fn first_sentence(s: &str) -> String {
    let line = s.lines().next().unwrap_or(s);
    let mut end = line.len();
    let mut from = 0;
    while let Some(i) = line[from..].find(". ").map(|i| i + from) {
        if !(line[..i].ends_with("e.g") || line[..i].ends_with("i.e")) {
            end = i;
            break;
        }
        from = i + 2;
    }
    line[..end].trim_end_matches('.').to_string()
}

fn type_matches(types: &Json, value: &Value) -> bool {
    match types {
        Json::String(t) => one_type_matches(t, value),
        Json::Array(ts) => ts.iter().filter_map(Json::as_str).any(|t| one_type_matches(t, value)),
        _ => true,
    }
}

fn one_type_matches(t: &str, value: &Value) -> bool {
    match (t, value) {
        ("null", Value::Null)
        | ("boolean", Value::Bool(_))
        | ("integer", Value::Int(_))
        | ("number", Value::Int(_) | Value::Float(_))
        | ("string", Value::String(_))
        | ("array", Value::Seq(_))
        | ("object", Value::Map(_)) => true,
        ("integer", Value::Float(f)) => f.fract() == 0.0,
        _ => false,
    }
}

fn expected_text(types: &Json, schema: &Json) -> String {
    let one = |t: &str| match t {
        "null" => "null".to_string(),
        "boolean" => "a boolean".to_string(),
        "integer" => {
            if schema.get("minimum").and_then(Json::as_f64) == Some(0.0) {
                "a non-negative integer".to_string()
            } else {
                "an integer".to_string()
            }
        }
        "number" => "a number".to_string(),
        "string" => "a string".to_string(),
        "array" => "a list".to_string(),
        "object" => "a mapping".to_string(),
        other => other.to_string(),
    };
    match types {
        Json::String(t) => one(t),
        Json::Array(ts) => {
            ts.iter().filter_map(Json::as_str).filter(|t| *t != "null").map(one).collect::<Vec<_>>().join(" or ")
        }
        _ => "a value".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::first_sentence;

    #[test]
    fn first_sentences() {
        assert_eq!(
            first_sentence("Cron expression (5 fields), e.g. `0 2 * * *`. More."),
            "Cron expression (5 fields), e.g. `0 2 * * *`"
        );
        assert_eq!(first_sentence("Retention, e.g. `720h`"), "Retention, e.g. `720h`");
        assert_eq!(first_sentence("One. Two."), "One");
        assert_eq!(first_sentence("Only one."), "Only one");
    }
}
