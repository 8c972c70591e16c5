//! Credential-looking values: URL userinfo with a password, `Bearer`/`Basic` tokens,
//! provider key formats (AWS `AKIA…`, GitHub `ghp_…`, Slack `xox…`, Stripe, GitLab,
//! Google API keys) and PEM private-key blocks.
//!
//! Used by the `WRK-011` rule over objects, and by the CLI over any text it writes or
//! reads (Terraform/Pulumi files, the platform file): [`find`] looks at one value,
//! [`scan_text`] at a whole text (line/column located), [`scan_yaml`] at every scalar of a
//! YAML document (located at the scalar).

use skyform_yaml::{Node, Span, Value};

/// What kind of credential a value looks like.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credential {
    UrlPassword,
    BearerToken,
    BasicAuth,
    AwsAccessKey,
    GithubToken,
    SlackToken,
    StripeKey,
    GitlabToken,
    GoogleApiKey,
    PrivateKey,
}

impl Credential {
    /// A short noun phrase for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Credential::UrlPassword => "a password in URL userinfo",
            Credential::BearerToken => "a Bearer token",
            Credential::BasicAuth => "Basic auth credentials",
            Credential::AwsAccessKey => "an AWS access key id",
            Credential::GithubToken => "a GitHub token",
            Credential::SlackToken => "a Slack token",
            Credential::StripeKey => "a Stripe secret key",
            Credential::GitlabToken => "a GitLab token",
            Credential::GoogleApiKey => "a Google API key",
            Credential::PrivateKey => "a PEM private key",
        }
    }
}

/// A credential found in a text: byte offset into the text, and what it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Found {
    pub offset: usize,
    pub what: Credential,
}

fn is_token_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b'~' | b'+' | b'/' | b'=')
}

/// Whether a would-be secret is a reference or placeholder rather than a value:
/// `$(VAR)`, `${VAR}`, `{{ … }}`, `<…>`, `%s`, `***`, `…`, or a variable-looking word.
fn placeholder(s: &str) -> bool {
    let s = s.trim();
    s.is_empty()
        || s.starts_with("$(")
        || s.starts_with("${")
        || s.starts_with('$')
        || s.contains("{{")
        || s.starts_with('<')
        || s.starts_with('%')
        || s.chars().all(|c| c == '*' || c == 'x' || c == 'X' || c == '.')
        || matches!(s.to_ascii_lowercase().as_str(), "password" | "pass" | "changeme" | "secret" | "token" | "redacted")
}

/// The first credential in `value`, if any.
pub fn find(value: &str) -> Option<Found> {
    find_all(value).into_iter().next()
}

/// Every credential in `value`, by offset.
/// `value.find(needle)` for an ASCII needle: a plain byte scan, without the substring
/// searcher's set-up, which dominated the scan of many short lines (an output file is
/// scanned line by line, about twenty needles each).
fn find_ascii(value: &str, needle: &str) -> Option<usize> {
    let (h, n) = (value.as_bytes(), needle.as_bytes());
    let first = *n.first()?;
    if n.len() > h.len() {
        return None;
    }
    (0..=h.len() - n.len()).find(|&i| h[i] == first && &h[i..i + n.len()] == n)
}

pub fn find_all(value: &str) -> Vec<Found> {
    let b = value.as_bytes();
    let mut out = Vec::new();
    let mut push = |offset: usize, what: Credential| {
        if !out.iter().any(|f: &Found| f.offset == offset) {
            out.push(Found { offset, what });
        }
    };
    // PEM private keys.
    if let Some(i) = find_ascii(value, "-----BEGIN")
        && value[i..].lines().next().is_some_and(|l| l.contains("PRIVATE KEY"))
    {
        push(i, Credential::PrivateKey);
    }
    // URL userinfo: scheme://user:password@host
    let mut from = 0;
    while let Some(rel) = find_ascii(&value[from..], "://") {
        let start = from + rel + 3;
        let rest = &value[start..];
        let end =
            rest.find(|c: char| c.is_whitespace() || matches!(c, '/' | '"' | '\'' | '?' | '#')).unwrap_or(rest.len());
        let authority = &rest[..end];
        if let Some(at) = authority.rfind('@')
            && let Some((_, pw)) = authority[..at].split_once(':')
            && !placeholder(pw)
            && at + 1 < authority.len()
        {
            let scheme_end = from + rel;
            let scheme_start = value[..scheme_end]
                .char_indices()
                .rev()
                .find(|(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
                .map_or(0, |(i, c)| i + c.len_utf8());
            push(scheme_start, Credential::UrlPassword);
        }
        from = start;
    }
    // Bearer / Basic tokens.
    for (word, what) in [("Bearer ", Credential::BearerToken), ("Basic ", Credential::BasicAuth)] {
        let mut from = 0;
        while let Some(rel) = find_ascii(&value[from..], word) {
            let i = from + rel;
            let tok_start = i + word.len();
            let tok: String = value[tok_start..].bytes().take_while(|c| is_token_char(*c)).map(char::from).collect();
            let boundary = i == 0 || !b[i - 1].is_ascii_alphanumeric();
            if boundary && tok.len() >= 12 && !placeholder(&tok) && tok.bytes().any(|c| c.is_ascii_digit()) {
                push(i, what);
            }
            from = tok_start;
        }
    }
    // Provider key formats.
    let prefixed: &[(&str, usize, Credential)] = &[
        ("AKIA", 16, Credential::AwsAccessKey),
        ("ASIA", 16, Credential::AwsAccessKey),
        ("ghp_", 30, Credential::GithubToken),
        ("gho_", 30, Credential::GithubToken),
        ("ghu_", 30, Credential::GithubToken),
        ("ghs_", 30, Credential::GithubToken),
        ("ghr_", 30, Credential::GithubToken),
        ("github_pat_", 30, Credential::GithubToken),
        ("xoxb-", 10, Credential::SlackToken),
        ("xoxp-", 10, Credential::SlackToken),
        ("xoxa-", 10, Credential::SlackToken),
        ("xoxs-", 10, Credential::SlackToken),
        ("sk_live_", 16, Credential::StripeKey),
        ("rk_live_", 16, Credential::StripeKey),
        ("glpat-", 20, Credential::GitlabToken),
        ("AIza", 35, Credential::GoogleApiKey),
    ];
    for (prefix, min, what) in prefixed {
        let mut from = 0;
        while let Some(rel) = find_ascii(&value[from..], prefix) {
            let i = from + rel;
            let body = &b[i + prefix.len()..];
            let n = body.iter().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-')).count();
            let boundary = i == 0 || !b[i - 1].is_ascii_alphanumeric();
            let ok = if matches!(what, Credential::AwsAccessKey) {
                n == 16 && body[..16].iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            } else {
                n >= *min
            };
            if boundary && ok {
                push(i, *what);
            }
            from = i + prefix.len();
        }
    }
    out.sort_by_key(|f| f.offset);
    out
}

/// A credential located in a text (1-based line and column).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Located {
    pub line: u32,
    pub column: u32,
    pub what: Credential,
}

/// Every credential in a whole text (HCL, YAML, anything), located by line and column.
pub fn scan_text(text: &str) -> Vec<Located> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        for f in find_all(line) {
            let column = line[..f.offset].chars().count() + 1;
            out.push(Located {
                line: u32::try_from(n + 1).unwrap_or(u32::MAX),
                column: u32::try_from(column).unwrap_or(u32::MAX),
                what: f.what,
            });
        }
    }
    out
}

/// Every string scalar of a YAML tree holding a credential, with its span and key path.
pub fn scan_yaml(node: &Node) -> Vec<(Span, String, Credential)> {
    let mut out = Vec::new();
    walk(node, &mut String::new(), &mut out);
    out
}

fn walk(node: &Node, path: &mut String, out: &mut Vec<(Span, String, Credential)>) {
    match &node.value {
        Value::String(s) => {
            if let Some(f) = find(s) {
                out.push((node.span, path.clone(), f.what));
            }
        }
        Value::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                walk(item, path, out);
                path.truncate(len);
            }
        }
        Value::Map(entries) => {
            for e in entries {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(&e.key);
                walk(&e.value, path, out);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn what(v: &str) -> Option<Credential> {
        find(v).map(|f| f.what)
    }

    #[test]
    fn finds_the_credential_formats() {
        assert_eq!(what("postgres://app:s3cr3t@db:5432/app"), Some(Credential::UrlPassword));
        assert_eq!(what("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.abc123"), Some(Credential::BearerToken));
        assert_eq!(what("Basic dXNlcjpwYXNzd29yZDEyMw=="), Some(Credential::BasicAuth));
        assert_eq!(what("AKIAIOSFODNN7EXAMPLE"), Some(Credential::AwsAccessKey));
        assert_eq!(what("token=ghp_0123456789abcdefghijABCDEFGHIJ0123"), Some(Credential::GithubToken));
        assert_eq!(what("xoxb-1234-5678-abcdefgh"), Some(Credential::SlackToken));
        assert_eq!(what("-----BEGIN RSA PRIVATE KEY-----\nMIIE"), Some(Credential::PrivateKey));
    }

    #[test]
    fn leaves_references_and_plain_urls_alone() {
        for v in [
            "postgres://app:$(POSTGRES_PASSWORD)@db:5432/app",
            "postgres://app:${PASSWORD}@db/app",
            "postgres://app@db:5432/app",
            "http://example.com:8080/path",
            "redis://cache:6379/0",
            "Bearer ${TOKEN}",
            "the Bearer of news",
            "-----BEGIN CERTIFICATE-----",
            "AKIA-not-a-key",
        ] {
            assert_eq!(what(v), None, "{v}");
        }
    }

    #[test]
    fn scan_text_locates_by_line_and_column() {
        let hits = scan_text("a = 1\n  url = \"postgres://u:pw1@h/db\"\n");
        assert_eq!(hits, vec![Located { line: 2, column: 10, what: Credential::UrlPassword }]);
    }
}
