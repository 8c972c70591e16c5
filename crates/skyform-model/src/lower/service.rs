//! One service of one environment: its base spec merged with the environment's
//! override, checked and resolved into a [`Service`].

use super::*;

impl Cx<'_> {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn environment(
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
            if !spec.services.contains_key(svc) && !self.dropped_service(svc) {
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

    #[allow(clippy::too_many_arguments)]
    pub(super) fn service(
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
        let defaults = defaults.as_ref();
        let tier = self.service_tier(name, m, tiers)?;
        let image = self.service_image(name, m, defaults)?;
        let ports = self.ports(name, m, defaults);
        let resources = self.resources(name, m, defaults);
        let serverless = self.serverless(m);
        let replicas = self.replicas(name, m, env, serverless.as_ref(), knative, component);
        let autoscale = self.autoscale(name, m, replicas);
        let mut probes = self.probes(name, m, defaults, &ports);
        let expose = self.expose(name, m, &ports, domain);
        let storage = self.storage(m, defaults);
        let egress = self.egress(m);
        let managed_on = self.managed_on(name, m, component, defaults);
        let env_vars = self.env_vars(m, defaults);
        let secrets = self.secret_refs(platform, name, m, component, replicas, &env_vars);
        let rbac = self.rbac(m);
        let metrics = self.metrics(name, m, &ports, defaults);
        let security = self.security(m, defaults);
        let job = m.get(|s| s.job).unwrap_or(false);
        let volumes = self.volumes(name, m, storage.as_ref().map(|s| s.mount_path.as_str()));
        let files = self.files(name, m);
        if job {
            let own_volumes = volumes.iter().any(|v| !v.shared);
            self.check_job(name, m, own_volumes, expose.is_some(), serverless.is_some(), replicas);
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
        let schemas = self.schemas(name, m, component);
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
                defaults.map(|d| d.command.iter().map(|s| (*s).to_string()).collect()).unwrap_or_default()
            }),
            args: m.get(|s| s.args.clone()).unwrap_or_else(|| {
                defaults.map(|d| d.args.iter().map(|s| (*s).to_string()).collect()).unwrap_or_default()
            }),
            ports,
            env: env_vars,
            secrets,
            resources,
            replicas,
            autoscale,
            probes,
            expose,
            depends_on: security::depends_on(m),
            spot: spot && storage.is_none(),
            storage,
            serverless,
            egress,
            managed_on,
            security,
            metrics,
            tracing: m.get(|s| s.tracing).unwrap_or(false),
            rbac,
            schemas,
            after: m.get(|s| s.after.clone()).unwrap_or_default(),
            volumes,
            files,
        })
    }

    /// The service's tier, which must be declared in `spec.tiers`.
    pub(super) fn service_tier<'t>(&mut self, name: &str, m: &Merged<'_>, tiers: &'t [Tier]) -> Option<&'t Tier> {
        let Some(tier_name) = m.get(|s| s.tier.clone()) else {
            if self.pruned_field(m.base_path, "tier") || self.pruned_field(m.over_path, "tier") {
                return None;
            }
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
        };
        let tier = tiers.iter().find(|t| t.name == tier_name);
        if tier.is_none() {
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
        }
        tier
    }

    /// The image (the service's own or its component's), warned about when not pinned.
    pub(super) fn service_image(
        &mut self,
        name: &str,
        m: &Merged<'_>,
        defaults: Option<&crate::ComponentDefaults>,
    ) -> Option<String> {
        let Some(image) = m.get(|s| s.image.clone()).or_else(|| defaults.map(|d| d.image.to_string())) else {
            // A pruned `image` or `component` was reported already; its default is unknown.
            if ["image", "component"]
                .iter()
                .any(|k| self.pruned_field(m.base_path, k) || self.pruned_field(m.over_path, k))
            {
                return None;
            }
            self.error(
                Code::Incomplete,
                m.base_path,
                format!("service `{name}` has no `image`"),
                Some("add `image:` with a pinned tag, or a `component:` that brings one".into()),
            );
            return None;
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
        Some(image)
    }

    pub(super) fn serverless(&mut self, m: &Merged<'_>) -> Option<Serverless> {
        let sv = m.get(|s| s.serverless.clone())?;
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
        Some(Serverless {
            min_scale: min,
            max_scale: max.max(1),
            target: sv.target.unwrap_or(100),
            concurrency: sv.concurrency.unwrap_or(0),
            metric: sv.metric.unwrap_or(ServerlessMetric::Concurrency),
        })
    }

    /// Autoscaling targets; a replica range without targets scales on 70 % CPU.
    pub(super) fn autoscale(&mut self, name: &str, m: &Merged<'_>, replicas: Replicas) -> Option<Autoscale> {
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
        match autoscale {
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
        }
    }

    /// The public exposure: host (with `{domain}` expanded), path, port and protocol.
    pub(super) fn expose(&mut self, name: &str, m: &Merged<'_>, ports: &[Port], domain: &str) -> Option<Expose> {
        let e = m.get(|s| s.expose.clone())?;
        if ports.is_empty() {
            self.error(
                Code::Incomplete,
                &m.path("expose"),
                format!("service `{name}` is exposed but declares no ports"),
                None,
            );
        }
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
                        Some(port_list(ports)),
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
    }

    /// The data volume: the service's own `storage:` or its component's default.
    pub(super) fn storage(&mut self, m: &Merged<'_>, defaults: Option<&crate::ComponentDefaults>) -> Option<Storage> {
        let Some(st) = m.get(|s| s.storage.clone()) else {
            return defaults.and_then(|d| d.storage).map(|(size, class, mount)| Storage {
                size: quantity::parse_bytes(size).unwrap_or(Bytes(1 << 30)),
                class,
                mount_path: mount.to_string(),
            });
        };
        let path = m.path("storage");
        let (def_size, def_class, def_mount) =
            defaults.and_then(|d| d.storage).unwrap_or(("10Gi", StorageClassName::FastSsd, "/data"));
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
        Some(Storage { size, class: st.class.unwrap_or(def_class), mount_path: mount })
    }

    pub(super) fn egress(&mut self, m: &Merged<'_>) -> Vec<Egress> {
        let rules = m.get(|s| s.egress.clone()).unwrap_or_default();
        let mut out = Vec::with_capacity(rules.len());
        for (i, e) in rules.into_iter().enumerate() {
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
            out.push(Egress {
                host: e.host,
                cidr: e.cidr,
                port: e.port,
                protocol: e.protocol.unwrap_or(Protocol::Tcp),
            });
        }
        out
    }

    /// The providers on which the service is bought as a managed service.
    pub(super) fn managed_on(
        &mut self,
        name: &str,
        m: &Merged<'_>,
        component: Option<crate::ComponentKind>,
        defaults: Option<&crate::ComponentDefaults>,
    ) -> BTreeSet<ProviderName> {
        let listed = m.get(|s| s.managed.clone()).unwrap_or_default();
        let managed_on: BTreeSet<ProviderName> = listed.iter().copied().collect();
        if !managed_on.is_empty() && !defaults.is_some_and(|d| d.manageable) {
            self.error(
                Code::InvalidValue,
                &m.path("managed"),
                format!("service `{name}` cannot be a managed service"),
                Some("`managed:` applies to `component: postgres` and `component: redis`".into()),
            );
        } else if let Some(service) = component.and_then(crate::ManagedService::for_component) {
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
        managed_on
    }

    /// A job runs once to completion: it has no storage of its own, exposure, serverless
    /// settings or replica range.
    pub(super) fn check_job(
        &mut self,
        name: &str,
        m: &Merged<'_>,
        own_volumes: bool,
        exposed: bool,
        serverless: bool,
        replicas: Replicas,
    ) {
        for (key, bad, what) in [
            (
                "storage",
                m.get(|s| s.storage.clone()).is_some() || own_volumes,
                "storage of its own (use a shared volume)",
            ),
            ("expose", exposed, "public exposure"),
            ("serverless", serverless, "serverless settings"),
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

    /// PostgreSQL schemas to create (only for `component: postgres`).
    pub(super) fn schemas(
        &mut self,
        name: &str,
        m: &Merged<'_>,
        component: Option<crate::ComponentKind>,
    ) -> Vec<String> {
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
        schemas
    }

    /// A stateful component with more than one replica must have a replication mode
    /// ([`crate::replication_mode`]) and a fixed size; otherwise the replicas would be
    /// independent servers behind one Service.
    pub(super) fn check_replication(
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
}
