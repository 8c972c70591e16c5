//! **WRK-010 `non-http-port-behind-ingress`**: An HTTP Ingress or HTTPRoute sends traffic to a Service port that does not speak HTTP/1 (PostgreSQL 5432, Redis 6379, AMQP 5672, MySQL 3306, MongoDB 27017, Kafka 9092, …), or to a gRPC port (Temporal 7233, OTLP 4317, `grpc*` names) without the annotation the controller needs.
//!
//! *Why:* The proxy speaks HTTP to a database or a gRPC server and every request fails with 502/400, although every object validates.
//!
//! *Fix:* Expose databases and brokers inside the cluster only (or through a TCP/TLS route); for gRPC set `nginx.ingress.kubernetes.io/backend-protocol: GRPC` (or `appProtocol: kubernetes.io/h2c` for Gateway API) or use a GRPCRoute.
//!
//! *Severity:* error.
//!
//! *Maps to:* nothing in checkov, kube-linter, Polaris or kube-score.

#[allow(unused_imports)]
use super::prelude::*;
use crate::works::Target;

pub const RULE: Rule = Rule {
    id: "WRK-010",
    name: "non-http-port-behind-ingress",
    severity: Severity::Error,
    category: Category::Works,
    default_enabled: true,
    summary: "An HTTP Ingress/HTTPRoute routes to a non-HTTP Service port (database, broker) or to gRPC without the controller's annotation.",
    hint: "Keep databases and brokers internal (or use a TCP/TLS route); for gRPC set `nginx.ingress.kubernetes.io/backend-protocol: GRPC`, `appProtocol: kubernetes.io/h2c`, or use a GRPCRoute.",
    refs: Refs::NONE,
    check,
};

const NON_HTTP: &[(u16, &str)] = &[
    (5432, "PostgreSQL"),
    (6379, "Redis"),
    (5672, "AMQP"),
    (5671, "AMQPS"),
    (3306, "MySQL"),
    (27017, "MongoDB"),
    (9092, "Kafka"),
    (2181, "ZooKeeper"),
    (11211, "Memcached"),
    (4222, "NATS"),
    (1883, "MQTT"),
    (9042, "Cassandra"),
    (26257, "CockroachDB SQL"),
];
const GRPC: &[u16] = &[7233, 4317, 9095];
const NON_HTTP_NAMES: &[&str] =
    &["postgres", "postgresql", "redis", "amqp", "amqps", "mysql", "mongodb", "mongo", "kafka", "tcp", "nats", "mqtt"];

/// What a Service port speaks when it is not HTTP: `Some((protocol, is_grpc))`.
fn speaks(port: &Node, number: u16) -> Option<(String, bool)> {
    let name = text(Some(port), "name").unwrap_or("").to_ascii_lowercase();
    let app = text(Some(port), "appProtocol").unwrap_or("").to_ascii_lowercase();
    let target = port.get("targetPort").and_then(Node::as_i64).and_then(|n| u16::try_from(n).ok());
    if app.contains("h2c")
        || app == "grpc"
        || name.starts_with("grpc")
        || GRPC.contains(&number)
        || target.is_some_and(|t| GRPC.contains(&t))
    {
        return Some(("gRPC".to_string(), true));
    }
    if app.starts_with("http") || app == "kubernetes.io/ws" || app == "kubernetes.io/wss" || name.starts_with("http") {
        return None;
    }
    if let Some((_, p)) = NON_HTTP.iter().find(|(n, _)| *n == number || Some(*n) == target) {
        return Some(((*p).to_string(), false));
    }
    NON_HTTP_NAMES.iter().find(|n| name == **n || app == **n).map(|n| ((*n).to_string(), false))
}

fn grpc_declared(route: &Object, svc: &Object, port: &Node) -> bool {
    let declares = |ann: Option<&Node>| {
        ann.and_then(Node::as_map).unwrap_or(&[]).iter().any(|e| {
            let v = e.value.scalar_text().unwrap_or_default().to_ascii_lowercase();
            (e.key.contains("backend-protocol") || e.key.contains("serversscheme") || e.key.contains("protocol"))
                && (v.contains("grpc") || v.contains("h2c") || v.contains("h2"))
        })
    };
    let app = text(Some(port), "appProtocol").unwrap_or("").to_ascii_lowercase();
    declares(route.annotations()) || declares(svc.annotations()) || app.contains("h2c") || app == "grpc"
}

fn check(cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    let mut backends: Vec<(&Node, &str, Option<&Node>)> = Vec::new(); // (span node, service, port node)
    match (obj.group(), obj.kind.as_str()) {
        ("networking.k8s.io", "Ingress") => {
            let spec = obj.spec();
            let mut all: Vec<&Node> = spec.and_then(|s| s.get("defaultBackend")).into_iter().collect();
            for r in spec.and_then(|s| s.get("rules")).and_then(Node::as_seq).unwrap_or(&[]) {
                for p in r.get("http").and_then(|h| h.get("paths")).and_then(Node::as_seq).unwrap_or(&[]) {
                    all.extend(p.get("backend"));
                }
            }
            for b in all {
                if let Some(s) = b.get("service")
                    && let Some(name) = text(Some(s), "name")
                {
                    backends.push((s, name, s.get("port")));
                }
            }
        }
        (g, "HTTPRoute") if g.starts_with("gateway.networking.k8s.io") => {
            for r in obj.spec().and_then(|s| s.get("rules")).and_then(Node::as_seq).unwrap_or(&[]) {
                for b in r.get("backendRefs").and_then(Node::as_seq).unwrap_or(&[]) {
                    let kind = text(Some(b), "kind").unwrap_or("Service");
                    if kind == "Service"
                        && let Some(name) = text(Some(b), "name")
                    {
                        backends.push((b, name, Some(b)));
                    }
                }
            }
        }
        _ => return,
    }
    for (node, service, port_ref) in backends {
        let Some(Target::Service(svc)) = cx.index.works.services.get(&(obj.ns().to_string(), service.to_string()))
        else {
            continue;
        };
        let wanted_num = port_ref.and_then(|p| p.get("number").or_else(|| p.get("port"))).and_then(Node::as_i64);
        let wanted_name = port_ref.and_then(|p| text(Some(p), "name")).filter(|_| obj.kind == "Ingress");
        for p in svc.spec().and_then(|s| s.get("ports")).and_then(Node::as_seq).unwrap_or(&[]) {
            let Some(number) = p.get("port").and_then(Node::as_i64).and_then(|n| u16::try_from(n).ok()) else {
                continue;
            };
            let matches = match (wanted_num, wanted_name) {
                (Some(n), _) => n == i64::from(number),
                (None, Some(name)) => text(Some(p), "name") == Some(name),
                (None, None) => true,
            };
            if !matches {
                continue;
            }
            match speaks(p, number) {
                Some((proto, true)) if !grpc_declared(obj, svc, p) => {
                    out.at(
                        node.span,
                        format!(
                            "{} routes HTTP to Service `{service}` port {number}, which serves {proto}, without declaring it to the controller",
                            obj.kind
                        ),
                    );
                }
                Some((proto, false)) => {
                    out.at(
                        node.span,
                        format!(
                            "{} routes HTTP to Service `{service}` port {number}, which speaks {proto}, not HTTP",
                            obj.kind
                        ),
                    );
                }
                _ => {}
            }
        }
    }
}
