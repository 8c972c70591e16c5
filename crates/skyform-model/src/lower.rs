//! `lower()`: raw platform → [`Model`], collecting every semantic diagnostic.

use crate::components::{DefaultProbe, component_defaults};
use crate::types::*;
use crate::{
    AcmeServer, BackupMethod, ExposeProtocol, IngressController, LogStack, PodSecurityLevel, Protocol, ProviderName,
    SecretsBackend, ServerlessMetric, StorageClassName,
};
use skyform_spec::quantity::{self, Bytes, Cpu};
use skyform_spec::raw::{self, ServiceSpec};
use skyform_spec::{Code, Diagnostic, LoadedPlatform, did_you_mean};
use skyform_yaml::Path;
use std::collections::{BTreeMap, BTreeSet};

/// Validates and resolves a loaded platform. Returns the model, or every error found
/// (warnings alone do not fail; they are returned by [`lower_with_warnings`]).
pub fn lower(loaded: &LoadedPlatform) -> Result<Model, Vec<Diagnostic>> {
    let (model, diags) = lower_with_warnings(loaded);
    match model {
        Some(m) if !diags.iter().any(|d| d.severity == skyform_spec::Severity::Error) => Ok(m),
        _ => Err(diags),
    }
}

/// Like [`lower`], but also returns warnings next to a successful model.
pub fn lower_with_warnings(loaded: &LoadedPlatform) -> (Option<Model>, Vec<Diagnostic>) {
    let mut cx = Cx { loaded, diags: Vec::new(), seen: BTreeSet::new(), gateway_api: false };
    let model = cx.platform();
    let mut diags = cx.diags;
    diags.sort_by_key(|d| (d.span.line, d.span.column, d.code));
    (Some(model), diags)
}

struct Cx<'a> {
    loaded: &'a LoadedPlatform,
    diags: Vec<Diagnostic>,
    /// Deduplicates diagnostics that every environment would otherwise repeat.
    seen: BTreeSet<(u32, u32, String)>,
    /// Exposure goes through the Gateway API (set once `spec.ingress` is lowered).
    gateway_api: bool,
}

fn spec_path() -> Path {
    Path::root().key("spec")
}

fn is_dns1123_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

fn is_iana_svc_name(s: &str) -> bool {
    is_dns1123_label(s) && s.len() <= 15 && s.bytes().any(|b| b.is_ascii_lowercase()) && !s.contains("--")
}

/// A name Kubernetes accepts for an environment variable (`[-._a-zA-Z][-._a-zA-Z0-9]*`):
/// `discovery.type` and `spring.profiles.active` are as valid as `LOG_LEVEL`.
fn is_env_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || matches!(c, '_' | '.' | '-'))
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        && s != "."
        && s != ".."
}

fn parse_duration_minutes(s: &str) -> Option<u64> {
    let s = s.trim();
    let mut total: u64 = 0;
    let mut num = String::new();
    let mut any = false;
    for c in s.chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let n: u64 = num.parse().ok()?;
        num.clear();
        let secs = match c {
            's' => n,
            'm' => n * 60,
            'h' => n * 3600,
            'd' => n * 86_400,
            'w' => n * 604_800,
            _ => return None,
        };
        total = total.checked_add(secs)?;
        any = true;
    }
    if !num.is_empty() || !any {
        return None;
    }
    Some(total.div_ceil(60))
}

/// The worst-case gap in minutes between two runs of a 5-field cron expression, for the
/// common shapes (fixed minute/hour, step values, lists); `None` when it cannot be parsed.
pub(crate) fn cron_interval_minutes(cron: &str) -> Option<u64> {
    let fields: Vec<&str> = cron.split_whitespace().collect();
    if fields.len() != 5 {
        return None;
    }
    let expand = |f: &str, lo: u32, hi: u32| -> Option<Vec<u32>> {
        let mut out = BTreeSet::new();
        for part in f.split(',') {
            let (range, step) = match part.split_once('/') {
                Some((r, s)) => (r, s.parse::<u32>().ok().filter(|s| *s > 0)?),
                None => (part, 1),
            };
            let (a, b) = if range == "*" {
                (lo, hi)
            } else if let Some((a, b)) = range.split_once('-') {
                (a.parse().ok()?, b.parse().ok()?)
            } else {
                let v: u32 = range.parse().ok()?;
                (v, if part.contains('/') { hi } else { v })
            };
            if a < lo || b > hi || a > b {
                return None;
            }
            out.extend((a..=b).step_by(step as usize));
        }
        Some(out.into_iter().collect())
    };
    let minutes = expand(fields[0], 0, 59)?;
    let hours = expand(fields[1], 0, 23)?;
    let dom = expand(fields[2], 1, 31)?;
    let _month = expand(fields[3], 1, 12)?;
    let dow = expand(fields[4], 0, 7)?;
    let mut times: Vec<u64> = Vec::new();
    for h in &hours {
        for m in &minutes {
            times.push(u64::from(*h) * 60 + u64::from(*m));
        }
    }
    let day_gap =
        |i: usize| -> u64 { if i + 1 < times.len() { times[i + 1] - times[i] } else { times[0] + 1440 - times[i] } };
    let daily_max = (0..times.len()).map(day_gap).max()?;
    let every_day = fields[2] == "*" && (fields[4] == "*" || dow.len() >= 7);
    if every_day {
        return Some(daily_max);
    }
    if fields[2] == "*" {
        // Weekly pattern: largest gap between selected weekdays.
        let mut days: Vec<u64> = dow.iter().map(|d| u64::from(*d % 7)).collect::<BTreeSet<_>>().into_iter().collect();
        days.sort_unstable();
        let gap = (0..days.len())
            .map(|i| if i + 1 < days.len() { days[i + 1] - days[i] } else { days[0] + 7 - days[i] })
            .max()?;
        return Some((gap - 1) * 1440 + daily_max.max(1440 - (times.last()? - times[0])));
    }
    // Monthly pattern: assume the longest month gap.
    let gap_days = (0..dom.len())
        .map(|i| if i + 1 < dom.len() { u64::from(dom[i + 1] - dom[i]) } else { u64::from(dom[0] + 31 - dom[i]) })
        .max()?;
    Some(gap_days * 1440)
}

impl Cx<'_> {
    fn push(&mut self, d: Diagnostic) {
        if self.seen.insert((d.span.line, d.span.column, d.message.clone())) {
            self.diags.push(d);
        }
    }

    fn err(&mut self, code: Code, path: &Path, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(code, self.loaded.span(path), message)
    }

    fn error(&mut self, code: Code, path: &Path, message: impl Into<String>, hint: Option<String>) {
        let d = self.err(code, path, message).hint_opt(hint);
        self.push(d);
    }

    fn error_at_key(&mut self, code: Code, path: &Path, message: impl Into<String>, hint: Option<String>) {
        let d = Diagnostic::error(code, self.loaded.key_span(path), message).hint_opt(hint);
        self.push(d);
    }

    fn warn(&mut self, code: Code, path: &Path, message: impl Into<String>, hint: Option<String>) {
        let d = Diagnostic::warning(code, self.loaded.span(path), message).hint_opt(hint);
        self.push(d);
    }

    fn platform(&mut self) -> Model {
        let raw = &self.loaded.raw;
        let spec = &raw.spec;
        let name = raw.metadata.name.clone();
        if !is_dns1123_label(&name) {
            self.error(
                Code::InvalidName,
                &Path::root().key("metadata").key("name"),
                format!("platform name `{name}` is not a valid DNS-1123 label"),
                Some("use lowercase letters, digits and `-`, at most 63 characters".into()),
            );
        }
        let kubernetes_version = self.kubernetes_version(spec.kubernetes_version.as_deref());
        let tiers = self.tiers(&name, &spec.tiers);
        let ingress = self.ingress(&name, spec.ingress.as_ref());
        self.gateway_api = ingress.gateway.is_some();
        let secrets = self.secrets(spec.secrets.as_ref());
        let providers = self.providers(&spec.providers);
        let tier_names: Vec<String> = tiers.iter().map(|t| t.name.clone()).collect();

        // Base service names are validated once.
        for svc in spec.services.keys() {
            if !is_dns1123_label(svc) || !svc.starts_with(|c: char| c.is_ascii_lowercase()) {
                self.error_at_key(
                    Code::InvalidName,
                    &spec_path().key("services").key(svc),
                    format!("service name `{svc}` is not a valid DNS-1035 label"),
                    Some(
                        "start with a lowercase letter; use lowercase letters, digits and `-`, at most 63 characters"
                            .into(),
                    ),
                );
            }
        }
        if spec.services.is_empty() {
            self.error(Code::Incomplete, &spec_path().key("services"), "the platform declares no services", None);
        }

        let mut env_specs: Vec<(String, raw::EnvironmentSpec)> =
            spec.environments.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        // Keep the file's order (dev, staging, production), not the alphabet's.
        let order: Vec<String> = self
            .loaded
            .tree
            .at(&spec_path().key("environments"))
            .and_then(skyform_yaml::Node::as_map)
            .map(|entries| entries.iter().map(|e| e.key.clone()).collect())
            .unwrap_or_default();
        env_specs.sort_by_key(|(k, _)| order.iter().position(|o| o == k).unwrap_or(usize::MAX));
        if env_specs.is_empty() {
            env_specs.push(("production".to_string(), raw::EnvironmentSpec::default()));
        }
        let mut environments = Vec::new();
        for (env_name, env_spec) in &env_specs {
            let env_path = spec_path().key("environments").key(env_name);
            if !is_dns1123_label(env_name) {
                self.error_at_key(
                    Code::InvalidName,
                    &env_path,
                    format!("environment name `{env_name}` is not a valid DNS-1123 label"),
                    None,
                );
            }
            environments.push(self.environment(&name, env_name, env_spec, &env_path, &tiers, &ingress));
        }

        let observability = self.observability(spec.observability.as_ref(), &environments);
        let backup = self.backup(spec.backup.as_ref(), &tier_names, &environments);
        let autoscaling = self.autoscaling(spec.cluster_autoscaling.as_ref());
        let gitops = spec.gitops.as_ref().map(|g| Gitops {
            tool: g.tool,
            repo_url: g.repo_url.clone(),
            path: g.path.clone().unwrap_or_else(|| "deploy".to_string()),
            target_revision: g.target_revision.clone().unwrap_or_else(|| "main".to_string()),
        });
        // Tracing injection needs the tracing target's port.
        if let Some(t) = &observability.tracing {
            for env in &mut environments {
                for s in &mut env.services {
                    if s.tracing && s.name != t.service {
                        s.env.entry("OTEL_EXPORTER_OTLP_ENDPOINT".into()).or_insert_with(|| {
                            let ns = format!("{name}-{}", tier_of(&spec.services, &t.service));
                            format!("http://{}.{ns}.svc.cluster.local:{}", t.service, t.port)
                        });
                        s.env.entry("OTEL_SERVICE_NAME".into()).or_insert_with(|| s.name.clone());
                        if !s.depends_on.iter().any(|d| d.service == t.service) {
                            s.depends_on.push(Dependency { service: t.service.clone(), ports: vec![t.port] });
                            s.depends_on.sort();
                        }
                    }
                }
            }
        }
        self.lifecycle_warnings(&ingress, &environments);
        Model {
            name,
            labels: raw.metadata.labels.clone(),
            kubernetes_version,
            tiers,
            ingress,
            secrets,
            observability,
            backup,
            gitops,
            providers,
            environments,
            autoscaling,
        }
    }

    /// What an exposed port speaks: the written `protocol`, else inferred from the port
    /// (Gateway API only; Ingress carries HTTP).
    fn expose_protocol(&mut self, name: &str, e: &raw::ExposeSpec, port: &Port, path: &Path) -> ExposeProtocol {
        let inferred = if port.protocol == Protocol::Udp {
            ExposeProtocol::Udp
        } else if port.name.starts_with("grpc") {
            ExposeProtocol::Grpc
        } else {
            ExposeProtocol::Http
        };
        if !self.gateway_api {
            if let Some(p) = e.protocol.filter(|p| *p != ExposeProtocol::Http) {
                self.error(
                    Code::InvalidValue,
                    &path.key("protocol"),
                    format!("service `{name}` exposes `{}`, but an Ingress carries HTTP only", protocol_name(p)),
                    Some("expose it through the Gateway API: `ingress: { controller: envoy-gateway }`".into()),
                );
            } else if port.protocol == Protocol::Udp {
                self.error(
                    Code::InvalidValue,
                    &path.key("port"),
                    format!("service `{name}` exposes UDP port `{}`, but an Ingress carries HTTP only", port.name),
                    Some("expose it through the Gateway API: `ingress: { controller: envoy-gateway }`".into()),
                );
            }
            return ExposeProtocol::Http;
        }
        let protocol = e.protocol.unwrap_or(inferred);
        if (protocol == ExposeProtocol::Udp) != (port.protocol == Protocol::Udp) {
            self.error(
                Code::InvalidValue,
                &path.key("protocol"),
                format!(
                    "service `{name}` exposes `{}` on {} port `{}`",
                    protocol_name(protocol),
                    if port.protocol == Protocol::Udp { "UDP" } else { "TCP" },
                    port.name
                ),
                Some("`udp` needs a UDP port and every other protocol a TCP port".into()),
            );
        }
        if !matches!(protocol, ExposeProtocol::Http | ExposeProtocol::Grpc) && matches!(port.port, 80 | 443) {
            // Listener ports of TCP, TLS and UDP routes are the service's port; 80 and 443
            // belong to the Gateway's HTTP and HTTPS listeners.
            self.error(
                Code::InvalidValue,
                &path.key("port"),
                format!(
                    "a `{}` exposure cannot use port {}: it is the Gateway's HTTP(S) port",
                    protocol_name(protocol),
                    port.port
                ),
                Some("expose another port number, or use `protocol: http`".into()),
            );
        }
        protocol
    }

    /// TCP and UDP exposures get a Gateway listener on their own port, so two of them
    /// cannot share a port (TLS passthrough listeners may, with different host names).
    fn check_listener_ports(&mut self, services: &[Service]) {
        let mut taken: BTreeMap<u16, (&str, ExposeProtocol, &str)> = BTreeMap::new();
        for s in services {
            let Some(e) = &s.expose else { continue };
            if matches!(e.protocol, ExposeProtocol::Http | ExposeProtocol::Grpc) {
                continue;
            }
            match taken.get(&e.port.port) {
                Some((other, p, host))
                    if !(*p == ExposeProtocol::Tls && e.protocol == ExposeProtocol::Tls && *host != e.host)
                        && (*p == ExposeProtocol::Udp) == (e.protocol == ExposeProtocol::Udp) =>
                {
                    let path = spec_path().key("services").key(&s.name).key("expose");
                    self.error(
                        Code::InvalidValue,
                        &path,
                        format!(
                            "services `{other}` and `{}` both expose port {} through the Gateway",
                            s.name, e.port.port
                        ),
                        Some("each TCP or UDP exposure needs a port of its own".into()),
                    );
                }
                Some(_) => {}
                None => {
                    taken.insert(e.port.port, (&s.name, e.protocol, &e.host));
                }
            }
        }
    }

    /// One warning per component of the lifecycle table that the file chooses and that is
    /// not maintained, located at the value that chose it.
    fn lifecycle_warnings(&mut self, ingress: &Ingress, envs: &[Environment]) {
        let spec = &self.loaded.raw.spec;
        let warn = |cx: &mut Self, id: &str, path: &Path, subject: &str, detail: &str| {
            if let Some(c) = crate::lifecycle::component(id) {
                let d = Diagnostic::warning(
                    Code::Lifecycle,
                    cx.loaded.span(path),
                    format!("{subject} ({}) is {}{detail}", c.role, c.status.phrase()),
                )
                .hint_opt(c.replacement.map(str::to_string))
                .hint(format!("source: {}", c.source));
                cx.push(d);
            }
        };
        // Ingress controller: the line that chose it, else the first exposure that needs it.
        let exposes = envs.iter().flat_map(|e| &e.services).any(|s| s.expose.is_some());
        if ingress.controller == IngressController::Nginx && exposes {
            let ing = spec_path().key("ingress");
            let path = if spec.ingress.as_ref().is_some_and(|i| i.controller.is_some()) {
                Some(ing.key("controller"))
            } else if spec.ingress.is_some() {
                Some(ing)
            } else {
                spec.services
                    .iter()
                    .find(|(_, s)| s.expose.is_some())
                    .map(|(n, _)| spec_path().key("services").key(n).key("expose"))
            };
            if let Some(p) = path {
                warn(self, "ingress-nginx", &p, "ingress-nginx", "");
            }
        }
        if spec.observability.as_ref().and_then(|o| o.logs.as_ref()).is_some_and(|l| l.stack == LogStack::LokiPromtail)
        {
            warn(self, "promtail", &spec_path().key("observability").key("logs").key("stack"), "Promtail", "");
        }
        if spec.secrets.as_ref().is_some_and(|s| s.backend == SecretsBackend::Vault) {
            warn(self, "vault", &spec_path().key("secrets").key("backend"), "HashiCorp Vault", "");
        }
        // Images, written or brought by a component, in the base and every environment.
        let mut sites: Vec<(Path, String)> = Vec::new();
        for (name, s) in &spec.services {
            let base = spec_path().key("services").key(name);
            match (&s.image, s.component) {
                (Some(i), _) => sites.push((base.key("image"), i.clone())),
                (None, Some(c)) => sites.push((base.key("component"), component_defaults(c).image.to_string())),
                (None, None) => {}
            }
        }
        for (env, e) in &spec.environments {
            for (name, s) in &e.services {
                if let Some(i) = &s.image {
                    sites.push((
                        spec_path().key("environments").key(env).key("services").key(name).key("image"),
                        i.clone(),
                    ));
                }
            }
        }
        for (path, image) in sites {
            if let Some(c) = crate::lifecycle::image_component(&image) {
                let subject = match c.id {
                    "minio" => "MinIO community edition",
                    "vault" => "HashiCorp Vault",
                    _ => "the free Bitnami catalog",
                };
                warn(self, c.id, &path, subject, &format!(": `{image}`"));
            }
        }
    }

    fn kubernetes_version(&mut self, v: Option<&str>) -> String {
        let v = v.unwrap_or("1.31");
        let path = spec_path().key("kubernetesVersion");
        let ok =
            v.split_once('.').is_some_and(|(a, b)| a == "1" && b.parse::<u32>().is_ok_and(|m| (25..=37).contains(&m)));
        if !ok {
            self.error(
                Code::InvalidValue,
                &path,
                format!("unsupported Kubernetes version `{v}`"),
                Some("write a minor version between \"1.25\" and \"1.37\", e.g. \"1.31\"".into()),
            );
        }
        v.to_string()
    }

    fn tiers(&mut self, platform: &str, raw: &[raw::TierSpec]) -> Vec<Tier> {
        let mut out: Vec<Tier> = Vec::new();
        for (i, t) in raw.iter().enumerate() {
            let path = spec_path().key("tiers").index(i);
            let (name, level, reason, name_path) = match t {
                raw::TierSpec::Name(n) => (n.clone(), PodSecurityLevel::Restricted, None, path.clone()),
                raw::TierSpec::Detailed(d) => (
                    d.name.clone(),
                    d.pod_security.unwrap_or(PodSecurityLevel::Restricted),
                    d.reason.clone(),
                    path.key("name"),
                ),
            };
            let namespace = format!("{platform}-{name}");
            if !is_dns1123_label(&name) {
                self.error(
                    Code::InvalidName,
                    &name_path,
                    format!("tier name `{name}` is not a valid DNS-1123 label"),
                    None,
                );
            } else if namespace.len() > 63 {
                self.error(
                    Code::InvalidName,
                    &name_path,
                    format!("namespace `{namespace}` is longer than 63 characters"),
                    Some("shorten the platform or tier name".into()),
                );
            }
            if out.iter().any(|o| o.name == name) {
                self.error(Code::InvalidValue, &name_path, format!("tier `{name}` is declared twice"), None);
                continue;
            }
            if level != PodSecurityLevel::Restricted && reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
                self.error(
                    Code::Incomplete,
                    &path.key("podSecurity"),
                    format!("tier `{name}` weakens Pod Security below `restricted` without a reason"),
                    Some("add `reason:` saying which workload needs it and why".into()),
                );
            }
            out.push(Tier { name, namespace, pod_security: level, reason });
        }
        if out.is_empty() {
            self.error(
                Code::Incomplete,
                &spec_path().key("tiers"),
                "the platform declares no tiers",
                Some("add at least one tier, e.g. `tiers: [api, data]`".into()),
            );
        }
        out
    }

    fn ingress(&mut self, platform: &str, raw: Option<&raw::IngressSpec>) -> Ingress {
        let controller = raw.and_then(|r| r.controller).unwrap_or(IngressController::Nginx);
        let default_class = match controller {
            IngressController::Nginx => "nginx",
            IngressController::Traefik => "traefik",
            IngressController::Haproxy => "haproxy",
            IngressController::EnvoyGateway => "envoy",
        };
        let issuer = raw.and_then(|r| r.issuer.as_ref());
        let gateway = controller
            .is_gateway_api()
            .then(|| GatewayTarget { name: platform.to_string(), namespace: format!("{platform}-gateway") });
        if let Some(g) = gateway.as_ref().filter(|g| g.namespace.len() > 63) {
            self.error(
                Code::InvalidName,
                &Path::root().key("metadata").key("name"),
                format!("the Gateway's namespace `{}` is longer than 63 characters", g.namespace),
                Some("shorten the platform name to at most 55 characters".into()),
            );
        }
        Ingress {
            controller,
            class_name: raw.and_then(|r| r.class_name.clone()).unwrap_or_else(|| default_class.to_string()),
            namespace: raw.and_then(|r| r.namespace.clone()).unwrap_or_else(|| match controller {
                IngressController::Nginx => "ingress-nginx".to_string(),
                IngressController::Traefik => "traefik".to_string(),
                IngressController::Haproxy => "haproxy-controller".to_string(),
                IngressController::EnvoyGateway => "envoy-gateway-system".to_string(),
            }),
            gateway,
            issuer: Issuer {
                name: issuer.map_or_else(|| "letsencrypt-prod".to_string(), |i| i.name.clone()),
                email: issuer.and_then(|i| i.email.clone()).unwrap_or_else(|| format!("ops@{platform}.invalid")),
                acme: issuer.and_then(|i| i.acme).unwrap_or(AcmeServer::Production),
            },
        }
    }

    fn secrets(&mut self, raw: Option<&raw::SecretsSpec>) -> Secrets {
        let backend = raw.map_or(SecretsBackend::SealedSecrets, |r| r.backend);
        let vault = raw.and_then(|r| r.vault.as_ref());
        if backend == SecretsBackend::Vault && vault.is_none() {
            self.error(
                Code::Incomplete,
                &spec_path().key("secrets").key("backend"),
                "secrets backend `vault` needs a `vault:` block",
                Some("add `vault: {address: http://vault.<ns>:8200}`".into()),
            );
        }
        let refresh = raw.and_then(|r| r.refresh_interval.clone()).unwrap_or_else(|| "1h".into());
        if parse_duration_minutes(&refresh).is_none() {
            self.error(
                Code::InvalidValue,
                &spec_path().key("secrets").key("refreshInterval"),
                format!("invalid duration `{refresh}`"),
                Some("write a duration such as `1h`, `30m` or `1h30m`".into()),
            );
        }
        Secrets {
            backend,
            vault_address: vault.map(|v| v.address.clone()),
            vault_path: vault.and_then(|v| v.path.clone()).unwrap_or_else(|| "secret".into()),
            vault_role: vault.and_then(|v| v.role.clone()).unwrap_or_else(|| "skyform".into()),
            refresh_interval: refresh,
        }
    }

    fn providers(&mut self, raw: &raw::ProvidersSpec) -> Vec<ProviderTarget> {
        let all = [
            (ProviderName::Aws, &raw.aws, "us-east-1"),
            (ProviderName::Gcp, &raw.gcp, "us-central1"),
            (ProviderName::Azure, &raw.azure, "eastus"),
            (ProviderName::Digitalocean, &raw.digitalocean, "nyc3"),
            (ProviderName::Linode, &raw.linode, "us-east"),
            (ProviderName::Civo, &raw.civo, "LON1"),
            (ProviderName::Vultr, &raw.vultr, "ewr"),
            (ProviderName::Hetzner, &raw.hetzner, "fsn1"),
            (ProviderName::K3s, &raw.k3s, "on-prem"),
            (ProviderName::Kind, &raw.kind, "local"),
        ];
        all.into_iter()
            .filter_map(|(name, spec, default_region)| {
                spec.as_ref().map(|s| ProviderTarget {
                    name,
                    region: s.region.clone().unwrap_or_else(|| default_region.to_string()),
                })
            })
            .collect()
    }

    fn observability(&mut self, raw: Option<&raw::ObservabilitySpec>, envs: &[Environment]) -> Observability {
        let base = spec_path().key("observability");
        let metrics = raw.and_then(|r| r.metrics.as_ref());
        let storage = metrics.and_then(|m| m.storage.as_deref()).and_then(|s| match quantity::parse_bytes(s) {
            Ok(b) => Some(b),
            Err(e) => {
                self.error(Code::BadQuantity, &base.key("metrics").key("storage"), e.message, e.hint);
                None
            }
        });
        let tracing = raw.and_then(|r| r.tracing.as_ref()).and_then(|t| {
            let path = base.key("tracing");
            let env = envs.first()?;
            let Some(svc) = env.service(&t.service) else {
                let names: Vec<&str> = env.services.iter().map(|s| s.name.as_str()).collect();
                self.error(
                    Code::UnknownService,
                    &path.key("service"),
                    format!("tracing service `{}` does not exist", t.service),
                    did_you_mean(&t.service, names).map(|s| format!("did you mean `{s}`?")),
                );
                return None;
            };
            let port_name = t.port.clone().unwrap_or_else(|| "otlp-grpc".to_string());
            match svc.port(&port_name) {
                Some(p) => Some(TracingTarget { service: svc.name.clone(), port: p.port }),
                None => {
                    let names: Vec<&str> = svc.ports.iter().map(|p| p.name.as_str()).collect();
                    self.error(
                        Code::UnknownPort,
                        &path,
                        format!("service `{}` has no port `{port_name}` for tracing", t.service),
                        Some(format!("its ports are: {}", names.join(", "))),
                    );
                    None
                }
            }
        });
        Observability {
            metrics: metrics.is_none_or(|m| m.enabled),
            dashboards: metrics.is_none_or(|m| m.dashboards),
            retention: metrics.and_then(|m| m.retention.clone()).unwrap_or_else(|| "15d".into()),
            storage,
            namespace: raw.and_then(|r| r.namespace.clone()).unwrap_or_else(|| "monitoring".into()),
            logs: raw.and_then(|r| r.logs.as_ref()).map(|l| l.stack),
            log_retention: raw
                .and_then(|r| r.logs.as_ref())
                .and_then(|l| l.retention.clone())
                .unwrap_or_else(|| "30d".into()),
            log_fields: raw.and_then(|r| r.logs.as_ref()).map(|l| l.fields.clone()).unwrap_or_default(),
            tracing,
        }
    }

    fn autoscaling(&mut self, raw: Option<&raw::ClusterAutoscalingSpec>) -> ClusterAutoscaling {
        let mut out = ClusterAutoscaling::default();
        let Some(raw) = raw else { return out };
        let base = spec_path().key("clusterAutoscaling");
        if let Some(n) = raw.min_nodes {
            out.min_nodes = n;
            out.min_nodes_production = n;
        }
        if let Some(n) = raw.max_nodes {
            out.max_nodes = n;
        }
        if out.max_nodes == 0 || out.max_nodes < out.min_nodes_production.max(out.min_nodes) {
            self.error(
                Code::OutOfRange,
                &base.key(if raw.max_nodes.is_some() { "maxNodes" } else { "minNodes" }),
                format!(
                    "maxNodes ({}) is below minNodes ({})",
                    out.max_nodes,
                    out.min_nodes_production.max(out.min_nodes)
                ),
                Some("maxNodes must be at least 1 and at least minNodes".into()),
            );
        }
        if let Some(s) = &raw.scale_down_after {
            match parse_duration_minutes(s) {
                Some(m) if m > 0 => out.scale_down_after_minutes = u32::try_from(m).unwrap_or(u32::MAX),
                _ => self.error(
                    Code::InvalidValue,
                    &base.key("scaleDownAfter"),
                    format!("invalid duration `{s}`"),
                    Some("write a whole number of minutes or more, e.g. `10m`".into()),
                ),
            }
        }
        if let Some(p) = raw.scale_down_utilization {
            if p == 0 || p > 100 {
                self.error(
                    Code::OutOfRange,
                    &base.key("scaleDownUtilization"),
                    format!("scaleDownUtilization {p} is not a percentage in 1..=100"),
                    None,
                );
            } else {
                out.scale_down_utilization_percent = p;
            }
        }
        out
    }

    fn backup(&mut self, raw: Option<&raw::BackupSpec>, tiers: &[String], envs: &[Environment]) -> Backup {
        let base = spec_path().key("backup");
        let mut schedules = Vec::new();
        let mut replication = Vec::new();
        let Some(raw) = raw else { return Backup { schedules, replication, bucket_size_gib: 0 } };
        let service_names: Vec<&str> =
            envs.first().map(|e| e.services.iter().map(|s| s.name.as_str()).collect()).unwrap_or_default();
        for (i, s) in raw.schedules.iter().enumerate() {
            let path = base.key("schedules").index(i);
            if !is_dns1123_label(&s.name) {
                self.error(
                    Code::InvalidName,
                    &path.key("name"),
                    format!("schedule name `{}` is not a valid DNS-1123 label", s.name),
                    None,
                );
            }
            for (j, t) in s.tiers.iter().enumerate() {
                if !tiers.contains(t) {
                    self.error(
                        Code::UnknownTier,
                        &path.key("tiers").index(j),
                        format!("backup schedule `{}` names unknown tier `{t}`", s.name),
                        did_you_mean(t, tiers.iter().map(String::as_str)).map(|x| format!("did you mean `{x}`?")),
                    );
                }
            }
            for (j, svc) in s.services.iter().enumerate() {
                if !service_names.contains(&svc.as_str()) {
                    self.error(
                        Code::UnknownService,
                        &path.key("services").index(j),
                        format!("backup schedule `{}` names unknown service `{svc}`", s.name),
                        did_you_mean(svc, service_names.iter().copied()).map(|x| format!("did you mean `{x}`?")),
                    );
                }
            }
            let interval = cron_interval_minutes(&s.cron);
            if interval.is_none() {
                self.error(
                    Code::InvalidValue,
                    &path.key("cron"),
                    format!("invalid cron expression `{}`", s.cron),
                    Some("use five fields: minute hour day-of-month month day-of-week, e.g. `0 2 * * *`".into()),
                );
            }
            let ttl = parse_duration_minutes(&s.ttl);
            if ttl.is_none() {
                self.error(
                    Code::InvalidValue,
                    &path.key("ttl"),
                    format!("invalid duration `{}`", s.ttl),
                    Some("write hours, e.g. `720h` for 30 days".into()),
                );
            }
            schedules.push(BackupSchedule {
                name: s.name.clone(),
                tiers: s.tiers.clone(),
                cron: s.cron.clone(),
                ttl: s.ttl.clone(),
                ttl_hours: ttl.unwrap_or(0) / 60,
                interval_minutes: interval.unwrap_or(0),
                method: s.method.unwrap_or(BackupMethod::Snapshot),
                services: s.services.clone(),
            });
        }
        for (i, r) in raw.replication.iter().enumerate() {
            let path = base.key("replication").index(i);
            if !service_names.contains(&r.service.as_str()) {
                self.error(
                    Code::UnknownService,
                    &path.key("service"),
                    format!("replication source `{}` is not a service", r.service),
                    did_you_mean(&r.service, service_names.iter().copied()).map(|x| format!("did you mean `{x}`?")),
                );
            }
            let interval = r.interval.as_deref().unwrap_or("0s");
            let minutes = parse_duration_minutes(interval);
            if minutes.is_none() {
                self.error(Code::InvalidValue, &path.key("interval"), format!("invalid duration `{interval}`"), None);
            }
            replication.push(Replication {
                service: r.service.clone(),
                bucket: r.bucket.clone(),
                target: r.target.clone(),
                interval_minutes: minutes.unwrap_or(0),
            });
        }
        let bucket_size_gib = match raw.bucket_size.as_deref() {
            None => 0,
            Some(s) => match quantity::parse_bytes(s) {
                Ok(b) => b.gib(),
                Err(e) => {
                    self.error(Code::BadQuantity, &spec_path().key("backup").key("bucketSize"), e.message, e.hint);
                    0
                }
            },
        };
        Backup { schedules, replication, bucket_size_gib }
    }

    #[allow(clippy::too_many_arguments)]
    fn environment(
        &mut self,
        platform: &str,
        env_name: &str,
        env: &raw::EnvironmentSpec,
        env_path: &Path,
        tiers: &[Tier],
        _ingress: &Ingress,
    ) -> Environment {
        let spec = &self.loaded.raw.spec;
        let production = env.production.unwrap_or(matches!(env_name, "production" | "prod"));
        let domain = env.domain.clone().unwrap_or_else(|| spec.domain.clone());
        let knative = env.knative.unwrap_or(spec.knative.as_ref().is_some_and(|k| k.enabled));
        for svc in env.services.keys() {
            if !spec.services.contains_key(svc) {
                let names = spec.services.keys().map(String::as_str);
                self.error_at_key(
                    Code::UnknownOverride,
                    &env_path.key("services").key(svc),
                    format!("environment `{env_name}` overrides service `{svc}`, which does not exist"),
                    did_you_mean(svc, names).map(|s| format!("did you mean `{s}`?")),
                );
            }
        }
        let mut services = Vec::new();
        for (svc_name, base) in &spec.services {
            let base_path = spec_path().key("services").key(svc_name);
            let over = env.services.get(svc_name);
            let over_path = env_path.key("services").key(svc_name);
            let merged = Merged { tree: &self.loaded.tree, base, over, base_path: &base_path, over_path: &over_path };
            if let Some(s) = self.service(platform, svc_name, &merged, tiers, env, &domain, knative) {
                services.push(s);
            }
        }
        self.check_dependencies(&mut services);
        self.check_workloads(&mut services);
        if self.gateway_api {
            self.check_listener_ports(&services);
        }
        Environment {
            name: env_name.to_string(),
            production,
            domain,
            knative,
            backup: env.backup.unwrap_or(true),
            services,
        }
    }

    #[allow(clippy::too_many_arguments, clippy::too_many_lines)]
    fn service(
        &mut self,
        platform: &str,
        name: &str,
        m: &Merged<'_>,
        tiers: &[Tier],
        env: &raw::EnvironmentSpec,
        domain: &str,
        knative: bool,
    ) -> Option<Service> {
        let component = m.get(|s| s.component);
        let defaults = component.map(component_defaults);
        // Tier
        let tier_name = match m.get(|s| s.tier.clone()) {
            Some(t) => t,
            None => {
                self.error(
                    Code::MissingKey,
                    m.base_path,
                    format!("service `{name}` has no `tier`"),
                    Some(format!(
                        "add `tier:` with one of: {}",
                        tiers.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(", ")
                    )),
                );
                return None;
            }
        };
        let Some(tier) = tiers.iter().find(|t| t.name == tier_name) else {
            let path = m.path("tier");
            self.error(
                Code::UnknownTier,
                &path,
                format!("service `{name}` uses undeclared tier `{tier_name}`"),
                did_you_mean(&tier_name, tiers.iter().map(|t| t.name.as_str()))
                    .map(|s| format!("did you mean `{s}`?"))
                    .or_else(|| {
                        Some(format!(
                            "declare it in `spec.tiers` or use one of: {}",
                            tiers.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(", ")
                        ))
                    }),
            );
            return None;
        };
        // Image
        let image = match m.get(|s| s.image.clone()).or_else(|| defaults.as_ref().map(|d| d.image.to_string())) {
            Some(i) => i,
            None => {
                self.error(
                    Code::Incomplete,
                    m.base_path,
                    format!("service `{name}` has no `image`"),
                    Some("add `image:` with a pinned tag, or a `component:` that brings one".into()),
                );
                return None;
            }
        };
        if image.trim().is_empty() || image.contains(char::is_whitespace) {
            self.error(Code::InvalidValue, &m.path("image"), format!("invalid image reference `{image}`"), None);
        } else if !image.contains('@')
            && (image.ends_with(":latest") || !image.rsplit('/').next().is_some_and(|last| last.contains(':')))
        {
            self.warn(
                Code::InvalidValue,
                &m.path("image"),
                format!("image `{image}` is not pinned to a version"),
                Some("pin a tag (`:1.4.2`) or a digest (`@sha256:…`) so that deployments are reproducible".into()),
            );
        }
        // Ports
        let ports = self.ports(name, m, defaults.as_ref());
        // Resources
        let resources = self.resources(name, m, defaults.as_ref());
        // Replicas
        let serverless_raw = m.get(|s| s.serverless.clone());
        let serverless = serverless_raw.as_ref().map(|sv| {
            let min = sv.min_scale.unwrap_or(0);
            let max = sv.max_scale.unwrap_or(min.max(1) * 10);
            if min > max {
                self.error(
                    Code::BadReplicas,
                    &m.path("serverless"),
                    format!("`minScale` {min} is above `maxScale` {max}"),
                    None,
                );
            }
            Serverless {
                min_scale: min,
                max_scale: max.max(1),
                target: sv.target.unwrap_or(100),
                concurrency: sv.concurrency.unwrap_or(0),
                metric: sv.metric.unwrap_or(ServerlessMetric::Concurrency),
            }
        });
        let replicas = self.replicas(name, m, env, serverless.as_ref(), knative, component);
        // Autoscale
        let autoscale = m.get(|s| s.autoscale.clone()).map(|a| {
            let path = m.path("autoscale");
            let cpu = a.cpu.as_ref().and_then(|p| self.percent(p, &path.key("cpu")));
            let memory = a.memory.as_ref().and_then(|p| self.percent(p, &path.key("memory")));
            let queue = a.queue.as_ref().map(|q| QueueScale {
                service: q.service.clone(),
                queue: q.queue.clone(),
                target: q.target.max(1),
            });
            Autoscale { cpu_percent: cpu, memory_percent: memory, queue }
        });
        let autoscale = match autoscale {
            Some(a) if !replicas.is_range() && !written_as_range(m.get(|s| s.replicas.clone()).as_ref()) => {
                self.warn(
                    Code::BadReplicas,
                    &m.path("autoscale"),
                    format!("service `{name}` has autoscaling targets but a fixed replica count"),
                    Some("write `replicas: MIN..MAX` to autoscale".into()),
                );
                Some(a)
            }
            Some(a) => Some(a),
            None if replicas.is_range() => Some(Autoscale { cpu_percent: Some(70), memory_percent: None, queue: None }),
            None => None,
        };
        // Probes
        let probes = self.probes(name, m, defaults.as_ref(), &ports);
        // Expose
        let expose = m.get(|s| s.expose.clone()).and_then(|e| {
            let path = m.path("expose");
            if e.host.contains('{') && !e.host.replace("{domain}", "").chars().all(|c| c != '{' && c != '}') {
                self.error(
                    Code::InvalidValue,
                    &path.key("host"),
                    format!("unknown placeholder in host `{}`", e.host),
                    Some("only `{domain}` is expanded".into()),
                );
                return None;
            }
            let host = e.host.replace("{domain}", domain);
            let port = match &e.port {
                Some(p) => match ports.iter().find(|x| x.name == *p || x.port.to_string() == *p) {
                    Some(x) => x.clone(),
                    None => {
                        self.error(
                            Code::UnknownPort,
                            &path.key("port"),
                            format!("service `{name}` has no port `{p}` to expose"),
                            Some(port_list(&ports)),
                        );
                        return None;
                    }
                },
                None => ports.first()?.clone(),
            };
            let path_prefix = e.path.clone().unwrap_or_else(|| "/".into());
            if !path_prefix.starts_with('/') {
                self.error(
                    Code::InvalidValue,
                    &path.key("path"),
                    format!("ingress path `{path_prefix}` must start with `/`"),
                    None,
                );
            }
            let protocol = self.expose_protocol(name, &e, &port, &path);
            let edge_tls = !matches!(protocol, ExposeProtocol::Tls | ExposeProtocol::Udp);
            if e.tls == Some(true) && !edge_tls {
                self.warn(
                    Code::InvalidValue,
                    &path.key("tls"),
                    format!("`tls: true` has no effect on a `{}` exposure", protocol_name(protocol)),
                    Some(match protocol {
                        ExposeProtocol::Tls => "the service terminates TLS itself; the Gateway routes by SNI".into(),
                        _ => "UDP is not carried over TLS; remove `tls:`".into(),
                    }),
                );
            }
            Some(Expose {
                host,
                path: path_prefix,
                port,
                tls: edge_tls && e.tls.unwrap_or(true),
                protocol,
                load_balancer: e.load_balancer.unwrap_or(false),
            })
        });
        if m.get(|s| s.expose.clone()).is_some() && ports.is_empty() {
            self.error(
                Code::Incomplete,
                &m.path("expose"),
                format!("service `{name}` is exposed but declares no ports"),
                None,
            );
        }
        // Dependencies (targets are checked once all services exist)
        let depends_on = m
            .get(|s| s.depends_on.clone())
            .unwrap_or_default()
            .into_iter()
            .map(|d| {
                let (svc, port) = match d.split_once(':') {
                    Some((s, p)) => (s.to_string(), Some(p.to_string())),
                    None => (d, None),
                };
                Dependency { service: svc, ports: port.map(|p| vec![p.parse().unwrap_or(0)]).unwrap_or_default() }
            })
            .collect();
        // Storage
        let storage = m.get(|s| s.storage.clone()).map(|st| {
            let path = m.path("storage");
            let (def_size, def_class, def_mount) =
                defaults.as_ref().and_then(|d| d.storage).unwrap_or(("10Gi", StorageClassName::FastSsd, "/data"));
            let size_text = st.size.clone().unwrap_or_else(|| def_size.to_string());
            let size = quantity::parse_bytes(&size_text).unwrap_or_else(|e| {
                self.error(Code::BadQuantity, &path.key("size"), e.message, e.hint);
                Bytes(1 << 30)
            });
            let mount = st.mount_path.clone().unwrap_or_else(|| def_mount.to_string());
            if !mount.starts_with('/') {
                self.error(
                    Code::InvalidValue,
                    &path.key("mountPath"),
                    format!("mount path `{mount}` must be absolute"),
                    None,
                );
            }
            Storage { size, class: st.class.unwrap_or(def_class), mount_path: mount }
        });
        let storage = storage.or_else(|| {
            defaults.as_ref().and_then(|d| d.storage).map(|(size, class, mount)| Storage {
                size: quantity::parse_bytes(size).unwrap_or(Bytes(1 << 30)),
                class,
                mount_path: mount.to_string(),
            })
        });
        // Egress
        let egress = m
            .get(|s| s.egress.clone())
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .map(|(i, e)| {
                let path = m.path("egress").index(i);
                if e.host.is_none() && e.cidr.is_none() {
                    self.error(
                        Code::Incomplete,
                        &path,
                        "egress rule needs `host` or `cidr`",
                        Some("e.g. `{host: smtp.example.com, port: 587}`".into()),
                    );
                }
                if let Some(c) = &e.cidr
                    && !valid_cidr(c)
                {
                    self.error(
                        Code::InvalidValue,
                        &path.key("cidr"),
                        format!("invalid CIDR `{c}`"),
                        Some("write an IPv4 or IPv6 network such as `203.0.113.0/24`".into()),
                    );
                }
                if e.port == 0 {
                    self.error(Code::OutOfRange, &path.key("port"), "port 0 is not a valid port", None);
                }
                Egress { host: e.host, cidr: e.cidr, port: e.port, protocol: e.protocol.unwrap_or(Protocol::Tcp) }
            })
            .collect();
        // Managed
        let managed_on: BTreeSet<ProviderName> = m.get(|s| s.managed.clone()).unwrap_or_default().into_iter().collect();
        if !managed_on.is_empty() && !defaults.as_ref().is_some_and(|d| d.manageable) {
            self.error(
                Code::InvalidValue,
                &m.path("managed"),
                format!("service `{name}` cannot be a managed service"),
                Some("`managed:` applies to `component: postgres` and `component: redis`".into()),
            );
        } else if let Some(service) = component.and_then(crate::ManagedService::for_component) {
            let listed = m.get(|s| s.managed.clone()).unwrap_or_default();
            for (i, p) in listed.iter().enumerate() {
                if !service.offered_by(*p) {
                    self.error(
                        Code::InvalidValue,
                        &m.path("managed").index(i),
                        format!("`{}` offers no managed {} for service `{name}`", p.as_str(), service.display()),
                        Some(crate::managed::unsupported_hint(service)),
                    );
                }
            }
        }
        // Env and secrets
        let mut env_vars: BTreeMap<String, String> = defaults
            .as_ref()
            .map(|d| d.env.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect())
            .unwrap_or_default();
        if let Some(e) = m.get(|s| s.env.clone()) {
            for (k, v) in e {
                if !is_env_name(&k) {
                    self.error_at_key(
                        Code::InvalidName,
                        &m.path("env").key(&k),
                        format!("`{k}` is not a valid environment variable name"),
                        Some("use letters, digits, `_`, `.` and `-`, not starting with a digit".into()),
                    );
                }
                env_vars.insert(k, v);
            }
        }
        let mut secrets: Vec<SecretRef> = Vec::new();
        for (i, s) in m.get(|s| s.secrets.clone()).unwrap_or_default().into_iter().enumerate() {
            let path = m.path("secrets").index(i);
            let (env_name, key, property, mount_path) = match s {
                raw::SecretRefSpec::Name(n) => (n.clone(), format!("{platform}/{name}"), n, None),
                raw::SecretRefSpec::Detailed(d) => (
                    d.name.clone(),
                    d.key.unwrap_or_else(|| format!("{platform}/{name}")),
                    d.property.unwrap_or(d.name),
                    d.mount_path,
                ),
            };
            if let Some(p) = &mount_path
                && (!p.starts_with('/') || p.ends_with('/'))
            {
                self.error(
                    Code::InvalidValue,
                    &path.key("mountPath"),
                    format!("secret file path `{p}` must be an absolute file path"),
                    None,
                );
            }
            if !is_env_name(&env_name) {
                self.error(
                    Code::InvalidName,
                    &path,
                    format!("`{env_name}` is not a valid environment variable name"),
                    None,
                );
            }
            if env_vars.contains_key(&env_name) {
                self.error(
                    Code::InvalidValue,
                    &path,
                    format!("`{env_name}` is both a plain variable and a secret"),
                    Some("remove it from `env:`; secrets never hold plaintext values".into()),
                );
            }
            if secrets.iter().any(|x| x.env == env_name) {
                self.error(Code::InvalidValue, &path, format!("secret `{env_name}` is listed twice"), None);
                continue;
            }
            secrets.push(SecretRef { env: env_name, key, property, mount_path });
        }
        for (k, v) in &env_vars {
            let upper = k.to_ascii_uppercase();
            // `*_FILE` variables (the `_FILE` convention) and paths name where a secret is.
            let names_a_location = ["_FILE", "_PATH", "_DIR"].iter().any(|w| upper.ends_with(w));
            let looks_secret = !names_a_location
                && ["PASSWORD", "SECRET", "TOKEN", "PRIVATE_KEY", "API_KEY"].iter().any(|w| upper.contains(w));
            if looks_secret && !v.is_empty() && !v.starts_with('$') {
                self.error_at_key(
                    Code::InvalidValue,
                    &m.path("env").key(k),
                    format!("`{k}` looks like a secret but is a plaintext value"),
                    Some(format!("move it to `secrets: [{k}]`; its value then comes from the secrets backend")),
                );
            }
        }
        // Secrets a component cannot run without: the password an operator-run PostgreSQL
        // is bootstrapped with, and the Erlang cookie every node of a RabbitMQ cluster shares.
        let implied: &[&str] = match component {
            Some(crate::ComponentKind::Postgres) => &["POSTGRES_PASSWORD"],
            Some(crate::ComponentKind::Rabbitmq) if replicas.max > 1 => &["RABBITMQ_ERLANG_COOKIE"],
            _ => &[],
        };
        for var in implied {
            if !secrets.iter().any(|x| x.env == *var) && !env_vars.contains_key(*var) {
                secrets.push(SecretRef {
                    env: (*var).to_string(),
                    key: format!("{platform}/{name}"),
                    property: (*var).to_string(),
                    mount_path: None,
                });
            }
        }
        // RBAC
        let mut rbac = Vec::new();
        for (i, r) in m.get(|s| s.rbac.clone()).unwrap_or_default().into_iter().enumerate() {
            let path = m.path("rbac").index(i);
            let all = r.api_groups.iter().chain(&r.resources).chain(&r.verbs);
            if all.clone().any(|x| x.contains('*')) {
                self.error(
                    Code::InvalidValue,
                    &path,
                    "RBAC rules may not use wildcards",
                    Some("list the exact API groups, resources and verbs the service needs".into()),
                );
            }
            for v in &r.verbs {
                if ["escalate", "bind", "impersonate"].contains(&v.as_str()) {
                    self.error(
                        Code::InvalidValue,
                        &path.key("verbs"),
                        format!("verb `{v}` allows privilege escalation"),
                        None,
                    );
                }
            }
            rbac.push(RbacRule {
                api_groups: r.api_groups,
                resources: r.resources,
                verbs: r.verbs,
                resource_names: r.resource_names,
            });
        }
        // Metrics
        let metrics = match m.get(|s| s.metrics.clone()) {
            Some(mt) => match ports.iter().find(|p| p.name == mt.port || p.port.to_string() == mt.port) {
                Some(p) => Some(Metrics { port: p.clone(), path: mt.path.unwrap_or_else(|| "/metrics".into()) }),
                None => {
                    self.error(
                        Code::UnknownPort,
                        &m.path("metrics").key("port"),
                        format!("service `{name}` has no port `{}` for metrics", mt.port),
                        Some(port_list(&ports)),
                    );
                    None
                }
            },
            None => defaults.as_ref().and_then(|d| d.metrics).and_then(|(port, path)| {
                ports.iter().find(|p| p.name == port).map(|p| Metrics { port: p.clone(), path: path.to_string() })
            }),
        };
        let mut writable: Vec<String> = defaults
            .as_ref()
            .map(|d| d.writable_paths.iter().map(|p| (*p).to_string()).collect())
            .unwrap_or_else(|| vec!["/tmp".to_string()]);
        for p in m.get(|s| s.writable_paths.clone()).unwrap_or_default() {
            if !writable.contains(&p) {
                writable.push(p);
            }
        }
        writable.sort();
        let run_as_user = m.get(|s| s.run_as_user).or(defaults.as_ref().map(|d| d.run_as_user)).unwrap_or(10001);
        if run_as_user <= 0 {
            self.error(
                Code::InvalidValue,
                &m.path("runAsUser"),
                format!("`runAsUser: {run_as_user}` runs as root"),
                Some("choose a non-zero UID; the platform enforces non-root containers".into()),
            );
        }
        let job = m.get(|s| s.job).unwrap_or(false);
        let volumes = self.volumes(name, m, storage.as_ref().map(|s| s.mount_path.as_str()));
        let files = self.files(name, m);
        if job {
            let own_volumes = volumes.iter().any(|v| !v.shared);
            for (key, bad, what) in [
                (
                    "storage",
                    m.get(|s| s.storage.clone()).is_some() || own_volumes,
                    "storage of its own (use a shared volume)",
                ),
                ("expose", expose.is_some(), "public exposure"),
                ("serverless", serverless.is_some(), "serverless settings"),
                ("replicas", replicas.is_range(), "a replica range"),
            ] {
                if bad {
                    self.error(
                        Code::InvalidValue,
                        &m.path(key),
                        format!("job `{name}` cannot have {what}"),
                        Some("a job runs once to completion".into()),
                    );
                }
            }
        }
        let mut probes = probes;
        if job {
            probes.disabled = true;
        }
        let workload = if job {
            WorkloadKind::Job
        } else if serverless.is_some() && knative {
            WorkloadKind::Knative
        } else if storage.is_some() || volumes.iter().any(|v| !v.shared) {
            WorkloadKind::StatefulSet
        } else {
            WorkloadKind::Deployment
        };
        if workload == WorkloadKind::Knative && storage.is_some() {
            self.error(
                Code::InvalidValue,
                &m.path("serverless"),
                format!("service `{name}` cannot be serverless and have storage"),
                None,
            );
        }
        self.check_replication(name, m, component, replicas, storage.is_some());
        let schemas = m.get(|s| s.schemas.clone()).unwrap_or_default();
        for (i, sc) in schemas.iter().enumerate() {
            let path = m.path("schemas").index(i);
            if component != Some(crate::ComponentKind::Postgres) {
                self.error(
                    Code::InvalidValue,
                    &m.path("schemas"),
                    format!("service `{name}` is not a PostgreSQL database and cannot have `schemas`"),
                    Some("`schemas:` applies to `component: postgres`".into()),
                );
                break;
            }
            let valid = sc.len() <= 63
                && sc.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
                && sc.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                && !sc.starts_with("pg_");
            if !valid {
                self.error(
                    Code::InvalidName,
                    &path,
                    format!("`{sc}` is not a valid PostgreSQL schema name"),
                    Some("use lowercase letters, digits and `_`, not starting with a digit or `pg_`".into()),
                );
            }
        }
        let spot = m.get(|s| s.spot).unwrap_or(false);
        if spot && storage.is_some() {
            self.warn(
                Code::InvalidValue,
                &m.path("spot"),
                format!("stateful service `{name}` is kept on on-demand nodes"),
                Some("`spot: true` is ignored for services with storage".into()),
            );
        }
        Some(Service {
            name: name.to_string(),
            tier: tier.name.clone(),
            namespace: tier.namespace.clone(),
            component,
            workload,
            image,
            command: m.get(|s| s.command.clone()).unwrap_or_else(|| {
                defaults.as_ref().map(|d| d.command.iter().map(|s| (*s).to_string()).collect()).unwrap_or_default()
            }),
            args: m.get(|s| s.args.clone()).unwrap_or_else(|| {
                defaults.as_ref().map(|d| d.args.iter().map(|s| (*s).to_string()).collect()).unwrap_or_default()
            }),
            ports,
            env: env_vars,
            secrets,
            resources,
            replicas,
            autoscale,
            probes,
            expose,
            depends_on,
            spot: spot && storage.is_none(),
            storage,
            serverless,
            egress,
            managed_on,
            security: Security { run_as_user: run_as_user.max(1), writable_paths: writable },
            metrics,
            tracing: m.get(|s| s.tracing).unwrap_or(false),
            rbac,
            schemas,
            after: m.get(|s| s.after.clone()).unwrap_or_default(),
            volumes,
            files,
        })
    }

    /// A stateful component with more than one replica must have a replication mode
    /// ([`crate::replication_mode`]) and a fixed size; otherwise the replicas would be
    /// independent servers behind one Service.
    fn check_replication(
        &mut self,
        name: &str,
        m: &Merged<'_>,
        component: Option<crate::ComponentKind>,
        replicas: Replicas,
        stateful: bool,
    ) {
        let Some(kind) = component.filter(|_| stateful) else { return };
        if replicas.max <= 1 {
            return;
        }
        let path = m.path("replicas");
        let cname = format!("{kind:?}").to_ascii_lowercase();
        match crate::replication_mode(kind) {
            None => self.error(
                Code::BadReplicas,
                &path,
                format!(
                    "service `{name}` (component `{cname}`) has no replication mode: {} replicas would be independent servers behind one Service",
                    replicas.max
                ),
                Some(
                    "use `replicas: 1`; components that replicate: postgres (CloudNativePG), redis (Sentinel), \
                     rabbitmq (cluster), minio (distributed), vault (Raft)"
                        .into(),
                ),
            ),
            Some(_) if replicas.is_range() => self.error(
                Code::BadReplicas,
                &path,
                format!("service `{name}` (component `{cname}`) is a replicated data service and cannot autoscale"),
                Some(format!("write a fixed count, e.g. `replicas: {}`", replicas.max)),
            ),
            Some(mode) if replicas.max < mode.min_replicas() => self.error(
                Code::BadReplicas,
                &path,
                format!(
                    "service `{name}` needs at least {} replicas for {} (or 1 for a single server)",
                    mode.min_replicas(),
                    mode.describe()
                ),
                Some(format!("write `replicas: 1` or `replicas: {}`", mode.min_replicas())),
            ),
            Some(_) => {}
        }
    }

    fn ports(&mut self, name: &str, m: &Merged<'_>, defaults: Option<&crate::ComponentDefaults>) -> Vec<Port> {
        let Some(raw_ports) = m.get(|s| s.ports.clone()) else {
            return defaults
                .map(|d| {
                    d.ports
                        .iter()
                        .map(|(n, p)| Port { name: (*n).to_string(), port: *p, protocol: Protocol::Tcp })
                        .collect()
                })
                .unwrap_or_default();
        };
        let single = raw_ports.len() == 1;
        let mut out: Vec<Port> = Vec::new();
        for (i, p) in raw_ports.iter().enumerate() {
            let path = m.path("ports").index(i);
            let (pname, number, protocol, name_path) = match p {
                raw::PortSpec::Number(n) => (None, *n, Protocol::Tcp, path.clone()),
                raw::PortSpec::Detailed(d) => {
                    (d.name.clone(), d.port, d.protocol.unwrap_or(Protocol::Tcp), path.key("name"))
                }
            };
            let default_name =
                defaults.and_then(|d| d.ports.iter().find(|(_, n)| *n == number).map(|(n, _)| (*n).to_string()));
            let pname = pname
                .or(default_name)
                .unwrap_or_else(|| if single { "http".to_string() } else { format!("port-{number}") });
            if number == 0 {
                self.error(
                    Code::OutOfRange,
                    &path,
                    format!("service `{name}` declares port 0"),
                    Some("ports are 1-65535".into()),
                );
            }
            if !is_iana_svc_name(&pname) {
                self.error(
                    Code::InvalidName,
                    &name_path,
                    format!("port name `{pname}` is not a valid IANA service name"),
                    Some("at most 15 lowercase letters, digits and `-`, with at least one letter".into()),
                );
            }
            if let Some(prev) = out.iter().find(|o| o.port == number && o.protocol == protocol) {
                self.error(
                    Code::DuplicatePort,
                    &path,
                    format!("service `{name}` declares port {number} twice"),
                    Some(format!("it is already declared as `{}`", prev.name)),
                );
                continue;
            }
            if out.iter().any(|o| o.name == pname) {
                self.error(
                    Code::DuplicatePort,
                    &name_path,
                    format!("service `{name}` declares port name `{pname}` twice"),
                    Some("give each port a distinct name".into()),
                );
                continue;
            }
            out.push(Port { name: pname, port: number, protocol });
        }
        out
    }

    fn resources(&mut self, name: &str, m: &Merged<'_>, defaults: Option<&crate::ComponentDefaults>) -> Resources {
        let raw = m.get(|s| s.resources.clone()).unwrap_or_default();
        let (dcpu, dmem) = defaults.map_or(("100m..500m", "128Mi..256Mi"), |d| (d.cpu, d.memory));
        if raw.cpu.is_none() && raw.memory.is_none() && defaults.is_none() {
            self.warn(
                Code::Incomplete,
                m.base_path,
                format!("service `{name}` declares no resources; using {dcpu} CPU and {dmem} memory"),
                Some("add `resources: {cpu: REQUEST..LIMIT, memory: REQUEST..LIMIT}` sized from real usage".into()),
            );
        }
        let text = |q: &Option<raw::QuantityText>, d: &str| match q {
            Some(raw::QuantityText::Text(t)) => t.clone(),
            Some(raw::QuantityText::Number(n)) => n.to_string(),
            None => d.to_string(),
        };
        let cpu_text = text(&raw.cpu, dcpu);
        let mem_text = text(&raw.memory, dmem);
        let path = m.path("resources");
        let (rq, lm) = quantity::split_range(&cpu_text);
        let cpu_req = self.cpu(rq, &path.key("cpu"));
        let cpu_lim = self.cpu(lm, &path.key("cpu"));
        let (rq, lm) = quantity::split_range(&mem_text);
        let mem_req = self.bytes(rq, &path.key("memory"));
        let mem_lim = self.bytes(lm, &path.key("memory"));
        if let (Some(r), Some(l)) = (cpu_req, cpu_lim)
            && l < r
        {
            self.error(
                Code::LimitBelowRequest,
                &path.key("cpu"),
                format!("CPU limit {l} is below the request {r}"),
                Some(format!("write `{r}..{r}` or raise the limit")),
            );
        }
        if let (Some(r), Some(l)) = (mem_req, mem_lim)
            && l < r
        {
            self.error(
                Code::LimitBelowRequest,
                &path.key("memory"),
                format!("memory limit {l} is below the request {r}"),
                Some(format!("write `{r}..{r}` or raise the limit")),
            );
        }
        Resources {
            cpu_request: cpu_req.unwrap_or(Cpu(100)),
            cpu_limit: cpu_lim.unwrap_or(Cpu(500)),
            memory_request: mem_req.unwrap_or(Bytes(128 << 20)),
            memory_limit: mem_lim.unwrap_or(Bytes(256 << 20)),
        }
    }

    fn cpu(&mut self, s: &str, path: &Path) -> Option<Cpu> {
        match quantity::parse_cpu(s) {
            Ok(c) => Some(c),
            Err(e) => {
                self.error(Code::BadQuantity, path, e.message, e.hint);
                None
            }
        }
    }

    fn bytes(&mut self, s: &str, path: &Path) -> Option<Bytes> {
        match quantity::parse_bytes(s) {
            Ok(b) => Some(b),
            Err(e) => {
                self.error(Code::BadQuantity, path, e.message, e.hint);
                None
            }
        }
    }

    fn percent(&mut self, p: &raw::PercentSpec, path: &Path) -> Option<u32> {
        let v = match p {
            raw::PercentSpec::Number(n) => Some(*n),
            raw::PercentSpec::Text(t) => t.trim().trim_end_matches('%').trim().parse::<u32>().ok(),
        };
        match v {
            Some(v) if (1..=100).contains(&v) => Some(v),
            _ => {
                let shown = match p {
                    raw::PercentSpec::Number(n) => n.to_string(),
                    raw::PercentSpec::Text(t) => t.clone(),
                };
                self.error(
                    Code::BadPercent,
                    path,
                    format!("invalid utilisation target `{shown}`"),
                    Some("write a percentage from 1% to 100%, e.g. `70%`".into()),
                );
                None
            }
        }
    }

    fn replicas(
        &mut self,
        name: &str,
        m: &Merged<'_>,
        env: &raw::EnvironmentSpec,
        serverless: Option<&Serverless>,
        knative: bool,
        component: Option<crate::ComponentKind>,
    ) -> Replicas {
        let path = m.path("replicas");
        let parsed = match m.get(|s| s.replicas.clone()) {
            Some(raw::ReplicasSpec::Fixed(n)) => Some(Replicas { min: n, max: n }),
            Some(raw::ReplicasSpec::Text(t)) => {
                let parse = |x: &str| x.trim().parse::<u32>().ok();
                let r = match t.split_once("..") {
                    Some((a, b)) => parse(a).zip(parse(b)).map(|(a, b)| Replicas { min: a, max: b }),
                    None => parse(&t).map(|n| Replicas { min: n, max: n }),
                };
                match r {
                    Some(r) if r.min > r.max => {
                        self.error(
                            Code::BadReplicas,
                            &path,
                            format!("replica range `{t}` has its minimum above its maximum"),
                            Some(format!("did you mean `{}..{}`?", r.max, r.min)),
                        );
                        Some(Replicas { min: r.max, max: r.min })
                    }
                    Some(r) if r.max == 0 => {
                        self.error(
                            Code::BadReplicas,
                            &path,
                            format!("service `{name}` has zero replicas"),
                            Some("use `serverless: {minScale: 0}` to scale to zero".into()),
                        );
                        None
                    }
                    Some(r) => Some(r),
                    None => {
                        self.error(
                            Code::BadReplicas,
                            &path,
                            format!("invalid replica count `{t}`"),
                            Some("write a number (`3`) or a range (`2..5`)".into()),
                        );
                        None
                    }
                }
            }
            None => None,
        };
        let mut r = match (parsed, serverless) {
            (Some(r), _) => r,
            (None, Some(s)) if knative => Replicas { min: s.min_scale, max: s.max_scale },
            (None, Some(s)) => Replicas { min: s.min_scale.max(1), max: s.max_scale.max(1) },
            (None, None) if component == Some(crate::ComponentKind::Vault) => Replicas { min: 3, max: 3 },
            (None, None) => Replicas { min: 1, max: 1 },
        };
        if r.min == 0 && !(knative && serverless.is_some()) {
            r.min = 1;
        }
        // An explicit per-environment override wins over the environment's policy.
        let overridden = m.over.is_some_and(|o| o.replicas.is_some());
        if !overridden {
            match env.replicas {
                Some(raw::ReplicaPolicy::Min) => r.max = r.min.max(1),
                Some(raw::ReplicaPolicy::Max) => r.min = r.max,
                None => {}
            }
            if r.min == 0 {
                r.min = if knative && serverless.is_some() { 0 } else { 1 };
            }
        }
        r
    }

    fn probes(
        &mut self,
        name: &str,
        m: &Merged<'_>,
        defaults: Option<&crate::ComponentDefaults>,
        ports: &[Port],
    ) -> Probes {
        let raw = m.get(|s| s.probes.clone()).unwrap_or_default();
        let path = m.path("probes");
        let placeholder = Probe {
            action: ProbeAction::Exec { command: Vec::new() },
            initial_delay_seconds: 10,
            period_seconds: 10,
            failure_threshold: 3,
        };
        if raw.none == Some(true) {
            if raw.liveness.is_some() || raw.readiness.is_some() || raw.startup.is_some() || raw.port.is_some() {
                self.error(
                    Code::InvalidValue,
                    &path.key("none"),
                    format!("service `{name}` has `none: true` and other probe settings"),
                    Some("remove `none: true`, or the other probe settings".into()),
                );
            }
            return Probes { liveness: placeholder.clone(), readiness: placeholder, startup: None, disabled: true };
        }
        let default_port = match &raw.port {
            Some(p) => match ports.iter().find(|x| x.name == *p || x.port.to_string() == *p) {
                Some(x) => Some(x.name.clone()),
                None => {
                    self.error(
                        Code::UnknownPort,
                        &path.key("port"),
                        format!("service `{name}` has no port `{p}` to probe"),
                        Some(port_list(ports)),
                    );
                    None
                }
            },
            None => ports.first().map(|p| p.name.clone()),
        };
        let from_default = |d: DefaultProbe| -> ProbeAction {
            match d {
                DefaultProbe::Http(p, port) => ProbeAction::Http { path: p.to_string(), port: port.to_string() },
                DefaultProbe::Tcp(port) => ProbeAction::Tcp { port: port.to_string() },
                DefaultProbe::Exec(cmd) => {
                    ProbeAction::Exec { command: cmd.iter().map(|s| (*s).to_string()).collect() }
                }
            }
        };
        let fallback = |kind: &str| -> Option<ProbeAction> {
            let d = defaults?;
            Some(from_default(if kind == "liveness" { d.liveness } else { d.readiness }))
        };
        let resolve =
            |cx: &mut Self, spec: Option<&raw::ProbeSpec>, kind: &str, delay: u32, period: u32| -> Option<Probe> {
                let action = match spec {
                    Some(raw::ProbeSpec::Path(p)) => {
                        if !p.starts_with('/') {
                            cx.error(
                                Code::InvalidValue,
                                &path.key(kind),
                                format!("probe path `{p}` must start with `/`"),
                                None,
                            );
                        }
                        match &default_port {
                            Some(port) => ProbeAction::Http { path: p.clone(), port: port.clone() },
                            None => {
                                cx.error(
                                    Code::Incomplete,
                                    &path.key(kind),
                                    format!("service `{name}` has an HTTP probe but no ports"),
                                    None,
                                );
                                return None;
                            }
                        }
                    }
                    Some(raw::ProbeSpec::Detailed(d)) => {
                        let count = usize::from(d.http.is_some())
                            + usize::from(d.tcp == Some(true))
                            + usize::from(d.exec.is_some());
                        if count != 1 {
                            cx.error(
                                Code::InvalidValue,
                                &path.key(kind),
                                format!("a {kind} probe needs exactly one of `http`, `tcp: true`, `exec`"),
                                None,
                            );
                            return None;
                        }
                        let port = default_port.clone().unwrap_or_default();
                        let action = if let Some(h) = &d.http {
                            ProbeAction::Http { path: h.clone(), port }
                        } else if let Some(e) = &d.exec {
                            ProbeAction::Exec { command: e.clone() }
                        } else {
                            ProbeAction::Tcp { port }
                        };
                        return Some(Probe {
                            action,
                            initial_delay_seconds: d.initial_delay_seconds.unwrap_or(delay),
                            period_seconds: d.period_seconds.unwrap_or(period).max(1),
                            failure_threshold: d.failure_threshold.unwrap_or(3).max(1),
                        });
                    }
                    None => fallback(kind).or_else(|| default_port.clone().map(|port| ProbeAction::Tcp { port }))?,
                };
                Some(Probe { action, initial_delay_seconds: delay, period_seconds: period, failure_threshold: 3 })
            };
        let liveness = resolve(self, raw.liveness.as_ref(), "liveness", 10, 10);
        let readiness = resolve(self, raw.readiness.as_ref(), "readiness", 5, 5);
        let startup = raw.startup.as_ref().and_then(|s| resolve(self, Some(s), "startup", 0, 5)).map(|mut p| {
            p.failure_threshold = p.failure_threshold.max(30);
            p
        });
        if liveness.is_none() && readiness.is_none() {
            if m.get(|s| s.job) != Some(true) {
                self.warn(
                    Code::Incomplete,
                    m.base_path,
                    format!("service `{name}` has no ports and no probes: Kubernetes cannot tell when it is healthy"),
                    Some("add `probes: {liveness: {exec: [...]}, readiness: {exec: [...]}}` with a command that can fail, or `probes: {none: true}`".into()),
                );
            }
            return Probes { liveness: placeholder.clone(), readiness: placeholder, startup, disabled: true };
        }
        let readiness = readiness.or_else(|| liveness.clone()).unwrap_or(placeholder);
        Probes { liveness: liveness.unwrap_or_else(|| readiness.clone()), readiness, startup, disabled: false }
    }

    /// Checks every `dependsOn` edge and resolves port lists; removes broken edges.
    fn check_dependencies(&mut self, services: &mut [Service]) {
        let ports: BTreeMap<String, Vec<Port>> = services.iter().map(|s| (s.name.clone(), s.ports.clone())).collect();
        let names: Vec<String> = services.iter().map(|s| s.name.clone()).collect();
        let spec = &self.loaded.raw.spec;
        for s in services.iter_mut() {
            let raw_deps = spec.services.get(&s.name).and_then(|x| x.depends_on.clone()).unwrap_or_default();
            let mut resolved = Vec::new();
            for (i, dep) in std::mem::take(&mut s.depends_on).into_iter().enumerate() {
                // Locate the edge in the base spec (environments rarely change edges).
                let idx = raw_deps.iter().position(|d| d.split(':').next() == Some(dep.service.as_str())).unwrap_or(i);
                let path = spec_path().key("services").key(&s.name).key("dependsOn").index(idx);
                if dep.service == s.name {
                    self.error(Code::DependencyCycle, &path, format!("service `{}` depends on itself", s.name), None);
                    continue;
                }
                let Some(target_ports) = ports.get(&dep.service) else {
                    self.error(
                        Code::UnknownService,
                        &path,
                        format!("service `{}` depends on `{}`, which does not exist", s.name, dep.service),
                        did_you_mean(&dep.service, names.iter().map(String::as_str))
                            .map(|x| format!("did you mean `{x}`?")),
                    );
                    continue;
                };
                let raw_text = raw_deps.get(idx).cloned().unwrap_or_default();
                let port_ref = raw_text.split_once(':').map(|(_, p)| p.to_string());
                let ports_for_edge: Vec<u16> = match port_ref {
                    Some(p) => match target_ports.iter().find(|x| x.name == p || x.port.to_string() == p) {
                        Some(x) => vec![x.port],
                        None => {
                            self.error(
                                Code::UnknownPort,
                                &path,
                                format!("service `{}` has no port `{p}`", dep.service),
                                Some(port_list(target_ports)),
                            );
                            continue;
                        }
                    },
                    None if !dep.ports.is_empty() && dep.ports != [0] => dep.ports.clone(),
                    None => target_ports.iter().map(|p| p.port).collect(),
                };
                if ports_for_edge.is_empty() {
                    self.error(
                        Code::UnknownPort,
                        &path,
                        format!("service `{}` depends on `{}`, which declares no ports", s.name, dep.service),
                        None,
                    );
                    continue;
                }
                if let Some(existing) = resolved.iter_mut().find(|d: &&mut Dependency| d.service == dep.service) {
                    existing.ports.extend(ports_for_edge);
                    existing.ports.sort_unstable();
                    existing.ports.dedup();
                } else {
                    resolved.push(Dependency { service: dep.service, ports: ports_for_edge });
                }
            }
            resolved.sort();
            s.depends_on = resolved;
        }
        // Queue autoscalers must point at a service.
        for s in services.iter() {
            if let Some(q) = s.autoscale.as_ref().and_then(|a| a.queue.as_ref())
                && !names.contains(&q.service)
            {
                let path = spec_path().key("services").key(&s.name).key("autoscale").key("queue").key("service");
                self.error(
                    Code::UnknownService,
                    &path,
                    format!("queue autoscaler of `{}` names unknown service `{}`", s.name, q.service),
                    did_you_mean(&q.service, names.iter().map(String::as_str)).map(|x| format!("did you mean `{x}`?")),
                );
            }
        }
    }
}

/// Whether the replicas were written as a range (an environment policy may collapse it).
fn protocol_name(p: ExposeProtocol) -> &'static str {
    match p {
        ExposeProtocol::Http => "http",
        ExposeProtocol::Grpc => "grpc",
        ExposeProtocol::Tls => "tls",
        ExposeProtocol::Tcp => "tcp",
        ExposeProtocol::Udp => "udp",
    }
}

fn written_as_range(r: Option<&raw::ReplicasSpec>) -> bool {
    matches!(r, Some(raw::ReplicasSpec::Text(t)) if t.contains(".."))
}

fn tier_of(services: &BTreeMap<String, ServiceSpec>, name: &str) -> String {
    services.get(name).and_then(|s| s.tier.clone()).unwrap_or_default()
}

fn port_list(ports: &[Port]) -> String {
    if ports.is_empty() {
        return "it declares no ports".to_string();
    }
    format!(
        "its ports are: {}",
        ports.iter().map(|p| format!("{} ({})", p.name, p.port)).collect::<Vec<_>>().join(", ")
    )
}

fn valid_cidr(c: &str) -> bool {
    let Some((ip, bits)) = c.split_once('/') else { return false };
    let Ok(bits) = bits.parse::<u8>() else { return false };
    match ip.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(_)) => bits <= 32,
        Ok(std::net::IpAddr::V6(_)) => bits <= 128,
        Err(_) => false,
    }
}

/// A service's base spec with an environment's override on top.
struct Merged<'a> {
    tree: &'a skyform_yaml::Node,
    base: &'a ServiceSpec,
    over: Option<&'a ServiceSpec>,
    base_path: &'a Path,
    over_path: &'a Path,
}

impl Merged<'_> {
    /// The effective value of a field: the override's if set, else the base's.
    fn get<T>(&self, f: impl Fn(&ServiceSpec) -> Option<T>) -> Option<T> {
        self.over.and_then(&f).or_else(|| f(self.base))
    }

    /// Where a field (camelCase key) is written: in the override when it sets it, so that
    /// a diagnostic points at the line the user must change.
    fn path(&self, key: &str) -> Path {
        let over = self.over_path.key(key);
        if self.over.is_some() && self.tree.at(&over).is_some() { over } else { self.base_path.key(key) }
    }
}

#[path = "lower_workload.rs"]
mod workload;

#[cfg(test)]
#[path = "lower_tests.rs"]
mod tests;
