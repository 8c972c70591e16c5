//! **SEC-004 `secret-committed`**: A Secret object with inline `data`/`stringData` is part of the manifests.
//!
//! *Why:* Base64 is not encryption: a committed Secret is a plaintext credential in Git history.
//!
//! *Fix:* Generate the Secret at deploy time from a secret store (ExternalSecret) or commit an encrypted SealedSecret.
//!
//! *Severity:* note (off by default; enable with `--enable SEC-004`).
//!
//! *Maps to:* NSA/CISA hardening guide: Secrets.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "SEC-004",
    name: "secret-committed",
    severity: Severity::Note,
    category: Category::Secrets,
    default_enabled: false,
    summary: "A Secret object with inline `data`/`stringData` is part of the manifests.",
    hint: "Generate the Secret at deploy time from a secret store (ExternalSecret) or commit an encrypted SealedSecret.",
    refs: Refs { pss: "", cis: "", nsa: "Secrets", kube_linter: &[], checkov: &[], polaris: &[], kube_score: &[] },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    if obj.kind != "Secret" || obj.group() != "" {
        return;
    }
    for key in ["data", "stringData"] {
        if obj.node.get(key).and_then(Node::as_map).is_some_and(|m| !m.is_empty()) {
            out.at(key_span(&obj.node, key), format!("Secret `{}` carries inline `{key}`", obj.name));
        }
    }
}
