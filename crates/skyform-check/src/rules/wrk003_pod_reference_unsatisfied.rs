//! **WRK-003 `pod-reference-unsatisfied`**: A pod reads a Secret, ConfigMap, ServiceAccount, PersistentVolumeClaim or PriorityClass (or a PVC names a StorageClass) that nothing in the input produces: no such object, no ExternalSecret/SealedSecret/Certificate/Vault target, no operator that documents creating it.
//!
//! *Why:* The pod never starts (`CreateContainerConfigError`, `ContainerCreating`, `FailedCreate`), or the claim stays `Pending`.
//!
//! *Fix:* Add the object (or the ExternalSecret/SealedSecret producing it), fix the name, mark the reference `optional: true`, or list it in the workload's `skyform.dev/external` annotation (`Secret/name, ConfigMap/name`) when another system creates it.
//!
//! *Severity:* error.
//!
//! *Maps to:* kube-linter `env-value-from`, `non-existent-service-account` (which only see plain objects).
//!
//! A reference is judged when the input could hold its target: it holds objects of
//! that kind (or Secret producers), or it creates the namespace the pod lives in (then
//! the input is that namespace's whole object set). StorageClass and PriorityClass
//! references are judged only when the input declares some object of that kind; the
//! classes every managed offering creates (`gp2`, `standard-rwo`, `managed-csi`,
//! `do-block-storage`, `hcloud-volumes`, `local-path`, …) always exist.

#[allow(unused_imports)]
use super::prelude::*;

/// The annotation that declares references created outside the input.
pub const EXTERNAL_ANNOTATION: &str = "skyform.dev/external";

pub const RULE: Rule = Rule {
    id: "WRK-003",
    name: "pod-reference-unsatisfied",
    severity: Severity::Error,
    category: Category::Works,
    default_enabled: true,
    summary: "A pod reads a Secret/ConfigMap/ServiceAccount/PVC/PriorityClass (or a PVC a StorageClass) that nothing in the input produces.",
    hint: "Add the object (or the ExternalSecret/SealedSecret producing it), fix the name, mark it `optional: true`, or list it in the `skyform.dev/external` annotation.",
    refs: Refs { kube_linter: &["env-value-from", "non-existent-service-account"], ..Refs::NONE },
    check,
};

/// StorageClasses the managed Kubernetes offerings (and k3s) create in every cluster.
const PROVIDER_STORAGE_CLASSES: &[&str] = &[
    "standard",
    "standard-rwo",
    "standard-rwx",
    "premium-rwo",
    "premium-rwx",
    "gp2",
    "default",
    "managed",
    "managed-csi",
    "managed-premium",
    "managed-csi-premium",
    "azurefile",
    "azurefile-csi",
    "azurefile-premium",
    "azurefile-csi-premium",
    "do-block-storage",
    "do-block-storage-retain",
    "do-block-storage-xfs",
    "linode-block-storage",
    "linode-block-storage-retain",
    "hcloud-volumes",
    "local-path",
];

fn external(obj: &Object) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for ann in [obj.annotations(), obj.pod().and_then(|p| p.annotations())] {
        if let Some(v) = text(ann, EXTERNAL_ANNOTATION) {
            for item in v.split(',') {
                if let Some((k, n)) = item.trim().split_once('/') {
                    out.push((k.trim().to_string(), n.trim().to_string()));
                }
            }
        }
    }
    out
}

fn check(cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    let ext = external(obj);
    let ns = obj.ns();
    let ns_created = cx.index.works.created_namespaces.contains_key(ns);
    let report = |kind: &str, node: &Node, what: &str, out: &mut Out| {
        let Some(name) = node.as_str() else { return };
        if ext.iter().any(|(k, n)| k == kind && n == name) {
            return;
        }
        let cluster = matches!(kind, "StorageClass" | "PriorityClass");
        if kind == "PriorityClass" && name.starts_with("system-") {
            return;
        }
        if kind == "StorageClass" && PROVIDER_STORAGE_CLASSES.contains(&name) {
            return;
        }
        let lookup_ns = if cluster { "" } else { ns };
        let missing = match cx.index.reference_exists(kind, lookup_ns, name) {
            Some(false) => true,
            Some(true) => false,
            None => !cluster && ns_created,
        };
        if missing {
            let producers = match kind {
                "Secret" => {
                    "no Secret, ExternalSecret/SealedSecret target, Certificate `secretName` or operator makes it"
                }
                "PersistentVolumeClaim" => "no PersistentVolumeClaim of that name is in the input",
                _ => "nothing in the input creates it",
            };
            let place = if cluster { String::new() } else { format!(" in `{ns}`") };
            out.at(node.span, format!("{what} {kind} `{name}`{place}, but {producers}"));
        }
    };
    if obj.kind == "PersistentVolumeClaim" {
        if let Some(sc) = obj.spec().and_then(|s| s.get("storageClassName")) {
            report("StorageClass", sc, "the claim asks for", out);
        }
        return;
    }
    for t in obj.spec().and_then(|s| s.get("volumeClaimTemplates")).and_then(Node::as_seq).unwrap_or(&[]) {
        if let Some(sc) = t.get("spec").and_then(|s| s.get("storageClassName")) {
            report("StorageClass", sc, "a volumeClaimTemplate asks for", out);
        }
    }
    let Some(pod) = obj.pod() else { return };
    let optional = |n: &Node| flag(Some(n), "optional") == Some(true);
    for c in pod.containers() {
        for e in c.get("env").and_then(Node::as_seq).unwrap_or(&[]) {
            let Some(vf) = e.get("valueFrom") else { continue };
            let var = text(Some(e), "name").unwrap_or("?");
            for (k, kind) in [("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret")] {
                if let Some(r) = vf.get(k)
                    && !optional(r)
                    && let Some(n) = r.get("name")
                {
                    report(kind, n, &format!("{} env `{var}` reads", c.label()), out);
                }
            }
        }
        for e in c.get("envFrom").and_then(Node::as_seq).unwrap_or(&[]) {
            for (k, kind) in [("configMapRef", "ConfigMap"), ("secretRef", "Secret")] {
                if let Some(r) = e.get(k)
                    && !optional(r)
                    && let Some(n) = r.get("name")
                {
                    report(kind, n, &format!("{} `envFrom` reads", c.label()), out);
                }
            }
        }
    }
    for v in pod.volumes() {
        let vname = text(Some(v), "name").unwrap_or("?");
        let what = format!("volume `{vname}` mounts");
        if let Some(cm) = v.get("configMap")
            && !optional(cm)
            && let Some(n) = cm.get("name")
        {
            report("ConfigMap", n, &what, out);
        }
        if let Some(s) = v.get("secret")
            && !optional(s)
            && let Some(n) = s.get("secretName")
        {
            report("Secret", n, &what, out);
        }
        if let Some(n) = v.get("persistentVolumeClaim").and_then(|p| p.get("claimName")) {
            report("PersistentVolumeClaim", n, &what, out);
        }
        for src in v.get("projected").and_then(|p| p.get("sources")).and_then(Node::as_seq).unwrap_or(&[]) {
            for (k, kind) in [("configMap", "ConfigMap"), ("secret", "Secret")] {
                if let Some(r) = src.get(k)
                    && !optional(r)
                    && let Some(n) = r.get("name")
                {
                    report(kind, n, &what, out);
                }
            }
        }
    }
    for s in pod.get("imagePullSecrets").and_then(Node::as_seq).unwrap_or(&[]) {
        if let Some(n) = s.get("name") {
            report("Secret", n, "`imagePullSecrets` names", out);
        }
    }
    let (_, sa) = pod.service_account();
    if let Some(sa) = sa {
        report("ServiceAccount", sa, "the pod runs as", out);
    }
    if let Some(pc) = pod.get("priorityClassName") {
        report("PriorityClass", pc, "the pod names", out);
    }
}
