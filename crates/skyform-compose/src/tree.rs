//! The compose document tree: a YAML tree whose every node remembers which file it came
//! from, so that a merged service (base file + overrides + `extends`) can still point each
//! report line and each error at the right `file:line:column`.

use skyform_yaml::Span;

/// Where a node was written: the index of its file in [`crate::Sources`] and its span.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Loc {
    pub file: usize,
    pub span: Span,
}

/// One node of a compose document.
#[derive(Clone, Debug, PartialEq)]
pub struct CNode {
    pub loc: Loc,
    pub value: CValue,
}

/// A mapping entry with the key's own location.
#[derive(Clone, Debug, PartialEq)]
pub struct CEntry {
    pub key: String,
    pub key_loc: Loc,
    pub value: CNode,
}

/// The YAML data model, as in `skyform_yaml::Value`.
#[derive(Clone, Debug, PartialEq)]
pub enum CValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    Seq(Vec<CNode>),
    Map(Vec<CEntry>),
}

impl CValue {
    /// A short noun for messages.
    pub fn kind_name(&self) -> &'static str {
        match self {
            CValue::Null => "null",
            CValue::Bool(_) => "a boolean",
            CValue::Int(_) => "an integer",
            CValue::Float(_) => "a number",
            CValue::String(_) => "a string",
            CValue::Seq(_) => "a list",
            CValue::Map(_) => "a mapping",
        }
    }
}

/// Deepest nesting converted; deeper structures are cut (compose files are shallow, and
/// a bound keeps recursion safe on hostile input).
const MAX_DEPTH: usize = 64;

impl CNode {
    /// Converts a located YAML tree of file `file`, applying YAML merge keys (`<<`).
    pub fn from_yaml(node: &skyform_yaml::Node, file: usize) -> CNode {
        Self::convert(node, file, 0)
    }

    fn convert(node: &skyform_yaml::Node, file: usize, depth: usize) -> CNode {
        use skyform_yaml::Value as V;
        let loc = Loc { file, span: node.span };
        if depth > MAX_DEPTH {
            return CNode { loc, value: CValue::Null };
        }
        let value = match &node.value {
            V::Null => CValue::Null,
            V::Bool(b) => CValue::Bool(*b),
            V::Int(i) => CValue::Int(*i),
            V::Float(f) => CValue::Float(*f),
            V::String(s) => CValue::String(s.clone()),
            V::Seq(items) => CValue::Seq(items.iter().map(|n| Self::convert(n, file, depth + 1)).collect()),
            V::Map(entries) => {
                let mut out: Vec<CEntry> = Vec::new();
                let mut merged: Vec<CEntry> = Vec::new();
                for e in entries {
                    let value = Self::convert(&e.value, file, depth + 1);
                    if e.key == "<<" {
                        // YAML merge key: entries of the referenced mapping(s) that the
                        // mapping itself does not set. Earlier sources win.
                        let sources: Vec<CNode> = match value.value {
                            CValue::Seq(items) => items,
                            other => vec![CNode { loc: value.loc, value: other }],
                        };
                        for src in sources {
                            if let CValue::Map(src_entries) = src.value {
                                for se in src_entries {
                                    if !merged.iter().any(|m| m.key == se.key) {
                                        merged.push(se);
                                    }
                                }
                            }
                        }
                        continue;
                    }
                    out.push(CEntry { key: e.key.clone(), key_loc: Loc { file, span: e.key_span }, value });
                }
                for m in merged {
                    if !out.iter().any(|o| o.key == m.key) {
                        out.push(m);
                    }
                }
                CValue::Map(out)
            }
        };
        CNode { loc, value }
    }

    pub fn null(loc: Loc) -> CNode {
        CNode { loc, value: CValue::Null }
    }

    pub fn string(loc: Loc, s: impl Into<String>) -> CNode {
        CNode { loc, value: CValue::String(s.into()) }
    }

    pub fn get(&self, key: &str) -> Option<&CNode> {
        self.entry(key).map(|e| &e.value)
    }

    pub fn entry(&self, key: &str) -> Option<&CEntry> {
        match &self.value {
            CValue::Map(entries) => entries.iter().find(|e| e.key == key),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            CValue::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[CNode]> {
        match &self.value {
            CValue::Seq(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[CEntry]> {
        match &self.value {
            CValue::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// A scalar as the text compose would use (numbers and booleans as written).
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            CValue::String(s) => Some(s.clone()),
            CValue::Int(i) => Some(i.to_string()),
            CValue::Float(f) => Some(f.to_string()),
            CValue::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, CValue::Null)
    }
}
