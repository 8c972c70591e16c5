//! What a platform needs installed before its objects can be applied: operators,
//! the ingress controller, the observability stack, backups, DNS — as pinned Helm
//! releases with values generated from the platform file.
//!
//! ```text
//! Model + environment + provider ─┐
//!                                 ├─▶ plan() ─▶ Prerequisites { releases, namespaces, unserved }
//! objects' apiVersion/kind/ns ────┘
//! ```
//!
//! - [`table`] is the one version table (chart, repository, exact version, namespace,
//!   API groups served, install wave, what it needs first, pod footprint);
//! - [`plan`] picks the components an environment needs: every custom resource's API
//!   group in the object set (a group nobody serves is reported in
//!   [`Prerequisites::unserved`]), plus the capabilities of the model that have no
//!   custom resource of their own (the ingress controller, Loki and the log agent,
//!   External-DNS), plus what those need (the barman-cloud plugin needs cert-manager);
//! - [`values`] writes each release's values from the platform file (the Prometheus
//!   retention and storage, Grafana's dashboard sidecar, the Velero bucket and the
//!   provider's plugin, the DNS provider, single replicas outside production and on
//!   `kind`, ...).
//!
//! Consumers: `skyform apply` installs [`Release`]s with the real `helm` in wave order;
//! `--format gitops` turns them into Argo CD Applications or Flux HelmReleases;
//! `--format helm` into dependencies of the umbrella chart. The crate is pure: no I/O.

pub mod local;
pub mod table;
pub mod values;

use serde::Serialize;
use serde_json::Value;
use skyform_model::{Environment, Model, PodSecurityLevel, ProviderName};
use std::collections::{BTreeMap, BTreeSet};
pub use table::{Component, ComponentId, Namespace, Pods, TABLE, component, is_exact_version, serving};

/// The part of a rendered object the planner looks at.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ObjectRef {
    pub api_version: String,
    pub kind: String,
    pub namespace: Option<String>,
}

impl ObjectRef {
    pub fn new(api_version: &str, kind: &str, namespace: Option<&str>) -> Self {
        Self { api_version: api_version.into(), kind: kind.into(), namespace: namespace.map(str::to_string) }
    }

    /// The API group (`""` for the core group).
    pub fn group(&self) -> &str {
        api_group(&self.api_version)
    }
}

/// The group of an `apiVersion` (`""` for `v1`).
pub fn api_group(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
}

/// API groups every Kubernetes API server serves without any installation.
pub const BUILTIN_GROUPS: &[&str] = &[
    "",
    "admissionregistration.k8s.io",
    "apiextensions.k8s.io",
    "apiregistration.k8s.io",
    "apps",
    "authentication.k8s.io",
    "authorization.k8s.io",
    "autoscaling",
    "batch",
    "certificates.k8s.io",
    "coordination.k8s.io",
    "discovery.k8s.io",
    "events.k8s.io",
    "flowcontrol.apiserver.k8s.io",
    "networking.k8s.io",
    "node.k8s.io",
    "policy",
    "rbac.authorization.k8s.io",
    "resource.k8s.io",
    "scheduling.k8s.io",
    "storage.k8s.io",
];

/// Namespaces that exist in every cluster and are never created (or relabelled).
pub const SYSTEM_NAMESPACES: &[&str] = &["default", "kube-node-lease", "kube-public", "kube-system"];

/// Whether the API server serves `group` without any installation.
pub fn is_builtin(group: &str) -> bool {
    BUILTIN_GROUPS.contains(&group)
}

/// A Secret a release reads that the platform's secrets bootstrap must create (cloud
/// credentials for Velero's bucket or External-DNS's zone).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BootstrapSecret {
    pub namespace: String,
    pub name: String,
    /// Keys the release reads.
    pub keys: Vec<String>,
    /// What goes in, for the person or the Terraform output providing it.
    pub purpose: String,
}

/// One Helm release to install: everything `helm upgrade --install` needs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Release {
    pub component: ComponentId,
    /// Release name.
    pub name: String,
    pub namespace: String,
    pub chart: String,
    /// `https://` chart repository, or `oci://` registry path (then the chart reference
    /// is `<repo>/<chart>`).
    pub repo: String,
    /// Exact chart version.
    pub version: String,
    pub app_version: String,
    /// The values, as a YAML document.
    pub values_yaml: String,
    /// The same values as data.
    #[serde(skip)]
    pub values: Value,
    /// Custom-resource API groups served once the release (and its [`Release::manifests`])
    /// is installed: wait for their CRDs to be Established before applying their kinds.
    pub provides_groups: Vec<String>,
    /// Install wave: lower waves first.
    pub wave: i32,
    /// Releases (names) installed before this one.
    pub needs: Vec<String>,
    /// Objects to apply right after the chart (e.g. the KnativeServing that makes the
    /// Knative operator install Serving).
    pub manifests: Vec<Value>,
    /// Secrets the release reads that nothing in the object set creates.
    pub bootstrap_secrets: Vec<BootstrapSecret>,
}

impl Release {
    /// The chart reference for `helm install` (`<repo>/<chart>` for OCI registries,
    /// the chart name with `--repo <repo>` otherwise).
    pub fn chart_ref(&self) -> String {
        if self.repo.starts_with("oci://") {
            format!("{}/{}", self.repo.trim_end_matches('/'), self.chart)
        } else {
            self.chart.clone()
        }
    }

    /// The `helm` command line installing this release (values from `values_file`).
    pub fn helm_args(&self, values_file: &str) -> Vec<String> {
        let mut a: Vec<String> =
            vec!["upgrade".into(), "--install".into(), self.name.clone(), self.chart_ref(), "--version".into()];
        a.push(self.version.clone());
        if !self.repo.starts_with("oci://") {
            a.push("--repo".into());
            a.push(self.repo.clone());
        }
        a.extend(["--namespace".into(), self.namespace.clone(), "--values".into(), values_file.into()]);
        a.extend(["--wait".into(), "--timeout".into(), "10m".into()]);
        a
    }
}

/// A namespace the prerequisites need, with the Pod Security level its pods need.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NamespaceNeed {
    pub name: String,
    pub pod_security: PodSecurityLevel,
    /// Why it is not `restricted` (empty when it is).
    pub reason: String,
}

/// What an environment needs installed.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Prerequisites {
    /// In install order: wave, then name.
    pub releases: Vec<Release>,
    /// Custom-resource API groups of the object set that no known component serves.
    pub unserved: Vec<String>,
}

impl Prerequisites {
    /// The release of a component, if needed.
    pub fn release(&self, id: ComponentId) -> Option<&Release> {
        self.releases.iter().find(|r| r.component == id)
    }

    /// Every API group the releases serve.
    pub fn served_groups(&self) -> BTreeSet<&str> {
        self.releases.iter().flat_map(|r| r.provides_groups.iter().map(String::as_str)).collect()
    }

    /// Whether `group` is served: built in, or by one of the releases.
    pub fn serves(&self, group: &str) -> bool {
        is_builtin(group) || self.served_groups().contains(group)
    }

    /// The namespaces the releases are installed into (and that their manifests use),
    /// with the most permissive Pod Security level any of them needs, sorted; the
    /// cluster's own [`SYSTEM_NAMESPACES`] are left out.
    pub fn namespaces(&self) -> Vec<NamespaceNeed> {
        let mut out: BTreeMap<String, NamespaceNeed> = BTreeMap::new();
        let mut add = |name: &str, level: PodSecurityLevel, reason: &str| {
            let e = out.entry(name.to_string()).or_insert_with(|| NamespaceNeed {
                name: name.to_string(),
                pod_security: PodSecurityLevel::Restricted,
                reason: String::new(),
            });
            if rank(level) > rank(e.pod_security) {
                e.pod_security = level;
                e.reason = reason.to_string();
            }
        };
        for r in &self.releases {
            let c = component(r.component);
            add(&r.namespace, c.pod_security, c.pod_security_reason);
            for m in &r.manifests {
                if let Some(ns) = m.pointer("/metadata/namespace").and_then(Value::as_str) {
                    add(ns, PodSecurityLevel::Restricted, "");
                }
            }
        }
        out.into_values().filter(|n| !SYSTEM_NAMESPACES.contains(&n.name.as_str())).collect()
    }

    /// Releases grouped by wave, in order.
    pub fn waves(&self) -> Vec<(i32, Vec<&Release>)> {
        let mut m: BTreeMap<i32, Vec<&Release>> = BTreeMap::new();
        for r in &self.releases {
            m.entry(r.wave).or_default().push(r);
        }
        m.into_iter().collect()
    }
}

fn rank(l: PodSecurityLevel) -> u8 {
    match l {
        PodSecurityLevel::Restricted => 0,
        PodSecurityLevel::Baseline => 1,
        PodSecurityLevel::Privileged => 2,
    }
}

/// Whether an object completes a prerequisite's installation (it is one of a release's
/// [`Release::manifests`]): it must be applied before the custom resources it serves.
pub fn is_install_manifest(api_version: &str, kind: &str) -> bool {
    api_group(api_version) == "operator.knative.dev" && kind == "KnativeServing"
}

/// Everything the builders need.
pub struct Ctx<'a> {
    pub model: &'a Model,
    pub env: &'a Environment,
    pub provider: ProviderName,
}

impl Ctx<'_> {
    /// Whether components run highly available: production, on a real cluster.
    pub fn ha(&self) -> bool {
        self.env.production && !is_local(self.provider)
    }

    /// Whether anything of the environment is exposed through the ingress controller.
    pub fn exposed(&self) -> bool {
        self.env.services.iter().any(|s| s.expose.is_some() && !s.is_managed_on(self.provider))
    }

    /// The namespace a component is installed into.
    pub fn namespace_of(&self, c: &Component) -> String {
        match c.namespace {
            Namespace::Fixed(n) => n.to_string(),
            Namespace::Observability => self.model.observability.namespace.clone(),
            Namespace::Ingress => self.model.ingress.namespace.clone(),
        }
    }
}

pub use local::is_local;

/// `f` of the platform and environment as deployed on `provider`: on a local cluster
/// (`kind`) the local view of both (see [`local`]), elsewhere as written.
pub fn as_deployed<R>(
    model: &Model,
    env: &Environment,
    provider: ProviderName,
    f: impl FnOnce(&Model, &Environment) -> R,
) -> R {
    if is_local(provider) { f(&local::model(model), &local::environment(env)) } else { f(model, env) }
}

/// The components an environment needs, without looking at the object set: the
/// capabilities of the model (what [`plan`] adds to the API groups of the objects; the
/// cost planner sizes nodes from it). Operators the object set alone reveals (a
/// database operator of an in-cluster data service) come in through [`plan`].
pub fn needed_by_model(model: &Model, env: &Environment, provider: ProviderName) -> BTreeSet<ComponentId> {
    as_deployed(model, env, provider, |model, env| {
        let cx = Ctx { model, env, provider };
        let mut out = BTreeSet::new();
        if cx.exposed() {
            out.insert(values::ingress_controller(model.ingress.controller));
            out.insert(ComponentId::CertManager);
            if values::dns_provider(provider).is_some() {
                out.insert(ComponentId::ExternalDns);
            }
        }
        if model.observability.metrics {
            out.insert(ComponentId::KubePrometheusStack);
        }
        let in_cluster: Vec<&skyform_model::Service> =
            env.services.iter().filter(|s| !s.is_managed_on(provider)).collect();
        if in_cluster.iter().any(|s| !s.secrets.is_empty()) {
            out.insert(match model.secrets.backend {
                skyform_model::SecretsBackend::SealedSecrets => ComponentId::SealedSecrets,
                _ => ComponentId::ExternalSecrets,
            });
        }
        if env.backup && !model.backup.schedules.is_empty() {
            out.insert(ComponentId::Velero);
        }
        if in_cluster.iter().any(|s| s.autoscale.as_ref().is_some_and(|a| a.queue.is_some())) {
            out.insert(ComponentId::Keda);
        }
        if in_cluster.iter().any(|s| s.workload == skyform_model::WorkloadKind::Knative) {
            out.insert(ComponentId::KnativeOperator);
        }
        if let Some(stack) = model.observability.logs {
            let own_loki = env
                .services
                .iter()
                .any(|s| s.component == Some(skyform_model::ComponentKind::Loki) && !s.is_managed_on(provider));
            if !own_loki {
                out.insert(ComponentId::Loki);
            }
            out.insert(values::log_agent(stack));
        }
        close_over_needs(&mut out);
        out
    })
}

/// The prerequisites of one environment on one provider: the components its objects'
/// API groups and its model need, with what those need first, as releases in install
/// order. On a local cluster (`kind`) the model and environment are first adapted as
/// [`local`] describes.
pub fn plan(model: &Model, env: &Environment, provider: ProviderName, objects: &[ObjectRef]) -> Prerequisites {
    as_deployed(model, env, provider, |model, env| {
        let cx = Ctx { model, env, provider };
        let mut ids = needed_by_model(model, env, provider);
        let mut unserved = BTreeSet::new();
        for o in objects {
            let g = o.group();
            if is_builtin(g) {
                continue;
            }
            match serving(g) {
                Some(c) => {
                    ids.insert(c.id);
                }
                None => {
                    unserved.insert(g.to_string());
                }
            }
        }
        close_over_needs(&mut ids);
        let mut releases: Vec<Release> =
            TABLE.iter().filter(|c| ids.contains(&c.id)).map(|c| release(&cx, c, &ids)).collect();
        releases.sort_by(|a, b| a.wave.cmp(&b.wave).then_with(|| a.name.cmp(&b.name)));
        Prerequisites { releases, unserved: unserved.into_iter().collect() }
    })
}

/// Adds what the components need, transitively.
fn close_over_needs(ids: &mut BTreeSet<ComponentId>) {
    let mut stack: Vec<ComponentId> = ids.iter().copied().collect();
    while let Some(id) = stack.pop() {
        for n in component(id).needs {
            if ids.insert(*n) {
                stack.push(*n);
            }
        }
    }
}

fn release(cx: &Ctx<'_>, c: &Component, ids: &BTreeSet<ComponentId>) -> Release {
    let v = values::values(cx, c.id, ids);
    let values_yaml = values::to_yaml(&v);
    Release {
        component: c.id,
        name: c.release.to_string(),
        namespace: cx.namespace_of(c),
        chart: c.chart.to_string(),
        repo: c.repo.to_string(),
        version: c.version.to_string(),
        app_version: c.app_version.to_string(),
        values_yaml,
        values: v,
        provides_groups: c.groups.iter().map(|g| (*g).to_string()).collect(),
        wave: c.wave,
        needs: c.needs.iter().map(|n| component(*n).release.to_string()).collect(),
        manifests: values::manifests(cx, c.id),
        bootstrap_secrets: values::bootstrap_secrets(cx, c.id),
    }
}

#[cfg(test)]
mod tests;
