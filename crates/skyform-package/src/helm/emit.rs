//! Writing a template's YAML: block and flow nodes, indented as Helm's own output.

use super::*;

pub(super) fn pad(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

pub(super) fn is_block(n: &Node) -> bool {
    match n {
        Node::Map(e) => !e.is_empty(),
        Node::Labels { .. } => true,
        Node::Seq(s) => !s.is_empty(),
        Node::Lit(Value::Object(m)) => !m.is_empty(),
        Node::Lit(Value::Array(a)) => !a.is_empty(),
        _ => false,
    }
}

/// Literal maps and lists become nodes so one emitter writes everything.
pub(super) fn expand(v: &Value, top: bool) -> Node {
    match v {
        Value::Object(m) if !m.is_empty() => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort_by(|a, b| key_order(top, a).cmp(&key_order(top, b)));
            Node::Map(
                keys.into_iter()
                    .map(|k| Entry { key: k.clone(), node: expand(&m[k.as_str()], false), cond: None })
                    .collect(),
            )
        }
        Value::Array(a) if !a.is_empty() => Node::Seq(a.iter().map(|x| expand(x, false)).collect()),
        other => Node::Lit(other.clone()),
    }
}

pub(super) fn emit_node(node: &Node, indent: usize, top: bool, out: &mut String) {
    match node {
        Node::Lit(v) if is_block(node) => emit_node(&expand(v, top), indent, top, out),
        Node::Map(entries) => emit_entries(entries, indent, false, out),
        Node::Labels { helper, rest } => {
            pad(out, indent);
            let _ = writeln!(out, "{{{{- include {} . | nindent {indent} }}}}", go_string(helper));
            emit_entries(rest, indent, false, out);
        }
        Node::Seq(items) => emit_seq(items, indent, out),
        other => {
            pad(out, indent);
            out.push_str(&inline(other));
            out.push('\n');
        }
    }
}

pub(super) fn inline(node: &Node) -> String {
    match node {
        Node::Lit(v) => lit_scalar(v),
        Node::Expr(e) => format!("{{{{ {e} | toJson }}}}"),
        Node::Map(_) | Node::Labels { .. } => "{}".into(),
        Node::Seq(_) => "[]".into(),
    }
}

pub(super) fn emit_value_after_key(node: &Node, indent: usize, out: &mut String) {
    if is_block(node) {
        out.push('\n');
        emit_node(node, indent + 2, false, out);
    } else {
        out.push(' ');
        out.push_str(&inline(node));
        out.push('\n');
    }
}

/// Entries of a mapping; with `inline_first` the caller already wrote `- ` for the first.
pub(super) fn emit_entries(entries: &[Entry], indent: usize, inline_first: bool, out: &mut String) {
    for (i, e) in entries.iter().enumerate() {
        let first_inline = i == 0 && inline_first;
        if let Some(c) = &e.cond {
            pad(out, indent);
            let _ = writeln!(out, "{{{{- if {c} }}}}");
        }
        if !first_inline {
            pad(out, indent);
        }
        out.push_str(&lit_key(&e.key));
        out.push(':');
        emit_value_after_key(&e.node, indent, out);
        if e.cond.is_some() {
            pad(out, indent);
            out.push_str("{{- end }}\n");
        }
    }
}

pub(super) fn emit_seq(items: &[Node], indent: usize, out: &mut String) {
    for item in items {
        let expanded;
        let item = match item {
            Node::Lit(v) if is_block(item) => {
                expanded = expand(v, false);
                &expanded
            }
            other => other,
        };
        pad(out, indent);
        match item {
            Node::Map(entries) if !entries.is_empty() => {
                if entries[0].cond.is_none() {
                    out.push_str("- ");
                    emit_entries(entries, indent + 2, true, out);
                } else {
                    out.push_str("-\n");
                    emit_entries(entries, indent + 2, false, out);
                }
            }
            Node::Labels { .. } => {
                out.push_str("-\n");
                emit_node(item, indent + 2, false, out);
            }
            Node::Seq(s) if !s.is_empty() => {
                out.push_str("-\n");
                emit_seq(s, indent + 2, out);
            }
            other => {
                out.push_str("- ");
                out.push_str(&inline(other));
                out.push('\n');
            }
        }
    }
}
