//! Proves, for every example × environment × provider, that the rendered NetworkPolicies
//! allow exactly the declared traffic: each `dependsOn` edge on its ports, DNS, the
//! ingress controller to exposed ports, monitoring to metrics ports, KEDA to the queue it
//! scales on, declared external egress and managed-database egress (and, for Knative
//! Services, the same edges through the Knative data plane) — no more, no less.
//!
//! The expected set is derived from the model here, independently of the renderer's
//! policy code; the actual set comes from `skyform_render::netpol`, which evaluates the
//! rendered objects.
#![allow(clippy::unwrap_used)]

mod common;

use common::{PLATFORMS, load};
use skyform_model::{Environment, Model, ProviderName, WorkloadKind};
use skyform_render::netpol::{Flow, allowed_flows};
use skyform_render::objects::ALL_PROVIDERS;
use skyform_render::{provider_name, render_objects};
use std::collections::BTreeSet;

fn flow(from: &str, to: &str, port: u16, protocol: &str) -> Flow {
    Flow { from: from.into(), to: to.into(), port, protocol: protocol.into() }
}

fn expected(model: &Model, env: &Environment, p: ProviderName) -> BTreeSet<Flow> {
    let mut out = BTreeSet::new();
    let in_cluster = |name: &str| env.service(name).is_some_and(|s| !s.is_managed_on(p));
    let proto = |svc: &str, port: u16| {
        env.service(svc)
            .and_then(|s| s.ports.iter().find(|x| x.port == port))
            .map_or("TCP", |x| if x.protocol == skyform_model::Protocol::Udp { "UDP" } else { "TCP" })
    };
    // A replicated Redis: clients reach the master through `<redis>-proxy` and may ask
    // `<redis>-sentinel`; the Sentinels watch the data pods, which ask them for the master.
    let sentinel = |t: &skyform_model::Service| {
        in_cluster(&t.name)
            && t.component == Some(skyform_model::ComponentKind::Redis)
            && t.replicas.max > 1
            && t.workload == WorkloadKind::StatefulSet
    };
    for r in env.services.iter().filter(|s| sentinel(s)) {
        let (n, proxy, sent) = (r.name.as_str(), format!("{}-proxy", r.name), format!("{}-sentinel", r.name));
        for helper in [&proxy, &sent] {
            out.insert(flow(helper, "kube-dns", 53, "UDP"));
            out.insert(flow(helper, "kube-dns", 53, "TCP"));
        }
        out.insert(flow(n, &sent, 26379, "TCP"));
        out.insert(flow(&sent, n, 6379, "TCP"));
        out.insert(flow(&proxy, n, 6379, "TCP"));
    }
    for s in env.services.iter().filter(|s| in_cluster(&s.name)) {
        let n = s.name.as_str();
        out.insert(flow(n, "kube-dns", 53, "UDP"));
        out.insert(flow(n, "kube-dns", 53, "TCP"));
        for d in &s.depends_on {
            let t = env.service(&d.service).unwrap();
            if sentinel(t) {
                for port in d.ports.iter().filter(|p| **p != 26379) {
                    out.insert(flow(n, &format!("{}-proxy", t.name), *port, "TCP"));
                }
                out.insert(flow(n, &format!("{}-sentinel", t.name), 26379, "TCP"));
                continue;
            }
            for port in &d.ports {
                if !in_cluster(&t.name) {
                    out.insert(flow(n, "private-network", *port, proto(&t.name, *port)));
                } else if t.workload != WorkloadKind::Knative {
                    out.insert(flow(n, &t.name, *port, proto(&t.name, *port)));
                }
            }
            if in_cluster(&t.name) && t.workload == WorkloadKind::Knative {
                out.insert(flow(n, "knative-gateway", 8081, "TCP"));
            }
        }
        for e in &s.egress {
            let to = e.cidr.as_ref().map_or_else(|| "internet".to_string(), |c| format!("cidr:{c}"));
            let pr = if e.protocol == skyform_model::Protocol::Udp { "UDP" } else { "TCP" };
            out.insert(flow(n, &to, e.port, pr));
        }
        if s.workload == WorkloadKind::Knative {
            out.insert(flow("knative-gateway", n, 8012, "TCP"));
            out.insert(flow("knative-serving", n, 8012, "TCP"));
            out.insert(flow("knative-serving", n, 9090, "TCP"));
            continue;
        }
        if let Some(e) = &s.expose {
            let edge = if model.ingress.gateway.is_some() { "gateway" } else { "ingress-controller" };
            out.insert(flow(edge, n, e.port.port, proto(n, e.port.port)));
        }
        if let Some(m) = s.metrics.as_ref().filter(|_| model.observability.metrics) {
            out.insert(flow("monitoring", n, m.port.port, proto(n, m.port.port)));
        }
        let queue_target = env.services.iter().any(|x| {
            in_cluster(&x.name)
                && x.replicas.is_range()
                && x.autoscale.as_ref().and_then(|a| a.queue.as_ref()).is_some_and(|q| q.service == s.name)
        });
        if queue_target {
            let port = skyform_render::k8s::queue_port(s).unwrap();
            let to = if sentinel(s) { format!("{n}-proxy") } else { n.to_string() };
            out.insert(flow("keda", &to, port, proto(n, port)));
        }
    }
    // A host-only egress rule covers every public address, including declared CIDRs on
    // the same port: that is what "only a host name is known" means.
    for s in env.services.iter().filter(|s| in_cluster(&s.name)) {
        for e in s.egress.iter().filter(|e| e.cidr.is_none()) {
            for other in env.services.iter().flat_map(|x| &x.egress).filter_map(|x| x.cidr.as_ref()) {
                let public = !["10.", "172.16.", "192.168.", "169.254."].iter().any(|pre| other.starts_with(pre));
                if public {
                    out.insert(flow(&s.name, &format!("cidr:{other}"), e.port, "TCP"));
                }
            }
        }
    }
    out
}

/// Every platform under test, as written and with Gateway API exposure.
fn models() -> Vec<(String, Model)> {
    let mut out = Vec::new();
    for (label, path, _) in PLATFORMS {
        out.push(((*label).to_string(), load(path)));
        out.push((format!("{label} (gateway)"), gateway_variant(path)));
    }
    out
}

fn gateway_variant(rel: &str) -> Model {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    let text = text
        .replace("controller: nginx", "controller: envoy-gateway")
        .replace("controller: traefik", "controller: envoy-gateway");
    let model = skyform_model::compile(&text).unwrap_or_else(|d| panic!("{rel} (gateway) does not compile: {d:#?}"));
    assert!(model.ingress.gateway.is_some(), "{rel}: the variant must use the Gateway API");
    model
}

#[test]
fn policies_allow_exactly_the_declared_edges() {
    let mut checked = 0;
    for (label, model) in models() {
        for env in &model.environments {
            for p in ALL_PROVIDERS {
                let objects = render_objects(&model, env, p);
                let actual = allowed_flows(&objects, &model);
                let want = expected(&model, env, p);
                let extra: Vec<String> = actual.difference(&want).map(ToString::to_string).collect();
                let missing: Vec<String> = want.difference(&actual).map(ToString::to_string).collect();
                assert!(
                    extra.is_empty() && missing.is_empty(),
                    "{label} {} {}:\n  allowed but not declared: {extra:#?}\n  declared but not allowed: {missing:#?}",
                    env.name,
                    provider_name(p)
                );
                assert!(!actual.is_empty());
                checked += 1;
            }
        }
    }
    assert!(checked >= 2 * 2 * 3 * 3);
}

/// The Gateway's data plane reaches exactly the exposed services on their exposed ports —
/// the same edges the ingress controller has in the Ingress variant — and no other pod of
/// Envoy Gateway's namespace (another platform's Gateway) reaches them.
#[test]
fn the_gateway_reaches_exactly_the_exposed_services() {
    use skyform_render::netpol::{Endpoint, EndpointKind, Policies, endpoints};
    for (label, path, _) in PLATFORMS {
        let ingress_model = load(path);
        let gateway_model = gateway_variant(path);
        for (env_i, env) in gateway_model.environments.iter().enumerate() {
            for p in ALL_PROVIDERS {
                let via = |model: &Model, id: &str| -> BTreeSet<(String, u16)> {
                    let env = &model.environments[env_i];
                    allowed_flows(&render_objects(model, env, p), model)
                        .into_iter()
                        .filter(|f| f.from == id)
                        .map(|f| (f.to, f.port))
                        .collect()
                };
                let through_gateway = via(&gateway_model, "gateway");
                let through_ingress = via(&ingress_model, "ingress-controller");
                let exposed: BTreeSet<(String, u16)> = env
                    .services
                    .iter()
                    .filter(|s| !s.is_managed_on(p) && s.workload != WorkloadKind::Knative)
                    .filter_map(|s| s.expose.as_ref().map(|e| (s.name.clone(), e.port.port)))
                    .collect();
                assert_eq!(through_gateway, exposed, "{label} {} {}", env.name, provider_name(p));
                assert_eq!(
                    through_gateway,
                    through_ingress,
                    "{label} {} {}: gateway vs ingress",
                    env.name,
                    provider_name(p)
                );
                assert!(via(&gateway_model, "ingress-controller").is_empty());

                // A pod of another Gateway in the same namespace is refused.
                let objects = render_objects(&gateway_model, env, p);
                let policies = Policies::from_objects(&objects);
                let eps = endpoints(&objects, &gateway_model);
                let ours = eps.iter().find(|e| e.id == "gateway").unwrap();
                let mut stranger: Endpoint = ours.clone();
                stranger.id = "other-gateway".into();
                stranger.labels.insert(skyform_render::k8s::OWNING_GATEWAY_NAME.into(), "someone-else".into());
                assert_eq!(stranger.kind, EndpointKind::Cluster);
                for (svc, port) in &exposed {
                    let dst = eps.iter().find(|e| &e.id == svc).unwrap();
                    assert!(policies.ingress_allows(ours, dst, *port, "TCP"), "{label}: gateway → {svc}:{port}");
                    assert!(!policies.ingress_allows(&stranger, dst, *port, "TCP"), "{label}: stranger → {svc}:{port}");
                }
            }
        }
    }
}

/// The evaluator itself must see holes: without the allow policies only DNS is left, and
/// without default-deny a namespace's ingress is open.
#[test]
fn evaluator_detects_a_missing_default_deny() {
    let model = load(PLATFORMS[0].1);
    let env = &model.environments[0];
    let objects: Vec<_> = render_objects(&model, env, ProviderName::K3s)
        .into_iter()
        .filter(|o| !(o.kind == "NetworkPolicy" && o.name != "default-deny" && o.name != "allow-dns"))
        .collect();
    let flows = allowed_flows(&objects, &model);
    // Only DNS remains where default-deny is in place.
    assert!(flows.iter().all(|f| f.to == "kube-dns"), "{:?}", flows.iter().find(|f| f.to != "kube-dns"));
    let objects: Vec<_> = render_objects(&model, env, ProviderName::K3s)
        .into_iter()
        .filter(|o| {
            let service_policy = o.name.starts_with("allow-") && o.name != "allow-dns";
            let api_deny = o.name == "default-deny" && o.namespace.as_deref() == Some("health-platform-api");
            o.kind != "NetworkPolicy" || !(service_policy || api_deny)
        })
        .collect();
    let flows = allowed_flows(&objects, &model);
    // allow-dns still limits egress, but nothing limits ingress any more.
    assert!(
        flows.iter().any(|f| f.from == "internet" && f.to == "health-api"),
        "api namespace without default-deny must be open"
    );
    assert!(!flows.iter().any(|f| f.from == "health-api" && f.to == "internet"));
}
