//! Paths into a [`crate::Node`] tree, written like JSON pointers (`/spec/services/api/port`).

use std::fmt;
use std::sync::Arc;

/// One step of a path: a mapping key or a sequence index.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Segment {
    /// Shared, so that extending a path copies no key text (paths are made for every
    /// node a walk visits, and thrown away unless a diagnostic needs them).
    Key(Arc<str>),
    Index(usize),
}

/// A path from the document root. Cheap to clone and extend.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Path(Vec<Segment>);

impl Path {
    pub fn root() -> Path {
        Path(Vec::new())
    }

    /// This path extended by a key.
    #[must_use]
    pub fn key(&self, key: impl AsRef<str>) -> Path {
        self.extended(Segment::Key(Arc::from(key.as_ref())))
    }

    /// This path extended by an index.
    #[must_use]
    pub fn index(&self, i: usize) -> Path {
        self.extended(Segment::Index(i))
    }

    fn extended(&self, last: Segment) -> Path {
        let mut v = Vec::with_capacity(self.0.len() + 1);
        v.extend_from_slice(&self.0);
        v.push(last);
        Path(v)
    }

    pub fn segments(&self) -> &[Segment] {
        &self.0
    }

    /// Parses `a/b/0/c` or `/a/b/0/c`; numeric segments become indices.
    pub fn parse(s: &str) -> Path {
        Path(
            s.split('/')
                .filter(|p| !p.is_empty())
                .map(|p| match p.parse::<usize>() {
                    Ok(i) => Segment::Index(i),
                    Err(_) => Segment::Key(Arc::from(p.replace("~1", "/").replace("~0", "~"))),
                })
                .collect(),
        )
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("/");
        }
        for seg in &self.0 {
            match seg {
                Segment::Key(k) => write!(f, "/{}", k.replace('~', "~0").replace('/', "~1"))?,
                Segment::Index(i) => write!(f, "/{i}")?,
            }
        }
        Ok(())
    }
}
