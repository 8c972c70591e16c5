//! Terminal conventions: colour (off with `NO_COLOR` or when stderr is not a terminal),
//! messages on stderr, data on stdout, and diagnostics rendered by `skyform_spec::diag`.

use skyform_spec::{Diagnostic, SourceFile};
use std::io::{IsTerminal, Write};

/// How to talk to the user.
pub struct Ui {
    pub color: bool,
}

impl Ui {
    pub fn from_env() -> Ui {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let forced = std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| v != "0");
        Ui { color: forced || (!no_color && std::io::stderr().is_terminal()) }
    }

    /// An error line on stderr: `error: message`.
    pub fn error(&self, message: &str) {
        let label = if self.color { "\x1b[1;31merror\x1b[0m" } else { "error" };
        let _ = writeln!(std::io::stderr(), "{label}: {message}");
    }

    /// A hint line on stderr.
    pub fn hint(&self, message: &str) {
        let label = if self.color { "\x1b[1;36mhint\x1b[0m" } else { "hint" };
        let _ = writeln!(std::io::stderr(), "  {label}: {message}");
    }

    /// A status line on stderr.
    pub fn status(&self, message: &str) {
        let _ = writeln!(std::io::stderr(), "{message}");
    }

    /// Renders diagnostics of one source to stderr.
    pub fn diagnostics(&self, diags: &[Diagnostic], source: &SourceFile) {
        let text = skyform_spec::diag::render_all(diags, source, self.color);
        let _ = std::io::stderr().write_all(text.as_bytes());
    }
}
