//! The prerequisites of an object set ([`skyform_prereqs`]) and the objects they add to
//! it: the objects applied right after a release's chart (the KnativeServing), the
//! NetworkPolicy `allow-grafana-<jaeger>` letting Grafana's Jaeger data source reach the
//! query port, and a Namespace for every namespace any object or release uses that the
//! set does not create yet, labelled with the Pod Security level its pods need.

use skyform_model::{Environment, Model, PodSecurityLevel, ProviderName};
use skyform_prereqs::{ObjectRef, Prerequisites};
use skyform_render::Object;
use std::collections::BTreeMap;

pub use skyform_prereqs::SYSTEM_NAMESPACES;

/// The planner's view of objects.
pub fn object_refs(objects: &[Object]) -> Vec<ObjectRef> {
    objects.iter().map(|o| ObjectRef::new(&o.api_version, &o.kind, o.namespace.as_deref())).collect()
}

/// What `objects` (an environment's object set) need installed.
pub fn prerequisites(model: &Model, env: &Environment, provider: ProviderName, objects: &[Object]) -> Prerequisites {
    skyform_prereqs::plan(model, env, provider, &object_refs(objects))
}

/// An object of a release's `manifests`.
fn manifest_object(v: &serde_json::Value) -> Object {
    let s = |p: &str| v.pointer(p).and_then(serde_json::Value::as_str).unwrap_or_default().to_string();
    let ns = s("/metadata/namespace");
    Object {
        api_version: s("/apiVersion"),
        kind: s("/kind"),
        namespace: (!ns.is_empty()).then_some(ns),
        name: s("/metadata/name"),
        value: v.clone(),
    }
}

/// Adds the prerequisites' manifests and every missing Namespace to `objects`, and
/// returns the prerequisites. Objects keep their order; call `sort_objects` after.
pub fn complete(model: &Model, env: &Environment, provider: ProviderName, objects: &mut Vec<Object>) -> Prerequisites {
    let pre = prerequisites(model, env, provider, objects);
    for r in &pre.releases {
        for m in &r.manifests {
            let o = manifest_object(m);
            if !objects.iter().any(|x| x.kind == o.kind && x.name == o.name && x.namespace == o.namespace) {
                objects.push(o);
            }
        }
    }
    // Grafana (in the observability namespace) queries the platform's Jaeger.
    if pre.release(skyform_prereqs::ComponentId::KubePrometheusStack).is_some()
        && let Some(t) = &model.observability.tracing
        && let Some(s) = env.service(&t.service).filter(|s| !s.is_managed_on(provider))
        && let Some(port) = s.ports.iter().find(|p| p.port == 16686 || p.name == "query")
    {
        let cx = crate::Ctx::new(model, env, provider);
        let name = format!("allow-grafana-{}", s.name);
        if !objects.iter().any(|o| o.kind == "NetworkPolicy" && o.name == name) {
            objects.push(crate::allow_ingress_from_namespace(
                &cx,
                s,
                &name,
                &model.observability.namespace,
                port.port,
                port.protocol,
            ));
        }
    }
    let mut wanted: BTreeMap<String, (PodSecurityLevel, String)> = BTreeMap::new();
    for n in pre.namespaces() {
        wanted.insert(n.name, (n.pod_security, n.reason));
    }
    for o in objects.iter() {
        if let Some(ns) = &o.namespace {
            wanted.entry(ns.clone()).or_insert((PodSecurityLevel::Restricted, String::new()));
        }
    }
    for (name, (level, reason)) in wanted {
        let exists = objects.iter().any(|o| o.kind == "Namespace" && o.namespace.is_none() && o.name == name);
        if exists || SYSTEM_NAMESPACES.contains(&name.as_str()) {
            continue;
        }
        let reason = (!reason.is_empty()).then_some(reason);
        objects.push(skyform_render::k8s::namespace(model, &name, level, reason.as_deref()));
    }
    pre
}
