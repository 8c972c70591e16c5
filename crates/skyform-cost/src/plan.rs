//! Plans: for one environment and one provider, the node pools the optimizer chose,
//! where every replica runs, why (binding resource, utilisation) and the monthly
//! cost broken down by component, at base (minimum) and peak (maximum) replicas.
//!
//! Everything is `Serialize` for `--output json`, and sorted so that the same input
//! gives byte-identical output.

use rayon::prelude::*;
use serde::Serialize;

use crate::allocatable::{AllocatableSettings, NodeShape, Resources, allocatable};
use crate::catalog::{Arch, Catalog, ProviderCatalog};
use crate::demand::{Demand, DemandError};
use crate::optimize::{self, Item, Kind, Problem, SolveError, SolveOptions};

/// Planner settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PlanOptions {
    pub allocatable: AllocatableSettings,
    pub solve: SolveOptions,
}

/// On-demand or spot capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Capacity {
    OnDemand,
    Spot,
}

impl Capacity {
    /// `on-demand` or `spot`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OnDemand => "on-demand",
            Self::Spot => "spot",
        }
    }
}

/// What a pool's nodes are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Worker,
    /// Self-managed control-plane nodes (k3s servers on Hetzner).
    ControlPlane,
}

/// The resource that limits packing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Resource {
    Cpu,
    Memory,
    Pods,
}

impl Resource {
    /// `cpu`, `memory` or `pods`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cpu => "cpu",
            Self::Memory => "memory",
            Self::Pods => "pods",
        }
    }
}

/// A node pool: `count` nodes of one instance type and capacity type.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodePool {
    pub role: Role,
    pub instance: String,
    pub capacity: Capacity,
    pub count: u32,
    pub vcpu: u32,
    pub memory_gib: f64,
    /// Schedulable per node after the allocatable model and daemonsets.
    pub allocatable: Resources,
    pub unit_monthly_usd: f64,
    pub monthly_usd: f64,
}

/// One node and the replicas placed on it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodePlacement {
    /// Stable name: `<instance>-<capacity>-<n>`.
    pub node: String,
    pub instance: String,
    pub capacity: Capacity,
    pub allocatable: Resources,
    pub requested: Resources,
    /// Replicas as `service/index`, sorted.
    pub replicas: Vec<String>,
}

/// Requested share of allocatable, in percent, over all worker nodes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Default)]
pub struct Utilisation {
    pub cpu_percent: f64,
    pub memory_percent: f64,
    pub pods_percent: f64,
}

/// Monthly cost by component, USD.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Default)]
pub struct CostBreakdown {
    pub nodes_usd: f64,
    pub control_plane_usd: f64,
    pub load_balancers_usd: f64,
    pub block_storage_usd: f64,
    pub object_storage_usd: f64,
    pub managed_databases_usd: f64,
    pub nat_gateways_usd: f64,
    pub total_usd: f64,
}

impl CostBreakdown {
    /// `(component label, USD)` in stacking order.
    pub fn components(&self) -> [(&'static str, f64); 7] {
        [
            ("nodes", self.nodes_usd),
            ("control plane", self.control_plane_usd),
            ("load balancers", self.load_balancers_usd),
            ("block storage", self.block_storage_usd),
            ("object storage", self.object_storage_usd),
            ("managed databases", self.managed_databases_usd),
            ("NAT gateways", self.nat_gateways_usd),
        ]
    }
}

/// How the node placement was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Proven optimal (branch and bound finished, or the heuristic met the bound).
    Exact,
    /// Heuristic; see the gap to the lower bound.
    Heuristic,
}

/// The optimizer's account of the worker-node cost.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SolverReport {
    pub method: Method,
    /// Worker-node cost found.
    pub nodes_usd: f64,
    /// Proven lower bound on the worker-node cost.
    pub lower_bound_usd: f64,
    /// (cost − bound) / bound, percent; 0 when exact.
    pub gap_percent: f64,
    /// Branch-and-bound nodes explored.
    pub explored: u64,
}

/// One sizing point: base (minimum replicas) or peak (maximum replicas).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scenario {
    pub replicas: u64,
    pub nodes: u32,
    pub pools: Vec<NodePool>,
    pub binding: Resource,
    pub utilisation: Utilisation,
    pub cost: CostBreakdown,
    pub solver: SolverReport,
    pub placement: Vec<NodePlacement>,
}

/// A remark printed under the plan; `unverified` ones are the UNVERIFIED footnote.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Footnote {
    pub unverified: bool,
    pub subject: String,
    pub text: String,
}

/// The plan for one (environment, provider).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub environment: String,
    pub provider: String,
    pub display_name: String,
    pub region: String,
    pub production: bool,
    pub base: Scenario,
    pub peak: Scenario,
    pub footnotes: Vec<Footnote>,
}

/// Autoscaling bounds of one worker pool, for the Terraform renderer.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct PoolSizing {
    pub instance: String,
    pub spot: bool,
    /// Nodes at base replicas.
    pub min_nodes: u32,
    /// Nodes at peak replicas.
    pub max_nodes: u32,
}

impl Plan {
    /// The worker pools as autoscaling ranges: min = base count, max = peak count.
    pub fn pool_sizing(&self) -> Vec<PoolSizing> {
        let mut out: Vec<PoolSizing> = Vec::new();
        let workers = |s: &Scenario| {
            s.pools
                .iter()
                .filter(|p| p.role == Role::Worker)
                .map(|p| (p.instance.clone(), p.capacity, p.count))
                .collect::<Vec<_>>()
        };
        for (instance, cap, n) in workers(&self.base) {
            out.push(PoolSizing { instance, spot: cap == Capacity::Spot, min_nodes: n, max_nodes: n });
        }
        for (instance, cap, n) in workers(&self.peak) {
            let spot = cap == Capacity::Spot;
            match out.iter_mut().find(|p| p.instance == instance && p.spot == spot) {
                Some(p) => p.max_nodes = p.max_nodes.max(n),
                None => out.push(PoolSizing { instance, spot, min_nodes: 0, max_nodes: n }),
            }
        }
        out.sort();
        out
    }

    /// The UNVERIFIED footnotes.
    pub fn unverified(&self) -> impl Iterator<Item = &Footnote> {
        self.footnotes.iter().filter(|f| f.unverified)
    }
}

/// A provider the demand cannot be planned on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanFailure {
    pub provider: String,
    pub reason: String,
}

/// Plans for one environment across providers, cheapest (at base) first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanSet {
    pub environment: String,
    pub plans: Vec<Plan>,
    pub failures: Vec<PlanFailure>,
    /// Requests and limits of the environment (set when planned from a model).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub right_sizing: Option<crate::rightsizing::EnvironmentTotals>,
}

/// Why planning failed for a provider.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
pub enum PlanError {
    #[error("invalid demand: {0}")]
    Demand(#[from] DemandError),
    #[error("unknown provider `{0}`")]
    UnknownProvider(String),
    #[error("{provider}: no instance type is usable (USD-priced, allowed architecture, room left after daemonsets)")]
    NoNodeTypes { provider: String },
    #[error(
        "{provider}: `{service}` requests {cpu_millis}m CPU and {memory_mib}Mi memory per replica, more than any usable instance type offers"
    )]
    DoesNotFit { provider: String, service: String, cpu_millis: u64, memory_mib: u64 },
}

fn cents(usd: f64) -> u64 {
    (usd * 100.0).round().max(0.0) as u64
}

fn usd(cents: u64) -> f64 {
    cents as f64 / 100.0
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// A node kind with the catalog row it came from.
struct KindInfo {
    row: usize,
    allocatable: Resources,
}

fn node_kinds(
    pc: &ProviderCatalog,
    demand: &Demand,
    opts: &PlanOptions,
    notes: &mut Vec<Footnote>,
) -> (Vec<Kind>, Vec<KindInfo>) {
    let mut ds = Resources::default();
    for d in &pc.daemonsets {
        ds.cpu_millis += d.cpu_millis;
        ds.memory_mib += d.memory_mib;
        ds.pods += 1;
    }
    for d in &demand.daemonsets {
        ds.cpu_millis += d.cpu_millis;
        ds.memory_mib += d.memory_mib;
        ds.pods += 1;
    }
    let mut eur_only = Vec::new();
    let mut too_small = Vec::new();
    let mut kinds = Vec::new();
    let mut infos = Vec::new();
    for (ri, row) in pc.instances.iter().enumerate() {
        let Some(price) = row.monthly_usd else {
            eur_only.push(row.instance.clone());
            continue;
        };
        if row.arch == Arch::Arm64 && !demand.allow_arm64 {
            continue;
        }
        let shape = NodeShape {
            vcpu: row.vcpu,
            memory_gib: row.memory_gib,
            max_pods: row.max_pods.unwrap_or(pc.provider.default_max_pods),
            measured_memory_mib: row.allocatable_memory_mib,
        };
        let alloc = allocatable(pc.provider.allocatable, shape, opts.allocatable).saturating_sub(ds);
        if !alloc.is_positive() {
            too_small.push(row.instance.clone());
            continue;
        }
        let cap = [alloc.cpu_millis, alloc.memory_mib, alloc.pods];
        kinds.push(Kind { name: row.instance.clone(), spot: false, price_cents: cents(price), cap });
        infos.push(KindInfo { row: ri, allocatable: alloc });
        if let Some(spot) = row.spot_monthly_usd {
            kinds.push(Kind { name: row.instance.clone(), spot: true, price_cents: cents(spot), cap });
            infos.push(KindInfo { row: ri, allocatable: alloc });
        }
    }
    if !eur_only.is_empty() {
        notes.push(Footnote {
            unverified: false,
            subject: "catalog".into(),
            text: format!("not planned with (EUR price only): {}", eur_only.join(", ")),
        });
    }
    if !too_small.is_empty() {
        notes.push(Footnote {
            unverified: false,
            subject: "catalog".into(),
            text: format!("no room left after daemonsets: {}", too_small.join(", ")),
        });
    }
    (kinds, infos)
}

/// Plans one environment on one provider.
///
/// # Errors
/// An invalid demand, no usable instance type, or a replica larger than any node.
pub fn plan_provider(demand: &Demand, pc: &ProviderCatalog, opts: &PlanOptions) -> Result<Plan, PlanError> {
    demand.validate()?;
    let provider = pc.provider.name.clone();
    let mut notes = Vec::new();
    let (kinds, infos) = node_kinds(pc, demand, opts, &mut notes);
    if kinds.is_empty() {
        return Err(PlanError::NoNodeTypes { provider });
    }
    let mut workloads: Vec<&crate::demand::WorkloadDemand> = demand.workloads.iter().collect();
    workloads.sort_by(|a, b| a.name.cmp(&b.name));

    let scenario = |peak: bool, notes: &mut Vec<Footnote>| -> Result<Scenario, PlanError> {
        let (problem, labels) = placement_problem(demand, &kinds, peak);
        let sol = optimize::solve(&problem, opts.solve).map_err(|e| match e {
            SolveError::NoNodeTypes => PlanError::NoNodeTypes { provider: provider.clone() },
            SolveError::DoesNotFit { item } => {
                let w = workloads[problem.items[item].service as usize];
                PlanError::DoesNotFit {
                    provider: provider.clone(),
                    service: w.name.clone(),
                    cpu_millis: w.cpu_millis,
                    memory_mib: w.memory_mib,
                }
            }
        })?;
        Ok(build_scenario(pc, demand, &problem, &kinds, &infos, &labels, &sol, peak, notes))
    };
    let base = scenario(false, &mut notes)?;
    let peak = scenario(true, &mut notes)?;
    footnotes(pc, demand, &base, &peak, opts, &mut notes);
    notes.sort();
    notes.dedup();
    Ok(Plan {
        environment: demand.environment.clone(),
        provider,
        display_name: pc.provider.display_name.clone(),
        region: pc.provider.region.clone(),
        production: demand.production,
        base,
        peak,
        footnotes: notes,
    })
}

/// The placement problem of a demand at base (`peak == false`) or peak replicas on the
/// given node kinds, with a label (`service/replica`) per item. Services are numbered
/// in name order.
pub fn placement_problem(demand: &Demand, kinds: &[Kind], peak: bool) -> (Problem, Vec<String>) {
    let mut workloads: Vec<&crate::demand::WorkloadDemand> = demand.workloads.iter().collect();
    workloads.sort_by(|a, b| a.name.cmp(&b.name));
    let mut items = Vec::new();
    let mut labels = Vec::new();
    for (si, w) in workloads.iter().enumerate() {
        let n = if peak { w.replicas_peak } else { w.replicas_base };
        for r in 0..n {
            items.push(Item {
                service: si as u32,
                req: [w.cpu_millis, w.memory_mib, 1],
                on_demand_only: w.on_demand_only(),
            });
            labels.push(format!("{}/{r}", w.name));
        }
    }
    let min_nodes = if demand.production { 2 } else { 1 };
    (Problem { kinds: kinds.to_vec(), items, min_nodes }, labels)
}

/// The node kinds a provider offers a demand (instance rows after the allocatable model
/// and daemonsets; spot rows where sourced), as the planner uses them.
pub fn planner_kinds(demand: &Demand, pc: &ProviderCatalog, opts: &PlanOptions) -> Vec<Kind> {
    node_kinds(pc, demand, opts, &mut Vec::new()).0
}

#[allow(clippy::too_many_arguments)]
fn build_scenario(
    pc: &ProviderCatalog,
    demand: &Demand,
    problem: &Problem,
    kinds: &[Kind],
    infos: &[KindInfo],
    labels: &[String],
    sol: &optimize::Solution,
    peak: bool,
    notes: &mut Vec<Footnote>,
) -> Scenario {
    // Placement with stable node names.
    let mut placement = Vec::new();
    let mut counters: Vec<u32> = vec![0; kinds.len()];
    let mut req_total = Resources::default();
    let mut alloc_total = Resources::default();
    let mut bins: Vec<&optimize::Bin> = sol.bins.iter().collect();
    bins.sort_by(|a, b| {
        let (ka, kb) = (&kinds[a.kind], &kinds[b.kind]);
        (ka.name.as_str(), ka.spot, a.items.is_empty(), &a.items).cmp(&(
            kb.name.as_str(),
            kb.spot,
            b.items.is_empty(),
            &b.items,
        ))
    });
    for b in bins {
        let k = &kinds[b.kind];
        counters[b.kind] += 1;
        let capacity = if k.spot { Capacity::Spot } else { Capacity::OnDemand };
        let mut requested = Resources::default();
        let mut replicas = Vec::new();
        for &i in &b.items {
            let it = &problem.items[i];
            requested.cpu_millis += it.req[0];
            requested.memory_mib += it.req[1];
            requested.pods += it.req[2];
            replicas.push(labels[i].clone());
        }
        replicas.sort();
        let alloc = infos[b.kind].allocatable;
        req_total.cpu_millis += requested.cpu_millis;
        req_total.memory_mib += requested.memory_mib;
        req_total.pods += requested.pods;
        alloc_total.cpu_millis += alloc.cpu_millis;
        alloc_total.memory_mib += alloc.memory_mib;
        alloc_total.pods += alloc.pods;
        placement.push(NodePlacement {
            node: format!("{}-{}-{}", k.name, capacity.as_str(), counters[b.kind]),
            instance: k.name.clone(),
            capacity,
            allocatable: alloc,
            requested,
            replicas,
        });
    }
    placement.sort_by(|a, b| a.node.cmp(&b.node));

    // Pools.
    let mut pools: Vec<NodePool> = Vec::new();
    for (ki, &n) in counters.iter().enumerate() {
        if n == 0 {
            continue;
        }
        let k = &kinds[ki];
        let row = &pc.instances[infos[ki].row];
        pools.push(NodePool {
            role: Role::Worker,
            instance: k.name.clone(),
            capacity: if k.spot { Capacity::Spot } else { Capacity::OnDemand },
            count: n,
            vcpu: row.vcpu,
            memory_gib: row.memory_gib,
            allocatable: infos[ki].allocatable,
            unit_monthly_usd: usd(k.price_cents),
            monthly_usd: usd(k.price_cents * u64::from(n)),
        });
    }

    let control_plane = control_plane(pc, demand, &mut pools);
    pools.sort_by(|a, b| (a.role, a.capacity, &a.instance).cmp(&(b.role, b.capacity, &b.instance)));

    let (lb, block, object, dbs, nat) = unit_costs(pc, demand, sol.bins.len(), peak, notes);

    let nodes = usd(pools.iter().filter(|p| p.role == Role::Worker).map(|p| cents(p.monthly_usd)).sum());
    let mut cost = CostBreakdown {
        nodes_usd: round2(nodes),
        control_plane_usd: round2(control_plane),
        load_balancers_usd: round2(lb),
        block_storage_usd: round2(block),
        object_storage_usd: round2(object),
        managed_databases_usd: round2(dbs),
        nat_gateways_usd: round2(nat),
        total_usd: 0.0,
    };
    cost.total_usd = round2(cost.components().iter().map(|c| c.1).sum());

    let pct = |a: u64, b: u64| if b == 0 { 0.0 } else { round2(a as f64 * 100.0 / b as f64) };
    let utilisation = Utilisation {
        cpu_percent: pct(req_total.cpu_millis, alloc_total.cpu_millis),
        memory_percent: pct(req_total.memory_mib, alloc_total.memory_mib),
        pods_percent: pct(req_total.pods, alloc_total.pods),
    };
    let binding = [
        (Resource::Cpu, utilisation.cpu_percent),
        (Resource::Memory, utilisation.memory_percent),
        (Resource::Pods, utilisation.pods_percent),
    ]
    .into_iter()
    .fold((Resource::Cpu, f64::MIN), |acc, x| if x.1 > acc.1 { x } else { acc })
    .0;
    let lbound = sol.lower_bound_cents.min(sol.cost_cents);
    let gap =
        if sol.exact || lbound == 0 { 0.0 } else { round2((sol.cost_cents - lbound) as f64 * 100.0 / lbound as f64) };
    Scenario {
        replicas: problem.items.len() as u64,
        nodes: sol.bins.len() as u32,
        pools,
        binding,
        utilisation,
        cost,
        solver: SolverReport {
            method: if sol.exact { Method::Exact } else { Method::Heuristic },
            nodes_usd: usd(sol.cost_cents),
            lower_bound_usd: usd(lbound),
            gap_percent: gap,
            explored: sol.explored,
        },
        placement,
    }
}

/// The control plane's monthly price; a self-managed one adds its nodes to `pools`.
fn control_plane(pc: &ProviderCatalog, demand: &Demand, pools: &mut Vec<NodePool>) -> f64 {
    let cp = &pc.control_plane;
    let mut control_plane =
        if demand.production { cp.ha_monthly_usd.unwrap_or(cp.monthly_usd) } else { cp.monthly_usd };
    if let Some(inst) = &cp.self_managed_instance {
        let n = if demand.production { cp.self_managed_nodes_ha } else { cp.self_managed_nodes };
        if let Some(row) = pc.instance(inst)
            && let Some(price) = row.monthly_usd
            && n > 0
        {
            control_plane += price * f64::from(n);
            pools.push(NodePool {
                role: Role::ControlPlane,
                instance: inst.clone(),
                capacity: Capacity::OnDemand,
                count: n,
                vcpu: row.vcpu,
                memory_gib: row.memory_gib,
                allocatable: Resources::default(),
                unit_monthly_usd: price,
                monthly_usd: round2(price * f64::from(n)),
            });
        }
    }
    control_plane
}

/// The fixed and per-unit costs: load balancers, block and object storage, managed
/// databases and NAT gateways (for `nodes` nodes); what cannot be priced is a footnote.
fn unit_costs(
    pc: &ProviderCatalog,
    demand: &Demand,
    nodes: usize,
    peak: bool,
    notes: &mut Vec<Footnote>,
) -> (f64, f64, f64, f64, f64) {
    let lb = match pc.load_balancer.monthly_usd {
        Some(p) => p * f64::from(demand.load_balancers),
        None => {
            if demand.load_balancers > 0 {
                notes.push(unpriced("load balancers", "no USD price in the catalog"));
            }
            0.0
        }
    };
    let volume_gib: u64 = demand
        .volumes
        .iter()
        .map(|v| u64::from(v.size_gib) * u64::from(if peak { v.count_peak } else { v.count_base }))
        .sum();
    let block = match pc.block_storage.usd_per_gib_month {
        Some(p) => p * volume_gib as f64,
        None => {
            if volume_gib > 0 {
                let eur =
                    pc.block_storage.eur_per_gib_month.map(|e| format!(" (EUR {e}/GiB-month)")).unwrap_or_default();
                notes.push(unpriced("block storage", &format!("{volume_gib} GiB not priced: no USD price{eur}")));
            }
            0.0
        }
    };
    let object = pc.object_storage.monthly_usd(demand.object_storage_gib).unwrap_or_else(|| {
        notes.push(unpriced("object storage", "no USD price in the catalog"));
        0.0
    });
    if !pc.object_storage.fully_priced(demand.object_storage_gib) {
        notes.push(unpriced(
            "object storage",
            &format!("{} GiB: only the base fee is priced ({})", demand.object_storage_gib, pc.object_storage.note),
        ));
    }
    let dbs = managed_databases(pc, demand, peak, notes);
    let nat = pc.nat_gateway.as_ref().map_or(0.0, |n| {
        n.monthly_usd * f64::from(if demand.production { n.count_production } else { n.count })
            + n.per_node_monthly_usd * nodes as f64
    });
    (lb, block, object, dbs, nat)
}

/// The managed databases' monthly price, with a footnote per database (base scenario).
fn managed_databases(pc: &ProviderCatalog, demand: &Demand, peak: bool, notes: &mut Vec<Footnote>) -> f64 {
    let mut dbs = 0.0;
    for db in &demand.managed_databases {
        match managed_database_row(pc, db) {
            Some(r) => {
                dbs += r.monthly_cost(db.storage_gib, db.ha);
                if !peak {
                    let ha = if db.ha { format!(", HA x{}", r.ha_multiplier) } else { String::new() };
                    notes.push(Footnote {
                        unverified: r.unverified,
                        subject: format!("managed {} `{}`", db.engine, db.name),
                        text: format!(
                            "{} ({} vCPU, {} GiB{ha}, {} GiB storage): ${:.2}/month; {} ({})",
                            r.name,
                            r.vcpu,
                            r.memory_gib,
                            db.storage_gib,
                            r.monthly_cost(db.storage_gib, db.ha),
                            r.source,
                            r.as_of
                        ),
                    });
                }
            }
            None => notes.push(unpriced(
                &format!("managed {} `{}`", db.engine, db.name),
                "no managed-database class in the catalog fits it: not included",
            )),
        }
    }
    dbs
}

/// The class a managed database is priced at: the smallest (cheapest) one of its
/// engine whose memory covers the demand and that can be highly available when it
/// must be.
pub fn managed_database_row<'a>(
    pc: &'a ProviderCatalog,
    db: &crate::demand::ManagedDatabase,
) -> Option<&'a crate::catalog::ManagedDatabaseRow> {
    pc.managed_databases
        .iter()
        .filter(|r| r.engine == db.engine && (!db.ha || r.ha_capable) && r.memory_gib * 1024.0 >= db.memory_mib as f64)
        .min_by(|a, b| a.monthly_usd.total_cmp(&b.monthly_usd).then(a.name.cmp(&b.name)))
}

fn unpriced(subject: &str, text: &str) -> Footnote {
    Footnote { unverified: true, subject: subject.to_owned(), text: text.to_owned() }
}

fn footnotes(
    pc: &ProviderCatalog,
    demand: &Demand,
    base: &Scenario,
    peak: &Scenario,
    opts: &PlanOptions,
    notes: &mut Vec<Footnote>,
) {
    let mut used: Vec<&str> = base.pools.iter().chain(&peak.pools).map(|p| p.instance.as_str()).collect();
    used.sort_unstable();
    used.dedup();
    for name in used {
        if let Some(row) = pc.instance(name) {
            if row.unverified {
                let text =
                    if row.note.is_empty() { row.source.clone() } else { format!("{} ({})", row.source, row.note) };
                notes.push(Footnote { unverified: true, subject: format!("{name} price"), text });
            } else if !row.note.is_empty() {
                notes.push(Footnote { unverified: false, subject: name.to_owned(), text: row.note.clone() });
            }
        }
    }
    let cp = &pc.control_plane;
    if cp.unverified || (demand.production && cp.ha_monthly_usd.is_none() && cp.self_managed_instance.is_none()) {
        notes.push(Footnote { unverified: true, subject: "control plane".into(), text: cp.note.clone() });
    }
    if let Some(n) = &pc.nat_gateway {
        notes.push(Footnote {
            unverified: n.unverified,
            subject: "NAT gateways".into(),
            text: format!(
                "{} per gateway-month, {} in production / {} otherwise, {} per node-month; {} ({}){}",
                n.monthly_usd,
                n.count_production,
                n.count,
                n.per_node_monthly_usd,
                n.source,
                n.as_of,
                if n.note.is_empty() { String::new() } else { format!("; {}", n.note) }
            ),
        });
    }
    if demand.load_balancers > 0 && pc.load_balancer.unverified {
        notes.push(Footnote { unverified: true, subject: "load balancer".into(), text: pc.load_balancer.note.clone() });
    }
    let has_volumes = demand.volumes.iter().any(|v| v.size_gib > 0);
    if has_volumes && pc.block_storage.unverified && pc.block_storage.usd_per_gib_month.is_some() {
        notes.push(Footnote {
            unverified: true,
            subject: "block storage".into(),
            text: format!("{} ({})", pc.block_storage.source, pc.block_storage.note).replace(" ()", ""),
        });
    }
    if demand.object_storage_gib > 0 && pc.object_storage.unverified {
        notes.push(Footnote {
            unverified: true,
            subject: "object storage".into(),
            text: pc.object_storage.note.clone(),
        });
    }
    for d in pc.daemonsets.iter().filter(|d| d.unverified) {
        notes.push(Footnote { unverified: true, subject: format!("daemonset {}", d.name), text: d.source.clone() });
    }
    if !pc.provider.note.is_empty() {
        notes.push(Footnote {
            unverified: pc.provider.note.contains("UNVERIFIED"),
            subject: "provider".into(),
            text: pc.provider.note.clone(),
        });
    }
    if pc.provider.allocatable == crate::allocatable::AllocatableModel::Aks {
        notes.push(Footnote {
            unverified: false,
            subject: "allocatable".into(),
            text: format!(
                "AKS 1.{} with max-pods {} assumed",
                opts.allocatable.aks_minor_version, opts.allocatable.aks_max_pods
            ),
        });
    }
}

/// Plans one environment on the given providers (all catalog providers when empty),
/// in parallel. Providers that cannot host the demand are listed as failures.
///
/// # Errors
/// Only an invalid demand or an unknown provider name; per-provider planning
/// problems are reported in [`PlanSet::failures`].
pub fn plan_all(
    demand: &Demand,
    catalog: &Catalog,
    providers: &[String],
    opts: &PlanOptions,
) -> Result<PlanSet, PlanError> {
    demand.validate()?;
    let mut chosen: Vec<&ProviderCatalog> = Vec::new();
    if providers.is_empty() {
        chosen.extend(catalog.providers.iter());
    } else {
        for name in providers {
            let pc = catalog.provider(name).ok_or_else(|| PlanError::UnknownProvider(name.clone()))?;
            if !chosen.iter().any(|c| c.provider.name == pc.provider.name) {
                chosen.push(pc);
            }
        }
    }
    let results: Vec<(String, Result<Plan, PlanError>)> =
        chosen.par_iter().map(|pc| (pc.provider.name.clone(), plan_provider(demand, pc, opts))).collect();
    let mut plans = Vec::new();
    let mut failures = Vec::new();
    for (provider, r) in results {
        match r {
            Ok(p) => plans.push(p),
            Err(e) => failures.push(PlanFailure { provider, reason: e.to_string() }),
        }
    }
    plans.sort_by(|a, b| a.base.cost.total_usd.total_cmp(&b.base.cost.total_usd).then(a.provider.cmp(&b.provider)));
    failures.sort_by(|a, b| a.provider.cmp(&b.provider));
    Ok(PlanSet { environment: demand.environment.clone(), plans, failures, right_sizing: None })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demand::WorkloadDemand;
    use crate::testkit::{Rng, brute_force};

    /// Random small demands on the real catalogs: the plan's base and peak node cost is
    /// the brute-force optimum of the same placement problem.
    #[test]
    fn base_and_peak_agree_with_brute_force_on_small_demands() {
        let catalog = Catalog::embedded().expect("catalog");
        let mut rng = Rng::new(0x0b1e_57a7);
        let mut compared = 0;
        for case in 0..60 {
            let pc = &catalog.providers[case % catalog.providers.len()];
            let nw = rng.range(1, 3) as usize;
            let workloads: Vec<WorkloadDemand> = (0..nw)
                .map(|i| {
                    let base = rng.range(1, 2) as u32;
                    WorkloadDemand {
                        name: format!("w{i}"),
                        cpu_millis: [100, 250, 500, 1000, 1500][rng.range(0, 4) as usize],
                        memory_mib: [128, 512, 1024, 2048, 3072][rng.range(0, 4) as usize],
                        replicas_base: base,
                        replicas_peak: base + rng.range(0, 2) as u32,
                        spot_ok: rng.chance(50),
                        stateful: rng.chance(30),
                    }
                })
                .collect();
            let demand = Demand { environment: "t".into(), production: rng.chance(50), workloads, ..Demand::default() };
            let opts = PlanOptions::default();
            let Ok(plan) = plan_provider(&demand, pc, &opts) else { continue };
            // Brute force enumerates node multisets: keep the kinds few.
            let kinds = planner_kinds(&demand, pc, &opts);
            if kinds.len() > 8 {
                continue;
            }
            for (peak, sc) in [(false, &plan.base), (true, &plan.peak)] {
                let (problem, _) = placement_problem(&demand, &kinds, peak);
                if problem.items.len() > 7 {
                    continue;
                }
                let brute = brute_force(&problem).expect("feasible: the planner found a placement");
                assert_eq!(
                    cents(sc.solver.nodes_usd),
                    brute,
                    "case {case} {} {}: {demand:?}",
                    pc.provider.name,
                    if peak { "peak" } else { "base" }
                );
                assert_eq!(sc.solver.method, Method::Exact);
                compared += 1;
            }
        }
        assert!(compared >= 40, "only {compared} scenarios compared");
    }
}
