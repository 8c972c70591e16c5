//! **POD-014 `unsafe-sysctls`**: The pod sets a sysctl outside the Pod Security Standards safe set.
//!
//! *Why:* Unsafe sysctls are not namespaced or not isolated and can affect every pod on the node.
//!
//! *Fix:* Remove the sysctl, or set it on the node instead of the pod.
//!
//! *Severity:* warning.
//!
//! *Maps to:* Pod Security Standards baseline; kube-linter `unsafe-sysctls`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "POD-014",
    name: "unsafe-sysctls",
    severity: Severity::Warning,
    category: Category::PodSecurityBaseline,
    default_enabled: true,
    summary: "The pod sets a sysctl outside the Pod Security Standards safe set.",
    hint: "Remove the sysctl, or set it on the node instead of the pod.",
    refs: Refs { pss: "baseline", kube_linter: &["unsafe-sysctls"], ..Refs::NONE },
    check,
};

/// Safe sysctls per PSS baseline (including the 1.27 and 1.29 additions).
const SAFE: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    let Some(pod) = obj.pod() else { return };
    let list = pod.security_context().and_then(|s| s.get("sysctls")).and_then(Node::as_seq).unwrap_or(&[]);
    for s in list {
        if let Some(name) = text(Some(s), "name")
            && !SAFE.contains(&name)
        {
            out.at(key_span(s, "name"), format!("pod sets unsafe sysctl `{name}`"));
        }
    }
}
