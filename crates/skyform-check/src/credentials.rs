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

/// What a needle of the scan starts.
#[derive(Clone, Copy)]
enum Needle {
    PemBegin,
    Url,
    Token(&'static str, Credential),
    /// A provider key: its prefix, the shortest body after it, and what it is.
    Prefixed(&'static str, usize, Credential),
}

/// Every needle, in the order their findings win when two start at one offset.
const NEEDLES: &[Needle] = &[
    Needle::PemBegin,
    Needle::Url,
    Needle::Token("Bearer ", Credential::BearerToken),
    Needle::Token("Basic ", Credential::BasicAuth),
    Needle::Prefixed("AKIA", 16, Credential::AwsAccessKey),
    Needle::Prefixed("ASIA", 16, Credential::AwsAccessKey),
    Needle::Prefixed("ghp_", 30, Credential::GithubToken),
    Needle::Prefixed("gho_", 30, Credential::GithubToken),
    Needle::Prefixed("ghu_", 30, Credential::GithubToken),
    Needle::Prefixed("ghs_", 30, Credential::GithubToken),
    Needle::Prefixed("ghr_", 30, Credential::GithubToken),
    Needle::Prefixed("github_pat_", 30, Credential::GithubToken),
    Needle::Prefixed("xoxb-", 10, Credential::SlackToken),
    Needle::Prefixed("xoxp-", 10, Credential::SlackToken),
    Needle::Prefixed("xoxa-", 10, Credential::SlackToken),
    Needle::Prefixed("xoxs-", 10, Credential::SlackToken),
    Needle::Prefixed("sk_live_", 16, Credential::StripeKey),
    Needle::Prefixed("rk_live_", 16, Credential::StripeKey),
    Needle::Prefixed("glpat-", 20, Credential::GitlabToken),
    Needle::Prefixed("AIza", 35, Credential::GoogleApiKey),
];

impl Needle {
    fn text(self) -> &'static str {
        match self {
            Needle::PemBegin => "-----BEGIN",
            Needle::Url => "://",
            Needle::Token(word, _) | Needle::Prefixed(word, _, _) => word,
        }
    }

    /// The credential that the occurrence of this needle at `i` of `value` starts, and
    /// the offset it is reported at.
    fn credential_at(self, value: &str, i: usize) -> Option<(usize, Credential)> {
        let b = value.as_bytes();
        let boundary = i == 0 || !b[i - 1].is_ascii_alphanumeric();
        match self {
            Needle::PemBegin => value[i..]
                .lines()
                .next()
                .is_some_and(|l| l.contains("PRIVATE KEY"))
                .then_some((i, Credential::PrivateKey)),
            // URL userinfo: scheme://user:password@host, reported at the scheme.
            Needle::Url => {
                let rest = &value[i + 3..];
                let end = rest
                    .find(|c: char| c.is_whitespace() || matches!(c, '/' | '"' | '\'' | '?' | '#'))
                    .unwrap_or(rest.len());
                let authority = &rest[..end];
                let at = authority.rfind('@')?;
                let (_, pw) = authority[..at].split_once(':')?;
                if placeholder(pw) || at + 1 >= authority.len() {
                    return None;
                }
                let scheme_start = value[..i]
                    .char_indices()
                    .rev()
                    .find(|(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
                    .map_or(0, |(j, c)| j + c.len_utf8());
                Some((scheme_start, Credential::UrlPassword))
            }
            Needle::Token(word, what) => {
                let tok_start = i + word.len();
                let len = b[tok_start..].iter().take_while(|c| is_token_char(**c)).count();
                let tok = &value[tok_start..tok_start + len];
                (boundary && len >= 12 && !placeholder(tok) && tok.bytes().any(|c| c.is_ascii_digit()))
                    .then_some((i, what))
            }
            Needle::Prefixed(prefix, min, what) => {
                let body = &b[i + prefix.len()..];
                let n = body.iter().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-')).count();
                let ok = if matches!(what, Credential::AwsAccessKey) {
                    n == 16 && body[..16].iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
                } else {
                    n >= min
                };
                (boundary && ok).then_some((i, what))
            }
        }
    }
}

/// An automaton over every needle, of the given kind and match semantics. Both automata
/// of the scan are nondeterministic ones, the quickest to build: one only confirms what
/// its SIMD prefilter finds, the other only reads the few values and lines the first
/// flags.
fn automaton(kind: aho_corasick::AhoCorasickKind, semantics: aho_corasick::MatchKind) -> aho_corasick::AhoCorasick {
    aho_corasick::AhoCorasick::builder()
        .kind(Some(kind))
        .match_kind(semantics)
        .build(NEEDLES.iter().map(|n| n.text()))
        .unwrap_or_else(|e| unreachable!("the needles are fixed, short strings: {e}"))
}

/// Every needle, every occurrence (overlapping): what [`exact`] reads a flagged value with.
fn needles() -> &'static aho_corasick::AhoCorasick {
    static AUTOMATON: std::sync::OnceLock<aho_corasick::AhoCorasick> = std::sync::OnceLock::new();
    AUTOMATON
        .get_or_init(|| automaton(aho_corasick::AhoCorasickKind::NoncontiguousNFA, aho_corasick::MatchKind::Standard))
}

/// The same needles for the question "is any of them in here at all?", which almost
/// every text answers no: a leftmost search, which the automaton runs through its SIMD
/// prefilter instead of a state per byte. Every line that holds a needle holds the start
/// of a match it reports, because no needle spans a line break: a match covering an
/// occurrence lies on the occurrence's line, and otherwise the search reaches the
/// occurrence from the end of an earlier match.
fn any_needle() -> &'static aho_corasick::AhoCorasick {
    static AUTOMATON: std::sync::OnceLock<aho_corasick::AhoCorasick> = std::sync::OnceLock::new();
    AUTOMATON
        .get_or_init(|| automaton(aho_corasick::AhoCorasickKind::ContiguousNFA, aho_corasick::MatchKind::LeftmostFirst))
}

/// Every credential in `value`, by offset; at one offset, the first needle's in
/// [`NEEDLES`] order.
pub fn find_all(value: &str) -> Vec<Found> {
    if !any_needle().is_match(value) {
        return Vec::new();
    }
    exact(value)
}

/// [`find_all`] of a value [`any_needle`] has already flagged.
fn exact(value: &str) -> Vec<Found> {
    let mut hits: Vec<(usize, usize, Credential)> = needles()
        .find_overlapping_iter(value)
        .filter_map(|m| {
            let needle = m.pattern().as_usize();
            NEEDLES[needle].credential_at(value, m.start()).map(|(offset, what)| (offset, needle, what))
        })
        .collect();
    hits.sort_by_key(|&(offset, needle, _)| (offset, needle));
    hits.dedup_by_key(|&mut (offset, _, _)| offset);
    hits.into_iter().map(|(offset, _, what)| Found { offset, what }).collect()
}

/// A credential located in a text (1-based line and column).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Located {
    pub line: u32,
    pub column: u32,
    pub what: Credential,
}

/// Every credential in a whole text (HCL, YAML, anything), located by line and column.
/// Only the lines where one pass over the whole text finds a needle are looked at
/// closely (see [`any_needle`]); lines are split as [`str::lines`] does.
pub fn scan_text(text: &str) -> Vec<Located> {
    let mut out = Vec::new();
    // Lines before `unread` are done; `line` is the number of the line starting there.
    let (mut unread, mut line) = (0, 1usize);
    for m in any_needle().find_iter(text) {
        if m.start() < unread {
            continue;
        }
        let start = text[unread..m.start()].rfind('\n').map_or(unread, |p| unread + p + 1);
        line += text.as_bytes()[unread..start].iter().filter(|&&b| b == b'\n').count();
        let end = text[m.start()..].find('\n').map_or(text.len(), |p| m.start() + p);
        let this = &text[start..end];
        let this = if end < text.len() { this.strip_suffix('\r').unwrap_or(this) } else { this };
        // The line holds the start of a match: no second prefilter pass.
        for f in exact(this) {
            let column = this[..f.offset].chars().count() + 1;
            out.push(Located {
                line: u32::try_from(line).unwrap_or(u32::MAX),
                column: u32::try_from(column).unwrap_or(u32::MAX),
                what: f.what,
            });
        }
        (unread, line) = (end + 1, line + 1);
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

    /// [`find_all`] by one plain substring search per needle, in [`NEEDLES`] order, the
    /// first finding at an offset kept: the definition the automaton must agree with.
    fn find_all_by_each_needle(value: &str) -> Vec<Found> {
        let mut out: Vec<Found> = Vec::new();
        for needle in NEEDLES {
            for (i, _) in value.match_indices(needle.text()) {
                if let Some((offset, what)) = needle.credential_at(value, i)
                    && !out.iter().any(|f| f.offset == offset)
                {
                    out.push(Found { offset, what });
                }
            }
        }
        out.sort_by_key(|f| f.offset);
        out
    }

    /// Pieces of credentials, near misses and separators the generated texts are made of.
    const PIECES: &[&str] = &[
        "AKIA",
        "IOSFODNN7EXAMPLE",
        "ASIA",
        "ghp_",
        "github_pat_",
        "0123456789abcdefghij",
        "ABCDEFGHIJ0123",
        "xoxb-",
        "sk_live_",
        "glpat-",
        "AIza",
        "Bearer ",
        "Basic ",
        "://",
        "postgres",
        "app:",
        "s3cr3t",
        "@db",
        ":5432",
        "/",
        " ",
        "-----BEGIN",
        " RSA PRIVATE KEY-----",
        "\n",
        "x",
        "é",
        "${P}",
        "-",
        "_",
        "9",
    ];

    /// `count` texts of up to `most` pieces each, drawn by a xorshift generator from
    /// `seed`: the same texts on every run.
    fn generated(seed: u64, count: usize, most: u64, pieces: &[&str]) -> Vec<String> {
        let mut state = seed;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        (0..count)
            .map(|_| {
                let n = next() % most;
                (0..n).map(|_| pieces[(next() % pieces.len() as u64) as usize]).collect()
            })
            .collect()
    }

    #[test]
    fn one_pass_agrees_with_a_search_per_needle() {
        let mut found = 0;
        for value in generated(0x9e37_79b9_7f4a_7c15, 20_000, 12, PIECES) {
            let got = find_all(&value);
            assert_eq!(got, find_all_by_each_needle(&value), "{value:?}");
            found += got.len();
        }
        assert!(found > 1_000, "the generator should produce credentials: {found}");
    }

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

    /// [`scan_text`] by the definition: every line of [`str::lines`], searched by
    /// [`find_all_by_each_needle`].
    fn scan_text_by_each_line(text: &str) -> Vec<Located> {
        let mut out = Vec::new();
        for (n, line) in text.lines().enumerate() {
            for f in find_all_by_each_needle(line) {
                let column = line[..f.offset].chars().count() + 1;
                out.push(Located { line: n as u32 + 1, column: column as u32, what: f.what });
            }
        }
        out
    }

    #[test]
    fn whole_text_scan_agrees_with_a_scan_per_line() {
        let pieces: Vec<&str> = PIECES.iter().copied().chain(["\r\n", "\r", "\n\n", " "]).collect();
        let mut found = 0;
        for text in generated(0x2545_f491_4f6c_dd1d, 5_000, 40, &pieces) {
            let got = scan_text(&text);
            assert_eq!(got, scan_text_by_each_line(&text), "{text:?}");
            found += got.len();
        }
        assert!(found > 500, "the generator should produce credentials: {found}");
    }

    #[test]
    fn scan_text_locates_by_line_and_column() {
        let hits = scan_text("a = 1\n  url = \"postgres://u:pw1@h/db\"\n");
        assert_eq!(hits, vec![Located { line: 2, column: 10, what: Credential::UrlPassword }]);
    }
}
