//! A Kubernetes object as the checks see it: the located YAML tree plus the few facts
//! every rule needs (kind, name, namespace), and views of the pod template it carries.
//!
//! Nothing here knows a schema: any document with `apiVersion` and `kind` is an
//! [`Object`], so CRDs and unknown kinds flow through untouched. Pod templates are found
//! by kind for the built-in workloads and, for any other kind, by shape
//! (`spec.template.spec.containers`), which covers Argo Rollouts, Knative Services and
//! similar CRDs.

use skyform_yaml::{Node, Span, Value};

use crate::finding::ObjectRef;

/// One object from one YAML document.
#[derive(Debug)]
pub struct Object {
    /// Index of the input file this object came from.
    pub file: usize,
    pub node: Node,
    pub api_version: String,
    pub kind: String,
    pub name: String,
    /// `metadata.namespace` as written (None when unset or cluster-scoped).
    pub namespace_written: Option<String>,
    /// The namespace the object lives in once applied (unset → the default namespace);
    /// `None` for cluster-scoped kinds.
    pub namespace: Option<String>,
}

/// Kinds that have no namespace.
pub const CLUSTER_SCOPED: &[&str] = &[
    "Namespace",
    "Node",
    "PersistentVolume",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "StorageClass",
    "PriorityClass",
    "IngressClass",
    "RuntimeClass",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "APIService",
    "CSIDriver",
    "CSINode",
    "VolumeSnapshotClass",
    "ClusterIssuer",
    "ClusterSecretStore",
    "PodSecurityPolicy",
    "CertificateSigningRequest",
];

impl Object {
    /// Builds an object from a document root; `None` when it is not a Kubernetes object
    /// (no string `apiVersion`/`kind`).
    pub fn from_node(file: usize, node: Node, default_namespace: &str) -> Option<Object> {
        let api_version = node.get("apiVersion")?.as_str()?.to_string();
        let kind = node.get("kind")?.as_str()?.to_string();
        let meta = node.get("metadata");
        let name = meta
            .and_then(|m| m.get("name").or_else(|| m.get("generateName")))
            .and_then(Node::scalar_text)
            .unwrap_or_default();
        let namespace_written = meta.and_then(|m| m.get("namespace")).and_then(Node::scalar_text);
        let namespace = if CLUSTER_SCOPED.contains(&kind.as_str()) {
            None
        } else {
            Some(namespace_written.clone().unwrap_or_else(|| default_namespace.to_string()))
        };
        Some(Object { file, node, api_version, kind, name, namespace_written, namespace })
    }

    pub fn object_ref(&self) -> ObjectRef {
        ObjectRef { kind: self.kind.clone(), namespace: self.namespace.clone(), name: self.name.clone() }
    }

    /// The namespace for lookups ("" for cluster-scoped objects).
    pub fn ns(&self) -> &str {
        self.namespace.as_deref().unwrap_or("")
    }

    pub fn metadata(&self) -> Option<&Node> {
        self.node.get("metadata")
    }

    pub fn spec(&self) -> Option<&Node> {
        self.node.get("spec")
    }

    pub fn labels(&self) -> Option<&Node> {
        self.metadata()?.get("labels")
    }

    pub fn annotations(&self) -> Option<&Node> {
        self.metadata()?.get("annotations")
    }

    /// The API group of `apiVersion` ("" for the core group).
    pub fn group(&self) -> &str {
        self.api_version.rsplit_once('/').map_or("", |(g, _)| g)
    }

    /// The pod template this object carries, if any.
    pub fn pod(&self) -> Option<PodView<'_>> {
        let spec = self.spec();
        let (meta, pod_spec, spec_key) = match self.kind.as_str() {
            "Pod" => (self.metadata(), spec?, key_span(&self.node, "spec")),
            "CronJob" => {
                let t = spec?.get("jobTemplate")?.get("spec")?.get("template")?;
                (t.get("metadata"), t.get("spec")?, key_span(t, "spec"))
            }
            "PodTemplate" => {
                let t = self.node.get("template")?;
                (t.get("metadata"), t.get("spec")?, key_span(t, "spec"))
            }
            _ => {
                let t = spec?.get("template")?;
                let s = t.get("spec")?;
                // Unknown kinds count only when they look like a pod template.
                if !WORKLOAD_KINDS.contains(&self.kind.as_str()) && s.get("containers")?.as_seq().is_none() {
                    return None;
                }
                (t.get("metadata"), s, key_span(t, "spec"))
            }
        };
        pod_spec.as_map()?;
        Some(PodView { spec: pod_spec, spec_key, meta, owner: self })
    }

    /// Whether this is a CloudNativePG `Cluster`: an operator-run workload whose pods carry
    /// `spec.inheritedMetadata.labels` (it has no pod template).
    pub fn is_cnpg_cluster(&self) -> bool {
        self.kind == "Cluster" && self.group().starts_with("postgresql.cnpg.io")
    }

    /// Labels of the pods this object runs: its pod template's, or a CloudNativePG
    /// Cluster's inherited labels.
    pub fn pod_labels(&self) -> Option<&Node> {
        if self.is_cnpg_cluster() {
            return self.spec()?.get("inheritedMetadata")?.get("labels");
        }
        self.pod()?.labels()
    }

    /// Whether this is a controller whose pods are meant to run forever (not a Job).
    pub fn is_long_running(&self) -> bool {
        !matches!(self.kind.as_str(), "Job" | "CronJob" | "Pod")
    }

    /// `spec.replicas` of a scalable workload (unset → 1); `None` for other kinds.
    pub fn replicas(&self) -> Option<(i64, Option<&Node>)> {
        if !matches!(self.kind.as_str(), "Deployment" | "StatefulSet" | "ReplicaSet" | "ReplicationController") {
            return None;
        }
        let node = self.spec().and_then(|s| s.get("replicas"));
        Some((node.and_then(Node::as_i64).unwrap_or(1), node))
    }

    /// Whether the object looks like it belongs to a production environment: a namespace
    /// segment or an environment label of `prod`/`production`.
    pub fn looks_production(&self) -> bool {
        let is_prod = |s: &str| matches!(s.to_ascii_lowercase().as_str(), "prod" | "production" | "prd");
        if self.ns().split(['-', '_', '.']).any(is_prod) {
            return true;
        }
        let label_prod = |labels: Option<&Node>| {
            ENV_LABELS.iter().any(|k| labels.and_then(|l| l.get(k)).and_then(Node::as_str).is_some_and(is_prod))
        };
        label_prod(self.labels()) || label_prod(self.pod().and_then(|p| p.labels()))
    }
}

/// Labels that name an environment.
pub const ENV_LABELS: &[&str] =
    &["environment", "env", "app.kubernetes.io/environment", "skyform.dev/environment", "tier.env"];

/// Built-in kinds with a `spec.template` pod template.
pub const WORKLOAD_KINDS: &[&str] =
    &["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job"];

/// Which list a container came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContainerKind {
    Container,
    Init,
    Ephemeral,
}

/// A pod spec and its metadata, wherever in the object it lives.
#[derive(Clone, Copy, Debug)]
pub struct PodView<'a> {
    pub spec: &'a Node,
    pub spec_key: Span,
    pub meta: Option<&'a Node>,
    pub owner: &'a Object,
}

/// One container of a pod spec.
#[derive(Clone, Copy, Debug)]
pub struct Container<'a> {
    pub node: &'a Node,
    pub kind: ContainerKind,
    pub name: &'a str,
}

impl<'a> Container<'a> {
    pub fn get(&self, key: &str) -> Option<&'a Node> {
        self.node.get(key)
    }

    /// The container's own `securityContext`.
    pub fn security_context(&self) -> Option<&'a Node> {
        self.node.get("securityContext")
    }

    /// A display label such as `container "app"` or `init container "migrate"`.
    pub fn label(&self) -> String {
        match self.kind {
            ContainerKind::Container => format!("container `{}`", self.name),
            ContainerKind::Init => format!("init container `{}`", self.name),
            ContainerKind::Ephemeral => format!("ephemeral container `{}`", self.name),
        }
    }

    /// Span of the whole container entry (where missing fields are reported).
    pub fn span(&self) -> Span {
        name_span(self.node)
    }

    pub fn ports(&self) -> &'a [Node] {
        self.node.get("ports").and_then(Node::as_seq).unwrap_or(&[])
    }
}

impl<'a> PodView<'a> {
    pub fn get(&self, key: &str) -> Option<&'a Node> {
        self.spec.get(key)
    }

    /// The pod-level `securityContext`.
    pub fn security_context(&self) -> Option<&'a Node> {
        self.spec.get("securityContext")
    }

    pub fn labels(&self) -> Option<&'a Node> {
        self.meta?.get("labels")
    }

    pub fn annotations(&self) -> Option<&'a Node> {
        self.meta?.get("annotations")
    }

    /// Whether `spec.os.name` is `windows` (PSS skips Linux-only controls then).
    pub fn is_windows(&self) -> bool {
        self.spec.get("os").and_then(|o| o.get("name")).and_then(Node::as_str) == Some("windows")
    }

    /// All containers: regular, init and ephemeral, in that order.
    pub fn containers(&self) -> Vec<Container<'a>> {
        let mut out = Vec::new();
        for (key, kind) in [
            ("containers", ContainerKind::Container),
            ("initContainers", ContainerKind::Init),
            ("ephemeralContainers", ContainerKind::Ephemeral),
        ] {
            for node in self.spec.get(key).and_then(Node::as_seq).unwrap_or(&[]) {
                if node.as_map().is_some() {
                    let name = node.get("name").and_then(Node::as_str).unwrap_or("?");
                    out.push(Container { node, kind, name });
                }
            }
        }
        out
    }

    /// Regular and init containers only (ephemeral containers take no probes or resources).
    pub fn app_containers(&self) -> Vec<Container<'a>> {
        self.containers().into_iter().filter(|c| c.kind != ContainerKind::Ephemeral).collect()
    }

    /// Regular containers only.
    pub fn main_containers(&self) -> Vec<Container<'a>> {
        self.containers().into_iter().filter(|c| c.kind == ContainerKind::Container).collect()
    }

    pub fn volumes(&self) -> &'a [Node] {
        self.spec.get("volumes").and_then(Node::as_seq).unwrap_or(&[])
    }

    /// Span for findings about the pod spec as a whole: its `spec:` key.
    pub fn span(&self) -> Span {
        self.spec_key
    }

    /// `serviceAccountName` (or the deprecated `serviceAccount`), default `default`.
    pub fn service_account(&self) -> (&'a str, Option<&'a Node>) {
        let node = self.spec.get("serviceAccountName").or_else(|| self.spec.get("serviceAccount"));
        (node.and_then(Node::as_str).unwrap_or("default"), node)
    }
}

/// The span of `key`'s key in mapping `node`, or the node's own span when it is absent.
pub fn key_span(node: &Node, key: &str) -> Span {
    node.entry(key).map_or(node.span, |e| e.key_span)
}

/// The span of a list item: its `name` key when it has one, else the item.
pub fn name_span(node: &Node) -> Span {
    node.entry("name").map_or(node.span, |e| e.key_span)
}

/// The string items of a list node (non-strings ignored).
pub fn strings(node: Option<&Node>) -> Vec<&str> {
    node.and_then(Node::as_seq).unwrap_or(&[]).iter().filter_map(Node::as_str).collect()
}

/// A mapping of string → scalar as pairs (labels, selectors).
pub fn string_map(node: Option<&Node>) -> Vec<(&str, String)> {
    node.and_then(Node::as_map)
        .unwrap_or(&[])
        .iter()
        .filter_map(|e| e.value.scalar_text().map(|v| (e.key.as_str(), v)))
        .collect()
}

/// Whether a plain `key: value` selector matches a label set. An empty selector matches
/// nothing here (a Service without selector selects no pods by itself).
pub fn map_selector_matches(selector: &[(&str, String)], labels: Option<&Node>) -> bool {
    let labels = string_map(labels);
    !selector.is_empty() && selector.iter().all(|(k, v)| labels.iter().any(|(lk, lv)| lk == k && lv == v))
}

/// Whether a `metav1.LabelSelector` (matchLabels + matchExpressions) matches a label set.
/// An empty selector matches everything, as in NetworkPolicy and PDB.
pub fn label_selector_matches(selector: &Node, labels: Option<&Node>) -> bool {
    let labels = string_map(labels);
    selector_matches_lookup(selector, |k| labels.iter().find(|(lk, _)| *lk == k).map(|(_, v)| v.as_str()))
}

/// [`label_selector_matches`] over any label lookup: `has(key)` is the pod's value of `key`.
pub fn selector_matches_lookup<'l>(selector: &Node, has: impl Fn(&str) -> Option<&'l str>) -> bool {
    crate::netpol::selector(selector).matches_with(has)
}

/// Whether a label selector node is empty (`{}` or null): it selects every pod.
pub fn selector_is_empty(selector: Option<&Node>) -> bool {
    match selector.map(|s| &s.value) {
        None | Some(Value::Null) => true,
        Some(Value::Map(entries)) => entries.iter().all(|e| match &e.value.value {
            Value::Null => true,
            Value::Map(m) => m.is_empty(),
            Value::Seq(s) => s.is_empty(),
            _ => false,
        }),
        _ => false,
    }
}

/// Scalar text of `node.key`.
pub fn text<'a>(node: Option<&'a Node>, key: &str) -> Option<&'a str> {
    node?.get(key)?.as_str()
}

/// A boolean field, accepting only real YAML booleans.
pub fn flag(node: Option<&Node>, key: &str) -> Option<bool> {
    node?.get(key)?.as_bool()
}
