//! The platform's own components in node sizing: what `skyform` installs next to the
//! services (the Prometheus stack, Loki and the log agent, the operators, the ingress
//! controller, ...; see `skyform_prereqs`), and the provider's own system daemonsets.
//!
//! - Each component's pods come from the prerequisites' version table, with the
//!   requests their generated values set, so the plan holds what is really deployed:
//!   Deployments and StatefulSets become workloads (`platform:<release>:<pod>`, never on
//!   spot nodes; one replica outside production, the production count in production),
//!   DaemonSets (node exporter, log agent, Velero's node agent) a per-node overhead.
//! - Prometheus's volume (`observability.metrics.storage`) is one per Prometheus
//!   replica; Loki's single binary keeps its index and chunks on a 10 GiB volume.
//! - The provider's system daemonsets (CNI agent, CSI node plugin, kube-proxy) come from
//!   the price catalog when it lists them; otherwise [`system_daemonsets`] adds
//!   estimates for the provider (marked as such in their names).

use crate::catalog::ProviderCatalog;
use crate::demand::{DaemonsetOverhead, Demand, VolumeDemand, WorkloadDemand};
use skyform_model::{Environment, Model, ProviderName};
use skyform_prereqs::ComponentId;

/// Pods whose data lives on a volume (StatefulSets): planned on on-demand nodes.
const STATEFUL_PODS: &[(ComponentId, &str)] = &[
    (ComponentId::KubePrometheusStack, "prometheus"),
    (ComponentId::KubePrometheusStack, "alertmanager"),
    (ComponentId::Loki, "loki"),
];

/// Size of Loki's volume (the values' `singleBinary.persistence.size`).
pub const LOKI_VOLUME_GIB: u32 = 10;

/// Adds the platform components' workloads, volumes and per-node daemonsets to `demand`.
pub fn add_components(model: &Model, env: &Environment, provider: ProviderName, demand: &mut Demand) {
    let ha = env.production && !skyform_prereqs::is_local(provider);
    for id in skyform_prereqs::needed_by_model(model, env, provider) {
        let c = skyform_prereqs::component(id);
        for p in c.pods {
            if p.per_node {
                demand.daemonsets.push(DaemonsetOverhead {
                    name: format!("{}/{}", c.release, p.name),
                    cpu_millis: p.cpu_millis,
                    memory_mib: p.memory_mib,
                });
                continue;
            }
            let replicas = if ha { p.replicas_production } else { p.replicas };
            demand.workloads.push(WorkloadDemand {
                name: format!("platform:{}:{}", c.release, p.name),
                cpu_millis: p.cpu_millis,
                memory_mib: p.memory_mib,
                replicas_base: replicas,
                replicas_peak: replicas,
                spot_ok: false,
                stateful: STATEFUL_PODS.contains(&(id, p.name)),
            });
            if id == ComponentId::KubePrometheusStack
                && p.name == "prometheus"
                && let Some(size) = model.observability.storage
            {
                demand.volumes.push(VolumeDemand {
                    name: "metrics-data".into(),
                    size_gib: u32::try_from(size.gib()).unwrap_or(u32::MAX),
                    count_base: replicas,
                    count_peak: replicas,
                });
            }
            if id == ComponentId::Loki && p.name == "loki" {
                demand.volumes.push(VolumeDemand {
                    name: "logs-data".into(),
                    size_gib: LOKI_VOLUME_GIB,
                    count_base: 1,
                    count_peak: 1,
                });
            }
        }
    }
}

/// The provider's system daemonsets when the catalog does not list them: estimates
/// (kube-proxy as the catalog's own AWS row; a CSI node plugin; the CNI agent the
/// managed offering ships).
pub fn system_daemonsets(provider: ProviderName, pc: &ProviderCatalog) -> Vec<DaemonsetOverhead> {
    if !pc.daemonsets.is_empty() {
        return Vec::new();
    }
    let ds = |name: &str, cpu_millis: u64, memory_mib: u64| DaemonsetOverhead {
        name: format!("{name} (estimate)"),
        cpu_millis,
        memory_mib,
    };
    let mut out = vec![ds("kube-proxy", 100, 0), ds("csi-node", 10, 40)];
    match provider {
        // Cilium-based managed clusters.
        ProviderName::Digitalocean | ProviderName::Civo | ProviderName::Hetzner | ProviderName::Gcp => {
            out.push(ds("cilium-agent", 100, 128));
        }
        ProviderName::Azure => out.push(ds("azure-cns", 40, 250)),
        ProviderName::Linode | ProviderName::Vultr => out.push(ds("calico-node", 250, 0)),
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLATFORM: &str = include_str!("../../../examples/health-platform/platform.yaml");

    #[test]
    fn production_counts_the_monitoring_stack_operators_and_agents() {
        let Ok(model) = skyform_model::compile(PLATFORM) else { panic!("example compiles") };
        let prod = model.environments.iter().find(|e| e.production).expect("production");
        let d = crate::demand_from_model(&model, prod, ProviderName::Aws);
        let prom = d.workloads.iter().find(|w| w.name == "platform:kube-prometheus-stack:prometheus");
        assert_eq!(prom.map(|w| (w.replicas_base, w.stateful, w.spot_ok)), Some((2, true, false)));
        assert!(d.workloads.iter().any(|w| w.name == "platform:ingress-nginx:controller"));
        assert!(d.workloads.iter().any(|w| w.name == "platform:cert-manager:controller"));
        assert!(d.daemonsets.iter().any(|x| x.name == "promtail/promtail" && x.cpu_millis > 0));
        assert!(d.daemonsets.iter().any(|x| x.name == "kube-prometheus-stack/node-exporter"));
        let metrics = d.volumes.iter().find(|v| v.name == "metrics-data");
        assert_eq!(metrics.map(|v| (v.size_gib, v.count_base)), Some((50, 2)));
        assert_eq!(d.validate(), Ok(()));
        // A development environment runs one replica of each.
        let dev = model.environments.iter().find(|e| !e.production).expect("dev");
        let d = crate::demand_from_model(&model, dev, ProviderName::Aws);
        assert!(d.workloads.iter().filter(|w| w.name.starts_with("platform:")).all(|w| w.replicas_base == 1));
    }

    #[test]
    fn system_daemonsets_come_from_the_catalog_when_it_has_them() {
        let catalog = crate::Catalog::embedded().expect("catalog");
        let aws = catalog.provider("aws").expect("aws");
        assert!(!aws.daemonsets.is_empty());
        assert!(system_daemonsets(ProviderName::Aws, aws).is_empty(), "no double counting");
        let doks = catalog.provider("digitalocean").expect("digitalocean");
        if doks.daemonsets.is_empty() {
            let ds = system_daemonsets(ProviderName::Digitalocean, doks);
            assert!(ds.iter().any(|d| d.name.starts_with("kube-proxy") && d.cpu_millis > 0));
            assert!(ds.iter().all(|d| d.name.ends_with("(estimate)")));
        }
    }
}
