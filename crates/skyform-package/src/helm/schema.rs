//! `values.schema.json`: every value typed, unknown keys rejected.

use super::*;

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
