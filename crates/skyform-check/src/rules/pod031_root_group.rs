//! **POD-031 `root-group`**: The effective `runAsGroup`, `fsGroup` or a supplemental group is 0 (root).
//!
//! *Why:* Group 0 owns many files in images and on volumes; running with it widens access.
//!
//! *Fix:* Use a non-zero `runAsGroup` and `fsGroup`.
//!
//! *Severity:* note.
//!
//! *Maps to:* NSA/CISA hardening guide: Non-root containers (Trivy NSA 1.6); kube-linter `run-as-non-root`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "POD-031",
    name: "root-group",
    severity: Severity::Note,
    category: Category::PodSecurity,
    default_enabled: true,
    summary: "The effective `runAsGroup`, `fsGroup` or a supplemental group is 0 (root).",
    hint: "Use a non-zero `runAsGroup` and `fsGroup`.",
    refs: Refs { nsa: "Non-root containers (Trivy NSA 1.6)", kube_linter: &["run-as-non-root"], ..Refs::NONE },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    let Some(pod) = obj.pod() else { return };
    let psc = pod.security_context();
    if let Some(sc) = psc {
        for k in ["runAsGroup", "fsGroup"] {
            if sc.get(k).and_then(Node::as_i64) == Some(0) {
                out.at(key_span(sc, k), format!("pod sets `{k}: 0` (root group)"));
            }
        }
        for g in sc.get("supplementalGroups").and_then(Node::as_seq).unwrap_or(&[]) {
            if g.as_i64() == Some(0) {
                out.at(g.span, "pod adds supplemental group 0 (root group)");
            }
        }
    }
    for c in pod.containers() {
        if let Some(sc) = c.security_context()
            && sc.get("runAsGroup").and_then(Node::as_i64) == Some(0)
        {
            out.at(key_span(sc, "runAsGroup"), format!("{} sets `runAsGroup: 0` (root group)", c.label()));
        }
    }
}
