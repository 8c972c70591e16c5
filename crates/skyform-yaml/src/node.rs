//! The located tree itself and its conversion from serde-saphyr's spanned values.

use crate::Span;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

/// One YAML node and where it starts.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub span: Span,
    pub value: Value,
}

/// A mapping entry: the key's text and span, and the value node.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

/// The YAML data model after tag resolution (YAML 1.2 core schema as serde-saphyr applies it).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    Seq(Vec<Node>),
    /// Entries in document order (duplicate keys are rejected by the parser).
    Map(Vec<Entry>),
}

impl Value {
    /// A short noun for messages: "a string", "a mapping", …
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::String(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

impl Node {
    pub(crate) fn from_raw(raw: Spanned<RawNode>) -> Node {
        let span = Span::from_location(&raw.referenced);
        let value = match raw.value {
            RawNode::Null => Value::Null,
            RawNode::Bool(b) => Value::Bool(b),
            RawNode::Int(i) => Value::Int(i),
            RawNode::Float(f) => Value::Float(f),
            RawNode::Str(s) => Value::String(s),
            RawNode::Seq(items) => Value::Seq(items.into_iter().map(Node::from_raw).collect()),
            RawNode::Map(entries) => Value::Map(
                entries
                    .into_iter()
                    .map(|(k, v)| Entry {
                        key_span: Span::from_location(&k.referenced),
                        key: k.value.0,
                        value: Node::from_raw(v),
                    })
                    .collect(),
            ),
        };
        Node { span, value }
    }

    /// The value under `key` when this node is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// The entry under `key` when this node is a mapping.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|e| e.key == key),
            _ => None,
        }
    }

    /// The string value, if this is a string scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// Integer value (also accepts integral floats and numeric strings are *not* coerced).
    pub fn as_i64(&self) -> Option<i64> {
        match &self.value {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// Scalars rendered as the text a user typed (for string-typed fields).
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::String(s) => Some(s.clone()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// Walks a path of keys/indices from this node.
    pub fn at(&self, path: &crate::Path) -> Option<&Node> {
        let mut node = self;
        for seg in path.segments() {
            node = match seg {
                crate::Segment::Key(k) => node.get(k)?,
                crate::Segment::Index(i) => node.as_seq()?.get(*i)?,
            };
        }
        Some(node)
    }

    /// The span of the deepest existing node along `path`; `key` selects the mapping key's
    /// span instead of the value's for the last segment when it exists.
    pub fn locate(&self, path: &crate::Path, key: bool) -> Span {
        let mut node = self;
        let mut span = self.span;
        let segs = path.segments();
        for (i, seg) in segs.iter().enumerate() {
            let last = i + 1 == segs.len();
            match seg {
                crate::Segment::Key(k) => match node.entry(k) {
                    Some(e) => {
                        span = if last && key { e.key_span } else { e.value.span };
                        node = &e.value;
                    }
                    None => return span,
                },
                crate::Segment::Index(idx) => match node.as_seq().and_then(|s| s.get(*idx)) {
                    Some(n) => {
                        span = n.span;
                        node = n;
                    }
                    None => return span,
                },
            }
        }
        span
    }

    /// Converts to JSON (mapping keys as strings, order preserved).
    pub fn to_json(&self) -> serde_json::Value {
        match &self.value {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Int(i) => serde_json::Value::from(*i),
            Value::Float(f) => {
                serde_json::Number::from_f64(*f).map_or(serde_json::Value::Null, serde_json::Value::Number)
            }
            Value::String(s) => serde_json::Value::String(s.clone()),
            Value::Seq(items) => serde_json::Value::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => {
                serde_json::Value::Object(entries.iter().map(|e| (e.key.clone(), e.value.to_json())).collect())
            }
        }
    }
}

/// What serde-saphyr hands us: each child wrapped in `Spanned`.
#[derive(Debug)]
pub(crate) enum RawNode {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Spanned<RawNode>>),
    Map(Vec<(Spanned<KeyText>, Spanned<RawNode>)>),
}

/// A mapping key as text, whatever scalar type it was written as.
#[derive(Debug)]
pub(crate) struct KeyText(pub String);

impl<'de> Deserialize<'de> for KeyText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = KeyText;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a scalar mapping key")
            }
            fn visit_str<E>(self, v: &str) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<KeyText, E> {
                Ok(KeyText(v))
            }
            fn visit_bool<E>(self, v: bool) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_unit<E>(self) -> Result<KeyText, E> {
                Ok(KeyText("null".to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// Most nodes one parse may decode, aliases expanded. go-yaml (what `docker compose`
/// uses) accepts any aliasing in documents of up to 400,000 decoded nodes and tightens
/// its alias ratio above; the same number bounds the expansion here, which stops
/// exponential (billion-laughs) documents after a fraction of a second.
pub const MAX_DECODED_NODES: usize = 400_000;

thread_local! {
    static DECODED_NODES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Starts counting decoded nodes for a new parse.
pub(crate) fn reset_decoded_nodes() {
    DECODED_NODES.with(|c| c.set(0));
}

impl<'de> Deserialize<'de> for RawNode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let n = DECODED_NODES.with(|c| {
            let n = c.get().saturating_add(1);
            c.set(n);
            n
        });
        if n > MAX_DECODED_NODES {
            return Err(serde::de::Error::custom(format!(
                "the document expands to more than {MAX_DECODED_NODES} nodes through aliases (a billion-laughs document?)"
            )));
        }
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawNode;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any YAML value")
            }
            fn visit_unit<E>(self) -> Result<RawNode, E> {
                Ok(RawNode::Null)
            }
            fn visit_none<E>(self) -> Result<RawNode, E> {
                Ok(RawNode::Null)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<RawNode, D::Error> {
                RawNode::deserialize(d)
            }
            fn visit_bool<E>(self, v: bool) -> Result<RawNode, E> {
                Ok(RawNode::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<RawNode, E> {
                Ok(RawNode::Int(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<RawNode, E> {
                Ok(i64::try_from(v).map_or(RawNode::Float(v as f64), RawNode::Int))
            }
            fn visit_i128<E>(self, v: i128) -> Result<RawNode, E> {
                Ok(i64::try_from(v).map_or(RawNode::Float(v as f64), RawNode::Int))
            }
            fn visit_u128<E>(self, v: u128) -> Result<RawNode, E> {
                Ok(i64::try_from(v).map_or(RawNode::Float(v as f64), RawNode::Int))
            }
            fn visit_f64<E>(self, v: f64) -> Result<RawNode, E> {
                Ok(RawNode::Float(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<RawNode, E> {
                Ok(RawNode::Str(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<RawNode, E> {
                Ok(RawNode::Str(v))
            }
            fn visit_bytes<E>(self, v: &[u8]) -> Result<RawNode, E> {
                Ok(RawNode::Str(String::from_utf8_lossy(v).into_owned()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<RawNode, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = a.next_element()? {
                    items.push(item);
                }
                Ok(RawNode::Seq(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<RawNode, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = a.next_key()? {
                    let value = a.next_value()?;
                    entries.push((key, value));
                }
                Ok(RawNode::Map(entries))
            }
        }
        d.deserialize_any(V)
    }
}
