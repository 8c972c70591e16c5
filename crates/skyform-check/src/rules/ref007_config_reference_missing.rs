//! **REF-007 `config-reference-missing`**: A pod references a ConfigMap or Secret (or a key in one) that is not in the input.
//!
//! *Why:* The pod stays in `CreateContainerConfigError` (env) or `ContainerCreating` (volumes).
//!
//! *Fix:* Add the ConfigMap/Secret, fix the name or key, or mark the reference `optional: true`.
//!
//! *Severity:* warning.
//!
//! *Maps to:* kube-linter `env-value-from`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "REF-007",
    name: "config-reference-missing",
    severity: Severity::Warning,
    category: Category::Integrity,
    default_enabled: true,
    summary: "A pod references a ConfigMap or Secret (or a key in one) that is not in the input.",
    hint: "Add the ConfigMap/Secret, fix the name or key, or mark the reference `optional: true`.",
    refs: Refs { kube_linter: &["env-value-from"], ..Refs::NONE },
    check,
};

fn check(cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    let Some(pod) = obj.pod() else { return };
    let ns = obj.ns();
    let mut refs: Vec<(&str, &Node, Option<&Node>)> = Vec::new(); // (kind, name node, key node)
    let optional = |n: &Node| flag(Some(n), "optional") == Some(true);
    for c in pod.containers() {
        for e in c.get("env").and_then(Node::as_seq).unwrap_or(&[]) {
            let Some(vf) = e.get("valueFrom") else { continue };
            for (k, kind) in [("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret")] {
                if let Some(r) = vf.get(k)
                    && !optional(r)
                    && let Some(n) = r.get("name")
                {
                    refs.push((kind, n, r.get("key")));
                }
            }
        }
        for e in c.get("envFrom").and_then(Node::as_seq).unwrap_or(&[]) {
            for (k, kind) in [("configMapRef", "ConfigMap"), ("secretRef", "Secret")] {
                if let Some(r) = e.get(k)
                    && !optional(r)
                    && let Some(n) = r.get("name")
                {
                    refs.push((kind, n, None));
                }
            }
        }
    }
    for v in pod.volumes() {
        if let Some(cm) = v.get("configMap")
            && !optional(cm)
            && let Some(n) = cm.get("name")
        {
            refs.push(("ConfigMap", n, None));
        }
        if let Some(s) = v.get("secret")
            && !optional(s)
            && let Some(n) = s.get("secretName")
        {
            refs.push(("Secret", n, None));
        }
        for src in v.get("projected").and_then(|p| p.get("sources")).and_then(Node::as_seq).unwrap_or(&[]) {
            for (k, kind) in [("configMap", "ConfigMap"), ("secret", "Secret")] {
                if let Some(r) = src.get(k)
                    && !optional(r)
                    && let Some(n) = r.get("name")
                {
                    refs.push((kind, n, None));
                }
            }
        }
    }
    for (kind, name_node, key) in refs {
        let Some(name) = name_node.as_str() else { continue };
        match cx.index.reference_exists(kind, ns, name) {
            // WRK-003 reports the same reference as an error; say it once.
            Some(false) if cx.runs("WRK-003") => {}
            Some(false) => {
                out.at(name_node.span, format!("{kind} `{name}` is not in the input"));
            }
            Some(true) => {
                let (Some(key_node), Some(target)) = (key, cx.index.get(kind, ns, name)) else { continue };
                let Some(key) = key_node.as_str() else { continue };
                let has = ["data", "binaryData", "stringData"]
                    .iter()
                    .any(|d| target.node.get(d).is_some_and(|m| m.get(key).is_some()));
                if !has {
                    out.at(key_node.span, format!("{kind} `{name}` has no key `{key}`"));
                }
            }
            None => {}
        }
    }
}
