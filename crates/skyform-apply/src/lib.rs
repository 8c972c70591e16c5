//! skyform-apply: deploys rendered objects to a live cluster and keeps a record of it.
//!
//! The pure logic is in modules tested without a server: [`object`] (identity),
//! [`plan`] (waves), [`diff`] (normalized comparison), [`inventory`] (revision records),
//! [`prune`] (what may be deleted), [`compat`] (old-server quirks), [`readiness`] (rollout rules),
//! [`release`] (prerequisite Helm releases: what is missing, what to install),
//! [`bootstrap`] (secret-store credentials) and [`explain`]
//! (403/409/discovery messages). [`engine`] is the only module that talks to the API
//! server (kube-rs), through the connection in [`cluster`]; [`error`] holds what can go
//! wrong, messages and hints apart; [`blocking`] wraps it for callers without a runtime,
//! and [`progress`] is the trait the caller's progress display implements.
//!
//! No I/O of its own: the kubeconfig arrives parsed, the clock as a function, helm as a
//! [`HelmRunner`], progress as a [`progress::Progress`] (all from the binary).
//!
//! Input is a list of plain JSON objects, so this crate does not depend on the renderer.

pub mod blocking;
pub mod bootstrap;
pub mod cluster;
pub mod compat;
pub mod diff;
pub mod engine;
pub mod error;
pub mod explain;
pub mod inventory;
pub mod object;
pub mod plan;
pub mod progress;
pub mod prune;
pub mod readiness;
pub mod release;

pub use engine::{
    ApplyError, ApplyOptions, ApplyReport, CancellationToken, Cluster, Handles, Problem, ReleaseOutcome, Target, apply,
    apply_all, rollback_target,
};
pub use kube::config::Kubeconfig;
pub use object::{Manifest, ObjRef};
pub use plan::{ServiceInfo, Wave};
pub use release::{HelmRunner, Installed, Release, ReleaseAction};
