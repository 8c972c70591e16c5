//! The service graph: `depends_on` and `links` become `dependsOn` edges (or `after:` when
//! the target is a one-shot job), one-shot services are recognised, and a `depends_on`
//! cycle is a located error, as `docker compose` reports it.

use super::{Basic, Converter, OutService};
use crate::load::Project;
use crate::report::Outcome;
use crate::tree::{CEntry, CNode, Loc};
use skyform_spec::{Code, Diagnostic};
use std::collections::{BTreeMap, BTreeSet};

/// Words of a service name or command that say it runs once.
const ONE_SHOT_WORDS: &[&str] = &[
    "migrate",
    "migration",
    "migrations",
    "migrator",
    "init",
    "setup",
    "seed",
    "seeder",
    "bootstrap",
    "createbuckets",
    "provision",
    "provisioner",
];

impl Converter<'_, '_> {
    /// A connection or start-order dependency from `b` to `target`. Returns the target's
    /// platform name when an edge (or an `after:` order) was recorded.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn add_edge(
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
        let declared = subject == "depends_on" || subject == "links";
        let Some(t) = b.resolve(all, target) else {
            if project.inactive.iter().any(|(n, _, _)| n == target) {
                self.item(
                    Outcome::Approximated,
                    sname,
                    subject,
                    format!("`{target}` is in an inactive profile; no edge"),
                    loc,
                );
            } else if declared {
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
        if t.job {
            if declared {
                out.after.insert(t.name.clone());
                self.item(
                    Outcome::Mapped,
                    sname,
                    subject,
                    format!("`{target}` runs once → `after: [{}]` (applied in an earlier wave)", t.name),
                    loc,
                );
            }
            if t.effective_ports.is_empty() {
                return declared.then(|| t.name.clone());
            }
        }
        if t.effective_ports.is_empty() {
            self.item(
                Outcome::Approximated,
                sname,
                subject,
                format!(
                    "`{}` listens on no known port, so it gets no Service and no network edge; if it serves, give it `expose:` in compose or `ports:` in the platform file",
                    t.compose_name
                ),
                loc,
            );
            return None;
        }
        let edge = match port {
            Some(p) if t.effective_ports.contains(&p) => format!("{}:{p}", t.name),
            _ => t.name.clone(),
        };
        // Port-specific edges (from connection addresses) are kept; a bare edge (every
        // port) is added only when no edge to the target exists yet.
        let bare = out.depends_on.contains(&t.name);
        let any = out.depends_on.iter().any(|d| d.split(':').next() == Some(t.name.as_str()));
        if (edge.contains(':') && !bare) || !any {
            out.depends_on.insert(edge);
        }
        if declared {
            self.item(
                Outcome::Mapped,
                sname,
                subject,
                format!("`{target}` → `dependsOn: {}` (an allowed, served NetworkPolicy edge)", t.name),
                loc,
            );
        }
        Some(t.name.clone())
    }

    /// `depends_on` and `links`.
    pub(super) fn dependencies(
        &mut self,
        out: &mut OutService,
        node: &CNode,
        b: &Basic,
        all: &[Basic],
        project: &Project,
    ) {
        let sname = Some(b.compose_name.as_str());
        for dep in node.get("depends_on").and_then(CNode::as_map).unwrap_or(&[]) {
            let cond = dep.value.get("condition").and_then(CNode::as_str).unwrap_or("service_started");
            let target_job = all.iter().any(|x| x.compose_name == dep.key && x.job);
            if cond == "service_healthy" {
                self.item(
                    Outcome::Approximated,
                    sname,
                    "depends_on",
                    format!(
                        "condition `{cond}` on `{}`: Kubernetes starts services in any order; readiness probes hold traffic back, and the service must retry until `{}` is ready",
                        dep.key, dep.key
                    ),
                    dep.key_loc,
                );
            } else if cond == "service_completed_successfully" && !target_job {
                self.item(
                    Outcome::Approximated,
                    sname,
                    "depends_on",
                    format!("condition `{cond}` on `{}`, which is not a job here; started in any order", dep.key),
                    dep.key_loc,
                );
            }
            self.add_edge(out, b, all, project, &dep.key, None, dep.key_loc, "depends_on");
        }
        for link in node.get("links").and_then(CNode::as_seq).unwrap_or(&[]) {
            if let Some(l) = link.as_str() {
                let target = l.split(':').next().unwrap_or(l).to_string();
                self.add_edge(out, b, all, project, &target, None, link.loc, "links");
            }
        }
    }

    /// A `depends_on` cycle is an error at the entry that closes it.
    pub(super) fn check_cycles(&mut self, project: &Project) {
        let graph: BTreeMap<&str, Vec<&CEntry>> = project
            .services
            .iter()
            .map(|s| {
                (s.key.as_str(), s.value.get("depends_on").and_then(CNode::as_map).unwrap_or(&[]).iter().collect())
            })
            .collect();
        let mut state: BTreeMap<&str, u8> = BTreeMap::new();
        let mut reported: BTreeSet<Vec<String>> = BTreeSet::new();
        for s in &project.services {
            let mut stack: Vec<&str> = Vec::new();
            self.visit(&s.key, &graph, &mut state, &mut stack, &mut reported);
        }
    }

    fn visit<'g>(
        &mut self,
        node: &'g str,
        graph: &BTreeMap<&'g str, Vec<&'g CEntry>>,
        state: &mut BTreeMap<&'g str, u8>,
        stack: &mut Vec<&'g str>,
        reported: &mut BTreeSet<Vec<String>>,
    ) {
        if state.get(node).copied().unwrap_or(0) != 0 || stack.len() > 10_000 {
            return;
        }
        state.insert(node, 1);
        stack.push(node);
        for dep in graph.get(node).map(Vec::as_slice).unwrap_or(&[]) {
            let target = dep.key.as_str();
            let Some((key, _)) = graph.get_key_value(target) else { continue };
            match state.get(target).copied().unwrap_or(0) {
                1 => {
                    let start = stack.iter().position(|n| *n == target).unwrap_or(0);
                    let mut cycle: Vec<String> = stack[start..].iter().map(|s| (*s).to_string()).collect();
                    let mut canonical = cycle.clone();
                    canonical.sort();
                    if reported.insert(canonical) {
                        cycle.push(target.to_string());
                        self.error(
                            dep.key_loc,
                            Diagnostic::error(
                                Code::DependencyCycle,
                                dep.key_loc.span,
                                format!("dependency cycle detected: {}", cycle.join(" -> ")),
                            )
                            .hint("remove one of these `depends_on` entries; compose refuses the cycle too"),
                        );
                    }
                }
                0 => self.visit(key, graph, state, stack, reported),
                _ => {}
            }
        }
        stack.pop();
        state.insert(node, 2);
    }

    /// Marks one-shot services: targets of `service_completed_successfully`, services
    /// with `restart: "no"`/`on-failure` (or a `none` restart policy) and no port, and
    /// services named like migrations or set-up tasks with no port and no healthcheck.
    pub(super) fn find_jobs(&mut self, basics: &mut [Basic], project: &Project) {
        let mut awaited: BTreeSet<String> = BTreeSet::new();
        for s in &project.services {
            for dep in s.value.get("depends_on").and_then(CNode::as_map).unwrap_or(&[]) {
                if dep.value.get("condition").and_then(CNode::as_str) == Some("service_completed_successfully") {
                    awaited.insert(dep.key.clone());
                }
            }
        }
        for b in basics.iter_mut() {
            let Some(svc) = project.services.iter().find(|s| s.key == b.compose_name) else { continue };
            if b.component.is_some() {
                continue;
            }
            let node = &svc.value;
            let restart = node.get("restart").and_then(CNode::scalar_text).unwrap_or_default();
            let policy_none = node
                .get("deploy")
                .and_then(|d| d.get("restart_policy"))
                .and_then(|p| p.get("condition"))
                .and_then(CNode::as_str)
                == Some("none");
            let no_ports = b.effective_ports.is_empty();
            let words: Vec<String> = std::iter::once(b.compose_name.clone())
                .chain(super::ports::command_words(node).into_iter().take(4))
                .flat_map(|w| {
                    w.to_ascii_lowercase()
                        .split(|c: char| !c.is_ascii_alphanumeric())
                        .map(str::to_string)
                        .collect::<Vec<_>>()
                })
                .collect();
            let one_shot_word = words.iter().any(|w| ONE_SHOT_WORDS.contains(&w.as_str()));
            let healthcheck = node.get("healthcheck").is_some();
            let reason = if awaited.contains(&b.compose_name) {
                Some("other services wait for it with `condition: service_completed_successfully`".to_string())
            } else if policy_none {
                Some("its restart policy is `none`".to_string())
            } else if (restart == "no" || restart.starts_with("on-failure")) && no_ports {
                Some(format!("`restart: {restart}` and no port"))
            } else if one_shot_word && no_ports && !healthcheck && restart.is_empty() {
                Some("its name or command says it is a set-up task, and it has no port".to_string())
            } else {
                None
            };
            if let Some(reason) = reason {
                b.job = true;
                let loc = node.entry("restart").map_or(b.key_loc, |e| e.key_loc);
                self.item(
                    Outcome::Mapped,
                    Some(&b.compose_name),
                    "restart",
                    format!("runs once to completion ({reason}) → `job: true` (a Job, not a Deployment that restarts forever)"),
                    loc,
                );
            }
        }
    }
}
