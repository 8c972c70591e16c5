//! The compliance report: HIPAA, GDPR and SOC 2 technical controls named by the seeds,
//! each with the generated objects that implement it, or the gap.
//!
//! The report reads the *objects* (core and add-on, as the CLI renders them) rather
//! than the platform file wherever it can, so it reports what is deployed: a control is
//! `implemented` when evidence exists and nothing is missing, `partial` when both, and
//! `gap` when there is no evidence. Organisational controls (data minimisation,
//! incident response procedures, access reviews) are out of scope: they are listed as
//! not assessable.

use crate::dr::dr_table;
use serde::Serialize;
use serde_json::Value;
use skyform_model::{Environment, Model, ProviderName, SecretsBackend};
use skyform_render::Object;
use skyform_render::objects::secret_name;
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// Status of one control.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Implemented,
    Partial,
    Gap,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Implemented => "implemented",
            Status::Partial => "partial",
            Status::Gap => "gap",
        }
    }
}

/// One technical control.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Control {
    pub id: String,
    pub title: String,
    /// Framework references, e.g. `HIPAA 164.312(e)(1)`.
    pub frameworks: Vec<String>,
    pub status: Status,
    /// Objects implementing the control, as `Kind namespace/name` (or `Kind name`).
    pub evidence: Vec<String>,
    pub gaps: Vec<String>,
}

/// The report for one environment on one provider.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ComplianceReport {
    pub platform: String,
    pub environment: String,
    pub provider: String,
    pub controls: Vec<Control>,
    /// Controls the seeds name that are processes, not configuration.
    pub not_assessable: Vec<String>,
}

impl ComplianceReport {
    /// Whether any control has no evidence at all.
    pub fn has_gaps(&self) -> bool {
        self.controls.iter().any(|c| c.status == Status::Gap)
    }

    /// Plain-text rendering.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Compliance controls of `{}`, environment `{}` on {}",
            self.platform, self.environment, self.provider
        );
        for c in &self.controls {
            let _ = writeln!(out, "\n[{}] {} — {}", c.status.as_str(), c.id, c.title);
            let _ = writeln!(out, "  frameworks: {}", c.frameworks.join(", "));
            if c.evidence.is_empty() {
                let _ = writeln!(out, "  evidence: none");
            } else {
                let _ = writeln!(out, "  evidence ({}):", c.evidence.len());
                for e in &c.evidence {
                    let _ = writeln!(out, "    - {e}");
                }
            }
            for g in &c.gaps {
                let _ = writeln!(out, "  gap: {g}");
            }
        }
        let _ = writeln!(out, "\nNot assessable from configuration (processes):");
        for n in &self.not_assessable {
            let _ = writeln!(out, "  - {n}");
        }
        let count = |s: Status| self.controls.iter().filter(|c| c.status == s).count();
        let _ = writeln!(
            out,
            "\n{} implemented, {} partial, {} gap",
            count(Status::Implemented),
            count(Status::Partial),
            count(Status::Gap)
        );
        out
    }
}

fn id(o: &Object) -> String {
    match &o.namespace {
        Some(ns) => format!("{} {ns}/{}", o.kind, o.name),
        None => format!("{} {}", o.kind, o.name),
    }
}

fn get<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, k| v.get(k))
}

fn of_kind<'a>(objects: &'a [Object], kind: &'a str) -> impl Iterator<Item = &'a Object> + 'a {
    objects.iter().filter(move |o| o.kind == kind)
}

fn control(id: &str, title: &str, frameworks: &[&str], evidence: Vec<String>, gaps: Vec<String>) -> Control {
    let status = match (evidence.is_empty(), gaps.is_empty()) {
        (false, true) => Status::Implemented,
        (false, false) => Status::Partial,
        (true, _) => Status::Gap,
    };
    let mut evidence = evidence;
    evidence.sort();
    evidence.dedup();
    Control {
        id: id.into(),
        title: title.into(),
        frameworks: frameworks.iter().map(|s| (*s).to_string()).collect(),
        status,
        evidence,
        gaps,
    }
}

/// Whether a StorageClass encrypts volumes: an explicit parameter, or a provider that
/// encrypts every disk by default.
fn storage_encrypted(o: &Object) -> bool {
    let provisioner = o.value.get("provisioner").and_then(Value::as_str).unwrap_or_default();
    let param = get(&o.value, &["parameters", "encrypted"]).and_then(Value::as_str) == Some("true");
    param
        || matches!(
            provisioner,
            "pd.csi.storage.gke.io" | "disk.csi.azure.com" | "dobs.csi.digitalocean.com" | "csi.hetzner.cloud"
        )
}

/// The compliance report of `env` on `provider` from its rendered `objects`.
pub fn compliance(model: &Model, env: &Environment, provider: ProviderName, objects: &[Object]) -> ComplianceReport {
    let tier_ns: Vec<&str> = model.tiers.iter().map(|t| t.namespace.as_str()).collect();

    let controls = vec![
        in_transit(model, env, provider, objects),
        at_rest(provider, objects),
        audit_logging(model, objects),
        least_privilege(model, objects),
        secrets_management(env, provider, objects),
        backups(model, env, objects),
        segmentation(objects, &tier_ns),
        monitoring(model, env, provider, objects),
    ];

    ComplianceReport {
        platform: model.name.clone(),
        environment: env.name.clone(),
        provider: skyform_render::provider_name(provider).to_string(),
        controls,
        not_assessable: vec![
            "GDPR data minimisation, right to be forgotten and data portability (application features)".into(),
            "HIPAA incident response and SOC 2 incident management procedures".into(),
            "SOC 2 change management (reviews and approvals; the CI workflow and GitOps record every change)".into(),
            "SOC 2 vulnerability management (image scanning) and periodic access reviews".into(),
        ],
    }
}

/// 1. Encryption in transit.
fn in_transit(model: &Model, env: &Environment, provider: ProviderName, objects: &[Object]) -> Control {
    let mut ev = Vec::new();
    let mut gaps = Vec::new();
    for o in of_kind(objects, "Ingress") {
        if get(&o.value, &["spec", "tls"]).and_then(Value::as_array).is_some_and(|a| !a.is_empty()) {
            ev.push(id(o));
        } else {
            gaps.push(format!("{} serves plain HTTP (expose.tls: false)", id(o)));
        }
    }
    // Gateway API exposure: TLS-terminating listeners are evidence; a route on a plain
    // listener (`http`, `tcp-…`, `udp-…`) other than the HTTPS redirect is a gap.
    for o in of_kind(objects, "Gateway") {
        let listeners = get(&o.value, &["spec", "listeners"]).and_then(Value::as_array);
        if listeners.into_iter().flatten().any(|l| l.pointer("/tls/mode").and_then(Value::as_str) == Some("Terminate"))
        {
            ev.push(id(o));
        }
    }
    for o in objects.iter().filter(|o| o.group() == "gateway.networking.k8s.io" && o.kind.ends_with("Route")) {
        let section = o.value.pointer("/spec/parentRefs/0/sectionName").and_then(Value::as_str).unwrap_or_default();
        let plain = section == "http" || section.starts_with("tcp-") || section.starts_with("udp-");
        if plain && o.name != "https-redirect" {
            gaps.push(format!("{} serves without TLS (expose.tls: false, or a UDP port)", id(o)));
        }
    }
    for o in objects.iter().filter(|o| o.kind == "DomainMapping" || o.kind == "ClusterIssuer") {
        if o.kind == "ClusterIssuer" || get(&o.value, &["spec", "tls"]).is_some() {
            ev.push(id(o));
        } else {
            gaps.push(format!("{} has no TLS", id(o)));
        }
    }
    let own_vault_tls = env.services.iter().any(|s| {
        s.component == Some(skyform_model::ComponentKind::Vault)
            && !s.is_managed_on(provider)
            && model.secrets.vault_address.as_deref().is_some_and(|a| a.contains(&format!("//{}", s.name)))
    });
    if model.secrets.backend == SecretsBackend::Vault
        && model.secrets.vault_address.as_deref().is_some_and(|a| a.starts_with("http://"))
        && !own_vault_tls
    {
        gaps.push("Vault is reached over plain HTTP (secrets.vault.address is http://)".into());
    }
    gaps.push("service-to-service traffic inside the cluster is not encrypted (no mTLS mesh); database TLS is the application's setting".into());
    control(
        "encryption-in-transit",
        "Encryption in transit",
        &["HIPAA 164.312(e)(1)", "GDPR Art. 32(1)(a)", "SOC 2 CC6.7"],
        ev,
        gaps,
    )
}

/// 2. Encryption at rest.
fn at_rest(provider: ProviderName, objects: &[Object]) -> Control {
    let mut ev = Vec::new();
    let mut gaps = Vec::new();
    for o in of_kind(objects, "StorageClass") {
        if storage_encrypted(o) {
            ev.push(id(o));
        } else {
            gaps.push(format!(
                "{} ({}) does not encrypt volumes",
                id(o),
                o.value.get("provisioner").and_then(Value::as_str).unwrap_or("?")
            ));
        }
    }
    if provider == ProviderName::K3s {
        gaps.push("k3s: Secrets in etcd/SQLite are encrypted only with `--secrets-encryption`".into());
    }
    gaps.push(
        "backup bucket encryption (server-side encryption of the Velero bucket) is set where the bucket is created"
            .into(),
    );
    control(
        "encryption-at-rest",
        "Encryption at rest",
        &["HIPAA 164.312(a)(2)(iv)", "GDPR Art. 32(1)(a)", "SOC 2 CC6.1"],
        ev,
        gaps,
    )
}

/// 3. Audit logging.
fn audit_logging(model: &Model, objects: &[Object]) -> Control {
    let mut ev = Vec::new();
    let mut gaps = Vec::new();
    for o in of_kind(objects, "ConfigMap") {
        if o.value
            .get("data")
            .and_then(Value::as_object)
            .is_some_and(|d| d.contains_key("promtail.yaml") || d.contains_key("fluent-bit.yaml"))
        {
            ev.push(id(o));
        }
    }
    if model.observability.logs.is_none() {
        gaps.push("no log shipping: set observability.logs".into());
    } else {
        let f = &model.observability.log_fields;
        for need in ["user_id", "operation"] {
            if !f.iter().any(|x| x == need) {
                gaps.push(format!(
                    "structured logs do not carry `{need}` (observability.logs.fields): who did what cannot be traced"
                ));
            }
        }
        gaps.push(format!(
            "log retention {} and immutability are Loki/bucket settings (HIPAA asks for tamper-evident audit logs)",
            model.observability.log_retention
        ));
    }
    gaps.push(
        "Kubernetes API audit logging is a control-plane setting of the provider (enable it in Terraform)".into(),
    );
    control("audit-logging", "Audit logging", &["HIPAA 164.312(b)", "GDPR Art. 30", "SOC 2 CC7.2"], ev, gaps)
}

/// 4. Least privilege.
fn least_privilege(model: &Model, objects: &[Object]) -> Control {
    let mut ev = Vec::new();
    let mut gaps = Vec::new();
    for o in of_kind(objects, "ServiceAccount") {
        if o.value.get("automountServiceAccountToken") == Some(&Value::Bool(false)) {
            ev.push(id(o));
        }
    }
    for o in objects.iter().filter(|o| o.kind == "Role" || o.kind == "SecretStore") {
        ev.push(id(o));
    }
    for o in of_kind(objects, "Role") {
        let wild = get(&o.value, &["rules"]).and_then(Value::as_array).is_some_and(|rules| {
            rules.iter().any(|r| {
                ["verbs", "resources", "apiGroups"].iter().any(|k| {
                    r.get(k).and_then(Value::as_array).is_some_and(|a| a.iter().any(|v| v.as_str() == Some("*")))
                })
            })
        });
        if wild {
            gaps.push(format!("{} grants `*`", id(o)));
        }
    }
    for o in of_kind(objects, "Namespace") {
        let level =
            get(&o.value, &["metadata", "labels", "pod-security.kubernetes.io/enforce"]).and_then(Value::as_str);
        match level {
            Some("restricted") => ev.push(id(o)),
            Some(l) => gaps.push(format!("{} enforces Pod Security `{l}`, not `restricted`", id(o))),
            None => gaps.push(format!("{} enforces no Pod Security level", id(o))),
        }
    }
    if objects.iter().any(|o| o.name.ends_with("-vault-auth") && o.kind == "ConfigMap") {
        ev.push(format!(
            "ConfigMap {}-vault-auth (one Vault role and read-only policy per ServiceAccount)",
            model.name
        ));
    }
    control(
        "least-privilege",
        "Least privilege (access control)",
        &["HIPAA 164.312(a)(1)", "GDPR Art. 25", "SOC 2 CC6.3"],
        ev,
        gaps,
    )
}

/// 5. Secrets management.
fn secrets_management(env: &Environment, provider: ProviderName, objects: &[Object]) -> Control {
    let mut ev = Vec::new();
    let mut gaps = Vec::new();
    let creators: BTreeSet<(String, String)> = objects
        .iter()
        .filter(|o| o.kind == "ExternalSecret" || o.kind == "SealedSecret")
        .filter_map(|o| {
            let target = get(&o.value, &["spec", "target", "name"])
                .or_else(|| get(&o.value, &["spec", "template", "metadata", "name"]))
                .and_then(Value::as_str)
                .unwrap_or(&o.name);
            Some((o.namespace.clone()?, target.to_string()))
        })
        .collect();
    for o in objects.iter().filter(|o| o.kind == "ExternalSecret" || o.kind == "SealedSecret") {
        ev.push(id(o));
    }
    for o in of_kind(objects, "Secret") {
        gaps.push(format!("{} is a plain Secret in the manifests", id(o)));
    }
    for s in env.services.iter().filter(|s| !s.secrets.is_empty() && !s.is_managed_on(provider)) {
        let want = (s.namespace.clone(), secret_name(&s.name));
        if !creators.contains(&want) {
            gaps.push(format!("`{}` reads Secret {}/{} but nothing creates it", s.name, want.0, want.1));
        }
    }
    control(
        "secrets-management",
        "Secrets from a managed store, never in plaintext",
        &["HIPAA 164.312(a)(2)(iv)", "SOC 2 CC6.1"],
        ev,
        gaps,
    )
}

/// 6. Backups.
fn backups(model: &Model, env: &Environment, objects: &[Object]) -> Control {
    let mut ev: Vec<String> =
        objects.iter().filter(|o| o.kind == "Schedule" && o.group() == "velero.io").map(id).collect();
    ev.extend(objects.iter().filter(|o| o.kind == "ConfigMap" && o.name.ends_with("-replication")).map(id));
    let dr = dr_table(model, env);
    let gaps: Vec<String> = dr.gaps.iter().filter(|g| !g.contains("managed database")).cloned().collect();
    control(
        "backups",
        "Backups and disaster recovery",
        &["HIPAA 164.308(a)(7)(ii)(A)", "GDPR Art. 32(1)(c)", "SOC 2 A1.2"],
        ev,
        gaps,
    )
}

/// 7. Network segmentation.
fn segmentation(objects: &[Object], tier_ns: &[&str]) -> Control {
    let mut ev = Vec::new();
    let mut gaps = Vec::new();
    for ns in tier_ns {
        let deny = objects
            .iter()
            .find(|o| o.kind == "NetworkPolicy" && o.namespace.as_deref() == Some(ns) && o.name == "default-deny");
        match deny {
            Some(o) => ev.push(id(o)),
            None => gaps.push(format!("namespace {ns} has no default-deny NetworkPolicy")),
        }
    }
    for o in of_kind(objects, "NetworkPolicy").filter(|o| o.name.starts_with("allow-") && o.name != "allow-dns") {
        ev.push(id(o));
        let open = get(&o.value, &["spec", "egress"]).and_then(Value::as_array).is_some_and(|rules| {
            rules.iter().any(|r| {
                r.get("to").and_then(Value::as_array).is_some_and(|to| {
                    to.iter().any(|p| {
                        get(p, &["ipBlock", "cidr"]).and_then(Value::as_str) == Some("0.0.0.0/0")
                            && get(p, &["ipBlock", "except"]).is_none()
                    })
                })
            })
        });
        if open {
            gaps.push(format!("{} allows egress to any address (on its ports)", id(o)));
        }
    }
    control(
        "network-segmentation",
        "Network segmentation",
        &["HIPAA 164.312(e)(1)", "GDPR Art. 32(1)(b)", "SOC 2 CC6.6"],
        ev,
        gaps,
    )
}

/// 8. Monitoring and incident detection.
fn monitoring(model: &Model, env: &Environment, provider: ProviderName, objects: &[Object]) -> Control {
    let ev: Vec<String> = objects
        .iter()
        .filter(|o| matches!(o.kind.as_str(), "ServiceMonitor" | "PodMonitor" | "PrometheusRule"))
        .map(id)
        .collect();
    let mut gaps: Vec<String> = env
        .services
        .iter()
        .filter(|s| s.metrics.is_none() && !s.is_managed_on(provider))
        .map(|s| format!("`{}` exposes no metrics (only resource usage and ingress traffic are watched)", s.name))
        .collect();
    if !model.observability.metrics {
        gaps.push("observability.metrics is disabled".into());
    }
    control(
        "monitoring",
        "Monitoring and incident detection",
        &["HIPAA 164.308(a)(6)(ii)", "SOC 2 CC7.2", "SOC 2 CC7.3"],
        ev,
        gaps,
    )
}
