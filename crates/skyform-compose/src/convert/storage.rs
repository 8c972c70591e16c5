//! Storage: every compose volume stays durable unless it is clearly scratch. Named
//! volumes become claims (the first one `storage`, the others `volumes`), a named volume
//! used by several services becomes one shared claim, bind-mounted configuration files
//! become `files` (a ConfigMap), bind-mounted directories become claims, tmpfs and
//! scratch paths become writable emptyDirs, and compose `secrets:` become files mounted
//! from the secrets backend at the same path.

use super::text::{sanitize_env, sanitize_name};
use super::{Basic, Converter, OutService, OutStorage, OutVolume};
use crate::classify::{Role, Tier};
use crate::load::{Project, join_path};
use crate::report::Outcome;
use crate::tree::{CNode, CValue, Loc};
use skyform_model::component_defaults;
use skyform_spec::raw::StorageClassName;
use skyform_spec::{Code, Diagnostic};
use std::collections::BTreeMap;

/// Largest configuration file inlined into the platform file.
const MAX_FILE_BYTES: usize = 256 * 1024;

/// Host paths that belong to the node, not to the application.
const HOST_PATHS: &[&str] = &[
    "/etc/localtime",
    "/etc/timezone",
    "/etc/hostname",
    "/etc/hosts",
    "/etc/resolv.conf",
    "/etc/machine-id",
    "/proc",
    "/sys",
    "/dev",
    "/var/lib/docker",
    "/lib/modules",
    "/var/log",
    "/run",
    "/var/run",
    "/",
];

/// A volume entry of a compose service.
struct Mount {
    kind: &'static str,
    source: String,
    target: String,
    read_only: bool,
    loc: Loc,
}

/// Named volumes by users.
pub(crate) struct Sharing {
    /// Volume → compose services mounting it (every named volume).
    users: BTreeMap<String, Vec<String>>,
    /// Volumes that become one shared claim.
    shared: BTreeMap<String, Vec<String>>,
}

fn mounts(node: &CNode) -> Vec<Mount> {
    let mut out = Vec::new();
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
                } else if source.starts_with(['.', '/', '~', '$']) || source.contains('/') {
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
                let read_only = item
                    .get("read_only")
                    .and_then(CNode::scalar_text)
                    .and_then(|t| super::text::bool_text(&t))
                    .unwrap_or(false);
                Mount {
                    kind,
                    source,
                    target: item.get("target").and_then(CNode::scalar_text).unwrap_or_default(),
                    read_only,
                    loc: item.loc,
                }
            }
            _ => continue,
        };
        out.push(m);
    }
    out
}

/// Whether `more` bytes of files still fit the service's ConfigMap (at most 1 MiB, with
/// room for keys and metadata).
fn fits(out: &OutService, more: usize) -> bool {
    out.files.values().map(String::len).sum::<usize>() + more <= 640 * 1024
}

/// A container path that holds configuration rather than data.
fn config_path(path: &str) -> bool {
    let p = path.to_ascii_lowercase();
    p.starts_with("/etc/")
        || p.contains("conf")
        || p.contains("provisioning")
        || p.contains("initdb")
        || p.ends_with("/templates")
}

/// A path a program only uses as scratch space.
fn scratch_path(path: &str) -> bool {
    let p = path.to_ascii_lowercase();
    p == "/tmp"
        || p.starts_with("/tmp/")
        || p.starts_with("/var/tmp")
        || p.starts_with("/run")
        || p.starts_with("/var/run")
        || p.contains("node_modules")
        || p.contains("cache")
        || p.ends_with("/.next")
        || p.contains("/__pycache__")
}

impl Converter<'_, '_> {
    /// Finds named volumes used by several services and puts their users in one tier
    /// (a claim lives in one namespace).
    pub(super) fn shared_volumes(&mut self, basics: &mut [Basic], project: &Project) -> Sharing {
        let mut users: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut component_owned: Vec<String> = Vec::new();
        for svc in &project.services {
            let Some(b) = basics.iter().find(|b| b.compose_name == svc.key) else { continue };
            let data_mount = b.component.and_then(|k| component_defaults(k).storage).map(|(_, _, m)| m);
            for m in mounts(&svc.value).into_iter().filter(|m| m.kind == "volume") {
                if Some(m.target.as_str()) == data_mount {
                    component_owned.push(m.source.clone());
                }
                let list = users.entry(m.source).or_default();
                if !list.contains(&svc.key) {
                    list.push(svc.key.clone());
                }
            }
        }
        let shared: BTreeMap<String, Vec<String>> = users
            .iter()
            .filter(|(v, u)| u.len() > 1 && !component_owned.contains(v))
            .map(|(v, u)| (v.clone(), u.clone()))
            .collect();
        for (volume, names) in &shared {
            let Some(first) =
                basics.iter().find(|b| b.compose_name == names[0]).map(|b| (b.tier, b.compose_name.clone()))
            else {
                continue;
            };
            for b in basics.iter_mut().filter(|b| names.contains(&b.compose_name) && b.tier != first.0) {
                let was: Tier = b.tier;
                b.tier = first.0;
                b.tier_reason = format!(
                    "shares volume `{volume}` with `{}`, and a claim lives in one namespace: {} tier (was {})",
                    first.1,
                    first.0.name(),
                    was.name()
                );
            }
        }
        Sharing { users, shared }
    }

    /// Texts of the configuration files each service bind-mounts (files, and the files
    /// of mounted directories), with where they are mounted, for finding the addresses
    /// they name.
    pub(super) fn mounted_texts(&self, basics: &[Basic], project: &Project) -> BTreeMap<String, Vec<(String, Loc)>> {
        let mut out: BTreeMap<String, Vec<(String, Loc)>> = BTreeMap::new();
        for svc in &project.services {
            if !basics.iter().any(|b| b.compose_name == svc.key) {
                continue;
            }
            for m in mounts(&svc.value).into_iter().filter(|m| m.kind == "bind") {
                let full = join_path(self.loader.file_name(m.loc.file), &m.source);
                let texts: Vec<String> = match self.loader.read_file(&full) {
                    Some(t) => vec![t],
                    None => self
                        .loader
                        .list_dir(&full)
                        .unwrap_or_default()
                        .iter()
                        .take(64)
                        .filter_map(|rel| self.loader.read_file(&format!("{full}/{rel}")))
                        .collect(),
                };
                for t in texts.into_iter().filter(|t| t.len() <= MAX_FILE_BYTES) {
                    out.entry(svc.key.clone()).or_default().push((t, m.loc));
                }
            }
        }
        out
    }

    pub(super) fn volumes(
        &mut self,
        out: &mut OutService,
        node: &CNode,
        b: &Basic,
        project: &Project,
        sharing: &Sharing,
    ) {
        let sname = Some(b.compose_name.as_str());
        let defaults = b.component.map(component_defaults);
        let default_mount = defaults.as_ref().and_then(|d| d.storage).map(|(_, _, m)| m);
        let class = if b.role == Role::DataStore { StorageClassName::FastSsd } else { StorageClassName::Standard };
        for m in mounts(node) {
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
            match m.kind {
                "volume" if Some(m.target.as_str()) == default_mount => {
                    let size = defaults.as_ref().and_then(|d| d.storage).map_or("10Gi", |(s, _, _)| s);
                    self.component_volume(out, b, &m, size, project, sharing);
                }
                "volume" if sharing.shared.contains_key(&m.source) => self.shared_volume(out, b, &m, sharing),
                "volume" | "anonymous" if b.job => {
                    let message = format!(
                        "`{}` of a one-shot job is not shared with any service: scratch space (emptyDir)",
                        m.target
                    );
                    self.scratch(out, sname, &m.target, Outcome::Approximated, message, m.loc);
                }
                "anonymous" if scratch_path(&m.target) => {
                    self.scratch(
                        out,
                        sname,
                        &m.target,
                        Outcome::Mapped,
                        format!("anonymous volume `{}` is scratch space → writable path (emptyDir)", m.target),
                        m.loc,
                    );
                }
                "volume" | "anonymous" => {
                    let what = if m.kind == "volume" {
                        format!("volume `{}`", m.source)
                    } else {
                        "anonymous volume".to_string()
                    };
                    let base = if m.kind == "volume" { m.source.clone() } else { m.target.clone() };
                    let name = self.own_volume(out, b, &base, &m.target, class);
                    let owners: Vec<String> = sharing
                        .users
                        .get(&m.source)
                        .filter(|_| m.kind == "volume")
                        .map(|u| u.iter().filter(|x| **x != b.compose_name).map(|x| format!("`{x}`")).collect())
                        .unwrap_or_default();
                    if owners.is_empty() {
                        self.item(
                            Outcome::Mapped,
                            sname,
                            "volumes",
                            format!(
                                "{what} at `{}` → persistent volume `{name}` (10Gi, size not known in compose: review)",
                                m.target
                            ),
                            m.loc,
                        );
                    } else {
                        self.item(
                            Outcome::Approximated,
                            sname,
                            "volumes",
                            format!(
                                "{what} at `{}` → persistent volume `{name}`, NOT shared with {}: a component keeps its data in its own claim, so this one starts empty; reach that data over the network (review)",
                                m.target,
                                owners.join(", ")
                            ),
                            m.loc,
                        );
                        out.notes.push(format!(
                            "`{}` does not see the data of {} (a separate volume)",
                            m.target,
                            owners.join(", ")
                        ));
                    }
                }
                "tmpfs" => {
                    self.scratch(
                        out,
                        sname,
                        &m.target,
                        Outcome::Mapped,
                        format!("tmpfs `{}` → writable path (emptyDir)", m.target),
                        m.loc,
                    );
                }
                "bind" => self.bind_mount(out, b, &m, class),
                _ => self.item(
                    Outcome::Dropped,
                    sname,
                    "volumes",
                    format!("volume type of `{}` has no Kubernetes equivalent", m.target),
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
        out.volumes.sort_by(|a, b| a.name.cmp(&b.name));
    }

    /// A named volume at a component's data path: the component's own storage.
    fn component_volume(
        &mut self,
        out: &mut OutService,
        b: &Basic,
        m: &Mount,
        size: &str,
        project: &Project,
        sharing: &Sharing,
    ) {
        let sname = Some(b.compose_name.as_str());
        let external = project
            .volumes
            .iter()
            .find(|v| v.key == m.source)
            .and_then(|v| v.value.get("external"))
            .is_some_and(|x| matches!(x.value, CValue::Bool(true)));
        out.storage = Some(OutStorage { size: None, class: None, mount_path: None });
        let others: Vec<&String> = sharing
            .users
            .get(&m.source)
            .map(|u| u.iter().filter(|x| **x != b.compose_name).collect())
            .unwrap_or_default();
        let mut msg = format!(
            "volume `{}` at `{}` → the component's persistent storage ({size}, size not known in compose: review)",
            m.source, m.target
        );
        if external {
            msg.push_str("; it is `external` in compose: copy its data into the new volume");
        }
        if !others.is_empty() {
            msg.push_str(&format!(
                "; also mounted by {}, which get their own volume (a component keeps its data to itself)",
                others.iter().map(|o| format!("`{o}`")).collect::<Vec<_>>().join(", ")
            ));
        }
        let outcome = if external || !others.is_empty() { Outcome::Approximated } else { Outcome::Mapped };
        self.item(outcome, sname, "volumes", msg, m.loc);
    }

    /// A named volume several services mount: one shared claim.
    fn shared_volume(&mut self, out: &mut OutService, b: &Basic, m: &Mount, sharing: &Sharing) {
        let sname = Some(b.compose_name.as_str());
        let users = &sharing.shared[&m.source];
        let name = volume_name(&m.source, out);
        out.volumes.push(OutVolume {
            name: name.clone(),
            mount_path: m.target.clone(),
            size: "10Gi".into(),
            class: StorageClassName::Standard,
            shared: true,
        });
        self.item(
            Outcome::Mapped,
            sname,
            "volumes",
            format!(
                "volume `{}` at `{}` is shared by {} → one shared claim `{name}` (10Gi, review); the pods using it run on one node",
                m.source,
                m.target,
                users.iter().map(|u| format!("`{u}`")).collect::<Vec<_>>().join(", ")
            ),
            m.loc,
        );
    }

    /// A durable volume of the service's own: `storage` when it has none yet (a plain
    /// service), else one more entry of `volumes`. Returns its name.
    fn own_volume(
        &mut self,
        out: &mut OutService,
        b: &Basic,
        base: &str,
        target: &str,
        class: StorageClassName,
    ) -> String {
        let data_mount = b.component.and_then(|k| component_defaults(k).storage).map(|(_, _, m)| m);
        if data_mount == Some(target) {
            out.storage = Some(OutStorage { size: None, class: None, mount_path: None });
            return "data".into();
        }
        if out.storage.is_none() && b.component.is_none() {
            out.storage = Some(OutStorage {
                size: Some("10Gi".into()),
                class: Some(class),
                mount_path: Some(target.to_string()),
            });
            return "data".into();
        }
        let name = volume_name(base, out);
        out.volumes.push(OutVolume {
            name: name.clone(),
            mount_path: target.to_string(),
            size: "10Gi".into(),
            class,
            shared: false,
        });
        name
    }

    fn bind_mount(&mut self, out: &mut OutService, b: &Basic, m: &Mount, class: StorageClassName) {
        let sname = Some(b.compose_name.as_str());
        if m.source.ends_with("docker.sock") {
            self.item(
                Outcome::Dropped,
                sname,
                "volumes",
                "the Docker socket has no Kubernetes equivalent; give the service `rbac:` rules for the Kubernetes API instead",
                m.loc,
            );
            return;
        }
        if HOST_PATHS.iter().any(|h| m.source == *h || (h.len() > 1 && m.source.starts_with(&format!("{h}/")))) {
            self.item(
                Outcome::Dropped,
                sname,
                "volumes",
                format!("host path `{}` belongs to the node; pods do not mount node files", m.source),
                m.loc,
            );
            return;
        }
        let full = join_path(self.loader.file_name(m.loc.file), &m.source);
        if let Some(text) = self.loader.read_file(&full) {
            if text.len() <= MAX_FILE_BYTES && !text.contains('\0') && fits(out, text.len()) {
                out.files.insert(m.target.clone(), text);
                let ro = if m.read_only { "" } else { " (read-only in the cluster; it was writable in compose)" };
                self.item(
                    Outcome::Mapped,
                    sname,
                    "volumes",
                    format!("configuration file `{}` → `files:` (ConfigMap) mounted at `{}`{ro}", m.source, m.target),
                    m.loc,
                );
                return;
            }
            self.item(
                Outcome::Dropped,
                sname,
                "volumes",
                format!("file `{}` is too large or binary for a ConfigMap; bake it into the image", m.source),
                m.loc,
            );
            return;
        }
        if let Some(entries) = self.loader.list_dir(&full)
            && (m.read_only || config_path(&m.target))
            && self.config_directory(out, b, m, &full, &entries)
        {
            return;
        }
        let last = m.source.rsplit('/').next().unwrap_or_default();
        let looks_like_file = self.loader.list_dir(&full).is_none()
            && last.contains('.')
            && !last.starts_with('.')
            && last.rsplit('.').next().is_some_and(|e| e.len() <= 5 && e.chars().all(|c| c.is_ascii_alphanumeric()));
        if looks_like_file {
            self.item(
                Outcome::Dropped,
                sname,
                "volumes",
                format!(
                    "file `{full}` could not be read next to the compose file; add its content under `files:` for `{}`",
                    m.target
                ),
                m.loc,
            );
            return;
        }
        if b.job {
            let message = format!(
                "host directory `{}` of a one-shot job → scratch space at `{}`; bake its files into the image",
                m.source, m.target
            );
            self.scratch(out, sname, &m.target, Outcome::Approximated, message, m.loc);
            return;
        }
        let name = self.own_volume(out, b, &m.target, &m.target, class);
        let note = if m.read_only {
            "; it was mounted read-only (configuration?): copy its files into the volume or list them under `files:`"
        } else {
            "; copy its contents into the volume"
        };
        self.item(
            Outcome::Approximated,
            sname,
            "volumes",
            format!(
                "host directory `{}` at `{}` → persistent volume `{name}` (10Gi, review){note}",
                m.source, m.target
            ),
            m.loc,
        );
    }

    /// A read-only (configuration) directory: its files under `files:`, when they are
    /// few, small and text. Returns false when they are not.
    fn config_directory(&mut self, out: &mut OutService, b: &Basic, m: &Mount, full: &str, entries: &[String]) -> bool {
        if entries.is_empty() || entries.len() > 64 {
            return false;
        }
        let mut files = Vec::new();
        let mut total = 0usize;
        for rel in entries {
            let Some(text) = self.loader.read_file(&format!("{full}/{rel}")) else { return false };
            total += text.len();
            if text.contains('\0') || total > MAX_FILE_BYTES || !fits(out, total) {
                return false;
            }
            files.push((format!("{}/{rel}", m.target.trim_end_matches('/')), text));
        }
        let n = files.len();
        for (path, text) in files {
            out.files.insert(path, text);
        }
        self.item(
            Outcome::Mapped,
            Some(&b.compose_name),
            "volumes",
            format!(
                "configuration directory `{}` ({n} file{}) → `files:` (ConfigMap) under `{}`",
                m.source,
                if n == 1 { "" } else { "s" },
                m.target
            ),
            m.loc,
        );
        true
    }

    /// Compose `configs:` of a service: files at their target (default `/<name>`), from
    /// the config's `file` or `content`.
    pub(super) fn file_configs(&mut self, out: &mut OutService, node: &CNode, b: &Basic, project: &Project) {
        let sname = Some(b.compose_name.as_str());
        for item in node.get("configs").and_then(CNode::as_seq).unwrap_or(&[]) {
            let Some((source, target)) = source_and_target(item) else { continue };
            let path = match target {
                Some(t) if t.starts_with('/') => t,
                Some(t) => format!("/{t}"),
                None => format!("/{source}"),
            };
            let def = project.configs.iter().find(|c| c.key == source).map(|c| &c.value);
            let content = match def {
                Some(d) if d.get("content").is_some() => d.get("content").and_then(CNode::scalar_text),
                Some(d) if d.get("file").is_some() => {
                    let file = d.get("file").and_then(CNode::scalar_text).unwrap_or_default();
                    let full = join_path(self.loader.file_name(d.loc.file), &file);
                    self.loader.read_file(&full)
                }
                Some(d) if d.get("environment").is_some() => {
                    let var = d.get("environment").and_then(CNode::scalar_text).unwrap_or_default();
                    self.loader.lookup(&var)
                }
                _ => None,
            };
            match content {
                Some(text) if text.len() <= MAX_FILE_BYTES && !text.contains('\0') && fits(out, text.len()) => {
                    out.files.insert(path.clone(), text);
                    self.item(
                        Outcome::Mapped,
                        sname,
                        "configs",
                        format!("config `{source}` → `files:` (ConfigMap) mounted at `{path}`"),
                        item.loc,
                    );
                }
                _ => self.item(
                    Outcome::Dropped,
                    sname,
                    "configs",
                    format!(
                        "config `{source}` has no readable `file` or `content`; add it under `files:` for `{path}`"
                    ),
                    item.loc,
                ),
            }
        }
    }

    /// Compose `secrets:` of a service: files mounted from the secrets backend at the
    /// same path (`/run/secrets/<name>` or the absolute `target`).
    pub(super) fn file_secrets(&mut self, out: &mut OutService, node: &CNode, b: &Basic, project: &Project) {
        let sname = Some(b.compose_name.as_str());
        for item in node.get("secrets").and_then(CNode::as_seq).unwrap_or(&[]) {
            let Some((source, target)) = source_and_target(item) else { continue };
            if source.is_empty() {
                continue;
            }
            let path = match target {
                Some(t) if t.starts_with('/') => t,
                Some(t) => format!("/run/secrets/{t}"),
                None => format!("/run/secrets/{source}"),
            };
            let mut var = sanitize_env(&source);
            if out.env.contains_key(&var) || out.secrets.contains_key(&var) {
                var.push_str("_FILE_CONTENT");
            }
            let def = project.secrets.iter().find(|s| s.key == source);
            let origin = match def.map(|d| &d.value) {
                Some(v) if v.get("file").is_some() => {
                    format!("the content of `{}`", v.get("file").and_then(CNode::scalar_text).unwrap_or_default())
                }
                Some(v) if v.get("environment").is_some() => format!(
                    "the value of variable `{}`",
                    v.get("environment").and_then(CNode::scalar_text).unwrap_or_default()
                ),
                Some(_) => "the external secret's value".to_string(),
                None => {
                    self.item(
                        Outcome::Approximated,
                        sname,
                        "secrets",
                        format!("secret `{source}` is not defined under the top-level `secrets:`"),
                        item.loc,
                    );
                    "its value".to_string()
                }
            };
            self.item(
                Outcome::Mapped,
                sname,
                "secrets",
                format!(
                    "`{source}` → a file at `{path}` from the secrets backend (property `{var}`: store {origin} there); `*_FILE` conventions keep working"
                ),
                item.loc,
            );
            out.secrets.insert(var, Some(path));
        }
    }
}

/// A DNS-1123 volume name from a compose volume name or path, unique in the service and
/// never `data` (the name of `storage`).
fn volume_name(base: &str, out: &OutService) -> String {
    let mut name = sanitize_name(base, 50);
    if name == "data" || name.starts_with("svc-") && base.starts_with('/') {
        name = sanitize_name(&format!("vol-{}", base.trim_start_matches('/')), 50);
    }
    let mut candidate = name.clone();
    let mut n = 2;
    while out.volumes.iter().any(|v| v.name == candidate) || candidate == "data" {
        candidate = format!("{name}-{n}");
        n += 1;
    }
    candidate
}

/// The `source` and optional `target` of a service's `configs:` or `secrets:` entry
/// (short form: the name alone); `None` for anything else.
fn source_and_target(item: &CNode) -> Option<(String, Option<String>)> {
    match &item.value {
        CValue::String(s) => Some((s.clone(), None)),
        CValue::Map(_) => Some((
            item.get("source").and_then(CNode::scalar_text).unwrap_or_default(),
            item.get("target").and_then(CNode::scalar_text),
        )),
        _ => None,
    }
}

impl Converter<'_, '_> {
    /// `target` becomes a writable path (emptyDir), reported with `outcome` and `message`.
    fn scratch(
        &mut self,
        out: &mut OutService,
        sname: Option<&str>,
        target: &str,
        outcome: Outcome,
        message: String,
        loc: Loc,
    ) {
        out.writable_paths.push(target.to_owned());
        self.item(outcome, sname, "volumes", message, loc);
    }
}
