//! Ports: the ones compose declares (`ports:`, `expose:`), the ones learned when it
//! declares none (healthcheck URLs, listen flags and variables, the addresses other
//! services connect to, the image's documented ports), their names and protocols, and
//! public exposure by protocol (HTTP through the ingress, TCP and gRPC through a
//! LoadBalancer Service).

use super::text::{port_number, port_range, shell_split};
use super::{AppProto, Basic, ContainerPort, Converter, OutExpose, OutPort, OutService};
use crate::classify::{self, Address, Role};
use crate::load::Project;
use crate::report::Outcome;
use crate::tree::{CNode, CValue, Loc};
use crate::wellknown::{image_ports, port_proto, tcp_port_name};
use skyform_model::component_defaults;
use skyform_spec::raw::ComponentKind;
use skyform_spec::{Code, Diagnostic};
use std::collections::BTreeMap;

/// A port learned for a service, with the evidence.
struct Learned {
    port: u16,
    proto: Option<AppProto>,
    why: String,
    loc: Loc,
}

impl Converter<'_, '_> {
    pub(super) fn container_ports(&mut self, svc: &str, node: &CNode) -> Vec<ContainerPort> {
        let mut out: Vec<ContainerPort> = Vec::new();
        for item in node.get("ports").and_then(CNode::as_seq).unwrap_or(&[]) {
            let parsed: Option<Vec<ContainerPort>> = match &item.value {
                CValue::Int(i) => u16::try_from(*i).ok().filter(|p| *p > 0).map(|p| {
                    vec![ContainerPort {
                        port: p,
                        udp: false,
                        published: None,
                        loc: item.loc,
                        proto: None,
                        declared: true,
                    }]
                }),
                CValue::String(s) => parse_port_short(s, item.loc),
                CValue::Map(_) => {
                    let target = item.get("target").and_then(CNode::scalar_text).and_then(|t| port_number(&t));
                    let udp =
                        item.get("protocol").and_then(CNode::as_str).is_some_and(|p| p.eq_ignore_ascii_case("udp"));
                    let published = item.get("published").and_then(CNode::scalar_text).filter(|p| !p.is_empty());
                    target.map(|t| {
                        vec![ContainerPort { port: t, udp, published, loc: item.loc, proto: None, declared: true }]
                    })
                }
                _ => None,
            };
            match parsed {
                Some(ps) => {
                    for p in ps {
                        push_port(&mut out, p);
                    }
                }
                None => self.error(
                    item.loc,
                    Diagnostic::error(Code::InvalidValue, item.loc.span, format!("invalid port `{}` in service `{svc}`", item.scalar_text().unwrap_or_else(|| item.value.kind_name().to_string())))
                        .hint("write `CONTAINER`, `HOST:CONTAINER` or `IP:HOST:CONTAINER[/udp]`, or `{target: 80, published: 8080}`"),
                ),
            }
        }
        for item in node.get("expose").and_then(CNode::as_seq).unwrap_or(&[]) {
            let text = item.scalar_text().unwrap_or_default();
            let (body, udp) = match text.split_once('/') {
                Some((b, proto)) => (b.to_string(), proto.eq_ignore_ascii_case("udp")),
                None => (text.clone(), false),
            };
            match port_range(&body) {
                Some(ps) => {
                    for p in ps {
                        push_port(
                            &mut out,
                            ContainerPort { port: p, udp, published: None, loc: item.loc, proto: None, declared: true },
                        );
                    }
                }
                None => self.error(
                    item.loc,
                    Diagnostic::error(
                        Code::InvalidValue,
                        item.loc.span,
                        format!("invalid exposed port `{text}` in service `{svc}`"),
                    )
                    .hint("write a port number such as `8080` or a range `8000-8010`"),
                ),
            }
        }
        out
    }

    /// Learns the ports of services that declare none (or fewer than others use), then
    /// names every service's ports.
    pub(super) fn learn_ports(&mut self, basics: &mut [Basic], project: &Project) {
        let files = self.mounted_texts(basics, project);
        let refs = references(basics, project, &files);
        #[allow(clippy::needless_range_loop)]
        for i in 0..basics.len() {
            let b = &basics[i];
            if b.component.is_none() {
                let node = project.services.iter().find(|s| s.key == b.compose_name).map(|s| &s.value);
                let mut learned = own_ports(b, node);
                let declared_any = !b.container_ports.is_empty();
                for (port, proto, from, loc) in refs.get(&b.name).map(Vec::as_slice).unwrap_or(&[]) {
                    if let Some(p) = port {
                        learned.push(Learned {
                            port: *p,
                            proto: *proto,
                            why: format!("`{from}` connects to it on this port"),
                            loc: *loc,
                        });
                    }
                }
                let known: Vec<u16> =
                    b.container_ports.iter().map(|c| c.port).chain(learned.iter().map(|l| l.port)).collect();
                // The image's documented ports, when nothing else is known or when they
                // agree with what is known (the others then are real too).
                let table = b.image_ref.as_ref().and_then(image_ports);
                if let Some(table) =
                    table.filter(|t| known.is_empty() || (!declared_any && t.iter().any(|(p, _)| known.contains(p))))
                {
                    let img = b.image.clone().unwrap_or_default();
                    for (port, proto) in table {
                        learned.push(Learned {
                            port: *port,
                            proto: Some(*proto),
                            why: format!("the documented port of image `{img}`"),
                            loc: b.key_loc,
                        });
                    }
                }
                let b = &mut basics[i];
                for l in learned {
                    if b.container_ports.iter().any(|c| c.port == l.port && !c.udp) {
                        if let Some(c) = b.container_ports.iter_mut().find(|c| c.port == l.port && c.proto.is_none()) {
                            c.proto = l.proto;
                        }
                        continue;
                    }
                    let proto = l.proto.or_else(|| port_proto(l.port));
                    self.item(
                        Outcome::Approximated,
                        Some(&b.compose_name),
                        "ports",
                        format!(
                            "listens on port {} ({}): {} (compose declares no such port; review)",
                            l.port,
                            proto.unwrap_or_else(|| default_proto(b.role)).name(),
                            l.why
                        ),
                        l.loc,
                    );
                    b.container_ports.push(ContainerPort {
                        port: l.port,
                        udp: false,
                        published: None,
                        loc: l.loc,
                        proto,
                        declared: false,
                    });
                }
            }
            let (ports, effective) = self.out_ports(&basics[i]);
            basics[i].ports = ports;
            basics[i].effective_ports = effective;
        }
    }

    /// The `ports:` to write (None = component defaults) and the ports others may use.
    fn out_ports(&mut self, b: &Basic) -> (Option<Vec<OutPort>>, Vec<u16>) {
        let svc = b.compose_name.as_str();
        let container = &b.container_ports;
        if let Some(kind) = b.component {
            let d = component_defaults(kind);
            let defaults: Vec<u16> = d.ports.iter().map(|(_, p)| *p).collect();
            let official_nginx =
                kind == ComponentKind::Nginx && b.image_ref.as_ref().is_some_and(|i| i.repo == "nginx");
            let mut extra: Vec<&ContainerPort> = Vec::new();
            for p in container {
                if defaults.contains(&p.port) && !p.udp {
                    continue;
                }
                if official_nginx && matches!(p.port, 80 | 443) {
                    let msg = if p.port == 80 {
                        "port 80 became 8080: the unprivileged nginx image cannot bind ports below 1024"
                    } else {
                        "port 443 dropped: TLS terminates at the ingress (cert-manager certificates)"
                    };
                    self.item(
                        if p.port == 80 { Outcome::Approximated } else { Outcome::Dropped },
                        Some(svc),
                        "ports",
                        msg,
                        p.loc,
                    );
                    continue;
                }
                extra.push(p);
            }
            if extra.is_empty() {
                return (None, defaults);
            }
            let mut ports = component_ports(kind);
            for p in extra {
                let name = if p.udp { format!("udp-{}", p.port) } else { format!("port-{}", p.port) };
                let proto = p.proto.or_else(|| port_proto(p.port)).unwrap_or(AppProto::Http);
                ports.push(OutPort { name, port: p.port, udp: p.udp, proto });
            }
            let eff = ports.iter().map(|p| p.port).collect();
            return (Some(ports), eff);
        }
        let table = b.image_ref.as_ref().and_then(image_ports).unwrap_or(&[]);
        let mut ports: Vec<OutPort> = Vec::new();
        for p in container {
            let proto = p
                .proto
                .or_else(|| table.iter().find(|(t, _)| *t == p.port).map(|(_, pr)| *pr))
                .or_else(|| port_proto(p.port))
                .unwrap_or_else(|| default_proto(b.role));
            let taken = |n: &str| ports.iter().any(|x: &OutPort| x.name == n);
            let name = if p.udp {
                format!("udp-{}", p.port)
            } else {
                match proto {
                    AppProto::Http if !taken("http") => "http".to_string(),
                    AppProto::Http if matches!(p.port, 443 | 8443) && !taken("https") => "https".to_string(),
                    AppProto::Http => format!("http-{}", p.port),
                    AppProto::Grpc if !taken("grpc") => "grpc".to_string(),
                    AppProto::Grpc => format!("grpc-{}", p.port),
                    AppProto::Tcp => match tcp_port_name(p.port) {
                        Some(n) if !taken(n) => n.to_string(),
                        _ => format!("tcp-{}", p.port),
                    },
                }
            };
            if ports.iter().any(|x| x.port == p.port && x.udp == p.udp) {
                continue;
            }
            ports.push(OutPort { name, port: p.port, udp: p.udp, proto });
        }
        let eff = ports.iter().map(|p| p.port).collect();
        (if ports.is_empty() { None } else { Some(ports) }, eff)
    }

    pub(super) fn ports_and_expose(&mut self, out: &mut OutService, b: &Basic) {
        let sname = Some(b.compose_name.as_str());
        for p in b.container_ports.iter().filter(|p| p.declared) {
            let proto = if p.udp { "/udp" } else { "" };
            match &p.published {
                Some(host) if host != &p.port.to_string() => self.item(
                    Outcome::Approximated,
                    sname,
                    "ports",
                    format!(
                        "host port {host} → container port {}{proto}: in the cluster the Service listens on {}",
                        p.port, p.port
                    ),
                    p.loc,
                ),
                _ => self.item(Outcome::Mapped, sname, "ports", format!("container port {}{proto}", p.port), p.loc),
            }
        }
        // Published ports of front services are exposed, by protocol.
        let exposable =
            matches!(b.role, Role::App | Role::Proxy | Role::Identity) || b.component == Some(ComponentKind::Grafana);
        let published: Vec<&ContainerPort> =
            b.container_ports.iter().filter(|p| p.published.is_some() && !p.udp).collect();
        let Some(first) = published.first() else { return };
        if !exposable || b.job {
            let why = match b.role {
                _ if b.job => "a one-shot job is not published",
                Role::DataStore => "a data service is reachable only inside the cluster",
                Role::Worker => "a background worker is not published",
                _ => "an internal tool is not published",
            };
            for p in &published {
                self.item(
                    Outcome::Approximated,
                    sname,
                    "ports",
                    format!(
                        "published port {} not exposed: {why}; use `kubectl port-forward` to reach it",
                        p.published.as_deref().unwrap_or_default()
                    ),
                    p.loc,
                );
            }
            return;
        }
        let ports_now: Vec<OutPort> = match &out.ports {
            Some(p) => p.clone(),
            None => b.component.map(component_ports).unwrap_or_default(),
        };
        let target_port = if b.component == Some(ComponentKind::Nginx) && first.port == 80 { 8080 } else { first.port };
        let Some(port) = ports_now.iter().find(|p| p.port == target_port && !p.udp) else { return };
        let host = format!("{}.{{domain}}", b.name);
        let port_ref =
            if ports_now.first().is_some_and(|f| f.port == port.port) { None } else { Some(port.name.clone()) };
        let published_text = first.published.as_deref().unwrap_or_default();
        if port.proto == AppProto::Http {
            out.expose = Some(OutExpose { host: host.clone(), port: port_ref, load_balancer: false });
            self.item(
                Outcome::Mapped,
                sname,
                "ports",
                format!(
                    "published port {published_text} → exposed through the ingress as https://{host}/ (review the host name)"
                ),
                first.loc,
            );
        } else {
            out.expose = Some(OutExpose { host, port: port_ref, load_balancer: true });
            let why = match port.proto {
                AppProto::Grpc => "gRPC needs HTTP/2 end to end, which the HTTP ingress does not promise",
                _ => "an HTTP ingress cannot carry a TCP protocol",
            };
            self.item(
                Outcome::Mapped,
                sname,
                "ports",
                format!(
                    "published port {published_text} ({}) → its own LoadBalancer Service on port {}: {why}",
                    port.proto.name(),
                    port.port
                ),
                first.loc,
            );
        }
        for p in published.iter().skip(1) {
            self.item(
                Outcome::Approximated,
                sname,
                "ports",
                format!(
                    "published port {} not exposed: one exposed port per service",
                    p.published.as_deref().unwrap_or_default()
                ),
                p.loc,
            );
        }
    }
}

fn push_port(out: &mut Vec<ContainerPort>, p: ContainerPort) {
    if let Some(existing) = out.iter_mut().find(|o| o.port == p.port && o.udp == p.udp) {
        if existing.published.is_none() {
            existing.published = p.published;
        }
    } else {
        out.push(p);
    }
}

/// The protocol of a port nothing else describes, from what the service is.
fn default_proto(role: Role) -> AppProto {
    match role {
        Role::DataStore | Role::Worker => AppProto::Tcp,
        Role::App | Role::Proxy | Role::Identity | Role::Observability => AppProto::Http,
    }
}

/// A component's default ports with their protocols.
pub(super) fn component_ports(kind: ComponentKind) -> Vec<OutPort> {
    component_defaults(kind)
        .ports
        .iter()
        .map(|(n, p)| OutPort {
            name: (*n).to_string(),
            port: *p,
            udp: false,
            proto: port_proto(*p).unwrap_or(if n.contains("grpc") { AppProto::Grpc } else { AppProto::Http }),
        })
        .collect()
}

/// The protocol a URL scheme speaks.
pub(super) fn scheme_proto(scheme: Option<&str>) -> Option<AppProto> {
    match scheme?.to_ascii_lowercase().as_str() {
        "http" | "https" | "ws" | "wss" => Some(AppProto::Http),
        "grpc" | "grpcs" => Some(AppProto::Grpc),
        "" => None,
        _ => Some(AppProto::Tcp),
    }
}

/// Addresses in free text (commands, health checks, configuration files): URLs and
/// `host:port` words.
pub(super) fn text_addresses(text: &str) -> Vec<Address> {
    let mut out = classify::urls_in(text);
    for word in text.split(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ';' | ',' | '(' | ')' | '=' | '`')) {
        // The word's byte offset in `text` (it is a subslice of it).
        let start = word.as_ptr() as usize - text.as_ptr() as usize;
        if word.contains("://") || word.is_empty() {
            continue;
        }
        let Some((host, port)) = word.rsplit_once(':') else { continue };
        let host = host.trim_start_matches('@');
        let port_digits: String = port.chars().take_while(char::is_ascii_digit).collect();
        let Ok(port) = port_digits.parse::<u16>() else { continue };
        if port == 0
            || host.is_empty()
            || !host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            || !host.chars().any(|c| c.is_ascii_alphabetic())
        {
            continue;
        }
        let offset = word.find(host).unwrap_or(0);
        out.push(Address {
            host: host.to_string(),
            port: Some(port),
            scheme: None,
            start: start + offset,
            end: start + offset + host.len(),
            credentials: false,
        });
    }
    out
}

/// Words of a service's command, entrypoint and healthcheck test.
pub(super) fn command_words(node: &CNode) -> Vec<String> {
    let mut words = Vec::new();
    for key in ["entrypoint", "command"] {
        match node.get(key).map(|n| &n.value) {
            Some(CValue::Seq(items)) => {
                for i in items.iter().filter_map(CNode::scalar_text) {
                    words.extend(shell_split(&i));
                }
            }
            Some(CValue::String(s)) => words.extend(shell_split(s)),
            _ => {}
        }
    }
    words
}

fn healthcheck_words(node: &CNode) -> Vec<String> {
    match node.get("healthcheck").and_then(|h| h.get("test")).map(|t| &t.value) {
        Some(CValue::Seq(items)) => items.iter().filter_map(CNode::scalar_text).flat_map(|s| shell_split(&s)).collect(),
        Some(CValue::String(s)) => shell_split(s),
        _ => Vec::new(),
    }
}

/// Who connects to whom on which port: target service name → (port, protocol, caller, where).
#[allow(clippy::type_complexity)]
fn references(
    basics: &[Basic],
    project: &Project,
    files: &BTreeMap<String, Vec<(String, Loc)>>,
) -> BTreeMap<String, Vec<(Option<u16>, Option<AppProto>, String, Loc)>> {
    let mut out: BTreeMap<String, Vec<(Option<u16>, Option<AppProto>, String, Loc)>> = BTreeMap::new();
    for b in basics {
        let node = project.services.iter().find(|s| s.key == b.compose_name).map(|s| &s.value);
        let mut found: Vec<(Address, Loc)> = Vec::new();
        // `host:port` in mounted configuration files (`server api:8000;`).
        for (text, loc) in files.get(&b.compose_name).map(Vec::as_slice).unwrap_or(&[]) {
            found.extend(
                text_addresses(text)
                    .into_iter()
                    .filter(|a| text.get(a.end..).is_some_and(|r| r.starts_with(':')))
                    .map(|a| (a, *loc)),
            );
        }
        for v in &b.vars {
            if let Some(value) = &v.value {
                let mut a = classify::urls_in(value);
                a.extend(classify::plain_addresses_in(&v.key, value));
                found.extend(a.into_iter().map(|x| (x, v.loc)));
            }
        }
        if let Some(node) = node {
            let loc = node.entry("command").or_else(|| node.entry("entrypoint")).map_or(b.key_loc, |e| e.key_loc);
            found.extend(text_addresses(&command_words(node).join(" ")).into_iter().map(|a| (a, loc)));
        }
        for (a, loc) in found {
            let Some(t) = b.resolve(basics, &a.host) else { continue };
            if t.name == b.name {
                continue;
            }
            let proto = scheme_proto(a.scheme.as_deref());
            out.entry(t.name.clone()).or_default().push((a.port, proto, b.compose_name.clone(), loc));
        }
    }
    out
}

/// Ports a service says it listens on itself: healthcheck URLs, listen flags of its
/// command, and listen variables of its environment.
fn own_ports(b: &Basic, node: Option<&CNode>) -> Vec<Learned> {
    let mut out = Vec::new();
    let Some(node) = node else { return out };
    let hc_loc = node.entry("healthcheck").map_or(b.key_loc, |e| e.key_loc);
    for w in healthcheck_words(node) {
        if let Some((port, _)) = local_http_url(&w, &b.aliases) {
            out.push(Learned {
                port,
                proto: Some(AppProto::Http),
                why: "its healthcheck requests it".into(),
                loc: hc_loc,
            });
        } else if let Some(port) = local_port(&w) {
            out.push(Learned { port, proto: None, why: "its healthcheck connects to it".into(), loc: hc_loc });
        }
    }
    let cmd_loc = node.entry("command").or_else(|| node.entry("entrypoint")).map_or(b.key_loc, |e| e.key_loc);
    let words = command_words(node);
    for (i, w) in words.iter().enumerate() {
        let (flag, inline) = match w.split_once('=') {
            Some((f, v)) if f.starts_with('-') => (f, Some(v.to_string())),
            _ => (w.as_str(), None),
        };
        let lower = flag.to_ascii_lowercase();
        let port_flag = matches!(
            lower.as_str(),
            "--port"
                | "-p"
                | "-port"
                | "-http-port"
                | "--http-port"
                | "--listen-port"
                | "--server-port"
                | "--server.port"
                | "--grpc-port"
                | "--web-port"
        );
        let addr_flag = matches!(
            lower.as_str(),
            "--bind"
                | "-b"
                | "--listen"
                | "-listen"
                | "-addr"
                | "-http"
                | "--addr"
                | "--address"
                | "--http-addr"
                | "--http.addr"
                | "--web.listen-address"
                | "--listen-address"
                | "--http-address"
                | "--grpc-address"
                | "--host"
        );
        let value = inline.or_else(|| words.get(i + 1).cloned());
        let port = match value {
            Some(v) if port_flag => port_number(&v),
            Some(v) if addr_flag => v.rsplit_once(':').and_then(|(_, p)| port_number(p)),
            _ => None,
        };
        if let Some(port) = port {
            let proto = lower.contains("grpc").then_some(AppProto::Grpc);
            out.push(Learned { port, proto, why: format!("its command passes `{flag}`"), loc: cmd_loc });
        }
    }
    for v in &b.vars {
        let Some(value) = &v.value else { continue };
        let k = v.key.to_ascii_uppercase();
        let port_key = matches!(
            k.as_str(),
            "PORT" | "SERVER_PORT" | "HTTP_PORT" | "APP_PORT" | "LISTEN_PORT" | "WEB_PORT" | "GRPC_PORT"
        ) || k.ends_with("_LISTEN_PORT")
            || k.ends_with("_SERVER_PORT")
            || k.ends_with("_HTTP_PORT");
        let addr_key = k.ends_with("LISTEN_ADDR")
            || k.ends_with("LISTEN_ADDRESS")
            || k.ends_with("BIND_ADDR")
            || k.ends_with("BIND_ADDRESS")
            || k == "LISTEN"
            || k == "BIND";
        let port = if port_key {
            port_number(value)
        } else if addr_key {
            value.rsplit_once(':').and_then(|(_, p)| port_number(p))
        } else {
            None
        };
        if let Some(port) = port {
            let proto = k.contains("GRPC").then_some(AppProto::Grpc);
            out.push(Learned { port, proto, why: format!("its variable `{}` says so", v.key), loc: v.loc });
        }
    }
    out
}

/// `localhost:N` / `127.0.0.1:N` / `0.0.0.0:N` in a word.
fn local_port(word: &str) -> Option<u16> {
    let (host, port) = word.rsplit_once(':')?;
    let host = host.rsplit('/').next().unwrap_or(host).trim_start_matches('@');
    matches!(host, "localhost" | "127.0.0.1" | "0.0.0.0" | "[::1]" | "[::]")
        .then(|| port_number(port.split('/').next().unwrap_or(port)))?
}

/// The port and path of a URL addressing the container itself.
pub(super) fn local_http_url(word: &str, aliases: &[String]) -> Option<(u16, String)> {
    // `curl localhost:3000/health` works without a scheme too.
    let rest = match word.strip_prefix("http://") {
        Some(r) => r,
        None if word.starts_with("localhost:") || word.starts_with("127.0.0.1:") => word,
        None => return None,
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], rest[i..].to_string()),
        None => (rest, "/".to_string()),
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h, p.parse::<u16>().ok()?),
        None => (authority, 80),
    };
    let local = matches!(host, "localhost" | "127.0.0.1" | "0.0.0.0" | "[::1]") || aliases.iter().any(|a| a == host);
    if !local || port == 0 {
        return None;
    }
    let path: String = path.chars().filter(|c| !c.is_whitespace()).collect();
    Some((port, if path.is_empty() { "/".into() } else { path }))
}

/// Parses the short port syntax `[IP:][HOST[-RANGE]:]CONTAINER[-RANGE][/PROTO]`.
fn parse_port_short(s: &str, loc: Loc) -> Option<Vec<ContainerPort>> {
    let (body, udp) = match s.rsplit_once('/') {
        Some((b, proto)) => match proto.to_ascii_lowercase().as_str() {
            "udp" => (b, true),
            "tcp" | "sctp" => (b, false),
            _ => return None,
        },
        None => (s, false),
    };
    // Strip a bracketed IPv6 host address.
    let body = match body.strip_prefix('[') {
        Some(rest) => rest.split_once("]:").map(|(_, r)| r)?,
        None => body,
    };
    let parts: Vec<&str> = body.split(':').collect();
    let (published, container) = match parts.as_slice() {
        [c] => (None, *c),
        [h, c] => (Some(*h), *c),
        [_, h, c] => (Some(*h), *c),
        _ => return None,
    };
    let ports = port_range(container)?;
    let published = published.filter(|p| !p.is_empty());
    let hosts: Option<Vec<u16>> = match published {
        Some(p) => Some(port_range(p)?),
        None => None,
    };
    Some(
        ports
            .iter()
            .enumerate()
            .map(|(i, p)| ContainerPort {
                port: *p,
                udp,
                published: hosts.as_ref().map(|h| h.get(i).or(h.first()).map_or_else(String::new, u16::to_string)),
                loc,
                proto: None,
                declared: true,
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_port_syntax() {
        let loc = Loc::default();
        let p = |s: &str| {
            parse_port_short(s, loc).map(|v| v.into_iter().map(|p| (p.port, p.udp, p.published)).collect::<Vec<_>>())
        };
        assert_eq!(p("8080"), Some(vec![(8080, false, None)]));
        assert_eq!(p("5433:5432"), Some(vec![(5432, false, Some("5433".into()))]));
        assert_eq!(p("127.0.0.1:8000:80/udp"), Some(vec![(80, true, Some("8000".into()))]));
        assert_eq!(p("[::1]:80:8080"), Some(vec![(8080, false, Some("80".into()))]));
        assert_eq!(p("9000-9001:9000-9001").map(|v| v.len()), Some(2));
        assert_eq!(p("0"), None);
        assert_eq!(p("abc"), None);
        assert_eq!(p("1:2:3:4"), None);
    }

    #[test]
    fn local_urls() {
        let aliases = vec!["api".to_string()];
        assert_eq!(local_http_url("http://localhost:8001/health", &aliases), Some((8001, "/health".into())));
        assert_eq!(local_http_url("http://api/", &aliases), Some((80, "/".into())));
        assert_eq!(local_http_url("http://example.com/", &aliases), None);
        assert_eq!(local_port("localhost:5432"), Some(5432));
        assert_eq!(local_port("db:5432"), None);
    }

    #[test]
    fn addresses_in_text() {
        let a = text_addresses("wait-for db:5432 -- proxy_pass http://api:8000; server cache:6379;");
        let hosts: Vec<(&str, Option<u16>)> = a.iter().map(|x| (x.host.as_str(), x.port)).collect();
        assert!(hosts.contains(&("db", Some(5432))), "{hosts:?}");
        assert!(hosts.contains(&("api", Some(8000))), "{hosts:?}");
        assert!(hosts.contains(&("cache", Some(6379))), "{hosts:?}");
        assert!(text_addresses("12:30 x:abc").is_empty());
        let text = "ünï\u{a0}\u{2003}db:5432";
        let a = text_addresses(text);
        assert_eq!(a.len(), 1);
        assert_eq!(&text[a[0].start..a[0].end], "db");
    }
}
