//! Diagnostics: the one type every user-facing problem becomes, and its one renderer.
//!
//! The style follows uv: a one-line message without a trailing period, the subject in
//! backticks, the location as `file:line:column`, a source excerpt with a caret, then
//! `hint:` lines. Rendering is pure (it returns a `String`); the CLI decides where it goes
//! and whether it has colour.

use serde::Serialize;
use skyform_yaml::Span;
use std::fmt::Write as _;

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// Stable diagnostic codes. Never renumber or rename: scripts and docs refer to them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Code {
    /// The file is not valid YAML.
    YamlSyntax,
    /// A key the schema does not know.
    UnknownKey,
    /// A required key is missing.
    MissingKey,
    /// A value of the wrong YAML type.
    WrongType,
    /// A value outside an enumeration.
    UnknownValue,
    /// A number outside its allowed range.
    OutOfRange,
    /// `apiVersion`/`kind` are not skyform's.
    WrongApiVersion,
    /// A CPU or memory quantity that does not parse.
    BadQuantity,
    /// A `request..limit` range whose limit is below its request.
    LimitBelowRequest,
    /// A replica range whose minimum exceeds its maximum, or that cannot be parsed.
    BadReplicas,
    /// A reference to a service that does not exist.
    UnknownService,
    /// A reference to a tier that is not declared.
    UnknownTier,
    /// A reference to a port that the target does not declare.
    UnknownPort,
    /// Two ports with the same number or name.
    DuplicatePort,
    /// A name that is not a valid DNS-1123 label (or IANA service name for ports).
    InvalidName,
    /// An environment overrides a service that does not exist.
    UnknownOverride,
    /// A percentage that is not `1%..100%`.
    BadPercent,
    /// A value that is not allowed in this position (semantic).
    InvalidValue,
    /// A dependency cycle or a self-dependency.
    DependencyCycle,
    /// A service lacks something it needs (e.g. an image).
    Incomplete,
    /// A component that is deprecated, retired, unpublished or under a non-open licence
    /// (a warning; see `skyform_model::lifecycle`).
    Lifecycle,
}

impl Code {
    /// The code as printed: `SF` + a number that never changes.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::YamlSyntax => "SF001",
            Code::UnknownKey => "SF002",
            Code::MissingKey => "SF003",
            Code::WrongType => "SF004",
            Code::UnknownValue => "SF005",
            Code::OutOfRange => "SF006",
            Code::WrongApiVersion => "SF007",
            Code::BadQuantity => "SF101",
            Code::LimitBelowRequest => "SF102",
            Code::BadReplicas => "SF103",
            Code::BadPercent => "SF104",
            Code::UnknownService => "SF201",
            Code::UnknownTier => "SF202",
            Code::UnknownPort => "SF203",
            Code::DuplicatePort => "SF204",
            Code::InvalidName => "SF205",
            Code::UnknownOverride => "SF206",
            Code::DependencyCycle => "SF207",
            Code::InvalidValue => "SF301",
            Code::Incomplete => "SF302",
            Code::Lifecycle => "SF401",
        }
    }
}

/// One problem, located in one source file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
    pub message: String,
    #[serde(skip)]
    pub span: Span,
    pub line: u32,
    pub column: u32,
    pub hints: Vec<String>,
}

impl Diagnostic {
    pub fn error(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            span,
            line: span.line,
            column: span.column,
            hints: Vec::new(),
        }
    }

    pub fn warning(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(code, span, message) }
    }

    #[must_use]
    pub fn hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hints.push(hint.into());
        self
    }

    #[must_use]
    pub fn hint_opt(self, hint: Option<String>) -> Diagnostic {
        match hint {
            Some(h) => self.hint(h),
            None => self,
        }
    }
}

/// A named source text, so that diagnostics can quote the offending line.
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub name: String,
    pub text: String,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> SourceFile {
        SourceFile { name: name.into(), text: text.into() }
    }
}

impl Diagnostic {
    /// This diagnostic in the form of the one renderer (`skyform-diag`), located in `file`.
    pub fn to_diag(&self, file: &str) -> skyform_diag::Diag {
        let level = match self.severity {
            Severity::Error => skyform_diag::Level::Error,
            Severity::Warning => skyform_diag::Level::Warning,
        };
        skyform_diag::Diag::new(level, self.message.clone())
            .code(self.code.as_str())
            .at(skyform_diag::Location {
                file: file.to_string(),
                line: self.span.line,
                column: self.span.column,
                len: self.span.len,
                context: None,
            })
            .hints(self.hints.iter().cloned())
    }
}

/// Renders one diagnostic through the one renderer ([`skyform_diag::render`]). `color`
/// adds styling; snapshots use `false`.
pub fn render(diag: &Diagnostic, source: &SourceFile, color: bool) -> String {
    skyform_diag::render(&diag.to_diag(&source.name), Some(&source.text), color)
}

/// Renders all diagnostics, errors and warnings in source order, and a summary line.
pub fn render_all(diags: &[Diagnostic], source: &SourceFile, color: bool) -> String {
    let mut sorted: Vec<&Diagnostic> = diags.iter().collect();
    sorted.sort_by_key(|d| (d.span.line, d.span.column, d.code));
    let mut out = String::new();
    for d in &sorted {
        out.push_str(&render(d, source, color));
        out.push('\n');
    }
    let errors = diags.iter().filter(|d| d.severity == Severity::Error).count();
    let warnings = diags.len() - errors;
    if errors + warnings > 0 {
        let plural = skyform_diag::plural;
        let _ = writeln!(
            out,
            "{}: {} and {} in `{}`",
            if errors > 0 { "failed" } else { "passed" },
            plural(errors, "error"),
            plural(warnings, "warning"),
            source.name
        );
    }
    out
}
