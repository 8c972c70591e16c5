//! The one renderer of diagnostics, below every crate that reports problems to a person:
//! the platform file's diagnostics (`skyform_spec::diag`), `skyform-check`'s findings and
//! `skyform-apply`'s errors all become a [`Diag`] and go through [`render`].
//!
//! The style follows uv: `error[CODE]: message` (the subject in backticks, no trailing
//! period), `--> file:line:column`, a source excerpt with a caret under the token, then
//! `hint:` lines. Rendering is pure: it returns a `String`. Colour comes from `anstyle`
//! styles; the binary prints through `anstream`, which drops them when the terminal or
//! `NO_COLOR` says so, and snapshots render with `color = false`.

use anstyle::Style;
use std::fmt::Write as _;

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Note,
    Warning,
    Error,
}

impl Level {
    /// The word printed before the code.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Note => "note",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }

    fn style(self) -> Style {
        match self {
            Level::Note => CYAN,
            Level::Warning => YELLOW,
            Level::Error => RED,
        }
    }
}

/// Where a diagnostic points.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Location {
    /// The file name as the user gave it.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based character column.
    pub column: u32,
    /// Characters the caret covers (0: the token at the column).
    pub len: usize,
    /// Shown dimmed after the location, e.g. the object a finding is about.
    pub context: Option<String>,
}

/// One problem as a person reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diag {
    pub level: Level,
    /// Printed in brackets after the level (`error[SF002]`); empty for none (`error:`).
    pub code: String,
    /// One line (further lines are printed below it as they are).
    pub message: String,
    pub location: Option<Location>,
    pub hints: Vec<String>,
}

impl Diag {
    /// A diagnostic without code, location or hints.
    pub fn new(level: Level, message: impl Into<String>) -> Diag {
        Diag { level, code: String::new(), message: message.into(), location: None, hints: Vec::new() }
    }

    #[must_use]
    pub fn code(mut self, code: impl Into<String>) -> Diag {
        self.code = code.into();
        self
    }

    #[must_use]
    pub fn at(mut self, location: Location) -> Diag {
        self.location = Some(location);
        self
    }

    #[must_use]
    pub fn hints<I: IntoIterator<Item = S>, S: Into<String>>(mut self, hints: I) -> Diag {
        self.hints.extend(hints.into_iter().map(Into::into));
        self
    }
}

/// The styles of skyform's terminal output, also for text around diagnostics (summaries).
pub mod style {
    use anstyle::{AnsiColor, Style};

    pub const RED: Style = AnsiColor::Red.on_default().bold();
    pub const YELLOW: Style = AnsiColor::Yellow.on_default().bold();
    pub const GREEN: Style = AnsiColor::Green.on_default().bold();
    pub const BLUE: Style = AnsiColor::Blue.on_default().bold();
    pub const CYAN: Style = AnsiColor::Cyan.on_default().bold();
    pub const BOLD: Style = Style::new().bold();
    pub const DIM: Style = Style::new().dimmed();
}

use style::{BLUE, BOLD, CYAN, DIM, RED, YELLOW};

/// `text` in `style` when `color`, plain otherwise.
pub fn paint(color: bool, style: Style, text: &str) -> String {
    if color { format!("{style}{text}{style:#}") } else { text.to_string() }
}

/// Renders one diagnostic. `source` is the text of the file its location points into
/// (for the excerpt); `color` adds `anstyle` styling.
pub fn render(diag: &Diag, source: Option<&str>, color: bool) -> String {
    let paint = |style: Style, text: &str| paint(color, style, text);
    let style = diag.level.style();
    let mut out = String::new();
    let head = if diag.code.is_empty() {
        diag.level.as_str().to_string()
    } else {
        format!("{}[{}]", diag.level.as_str(), diag.code)
    };
    let (first, rest) = diag.message.split_once('\n').map_or((diag.message.as_str(), None), |(f, r)| (f, Some(r)));
    let _ = writeln!(out, "{}{}", paint(style, &head), paint(BOLD, &format!(": {first}")));
    if let Some(rest) = rest {
        let _ = writeln!(out, "{rest}");
    }
    if let Some(loc) = &diag.location {
        let context = loc.context.as_ref().map_or(String::new(), |c| format!(" {}", paint(DIM, &format!("({c})"))));
        let _ = writeln!(out, "  {} {}:{}:{}{context}", paint(BLUE, "-->"), loc.file, loc.line, loc.column);
        let line = source.and_then(|s| s.lines().nth((loc.line as usize).checked_sub(1)?));
        if let Some(text) = line {
            let number = loc.line.to_string();
            let pad = " ".repeat(number.len());
            let text = text.replace('\t', " ");
            let col = (loc.column as usize).max(1);
            let width = caret_width(&text, col, loc.len);
            let _ = writeln!(out, "{pad} {}", paint(BLUE, "|"));
            let _ = writeln!(out, "{} {} {}", paint(BLUE, &number), paint(BLUE, "|"), text.trim_end());
            let _ =
                writeln!(out, "{pad} {} {}{}", paint(BLUE, "|"), " ".repeat(col - 1), paint(style, &"^".repeat(width)));
        }
    }
    for hint in &diag.hints {
        out.push_str(&render_hint(hint, color));
    }
    out
}

/// One `hint:` line, as [`render`] writes them under a diagnostic.
pub fn render_hint(hint: &str, color: bool) -> String {
    format!("  {}: {hint}\n", paint(color, CYAN, "hint"))
}

/// The caret covers the token at `col`: the span length when known and on this line,
/// otherwise the run of characters up to a space or YAML punctuation.
fn caret_width(line: &str, col: usize, span_len: usize) -> usize {
    let rest: String = line.chars().skip(col - 1).collect();
    let token =
        rest.chars().take_while(|c| !c.is_whitespace() && *c != ':' && *c != ',' && *c != ']' && *c != '}').count();
    let rest_len = rest.chars().count();
    if span_len > 0 && span_len <= rest_len { span_len } else { token.max(1) }
}

/// `n word` or `n words`.
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("{n} {word}") } else { format!("{n} {word}s") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn located() -> Diag {
        Diag::new(Level::Error, "unknown key `replica`")
            .code("SF002")
            .at(Location { file: "platform.yaml".into(), line: 2, column: 3, len: 0, context: None })
            .hints(["did you mean `replicas`?"])
    }

    #[test]
    fn renders_code_location_excerpt_and_hints() {
        let text = render(&located(), Some("spec:\n  replica: 3\n"), false);
        insta::assert_snapshot!(text, @r"
        error[SF002]: unknown key `replica`
          --> platform.yaml:2:3
          |
        2 |   replica: 3
          |   ^^^^^^^
          hint: did you mean `replicas`?
        ");
    }

    #[test]
    fn without_code_location_or_source() {
        let d = Diag::new(Level::Warning, "first line\n  - second").hints(["do this"]);
        insta::assert_snapshot!(render(&d, None, false), @r"
        warning: first line
          - second
          hint: do this
        ");
        let d = located();
        assert!(!render(&d, None, false).contains('|'), "no excerpt without the source");
    }

    #[test]
    fn context_is_shown_after_the_location() {
        let mut d = Diag::new(Level::Note, "m").code("SEC-001 privileged");
        d.location =
            Some(Location { file: "a.yaml".into(), line: 9, column: 1, len: 0, context: Some("Pod/x".into()) });
        assert_eq!(render(&d, None, false), "note[SEC-001 privileged]: m\n  --> a.yaml:9:1 (Pod/x)\n");
    }

    #[test]
    fn colour_is_anstyle_and_off_means_plain() {
        let plain = render(&located(), Some("spec:\n  replica: 3\n"), false);
        let coloured = render(&located(), Some("spec:\n  replica: 3\n"), true);
        assert!(!plain.contains('\u{1b}'));
        assert!(coloured.contains(&RED.render().to_string()));
        // Stripping the styles gives the plain text back.
        let stripped: String = {
            let mut s = coloured.clone();
            for st in [RED, BLUE, CYAN, BOLD] {
                s = s.replace(&st.render().to_string(), "").replace(&st.render_reset().to_string(), "");
            }
            s
        };
        assert_eq!(stripped, plain);
    }
}
