//! Gateway API exposure in the model, and the lifecycle warnings of `validate`.

use skyform_model::{ExposeProtocol, IngressController, lifecycle};
use skyform_spec::{Code, Diagnostic, Severity};
use std::path::Path;

fn example(name: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    std::fs::read_to_string(root.join(name).join("platform.yaml")).expect("example exists")
}

fn warnings(text: &str) -> Vec<Diagnostic> {
    let loaded = skyform_spec::load_platform(text).expect("loads");
    let (model, diags) = skyform_model::lower_with_warnings(&loaded);
    assert!(model.is_some());
    assert!(diags.iter().all(|d| d.severity == Severity::Warning), "{diags:#?}");
    diags
}

/// 1-based line of the first line containing `needle`.
fn line_of(text: &str, needle: &str) -> u32 {
    let i = text.lines().position(|l| l.contains(needle)).unwrap_or_else(|| panic!("`{needle}` not in the file"));
    u32::try_from(i + 1).unwrap_or(0)
}

#[test]
fn the_health_example_warns_about_retired_components_where_they_are_chosen() {
    let text = example("health-platform");
    let diags = warnings(&text);
    let lifecycle: Vec<&Diagnostic> = diags.iter().filter(|d| d.code == Code::Lifecycle).collect();
    let find = |what: &str| {
        lifecycle
            .iter()
            .find(|d| d.message.contains(what))
            .unwrap_or_else(|| panic!("no lifecycle warning about {what}: {lifecycle:#?}"))
    };
    let nginx = find("ingress-nginx");
    assert_eq!(nginx.line, line_of(&text, "controller: nginx"));
    assert!(nginx.message.contains("retired since 2026-03"), "{}", nginx.message);
    assert!(nginx.hints[0].contains("controller: envoy-gateway"), "{:?}", nginx.hints);
    let minio = find("MinIO");
    assert_eq!(minio.line, line_of(&text, "component: minio"));
    assert!(minio.hints[0].contains("SeaweedFS"), "{:?}", minio.hints);
    let promtail = find("Promtail");
    assert_eq!(promtail.line, line_of(&text, "stack: loki-promtail"));
    let vault = find("HashiCorp Vault");
    assert_eq!(vault.line, line_of(&text, "backend: vault"));
    assert!(vault.hints[0].contains("OpenBao"));
    // Warnings only: the model still compiles.
    assert!(skyform_model::compile(&text).is_ok());
}

#[test]
fn choosing_the_gateway_api_silences_the_ingress_warning_and_resolves_the_gateway() {
    let text = example("health-platform").replace("controller: nginx", "controller: envoy-gateway");
    let diags = warnings(&text);
    assert!(!diags.iter().any(|d| d.message.contains("ingress-nginx")), "{diags:#?}");
    let model = skyform_model::compile(&text).expect("valid");
    assert_eq!(model.ingress.controller, IngressController::EnvoyGateway);
    assert_eq!(model.ingress.class_name, "envoy");
    assert_eq!(model.ingress.namespace, "envoy-gateway-system");
    let g = model.ingress.gateway.as_ref().expect("a Gateway");
    assert_eq!((g.name.as_str(), g.namespace.as_str()), ("health-platform", "health-platform-gateway"));
    let env = model.environment("production").expect("production");
    let exposed: Vec<_> = env.services.iter().filter_map(|s| s.expose.as_ref()).collect();
    assert_eq!(exposed.len(), 2);
    assert!(exposed.iter().all(|e| e.protocol == ExposeProtocol::Http && e.tls));
}

#[test]
fn exposure_protocols_are_inferred_or_written() {
    let text = r#"
apiVersion: skyform.dev/v1alpha1
kind: Platform
metadata: { name: demo }
spec:
  domain: example.com
  tiers: [api]
  ingress: { controller: envoy-gateway }
  services:
    rpc:
      tier: api
      image: ghcr.io/example/rpc:1.0.0
      ports: [{ name: grpc, port: 9090 }]
      expose: { host: "rpc.{domain}" }
    dns:
      tier: api
      image: ghcr.io/example/dns:1.0.0
      ports: [{ name: dns, port: 5353, protocol: UDP }]
      expose: { host: "dns.{domain}" }
    mqtt:
      tier: api
      image: ghcr.io/example/mqtt:1.0.0
      ports: [{ name: mqtt, port: 8883 }]
      expose: { host: "mqtt.{domain}", protocol: tls }
    db:
      tier: api
      image: ghcr.io/example/db:1.0.0
      ports: [{ name: pg, port: 5432 }]
      expose: { host: "db.{domain}", protocol: tcp }
"#;
    let model = skyform_model::compile(text).unwrap_or_else(|d| panic!("{d:#?}"));
    let env = &model.environments[0];
    let get = |n: &str| env.service(n).and_then(|s| s.expose.clone()).expect("exposed");
    assert_eq!(get("rpc").protocol, ExposeProtocol::Grpc);
    assert!(get("rpc").tls);
    assert_eq!(get("dns").protocol, ExposeProtocol::Udp);
    assert!(!get("dns").tls, "UDP is never TLS-terminated");
    assert_eq!(get("mqtt").protocol, ExposeProtocol::Tls);
    assert!(!get("mqtt").tls, "passthrough: the service terminates TLS");
    assert_eq!(get("db").protocol, ExposeProtocol::Tcp);
    assert!(get("db").tls, "TCP is TLS-terminated at the Gateway by default");
    // Through an Ingress, the same grpc-named port stays HTTP (as before the Gateway API).
    let ingress = skyform_model::compile(
        &text.replace("ingress: { controller: envoy-gateway }", "ingress: { controller: traefik }").replace(
            "    dns:\n      tier: api\n      image: ghcr.io/example/dns:1.0.0\n      ports: [{ name: dns, port: 5353, protocol: UDP }]\n      expose: { host: \"dns.{domain}\" }\n",
            "",
        ).replace(", protocol: tls", "").replace(", protocol: tcp", ""),
    )
    .unwrap_or_else(|d| panic!("{d:#?}"));
    let rpc = ingress.environments[0].service("rpc").and_then(|s| s.expose.clone()).expect("exposed");
    assert_eq!(rpc.protocol, ExposeProtocol::Http);
}

#[test]
fn maintained_choices_do_not_warn() {
    let text = example("resimate")
        .replace("controller: nginx", "controller: envoy-gateway")
        .replace("backend: vault", "backend: sealed-secrets");
    let diags = warnings(&text);
    let backend = line_of(&text, "backend: sealed-secrets");
    let lifecycle: Vec<&Diagnostic> = diags.iter().filter(|d| d.code == Code::Lifecycle).collect();
    assert!(lifecycle.iter().all(|d| !d.message.contains("ingress-nginx") && d.line != backend), "{lifecycle:#?}");
    // resimate runs Vault itself (`component: vault`): that line still warns.
    assert!(
        lifecycle
            .iter()
            .any(|d| d.message.starts_with("HashiCorp Vault") && d.line == line_of(&text, "component: vault"))
    );
}

#[test]
fn the_table_names_a_replacement_for_every_component_it_warns_about() {
    for id in ["ingress-nginx", "promtail", "minio", "bitnami-images", "vault"] {
        let c = lifecycle::component(id).expect("row");
        assert_ne!(c.status, lifecycle::Status::Maintained, "{id}");
        assert!(c.replacement.is_some(), "{id}");
    }
    for id in ["envoy-gateway", "fluent-bit", "openbao", "traefik"] {
        assert_eq!(lifecycle::component(id).map(|c| c.status), Some(lifecycle::Status::Maintained), "{id}");
    }
}
