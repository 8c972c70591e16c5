//! Acceptance tests on the seed's health platform: every provider's production plan
//! is checked by an independent feasibility checker (which recomputes allocatable
//! from the catalog and re-derives every rule from the demand), and the text and
//! SVG renderings are snapshot-tested.

use std::collections::BTreeMap;
use std::sync::LazyLock;

#[path = "support/fixtures.rs"]
mod fixtures;

use skyform_cost::allocatable::{NodeShape, allocatable};
use skyform_cost::catalog::Catalog;
use skyform_cost::plan::{Capacity, Plan, Role, Scenario};
use skyform_cost::render::{Point, render_svg, render_text};
use skyform_cost::{Demand, PlanOptions, plan_all, rightsizing};

/// Verifies one scenario of a plan against the demand and the catalog.
fn check_scenario(plan: &Plan, s: &Scenario, demand: &Demand, catalog: &Catalog, peak: bool) -> Result<(), String> {
    let pc = catalog.provider(&plan.provider).ok_or("unknown provider")?;
    let opts = PlanOptions::default();
    let mut seen: BTreeMap<String, u32> = BTreeMap::new();
    let mut per_pool: BTreeMap<(String, Capacity), u32> = BTreeMap::new();
    for node in &s.placement {
        let row = pc.instance(&node.instance).ok_or(format!("{}: not in catalog", node.node))?;
        // Allocatable, recomputed: formula minus catalog and platform daemonsets.
        let shape = NodeShape {
            vcpu: row.vcpu,
            memory_gib: row.memory_gib,
            max_pods: row.max_pods.unwrap_or(pc.provider.default_max_pods),
            measured_memory_mib: row.allocatable_memory_mib,
        };
        let raw = allocatable(pc.provider.allocatable, shape, opts.allocatable);
        let ds_cpu: u64 = pc.daemonsets.iter().map(|d| d.cpu_millis).sum::<u64>()
            + demand.daemonsets.iter().map(|d| d.cpu_millis).sum::<u64>();
        let ds_mem: u64 = pc.daemonsets.iter().map(|d| d.memory_mib).sum::<u64>()
            + demand.daemonsets.iter().map(|d| d.memory_mib).sum::<u64>();
        let ds_pods = (pc.daemonsets.len() + demand.daemonsets.len()) as u64;
        let (cpu, mem, pods) = (raw.cpu_millis - ds_cpu, raw.memory_mib - ds_mem, raw.pods - ds_pods);
        let (mut rc, mut rm, mut rp) = (0u64, 0u64, 0u64);
        let mut services = Vec::new();
        for r in &node.replicas {
            let (svc, _) = r.split_once('/').ok_or("bad replica label")?;
            let w = demand.workloads.iter().find(|w| w.name == svc).ok_or(format!("unknown service {svc}"))?;
            if services.contains(&svc) {
                return Err(format!("{}: two replicas of {svc}", node.node));
            }
            services.push(svc);
            if node.capacity == Capacity::Spot && (w.stateful || !w.spot_ok) {
                return Err(format!("{}: {svc} must not run on spot", node.node));
            }
            rc += w.cpu_millis;
            rm += w.memory_mib;
            rp += 1;
            *seen.entry(r.clone()).or_default() += 1;
        }
        if rc > cpu || rm > mem || rp > pods {
            return Err(format!("{}: requests {rc}m/{rm}Mi/{rp} exceed allocatable {cpu}m/{mem}Mi/{pods}", node.node));
        }
        if node.capacity == Capacity::Spot && row.spot_monthly_usd.is_none() {
            return Err(format!("{}: no spot offering", node.node));
        }
        *per_pool.entry((node.instance.clone(), node.capacity)).or_default() += 1;
    }
    for w in &demand.workloads {
        let n = if peak { w.replicas_peak } else { w.replicas_base };
        for i in 0..n {
            let label = format!("{}/{i}", w.name);
            if seen.get(&label) != Some(&1) {
                return Err(format!("replica {label} placed {:?} times", seen.get(&label)));
            }
        }
    }
    let expected: u32 = demand.workloads.iter().map(|w| if peak { w.replicas_peak } else { w.replicas_base }).sum();
    if seen.len() as u32 != expected {
        return Err("unexpected replicas".into());
    }
    if demand.production && s.placement.len() < 2 {
        return Err("production needs at least two worker nodes".into());
    }
    // Pools agree with the placement; node cost agrees with the catalog.
    let mut nodes_cost = 0.0;
    for p in s.pools.iter().filter(|p| p.role == Role::Worker) {
        if per_pool.get(&(p.instance.clone(), p.capacity)) != Some(&p.count) {
            return Err(format!("pool {} x{} does not match the placement", p.instance, p.count));
        }
        let row = pc.instance(&p.instance).ok_or("pool not in catalog")?;
        let unit = match p.capacity {
            Capacity::OnDemand => row.monthly_usd,
            Capacity::Spot => row.spot_monthly_usd,
        }
        .ok_or("unpriced pool")?;
        nodes_cost += unit * f64::from(p.count);
    }
    if (nodes_cost - s.cost.nodes_usd).abs() > 0.011 {
        return Err(format!("nodes cost {} but pools sum to {nodes_cost}", s.cost.nodes_usd));
    }
    let sum: f64 = s.cost.components().iter().map(|c| c.1).sum();
    if (sum - s.cost.total_usd).abs() > 0.011 {
        return Err("total is not the sum of its components".into());
    }
    if s.solver.lower_bound_usd > s.solver.nodes_usd + 1e-9 {
        return Err("lower bound above cost".into());
    }
    Ok(())
}

fn compute() -> (Demand, Catalog, skyform_cost::PlanSet) {
    let catalog = Catalog::embedded().expect("catalog");
    let demand = fixtures::health_platform_production();
    let set = plan_all(&demand, &catalog, &[], &PlanOptions::default()).expect("plans");
    (demand, catalog, set)
}

static PLANS: LazyLock<(Demand, Catalog, skyform_cost::PlanSet)> = LazyLock::new(compute);

fn health_plans() -> (Demand, Catalog, skyform_cost::PlanSet) {
    PLANS.clone()
}

#[test]
fn every_provider_production_plan_is_feasible() {
    let (demand, catalog, set) = health_plans();
    assert_eq!(set.plans.len(), 8, "failures: {:?}", set.failures);
    for p in &set.plans {
        check_scenario(p, &p.base, &demand, &catalog, false).unwrap_or_else(|e| panic!("{} base: {e}", p.provider));
        check_scenario(p, &p.peak, &demand, &catalog, true).unwrap_or_else(|e| panic!("{} peak: {e}", p.provider));
        assert!(p.peak.cost.total_usd >= p.base.cost.total_usd - 1e-9, "{}", p.provider);
    }
    // Cheapest first.
    assert!(set.plans.windows(2).all(|w| w[0].base.cost.total_usd <= w[1].base.cost.total_usd));
}

#[test]
fn seed_three_small_nodes_cannot_hold_production() {
    // The seed's "3 × 2 vCPU / 4 GB for production HA" (DigitalOcean s-2vcpu-4gb):
    // the base replicas request more CPU than three such nodes can offer.
    let (demand, catalog, set) = health_plans();
    let do_ = catalog.provider("digitalocean").expect("do");
    let row = do_.instance("s-2vcpu-4gb").expect("row");
    let shape = NodeShape { vcpu: row.vcpu, memory_gib: row.memory_gib, max_pods: 110, measured_memory_mib: None };
    let a = allocatable(do_.provider.allocatable, shape, PlanOptions::default().allocatable);
    let cpu: u64 = demand.workloads.iter().map(|w| w.cpu_millis * u64::from(w.replicas_base)).sum();
    assert!(3 * a.cpu_millis < cpu, "3 x {}m vs {cpu}m", a.cpu_millis);
    let plan = set.plans.iter().find(|p| p.provider == "digitalocean").expect("plan");
    assert!(plan.base.nodes > 3);
}

#[test]
fn right_sizing_totals_in_the_seed_are_corrected() {
    let t = rightsizing::totals(&rightsizing::SEED_ROWS);
    assert_eq!((t.cpu_request_millis, t.cpu_limit_millis), (3550, 9000));
    assert_eq!((t.memory_request_mib, t.memory_limit_mib), (3712, 8448));
}

#[test]
fn planning_is_deterministic() {
    let (_, _, a) = health_plans();
    let (_, _, b) = compute();
    assert_eq!(serde_json::to_string(&a).expect("json"), serde_json::to_string(&b).expect("json"));
}

#[test]
fn text_snapshot() {
    let (_, _, set) = health_plans();
    insta::assert_snapshot!(render_text(&set));
}

#[test]
fn svg_snapshot() {
    let (_, _, set) = health_plans();
    insta::assert_snapshot!(render_svg(&set, Point::Base));
}

#[test]
fn pool_sizing_for_terraform() {
    let (_, _, set) = health_plans();
    for p in &set.plans {
        let sizing = p.pool_sizing();
        assert!(!sizing.is_empty());
        let base: u32 = sizing.iter().map(|s| s.min_nodes).sum();
        let workers: u32 = p.base.pools.iter().filter(|x| x.role == Role::Worker).map(|x| x.count).sum();
        assert_eq!(base, workers, "{}", p.provider);
    }
}

#[test]
fn example_platform_production_plans_are_feasible() {
    use skyform_cost::from_model::{demand_from_model, provider_from_key};
    let text = include_str!("../../../examples/health-platform/platform.yaml");
    let Ok(model) = skyform_model::compile(text) else {
        panic!("the health example compiles");
    };
    let catalog = Catalog::embedded().expect("catalog");
    let prod = model.environments.iter().find(|e| e.production).expect("production");
    let mut checked = 0;
    for pc in &catalog.providers {
        let provider = provider_from_key(&pc.provider.name).expect("known provider");
        let demand = demand_from_model(&model, prod, provider);
        let plan = skyform_cost::plan_provider(&demand, pc, &PlanOptions::default()).expect("plannable");
        check_scenario(&plan, &plan.base, &demand, &catalog, false)
            .unwrap_or_else(|e| panic!("{} base: {e}", plan.provider));
        check_scenario(&plan, &plan.peak, &demand, &catalog, true)
            .unwrap_or_else(|e| panic!("{} peak: {e}", plan.provider));
        checked += 1;
    }
    assert_eq!(checked, 8);
}
