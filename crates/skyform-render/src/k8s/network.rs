//! NetworkPolicies: default deny, DNS, and exactly the declared traffic.
//!
//! Every tier namespace gets `default-deny` (all ingress and egress) and `allow-dns`
//! (egress to kube-dns in `kube-system` on 53/UDP and 53/TCP). Each in-cluster service
//! gets `allow-<service>` holding both sides of its edges:
//! - ingress from each service that `dependsOn` it (namespaceSelector on
//!   `kubernetes.io/metadata.name` + podSelector + ports), from the ingress controller's
//!   namespace on the exposed port (with Gateway API exposure: from the Envoy pods of the
//!   platform's Gateway only), from the monitoring namespace on the metrics port, and
//!   from KEDA's namespace on the queue port when another service scales on its queue;
//! - egress to each dependency (same selectors), to declared external destinations
//!   (`cidr`, or `0.0.0.0/0` minus private and link-local ranges when only a host is
//!   known), and to a dependency that is the cloud's managed database on this provider
//!   (private VPC ranges on the database port).
//!
//! Knative Services are reached through the Knative data plane, so an edge `A → K` (K a
//! Knative Service) becomes `A → kourier-system:8081` (the cluster-local gateway) and K's
//! pods accept 8012 (queue-proxy) from `kourier-system` and `knative-serving` (activator)
//! plus 9090 from `knative-serving` (autoscaler metrics).

use super::workload::KNATIVE_QUEUE_PORT;
use super::{Ctx, replication};
use crate::objects::{Object, meta, platform_labels, selector_labels};
use k8s_openapi::api::networking::v1::{
    IPBlock, NetworkPolicy, NetworkPolicyEgressRule, NetworkPolicyIngressRule, NetworkPolicyPeer, NetworkPolicyPort,
    NetworkPolicySpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use skyform_model::{ComponentKind, Dependency, Protocol, Service, WorkloadKind};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Namespace of the cluster DNS.
pub const DNS_NAMESPACE: &str = "kube-system";
/// Pod label of the cluster DNS (CoreDNS keeps the kube-dns label).
pub const DNS_LABEL: (&str, &str) = ("k8s-app", "kube-dns");
/// Namespace KEDA's operator runs in.
pub const KEDA_NAMESPACE: &str = "keda";
/// Namespace of Knative Serving (activator, autoscaler).
pub const KNATIVE_NAMESPACE: &str = "knative-serving";
/// Namespace of Knative's networking layer (Kourier gateways).
pub const KNATIVE_GATEWAY_NAMESPACE: &str = "kourier-system";
/// Port of Kourier's cluster-local gateway pods.
pub const KNATIVE_GATEWAY_PORT: u16 = 8081;
/// Autoscaler metrics port of Knative's queue-proxy.
pub const KNATIVE_METRICS_PORT: u16 = 9090;
/// Ranges excluded from "anywhere" egress: RFC 1918 private networks and link-local
/// (which holds cloud metadata endpoints).
pub const NON_PUBLIC: [&str; 4] = ["10.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16"];
/// Where managed databases live: the provider's private VPC ranges.
pub const PRIVATE: [&str; 3] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];

/// The namespace-selector label every namespace carries.
pub const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

fn ns_selector(ns: &str) -> LabelSelector {
    LabelSelector {
        match_labels: Some(BTreeMap::from([(NAMESPACE_NAME_LABEL.to_string(), ns.to_string())])),
        ..LabelSelector::default()
    }
}

pub(super) fn pod_peer(ns: &str, pods: BTreeMap<String, String>) -> NetworkPolicyPeer {
    NetworkPolicyPeer {
        namespace_selector: Some(ns_selector(ns)),
        pod_selector: Some(LabelSelector { match_labels: Some(pods), ..LabelSelector::default() }),
        ..NetworkPolicyPeer::default()
    }
}

fn ns_peer(ns: &str) -> NetworkPolicyPeer {
    NetworkPolicyPeer { namespace_selector: Some(ns_selector(ns)), ..NetworkPolicyPeer::default() }
}

fn ip_peer(cidr: &str, except: &[&str]) -> NetworkPolicyPeer {
    NetworkPolicyPeer {
        ip_block: Some(IPBlock {
            cidr: cidr.to_string(),
            except: (!except.is_empty()).then(|| except.iter().map(|s| (*s).to_string()).collect()),
        }),
        ..NetworkPolicyPeer::default()
    }
}

fn proto(p: Protocol) -> String {
    match p {
        Protocol::Tcp => "TCP".into(),
        Protocol::Udp => "UDP".into(),
    }
}

fn ports(list: &[(u16, Protocol)]) -> Vec<NetworkPolicyPort> {
    let mut list = list.to_vec();
    list.sort_by_key(|(p, pr)| (*p, proto(*pr)));
    list.dedup();
    list.into_iter()
        .map(|(p, pr)| NetworkPolicyPort {
            port: Some(IntOrString::Int(i32::from(p))),
            protocol: Some(proto(pr)),
            ..NetworkPolicyPort::default()
        })
        .collect()
}

/// Protocol of `port` on service `s` (TCP when it is not declared).
fn port_protocol(s: &Service, port: u16) -> Protocol {
    s.ports.iter().find(|p| p.port == port).map_or(Protocol::Tcp, |p| p.protocol)
}

fn with_protocols(s: &Service, list: &[u16]) -> Vec<(u16, Protocol)> {
    list.iter().map(|p| (*p, port_protocol(s, *p))).collect()
}

/// The port KEDA connects to on a queue service.
pub fn queue_port(q: &Service) -> Option<u16> {
    let preferred = match q.component {
        Some(ComponentKind::Rabbitmq) => Some("amqp"),
        Some(ComponentKind::Redis) => Some("redis"),
        _ => None,
    };
    preferred.and_then(|n| q.ports.iter().find(|p| p.name == n)).or_else(|| q.ports.first()).map(|p| p.port)
}

fn ingress_rule(from: NetworkPolicyPeer, p: Vec<NetworkPolicyPort>) -> NetworkPolicyIngressRule {
    NetworkPolicyIngressRule { from: Some(vec![from]), ports: Some(p) }
}

fn egress_rule(to: Vec<NetworkPolicyPeer>, p: Vec<NetworkPolicyPort>) -> NetworkPolicyEgressRule {
    NetworkPolicyEgressRule { to: Some(to), ports: Some(p) }
}

/// The two namespace-wide policies of a tier namespace.
pub fn namespace_policies(cx: &Ctx<'_>, namespace: &str) -> Vec<Object> {
    let labels = platform_labels(cx.model);
    let deny = NetworkPolicy {
        metadata: meta("default-deny", Some(namespace), labels.clone(), BTreeMap::new()),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(LabelSelector::default()),
            policy_types: Some(vec!["Egress".into(), "Ingress".into()]),
            ..NetworkPolicySpec::default()
        }),
    };
    let dns = NetworkPolicy {
        metadata: meta("allow-dns", Some(namespace), labels, BTreeMap::new()),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(LabelSelector::default()),
            policy_types: Some(vec!["Egress".into()]),
            egress: Some(vec![egress_rule(
                vec![pod_peer(DNS_NAMESPACE, BTreeMap::from([(DNS_LABEL.0.to_string(), DNS_LABEL.1.to_string())]))],
                ports(&[(53, Protocol::Udp), (53, Protocol::Tcp)]),
            )]),
            ..NetworkPolicySpec::default()
        }),
    };
    vec![Object::typed(&deny), Object::typed(&dns)]
}

/// Who calls each in-cluster service, and which services a queue autoscaler reads:
/// built once per object set, so each service's policy does not scan every other
/// service (quadratic at thousands of services).
pub struct Callers<'a> {
    /// Per called service: each caller in model order, with its first dependency on it.
    by_callee: HashMap<&'a str, Vec<(&'a Service, &'a Dependency)>>,
    /// Services whose queue length scales an autoscaled in-cluster service.
    queue_targets: HashSet<&'a str>,
}

impl<'a> Callers<'a> {
    pub fn new(cx: &Ctx<'a>) -> Callers<'a> {
        let mut by_callee: HashMap<&'a str, Vec<(&'a Service, &'a Dependency)>> = HashMap::new();
        let mut queue_targets = HashSet::new();
        let env: &'a skyform_model::Environment = cx.env;
        for caller in env.services.iter().filter(|x| cx.in_cluster(x)) {
            let mut seen = HashSet::new();
            for d in &caller.depends_on {
                if seen.insert(d.service.as_str()) {
                    by_callee.entry(d.service.as_str()).or_default().push((caller, d));
                }
            }
            if caller.replicas.is_range()
                && let Some(q) = caller.autoscale.as_ref().and_then(|a| a.queue.as_ref())
            {
                queue_targets.insert(q.service.as_str());
            }
        }
        Callers { by_callee, queue_targets }
    }
}

/// `allow-<service>`: every edge of one in-cluster service, both directions.
pub fn service_policy(cx: &Ctx<'_>, s: &Service, callers: &Callers<'_>) -> Object {
    let model = cx.model;
    let knative = s.workload == WorkloadKind::Knative;
    let mut ingress = Vec::new();
    let mut egress = Vec::new();

    // Ingress: callers.
    if knative {
        let queue = ports(&[(KNATIVE_QUEUE_PORT, Protocol::Tcp)]);
        ingress.push(ingress_rule(ns_peer(KNATIVE_GATEWAY_NAMESPACE), queue.clone()));
        ingress.push(ingress_rule(
            ns_peer(KNATIVE_NAMESPACE),
            ports(&[(KNATIVE_QUEUE_PORT, Protocol::Tcp), (KNATIVE_METRICS_PORT, Protocol::Tcp)]),
        ));
    } else if replication::sentinel(cx, s) {
        // Clients reach the master through the proxy and the Sentinels (their policies).
    } else {
        for (caller, d) in callers.by_callee.get(s.name.as_str()).into_iter().flatten() {
            ingress.push(ingress_rule(
                pod_peer(&caller.namespace, selector_labels(model, &caller.name)),
                ports(&with_protocols(s, &d.ports)),
            ));
        }
        match &s.expose {
            // A LoadBalancer Service forwards clients from anywhere to the pods.
            Some(e) if e.load_balancer => {
                ingress.push(ingress_rule(ip_peer("0.0.0.0/0", &[]), ports(&[(e.port.port, e.port.protocol)])));
            }
            Some(e) => {
                // The Gateway's Envoy pods only, when exposure goes through the Gateway API;
                // the controller's namespace for an Ingress.
                let from = match &model.ingress.gateway {
                    Some(g) => pod_peer(&model.ingress.namespace, super::gateway::data_plane_labels(g)),
                    None => ns_peer(&model.ingress.namespace),
                };
                ingress.push(ingress_rule(from, ports(&[(e.port.port, e.port.protocol)])));
            }
            None => {}
        }
        if let Some(m) = s.metrics.as_ref().filter(|_| model.observability.metrics) {
            ingress
                .push(ingress_rule(ns_peer(&model.observability.namespace), ports(&[(m.port.port, m.port.protocol)])));
        }
        let scaled_on_me = callers.queue_targets.contains(s.name.as_str());
        if let Some(qp) = queue_port(s).filter(|_| scaled_on_me) {
            ingress.push(ingress_rule(ns_peer(KEDA_NAMESPACE), ports(&[(qp, port_protocol(s, qp))])));
        }
    }

    // Replication between the service's own pods and its helpers.
    let edges = replication::peer_edges(cx, s);
    for e in edges.iter().filter(|e| e.to == s.name) {
        let p: Vec<(u16, Protocol)> = e.ports.iter().map(|p| (*p, Protocol::Tcp)).collect();
        ingress.push(ingress_rule(pod_peer(&s.namespace, selector_labels(model, &e.from)), ports(&p)));
    }
    for e in edges.iter().filter(|e| e.from == s.name) {
        let p: Vec<(u16, Protocol)> = e.ports.iter().map(|p| (*p, Protocol::Tcp)).collect();
        egress.push(egress_rule(vec![pod_peer(&s.namespace, selector_labels(model, &e.to))], ports(&p)));
    }

    // Egress: dependencies.
    let mut gateway = false;
    for d in s.depends_on.iter().filter(|d| !d.ports.is_empty()) {
        let Some(target) = cx.env.service(&d.service) else { continue };
        if replication::sentinel(cx, target) {
            let redis = with_protocols(target, &redis_ports(target, d));
            egress.push(egress_rule(
                vec![pod_peer(&target.namespace, selector_labels(model, &replication::proxy_name(&target.name)))],
                ports(&redis),
            ));
            egress.push(egress_rule(
                vec![pod_peer(&target.namespace, selector_labels(model, &replication::sentinel_name(&target.name)))],
                ports(&[(replication::SENTINEL_PORT, Protocol::Tcp)]),
            ));
        } else if !cx.in_cluster(target) {
            let peers = PRIVATE.iter().map(|c| ip_peer(c, &[])).collect();
            egress.push(egress_rule(peers, ports(&with_protocols(target, &d.ports))));
        } else if target.workload == WorkloadKind::Knative {
            gateway = true;
        } else {
            egress.push(egress_rule(
                vec![pod_peer(&target.namespace, selector_labels(model, &target.name))],
                ports(&with_protocols(target, &d.ports)),
            ));
        }
    }
    if gateway {
        egress.push(egress_rule(
            vec![ns_peer(KNATIVE_GATEWAY_NAMESPACE)],
            ports(&[(KNATIVE_GATEWAY_PORT, Protocol::Tcp)]),
        ));
    }
    for e in &s.egress {
        let peer = match &e.cidr {
            Some(c) => ip_peer(c, &[]),
            None => ip_peer("0.0.0.0/0", &NON_PUBLIC),
        };
        egress.push(egress_rule(vec![peer], ports(&[(e.port, e.protocol)])));
    }

    let np = NetworkPolicy {
        metadata: meta(
            &format!("allow-{}", s.name),
            Some(&s.namespace),
            crate::objects::service_labels(model, s),
            BTreeMap::new(),
        ),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(LabelSelector {
                match_labels: Some(selector_labels(model, &s.name)),
                ..LabelSelector::default()
            }),
            policy_types: Some(vec!["Egress".into(), "Ingress".into()]),
            ingress: (!ingress.is_empty()).then_some(ingress),
            egress: (!egress.is_empty()).then_some(egress),
        }),
    };
    Object::typed(&np)
}

/// The ports a dependency on a Sentinel-managed Redis uses on its proxy.
fn redis_ports(target: &Service, d: &skyform_model::Dependency) -> Vec<u16> {
    let data = target.port("redis").map_or(replication::REDIS_PORT, |p| p.port);
    let wanted: Vec<u16> = d.ports.iter().copied().filter(|p| *p != replication::SENTINEL_PORT).collect();
    if wanted.is_empty() { vec![data] } else { wanted }
}

/// Policies of the pods that serve a replicated component besides its own: the
/// Sentinels and the master-tracking proxy of a Redis (`allow-<redis>-sentinel`,
/// `allow-<redis>-proxy`).
pub fn helper_policies(cx: &Ctx<'_>, s: &Service, callers: &Callers<'_>) -> Vec<Object> {
    if !replication::sentinel(cx, s) {
        return Vec::new();
    }
    let model = cx.model;
    let edges = replication::peer_edges(cx, s);
    let tcp = |list: &[u16]| -> Vec<NetworkPolicyPort> {
        let p: Vec<(u16, Protocol)> = list.iter().map(|p| (*p, Protocol::Tcp)).collect();
        ports(&p)
    };
    let mut out = Vec::new();
    for helper in [replication::sentinel_name(&s.name), replication::proxy_name(&s.name)] {
        let mut ingress = Vec::new();
        let mut egress = Vec::new();
        for e in edges.iter().filter(|e| e.to == helper) {
            ingress.push(ingress_rule(pod_peer(&s.namespace, selector_labels(model, &e.from)), tcp(&e.ports)));
        }
        for e in edges.iter().filter(|e| e.from == helper) {
            egress.push(egress_rule(vec![pod_peer(&s.namespace, selector_labels(model, &e.to))], tcp(&e.ports)));
        }
        let proxy = helper == replication::proxy_name(&s.name);
        for (caller, d) in callers.by_callee.get(s.name.as_str()).into_iter().flatten() {
            let p = if proxy { redis_ports(s, d) } else { vec![replication::SENTINEL_PORT] };
            ingress.push(ingress_rule(pod_peer(&caller.namespace, selector_labels(model, &caller.name)), tcp(&p)));
        }
        let scaled_on_me = callers.queue_targets.contains(s.name.as_str());
        if proxy && scaled_on_me {
            let qp = queue_port(s).unwrap_or(replication::REDIS_PORT);
            ingress.push(ingress_rule(ns_peer(KEDA_NAMESPACE), tcp(&[qp])));
        }
        let mut labels = platform_labels(model);
        labels.extend(selector_labels(model, &helper));
        labels.insert("app.kubernetes.io/component".into(), "redis".into());
        let np = NetworkPolicy {
            metadata: meta(&format!("allow-{helper}"), Some(&s.namespace), labels, BTreeMap::new()),
            spec: Some(NetworkPolicySpec {
                pod_selector: Some(LabelSelector {
                    match_labels: Some(selector_labels(model, &helper)),
                    ..LabelSelector::default()
                }),
                policy_types: Some(vec!["Egress".into(), "Ingress".into()]),
                ingress: (!ingress.is_empty()).then_some(ingress),
                egress: (!egress.is_empty()).then_some(egress),
            }),
        };
        out.push(Object::typed(&np));
    }
    out
}
