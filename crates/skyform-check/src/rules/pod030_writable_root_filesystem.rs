//! **POD-030 `writable-root-filesystem`**: A container does not set `readOnlyRootFilesystem: true`.
//!
//! *Why:* A writable root filesystem lets an attacker drop tools and persist changes inside the container.
//!
//! *Fix:* Set `securityContext.readOnlyRootFilesystem: true` and mount an `emptyDir` where the app writes.
//!
//! *Severity:* note.
//!
//! *Maps to:* NSA/CISA hardening guide: Immutable container file systems (Trivy NSA 1.1); kube-linter `no-read-only-root-fs`; checkov `CKV_K8S_22`; Polaris `notReadOnlyRootFilesystem`; kube-score `container-security-context-readonlyrootfilesystem`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "POD-030",
    name: "writable-root-filesystem",
    severity: Severity::Note,
    category: Category::PodSecurity,
    default_enabled: true,
    summary: "A container does not set `readOnlyRootFilesystem: true`.",
    hint: "Set `securityContext.readOnlyRootFilesystem: true` and mount an `emptyDir` where the app writes.",
    refs: Refs {
        nsa: "Immutable container file systems (Trivy NSA 1.1)",
        kube_linter: &["no-read-only-root-fs"],
        checkov: &["CKV_K8S_22"],
        polaris: &["notReadOnlyRootFilesystem"],
        kube_score: &["container-security-context-readonlyrootfilesystem"],
        ..Refs::NONE
    },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    each_container(obj, |_, c, eff| {
        if c.kind == ContainerKind::Ephemeral {
            return;
        }
        match eff.container_only("readOnlyRootFilesystem") {
            Some(r) if r.node.as_bool() == Some(true) => {}
            Some(r) => {
                out.at(r.span, format!("{} has a writable root filesystem", c.label()));
            }
            None => {
                out.at(c.span(), format!("{} does not set `readOnlyRootFilesystem: true`", c.label()));
            }
        }
    });
}
