//! **SEC-002 `secret-via-env`**: A container reads a Secret into environment variables.
//!
//! *Why:* Environment variables leak into crash dumps, child processes and logs; files are safer (CIS 5.4.1).
//!
//! *Fix:* Mount the Secret as a volume and read it from a file.
//!
//! *Severity:* note (off by default; enable with `--enable SEC-002`).
//!
//! *Maps to:* CIS Kubernetes Benchmark v1.10 5.4.1; NSA/CISA hardening guide: Secrets; kube-linter `read-secret-from-env-var`; checkov `CKV_K8S_35`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "SEC-002",
    name: "secret-via-env",
    severity: Severity::Note,
    category: Category::Secrets,
    default_enabled: false,
    summary: "A container reads a Secret into environment variables.",
    hint: "Mount the Secret as a volume and read it from a file.",
    refs: Refs {
        cis: "5.4.1",
        nsa: "Secrets",
        kube_linter: &["read-secret-from-env-var"],
        checkov: &["CKV_K8S_35"],
        ..Refs::NONE
    },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    each_container(obj, |_, c, _| {
        for e in c.get("env").and_then(Node::as_seq).unwrap_or(&[]) {
            if let Some(r) = e.get("valueFrom").and_then(|v| v.get("secretKeyRef")) {
                let name = text(Some(e), "name").unwrap_or("?");
                out.at(r.span, format!("{} reads Secret into env var `{name}`", c.label()));
            }
        }
        for e in c.get("envFrom").and_then(Node::as_seq).unwrap_or(&[]) {
            if let Some(r) = e.get("secretRef") {
                out.at(r.span, format!("{} loads a whole Secret into its environment", c.label()));
            }
        }
    });
}
