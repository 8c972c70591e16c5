//! The remaining service keys: resources, replicas, the user, and every key without a
//! skyform equivalent (each reported as approximated or dropped, with the reason).

use super::text::{bool_text, cpu_millis, int_value, memory_bytes, memory_quantity, range_text, seq_text};
use super::{Basic, Converter, OutService};
use crate::report::Outcome;
use crate::tree::{CEntry, CNode, Loc};
use skyform_spec::{Code, Diagnostic};

impl Converter<'_, '_> {
    pub(super) fn user(&mut self, out: &mut OutService, node: &CNode, b: &Basic) {
        let sname = Some(b.compose_name.as_str());
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
    }

    pub(super) fn replicas(&mut self, out: &mut OutService, node: &CNode, b: &Basic) {
        let sname = Some(b.compose_name.as_str());
        let replicas = node.get("deploy").and_then(|d| d.entry("replicas")).or_else(|| node.entry("scale"));
        if let Some(e) = replicas.filter(|_| !b.job) {
            match int_value(&e.value) {
                Some(n) if n >= 1 => {
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
    }

    pub(super) fn resources(&mut self, out: &mut OutService, node: &CNode, sname: Option<&str>, key_loc: Loc) {
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

    pub(super) fn other_keys(&mut self, out: &mut OutService, node: &CNode, sname: Option<&str>) {
        let Some(entries) = node.as_map() else { return };
        for e in entries {
            let loc = e.key_loc;
            let k = e.key.as_str();
            let truthy = e.value.scalar_text().and_then(|t| bool_text(&t)) == Some(true);
            let (outcome, msg): (Outcome, String) = match k {
                "secrets" => continue,
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
                "configs" => continue,
                "working_dir" => (Outcome::Dropped, "the working directory comes from the image".into()),
                "container_name" | "hostname" | "domainname" => {
                    (Outcome::Approximated, "Kubernetes names the pods; the service name is the host name".into())
                }
                "restart" if out.job => continue,
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
