//! Kubernetes NetworkPolicy semantics over a plain data model, shared by everything in
//! skyform that asks "is this connection allowed?": the traffic graph (`skyform graph`,
//! over rendered typed objects) and the `WRK-002` check (over any YAML input). Each
//! caller converts its objects into this model; the semantics live only here.
//!
//! The rules are the ones a CNI enforces for `networking.k8s.io/v1`:
//! - A pod is *isolated* for a direction iff some policy of its namespace selects it
//!   (`podSelector`, empty = every pod) and has that direction among its `policyTypes`
//!   (without `policyTypes`: Ingress, plus Egress when the policy has egress rules).
//!   A pod isolated in no policy of a direction is open in it.
//! - A connection is allowed iff the source's egress side *and* the destination's
//!   ingress side allow it; a side allows it when it is not isolated or one rule of one
//!   selecting policy admits the peer and the port.
//! - A rule without peers admits every peer; without ports, every port. A peer entry
//!   with both `namespaceSelector` and `podSelector` needs both to match (pods of the
//!   selected namespaces); with `podSelector` alone it means the policy's namespace;
//!   two entries are alternatives. Namespaces always carry
//!   `kubernetes.io/metadata.name`. `ipBlock` matches addresses in the block outside
//!   every `except`.
//! - Named ports resolve against the destination pod's container ports; `endPort`
//!   makes an inclusive range.
//!
//! [`Network`] indexes policies by namespace and a required `matchLabels` pair, and
//! [`Network::evaluate`] enumerates only the pairs some rule can allow, so evaluation is
//! linear in practice. No Kubernetes client types and no YAML here: the crate is std
//! only.

pub mod cidr;
mod network;
mod policy;
mod selector;

pub use cidr::{Cidr, ipv4_text, parse_ipv4};
pub use network::{Endpoint, EndpointKind, Flow, Labels, NAMESPACE_NAME_LABEL, Network, Party, peer_matches};
pub use policy::{ContainerPort, Direction, Peer, Policy, PortRule, PortSpec, Rule};
pub use selector::{LabelSelector, LabelSet, Operator, Requirement, least_shared_pairs};

#[cfg(test)]
mod tests;
