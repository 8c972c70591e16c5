//! Paths into a [`crate::Node`] tree, written like JSON pointers (`/spec/services/api/port`).

use std::fmt;

/// One step of a path: a mapping key or a sequence index.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Segment {
    Key(String),
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
    pub fn key(&self, key: impl Into<String>) -> Path {
        let mut v = self.0.clone();
        v.push(Segment::Key(key.into()));
        Path(v)
    }

    /// This path extended by an index.
    #[must_use]
    pub fn index(&self, i: usize) -> Path {
        let mut v = self.0.clone();
        v.push(Segment::Index(i));
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
                    Err(_) => Segment::Key(p.replace("~1", "/").replace("~0", "~")),
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
