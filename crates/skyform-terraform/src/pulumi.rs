//! `--format pulumi`: the same infrastructure as a Pulumi YAML program.

use crate::{Ctx, Error, Files};

/// The Pulumi project for `ctx`.
///
/// # Errors
/// [`Error::Yaml`] if a file cannot be printed.
pub fn program(ctx: &Ctx<'_>) -> Result<Files, Error> {
    let _ = ctx;
    Ok(Vec::new())
}
