//! **RBAC-001 `service-account-token-automount`**: The pod gets a service-account token mounted automatically.
//!
//! *Why:* A mounted token lets anyone who compromises the container call the Kubernetes API as the service account.
//!
//! *Fix:* Set `automountServiceAccountToken: false` on the pod (or on its ServiceAccount) unless it talks to the API.
//!
//! *Severity:* note.
//!
//! *Maps to:* CIS Kubernetes Benchmark v1.10 5.1.6; NSA/CISA hardening guide: Protecting Pod service account tokens (Trivy NSA 1.11); checkov `CKV_K8S_38`; Polaris `automountServiceAccountToken`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "RBAC-001",
    name: "service-account-token-automount",
    severity: Severity::Note,
    category: Category::Rbac,
    default_enabled: true,
    summary: "The pod gets a service-account token mounted automatically.",
    hint: "Set `automountServiceAccountToken: false` on the pod (or on its ServiceAccount) unless it talks to the API.",
    refs: Refs {
        cis: "5.1.6",
        nsa: "Protecting Pod service account tokens (Trivy NSA 1.11)",
        checkov: &["CKV_K8S_38"],
        polaris: &["automountServiceAccountToken"],
        ..Refs::NONE
    },
    check,
};

fn check(cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    let Some(pod) = obj.pod() else { return };
    match pod.get("automountServiceAccountToken").and_then(Node::as_bool) {
        Some(false) => {}
        Some(true) => {
            out.at(
                key_span(pod.spec, "automountServiceAccountToken"),
                "pod explicitly mounts its service-account token",
            );
        }
        None => {
            let (sa, _) = pod.service_account();
            let sa_off = cx
                .index
                .get("ServiceAccount", obj.ns(), sa)
                .is_some_and(|s| flag(Some(&s.node), "automountServiceAccountToken") == Some(false));
            if !sa_off {
                out.at(pod.span(), format!("service-account token of `{sa}` is mounted automatically"));
            }
        }
    }
}
