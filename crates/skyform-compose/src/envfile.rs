//! `env_file` (and `.env`) parsing, following the Compose Specification's rules:
//! `KEY=VALUE` lines, `#` comments, an optional `export ` prefix, single-quoted values
//! taken literally, double-quoted values with `\n`/`\t`/`\"`/`\\` escapes and
//! interpolation, unquoted values trimmed and cut at ` #`, and a bare `KEY` taking its
//! value from the environment (and omitted when unset).

use crate::interpolate::{InterpolationError, interpolate};

/// One variable read from an env file, with its 1-based line and column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvLine {
    pub key: String,
    /// `None` for a bare `KEY` whose variable is not set.
    pub value: Option<String>,
    pub line: u32,
    pub column: u32,
}

/// A problem in an env file, at a 1-based line and column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvFileError {
    pub message: String,
    pub line: u32,
    pub column: u32,
}

/// Parses an env file; `lookup` resolves interpolated variables.
pub fn parse_env_file(
    text: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    unset: &mut Vec<String>,
) -> Result<Vec<EnvLine>, EnvFileError> {
    let mut out: Vec<EnvLine> = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((idx, raw)) = lines.next() {
        let line_no = u32::try_from(idx + 1).unwrap_or(u32::MAX);
        let trimmed = raw.trim_start();
        let column = u32::try_from(raw.len() - trimmed.len() + 1).unwrap_or(1);
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let body = trimmed.strip_prefix("export ").map_or(trimmed, str::trim_start);
        let (key, rest) = match body.split_once('=') {
            Some((k, v)) => (k.trim_end(), Some(v)),
            None => (body.trim_end(), None),
        };
        if key.is_empty() || key.contains(char::is_whitespace) {
            return Err(EnvFileError {
                message: format!("invalid line `{}`: expected `KEY=VALUE`", raw.trim()),
                line: line_no,
                column,
            });
        }
        let value = match rest {
            None => lookup(key),
            Some(v) => {
                let v = v.trim_start();
                let value = if let Some(body) = v.strip_prefix('\'') {
                    // Single quotes: literal, may span lines.
                    let mut acc = body.to_string();
                    loop {
                        if let Some(end) = acc.find('\'') {
                            acc.truncate(end);
                            break;
                        }
                        match lines.next() {
                            Some((_, more)) => {
                                acc.push('\n');
                                acc.push_str(more);
                            }
                            None => return Err(unterminated(line_no, column, '\'')),
                        }
                    }
                    acc
                } else if let Some(body) = v.strip_prefix('"') {
                    let mut acc = body.to_string();
                    let raw_value = loop {
                        if let Some(end) = closing_double_quote(&acc) {
                            acc.truncate(end);
                            break acc;
                        }
                        match lines.next() {
                            Some((_, more)) => {
                                acc.push('\n');
                                acc.push_str(more);
                            }
                            None => return Err(unterminated(line_no, column, '"')),
                        }
                    };
                    let unescaped = unescape(&raw_value);
                    interpolate(&unescaped, lookup, unset).map_err(|e| located(e, line_no, column))?
                } else {
                    let cut = v.find(" #").map_or(v, |i| &v[..i]).trim_end();
                    interpolate(cut, lookup, unset).map_err(|e| located(e, line_no, column))?
                };
                Some(value)
            }
        };
        out.retain(|l| l.key != key);
        out.push(EnvLine { key: key.to_string(), value, line: line_no, column });
    }
    Ok(out)
}

fn unterminated(line: u32, column: u32, quote: char) -> EnvFileError {
    EnvFileError { message: format!("unterminated {quote}-quoted value"), line, column }
}

fn located(e: InterpolationError, line: u32, column: u32) -> EnvFileError {
    EnvFileError { message: e.to_string(), line, column }
}

fn closing_double_quote(s: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return Some(i),
            _ => {}
        }
    }
    None
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('"') => out.push('"'),
            Some('\\') => out.push('\\'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Vec<(String, Option<String>)> {
        let lookup = |k: &str| (k == "HOME_SET").then(|| "/home/x".to_string());
        let mut unset = Vec::new();
        match parse_env_file(text, &lookup, &mut unset) {
            Ok(lines) => lines.into_iter().map(|l| (l.key, l.value)).collect(),
            Err(e) => panic!("{e:?}"),
        }
    }

    fn kv(k: &str, v: &str) -> (String, Option<String>) {
        (k.to_string(), Some(v.to_string()))
    }

    #[test]
    fn basic_forms() {
        let text = "# comment\n\nA=1\nexport B = two words \nC='lit $HOME_SET'\nD=\"q ${HOME_SET}\\n\"\nE=x #comment\nHOME_SET\nUNSET_BARE\nF=\n";
        assert_eq!(
            parse(text),
            vec![
                kv("A", "1"),
                kv("B", "two words"),
                kv("C", "lit $HOME_SET"),
                kv("D", "q /home/x\n"),
                kv("E", "x"),
                kv("HOME_SET", "/home/x"),
                ("UNSET_BARE".to_string(), None),
                kv("F", ""),
            ]
        );
    }

    #[test]
    fn later_lines_win_and_multiline_quotes() {
        assert_eq!(parse("A=1\nA=2\n"), vec![kv("A", "2")]);
        assert_eq!(parse("K='a\nb'\n"), vec![kv("K", "a\nb")]);
    }

    #[test]
    fn errors_are_located() {
        let lookup = |_: &str| None;
        let mut unset = Vec::new();
        let e = parse_env_file("A=1\n  B C=2\n", &lookup, &mut unset).err();
        assert_eq!(e.map(|e| (e.line, e.column)), Some((2, 3)));
        let e = parse_env_file("A=\"open\n", &lookup, &mut unset).err();
        assert_eq!(e.map(|e| e.line), Some(1));
        let e = parse_env_file("A=${X:?needed}\n", &lookup, &mut unset).err();
        assert!(e.is_some_and(|e| e.message.contains("needed")));
    }
}
