//! A NetworkPolicy evaluator over the check's own object model: does the set of
//! `networking.k8s.io/v1` NetworkPolicies in the input allow a connection from one pod
//! set to another on a port?
//!
//! Semantics are the ones a CNI enforces (and the ones `skyform-render`'s evaluator
//! implements over typed objects): a pod selected by no policy of a direction is open in
//! that direction; otherwise a connection needs one matching rule on the source's egress
//! side *and* one on the destination's ingress side. Peers match by `namespaceSelector`
//! (namespace labels, `kubernetes.io/metadata.name` always included), `podSelector` (the
//! policy's own namespace when alone) or `ipBlock` (pods are taken to live in
//! `10.244.0.0/16`, so only blocks covering that range match pods).
//!
//! **Cost.** Policies are indexed by namespace and, inside it, by the first
//! `matchLabels` pair of their `podSelector`; a pod set only looks at the policies of its
//! namespace that could select it (the ones keyed by one of its labels, plus those whose
//! selector has no `matchLabels`). Every selector evaluation is counted
//! ([`NetIndex::evaluations`]) so tests can prove the connectivity rule grows linearly
//! with the number of workloads.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use skyform_yaml::{Node, Value};

use crate::model::{Object, string_map, strings};

/// Which side of a connection a policy governs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Ingress,
    Egress,
}

impl Direction {
    fn policy_type(self) -> &'static str {
        match self {
            Direction::Ingress => "Ingress",
            Direction::Egress => "Egress",
        }
    }

    fn rules_key(self) -> &'static str {
        match self {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        }
    }

    fn peers_key(self) -> &'static str {
        match self {
            Direction::Ingress => "from",
            Direction::Egress => "to",
        }
    }
}

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

#[derive(Default)]
struct NsPolicies {
    /// Policies whose podSelector has no matchLabels (empty or expressions only).
    generic: Vec<usize>,
    /// Policies by their podSelector's first matchLabels pair.
    keyed: HashMap<(String, String), Vec<usize>>,
}

/// NetworkPolicies indexed for evaluation.
pub struct NetIndex<'a> {
    objects: &'a [Object],
    by_ns: HashMap<String, NsPolicies>,
    evaluations: AtomicUsize,
}

/// Whether a `metav1.LabelSelector` matches a label set given as pairs (empty selector
/// matches everything).
pub fn selector_matches(selector: &Node, labels: &[(String, String)]) -> bool {
    crate::model::selector_matches_lookup(selector, |k| labels.iter().find(|(lk, _)| lk == k).map(|(_, v)| v.as_str()))
}

fn policy_types(spec: &Node) -> Vec<&str> {
    if spec.get("policyTypes").is_some() {
        return strings(spec.get("policyTypes"));
    }
    let mut t = vec!["Ingress"];
    if spec.get("egress").is_some() {
        t.push("Egress");
    }
    t
}

const POD_IP: u32 = u32::from_be_bytes([10, 244, 0, 10]);

fn parse_cidr(s: &str) -> Option<(u32, u32)> {
    let (ip, len) = s.split_once('/')?;
    let ip: std::net::Ipv4Addr = ip.parse().ok()?;
    let len: u32 = len.parse().ok()?;
    if len > 32 {
        return None;
    }
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    Some((u32::from(ip) & mask, mask))
}

fn cidr_covers_pods(block: &Node) -> bool {
    let Some((net, mask)) = block.get("cidr").and_then(Node::as_str).and_then(parse_cidr) else { return false };
    if POD_IP & mask != net {
        return false;
    }
    !strings(block.get("except")).iter().filter_map(|e| parse_cidr(e)).any(|(n, m)| POD_IP & m == n)
}

impl<'a> NetIndex<'a> {
    pub fn new(objects: &'a [Object]) -> NetIndex<'a> {
        let mut by_ns: HashMap<String, NsPolicies> = HashMap::new();
        for (i, o) in objects.iter().enumerate() {
            if o.kind != "NetworkPolicy" || !o.group().starts_with("networking.k8s.io") {
                continue;
            }
            let entry = by_ns.entry(o.ns().to_string()).or_default();
            let first = o
                .spec()
                .and_then(|s| s.get("podSelector"))
                .and_then(|s| s.get("matchLabels"))
                .and_then(|m| string_map(Some(m)).into_iter().next());
            match first {
                Some((k, v)) => entry.keyed.entry((k.to_string(), v)).or_default().push(i),
                None => entry.generic.push(i),
            }
        }
        NetIndex { objects, by_ns, evaluations: AtomicUsize::new(0) }
    }

    /// How many selector evaluations ran so far (for linearity tests).
    pub fn evaluations(&self) -> usize {
        self.evaluations.load(Ordering::Relaxed)
    }

    fn count(&self) {
        self.evaluations.fetch_add(1, Ordering::Relaxed);
    }

    /// The policies of `direction` that select `pods`, in input order.
    pub fn selecting(&self, pods: Pods<'_>, direction: Direction) -> Vec<&'a Object> {
        let Some(ns) = self.by_ns.get(pods.ns) else { return Vec::new() };
        let mut idx: Vec<usize> = ns.generic.clone();
        for (k, v) in pods.labels {
            if let Some(b) = ns.keyed.get(&(k.clone(), v.clone())) {
                idx.extend(b);
            }
        }
        idx.sort_unstable();
        idx.dedup();
        idx.into_iter()
            .map(|i| &self.objects[i])
            .filter(|np| {
                self.count();
                let Some(spec) = np.spec() else { return false };
                let selects = match spec.get("podSelector") {
                    None => true,
                    Some(sel) if matches!(sel.value, Value::Null) => true,
                    Some(sel) => selector_matches(sel, pods.labels),
                };
                selects && policy_types(spec).contains(&direction.policy_type())
            })
            .collect()
    }

    /// Whether `policies` (all selecting the local side, in `direction`) admit `peer` on
    /// `port`; `peer_ns_labels` are the labels of the peer's namespace. No policies
    /// means open.
    pub fn admits(
        &self,
        policies: &[&Object],
        direction: Direction,
        peer: Pods<'_>,
        peer_ns_labels: &[(String, String)],
        port: &Port,
    ) -> bool {
        if policies.is_empty() {
            return true;
        }
        policies.iter().any(|np| {
            let Some(spec) = np.spec() else { return false };
            spec.get(direction.rules_key()).and_then(Node::as_seq).unwrap_or(&[]).iter().any(|rule| {
                self.count();
                let peers_ok = match rule.get(direction.peers_key()).and_then(Node::as_seq) {
                    None => true,
                    Some([]) => true,
                    Some(peers) => peers.iter().any(|p| self.peer_matches(np, p, peer, peer_ns_labels)),
                };
                peers_ok && ports_match(rule, port)
            })
        })
    }

    fn peer_matches(&self, np: &Object, p: &Node, peer: Pods<'_>, peer_ns_labels: &[(String, String)]) -> bool {
        self.count();
        if let Some(block) = p.get("ipBlock") {
            return cidr_covers_pods(block);
        }
        let ns_ok = match p.get("namespaceSelector") {
            Some(sel) => matches!(sel.value, Value::Null) || selector_matches(sel, peer_ns_labels),
            None => peer.ns == np.ns(),
        };
        let pod_ok = match p.get("podSelector") {
            Some(sel) => matches!(sel.value, Value::Null) || selector_matches(sel, peer.labels),
            None => true,
        };
        ns_ok && pod_ok && (p.get("namespaceSelector").is_some() || p.get("podSelector").is_some())
    }
}

fn ports_match(rule: &Node, port: &Port) -> bool {
    let Some(ports) = rule.get("ports").and_then(Node::as_seq) else { return true };
    if ports.is_empty() {
        return true;
    }
    ports.iter().any(|p| {
        let proto = p.get("protocol").and_then(Node::as_str).unwrap_or("TCP");
        if !proto.eq_ignore_ascii_case(port.protocol) {
            return false;
        }
        match p.get("port") {
            None => true,
            Some(n) => match &n.value {
                Value::Int(i) => {
                    let end = p.get("endPort").and_then(Node::as_i64).unwrap_or(*i);
                    (*i..=end).contains(&i64::from(port.number))
                }
                Value::String(s) => match s.parse::<u16>() {
                    Ok(num) => num == port.number,
                    Err(_) => port.name.as_deref() == Some(s.as_str()),
                },
                _ => false,
            },
        }
    })
}

/// A short list of policy names for messages.
pub fn names(policies: &[&Object]) -> String {
    let mut n: Vec<String> = policies.iter().map(|p| format!("`{}`", p.name)).collect();
    if n.len() > 4 {
        let more = n.len() - 4;
        n.truncate(4);
        n.push(format!("{more} more"));
    }
    n.join(", ")
}
