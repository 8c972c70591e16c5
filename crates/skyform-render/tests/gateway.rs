//! Gateway API exposure: the objects (golden), the route kind per protocol, and every
//! Gateway API object validated against the Gateway API's own schema offline (the
//! `@kubernetes-models/gateway-api` validators that `scripts/setup-tools` installs).
#![allow(clippy::unwrap_used)]

use serde_json::Value;
use skyform_model::{Model, ProviderName};
use skyform_render::objects::{ALL_PROVIDERS, Object};
use skyform_render::{output, render_objects};
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn health_gateway() -> Model {
    let text = std::fs::read_to_string(root().join("examples/health-platform/platform.yaml")).unwrap();
    skyform_model::compile(&text.replace("controller: nginx", "controller: envoy-gateway")).unwrap()
}

const PROTOCOLS: &str = r#"
apiVersion: skyform.dev/v1alpha1
kind: Platform
metadata: { name: demo }
spec:
  domain: example.com
  tiers: [web, api, data]
  ingress: { controller: envoy-gateway, issuer: { name: letsencrypt-staging, acme: staging } }
  services:
    www:
      tier: web
      image: ghcr.io/example/www:1.0.0
      ports: [{ name: http, port: 8080 }]
      expose: { host: "www.{domain}", path: /shop }
    blog:
      tier: api
      image: ghcr.io/example/blog:1.0.0
      ports: [{ name: http, port: 8081 }]
      expose: { host: "www.{domain}", path: /blog }
    rpc:
      tier: api
      image: ghcr.io/example/rpc:1.0.0
      ports: [{ name: grpc, port: 9090 }]
      expose: { host: "rpc.{domain}" }
    status:
      tier: web
      image: ghcr.io/example/status:1.0.0
      ports: [{ name: http, port: 8082 }]
      expose: { host: "status.{domain}", tls: false }
    mqtt:
      tier: api
      image: ghcr.io/example/mqtt:1.0.0
      ports: [{ name: mqtts, port: 8883 }]
      expose: { host: "mqtt.{domain}", protocol: tls }
    db:
      tier: data
      image: ghcr.io/example/db:1.0.0
      ports: [{ name: pg, port: 5432 }]
      expose: { host: "db.{domain}", protocol: tcp }
    dns:
      tier: data
      image: ghcr.io/example/dns:1.0.0
      ports: [{ name: dns, port: 5353, protocol: UDP }]
      expose: { host: "dns.{domain}" }
"#;

fn is_gateway_api(o: &Object) -> bool {
    o.group() == "gateway.networking.k8s.io"
}

#[test]
fn golden_gateway_objects_of_the_health_example() {
    let model = health_gateway();
    let env = model.environment("production").unwrap();
    let objects: Vec<Object> = render_objects(&model, env, ProviderName::Aws)
        .into_iter()
        .filter(|o| {
            is_gateway_api(o)
                || o.namespace.as_deref() == Some("health-platform-gateway")
                || (o.kind == "Namespace" && o.name == "health-platform-gateway")
                || o.kind == "ClusterIssuer"
                || (o.kind == "NetworkPolicy" && o.name == "allow-health-api")
        })
        .collect();
    assert!(!objects.iter().any(|o| o.kind == "Ingress"), "no Ingress with Gateway API exposure");
    insta::assert_snapshot!("health-platform-gateway__production__aws", output::stream(&objects));
}

#[test]
fn every_protocol_gets_its_route_kind_and_listener() {
    let model = skyform_model::compile(PROTOCOLS).unwrap_or_else(|d| panic!("{d:#?}"));
    let objects = render_objects(&model, &model.environments[0], ProviderName::K3s);
    let kind_of = |name: &str| {
        objects
            .iter()
            .find(|o| is_gateway_api(o) && o.name == name && o.kind.ends_with("Route"))
            .map(|o| (o.api_version.as_str(), o.kind.as_str(), o.namespace.as_deref().unwrap_or("")))
    };
    assert_eq!(kind_of("www"), Some(("gateway.networking.k8s.io/v1", "HTTPRoute", "demo-web")));
    assert_eq!(kind_of("blog"), Some(("gateway.networking.k8s.io/v1", "HTTPRoute", "demo-api")));
    assert_eq!(kind_of("rpc"), Some(("gateway.networking.k8s.io/v1", "GRPCRoute", "demo-api")));
    assert_eq!(kind_of("status"), Some(("gateway.networking.k8s.io/v1", "HTTPRoute", "demo-web")));
    assert_eq!(kind_of("mqtt"), Some(("gateway.networking.k8s.io/v1alpha2", "TLSRoute", "demo-api")));
    assert_eq!(kind_of("db"), Some(("gateway.networking.k8s.io/v1alpha2", "TCPRoute", "demo-data")));
    assert_eq!(kind_of("dns"), Some(("gateway.networking.k8s.io/v1alpha2", "UDPRoute", "demo-data")));
    assert!(!objects.iter().any(|o| o.kind == "ReferenceGrant"), "routes live beside their backends");

    let gw = objects.iter().find(|o| o.kind == "Gateway").unwrap();
    assert_eq!(gw.namespace.as_deref(), Some("demo-gateway"));
    assert_eq!(
        gw.value.pointer("/metadata/annotations/cert-manager.io~1cluster-issuer"),
        Some(&Value::from("letsencrypt-staging"))
    );
    let listeners = gw.value.pointer("/spec/listeners").and_then(Value::as_array).unwrap();
    let summary: Vec<String> = listeners
        .iter()
        .map(|l| {
            format!(
                "{} {} {} {} {} {}",
                l["name"].as_str().unwrap(),
                l["protocol"].as_str().unwrap(),
                l["port"],
                l["hostname"].as_str().unwrap_or("*"),
                l.pointer("/tls/mode").and_then(Value::as_str).unwrap_or("-"),
                l.pointer("/allowedRoutes/namespaces/selector/matchExpressions/0/values").map_or_else(
                    || l.pointer("/allowedRoutes/namespaces/from").unwrap().to_string(),
                    ToString::to_string
                ),
            )
        })
        .collect();
    // One HTTPS listener per host (www is shared by two services in two namespaces).
    assert_eq!(
        summary,
        [
            r#"http HTTP 80 * - ["demo-gateway","demo-web"]"#,
            r#"https-rpc HTTPS 443 rpc.example.com Terminate ["demo-api"]"#,
            r#"https-blog HTTPS 443 www.example.com Terminate ["demo-api","demo-web"]"#,
            r#"tls-db TLS 5432 db.example.com Terminate ["demo-data"]"#,
            r#"udp-dns UDP 5353 * - ["demo-data"]"#,
            r#"tls-mqtt TLS 8883 mqtt.example.com Passthrough ["demo-api"]"#,
        ]
    );
    // Routes attach to the listener meant for them.
    let section = |name: &str| {
        objects
            .iter()
            .find(|o| o.name == name && o.kind.ends_with("Route"))
            .and_then(|o| o.value.pointer("/spec/parentRefs/0/sectionName"))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    assert_eq!(section("www").as_deref(), Some("https-blog"));
    assert_eq!(section("status").as_deref(), Some("http"));
    assert_eq!(section("dns").as_deref(), Some("udp-dns"));
    // The redirect covers the TLS hosts only.
    let redirect = objects.iter().find(|o| o.name == "https-redirect").unwrap();
    assert_eq!(
        redirect.value.pointer("/spec/hostnames"),
        Some(&serde_json::json!(["rpc.example.com", "www.example.com"]))
    );
    // The ACME solver is reached through the Gateway.
    let issuer = objects.iter().find(|o| o.kind == "ClusterIssuer").unwrap();
    assert_eq!(
        issuer.value.pointer("/spec/acme/solvers/0/http01/gatewayHTTPRoute/parentRefs/0/name"),
        Some(&Value::from("demo"))
    );
}

/// Every Gateway API object (and the ClusterIssuer with its Gateway solver) of the health
/// example and the protocol fixture, on every provider, through the real schema.
#[test]
fn gateway_api_objects_validate_against_the_gateway_api_schema() {
    let mut items = Vec::new();
    let models = [health_gateway(), skyform_model::compile(PROTOCOLS).unwrap()];
    for model in &models {
        for env in &model.environments {
            for p in ALL_PROVIDERS {
                for o in render_objects(model, env, p) {
                    if is_gateway_api(&o) || o.kind == "ClusterIssuer" {
                        let id = format!("{}/{}/{}/{}", model.name, env.name, o.kind, o.name);
                        items.push(serde_json::json!({"id": id, "object": o.value}));
                    }
                }
            }
        }
    }
    let kinds: std::collections::BTreeSet<&str> =
        items.iter().filter_map(|i| i.pointer("/object/kind").and_then(Value::as_str)).collect();
    for k in ["GatewayClass", "Gateway", "HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute", "ClusterIssuer"]
    {
        assert!(kinds.contains(k), "{k} is not covered");
    }
    let tools = root().join(".tools");
    assert!(
        tools.join("node/node_modules/@kubernetes-models/gateway-api").is_dir(),
        "the Gateway API validators are missing: run `scripts/setup-tools` from the workspace root first"
    );
    let mut child = Command::new("node")
        .arg(root().join("scripts/validate-crds.mjs"))
        .env("SKYFORM_TOOLS", &tools)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node runs");
    child.stdin.take().unwrap().write_all(Value::Array(items.clone()).to_string().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "validate-crds failed: {}", String::from_utf8_lossy(&out.stderr));
    let results: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(results.len(), items.len());
    let bad: Vec<&Value> = results.iter().filter(|r| r["status"] != "ok").collect();
    assert!(bad.is_empty(), "{bad:#?}");
    // The validators must be able to fail: a listener without a port is rejected.
    let mut broken = items.iter().find(|i| i["object"]["kind"] == "Gateway").unwrap().clone();
    broken["object"]["spec"]["listeners"][0].as_object_mut().unwrap().remove("port");
    broken["object"]["spec"]["listeners"][1]["protocol"] = Value::from(7);
    let mut child = Command::new("node")
        .arg(root().join("scripts/validate-crds.mjs"))
        .env("SKYFORM_TOOLS", &tools)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(Value::Array(vec![broken]).to_string().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let results: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(results[0]["status"], "invalid", "{results:#?}");
}
