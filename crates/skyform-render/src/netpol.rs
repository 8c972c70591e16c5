//! A NetworkPolicy evaluator: which (source, destination, port) connections do the
//! rendered policies allow?
//!
//! It implements the `networking.k8s.io/v1` semantics a CNI enforces: a pod selected by
//! no policy of a direction is open in that direction; otherwise a connection needs one
//! matching rule on the source's egress side *and* one on the destination's ingress side.
//! Peers match by namespaceSelector (namespace labels, including
//! `kubernetes.io/metadata.name`), podSelector (same namespace when alone) or ipBlock.
//! Pods get synthetic addresses in `10.244.0.0/16` (cluster components in `10.245.0.0/16`), so ipBlocks that cover private ranges
//! are evaluated against pods too (the conservative reading).
//!
//! The universe is built from the rendered objects ([`endpoints`]): one endpoint per
//! workload, the cluster components the platform talks to (kube-dns, the ingress
//! controller — or `gateway`, the Envoy pods of the platform's Gateway —, Prometheus, KEDA, Knative), and probe addresses outside the cluster (the
//! internet, a private VPC address, cloud metadata, and one address per declared CIDR).
//! `skyform graph` prints [`allowed_flows`], so the graph is what the policies allow.

use crate::k8s::{
    DNS_LABEL, DNS_NAMESPACE, KEDA_NAMESPACE, KNATIVE_GATEWAY_NAMESPACE, KNATIVE_GATEWAY_PORT, KNATIVE_METRICS_PORT,
    KNATIVE_NAMESPACE, KNATIVE_QUEUE_PORT, NAMESPACE_NAME_LABEL, data_plane_labels,
};
use crate::objects::Object;
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{Container, PodTemplateSpec};
use k8s_openapi::api::networking::v1::{NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde_json::Value;
use skyform_model::Model;
use std::collections::{BTreeMap, BTreeSet};

/// Listening ports: (number, protocol, name).
pub type PortList = Vec<(u16, String, Option<String>)>;

/// A workload found in the objects: (name, namespace, pod labels, ports).
type Workload = (String, String, BTreeMap<String, String>, PortList);

/// A cluster component outside the platform: (id, namespace, pod labels, ports).
type ClusterComponent<'a> = (&'a str, &'a str, BTreeMap<String, String>, PortList);

/// What kind of thing an endpoint is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum EndpointKind {
    /// A workload of the platform.
    Workload,
    /// A cluster component outside the platform's namespaces (kube-dns, ingress, …).
    Cluster,
    /// An address outside the cluster.
    External,
}

/// One party of a connection.
#[derive(Clone, Debug)]
pub struct Endpoint {
    /// Stable id: the workload name, `kube-dns`, `ingress-controller`, `internet`, …
    pub id: String,
    pub kind: EndpointKind,
    /// Namespace for in-cluster endpoints.
    pub namespace: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub ip: u32,
    /// Listening ports (number, protocol, name); `None` = any port (external addresses).
    pub ports: Option<PortList>,
}

/// One allowed connection.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Flow {
    pub from: String,
    pub to: String,
    pub port: u16,
    pub protocol: String,
}

impl std::fmt::Display for Flow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} -> {} {}/{}", self.from, self.to, self.port, self.protocol)
    }
}

/// Parses dotted IPv4 text.
pub fn parse_ipv4(s: &str) -> Option<u32> {
    let mut parts = s.split('.');
    let mut v: u32 = 0;
    for _ in 0..4 {
        let octet: u8 = parts.next()?.parse().ok()?;
        v = (v << 8) | u32::from(octet);
    }
    parts.next().is_none().then_some(v)
}

/// Parses an IPv4 CIDR into (network, prefix length).
pub fn parse_cidr(s: &str) -> Option<(u32, u32)> {
    let (ip, len) = s.split_once('/')?;
    let len: u32 = len.parse().ok().filter(|l| *l <= 32)?;
    let ip = parse_ipv4(ip)?;
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    Some((ip & mask, len))
}

fn cidr_contains(cidr: &str, ip: u32) -> bool {
    parse_cidr(cidr).is_some_and(|(net, len)| {
        let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
        ip & mask == net
    })
}

fn ipv4_text(ip: u32) -> String {
    format!("{}.{}.{}.{}", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255)
}

fn selector_matches(sel: &LabelSelector, labels: &BTreeMap<String, String>) -> bool {
    let ml = sel.match_labels.iter().flatten().all(|(k, v)| labels.get(k) == Some(v));
    let me = sel.match_expressions.iter().flatten().all(|e| {
        let vals = e.values.clone().unwrap_or_default();
        match e.operator.as_str() {
            "In" => labels.get(&e.key).is_some_and(|v| vals.contains(v)),
            "NotIn" => labels.get(&e.key).is_none_or(|v| !vals.contains(v)),
            "Exists" => labels.contains_key(&e.key),
            "DoesNotExist" => !labels.contains_key(&e.key),
            _ => false,
        }
    });
    ml && me
}

/// The rendered policies plus namespace labels: everything needed to evaluate.
pub struct Policies {
    policies: Vec<NetworkPolicy>,
    namespace_labels: BTreeMap<String, BTreeMap<String, String>>,
}

impl Policies {
    /// Collects the NetworkPolicies and Namespace labels of a rendered object list.
    pub fn from_objects(objects: &[Object]) -> Policies {
        let policies = objects
            .iter()
            .filter(|o| o.kind == "NetworkPolicy")
            .filter_map(|o| serde_json::from_value::<NetworkPolicy>(o.value.clone()).ok())
            .collect();
        let namespace_labels = objects
            .iter()
            .filter(|o| o.kind == "Namespace")
            .map(|o| {
                let labels: BTreeMap<String, String> = o
                    .value
                    .pointer("/metadata/labels")
                    .and_then(|l| serde_json::from_value(l.clone()).ok())
                    .unwrap_or_default();
                (o.name.clone(), labels)
            })
            .collect();
        Policies { policies, namespace_labels }
    }

    fn ns_labels(&self, ns: &str) -> BTreeMap<String, String> {
        let mut l = self.namespace_labels.get(ns).cloned().unwrap_or_default();
        l.insert(NAMESPACE_NAME_LABEL.to_string(), ns.to_string());
        l
    }

    /// Policies selecting `e` that govern `direction` (`Ingress` or `Egress`).
    fn selecting<'a>(&'a self, e: &'a Endpoint, direction: &'a str) -> impl Iterator<Item = &'a NetworkPolicy> + 'a {
        self.policies.iter().filter(move |p| {
            let Some(ns) = &e.namespace else { return false };
            if e.kind == EndpointKind::External || p.metadata.namespace.as_deref() != Some(ns.as_str()) {
                return false;
            }
            let Some(spec) = &p.spec else { return false };
            let types = spec.policy_types.clone().unwrap_or_else(|| {
                let mut t = vec!["Ingress".to_string()];
                if spec.egress.is_some() {
                    t.push("Egress".into());
                }
                t
            });
            types.iter().any(|t| t == direction)
                && selector_matches(&spec.pod_selector.clone().unwrap_or_default(), &e.labels)
        })
    }

    fn peer_matches(&self, peer: &NetworkPolicyPeer, policy_ns: &str, other: &Endpoint) -> bool {
        if let Some(b) = &peer.ip_block {
            return cidr_contains(&b.cidr, other.ip) && !b.except.iter().flatten().any(|x| cidr_contains(x, other.ip));
        }
        let Some(ns) = &other.namespace else { return false };
        let ns_ok = match &peer.namespace_selector {
            Some(sel) => selector_matches(sel, &self.ns_labels(ns)),
            None => ns == policy_ns,
        };
        let pod_ok = peer.pod_selector.as_ref().is_none_or(|sel| selector_matches(sel, &other.labels));
        ns_ok && pod_ok && (peer.namespace_selector.is_some() || peer.pod_selector.is_some())
    }

    fn ports_match(ports: Option<&Vec<NetworkPolicyPort>>, dst: &Endpoint, port: u16, protocol: &str) -> bool {
        let Some(ports) = ports.filter(|p| !p.is_empty()) else { return true };
        ports.iter().any(|p| {
            if p.protocol.as_deref().unwrap_or("TCP") != protocol {
                return false;
            }
            match &p.port {
                None => true,
                Some(IntOrString::Int(n)) => {
                    let lo = i64::from(*n);
                    let hi = p.end_port.map_or(lo, i64::from);
                    (lo..=hi).contains(&i64::from(port))
                }
                Some(IntOrString::String(name)) => dst
                    .ports
                    .iter()
                    .flatten()
                    .any(|(n, pr, nm)| *n == port && pr == protocol && nm.as_deref() == Some(name.as_str())),
            }
        })
    }

    /// Whether `src` may send to `dst` on `port`/`protocol` (egress side).
    pub fn egress_allows(&self, src: &Endpoint, dst: &Endpoint, port: u16, protocol: &str) -> bool {
        let mut selected = false;
        for p in self.selecting(src, "Egress") {
            selected = true;
            let ns = p.metadata.namespace.as_deref().unwrap_or_default();
            let rules = p.spec.as_ref().and_then(|s| s.egress.as_ref());
            for r in rules.into_iter().flatten() {
                let peer_ok =
                    r.to.as_ref()
                        .filter(|t| !t.is_empty())
                        .is_none_or(|to| to.iter().any(|x| self.peer_matches(x, ns, dst)));
                if peer_ok && Self::ports_match(r.ports.as_ref(), dst, port, protocol) {
                    return true;
                }
            }
        }
        !selected
    }

    /// Whether `dst` accepts from `src` on `port`/`protocol` (ingress side).
    pub fn ingress_allows(&self, src: &Endpoint, dst: &Endpoint, port: u16, protocol: &str) -> bool {
        let mut selected = false;
        for p in self.selecting(dst, "Ingress") {
            selected = true;
            let ns = p.metadata.namespace.as_deref().unwrap_or_default();
            let rules = p.spec.as_ref().and_then(|s| s.ingress.as_ref());
            for r in rules.into_iter().flatten() {
                let peer_ok = r
                    .from
                    .as_ref()
                    .filter(|f| !f.is_empty())
                    .is_none_or(|from| from.iter().any(|x| self.peer_matches(x, ns, src)));
                if peer_ok && Self::ports_match(r.ports.as_ref(), dst, port, protocol) {
                    return true;
                }
            }
        }
        !selected
    }

    /// The policies of each namespace.
    fn by_namespace(&self) -> BTreeMap<&str, Vec<&NetworkPolicy>> {
        let mut out: BTreeMap<&str, Vec<&NetworkPolicy>> = BTreeMap::new();
        for p in &self.policies {
            if let Some(ns) = p.metadata.namespace.as_deref() {
                out.entry(ns).or_default().push(p);
            }
        }
        out
    }

    /// Whether the rules of `selecting` (the policies governing one side) allow a
    /// connection with `other` on `port`: for egress, `other` is the destination; for
    /// ingress, the source. No selecting policy means the side is open.
    fn rules_allow(
        &self,
        selecting: &[&NetworkPolicy],
        direction: Direction,
        other: &Endpoint,
        dst: &Endpoint,
        port: u16,
        protocol: &str,
    ) -> bool {
        if selecting.is_empty() {
            return true;
        }
        selecting.iter().any(|p| {
            let ns = p.metadata.namespace.as_deref().unwrap_or_default();
            let spec = p.spec.as_ref();
            match direction {
                Direction::Egress => spec.and_then(|s| s.egress.as_ref()).into_iter().flatten().any(|r| {
                    r.to.as_ref()
                        .filter(|t| !t.is_empty())
                        .is_none_or(|to| to.iter().any(|x| self.peer_matches(x, ns, other)))
                        && Self::ports_match(r.ports.as_ref(), dst, port, protocol)
                }),
                Direction::Ingress => spec.and_then(|s| s.ingress.as_ref()).into_iter().flatten().any(|r| {
                    r.from
                        .as_ref()
                        .filter(|f| !f.is_empty())
                        .is_none_or(|from| from.iter().any(|x| self.peer_matches(x, ns, other)))
                        && Self::ports_match(r.ports.as_ref(), dst, port, protocol)
                }),
            }
        })
    }

    /// Every port number mentioned by any policy.
    fn mentioned_ports(&self) -> BTreeSet<(u16, String)> {
        let mut out = BTreeSet::new();
        for p in &self.policies {
            let spec = p.spec.as_ref();
            let ing =
                spec.and_then(|s| s.ingress.as_ref()).into_iter().flatten().flat_map(|r| r.ports.iter().flatten());
            let eg = spec.and_then(|s| s.egress.as_ref()).into_iter().flatten().flat_map(|r| r.ports.iter().flatten());
            for port in ing.chain(eg) {
                if let Some(IntOrString::Int(n)) = port.port
                    && let Ok(n) = u16::try_from(n)
                {
                    out.insert((n, port.protocol.clone().unwrap_or_else(|| "TCP".into())));
                }
            }
        }
        out
    }
}

fn container_ports(c: &Container) -> PortList {
    c.ports
        .iter()
        .flatten()
        .filter_map(|p| {
            u16::try_from(p.container_port)
                .ok()
                .map(|n| (n, p.protocol.clone().unwrap_or_else(|| "TCP".into()), p.name.clone()))
        })
        .collect()
}

fn workload_from_template(name: &str, ns: &str, t: &PodTemplateSpec) -> Workload {
    let labels = t.metadata.as_ref().and_then(|m| m.labels.clone()).unwrap_or_default();
    let ports = t.spec.as_ref().map(|s| s.containers.iter().flat_map(container_ports).collect()).unwrap_or_default();
    (name.to_string(), ns.to_string(), labels, ports)
}

/// The universe of endpoints for a rendered environment (see the module docs).
pub fn endpoints(objects: &[Object], model: &Model) -> Vec<Endpoint> {
    let mut workloads = Vec::new();
    for o in objects {
        let ns = o.namespace.as_deref().unwrap_or_default();
        match (o.group(), o.kind.as_str()) {
            ("apps", "Deployment") => {
                if let Ok(d) = serde_json::from_value::<Deployment>(o.value.clone()) {
                    workloads.push(workload_from_template(&o.name, ns, &d.spec.template));
                }
            }
            ("apps", "StatefulSet") => {
                if let Ok(s) = serde_json::from_value::<StatefulSet>(o.value.clone()) {
                    workloads.push(workload_from_template(&o.name, ns, &s.spec.template));
                }
            }
            // CloudNativePG's instance pods carry the Cluster's inherited labels and serve
            // PostgreSQL, the instance manager's status port and the exporter.
            ("postgresql.cnpg.io", "Cluster") => {
                let labels: BTreeMap<String, String> = o
                    .value
                    .pointer("/spec/inheritedMetadata/labels")
                    .and_then(|l| serde_json::from_value(l.clone()).ok())
                    .unwrap_or_default();
                let ports: PortList = vec![
                    (crate::k8s::cnpg::PG_PORT, "TCP".into(), Some("postgresql".into())),
                    (crate::k8s::cnpg::INSTANCE_MANAGER_PORT, "TCP".into(), Some("status".into())),
                    (crate::k8s::cnpg::PG_METRICS_PORT, "TCP".into(), Some("metrics".into())),
                ];
                workloads.push((o.name.clone(), ns.to_string(), labels, ports));
            }
            ("serving.knative.dev", "Service") => {
                let labels: BTreeMap<String, String> = o
                    .value
                    .pointer("/spec/template/metadata/labels")
                    .and_then(|l| serde_json::from_value(l.clone()).ok())
                    .unwrap_or_default();
                let mut ports: PortList = o
                    .value
                    .pointer("/spec/template/spec/containers/0/ports")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|p| p.get("containerPort").and_then(Value::as_u64).and_then(|n| u16::try_from(n).ok()))
                    .map(|n| (n, "TCP".to_string(), None))
                    .collect();
                // The queue-proxy sidecar Knative injects.
                ports.push((KNATIVE_QUEUE_PORT, "TCP".into(), Some("queue-port".into())));
                ports.push((KNATIVE_METRICS_PORT, "TCP".into(), Some("http-autometric".into())));
                workloads.push((o.name.clone(), ns.to_string(), labels, ports));
            }
            _ => {}
        }
    }
    workloads.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = Vec::new();
    let pod_net = 0x0af4_0000_u32; // 10.244.0.0
    for (i, (name, ns, labels, ports)) in workloads.into_iter().enumerate() {
        out.push(Endpoint {
            id: name,
            kind: EndpointKind::Workload,
            namespace: Some(ns),
            labels,
            ip: pod_net + 10 + u32::try_from(i).unwrap_or(0) % 0xfff0,
            ports: Some(ports),
        });
    }
    let tier_namespaces: BTreeSet<&str> = model.tiers.iter().map(|t| t.namespace.as_str()).collect();
    let tcp = |p: u16| (p, "TCP".to_string(), None);
    let cluster: [ClusterComponent<'_>; 6] = [
        (
            "kube-dns",
            DNS_NAMESPACE,
            BTreeMap::from([(DNS_LABEL.0.to_string(), DNS_LABEL.1.to_string())]),
            vec![(53, "UDP".into(), Some("dns".into())), (53, "TCP".into(), Some("dns-tcp".into()))],
        ),
        match &model.ingress.gateway {
            // The Envoy pods Envoy Gateway runs for the platform's Gateway.
            Some(g) => ("gateway", &model.ingress.namespace, data_plane_labels(g), vec![tcp(80), tcp(443)]),
            None => ("ingress-controller", &model.ingress.namespace, BTreeMap::new(), vec![tcp(80), tcp(443)]),
        },
        ("monitoring", &model.observability.namespace, BTreeMap::new(), vec![tcp(9090)]),
        ("keda", KEDA_NAMESPACE, BTreeMap::new(), vec![tcp(8080)]),
        ("knative-serving", KNATIVE_NAMESPACE, BTreeMap::new(), vec![tcp(8012)]),
        ("knative-gateway", KNATIVE_GATEWAY_NAMESPACE, BTreeMap::new(), vec![tcp(KNATIVE_GATEWAY_PORT)]),
    ];
    for (i, (id, ns, labels, ports)) in cluster.into_iter().enumerate() {
        if tier_namespaces.contains(ns) {
            continue;
        }
        out.push(Endpoint {
            id: id.into(),
            kind: EndpointKind::Cluster,
            namespace: Some(ns.to_string()),
            labels,
            ip: 0x0af5_0000 + 10 + u32::try_from(i).unwrap_or(0), // 10.245.0.x
            ports: Some(ports),
        });
    }
    let mut externals: Vec<(String, u32)> = vec![
        ("internet".into(), 0xc633_640a),        // 198.51.100.10
        ("private-network".into(), 0x0ac8_000a), // 10.200.0.10, a VPC address
        ("cloud-metadata".into(), 0xa9fe_a9fe),  // 169.254.169.254
    ];
    let mut cidrs: BTreeSet<String> = BTreeSet::new();
    for env in &model.environments {
        for s in &env.services {
            cidrs.extend(s.egress.iter().filter_map(|e| e.cidr.clone()));
        }
    }
    for c in cidrs {
        if let Some((net, len)) = parse_cidr(&c) {
            let ip = if len >= 31 { net } else { net + 1 };
            externals.push((format!("cidr:{c}"), ip));
        }
    }
    for (id, ip) in externals {
        out.push(Endpoint {
            id,
            kind: EndpointKind::External,
            namespace: None,
            labels: BTreeMap::new(),
            ip,
            ports: None,
        });
    }
    out
}

/// Every connection the policies allow that involves at least one platform workload.
pub fn allowed_flows(objects: &[Object], model: &Model) -> BTreeSet<Flow> {
    let policies = Policies::from_objects(objects);
    let eps = endpoints(objects, model);
    evaluate(&policies, &eps)
}

/// [`allowed_flows`] over an explicit universe.
///
/// Linear in the size of the universe for policies that name their peers: instead of
/// trying every (source, destination) pair, it enumerates the candidate pairs the
/// policies can allow — the peers of the ingress rules of every selected destination,
/// the peers of the egress rules of every selected source, and the pairs where neither
/// side is selected (open in both directions) — through an index of endpoints by
/// namespace, label and address, and then checks each candidate on both sides exactly as
/// [`Policies::egress_allows`] and [`Policies::ingress_allows`] do.
pub fn evaluate(policies: &Policies, eps: &[Endpoint]) -> BTreeSet<Flow> {
    let candidates = candidate_ports(policies, eps);
    let index = EndpointIndex::new(eps);
    let by_ns = policies.by_namespace();
    let selected = |e: &Endpoint, direction: &str| -> Vec<&NetworkPolicy> {
        let Some(ns) = e.namespace.as_deref().filter(|_| e.kind != EndpointKind::External) else {
            return Vec::new();
        };
        by_ns.get(ns).into_iter().flatten().filter(|p| governs(p, direction, &e.labels)).copied().collect()
    };
    let sel_in: Vec<Vec<&NetworkPolicy>> = eps.iter().map(|e| selected(e, "Ingress")).collect();
    let sel_eg: Vec<Vec<&NetworkPolicy>> = eps.iter().map(|e| selected(e, "Egress")).collect();

    // Candidate (source, destination) pairs.
    let mut pairs: BTreeSet<(usize, usize)> = BTreeSet::new();
    let everyone: Vec<usize> = (0..eps.len()).collect();
    for (dst, pols) in sel_in.iter().enumerate() {
        for p in pols {
            let ns = p.metadata.namespace.as_deref().unwrap_or_default();
            for r in p.spec.as_ref().and_then(|s| s.ingress.as_ref()).into_iter().flatten() {
                match r.from.as_ref().filter(|f| !f.is_empty()) {
                    None => pairs.extend(everyone.iter().map(|&src| (src, dst))),
                    Some(from) => {
                        for peer in from {
                            pairs.extend(index.matching(policies, peer, ns).into_iter().map(|src| (src, dst)));
                        }
                    }
                }
            }
        }
    }
    for (src, pols) in sel_eg.iter().enumerate() {
        for p in pols {
            let ns = p.metadata.namespace.as_deref().unwrap_or_default();
            for r in p.spec.as_ref().and_then(|s| s.egress.as_ref()).into_iter().flatten() {
                match r.to.as_ref().filter(|t| !t.is_empty()) {
                    None => pairs.extend(everyone.iter().map(|&dst| (src, dst))),
                    Some(to) => {
                        for peer in to {
                            pairs.extend(index.matching(policies, peer, ns).into_iter().map(|dst| (src, dst)));
                        }
                    }
                }
            }
        }
    }
    let open_egress: Vec<usize> = (0..eps.len()).filter(|&i| sel_eg[i].is_empty()).collect();
    let open_ingress: Vec<usize> = (0..eps.len()).filter(|&i| sel_in[i].is_empty()).collect();
    for &src in &open_egress {
        for &dst in &open_ingress {
            if eps[src].kind == EndpointKind::Workload || eps[dst].kind == EndpointKind::Workload {
                pairs.insert((src, dst));
            }
        }
    }

    let mut out = BTreeSet::new();
    for (si, di) in pairs {
        let (src, dst) = (&eps[si], &eps[di]);
        if src.id == dst.id || (src.kind != EndpointKind::Workload && dst.kind != EndpointKind::Workload) {
            continue;
        }
        for (port, proto) in &candidates {
            let listening = dst.ports.as_ref().is_none_or(|ps| ps.iter().any(|(n, p, _)| n == port && p == proto));
            if listening
                && policies.rules_allow(&sel_eg[si], Direction::Egress, dst, dst, *port, proto)
                && policies.rules_allow(&sel_in[di], Direction::Ingress, src, dst, *port, proto)
            {
                out.insert(Flow { from: src.id.clone(), to: dst.id.clone(), port: *port, protocol: proto.clone() });
            }
        }
    }
    out
}

/// The (port, protocol) pairs worth trying: every port a policy names, every port an
/// endpoint listens on, and the usual suspects (SSH, HTTP(S), the API server).
fn candidate_ports(policies: &Policies, eps: &[Endpoint]) -> BTreeSet<(u16, String)> {
    let mut candidates = policies.mentioned_ports();
    for e in eps {
        for (n, pr, _) in e.ports.iter().flatten() {
            candidates.insert((*n, pr.clone()));
        }
    }
    for extra in [22u16, 80, 443, 6443] {
        candidates.insert((extra, "TCP".into()));
    }
    candidates
}

/// Whether policy `p` selects pods with `labels` for `direction` (`Ingress`/`Egress`).
fn governs(p: &NetworkPolicy, direction: &str, labels: &BTreeMap<String, String>) -> bool {
    let Some(spec) = &p.spec else { return false };
    let types_ok = match &spec.policy_types {
        Some(types) => types.iter().any(|t| t == direction),
        None => direction == "Ingress" || (direction == "Egress" && spec.egress.is_some()),
    };
    types_ok && spec.pod_selector.as_ref().is_none_or(|sel| selector_matches(sel, labels))
}

/// Which side of a connection a set of policies governs.
#[derive(Clone, Copy)]
enum Direction {
    Ingress,
    Egress,
}

/// Endpoints indexed by namespace, by `(namespace, label key, label value)` and by
/// address, so that the peers of a rule are found without scanning the universe.
struct EndpointIndex<'a> {
    eps: &'a [Endpoint],
    by_ns: BTreeMap<&'a str, Vec<usize>>,
    by_label: BTreeMap<(&'a str, &'a str, &'a str), Vec<usize>>,
    /// Endpoint indices sorted by address.
    by_ip: Vec<usize>,
}

impl<'a> EndpointIndex<'a> {
    fn new(eps: &'a [Endpoint]) -> Self {
        let mut by_ns: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        let mut by_label: BTreeMap<(&str, &str, &str), Vec<usize>> = BTreeMap::new();
        for (i, e) in eps.iter().enumerate() {
            if let Some(ns) = e.namespace.as_deref() {
                by_ns.entry(ns).or_default().push(i);
                for (k, v) in &e.labels {
                    by_label.entry((ns, k.as_str(), v.as_str())).or_default().push(i);
                }
            }
        }
        let mut by_ip: Vec<usize> = (0..eps.len()).collect();
        by_ip.sort_by_key(|&i| eps[i].ip);
        EndpointIndex { eps, by_ns, by_label, by_ip }
    }

    /// Endpoints with an address in `[lo, hi]`.
    fn in_range(&self, lo: u32, hi: u32) -> &[usize] {
        let start = self.by_ip.partition_point(|&i| self.eps[i].ip < lo);
        let end = self.by_ip.partition_point(|&i| self.eps[i].ip <= hi);
        &self.by_ip[start..end.max(start)]
    }

    /// The endpoints `peer` (of a policy in `policy_ns`) matches; a superset is fine
    /// (every candidate is checked exactly afterwards), a subset is not.
    fn matching(&self, policies: &Policies, peer: &NetworkPolicyPeer, policy_ns: &str) -> Vec<usize> {
        if let Some(b) = &peer.ip_block {
            let Some((net, len)) = parse_cidr(&b.cidr) else { return Vec::new() };
            let hi = if len == 0 { u32::MAX } else { net | (u32::MAX >> len) };
            let mut out = Vec::new();
            let mut lo = net;
            // The block minus its exceptions, as address ranges in ascending order.
            let mut excepts: Vec<(u32, u32)> = b
                .except
                .iter()
                .flatten()
                .filter_map(|x| parse_cidr(x))
                .map(|(n, l)| (n, if l == 0 { u32::MAX } else { n | (u32::MAX >> l) }))
                .collect();
            excepts.sort_unstable();
            for (ex_lo, ex_hi) in excepts {
                if ex_hi < lo || ex_lo > hi {
                    continue;
                }
                if ex_lo > lo {
                    out.extend_from_slice(self.in_range(lo, ex_lo - 1));
                }
                match ex_hi.checked_add(1) {
                    Some(next) if next > lo => lo = next,
                    Some(_) => {}
                    None => return out,
                }
            }
            if lo <= hi {
                out.extend_from_slice(self.in_range(lo, hi));
            }
            return out;
        }
        if peer.namespace_selector.is_none() && peer.pod_selector.is_none() {
            return Vec::new();
        }
        let namespaces: Vec<&str> = match &peer.namespace_selector {
            Some(sel) => {
                self.by_ns.keys().copied().filter(|ns| selector_matches(sel, &policies.ns_labels(ns))).collect()
            }
            None => vec![policy_ns],
        };
        let mut out = Vec::new();
        for ns in namespaces {
            let first_label =
                peer.pod_selector.as_ref().and_then(|s| s.match_labels.as_ref()).and_then(|m| m.iter().next());
            let pool: &[usize] = match first_label {
                Some((k, v)) => self.by_label.get(&(ns, k.as_str(), v.as_str())).map_or(&[], Vec::as_slice),
                None => self.by_ns.get(ns).map_or(&[], Vec::as_slice),
            };
            out.extend(
                pool.iter()
                    .copied()
                    .filter(|&i| peer.pod_selector.as_ref().is_none_or(|s| selector_matches(s, &self.eps[i].labels))),
            );
        }
        out
    }
}

/// Text form of an endpoint's address, for reports.
pub fn endpoint_address(e: &Endpoint) -> String {
    ipv4_text(e.ip)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition: every pair of endpoints, every candidate port, both sides checked.
    fn evaluate_every_pair(policies: &Policies, eps: &[Endpoint]) -> BTreeSet<Flow> {
        let candidates = candidate_ports(policies, eps);
        let mut out = BTreeSet::new();
        for src in eps {
            for dst in eps {
                if src.id == dst.id || (src.kind != EndpointKind::Workload && dst.kind != EndpointKind::Workload) {
                    continue;
                }
                for (port, proto) in &candidates {
                    let listening =
                        dst.ports.as_ref().is_none_or(|ps| ps.iter().any(|(n, p, _)| n == port && p == proto));
                    if listening
                        && policies.egress_allows(src, dst, *port, proto)
                        && policies.ingress_allows(src, dst, *port, proto)
                    {
                        out.insert(Flow {
                            from: src.id.clone(),
                            to: dst.id.clone(),
                            port: *port,
                            protocol: proto.clone(),
                        });
                    }
                }
            }
        }
        out
    }

    fn object(value: Value) -> Object {
        let kind = value["kind"].as_str().unwrap_or_default().to_string();
        let name = value["metadata"]["name"].as_str().unwrap_or_default().to_string();
        let namespace = value["metadata"]["namespace"].as_str().map(str::to_string);
        let api_version = value["apiVersion"].as_str().unwrap_or_default().to_string();
        Object { api_version, kind, name, namespace, value }
    }

    fn endpoint(
        id: &str,
        kind: EndpointKind,
        ns: Option<&str>,
        labels: &[(&str, &str)],
        ip: u32,
        ports: Option<PortList>,
    ) -> Endpoint {
        Endpoint {
            id: id.into(),
            kind,
            namespace: ns.map(str::to_string),
            labels: labels.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect(),
            ip,
            ports,
        }
    }

    /// The indexed evaluator agrees with the every-pair definition on the shapes policies
    /// take: open pods, default deny, pod and namespace selectors, match expressions,
    /// named ports, port ranges, ipBlocks with exceptions, rules without peers or ports.
    #[test]
    fn indexed_evaluation_equals_every_pair_evaluation() {
        let tcp = |n: u16, name: &str| (n, "TCP".to_string(), Some(name.to_string()));
        let eps = vec![
            endpoint(
                "api",
                EndpointKind::Workload,
                Some("a"),
                &[("app", "api"), ("tier", "web")],
                0x0af4_000a,
                Some(vec![tcp(8080, "http")]),
            ),
            endpoint(
                "web",
                EndpointKind::Workload,
                Some("a"),
                &[("app", "web"), ("tier", "web")],
                0x0af4_000b,
                Some(vec![tcp(80, "http")]),
            ),
            endpoint(
                "db",
                EndpointKind::Workload,
                Some("b"),
                &[("app", "db")],
                0x0af4_000c,
                Some(vec![tcp(5432, "pg")]),
            ),
            endpoint(
                "cache",
                EndpointKind::Workload,
                Some("b"),
                &[("app", "cache")],
                0x0af4_000d,
                Some(vec![tcp(6379, "redis")]),
            ),
            endpoint(
                "open",
                EndpointKind::Workload,
                Some("c"),
                &[("app", "open")],
                0x0af4_000e,
                Some(vec![tcp(9000, "s3")]),
            ),
            endpoint(
                "kube-dns",
                EndpointKind::Cluster,
                Some("kube-system"),
                &[("k8s-app", "kube-dns")],
                0x0af5_000a,
                Some(vec![(53, "UDP".into(), None)]),
            ),
            endpoint(
                "monitoring",
                EndpointKind::Cluster,
                Some("monitoring"),
                &[],
                0x0af5_000b,
                Some(vec![tcp(9090, "web")]),
            ),
            endpoint("internet", EndpointKind::External, None, &[], 0xc633_640a, None),
            endpoint("private-network", EndpointKind::External, None, &[], 0x0ac8_000a, None),
            endpoint("cloud-metadata", EndpointKind::External, None, &[], 0xa9fe_a9fe, None),
        ];
        let objects = vec![
            object(
                serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "b", "labels": {"team": "data"}}}),
            ),
            object(serde_json::json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                "metadata": {"name": "deny", "namespace": "a"}, "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}})),
            object(serde_json::json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                "metadata": {"name": "api", "namespace": "a"}, "spec": {
                    "podSelector": {"matchLabels": {"app": "api"}},
                    "ingress": [{"from": [{"podSelector": {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["web"]}]}}], "ports": [{"port": "http"}]},
                                {"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}]}],
                    "egress": [{"to": [{"namespaceSelector": {"matchLabels": {"team": "data"}}, "podSelector": {"matchLabels": {"app": "db"}}}], "ports": [{"port": 5000, "endPort": 6000}]},
                               {"to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8", "169.254.0.0/16"]}}], "ports": [{"port": 443}]},
                               {"ports": [{"port": 53, "protocol": "UDP"}]}]}})),
            object(serde_json::json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                "metadata": {"name": "web", "namespace": "a"}, "spec": {
                    "podSelector": {"matchLabels": {"app": "web"}},
                    "ingress": [{}],
                    "egress": [{"to": [{"podSelector": {"matchLabels": {"app": "api"}}}]}]}})),
            object(serde_json::json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                "metadata": {"name": "db", "namespace": "b"}, "spec": {
                    "podSelector": {"matchLabels": {"app": "db"}},
                    "ingress": [{"from": [{"namespaceSelector": {}, "podSelector": {"matchLabels": {"app": "api"}}}, {"ipBlock": {"cidr": "10.244.0.0/16"}}], "ports": [{"port": 5432}]}]}})),
        ];
        let policies = Policies::from_objects(&objects);
        let fast = evaluate(&policies, &eps);
        let slow = evaluate_every_pair(&policies, &eps);
        assert_eq!(fast, slow);
        assert!(fast.contains(&Flow { from: "api".into(), to: "db".into(), port: 5432, protocol: "TCP".into() }));
        assert!(fast.contains(&Flow { from: "api".into(), to: "internet".into(), port: 443, protocol: "TCP".into() }));
        assert!(!fast.contains(&Flow {
            from: "api".into(),
            to: "cloud-metadata".into(),
            port: 443,
            protocol: "TCP".into()
        }));
    }

    /// Both example platforms, every environment and provider: the same flows.
    #[test]
    fn indexed_evaluation_equals_every_pair_evaluation_on_the_examples() {
        for example in ["health-platform", "resimate"] {
            let path = format!("{}/../../examples/{example}/platform.yaml", env!("CARGO_MANIFEST_DIR"));
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let Ok(model) = skyform_model::compile(&text) else { panic!("{path} compiles") };
            for env in &model.environments {
                for provider in crate::objects::ALL_PROVIDERS {
                    let objects = crate::render_objects(&model, env, provider);
                    let policies = Policies::from_objects(&objects);
                    let eps = endpoints(&objects, &model);
                    assert_eq!(
                        evaluate(&policies, &eps),
                        evaluate_every_pair(&policies, &eps),
                        "{example} {}",
                        env.name
                    );
                }
            }
        }
    }

    #[test]
    fn cidr_math() {
        assert!(cidr_contains("10.0.0.0/8", parse_ipv4("10.244.0.10").unwrap_or(0)));
        assert!(!cidr_contains("10.0.0.0/8", parse_ipv4("11.0.0.1").unwrap_or(0)));
        assert!(cidr_contains("0.0.0.0/0", 12345));
        assert_eq!(parse_cidr("203.0.113.0/24"), Some((0xcb00_7100, 24)));
        assert_eq!(parse_cidr("1.2.3.4/33"), None);
        assert_eq!(ipv4_text(0xa9fe_a9fe), "169.254.169.254");
    }
}
