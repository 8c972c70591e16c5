//! **RBAC-011 `rbac-csr-approve`**: A Role or ClusterRole can approve CertificateSigningRequests.
//!
//! *Why:* Approving CSRs lets a subject mint client certificates, for example for `system:masters`.
//!
//! *Fix:* Remove `update`/`patch` on `certificatesigningrequests/approval` and `approve` on `signers`.
//!
//! *Severity:* warning.
//!
//! *Maps to:* CIS Kubernetes Benchmark v1.10 5.1.11; NSA/CISA hardening guide: Authentication and authorization; checkov `CKV_K8S_156`.

#[allow(unused_imports)]
use super::prelude::*;
use super::util::explicit_grants;

pub const RULE: Rule = Rule {
    id: "RBAC-011",
    name: "rbac-csr-approve",
    severity: Severity::Warning,
    category: Category::Rbac,
    default_enabled: true,
    summary: "A Role or ClusterRole can approve CertificateSigningRequests.",
    hint: "Remove `update`/`patch` on `certificatesigningrequests/approval` and `approve` on `signers`.",
    refs: Refs { cis: "5.1.11", nsa: "Authentication and authorization", checkov: &["CKV_K8S_156"], ..Refs::NONE },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    explicit_grants(
        obj,
        "certificates.k8s.io",
        "certificatesigningrequests/approval",
        &["update", "patch"],
        |r, span| {
            out.at(span, format!("{} grants {} on CSR approval", obj.kind, r.verb_list()));
        },
    );
    explicit_grants(obj, "certificates.k8s.io", "signers", &["approve"], |_, span| {
        out.at(span, format!("{} can approve certificates for signers", obj.kind));
    });
}
