//! The check's adapter to the one NetworkPolicy evaluator (`skyform-netpol`): does the
//! set of `networking.k8s.io/v1` NetworkPolicies in the input allow a connection from one
//! pod set to another on a port?
//!
//! The semantics (isolation per direction, egress *and* ingress, peers, named ports,
//! `endPort`, `ipBlock`) live in `skyform-netpol`; this module only converts located YAML
//! nodes into its model, once per run ([`NetIndex::new`]). Pods are taken to live at
//! `10.244.0.10`, so only `ipBlock`s covering that address (outside their `except`s)
//! match pods. Quirks of hand-written YAML are read the way the API server would default
//! them: `null` selectors select everything, a port given as numeric text is a number,
//! protocols compare case-insensitively.
//!
//! **Cost.** Policies are indexed by namespace and by a `matchLabels` pair of their
//! `podSelector`; a pod set only looks at the policies of its namespace that could select
//! it. Every selector, rule and peer evaluation is counted ([`NetIndex::evaluations`]) so
//! tests can prove the connectivity rule grows linearly with the number of workloads.

use std::collections::BTreeMap;

use skyform_netpol::{Cidr, ContainerPort, Network, Party, Peer, Policy, PortRule, PortSpec, Requirement, Rule};
use skyform_yaml::{Node, Value};

pub use skyform_netpol::Direction;

use crate::model::{Object, string_map, strings};

/// A pod set as policies see it.
#[derive(Clone, Copy, Debug)]
pub struct Pods<'x> {
    pub ns: &'x str,
    pub labels: &'x [(String, String)],
}

/// The port of a connection on the destination pod.
#[derive(Clone, Debug)]
pub struct Port {
    pub number: u16,
    pub name: Option<String>,
    pub protocol: &'static str,
}

/// The policies selecting one side of a connection.
pub struct Selection<'a> {
    idx: Vec<usize>,
    /// The NetworkPolicy objects, in input order.
    pub objects: Vec<&'a Object>,
}

impl Selection<'_> {
    /// Whether no policy selects the side (it is then open).
    pub fn is_empty(&self) -> bool {
        self.idx.is_empty()
    }
}

/// NetworkPolicies indexed for evaluation.
pub struct NetIndex<'a> {
    objects: &'a [Object],
    network: Network,
    /// The object index of each policy of `network`.
    object_of: Vec<usize>,
}

const POD_IP: u32 = u32::from_be_bytes([10, 244, 0, 10]);

/// A `metav1.LabelSelector` node as the evaluator's selector; `null` or a non-mapping
/// is the empty selector.
pub fn selector(node: &Node) -> skyform_netpol::LabelSelector {
    let match_labels: BTreeMap<String, String> =
        string_map(node.get("matchLabels")).into_iter().rev().map(|(k, v)| (k.to_string(), v)).collect();
    let match_expressions = node
        .get("matchExpressions")
        .and_then(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .map(|e| Requirement {
            key: e.get("key").and_then(Node::as_str).unwrap_or("").to_string(),
            operator: skyform_netpol::Operator::parse(e.get("operator").and_then(Node::as_str).unwrap_or("")),
            values: e
                .get("values")
                .and_then(Node::as_seq)
                .unwrap_or(&[])
                .iter()
                .filter_map(Node::scalar_text)
                .collect(),
        })
        .collect();
    skyform_netpol::LabelSelector { match_labels, match_expressions }
}

/// Whether a `metav1.LabelSelector` matches a label set given as pairs (empty selector
/// matches everything).
pub fn selector_matches(sel: &Node, labels: &[(String, String)]) -> bool {
    selector(sel).matches(labels)
}

fn peer(p: &Node) -> Peer {
    if let Some(block) = p.get("ipBlock") {
        return Peer::IpBlock {
            cidr: block.get("cidr").and_then(Node::as_str).and_then(Cidr::parse),
            except: strings(block.get("except")).into_iter().filter_map(Cidr::parse).collect(),
        };
    }
    Peer::Pods { namespaces: p.get("namespaceSelector").map(selector), pods: p.get("podSelector").map(selector) }
}

fn port_rule(p: &Node) -> PortRule {
    let port = p.get("port").map(|n| match &n.value {
        Value::Int(i) => PortSpec::Number { start: *i, end: p.get("endPort").and_then(Node::as_i64).unwrap_or(*i) },
        Value::String(s) => match s.parse::<u16>() {
            Ok(num) => PortSpec::Number { start: i64::from(num), end: i64::from(num) },
            Err(_) => PortSpec::Name(s.clone()),
        },
        _ => PortSpec::Invalid,
    });
    PortRule { protocol: p.get("protocol").and_then(Node::as_str).unwrap_or("TCP").to_ascii_uppercase(), port }
}

fn seq(n: Option<&Node>) -> &[Node] {
    n.and_then(Node::as_seq).unwrap_or(&[])
}

fn rules(spec: &Node, direction: Direction) -> Vec<Rule> {
    let (rules_key, peers_key) = match direction {
        Direction::Ingress => ("ingress", "from"),
        Direction::Egress => ("egress", "to"),
    };
    seq(spec.get(rules_key))
        .iter()
        .map(|r| Rule {
            peers: seq(r.get(peers_key)).iter().map(peer).collect(),
            ports: seq(r.get("ports")).iter().map(port_rule).collect(),
        })
        .collect()
}

fn policy(o: &Object, spec: &Node) -> Policy {
    let (isolates_ingress, isolates_egress) =
        Policy::types(spec.get("policyTypes").map(|_| strings(spec.get("policyTypes"))), spec.get("egress").is_some());
    Policy {
        name: o.name.clone(),
        namespace: o.ns().to_string(),
        pod_selector: spec.get("podSelector").map(selector).unwrap_or_default(),
        isolates_ingress,
        isolates_egress,
        ingress: rules(spec, Direction::Ingress),
        egress: rules(spec, Direction::Egress),
    }
}

impl<'a> NetIndex<'a> {
    pub fn new(objects: &'a [Object]) -> NetIndex<'a> {
        let mut policies = Vec::new();
        let mut object_of = Vec::new();
        for (i, o) in objects.iter().enumerate() {
            if o.kind != "NetworkPolicy" || !o.group().starts_with("networking.k8s.io") {
                continue;
            }
            if let Some(spec) = o.spec() {
                policies.push(policy(o, spec));
                object_of.push(i);
            }
        }
        NetIndex { objects, network: Network::new(policies, BTreeMap::new()), object_of }
    }

    /// How many selector evaluations ran so far (for linearity tests).
    pub fn evaluations(&self) -> usize {
        self.network.evaluations()
    }

    /// The policies of `direction` that select `pods`, in input order.
    pub fn selecting(&self, pods: Pods<'_>, direction: Direction) -> Selection<'a> {
        let idx = self.network.selecting(pods.ns, pods.labels, direction);
        let objects = idx.iter().map(|&i| &self.objects[self.object_of[i]]).collect();
        Selection { idx, objects }
    }

    /// Whether `policies` (all selecting the local side, in `direction`) admit `peer` on
    /// `port`; `peer_ns_labels` are the labels of the peer's namespace. No policies
    /// means open.
    pub fn admits(
        &self,
        policies: &Selection<'_>,
        direction: Direction,
        peer: Pods<'_>,
        peer_ns_labels: &[(String, String)],
        port: &Port,
    ) -> bool {
        let party =
            Party { namespace: Some(peer.ns), labels: peer.labels, namespace_labels: peer_ns_labels, ip: POD_IP };
        let dst = [ContainerPort { number: port.number, protocol: port.protocol.to_string(), name: port.name.clone() }];
        self.network.admits(&policies.idx, direction, &party, &dst, port.number, port.protocol)
    }
}

/// A short list of policy names for messages.
pub fn names(policies: &Selection<'_>) -> String {
    let mut n: Vec<String> = policies.objects.iter().map(|p| format!("`{}`", p.name)).collect();
    if n.len() > 4 {
        let more = n.len() - 4;
        n.truncate(4);
        n.push(format!("{more} more"));
    }
    n.join(", ")
}
