//! Turning API failures into messages a person can act on: 403s name the verb, resource
//! and namespace with the RBAC rule that is missing; 409 apply conflicts name the field
//! manager that owns each field; API versions the server does not serve are found before
//! anything is written. Pure functions over already-fetched data.

use crate::error::Problem;
use crate::object::ObjRef;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The essentials of a Kubernetes `Status` failure.
#[derive(Clone, Debug, Default)]
pub struct ApiFailure {
    pub code: u16,
    pub reason: String,
    pub message: String,
    /// `(reason, message, field)` of each cause.
    pub causes: Vec<(String, String, String)>,
}

/// The request that failed.
#[derive(Clone, Debug)]
pub struct Operation<'a> {
    /// Kubernetes verb (`get`, `list`, `patch`, `delete`, `create`).
    pub verb: &'a str,
    /// Plural resource name (`deployments`).
    pub resource: &'a str,
    /// API group (`""` for core).
    pub group: &'a str,
    pub namespace: Option<&'a str>,
    pub name: Option<&'a str>,
}

/// One field owned by another manager.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Conflict {
    pub manager: String,
    pub field: String,
}

/// Extracts the conflicting managers and fields from a 409 of a server-side apply.
pub fn conflicts(f: &ApiFailure) -> Vec<Conflict> {
    let mut out: Vec<Conflict> = f
        .causes
        .iter()
        .filter(|(reason, _, _)| reason == "FieldManagerConflict")
        .map(|(_, msg, field)| Conflict { manager: quoted(msg).unwrap_or_else(|| msg.clone()), field: field.clone() })
        .collect();
    if out.is_empty() && f.code == 409 {
        // Older servers put everything in the message: `conflict with "m" using v1: .a`.
        for part in f.message.split("conflict with ").skip(1) {
            let manager = quoted(part).unwrap_or_default();
            let field = part.rsplit_once(": ").map(|(_, f)| f.trim().to_string()).unwrap_or_default();
            out.push(Conflict { manager, field });
        }
    }
    out
}

fn quoted(s: &str) -> Option<String> {
    let start = s.find('"')? + 1;
    let len = s[start..].find('"')?;
    Some(s[start..start + len].to_string())
}

/// A message for a failed request on `r`.
pub fn describe(op: &Operation<'_>, r: Option<&ObjRef>, f: &ApiFailure) -> Problem {
    let what = r.map_or_else(|| op.resource.to_string(), ObjRef::to_string);
    match f.code {
        403 => {
            let scope = op.namespace.map_or_else(|| "cluster-wide".to_string(), |ns| format!("in namespace `{ns}`"));
            let group = if op.group.is_empty() { "\"\"".to_string() } else { op.group.to_string() };
            let binding =
                if op.namespace.is_some() { "a Role and RoleBinding" } else { "a ClusterRole and ClusterRoleBinding" };
            let what = r.map_or_else(String::new, |r| format!(" ({r})"));
            Problem::hinted(
                format!(
                    "forbidden: cannot `{verb}` {resource} {scope}{what}\n  server said: {msg}",
                    verb = op.verb,
                    resource = op.resource,
                    msg = f.message,
                ),
                format!(
                    "the credentials need {binding} granting apiGroups: [{group}], resources: [{resource}], verbs: [{verb}] \
                     (skyform apply needs get, list, patch and delete on every resource it manages, and on secrets in \
                     `skyform-system` for its inventory)",
                    verb = op.verb,
                    resource = op.resource,
                ),
            )
        }
        409 => {
            let c = conflicts(f);
            if c.is_empty() {
                return format!("conflict on {what}: {}", f.message).into();
            }
            let mut by_manager: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
            for x in &c {
                by_manager.entry(&x.manager).or_default().insert(&x.field);
            }
            let owners: Vec<String> = by_manager
                .iter()
                .map(|(m, fields)| format!("`{m}` owns {}", fields.iter().copied().collect::<Vec<_>>().join(", ")))
                .collect();
            Problem::hinted(
                format!("field manager conflict on {what}: {}", owners.join("; ")),
                "another tool changed these fields; re-run with --force-conflicts to take them over, or remove them \
                 from the other tool",
            )
        }
        404 => format!("{what}: not found ({})", f.message).into(),
        422 => format!("{what} is invalid: {}", f.message).into(),
        0 => format!("{what}: {}", f.message).into(),
        code => format!("{what}: the server answered {code} {}: {}", f.reason, f.message).into(),
    }
}

/// An object whose API version the server does not serve.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Unserved {
    #[serde(flatten)]
    pub r: ObjRef,
    /// Versions of the same group that do serve the kind.
    pub served_versions: Vec<String>,
}

/// Checks every object against discovery: `served` maps `apiVersion` to its kinds.
/// Kinds defined by CRDs in the same apply (`crd_kinds`: `(group, version, kind)`)
/// are taken as served, since the first wave creates them.
pub fn unserved(
    objects: &[ObjRef],
    served: &BTreeMap<String, BTreeSet<String>>,
    crd_kinds: &BTreeSet<(String, String, String)>,
) -> Vec<Unserved> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for r in objects {
        if served.get(&r.api_version).is_some_and(|k| k.contains(&r.kind)) {
            continue;
        }
        if crd_kinds.contains(&(r.group().to_string(), r.version().to_string(), r.kind.clone())) {
            continue;
        }
        if !seen.insert((r.api_version.clone(), r.kind.clone())) {
            continue;
        }
        let served_versions = served
            .iter()
            .filter(|(av, kinds)| {
                let group = av.rsplit_once('/').map_or("", |(g, _)| g);
                group == r.group() && kinds.contains(&r.kind)
            })
            .map(|(av, _)| av.clone())
            .collect();
        out.push(Unserved { r: r.clone(), served_versions });
    }
    out
}

/// Whether a group belongs to an add-on rather than to Kubernetes itself.
fn is_custom_group(group: &str) -> bool {
    group.contains('.') && !group.ends_with(".k8s.io")
}

/// A message for [`unserved`]'s result.
pub fn describe_unserved(list: &[Unserved], server_version: &str) -> Problem {
    let mut s = format!("the API server ({server_version}) does not serve these API versions; nothing was changed:");
    for u in list {
        s.push_str(&format!("\n  - {} {} (e.g. {})", u.r.api_version, u.r.kind, u.r));
        if !u.served_versions.is_empty() {
            s.push_str(&format!(" — the server has {}", u.served_versions.join(", ")));
        } else if is_custom_group(u.r.group()) {
            s.push_str(" — a custom resource: install the operator that defines it (its CRDs) first");
        }
    }
    Problem::hinted(
        s,
        "upgrade the cluster, or set the platform's kubernetes version so skyform emits API versions this cluster serves",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(ns: Option<&'static str>) -> Operation<'static> {
        Operation { verb: "patch", resource: "deployments", group: "apps", namespace: ns, name: Some("api") }
    }

    #[test]
    fn forbidden_names_verb_resource_namespace() {
        let f = ApiFailure { code: 403, message: "User \"u\" cannot patch".into(), ..Default::default() };
        let m = describe(&op(Some("p-api")), None, &f);
        assert!(m.contains("cannot `patch` deployments in namespace `p-api`"), "{m}");
        assert!(m.contains("Role and RoleBinding"), "{m}");
        assert!(m.contains("apiGroups: [apps]"), "{m}");
        let m = describe(&op(None), None, &f);
        assert!(m.contains("cluster-wide") && m.contains("ClusterRole"), "{m}");
    }

    #[test]
    fn conflicts_name_the_manager() {
        let f = ApiFailure {
            code: 409,
            reason: "Conflict".into(),
            message: "Apply failed with 1 conflict: conflict with \"kubectl-edit\" using apps/v1: .spec.replicas"
                .into(),
            causes: vec![(
                "FieldManagerConflict".into(),
                "conflict with \"kubectl-edit\" using apps/v1".into(),
                ".spec.replicas".into(),
            )],
        };
        assert_eq!(conflicts(&f), vec![Conflict { manager: "kubectl-edit".into(), field: ".spec.replicas".into() }]);
        let m = describe(&op(Some("n")), None, &f);
        assert!(m.contains("`kubectl-edit` owns .spec.replicas") && m.contains("--force-conflicts"), "{m}");
        let bare = ApiFailure { causes: vec![], ..f };
        assert_eq!(conflicts(&bare)[0].manager, "kubectl-edit");
        assert_eq!(conflicts(&bare)[0].field, ".spec.replicas");
    }

    #[test]
    fn unserved_versions_are_found_with_alternatives() {
        let served: BTreeMap<String, BTreeSet<String>> = [
            ("autoscaling/v1", vec!["HorizontalPodAutoscaler"]),
            ("autoscaling/v2beta2", vec!["HorizontalPodAutoscaler"]),
            ("apps/v1", vec!["Deployment"]),
        ]
        .into_iter()
        .map(|(a, k)| (a.to_string(), k.into_iter().map(str::to_string).collect()))
        .collect();
        let r = |api: &str, kind: &str| ObjRef {
            api_version: api.into(),
            kind: kind.into(),
            namespace: None,
            name: "x".into(),
        };
        let objs = vec![
            r("apps/v1", "Deployment"),
            r("autoscaling/v2", "HorizontalPodAutoscaler"),
            r("example.com/v1", "Widget"),
            r("cert-manager.io/v1", "ClusterIssuer"),
        ];
        let crds = BTreeSet::from([("example.com".to_string(), "v1".to_string(), "Widget".to_string())]);
        let u = unserved(&objs, &served, &crds);
        assert_eq!(u.len(), 2);
        assert_eq!(u[0].served_versions, vec!["autoscaling/v1", "autoscaling/v2beta2"]);
        let m = describe_unserved(&u, "v1.20.2");
        assert!(m.contains("autoscaling/v2 HorizontalPodAutoscaler") && m.contains("nothing was changed"), "{m}");
        assert!(m.contains("cert-manager.io/v1 ClusterIssuer (e.g. ClusterIssuer x) — a custom resource"), "{m}");
    }
}
