//! **POD-007 `sensitive-host-path`**: A `hostPath` volume mounts a sensitive host directory or a container-runtime socket.
//!
//! *Why:* Mounting `/`, `/etc`, `/proc`, `/var/run/docker.sock` and the like hands the pod control of the node.
//!
//! *Fix:* Do not mount system directories or runtime sockets; if an agent truly needs them, run it in a dedicated, audited namespace and waive this rule.
//!
//! *Severity:* error.
//!
//! *Maps to:* Pod Security Standards baseline; CIS Kubernetes Benchmark v1.10 5.2.12; NSA/CISA hardening guide: Kubernetes Pod security; kube-linter `sensitive-host-mounts`, `docker-sock`; checkov `CKV_K8S_27`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "POD-007",
    name: "sensitive-host-path",
    severity: Severity::Error,
    category: Category::PodSecurityBaseline,
    default_enabled: true,
    summary: "A `hostPath` volume mounts a sensitive host directory or a container-runtime socket.",
    hint: "Do not mount system directories or runtime sockets; if an agent truly needs them, run it in a dedicated, audited namespace and waive this rule.",
    refs: Refs {
        pss: "baseline",
        cis: "5.2.12",
        nsa: "Kubernetes Pod security",
        kube_linter: &["sensitive-host-mounts", "docker-sock"],
        checkov: &["CKV_K8S_27"],
        ..Refs::NONE
    },
    check,
};

/// Host paths that give control of the node (kube-linter's list plus runtime sockets).
const SENSITIVE: &[&str] = &[
    "/",
    "/boot",
    "/dev",
    "/etc",
    "/lib",
    "/proc",
    "/sys",
    "/usr",
    "/root",
    "/var/lib/kubelet",
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/var/run/containerd/containerd.sock",
    "/run/containerd/containerd.sock",
    "/var/run/crio/crio.sock",
    "/run/crio/crio.sock",
    "/var/run/cri-dockerd.sock",
];

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    if let Some(pod) = obj.pod() {
        for v in pod.volumes() {
            let Some(hp) = v.get("hostPath") else { continue };
            let Some(path) = text(Some(hp), "path") else { continue };
            let norm = if path.len() > 1 { path.trim_end_matches('/') } else { path };
            if SENSITIVE.contains(&norm) {
                out.at(key_span(hp, "path"), format!("host path `{path}` gives the pod control of the node"));
            }
        }
    }
}
