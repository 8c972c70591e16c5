//! Health probes of a service (component defaults, overrides and their checks).

use super::*;

impl Cx<'_> {
    pub(super) fn probes(
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
}
