//! From the resolved platform model to the planner's [`Demand`], and planning a
//! whole environment across the model's providers.
//!
//! Mapping, per environment and provider:
//! * every service that is not run as the provider's managed offering is a workload:
//!   CPU/memory **requests** per replica, replicas `min..max` as base..peak (Knative
//!   services: `minScale..maxScale`), `spot` as spot-tolerant, StatefulSets as stateful;
//! * a service the platform runs managed on this provider (`managed: [aws, …]`) is a
//!   managed database instead (engine from its component, memory from its request,
//!   HA when it has more than one replica in a production environment);
//! * storage: one volume per replica for StatefulSets, one for other workloads;
//! * exposure: every exposed service is reached through the one ingress controller, so
//!   one cloud load balancer when anything is exposed;
//! * the platform's own components (monitoring stack and its volumes, log agents per
//!   node, operators, ingress controller) and the provider's system daemonsets:
//!   [`crate::platform`].
//!
//! Object storage: the backup bucket and the replication targets, each
//! `backup.bucketSize` (at least 1 GiB: the buckets exist even when no size is given).

use skyform_model::{ComponentKind, Environment, Model, ProviderName, WorkloadKind};

use crate::catalog::Catalog;
use crate::demand::{Demand, ManagedDatabase, VolumeDemand, WorkloadDemand};
use crate::plan::{PlanError, PlanFailure, PlanOptions, PlanSet, plan_provider};
use crate::rightsizing::{EnvironmentTotals, RightSizingTotals};

/// The catalog name of a model provider (`k3s` has no catalog: on-premises).
pub fn provider_key(p: ProviderName) -> &'static str {
    p.as_str()
}

/// The model provider of a catalog name.
pub fn provider_from_key(key: &str) -> Option<ProviderName> {
    ProviderName::parse(key)
}

fn engine(c: Option<ComponentKind>) -> String {
    let s = match c {
        Some(ComponentKind::Postgres) => "postgres",
        Some(ComponentKind::Redis) => "redis",
        Some(ComponentKind::Minio) => "minio",
        Some(ComponentKind::Rabbitmq) => "rabbitmq",
        Some(ComponentKind::Jaeger) => "jaeger",
        Some(ComponentKind::Envoy) => "envoy",
        Some(ComponentKind::Kratos) => "kratos",
        Some(ComponentKind::Vault) => "vault",
        Some(ComponentKind::Nginx) => "nginx",
        Some(ComponentKind::Prometheus) => "prometheus",
        Some(ComponentKind::Grafana) => "grafana",
        Some(ComponentKind::Loki) => "loki",
        None => "service",
    };
    s.to_owned()
}

/// Object storage the Terraform roots create: the backup bucket and every replication
/// target, each `backup.bucketSize` (0 when the platform gives no size).
fn object_storage_gib(model: &Model, provider: ProviderName) -> u32 {
    if !skyform_model::ManagedService::ObjectStorage.offered_by(provider) {
        return 0;
    }
    let mut buckets: Vec<&str> = model
        .backup
        .replication
        .iter()
        .map(|r| {
            let target = r.target.split_once("://").map_or(r.target.as_str(), |(_, rest)| rest);
            target.split('/').next().unwrap_or(target)
        })
        .filter(|b| !b.is_empty())
        .collect();
    buckets.sort_unstable();
    buckets.dedup();
    let n = 1 + buckets.len() as u64;
    // The buckets exist even when the platform gives no size: at least 1 GiB, so that
    // base fees (Spaces, Linode, Civo, Vultr) are counted.
    u32::try_from((n * model.backup.bucket_size_gib).max(1)).unwrap_or(u32::MAX)
}

/// The demand of one environment of the model on one provider.
pub fn demand_from_model(model: &Model, env: &Environment, provider: ProviderName) -> Demand {
    let mut workloads = Vec::new();
    let mut volumes = Vec::new();
    let mut managed_databases = Vec::new();
    let mut exposed = false;
    for s in &env.services {
        let (base, peak) = match (&s.workload, &s.serverless) {
            (WorkloadKind::Knative, Some(k)) => (k.min_scale, k.max_scale.max(k.min_scale)),
            _ => (s.replicas.min, s.replicas.max.max(s.replicas.min)),
        };
        if s.is_managed_on(provider) {
            let engine = engine(s.component);
            // Storage as the Terraform module provisions it: at least 20 GiB (Azure
            // Flexible Server: a power of two from 32 GiB); Redis has none.
            let storage_gib = if engine == "postgres" {
                let gib = s.storage.as_ref().map_or(20, |st| st.size.gib()).max(20);
                let gib = if provider == ProviderName::Azure { gib.max(32).next_power_of_two() } else { gib };
                u32::try_from(gib).unwrap_or(u32::MAX)
            } else {
                0
            };
            managed_databases.push(ManagedDatabase {
                name: s.name.clone(),
                engine,
                memory_mib: s.resources.memory_limit.mib(),
                ha: env.production && peak > 1,
                storage_gib,
            });
            continue;
        }
        exposed |= s.expose.is_some();
        let stateful = s.workload == WorkloadKind::StatefulSet;
        workloads.push(WorkloadDemand {
            name: s.name.clone(),
            cpu_millis: s.resources.cpu_request.0,
            memory_mib: s.resources.memory_request.mib(),
            replicas_base: base,
            replicas_peak: peak,
            spot_ok: s.spot,
            stateful,
        });
        if let Some(st) = &s.storage {
            let (cb, cp) = if stateful { (base, peak) } else { (1, 1) };
            volumes.push(VolumeDemand {
                name: format!("{}-data", s.name),
                size_gib: u32::try_from(st.size.gib()).unwrap_or(u32::MAX),
                count_base: cb,
                count_peak: cp,
            });
        }
    }
    let mut demand = Demand {
        environment: env.name.clone(),
        production: env.production,
        workloads,
        volumes,
        load_balancers: u32::from(exposed),
        object_storage_gib: object_storage_gib(model, provider),
        managed_databases,
        daemonsets: Vec::new(),
        allow_arm64: false,
    };
    crate::platform::add_components(model, env, provider, &mut demand);
    demand.workloads.sort_by(|a, b| a.name.cmp(&b.name));
    demand.volumes.sort_by(|a, b| a.name.cmp(&b.name));
    demand.managed_databases.sort_by(|a, b| a.name.cmp(&b.name));
    demand
}

/// Plans one environment on the given catalog providers (default: the model's
/// providers), in parallel; each provider gets its own demand (managed services
/// differ by provider). Providers without a catalog (k3s) are reported as failures.
///
/// # Errors
/// An unknown provider name in `providers`.
pub fn plan_environment(
    model: &Model,
    env: &Environment,
    providers: &[String],
    catalog: &Catalog,
    opts: &PlanOptions,
) -> Result<PlanSet, PlanError> {
    use rayon::prelude::*;
    let names: Vec<String> = if providers.is_empty() {
        model.providers.iter().map(|p| provider_key(p.name).to_owned()).collect()
    } else {
        providers.to_vec()
    };
    let mut targets: Vec<(String, Option<ProviderName>)> = Vec::new();
    for n in names {
        if targets.iter().any(|t| t.0 == n) {
            continue;
        }
        let p = provider_from_key(&n);
        if p.is_none() && catalog.provider(&n).is_none() {
            return Err(PlanError::UnknownProvider(n));
        }
        targets.push((n, p));
    }
    let results: Vec<(String, Result<crate::plan::Plan, String>)> = targets
        .par_iter()
        .map(|(name, p)| {
            let r = match (catalog.provider(name), p) {
                (Some(pc), Some(p)) => {
                    let mut demand = demand_from_model(model, env, *p);
                    demand.daemonsets.extend(crate::platform::system_daemonsets(*p, pc));
                    plan_provider(&demand, pc, opts).map_err(|e| e.to_string())
                }
                (Some(_), None) => Err("the model does not know this provider".to_owned()),
                (None, _) => Err("no price catalog (self-managed or on-premises): not priced".to_owned()),
            };
            (name.clone(), r)
        })
        .collect();
    let mut plans = Vec::new();
    let mut failures = Vec::new();
    for (provider, r) in results {
        match r {
            Ok(p) => plans.push(p),
            Err(reason) => failures.push(PlanFailure { provider, reason }),
        }
    }
    plans.sort_by(|a, b| a.base.cost.total_usd.total_cmp(&b.base.cost.total_usd).then(a.provider.cmp(&b.provider)));
    failures.sort_by(|a, b| a.provider.cmp(&b.provider));
    Ok(PlanSet { environment: env.name.clone(), plans, failures, right_sizing: Some(right_sizing(env)) })
}

/// The environment's requests and limits (every service, managed or not), like the
/// seed's right-sizing table and its TOTAL row, plus base and peak totals.
pub fn right_sizing(env: &Environment) -> EnvironmentTotals {
    let mut t = EnvironmentTotals::default();
    for s in &env.services {
        let r = &s.resources;
        let per = RightSizingTotals {
            cpu_request_millis: r.cpu_request.0,
            cpu_limit_millis: r.cpu_limit.0,
            memory_request_mib: r.memory_request.mib(),
            memory_limit_mib: r.memory_limit.mib(),
        };
        let (base, peak) = match (&s.workload, &s.serverless) {
            (WorkloadKind::Knative, Some(k)) => (k.min_scale, k.max_scale.max(k.min_scale)),
            _ => (s.replicas.min, s.replicas.max.max(s.replicas.min)),
        };
        t.add(per, base, peak);
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLATFORM: &str = include_str!("../../../examples/health-platform/platform.yaml");

    #[test]
    fn provider_keys_round_trip() {
        for k in ["aws", "gcp", "azure", "digitalocean", "linode", "civo", "vultr", "hetzner", "k3s"] {
            assert_eq!(provider_from_key(k).map(provider_key), Some(k));
        }
        assert_eq!(provider_from_key("ibm"), None);
    }

    #[test]
    fn health_example_maps_and_plans() {
        let Ok(model) = skyform_model::compile(PLATFORM) else {
            panic!("the health example compiles");
        };
        let prod = model.environments.iter().find(|e| e.production).expect("a production environment");
        let aws = demand_from_model(&model, prod, ProviderName::Aws);
        let doks = demand_from_model(&model, prod, ProviderName::Digitalocean);
        assert_eq!(aws.validate(), Ok(()));
        // postgres-health is managed on aws, in-cluster on DigitalOcean.
        assert!(aws.managed_databases.iter().any(|d| d.name == "postgres-health"));
        assert!(!aws.workloads.iter().any(|w| w.name == "postgres-health"));
        assert!(doks.workloads.iter().any(|w| w.name == "postgres-health" && w.stateful));
        assert_eq!(doks.load_balancers, 1);
        let set = plan_environment(&model, prod, &[], &Catalog::embedded().expect("catalog"), &PlanOptions::default())
            .expect("plans");
        assert!(set.plans.len() >= 6, "{:?}", set.failures);
        assert!(set.failures.iter().any(|f| f.provider == "k3s"));
    }

    #[test]
    fn health_example_right_sizing_matches_the_corrected_seed_totals() {
        let Ok(model) = skyform_model::compile(PLATFORM) else {
            panic!("the health example compiles");
        };
        let prod = model.environments.iter().find(|e| e.production).expect("production");
        // The example has the seed's eleven services plus `ai-query`. Restricted to
        // the seed's services, the totals are the seed table's corrected TOTAL row:
        // 3.55 / 9.0 vCPU and 3712 / 8448 MiB (the seed prints 9.5 vCPU and 9.2 GB).
        let mut seed_env = prod.clone();
        seed_env.services.retain(|s| s.name != "ai-query");
        let t = right_sizing(&seed_env);
        let seed = crate::rightsizing::totals(&crate::rightsizing::SEED_ROWS);
        assert_eq!(t.services, 11);
        assert_eq!(t.per_replica, seed);
        let all = right_sizing(prod);
        assert_eq!(all.services, 12);
        assert_eq!(all.per_replica.cpu_request_millis, 3550 + 250);
        assert_eq!(all.per_replica.memory_limit_mib, 8448 + 1024);
    }
}
