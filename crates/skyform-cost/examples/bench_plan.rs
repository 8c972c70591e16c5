//! Benchmark: plans a generated platform across every catalog provider and prints
//! wall-clock times. No benchmark framework; run with
//! `cargo run --release -p skyform-cost --example bench_plan -- [SERVICES] [RUNS]`.

use std::time::Instant;

#[path = "../tests/support/fixtures.rs"]
mod fixtures;

use skyform_cost::{Catalog, PlanOptions, plan_all, plan_environment};

const EXAMPLES: [(&str, &str); 2] = [
    ("health-platform", include_str!("../../../examples/health-platform/platform.yaml")),
    ("resimate", include_str!("../../../examples/resimate/platform.yaml")),
];

fn median(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[v.len() / 2], v[0], v[v.len() - 1])
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let services: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(1000);
    let runs: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(5);
    let catalog = Catalog::embedded()?;
    let opts = PlanOptions::default();

    // Both example platforms: every environment x every catalog provider.
    let all: Vec<String> = catalog.provider_names().iter().map(|s| (*s).to_owned()).collect();
    for (name, text) in EXAMPLES {
        let model = skyform_model::compile(text).map_err(|d| format!("{name}: {} diagnostics", d.len()))?;
        let mut times = Vec::new();
        let mut plans = 0;
        for _ in 0..runs.max(1) {
            let t = Instant::now();
            plans = 0;
            for env in &model.environments {
                plans += plan_environment(&model, env, &all, &catalog, &opts)?.plans.len();
            }
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        let (med, min, max) = median(times);
        println!(
            "example {name}: {} environments x {} providers = {plans} plans (base + peak each): median {med:.1} ms, min {min:.1} ms, max {max:.1} ms over {} runs",
            model.environments.len(),
            all.len(),
            runs.max(1)
        );
    }

    let health = fixtures::health_platform_production();
    let synthetic = fixtures::synthetic(services, 42);
    for (name, demand) in [("health-platform (production)", &health), ("synthetic", &synthetic)] {
        let replicas: u32 = demand.workloads.iter().map(|w| w.replicas_peak).sum();
        let mut times = Vec::new();
        let mut last = None;
        for _ in 0..runs.max(1) {
            let t = Instant::now();
            let set = plan_all(demand, &catalog, &[], &opts)?;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            last = Some(set);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "{name}: {} services, {replicas} peak replicas, {} providers x (base + peak): median {:.1} ms, min {:.1} ms, max {:.1} ms over {} runs",
            demand.workloads.len(),
            catalog.providers.len(),
            times[times.len() / 2],
            times[0],
            times[times.len() - 1],
            times.len()
        );
        if let Some(set) = last {
            for p in &set.plans {
                println!(
                    "  {:13} base {:4} nodes ${:>10.2} ({:?}, gap {:.2}%)  peak {:4} nodes ${:>10.2} ({:?}, gap {:.2}%)",
                    p.provider,
                    p.base.nodes,
                    p.base.cost.total_usd,
                    p.base.solver.method,
                    p.base.solver.gap_percent,
                    p.peak.nodes,
                    p.peak.cost.total_usd,
                    p.peak.solver.method,
                    p.peak.solver.gap_percent
                );
            }
            for f in &set.failures {
                println!("  {}: {}", f.provider, f.reason);
            }
        }
    }
    Ok(())
}
