//! Gateway API exposure through Envoy Gateway (`ingress.controller: envoy-gateway`).
//!
//! One Gateway per platform, not per tier: every Gateway gets its own Envoy fleet and
//! load balancer from Envoy Gateway, so one per platform keeps the single public address
//! (and cost) the Ingress variant has, while its listeners still admit each route only
//! from the namespace of the service it exposes. The Gateway lives in a namespace of its
//! own, `<platform>-gateway` (Pod Security `restricted`, default deny): it holds the
//! Gateway, the TLS Secrets cert-manager issues for its listeners and cert-manager's
//! HTTP-01 solver pods, nothing else. The Envoy pods run in Envoy Gateway's namespace
//! (`envoy-gateway-system` by default, `ingress.namespace`), labelled with the owning
//! Gateway's name and namespace; NetworkPolicies admit exactly those pods.
//!
//! - `GatewayClass` (cluster-scoped, default `envoy`, controller
//!   `gateway.envoyproxy.io/gatewayclass-controller`).
//! - `Gateway` `<platform>`: listener `http` (port 80: HTTP-01 challenges, the
//!   HTTP→HTTPS redirect and services with `tls: false`); one `https-<service>` listener
//!   per TLS host (port 443, `certificateRefs` to `<service>-tls` in the Gateway's
//!   namespace, issued through cert-manager's Gateway support, the annotation
//!   `cert-manager.io/cluster-issuer`); one `tcp-`/`tls-`/`udp-<service>` listener on the
//!   service's own port for non-HTTP exposure. Each listener admits routes only from the
//!   namespaces of the services it carries.
//! - A route per exposed service, in the service's namespace, by what its port speaks:
//!   HTTPRoute, GRPCRoute (`gateway.networking.k8s.io/v1`), TLSRoute (passthrough),
//!   TCPRoute, UDPRoute (`v1alpha2`, the experimental channel Envoy Gateway installs).
//! - HTTPRoute `https-redirect` in the Gateway's namespace (301 to HTTPS for TLS hosts).
//!
//! No ReferenceGrant is needed, by construction: every route lives beside the Service it
//! sends to, and every certificate Secret beside the Gateway that uses it. (`skyform
//! check` flags a route whose backend crosses namespaces without a ReferenceGrant.)
//! Knative Services keep their DomainMapping (they are reached through Kourier).

use super::Ctx;
use super::network::{self, pod_peer};
use crate::objects::{Object, meta, platform_labels, service_labels, tls_secret_name};
use k8s_openapi::api::networking::v1::{NetworkPolicy, NetworkPolicyIngressRule, NetworkPolicyPort, NetworkPolicySpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde_json::{Map, Value, json};
use skyform_model::{ExposeProtocol, GatewayTarget, Model, PodSecurityLevel, Service, WorkloadKind};
use std::collections::{BTreeMap, BTreeSet};

/// API version of Gateway, GatewayClass, HTTPRoute and GRPCRoute (standard channel).
pub const GATEWAY_API_V1: &str = "gateway.networking.k8s.io/v1";
/// API version of TLSRoute, TCPRoute and UDPRoute (experimental channel).
pub const GATEWAY_API_V1ALPHA2: &str = "gateway.networking.k8s.io/v1alpha2";
/// Envoy Gateway's controller name for GatewayClasses.
pub const ENVOY_GATEWAY_CONTROLLER: &str = "gateway.envoyproxy.io/gatewayclass-controller";
/// Labels Envoy Gateway puts on the Envoy pods of a Gateway.
pub const OWNING_GATEWAY_NAME: &str = "gateway.envoyproxy.io/owning-gateway-name";
pub const OWNING_GATEWAY_NAMESPACE: &str = "gateway.envoyproxy.io/owning-gateway-namespace";
/// Label and port of cert-manager's HTTP-01 solver pods.
pub const ACME_SOLVER_LABEL: (&str, &str) = ("acme.cert-manager.io/http01-solver", "true");
pub const ACME_SOLVER_PORT: u16 = 8089;
/// Name of the Gateway's plain-HTTP listener.
pub const HTTP_LISTENER: &str = "http";

/// Pod labels of the Envoy data plane that Envoy Gateway runs for `g`.
pub fn data_plane_labels(g: &GatewayTarget) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("app.kubernetes.io/component".to_string(), "proxy".to_string()),
        ("app.kubernetes.io/name".to_string(), "envoy".to_string()),
        (OWNING_GATEWAY_NAME.to_string(), g.name.clone()),
        (OWNING_GATEWAY_NAMESPACE.to_string(), g.namespace.clone()),
    ])
}

/// Services the Gateway carries: exposed, in the cluster, not Knative.
pub fn routed<'a>(cx: &'a Ctx<'_>) -> Vec<&'a Service> {
    if cx.model.ingress.gateway.is_none() {
        return Vec::new();
    }
    cx.in_cluster_services()
        .filter(|s| s.expose.as_ref().is_some_and(|e| !e.load_balancer) && s.workload != WorkloadKind::Knative)
        .collect()
}

/// Whether a service's exposure ends on an HTTPS listener (HTTP or gRPC with TLS).
fn on_https(s: &Service) -> bool {
    s.expose.as_ref().is_some_and(|e| e.tls && matches!(e.protocol, ExposeProtocol::Http | ExposeProtocol::Grpc))
}

/// The listener a service's route attaches to.
pub fn listener_name(s: &Service, https_owner: &BTreeMap<String, String>) -> String {
    let Some(e) = &s.expose else { return HTTP_LISTENER.into() };
    match e.protocol {
        ExposeProtocol::Http | ExposeProtocol::Grpc if e.tls => {
            format!("https-{}", https_owner.get(&e.host).map_or(s.name.as_str(), String::as_str))
        }
        ExposeProtocol::Http | ExposeProtocol::Grpc => HTTP_LISTENER.into(),
        ExposeProtocol::Tls => format!("tls-{}", s.name),
        ExposeProtocol::Tcp if e.tls => format!("tls-{}", s.name),
        ExposeProtocol::Tcp => format!("tcp-{}", s.name),
        ExposeProtocol::Udp => format!("udp-{}", s.name),
    }
}

/// Host → the first service (by name) exposing it over HTTPS: it names the listener and
/// the certificate Secret.
fn https_owners(services: &[&Service]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for s in services.iter().filter(|s| on_https(s)) {
        if let Some(e) = &s.expose {
            out.entry(e.host.clone()).or_insert_with(|| s.name.clone());
        }
    }
    out
}

fn allowed_from(gw_ns: &str, namespaces: &BTreeSet<String>, kinds: &[&str]) -> Value {
    let ns = if namespaces.len() == 1 && namespaces.contains(gw_ns) {
        json!({"from": "Same"})
    } else {
        json!({"from": "Selector", "selector": {"matchExpressions": [{
            "key": network::NAMESPACE_NAME_LABEL,
            "operator": "In",
            "values": namespaces.iter().collect::<Vec<_>>(),
        }]}})
    };
    let mut v = json!({"namespaces": ns});
    if !kinds.is_empty() {
        v["kinds"] = Value::Array(kinds.iter().map(|k| json!({"kind": k})).collect());
    }
    v
}

fn cert_ref(secret: &str) -> Value {
    json!({"group": "", "kind": "Secret", "name": secret})
}

/// The Gateway's listeners, by name.
fn listeners(g: &GatewayTarget, services: &[&Service]) -> Vec<Value> {
    let owners = https_owners(services);
    let mut out = Vec::new();
    let tls_any = services.iter().any(|s| s.expose.as_ref().is_some_and(|e| e.tls));
    let plain: BTreeSet<String> = services
        .iter()
        .filter(|s| listener_name(s, &owners) == HTTP_LISTENER)
        .map(|s| s.namespace.clone())
        .chain(std::iter::once(g.namespace.clone()))
        .collect();
    if tls_any || plain.len() > 1 {
        out.push(json!({
            "name": HTTP_LISTENER,
            "protocol": "HTTP",
            "port": 80,
            "allowedRoutes": allowed_from(&g.namespace, &plain, &[]),
        }));
    }
    for (host, owner) in &owners {
        let namespaces: BTreeSet<String> = services
            .iter()
            .filter(|s| on_https(s) && s.expose.as_ref().is_some_and(|e| &e.host == host))
            .map(|s| s.namespace.clone())
            .collect();
        out.push(json!({
            "name": format!("https-{owner}"),
            "protocol": "HTTPS",
            "port": 443,
            "hostname": host,
            "tls": {"mode": "Terminate", "certificateRefs": [cert_ref(&tls_secret_name(owner))]},
            "allowedRoutes": allowed_from(&g.namespace, &namespaces, &[]),
        }));
    }
    for s in services {
        let Some(e) = &s.expose else { continue };
        let only: BTreeSet<String> = BTreeSet::from([s.namespace.clone()]);
        let name = listener_name(s, &owners);
        let port = e.port.port;
        let listener = match e.protocol {
            ExposeProtocol::Http | ExposeProtocol::Grpc => continue,
            ExposeProtocol::Tls => json!({
                "name": name, "protocol": "TLS", "port": port, "hostname": e.host,
                "tls": {"mode": "Passthrough"},
                "allowedRoutes": allowed_from(&g.namespace, &only, &["TLSRoute"]),
            }),
            ExposeProtocol::Tcp if e.tls => json!({
                "name": name, "protocol": "TLS", "port": port, "hostname": e.host,
                "tls": {"mode": "Terminate", "certificateRefs": [cert_ref(&tls_secret_name(&s.name))]},
                "allowedRoutes": allowed_from(&g.namespace, &only, &["TCPRoute"]),
            }),
            ExposeProtocol::Tcp => json!({
                "name": name, "protocol": "TCP", "port": port,
                "allowedRoutes": allowed_from(&g.namespace, &only, &["TCPRoute"]),
            }),
            ExposeProtocol::Udp => json!({
                "name": name, "protocol": "UDP", "port": port,
                "allowedRoutes": allowed_from(&g.namespace, &only, &["UDPRoute"]),
            }),
        };
        out.push(listener);
    }
    out
}

fn custom(api: &str, kind: &str, m: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta, spec: Value) -> Object {
    let mut body = Map::new();
    body.insert("spec".into(), spec);
    Object::custom(api, kind, m, body)
}

fn parent_ref(g: &GatewayTarget, section: &str) -> Value {
    json!({
        "group": "gateway.networking.k8s.io",
        "kind": "Gateway",
        "name": g.name,
        "namespace": g.namespace,
        "sectionName": section,
    })
}

/// The route of one exposed service.
fn route(model: &Model, g: &GatewayTarget, s: &Service, owners: &BTreeMap<String, String>) -> Option<Object> {
    let e = s.expose.as_ref()?;
    let parent = parent_ref(g, &listener_name(s, owners));
    let backend = json!([{"group": "", "kind": "Service", "name": s.name, "port": e.port.port}]);
    let m = meta(&s.name, Some(&s.namespace), service_labels(model, s), BTreeMap::new());
    Some(match e.protocol {
        ExposeProtocol::Http => custom(
            GATEWAY_API_V1,
            "HTTPRoute",
            m,
            json!({
                "parentRefs": [parent],
                "hostnames": [e.host],
                "rules": [{
                    "matches": [{"path": {"type": "PathPrefix", "value": e.path}}],
                    "backendRefs": backend,
                }],
            }),
        ),
        ExposeProtocol::Grpc => custom(
            GATEWAY_API_V1,
            "GRPCRoute",
            m,
            json!({"parentRefs": [parent], "hostnames": [e.host], "rules": [{"backendRefs": backend}]}),
        ),
        ExposeProtocol::Tls => custom(
            GATEWAY_API_V1ALPHA2,
            "TLSRoute",
            m,
            json!({"parentRefs": [parent], "hostnames": [e.host], "rules": [{"backendRefs": backend}]}),
        ),
        ExposeProtocol::Tcp => custom(
            GATEWAY_API_V1ALPHA2,
            "TCPRoute",
            m,
            json!({"parentRefs": [parent], "rules": [{"backendRefs": backend}]}),
        ),
        ExposeProtocol::Udp => custom(
            GATEWAY_API_V1ALPHA2,
            "UDPRoute",
            m,
            json!({"parentRefs": [parent], "rules": [{"backendRefs": backend}]}),
        ),
    })
}

/// Every Gateway API object of the environment (empty without Gateway API exposure or
/// without an exposed service).
pub fn objects(cx: &Ctx<'_>) -> Vec<Object> {
    let model = cx.model;
    let Some(g) = &model.ingress.gateway else { return Vec::new() };
    let services = routed(cx);
    if services.is_empty() {
        return Vec::new();
    }
    let labels = platform_labels(model);
    let mut out = Vec::new();
    if !model.tiers.iter().any(|t| t.namespace == g.namespace) {
        out.push(super::namespace(model, &g.namespace, PodSecurityLevel::Restricted, None));
        out.extend(network::namespace_policies(cx, &g.namespace));
    }
    let tls_any = services.iter().any(|s| s.expose.as_ref().is_some_and(|e| e.tls));
    if tls_any {
        out.push(solver_policy(cx, g));
    }
    out.push(Object::custom(
        GATEWAY_API_V1,
        "GatewayClass",
        meta(&model.ingress.class_name, None, labels.clone(), BTreeMap::new()),
        Map::from_iter([("spec".to_string(), json!({"controllerName": ENVOY_GATEWAY_CONTROLLER}))]),
    ));
    let annotations = if tls_any {
        BTreeMap::from([("cert-manager.io/cluster-issuer".to_string(), model.ingress.issuer.name.clone())])
    } else {
        BTreeMap::new()
    };
    out.push(custom(
        GATEWAY_API_V1,
        "Gateway",
        meta(&g.name, Some(&g.namespace), labels.clone(), annotations),
        json!({"gatewayClassName": model.ingress.class_name, "listeners": listeners(g, &services)}),
    ));
    let owners = https_owners(&services);
    if !owners.is_empty() {
        out.push(custom(
            GATEWAY_API_V1,
            "HTTPRoute",
            meta("https-redirect", Some(&g.namespace), labels, BTreeMap::new()),
            json!({
                "parentRefs": [parent_ref(g, HTTP_LISTENER)],
                "hostnames": owners.keys().collect::<Vec<_>>(),
                "rules": [{"filters": [{"type": "RequestRedirect", "requestRedirect": {"scheme": "https", "statusCode": 301}}]}],
            }),
        ));
    }
    out.extend(services.iter().filter_map(|s| route(model, g, s, &owners)));
    out
}

/// `allow-acme-http01-solver`: the Gateway's data plane may reach cert-manager's HTTP-01
/// solver pods (created in the Gateway's namespace, beside the Certificates).
fn solver_policy(cx: &Ctx<'_>, g: &GatewayTarget) -> Object {
    let np = NetworkPolicy {
        metadata: meta("allow-acme-http01-solver", Some(&g.namespace), platform_labels(cx.model), BTreeMap::new()),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(LabelSelector {
                match_labels: Some(BTreeMap::from([(
                    ACME_SOLVER_LABEL.0.to_string(),
                    ACME_SOLVER_LABEL.1.to_string(),
                )])),
                ..LabelSelector::default()
            }),
            policy_types: Some(vec!["Ingress".into()]),
            ingress: Some(vec![NetworkPolicyIngressRule {
                from: Some(vec![pod_peer(&cx.model.ingress.namespace, data_plane_labels(g))]),
                ports: Some(vec![NetworkPolicyPort {
                    port: Some(IntOrString::Int(i32::from(ACME_SOLVER_PORT))),
                    protocol: Some("TCP".into()),
                    ..NetworkPolicyPort::default()
                }]),
            }]),
            ..NetworkPolicySpec::default()
        }),
    };
    Object::typed(&np)
}

/// The ClusterIssuer's HTTP-01 solver for Gateway API exposure: cert-manager attaches its
/// temporary HTTPRoute to the Gateway's `http` listener.
pub fn http01_solver(g: &GatewayTarget) -> Value {
    json!({"http01": {"gatewayHTTPRoute": {"parentRefs": [parent_ref(g, HTTP_LISTENER)]}}})
}
