//! Prints the health-platform production plans (a quick look for developers).
#[path = "../tests/support/fixtures.rs"]
mod fixtures;

use skyform_cost::{Catalog, PlanOptions, plan_all};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let catalog = Catalog::embedded()?;
    let demand = fixtures::health_platform_production();
    let set = plan_all(&demand, &catalog, &[], &PlanOptions::default())?;
    for p in &set.plans {
        println!(
            "{:13} base ${:8.2} peak ${:8.2} | {} | binding {:?} {:?} | {:?} gap {}% explored {}",
            p.provider,
            p.base.cost.total_usd,
            p.peak.cost.total_usd,
            p.base
                .pools
                .iter()
                .map(|x| format!("{}x{} {}", x.count, x.instance, x.capacity.as_str()))
                .collect::<Vec<_>>()
                .join(", "),
            p.base.binding,
            p.base.utilisation,
            p.base.solver.method,
            p.base.solver.gap_percent,
            p.base.solver.explored,
        );
        println!(
            "{:13} peak: {} | {:?} gap {}%",
            "",
            p.peak
                .pools
                .iter()
                .map(|x| format!("{}x{} {}", x.count, x.instance, x.capacity.as_str()))
                .collect::<Vec<_>>()
                .join(", "),
            p.peak.solver.method,
            p.peak.solver.gap_percent
        );
    }
    for f in &set.failures {
        println!("{}: {}", f.provider, f.reason);
    }
    Ok(())
}
