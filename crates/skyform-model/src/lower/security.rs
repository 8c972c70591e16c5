//! What a service runs with: plain environment variables, secret references (and the
//! plaintext-secret check), RBAC rules, the metrics endpoint and the security context.

use super::*;

impl Cx<'_> {
    /// Plain environment variables: the component's defaults, then the service's own.
    pub(super) fn env_vars(
        &mut self,
        m: &Merged<'_>,
        defaults: Option<&crate::ComponentDefaults>,
    ) -> BTreeMap<String, String> {
        let mut env_vars: BTreeMap<String, String> = defaults
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
        env_vars
    }

    /// Secret references, plus the secrets a component cannot run without; also flags
    /// plain variables that look like secrets.
    pub(super) fn secret_refs(
        &mut self,
        platform: &str,
        name: &str,
        m: &Merged<'_>,
        component: Option<crate::ComponentKind>,
        replicas: Replicas,
        env_vars: &BTreeMap<String, String>,
    ) -> Vec<SecretRef> {
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
        self.check_plaintext_secrets(m, env_vars);
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
        secrets
    }

    pub(super) fn check_plaintext_secrets(&mut self, m: &Merged<'_>, env_vars: &BTreeMap<String, String>) {
        for (k, v) in env_vars {
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
    }

    pub(super) fn rbac(&mut self, m: &Merged<'_>) -> Vec<RbacRule> {
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
        rbac
    }

    /// The metrics endpoint: the service's `metrics:` or its component's default.
    pub(super) fn metrics(
        &mut self,
        name: &str,
        m: &Merged<'_>,
        ports: &[Port],
        defaults: Option<&crate::ComponentDefaults>,
    ) -> Option<Metrics> {
        match m.get(|s| s.metrics.clone()) {
            Some(mt) => match ports.iter().find(|p| p.name == mt.port || p.port.to_string() == mt.port) {
                Some(p) => Some(Metrics { port: p.clone(), path: mt.path.unwrap_or_else(|| "/metrics".into()) }),
                None => {
                    self.error(
                        Code::UnknownPort,
                        &m.path("metrics").key("port"),
                        format!("service `{name}` has no port `{}` for metrics", mt.port),
                        Some(port_list(ports)),
                    );
                    None
                }
            },
            None => defaults.and_then(|d| d.metrics).and_then(|(port, path)| {
                ports.iter().find(|p| p.name == port).map(|p| Metrics { port: p.clone(), path: path.to_string() })
            }),
        }
    }

    /// The non-root user and the writable paths of the read-only root filesystem.
    pub(super) fn security(&mut self, m: &Merged<'_>, defaults: Option<&crate::ComponentDefaults>) -> Security {
        let mut writable: Vec<String> = defaults
            .map(|d| d.writable_paths.iter().map(|p| (*p).to_string()).collect())
            .unwrap_or_else(|| vec!["/tmp".to_string()]);
        for p in m.get(|s| s.writable_paths.clone()).unwrap_or_default() {
            if !writable.contains(&p) {
                writable.push(p);
            }
        }
        writable.sort();
        let run_as_user = m.get(|s| s.run_as_user).or(defaults.map(|d| d.run_as_user)).unwrap_or(10001);
        if run_as_user <= 0 {
            self.error(
                Code::InvalidValue,
                &m.path("runAsUser"),
                format!("`runAsUser: {run_as_user}` runs as root"),
                Some("choose a non-zero UID; the platform enforces non-root containers".into()),
            );
        }
        Security { run_as_user: run_as_user.max(1), writable_paths: writable }
    }
}

/// The `dependsOn` entries (`service` or `service:port`); targets are checked once all
/// services exist.
pub(super) fn depends_on(m: &Merged<'_>) -> Vec<Dependency> {
    m.get(|s| s.depends_on.clone())
        .unwrap_or_default()
        .into_iter()
        .map(|d| {
            let (svc, port) = match d.split_once(':') {
                Some((s, p)) => (s.to_string(), Some(p.to_string())),
                None => (d, None),
            };
            Dependency { service: svc, ports: port.map(|p| vec![p.parse().unwrap_or(0)]).unwrap_or_default() }
        })
        .collect()
}
