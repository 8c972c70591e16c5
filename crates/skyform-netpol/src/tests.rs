//! The tricky parts of the semantics, and the indexed evaluator against the every-pair
//! definition.

use super::*;
use std::collections::{BTreeMap, BTreeSet};

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect()
}

fn sel(pairs: &[(&str, &str)]) -> LabelSelector {
    LabelSelector { match_labels: labels(pairs), match_expressions: Vec::new() }
}

fn tcp(n: u16, name: &str) -> ContainerPort {
    ContainerPort { number: n, protocol: "TCP".into(), name: Some(name.into()) }
}

fn port(n: i64) -> PortRule {
    PortRule { protocol: "TCP".into(), port: Some(PortSpec::Number { start: n, end: n }) }
}

fn pods(ns: Option<LabelSelector>, pods: Option<LabelSelector>) -> Peer {
    Peer::Pods { namespaces: ns, pods }
}

fn pod(id: &str, ns: &str, l: &[(&str, &str)], ip: u32, ports: Vec<ContainerPort>) -> Endpoint {
    Endpoint {
        id: id.into(),
        kind: EndpointKind::Workload,
        namespace: Some(ns.into()),
        labels: labels(l),
        ip,
        ports: Some(ports),
    }
}

fn external(id: &str, ip: u32) -> Endpoint {
    Endpoint { id: id.into(), kind: EndpointKind::External, namespace: None, labels: Labels::new(), ip, ports: None }
}

fn policy(
    name: &str,
    ns: &str,
    selector: LabelSelector,
    ingress: Option<Vec<Rule>>,
    egress: Option<Vec<Rule>>,
) -> Policy {
    let (isolates_ingress, isolates_egress) = Policy::types(None::<Vec<&str>>, egress.is_some());
    Policy {
        name: name.into(),
        namespace: ns.into(),
        pod_selector: selector,
        isolates_ingress,
        isolates_egress,
        ingress: ingress.unwrap_or_default(),
        egress: egress.unwrap_or_default(),
    }
}

fn deny_all(ns: &str) -> Policy {
    Policy { isolates_egress: true, ..policy("deny", ns, LabelSelector::default(), Some(vec![]), None) }
}

fn flow(from: &str, to: &str, port: u16) -> Flow {
    Flow { from: from.into(), to: to.into(), port, protocol: "TCP".into() }
}

/// Evaluates and checks the indexed result against the definition.
fn flows(policies: Vec<Policy>, namespaces: &[(&str, &[(&str, &str)])], eps: &[Endpoint]) -> BTreeSet<Flow> {
    let ns = namespaces.iter().map(|(n, l)| ((*n).to_string(), labels(l))).collect();
    let net = Network::new(policies, ns);
    let fast = net.evaluate(eps);
    assert_eq!(fast, net.evaluate_every_pair(eps), "indexed evaluation differs from the definition");
    fast
}

fn two_pods() -> Vec<Endpoint> {
    vec![
        pod("a", "x", &[("app", "a")], 0x0af4_000a, vec![tcp(80, "http")]),
        pod("b", "x", &[("app", "b")], 0x0af4_000b, vec![tcp(80, "http")]),
    ]
}

#[test]
fn no_policy_means_open() {
    let f = flows(vec![], &[], &two_pods());
    assert_eq!(f, BTreeSet::from([flow("a", "b", 80), flow("b", "a", 80)]));
}

#[test]
fn an_empty_pod_selector_selects_every_pod_and_an_empty_rule_admits_everything() {
    let f = flows(vec![deny_all("x")], &[], &two_pods());
    assert!(f.is_empty(), "default deny: {f:?}");
    // `ingress: [{}]`: every peer, every port; egress stays open.
    let open = policy("open", "x", LabelSelector::default(), Some(vec![Rule::default()]), None);
    assert_eq!(flows(vec![open], &[], &two_pods()).len(), 2);
}

#[test]
fn without_policy_types_egress_is_isolated_only_when_egress_rules_exist() {
    // Ingress-only policy (no egress section): egress of `a` stays open.
    let ingress_only = policy("i", "x", sel(&[("app", "b")]), Some(vec![]), None);
    assert!(!ingress_only.isolates_egress);
    let f = flows(vec![ingress_only], &[], &two_pods());
    assert_eq!(f, BTreeSet::from([flow("b", "a", 80)]));
    // An egress section (even empty) isolates egress.
    let with_egress = policy("e", "x", sel(&[("app", "a")]), None, Some(vec![]));
    assert!(with_egress.isolates_ingress && with_egress.isolates_egress);
    assert!(flows(vec![with_egress], &[], &two_pods()).is_empty());
    // Explicit policyTypes win: Egress only, the ingress rules are ignored.
    let (i, e) = Policy::types(Some(["Egress"]), false);
    let egress_only = Policy { isolates_ingress: i, isolates_egress: e, ..deny_all("x") };
    assert!(flows(vec![egress_only], &[], &two_pods()).is_empty());
}

/// `[{namespaceSelector, podSelector}]` = pods `app=api` in namespaces `team=data`;
/// `[{namespaceSelector}, {podSelector}]` = any pod there, or `app=api` pods of the
/// policy's own namespace.
#[test]
fn namespace_and_pod_selector_in_one_peer_versus_two_peers() {
    let eps = vec![
        pod("db", "db", &[("app", "db")], 0x0af4_0001, vec![tcp(5432, "pg")]),
        pod("api-data", "data", &[("app", "api")], 0x0af4_0002, vec![]),
        pod("job-data", "data", &[("app", "job")], 0x0af4_0003, vec![]),
        pod("api-other", "other", &[("app", "api")], 0x0af4_0004, vec![]),
        pod("api-db", "db", &[("app", "api")], 0x0af4_0005, vec![]),
    ];
    let namespaces: &[(&str, &[(&str, &str)])] = &[("data", &[("team", "data")])];
    let rule = |peers: Vec<Peer>| Rule { peers, ports: vec![port(5432)] };
    let to_db = |peers| vec![policy("db", "db", sel(&[("app", "db")]), Some(vec![rule(peers)]), None)];
    let sources = |f: BTreeSet<Flow>| f.into_iter().filter(|f| f.to == "db").map(|f| f.from).collect::<Vec<_>>();

    let one = flows(to_db(vec![pods(Some(sel(&[("team", "data")])), Some(sel(&[("app", "api")])))]), namespaces, &eps);
    assert_eq!(sources(one), ["api-data"]);
    let two = flows(
        to_db(vec![pods(Some(sel(&[("team", "data")])), None), pods(None, Some(sel(&[("app", "api")])))]),
        namespaces,
        &eps,
    );
    assert_eq!(sources(two), ["api-data", "api-db", "job-data"]);
    // An empty namespaceSelector is every namespace; the name label is always there.
    let any_ns =
        flows(to_db(vec![pods(Some(LabelSelector::default()), Some(sel(&[("app", "api")])))]), namespaces, &eps);
    assert_eq!(sources(any_ns), ["api-data", "api-db", "api-other"]);
    let by_name = flows(to_db(vec![pods(Some(sel(&[(NAMESPACE_NAME_LABEL, "other")])), None)]), namespaces, &eps);
    assert_eq!(sources(by_name), ["api-other"]);
    // A peer with neither selector matches nothing.
    assert!(sources(flows(to_db(vec![pods(None, None)]), namespaces, &eps)).is_empty());
}

#[test]
fn named_ports_resolve_against_the_destination() {
    let eps = vec![
        pod("client", "x", &[("app", "client")], 0x0af4_0001, vec![]),
        pod("web", "x", &[("app", "srv")], 0x0af4_0002, vec![tcp(8080, "http")]),
        pod("alt", "x", &[("app", "srv")], 0x0af4_0003, vec![tcp(9000, "http"), tcp(8080, "admin")]),
    ];
    let named = PortRule { protocol: "TCP".into(), port: Some(PortSpec::Name("http".into())) };
    let p = policy("srv", "x", sel(&[("app", "srv")]), Some(vec![Rule { peers: vec![], ports: vec![named] }]), None);
    let f: BTreeSet<Flow> = flows(vec![p], &[], &eps).into_iter().filter(|f| f.from == "client").collect();
    assert_eq!(f, BTreeSet::from([flow("client", "alt", 9000), flow("client", "web", 8080)]));
}

#[test]
fn end_port_ranges_and_ip_blocks_with_exceptions() {
    let eps = vec![
        pod("app", "x", &[("app", "a")], 0x0af4_0001, vec![]),
        pod("svc", "x", &[("app", "s")], 0x0af4_0002, vec![tcp(5000, "a"), tcp(6000, "b"), tcp(6001, "c")]),
        external("internet", 0xc633_640a),
        external("private", 0x0ac8_000a),
        external("metadata", 0xa9fe_a9fe),
    ];
    let ranged = PortRule { protocol: "TCP".into(), port: Some(PortSpec::Number { start: 5000, end: 6000 }) };
    let block = Peer::IpBlock {
        cidr: Cidr::parse("0.0.0.0/0"),
        except: ["10.0.0.0/8", "169.254.0.0/16"].iter().filter_map(|c| Cidr::parse(c)).collect(),
    };
    let egress = vec![
        Rule { peers: vec![pods(None, Some(sel(&[("app", "s")])))], ports: vec![ranged] },
        Rule { peers: vec![block], ports: vec![port(443)] },
    ];
    let p = policy("a", "x", sel(&[("app", "a")]), Some(vec![]), Some(egress));
    let f: BTreeSet<Flow> = flows(vec![p], &[], &eps).into_iter().filter(|f| f.from == "app").collect();
    assert_eq!(f, BTreeSet::from([flow("app", "internet", 443), flow("app", "svc", 5000), flow("app", "svc", 6000)]));
}

#[test]
fn both_sides_must_allow() {
    let eps = two_pods();
    let out = policy(
        "a-out",
        "x",
        sel(&[("app", "a")]),
        None,
        Some(vec![Rule { peers: vec![pods(None, Some(sel(&[("app", "b")])))], ports: vec![] }]),
    );
    // Without policyTypes the egress policy isolates `a` for ingress too.
    assert_eq!(flows(vec![out.clone()], &[], &eps), BTreeSet::from([flow("a", "b", 80)]));
    let (isolates_ingress, isolates_egress) = Policy::types(Some(["Egress"]), true);
    let out = Policy { isolates_ingress, isolates_egress, ..out };
    assert_eq!(flows(vec![out.clone()], &[], &eps), BTreeSet::from([flow("a", "b", 80), flow("b", "a", 80)]));
    // `b` isolated for ingress with no rule: nothing reaches it, `b → a` is still open.
    let b_in_closed = policy("b-in", "x", sel(&[("app", "b")]), Some(vec![]), None);
    assert_eq!(flows(vec![out, b_in_closed], &[], &eps), BTreeSet::from([flow("b", "a", 80)]));
}

#[test]
fn queries_for_one_connection() {
    let l = vec![("app".to_string(), "db".to_string())];
    let p = policy(
        "db",
        "d",
        sel(&[("app", "db")]),
        Some(vec![Rule { peers: vec![pods(Some(LabelSelector::default()), None)], ports: vec![port(5432)] }]),
        None,
    );
    let net = Network::new(vec![deny_all("e"), p], BTreeMap::new());
    let selecting = net.selecting("d", &l, Direction::Ingress);
    assert_eq!(selecting, [1]);
    assert!(net.selecting("d", &l, Direction::Egress).is_empty());
    let src_labels = vec![("app".to_string(), "x".to_string())];
    let src_ns = vec![(NAMESPACE_NAME_LABEL.to_string(), "e".to_string())];
    let src = Party { namespace: Some("e"), labels: src_labels.as_slice(), namespace_labels: src_ns.as_slice(), ip: 1 };
    let dst_ports = [tcp(5432, "pg")];
    assert!(net.admits(&selecting, Direction::Ingress, &src, &dst_ports, 5432, "TCP"));
    assert!(!net.admits(&selecting, Direction::Ingress, &src, &dst_ports, 5433, "TCP"));
    assert!(net.admits(&[], Direction::Ingress, &src, &dst_ports, 1, "UDP"), "not isolated: open");
    assert!(net.evaluations() > 0);
}

/// A larger universe with every shape at once, indexed vs definition (inside `flows`).
#[test]
fn indexed_evaluation_equals_every_pair_evaluation() {
    let expr = |k: &str, op: &str, v: &[&str]| LabelSelector {
        match_labels: Labels::new(),
        match_expressions: vec![Requirement {
            key: k.into(),
            operator: Operator::parse(op),
            values: v.iter().map(|x| (*x).to_string()).collect(),
        }],
    };
    let udp53 = PortRule { protocol: "UDP".into(), port: Some(PortSpec::Number { start: 53, end: 53 }) };
    let eps = vec![
        pod("api", "a", &[("app", "api"), ("tier", "web")], 0x0af4_000a, vec![tcp(8080, "http")]),
        pod("web", "a", &[("app", "web"), ("tier", "web")], 0x0af4_000b, vec![tcp(80, "http")]),
        pod("db", "b", &[("app", "db")], 0x0af4_000c, vec![tcp(5432, "pg")]),
        pod("cache", "b", &[("app", "cache")], 0x0af4_000d, vec![tcp(6379, "redis")]),
        pod("open", "c", &[("app", "open")], 0x0af4_000e, vec![tcp(9000, "s3")]),
        Endpoint {
            kind: EndpointKind::Cluster,
            ports: Some(vec![ContainerPort { number: 53, protocol: "UDP".into(), name: None }]),
            ..pod("kube-dns", "kube-system", &[("k8s-app", "kube-dns")], 0x0af5_000a, vec![])
        },
        Endpoint {
            kind: EndpointKind::Cluster,
            ..pod("monitoring", "monitoring", &[], 0x0af5_000b, vec![tcp(9090, "web")])
        },
        external("internet", 0xc633_640a),
        external("private-network", 0x0ac8_000a),
        external("cloud-metadata", 0xa9fe_a9fe),
    ];
    let api = policy(
        "api",
        "a",
        sel(&[("app", "api")]),
        Some(vec![
            Rule {
                peers: vec![pods(None, Some(expr("tier", "In", &["web"])))],
                ports: vec![PortRule { protocol: "TCP".into(), port: Some(PortSpec::Name("http".into())) }],
            },
            Rule { peers: vec![pods(Some(sel(&[(NAMESPACE_NAME_LABEL, "monitoring")])), None)], ports: vec![] },
        ]),
        Some(vec![
            Rule {
                peers: vec![pods(Some(sel(&[("team", "data")])), Some(sel(&[("app", "db")])))],
                ports: vec![PortRule {
                    protocol: "TCP".into(),
                    port: Some(PortSpec::Number { start: 5000, end: 6000 }),
                }],
            },
            Rule {
                peers: vec![Peer::IpBlock {
                    cidr: Cidr::parse("0.0.0.0/0"),
                    except: ["10.0.0.0/8", "169.254.0.0/16"].iter().filter_map(|c| Cidr::parse(c)).collect(),
                }],
                ports: vec![port(443)],
            },
            Rule { peers: vec![], ports: vec![udp53] },
        ]),
    );
    let web = policy(
        "web",
        "a",
        sel(&[("app", "web")]),
        Some(vec![Rule::default()]),
        Some(vec![Rule { peers: vec![pods(None, Some(sel(&[("app", "api")])))], ports: vec![] }]),
    );
    let db = policy(
        "db",
        "b",
        sel(&[("app", "db")]),
        Some(vec![Rule {
            peers: vec![
                pods(Some(LabelSelector::default()), Some(sel(&[("app", "api")]))),
                Peer::IpBlock { cidr: Cidr::parse("10.244.0.0/16"), except: vec![] },
            ],
            ports: vec![port(5432)],
        }]),
        None,
    );
    let cache = policy("cache", "b", expr("app", "NotIn", &["db"]), Some(vec![]), Some(vec![Rule::default()]));
    let f = flows(vec![deny_all("a"), api, web, db, cache], &[("b", &[("team", "data")])], &eps);
    assert!(f.contains(&flow("api", "db", 5432)));
    assert!(f.contains(&flow("api", "internet", 443)));
    assert!(!f.contains(&flow("api", "cloud-metadata", 443)));
    assert!(f.contains(&Flow { from: "api".into(), to: "kube-dns".into(), port: 53, protocol: "UDP".into() }));
    assert!(f.contains(&flow("web", "api", 8080)));
    assert!(f.contains(&flow("cache", "open", 9000)));
    assert!(!f.iter().any(|x| x.to == "cache"));
}

/// A platform of `n` services shaped like skyform's output: default deny, each service
/// admitting its two dependents on its port, egress to its dependencies and DNS (a
/// peerless rule on 53/UDP), the ingress controller to every third service. Every pod and
/// selector also carries the release's label, which sorts before the service's own (as
/// `app.kubernetes.io/instance` sorts before `app.kubernetes.io/name`): an index keyed
/// by the first pair would meet every pod and policy of a namespace at each lookup.
fn platform(n: usize) -> (Network, Vec<Endpoint>) {
    let app = |i: usize| format!("svc-{i}");
    let app_sel = |i: usize| sel(&[(RELEASE_LABEL, "gen"), ("app", &app(i))]);
    let pod = |id: &str, ns: &str, labels: &[(&str, &str)], ip: u32, ports: Vec<ContainerPort>| {
        let mut all = vec![(RELEASE_LABEL, "gen")];
        all.extend_from_slice(labels);
        pod(id, ns, &all, ip, ports)
    };
    let mut eps: Vec<Endpoint> = (0..n)
        .map(|i| {
            pod(
                &app(i),
                &format!("t{}", i % 4),
                &[("app", &app(i))],
                0x0af4_0000 + 10 + i as u32,
                vec![tcp(8080, "http")],
            )
        })
        .collect();
    eps.push(Endpoint {
        kind: EndpointKind::Cluster,
        ports: Some(vec![ContainerPort { number: 53, protocol: "UDP".into(), name: None }]),
        ..pod("kube-dns", "kube-system", &[("k8s-app", "kube-dns")], 0x0af5_000a, vec![])
    });
    eps.push(Endpoint {
        kind: EndpointKind::Cluster,
        ..pod("ingress", "ingress", &[], 0x0af5_000b, vec![tcp(80, "http")])
    });
    eps.push(external("internet", 0xc633_640a));
    let in_ns = |ns: String, p: LabelSelector| pods(Some(sel(&[(NAMESPACE_NAME_LABEL, &ns)])), Some(p));
    let mut policies: Vec<Policy> = (0..4).map(|t| deny_all(&format!("t{t}"))).collect();
    for i in 0..n {
        let dependents: Vec<Peer> =
            [i + 1, i + 5].into_iter().filter(|d| *d < n).map(|d| in_ns(format!("t{}", d % 4), app_sel(d))).collect();
        // (A rule without peers would admit everyone: leave it out when there are none.)
        let mut ingress: Vec<Rule> = [dependents]
            .into_iter()
            .filter(|d| !d.is_empty())
            .map(|peers| Rule { peers, ports: vec![port(8080)] })
            .collect();
        if i % 3 == 0 {
            ingress.push(Rule {
                peers: vec![pods(Some(sel(&[(NAMESPACE_NAME_LABEL, "ingress")])), None)],
                ports: vec![port(8080)],
            });
        }
        let deps: Vec<Peer> = [i.checked_sub(1), i.checked_sub(5)]
            .into_iter()
            .flatten()
            .map(|d| in_ns(format!("t{}", d % 4), app_sel(d)))
            .collect();
        let dns = PortRule { protocol: "UDP".into(), port: Some(PortSpec::Number { start: 53, end: 53 }) };
        let mut egress = vec![Rule { peers: vec![], ports: vec![dns] }];
        if !deps.is_empty() {
            egress.push(Rule { peers: deps, ports: vec![port(8080)] });
        }
        policies.push(policy(&app(i), &format!("t{}", i % 4), app_sel(i), Some(ingress), Some(egress)));
    }
    (Network::new(policies, BTreeMap::new()), eps)
}

/// The label every object of a release carries, in [`platform`].
const RELEASE_LABEL: &str = "a-release";

/// Ten times the services cost at most twelve times the work, and the flows are the
/// declared ones.
#[test]
fn evaluation_grows_linearly() {
    let work = |n: usize| {
        let (net, eps) = platform(n);
        let flows = net.evaluate(&eps);
        // Every service: 53/UDP to kube-dns and (a peerless rule) to the internet, its
        // (up to) two dependencies; a third of them from the ingress.
        let expected = 2 * n + (n - 1) + (n - 5) + n.div_ceil(3);
        assert_eq!(flows.len(), expected, "{n} services");
        net.evaluations()
    };
    let (small, large) = (work(100), work(1000));
    assert!(small > 0);
    let ratio = large as f64 / small as f64;
    assert!(ratio <= 12.0, "10x the services cost {ratio:.2}x the evaluations ({small} vs {large})");
    let (net, eps) = platform(60);
    assert_eq!(net.evaluate(&eps), net.evaluate_every_pair(&eps));
}

#[test]
fn a_network_large_enough_to_be_checked_in_parallel_equals_every_pair_evaluation() {
    // 3 namespaces × 40 pods: namespace `open` has no policy (its 40 pods reach and are
    // reached by everything open: thousands of candidate pairs, past the parallel
    // threshold); `locked` denies all but port 8080 from `open`; `mixed` admits its own
    // `app=even` pods from anywhere on 9000.
    let mut eps = Vec::new();
    for (n, ns) in ["open", "locked", "mixed"].iter().enumerate() {
        for i in 0..40u32 {
            let app = if i % 2 == 0 { "even" } else { "odd" };
            let id = format!("{ns}-{i}");
            let ip = 0x0af4_0000 + (n as u32) * 256 + i;
            eps.push(pod(&id, ns, &[("app", app)], ip, vec![tcp(8080, "http"), tcp(9000, "metrics")]));
        }
    }
    eps.push(external("internet", 0xc633_640a));
    let policies = vec![
        deny_all("locked"),
        policy(
            "from-open",
            "locked",
            LabelSelector::default(),
            Some(vec![Rule {
                peers: vec![pods(Some(sel(&[(NAMESPACE_NAME_LABEL, "open")])), None)],
                ports: vec![port(8080)],
            }]),
            None,
        ),
        policy(
            "even",
            "mixed",
            sel(&[("app", "even")]),
            Some(vec![Rule { peers: vec![], ports: vec![port(9000)] }]),
            None,
        ),
    ];
    let found = flows(policies, &[("open", &[]), ("locked", &[]), ("mixed", &[])], &eps);
    assert!(found.contains(&flow("open-1", "locked-2", 8080)));
    assert!(!found.contains(&flow("open-1", "locked-2", 9000)));
    assert!(!found.contains(&flow("mixed-1", "locked-2", 8080)));
    assert!(found.contains(&flow("open-3", "mixed-4", 9000)));
    assert!(!found.contains(&flow("locked-3", "mixed-4", 9000)));
    assert!(!found.contains(&flow("open-3", "mixed-4", 8080)));
    assert!(found.len() > crate::network::PARALLEL_PAIRS, "{} flows: the parallel path must be taken", found.len());
}
