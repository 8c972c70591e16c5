//! The "will it run" model behind the `WRK-` rules: which in-cluster addresses a
//! container is configured to reach, which Services (including the ones an operator
//! creates) answer them, and which pods serve those Services.
//!
//! Everything here is indexed once per run ([`WorksIndex`]) so that the rules stay linear
//! in the number of workloads: Services are looked up by `(namespace, name)`, the pods a
//! selector picks through a `(namespace, label key, label value)` index, never by
//! scanning every workload.
//!
//! **Addresses.** A value names an in-cluster address when it is a URL of any scheme, a
//! plain `host`, `host:port` or comma-separated list of them, and the host is one of
//! `svc`, `svc.ns`, `svc.ns.svc`, `svc.ns.svc.<cluster domain>` or
//! `pod.svc.ns.svc.<cluster domain>`. Dotted names are in-cluster only when the second
//! label is a namespace of the input (`svc.ns`) or the `svc` label is present; anything
//! else with a dot (`example.com`) is external. `localhost` and IP addresses are never
//! in-cluster references. `$(VAR)` references are expanded from the container's other
//! variables first, and a `*_HOST` without a port takes the port of its `*_PORT` sibling.

use std::collections::{HashMap, HashSet};

use skyform_yaml::{Node, Span};

use crate::model::{Object, string_map, text};

/// A `host[:port]` found in a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Address {
    pub host: String,
    pub port: Option<u16>,
    pub scheme: Option<String>,
}

/// Addresses in `value`: every URL authority, or the whole value when it is a plain
/// `host[:port]` list.
pub fn addresses(value: &str) -> Vec<Address> {
    let v = value.trim();
    let mut out = Vec::new();
    if v.contains("://") {
        let mut from = 0;
        while let Some(rel) = v[from..].find("://") {
            let sep = from + rel;
            let scheme_start = v[..sep]
                .char_indices()
                .rev()
                .find(|(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
                .map_or(0, |(i, c)| i + c.len_utf8());
            let scheme = v[scheme_start..sep].to_ascii_lowercase();
            let rest = &v[sep + 3..];
            let end = rest
                .find(|c: char| c.is_whitespace() || matches!(c, '/' | '?' | '#' | '"' | '\'' | ';'))
                .unwrap_or(rest.len());
            let authority = &rest[..end];
            let hosts = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
            for hp in hosts.split(',') {
                if let Some(a) = host_port(hp, Some(scheme.clone())) {
                    out.push(a);
                }
            }
            from = sep + 3;
        }
        return out;
    }
    if v.contains(char::is_whitespace) {
        return out;
    }
    for hp in v.split(',') {
        match host_port(hp, None) {
            Some(a) => out.push(a),
            None => return Vec::new(),
        }
    }
    out
}

fn host_port(hp: &str, scheme: Option<String>) -> Option<Address> {
    let hp = hp.trim();
    if hp.starts_with('[') {
        return None; // IPv6 literal
    }
    let (host, port) = match hp.rsplit_once(':') {
        Some((h, p)) => (h, Some(p.parse::<u16>().ok()?)),
        None => (hp, None),
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let valid = !host.is_empty()
        && host.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
        && host.bytes().any(|c| c.is_ascii_alphabetic());
    if !valid || host == "localhost" || host.ends_with(".localhost") {
        return None;
    }
    Some(Address { host, port, scheme })
}

/// The port a scheme implies when the URL names none.
pub fn scheme_port(scheme: &str) -> Option<u16> {
    Some(match scheme {
        "http" | "ws" => 80,
        "https" | "wss" => 443,
        "postgres" | "postgresql" | "postgresql+asyncpg" | "postgresql+psycopg" | "postgresql+psycopg2" => 5432,
        "redis" | "rediss" | "valkey" => 6379,
        "amqp" => 5672,
        "amqps" => 5671,
        "mongodb" => 27017,
        "mysql" | "mysql+pymysql" | "mariadb" => 3306,
        "nats" => 4222,
        "memcached" => 11211,
        "kafka" => 9092,
        "mqtt" => 1883,
        _ => return None,
    })
}

/// The port a variable's name implies for a bare host (`POSTGRES_HOST` → 5432).
pub fn name_port(var: &str) -> Option<u16> {
    let v = var.to_ascii_uppercase();
    let table: &[(&str, u16)] = &[
        ("POSTGRES", 5432),
        ("PGHOST", 5432),
        ("PG_HOST", 5432),
        ("REDIS", 6379),
        ("VALKEY", 6379),
        ("RABBITMQ", 5672),
        ("AMQP", 5672),
        ("MYSQL", 3306),
        ("MARIADB", 3306),
        ("MONGO", 27017),
        ("MEMCACHED", 11211),
        ("NATS", 4222),
    ];
    table.iter().find(|(k, _)| v.contains(k)).map(|(_, p)| *p)
}

/// Whether a variable's name says its value is an address.
pub fn address_like_name(var: &str) -> bool {
    let v = var.to_ascii_uppercase();
    [
        "_HOST",
        "_HOSTNAME",
        "_HOSTS",
        "_ADDR",
        "_ADDRESS",
        "_SERVER",
        "_SERVERS",
        "_ENDPOINT",
        "_URL",
        "_URI",
        "_DSN",
        "_BROKER",
        "_BROKERS",
        "_BOOTSTRAP_SERVERS",
    ]
    .iter()
    .any(|s| v.ends_with(s))
        || matches!(v.as_str(), "PGHOST" | "HOST" | "DATABASE_URL" | "REDIS_URL" | "AMQP_URL" | "BROKER_URL")
}

/// Where a container variable's value came from, for locating findings.
#[derive(Clone, Debug)]
pub struct EnvVar<'a> {
    pub name: String,
    pub value: String,
    /// Where to report: the literal value, or the `configMapRef`/`configMapKeyRef` name.
    pub span: Span,
    /// `None` for a literal; `Some("ConfigMap `x`")` when it came from one.
    pub from: Option<String>,
    pub node: Option<&'a Node>,
}

/// A container's variables with values the input knows: literals, `configMapKeyRef` and
/// `envFrom.configMapRef` (when the ConfigMap is in the input), Secrets' `stringData`.
pub fn container_env<'a>(index: &crate::index::Index<'a>, ns: &str, c: &'a Node) -> Vec<EnvVar<'a>> {
    let mut out: Vec<EnvVar<'a>> = Vec::new();
    let lookup = |kind: &str, name: &str| -> Option<&'a Object> { index.get(kind, ns, name) };
    let data_of = |o: &'a Object| -> Vec<(&'a str, String)> {
        let mut d = string_map(o.node.get("data"));
        if o.kind == "Secret" {
            d = string_map(o.node.get("stringData"));
        }
        d
    };
    for e in c.get("envFrom").and_then(Node::as_seq).unwrap_or(&[]) {
        let prefix = text(Some(e), "prefix").unwrap_or("");
        for (key, kind) in [("configMapRef", "ConfigMap"), ("secretRef", "Secret")] {
            let Some(r) = e.get(key) else { continue };
            let Some(name_node) = r.get("name") else { continue };
            let Some(name) = name_node.as_str() else { continue };
            let Some(o) = lookup(kind, name) else { continue };
            for (k, v) in data_of(o) {
                out.retain(|x| x.name != format!("{prefix}{k}"));
                out.push(EnvVar {
                    name: format!("{prefix}{k}"),
                    value: v,
                    span: name_node.span,
                    from: Some(format!("{kind} `{name}`")),
                    node: None,
                });
            }
        }
    }
    for e in c.get("env").and_then(Node::as_seq).unwrap_or(&[]) {
        let Some(name) = text(Some(e), "name") else { continue };
        let found = if let Some(v) = e.get("value") {
            v.scalar_text().map(|s| (s, v.span, None, Some(v)))
        } else {
            let vf = e.get("valueFrom");
            let mut r = None;
            for (key, kind) in [("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret")] {
                let Some(kr) = vf.and_then(|v| v.get(key)) else { continue };
                let (Some(n), Some(k)) = (text(Some(kr), "name"), text(Some(kr), "key")) else { continue };
                let Some(o) = lookup(kind, n) else { continue };
                if let Some((_, v)) = data_of(o).into_iter().find(|(dk, _)| *dk == k) {
                    let span = kr.get("name").map_or(kr.span, |x| x.span);
                    r = Some((v, span, Some(format!("{kind} `{n}` key `{k}`")), None));
                }
            }
            r
        };
        out.retain(|x| x.name != name);
        if let Some((value, span, from, node)) = found {
            out.push(EnvVar { name: name.to_string(), value, span, from, node });
        }
    }
    // `$(VAR)` expansion, as the kubelet does (only from variables defined earlier, but
    // the order rarely matters for addresses; use all known values).
    let known: HashMap<String, String> = out.iter().map(|v| (v.name.clone(), v.value.clone())).collect();
    for v in &mut out {
        if v.value.contains("$(") {
            v.value = expand(&v.value, &known);
        }
    }
    out
}

/// Expands `$(VAR)` from `vars`; unknown references stay as written.
pub fn expand(value: &str, vars: &HashMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(i) = rest.find("$(") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        match after.find(')') {
            Some(j) => {
                let name = &after[..j];
                match vars.get(name) {
                    Some(v) if !v.contains("$(") => out.push_str(v),
                    _ => {
                        out.push_str("$(");
                        out.push_str(name);
                        out.push(')');
                    }
                }
                rest = &after[j + 1..];
            }
            None => {
                out.push_str(&rest[i..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// A Service-shaped target an address can resolve to.
#[derive(Clone, Debug)]
pub enum Target<'a> {
    /// A core `v1` Service of the input.
    Service(&'a Object),
    /// A Service an operator creates for a custom resource of the input.
    Operator(OperatorService),
    /// Answered outside the pod network's policies (ExternalName, Knative): existence is
    /// all that can be known.
    Opaque(&'a Object),
}

/// A Service created by an operator: its ports and the labels of the pods behind it.
#[derive(Clone, Debug)]
pub struct OperatorService {
    /// Which object makes it (`Cluster/db (postgresql.cnpg.io)`).
    pub producer: String,
    pub ns: String,
    /// (port, target port, name).
    pub ports: Vec<(u16, u16, String)>,
    pub pod_labels: Vec<(String, String)>,
}

/// A set of pods that serves a Service: labels, namespace and named ports.
#[derive(Clone, Debug)]
pub struct Backend<'a> {
    pub label: String,
    pub ns: String,
    pub labels: Vec<(String, String)>,
    /// Container ports (number, name).
    pub ports: Vec<(u16, Option<String>)>,
    pub object: Option<&'a Object>,
}

/// Per-run tables for the `WRK-` rules.
pub struct WorksIndex<'a> {
    pub services: HashMap<(String, String), Target<'a>>,
    /// Namespaces some object lives in or a Namespace object creates.
    pub namespaces: HashSet<String>,
    /// Namespaces created by `Namespace` objects, with their labels.
    pub created_namespaces: HashMap<String, Vec<(String, String)>>,
    /// Workload object indices by (namespace, pod label key, value).
    pods_by_label: HashMap<(String, String, String), Vec<usize>>,
    /// Objects whose (group, kind, namespace, name) repeats an earlier object's, by
    /// (file, line, column) of their document.
    pub duplicates: HashSet<(usize, u32, u32)>,
    /// Workloads mounting a PVC, by (namespace, claim name).
    claims: HashMap<(String, String), Vec<usize>>,
    /// Secrets operators create, by (namespace, name).
    pub operator_secrets: HashSet<(String, String)>,
    objects: &'a [Object],
}

/// Pod labels of a workload as owned pairs.
///
/// A CloudNativePG `Cluster`'s pods carry its `inheritedMetadata` labels and the
/// operator's `cnpg.io/cluster: <name>`.
pub fn pod_labels(o: &Object) -> Vec<(String, String)> {
    let mut labels: Vec<(String, String)> =
        string_map(o.pod_labels()).into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    if o.is_cnpg_cluster() {
        labels.push(("cnpg.io/cluster".to_string(), o.name.clone()));
    }
    labels
}

/// Container ports (number, name) of a workload's pod template.
pub fn pod_ports(o: &Object) -> Vec<(u16, Option<String>)> {
    let mut out = Vec::new();
    if let Some(pod) = o.pod() {
        for c in pod.containers() {
            for p in c.ports() {
                if let Some(n) = p.get("containerPort").and_then(Node::as_i64).and_then(|n| u16::try_from(n).ok()) {
                    out.push((n, text(Some(p), "name").map(str::to_string)));
                }
            }
        }
    }
    out
}

impl<'a> WorksIndex<'a> {
    pub fn new(objects: &'a [Object]) -> WorksIndex<'a> {
        let mut ix = WorksIndex {
            services: HashMap::new(),
            namespaces: HashSet::new(),
            created_namespaces: HashMap::new(),
            pods_by_label: HashMap::new(),
            duplicates: HashSet::new(),
            operator_secrets: HashSet::new(),
            claims: HashMap::new(),
            objects,
        };
        let mut seen: HashMap<(&str, &str, &str, &str), usize> = HashMap::new();
        for (i, o) in objects.iter().enumerate() {
            match seen.entry((o.group(), o.kind.as_str(), o.ns(), o.name.as_str())) {
                std::collections::hash_map::Entry::Occupied(_) => {
                    if !o.name.is_empty() && o.metadata().and_then(|m| m.get("generateName")).is_none() {
                        ix.duplicates.insert((o.file, o.node.span.line, o.node.span.column));
                    }
                }
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(i);
                }
            }
            if let Some(ns) = &o.namespace {
                ix.namespaces.insert(ns.clone());
            }
            let ns = o.ns().to_string();
            match (o.group(), o.kind.as_str()) {
                ("", "Namespace") => {
                    ix.namespaces.insert(o.name.clone());
                    let labels = string_map(o.labels()).into_iter().map(|(k, v)| (k.to_string(), v)).collect();
                    ix.created_namespaces.insert(o.name.clone(), labels);
                }
                ("", "Service") => {
                    let external = text(o.spec(), "type") == Some("ExternalName");
                    let t = if external { Target::Opaque(o) } else { Target::Service(o) };
                    ix.services.insert((ns.clone(), o.name.clone()), t);
                }
                ("serving.knative.dev", "Service") => {
                    ix.services.entry((ns.clone(), o.name.clone())).or_insert(Target::Opaque(o));
                }
                ("postgresql.cnpg.io", "Cluster") => {
                    let name = &o.name;
                    let base = pod_labels(o);
                    for (suffix, role) in [("rw", Some("primary")), ("ro", Some("replica")), ("r", None)] {
                        let mut labels = base.clone();
                        if let Some(r) = role {
                            labels.push(("cnpg.io/instanceRole".to_string(), r.to_string()));
                        }
                        ix.services.insert(
                            (ns.clone(), format!("{name}-{suffix}")),
                            Target::Operator(OperatorService {
                                producer: format!("Cluster `{name}` (postgresql.cnpg.io)"),
                                ns: ns.clone(),
                                ports: vec![(5432, 5432, "postgres".to_string())],
                                pod_labels: labels,
                            }),
                        );
                    }
                    for s in ["app", "superuser", "ca", "server", "replication"] {
                        ix.operator_secrets.insert((ns.clone(), format!("{name}-{s}")));
                    }
                }
                ("rabbitmq.com", "RabbitmqCluster") => {
                    let name = &o.name;
                    let labels = vec![("app.kubernetes.io/name".to_string(), name.clone())];
                    ix.services.insert(
                        (ns.clone(), name.clone()),
                        Target::Operator(OperatorService {
                            producer: format!("RabbitmqCluster `{name}` (rabbitmq.com)"),
                            ns: ns.clone(),
                            ports: vec![
                                (5672, 5672, "amqp".to_string()),
                                (15672, 15672, "management".to_string()),
                                (15692, 15692, "prometheus".to_string()),
                            ],
                            pod_labels: labels.clone(),
                        }),
                    );
                    ix.services.insert(
                        (ns.clone(), format!("{name}-nodes")),
                        Target::Operator(OperatorService {
                            producer: format!("RabbitmqCluster `{name}` (rabbitmq.com)"),
                            ns: ns.clone(),
                            ports: vec![(4369, 4369, "epmd".to_string()), (25672, 25672, "cluster-rpc".to_string())],
                            pod_labels: labels,
                        }),
                    );
                    for s in ["default-user", "erlang-cookie"] {
                        ix.operator_secrets.insert((ns.clone(), format!("{name}-{s}")));
                    }
                }
                _ => {}
            }
            if let Some(pod) = o.pod() {
                for v in pod.volumes() {
                    if let Some(c) =
                        v.get("persistentVolumeClaim").and_then(|p| p.get("claimName")).and_then(Node::as_str)
                    {
                        ix.claims.entry((ns.clone(), c.to_string())).or_default().push(i);
                    }
                }
                for (k, v) in pod_labels(o) {
                    ix.pods_by_label.entry((ns.clone(), k, v)).or_default().push(i);
                }
            }
        }
        ix
    }

    /// Workloads that mount claim `claim` in `ns`.
    pub fn claim_users(&self, ns: &str, claim: &str) -> Vec<&'a Object> {
        let objects = self.objects;
        self.claims
            .get(&(ns.to_string(), claim.to_string()))
            .map(|v| {
                let mut idx = v.clone();
                idx.dedup();
                idx.into_iter().map(|i| &objects[i]).collect()
            })
            .unwrap_or_default()
    }

    /// Labels of namespace `ns` as a NetworkPolicy namespaceSelector sees them.
    pub fn namespace_labels(&self, ns: &str) -> Vec<(String, String)> {
        let mut l = self.created_namespaces.get(ns).cloned().unwrap_or_default();
        if !l.iter().any(|(k, _)| k == "kubernetes.io/metadata.name") {
            l.push(("kubernetes.io/metadata.name".to_string(), ns.to_string()));
        }
        l
    }

    /// Workloads in `ns` whose pod labels contain every pair of `selector`.
    pub fn select_pods(&self, ns: &str, selector: &[(String, String)]) -> Vec<&'a Object> {
        let Some(smallest) = selector
            .iter()
            .map(|(k, v)| self.pods_by_label.get(&(ns.to_string(), k.clone(), v.clone())))
            .min_by_key(|b| b.map_or(0, Vec::len))
        else {
            return Vec::new();
        };
        let objects = self.objects;
        smallest
            .map(|b| {
                b.iter()
                    .map(|&i| &objects[i])
                    .filter(|o| {
                        let labels = pod_labels(o);
                        selector.iter().all(|p| labels.contains(p))
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Resolves a host to (namespace, service name, pod prefix) and whether the form is
    /// unmistakably in-cluster (`.svc`, or `x.ns` with a known namespace).
    pub fn resolve_host(&self, host: &str, own_ns: &str) -> Option<(String, String, bool)> {
        let labels: Vec<&str> = host.split('.').collect();
        match labels.len() {
            1 => Some((own_ns.to_string(), labels[0].to_string(), false)),
            2 => self.namespaces.contains(labels[1]).then(|| (labels[1].to_string(), labels[0].to_string(), true)),
            _ => {
                let i = labels.iter().position(|l| *l == "svc")?;
                match i {
                    2 => Some((labels[1].to_string(), labels[0].to_string(), true)),
                    3 => Some((labels[2].to_string(), labels[1].to_string(), true)),
                    _ => None,
                }
            }
        }
    }

    /// The pods behind a target (empty when it selects none).
    pub fn backends(&self, target: &Target<'a>) -> Vec<Backend<'a>> {
        match target {
            Target::Service(svc) => {
                let sel: Vec<(String, String)> = string_map(svc.spec().and_then(|s| s.get("selector")))
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect();
                self.select_pods(svc.ns(), &sel)
                    .into_iter()
                    .map(|w| Backend {
                        label: format!("{} `{}`", w.kind, w.name),
                        ns: w.ns().to_string(),
                        labels: pod_labels(w),
                        ports: pod_ports(w),
                        object: Some(w),
                    })
                    .collect()
            }
            Target::Operator(op) => {
                // The operator's pods are not in the input; model one pod set.
                vec![Backend {
                    label: op.producer.clone(),
                    ns: op.ns.clone(),
                    labels: op.pod_labels.clone(),
                    ports: op.ports.iter().map(|(_, t, n)| (*t, Some(n.clone()))).collect(),
                    object: None,
                }]
            }
            Target::Opaque(_) => Vec::new(),
        }
    }
}

/// The ports of a core Service: (port, targetPort as written (number or name), name).
pub fn service_ports(svc: &Object) -> Vec<(u16, Option<String>, Option<String>, Span)> {
    svc.spec()
        .and_then(|s| s.get("ports"))
        .and_then(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .filter_map(|p| {
            let port = p.get("port").and_then(Node::as_i64).and_then(|n| u16::try_from(n).ok())?;
            let target = p.get("targetPort").and_then(Node::scalar_text);
            Some((port, target, text(Some(p), "name").map(str::to_string), p.span))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts(v: &str) -> Vec<(String, Option<u16>)> {
        addresses(v).into_iter().map(|a| (a.host, a.port)).collect()
    }

    #[test]
    fn finds_addresses_in_urls_and_plain_values() {
        assert_eq!(hosts("redis://cache:6379/0"), vec![("cache".into(), Some(6379))]);
        assert_eq!(
            hosts("postgres://u:p@db.data.svc.cluster.local/app"),
            vec![("db.data.svc.cluster.local".into(), None)]
        );
        assert_eq!(hosts("cache:6379"), vec![("cache".into(), Some(6379))]);
        assert_eq!(hosts("a:9092,b:9092"), vec![("a".into(), Some(9092)), ("b".into(), Some(9092))]);
        assert_eq!(hosts("mongodb://a:27017,b:27017/db"), vec![("a".into(), Some(27017)), ("b".into(), Some(27017))]);
        assert!(hosts("hello world").is_empty());
        assert!(hosts("127.0.0.1:80").is_empty());
        assert!(hosts("http://localhost:8080").is_empty());
        assert!(hosts("1.5").is_empty());
        assert!(hosts("json").len() == 1);
    }

    #[test]
    fn expands_kubelet_references() {
        let vars: HashMap<String, String> = [("H".to_string(), "db".to_string())].into_iter().collect();
        assert_eq!(expand("postgres://$(H):5432/$(X)", &vars), "postgres://db:5432/$(X)");
    }
}

/// What became of one configured address.
#[derive(Clone, Debug)]
pub enum Outcome<'a> {
    /// No Service of that name (and the form is clearly in-cluster).
    Missing,
    /// The Service exists but does not expose the port.
    NoPort { available: Vec<u16> },
    /// The Service selects no pods.
    NoPods,
    /// The selected pods declare no port named like the Service's `targetPort`.
    NoServingPort { target_port: String },
    /// Resolved: the target and the Service port used (`None`: unknown, any).
    Resolved { target: Target<'a>, port: Option<u16> },
}

/// One address a container is configured to reach.
#[derive(Clone, Debug)]
pub struct Connection<'a> {
    pub container: String,
    /// `env `REDIS_URL`` (from ConfigMap `x`), `args[2]`, …
    pub via: String,
    pub span: Span,
    pub host: String,
    pub port: Option<u16>,
    pub ns: String,
    pub service: String,
    pub outcome: Outcome<'a>,
}

fn pair_port(vars: &[EnvVar<'_>], name: &str) -> Option<u16> {
    let upper = name.to_ascii_uppercase();
    let prefix = ["_HOSTNAME", "_HOST", "_ADDR", "_ADDRESS", "_SERVER"]
        .iter()
        .find_map(|s| upper.strip_suffix(s).map(|p| (p.len(), *s)))?;
    let port_var = format!("{}_PORT", &name[..prefix.0]);
    vars.iter().find(|v| v.name.eq_ignore_ascii_case(&port_var)).and_then(|v| v.value.trim().parse().ok())
}

/// Every in-cluster address `obj`'s containers are configured to reach, resolved.
pub fn connections<'a>(index: &crate::index::Index<'a>, obj: &'a Object) -> Vec<Connection<'a>> {
    let Some(pod) = obj.pod() else { return Vec::new() };
    let w = &index.works;
    let mut out = Vec::new();
    for c in pod.app_containers() {
        let vars = container_env(index, obj.ns(), c.node);
        // (via, span, address, strong, port, lenient): a strong ask is reported when its
        // Service is missing; a lenient one (a plain `host:port` in an argument or under a
        // name that does not say "address") only counts when it resolves exactly.
        let mut asks: Vec<(String, Span, Address, bool, Option<u16>, bool)> = Vec::new();
        for v in &vars {
            let named = address_like_name(&v.name);
            for a in addresses(&v.value) {
                // A bare word is an address only when the variable's name says so.
                if a.scheme.is_none() && a.port.is_none() && !named {
                    continue;
                }
                let via = match &v.from {
                    Some(f) => format!("env `{}` (from {f})", v.name),
                    None => format!("env `{}`", v.name),
                };
                let implied = a.port.or_else(|| pair_port(&vars, &v.name)).or_else(|| {
                    a.scheme.as_deref().and_then(scheme_port).or_else(|| if named { name_port(&v.name) } else { None })
                });
                let strong = named || a.scheme.is_some() || (a.port.is_some() && !v.value.contains(','));
                let lenient = !named && a.scheme.is_none();
                asks.push((via, v.span, a, strong, implied, lenient));
            }
        }
        for key in ["command", "args"] {
            for (i, item) in c.get(key).and_then(Node::as_seq).unwrap_or(&[]).iter().enumerate() {
                let Some(s) = item.as_str() else { continue };
                for token in s.split_whitespace() {
                    let token = token.trim_matches(|c| c == '"' || c == '\'');
                    let value =
                        if token.starts_with('-') { token.split_once('=').map_or("", |(_, v)| v) } else { token };
                    for a in addresses(value) {
                        if a.scheme.is_none() && a.port.is_none() {
                            continue;
                        }
                        let implied = a.port.or_else(|| a.scheme.as_deref().and_then(scheme_port));
                        let strong = a.scheme.is_some();
                        let lenient = a.scheme.is_none();
                        asks.push((format!("{key}[{i}]"), item.span, a, strong, implied, lenient));
                    }
                }
            }
        }
        for (via, span, a, strong, port, lenient) in asks {
            let Some((ns, service, clear)) = w.resolve_host(&a.host, obj.ns()) else { continue };
            let target = w.services.get(&(ns.clone(), service.clone())).cloned();
            let outcome = match target {
                None if strong || clear => Outcome::Missing,
                None => continue,
                Some(Target::Opaque(o)) => Outcome::Resolved { target: Target::Opaque(o), port },
                Some(t @ Target::Operator(_)) => {
                    let Target::Operator(op) = &t else { continue };
                    let available: Vec<u16> = op.ports.iter().map(|p| p.0).collect();
                    match port {
                        Some(p) if !available.contains(&p) => Outcome::NoPort { available },
                        _ => Outcome::Resolved { target: t, port },
                    }
                }
                Some(Target::Service(svc)) => {
                    let ports = service_ports(svc);
                    let available: Vec<u16> = ports.iter().map(|p| p.0).collect();
                    let used = match port {
                        Some(p) if available.contains(&p) => Some(p),
                        Some(_) => None,
                        None if available.len() == 1 => Some(available[0]),
                        None => None,
                    };
                    if (port.is_some() && used.is_none()) || available.is_empty() {
                        Outcome::NoPort { available }
                    } else if string_map(svc.spec().and_then(|s| s.get("selector"))).is_empty() {
                        // No selector: endpoints are managed by hand; nothing more to know.
                        Outcome::Resolved { target: Target::Opaque(svc), port: used }
                    } else {
                        let backends = w.backends(&Target::Service(svc));
                        let named_target = used.and_then(|u| {
                            ports
                                .iter()
                                .find(|p| p.0 == u)
                                .and_then(|p| p.1.clone())
                                .filter(|t| t.parse::<u16>().is_err())
                        });
                        if backends.is_empty() {
                            Outcome::NoPods
                        } else if let Some(t) = named_target.filter(|t| {
                            !backends.iter().any(|b| b.ports.iter().any(|(_, n)| n.as_deref() == Some(t.as_str())))
                        }) {
                            Outcome::NoServingPort { target_port: t }
                        } else {
                            Outcome::Resolved { target: Target::Service(svc), port: used }
                        }
                    }
                }
            };
            if lenient && !matches!(outcome, Outcome::Resolved { .. }) {
                continue;
            }
            out.push(Connection {
                container: c.label(),
                via,
                span,
                host: a.host.clone(),
                port: a.port.or(port),
                ns,
                service,
                outcome,
            });
        }
    }
    out
}

/// The destination ports (number, name) a connection to `port` of `target` lands on at
/// `backend`; every Service port when `port` is unknown.
pub fn backend_ports(target: &Target<'_>, port: Option<u16>, backend: &Backend<'_>) -> Vec<(u16, Option<String>)> {
    let mapped: Vec<(u16, Option<String>)> = match target {
        Target::Service(svc) => service_ports(svc)
            .into_iter()
            .filter(|p| port.is_none_or(|u| u == p.0))
            .filter_map(|(p, t, _, _)| match t {
                None => Some((p, backend.ports.iter().find(|b| b.0 == p).and_then(|b| b.1.clone()))),
                Some(t) => match t.parse::<u16>() {
                    Ok(n) => Some((n, backend.ports.iter().find(|b| b.0 == n).and_then(|b| b.1.clone()))),
                    Err(_) => backend.ports.iter().find(|b| b.1.as_deref() == Some(t.as_str())).cloned(),
                },
            })
            .collect(),
        Target::Operator(op) => {
            op.ports.iter().filter(|p| port.is_none_or(|u| u == p.0)).map(|(_, t, n)| (*t, Some(n.clone()))).collect()
        }
        Target::Opaque(_) => Vec::new(),
    };
    mapped
}
