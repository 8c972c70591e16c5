//! Helpers shared by several rules: RBAC rule matching, quantities, secret-like names,
//! default-deny detection. Not a rule itself.

use skyform_yaml::Node;

use crate::model::{Object, label_selector_matches, selector_is_empty, strings};

/// One `rules[*]` entry of a Role or ClusterRole.
pub struct PolicyRule<'a> {
    pub node: &'a Node,
    pub groups: Vec<&'a str>,
    pub resources: Vec<&'a str>,
    pub verbs: Vec<&'a str>,
    pub resource_names: Vec<&'a str>,
}

impl<'a> PolicyRule<'a> {
    /// Whether this rule covers `group` (wildcard `*` included).
    pub fn group(&self, group: &str) -> bool {
        self.groups.iter().any(|g| *g == "*" || *g == group)
    }

    /// The span of the explicit resource item `resource`, if listed by name.
    pub fn resource_span(&self, resource: &str) -> Option<skyform_yaml::Span> {
        self.node
            .get("resources")
            .and_then(Node::as_seq)?
            .iter()
            .find(|n| n.as_str().is_some_and(|s| s.eq_ignore_ascii_case(resource)))
            .map(|n| n.span)
    }

    /// Whether the rule grants any of `verbs` (or `*`).
    pub fn verb_any(&self, verbs: &[&str]) -> bool {
        self.verbs.iter().any(|v| *v == "*" || verbs.contains(v))
    }

    /// The first granted verb among `verbs` (or `*`), for messages.
    pub fn verb_list(&self) -> String {
        self.verbs.join(", ")
    }
}

/// The policy rules of a Role/ClusterRole (empty for other kinds).
pub fn policy_rules(obj: &Object) -> Vec<PolicyRule<'_>> {
    if !matches!(obj.kind.as_str(), "Role" | "ClusterRole") {
        return Vec::new();
    }
    obj.node
        .get("rules")
        .and_then(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .map(|node| PolicyRule {
            node,
            groups: strings(node.get("apiGroups")),
            resources: strings(node.get("resources")),
            verbs: strings(node.get("verbs")),
            resource_names: strings(node.get("resourceNames")),
        })
        .collect()
}

/// A Role/ClusterRole rule granting `verbs` on the explicitly named core/`group`
/// `resource`: calls `f` with the resource item's span.
pub fn explicit_grants<'a>(
    obj: &'a Object,
    group: &str,
    resource: &str,
    verbs: &[&str],
    mut f: impl FnMut(&PolicyRule<'a>, skyform_yaml::Span),
) {
    for r in policy_rules(obj) {
        if r.group(group)
            && r.verb_any(verbs)
            && let Some(span) = r.resource_span(resource)
        {
            f(&r, span);
        }
    }
}

/// Parses a Kubernetes quantity into a float of base units (cores, bytes).
pub fn quantity(node: &Node) -> Option<f64> {
    skyform_spec::quantity::base_units(&node.scalar_text()?)
}

/// Whether an environment-variable or config key names a credential.
pub fn secret_like_name(name: &str) -> bool {
    let n = name.to_ascii_uppercase().replace(['-', '.'], "_");
    const BENIGN_SUFFIXES: &[&str] = &[
        "_FILE",
        "_PATH",
        "_NAME",
        "_URL",
        "_URI",
        "_ENDPOINT",
        "_REF",
        "_KEY_ID",
        "_ID",
        "_TTL",
        "_HEADER",
        "_LENGTH",
        "_SECRET_NAME",
    ];
    if BENIGN_SUFFIXES.iter().any(|s| n.ends_with(s)) {
        return false;
    }
    const MARKERS: &[&str] = &[
        "PASSWORD",
        "PASSWD",
        "PASSPHRASE",
        "SECRET",
        "TOKEN",
        "API_KEY",
        "APIKEY",
        "PRIVATE_KEY",
        "ACCESS_KEY",
        "CREDENTIAL",
        "AUTH_KEY",
        "CLIENT_KEY",
        "SIGNING_KEY",
        "ENCRYPTION_KEY",
        "DSN",
    ];
    MARKERS.iter().any(|m| n.contains(m))
}

/// Whether a literal value looks like key material regardless of its name.
pub fn secret_like_value(value: &str) -> bool {
    let v = value.trim();
    v.contains("-----BEGIN") && v.contains("PRIVATE KEY")
        || (v.len() == 20 && v.starts_with("AKIA") && v.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()))
        || v.starts_with("ghp_") && v.len() >= 36
        || v.starts_with("xoxb-")
        || v.starts_with("sk_live_")
}

/// Whether a literal is a placeholder or reference rather than a value.
pub fn is_placeholder(value: &str) -> bool {
    let v = value.trim();
    v.is_empty() || v.starts_with("$(") || v.starts_with("${") || v.starts_with("{{")
}

/// A NetworkPolicy's effective policy types (defaulting as the API server does).
pub fn policy_types(spec: &Node) -> Vec<&str> {
    let declared = strings(spec.get("policyTypes"));
    if !declared.is_empty() || spec.get("policyTypes").is_some() {
        return declared;
    }
    let mut t = vec!["Ingress"];
    if spec.get("egress").is_some() {
        t.push("Egress");
    }
    t
}

/// Whether a NetworkPolicy selects the pods of `workload`.
pub fn policy_selects(np: &Object, workload: &Object) -> bool {
    let Some(sel) = np.spec().and_then(|s| s.get("podSelector")) else {
        return np.spec().is_some();
    };
    let labels = workload.pod().and_then(|p| p.labels());
    selector_is_empty(Some(sel)) || label_selector_matches(sel, labels)
}

/// The HorizontalPodAutoscaler targeting `workload`, if any.
pub fn hpa_for<'a>(index: &'a crate::index::Index<'a>, workload: &Object) -> Option<&'a Object> {
    index.hpa_for(workload.ns(), &workload.kind, &workload.name)
}

/// PodDisruptionBudgets whose selector matches `workload`'s pods.
pub fn pdbs_for<'a>(index: &'a crate::index::Index<'a>, workload: &Object) -> Vec<&'a Object> {
    let labels = workload.pod().and_then(|p| p.labels());
    let candidates = index.pdb_selectors.candidates(workload.ns(), labels);
    candidates
        .into_iter()
        .map(|i| &index.objects[i])
        .filter(|p| {
            p.ns() == workload.ns()
                && p.spec()
                    .and_then(|s| s.get("selector"))
                    .is_some_and(|sel| !selector_is_empty(Some(sel)) && label_selector_matches(sel, labels))
        })
        .collect()
}

/// Whether `np` is a deny-all for `workload`'s pods in `direction`: it selects them
/// (empty selector or matching labels), lists the policy type, and allows nothing.
pub fn denies_all(np: &Object, workload: &Object, direction: &str) -> bool {
    let Some(spec) = np.spec() else { return false };
    let key = if direction == "Ingress" { "ingress" } else { "egress" };
    // The cheap tests first: most policies allow something, and a namespace has as many
    // of them as workloads, so matching labels first would make this rule quadratic.
    spec.get(key).and_then(Node::as_seq).is_none_or(<[Node]>::is_empty)
        && policy_types(spec).contains(&direction)
        && policy_selects(np, workload)
}
