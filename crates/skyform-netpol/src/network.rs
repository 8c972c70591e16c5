//! The evaluator: a set of policies indexed by namespace and label, queried per
//! connection ([`Network::selecting`] + [`Network::admits`], what a checker needs) or
//! for every allowed flow of a universe of endpoints ([`Network::evaluate`], what a
//! traffic graph needs).

use crate::cidr::Cidr;
use crate::policy::{ContainerPort, Direction, Peer, Policy, Rule};
use crate::selector::{LabelSelector, LabelSet, least_shared_pairs};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The label Kubernetes puts on every namespace: its name.
pub const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// Labels as the evaluator stores them.
pub type Labels = BTreeMap<String, String>;

/// One side of a connection, as a policy's peer sees it.
#[derive(Clone, Copy, Debug)]
pub struct Party<'x, L: LabelSet + ?Sized> {
    /// The pod's namespace; `None` outside the cluster.
    pub namespace: Option<&'x str>,
    pub labels: &'x L,
    /// The labels of the pod's namespace (with [`NAMESPACE_NAME_LABEL`]).
    pub namespace_labels: &'x L,
    /// The address `ipBlock`s are matched against.
    pub ip: u32,
}

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

/// One party of the universe [`Network::evaluate`] looks at.
#[derive(Clone, Debug)]
pub struct Endpoint {
    /// Stable id (a workload name, `kube-dns`, `internet`, …).
    pub id: String,
    pub kind: EndpointKind,
    /// Namespace of in-cluster endpoints.
    pub namespace: Option<String>,
    pub labels: Labels,
    pub ip: u32,
    /// Listening ports; `None` = any port (addresses outside the cluster).
    pub ports: Option<Vec<ContainerPort>>,
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

/// The policies of one namespace, keyed by a `matchLabels` pair their pod selector
/// requires (policies without one are `generic`).
#[derive(Default, Debug)]
struct NsPolicies {
    generic: Vec<usize>,
    keyed: HashMap<String, HashMap<String, Vec<usize>>>,
}

/// A set of NetworkPolicies and namespace labels, indexed for evaluation.
#[derive(Debug)]
pub struct Network {
    policies: Vec<Policy>,
    namespaces: BTreeMap<String, Labels>,
    by_ns: HashMap<String, NsPolicies>,
    evaluations: AtomicUsize,
}

impl Network {
    /// Indexes `policies`; `namespaces` holds the labels of the namespaces known to
    /// exist (the name label is added on lookup).
    pub fn new(policies: Vec<Policy>, namespaces: BTreeMap<String, Labels>) -> Network {
        // Each policy is filed under its least shared required pair (key order breaks
        // ties), so a pod's lookup meets few policies it does not match.
        let selectors: Vec<(&str, Vec<(&str, &str)>)> =
            policies.iter().map(|p| (p.namespace.as_str(), p.pod_selector.required_pairs().collect())).collect();
        let filed = least_shared_pairs(&selectors);
        let mut by_ns: HashMap<String, NsPolicies> = HashMap::new();
        for (i, (p, (_, pairs))) in policies.iter().zip(&selectors).enumerate() {
            let entry = by_ns.entry(p.namespace.clone()).or_default();
            match filed[i].map(|n| pairs[n]) {
                Some((k, v)) => {
                    entry.keyed.entry(k.to_string()).or_default().entry(v.to_string()).or_default().push(i);
                }
                None => entry.generic.push(i),
            }
        }
        Network { policies, namespaces, by_ns, evaluations: AtomicUsize::new(0) }
    }

    /// The policies, in the order given.
    pub fn policies(&self) -> &[Policy] {
        &self.policies
    }

    /// The labels of namespace `ns`, including [`NAMESPACE_NAME_LABEL`].
    pub fn namespace_labels(&self, ns: &str) -> Labels {
        let mut l = self.namespaces.get(ns).cloned().unwrap_or_default();
        l.insert(NAMESPACE_NAME_LABEL.to_string(), ns.to_string());
        l
    }

    /// How many selector, rule and peer evaluations the queries made so far (for
    /// linearity tests).
    pub fn evaluations(&self) -> usize {
        self.evaluations.load(Ordering::Relaxed)
    }

    fn count(&self) {
        self.evaluations.fetch_add(1, Ordering::Relaxed);
    }

    /// The policies of `direction` selecting pods with `labels` in namespace `ns`, as
    /// indices into [`Network::policies`] in ascending order. Only the policies of `ns`
    /// whose indexed `matchLabels` pair the pods carry (or that have none) are looked at.
    pub fn selecting<L: LabelSet + ?Sized>(&self, ns: &str, labels: &L, direction: Direction) -> Vec<usize> {
        let Some(index) = self.by_ns.get(ns) else { return Vec::new() };
        let mut idx = index.generic.clone();
        for (k, v) in labels.pairs() {
            if let Some(hit) = index.keyed.get(k).and_then(|m| m.get(v)) {
                idx.extend_from_slice(hit);
            }
        }
        idx.sort_unstable();
        idx.dedup();
        idx.retain(|&i| {
            self.count();
            let p = &self.policies[i];
            p.isolates(direction) && p.pod_selector.matches(labels)
        });
        idx
    }

    /// Whether the policies `selecting` (all selecting the local side in `direction`,
    /// from [`Network::selecting`]) admit `peer` on `port`/`protocol` of a destination
    /// listening on `dst_ports`. No selecting policy means the side is not isolated.
    pub fn admits<L: LabelSet + ?Sized>(
        &self,
        selecting: &[usize],
        direction: Direction,
        peer: &Party<'_, L>,
        dst_ports: &[ContainerPort],
        port: u16,
        protocol: &str,
    ) -> bool {
        selecting.is_empty()
            || selecting.iter().any(|&i| {
                let p = &self.policies[i];
                p.rules(direction).iter().any(|r| {
                    self.count();
                    self.rule_admits(r, &p.namespace, peer, dst_ports, port, protocol)
                })
            })
    }

    fn rule_admits<L: LabelSet + ?Sized>(
        &self,
        r: &Rule,
        policy_ns: &str,
        peer: &Party<'_, L>,
        dst_ports: &[ContainerPort],
        port: u16,
        protocol: &str,
    ) -> bool {
        (r.peers.is_empty()
            || r.peers.iter().any(|x| {
                self.count();
                peer_matches(x, policy_ns, peer)
            }))
            && r.ports_admit(dst_ports, port, protocol)
    }

    /// The definition, for one connection and one side: whether `src` may send to `dst`
    /// on `port`/`protocol` as far as `direction`'s policies are concerned (egress: those
    /// selecting `src`; ingress: those selecting `dst`). Scans every policy; use
    /// [`Network::evaluate`] for a whole universe.
    pub fn allows(&self, src: &Endpoint, dst: &Endpoint, direction: Direction, port: u16, protocol: &str) -> bool {
        let (local, other) = match direction {
            Direction::Egress => (src, dst),
            Direction::Ingress => (dst, src),
        };
        let Some(ns) = local.namespace.as_deref().filter(|_| local.kind != EndpointKind::External) else {
            return true;
        };
        let other_ns_labels = other.namespace.as_deref().map(|n| self.namespace_labels(n)).unwrap_or_default();
        let party = Party {
            namespace: other.namespace.as_deref(),
            labels: &other.labels,
            namespace_labels: &other_ns_labels,
            ip: other.ip,
        };
        let dst_ports = dst.ports.as_deref().unwrap_or(&[]);
        let mut selected = false;
        for p in &self.policies {
            if p.namespace != ns || !p.isolates(direction) || !p.pod_selector.matches(&local.labels) {
                continue;
            }
            selected = true;
            if p.rules(direction).iter().any(|r| self.rule_admits(r, &p.namespace, &party, dst_ports, port, protocol)) {
                return true;
            }
        }
        !selected
    }

    /// Every port number a policy names (the start of ranges), with its protocol.
    fn mentioned_ports(&self) -> BTreeSet<(u16, String)> {
        let mut out = BTreeSet::new();
        for p in &self.policies {
            for r in p.ingress.iter().chain(&p.egress) {
                for port in &r.ports {
                    if let Some(crate::PortSpec::Number { start, .. }) = port.port
                        && let Ok(n) = u16::try_from(start)
                    {
                        out.insert((n, port.protocol.clone()));
                    }
                }
            }
        }
        out
    }

    /// The (port, protocol) pairs worth trying on destinations that listen on any port:
    /// every port a policy names, every port an endpoint listens on, and the usual
    /// suspects (SSH, HTTP(S), the API server).
    pub fn candidate_ports(&self, eps: &[Endpoint]) -> BTreeSet<(u16, String)> {
        let mut candidates = self.mentioned_ports();
        for e in eps {
            for p in e.ports.iter().flatten() {
                candidates.insert((p.number, p.protocol.clone()));
            }
        }
        for extra in [22u16, 80, 443, 6443] {
            candidates.insert((extra, "TCP".into()));
        }
        candidates
    }

    /// The definition [`Network::evaluate`] must equal: every pair of endpoints, every
    /// port the destination listens on, both sides checked with [`Network::allows`].
    /// Quadratic; for tests.
    pub fn evaluate_every_pair(&self, eps: &[Endpoint]) -> BTreeSet<Flow> {
        let candidates = self.candidate_ports(eps);
        let mut out = BTreeSet::new();
        for src in eps {
            for dst in eps {
                if src.id == dst.id || (src.kind != EndpointKind::Workload && dst.kind != EndpointKind::Workload) {
                    continue;
                }
                for (port, proto) in &candidates {
                    let listening = dst
                        .ports
                        .as_ref()
                        .is_none_or(|ps| ps.iter().any(|p| p.number == *port && p.protocol == *proto));
                    if listening
                        && self.allows(src, dst, Direction::Egress, *port, proto)
                        && self.allows(src, dst, Direction::Ingress, *port, proto)
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

    /// Every connection the policies allow between two endpoints of `eps` of which at
    /// least one is a [`EndpointKind::Workload`]: on a port the destination listens on
    /// (any [candidate port](Network::candidate_ports) for destinations outside the
    /// cluster), allowed by the egress side of the source and the ingress side of the
    /// destination.
    ///
    /// Linear in practice: instead of trying every (source, destination) pair, it
    /// enumerates the pairs the policies can allow — the peers of the ingress rules of
    /// every isolated destination, the peers of the egress rules of every isolated source
    /// (a rule without peers: the endpoints listening on a port it admits), and the pairs
    /// isolated on neither side — through an index of endpoints by namespace, label,
    /// port and address, and checks each candidate on both sides on the ports its
    /// destination listens on, exactly as [`Network::allows`] does.
    pub fn evaluate(&self, eps: &[Endpoint]) -> BTreeSet<Flow> {
        let candidates = self.candidate_ports(eps);
        let index = EndpointIndex::new(eps, &self.evaluations);
        let ns_labels: HashMap<&str, Labels> = index.by_ns.keys().map(|ns| (*ns, self.namespace_labels(ns))).collect();
        let no_labels = Labels::new();
        let parties: Vec<Party<'_, Labels>> = eps
            .iter()
            .map(|e| Party {
                namespace: e.namespace.as_deref(),
                labels: &e.labels,
                namespace_labels: e.namespace.as_deref().and_then(|n| ns_labels.get(n)).unwrap_or(&no_labels),
                ip: e.ip,
            })
            .collect();
        let selected = |e: &Endpoint, direction: Direction| -> Vec<usize> {
            match e.namespace.as_deref().filter(|_| e.kind != EndpointKind::External) {
                Some(ns) => self.selecting(ns, &e.labels, direction),
                None => Vec::new(),
            }
        };
        let sel_in: Vec<Vec<usize>> = eps.iter().map(|e| selected(e, Direction::Ingress)).collect();
        let sel_eg: Vec<Vec<usize>> = eps.iter().map(|e| selected(e, Direction::Egress)).collect();
        let no_ports: &[ContainerPort] = &[];

        // Candidate (source, destination) pairs.
        let mut pairs: Vec<(usize, usize)> = Vec::new();
        for (dst, pols) in sel_in.iter().enumerate() {
            let dst_ports = eps[dst].ports.as_deref();
            for &pi in pols {
                let p = &self.policies[pi];
                for r in &p.ingress {
                    // A rule admitting none of the ports the destination listens on allows nothing.
                    let useful = r.ports.is_empty()
                        || dst_ports.is_none_or(|ps| ps.iter().any(|x| r.ports_admit(ps, x.number, &x.protocol)));
                    if !useful {
                        continue;
                    }
                    if r.peers.is_empty() {
                        pairs.extend((0..eps.len()).map(|src| (src, dst)));
                    }
                    for peer in &r.peers {
                        pairs.extend(index.matching(peer, &p.namespace, &ns_labels).into_iter().map(|src| (src, dst)));
                    }
                }
            }
        }
        for (src, pols) in sel_eg.iter().enumerate() {
            for &pi in pols {
                let p = &self.policies[pi];
                for r in &p.egress {
                    if r.peers.is_empty() {
                        pairs.extend(index.listening(r).into_iter().map(|dst| (src, dst)));
                    }
                    for peer in &r.peers {
                        pairs.extend(index.matching(peer, &p.namespace, &ns_labels).into_iter().map(|dst| (src, dst)));
                    }
                }
            }
        }
        let open_egress: Vec<usize> = (0..eps.len()).filter(|&i| sel_eg[i].is_empty()).collect();
        let open_ingress: Vec<usize> = (0..eps.len()).filter(|&i| sel_in[i].is_empty()).collect();
        for &src in &open_egress {
            for &dst in &open_ingress {
                if eps[src].kind == EndpointKind::Workload || eps[dst].kind == EndpointKind::Workload {
                    pairs.push((src, dst));
                }
            }
        }
        pairs.sort_unstable();
        pairs.dedup();

        let side_allows =
            |selecting: &[usize], direction: Direction, other: usize, dst: usize, port: u16, proto: &str| {
                selecting.is_empty()
                    || selecting.iter().any(|&pi| {
                        let p = &self.policies[pi];
                        let dst_ports = eps[dst].ports.as_deref().unwrap_or(no_ports);
                        p.rules(direction).iter().any(|r| {
                            (r.peers.is_empty()
                                || r.peers.iter().any(|x| peer_matches(x, &p.namespace, &parties[other])))
                                && r.ports_admit(dst_ports, port, proto)
                        })
                    })
            };
        let all_candidates: Vec<(u16, &str)> = candidates.iter().map(|(n, p)| (*n, p.as_str())).collect();
        let check_pair = |&(si, di): &(usize, usize), out: &mut Vec<Flow>| {
            self.count();
            let (src, dst) = (&eps[si], &eps[di]);
            if src.id == dst.id || (src.kind != EndpointKind::Workload && dst.kind != EndpointKind::Workload) {
                return;
            }
            let ports: Vec<(u16, &str)> = match &dst.ports {
                Some(ps) => {
                    let mut v: Vec<(u16, &str)> = ps.iter().map(|p| (p.number, p.protocol.as_str())).collect();
                    v.sort_unstable();
                    v.dedup();
                    v
                }
                None => all_candidates.clone(),
            };
            for (port, proto) in ports {
                if side_allows(&sel_eg[si], Direction::Egress, di, di, port, proto)
                    && side_allows(&sel_in[di], Direction::Ingress, si, di, port, proto)
                {
                    out.push(Flow { from: src.id.clone(), to: dst.id.clone(), port, protocol: proto.to_string() });
                }
            }
        };
        let check_all = |pairs: &[(usize, usize)]| {
            let mut out = Vec::new();
            for pair in pairs {
                check_pair(pair, &mut out);
            }
            out
        };
        // The candidate pairs are independent: large sets are checked in chunks, one per
        // core; the set of flows is the same whatever the chunking (a `BTreeSet`).
        // The core count is asked for only when the set is large enough to split.
        let threads = if pairs.len() < PARALLEL_PAIRS {
            1
        } else {
            std::thread::available_parallelism().map_or(1, |n| n.get()).min(8)
        };
        if threads < 2 {
            return check_all(&pairs).into_iter().collect();
        }
        std::thread::scope(|scope| {
            let chunks: Vec<_> =
                pairs.chunks(pairs.len().div_ceil(threads)).map(|chunk| scope.spawn(|| check_all(chunk))).collect();
            chunks
                .into_iter()
                .flat_map(|chunk| chunk.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
                .collect()
        })
    }
}

/// Candidate pairs below which checking them on one thread is quicker than starting more.
pub(crate) const PARALLEL_PAIRS: usize = 4096;

/// Whether `peer` (an entry of a policy in `policy_ns`) matches `other`.
pub fn peer_matches<L: LabelSet + ?Sized>(peer: &Peer, policy_ns: &str, other: &Party<'_, L>) -> bool {
    match peer {
        Peer::IpBlock { cidr, except } => {
            cidr.is_some_and(|c| c.contains(other.ip)) && !except.iter().any(|x| x.contains(other.ip))
        }
        Peer::Pods { namespaces, pods } => {
            let Some(ns) = other.namespace else { return false };
            let ns_ok = match namespaces {
                Some(sel) => sel.matches(other.namespace_labels),
                None => ns == policy_ns,
            };
            (namespaces.is_some() || pods.is_some())
                && ns_ok
                && pods.as_ref().is_none_or(|sel: &LabelSelector| sel.matches(other.labels))
        }
    }
}

/// Endpoints indexed by namespace, by `(namespace, label key, label value)`, by
/// listening port and by address, so that the peers of a rule are found without
/// scanning the universe.
struct EndpointIndex<'a> {
    eps: &'a [Endpoint],
    /// The network's evaluation counter: each endpoint a peer's pod selector is tried on
    /// counts.
    evaluations: &'a AtomicUsize,
    by_ns: BTreeMap<&'a str, Vec<usize>>,
    by_label: HashMap<(&'a str, &'a str, &'a str), Vec<usize>>,
    by_port: BTreeMap<(u16, &'a str), Vec<usize>>,
    by_port_name: HashMap<(&'a str, &'a str), Vec<usize>>,
    /// Endpoints listening on any port.
    any_port: Vec<usize>,
    /// Endpoint indices sorted by address.
    by_ip: Vec<usize>,
}

impl<'a> EndpointIndex<'a> {
    fn new(eps: &'a [Endpoint], evaluations: &'a AtomicUsize) -> Self {
        let mut ix = EndpointIndex {
            eps,
            evaluations,
            by_ns: BTreeMap::new(),
            by_label: HashMap::new(),
            by_port: BTreeMap::new(),
            by_port_name: HashMap::new(),
            any_port: Vec::new(),
            by_ip: (0..eps.len()).collect(),
        };
        for (i, e) in eps.iter().enumerate() {
            if let Some(ns) = e.namespace.as_deref() {
                ix.by_ns.entry(ns).or_default().push(i);
                for (k, v) in &e.labels {
                    ix.by_label.entry((ns, k.as_str(), v.as_str())).or_default().push(i);
                }
            }
            match &e.ports {
                None => ix.any_port.push(i),
                Some(ps) => {
                    for p in ps {
                        ix.by_port.entry((p.number, p.protocol.as_str())).or_default().push(i);
                        if let Some(name) = &p.name {
                            ix.by_port_name.entry((name.as_str(), p.protocol.as_str())).or_default().push(i);
                        }
                    }
                }
            }
        }
        ix.by_ip.sort_by_key(|&i| eps[i].ip);
        ix
    }

    /// Endpoints with an address in `[lo, hi]`.
    fn in_range(&self, lo: u32, hi: u32) -> &[usize] {
        let start = self.by_ip.partition_point(|&i| self.eps[i].ip < lo);
        let end = self.by_ip.partition_point(|&i| self.eps[i].ip <= hi);
        &self.by_ip[start..end.max(start)]
    }

    /// The endpoints a peerless rule can reach: those listening on a port it admits (a
    /// superset).
    fn listening(&self, r: &Rule) -> Vec<usize> {
        if r.ports.is_empty() || r.ports.iter().any(|p| p.port.is_none()) {
            return (0..self.eps.len()).collect();
        }
        let mut out = self.any_port.clone();
        for pr in &r.ports {
            match &pr.port {
                Some(crate::PortSpec::Number { start, end }) => {
                    for ((n, proto), hits) in &self.by_port {
                        if *proto == pr.protocol && (*start..=*end).contains(&i64::from(*n)) {
                            out.extend_from_slice(hits);
                        }
                    }
                }
                Some(crate::PortSpec::Name(name)) => {
                    if let Some(hits) = self.by_port_name.get(&(name.as_str(), pr.protocol.as_str())) {
                        out.extend_from_slice(hits);
                    }
                }
                Some(crate::PortSpec::Invalid) | None => {}
            }
        }
        out
    }

    /// The endpoints `peer` (of a policy in `policy_ns`) matches; a superset is fine
    /// (every candidate is checked exactly afterwards), a subset is not.
    fn matching(&self, peer: &Peer, policy_ns: &str, ns_labels: &HashMap<&str, Labels>) -> Vec<usize> {
        match peer {
            Peer::IpBlock { cidr, except } => {
                let Some(cidr) = cidr else { return Vec::new() };
                let (mut lo, hi) = cidr.range();
                let mut out = Vec::new();
                // The block minus its exceptions, as address ranges in ascending order.
                let mut excepts: Vec<(u32, u32)> = except.iter().map(|c: &Cidr| c.range()).collect();
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
                out
            }
            Peer::Pods { namespaces, pods } => {
                if namespaces.is_none() && pods.is_none() {
                    return Vec::new();
                }
                let chosen: Vec<&str> = match namespaces {
                    Some(sel) => self
                        .by_ns
                        .keys()
                        .copied()
                        .filter(|ns| ns_labels.get(ns).is_some_and(|l| sel.matches(l)))
                        .collect(),
                    None => vec![policy_ns],
                };
                let mut out = Vec::new();
                for ns in chosen {
                    // The endpoints carrying the selector's rarest required pair.
                    let keyed = pods.iter().flat_map(LabelSelector::required_pairs);
                    let pool: &[usize] = keyed
                        .map(|(k, v)| self.by_label.get(&(ns, k, v)).map_or(&[][..], Vec::as_slice))
                        .min_by_key(|pool| pool.len())
                        .unwrap_or_else(|| self.by_ns.get(ns).map_or(&[], Vec::as_slice));
                    if pods.is_some() {
                        self.evaluations.fetch_add(pool.len(), Ordering::Relaxed);
                    }
                    out.extend(
                        pool.iter().copied().filter(|&i| pods.as_ref().is_none_or(|s| s.matches(&self.eps[i].labels))),
                    );
                }
                out
            }
        }
    }
}
