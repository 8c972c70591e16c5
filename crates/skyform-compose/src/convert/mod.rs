//! Compose services → platform services.
//!
//! Passes over the merged project:
//! 1. names, images (checked as Docker parses references), components, declared ports,
//!    roles and tiers ([`Converter::basic`]); `depends_on` cycles are located errors;
//! 2. every service's environment is read (`env_file`, `environment`), then the ports of
//!    images that declare none are learned (`ports`), one-shot services found (`graph`)
//!    and named volumes used by several services made shared claims (`storage`);
//! 3. everything else is mapped per service, with a report line located in the compose
//!    file for everything mapped, approximated or dropped;
//! 4. values of secret variables are replaced by references wherever they were copied
//!    (`scrub`), and stateless serving services are marked for production replicas.

mod env;
mod graph;
mod health;
mod keys;
mod plan;
mod ports;
mod scrub;
mod storage;
mod text;

pub use plan::*;
pub use text::{sanitize_name, shell_split};

use crate::classify::{self, ImageRef, Role, Tier};
use crate::load::{Loader, Project};
use crate::report::{Outcome, Report, ReportItem};
use crate::tree::{CEntry, CNode, CValue, Loc};
use env::Site;
use skyform_spec::raw::ComponentKind;
use skyform_spec::{Code, Diagnostic};
use std::collections::{BTreeMap, BTreeSet};

/// A container port found in `ports:` or `expose:`, or learned.
#[derive(Clone, Debug)]
pub(crate) struct ContainerPort {
    pub port: u16,
    pub udp: bool,
    pub published: Option<String>,
    pub loc: Loc,
    /// The protocol when something says it (a URL scheme, the image table).
    pub proto: Option<AppProto>,
    /// Written in compose (`ports:`, `expose:`), not learned.
    pub declared: bool,
}

/// An environment variable of a compose service before mapping.
#[derive(Clone, Debug)]
pub(crate) struct EnvVar {
    pub key: String,
    pub value: Option<String>,
    pub loc: Loc,
}

/// First-pass facts about a service.
#[derive(Clone, Debug)]
pub(crate) struct Basic {
    pub compose_name: String,
    pub name: String,
    pub key_loc: Loc,
    pub image: Option<String>,
    pub image_ref: Option<ImageRef>,
    pub component: Option<ComponentKind>,
    pub container_ports: Vec<ContainerPort>,
    pub ports: Option<Vec<OutPort>>,
    /// Ports other services may address (declared, learned or the component's).
    pub effective_ports: Vec<u16>,
    pub role: Role,
    pub tier: Tier,
    pub tier_reason: String,
    pub aliases: Vec<String>,
    /// Runs once to completion.
    pub job: bool,
    /// Environment (`env_file` then `environment`), later entries win.
    pub vars: Vec<EnvVar>,
    /// `links: [service:alias]`: host names this service uses for others.
    pub link_aliases: Vec<(String, String)>,
}

impl Basic {
    /// The service a host name used by this service means.
    pub fn resolve<'a>(&self, all: &'a [Basic], host: &str) -> Option<&'a Basic> {
        let name = self.link_aliases.iter().find(|(a, _)| a == host).map_or(host, |(_, t)| t.as_str());
        all.iter().find(|x| x.compose_name == name || x.aliases.iter().any(|a| a == name))
    }
}

pub(crate) struct Converter<'l, 'a> {
    pub loader: &'l mut Loader<'a>,
    pub report: Report,
    /// The interpolation environment.
    env: BTreeMap<String, String>,
    /// Values of secret variables (at least 4 characters) → the variable holding them.
    secret_values: BTreeMap<String, String>,
}

impl<'l, 'a> Converter<'l, 'a> {
    pub fn new(loader: &'l mut Loader<'a>, env: &BTreeMap<String, String>) -> Converter<'l, 'a> {
        Converter { loader, report: Report::default(), env: env.clone(), secret_values: BTreeMap::new() }
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
        let (name, name_reason) = self.platform_name(project, fallback_name);
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
        let mut basics: Vec<Basic> = Vec::new();
        let mut taken: BTreeSet<String> = BTreeSet::new();
        for svc in &project.services {
            if let Some(b) = self.basic(svc, &mut taken) {
                basics.push(b);
            }
        }
        gateway_tiers(&mut basics, project);
        self.check_cycles(project);
        for b in &mut basics {
            if let Some(svc) = project.services.iter().find(|s| s.key == b.compose_name) {
                b.vars = self.read_env(svc, b);
            }
        }
        self.learn_ports(&mut basics, project);
        self.find_jobs(&mut basics, project);
        let shared = self.shared_volumes(&mut basics, project);
        let mut plan = Plan { name: name.clone(), name_reason, services: BTreeMap::new() };
        for svc in &project.services {
            let Some(b) = basics.iter().find(|b| b.compose_name == svc.key) else { continue };
            let out = self.service(&name, svc, b, &basics, project, &shared);
            plan.services.insert(b.name.clone(), out);
        }
        // Values of secret-looking variables that interpolation actually used.
        let used = self.loader.used.borrow().clone();
        self.secret_values = self
            .env
            .iter()
            .filter(|(k, v)| used.contains(*k) && classify::is_secret_name(k) && v.chars().count() >= 4)
            .map(|(k, v)| (v.clone(), k.clone()))
            .collect();
        self.scrub_secrets(&mut plan, &basics);
        mark_ha(&mut plan, &basics);
        plan
    }

    fn platform_name(&mut self, project: &Project, fallback_name: &str) -> (String, String) {
        match &project.name {
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
        }
    }

    fn basic(&mut self, svc: &CEntry, taken: &mut BTreeSet<String>) -> Option<Basic> {
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
        let image = self.image(svc)?;
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
        let mut role = classify::role_of(&compose_name, image_ref.as_ref(), component, &command_text);
        if role == Role::Worker && container_ports.iter().any(|p| p.published.is_some() && !p.udp) {
            // A published port serves clients: not a background worker.
            role = Role::App;
        }
        let (tier, tier_reason) = classify::tier_of(role, &compose_name, image.as_deref());
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
        let link_aliases = node
            .get("links")
            .and_then(CNode::as_seq)
            .unwrap_or(&[])
            .iter()
            .filter_map(|l| l.as_str()?.split_once(':').map(|(t, a)| (a.to_string(), t.to_string())))
            .collect();
        Some(Basic {
            compose_name,
            name,
            key_loc: svc.key_loc,
            image,
            image_ref,
            component,
            container_ports,
            ports: None,
            effective_ports: Vec::new(),
            role,
            tier,
            tier_reason,
            aliases,
            job: false,
            vars: Vec::new(),
            link_aliases,
        })
    }

    /// The service's image (`None` inside `Some` when it is only built), or `None` after
    /// an error.
    #[allow(clippy::option_option)]
    fn image(&mut self, svc: &CEntry) -> Option<Option<String>> {
        let compose_name = &svc.key;
        match svc.value.entry("image") {
            Some(e) => {
                let text = e.value.scalar_text().unwrap_or_default().trim().to_string();
                if let Some(problem) = crate::image::reference_problem(&text) {
                    self.error(
                        e.value.loc,
                        Diagnostic::error(
                            Code::InvalidValue,
                            e.value.loc.span,
                            format!("invalid image reference `{text}` in service `{compose_name}`: {problem}"),
                        )
                        .hint(
                            "write a reference such as `ghcr.io/org/app:1.2.3`; check the variables it is built from",
                        ),
                    );
                    return None;
                }
                Some(Some(text))
            }
            None if svc.value.get("build").is_some() => Some(None),
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
                None
            }
        }
    }

    fn service(
        &mut self,
        platform: &str,
        svc: &CEntry,
        b: &Basic,
        all: &[Basic],
        project: &Project,
        shared: &storage::Sharing,
    ) -> OutService {
        let node = &svc.value;
        let sname = Some(b.compose_name.as_str());
        let mut out = OutService::new(&b.compose_name, b.tier, b.tier_reason.clone());
        out.component = b.component;
        out.image = b.image.clone();
        out.ports = b.ports.clone();
        out.job = b.job;
        self.item(Outcome::Mapped, sname, "tier", b.tier_reason.clone(), b.key_loc);
        self.image_and_build(&mut out, node, b, platform);
        // Compose `entrypoint` is Kubernetes `command`, compose `command` is `args`.
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
        self.ports_and_expose(&mut out, b);
        self.environment(platform, &mut out, svc, b, all, project);
        self.dependencies(&mut out, node, b, all, project);
        self.volumes(&mut out, node, b, project, shared);
        self.file_secrets(&mut out, node, b, project);
        self.file_configs(&mut out, node, b, project);
        let site = Site { platform, b, all, project };
        self.command_references(site, &mut out);
        self.file_references(site, &mut out);
        self.resources(&mut out, node, sname, b.key_loc);
        self.replicas(&mut out, node, b);
        self.healthcheck(&mut out, node, b);
        self.user(&mut out, node, b);
        self.other_keys(&mut out, node, sname);
        out
    }

    fn image_and_build(&mut self, out: &mut OutService, node: &CNode, b: &Basic, platform: &str) {
        let sname = Some(b.compose_name.as_str());
        if let (Some(e), Some(img)) = (node.entry("image"), &b.image) {
            let pinned = b.image_ref.as_ref().is_some_and(ImageRef::is_pinned);
            match b.component {
                Some(kind) => {
                    let cn = classify::component_name(kind);
                    let official_nginx =
                        kind == ComponentKind::Nginx && b.image_ref.as_ref().is_some_and(|i| i.repo == "nginx");
                    let (outcome, msg) = if official_nginx {
                        out.image = None;
                        (
                            Outcome::Approximated,
                            format!("`{img}` runs as root; replaced by the `nginx` component's unprivileged image"),
                        )
                    } else if !pinned {
                        out.image = None;
                        (
                            Outcome::Approximated,
                            format!("`{img}` is not pinned; the `{cn}` component's pinned image is used instead"),
                        )
                    } else {
                        (
                            Outcome::Mapped,
                            format!(
                                "`{img}` recognised as component `{cn}` (ports, probes, storage and security defaults)"
                            ),
                        )
                    };
                    self.item(outcome, sname, "image", msg, e.value.loc);
                }
                None if pinned => self.item(Outcome::Mapped, sname, "image", format!("`{img}`"), e.value.loc),
                None => {
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
    }
}

/// A gateway whose upstreams are all in the auth tier belongs to that stack.
fn gateway_tiers(basics: &mut [Basic], project: &Project) {
    let snapshot = basics.to_vec();
    for b in basics.iter_mut().filter(|b| b.role == Role::Proxy && b.tier == Tier::System) {
        let Some(svc) = project.services.iter().find(|s| s.key == b.compose_name) else { continue };
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
}

/// Stateless services that serve traffic run two replicas in production: applications
/// and proxies with a port, no storage of their own, not jobs, not scaled in compose.
fn mark_ha(plan: &mut Plan, basics: &[Basic]) {
    for (name, s) in &mut plan.services {
        let Some(b) = basics.iter().find(|b| &b.name == name) else { continue };
        let serving =
            s.ports.as_ref().is_some_and(|p| p.iter().any(|x| !x.udp)) || (s.component.is_some() && s.ports.is_none());
        let stateless = s.storage.is_none()
            && s.volumes.is_empty()
            && s.component.is_none_or(|k| skyform_model::component_defaults(k).storage.is_none());
        // Third-party tools (mail catchers, admin UIs) stay single; the stack's own
        // application images and its proxies are replicated.
        let own_app = b.role == Role::Proxy
            || (b.role == Role::App && b.image_ref.as_ref().and_then(crate::wellknown::image_ports).is_none());
        s.ha = own_app && serving && stateless && !s.job && s.replicas.is_none();
    }
}
