//! **RBAC-012 `rbac-services-status-write`**: A Role or ClusterRole can modify `services/status`.
//!
//! *Why:* Writing a Service's load-balancer status can redirect cluster traffic (CVE-2020-8554).
//!
//! *Fix:* Remove write verbs on `services/status`; only cloud controllers need them.
//!
//! *Severity:* warning.
//!
//! *Maps to:* NSA/CISA hardening guide: Authentication and authorization; checkov `CKV2_K8S_4`.

#[allow(unused_imports)]
use super::prelude::*;
use super::util::explicit_grants;

pub const RULE: Rule = Rule {
    id: "RBAC-012",
    name: "rbac-services-status-write",
    severity: Severity::Warning,
    category: Category::Rbac,
    default_enabled: true,
    summary: "A Role or ClusterRole can modify `services/status`.",
    hint: "Remove write verbs on `services/status`; only cloud controllers need them.",
    refs: Refs { nsa: "Authentication and authorization", checkov: &["CKV2_K8S_4"], ..Refs::NONE },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    explicit_grants(obj, "", "services/status", &["update", "patch"], |r, span| {
        out.at(span, format!("{} grants {} on `services/status`", obj.kind, r.verb_list()));
    });
}
