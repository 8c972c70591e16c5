//! skyform-apply: placeholder while the crate is being written.
