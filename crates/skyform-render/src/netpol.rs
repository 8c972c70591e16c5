//! The rendered objects as a NetworkPolicy universe: which (source, destination, port)
//! connections do the rendered policies allow?
//!
//! The semantics (a CNI's reading of `networking.k8s.io/v1`) and the indexed evaluator
//! live in the `skyform-netpol` crate; this module is the adapter from typed
//! `k8s-openapi` objects: [`Policies::from_objects`] converts the NetworkPolicies and
//! Namespace labels, [`endpoints`] builds the universe. Pods get synthetic addresses in
//! `10.244.0.0/16` (cluster components in `10.245.0.0/16`), so ipBlocks that cover
//! private ranges are evaluated against pods too (the conservative reading).
//!
//! The universe: one endpoint per workload, the cluster components the platform talks
//! to (kube-dns, the ingress controller — or `gateway`, the Envoy pods of the platform's
//! Gateway —, Prometheus, KEDA, Knative), and probe addresses outside the cluster (the
//! internet, a private VPC address, cloud metadata, and one address per declared CIDR).
//! `skyform graph` prints [`allowed_flows`], so the graph is what the policies allow.

use crate::k8s::{
    DNS_LABEL, DNS_NAMESPACE, KEDA_NAMESPACE, KNATIVE_GATEWAY_NAMESPACE, KNATIVE_GATEWAY_PORT, KNATIVE_METRICS_PORT,
    KNATIVE_NAMESPACE, KNATIVE_QUEUE_PORT, data_plane_labels,
};
use crate::objects::Object;
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{Container, PodTemplateSpec};
use k8s_openapi::api::networking::v1::{
    NetworkPolicy, NetworkPolicyEgressRule, NetworkPolicyIngressRule, NetworkPolicyPeer, NetworkPolicyPort,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde::Deserialize;
use serde_json::Value;
use skyform_model::Model;
use skyform_netpol::{Cidr, Direction, Network};
pub use skyform_netpol::{ContainerPort, Endpoint, EndpointKind, Flow};
use std::collections::{BTreeMap, BTreeSet};

/// Listening ports of a pod.
pub type PortList = Vec<ContainerPort>;

/// A workload found in the objects: (name, namespace, pod labels, ports).
type Workload = (String, String, BTreeMap<String, String>, PortList);

/// A cluster component outside the platform: (id, namespace, pod labels, ports).
type ClusterComponent<'a> = (&'a str, &'a str, BTreeMap<String, String>, PortList);

fn port(number: u16, protocol: &str, name: Option<&str>) -> ContainerPort {
    ContainerPort { number, protocol: protocol.to_string(), name: name.map(str::to_string) }
}

fn selector(sel: &LabelSelector) -> skyform_netpol::LabelSelector {
    skyform_netpol::LabelSelector {
        match_labels: sel.match_labels.clone().unwrap_or_default(),
        match_expressions: sel
            .match_expressions
            .iter()
            .flatten()
            .map(|e| skyform_netpol::Requirement {
                key: e.key.clone(),
                operator: skyform_netpol::Operator::parse(&e.operator),
                values: e.values.clone().unwrap_or_default(),
            })
            .collect(),
    }
}

fn peer(p: &NetworkPolicyPeer) -> skyform_netpol::Peer {
    match &p.ip_block {
        Some(b) => skyform_netpol::Peer::IpBlock {
            cidr: Cidr::parse(&b.cidr),
            except: b.except.iter().flatten().filter_map(|x| Cidr::parse(x)).collect(),
        },
        None => skyform_netpol::Peer::Pods {
            namespaces: p.namespace_selector.as_ref().map(selector),
            pods: p.pod_selector.as_ref().map(selector),
        },
    }
}

fn port_rule(p: &NetworkPolicyPort) -> skyform_netpol::PortRule {
    skyform_netpol::PortRule {
        protocol: p.protocol.clone().unwrap_or_else(|| "TCP".into()),
        port: p.port.as_ref().map(|x| match x {
            IntOrString::Int(n) => skyform_netpol::PortSpec::Number {
                start: i64::from(*n),
                end: p.end_port.map_or(i64::from(*n), i64::from),
            },
            IntOrString::String(name) => skyform_netpol::PortSpec::Name(name.clone()),
        }),
    }
}

fn rule(peers: Option<&Vec<NetworkPolicyPeer>>, ports: Option<&Vec<NetworkPolicyPort>>) -> skyform_netpol::Rule {
    skyform_netpol::Rule {
        peers: peers.into_iter().flatten().map(peer).collect(),
        ports: ports.into_iter().flatten().map(port_rule).collect(),
    }
}

/// A typed NetworkPolicy as the evaluator's model. A policy without namespace is put in
/// the empty one (rendered policies always carry one).
fn policy(np: &NetworkPolicy) -> skyform_netpol::Policy {
    let mut out = skyform_netpol::Policy {
        name: np.metadata.name.clone().unwrap_or_default(),
        namespace: np.metadata.namespace.clone().unwrap_or_default(),
        ..Default::default()
    };
    let Some(spec) = &np.spec else { return out };
    (out.isolates_ingress, out.isolates_egress) = skyform_netpol::Policy::types(
        spec.policy_types.as_ref().map(|t| t.iter().map(String::as_str)),
        spec.egress.is_some(),
    );
    out.pod_selector = spec.pod_selector.as_ref().map(selector).unwrap_or_default();
    out.ingress = spec
        .ingress
        .iter()
        .flatten()
        .map(|r: &NetworkPolicyIngressRule| rule(r.from.as_ref(), r.ports.as_ref()))
        .collect();
    out.egress =
        spec.egress.iter().flatten().map(|r: &NetworkPolicyEgressRule| rule(r.to.as_ref(), r.ports.as_ref())).collect();
    out
}

/// The rendered policies plus namespace labels: everything needed to evaluate.
pub struct Policies {
    network: Network,
}

impl Policies {
    /// Collects the NetworkPolicies and Namespace labels of a rendered object list.
    pub fn from_objects(objects: &[Object]) -> Policies {
        let policies = objects
            .iter()
            .filter(|o| o.kind == "NetworkPolicy")
            .filter_map(|o| NetworkPolicy::deserialize(&o.value).ok())
            .map(|np| policy(&np))
            .collect();
        let namespace_labels = objects
            .iter()
            .filter(|o| o.kind == "Namespace")
            .map(|o| {
                let labels: BTreeMap<String, String> =
                    o.value.pointer("/metadata/labels").and_then(|l| BTreeMap::deserialize(l).ok()).unwrap_or_default();
                (o.name.clone(), labels)
            })
            .collect();
        Policies { network: Network::new(policies, namespace_labels) }
    }

    /// Whether `src` may send to `dst` on `port`/`protocol` (egress side).
    pub fn egress_allows(&self, src: &Endpoint, dst: &Endpoint, port: u16, protocol: &str) -> bool {
        self.network.allows(src, dst, Direction::Egress, port, protocol)
    }

    /// Whether `dst` accepts from `src` on `port`/`protocol` (ingress side).
    pub fn ingress_allows(&self, src: &Endpoint, dst: &Endpoint, port: u16, protocol: &str) -> bool {
        self.network.allows(src, dst, Direction::Ingress, port, protocol)
    }
}

fn container_ports(c: &Container) -> PortList {
    c.ports
        .iter()
        .flatten()
        .filter_map(|p| {
            u16::try_from(p.container_port).ok().map(|number| ContainerPort {
                number,
                protocol: p.protocol.clone().unwrap_or_else(|| "TCP".into()),
                name: p.name.clone(),
            })
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
                if let Ok(d) = Deployment::deserialize(&o.value) {
                    workloads.push(workload_from_template(&o.name, ns, &d.spec.template));
                }
            }
            ("apps", "StatefulSet") => {
                if let Ok(s) = StatefulSet::deserialize(&o.value) {
                    workloads.push(workload_from_template(&o.name, ns, &s.spec.template));
                }
            }
            // CloudNativePG's instance pods carry the Cluster's inherited labels and serve
            // PostgreSQL, the instance manager's status port and the exporter.
            ("postgresql.cnpg.io", "Cluster") => {
                let labels: BTreeMap<String, String> = o
                    .value
                    .pointer("/spec/inheritedMetadata/labels")
                    .and_then(|l| BTreeMap::deserialize(l).ok())
                    .unwrap_or_default();
                let ports: PortList = vec![
                    port(crate::k8s::cnpg::PG_PORT, "TCP", Some("postgresql")),
                    port(crate::k8s::cnpg::INSTANCE_MANAGER_PORT, "TCP", Some("status")),
                    port(crate::k8s::cnpg::PG_METRICS_PORT, "TCP", Some("metrics")),
                ];
                workloads.push((o.name.clone(), ns.to_string(), labels, ports));
            }
            ("serving.knative.dev", "Service") => {
                let labels: BTreeMap<String, String> = o
                    .value
                    .pointer("/spec/template/metadata/labels")
                    .and_then(|l| BTreeMap::deserialize(l).ok())
                    .unwrap_or_default();
                let mut ports: PortList = o
                    .value
                    .pointer("/spec/template/spec/containers/0/ports")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|p| p.get("containerPort").and_then(Value::as_u64).and_then(|n| u16::try_from(n).ok()))
                    .map(|n| port(n, "TCP", None))
                    .collect();
                // The queue-proxy sidecar Knative injects.
                ports.push(port(KNATIVE_QUEUE_PORT, "TCP", Some("queue-port")));
                ports.push(port(KNATIVE_METRICS_PORT, "TCP", Some("http-autometric")));
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
    let tcp = |p: u16| port(p, "TCP", None);
    let cluster: [ClusterComponent<'_>; 6] = [
        (
            "kube-dns",
            DNS_NAMESPACE,
            BTreeMap::from([(DNS_LABEL.0.to_string(), DNS_LABEL.1.to_string())]),
            vec![port(53, "UDP", Some("dns")), port(53, "TCP", Some("dns-tcp"))],
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
        if let Some(Cidr { net, len }) = Cidr::parse(&c) {
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
    evaluate(&Policies::from_objects(objects), &endpoints(objects, model))
}

/// [`allowed_flows`] over an explicit universe (see `skyform_netpol::Network::evaluate`:
/// linear in practice, equal to trying every pair).
pub fn evaluate(policies: &Policies, eps: &[Endpoint]) -> BTreeSet<Flow> {
    policies.network.evaluate(eps)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition (every pair, both sides by scanning every policy).
    fn evaluate_every_pair(policies: &Policies, eps: &[Endpoint]) -> BTreeSet<Flow> {
        policies.network.evaluate_every_pair(eps)
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
        let tcp = |n: u16, name: &str| port(n, "TCP", Some(name));
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
                Some(vec![port(53, "UDP", None)]),
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
}
