//! `--format pulumi`: the same infrastructure as a Pulumi YAML program.
//!
//! Not written yet: the entry point exists so the CLI can offer the format and report
//! plainly that it is missing, rather than writing an empty program.

use crate::{Ctx, Error, Files};

/// The Pulumi project for `ctx`.
///
/// # Errors
/// Always [`Error::NotImplemented`].
pub fn program(ctx: &Ctx<'_>) -> Result<Files, Error> {
    let _ = ctx;
    Err(Error::NotImplemented("--format pulumi is not implemented yet (issue 6); use --format terraform"))
}
