//! Terminal conventions: messages on stderr, data on stdout, every diagnostic rendered by
//! the one renderer (`skyform_diag::render`, through `skyform_spec::diag` for platform
//! files). Colour is decided by `anstream` (off with `NO_COLOR`, on with
//! `CLICOLOR_FORCE`, otherwise when the stream is a terminal), and stderr is written
//! through `anstream`, which drops the styles when colour is off.

use skyform_diag::{Diag, Level};
use skyform_spec::{Diagnostic, SourceFile};
use std::io::Write;

/// How to talk to the user.
pub struct Ui {
    pub color: bool,
}

/// Whether `stream` gets colour (anstream's decision from the environment and terminal).
pub fn colors(stream: &impl anstream::stream::RawStream) -> bool {
    anstream::AutoStream::choice(stream) != anstream::ColorChoice::Never
}

impl Ui {
    pub fn from_env() -> Ui {
        Ui { color: colors(&std::io::stderr()) }
    }

    /// Text on stderr, styles dropped when colour is off.
    pub fn eprint(&self, text: &str) {
        let _ = anstream::stderr().write_all(text.as_bytes());
    }

    /// Any diagnostic on stderr.
    pub fn diag(&self, diag: &Diag) {
        self.eprint(&skyform_diag::render(diag, None, self.color));
    }

    /// An error line on stderr: `error: message`.
    pub fn error(&self, message: &str) {
        self.diag(&Diag::new(Level::Error, message));
    }

    /// A hint line on stderr.
    pub fn hint(&self, message: &str) {
        self.eprint(&skyform_diag::render_hint(message, self.color));
    }

    /// A status line on stderr.
    pub fn status(&self, message: &str) {
        self.eprint(&format!("{message}\n"));
    }

    /// Renders diagnostics of one source to stderr.
    pub fn diagnostics(&self, diags: &[Diagnostic], source: &SourceFile) {
        self.eprint(&skyform_spec::diag::render_all(diags, source, self.color));
    }
}
