//! **WRK-011 `credential-in-plain-config`**: A ConfigMap value, an environment literal, a command/argument or an annotation carries a credential: a password in URL userinfo, a Bearer/Basic token, a provider key (AKIA…, ghp_…, xox…, sk_live_…, glpat-…, AIza…) or a PEM private key.
//!
//! *Why:* Plain config is readable by anyone who can read the namespace, lands in Git, `kubectl describe`, logs and every rendered copy.
//!
//! *Fix:* Keep the value in a Secret (External Secrets or Sealed Secrets) and build the URL with `$(VAR)` from `secretKeyRef` variables.
//!
//! *Severity:* error.
//!
//! *Maps to:* CIS Kubernetes Benchmark v1.10 5.4.1; NSA/CISA hardening guide: Secrets.

#[allow(unused_imports)]
use super::prelude::*;
use crate::credentials::find;

pub const RULE: Rule = Rule {
    id: "WRK-011",
    name: "credential-in-plain-config",
    severity: Severity::Error,
    category: Category::Works,
    default_enabled: true,
    summary: "A ConfigMap value, env literal, command/argument or annotation carries a credential (URL password, token, provider key, private key).",
    hint: "Keep the value in a Secret (External Secrets or Sealed Secrets) and build the URL with `$(VAR)` from `secretKeyRef` variables.",
    refs: Refs { pss: "", cis: "5.4.1", nsa: "Secrets", kube_linter: &[], checkov: &[], polaris: &[], kube_score: &[] },
    check,
};

fn annotations(node: Option<&Node>, whose: &str, out: &mut Out) {
    for e in node.and_then(Node::as_map).unwrap_or(&[]) {
        if let Some(v) = e.value.as_str()
            && let Some(f) = find(v)
        {
            out.at(e.value.span, format!("{whose} annotation `{}` holds {}", e.key, f.what.describe()));
        }
    }
}

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    if obj.kind == "Secret" && obj.group().is_empty() {
        return;
    }
    annotations(obj.annotations(), "the", out);
    if obj.kind == "ConfigMap" && obj.group().is_empty() {
        for key in ["data", "binaryData"] {
            for e in obj.node.get(key).and_then(Node::as_map).unwrap_or(&[]) {
                if let Some(v) = e.value.as_str()
                    && let Some(f) = find(v)
                {
                    out.at(e.key_span, format!("ConfigMap key `{}` holds {}", e.key, f.what.describe()));
                }
            }
        }
    }
    if let Some(pod) = obj.pod() {
        annotations(pod.annotations(), "the pod template's", out);
    }
    each_container(obj, |_, c, _| {
        for e in c.get("env").and_then(Node::as_seq).unwrap_or(&[]) {
            let name = text(Some(e), "name").unwrap_or("?");
            if let Some(v) = e.get("value")
                && let Some(s) = v.as_str()
                && let Some(f) = find(s)
            {
                out.at(v.span, format!("{} env `{name}` holds {}", c.label(), f.what.describe()));
            }
        }
        for key in ["command", "args"] {
            for (i, item) in c.get(key).and_then(Node::as_seq).unwrap_or(&[]).iter().enumerate() {
                if let Some(s) = item.as_str()
                    && let Some(f) = find(s)
                {
                    out.at(item.span, format!("{} `{key}[{i}]` holds {}", c.label(), f.what.describe()));
                }
            }
        }
    });
}
