//! **POD-033 `security-context-missing`**: Neither the pod nor the container sets a `securityContext`.
//!
//! *Why:* Without any security context every default applies: root, writable filesystem, all default capabilities.
//!
//! *Fix:* Add a pod `securityContext` (runAsNonRoot, seccompProfile) and a container `securityContext` (allowPrivilegeEscalation, capabilities, readOnlyRootFilesystem).
//!
//! *Severity:* note.
//!
//! *Maps to:* CIS Kubernetes Benchmark v1.10 5.7.3; NSA/CISA hardening guide: Kubernetes Pod security; checkov `CKV_K8S_29`, `CKV_K8S_30`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "POD-033",
    name: "security-context-missing",
    severity: Severity::Note,
    category: Category::PodSecurity,
    default_enabled: true,
    summary: "Neither the pod nor the container sets a `securityContext`.",
    hint: "Add a pod `securityContext` (runAsNonRoot, seccompProfile) and a container `securityContext` (allowPrivilegeEscalation, capabilities, readOnlyRootFilesystem).",
    refs: Refs { cis: "5.7.3", nsa: "Kubernetes Pod security", checkov: &["CKV_K8S_29", "CKV_K8S_30"], ..Refs::NONE },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    let Some(pod) = obj.pod() else { return };
    if pod.security_context().is_some() {
        return;
    }
    for c in pod.containers() {
        if c.security_context().is_none() {
            out.at(c.span(), format!("{} has no security context, and neither does the pod", c.label()));
        }
    }
}
