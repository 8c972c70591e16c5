//! Platform-wide settings: the Kubernetes version, tiers, ingress, secrets, providers,
//! observability and node autoscaling, and the checks that span all environments.

use super::*;

impl Cx<'_> {
    pub(super) fn platform(&mut self) -> Model {
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
    pub(super) fn expose_protocol(
        &mut self,
        name: &str,
        e: &raw::ExposeSpec,
        port: &Port,
        path: &Path,
    ) -> ExposeProtocol {
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
    pub(super) fn check_listener_ports(&mut self, services: &[Service]) {
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
    pub(super) fn lifecycle_warnings(&mut self, ingress: &Ingress, envs: &[Environment]) {
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

    pub(super) fn kubernetes_version(&mut self, v: Option<&str>) -> String {
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

    pub(super) fn tiers(&mut self, platform: &str, raw: &[raw::TierSpec]) -> Vec<Tier> {
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

    pub(super) fn ingress(&mut self, platform: &str, raw: Option<&raw::IngressSpec>) -> Ingress {
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

    pub(super) fn secrets(&mut self, raw: Option<&raw::SecretsSpec>) -> Secrets {
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
        if duration_minutes(&refresh).is_none() {
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

    pub(super) fn providers(&mut self, raw: &raw::ProvidersSpec) -> Vec<ProviderTarget> {
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

    pub(super) fn observability(
        &mut self,
        raw: Option<&raw::ObservabilitySpec>,
        envs: &[Environment],
    ) -> Observability {
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
                self.unknown_service(
                    &t.service,
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

    pub(super) fn autoscaling(&mut self, raw: Option<&raw::ClusterAutoscalingSpec>) -> ClusterAutoscaling {
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
            match duration_minutes(s) {
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
}
