//! Loading a compose project: parse every file, interpolate variables, check the shape of
//! every service, normalise the short syntaxes, resolve `extends`, merge the files in
//! order the way `docker compose -f a.yml -f b.yml` does, and apply profiles.
//!
//! Every problem becomes a located [`Diagnostic`] in the file that caused it; loading
//! goes on after an error so that one run reports as much as possible.

use crate::interpolate::interpolate;
use crate::tree::{CEntry, CNode, CValue, Loc};
use skyform_spec::{Code, Diagnostic, SourceFile, did_you_mean};
use std::collections::BTreeMap;

/// Top-level keys of a compose file.
const TOP_LEVEL_KEYS: &[&str] =
    &["version", "name", "services", "networks", "volumes", "secrets", "configs", "include"];

/// Service keys of the Compose Specification.
pub(crate) const SERVICE_KEYS: &[&str] = &[
    "annotations",
    "attach",
    "blkio_config",
    "build",
    "cap_add",
    "cap_drop",
    "cgroup",
    "cgroup_parent",
    "command",
    "configs",
    "container_name",
    "cpu_count",
    "cpu_percent",
    "cpu_period",
    "cpu_quota",
    "cpu_rt_period",
    "cpu_rt_runtime",
    "cpu_shares",
    "cpus",
    "cpuset",
    "credential_spec",
    "depends_on",
    "deploy",
    "develop",
    "device_cgroup_rules",
    "devices",
    "dns",
    "dns_opt",
    "dns_search",
    "domainname",
    "entrypoint",
    "env_file",
    "environment",
    "expose",
    "extends",
    "external_links",
    "extra_hosts",
    "gpus",
    "group_add",
    "healthcheck",
    "hostname",
    "image",
    "init",
    "ipc",
    "isolation",
    "label_file",
    "labels",
    "links",
    "logging",
    "mac_address",
    "mem_limit",
    "mem_reservation",
    "mem_swappiness",
    "memswap_limit",
    "network_mode",
    "networks",
    "oom_kill_disable",
    "oom_score_adj",
    "pid",
    "pids_limit",
    "platform",
    "ports",
    "post_start",
    "pre_stop",
    "privileged",
    "profiles",
    "pull_policy",
    "read_only",
    "restart",
    "runtime",
    "scale",
    "secrets",
    "security_opt",
    "shm_size",
    "stdin_open",
    "stop_grace_period",
    "stop_signal",
    "storage_opt",
    "sysctls",
    "tmpfs",
    "tty",
    "ulimits",
    "use_api_socket",
    "user",
    "userns_mode",
    "uts",
    "volumes",
    "volumes_from",
    "working_dir",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Ty {
    Str,
    Num,
    Bool,
    Seq,
    Map,
}

impl Ty {
    fn matches(self, v: &CValue) -> bool {
        matches!(
            (self, v),
            (Ty::Str, CValue::String(_))
                | (Ty::Num, CValue::Int(_) | CValue::Float(_))
                | (Ty::Bool, CValue::Bool(_))
                | (Ty::Seq, CValue::Seq(_))
                | (Ty::Map, CValue::Map(_))
        )
    }

    fn noun(self) -> &'static str {
        match self {
            Ty::Str => "a string",
            Ty::Num => "a number",
            Ty::Bool => "a boolean",
            Ty::Seq => "a list",
            Ty::Map => "a mapping",
        }
    }
}

/// The accepted YAML types of the service keys the importer reads.
fn service_key_types(key: &str) -> Option<&'static [Ty]> {
    use Ty::{Bool, Map, Num, Seq, Str};
    Some(match key {
        "image" | "container_name" | "hostname" | "network_mode" | "restart" | "working_dir" | "pid" | "ipc"
        | "platform" | "pull_policy" | "stop_grace_period" | "stop_signal" | "domainname" | "runtime" => &[Str],
        "build" => &[Str, Map],
        "command" | "entrypoint" => &[Str, Seq],
        "environment" | "labels" | "annotations" | "extra_hosts" | "sysctls" => &[Map, Seq],
        "env_file" | "tmpfs" | "dns" | "dns_search" => &[Str, Seq],
        "ports" | "expose" | "volumes" | "cap_add" | "cap_drop" | "devices" | "profiles" | "links"
        | "external_links" | "secrets" | "configs" | "security_opt" | "volumes_from" => &[Seq],
        "depends_on" | "networks" => &[Seq, Map],
        "healthcheck" | "deploy" | "logging" | "ulimits" => &[Map],
        "extends" => &[Str, Map],
        "user" => &[Str, Num],
        "privileged" | "read_only" | "init" | "tty" | "stdin_open" | "oom_kill_disable" => &[Bool],
        "scale" => &[Num],
        "cpus" | "mem_limit" | "mem_reservation" | "shm_size" => &[Str, Num],
        _ => return None,
    })
}

/// A loaded compose file: its source index and (interpolated, normalised) tree.
struct Doc {
    file: usize,
    root: CNode,
}

/// The merged project.
pub(crate) struct Project {
    pub name: Option<(String, Loc)>,
    /// Active services in merged form, in first-declared order.
    pub services: Vec<CEntry>,
    /// Services left out because none of their profiles is active.
    pub inactive: Vec<(String, Loc, Vec<String>)>,
    /// Top-level named volumes (`volumes:`), merged.
    pub volumes: Vec<CEntry>,
    /// Top-level secrets (`secrets:`), merged.
    pub secrets: Vec<CEntry>,
    /// Top-level configs (`configs:`), merged.
    pub configs: Vec<CEntry>,
}

/// Loading state: every source text read and every diagnostic found.
pub(crate) struct Loader<'a> {
    pub sources: Vec<SourceFile>,
    pub errors: Vec<(usize, Diagnostic)>,
    /// Variables used while unset, where.
    pub unset: Vec<(String, Loc)>,
    /// Variables interpolation took a value from (compose files and env files).
    pub used: std::cell::RefCell<std::collections::BTreeSet<String>>,
    env: &'a BTreeMap<String, String>,
    read: &'a dyn Fn(&str) -> Option<String>,
    list: &'a dyn Fn(&str) -> Option<Vec<String>>,
    /// Parsed extends targets by path.
    extends_cache: BTreeMap<String, Option<usize>>,
    docs: Vec<Doc>,
}

/// Joins `rel` to the directory of `base` (a file name as given), normalising `.`/`..`.
pub(crate) fn join_path(base: &str, rel: &str) -> String {
    if rel.starts_with('/') {
        return normalize(rel);
    }
    let dir = match base.rfind('/') {
        Some(i) => &base[..i],
        None => "",
    };
    if dir.is_empty() { normalize(rel) } else { normalize(&format!("{dir}/{rel}")) }
}

fn normalize(p: &str) -> String {
    let absolute = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !absolute {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    if absolute { format!("/{joined}") } else { joined }
}

impl<'a> Loader<'a> {
    pub fn new(
        env: &'a BTreeMap<String, String>,
        read: &'a dyn Fn(&str) -> Option<String>,
        list: &'a dyn Fn(&str) -> Option<Vec<String>>,
    ) -> Loader<'a> {
        Loader {
            sources: Vec::new(),
            errors: Vec::new(),
            unset: Vec::new(),
            used: std::cell::RefCell::new(std::collections::BTreeSet::new()),
            env,
            read,
            list,
            extends_cache: BTreeMap::new(),
            docs: Vec::new(),
        }
    }

    pub fn add_source(&mut self, name: &str, text: &str) -> usize {
        self.sources.push(SourceFile::new(name, text));
        self.sources.len() - 1
    }

    pub fn error(&mut self, loc: Loc, diag: Diagnostic) {
        self.errors.push((loc.file, diag));
    }

    pub fn lookup(&self, name: &str) -> Option<String> {
        let v = self.env.get(name).cloned();
        if v.is_some() {
            self.used.borrow_mut().insert(name.to_string());
        }
        v
    }

    pub fn file_name(&self, file: usize) -> &str {
        self.sources.get(file).map_or("", |s| s.name.as_str())
    }

    /// Reads an auxiliary file (env file, extends target) through the caller's reader.
    pub fn read_file(&self, path: &str) -> Option<String> {
        (self.read)(path)
    }

    /// The files below a directory (relative paths), through the caller's lister; `None`
    /// when `path` is not a directory.
    pub fn list_dir(&self, path: &str) -> Option<Vec<String>> {
        (self.list)(path)
    }

    /// Loads one compose file given on the command line.
    pub fn load_file(&mut self, name: &str, text: &str) {
        let file = self.add_source(name, text);
        if let Some(root) = self.parse(file, text) {
            self.docs.push(Doc { file, root });
        }
    }

    fn parse(&mut self, file: usize, text: &str) -> Option<CNode> {
        let tree = match skyform_yaml::parse_document(text) {
            Ok(t) => t,
            Err(e) => {
                self.error(
                    Loc { file, span: e.span },
                    Diagnostic::error(Code::YamlSyntax, e.span, format!("invalid YAML: {}", e.message))
                        .hint("check indentation and quoting around this position"),
                );
                return None;
            }
        };
        let mut root = CNode::from_yaml(&tree, file);
        if root.is_null() {
            root.value = CValue::Map(Vec::new());
        }
        let CValue::Map(_) = root.value else {
            self.error(
                root.loc,
                Diagnostic::error(
                    Code::WrongType,
                    root.loc.span,
                    format!("a compose file must be a mapping, found {}", root.value.kind_name()),
                )
                .hint("a compose file starts with `services:`"),
            );
            return None;
        };
        self.interpolate_tree(&mut root, 0);
        self.check_top_level(&mut root);
        Some(root)
    }

    fn interpolate_tree(&mut self, node: &mut CNode, depth: usize) {
        if depth > 64 {
            return;
        }
        match &mut node.value {
            CValue::String(s) => {
                if !s.contains('$') {
                    return;
                }
                let env = self.env;
                let used = &self.used;
                let lookup = |k: &str| {
                    let v = env.get(k).cloned();
                    if v.is_some() {
                        used.borrow_mut().insert(k.to_string());
                    }
                    v
                };
                let mut unset = Vec::new();
                match interpolate(s, &lookup, &mut unset) {
                    Ok(v) => *s = v,
                    Err(e) => {
                        let diag = Diagnostic::error(Code::InvalidValue, node.loc.span, e.to_string()).hint(match e {
                            crate::interpolate::InterpolationError::Required { ref variable, .. } => {
                                format!("set `{variable}` in the environment or in the project's `.env` file")
                            }
                            crate::interpolate::InterpolationError::Invalid { .. } => {
                                "write `$$` for a literal `$`; variables are `$NAME` or `${NAME}`".to_string()
                            }
                        });
                        let loc = node.loc;
                        self.error(loc, diag);
                        *s = String::new();
                    }
                }
                for name in unset {
                    self.unset.push((name, node.loc));
                }
            }
            CValue::Seq(items) => {
                for item in items {
                    self.interpolate_tree(item, depth + 1);
                }
            }
            CValue::Map(entries) => {
                for e in entries {
                    self.interpolate_tree(&mut e.value, depth + 1);
                }
            }
            _ => {}
        }
    }

    fn check_top_level(&mut self, root: &mut CNode) {
        let CValue::Map(entries) = &mut root.value else { return };
        let mut diags = Vec::new();
        for e in entries.iter_mut() {
            if e.key.starts_with("x-") {
                continue;
            }
            if !TOP_LEVEL_KEYS.contains(&e.key.as_str()) {
                let d =
                    Diagnostic::error(Code::UnknownKey, e.key_loc.span, format!("unknown top-level key `{}`", e.key));
                let d = match did_you_mean(&e.key, TOP_LEVEL_KEYS.iter().copied()) {
                    Some(s) => d.hint(format!("did you mean `{s}`?")),
                    None => d.hint("a compose file has `services:`, `volumes:`, `networks:`, `secrets:`, `configs:` and `x-` extensions"),
                };
                diags.push((e.key_loc, d));
                continue;
            }
            match e.key.as_str() {
                "include" => diags.push((
                    e.key_loc,
                    Diagnostic::error(
                        Code::InvalidValue,
                        e.key_loc.span,
                        "`include` is not supported by `skyform import`",
                    )
                    .hint("pass the included files explicitly with `-f`"),
                )),
                "name" if !matches!(e.value.value, CValue::String(_)) => {
                    diags.push((e.value.loc, wrong_type(&e.value, "`name`", &[Ty::Str])));
                }
                "services" | "volumes" | "networks" | "secrets" | "configs" => {
                    if e.value.is_null() {
                        e.value.value = CValue::Map(Vec::new());
                    }
                    if !matches!(e.value.value, CValue::Map(_)) {
                        diags.push((e.value.loc, wrong_type(&e.value, &format!("`{}`", e.key), &[Ty::Map])));
                        e.value.value = CValue::Map(Vec::new());
                    }
                }
                _ => {}
            }
        }
        if let Some(services) = entries.iter_mut().find(|e| e.key == "services")
            && let CValue::Map(svcs) = &mut services.value.value
        {
            for svc in svcs.iter_mut() {
                self.check_service(svc, &mut diags);
            }
            // A service that is not a mapping was reported; drop it.
            svcs.retain(|s| matches!(s.value.value, CValue::Map(_)));
        }
        for (loc, d) in diags {
            self.error(loc, d);
        }
    }

    fn check_service(&mut self, svc: &mut CEntry, diags: &mut Vec<(Loc, Diagnostic)>) {
        let name = svc.key.clone();
        if svc.value.is_null() {
            svc.value.value = CValue::Map(Vec::new());
        }
        let CValue::Map(entries) = &mut svc.value.value else {
            diags.push((svc.value.loc, wrong_type(&svc.value, &format!("service `{name}`"), &[Ty::Map])));
            return;
        };
        let mut keep = Vec::new();
        for mut e in std::mem::take(entries) {
            if e.key.starts_with("x-") {
                continue;
            }
            if !SERVICE_KEYS.contains(&e.key.as_str()) {
                let d = Diagnostic::error(
                    Code::UnknownKey,
                    e.key_loc.span,
                    format!("unknown key `{}` in service `{name}`", e.key),
                );
                let d = match did_you_mean(&e.key, SERVICE_KEYS.iter().copied()) {
                    Some(s) => d.hint(format!("did you mean `{s}`?")),
                    None => d.hint("see the Compose Specification's service attributes"),
                };
                diags.push((e.key_loc, d));
                continue;
            }
            if e.value.is_null() && !matches!(e.key.as_str(), "command" | "entrypoint") {
                // `key:` with no value means "unset" in compose.
                continue;
            }
            if let Some(types) = service_key_types(&e.key) {
                coerce_text(&mut e.value, types);
            }
            if let Some(types) = service_key_types(&e.key)
                && !types.iter().any(|t| t.matches(&e.value.value))
                && !e.value.is_null()
            {
                diags.push((e.value.loc, wrong_type(&e.value, &format!("`{}` of service `{name}`", e.key), types)));
                continue;
            }
            if let Err(d) = normalize_entry(&mut e, &name) {
                diags.push(d);
                continue;
            }
            keep.push(e);
        }
        *entries = keep;
    }

    /// Resolves `extends` in every loaded file, then merges the files and applies profiles.
    pub fn finish(&mut self, profiles: &[String]) -> Project {
        let docs = std::mem::take(&mut self.docs);
        let mut resolved_docs = Vec::new();
        for doc in &docs {
            let mut root = doc.root.clone();
            self.resolve_extends_in(doc.file, &mut root);
            resolved_docs.push(root);
        }
        let mut name = None;
        let mut services: Vec<CEntry> = Vec::new();
        let mut volumes: Vec<CEntry> = Vec::new();
        let mut secrets: Vec<CEntry> = Vec::new();
        let mut configs: Vec<CEntry> = Vec::new();
        for root in resolved_docs {
            if let Some(v) = root.get("configs").and_then(CNode::as_map) {
                for e in v {
                    merge_entry(&mut configs, e.clone(), "");
                }
            }
            if let Some(v) = root.get("secrets").and_then(CNode::as_map) {
                for e in v {
                    merge_entry(&mut secrets, e.clone(), "");
                }
            }
            if let Some(e) = root.entry("name")
                && let Some(s) = e.value.as_str()
            {
                name = Some((s.to_string(), e.value.loc));
            }
            if let Some(v) = root.get("volumes").and_then(CNode::as_map) {
                for e in v {
                    merge_entry(&mut volumes, e.clone(), "");
                }
            }
            for e in root.get("services").and_then(CNode::as_map).unwrap_or(&[]) {
                match services.iter_mut().find(|s| s.key == e.key) {
                    Some(existing) => existing.value = merge_service(&existing.value, &e.value),
                    None => services.push(e.clone()),
                }
            }
        }
        // Profiles: a service with `profiles:` is active only when one of them is.
        let mut active_profiles: Vec<String> = profiles.to_vec();
        if let Some(p) = self.env.get("COMPOSE_PROFILES") {
            active_profiles.extend(p.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from));
        }
        let mut active = Vec::new();
        let mut inactive = Vec::new();
        for s in services {
            let own: Vec<String> = s
                .value
                .get("profiles")
                .and_then(CNode::as_seq)
                .unwrap_or(&[])
                .iter()
                .filter_map(CNode::scalar_text)
                .collect();
            if own.is_empty()
                || own.iter().any(|p| active_profiles.contains(p) || active_profiles.iter().any(|a| a == "*"))
            {
                active.push(s);
            } else {
                inactive.push((s.key.clone(), s.key_loc, own, s));
            }
        }
        // As `docker compose up` starts the dependencies of the services it starts, a
        // service of an inactive profile is imported when an active one needs it: names it
        // in `depends_on`/`links`, or is configured to connect to it (a URL or `host:port`
        // in its environment). Otherwise the imported app would point at nothing.
        loop {
            let needed: Vec<usize> = inactive
                .iter()
                .enumerate()
                .filter(|(_, (key, ..))| active.iter().any(|a| needs_service(&a.value, key)))
                .map(|(i, _)| i)
                .collect();
            if needed.is_empty() {
                break;
            }
            for i in needed.into_iter().rev() {
                let (.., s) = inactive.remove(i);
                active.push(s);
            }
        }
        let inactive = inactive.into_iter().map(|(key, loc, own, _)| (key, loc, own)).collect();
        Project { name, services: active, inactive, volumes, secrets, configs }
    }

    fn resolve_extends_in(&mut self, file: usize, root: &mut CNode) {
        let Some(services) = root.get("services").and_then(CNode::as_map).map(<[CEntry]>::to_vec) else { return };
        let mut out = Vec::new();
        for svc in &services {
            let mut stack = Vec::new();
            let resolved =
                self.resolve_service(file, &svc.key, &services, &mut stack).unwrap_or_else(|| svc.value.clone());
            out.push(CEntry { key: svc.key.clone(), key_loc: svc.key_loc, value: resolved });
        }
        if let CValue::Map(entries) = &mut root.value
            && let Some(e) = entries.iter_mut().find(|e| e.key == "services")
        {
            e.value.value = CValue::Map(out);
        }
    }

    /// The service `name` of `file` with its `extends` chain applied.
    fn resolve_service(
        &mut self,
        file: usize,
        name: &str,
        services: &[CEntry],
        stack: &mut Vec<(usize, String)>,
    ) -> Option<CNode> {
        let svc = services.iter().find(|s| s.key == name)?;
        let Some(ext) = svc.value.entry("extends") else { return Some(svc.value.clone()) };
        if stack.len() > 16 || stack.iter().any(|(f, n)| *f == file && n == name) {
            self.error(
                ext.key_loc,
                Diagnostic::error(
                    Code::DependencyCycle,
                    ext.key_loc.span,
                    format!("service `{name}` extends itself through a cycle"),
                )
                .hint("break the `extends` chain"),
            );
            return Some(strip_key(&svc.value, "extends"));
        }
        stack.push((file, name.to_string()));
        let base_name = ext.value.get("service").and_then(CNode::as_str).unwrap_or_default().to_string();
        let other_file = ext.value.get("file").and_then(CNode::as_str).map(str::to_string);
        let base = match &other_file {
            None => {
                if services.iter().any(|s| s.key == base_name) {
                    self.resolve_service(file, &base_name, services, stack)
                } else {
                    self.unknown_base(ext, &base_name, services);
                    None
                }
            }
            Some(path) => {
                let full = join_path(self.file_name(file), path);
                match self.load_extends_file(&full, ext) {
                    Some(idx) => {
                        let other: Vec<CEntry> = self.extends_services(idx);
                        if other.iter().any(|s| s.key == base_name) {
                            self.resolve_service(idx, &base_name, &other, stack)
                        } else {
                            self.unknown_base(ext, &base_name, &other);
                            None
                        }
                    }
                    None => None,
                }
            }
        };
        stack.pop();
        let own = strip_key(&svc.value, "extends");
        Some(match base {
            // `extends` never inherits `depends_on` into a different file's context
            // in old compose versions; the current specification merges everything.
            Some(b) => merge_service(&strip_key(&b, "profiles"), &own),
            None => own,
        })
    }

    fn unknown_base(&mut self, ext: &CEntry, base: &str, services: &[CEntry]) {
        let loc = ext.value.get("service").map_or(ext.value.loc, |n| n.loc);
        let d = Diagnostic::error(Code::UnknownService, loc.span, format!("`extends` names unknown service `{base}`"));
        let d = d.hint_opt(
            did_you_mean(base, services.iter().map(|s| s.key.as_str())).map(|s| format!("did you mean `{s}`?")),
        );
        self.error(loc, d);
    }

    fn load_extends_file(&mut self, path: &str, ext: &CEntry) -> Option<usize> {
        if let Some(cached) = self.extends_cache.get(path) {
            return *cached;
        }
        let idx = match self.read_file(path) {
            Some(text) => {
                let file = self.add_source(path, &text);
                match self.parse(file, &text) {
                    Some(root) => {
                        self.docs.push(Doc { file, root });
                        Some(file)
                    }
                    None => None,
                }
            }
            None => {
                let loc = ext.value.get("file").map_or(ext.value.loc, |n| n.loc);
                self.error(
                    loc,
                    Diagnostic::error(Code::InvalidValue, loc.span, format!("cannot read `extends` file `{path}`"))
                        .hint("paths are relative to the compose file that names them"),
                );
                None
            }
        };
        self.extends_cache.insert(path.to_string(), idx);
        idx
    }

    fn extends_services(&self, file: usize) -> Vec<CEntry> {
        self.docs
            .iter()
            .find(|d| d.file == file)
            .and_then(|d| d.root.get("services").and_then(CNode::as_map))
            .map(<[CEntry]>::to_vec)
            .unwrap_or_default()
    }
}

fn strip_key(node: &CNode, key: &str) -> CNode {
    let mut n = node.clone();
    if let CValue::Map(entries) = &mut n.value {
        entries.retain(|e| e.key != key);
    }
    n
}

/// Text where a boolean or a number belongs (`read_only: ${READ_ONLY}` after
/// interpolation, or quoted): compose converts it, and so does the importer.
fn coerce_text(node: &mut CNode, types: &[Ty]) {
    let CValue::String(text) = &node.value else { return };
    if types.contains(&Ty::Str) {
        return;
    }
    let t = text.trim();
    if types.contains(&Ty::Bool) {
        match t.to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" | "y" => node.value = CValue::Bool(true),
            "false" | "no" | "off" | "n" => node.value = CValue::Bool(false),
            _ => {}
        }
    } else if types.contains(&Ty::Num) {
        if let Ok(i) = t.parse::<i64>() {
            node.value = CValue::Int(i);
        } else if let Ok(f) = t.parse::<f64>()
            && f.is_finite()
        {
            node.value = CValue::Float(f);
        }
    }
}

fn wrong_type(node: &CNode, what: &str, types: &[Ty]) -> Diagnostic {
    let expected = types.iter().map(|t| t.noun()).collect::<Vec<_>>().join(" or ");
    let mut d = Diagnostic::error(
        Code::WrongType,
        node.loc.span,
        format!("{what} must be {expected}, found {}", node.value.kind_name()),
    );
    if types.contains(&Ty::Str)
        && !matches!(node.value, CValue::String(_))
        && let Some(t) = node.scalar_text()
    {
        d = d.hint(format!("quote it to keep it as text: \"{t}\""));
    } else if types == [Ty::Seq]
        && let Some(t) = node.scalar_text()
    {
        d = d.hint(format!("write a list: `[{}]`", crate::emit::quoted(&t)));
    }
    d
}

/// Brings short syntaxes into one shape: environment/labels/… lists become mappings,
/// `depends_on` lists become mappings, single strings become one-item lists, and
/// `extends: name` becomes `extends: {service: name}`.
fn normalize_entry(e: &mut CEntry, service: &str) -> Result<(), (Loc, Diagnostic)> {
    match e.key.as_str() {
        "environment" | "labels" | "annotations" | "extra_hosts" | "sysctls" => {
            if let CValue::Seq(items) = &e.value.value {
                let mut map: Vec<CEntry> = Vec::new();
                for item in items {
                    let Some(text) = item.scalar_text() else {
                        return Err((
                            item.loc,
                            wrong_type(item, &format!("an item of `{}` in service `{service}`", e.key), &[Ty::Str]),
                        ));
                    };
                    let sep = if e.key == "extra_hosts" && !text.contains('=') { ':' } else { '=' };
                    let (k, v) = match text.split_once(sep) {
                        Some((k, v)) => (k.to_string(), CNode::string(item.loc, v)),
                        None => (text.clone(), CNode::null(item.loc)),
                    };
                    map.retain(|m| m.key != k);
                    map.push(CEntry { key: k, key_loc: item.loc, value: v });
                }
                e.value.value = CValue::Map(map);
            }
            if let CValue::Map(entries) = &mut e.value.value {
                for entry in entries.iter_mut() {
                    match &entry.value.value {
                        CValue::Null | CValue::String(_) => {}
                        CValue::Int(_) | CValue::Float(_) | CValue::Bool(_) => {
                            let t = entry.value.scalar_text().unwrap_or_default();
                            entry.value.value = CValue::String(t);
                        }
                        _ => {
                            let what = format!("`{}.{}` in service `{service}`", e.key, entry.key);
                            return Err((
                                entry.value.loc,
                                wrong_type(&entry.value, &what, &[Ty::Str, Ty::Num, Ty::Bool]),
                            ));
                        }
                    }
                }
            }
        }
        "depends_on" | "networks" => {
            if let CValue::Seq(items) = &e.value.value {
                let mut map = Vec::new();
                for item in items {
                    let Some(text) = item.as_str() else {
                        return Err((
                            item.loc,
                            wrong_type(item, &format!("an item of `{}` in service `{service}`", e.key), &[Ty::Str]),
                        ));
                    };
                    map.push(CEntry { key: text.to_string(), key_loc: item.loc, value: CNode::null(item.loc) });
                }
                e.value.value = CValue::Map(map);
            }
        }
        "env_file" | "tmpfs" | "dns" | "dns_search" => {
            if let CValue::String(_) = e.value.value {
                e.value.value = CValue::Seq(vec![e.value.clone()]);
            }
        }
        "extends" => {
            if let CValue::String(s) = &e.value.value {
                let s = s.clone();
                let loc = e.value.loc;
                e.value.value =
                    CValue::Map(vec![CEntry { key: "service".into(), key_loc: loc, value: CNode::string(loc, s) }]);
            }
            if e.value.get("service").and_then(CNode::as_str).is_none() {
                return Err((
                    e.value.loc,
                    Diagnostic::error(
                        Code::MissingKey,
                        e.value.loc.span,
                        format!("`extends` of service `{service}` needs `service:`"),
                    )
                    .hint("write `extends: {service: base}` or `extends: base`"),
                ));
            }
        }
        _ => {}
    }
    Ok(())
}

/// The container path a volume or device entry mounts at (its merge key).
fn mount_target(item: &CNode) -> String {
    match &item.value {
        CValue::String(s) => {
            let parts: Vec<&str> = s.split(':').collect();
            match parts.len() {
                0 | 1 => s.clone(),
                _ => parts[1].to_string(),
            }
        }
        CValue::Map(_) => item.get("target").and_then(CNode::scalar_text).unwrap_or_default(),
        _ => String::new(),
    }
}

fn source_key(item: &CNode) -> String {
    match &item.value {
        CValue::String(s) => s.clone(),
        CValue::Map(_) => item.get("source").and_then(CNode::scalar_text).unwrap_or_default(),
        _ => String::new(),
    }
}

/// Merges two service definitions: `over` (a later file, or the extending service) on
/// top of `base`, following the Compose Specification's merge rules.
pub(crate) fn merge_service(base: &CNode, over: &CNode) -> CNode {
    let (CValue::Map(b), CValue::Map(o)) = (&base.value, &over.value) else { return over.clone() };
    let mut out = b.clone();
    for e in o {
        merge_entry(&mut out, e.clone(), "service");
    }
    CNode { loc: base.loc, value: CValue::Map(out) }
}

fn merge_entry(out: &mut Vec<CEntry>, e: CEntry, context: &str) {
    let Some(existing) = out.iter_mut().find(|x| x.key == e.key) else {
        out.push(e);
        return;
    };
    let key = e.key.as_str();
    let merged = match (context, key) {
        ("service", "command" | "entrypoint") => e.value,
        (
            "service",
            "ports" | "expose" | "dns" | "dns_search" | "tmpfs" | "env_file" | "external_links" | "cap_add"
            | "cap_drop" | "security_opt" | "profiles" | "links" | "volumes_from" | "label_file",
        ) => append_unique(&existing.value, &e.value),
        ("service", "volumes" | "devices") => merge_keyed(&existing.value, &e.value, mount_target),
        ("service", "secrets" | "configs") => merge_keyed(&existing.value, &e.value, source_key),
        _ => merge_values(&existing.value, &e.value),
    };
    existing.value = merged;
    existing.key_loc = e.key_loc;
}

/// Generic merge: mappings recursively, everything else replaced.
fn merge_values(base: &CNode, over: &CNode) -> CNode {
    match (&base.value, &over.value) {
        (CValue::Map(b), CValue::Map(o)) => {
            let mut out = b.clone();
            for e in o {
                merge_entry(&mut out, e.clone(), "");
            }
            CNode { loc: over.loc, value: CValue::Map(out) }
        }
        _ => over.clone(),
    }
}

fn append_unique(base: &CNode, over: &CNode) -> CNode {
    match (&base.value, &over.value) {
        (CValue::Seq(b), CValue::Seq(o)) => {
            let mut out = b.clone();
            for item in o {
                if !out.iter().any(|x| x.value == item.value) {
                    out.push(item.clone());
                }
            }
            CNode { loc: over.loc, value: CValue::Seq(out) }
        }
        _ => over.clone(),
    }
}

fn merge_keyed(base: &CNode, over: &CNode, key: fn(&CNode) -> String) -> CNode {
    match (&base.value, &over.value) {
        (CValue::Seq(b), CValue::Seq(o)) => {
            let mut out = b.clone();
            for item in o {
                let k = key(item);
                match out.iter_mut().find(|x| key(x) == k) {
                    Some(slot) => *slot = item.clone(),
                    None => out.push(item.clone()),
                }
            }
            CNode { loc: over.loc, value: CValue::Seq(out) }
        }
        _ => over.clone(),
    }
}

/// Whether the service definition `svc` depends on, links to, or is configured (by a URL
/// or `host:port` in its environment) to connect to the service `name`.
fn needs_service(svc: &CNode, name: &str) -> bool {
    let listed = |key: &str| -> bool {
        match svc.get(key) {
            Some(n) => match (n.as_seq(), n.as_map()) {
                (Some(items), _) => items
                    .iter()
                    .filter_map(CNode::scalar_text)
                    .any(|t| t == name || t.split_once(':').is_some_and(|(service, _)| service == name)),
                (_, Some(entries)) => entries.iter().any(|e| e.key == name),
                _ => false,
            },
            None => false,
        }
    };
    if listed("depends_on") || listed("links") {
        return true;
    }
    let mut texts = Vec::new();
    if let Some(env) = svc.get("environment") {
        match (env.as_map(), env.as_seq()) {
            (Some(entries), _) => texts.extend(entries.iter().filter_map(|e| e.value.scalar_text())),
            (_, Some(items)) => texts.extend(
                items
                    .iter()
                    .filter_map(CNode::scalar_text)
                    .filter_map(|t| t.split_once('=').map(|(_, v)| v.to_string())),
            ),
            _ => {}
        }
    }
    texts.iter().any(|t| names_host(t, name))
}

/// Whether `text` names `host` as a network address: `scheme://[user@]host[:port][/…]` or
/// `host:port`.
fn names_host(text: &str, host: &str) -> bool {
    let after_scheme = text.split_once("://").map_or(text, |(_, rest)| rest);
    let authority = after_scheme.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, hp)| hp);
    let (h, port) = host_port.split_once(':').map_or((host_port, None), |(h, p)| (h, Some(p)));
    h == host && (text.contains("://") || port.is_some_and(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_join_relative_to_the_compose_file() {
        assert_eq!(join_path("docker-compose.yml", "./app.env"), "app.env");
        assert_eq!(join_path("examples/x/docker-compose.yml", "app.env"), "examples/x/app.env");
        assert_eq!(join_path("examples/x/docker-compose.yml", "../common/base.yml"), "examples/common/base.yml");
        assert_eq!(join_path("a/b.yml", "/etc/x.env"), "/etc/x.env");
        assert_eq!(join_path("b.yml", "../up.env"), "../up.env");
    }
}
