//! The allowed-traffic graph in Mermaid and Graphviz DOT.
//!
//! Edges are exactly the flows the rendered NetworkPolicies allow, as computed by
//! [`crate::netpol`]; ports of the same pair are merged into one labelled edge.
//! Workloads are grouped by namespace; cluster components and external addresses are
//! separate nodes.

use crate::netpol::{Endpoint, EndpointKind, Flow, Policies, endpoints, evaluate};
use crate::objects::Object;
use skyform_model::Model;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// Graph output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphFormat {
    Mermaid,
    Dot,
}

/// The graph of what the policies of a rendered environment allow.
pub struct TrafficGraph {
    pub endpoints: Vec<Endpoint>,
    pub flows: BTreeSet<Flow>,
}

impl TrafficGraph {
    /// Evaluates the policies among `objects`.
    pub fn from_objects(objects: &[Object], model: &Model) -> TrafficGraph {
        let endpoints = endpoints(objects, model);
        let flows = evaluate(&Policies::from_objects(objects), &endpoints);
        TrafficGraph { endpoints, flows }
    }

    /// `(from, to) → ["5432/TCP", …]`, ports in numeric order.
    pub fn edges(&self) -> BTreeMap<(String, String), Vec<String>> {
        let mut edges: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
        for f in &self.flows {
            edges.entry((f.from.clone(), f.to.clone())).or_default().push(format!("{}/{}", f.port, f.protocol));
        }
        edges
    }

    /// Endpoints that take part in at least one flow, grouped by namespace
    /// (`None` = outside the cluster).
    fn groups(&self) -> BTreeMap<Option<String>, Vec<&Endpoint>> {
        let used: BTreeSet<&str> = self.flows.iter().flat_map(|f| [f.from.as_str(), f.to.as_str()]).collect();
        let mut groups: BTreeMap<Option<String>, Vec<&Endpoint>> = BTreeMap::new();
        for e in &self.endpoints {
            if used.contains(e.id.as_str()) || e.kind == EndpointKind::Workload {
                groups.entry(e.namespace.clone()).or_default().push(e);
            }
        }
        groups
    }

    /// Renders the graph.
    pub fn render(&self, format: GraphFormat) -> String {
        match format {
            GraphFormat::Mermaid => self.mermaid(),
            GraphFormat::Dot => self.dot(),
        }
    }

    fn mermaid(&self) -> String {
        let mut out = String::from("flowchart LR\n");
        for (i, (ns, eps)) in self.groups().into_iter().enumerate() {
            let title = ns.unwrap_or_else(|| "outside the cluster".into());
            let _ = writeln!(out, "  subgraph g{i} [\"{title}\"]");
            for e in eps {
                let _ = writeln!(out, "    {}[\"{}\"]", node_id(&e.id), e.id);
            }
            out.push_str("  end\n");
        }
        for ((from, to), ports) in self.edges() {
            let _ = writeln!(out, "  {} -->|\"{}\"| {}", node_id(&from), ports.join(", "), node_id(&to));
        }
        out
    }

    fn dot(&self) -> String {
        let mut out = String::from("digraph traffic {\n  rankdir=LR;\n  node [shape=box];\n");
        for (i, (ns, eps)) in self.groups().into_iter().enumerate() {
            let title = ns.unwrap_or_else(|| "outside the cluster".into());
            let _ = writeln!(out, "  subgraph cluster_{i} {{\n    label={};", quote(&title));
            for e in eps {
                let _ = writeln!(out, "    {};", quote(&e.id));
            }
            out.push_str("  }\n");
        }
        for ((from, to), ports) in self.edges() {
            let _ = writeln!(out, "  {} -> {} [label={}];", quote(&from), quote(&to), quote(&ports.join(", ")));
        }
        out.push_str("}\n");
        out
    }
}

fn node_id(id: &str) -> String {
    let body: String = id.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    format!("n_{body}")
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}
