//! A synchronous facade over [`crate::engine`] for the CLI, which has no async runtime:
//! a [`Session`] owns a small tokio runtime and the connected [`Cluster`].

use crate::diff::ObjectDiff;
use crate::engine::{self, ApplyError, ApplyOptions, ApplyReport, Cluster, Handles, Target};
use crate::inventory::Revision;
use crate::object::Manifest;
use crate::plan::ServiceInfo;
use crate::progress::Progress;
use crate::release::Release;

/// A connected cluster plus the runtime that drives it.
pub struct Session {
    rt: tokio::runtime::Runtime,
    pub cluster: Cluster,
}

impl Session {
    /// Connects (kubeconfig, reachability, discovery). Writes nothing.
    pub fn connect(target: &Target) -> Result<Session, ApplyError> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| ApplyError::Api(format!("cannot start the async runtime: {e}").into()))?;
        let cluster = rt.block_on(Cluster::connect(target))?;
        Ok(Session { rt, cluster })
    }

    /// The runtime, for tasks the caller runs beside an apply (a Ctrl-C listener that
    /// cancels [`Handles::cancel`]).
    pub fn handle(&self) -> tokio::runtime::Handle {
        self.rt.handle().clone()
    }

    /// See [`engine::apply_all`].
    pub fn apply_all(
        &mut self,
        manifests: &[Manifest],
        services: &[ServiceInfo],
        releases: &[Release],
        opts: &ApplyOptions,
        handles: &Handles<'_>,
    ) -> Result<ApplyReport, ApplyError> {
        self.rt.block_on(engine::apply_all(&mut self.cluster, manifests, services, releases, opts, handles))
    }

    /// See [`engine::apply`].
    pub fn apply(
        &mut self,
        manifests: &[Manifest],
        services: &[ServiceInfo],
        opts: &ApplyOptions,
        progress: &dyn Progress,
    ) -> Result<ApplyReport, ApplyError> {
        self.rt.block_on(engine::apply(&mut self.cluster, manifests, services, opts, progress))
    }

    /// See [`engine::diff`].
    pub fn diff(
        &self,
        manifests: &[Manifest],
        releases: &[Release],
        platform: &str,
        env: &str,
        prune_data: bool,
    ) -> Result<Vec<ObjectDiff>, ApplyError> {
        self.rt.block_on(engine::diff(&self.cluster, manifests, releases, platform, env, prune_data))
    }

    /// Recorded revisions (with their objects when `with_objects`).
    pub fn history(&self, platform: &str, env: &str, with_objects: bool) -> Result<Vec<Revision>, ApplyError> {
        self.rt.block_on(self.cluster.history(platform, env, with_objects))
    }

    /// Re-applies revision `to` (default: the one before the current) as a new revision.
    pub fn rollback(
        &mut self,
        platform: &str,
        env: &str,
        to: Option<u64>,
        opts: &ApplyOptions,
        handles: &Handles<'_>,
    ) -> Result<(u64, ApplyReport), ApplyError> {
        let history = self.history(platform, env, true)?;
        let target = engine::rollback_target(&history, to)?.clone();
        let manifests =
            Manifest::from_values(target.objects.clone()).map_err(|e| ApplyError::Inventory(e.to_string()))?;
        let opts = ApplyOptions { reason: format!("rollback to {}", target.number), ..opts.clone() };
        let report = self.apply_all(&manifests, &target.services, &[], &opts, handles)?;
        Ok((target.number, report))
    }
}
