//! **SEC-001 `secret-literal-in-env`**: An environment variable carries a credential as a literal `value`.
//!
//! *Why:* Literal secrets end up in Git, in `kubectl describe`, in logs and in every copy of the manifest.
//!
//! *Fix:* Store the value in a Secret (ideally via External Secrets or Sealed Secrets) and use `valueFrom.secretKeyRef`.
//!
//! *Severity:* error.
//!
//! *Maps to:* NSA/CISA hardening guide: Secrets; kube-linter `env-var-secret`; Polaris `sensitiveContainerEnvVar`.

#[allow(unused_imports)]
use super::prelude::*;
use super::util::{is_placeholder, secret_like_name, secret_like_value};

pub const RULE: Rule = Rule {
    id: "SEC-001",
    name: "secret-literal-in-env",
    severity: Severity::Error,
    category: Category::Secrets,
    default_enabled: true,
    summary: "An environment variable carries a credential as a literal `value`.",
    hint: "Store the value in a Secret (ideally via External Secrets or Sealed Secrets) and use `valueFrom.secretKeyRef`.",
    refs: Refs {
        nsa: "Secrets",
        kube_linter: &["env-var-secret"],
        polaris: &["sensitiveContainerEnvVar"],
        ..Refs::NONE
    },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    each_container(obj, |_, c, _| {
        for e in c.get("env").and_then(Node::as_seq).unwrap_or(&[]) {
            let Some(name) = text(Some(e), "name") else { continue };
            let Some(v) = e.get("value") else { continue };
            let value = v.scalar_text().unwrap_or_default();
            if is_placeholder(&value) {
                continue;
            }
            if secret_like_name(name) || secret_like_value(&value) {
                out.at(v.span, format!("{} sets `{name}` to a literal secret", c.label()));
            }
        }
    });
}
