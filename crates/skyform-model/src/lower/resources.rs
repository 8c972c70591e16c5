//! Ports, CPU/memory resources, percentages and replica counts of a service.

use super::*;

impl Cx<'_> {
    pub(super) fn ports(
        &mut self,
        name: &str,
        m: &Merged<'_>,
        defaults: Option<&crate::ComponentDefaults>,
    ) -> Vec<Port> {
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

    pub(super) fn resources(
        &mut self,
        name: &str,
        m: &Merged<'_>,
        defaults: Option<&crate::ComponentDefaults>,
    ) -> Resources {
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

    pub(super) fn cpu(&mut self, s: &str, path: &Path) -> Option<Cpu> {
        match quantity::parse_cpu(s) {
            Ok(c) => Some(c),
            Err(e) => {
                self.error(Code::BadQuantity, path, e.message, e.hint);
                None
            }
        }
    }

    pub(super) fn bytes(&mut self, s: &str, path: &Path) -> Option<Bytes> {
        match quantity::parse_bytes(s) {
            Ok(b) => Some(b),
            Err(e) => {
                self.error(Code::BadQuantity, path, e.message, e.hint);
                None
            }
        }
    }

    pub(super) fn percent(&mut self, p: &raw::PercentSpec, path: &Path) -> Option<u32> {
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

    pub(super) fn replicas(
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
}
