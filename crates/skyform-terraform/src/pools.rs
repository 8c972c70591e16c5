//! Node pools from the cost planner's plan: one pool per (instance type, capacity),
//! `min_nodes` = nodes at base replicas, `max_nodes` = nodes at peak replicas.

use serde::Serialize;
use skyform_cost::{Plan, Role};
use skyform_model::{ClusterAutoscaling, ProviderName};

/// One node pool as the cluster modules take it (`var.node_pools`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pool {
    pub name: String,
    /// The provider's instance type / plan / server type.
    pub size: String,
    pub min_nodes: u32,
    pub max_nodes: u32,
    pub auto_scale: bool,
    pub spot: bool,
}

/// Whether the provider's Terraform can express spot capacity for a pool.
pub fn supports_spot(p: ProviderName) -> bool {
    matches!(p, ProviderName::Aws | ProviderName::Gcp | ProviderName::Azure)
}

/// Whether the provider's Terraform can express autoscaling bounds for a pool.
pub fn supports_autoscaling(p: ProviderName) -> bool {
    !matches!(p, ProviderName::Civo | ProviderName::Hetzner | ProviderName::K3s)
}

fn size_for(p: ProviderName, instance: &str) -> String {
    if p == ProviderName::Hetzner { instance.to_ascii_lowercase() } else { instance.to_owned() }
}

/// The pools for a provider, and whether they came from `plan`.
///
/// On-demand pools come first (`main`, `main-2`, …; AKS and DOKS need a non-spot first
/// pool), then spot pools (`spot`, `spot-2`, …). On providers whose Terraform cannot
/// autoscale, a pool is fixed at `max_nodes` so the peak fits. Hetzner's self-managed
/// k3s servers are the pool named `control-plane`.
pub fn pools_for(p: ProviderName, production: bool, plan: Option<&Plan>) -> (Vec<Pool>, bool) {
    pools_with_policy(p, production, plan, &ClusterAutoscaling::default())
}

/// [`pools_for`] under a cluster autoscaling policy: where the provider autoscales, the
/// first (on-demand) pool may grow until the cluster reaches the policy's `max_nodes`
/// (the planned peak stays the floor of every pool's maximum), and the pools' minimum
/// is raised to the policy's minimum for the environment.
pub fn pools_with_policy(
    p: ProviderName,
    production: bool,
    plan: Option<&Plan>,
    policy: &ClusterAutoscaling,
) -> (Vec<Pool>, bool) {
    let (mut pools, planned) = pools_inner(p, production, plan);
    if supports_autoscaling(p) {
        let workers = |pools: &[Pool]| pools.iter().filter(|x| x.name != "control-plane").count();
        if workers(&pools) > 0 {
            let first = pools.iter().position(|x| x.name != "control-plane").unwrap_or(0);
            let min_total: u32 = pools.iter().map(|x| x.min_nodes).sum();
            let want_min = policy.min_for(production);
            if min_total < want_min {
                pools[first].min_nodes += want_min - min_total;
                pools[first].max_nodes = pools[first].max_nodes.max(pools[first].min_nodes);
            }
            let max_total: u32 = pools.iter().map(|x| x.max_nodes).sum();
            if max_total < policy.max_nodes {
                pools[first].max_nodes += policy.max_nodes - max_total;
            }
            for pool in &mut pools {
                pool.auto_scale = pool.min_nodes != pool.max_nodes;
            }
        }
    }
    (pools, planned)
}

fn pools_inner(p: ProviderName, production: bool, plan: Option<&Plan>) -> (Vec<Pool>, bool) {
    let autoscale = supports_autoscaling(p);
    let Some(plan) = plan else {
        let n = if production { 3 } else { 1 };
        let pool = Pool {
            name: "main".into(),
            size: crate::versions::default_size(p).to_owned(),
            min_nodes: n,
            max_nodes: if autoscale { n * 2 } else { n },
            auto_scale: autoscale,
            spot: false,
        };
        return (vec![pool], false);
    };
    let mut sizing = plan.pool_sizing();
    // On-demand first, then by instance: stable names.
    sizing.sort_by(|a, b| a.spot.cmp(&b.spot).then(a.instance.cmp(&b.instance)));
    let mut pools = Vec::new();
    let (mut od, mut spot) = (0, 0);
    for s in sizing {
        let spot_ok = s.spot && supports_spot(p);
        let (base, counter) = if spot_ok { ("spot", &mut spot) } else { ("main", &mut od) };
        *counter += 1;
        let name = if *counter == 1 { base.to_owned() } else { format!("{base}-{counter}") };
        let max = s.max_nodes.max(s.min_nodes).max(1);
        let min = if autoscale { s.min_nodes } else { max };
        pools.push(Pool {
            name,
            size: size_for(p, &s.instance),
            min_nodes: min,
            max_nodes: max,
            auto_scale: autoscale && min != max,
            spot: spot_ok,
        });
    }
    if pools.is_empty() {
        return pools_inner(p, production, None);
    }
    // The first pool must be on-demand (AKS default pool, DOKS/Civo/Vultr inline pool).
    if pools[0].spot {
        pools[0].spot = false;
    }
    if p == ProviderName::Hetzner {
        let cp: Vec<_> = plan.base.pools.iter().filter(|x| x.role == Role::ControlPlane).collect();
        if let Some(first) = cp.first() {
            let count: u32 = cp.iter().map(|x| x.count).sum();
            pools.insert(
                0,
                Pool {
                    name: "control-plane".into(),
                    size: size_for(p, &first.instance),
                    min_nodes: count,
                    max_nodes: count,
                    auto_scale: false,
                    spot: false,
                },
            );
        }
    }
    (pools, true)
}
