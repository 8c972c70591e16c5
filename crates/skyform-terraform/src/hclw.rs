//! Building HCL with `hcl-rs` and printing it the way `terraform fmt` does.
//!
//! Expressions are built as `hcl::Expression` values: references (`var.x`,
//! `aws_eks_cluster.this.certificate_authority[0].data`) are typed traversals made from
//! a dotted path, function calls are `FuncCall`s, objects are `Object`s. Only the final
//! layout step is textual: `hcl-rs` prints `key = value` without aligning the `=` of
//! neighbouring attributes, so [`print`] applies `terraform fmt`'s alignment rule
//! (hclwrite's `formatCells`): consecutive lines that each hold a complete
//! `key = value` (balanced brackets) form one group whose `=` are aligned one space
//! after the longest key. Blank lines, block headers and lines opening a multi-line
//! value end a group.

use hcl::expr::{
    BinaryOp, BinaryOperator, Conditional, Expression, ForExpr, FuncCall, Object, ObjectKey, TemplateExpr, Traversal,
    TraversalOperator, Variable,
};
use hcl::{Attribute, Block, Body, Identifier};

/// A reference from a dotted path: `var.node_pools[0].name`, `each.value["x-y"]`.
///
/// Segments are identifiers separated by `.`, each optionally followed by `[N]`
/// (element index) or `["key"]` (object key).
pub fn r(path: &str) -> Expression {
    let mut ops: Vec<TraversalOperator> = Vec::new();
    let mut root: Option<Variable> = None;
    for seg in split_top(path, '.') {
        let (name, rest) = match seg.find('[') {
            Some(i) => (&seg[..i], &seg[i..]),
            None => (seg, ""),
        };
        if !name.is_empty() {
            if root.is_none() {
                root = Some(Variable::unchecked(name));
            } else {
                ops.push(TraversalOperator::GetAttr(Identifier::unchecked(name)));
            }
        }
        for idx in brackets(rest) {
            let op = if idx == "*" {
                TraversalOperator::FullSplat
            } else if let Ok(n) = idx.parse::<u64>() {
                TraversalOperator::Index(Expression::from(n))
            } else if idx.starts_with('"') {
                TraversalOperator::Index(Expression::String(idx.trim_matches('"').to_owned()))
            } else {
                TraversalOperator::Index(r(idx))
            };
            ops.push(op);
        }
    }
    let root = Expression::Variable(root.unwrap_or_else(|| Variable::unchecked("null")));
    if ops.is_empty() { root } else { Expression::from(Traversal::new(root, ops)) }
}

/// Splits at `sep` outside brackets.
fn split_top(path: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in path.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            c if c == sep && depth == 0 => {
                out.push(&path[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&path[start..]);
    out
}

/// The contents of each top-level `[…]` in `rest`.
fn brackets(rest: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in rest.char_indices() {
        match c {
            '[' => {
                if depth == 0 {
                    start = i + 1;
                }
                depth += 1;
            }
            ']' => {
                depth -= 1;
                if depth == 0 {
                    out.push(&rest[start..i]);
                }
            }
            _ => {}
        }
    }
    out
}

/// A string literal (`${` is escaped by the printer).
pub fn s(v: impl Into<String>) -> Expression {
    Expression::String(v.into())
}

/// A quoted template with interpolations: `"${var.cluster_name}-nodes"`.
pub fn tpl(v: impl Into<String>) -> Expression {
    Expression::from(TemplateExpr::QuotedString(v.into()))
}

/// A number.
pub fn n(v: i64) -> Expression {
    Expression::from(v)
}

/// A boolean.
pub fn b(v: bool) -> Expression {
    Expression::Bool(v)
}

/// `null`.
pub fn null() -> Expression {
    Expression::Null
}

/// A function call.
pub fn call(name: &str, args: impl IntoIterator<Item = Expression>) -> Expression {
    let mut f = FuncCall::builder(Identifier::unchecked(name));
    for a in args {
        f = f.arg(a);
    }
    Expression::from(f.build())
}

/// A function call whose last argument is expanded (`merge(list...)`).
pub fn call_expand(name: &str, args: impl IntoIterator<Item = Expression>) -> Expression {
    let mut f = FuncCall::builder(Identifier::unchecked(name));
    for a in args {
        f = f.arg(a);
    }
    Expression::from(f.expand_final(true).build())
}

/// A list.
pub fn arr(items: impl IntoIterator<Item = Expression>) -> Expression {
    Expression::Array(items.into_iter().collect())
}

/// A list of string literals.
pub fn strs<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> Expression {
    arr(items.into_iter().map(|x| s(x.as_ref())))
}

/// An object; keys that are identifiers print bare, others quoted (templates when they
/// hold `${…}`).
pub fn obj<K: AsRef<str>>(pairs: impl IntoIterator<Item = (K, Expression)>) -> Expression {
    let mut o: Object<ObjectKey, Expression> = Object::new();
    for (k, v) in pairs {
        let k = k.as_ref();
        let key = if is_ident(k) {
            ObjectKey::Identifier(Identifier::unchecked(k))
        } else if k.contains("${") {
            ObjectKey::Expression(tpl(k))
        } else {
            ObjectKey::Expression(Expression::String(k.to_owned()))
        };
        o.insert(key, v);
    }
    Expression::Object(o)
}

/// `cond ? a : b`.
pub fn cond(c: Expression, a: Expression, b: Expression) -> Expression {
    Expression::from(Conditional::new(c, a, b))
}

/// A binary operation.
pub fn op(l: Expression, o: BinaryOperator, rhs: Expression) -> Expression {
    Expression::from(BinaryOp::new(l, o, rhs))
}

/// `{ for v in coll : key => value }`.
pub fn for_map(var: &str, coll: Expression, key: Expression, value: Expression) -> Expression {
    Expression::from(ForExpr::new(Identifier::unchecked(var), coll, value).with_key_expr(key))
}

/// `[for v in coll : value if c]`.
pub fn for_list(var: &str, coll: Expression, value: Expression, filter: Option<Expression>) -> Expression {
    let mut f = ForExpr::new(Identifier::unchecked(var), coll, value);
    if let Some(c) = filter {
        f = f.with_cond_expr(c);
    }
    Expression::from(f)
}

/// A Terraform type expression such as `string`, `bool`, `list(string)`.
pub fn ty(name: &str) -> Expression {
    match name.find('(') {
        Some(i) if name.ends_with(')') => call(&name[..i], [ty(&name[i + 1..name.len() - 1])]),
        _ => Expression::Variable(Variable::unchecked(name)),
    }
}

fn is_ident(k: &str) -> bool {
    let mut chars = k.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// A block under construction: attributes and nested blocks in insertion order.
#[derive(Debug, Clone)]
pub struct Blk {
    ident: String,
    labels: Vec<String>,
    body: Vec<hcl::Structure>,
}

impl Blk {
    pub fn new(ident: &str, labels: &[&str]) -> Self {
        Self { ident: ident.to_owned(), labels: labels.iter().map(|l| (*l).to_owned()).collect(), body: Vec::new() }
    }

    /// `resource "type" "name"`.
    pub fn resource(ty: &str, name: &str) -> Self {
        Self::new("resource", &[ty, name])
    }

    /// `data "type" "name"`.
    pub fn data(ty: &str, name: &str) -> Self {
        Self::new("data", &[ty, name])
    }

    /// Adds `key = value`.
    pub fn a(mut self, key: &str, value: Expression) -> Self {
        self.body.push(hcl::Structure::Attribute(Attribute::new(Identifier::unchecked(key), value)));
        self
    }

    /// Adds `key = value` when `value` is `Some`.
    pub fn opt(self, key: &str, value: Option<Expression>) -> Self {
        match value {
            Some(v) => self.a(key, v),
            None => self,
        }
    }

    /// Adds a nested block.
    pub fn blk(mut self, block: Blk) -> Self {
        self.body.push(hcl::Structure::Block(block.build()));
        self
    }

    /// Adds a `dynamic "name" { for_each = …, content { … } }` block.
    pub fn dynamic(self, name: &str, for_each: Expression, content: Blk) -> Self {
        let content = Blk { ident: "content".into(), labels: Vec::new(), body: content.body };
        self.blk(Blk::new("dynamic", &[name]).a("for_each", for_each).blk(content))
    }

    pub fn build(self) -> Block {
        let mut bb = Block::builder(Identifier::unchecked(self.ident.as_str()));
        for l in self.labels {
            bb = bb.add_label(l);
        }
        for st in self.body {
            bb = bb.add_structure(st);
        }
        bb.build()
    }
}

/// A whole file: top-level blocks and attributes.
#[derive(Debug, Default, Clone)]
pub struct File {
    items: Vec<hcl::Structure>,
}

impl File {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn blk(mut self, b: Blk) -> Self {
        self.items.push(hcl::Structure::Block(b.build()));
        self
    }

    pub fn push(&mut self, b: Blk) {
        self.items.push(hcl::Structure::Block(b.build()));
    }

    /// A top-level `key = value` (for `.tfvars`).
    pub fn a(mut self, key: &str, value: Expression) -> Self {
        self.items.push(hcl::Structure::Attribute(Attribute::new(Identifier::unchecked(key), value)));
        self
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Prints the file, `terraform fmt`-clean.
    ///
    /// # Errors
    /// Only if `hcl-rs` refuses a structure (it does not for the ones built here).
    pub fn print(&self) -> Result<String, hcl::Error> {
        // One blank line between top-level blocks, none between top-level attributes.
        let mut out = String::new();
        let mut prev_block = false;
        for (i, item) in self.items.iter().enumerate() {
            let is_block = matches!(item, hcl::Structure::Block(_));
            if i > 0 && (is_block || prev_block) {
                out.push('\n');
            }
            let body = Body(vec![item.clone()]);
            let text = hcl::format::Formatter::builder().prefer_ident_keys(true).build_vec();
            let mut fmt = text;
            let s = hcl::format::Format::format_string(&body, &mut fmt)?;
            out.push_str(&s);
            if !s.ends_with('\n') {
                out.push('\n');
            }
            prev_block = is_block;
        }
        Ok(align(&out))
    }
}

/// Applies `terraform fmt`'s `=` alignment to printed HCL.
pub fn align(text: &str) -> String {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    let mut group: Vec<(String, String)> = Vec::new();
    let flush = |group: &mut Vec<(String, String)>, out: &mut Vec<String>| {
        let width = group.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0);
        for (k, v) in group.drain(..) {
            let pad = width - k.chars().count();
            out.push(format!("{k}{} = {v}", " ".repeat(pad)));
        }
    };
    for line in lines {
        let spaced = brace_spacing(line);
        let line = spaced.as_str();
        match split_assign(line) {
            Some((k, v)) => group.push((k.trim_end().to_owned(), v.trim_start().to_owned())),
            None => {
                flush(&mut group, &mut out);
                out.push(line.to_owned());
            }
        }
    }
    flush(&mut group, &mut out);
    out.join("\n")
}

/// `terraform fmt`'s spacing inside braces on one line: `{ for … }` rather than
/// `{for …}`, and `{}` rather than `{  }` for an empty block.
fn brace_spacing(line: &str) -> String {
    let line = if line.trim_end().ends_with("{  }") { line.replacen("{  }", "{}", 1) } else { line.to_owned() };
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len() + 4);
    let mut in_str = false;
    let mut stack: Vec<bool> = Vec::new(); // per open brace: is it a `{for` expression
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if in_str {
            out.push(c);
            if c == '\\' && i + 1 < chars.len() {
                out.push(chars[i + 1]);
                i += 2;
                continue;
            }
            if c == '"' {
                in_str = false;
            }
            i += 1;
            continue;
        }
        match c {
            '"' => {
                in_str = true;
                out.push(c);
            }
            '{' => {
                let is_for = chars[i + 1..].starts_with(&['f', 'o', 'r', ' ']);
                stack.push(is_for);
                out.push('{');
                if is_for {
                    out.push(' ');
                }
            }
            '}' => {
                if stack.pop() == Some(true) && !out.ends_with(' ') {
                    out.push(' ');
                }
                out.push('}');
            }
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

/// Splits `lead = rest` at the first top-level `=` when the rest of the line has balanced
/// brackets (hclwrite's rule); `None` for anything else.
fn split_assign(line: &str) -> Option<(&str, &str)> {
    let bytes = line.as_bytes();
    let mut in_str = false;
    let mut depth: i32 = 0;
    let mut eq: Option<usize> = None;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if in_str {
            if c == b'\\' {
                i += 2;
                continue;
            }
            if c == b'"' {
                in_str = false;
            }
        } else {
            match c {
                b'"' => in_str = true,
                b'{' | b'[' | b'(' => depth += 1,
                b'}' | b']' | b')' => depth -= 1,
                b'=' if eq.is_none() => {
                    let prev = if i > 0 { bytes[i - 1] } else { b' ' };
                    let next = bytes.get(i + 1).copied().unwrap_or(b' ');
                    if !matches!(prev, b'=' | b'!' | b'<' | b'>') && !matches!(next, b'=' | b'>') {
                        if depth != 0 || line[..i].trim().is_empty() {
                            return None;
                        }
                        eq = Some(i);
                        depth = 0;
                    }
                }
                _ => {}
            }
        }
        i += 1;
    }
    let eq = eq?;
    if depth != 0 {
        return None;
    }
    Some((&line[..eq], &line[eq + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_parse_into_traversals() {
        let f = File::new()
            .a("a", r("aws_eks_cluster.this.certificate_authority[0].data"))
            .a("bb", r("each.value[\"x-y\"]"))
            .a("c", tpl("${var.name}-x"));
        let Ok(text) = f.print() else { panic!("prints") };
        assert_eq!(
            text,
            "a  = aws_eks_cluster.this.certificate_authority[0].data\nbb = each.value[\"x-y\"]\nc  = \"${var.name}-x\"\n"
        );
    }

    #[test]
    fn alignment_groups_break_on_multiline_values() {
        let text = "x {\n  a = 1\n  long = {\n    k = 1\n    kk = 2\n  }\n  b = 2\n}\n";
        assert_eq!(align(text), "x {\n  a = 1\n  long = {\n    k  = 1\n    kk = 2\n  }\n  b = 2\n}\n");
    }

    #[test]
    fn for_expressions_get_inner_spaces() {
        assert_eq!(brace_spacing("  v = {for k in x : k => \"{for}\"}"), "  v = { for k in x : k => \"{for}\" }");
        assert_eq!(brace_spacing("  features {  }"), "  features {}");
    }

    #[test]
    fn comparison_operators_are_not_assignments() {
        assert_eq!(split_assign("  a = b == c"), Some(("  a ", " b == c")));
        assert_eq!(split_assign("  x => y"), None);
    }

    #[test]
    fn splats_and_expression_indices() {
        let Ok(text) = File::new().a("a", r("x.names[count.index]")).a("b", r("aws_subnet.public[*].id")).print()
        else {
            panic!("prints")
        };
        assert_eq!(text, "a = x.names[count.index]\nb = aws_subnet.public[*].id\n");
    }
}
