//! NetworkPolicies as plain data: who a policy selects, which directions it isolates,
//! and its rules (peers × ports).

use crate::cidr::Cidr;
use crate::selector::LabelSelector;

/// Which side of a connection a policy governs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Traffic into the selected pods.
    Ingress,
    /// Traffic out of the selected pods.
    Egress,
}

/// One `networking.k8s.io/v1` NetworkPolicy.
#[derive(Clone, Debug, Default)]
pub struct Policy {
    pub name: String,
    pub namespace: String,
    /// `spec.podSelector`; absent or `{}` selects every pod of the namespace.
    pub pod_selector: LabelSelector,
    /// Whether the policy isolates the selected pods for ingress (see [`Policy::types`]).
    pub isolates_ingress: bool,
    /// Whether the policy isolates the selected pods for egress.
    pub isolates_egress: bool,
    pub ingress: Vec<Rule>,
    pub egress: Vec<Rule>,
}

impl Policy {
    /// The directions a policy isolates, `(ingress, egress)`: the listed `policyTypes`
    /// when given, else Ingress always and Egress only when the policy has an `egress`
    /// section (the API server's defaulting).
    pub fn types<'s>(policy_types: Option<impl IntoIterator<Item = &'s str>>, has_egress: bool) -> (bool, bool) {
        match policy_types {
            Some(types) => {
                types.into_iter().fold((false, false), |(i, e), t| (i || t == "Ingress", e || t == "Egress"))
            }
            None => (true, has_egress),
        }
    }

    /// Whether the policy isolates its pods in `direction`.
    pub fn isolates(&self, direction: Direction) -> bool {
        match direction {
            Direction::Ingress => self.isolates_ingress,
            Direction::Egress => self.isolates_egress,
        }
    }

    /// The rules of `direction`.
    pub fn rules(&self, direction: Direction) -> &[Rule] {
        match direction {
            Direction::Ingress => &self.ingress,
            Direction::Egress => &self.egress,
        }
    }
}

/// One ingress (`from`) or egress (`to`) rule.
#[derive(Clone, Debug, Default)]
pub struct Rule {
    /// The peers; empty admits every peer.
    pub peers: Vec<Peer>,
    /// The ports; empty admits every port.
    pub ports: Vec<PortRule>,
}

/// One entry of `from`/`to`.
#[derive(Clone, Debug)]
pub enum Peer {
    /// `namespaceSelector` and/or `podSelector` in one entry (both must match). Without
    /// a namespace selector the policy's own namespace is meant; with neither the entry
    /// matches nothing.
    Pods { namespaces: Option<LabelSelector>, pods: Option<LabelSelector> },
    /// `ipBlock`: addresses in `cidr` (`None` when it did not parse: matches nothing)
    /// outside every `except`.
    IpBlock { cidr: Option<Cidr>, except: Vec<Cidr> },
}

/// One entry of `ports`.
#[derive(Clone, Debug)]
pub struct PortRule {
    /// `TCP`, `UDP` or `SCTP` (compared exactly; defaults to `TCP` in the adapters).
    pub protocol: String,
    /// `None`: every port of the protocol.
    pub port: Option<PortSpec>,
}

/// The `port` (and `endPort`) of a [`PortRule`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PortSpec {
    /// `start..=end` (`end == start` without `endPort`).
    Number { start: i64, end: i64 },
    /// A named container port, resolved against the destination pod.
    Name(String),
    /// A value of no usable type: matches nothing.
    Invalid,
}

/// A listening port of a pod.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ContainerPort {
    pub number: u16,
    pub protocol: String,
    pub name: Option<String>,
}

impl PortRule {
    /// Whether this entry admits `port`/`protocol` on a destination listening on
    /// `dst_ports` (named ports are looked up there).
    pub fn admits(&self, dst_ports: &[ContainerPort], port: u16, protocol: &str) -> bool {
        if self.protocol != protocol {
            return false;
        }
        match &self.port {
            None => true,
            Some(PortSpec::Number { start, end }) => (*start..=*end).contains(&i64::from(port)),
            Some(PortSpec::Name(name)) => dst_ports
                .iter()
                .any(|p| p.number == port && p.protocol == protocol && p.name.as_deref() == Some(name.as_str())),
            Some(PortSpec::Invalid) => false,
        }
    }
}

impl Rule {
    /// Whether the rule's ports admit `port`/`protocol` on the destination (no ports: all).
    pub fn ports_admit(&self, dst_ports: &[ContainerPort], port: u16, protocol: &str) -> bool {
        self.ports.is_empty() || self.ports.iter().any(|p| p.admits(dst_ports, port, protocol))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_inferred_from_the_sections_only_without_policy_types() {
        assert_eq!(Policy::types(None::<Vec<&str>>, false), (true, false));
        assert_eq!(Policy::types(None::<Vec<&str>>, true), (true, true));
        assert_eq!(Policy::types(Some(["Egress"]), false), (false, true));
        assert_eq!(Policy::types(Some(["Ingress"]), true), (true, false), "explicit types win over sections");
        assert_eq!(Policy::types(Some(Vec::<&str>::new()), true), (false, false));
    }

    fn port(n: u16, name: Option<&str>) -> ContainerPort {
        ContainerPort { number: n, protocol: "TCP".into(), name: name.map(str::to_string) }
    }

    #[test]
    fn port_rules() {
        let dst = [port(8080, Some("http")), port(9090, None)];
        let rule = |p: Option<PortSpec>| PortRule { protocol: "TCP".into(), port: p };
        assert!(rule(None).admits(&dst, 1, "TCP"));
        assert!(!rule(None).admits(&dst, 53, "UDP"), "the protocol must match");
        let range = rule(Some(PortSpec::Number { start: 8000, end: 8100 }));
        assert!(range.admits(&dst, 8000, "TCP") && range.admits(&dst, 8100, "TCP"), "endPort is inclusive");
        assert!(!range.admits(&dst, 8101, "TCP") && !range.admits(&dst, 7999, "TCP"));
        let named = rule(Some(PortSpec::Name("http".into())));
        assert!(named.admits(&dst, 8080, "TCP"), "a named port resolves on the destination");
        assert!(!named.admits(&dst, 9090, "TCP"));
        assert!(!named.admits(&[port(8080, Some("web"))], 8080, "TCP"), "another pod names 8080 differently");
        assert!(!rule(Some(PortSpec::Invalid)).admits(&dst, 8080, "TCP"));
        assert!(Rule::default().ports_admit(&dst, 1, "SCTP"), "no ports: every port");
    }
}
