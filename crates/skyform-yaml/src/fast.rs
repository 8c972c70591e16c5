//! The tree straight from the parser's events, for the documents that need nothing else.
//!
//! serde-saphyr builds the tree through serde: every node travels through a spanned map
//! protocol, which costs about twice the parse itself. Most inputs (rendered manifests,
//! platform files) are plain mappings, sequences and scalars, so this builder reads the
//! same parser's events (granit-parser, as serde-saphyr configures it) and makes the
//! [`Node`]s directly. It gives up — `None`, and the caller parses through serde-saphyr —
//! on everything whose meaning serde-saphyr decides beyond the events: anchors and
//! aliases, tags, merge keys, non-scalar or non-text keys, duplicate keys, `%YAML`
//! directives, scalars whose type is not plainly text or a simple number, budgets
//! reached, and every syntax error (so that messages stay serde-saphyr's). What it does
//! return equals serde-saphyr's tree, spans included; tests hold the two paths equal.

use crate::node::MAX_DECODED_NODES;
use crate::{Entry, Node, Span, Value};
use serde_saphyr::granit_parser::{Event, Options, Parser, ScalarStyle};
use std::borrow::Cow;

/// serde-saphyr's budget, mirrored where it can refuse a document this builder would
/// otherwise accept (a little inside each limit, so a document at a limit falls back).
const MAX_EVENTS: usize = 1_000_000 - 16;
const MAX_DEPTH: usize = 60;
const MAX_DOCUMENTS: usize = 1_000;
const MAX_SCALAR_BYTES: usize = 60 * 1024 * 1024;

/// The parser options serde-saphyr derives from its default budget.
fn parser_options() -> Options {
    let mut options = Options::default();
    options.simple_key_max_lookahead = 1024;
    options.flow_nesting_limit = 255;
    options.block_nesting_limit = options.block_nesting_limit.max(65);
    // serde-saphyr reads comments (its `comments` feature), and the parser then limits
    // how many it buffers: the same limit here.
    options.emit_comments = true;
    options.max_buffered_comment_events = 32;
    options
}

/// A collection being read.
enum Frame {
    Seq { span: Span, items: Vec<Node> },
    Map { span: Span, entries: Vec<Entry>, key: Option<(String, Span)> },
}

/// Every document of `src` (empty ones as `Null`), or `None` when serde-saphyr must decide.
pub(crate) fn documents(src: &str) -> Option<Vec<Node>> {
    let mut docs = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut root: Option<Node> = None;
    let (mut events, mut nodes, mut scalar_bytes) = (0usize, 0usize, 0usize);
    for item in Parser::new_from_str_with_options(src, parser_options()) {
        let (event, span) = item.ok()?;
        events += 1;
        if events > MAX_EVENTS {
            return None;
        }
        let span = convert(&span);
        let node = match event {
            Event::StreamStart | Event::StreamEnd | Event::Comment(..) => continue,
            Event::DocumentStart(_, version) => {
                if version.is_some() || docs.len() >= MAX_DOCUMENTS {
                    return None;
                }
                continue;
            }
            Event::DocumentEnd => {
                // A document without a node: serde-saphyr decides where its null is.
                docs.push(root.take()?);
                continue;
            }
            Event::Scalar(text, style, anchor, tag) => {
                if anchor != 0 || tag.is_some() {
                    return None;
                }
                scalar_bytes += text.len();
                if scalar_bytes > MAX_SCALAR_BYTES {
                    return None;
                }
                if let Some(Frame::Map { key: key @ None, .. }) = stack.last_mut() {
                    *key = Some((text_key(text, style)?, span));
                    continue;
                }
                Node { span, value: scalar(text, style)? }
            }
            Event::SequenceStart(_, anchor, ref tag) | Event::MappingStart(_, anchor, ref tag) => {
                if anchor != 0 || tag.is_some() || stack.len() >= MAX_DEPTH {
                    return None;
                }
                // A collection where a key belongs: a complex key.
                if matches!(stack.last(), Some(Frame::Map { key: None, .. })) {
                    return None;
                }
                stack.push(if matches!(event, Event::SequenceStart(..)) {
                    Frame::Seq { span, items: Vec::new() }
                } else {
                    Frame::Map { span, entries: Vec::new(), key: None }
                });
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop()? {
                Frame::Seq { span, items } => Node { span, value: Value::Seq(items) },
                Frame::Map { span, entries, key } => {
                    if key.is_some() || has_duplicate_key(&entries) {
                        return None;
                    }
                    Node { span, value: Value::Map(entries) }
                }
            },
            // Anchors, aliases and anything else the parser may report.
            _ => return None,
        };
        nodes += 1;
        if nodes > MAX_DECODED_NODES {
            return None;
        }
        match stack.last_mut() {
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => {
                let (key, key_span) = key.take()?;
                entries.push(Entry { key, key_span, value: node });
            }
            None if root.is_none() => root = Some(node),
            None => return None,
        }
    }
    (stack.is_empty() && root.is_none()).then_some(docs)
}

/// A span as serde-saphyr's `Location` records it: 1-based line and column, byte offset
/// and length.
fn convert(span: &serde_saphyr::granit_parser::Span) -> Span {
    if span.start.line() == 0 {
        return Span::START;
    }
    let (start, end) = (span.start.byte_offset(), span.end.byte_offset());
    Span {
        line: u32::try_from(span.start.line()).unwrap_or(u32::MAX),
        column: u32::try_from(span.start.col() + 1).unwrap_or(u32::MAX),
        offset: start.unwrap_or(0),
        len: match (start, end) {
            (Some(s), Some(e)) => e.saturating_sub(s),
            _ => 0,
        },
    }
}

/// Whether two entries share a key (serde-saphyr refuses the document).
fn has_duplicate_key(entries: &[Entry]) -> bool {
    if entries.len() <= 16 {
        return entries.iter().enumerate().any(|(i, e)| entries[..i].iter().any(|p| p.key == e.key));
    }
    let mut keys: Vec<&str> = entries.iter().map(|e| e.key.as_str()).collect();
    keys.sort_unstable();
    keys.windows(2).any(|w| w[0] == w[1])
}

/// A mapping key, when it is text whatever serde-saphyr makes of it.
fn text_key(text: Cow<'_, str>, style: ScalarStyle) -> Option<String> {
    match scalar(text, style)? {
        // `<<` merges in serde-saphyr.
        Value::String(s) if s != "<<" => Some(s),
        _ => None,
    }
}

/// The value serde-saphyr gives an untagged scalar, when this module can tell for sure.
pub(crate) fn scalar(text: Cow<'_, str>, style: ScalarStyle) -> Option<Value> {
    if style != ScalarStyle::Plain {
        return Some(Value::String(text.into_owned()));
    }
    let t = text.as_ref();
    if matches!(t, "" | "~" | "null" | "Null" | "NULL") {
        return Some(Value::Null);
    }
    if let Some(b) = yaml11_bool(t) {
        return Some(Value::Bool(b));
    }
    let bytes = t.as_bytes();
    // A byte no number and no keyword uses: text. (Plain scalars never start or end with
    // the blanks serde-saphyr trims.)
    if bytes.iter().any(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'+' | b'-' | b'~'))) {
        return Some(Value::String(text.into_owned()));
    }
    match bytes[0] {
        // Neither an integer nor a float can start so (`inf` and `nan` parse as floats
        // but are not finite, which serde-saphyr then keeps as text).
        b'a'..=b'z' | b'A'..=b'Z' | b'_' | b'~' => Some(Value::String(text.into_owned())),
        _ => number(t).map(|n| n.unwrap_or_else(|| Value::String(text.into_owned()))),
    }
}

/// YAML 1.1 booleans, as serde-saphyr reads untyped scalars.
fn yaml11_bool(t: &str) -> Option<bool> {
    if ["true", "yes", "y", "on"].iter().any(|w| t.eq_ignore_ascii_case(w)) {
        Some(true)
    } else if ["false", "no", "n", "off"].iter().any(|w| t.eq_ignore_ascii_case(w)) {
        Some(false)
    } else {
        None
    }
}

/// A scalar starting with a digit, sign or dot: `Some(Some(number))`, `Some(None)` for
/// text, `None` when serde-saphyr's reading is not one this function reproduces
/// (other radixes, underscores, leading zeros, exponents and other float spellings,
/// non-finite values).
fn number(t: &str) -> Option<Option<Value>> {
    let (negative, digits) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    let decimal = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if decimal(digits) {
        if digits.len() > 1 && digits.starts_with('0') || digits.len() > 18 {
            return None;
        }
        let n: i64 = digits.parse().ok()?;
        return Some(Some(Value::Int(if negative { -n } else { n })));
    }
    if let Some((whole, fraction)) = digits.split_once('.')
        && decimal(whole)
        && decimal(fraction)
        && t.len() <= 24
    {
        let f: f64 = t.parse().ok()?;
        return f.is_finite().then_some(Some(Value::Float(f)));
    }
    // Text to serde-saphyr too only when it is none of the forms it reads as numbers.
    let unsure = digits.bytes().any(|b| matches!(b, b'_' | b'+' | b'e' | b'E' | b'x' | b'X' | b'o' | b'O'))
        || digits.starts_with('.')
        || digits.ends_with('.')
        || t.starts_with('+')
        || digits.eq_ignore_ascii_case("inf")
        || digits.eq_ignore_ascii_case("infinity")
        || digits.eq_ignore_ascii_case("nan")
        || digits.starts_with("0b")
        || digits.starts_with("0B");
    if unsure { None } else { Some(None) }
}
