//! The rule catalog: data (id, name, severity, docs, framework mappings) plus code (one
//! `check` function), one rule per module.
//!
//! Ids follow the unified catalog of docs/checks.md §8 (`POD-001`, `RBAC-004`, …); names are
//! kebab-case slugs. Both are stable: waivers and CI configs refer to them. A rule sees
//! one object at a time plus the read-only [`Index`] of the whole input, so per-object
//! and cross-object rules share one shape and run in parallel.

use skyform_yaml::Span;

use crate::Options;
use crate::finding::Severity;
use crate::index::Index;
use crate::model::Object;

/// What a rule is about, for grouping in docs and output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    PodSecurityBaseline,
    PodSecurityRestricted,
    PodSecurity,
    Rbac,
    Network,
    Secrets,
    Images,
    Resources,
    Reliability,
    Integrity,
    Api,
    /// Cross-object "will it run" rules (`WRK-`).
    Works,
}

/// Where a rule comes from in other frameworks and tools (empty when none).
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct Refs {
    /// `baseline` or `restricted` when the rule is a Pod Security Standards control.
    pub pss: &'static str,
    pub cis: &'static str,
    pub nsa: &'static str,
    pub kube_linter: &'static [&'static str],
    pub checkov: &'static [&'static str],
    pub polaris: &'static [&'static str],
    pub kube_score: &'static [&'static str],
}

impl Refs {
    pub const NONE: Refs =
        Refs { pss: "", cis: "", nsa: "", kube_linter: &[], checkov: &[], polaris: &[], kube_score: &[] };
}

/// Everything a rule may look at besides its object.
pub struct Cx<'a> {
    pub index: &'a Index<'a>,
    pub options: &'a Options,
}

impl Cx<'_> {
    /// Whether HA rules apply to this object (forced by options, else by its looks).
    pub fn production(&self, obj: &Object) -> bool {
        self.options.production.unwrap_or_else(|| obj.looks_production())
    }

    /// Whether the rule `id` runs in this check (so an overlapping rule can leave a
    /// finding to it instead of reporting the same field twice).
    pub fn runs(&self, id: &str) -> bool {
        ALL_RULES.iter().find(|r| r.id == id).is_some_and(|r| {
            (r.default_enabled || self.options.enable.iter().any(|k| r.is(k) || k == "all"))
                && !self.options.disable.iter().any(|k| r.is(k))
        })
    }
}

/// One violation as a rule reports it; the engine adds rule, file and object.
#[derive(Clone, Debug)]
pub struct Hit {
    pub span: Span,
    pub message: String,
    pub hint: Option<String>,
    pub severity: Option<Severity>,
}

/// Collects a rule's hits.
#[derive(Default)]
pub struct Out {
    pub hits: Vec<Hit>,
}

impl Out {
    /// Reports a violation at `span`.
    pub fn at(&mut self, span: Span, message: impl Into<String>) -> &mut Hit {
        self.hits.push(Hit { span, message: message.into(), hint: None, severity: None });
        let last = self.hits.len() - 1;
        &mut self.hits[last]
    }
}

impl Hit {
    /// Overrides the rule's default fix hint for this hit.
    pub fn hint(&mut self, hint: impl Into<String>) -> &mut Hit {
        self.hint = Some(hint.into());
        self
    }

    /// Overrides the rule's severity for this hit (e.g. an explicit `true` is worse).
    pub fn severity(&mut self, s: Severity) -> &mut Hit {
        self.severity = Some(s);
        self
    }
}

/// A rule: its data and its check.
#[derive(Clone, Copy)]
pub struct Rule {
    pub id: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub category: Category,
    /// Off-by-default rules run only when enabled by id or name.
    pub default_enabled: bool,
    pub summary: &'static str,
    pub hint: &'static str,
    pub refs: Refs,
    pub check: fn(&Cx<'_>, &Object, &mut Out),
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rule").field("id", &self.id).field("name", &self.name).finish()
    }
}

impl Rule {
    /// Whether `key` names this rule (id or name, case-insensitive).
    pub fn is(&self, key: &str) -> bool {
        self.id.eq_ignore_ascii_case(key) || self.name.eq_ignore_ascii_case(key)
    }
}

/// Shared imports of rule modules.
pub(crate) mod prelude {
    pub use super::{Category, Cx, Out, Refs, Rule};
    pub use crate::finding::Severity;
    pub use crate::model::{
        Container, ContainerKind, Object, PodView, flag, key_span, label_selector_matches, map_selector_matches,
        name_span, selector_is_empty, string_map, strings, text,
    };
    pub use crate::security_context::{Effective, Level};
    #[allow(unused_imports)]
    pub use skyform_yaml::{Node, Span, Value};

    /// Reports every non-ephemeral container without `resources.<section>.<resource>`
    /// (e.g. `limits`/`memory`), located at the section, else `resources`, else the
    /// container. The RES-00x rules differ only in these two keys.
    pub fn missing_resource(obj: &Object, out: &mut Out, section: &str, resource: &str, what: &str) {
        each_container(obj, |_, c, _| {
            if c.kind == ContainerKind::Ephemeral {
                return;
            }
            let resources = c.get("resources");
            let set = resources.and_then(|r| r.get(section)).and_then(|s| s.get(resource));
            if set.is_none_or(|n| matches!(n.value, Value::Null)) {
                let span = resources
                    .and_then(|r| r.entry(section))
                    .map_or_else(|| resources.map_or(c.span(), |r| r.span), |e| e.key_span);
                out.at(span, format!("{} has no {what}", c.label()));
            }
        });
    }

    /// Reports every main container of a long-running workload without `probe`
    /// (`readinessProbe`, `livenessProbe`), located at the container.
    pub fn missing_probe(obj: &Object, out: &mut Out, probe: &str, what: &str) {
        if !obj.is_long_running() {
            return;
        }
        let Some(pod) = obj.pod() else { return };
        for c in pod.main_containers() {
            if c.get(probe).is_none() {
                out.at(c.span(), format!("{} has no {what}", c.label()));
            }
        }
    }

    /// Runs `f` for every container of the object's pod template, with its effective
    /// security context.
    pub fn each_container<'a>(obj: &'a Object, mut f: impl FnMut(&PodView<'a>, &Container<'a>, &Effective<'a>)) {
        if let Some(pod) = obj.pod() {
            for c in pod.containers() {
                let eff = Effective::new(&pod, &c);
                f(&pod, &c, &eff);
            }
        }
    }
}

// ---- catalog (generated list) ----
mod api006_removed_api_version;
mod api007_default_namespace;
mod api008_kube_system_workload;
mod api011_object_name_missing;
mod img001_image_mutable_tag;
mod img002_image_not_digest_pinned;
mod img003_image_pull_policy_not_always;
mod img004_legacy_admin_component;
mod net001_no_default_deny_ingress;
mod net002_networkpolicy_selects_nothing;
mod net003_service_exposed;
mod net004_ingress_without_tls;
mod net005_ssh_port;
mod net007_nginx_ingress_snippet;
mod net008_no_default_deny_egress;
mod net009_networkpolicy_allow_all;
mod pod001_privileged_container;
mod pod002_host_pid;
mod pod003_host_ipc;
mod pod004_host_network;
mod pod005_host_port;
mod pod006_host_path_volume;
mod pod007_sensitive_host_path;
mod pod008_capabilities_beyond_baseline;
mod pod009_windows_host_process;
mod pod010_apparmor_override;
mod pod011_selinux_custom_options;
mod pod012_proc_mount_unmasked;
mod pod013_seccomp_unconfined;
mod pod014_unsafe_sysctls;
mod pod015_probe_or_hook_host;
mod pod020_restricted_volume_type;
mod pod021_allow_privilege_escalation;
mod pod022_run_as_non_root;
mod pod023_run_as_user_zero;
mod pod024_seccomp_profile_missing;
mod pod025_capabilities_not_dropped;
mod pod030_writable_root_filesystem;
mod pod031_root_group;
mod pod032_low_uid_gid;
mod pod033_security_context_missing;
mod rbac001_service_account_token_automount;
mod rbac002_default_service_account;
mod rbac003_cluster_admin_binding;
mod rbac004_rbac_wildcard;
mod rbac005_rbac_secrets_read;
mod rbac006_rbac_create_pods;
mod rbac007_rbac_exec_attach;
mod rbac008_rbac_nodes_proxy;
mod rbac009_rbac_escalation_verbs;
mod rbac010_rbac_webhook_write;
mod rbac011_rbac_csr_approve;
mod rbac012_rbac_services_status_write;
mod rbac013_system_masters_binding;
mod rbac014_rbac_pv_or_token_create;
mod rbac015_binding_role_missing;
mod ref001_selector_mismatch;
mod ref002_service_selects_nothing;
mod ref003_ingress_backend_missing;
mod ref004_autoscaler_target_missing;
mod ref005_pdb_selects_nothing;
mod ref006_service_account_missing;
mod ref007_config_reference_missing;
mod ref008_probe_port_undeclared;
mod ref010_duplicate_env_var;
mod ref011_statefulset_service;
mod ref012_deprecated_service_account_field;
mod ref013_service_target_port_undeclared;
mod ref020_route_backend_missing;
mod rel001_readiness_probe_missing;
mod rel002_liveness_probe_missing;
mod rel003_identical_probes;
mod rel004_single_replica;
mod rel005_no_spread;
mod rel006_pdb_missing;
mod rel007_pdb_blocks_drain;
mod rel008_pdb_unhealthy_eviction_policy;
mod rel009_pdb_min_above_hpa_min;
mod rel010_hpa_replica_bounds;
mod rel011_replicas_with_hpa;
mod rel014_cronjob_hygiene;
mod rel015_job_ttl_missing;
mod res001_memory_limit_missing;
mod res002_memory_request_missing;
mod res003_cpu_request_missing;
mod res004_cpu_limit_missing;
mod res005_ephemeral_storage_limit_missing;
mod res008_request_above_limit;
mod sec001_secret_literal_in_env;
mod sec002_secret_via_env;
mod sec003_secret_in_configmap;
mod sec004_secret_committed;
pub mod util;
mod wrk001_connection_target_missing;
mod wrk002_connection_blocked;
mod wrk003_pod_reference_unsatisfied;
mod wrk004_service_without_ports;
mod wrk005_namespace_not_created;
mod wrk006_duplicate_object;
mod wrk007_probe_cannot_fail;
mod wrk008_stateful_without_clustering;
mod wrk009_rwo_volume_shared;
mod wrk010_non_http_port_behind_ingress;
mod wrk011_credential_in_plain_config;

/// Every rule, in catalog order.
pub static ALL_RULES: &[Rule] = &[
    pod001_privileged_container::RULE,
    pod002_host_pid::RULE,
    pod003_host_ipc::RULE,
    pod004_host_network::RULE,
    pod005_host_port::RULE,
    pod006_host_path_volume::RULE,
    pod007_sensitive_host_path::RULE,
    pod008_capabilities_beyond_baseline::RULE,
    pod009_windows_host_process::RULE,
    pod010_apparmor_override::RULE,
    pod011_selinux_custom_options::RULE,
    pod012_proc_mount_unmasked::RULE,
    pod013_seccomp_unconfined::RULE,
    pod014_unsafe_sysctls::RULE,
    pod015_probe_or_hook_host::RULE,
    pod020_restricted_volume_type::RULE,
    pod021_allow_privilege_escalation::RULE,
    pod022_run_as_non_root::RULE,
    pod023_run_as_user_zero::RULE,
    pod024_seccomp_profile_missing::RULE,
    pod025_capabilities_not_dropped::RULE,
    pod030_writable_root_filesystem::RULE,
    pod031_root_group::RULE,
    pod032_low_uid_gid::RULE,
    pod033_security_context_missing::RULE,
    rbac001_service_account_token_automount::RULE,
    rbac002_default_service_account::RULE,
    rbac003_cluster_admin_binding::RULE,
    rbac004_rbac_wildcard::RULE,
    rbac005_rbac_secrets_read::RULE,
    rbac006_rbac_create_pods::RULE,
    rbac007_rbac_exec_attach::RULE,
    rbac008_rbac_nodes_proxy::RULE,
    rbac009_rbac_escalation_verbs::RULE,
    rbac010_rbac_webhook_write::RULE,
    rbac011_rbac_csr_approve::RULE,
    rbac012_rbac_services_status_write::RULE,
    rbac013_system_masters_binding::RULE,
    rbac014_rbac_pv_or_token_create::RULE,
    rbac015_binding_role_missing::RULE,
    net001_no_default_deny_ingress::RULE,
    net002_networkpolicy_selects_nothing::RULE,
    net003_service_exposed::RULE,
    net004_ingress_without_tls::RULE,
    net005_ssh_port::RULE,
    net007_nginx_ingress_snippet::RULE,
    net008_no_default_deny_egress::RULE,
    net009_networkpolicy_allow_all::RULE,
    sec001_secret_literal_in_env::RULE,
    sec002_secret_via_env::RULE,
    sec003_secret_in_configmap::RULE,
    sec004_secret_committed::RULE,
    img001_image_mutable_tag::RULE,
    img002_image_not_digest_pinned::RULE,
    img003_image_pull_policy_not_always::RULE,
    img004_legacy_admin_component::RULE,
    res001_memory_limit_missing::RULE,
    res002_memory_request_missing::RULE,
    res003_cpu_request_missing::RULE,
    res004_cpu_limit_missing::RULE,
    res005_ephemeral_storage_limit_missing::RULE,
    res008_request_above_limit::RULE,
    rel001_readiness_probe_missing::RULE,
    rel002_liveness_probe_missing::RULE,
    rel003_identical_probes::RULE,
    rel004_single_replica::RULE,
    rel005_no_spread::RULE,
    rel006_pdb_missing::RULE,
    rel007_pdb_blocks_drain::RULE,
    rel008_pdb_unhealthy_eviction_policy::RULE,
    rel009_pdb_min_above_hpa_min::RULE,
    rel010_hpa_replica_bounds::RULE,
    rel011_replicas_with_hpa::RULE,
    rel014_cronjob_hygiene::RULE,
    rel015_job_ttl_missing::RULE,
    ref001_selector_mismatch::RULE,
    ref002_service_selects_nothing::RULE,
    ref003_ingress_backend_missing::RULE,
    ref004_autoscaler_target_missing::RULE,
    ref005_pdb_selects_nothing::RULE,
    ref006_service_account_missing::RULE,
    ref007_config_reference_missing::RULE,
    ref008_probe_port_undeclared::RULE,
    ref010_duplicate_env_var::RULE,
    ref011_statefulset_service::RULE,
    ref012_deprecated_service_account_field::RULE,
    ref013_service_target_port_undeclared::RULE,
    ref020_route_backend_missing::RULE,
    api006_removed_api_version::RULE,
    api007_default_namespace::RULE,
    api008_kube_system_workload::RULE,
    api011_object_name_missing::RULE,
    wrk001_connection_target_missing::RULE,
    wrk002_connection_blocked::RULE,
    wrk003_pod_reference_unsatisfied::RULE,
    wrk004_service_without_ports::RULE,
    wrk005_namespace_not_created::RULE,
    wrk006_duplicate_object::RULE,
    wrk007_probe_cannot_fail::RULE,
    wrk008_stateful_without_clustering::RULE,
    wrk009_rwo_volume_shared::RULE,
    wrk010_non_http_port_behind_ingress::RULE,
    wrk011_credential_in_plain_config::RULE,
];
