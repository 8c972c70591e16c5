//! Apply's progress on the terminal: one indicatif bar per wave (objects applied, then
//! what readiness is waiting for), drawn on stderr. `skyform-apply` reports through its
//! `Progress` trait and never touches the terminal itself.

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use skyform_apply::progress::Progress;
use std::sync::Mutex;

/// indicatif bars on standard error (hidden when it is not a terminal).
pub struct Bars {
    multi: MultiProgress,
    current: Mutex<Option<ProgressBar>>,
}

impl Bars {
    /// Bars drawn on stderr; `hidden` forces them off (e.g. `NO_COLOR` or `--quiet`).
    pub fn new(hidden: bool) -> Bars {
        let target = if hidden { ProgressDrawTarget::hidden() } else { ProgressDrawTarget::stderr() };
        Bars { multi: MultiProgress::with_draw_target(target), current: Mutex::new(None) }
    }

    fn with_bar(&self, f: impl FnOnce(&ProgressBar)) {
        if let Ok(g) = self.current.lock()
            && let Some(b) = g.as_ref()
        {
            f(b);
        }
    }
}

impl Progress for Bars {
    fn wave_start(&self, name: &str, objects: usize) {
        let bar = self.multi.add(ProgressBar::new(objects as u64));
        let style = ProgressStyle::with_template("{prefix:>14.bold} [{bar:30}] {pos}/{len} {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        bar.set_style(style);
        bar.set_prefix(format!("wave {name}"));
        if let Ok(mut g) = self.current.lock() {
            *g = Some(bar);
        }
    }
    fn object_done(&self, what: &str) {
        self.with_bar(|b| {
            b.inc(1);
            b.set_message(what.to_string());
        });
    }
    fn waiting(&self, status: &str) {
        self.with_bar(|b| b.set_message(format!("waiting: {status}")));
    }
    fn wave_end(&self, ok: bool, summary: &str) {
        self.with_bar(|b| {
            let mark = if ok { "ready" } else { "FAILED" };
            b.finish_with_message(format!("{mark} {summary}"));
        });
    }
}
