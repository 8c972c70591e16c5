//! **RBAC-014 `rbac-pv-or-token-create`**: A Role or ClusterRole can create PersistentVolumes or service-account tokens.
//!
//! *Why:* Creating PersistentVolumes can mount host paths; creating tokens impersonates service accounts.
//!
//! *Fix:* Remove `create` on `persistentvolumes` and `serviceaccounts/token`; use PVCs with StorageClasses.
//!
//! *Severity:* warning.
//!
//! *Maps to:* CIS Kubernetes Benchmark v1.10 5.1.9, 5.1.13; NSA/CISA hardening guide: Authentication and authorization.

#[allow(unused_imports)]
use super::prelude::*;
use super::util::explicit_grants;

pub const RULE: Rule = Rule {
    id: "RBAC-014",
    name: "rbac-pv-or-token-create",
    severity: Severity::Warning,
    category: Category::Rbac,
    default_enabled: true,
    summary: "A Role or ClusterRole can create PersistentVolumes or service-account tokens.",
    hint: "Remove `create` on `persistentvolumes` and `serviceaccounts/token`; use PVCs with StorageClasses.",
    refs: Refs { cis: "5.1.9, 5.1.13", nsa: "Authentication and authorization", ..Refs::NONE },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    for res in ["persistentvolumes", "serviceaccounts/token"] {
        explicit_grants(obj, "", res, &["create"], |_, span| {
            out.at(span, format!("{} grants create on `{res}`", obj.kind));
        });
    }
}
