//! Compose services → platform services.
//!
//! Two passes: the first names every service, recognises its component and ports and
//! assigns its tier (everything another service may refer to); the second maps the rest
//! (environment, secrets, dependencies, storage, resources, probes, exposure) and writes
//! a report line, located in the compose file, for everything it maps, approximates or
//! drops.

use crate::classify::{self, Address, ImageRef, Role, Tier};
use crate::load::{Loader, Project, join_path};
use crate::report::{Outcome, Report, ReportItem};
use crate::tree::{CEntry, CNode, CValue, Loc};
use skyform_model::component_defaults;
use skyform_spec::raw::{ComponentKind, StorageClassName};
use skyform_spec::{Code, Diagnostic};
use std::collections::{BTreeMap, BTreeSet};

/// A port of a generated service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutPort {
    pub name: String,
    pub port: u16,
    pub udp: bool,
}

/// A probe action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProbeAction {
    Http(String),
    Exec(Vec<String>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutProbes {
    pub port: Option<String>,
    pub action: ProbeAction,
    pub period: Option<u32>,
    pub failure: Option<u32>,
    pub initial_delay: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutStorage {
    pub size: Option<String>,
    pub class: Option<StorageClassName>,
    pub mount_path: Option<String>,
}

/// One generated platform service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutService {
    pub compose_name: String,
    pub tier: Tier,
    pub tier_reason: String,
    pub component: Option<ComponentKind>,
    pub image: Option<String>,
    pub command: Option<Vec<String>>,
    pub args: Option<Vec<String>>,
    /// `None`: the component's default ports.
    pub ports: Option<Vec<OutPort>>,
    pub env: BTreeMap<String, String>,
    pub secrets: BTreeSet<String>,
    pub cpu: Option<String>,
    pub memory: Option<String>,
    pub replicas: Option<u32>,
    pub probes: Option<OutProbes>,
    pub expose: Option<(String, Option<String>)>,
    pub depends_on: BTreeSet<String>,
    pub storage: Option<OutStorage>,
    pub writable_paths: Vec<String>,
    pub run_as_user: Option<i64>,
    /// `review:` notes written above the service.
    pub notes: Vec<String>,
}

/// The generated platform.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub name: String,
    pub name_reason: String,
    pub services: BTreeMap<String, OutService>,
}

/// A container port found in `ports:` or `expose:`.
#[derive(Clone, Debug)]
struct ContainerPort {
    port: u16,
    udp: bool,
    published: Option<String>,
    loc: Loc,
}

/// First-pass facts about a service.
#[derive(Clone, Debug)]
struct Basic {
    compose_name: String,
    name: String,
    key_loc: Loc,
    image: Option<String>,
    image_ref: Option<ImageRef>,
    component: Option<ComponentKind>,
    container_ports: Vec<ContainerPort>,
    ports: Option<Vec<OutPort>>,
    /// Ports other services may address (declared or the component's).
    effective_ports: Vec<u16>,
    role: Role,
    tier: Tier,
    tier_reason: String,
    aliases: Vec<String>,
}

pub(crate) struct Converter<'l, 'a> {
    pub loader: &'l mut Loader<'a>,
    pub report: Report,
}

/// A DNS-1035 label made from a compose name (`my_app.v2` → `my-app-v2`).
pub fn sanitize_name(raw: &str, max: usize) -> String {
    let mut s: String = raw
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_lowercase() || c.is_ascii_digit() { c } else { '-' })
        .collect();
    while s.contains("--") {
        s = s.replace("--", "-");
    }
    let mut s = s.trim_matches('-').to_string();
    if !s.starts_with(|c: char| c.is_ascii_lowercase()) {
        s = format!("svc-{s}");
    }
    s.truncate(max);
    let s = s.trim_end_matches('-').to_string();
    if s.is_empty() { "svc".to_string() } else { s }
}

fn is_env_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Splits a command string the way compose does (POSIX shell words, no expansion).
pub fn shell_split(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for d in chars.by_ref() {
                    if d == '\'' {
                        break;
                    }
                    cur.push(d);
                }
            }
            '"' => {
                in_word = true;
                while let Some(d) = chars.next() {
                    match d {
                        '"' => break,
                        '\\' => match chars.next() {
                            Some(e @ ('"' | '\\' | '$' | '`')) => cur.push(e),
                            Some(e) => {
                                cur.push('\\');
                                cur.push(e);
                            }
                            None => cur.push('\\'),
                        },
                        _ => cur.push(d),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(e) = chars.next() {
                    cur.push(e);
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        out.push(cur);
    }
    out
}

/// Go-style durations (`1m30s`, `500ms`, `10s`) in whole seconds, rounded up.
pub fn duration_seconds(s: &str) -> Option<u32> {
    let s = s.trim();
    if let Ok(n) = s.parse::<u64>() {
        // A bare number is nanoseconds in compose; round up to a second.
        return Some(u32::try_from(n.div_ceil(1_000_000_000)).unwrap_or(u32::MAX));
    }
    let mut total = 0f64;
    let mut rest = s;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let num_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        let n: f64 = rest[..num_len].parse().ok()?;
        rest = &rest[num_len..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let factor = match &rest[..unit_len] {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 1e-3,
            "us" | "µs" => 1e-6,
            "ns" => 1e-9,
            _ => return None,
        };
        total += n * factor;
        rest = &rest[unit_len..];
    }
    if !total.is_finite() || total > f64::from(u32::MAX) {
        return None;
    }
    Some(total.ceil() as u32)
}

/// Docker memory sizes (`512m`, `1g`, `1.5GB`, `1073741824`) in bytes (binary units).
pub fn memory_bytes(s: &str) -> Option<u64> {
    let t = s.trim().to_ascii_lowercase();
    let num_len = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let n: f64 = t[..num_len].parse().ok()?;
    let unit = t[num_len..].trim();
    let unit = unit.strip_suffix('b').unwrap_or(unit);
    let unit = unit.strip_suffix('i').unwrap_or(unit);
    let factor: f64 = match unit {
        "" => 1.0,
        "k" => 1024.0,
        "m" => 1024.0 * 1024.0,
        "g" => 1024.0 * 1024.0 * 1024.0,
        "t" => 1024f64.powi(4),
        "p" => 1024f64.powi(5),
        _ => return None,
    };
    let bytes = n * factor;
    if !bytes.is_finite() || !(1.0..=1e18).contains(&bytes) {
        return None;
    }
    Some(bytes.ceil() as u64)
}

/// Bytes as a Kubernetes quantity: `Gi` when exact, else `Mi` rounded up.
pub fn memory_quantity(bytes: u64) -> String {
    const MI: u64 = 1 << 20;
    const GI: u64 = 1 << 30;
    if bytes.is_multiple_of(GI) { format!("{}Gi", bytes / GI) } else { format!("{}Mi", bytes.div_ceil(MI).max(1)) }
}

/// Compose `cpus` (`0.5`, `"1.5"`) as millicores.
pub fn cpu_millis(node: &CNode) -> Option<u64> {
    let v: f64 = match &node.value {
        CValue::Int(i) => *i as f64,
        CValue::Float(f) => *f,
        CValue::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    if !v.is_finite() || v <= 0.0 || v > 100_000.0 {
        return None;
    }
    Some(((v * 1000.0).round() as u64).max(1))
}

fn port_number(text: &str) -> Option<u16> {
    text.trim().parse::<u16>().ok().filter(|p| *p > 0)
}

/// Expands `a` or `a-b` (at most 100 ports).
fn port_range(text: &str) -> Option<Vec<u16>> {
    match text.split_once('-') {
        Some((a, b)) => {
            let (a, b) = (port_number(a)?, port_number(b)?);
            if b < a || b - a >= 100 {
                return None;
            }
            Some((a..=b).collect())
        }
        None => Some(vec![port_number(text)?]),
    }
}

impl Converter<'_, '_> {
    fn item(&mut self, outcome: Outcome, service: Option<&str>, subject: &str, message: impl Into<String>, loc: Loc) {
        let file = self.loader.file_name(loc.file).to_string();
        self.report.items.push(ReportItem {
            outcome,
            service: service.map(str::to_string),
            subject: subject.to_string(),
            message: message.into(),
            file,
            line: loc.span.line,
            column: loc.span.column,
        });
    }

    fn error(&mut self, loc: Loc, d: Diagnostic) {
        self.loader.error(loc, d);
    }

    /// Converts the merged project.
    pub fn convert(&mut self, project: &Project, fallback_name: &str) -> Plan {
        let (name, name_reason) = match &project.name {
            Some((n, loc)) => {
                let s = sanitize_name(n, 40);
                if s != *n {
                    self.item(
                        Outcome::Approximated,
                        None,
                        "name",
                        format!("project name `{n}` became platform name `{s}` (DNS-1123, ≤ 40 characters)"),
                        *loc,
                    );
                }
                (s, "from the compose project's `name:`".to_string())
            }
            None => (
                sanitize_name(fallback_name, 40),
                "from the compose file's directory (no `name:` in the compose file)".to_string(),
            ),
        };
        for (svc, loc, profiles) in &project.inactive {
            self.item(
                Outcome::Skipped,
                Some(svc),
                "profiles",
                format!(
                    "not imported: its profiles ({}) are not active; pass `--profile` to include it",
                    profiles.join(", ")
                ),
                *loc,
            );
        }
        for (var, loc) in std::mem::take(&mut self.loader.unset) {
            self.item(
                Outcome::Approximated,
                None,
                "interpolation",
                format!("variable `{var}` is not set; it became an empty string"),
                loc,
            );
        }
        // Pass 1.
        let mut basics: Vec<Basic> = Vec::new();
        let mut taken: BTreeSet<String> = BTreeSet::new();
        for svc in &project.services {
            if let Some(b) = self.basic(&name, svc, &mut taken) {
                basics.push(b);
            }
        }
        // A gateway whose upstreams are all in the auth tier belongs to that stack.
        let snapshot = basics.clone();
        for (b, svc) in basics.iter_mut().filter(|b| b.role == Role::Proxy && b.tier == Tier::System).filter_map(|b| {
            let svc = project.services.iter().find(|s| s.key == b.compose_name)?;
            Some((b, svc))
        }) {
            let upstreams: Vec<&Basic> = svc
                .value
                .get("depends_on")
                .and_then(CNode::as_map)
                .unwrap_or(&[])
                .iter()
                .filter_map(|d| snapshot.iter().find(|x| x.compose_name == d.key))
                .collect();
            if !upstreams.is_empty() && upstreams.iter().all(|u| u.tier == Tier::Auth) {
                b.tier = Tier::Auth;
                let names = upstreams.iter().map(|u| format!("`{}`", u.compose_name)).collect::<Vec<_>>().join(", ");
                b.tier_reason = format!("gateway in front of {names} (authentication): auth tier");
            }
        }
        // Pass 2.
        let mut plan = Plan { name: name.clone(), name_reason, services: BTreeMap::new() };
        for (i, svc) in project.services.iter().enumerate() {
            let Some(b) = basics.iter().find(|b| b.compose_name == svc.key) else { continue };
            let _ = i;
            let out = self.service(&name, svc, b, &basics, project);
            plan.services.insert(b.name.clone(), out);
        }
        plan
    }

    fn basic(&mut self, platform: &str, svc: &CEntry, taken: &mut BTreeSet<String>) -> Option<Basic> {
        let compose_name = svc.key.clone();
        let node = &svc.value;
        let mut name = sanitize_name(&compose_name, 63);
        if taken.contains(&name) {
            let mut n = 2;
            while taken.contains(&format!("{name}-{n}")) {
                n += 1;
            }
            name = sanitize_name(&format!("{name}-{n}"), 63);
        }
        taken.insert(name.clone());
        if name != compose_name {
            self.item(
                Outcome::Approximated,
                Some(&compose_name),
                "name",
                format!("renamed to `{name}` (Kubernetes names are DNS-1035 labels)"),
                svc.key_loc,
            );
        }
        let image = match node.entry("image") {
            Some(e) => {
                let text = e.value.as_str().unwrap_or_default().trim().to_string();
                if text.is_empty() || text.contains(char::is_whitespace) {
                    self.error(
                        e.value.loc,
                        Diagnostic::error(
                            Code::InvalidValue,
                            e.value.loc.span,
                            format!("invalid image reference `{text}` in service `{compose_name}`"),
                        )
                        .hint("write a reference such as `ghcr.io/org/app:1.2.3`"),
                    );
                    return None;
                }
                Some(text)
            }
            None if node.get("build").is_some() => None,
            None => {
                self.error(
                    svc.key_loc,
                    Diagnostic::error(
                        Code::MissingKey,
                        svc.key_loc.span,
                        format!("service `{compose_name}` has neither `image` nor `build`"),
                    )
                    .hint("add `image:` with the image this service runs"),
                );
                return None;
            }
        };
        let image_ref = image.as_deref().map(ImageRef::parse);
        let component = image_ref.as_ref().and_then(classify::component_of);
        let container_ports = self.container_ports(&compose_name, node);
        let command_text = [node.get("command"), node.get("entrypoint")]
            .into_iter()
            .flatten()
            .map(|c| match &c.value {
                CValue::Seq(items) => items.iter().filter_map(CNode::scalar_text).collect::<Vec<_>>().join(" "),
                _ => c.scalar_text().unwrap_or_default(),
            })
            .collect::<Vec<_>>()
            .join(" ");
        let role = classify::role_of(&compose_name, image_ref.as_ref(), component, &command_text);
        let (tier, tier_reason) = classify::tier_of(role, &compose_name, image.as_deref());
        let (ports, effective_ports) = self.out_ports(&compose_name, component, &container_ports, image_ref.as_ref());
        let mut aliases = vec![compose_name.clone(), name.clone()];
        for key in ["container_name", "hostname"] {
            if let Some(h) = node.get(key).and_then(CNode::as_str) {
                aliases.push(h.to_string());
            }
        }
        for net in node.get("networks").and_then(CNode::as_map).unwrap_or(&[]) {
            for a in net.value.get("aliases").and_then(CNode::as_seq).unwrap_or(&[]) {
                if let Some(a) = a.as_str() {
                    aliases.push(a.to_string());
                }
            }
        }
        let _ = platform;
        Some(Basic {
            compose_name,
            name,
            key_loc: svc.key_loc,
            image,
            image_ref,
            component,
            container_ports,
            ports,
            effective_ports,
            role,
            tier,
            tier_reason,
            aliases,
        })
    }

    fn container_ports(&mut self, svc: &str, node: &CNode) -> Vec<ContainerPort> {
        let mut out: Vec<ContainerPort> = Vec::new();
        let push = |out: &mut Vec<ContainerPort>, p: ContainerPort| {
            if let Some(existing) = out.iter_mut().find(|o| o.port == p.port && o.udp == p.udp) {
                if existing.published.is_none() {
                    existing.published = p.published;
                }
            } else {
                out.push(p);
            }
        };
        for item in node.get("ports").and_then(CNode::as_seq).unwrap_or(&[]) {
            let parsed: Option<Vec<ContainerPort>> = match &item.value {
                CValue::Int(i) => u16::try_from(*i)
                    .ok()
                    .filter(|p| *p > 0)
                    .map(|p| vec![ContainerPort { port: p, udp: false, published: None, loc: item.loc }]),
                CValue::String(s) => parse_port_short(s, item.loc),
                CValue::Map(_) => {
                    let target = item.get("target").and_then(CNode::scalar_text).and_then(|t| port_number(&t));
                    let udp =
                        item.get("protocol").and_then(CNode::as_str).is_some_and(|p| p.eq_ignore_ascii_case("udp"));
                    let published = item.get("published").and_then(CNode::scalar_text).filter(|p| !p.is_empty());
                    target.map(|t| vec![ContainerPort { port: t, udp, published, loc: item.loc }])
                }
                _ => None,
            };
            match parsed {
                Some(ps) => {
                    for p in ps {
                        push(&mut out, p);
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
                        push(&mut out, ContainerPort { port: p, udp, published: None, loc: item.loc });
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

    /// The `ports:` to write (None = component defaults) and the ports others may use.
    fn out_ports(
        &mut self,
        svc: &str,
        component: Option<ComponentKind>,
        container: &[ContainerPort],
        image: Option<&ImageRef>,
    ) -> (Option<Vec<OutPort>>, Vec<u16>) {
        if let Some(kind) = component {
            let d = component_defaults(kind);
            let defaults: Vec<u16> = d.ports.iter().map(|(_, p)| *p).collect();
            let official_nginx = kind == ComponentKind::Nginx && image.is_some_and(|i| i.repo == "nginx");
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
            let mut ports: Vec<OutPort> =
                d.ports.iter().map(|(n, p)| OutPort { name: (*n).to_string(), port: *p, udp: false }).collect();
            for p in extra {
                let name = if p.udp { format!("udp-{}", p.port) } else { format!("port-{}", p.port) };
                ports.push(OutPort { name, port: p.port, udp: p.udp });
            }
            let eff = ports.iter().map(|p| p.port).collect();
            return (Some(ports), eff);
        }
        let mut ports: Vec<OutPort> = Vec::new();
        let mut first_tcp = true;
        for p in container {
            let name = if p.udp {
                format!("udp-{}", p.port)
            } else if first_tcp {
                first_tcp = false;
                "http".to_string()
            } else if matches!(p.port, 443 | 8443) && !ports.iter().any(|x| x.name == "https") {
                "https".to_string()
            } else {
                format!("port-{}", p.port)
            };
            ports.push(OutPort { name, port: p.port, udp: p.udp });
        }
        let eff = ports.iter().map(|p| p.port).collect();
        (if ports.is_empty() { None } else { Some(ports) }, eff)
    }

    #[allow(clippy::too_many_lines)]
    fn service(&mut self, platform: &str, svc: &CEntry, b: &Basic, all: &[Basic], project: &Project) -> OutService {
        let node = &svc.value;
        let cname = b.compose_name.as_str();
        let sname = Some(cname);
        let mut out = OutService {
            compose_name: cname.to_string(),
            tier: b.tier,
            tier_reason: b.tier_reason.clone(),
            component: b.component,
            image: b.image.clone(),
            command: None,
            args: None,
            ports: b.ports.clone(),
            env: BTreeMap::new(),
            secrets: BTreeSet::new(),
            cpu: None,
            memory: None,
            replicas: None,
            probes: None,
            expose: None,
            depends_on: BTreeSet::new(),
            storage: None,
            writable_paths: Vec::new(),
            run_as_user: None,
            notes: Vec::new(),
        };
        let defaults = b.component.map(component_defaults);
        self.item(Outcome::Mapped, sname, "tier", b.tier_reason.clone(), b.key_loc);

        // Image and component.
        if let (Some(e), Some(img)) = (node.entry("image"), &b.image) {
            match b.component {
                Some(kind) => {
                    let cn = classify::component_name(kind);
                    let official_nginx =
                        kind == ComponentKind::Nginx && b.image_ref.as_ref().is_some_and(|i| i.repo == "nginx");
                    if official_nginx {
                        out.image = None;
                        self.item(
                            Outcome::Approximated,
                            sname,
                            "image",
                            format!("`{img}` runs as root; replaced by the `nginx` component's unprivileged image"),
                            e.value.loc,
                        );
                    } else if !b.image_ref.as_ref().is_some_and(ImageRef::is_pinned) {
                        out.image = None;
                        self.item(
                            Outcome::Approximated,
                            sname,
                            "image",
                            format!("`{img}` is not pinned; the `{cn}` component's pinned image is used instead"),
                            e.value.loc,
                        );
                    } else {
                        self.item(
                            Outcome::Mapped,
                            sname,
                            "image",
                            format!(
                                "`{img}` recognised as component `{cn}` (ports, probes, storage and security defaults)"
                            ),
                            e.value.loc,
                        );
                    }
                }
                None => {
                    if b.image_ref.as_ref().is_some_and(ImageRef::is_pinned) {
                        self.item(Outcome::Mapped, sname, "image", format!("`{img}`"), e.value.loc);
                    } else {
                        self.item(
                            Outcome::Approximated,
                            sname,
                            "image",
                            format!("`{img}` is not pinned to a version; pin a tag or digest"),
                            e.value.loc,
                        );
                        out.notes.push(format!("pin `{img}` to a version"));
                    }
                }
            }
        }
        if let Some(e) = node.entry("build") {
            let built = format!("{platform}-{}:latest", b.name);
            if b.image.is_none() {
                out.image = Some(built.clone());
                out.notes.push(format!("`build:` is not imported; build and push the image, then replace `{built}`"));
                self.item(
                    Outcome::Dropped,
                    sname,
                    "build",
                    format!(
                        "images are not built by skyform; build and push one, then set `image:` (placeholder `{built}`)"
                    ),
                    e.key_loc,
                );
            } else {
                self.item(
                    Outcome::Dropped,
                    sname,
                    "build",
                    "images are not built by skyform; the service uses its `image:`",
                    e.key_loc,
                );
            }
        }

        // Command and entrypoint: compose `entrypoint` is Kubernetes `command`, compose
        // `command` is Kubernetes `args`.
        for (key, target) in [("entrypoint", true), ("command", false)] {
            let Some(e) = node.entry(key) else { continue };
            let words: Vec<String> = match &e.value.value {
                CValue::Seq(items) => items.iter().filter_map(CNode::scalar_text).collect(),
                CValue::String(s) => shell_split(s),
                _ => continue,
            };
            let (field, what) = if target { ("command", "container command") } else { ("args", "container arguments") };
            self.item(Outcome::Mapped, sname, key, format!("became `{field}` ({what})"), e.key_loc);
            if target {
                out.command = Some(words);
            } else {
                out.args = Some(words);
            }
        }

        // Ports and exposure.
        self.ports_and_expose(&mut out, b);

        // Environment, secrets and connection addresses.
        self.environment(platform, &mut out, svc, b, all, project);

        // depends_on and links.
        let mut edges: BTreeSet<String> = BTreeSet::new();
        for dep in node.get("depends_on").and_then(CNode::as_map).unwrap_or(&[]) {
            edges.insert(dep.key.clone());
            if let Some(cond) = dep.value.get("condition").and_then(CNode::as_str)
                && cond != "service_started"
            {
                self.item(
                    Outcome::Approximated,
                    sname,
                    "depends_on",
                    format!("condition `{cond}` on `{}`: Kubernetes starts services in any order; the service must retry until `{}` is ready", dep.key, dep.key),
                    dep.key_loc,
                );
            }
            self.add_edge(&mut out, b, all, project, &dep.key, None, dep.key_loc, "depends_on");
        }
        for link in node.get("links").and_then(CNode::as_seq).unwrap_or(&[]) {
            if let Some(l) = link.as_str() {
                let target = l.split(':').next().unwrap_or(l).to_string();
                self.add_edge(&mut out, b, all, project, &target, None, link.loc, "links");
            }
        }
        let _ = edges;

        // Storage, tmpfs and bind mounts.
        self.volumes(&mut out, node, b, defaults.as_ref(), project);

        // Resources and replicas.
        self.resources(&mut out, node, sname, b.key_loc);
        let replicas = node.get("deploy").and_then(|d| d.entry("replicas")).or_else(|| node.entry("scale"));
        if let Some(e) = replicas {
            match e.value.value {
                CValue::Int(n) if n >= 1 => {
                    out.replicas = Some(u32::try_from(n).unwrap_or(u32::MAX).min(1000));
                    self.item(Outcome::Mapped, sname, &e.key, format!("{n} replicas"), e.key_loc);
                }
                _ => self.item(Outcome::Approximated, sname, &e.key, "not a positive count; one replica", e.key_loc),
            }
        }
        if let Some(mode) = node.get("deploy").and_then(|d| d.entry("mode"))
            && mode.value.as_str() == Some("global")
        {
            self.item(
                Outcome::Approximated,
                sname,
                "deploy.mode",
                "`global` (one per node) became a single replica; skyform does not generate DaemonSets",
                mode.key_loc,
            );
        }

        // Health checks.
        self.healthcheck(&mut out, node, b);

        // User.
        if let Some(e) = node.entry("user") {
            let text = e.value.scalar_text().unwrap_or_default();
            let uid = text.split(':').next().unwrap_or_default();
            match uid.parse::<i64>() {
                Ok(0) => self.item(
                    Outcome::Dropped,
                    sname,
                    "user",
                    "runs as root; skyform enforces non-root containers (UID 10001 unless `runAsUser:` says otherwise)",
                    e.key_loc,
                ),
                Ok(n) if n > 0 && b.component.is_none() => {
                    out.run_as_user = Some(n);
                    self.item(Outcome::Mapped, sname, "user", format!("became `runAsUser: {n}`"), e.key_loc);
                }
                Ok(_) => self.item(
                    Outcome::Approximated,
                    sname,
                    "user",
                    "the component's own non-root UID is used",
                    e.key_loc,
                ),
                Err(_) if uid == "root" => {
                    self.item(
                        Outcome::Dropped,
                        sname,
                        "user",
                        "runs as root; skyform enforces non-root containers",
                        e.key_loc,
                    );
                }
                Err(_) => self.item(
                    Outcome::Approximated,
                    sname,
                    "user",
                    format!("user name `{uid}` cannot be resolved outside the image; set a numeric `runAsUser:`"),
                    e.key_loc,
                ),
            }
        }

        self.other_keys(&mut out, node, sname);
        out
    }

    fn ports_and_expose(&mut self, out: &mut OutService, b: &Basic) {
        let sname = Some(b.compose_name.as_str());
        for p in &b.container_ports {
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
        // Published HTTP-ish ports of front services become exposure candidates.
        let exposable =
            matches!(b.role, Role::App | Role::Proxy | Role::Identity) || b.component == Some(ComponentKind::Grafana);
        let published: Vec<&ContainerPort> =
            b.container_ports.iter().filter(|p| p.published.is_some() && !p.udp).collect();
        let Some(first) = published.first() else { return };
        if !exposable {
            let why = match b.role {
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
            None => b
                .component
                .map(|k| {
                    component_defaults(k)
                        .ports
                        .iter()
                        .map(|(n, p)| OutPort { name: (*n).to_string(), port: *p, udp: false })
                        .collect()
                })
                .unwrap_or_default(),
        };
        let target_port = if b.component == Some(ComponentKind::Nginx) && first.port == 80 { 8080 } else { first.port };
        let Some(port) = ports_now.iter().find(|p| p.port == target_port && !p.udp) else { return };
        let host = format!("{}.{{domain}}", out_host_label(&b.name));
        let port_ref =
            if ports_now.first().is_some_and(|f| f.port == port.port) { None } else { Some(port.name.clone()) };
        out.expose = Some((host.clone(), port_ref));
        self.item(
            Outcome::Mapped,
            sname,
            "ports",
            format!(
                "published port {} → exposed through the ingress as https://{host}/ (review the host name)",
                first.published.as_deref().unwrap_or_default()
            ),
            first.loc,
        );
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

    #[allow(clippy::too_many_arguments)]
    fn add_edge(
        &mut self,
        out: &mut OutService,
        b: &Basic,
        all: &[Basic],
        project: &Project,
        target: &str,
        port: Option<u16>,
        loc: Loc,
        subject: &str,
    ) -> Option<String> {
        let sname = Some(b.compose_name.as_str());
        let Some(t) = all.iter().find(|x| x.compose_name == target || x.aliases.iter().any(|a| a == target)) else {
            if project.inactive.iter().any(|(n, _, _)| n == target) {
                self.item(
                    Outcome::Approximated,
                    sname,
                    subject,
                    format!("`{target}` is in an inactive profile; no edge"),
                    loc,
                );
            } else if subject == "depends_on" || subject == "links" {
                self.item(
                    Outcome::Dropped,
                    sname,
                    subject,
                    format!("`{target}` is not a service of this project"),
                    loc,
                );
            }
            return None;
        };
        if t.name == b.name {
            return None;
        }
        if t.effective_ports.is_empty() {
            self.item(
                Outcome::Approximated,
                sname,
                subject,
                format!(
                    "`{}` declares no ports, so no network edge is needed; start order is not enforced",
                    t.compose_name
                ),
                loc,
            );
            return Some(t.name.clone());
        }
        let edge = match port {
            Some(p) if t.effective_ports.contains(&p) => format!("{}:{p}", t.name),
            _ => t.name.clone(),
        };
        // A port-specific edge makes a bare one redundant and vice versa keeps all ports.
        if edge.contains(':') || !out.depends_on.iter().any(|d| d.split(':').next() == Some(t.name.as_str())) {
            out.depends_on.insert(edge);
        }
        if subject == "depends_on" || subject == "links" {
            self.item(
                Outcome::Mapped,
                sname,
                subject,
                format!("`{target}` → `dependsOn: {}` (a NetworkPolicy edge)", t.name),
                loc,
            );
        }
        Some(t.name.clone())
    }

    #[allow(clippy::too_many_lines)]
    fn environment(
        &mut self,
        platform: &str,
        out: &mut OutService,
        svc: &CEntry,
        b: &Basic,
        all: &[Basic],
        project: &Project,
    ) {
        let node = &svc.value;
        let sname = Some(b.compose_name.as_str());
        // (key, value, loc); later entries win.
        let mut vars: Vec<(String, Option<String>, Loc)> = Vec::new();
        for item in node.get("env_file").and_then(CNode::as_seq).unwrap_or(&[]) {
            let (path, required) = match &item.value {
                CValue::String(s) => (s.clone(), true),
                CValue::Map(_) => (
                    item.get("path").and_then(CNode::as_str).unwrap_or_default().to_string(),
                    !matches!(item.get("required").map(|r| &r.value), Some(CValue::Bool(false))),
                ),
                _ => continue,
            };
            let full = join_path(self.loader.file_name(item.loc.file), &path);
            let Some(text) = self.loader.read_file(&full) else {
                if required {
                    self.error(
                        item.loc,
                        Diagnostic::error(Code::InvalidValue, item.loc.span, format!("cannot read env file `{full}`"))
                            .hint("paths are relative to the compose file; write `{path: …, required: false}` for an optional file"),
                    );
                } else {
                    self.item(
                        Outcome::Approximated,
                        sname,
                        "env_file",
                        format!("optional env file `{full}` not found"),
                        item.loc,
                    );
                }
                continue;
            };
            let file = self.loader.add_source(&full, &text);
            let mut unset = Vec::new();
            let lookup = |k: &str| self.loader.lookup(k);
            match crate::envfile::parse_env_file(&text, &lookup, &mut unset) {
                Ok(lines) => {
                    let n = lines.len();
                    for l in lines {
                        let loc = Loc {
                            file,
                            span: skyform_yaml::Span { line: l.line, column: l.column, offset: 0, len: 0 },
                        };
                        vars.retain(|v| v.0 != l.key);
                        vars.push((l.key, l.value, loc));
                    }
                    self.item(Outcome::Mapped, sname, "env_file", format!("`{full}`: {n} variables read"), item.loc);
                }
                Err(e) => {
                    let span = skyform_yaml::Span { line: e.line, column: e.column, offset: 0, len: 0 };
                    self.error(
                        Loc { file, span },
                        Diagnostic::error(Code::InvalidValue, span, format!("invalid env file: {}", e.message)),
                    );
                }
            }
            for u in unset {
                self.item(
                    Outcome::Approximated,
                    sname,
                    "env_file",
                    format!("variable `{u}` is not set; it became an empty string"),
                    item.loc,
                );
            }
        }
        let env_entry = node.entry("environment");
        for e in env_entry.and_then(|e| e.value.as_map()).unwrap_or(&[]) {
            let value = match &e.value.value {
                CValue::Null => self.loader.lookup(&e.key),
                _ => e.value.scalar_text(),
            };
            vars.retain(|v| v.0 != e.key);
            vars.push((e.key.clone(), value, e.key_loc));
        }
        let mut secret_names: Vec<String> = Vec::new();
        let mut plain = 0usize;
        for (key, value, loc) in vars {
            let Some(value) = value else {
                self.item(
                    Outcome::Approximated,
                    sname,
                    &format!("environment.{key}"),
                    "takes its value from the shell, where it is not set; omitted",
                    loc,
                );
                continue;
            };
            if !is_env_name(&key) {
                self.item(
                    Outcome::Dropped,
                    sname,
                    &format!("environment.{key}"),
                    "not a valid Kubernetes environment variable name",
                    loc,
                );
                continue;
            }
            let mut addresses = classify::urls_in(&value);
            addresses.extend(classify::plain_addresses_in(&key, &value));
            let credentials = addresses.iter().any(|a| a.credentials);
            let secret = classify::is_secret_name(&key) || credentials;
            // Dependencies and host rewrites.
            let mut rewrites: Vec<(Address, String)> = Vec::new();
            let mut targets: Vec<String> = Vec::new();
            for a in &addresses {
                let Some(t) = all.iter().find(|x| x.aliases.iter().any(|al| al == &a.host)) else {
                    if project.inactive.iter().any(|(n, _, _)| n == &a.host) {
                        self.item(
                            Outcome::Approximated,
                            sname,
                            &format!("environment.{key}"),
                            format!("points at `{}`, which is in an inactive profile", a.host),
                            loc,
                        );
                    }
                    continue;
                };
                if t.name == b.name {
                    continue;
                }
                let subject = format!("environment.{key}");
                if let Some(target) = self.add_edge(out, b, all, project, &t.compose_name, a.port, loc, &subject) {
                    targets.push(target);
                }
                let new_host = if t.tier != b.tier {
                    format!("{}.{platform}-{}.svc.cluster.local", t.name, t.tier.name())
                } else {
                    t.name.clone()
                };
                if new_host != a.host {
                    rewrites.push((a.clone(), new_host));
                }
            }
            targets.sort();
            targets.dedup();
            if secret {
                secret_names.push(key.clone());
                if !rewrites.is_empty() {
                    let hosts =
                        rewrites.iter().map(|(a, h)| format!("`{}` → `{h}`", a.host)).collect::<Vec<_>>().join(", ");
                    self.item(
                        Outcome::Approximated,
                        sname,
                        &format!("environment.{key}"),
                        format!("secret; when storing its value in the secrets backend, change the host {hosts}"),
                        loc,
                    );
                } else if credentials {
                    self.item(
                        Outcome::Mapped,
                        sname,
                        &format!("environment.{key}"),
                        "connection URL with credentials → secret reference",
                        loc,
                    );
                }
                if !targets.is_empty() {
                    self.item(
                        Outcome::Mapped,
                        sname,
                        &format!("environment.{key}"),
                        format!("connection to {} → `dependsOn`", quote_list(&targets)),
                        loc,
                    );
                }
                continue;
            }
            let mut new_value = value.clone();
            let mut sorted = rewrites.clone();
            sorted.sort_by_key(|(a, _)| std::cmp::Reverse(a.start));
            let mut last_start = usize::MAX;
            for (a, h) in &sorted {
                if a.end <= last_start
                    && new_value.is_char_boundary(a.start)
                    && new_value.is_char_boundary(a.end)
                    && a.end <= new_value.len()
                {
                    new_value.replace_range(a.start..a.end, h);
                    last_start = a.start;
                }
            }
            if !rewrites.is_empty() {
                let hosts =
                    rewrites.iter().map(|(a, h)| format!("`{}` → `{h}`", a.host)).collect::<Vec<_>>().join(", ");
                self.item(
                    Outcome::Approximated,
                    sname,
                    &format!("environment.{key}"),
                    format!("host rewritten {hosts} (services run in per-tier namespaces)"),
                    loc,
                );
            }
            if !targets.is_empty() {
                self.item(
                    Outcome::Mapped,
                    sname,
                    &format!("environment.{key}"),
                    format!("connection to {} → `dependsOn`", quote_list(&targets)),
                    loc,
                );
            }
            plain += 1;
            out.env.insert(key, new_value);
        }
        if plain + secret_names.len() > 0 {
            let loc = env_entry.map_or(b.key_loc, |e| e.key_loc);
            let msg = if secret_names.is_empty() {
                format!("{plain} variable{}", if plain == 1 { "" } else { "s" })
            } else {
                format!(
                    "{plain} variable{} and {} secret reference{} ({}); secret values are never copied",
                    if plain == 1 { "" } else { "s" },
                    secret_names.len(),
                    if secret_names.len() == 1 { "" } else { "s" },
                    secret_names.join(", ")
                )
            };
            self.item(Outcome::Mapped, sname, "environment", msg, loc);
        }
        for s in secret_names {
            out.secrets.insert(s);
        }
    }

    fn volumes(
        &mut self,
        out: &mut OutService,
        node: &CNode,
        b: &Basic,
        defaults: Option<&skyform_model::ComponentDefaults>,
        project: &Project,
    ) {
        let sname = Some(b.compose_name.as_str());
        let default_mount = defaults.and_then(|d| d.storage).map(|(_, _, m)| m);
        struct Mount {
            kind: &'static str,
            source: String,
            target: String,
            read_only: bool,
            loc: Loc,
        }
        let mut mounts: Vec<Mount> = Vec::new();
        for item in node.get("volumes").and_then(CNode::as_seq).unwrap_or(&[]) {
            let m = match &item.value {
                CValue::String(s) => {
                    let parts: Vec<&str> = s.split(':').collect();
                    let (source, target, mode) = match parts.as_slice() {
                        [t] => (String::new(), (*t).to_string(), ""),
                        [s, t] => ((*s).to_string(), (*t).to_string(), ""),
                        [s, t, m, ..] => ((*s).to_string(), (*t).to_string(), *m),
                        [] => continue,
                    };
                    let kind = if source.is_empty() {
                        "anonymous"
                    } else if source.starts_with(['.', '/', '~']) || source.contains('/') {
                        "bind"
                    } else {
                        "volume"
                    };
                    Mount { kind, source, target, read_only: mode.split(',').any(|x| x == "ro"), loc: item.loc }
                }
                CValue::Map(_) => {
                    let kind = match item.get("type").and_then(CNode::as_str).unwrap_or("volume") {
                        "bind" => "bind",
                        "tmpfs" => "tmpfs",
                        "volume" => "volume",
                        _ => "other",
                    };
                    let source = item.get("source").and_then(CNode::scalar_text).unwrap_or_default();
                    let kind = if kind == "volume" && source.is_empty() { "anonymous" } else { kind };
                    Mount {
                        kind,
                        source,
                        target: item.get("target").and_then(CNode::scalar_text).unwrap_or_default(),
                        read_only: matches!(item.get("read_only").map(|r| &r.value), Some(CValue::Bool(true))),
                        loc: item.loc,
                    }
                }
                _ => continue,
            };
            if !m.target.starts_with('/') {
                self.error(
                    m.loc,
                    Diagnostic::error(
                        Code::InvalidValue,
                        m.loc.span,
                        format!("volume target `{}` in service `{}` is not an absolute path", m.target, b.compose_name),
                    )
                    .hint("write `SOURCE:/absolute/container/path`"),
                );
                continue;
            }
            mounts.push(m);
        }
        // The persistent volume: the named volume at the component's data path, else the
        // first named volume, else a writable data-looking host directory.
        let pick = mounts
            .iter()
            .position(|m| m.kind == "volume" && Some(m.target.as_str()) == default_mount)
            .or_else(|| mounts.iter().position(|m| m.kind == "volume"))
            .or_else(|| {
                mounts.iter().position(|m| {
                    m.kind == "bind"
                        && !m.read_only
                        && m.source != "/var/run/docker.sock"
                        && (Some(m.target.as_str()) == default_mount
                            || b.role == Role::DataStore
                            || m.target.contains("data"))
                        && !m.source.rsplit('/').next().unwrap_or_default().contains('.')
                })
            });
        for (i, m) in mounts.iter().enumerate() {
            if Some(i) == pick {
                let class = defaults.and_then(|d| d.storage).map(|(_, c, _)| c);
                let size = defaults.and_then(|d| d.storage).map(|(s, _, _)| s);
                let external = project
                    .volumes
                    .iter()
                    .find(|v| v.key == m.source)
                    .and_then(|v| v.value.get("external"))
                    .is_some_and(|x| matches!(x.value, CValue::Bool(true)));
                out.storage = Some(OutStorage {
                    size: if size.is_some() { None } else { Some("10Gi".to_string()) },
                    class: if class.is_some() {
                        None
                    } else if b.role == Role::DataStore {
                        Some(StorageClassName::FastSsd)
                    } else {
                        Some(StorageClassName::Standard)
                    },
                    mount_path: if Some(m.target.as_str()) == default_mount { None } else { Some(m.target.clone()) },
                });
                let size_text = size.unwrap_or("10Gi");
                let what = if m.kind == "bind" {
                    format!("host directory `{}`", m.source)
                } else {
                    format!("volume `{}`", m.source)
                };
                let extra =
                    if external { "; it is `external` in compose: copy its data into the new volume" } else { "" };
                let outcome = if m.kind == "bind" || external { Outcome::Approximated } else { Outcome::Mapped };
                let copy = if m.kind == "bind" { "; copy its contents into the volume" } else { "" };
                self.item(
                    outcome,
                    sname,
                    "volumes",
                    format!("{what} at `{}` → persistent storage ({size_text}, size not known in compose: review){copy}{extra}", m.target),
                    m.loc,
                );
                continue;
            }
            match m.kind {
                "volume" | "anonymous" => {
                    out.writable_paths.push(m.target.clone());
                    self.item(
                        Outcome::Approximated,
                        sname,
                        "volumes",
                        format!("`{}` became an emptyDir (writable, not persistent): one persistent volume per service", m.target),
                        m.loc,
                    );
                }
                "tmpfs" => {
                    out.writable_paths.push(m.target.clone());
                    self.item(Outcome::Mapped, sname, "volumes", format!("tmpfs `{}` → writable path (emptyDir)", m.target), m.loc);
                }
                _ if m.source == "/var/run/docker.sock" || m.source.ends_with("docker.sock") => self.item(
                    Outcome::Dropped,
                    sname,
                    "volumes",
                    "the Docker socket has no Kubernetes equivalent; give the service `rbac:` rules for the Kubernetes API instead",
                    m.loc,
                ),
                _ => self.item(
                    Outcome::Dropped,
                    sname,
                    "volumes",
                    format!("bind mount of host path `{}` at `{}`: bake the file into the image or mount it from a ConfigMap", m.source, m.target),
                    m.loc,
                ),
            }
        }
        for item in node.get("tmpfs").and_then(CNode::as_seq).unwrap_or(&[]) {
            if let Some(t) = item.as_str() {
                let path = t.split(':').next().unwrap_or(t).to_string();
                if path.starts_with('/') {
                    out.writable_paths.push(path.clone());
                    self.item(
                        Outcome::Mapped,
                        sname,
                        "tmpfs",
                        format!("`{path}` → writable path (emptyDir)"),
                        item.loc,
                    );
                }
            }
        }
        out.writable_paths.sort();
        out.writable_paths.dedup();
    }

    fn resources(&mut self, out: &mut OutService, node: &CNode, sname: Option<&str>, key_loc: Loc) {
        let res = node.get("deploy").and_then(|d| d.get("resources"));
        let limits = res.and_then(|r| r.get("limits"));
        let reservations = res.and_then(|r| r.get("reservations"));
        let pick = |a: Option<&CNode>, key: &str, legacy: Option<&CEntry>| -> Option<(CNode, Loc)> {
            a.and_then(|n| n.entry(key))
                .map(|e| (e.value.clone(), e.key_loc))
                .or_else(|| legacy.map(|e| (e.value.clone(), e.key_loc)))
        };
        let cpu_lim = pick(limits, "cpus", node.entry("cpus"));
        let cpu_req = pick(reservations, "cpus", None);
        let mem_lim = pick(limits, "memory", node.entry("mem_limit"));
        let mem_req = pick(reservations, "memory", node.entry("mem_reservation"));
        let cpu = |n: &Option<(CNode, Loc)>| n.as_ref().and_then(|(v, _)| cpu_millis(v));
        let mem =
            |n: &Option<(CNode, Loc)>| n.as_ref().and_then(|(v, _)| v.scalar_text()).and_then(|t| memory_bytes(&t));
        for (what, v, parsed) in [
            ("CPU limit", &cpu_lim, cpu(&cpu_lim).is_some()),
            ("CPU reservation", &cpu_req, cpu(&cpu_req).is_some()),
            ("memory limit", &mem_lim, mem(&mem_lim).is_some()),
            ("memory reservation", &mem_req, mem(&mem_req).is_some()),
        ] {
            if let Some((node, loc)) = v
                && !parsed
            {
                self.error(
                    *loc,
                    Diagnostic::error(
                        Code::InvalidValue,
                        node.loc.span,
                        format!("invalid {what} `{}`", node.scalar_text().unwrap_or_default()),
                    )
                    .hint(if what.starts_with("CPU") {
                        "write a number of CPUs such as `0.5`"
                    } else {
                        "write a size such as `512M` or `1G`"
                    }),
                );
            }
        }
        let (cl, cr) = (cpu(&cpu_lim), cpu(&cpu_req));
        let (ml, mr) = (mem(&mem_lim), mem(&mem_req));
        let loc = res.map(|r| r.loc).or(cpu_lim.as_ref().map(|x| x.1)).or(mem_lim.as_ref().map(|x| x.1));
        if let Some(text) = range_text(cr, cl, |m| format!("{m}m")) {
            out.cpu = Some(text);
        }
        if let Some(text) = range_text(mr, ml, memory_quantity) {
            out.memory = Some(text);
        }
        let Some(loc) = loc else {
            if out.component.is_none() {
                self.item(
                    Outcome::Approximated,
                    sname,
                    "deploy.resources",
                    "none in compose; skyform uses 100m..500m CPU and 128Mi..256Mi memory until you size it",
                    key_loc,
                );
                out.notes.push("no resources in compose: add `resources:` sized from real usage".to_string());
            }
            return;
        };
        let mut notes = Vec::new();
        if let (Some(r), Some(l)) = (cr, cl)
            && r > l
        {
            notes.push("CPU reservation above its limit: limit raised to it");
        }
        if let (Some(r), Some(l)) = (mr, ml)
            && r > l
        {
            notes.push("memory reservation above its limit: limit raised to it");
        }
        if (cl.is_some() && cr.is_none()) || (ml.is_some() && mr.is_none()) {
            notes.push("limits without reservations: request = limit, as in Kubernetes");
        }
        if (cr.is_some() && cl.is_none()) || (mr.is_some() && ml.is_none()) {
            notes.push("reservations without limits: limit = request");
        }
        let summary = format!(
            "cpu {}, memory {}",
            out.cpu.as_deref().unwrap_or("(default)"),
            out.memory.as_deref().unwrap_or("(default)")
        );
        if notes.is_empty() {
            self.item(Outcome::Mapped, sname, "deploy.resources", format!("{summary} (request..limit)"), loc);
        } else {
            self.item(
                Outcome::Approximated,
                sname,
                "deploy.resources",
                format!("{summary}: {}", notes.join("; ")),
                loc,
            );
        }
    }

    fn healthcheck(&mut self, out: &mut OutService, node: &CNode, b: &Basic) {
        let sname = Some(b.compose_name.as_str());
        let Some(hc) = node.entry("healthcheck") else {
            if b.component.is_none() {
                let has_ports = out.ports.as_ref().is_some_and(|p| !p.is_empty());
                let msg = if has_ports {
                    "no healthcheck; skyform probes the first port over TCP"
                } else {
                    "no healthcheck and no ports; skyform cannot tell when it is healthy"
                };
                self.item(Outcome::Approximated, sname, "healthcheck", msg, b.key_loc);
            }
            return;
        };
        if b.component.is_some() {
            self.item(
                Outcome::Approximated,
                sname,
                "healthcheck",
                "replaced by the component's liveness and readiness probes",
                hc.key_loc,
            );
            return;
        }
        let disabled = matches!(hc.value.get("disable").map(|d| &d.value), Some(CValue::Bool(true)));
        let test: Vec<String> = match hc.value.get("test").map(|t| &t.value) {
            Some(CValue::Seq(items)) => items.iter().filter_map(CNode::scalar_text).collect(),
            Some(CValue::String(s)) => vec!["CMD-SHELL".to_string(), s.clone()],
            _ => Vec::new(),
        };
        if disabled || test.first().is_some_and(|t| t == "NONE") || test.is_empty() {
            self.item(
                Outcome::Approximated,
                sname,
                "healthcheck",
                "disabled or empty; skyform probes the first port over TCP",
                hc.key_loc,
            );
            return;
        }
        let (argv, shell): (Vec<String>, Option<String>) = match test.first().map(String::as_str) {
            Some("CMD") => (test[1..].to_vec(), None),
            Some("CMD-SHELL") => {
                let s = test[1..].join(" ");
                (vec!["sh".to_string(), "-c".to_string(), s.clone()], Some(s))
            }
            _ => (test.clone(), None),
        };
        let words: Vec<String> = match &shell {
            Some(s) => shell_split(s),
            None => argv.clone(),
        };
        let timing = |key: &str| {
            hc.value.get(key).and_then(CNode::scalar_text).and_then(|t| duration_seconds(&t)).filter(|s| *s > 0)
        };
        let period = timing("interval");
        let initial_delay = timing("start_period");
        let failure = hc.value.get("retries").and_then(|r| match r.value {
            CValue::Int(n) if n >= 1 => u32::try_from(n).ok(),
            _ => None,
        });
        // An HTTP GET of the container itself (curl/wget) becomes an HTTP probe.
        let program = words.first().map(|w| w.rsplit('/').next().unwrap_or(w).to_string()).unwrap_or_default();
        let http = if matches!(program.as_str(), "curl" | "wget") {
            words.iter().find_map(|w| local_http_url(w, &b.aliases))
        } else {
            None
        };
        let ports = out.ports.clone().unwrap_or_default();
        let action = match http {
            Some((port, path)) => match ports.iter().find(|p| p.port == port && !p.udp) {
                Some(p) => {
                    let port_ref =
                        if ports.first().is_some_and(|f| f.port == p.port) { None } else { Some(p.name.clone()) };
                    self.item(
                        Outcome::Mapped,
                        sname,
                        "healthcheck",
                        format!("`{program}` of `{path}` on port {port} → HTTP liveness and readiness probes"),
                        hc.key_loc,
                    );
                    Some((ProbeAction::Http(path), port_ref))
                }
                None => None,
            },
            None => None,
        };
        let (action, port) = action.unwrap_or_else(|| {
            self.item(
                Outcome::Mapped,
                sname,
                "healthcheck",
                "command → exec liveness and readiness probes",
                hc.key_loc,
            );
            (ProbeAction::Exec(argv), None)
        });
        if hc.value.get("timeout").is_some() {
            self.item(
                Outcome::Approximated,
                sname,
                "healthcheck.timeout",
                "probe timeouts use the Kubernetes default (1s)",
                hc.key_loc,
            );
        }
        out.probes = Some(OutProbes { port, action, period, failure, initial_delay });
    }

    fn other_keys(&mut self, out: &mut OutService, node: &CNode, sname: Option<&str>) {
        let Some(entries) = node.as_map() else { return };
        for e in entries {
            let loc = e.key_loc;
            let k = e.key.as_str();
            let truthy = matches!(e.value.value, CValue::Bool(true));
            let (outcome, msg): (Outcome, String) = match k {
                "privileged" if truthy => {
                    (Outcome::Dropped, "privileged containers violate Pod Security `restricted`".into())
                }
                "privileged" => continue,
                "network_mode" => {
                    let mode = e.value.as_str().unwrap_or_default();
                    if mode == "host" {
                        (Outcome::Dropped, "host networking is not allowed; the service gets a cluster IP".into())
                    } else {
                        (
                            Outcome::Dropped,
                            format!("`network_mode: {mode}` has no Kubernetes equivalent; pods have their own network"),
                        )
                    }
                }
                "pid" | "ipc" | "uts" | "userns_mode" | "cgroup" => (
                    Outcome::Dropped,
                    format!("`{k}: {}` namespace sharing is not allowed", e.value.scalar_text().unwrap_or_default()),
                ),
                "cap_add" => (
                    Outcome::Dropped,
                    format!("capabilities ({}) are dropped: Pod Security `restricted` drops ALL", seq_text(&e.value)),
                ),
                "cap_drop" => (Outcome::Mapped, "all capabilities are dropped anyway".into()),
                "devices" | "device_cgroup_rules" | "gpus" => {
                    (Outcome::Dropped, "host devices are not available to restricted pods".into())
                }
                "security_opt" => (
                    Outcome::Dropped,
                    format!(
                        "`{}`: skyform sets seccomp `RuntimeDefault` and no privilege escalation",
                        seq_text(&e.value)
                    ),
                ),
                "sysctls" => (Outcome::Dropped, "sysctls need a weaker Pod Security level".into()),
                "extra_hosts" => {
                    (Outcome::Dropped, "static host entries are not generated; use DNS or an egress rule".into())
                }
                "dns" | "dns_search" | "dns_opt" => {
                    (Outcome::Dropped, "custom DNS is not generated; pods use cluster DNS".into())
                }
                "configs" => (
                    Outcome::Dropped,
                    "compose configs are not imported; bake them into the image or use a ConfigMap".into(),
                ),
                "secrets" => {
                    let names: Vec<String> = e
                        .value
                        .as_seq()
                        .unwrap_or(&[])
                        .iter()
                        .filter_map(|s| {
                            s.as_str().map(str::to_string).or_else(|| s.get("source").and_then(CNode::scalar_text))
                        })
                        .collect();
                    for n in &names {
                        let env = sanitize_env(n);
                        if !out.env.contains_key(&env) {
                            out.secrets.insert(env);
                        }
                    }
                    (
                        Outcome::Approximated,
                        format!(
                            "file secrets ({}) became environment secret references; the app must read them from the environment",
                            names.join(", ")
                        ),
                    )
                }
                "working_dir" => (Outcome::Dropped, "the working directory comes from the image".into()),
                "container_name" | "hostname" | "domainname" => {
                    (Outcome::Approximated, "Kubernetes names the pods; the service name is the host name".into())
                }
                "restart" => (
                    Outcome::Approximated,
                    format!(
                        "`{}`: Kubernetes always restarts failed containers",
                        e.value.scalar_text().unwrap_or_default()
                    ),
                ),
                "networks" => {
                    (Outcome::Approximated, "compose networks became NetworkPolicies from `dependsOn` edges".into())
                }
                "labels" | "annotations" => (Outcome::Dropped, "container labels are not carried over".into()),
                "logging" => (Outcome::Approximated, "logs go to stdout and the cluster's log stack".into()),
                "read_only" => {
                    (Outcome::Mapped, "root filesystems are always read-only; writable paths are listed".into())
                }
                "stop_grace_period" | "stop_signal" => {
                    (Outcome::Dropped, "termination settings use Kubernetes defaults".into())
                }
                "ulimits" | "pids_limit" | "shm_size" | "oom_kill_disable" | "oom_score_adj" | "mem_swappiness"
                | "memswap_limit" | "cpu_shares" | "cpu_quota" | "cpu_period" | "cpuset" | "cpu_count"
                | "cpu_percent" | "cpu_rt_period" | "cpu_rt_runtime" | "blkio_config" | "storage_opt" | "runtime"
                | "isolation" | "platform" | "init" | "cgroup_parent" => {
                    (Outcome::Dropped, "a runtime tuning without a skyform equivalent".into())
                }
                "volumes_from" => (Outcome::Dropped, "volumes are not shared between services".into()),
                "external_links" => {
                    (Outcome::Dropped, "links to containers outside the project are not imported".into())
                }
                "pull_policy" | "tty" | "stdin_open" | "attach" | "develop" | "post_start" | "pre_stop"
                | "label_file" | "mac_address" | "credential_spec" | "group_add" | "use_api_socket" => {
                    (Outcome::Dropped, "no skyform equivalent".into())
                }
                "profiles" => (Outcome::Mapped, format!("active profile(s) {}", seq_text(&e.value))),
                "extends" => continue,
                "deploy" => {
                    for d in e.value.as_map().unwrap_or(&[]) {
                        match d.key.as_str() {
                            "resources" | "replicas" | "mode" => {}
                            "restart_policy" => self.item(
                                Outcome::Approximated,
                                sname,
                                "deploy.restart_policy",
                                "Kubernetes always restarts failed containers",
                                d.key_loc,
                            ),
                            other => self.item(
                                Outcome::Dropped,
                                sname,
                                &format!("deploy.{other}"),
                                "swarm deployment settings are not imported",
                                d.key_loc,
                            ),
                        }
                    }
                    continue;
                }
                _ => continue,
            };
            self.item(outcome, sname, k, msg, loc);
        }
    }
}

fn seq_text(node: &CNode) -> String {
    match &node.value {
        CValue::Seq(items) => items.iter().filter_map(CNode::scalar_text).collect::<Vec<_>>().join(", "),
        CValue::Map(entries) => entries.iter().map(|e| e.key.clone()).collect::<Vec<_>>().join(", "),
        _ => node.scalar_text().unwrap_or_default(),
    }
}

fn quote_list(items: &[String]) -> String {
    items.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
}

/// A compose secret name as an environment variable name (`db_password` → `DB_PASSWORD`).
fn sanitize_env(name: &str) -> String {
    let mut s: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' }).collect();
    if !s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        s.insert(0, '_');
    }
    s
}

/// The host label used in exposure candidates.
fn out_host_label(name: &str) -> String {
    name.to_string()
}

/// `request..limit` text from optional request and limit.
fn range_text(req: Option<u64>, lim: Option<u64>, fmt: impl Fn(u64) -> String) -> Option<String> {
    match (req, lim) {
        (Some(r), Some(l)) if r == l => Some(fmt(r)),
        (Some(r), Some(l)) if r > l => Some(fmt(r)),
        (Some(r), Some(l)) => Some(format!("{}..{}", fmt(r), fmt(l))),
        (Some(x), None) | (None, Some(x)) => Some(fmt(x)),
        (None, None) => None,
    }
}

/// The port and path of a URL addressing the container itself.
fn local_http_url(word: &str, aliases: &[String]) -> Option<(u16, String)> {
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
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_dns_labels() {
        assert_eq!(sanitize_name("web", 63), "web");
        assert_eq!(sanitize_name("My_App.v2", 63), "my-app-v2");
        assert_eq!(sanitize_name("1st", 63), "svc-1st");
        assert_eq!(sanitize_name("__", 63), "svc");
        assert_eq!(sanitize_name(&"a".repeat(80), 63).len(), 63);
    }

    #[test]
    fn shell_words() {
        assert_eq!(shell_split("a  b 'c d' \"e \\\" f\" g\\ h"), vec!["a", "b", "c d", "e \" f", "g h"]);
        assert_eq!(shell_split(""), Vec::<String>::new());
        assert_eq!(shell_split("''"), vec![""]);
    }

    #[test]
    fn durations_and_sizes() {
        assert_eq!(duration_seconds("30s"), Some(30));
        assert_eq!(duration_seconds("1m30s"), Some(90));
        assert_eq!(duration_seconds("500ms"), Some(1));
        assert_eq!(duration_seconds("x"), None);
        assert_eq!(memory_bytes("512M"), Some(512 << 20));
        assert_eq!(memory_bytes("1g"), Some(1 << 30));
        assert_eq!(memory_bytes("1.5GB"), Some(3 << 29));
        assert_eq!(memory_bytes("bogus"), None);
        assert_eq!(memory_quantity(1 << 30), "1Gi");
        assert_eq!(memory_quantity(3 << 29), "1536Mi");
        assert_eq!(memory_quantity(1000), "1Mi");
    }

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
    }
}
