//! The version table: every component skyform can install, in one place.
//!
//! Each row names the Helm chart, its repository, the exact pinned chart version, the
//! application version it ships, the namespace it is installed into, the custom-resource
//! API groups it serves, its install wave and the components it needs first. Pins come
//! from the charts' own `Chart.yaml` files (see each row's `source`); a test checks
//! that every chart pin is an exact version (no ranges, no `latest`).
//!
//! The pod footprint of each row is what the values of [`crate::values`] request for
//! the component's pods; the cost planner counts it (`skyform-cost`'s overhead module),
//! so the two never disagree.

use skyform_model::PodSecurityLevel;

/// A component skyform can install.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ComponentId {
    CertManager,
    ExternalSecrets,
    SealedSecrets,
    KubePrometheusStack,
    Loki,
    Promtail,
    FluentBit,
    Velero,
    Keda,
    KnativeOperator,
    Cnpg,
    BarmanCloud,
    ExternalDns,
    IngressNginx,
    Traefik,
    HaproxyIngress,
    EnvoyGateway,
    ArgoCd,
}

/// Where a component is installed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Namespace {
    /// A fixed namespace.
    Fixed(&'static str),
    /// The platform's observability namespace (`observability.namespace`, default `monitoring`).
    Observability,
    /// The ingress controller's namespace (`ingress.namespace`).
    Ingress,
}

/// Pods of a component, with the requests its values set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pods {
    pub name: &'static str,
    /// Replicas outside production (ignored for per-node pods).
    pub replicas: u32,
    /// Replicas in production.
    pub replicas_production: u32,
    pub cpu_millis: u64,
    pub memory_mib: u64,
    /// A DaemonSet: one pod on every node.
    pub per_node: bool,
}

const fn pods(name: &'static str, replicas: u32, replicas_production: u32, cpu_millis: u64, memory_mib: u64) -> Pods {
    Pods { name, replicas, replicas_production, cpu_millis, memory_mib, per_node: false }
}

const fn per_node(name: &'static str, cpu_millis: u64, memory_mib: u64) -> Pods {
    Pods { name, replicas: 1, replicas_production: 1, cpu_millis, memory_mib, per_node: true }
}

/// One row of the version table.
#[derive(Clone, Copy, Debug)]
pub struct Component {
    pub id: ComponentId,
    /// Helm release name (also the Argo CD Application / Flux HelmRelease suffix).
    pub release: &'static str,
    pub chart: &'static str,
    /// Chart repository: an `https://` index or an `oci://` registry path.
    pub repo: &'static str,
    /// Exact chart version.
    pub version: &'static str,
    /// Version of the software the chart installs (empty when the chart's own
    /// `appVersion` was not confirmed).
    pub app_version: &'static str,
    pub namespace: Namespace,
    /// Custom-resource API groups the component serves once installed.
    pub groups: &'static [&'static str],
    /// Install order: every component of a lower wave is installed (and its CRDs
    /// established) first.
    pub wave: i32,
    /// Components that must be installed before this one.
    pub needs: &'static [ComponentId],
    /// Pod Security level the component's namespace must allow.
    pub pod_security: PodSecurityLevel,
    /// Why the namespace is not `restricted` (an annotation on the Namespace).
    pub pod_security_reason: &'static str,
    /// What the component runs, with the requests its values set.
    pub pods: &'static [Pods],
    /// Where the pin comes from.
    pub source: &'static str,
}

impl Component {
    /// Whether the chart comes from an OCI registry.
    pub fn is_oci(&self) -> bool {
        self.repo.starts_with("oci://")
    }
}

/// What the ingress controllers' rows share (the rest of this row is replaced by each).
const INGRESS_CONTROLLER: Component = Component {
    id: ComponentId::IngressNginx,
    release: "",
    chart: "",
    repo: "",
    version: "",
    app_version: "",
    namespace: Namespace::Ingress,
    groups: &[],
    wave: 2,
    needs: &[],
    pod_security: PodSecurityLevel::Baseline,
    pod_security_reason: "the controller binds ports 80 and 443 with the NET_BIND_SERVICE capability",
    pods: &[],
    source: "",
};

/// The version table, in install order (wave, then name).
pub const TABLE: &[Component] = &[
    Component {
        id: ComponentId::ArgoCd,
        release: "argocd",
        chart: "argo-cd",
        repo: "https://argoproj.github.io/argo-helm",
        version: "10.1.1",
        app_version: "v3.4.4",
        namespace: Namespace::Fixed("argocd"),
        groups: &["argoproj.io"],
        wave: 0,
        needs: &[],
        pod_security: PodSecurityLevel::Restricted,
        pod_security_reason: "",
        pods: &[
            pods("application-controller", 1, 1, 250, 512),
            pods("repo-server", 1, 2, 100, 256),
            pods("server", 1, 2, 50, 128),
            pods("redis", 1, 1, 50, 64),
        ],
        source: "argoproj/argo-helm charts/argo-cd/Chart.yaml",
    },
    Component {
        id: ComponentId::KubePrometheusStack,
        release: "kube-prometheus-stack",
        chart: "kube-prometheus-stack",
        repo: "https://prometheus-community.github.io/helm-charts",
        version: "88.5.3",
        app_version: "v0.93.1",
        namespace: Namespace::Observability,
        groups: &["monitoring.coreos.com"],
        wave: 0,
        needs: &[],
        pod_security: PodSecurityLevel::Privileged,
        pod_security_reason: "the node exporter reads the host's /proc and /sys with hostNetwork and hostPID",
        pods: &[
            pods("prometheus-operator", 1, 1, 100, 128),
            pods("prometheus", 1, 2, 500, 2048),
            pods("alertmanager", 1, 2, 50, 128),
            pods("grafana", 1, 1, 100, 256),
            pods("kube-state-metrics", 1, 1, 50, 128),
            per_node("node-exporter", 50, 64),
        ],
        source: "prometheus-community/helm-charts charts/kube-prometheus-stack/Chart.yaml (operator v0.93.1)",
    },
    Component {
        id: ComponentId::CertManager,
        release: "cert-manager",
        chart: "cert-manager",
        repo: "https://charts.jetstack.io",
        version: "v1.21.2",
        app_version: "v1.21.2",
        namespace: Namespace::Fixed("cert-manager"),
        groups: &["cert-manager.io", "acme.cert-manager.io"],
        wave: 1,
        needs: &[],
        pod_security: PodSecurityLevel::Restricted,
        pod_security_reason: "",
        pods: &[pods("controller", 1, 2, 50, 128), pods("webhook", 1, 2, 20, 64), pods("cainjector", 1, 1, 20, 128)],
        source: "cert-manager release v1.21.2 (chart version = app version)",
    },
    Component {
        id: ComponentId::Cnpg,
        release: "cnpg",
        chart: "cloudnative-pg",
        repo: "https://cloudnative-pg.github.io/charts",
        version: "0.29.0",
        app_version: "1.30.0",
        namespace: Namespace::Fixed("cnpg-system"),
        groups: &["postgresql.cnpg.io"],
        wave: 2,
        needs: &[],
        pod_security: PodSecurityLevel::Restricted,
        pod_security_reason: "",
        pods: &[pods("operator", 1, 1, 100, 200)],
        source: "cloudnative-pg/charts charts/cloudnative-pg/Chart.yaml (CloudNativePG 1.30.0)",
    },
    Component {
        id: ComponentId::EnvoyGateway,
        release: "envoy-gateway",
        chart: "gateway-helm",
        repo: "oci://docker.io/envoyproxy",
        version: "1.9.0",
        app_version: "v1.9.0",
        namespace: Namespace::Fixed("envoy-gateway-system"),
        groups: &["gateway.networking.k8s.io", "gateway.envoyproxy.io"],
        wave: 2,
        needs: &[],
        pod_security: PodSecurityLevel::Restricted,
        pod_security_reason: "",
        pods: &[pods("envoy-gateway", 1, 1, 100, 256)],
        source: "envoyproxy/gateway release 1.9.0 (ships the Gateway API CRDs); unconfirmed upstream, verify before use",
    },
    Component {
        id: ComponentId::ExternalDns,
        release: "external-dns",
        chart: "external-dns",
        repo: "https://kubernetes-sigs.github.io/external-dns/",
        version: "1.21.1",
        app_version: "0.21.0",
        namespace: Namespace::Fixed("external-dns"),
        groups: &["externaldns.k8s.io"],
        wave: 2,
        needs: &[],
        pod_security: PodSecurityLevel::Restricted,
        pod_security_reason: "",
        pods: &[pods("external-dns", 1, 1, 50, 64)],
        source: "kubernetes-sigs/external-dns charts/external-dns/Chart.yaml",
    },
    Component {
        id: ComponentId::ExternalSecrets,
        release: "external-secrets",
        chart: "external-secrets",
        repo: "https://charts.external-secrets.io",
        version: "2.9.0",
        app_version: "v2.9.0",
        namespace: Namespace::Fixed("external-secrets"),
        groups: &["external-secrets.io", "generators.external-secrets.io"],
        wave: 2,
        needs: &[],
        pod_security: PodSecurityLevel::Restricted,
        pod_security_reason: "",
        pods: &[
            pods("controller", 1, 2, 50, 128),
            pods("webhook", 1, 2, 20, 64),
            pods("cert-controller", 1, 1, 20, 64),
        ],
        source: "external-secrets/external-secrets deploy/charts/external-secrets/Chart.yaml",
    },
    Component {
        id: ComponentId::HaproxyIngress,
        release: "haproxy-ingress",
        chart: "kubernetes-ingress",
        repo: "https://haproxytech.github.io/helm-charts",
        version: "1.45.0",
        app_version: "3.1.12",
        pods: &[pods("controller", 1, 2, 250, 400)],
        source: "haproxytech/helm-charts kubernetes-ingress/Chart.yaml (snapshot)",
        ..INGRESS_CONTROLLER
    },
    Component {
        id: ComponentId::IngressNginx,
        release: "ingress-nginx",
        chart: "ingress-nginx",
        repo: "https://kubernetes.github.io/ingress-nginx",
        version: "4.15.1",
        app_version: "1.15.1",
        pods: &[pods("controller", 1, 2, 100, 90)],
        source: "kubernetes/ingress-nginx charts/ingress-nginx/Chart.yaml; the project is retired (no fixes after March 2026)",
        ..INGRESS_CONTROLLER
    },
    Component {
        id: ComponentId::Keda,
        release: "keda",
        chart: "keda",
        repo: "https://kedacore.github.io/charts",
        version: "2.20.2",
        app_version: "2.20.2",
        namespace: Namespace::Fixed("keda"),
        groups: &["keda.sh", "eventing.keda.sh"],
        wave: 2,
        needs: &[],
        pod_security: PodSecurityLevel::Restricted,
        pod_security_reason: "",
        pods: &[
            pods("operator", 1, 1, 100, 100),
            pods("metrics-apiserver", 1, 1, 100, 100),
            pods("admission-webhooks", 1, 1, 100, 100),
        ],
        source: "kedacore/charts keda/Chart.yaml",
    },
    Component {
        id: ComponentId::KnativeOperator,
        release: "knative-operator",
        chart: "knative-operator",
        repo: "https://knative.github.io/operator",
        version: "v1.21.0",
        app_version: "v1.21.0",
        namespace: Namespace::Fixed("knative-operator"),
        groups: &[
            "operator.knative.dev",
            "serving.knative.dev",
            "networking.internal.knative.dev",
            "autoscaling.internal.knative.dev",
            "caching.internal.knative.dev",
        ],
        wave: 2,
        needs: &[],
        pod_security: PodSecurityLevel::Restricted,
        pod_security_reason: "",
        pods: &[
            pods("knative-operator", 1, 1, 100, 100),
            pods("serving-activator", 1, 2, 300, 60),
            pods("serving-autoscaler", 1, 1, 100, 100),
            pods("serving-controller", 1, 1, 100, 100),
            pods("serving-webhook", 1, 1, 100, 100),
            pods("net-kourier-controller", 1, 1, 200, 200),
            pods("kourier-gateway", 1, 2, 200, 200),
        ],
        source: "knative.dev v1.21 docs (operator chart version = operator tag); Serving comes from the KnativeServing resource",
    },
    Component {
        id: ComponentId::SealedSecrets,
        release: "sealed-secrets",
        chart: "sealed-secrets",
        repo: "https://bitnami-labs.github.io/sealed-secrets",
        version: "2.18.5",
        app_version: "0.36.6",
        // kubeseal's defaults: controller `sealed-secrets-controller` in `kube-system`
        // (the seal commands the secrets add-on writes rely on them).
        namespace: Namespace::Fixed("kube-system"),
        groups: &["bitnami.com"],
        wave: 2,
        needs: &[],
        pod_security: PodSecurityLevel::Restricted,
        pod_security_reason: "",
        pods: &[pods("controller", 1, 1, 50, 64)],
        source: "bitnami-labs/sealed-secrets helm/sealed-secrets/Chart.yaml",
    },
    Component {
        id: ComponentId::Traefik,
        release: "traefik",
        chart: "traefik",
        repo: "https://traefik.github.io/charts",
        version: "41.3.0",
        app_version: "v3.7.11",
        namespace: Namespace::Ingress,
        groups: &["traefik.io"],
        wave: 2,
        needs: &[],
        pod_security: PodSecurityLevel::Restricted,
        pod_security_reason: "",
        pods: &[pods("traefik", 1, 2, 100, 128)],
        source: "traefik/traefik-helm-chart traefik/Chart.yaml",
    },
    Component {
        id: ComponentId::Velero,
        release: "velero",
        chart: "velero",
        repo: "https://vmware-tanzu.github.io/helm-charts",
        version: "12.1.0",
        app_version: "1.18.1",
        namespace: Namespace::Fixed("velero"),
        groups: &["velero.io"],
        wave: 2,
        needs: &[],
        pod_security: PodSecurityLevel::Privileged,
        pod_security_reason: "the node agent reads pod volumes from the host (hostPath /var/lib/kubelet/pods)",
        pods: &[pods("velero", 1, 1, 500, 128), per_node("node-agent", 100, 256)],
        source: "vmware-tanzu/helm-charts charts/velero/Chart.yaml; Velero >= 1.18.1 for CVE-2026-32637",
    },
    Component {
        id: ComponentId::Loki,
        release: "loki",
        chart: "loki",
        repo: "https://grafana-community.github.io/helm-charts",
        version: "18.11.0",
        app_version: "3.7.6",
        namespace: Namespace::Observability,
        groups: &[],
        wave: 3,
        needs: &[],
        pod_security: PodSecurityLevel::Privileged,
        pod_security_reason: "shares the observability namespace with the node exporter",
        pods: &[pods("loki", 1, 1, 250, 512), pods("gateway", 1, 1, 50, 64)],
        source: "grafana-community/helm-charts charts/loki/Chart.yaml (the chart moved from the grafana repository)",
    },
    Component {
        id: ComponentId::BarmanCloud,
        release: "plugin-barman-cloud",
        chart: "plugin-barman-cloud",
        repo: "https://cloudnative-pg.github.io/charts",
        version: "0.7.0",
        app_version: "v0.13.0",
        namespace: Namespace::Fixed("cnpg-system"),
        groups: &["barmancloud.cnpg.io"],
        wave: 3,
        needs: &[ComponentId::CertManager, ComponentId::Cnpg],
        pod_security: PodSecurityLevel::Restricted,
        pod_security_reason: "",
        pods: &[pods("barman-cloud", 1, 1, 50, 64)],
        source: "cloudnative-pg/charts charts/plugin-barman-cloud/Chart.yaml",
    },
    Component {
        id: ComponentId::FluentBit,
        release: "fluent-bit",
        chart: "fluent-bit",
        repo: "https://fluent.github.io/helm-charts",
        version: "0.58.1",
        app_version: "5.1.1",
        namespace: Namespace::Observability,
        groups: &[],
        wave: 4,
        needs: &[ComponentId::Loki],
        pod_security: PodSecurityLevel::Privileged,
        pod_security_reason: "reads container logs from the host (hostPath /var/log/containers)",
        pods: &[per_node("fluent-bit", 50, 64)],
        source: "fluent/helm-charts charts/fluent-bit/Chart.yaml",
    },
    Component {
        id: ComponentId::Promtail,
        release: "promtail",
        chart: "promtail",
        repo: "https://grafana.github.io/helm-charts",
        version: "6.17.1",
        app_version: "",
        namespace: Namespace::Observability,
        groups: &[],
        wave: 4,
        needs: &[ComponentId::Loki],
        pod_security: PodSecurityLevel::Privileged,
        pod_security_reason: "reads container logs from the host (hostPath /var/log/pods)",
        pods: &[per_node("promtail", 50, 128)],
        source: "grafana/helm-charts charts/promtail/Chart.yaml; Promtail reached end of life on 2026-03-02 (prefer loki-fluent-bit)",
    },
];

/// The row of a component.
pub fn component(id: ComponentId) -> &'static Component {
    TABLE.iter().find(|c| c.id == id).unwrap_or(&TABLE[0])
}

/// The component serving an API group, if skyform knows one.
pub fn serving(group: &str) -> Option<&'static Component> {
    TABLE.iter().find(|c| c.groups.contains(&group))
}

/// Whether `v` is an exact chart version: `[v]MAJOR.MINOR.PATCH` with an optional
/// pre-release/build suffix of dot-separated alphanumerics (SemVer 2), nothing else.
pub fn is_exact_version(v: &str) -> bool {
    let v = v.strip_prefix('v').unwrap_or(v);
    let (core, rest) = match v.find(['-', '+']) {
        Some(i) => (&v[..i], Some(&v[i + 1..])),
        None => (v, None),
    };
    let parts: Vec<&str> = core.split('.').collect();
    let numeric =
        |p: &&str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && (p.len() == 1 || !p.starts_with('0'));
    parts.len() == 3
        && parts.iter().all(numeric)
        && rest.is_none_or(|r| {
            !r.is_empty()
                && r.split(['.', '-', '+']).all(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric()))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn every_pin_is_an_exact_version() {
        for c in TABLE {
            assert!(is_exact_version(c.version), "{}: chart version `{}` is not exact", c.release, c.version);
            assert!(
                c.app_version.is_empty() || is_exact_version(c.app_version),
                "{}: app version `{}` is not exact",
                c.release,
                c.app_version
            );
        }
    }

    #[test]
    fn exact_versions_are_recognised() {
        for ok in ["1.2.3", "v1.21.2", "0.29.0", "1.0.0-rc.1", "2.0.0+build.5"] {
            assert!(is_exact_version(ok), "{ok}");
        }
        for bad in
            ["", "1.2", "^1.2.3", "~1.2.3", ">=1.0.0", "1.2.x", "1.2.*", "latest", "01.2.3", "1.2.3-", "1.2.3 || 2.0.0"]
        {
            assert!(!is_exact_version(bad), "{bad}");
        }
    }

    #[test]
    fn rows_are_unique_and_ordered() {
        let ids: BTreeSet<ComponentId> = TABLE.iter().map(|c| c.id).collect();
        assert_eq!(ids.len(), TABLE.len());
        let releases: BTreeSet<&str> = TABLE.iter().map(|c| c.release).collect();
        assert_eq!(releases.len(), TABLE.len());
        // Every API group has one server.
        let mut groups = BTreeSet::new();
        for c in TABLE {
            for g in c.groups {
                assert!(groups.insert(*g), "group {g} is served twice");
            }
        }
        // What a component needs is installed in an earlier wave.
        for c in TABLE {
            for n in c.needs {
                assert!(component(*n).wave < c.wave, "{} needs {:?} from a later wave", c.release, n);
            }
        }
        assert!(TABLE.windows(2).all(|w| w[0].wave <= w[1].wave), "the table is in wave order");
    }

    #[test]
    fn every_group_of_the_cross_helper_contract_is_served() {
        // Groups the renderers emit or may emit (the contract between the helpers).
        for g in [
            "cert-manager.io",
            "external-secrets.io",
            "bitnami.com",
            "monitoring.coreos.com",
            "velero.io",
            "keda.sh",
            "serving.knative.dev",
            "operator.knative.dev",
            "postgresql.cnpg.io",
            "barmancloud.cnpg.io",
            "gateway.networking.k8s.io",
            "argoproj.io",
        ] {
            assert!(serving(g).is_some(), "{g} has no component");
        }
        let cnpg = component(ComponentId::Cnpg);
        assert_eq!((cnpg.chart, cnpg.version, cnpg.app_version), ("cloudnative-pg", "0.29.0", "1.30.0"));
        let barman = component(ComponentId::BarmanCloud);
        assert_eq!((barman.chart, barman.version), ("plugin-barman-cloud", "0.7.0"));
    }

    #[test]
    fn repositories_are_https_or_oci() {
        for c in TABLE {
            assert!(c.repo.starts_with("https://") || c.repo.starts_with("oci://"), "{}", c.repo);
        }
    }
}
