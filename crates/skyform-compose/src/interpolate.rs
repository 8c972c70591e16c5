//! Variable interpolation as the Compose Specification defines it.
//!
//! * `$VAR` and `${VAR}`: the value, or an empty string (with a warning) when unset;
//! * `${VAR:-default}` / `${VAR-default}`: the default when unset *or empty* / when unset;
//! * `${VAR:?err}` / `${VAR?err}`: an error when unset or empty / when unset;
//! * `${VAR:+alt}` / `${VAR+alt}`: `alt` when set and non-empty / when set, else empty;
//! * `$$`: a literal `$`;
//! * defaults and alternatives may nest (`${A:-${B:-x}}`) and are expanded only when used;
//! * any other `$` (a trailing `$`, `$1`, `${}`, an unclosed `${`) is an error, as in
//!   `docker compose` ("You may need to escape any $ with another $").

/// Why a string could not be interpolated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InterpolationError {
    /// `${VAR:?message}` (or `?`) with the variable unset (or empty).
    Required { variable: String, message: String },
    /// A malformed `$` expression.
    Invalid { message: String },
}

impl std::fmt::Display for InterpolationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InterpolationError::Required { variable, message } if message.is_empty() => {
                write!(f, "required variable `{variable}` is missing a value")
            }
            InterpolationError::Required { variable, message } => {
                write!(f, "required variable `{variable}` is missing a value: {message}")
            }
            InterpolationError::Invalid { message } => f.write_str(message),
        }
    }
}

/// Nested `${…}` deeper than this is rejected rather than recursed into.
const MAX_NESTING: usize = 32;

/// Interpolates `text`. `lookup` returns a variable's value when it is set; every variable
/// that was used while unset (and had no default) is appended to `unset`.
pub fn interpolate(
    text: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    unset: &mut Vec<String>,
) -> Result<String, InterpolationError> {
    expand(text, lookup, unset, 0)
}

fn is_name_start(c: char) -> bool {
    c == '_' || c.is_ascii_alphabetic()
}

fn is_name_char(c: char) -> bool {
    c == '_' || c.is_ascii_alphanumeric()
}

fn invalid(text: &str) -> InterpolationError {
    InterpolationError::Invalid { message: format!("invalid interpolation format in `{text}`") }
}

fn expand(
    text: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    unset: &mut Vec<String>,
    depth: usize,
) -> Result<String, InterpolationError> {
    if depth > MAX_NESTING {
        return Err(InterpolationError::Invalid { message: "interpolation nested too deeply".into() });
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find('$') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        let mut chars = after.chars();
        match chars.next() {
            Some('$') => {
                out.push('$');
                rest = &after[1..];
            }
            Some('{') => {
                let Some(close) = closing_brace(&rest[pos..]) else {
                    return Err(invalid(text));
                };
                // `inner` is what lies between `${` and the matching `}`.
                let inner = &rest[pos + 2..pos + close];
                out.push_str(&braced(inner, text, lookup, unset, depth)?);
                rest = &rest[pos + close + 1..];
            }
            Some(c) if is_name_start(c) => {
                let len = after.find(|c: char| !is_name_char(c)).unwrap_or(after.len());
                let name = &after[..len];
                match lookup(name) {
                    Some(v) => out.push_str(&v),
                    None => unset.push(name.to_string()),
                }
                rest = &after[len..];
            }
            _ => return Err(invalid(text)),
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// Index (in `s`, which starts with `${`) of the `}` closing it; only `${` opens a level,
/// as in compose-go.
fn closing_brace(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut open = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'}' {
            open = open.saturating_sub(1);
            if open == 0 {
                return Some(i);
            }
        }
        if bytes[i] == b'$' && bytes.get(i + 1) == Some(&b'{') {
            open += 1;
            i += 1;
        }
        i += 1;
    }
    None
}

fn braced(
    inner: &str,
    whole: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    unset: &mut Vec<String>,
    depth: usize,
) -> Result<String, InterpolationError> {
    let name_len = inner.find(|c: char| !is_name_char(c)).unwrap_or(inner.len());
    let name = &inner[..name_len];
    if name.is_empty() || !name.starts_with(is_name_start) {
        return Err(invalid(whole));
    }
    let op = &inner[name_len..];
    let value = lookup(name);
    if op.is_empty() {
        return Ok(value.unwrap_or_else(|| {
            unset.push(name.to_string());
            String::new()
        }));
    }
    let (colon, op) = match op.strip_prefix(':') {
        Some(o) => (true, o),
        None => (false, op),
    };
    let mut op_chars = op.chars();
    let kind = op_chars.next();
    let arg = op_chars.as_str();
    // With `:`, an empty value counts as unset.
    let present = match &value {
        Some(v) => !(colon && v.is_empty()),
        None => false,
    };
    match kind {
        Some('-') => {
            if present {
                Ok(value.unwrap_or_default())
            } else {
                expand(arg, lookup, unset, depth + 1)
            }
        }
        Some('?') => {
            if present {
                Ok(value.unwrap_or_default())
            } else {
                let message = expand(arg, lookup, &mut Vec::new(), depth + 1).unwrap_or_else(|_| arg.to_string());
                Err(InterpolationError::Required { variable: name.to_string(), message })
            }
        }
        Some('+') => {
            if present {
                expand(arg, lookup, unset, depth + 1)
            } else {
                Ok(String::new())
            }
        }
        _ => Err(invalid(whole)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn env() -> BTreeMap<String, String> {
        [("SET", "value"), ("EMPTY", ""), ("PORT", "8080"), ("NESTED", "SET")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn run(text: &str) -> Result<(String, Vec<String>), InterpolationError> {
        let env = env();
        let lookup = |k: &str| env.get(k).cloned();
        let mut unset = Vec::new();
        interpolate(text, &lookup, &mut unset).map(|s| (s, unset))
    }

    fn ok(text: &str) -> String {
        match run(text) {
            Ok((s, _)) => s,
            Err(e) => panic!("`{text}` failed: {e}"),
        }
    }

    #[test]
    fn plain_text_is_unchanged() {
        assert_eq!(ok("no variables here"), "no variables here");
        assert_eq!(ok(""), "");
        assert_eq!(ok("ünïcödé {braces} }"), "ünïcödé {braces} }");
    }

    #[test]
    fn simple_and_braced_forms() {
        assert_eq!(ok("$SET"), "value");
        assert_eq!(ok("${SET}"), "value");
        assert_eq!(ok("a-$SET-b"), "a-value-b");
        assert_eq!(ok("${SET}${PORT}"), "value8080");
        assert_eq!(ok("$SET.suffix"), "value.suffix");
        assert_eq!(ok("http://host:${PORT}/x"), "http://host:8080/x");
    }

    #[test]
    fn unset_variables_become_empty_and_are_recorded() {
        let (s, unset) = run("x${MISSING}y$ALSO_MISSING").unwrap_or_default();
        assert_eq!(s, "xy");
        assert_eq!(unset, vec!["MISSING".to_string(), "ALSO_MISSING".to_string()]);
        let (_, unset) = run("${EMPTY}").unwrap_or_default();
        assert!(unset.is_empty(), "an empty variable is set");
    }

    #[test]
    fn colon_dash_default_applies_when_unset_or_empty() {
        assert_eq!(ok("${MISSING:-dflt}"), "dflt");
        assert_eq!(ok("${EMPTY:-dflt}"), "dflt");
        assert_eq!(ok("${SET:-dflt}"), "value");
        assert_eq!(ok("${MISSING:-}"), "");
        assert_eq!(ok("${MISSING:-a:b-c}"), "a:b-c");
    }

    #[test]
    fn dash_default_applies_only_when_unset() {
        assert_eq!(ok("${MISSING-dflt}"), "dflt");
        assert_eq!(ok("${EMPTY-dflt}"), "");
        assert_eq!(ok("${SET-dflt}"), "value");
    }

    #[test]
    fn defaults_nest_and_expand_lazily() {
        assert_eq!(ok("${MISSING:-${SET}}"), "value");
        assert_eq!(ok("${MISSING:-${ALSO:-${PORT}}}"), "8080");
        assert_eq!(ok("${SET:-${MISSING:?never evaluated}}"), "value");
        assert_eq!(ok("${MISSING:-pre-${SET}-post}"), "pre-value-post");
        let (_, unset) = run("${SET:-$MISSING}").unwrap_or_default();
        assert!(unset.is_empty(), "an unused default is not expanded");
    }

    #[test]
    fn required_variables() {
        assert_eq!(ok("${SET:?must be set}"), "value");
        assert_eq!(ok("${EMPTY?only unset fails}"), "");
        match run("${EMPTY:?must be set}") {
            Err(InterpolationError::Required { variable, message }) => {
                assert_eq!(variable, "EMPTY");
                assert_eq!(message, "must be set");
            }
            other => panic!("unexpected {other:?}"),
        }
        match run("${MISSING?}") {
            Err(e @ InterpolationError::Required { .. }) => {
                assert_eq!(e.to_string(), "required variable `MISSING` is missing a value");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn alternative_values() {
        assert_eq!(ok("${SET:+alt}"), "alt");
        assert_eq!(ok("${EMPTY:+alt}"), "");
        assert_eq!(ok("${EMPTY+alt}"), "alt");
        assert_eq!(ok("${MISSING+alt}"), "");
        assert_eq!(ok("${SET+${PORT}}"), "8080");
    }

    #[test]
    fn dollar_dollar_is_a_literal_dollar() {
        assert_eq!(ok("$$"), "$");
        assert_eq!(ok("$${SET}"), "${SET}");
        assert_eq!(ok("echo $$HOME"), "echo $HOME");
        assert_eq!(ok("$$$SET"), "$value");
        assert_eq!(ok("${MISSING:-$$}"), "$");
    }

    #[test]
    fn malformed_expressions_are_errors() {
        for bad in
            ["$", "trailing $", "${", "${SET", "${}", "${1A}", "$1", "$ x", "${SET:x}", "${SET!}", "${A B}", "${:-x}"]
        {
            assert!(
                matches!(run(bad), Err(InterpolationError::Invalid { .. })),
                "`{bad}` should be invalid, got {:?}",
                run(bad)
            );
        }
    }

    #[test]
    fn names_are_case_sensitive_and_may_contain_digits() {
        assert_eq!(ok("${set:-lower}"), "lower");
        assert_eq!(ok("${_X1:-u}"), "u");
        assert_eq!(ok("$PORT2"), "");
    }

    #[test]
    fn deep_nesting_is_rejected_not_overflowed() {
        let mut s = String::from("x");
        for _ in 0..200 {
            s = format!("${{M:-{s}}}");
        }
        assert!(run(&s).is_err());
    }
}
