//! Environment: `env_file` and `environment` merged in compose order, secret-looking
//! variables (and values holding credentials) as secret references, connection
//! addresses of other services as `dependsOn` edges with their hosts rewritten to the
//! service's in-cluster name, and the same for addresses in commands.

use super::text::{is_env_name, quote_list};
use super::{Basic, Converter, EnvVar, OutService};
use crate::classify::{self, Address};
use crate::load::{Project, join_path};
use crate::report::Outcome;
use crate::tree::{CEntry, CNode, CValue, Loc};
use skyform_spec::{Code, Diagnostic};

/// Where a service's references to other services are resolved: the platform, the
/// service, every service, and the Compose project.
#[derive(Clone, Copy)]
pub(super) struct Site<'a> {
    pub(super) platform: &'a str,
    pub(super) b: &'a Basic,
    pub(super) all: &'a [Basic],
    pub(super) project: &'a Project,
}

impl Converter<'_, '_> {
    /// Reads a service's variables: every `env_file` in order, then `environment`.
    pub(super) fn read_env(&mut self, svc: &CEntry, b: &Basic) -> Vec<EnvVar> {
        let node = &svc.value;
        let sname = Some(b.compose_name.as_str());
        let mut vars: Vec<EnvVar> = Vec::new();
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
                        vars.retain(|v| v.key != l.key);
                        vars.push(EnvVar { key: l.key, value: l.value, loc });
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
        for e in node.get("environment").and_then(CNode::as_map).unwrap_or(&[]) {
            let value = match &e.value.value {
                CValue::Null => self.loader.lookup(&e.key),
                _ => e.value.scalar_text(),
            };
            vars.retain(|v| v.key != e.key);
            vars.push(EnvVar { key: e.key.clone(), value, loc: e.key_loc });
        }
        vars
    }

    pub(super) fn environment(
        &mut self,
        platform: &str,
        out: &mut OutService,
        svc: &CEntry,
        b: &Basic,
        all: &[Basic],
        project: &Project,
    ) {
        let sname = Some(b.compose_name.as_str());
        let mut secret_names: Vec<String> = Vec::new();
        let mut plain = 0usize;
        for EnvVar { key, value, loc } in b.vars.clone() {
            let subject = format!("environment.{key}");
            let Some(value) = value else {
                self.item(
                    Outcome::Approximated,
                    sname,
                    &subject,
                    "takes its value from the shell, where it is not set; omitted",
                    loc,
                );
                continue;
            };
            if !is_env_name(&key) {
                self.item(Outcome::Dropped, sname, &subject, "not a valid Kubernetes environment variable name", loc);
                continue;
            }
            let mut addresses = classify::urls_in(&value);
            addresses.extend(classify::plain_addresses_in(&key, &value));
            let credentials = addresses.iter().any(|a| a.credentials);
            let secret = classify::is_secret_name(&key) || credentials;
            let (rewritten, targets) =
                self.connect(Site { platform, b, all, project }, out, &addresses, &value, (loc, &subject, !secret));
            if secret {
                secret_names.push(key.clone());
                if rewritten != value {
                    self.item(
                        Outcome::Approximated,
                        sname,
                        &subject,
                        "secret; when storing its value in the secrets backend, use the in-cluster host names of the services it names (see the `dependsOn` lines)",
                        loc,
                    );
                } else if credentials {
                    self.item(
                        Outcome::Mapped,
                        sname,
                        &subject,
                        "connection URL with credentials → secret reference",
                        loc,
                    );
                }
            }
            if !targets.is_empty() {
                self.item(
                    Outcome::Mapped,
                    sname,
                    &subject,
                    format!("connection to {} → `dependsOn`", quote_list(&targets)),
                    loc,
                );
            }
            if secret {
                continue;
            }
            plain += 1;
            out.env.insert(key, rewritten);
        }
        if plain + secret_names.len() > 0 {
            let loc = svc.value.entry("environment").map_or(b.key_loc, |e| e.key_loc);
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
            out.secrets.insert(s, None);
        }
    }

    /// Edges for the addresses in one value, and the value with each service host
    /// rewritten to its in-cluster name. Returns the new value and the services named.
    pub(super) fn connect(
        &mut self,
        site: Site<'_>,
        out: &mut OutService,
        addresses: &[Address],
        value: &str,
        (loc, subject, report_rewrites): (Loc, &str, bool),
    ) -> (String, Vec<String>) {
        let Site { platform, b, all, project } = site;
        let sname = Some(b.compose_name.as_str());
        let mut rewrites: Vec<(Address, String)> = Vec::new();
        let mut targets: Vec<String> = Vec::new();
        for a in addresses {
            let Some(t) = b.resolve(all, &a.host) else {
                if project.inactive.iter().any(|(n, _, _)| n == &a.host) {
                    self.item(
                        Outcome::Approximated,
                        sname,
                        subject,
                        format!("points at `{}`, which is in an inactive profile", a.host),
                        loc,
                    );
                }
                continue;
            };
            if t.name == b.name {
                continue;
            }
            let target_name = t.compose_name.clone();
            if let Some(target) = self.add_edge(out, b, all, project, &target_name, a.port, loc, subject) {
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
        let mut new_value = value.to_string();
        let mut sorted = rewrites.clone();
        sorted.sort_by_key(|(a, _)| std::cmp::Reverse(a.start));
        let mut last_start = usize::MAX;
        for (a, h) in &sorted {
            if a.end <= last_start
                && a.end <= new_value.len()
                && new_value.is_char_boundary(a.start)
                && new_value.is_char_boundary(a.end)
                && new_value[a.start..a.end] == a.host
            {
                new_value.replace_range(a.start..a.end, h);
                last_start = a.start;
            }
        }
        if !rewrites.is_empty() && report_rewrites {
            let mut hosts: Vec<String> = rewrites.iter().map(|(a, h)| format!("`{}` → `{h}`", a.host)).collect();
            hosts.dedup();
            self.item(
                Outcome::Approximated,
                sname,
                subject,
                format!("host rewritten {} (services run in per-tier namespaces)", hosts.join(", ")),
                loc,
            );
        }
        (new_value, targets)
    }

    /// Addresses of other services in the command and arguments: edges, and hosts
    /// rewritten as in the environment.
    pub(super) fn command_references(&mut self, site: Site<'_>, out: &mut OutService) {
        let Site { b, project, .. } = site;
        let Some(svc) = project.services.iter().find(|s| s.key == b.compose_name) else { return };
        for (key, is_command) in [("entrypoint", true), ("command", false)] {
            let Some(e) = svc.value.entry(key) else { continue };
            let words = if is_command { out.command.clone() } else { out.args.clone() };
            let Some(words) = words else { continue };
            let mut new_words = Vec::with_capacity(words.len());
            for w in words {
                let addresses = super::ports::text_addresses(&w);
                let (rewritten, targets) = if addresses.is_empty() {
                    (w.clone(), Vec::new())
                } else {
                    self.connect(site, out, &addresses, &w, (e.key_loc, key, true))
                };
                if !targets.is_empty() {
                    self.item(
                        Outcome::Mapped,
                        Some(&b.compose_name),
                        key,
                        format!("connection to {} → `dependsOn`", quote_list(&targets)),
                        e.key_loc,
                    );
                }
                new_words.push(rewritten);
            }
            if is_command {
                out.command = Some(new_words);
            } else {
                out.args = Some(new_words);
            }
        }
    }

    /// Addresses with explicit ports in configuration files (`server api:8000;`,
    /// `proxy_pass http://api:8000`): edges, and hosts rewritten.
    pub(super) fn file_references(&mut self, site: Site<'_>, out: &mut OutService) {
        let b = site.b;
        for (path, content) in out.files.clone() {
            let addresses: Vec<Address> = super::ports::text_addresses(&content)
                .into_iter()
                .filter(|a| content.get(a.end..).is_some_and(|rest| rest.starts_with(':')))
                .collect();
            if addresses.is_empty() {
                continue;
            }
            let subject = format!("volumes:{path}");
            let (rewritten, targets) = self.connect(site, out, &addresses, &content, (b.key_loc, &subject, true));
            if !targets.is_empty() {
                self.item(
                    Outcome::Mapped,
                    Some(&b.compose_name),
                    &subject,
                    format!("connection to {} → `dependsOn`", quote_list(&targets)),
                    b.key_loc,
                );
            }
            out.files.insert(path, rewritten);
        }
    }
}
