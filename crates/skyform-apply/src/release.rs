//! Prerequisite releases: the operators (cert-manager, External Secrets, the Prometheus
//! operator, ...) whose CRDs and webhooks the platform's custom resources need, installed
//! as Helm releases before those resources are applied.
//!
//! This module plans; it runs nothing. A [`Release`] is plain data (whoever knows the
//! version table builds it); the engine asks a [`HelmRunner`] handed in by the caller
//! (the binary runs the real `helm` binary) what is installed and to install what is not,
//! then waits until the release's CRDs are Established, its workloads are available and
//! its webhooks' Services have ready endpoints. Which releases are missing from a cluster
//! ([`missing`]) and how to install them by hand ([`Release::install_command`]) are pure
//! functions over discovery.

use crate::error::Problem;
use crate::object::ObjRef;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

/// One prerequisite Helm release.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Release {
    /// Release name (`cert-manager`).
    pub name: String,
    /// Namespace the release is installed into (created by helm when missing).
    pub namespace: String,
    /// Chart name in `repo`, or, with an empty `repo`, a local chart directory/archive
    /// path or an `oci://` reference.
    pub chart: String,
    /// Chart repository: an `https://` URL, or an `oci://` registry path (then the chart
    /// reference is `<repo>/<chart>`); empty for a local path or a full `oci://` chart.
    #[serde(default)]
    pub repo: String,
    /// Exact chart version (empty only for a local chart: then it is always upgraded).
    #[serde(default)]
    pub version: String,
    /// Values (YAML) passed with `--values`.
    #[serde(default)]
    pub values_yaml: String,
    /// API groups whose resources this release serves (`cert-manager.io`).
    #[serde(default)]
    pub provides_groups: Vec<String>,
    /// Install order: lower waves are installed (and ready) before higher ones.
    #[serde(default)]
    pub wave: i32,
}

impl Release {
    /// `name (chart version)` as people read it.
    pub fn label(&self) -> String {
        if self.version.is_empty() {
            format!("{} ({})", self.name, self.chart)
        } else {
            format!("{} ({} {})", self.name, self.chart, self.version)
        }
    }

    /// The chart argument of `helm upgrade --install`.
    pub fn chart_ref(&self) -> String {
        if self.repo.starts_with("oci://") {
            format!("{}/{}", self.repo.trim_end_matches('/'), self.chart)
        } else {
            self.chart.clone()
        }
    }

    /// The `--repo` value, if any (not for `oci://` registries).
    pub fn repo_url(&self) -> Option<&str> {
        (!self.repo.is_empty() && !self.repo.starts_with("oci://")).then_some(self.repo.as_str())
    }

    /// The `helm` command that installs this release by hand (values from `values.yaml`).
    pub fn install_command(&self) -> String {
        let mut s = format!("helm upgrade --install {} {}", self.name, self.chart_ref());
        if let Some(repo) = self.repo_url() {
            s.push_str(&format!(" --repo {repo}"));
        }
        if !self.version.is_empty() {
            s.push_str(&format!(" --version {}", self.version));
        }
        s.push_str(&format!(" --namespace {} --create-namespace", self.namespace));
        if !self.values_yaml.trim().is_empty() {
            s.push_str(&format!(" --values {}-values.yaml", self.name));
        }
        s
    }

    /// The values as JSON (`{}` when empty).
    pub fn values(&self) -> Result<Value, String> {
        if self.values_yaml.trim().is_empty() {
            return Ok(Value::Object(Default::default()));
        }
        match serde_saphyr::from_str::<Value>(&self.values_yaml) {
            Ok(Value::Null) => Ok(Value::Object(Default::default())),
            Ok(v @ Value::Object(_)) => Ok(v),
            Ok(_) => Err(format!("release {}: values are not a YAML mapping", self.name)),
            Err(e) => Err(format!("release {}: values are not valid YAML: {e}", self.name)),
        }
    }
}

/// What `helm` reports about an installed release.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Installed {
    /// `<chart>-<version>` as `helm list` prints it.
    pub chart: String,
    /// `deployed`, `failed`, `pending-install`, ...
    pub status: String,
    /// The user-supplied values (`helm get values -o json`).
    pub values: Value,
}

/// Runs helm for the engine. The binary implements it with the real `helm`; tests may
/// implement it however they like. Errors are messages meant for a person.
pub trait HelmRunner: Send + Sync {
    /// The release as installed in `release.namespace`, or `None`.
    fn status(&self, release: &Release) -> Result<Option<Installed>, String>;
    /// Installs or upgrades the release (`helm upgrade --install`), without waiting.
    fn install(&self, release: &Release, timeout: Duration) -> Result<(), String>;
    /// The objects of the installed release (`helm get manifest`), CRDs from the chart's
    /// `crds/` folder excluded (helm does not list them).
    fn manifest(&self, release: &Release) -> Result<Vec<Value>, String>;
}

/// What the engine does with one release.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "lowercase")]
pub enum ReleaseAction {
    /// Not installed yet.
    Install,
    /// Installed, but another chart version, other values, or not `deployed`.
    Upgrade { why: String },
    /// Installed as wanted: nothing to do.
    Unchanged,
}

/// Compares the wanted release with what helm reports.
pub fn decide(release: &Release, installed: Option<&Installed>) -> ReleaseAction {
    let Some(i) = installed else { return ReleaseAction::Install };
    if i.status != "deployed" {
        return ReleaseAction::Upgrade { why: format!("its status is `{}`", i.status) };
    }
    if release.version.is_empty() {
        return ReleaseAction::Upgrade { why: "a local chart without a version is always upgraded".into() };
    }
    if !i.chart.ends_with(&format!("-{}", release.version)) {
        return ReleaseAction::Upgrade { why: format!("{} is installed, {} wanted", i.chart, release.version) };
    }
    let wanted = release.values().unwrap_or(Value::Null);
    let have = if i.values.is_null() { Value::Object(Default::default()) } else { i.values.clone() };
    if wanted != have {
        return ReleaseAction::Upgrade { why: "its values differ".into() };
    }
    ReleaseAction::Unchanged
}

/// Releases in install order: by wave, then name. Each inner list is one wave.
pub fn waves(releases: &[Release]) -> Vec<Vec<&Release>> {
    let mut by: BTreeMap<i32, Vec<&Release>> = BTreeMap::new();
    for r in releases {
        by.entry(r.wave).or_default().push(r);
    }
    by.into_values()
        .map(|mut v| {
            v.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
            v
        })
        .collect()
}

/// The API groups `served` (keys are apiVersions such as `cert-manager.io/v1`).
pub fn served_groups(served: &BTreeMap<String, BTreeSet<String>>) -> BTreeSet<String> {
    served.keys().filter_map(|av| av.rsplit_once('/').map(|(g, _)| g.to_string())).collect()
}

/// A prerequisite the cluster lacks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Missing<'a> {
    pub release: &'a Release,
    /// Its groups the server does not serve.
    pub groups: Vec<String>,
    /// Objects of the set that need those groups.
    pub needed_by: Vec<ObjRef>,
}

/// Releases some of whose groups the server does not serve, with the objects needing them.
pub fn missing<'a>(releases: &'a [Release], served: &BTreeSet<String>, objects: &[ObjRef]) -> Vec<Missing<'a>> {
    let mut out = Vec::new();
    for r in releases {
        let groups: Vec<String> = r.provides_groups.iter().filter(|g| !served.contains(*g)).cloned().collect();
        if groups.is_empty() {
            continue;
        }
        let needed_by = objects.iter().filter(|o| groups.iter().any(|g| g == o.group())).cloned().collect();
        out.push(Missing { release: r, groups, needed_by });
    }
    out
}

/// The `--no-bootstrap` refusal: what is missing, who needs it, how to install it.
pub fn describe_missing(list: &[Missing<'_>], server_version: &str) -> Problem {
    let mut s = format!(
        "the cluster ({server_version}) lacks {} prerequisite{} and --no-bootstrap is set; nothing was changed:",
        list.len(),
        if list.len() == 1 { "" } else { "s" }
    );
    for m in list {
        s.push_str(&format!(
            "\n  - {} in namespace {}: serves {}, not served by this cluster",
            m.release.label(),
            m.release.namespace,
            m.groups.join(", ")
        ));
        if !m.needed_by.is_empty() {
            let kinds: BTreeSet<String> = m.needed_by.iter().map(|r| format!("{} {}", r.api_version, r.kind)).collect();
            s.push_str(&format!(
                "\n    needed by {} object{} ({}), e.g. {}",
                m.needed_by.len(),
                if m.needed_by.len() == 1 { "" } else { "s" },
                kinds.into_iter().collect::<Vec<_>>().join(", "),
                m.needed_by[0]
            ));
        }
        s.push_str(&format!("\n    install: {}", m.release.install_command()));
    }
    Problem::hinted(s, "run `skyform apply` without --no-bootstrap to install them with helm, or install them as shown")
}

/// Groups some release provides.
pub fn provided_groups(releases: &[Release]) -> BTreeSet<String> {
    releases.iter().flat_map(|r| r.provides_groups.iter().cloned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rel(name: &str, groups: &[&str], wave: i32) -> Release {
        Release {
            name: name.into(),
            namespace: name.into(),
            chart: name.into(),
            repo: format!("https://charts.example.org/{name}"),
            version: "1.2.3".into(),
            values_yaml: "replicaCount: 1\n".into(),
            provides_groups: groups.iter().map(|g| g.to_string()).collect(),
            wave,
        }
    }

    #[test]
    fn decide_compares_version_values_and_status() {
        let r = rel("cert-manager", &["cert-manager.io"], 0);
        assert_eq!(decide(&r, None), ReleaseAction::Install);
        let ok = Installed {
            chart: "cert-manager-1.2.3".into(),
            status: "deployed".into(),
            values: json!({"replicaCount": 1}),
        };
        assert_eq!(decide(&r, Some(&ok)), ReleaseAction::Unchanged);
        let old = Installed { chart: "cert-manager-1.2.2".into(), ..ok.clone() };
        assert!(matches!(decide(&r, Some(&old)), ReleaseAction::Upgrade { why } if why.contains("1.2.2 is installed")));
        let vals = Installed { values: json!({"replicaCount": 2}), ..ok.clone() };
        assert!(matches!(decide(&r, Some(&vals)), ReleaseAction::Upgrade { .. }));
        let failed = Installed { status: "failed".into(), ..ok.clone() };
        assert!(matches!(decide(&r, Some(&failed)), ReleaseAction::Upgrade { why } if why.contains("failed")));
        let empty = Release { values_yaml: String::new(), ..r.clone() };
        assert_eq!(decide(&empty, Some(&Installed { values: Value::Null, ..ok.clone() })), ReleaseAction::Unchanged);
        let local = Release { version: String::new(), repo: String::new(), chart: "./chart".into(), ..r };
        assert!(matches!(decide(&local, Some(&ok)), ReleaseAction::Upgrade { .. }));
    }

    #[test]
    fn waves_order_by_wave_then_name() {
        let rs = [rel("b", &[], 1), rel("z", &[], 0), rel("a", &[], 1)];
        let names: Vec<Vec<&str>> = waves(&rs).iter().map(|w| w.iter().map(|r| r.name.as_str()).collect()).collect();
        assert_eq!(names, [vec!["z"], vec!["a", "b"]]);
    }

    #[test]
    fn missing_names_groups_objects_and_the_command() {
        let rs = [rel("cert-manager", &["cert-manager.io", "acme.cert-manager.io"], 0), rel("keda", &["keda.sh"], 0)];
        let served: BTreeSet<String> =
            ["keda.sh", "apps", "acme.cert-manager.io"].iter().map(|s| s.to_string()).collect();
        let objects = vec![
            ObjRef {
                api_version: "cert-manager.io/v1".into(),
                kind: "Certificate".into(),
                namespace: Some("a".into()),
                name: "tls".into(),
            },
            ObjRef {
                api_version: "apps/v1".into(),
                kind: "Deployment".into(),
                namespace: Some("a".into()),
                name: "api".into(),
            },
        ];
        let m = missing(&rs, &served, &objects);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].groups, ["cert-manager.io"]);
        assert_eq!(m[0].needed_by.len(), 1);
        let text = describe_missing(&m, "v1.20.2");
        assert!(text.contains("nothing was changed"), "{text}");
        assert!(
            text.contains("cert-manager (cert-manager 1.2.3) in namespace cert-manager: serves cert-manager.io"),
            "{text}"
        );
        assert!(text.contains("needed by 1 object (cert-manager.io/v1 Certificate), e.g. Certificate a/tls"), "{text}");
        assert!(
            text.contains("install: helm upgrade --install cert-manager cert-manager --repo https://charts.example.org/cert-manager --version 1.2.3 --namespace cert-manager --create-namespace --values cert-manager-values.yaml"),
            "{text}"
        );
    }

    #[test]
    fn oci_registries_are_chart_references() {
        let r = Release { repo: "oci://registry.example.org/charts".into(), ..rel("gw", &[], -1) };
        assert_eq!(r.chart_ref(), "oci://registry.example.org/charts/gw");
        assert_eq!(r.repo_url(), None);
        assert!(
            r.install_command()
                .starts_with("helm upgrade --install gw oci://registry.example.org/charts/gw --version 1.2.3")
        );
        let rs = [rel("b", &[], 0), r];
        assert_eq!(waves(&rs)[0][0].name, "gw", "negative waves go first");
    }

    #[test]
    fn bad_values_are_errors() {
        let r = Release { values_yaml: "- a\n".into(), ..rel("x", &[], 0) };
        assert!(r.values().is_err());
        let r = Release { values_yaml: "a: [\n".into(), ..rel("x", &[], 0) };
        assert!(r.values().is_err());
    }
}
