//! A YAML tree that remembers where every node came from.
//!
//! skyform reads two kinds of YAML: platform files (one document) and Kubernetes
//! manifests (streams of documents). Both need precise `line:column` locations for
//! diagnostics, so neither is deserialized straight into Rust types. Instead the text is
//! parsed once into a [`Node`] tree whose every key and value carries a [`Span`]; later
//! stages walk that tree, resolve JSON-pointer-like [`Path`]s back to spans, and only then
//! deserialize typed values.
//!
//! This crate does no I/O: it takes `&str` and returns trees or a [`YamlError`].

mod fast;
mod node;
mod path;
mod quote;

pub use node::{Entry, Node, Value};
pub use path::{Path, Segment};
pub use quote::push_double_quoted;

use serde_saphyr::Spanned;

/// A position in a source text: 1-based line and column, 0-based byte offset and length.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub line: u32,
    pub column: u32,
    pub offset: usize,
    pub len: usize,
}

impl Span {
    /// The span of the whole input's beginning, used when nothing better is known.
    pub const START: Span = Span { line: 1, column: 1, offset: 0, len: 0 };

    fn from_location(loc: &serde_saphyr::Location) -> Span {
        if loc.line() == 0 {
            return Span::START;
        }
        let span = loc.span();
        Span {
            line: u32::try_from(loc.line()).unwrap_or(u32::MAX),
            column: u32::try_from(loc.column()).unwrap_or(u32::MAX),
            offset: span.byte_offset().map_or(0, |o| o as usize),
            len: span.byte_len().map_or(0, |l| l as usize),
        }
    }
}

/// A YAML syntax error (or a structural YAML error such as a duplicate key), located.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YamlError {
    pub message: String,
    pub span: Span,
}

impl std::fmt::Display for YamlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.span.line, self.span.column, self.message)
    }
}

impl std::error::Error for YamlError {}

/// Parser options. Aliases are allowed as freely as `docker compose` (go-yaml) allows them:
/// no alias-to-anchor ratio (compose files with a few anchors reused by many services are
/// normal), while [`node::MAX_DECODED_NODES`] bounds what aliases expand to, which stops
/// billion-laughs documents the way go-yaml's decode-count limit does.
fn options() -> serde_saphyr::Options {
    let mut options = serde_saphyr::Options::default();
    if let Some(budget) = options.budget.as_mut() {
        budget.enforce_alias_anchor_ratio = false;
        budget.max_nodes = node::MAX_DECODED_NODES;
        // Anchors of compose files are small blocks (`x-` defaults); expansions recorded
        // into anchors are bounded well below the decoded-node bound.
        budget.max_recorded_anchor_events = node::MAX_DECODED_NODES / 2;
    }
    options
}

fn convert_error(err: &serde_saphyr::Error) -> YamlError {
    let span = err.location().map_or(Span::START, |l| Span::from_location(&l));
    YamlError { message: clean_message(&err.to_string()), span }
}

/// serde-saphyr renders its own snippet and a `line N column M:` prefix; keep only the
/// one-line reason so that skyform's diagnostic renderer owns the presentation.
fn clean_message(raw: &str) -> String {
    let first = raw.lines().next().unwrap_or(raw).trim();
    let first = first.strip_prefix("error:").unwrap_or(first).trim();
    let stripped = match first.strip_prefix("line ") {
        Some(rest) => rest.split_once(": ").map_or(first, |(_, msg)| msg),
        None => first,
    };
    let stripped = stripped.trim_end_matches('.');
    if stripped.starts_with("budget breached") {
        return format!(
            "the document is too large once its aliases are expanded ({}); a billion-laughs document?",
            stripped.trim_start_matches("budget breached").trim_start_matches(':').trim()
        );
    }
    // serde-saphyr suggests its own API option; that hint means nothing to a user.
    stripped.split(", set DuplicateKeyPolicy").next().unwrap_or(stripped).to_string()
}

/// Parses a single YAML document. An empty input yields a `Null` node.
pub fn parse_document(src: &str) -> Result<Node, YamlError> {
    if src.trim().is_empty() {
        return Ok(Node { span: Span::START, value: Value::Null });
    }
    if let Some(mut docs) = fast::documents(src).filter(|d| d.len() == 1)
        && let Some(root) = docs.pop()
    {
        return Ok(root);
    }
    parse_document_through_serde(src)
}

/// [`parse_document`] through serde-saphyr's deserializer: what decides every document the
/// direct builder (`fast`) leaves alone.
fn parse_document_through_serde(src: &str) -> Result<Node, YamlError> {
    node::reset_decoded_nodes();
    let raw: Spanned<node::RawNode> =
        serde_saphyr::from_str_with_options(src, options()).map_err(|e| convert_error(&e))?;
    Ok(Node::from_raw(raw))
}

/// Parses a stream of YAML documents separated by `---`. Empty documents are dropped.
pub fn parse_stream(src: &str) -> Result<Vec<Node>, YamlError> {
    if src.trim().is_empty() {
        return Ok(Vec::new());
    }
    let docs = match fast::documents(src) {
        Some(docs) => docs,
        None => return parse_stream_through_serde(src),
    };
    Ok(without_empty(docs))
}

/// The documents of a stream but the empty (null) ones, which a manifest stream may hold
/// between separators.
fn without_empty(docs: impl IntoIterator<Item = Node>) -> Vec<Node> {
    docs.into_iter().filter(|n| !matches!(n.value, Value::Null)).collect()
}

/// Whether the direct builder, where it reads `src` at all, reads it as serde-saphyr does
/// (documents, values, keys and spans). For tests and the fuzzer.
#[doc(hidden)]
pub fn direct_builder_agrees(src: &str) -> bool {
    let Some(fast) = fast::documents(src) else { return true };
    if Ok(without_empty(fast.iter().cloned())) != parse_stream_through_serde(src) {
        return false;
    }
    fast.len() != 1 || src.trim().is_empty() || Ok(&fast[0]) == parse_document_through_serde(src).as_ref()
}

/// [`parse_stream`] through serde-saphyr's deserializer.
fn parse_stream_through_serde(src: &str) -> Result<Vec<Node>, YamlError> {
    node::reset_decoded_nodes();
    let docs: Vec<Spanned<node::RawNode>> =
        serde_saphyr::from_multiple_with_options(src, options()).map_err(|e| convert_error(&e))?;
    Ok(without_empty(docs.into_iter().map(Node::from_raw)))
}

#[cfg(test)]
mod tests;
