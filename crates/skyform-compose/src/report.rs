//! The import report: what was mapped, approximated, dropped or skipped, each with the
//! compose file's `file:line:column`, and its plain-text rendering.

use std::fmt::Write as _;

/// What happened to one compose item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    /// Carried over with the same meaning.
    Mapped,
    /// Carried over with a different but close meaning; review it.
    Approximated,
    /// Not carried over: Kubernetes (or skyform's security defaults) has no equivalent.
    Dropped,
    /// Deliberately not imported (a service of an inactive profile).
    Skipped,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Mapped => "mapped",
            Outcome::Approximated => "approximated",
            Outcome::Dropped => "dropped",
            Outcome::Skipped => "skipped",
        }
    }
}

/// One line of the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportItem {
    pub outcome: Outcome,
    /// The compose service, or `None` for project-wide items.
    pub service: Option<String>,
    /// The compose key concerned, e.g. `ports`, `build`, `environment.DATABASE_URL`.
    pub subject: String,
    pub message: String,
    pub file: String,
    pub line: u32,
    pub column: u32,
}

/// The whole report.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// Compose services imported (active profiles only).
    pub services: usize,
    pub items: Vec<ReportItem>,
}

impl Report {
    pub fn count(&self, outcome: Outcome) -> usize {
        self.items.iter().filter(|i| i.outcome == outcome).count()
    }

    /// Items that `--strict` refuses.
    pub fn dropped(&self) -> impl Iterator<Item = &ReportItem> {
        self.items.iter().filter(|i| i.outcome == Outcome::Dropped)
    }

    /// Sorts items by file position so that the report reads like the compose file.
    pub(crate) fn sort(&mut self) {
        self.items.sort_by(|a, b| {
            (&a.file, a.line, a.column, a.outcome, &a.subject, &a.message)
                .cmp(&(&b.file, b.line, b.column, b.outcome, &b.subject, &b.message))
        });
        self.items.dedup();
    }

    /// Plain text, grouped by service in first-appearance order.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "imported {} service{}: {} mapped, {} approximated, {} dropped, {} skipped",
            self.services,
            if self.services == 1 { "" } else { "s" },
            self.count(Outcome::Mapped),
            self.count(Outcome::Approximated),
            self.count(Outcome::Dropped),
            self.count(Outcome::Skipped),
        );
        let mut groups: Vec<Option<&str>> = Vec::new();
        for item in &self.items {
            let g = item.service.as_deref();
            if !groups.contains(&g) {
                groups.push(g);
            }
        }
        for g in groups {
            let _ = writeln!(out);
            let _ = writeln!(out, "{}", g.map_or_else(|| "project".to_string(), |s| format!("service `{s}`")));
            for item in self.items.iter().filter(|i| i.service.as_deref() == g) {
                let _ = writeln!(
                    out,
                    "  {:<12} {}:{}:{}  {}: {}",
                    item.outcome.as_str(),
                    item.file,
                    item.line,
                    item.column,
                    item.subject,
                    item.message
                );
            }
        }
        out
    }
}
