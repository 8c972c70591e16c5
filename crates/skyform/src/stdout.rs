//! The one writer of standard output.
//!
//! Every command writes its data through [`write`] (or [`write_parts`], for a stream of pieces).
//! A reader that goes away (`skyform render … | head -c 1`) closes the pipe; the write
//! then fails with `BrokenPipe`, which [`write`] turns into [`Closed`] so that `main`
//! ends the run quietly with the exit code the command had reached, instead of the panic
//! `print!` would raise.

use std::io::Write as _;

/// Standard output was closed by its reader; nothing more can be written.
#[derive(Debug)]
pub struct Closed;

impl std::fmt::Display for Closed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("standard output was closed")
    }
}

impl std::error::Error for Closed {}

/// Writes `text` to stdout and flushes it. A closed pipe becomes the [`Closed`] error;
/// any other I/O error is returned as is.
pub fn write(text: impl AsRef<[u8]>) -> anyhow::Result<()> {
    write_parts([text.as_ref()])
}

/// Writes `parts` to stdout one after another, through one buffer, and flushes: the
/// stream of a large render goes out without first being copied into one string. Errors
/// as [`write`]'s.
pub fn write_parts<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> anyhow::Result<()> {
    let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let written = parts.into_iter().try_for_each(|part| stdout.write_all(part)).and_then(|()| stdout.flush());
    match written {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(Closed.into()),
        Err(e) => Err(e.into()),
    }
}

/// Whether `error` (anywhere in its chain) is a closed standard output.
pub fn is_closed(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause.is::<Closed>()
            || cause.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
