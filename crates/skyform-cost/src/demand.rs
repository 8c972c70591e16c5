//! The planner's input: what one environment of a platform asks of a cluster.
//!
//! `Demand` is independent of the rest of skyform: the model crate maps a resolved
//! environment into it, tests and benchmarks build it by hand. Requests are per
//! replica (requests, not limits: the scheduler packs requests).

use serde::{Deserialize, Serialize};

/// Upper bounds that keep arithmetic far from overflow; anything above is an input error.
pub const MAX_CPU_MILLIS: u64 = 1_000_000;
pub const MAX_MEMORY_MIB: u64 = 16 * 1024 * 1024;
pub const MAX_REPLICAS: u32 = 10_000;
pub const MAX_TOTAL_REPLICAS: u64 = 1_000_000;

/// What one environment needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Demand {
    /// Environment name (`dev`, `production`, ...).
    pub environment: String,
    /// Production gets HA rules: at least two nodes and HA control-plane tiers.
    pub production: bool,
    pub workloads: Vec<WorkloadDemand>,
    pub volumes: Vec<VolumeDemand>,
    /// Cloud load balancers (one per exposed entry point).
    pub load_balancers: u32,
    pub object_storage_gib: u32,
    /// Databases the platform runs as the provider's managed service.
    pub managed_databases: Vec<ManagedDatabase>,
    /// Per-node daemonsets the platform adds (log/metrics agents ...), on top of the
    /// provider's own system daemonsets from the catalog.
    pub daemonsets: Vec<DaemonsetOverhead>,
    /// Whether images run on arm64 (lets the planner use arm64 instance types).
    #[serde(default)]
    pub allow_arm64: bool,
}

/// One service's pods.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkloadDemand {
    pub name: String,
    /// CPU request per replica.
    pub cpu_millis: u64,
    /// Memory request per replica.
    pub memory_mib: u64,
    /// Replicas at rest (HPA minimum).
    pub replicas_base: u32,
    /// Replicas at peak (HPA maximum).
    pub replicas_peak: u32,
    /// May run on spot / preemptible nodes.
    pub spot_ok: bool,
    /// A StatefulSet: always on on-demand nodes.
    pub stateful: bool,
}

impl WorkloadDemand {
    /// Whether the workload must run on on-demand capacity.
    pub fn on_demand_only(&self) -> bool {
        self.stateful || !self.spot_ok
    }
}

/// Persistent volumes (block storage).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VolumeDemand {
    pub name: String,
    pub size_gib: u32,
    /// Number of such volumes at rest and at peak (one per StatefulSet replica).
    pub count_base: u32,
    pub count_peak: u32,
}

/// A database run as the provider's managed offering.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagedDatabase {
    pub name: String,
    /// `postgres`, `redis`, ...
    pub engine: String,
    /// Memory the instance must have (the service's memory limit): the smallest class
    /// with at least this much is priced, as the Terraform module sizes it.
    pub memory_mib: u64,
    pub ha: bool,
    pub storage_gib: u32,
}

/// Requests of a daemonset pod on every node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DaemonsetOverhead {
    pub name: String,
    pub cpu_millis: u64,
    pub memory_mib: u64,
}

/// A demand the planner refuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
pub enum DemandError {
    #[error("workload name must not be empty")]
    EmptyName,
    #[error("workload `{0}` is listed twice")]
    Duplicate(String),
    #[error("workload `{name}`: {what}")]
    OutOfRange { name: String, what: String },
    #[error("the demand has {0} replicas in all; at most {MAX_TOTAL_REPLICAS} are planned")]
    TooLarge(u64),
}

impl Demand {
    /// Checks ranges and uniqueness.
    ///
    /// # Errors
    /// The first problem found.
    pub fn validate(&self) -> Result<(), DemandError> {
        let mut names: Vec<&str> = Vec::with_capacity(self.workloads.len());
        let mut total: u64 = 0;
        for w in &self.workloads {
            if w.name.trim().is_empty() {
                return Err(DemandError::EmptyName);
            }
            let range = |what: String| DemandError::OutOfRange { name: w.name.clone(), what };
            if w.cpu_millis > MAX_CPU_MILLIS {
                return Err(range(format!("cpu request {}m is above {MAX_CPU_MILLIS}m", w.cpu_millis)));
            }
            if w.memory_mib > MAX_MEMORY_MIB {
                return Err(range(format!("memory request {}Mi is above {MAX_MEMORY_MIB}Mi", w.memory_mib)));
            }
            if w.replicas_base > MAX_REPLICAS || w.replicas_peak > MAX_REPLICAS {
                return Err(range(format!("more than {MAX_REPLICAS} replicas")));
            }
            if w.replicas_peak < w.replicas_base {
                return Err(range(format!(
                    "peak replicas {} are below base replicas {}",
                    w.replicas_peak, w.replicas_base
                )));
            }
            total += u64::from(w.replicas_peak);
            names.push(&w.name);
        }
        if total > MAX_TOTAL_REPLICAS {
            return Err(DemandError::TooLarge(total));
        }
        names.sort_unstable();
        if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
            return Err(DemandError::Duplicate(w[0].to_owned()));
        }
        for d in &self.daemonsets {
            if d.cpu_millis > MAX_CPU_MILLIS || d.memory_mib > MAX_MEMORY_MIB {
                return Err(DemandError::OutOfRange {
                    name: d.name.clone(),
                    what: "daemonset requests too large".into(),
                });
            }
        }
        Ok(())
    }

    /// Largest replica count of any service at peak.
    pub fn max_replicas(&self, peak: bool) -> u32 {
        self.workloads.iter().map(|w| if peak { w.replicas_peak } else { w.replicas_base }).max().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(name: &str, base: u32, peak: u32) -> WorkloadDemand {
        WorkloadDemand {
            name: name.into(),
            cpu_millis: 100,
            memory_mib: 128,
            replicas_base: base,
            replicas_peak: peak,
            spot_ok: false,
            stateful: false,
        }
    }

    #[test]
    fn validation() {
        let mut d = Demand { workloads: vec![w("a", 1, 2), w("b", 2, 2)], ..Demand::default() };
        assert_eq!(d.validate(), Ok(()));
        assert_eq!(d.max_replicas(false), 2);
        d.workloads.push(w("a", 1, 1));
        assert_eq!(d.validate(), Err(DemandError::Duplicate("a".into())));
        d.workloads.pop();
        d.workloads.push(w("c", 3, 1));
        assert!(matches!(d.validate(), Err(DemandError::OutOfRange { .. })));
        d.workloads.pop();
        d.workloads.push(WorkloadDemand { cpu_millis: u64::MAX, ..w("d", 1, 1) });
        assert!(d.validate().is_err());
        d.workloads.pop();
        d.workloads.push(w(" ", 1, 1));
        assert_eq!(d.validate(), Err(DemandError::EmptyName));
    }
}
