//! **NET-005 `ssh-port`**: A container or Service exposes port 22.
//!
//! *Why:* An SSH server in a container is a second, unaudited way in; use `kubectl debug` instead.
//!
//! *Fix:* Remove the SSH server and port 22.
//!
//! *Severity:* note.
//!
//! *Maps to:* kube-linter `ssh-port`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "NET-005",
    name: "ssh-port",
    severity: Severity::Note,
    category: Category::Network,
    default_enabled: true,
    summary: "A container or Service exposes port 22.",
    hint: "Remove the SSH server and port 22.",
    refs: Refs { pss: "", cis: "", nsa: "", kube_linter: &["ssh-port"], checkov: &[], polaris: &[], kube_score: &[] },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    each_container(obj, |_, c, _| {
        for p in c.ports() {
            if p.get("containerPort").and_then(Node::as_i64) == Some(22) {
                out.at(key_span(p, "containerPort"), format!("{} exposes SSH port 22", c.label()));
            }
        }
    });
    if obj.kind == "Service" {
        for p in obj.spec().and_then(|s| s.get("ports")).and_then(Node::as_seq).unwrap_or(&[]) {
            if p.get("port").and_then(Node::as_i64) == Some(22) {
                out.at(key_span(p, "port"), "Service exposes SSH port 22");
            }
        }
    }
}
