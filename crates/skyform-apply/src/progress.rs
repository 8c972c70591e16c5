//! Progress reporting: the engine calls a [`Progress`] that the caller hands in (the
//! binary draws terminal bars); [`Quiet`] draws nothing.

/// Receives the engine's progress.
pub trait Progress: Send + Sync {
    /// A wave starts with `objects` objects.
    fn wave_start(&self, _name: &str, _objects: usize) {}
    /// One object of the current wave was applied (or found unchanged).
    fn object_done(&self, _what: &str) {}
    /// Readiness: a status line for the current wave.
    fn waiting(&self, _status: &str) {}
    /// The current wave ended.
    fn wave_end(&self, _ok: bool, _summary: &str) {}
}

/// No output.
pub struct Quiet;
impl Progress for Quiet {}
