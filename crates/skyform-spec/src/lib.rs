//! The platform file (`apiVersion: skyform.dev/v1alpha1`, `kind: Platform`).
//!
//! * [`raw`]: serde types that mirror the YAML one to one; their JSON Schema
//!   ([`schema::platform_schema`]) is what editors complete against.
//! * [`load`]: text → raw types, collecting *every* structural problem in one pass
//!   (YAML syntax, unknown keys with "did you mean", wrong types, bad enum values)
//!   as located [`Diagnostic`]s, and pruning the bad nodes so that what parsed can still
//!   be lowered. Semantic checks happen in `skyform-model`'s `lower()`.
//! * [`diag`]: the one diagnostic type of the product and its single renderer.
//! * [`quantity`]: Kubernetes CPU/memory quantities and `request..limit` ranges.
//! * [`duration`]: the one duration parser (`90s`, `1h30m`, `7d`, bare seconds).
//!
//! Nothing here touches files, the terminal or the environment.

pub mod diag;
pub mod duration;
pub mod load;
pub mod quantity;
pub mod raw;
pub mod schema;
mod suggest;

pub use diag::{Code, Diagnostic, Severity, SourceFile};
pub use load::{LoadedPlatform, load_platform};
pub use suggest::did_you_mean;

/// The `apiVersion` every platform file declares.
pub const API_VERSION: &str = "skyform.dev/v1alpha1";
/// The `kind` every platform file declares.
pub const KIND: &str = "Platform";
