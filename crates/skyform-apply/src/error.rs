//! What can go wrong in an apply: [`ApplyError`], each variant with a message meant for a
//! person and, separately, the hints that go under it. The binary renders both through
//! the one diagnostic renderer (`skyform-diag`); no message here embeds a `hint:` line.

/// A message and the hints that go under it.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    /// The first line says what happened; further lines list the cases.
    pub message: String,
    pub hints: Vec<String>,
}

impl Problem {
    /// A problem with one hint.
    pub fn hinted(message: impl Into<String>, hint: impl Into<String>) -> Problem {
        Problem { message: message.into(), hints: vec![hint.into()] }
    }
}

impl From<String> for Problem {
    fn from(message: String) -> Problem {
        Problem { message, hints: Vec::new() }
    }
}

impl From<&str> for Problem {
    fn from(message: &str) -> Problem {
        Problem::from(message.to_string())
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Everything that can go wrong, each with a message meant for a person (`Display`) and
/// its hints ([`ApplyError::hints`]).
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error("cannot load the kubeconfig: {0}")]
    Kubeconfig(String),
    #[error("cannot reach the cluster at {server}: {cause}")]
    Unreachable { server: String, cause: String },
    #[error("{0}")]
    Unserved(Problem),
    #[error("{0}")]
    Invalid(Problem),
    #[error("{0}")]
    Api(Problem),
    #[error("field manager conflicts:\n{}", .0.iter().map(|p| p.message.as_str()).collect::<Vec<_>>().join("\n"))]
    Conflicts(Vec<Problem>),
    #[error("wave `{wave}` did not become ready{}:\n{report}", if *.timed_out { " within the timeout" } else { "" })]
    NotReady { wave: String, timed_out: bool, report: String },
    #[error("{0}")]
    Inventory(String),
    #[error("{0}")]
    Helm(String),
    #[error("{0}")]
    Interrupted(String),
}

impl ApplyError {
    /// The hints that go under the message, in order, without repeats.
    pub fn hints(&self) -> Vec<String> {
        let mut out: Vec<String> = match self {
            ApplyError::Unreachable { .. } => {
                vec!["check that the cluster is up and that --kubeconfig/--context point at it".into()]
            }
            ApplyError::Unserved(p) | ApplyError::Invalid(p) | ApplyError::Api(p) => p.hints.clone(),
            ApplyError::Conflicts(list) => list.iter().flat_map(|p| p.hints.iter().cloned()).collect(),
            _ => Vec::new(),
        };
        let mut seen = std::collections::BTreeSet::new();
        out.retain(|h| seen.insert(h.clone()));
        out
    }
}

#[cfg(test)]
impl Problem {
    /// Whether the message or a hint contains `needle` (tests of the describers).
    pub(crate) fn contains(&self, needle: &str) -> bool {
        self.message.contains(needle) || self.hints.iter().any(|h| h.contains(needle))
    }
}
