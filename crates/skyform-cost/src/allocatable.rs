//! Node allocatable models: how much of a node's CPU, memory and pod slots the
//! scheduler can hand to pods, per provider.
//!
//! `allocatable = capacity − kube-reserved − system-reserved − eviction threshold`;
//! daemonset requests are subtracted afterwards by the planner. Formulas (from the
//! project's cost research, section 2):
//!
//! * **GKE** — memory: 255 MiB below 1 GiB, else 25 % of the first 4 GiB, 20 % of
//!   the next 4, 10 % of the next 8, 6 % of the next 112, 2 % above 128 GiB; plus a
//!   100 MiB eviction threshold. CPU: 6 % of the first core, 1 % of the second,
//!   0.5 % of the third and fourth, 0.25 % of every further core.
//! * **EKS** — memory 255 MiB + 11 MiB × max-pods (ENI limit), 100 MiB eviction;
//!   CPU as GKE. Karpenter's extra 7.5 % VM overhead is not applied.
//! * **AKS** — CPU by a table of core counts (60 m for 1 core … 740 m for 64; core
//!   counts between table entries take the next larger entry). Memory for Kubernetes
//!   ≥ 1.29: min(20 MiB × max-pods + 50 MiB, 25 % of memory) + 100 MiB eviction;
//!   before 1.29: the GKE tiers + 750 MiB eviction. (The AKS docs say MB; MiB is used.)
//! * **Civo** — nodes ≤ 2 GiB use fixed values (1 GiB: 431 MiB, 2 GiB: 712 MiB
//!   reserved in all); larger nodes: GKE tiers + 100 MiB eviction + 200 MiB
//!   system-reserved. CPU as GKE. A measured allocatable in the catalog wins.
//! * **k3s** (Hetzner, self-managed) — upstream kubelet defaults: nothing reserved,
//!   100 MiB eviction threshold.
//! * **default** — providers without a published formula (DOKS, LKE, VKE) use the
//!   GKE tiers, which are conservative.

use serde::{Deserialize, Serialize};

/// Which allocatable formula a provider uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AllocatableModel {
    Gke,
    Eks,
    Aks,
    Civo,
    K3s,
    Default,
}

/// Knobs of the allocatable models that depend on how the cluster is set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AllocatableSettings {
    /// AKS Kubernetes minor version (1.x); decides the memory formula.
    pub aks_minor_version: u32,
    /// AKS max pods per node (depends on the network plugin).
    pub aks_max_pods: u32,
}

impl Default for AllocatableSettings {
    fn default() -> Self {
        Self { aks_minor_version: 31, aks_max_pods: 110 }
    }
}

/// A node's schedulable resources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Default)]
pub struct Resources {
    pub cpu_millis: u64,
    pub memory_mib: u64,
    pub pods: u64,
}

impl Resources {
    /// Component-wise saturating subtraction.
    pub fn saturating_sub(self, o: Self) -> Self {
        Self {
            cpu_millis: self.cpu_millis.saturating_sub(o.cpu_millis),
            memory_mib: self.memory_mib.saturating_sub(o.memory_mib),
            pods: self.pods.saturating_sub(o.pods),
        }
    }

    /// Whether every component is positive.
    pub fn is_positive(self) -> bool {
        self.cpu_millis > 0 && self.memory_mib > 0 && self.pods > 0
    }
}

/// The shape of a node as sold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NodeShape {
    pub vcpu: u32,
    pub memory_gib: f64,
    pub max_pods: u32,
    /// A measured allocatable memory that replaces the formula.
    pub measured_memory_mib: Option<u64>,
}

/// GKE-style CPU reservation in millicores (rounded up).
pub fn tiered_cpu_reserved_millis(vcpu: u32) -> u64 {
    // Micro-cores reserved per core, by core index.
    let mut micro: u64 = 0;
    for core in 1..=u64::from(vcpu) {
        micro += match core {
            1 => 60_000,
            2 => 10_000,
            3 | 4 => 5_000,
            _ => 2_500,
        };
    }
    micro.div_ceil(1000)
}

/// GKE-style regressive memory reservation in MiB (rounded up), without eviction.
pub fn tiered_memory_reserved_mib(memory_mib: u64) -> u64 {
    if memory_mib < 1024 {
        return 255;
    }
    // (band upper bound in MiB, percent)
    const BANDS: [(u64, u64); 5] = [(4 * 1024, 25), (8 * 1024, 20), (16 * 1024, 10), (128 * 1024, 6), (u64::MAX, 2)];
    let mut lower = 0;
    let mut hundredths: u64 = 0;
    for (upper, pct) in BANDS {
        if memory_mib <= lower {
            break;
        }
        let band = memory_mib.min(upper) - lower;
        hundredths += band * pct;
        lower = upper;
    }
    hundredths.div_ceil(100)
}

/// AKS CPU reservation in millicores.
pub fn aks_cpu_reserved_millis(vcpu: u32) -> u64 {
    const TABLE: [(u32, u64); 7] = [(1, 60), (2, 100), (4, 140), (8, 180), (16, 260), (32, 420), (64, 740)];
    TABLE.iter().find(|(cores, _)| vcpu <= *cores).map_or(740, |(_, m)| *m)
}

/// Allocatable resources of a node before daemonsets.
pub fn allocatable(model: AllocatableModel, shape: NodeShape, settings: AllocatableSettings) -> Resources {
    let memory_mib = (shape.memory_gib * 1024.0).floor().max(0.0) as u64;
    let cpu = u64::from(shape.vcpu) * 1000;
    let pods = u64::from(shape.max_pods);
    let (cpu_reserved, mem_reserved, pods) = match model {
        AllocatableModel::Gke | AllocatableModel::Default => {
            (tiered_cpu_reserved_millis(shape.vcpu), tiered_memory_reserved_mib(memory_mib) + 100, pods)
        }
        AllocatableModel::Eks => (tiered_cpu_reserved_millis(shape.vcpu), 255 + 11 * pods + 100, pods),
        AllocatableModel::Aks => {
            let max_pods = u64::from(settings.aks_max_pods);
            let mem = if settings.aks_minor_version >= 29 {
                (20 * max_pods + 50).min(memory_mib / 4) + 100
            } else {
                tiered_memory_reserved_mib(memory_mib) + 750
            };
            (aks_cpu_reserved_millis(shape.vcpu), mem, max_pods)
        }
        AllocatableModel::Civo => {
            let mem = match memory_mib {
                0..=1024 => 256 + 100 + 75,
                1025..=2048 => 512 + 100 + 100,
                _ => tiered_memory_reserved_mib(memory_mib) + 100 + 200,
            };
            (tiered_cpu_reserved_millis(shape.vcpu), mem, pods)
        }
        AllocatableModel::K3s => (0, 100, pods),
    };
    let memory = match shape.measured_memory_mib {
        Some(m) => m.min(memory_mib),
        None => memory_mib.saturating_sub(mem_reserved),
    };
    Resources { cpu_millis: cpu.saturating_sub(cpu_reserved), memory_mib: memory, pods }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(vcpu: u32, gib: f64, max_pods: u32) -> NodeShape {
        NodeShape { vcpu, memory_gib: gib, max_pods, measured_memory_mib: None }
    }

    #[test]
    fn gke_matches_the_worked_examples() {
        let s = AllocatableSettings::default();
        // Research table: 2/4 → 1930 m, 1024+100 MiB reserved.
        let a = allocatable(AllocatableModel::Gke, shape(2, 4.0, 110), s);
        assert_eq!((a.cpu_millis, a.memory_mib), (1930, 4096 - 1124));
        // e2-standard-2: 2/8 → 1843+100 reserved (1843.2 rounded up).
        let a = allocatable(AllocatableModel::Gke, shape(2, 8.0, 110), s);
        assert_eq!((a.cpu_millis, a.memory_mib), (1930, 8192 - 1844 - 100));
        // e2-standard-4: 4/16 → 80 m, 2662 MiB (2662.4 rounded up).
        let a = allocatable(AllocatableModel::Gke, shape(4, 16.0, 110), s);
        assert_eq!((a.cpu_millis, a.memory_mib), (3920, 16384 - 2663 - 100));
        // e2-standard-8: 8/32 → 90 m, 3645 MiB (3645.44 rounded up).
        let a = allocatable(AllocatableModel::Gke, shape(8, 32.0, 110), s);
        assert_eq!((a.cpu_millis, a.memory_mib), (7910, 32768 - 3646 - 100));
        assert_eq!(tiered_memory_reserved_mib(512), 255);
    }

    #[test]
    fn eks_uses_max_pods() {
        let a = allocatable(AllocatableModel::Eks, shape(2, 4.0, 17), AllocatableSettings::default());
        // 255 + 11*17 = 442 MiB kube-reserved + 100 MiB eviction.
        assert_eq!((a.cpu_millis, a.memory_mib, a.pods), (1930, 4096 - 542, 17));
    }

    #[test]
    fn aks_by_version() {
        let new = AllocatableSettings { aks_minor_version: 29, aks_max_pods: 30 };
        let a = allocatable(AllocatableModel::Aks, shape(2, 8.0, 0), new);
        assert_eq!((a.cpu_millis, a.memory_mib, a.pods), (1900, 8192 - 650 - 100, 30));
        let capped = AllocatableSettings { aks_minor_version: 30, aks_max_pods: 110 };
        let a = allocatable(AllocatableModel::Aks, shape(2, 8.0, 0), capped);
        assert_eq!(a.memory_mib, 8192 - 2048 - 100);
        let old = AllocatableSettings { aks_minor_version: 28, aks_max_pods: 110 };
        let a = allocatable(AllocatableModel::Aks, shape(2, 8.0, 0), old);
        assert_eq!(a.memory_mib, 8192 - 1844 - 750);
        assert_eq!(aks_cpu_reserved_millis(6), 180);
        assert_eq!(aks_cpu_reserved_millis(128), 740);
    }

    #[test]
    fn civo_and_k3s() {
        let s = AllocatableSettings::default();
        assert_eq!(allocatable(AllocatableModel::Civo, shape(1, 1.0, 110), s).memory_mib, 1024 - 431);
        assert_eq!(allocatable(AllocatableModel::Civo, shape(1, 2.0, 110), s).memory_mib, 2048 - 712);
        assert_eq!(allocatable(AllocatableModel::Civo, shape(2, 8.0, 110), s).memory_mib, 8192 - 1844 - 300);
        let measured = NodeShape { measured_memory_mib: Some(2308), ..shape(2, 4.0, 110) };
        assert_eq!(allocatable(AllocatableModel::Civo, measured, s).memory_mib, 2308);
        let k = allocatable(AllocatableModel::K3s, shape(2, 4.0, 110), s);
        assert_eq!((k.cpu_millis, k.memory_mib), (2000, 4096 - 100));
    }

    #[test]
    fn tiny_or_degenerate_nodes_do_not_underflow() {
        let s = AllocatableSettings::default();
        let a = allocatable(AllocatableModel::Eks, shape(1, 0.25, 1000), s);
        assert_eq!(a.memory_mib, 0);
        assert!(!a.is_positive());
    }
}
