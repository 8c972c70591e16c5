//! `values.schema.json`: every value typed, unknown keys rejected, each repeated part
//! written once (under `definitions`, referenced by `$ref`), so the schema grows with the
//! number of different service shapes, not of services: Helm refuses a chart file over
//! 5 MiB, which the schema of a few thousand services written out in full passes.

use super::*;
use std::collections::HashMap;

/// The schema of the values tree: objects reject unknown keys.
#[derive(Default)]
pub(super) struct SchemaNode {
    pub(super) children: BTreeMap<String, SchemaNode>,
    pub(super) leaf: Option<Value>,
    pub(super) allow_global: bool,
}

impl SchemaNode {
    pub(super) fn child(&mut self, k: &str) -> &mut SchemaNode {
        self.children.entry(k.to_string()).or_default()
    }

    pub(super) fn to_json(&self, root: bool) -> Value {
        if let Some(l) = &self.leaf
            && self.children.is_empty()
        {
            return l.clone();
        }
        let mut props = Map::new();
        for (k, c) in &self.children {
            props.insert(k.clone(), c.to_json(false));
        }
        if self.allow_global {
            props.insert(
                "global".into(),
                json!({"type": "object", "description": "Helm's values shared with every subchart."}),
            );
        }
        let mut m = Map::new();
        if root {
            m.insert("$schema".into(), json!("http://json-schema.org/draft-07/schema#"));
            m.insert("title".into(), json!("Values of the generated umbrella chart"));
        }
        m.insert("type".into(), json!("object"));
        m.insert("additionalProperties".into(), json!(false));
        m.insert("properties".into(), Value::Object(props));
        Value::Object(m)
    }
}

/// A repeated schema this small stays inline (a `$ref` would save little).
const SHARED_MIN_LEN: usize = 96;

/// `schema` (a root object schema) with every property schema that occurs more than once
/// moved to `definitions` and referenced with `$ref`. A definition is named after the
/// key under which it first occurs (depth first, in key order), with `-2`, `-3`… when
/// two different definitions would share a name, so the output is deterministic.
pub(super) fn share_repeated(mut schema: Value) -> Value {
    let mut counts = HashMap::new();
    count_properties(&schema, &mut counts);
    let mut shared = Shared { counts, names: HashMap::new(), taken: BTreeSet::new(), definitions: Map::new() };
    shared.rewrite(&mut schema);
    if !shared.definitions.is_empty()
        && let Value::Object(root) = &mut schema
    {
        root.insert("definitions".into(), Value::Object(shared.definitions));
    }
    schema
}

/// How often each property schema (as compact JSON) occurs, at any depth.
fn count_properties(schema: &Value, counts: &mut HashMap<String, usize>) {
    if let Some(Value::Object(props)) = schema.get("properties") {
        for child in props.values() {
            count_properties(child, counts);
            let text = serde_json::to_string(child).unwrap_or_default();
            if text.len() >= SHARED_MIN_LEN {
                *counts.entry(text).or_default() += 1;
            }
        }
    }
}

struct Shared {
    counts: HashMap<String, usize>,
    /// The definition name of each shared schema text.
    names: HashMap<String, String>,
    taken: BTreeSet<String>,
    definitions: Map<String, Value>,
}

impl Shared {
    fn rewrite(&mut self, schema: &mut Value) {
        let Some(Value::Object(props)) = schema.get_mut("properties") else { return };
        for (key, child) in props.iter_mut() {
            let text = serde_json::to_string(child).unwrap_or_default();
            if self.counts.get(&text).copied().unwrap_or(0) < 2 {
                self.rewrite(child);
                continue;
            }
            let name = match self.names.get(&text) {
                Some(name) => name.clone(),
                None => {
                    let name = (1..)
                        .map(|n| if n == 1 { key.clone() } else { format!("{key}-{n}") })
                        .find(|n| !self.taken.contains(n))
                        .unwrap_or_default();
                    self.taken.insert(name.clone());
                    self.names.insert(text, name.clone());
                    let mut body = std::mem::take(child);
                    self.rewrite(&mut body);
                    self.definitions.insert(name.clone(), body);
                    name
                }
            };
            let pointer = name.replace('~', "~0").replace('/', "~1");
            *child = json!({ "$ref": format!("#/definitions/{pointer}") });
        }
    }
}

pub(super) const QUANTITY_PATTERN: &str =
    r"^[+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$";

pub(super) fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

pub(super) fn slot_schema(slot: &Slot) -> Value {
    let what = describe_kind(slot.kind);
    match slot.kind {
        SlotKind::Replicas => json!({"type": "integer", "minimum": 0, "description": what}),
        SlotKind::Quantity => json!({"type": ["string", "number"], "pattern": QUANTITY_PATTERN, "description": what}),
        SlotKind::Image | SlotKind::Host => json!({"type": "string", "minLength": 1, "description": what}),
        SlotKind::Scale => json!({"type": "string", "pattern": "^[0-9]+$", "description": what}),
        SlotKind::Toggle | SlotKind::Include => json!({"type": "boolean", "description": what}),
        SlotKind::Field => {
            let types: BTreeSet<&str> = slot.per_env.iter().flatten().map(json_type).collect();
            let mut m = Map::new();
            if types.len() == 1
                && let Some(t) = types.into_iter().next()
            {
                m.insert("type".into(), json!(t));
            }
            m.insert("description".into(), json!(what));
            Value::Object(m)
        }
    }
}

pub(super) fn describe_kind(k: SlotKind) -> &'static str {
    match k {
        SlotKind::Replicas => "Replica count or autoscaling bound.",
        SlotKind::Quantity => "Kubernetes quantity (CPU, memory or storage size).",
        SlotKind::Image => "Container image repository, tag or digest.",
        SlotKind::Host => "Ingress host name.",
        SlotKind::Scale => "Knative scale bound (a number as a string).",
        SlotKind::Toggle => "Feature toggle: whether the object is installed.",
        SlotKind::Include => "Whether this field of the object is set.",
        SlotKind::Field => "Field that differs between environments.",
    }
}
