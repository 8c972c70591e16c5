//! The price catalog: one TOML file per provider, embedded at build time and
//! overridable with a user file. Loading validates every row and reports mistakes
//! with `origin:line:column` taken from the TOML parser's byte spans.
//!
//! A row keeps its `source`, its `as_of` date and an `unverified` flag so the
//! planner can footnote every figure that rests on third-party or stale data.

use std::collections::BTreeSet;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::allocatable::AllocatableModel;

/// The embedded catalog files: `(file name, contents)`, sorted by file name.
pub const EMBEDDED: &[(&str, &str)] = &[
    ("aws.toml", include_str!("../catalog/aws.toml")),
    ("azure.toml", include_str!("../catalog/azure.toml")),
    ("civo.toml", include_str!("../catalog/civo.toml")),
    ("digitalocean.toml", include_str!("../catalog/digitalocean.toml")),
    ("gcp.toml", include_str!("../catalog/gcp.toml")),
    ("hetzner.toml", include_str!("../catalog/hetzner.toml")),
    ("linode.toml", include_str!("../catalog/linode.toml")),
    ("vultr.toml", include_str!("../catalog/vultr.toml")),
];

/// A catalog error located in its file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[error("{origin}:{line}:{column}: {message}")]
pub struct CatalogError {
    /// The file (or embedded file name) the error is in.
    pub origin: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl CatalogError {
    fn at(origin: &str, text: &str, span: Option<Range<usize>>, message: impl Into<String>) -> Self {
        let (line, column) = span.map_or((1, 1), |s| line_col(text, s.start));
        Self { origin: origin.to_owned(), line, column, message: message.into() }
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// Defines a priced catalog row: the fields given, then its provenance, which ends
/// every such row: a `note`, the `source` page, the date it was read (`as_of`) and
/// whether the price is `unverified`.
macro_rules! priced_row {
    ($(#[$attr:meta])* pub struct $name:ident { $($fields:tt)* }) => {
        $(#[$attr])*
        pub struct $name {
            $($fields)*
            #[serde(default)]
            pub note: String,
            pub source: String,
            pub as_of: String,
            #[serde(default)]
            pub unverified: bool,
        }
    };
}

/// Provider-level facts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderInfo {
    /// Short name used on the command line (`aws`, `gcp`, ...).
    pub name: String,
    /// Human name of the managed Kubernetes offering.
    pub display_name: String,
    /// Region the prices are for.
    pub region: String,
    /// Which node allocatable model applies.
    pub allocatable: AllocatableModel,
    /// Max pods per node where an instance row does not say.
    #[serde(default = "default_max_pods")]
    pub default_max_pods: u32,
    /// Provider-wide caveat.
    #[serde(default)]
    pub note: String,
}

fn default_max_pods() -> u32 {
    110
}

priced_row! {
    /// The managed control-plane fee, or the self-managed control-plane nodes.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct ControlPlane {
        /// Fee of the default (non-HA) tier.
        pub monthly_usd: f64,
        /// Fee of the HA / SLA tier used for production, when sourced.
        #[serde(default)]
        pub ha_monthly_usd: Option<f64>,
        /// Self-managed clusters: the instance type of control-plane nodes.
        #[serde(default)]
        pub self_managed_instance: Option<String>,
        /// Self-managed clusters: control-plane nodes outside production.
        #[serde(default)]
        pub self_managed_nodes: u32,
        /// Self-managed clusters: control-plane nodes in production.
        #[serde(default)]
        pub self_managed_nodes_ha: u32,
    }
}

priced_row! {
    /// A flat monthly fee per unit (load balancer).
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct UnitFee {
        #[serde(default)]
        pub monthly_usd: Option<f64>,
        #[serde(default)]
        pub monthly_eur: Option<f64>,
    }
}

priced_row! {
    /// A price per GiB-month (block storage).
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct PerGib {
        #[serde(default)]
        pub usd_per_gib_month: Option<f64>,
        #[serde(default)]
        pub eur_per_gib_month: Option<f64>,
    }
}

priced_row! {
    /// Object storage: a base fee with an included quota, a per-GiB price, or blocks.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct ObjectStorage {
        #[serde(default)]
        pub base_monthly_usd: f64,
        #[serde(default)]
        pub included_gib: u32,
        #[serde(default)]
        pub usd_per_gib_month: Option<f64>,
        /// Sold in blocks of this many GiB ...
        #[serde(default)]
        pub block_gib: Option<u32>,
        /// ... at this price per block.
        #[serde(default)]
        pub block_monthly_usd: Option<f64>,
    }
}

impl ObjectStorage {
    /// Monthly USD for `gib` GiB; `None` when the catalog cannot price it.
    pub fn monthly_usd(&self, gib: u32) -> Option<f64> {
        if gib == 0 {
            return Some(0.0);
        }
        if let (Some(block), Some(price)) = (self.block_gib, self.block_monthly_usd) {
            let blocks = gib.div_ceil(block.max(1));
            return Some(f64::from(blocks) * price);
        }
        let over = gib.saturating_sub(self.included_gib);
        match self.usd_per_gib_month {
            Some(per) => Some(self.base_monthly_usd + f64::from(over) * per),
            None if over == 0 || self.included_gib == 0 && self.base_monthly_usd > 0.0 => {
                // Base fee only: the overage is not priced (reported by the planner).
                Some(self.base_monthly_usd)
            }
            None => None,
        }
    }

    /// Whether `gib` GiB is fully priced (no unpriced overage).
    pub fn fully_priced(&self, gib: u32) -> bool {
        gib == 0
            || self.usd_per_gib_month.is_some()
            || (self.block_gib.is_some() && self.block_monthly_usd.is_some())
            || (self.included_gib > 0 && gib <= self.included_gib)
    }
}

/// A daemonset every node of the provider runs, with its requests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SystemDaemonset {
    pub name: String,
    pub cpu_millis: u64,
    pub memory_mib: u64,
    pub source: String,
    #[serde(default)]
    pub unverified: bool,
}

/// CPU architecture of an instance type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Arch {
    #[default]
    X86_64,
    Arm64,
}

/// One instance type with its prices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstanceRow {
    pub provider: String,
    pub region: String,
    pub instance: String,
    pub vcpu: u32,
    pub memory_gib: f64,
    /// On-demand monthly price in USD; rows priced in EUR only are not planned with.
    #[serde(default)]
    pub monthly_usd: Option<f64>,
    #[serde(default)]
    pub monthly_eur: Option<f64>,
    /// Spot / preemptible monthly price, where the provider sells it and it is sourced.
    #[serde(default)]
    pub spot_monthly_usd: Option<f64>,
    /// Pod slots per node (EKS: ENI limit); defaults to the provider's.
    #[serde(default)]
    pub max_pods: Option<u32>,
    #[serde(default)]
    pub arch: Arch,
    /// A measured allocatable memory that overrides the provider formula.
    #[serde(default)]
    pub allocatable_memory_mib: Option<u64>,
    pub source: String,
    pub as_of: String,
    #[serde(default)]
    pub unverified: bool,
    #[serde(default)]
    pub note: String,
}

priced_row! {
    /// A managed database class: one node's monthly price, how high availability
    /// multiplies it (a standby, or a 3-node cluster), and its storage price.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct ManagedDatabaseRow {
        /// `postgres` or `redis`.
        pub engine: String,
        /// The provider's class / tier / plan (what the Terraform module creates).
        pub name: String,
        pub vcpu: u32,
        pub memory_gib: f64,
        /// One node, on-demand.
        pub monthly_usd: f64,
        /// Instance (and storage) price factor of the highly available configuration.
        #[serde(default = "default_ha_multiplier")]
        pub ha_multiplier: f64,
        /// Whether the class can be made highly available (Azure burstable tiers cannot).
        #[serde(default = "default_true")]
        pub ha_capable: bool,
        /// Storage price beyond the included storage.
        #[serde(default)]
        pub storage_usd_per_gib_month: f64,
        #[serde(default)]
        pub included_storage_gib: u32,
    }
}

fn default_ha_multiplier() -> f64 {
    2.0
}

fn default_true() -> bool {
    true
}

impl ManagedDatabaseRow {
    /// Monthly USD for `storage_gib` GiB of storage, highly available or not.
    pub fn monthly_cost(&self, storage_gib: u32, ha: bool) -> f64 {
        let factor = if ha { self.ha_multiplier } else { 1.0 };
        let extra = f64::from(storage_gib.saturating_sub(self.included_storage_gib));
        (self.monthly_usd + extra * self.storage_usd_per_gib_month) * factor
    }
}

priced_row! {
    /// NAT gateways the generated network creates (AWS: private node subnets).
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct NatGateway {
        /// Per gateway and month.
        pub monthly_usd: f64,
        /// Per node behind the gateway and month (GCP Cloud NAT bills per VM-hour).
        #[serde(default)]
        pub per_node_monthly_usd: f64,
        /// Gateways outside production.
        pub count: u32,
        /// Gateways in production (one per zone).
        pub count_production: u32,
    }
}

/// The raw shape of one catalog file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    provider: toml::Spanned<ProviderInfo>,
    control_plane: toml::Spanned<ControlPlane>,
    load_balancer: toml::Spanned<UnitFee>,
    block_storage: toml::Spanned<PerGib>,
    object_storage: toml::Spanned<ObjectStorage>,
    #[serde(default)]
    nat_gateway: Option<toml::Spanned<NatGateway>>,
    #[serde(default)]
    daemonset: Vec<toml::Spanned<SystemDaemonset>>,
    #[serde(default)]
    instance: Vec<toml::Spanned<InstanceRow>>,
    #[serde(default)]
    managed_database: Vec<toml::Spanned<ManagedDatabaseRow>>,
}

/// Everything the catalog knows about one provider.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProviderCatalog {
    /// Where the data came from (embedded file name or user path).
    pub origin: String,
    pub provider: ProviderInfo,
    pub control_plane: ControlPlane,
    pub load_balancer: UnitFee,
    pub block_storage: PerGib,
    pub object_storage: ObjectStorage,
    pub nat_gateway: Option<NatGateway>,
    pub daemonsets: Vec<SystemDaemonset>,
    /// Sorted by (monthly_usd, instance).
    pub instances: Vec<InstanceRow>,
    pub managed_databases: Vec<ManagedDatabaseRow>,
}

impl ProviderCatalog {
    /// The row of an instance type.
    pub fn instance(&self, name: &str) -> Option<&InstanceRow> {
        self.instances.iter().find(|r| r.instance == name)
    }

    /// Every `as_of` date (`YYYY-MM-DD`) the provider's rows show, sorted.
    pub fn dates(&self) -> Vec<String> {
        let mut out = BTreeSet::new();
        let mut add = |s: &str| {
            for d in find_dates(s) {
                out.insert(d);
            }
        };
        add(&self.control_plane.as_of);
        add(&self.load_balancer.as_of);
        add(&self.block_storage.as_of);
        add(&self.object_storage.as_of);
        for r in &self.instances {
            add(&r.as_of);
        }
        for r in &self.managed_databases {
            add(&r.as_of);
        }
        if let Some(n) = &self.nat_gateway {
            add(&n.as_of);
        }
        out.into_iter().collect()
    }

    /// Number of rows flagged unverified.
    pub fn unverified_rows(&self) -> usize {
        let fixed = [
            self.control_plane.unverified,
            self.load_balancer.unverified,
            self.block_storage.unverified,
            self.object_storage.unverified,
        ];
        fixed.iter().filter(|u| **u).count()
            + self.instances.iter().filter(|r| r.unverified).count()
            + self.daemonsets.iter().filter(|r| r.unverified).count()
            + self.managed_databases.iter().filter(|r| r.unverified).count()
            + usize::from(self.nat_gateway.as_ref().is_some_and(|n| n.unverified))
    }
}

/// `YYYY-MM-DD` substrings of a text.
fn find_dates(s: &str) -> Vec<String> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 10 <= b.len() {
        let w = &b[i..i + 10];
        let digits = [0, 1, 2, 3, 5, 6, 8, 9].iter().all(|&k| w[k].is_ascii_digit());
        if digits && w[4] == b'-' && w[7] == b'-' {
            out.push(s[i..i + 10].to_owned());
            i += 10;
        } else {
            i += 1;
        }
    }
    out
}

/// The whole catalog: one entry per provider, sorted by provider name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Catalog {
    pub providers: Vec<ProviderCatalog>,
}

impl Catalog {
    /// The catalog built into the binary.
    ///
    /// # Errors
    /// Only if an embedded file is broken, which the crate's tests rule out.
    pub fn embedded() -> Result<Self, CatalogError> {
        let mut providers = Vec::new();
        for (name, text) in EMBEDDED {
            providers.push(parse_provider_file(name, text)?);
        }
        providers.sort_by(|a, b| a.provider.name.cmp(&b.provider.name));
        Ok(Self { providers })
    }

    /// Replaces (or adds) the provider defined in a user catalog file.
    ///
    /// # Errors
    /// A located error for malformed TOML or an invalid row.
    pub fn with_override(mut self, origin: &str, text: &str) -> Result<Self, CatalogError> {
        let pc = parse_provider_file(origin, text)?;
        self.providers.retain(|p| p.provider.name != pc.provider.name);
        self.providers.push(pc);
        self.providers.sort_by(|a, b| a.provider.name.cmp(&b.provider.name));
        Ok(self)
    }

    /// One provider's catalog.
    pub fn provider(&self, name: &str) -> Option<&ProviderCatalog> {
        self.providers.iter().find(|p| p.provider.name == name)
    }

    /// Provider names, sorted.
    pub fn provider_names(&self) -> Vec<&str> {
        self.providers.iter().map(|p| p.provider.name.as_str()).collect()
    }
}

fn finite_nonneg(v: f64) -> bool {
    v.is_finite() && v >= 0.0
}

/// The checks of one instance row beyond its types: sizes, prices and provenance.
fn check_instance(r: &InstanceRow, provider: &ProviderInfo) -> Result<(), String> {
    if r.vcpu == 0 || r.vcpu > 1024 {
        return Err(format!("instance `{}`: vcpu must be between 1 and 1024", r.instance));
    }
    if !(r.memory_gib.is_finite() && r.memory_gib > 0.0 && r.memory_gib <= 32_768.0) {
        return Err(format!("instance `{}`: memory_gib must be a positive number of GiB", r.instance));
    }
    if r.monthly_usd.is_none() && r.monthly_eur.is_none() {
        return Err(format!("instance `{}` needs monthly_usd (or at least monthly_eur)", r.instance));
    }
    let prices = [r.monthly_usd, r.monthly_eur, r.spot_monthly_usd];
    if !prices.iter().all(|p| p.is_none_or(finite_nonneg)) {
        return Err(format!("instance `{}`: prices must be finite and not negative", r.instance));
    }
    if let (Some(od), Some(spot)) = (r.monthly_usd, r.spot_monthly_usd)
        && spot > od
    {
        return Err(format!("instance `{}`: spot price {spot} is above on-demand {od}", r.instance));
    }
    if r.spot_monthly_usd.is_some() && r.monthly_usd.is_none() {
        return Err(format!("instance `{}`: a spot price needs an on-demand monthly_usd", r.instance));
    }
    if r.max_pods.is_some_and(|p| p == 0 || p > 1000) {
        return Err(format!("instance `{}`: max_pods must be 1..=1000", r.instance));
    }
    if provider.allocatable == AllocatableModel::Eks && r.max_pods.is_none() {
        return Err(format!("instance `{}`: EKS rows need max_pods (ENI limit)", r.instance));
    }
    let mem_mib = r.memory_gib * 1024.0;
    if r.allocatable_memory_mib.is_some_and(|m| m == 0 || m as f64 > mem_mib) {
        return Err(format!("instance `{}`: allocatable_memory_mib must be within the memory", r.instance));
    }
    if r.source.trim().is_empty() || r.as_of.trim().is_empty() {
        return Err(format!("instance `{}` needs a source and an as_of", r.instance));
    }
    Ok(())
}

/// Parses and validates one provider catalog file.
///
/// # Errors
/// A located error for malformed TOML, unknown fields or an invalid value.
pub fn parse_provider_file(origin: &str, text: &str) -> Result<ProviderCatalog, CatalogError> {
    let raw: RawFile = toml::from_str(text)
        .map_err(|e| CatalogError::at(origin, text, e.span(), e.message().trim_end().to_owned()))?;
    let err = |span: Range<usize>, msg: String| CatalogError::at(origin, text, Some(span), msg);

    let provider_span = raw.provider.span();
    let provider = raw.provider.into_inner();
    let name_ok = !provider.name.is_empty()
        && provider.name.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-');
    if !name_ok {
        return Err(err(
            provider_span,
            format!("provider name `{}` must be lowercase letters, digits and `-`", provider.name),
        ));
    }
    if provider.default_max_pods == 0 || provider.default_max_pods > 1000 {
        return Err(err(provider_span, "default_max_pods must be between 1 and 1000".into()));
    }

    let cp_span = raw.control_plane.span();
    let control_plane = raw.control_plane.into_inner();
    if !finite_nonneg(control_plane.monthly_usd) || !control_plane.ha_monthly_usd.is_none_or(finite_nonneg) {
        return Err(err(cp_span, "control-plane fees must be finite and not negative".into()));
    }

    let lb_span = raw.load_balancer.span();
    let load_balancer = raw.load_balancer.into_inner();
    if !load_balancer.monthly_usd.is_none_or(finite_nonneg) || !load_balancer.monthly_eur.is_none_or(finite_nonneg) {
        return Err(err(lb_span, "load-balancer fees must be finite and not negative".into()));
    }
    let bs_span = raw.block_storage.span();
    let block_storage = raw.block_storage.into_inner();
    if !block_storage.usd_per_gib_month.is_none_or(finite_nonneg)
        || !block_storage.eur_per_gib_month.is_none_or(finite_nonneg)
    {
        return Err(err(bs_span, "block-storage prices must be finite and not negative".into()));
    }
    let os_span = raw.object_storage.span();
    let object_storage = raw.object_storage.into_inner();
    let os_ok = finite_nonneg(object_storage.base_monthly_usd)
        && object_storage.usd_per_gib_month.is_none_or(finite_nonneg)
        && object_storage.block_monthly_usd.is_none_or(finite_nonneg)
        && object_storage.block_gib != Some(0)
        && object_storage.block_gib.is_some() == object_storage.block_monthly_usd.is_some();
    if !os_ok {
        return Err(err(
            os_span,
            "object storage: prices must be finite and not negative, and block_gib (> 0) comes with block_monthly_usd"
                .into(),
        ));
    }

    let mut daemonsets = Vec::new();
    for d in raw.daemonset {
        let span = d.span();
        let d = d.into_inner();
        if d.cpu_millis > 64_000 || d.memory_mib > 256 * 1024 {
            return Err(err(span, format!("daemonset `{}` requests are implausibly large", d.name)));
        }
        daemonsets.push(d);
    }
    daemonsets.sort_by(|a, b| a.name.cmp(&b.name));

    let mut instances: Vec<InstanceRow> = Vec::new();
    let mut seen = BTreeSet::new();
    for row in raw.instance {
        let span = row.span();
        let r = row.into_inner();
        if r.provider != provider.name {
            return Err(err(
                span,
                format!(
                    "instance `{}` says provider `{}` but the file is for `{}`",
                    r.instance, r.provider, provider.name
                ),
            ));
        }
        if !seen.insert(r.instance.clone()) {
            return Err(err(span, format!("instance `{}` is listed twice", r.instance)));
        }
        check_instance(&r, &provider).map_err(|msg| err(span, msg))?;
        instances.push(r);
    }
    instances.sort_by(|a, b| {
        let pa = a.monthly_usd.unwrap_or(f64::INFINITY);
        let pb = b.monthly_usd.unwrap_or(f64::INFINITY);
        pa.total_cmp(&pb).then_with(|| a.instance.cmp(&b.instance))
    });

    if let Some(cp_instance) = &control_plane.self_managed_instance {
        let priced = instances.iter().any(|r| &r.instance == cp_instance && r.monthly_usd.is_some());
        if !priced {
            return Err(err(
                cp_span,
                format!("control-plane instance `{cp_instance}` is not an instance row with monthly_usd"),
            ));
        }
    }

    let mut managed_databases = Vec::new();
    for m in raw.managed_database {
        let span = m.span();
        let m = m.into_inner();
        let ok = finite_nonneg(m.monthly_usd)
            && finite_nonneg(m.storage_usd_per_gib_month)
            && m.ha_multiplier.is_finite()
            && m.ha_multiplier >= 1.0
            && m.memory_gib.is_finite()
            && m.memory_gib > 0.0;
        if !ok {
            return Err(err(
                span,
                format!("managed database `{}`: prices, memory and ha_multiplier (>= 1) must be finite", m.name),
            ));
        }
        if m.engine != "postgres" && m.engine != "redis" {
            return Err(err(span, format!("managed database `{}`: engine must be `postgres` or `redis`", m.name)));
        }
        if m.source.trim().is_empty() || m.as_of.trim().is_empty() {
            return Err(err(span, format!("managed database `{}` needs a source and an as_of", m.name)));
        }
        managed_databases.push(m);
    }
    managed_databases.sort_by(|a, b| (&a.engine, &a.name).cmp(&(&b.engine, &b.name)));
    let nat_gateway = match raw.nat_gateway {
        None => None,
        Some(n) => {
            let span = n.span();
            let n = n.into_inner();
            if !finite_nonneg(n.monthly_usd) || !finite_nonneg(n.per_node_monthly_usd) {
                return Err(err(span, "NAT gateway prices must be finite and not negative".into()));
            }
            Some(n)
        }
    };

    Ok(ProviderCatalog {
        origin: origin.to_owned(),
        provider,
        control_plane,
        load_balancer,
        block_storage,
        object_storage,
        nat_gateway,
        daemonsets,
        instances,
        managed_databases,
    })
}

/// One line of `skyform plan --catalog-info`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CatalogInfo {
    pub provider: String,
    pub origin: String,
    pub instances: usize,
    pub spot_instances: usize,
    pub unverified_rows: usize,
    /// Oldest and newest `as_of` date shown by the rows.
    pub oldest: Option<String>,
    pub newest: Option<String>,
    /// Age of the newest date in days, when `today` was given.
    pub newest_age_days: Option<i64>,
    /// Age of the oldest date in days, when `today` was given.
    pub oldest_age_days: Option<i64>,
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date.
pub fn days_from_date(date: &str) -> Option<i64> {
    let mut it = date.split('-');
    let y: i64 = it.next()?.parse().ok()?;
    let m: i64 = it.next()?.parse().ok()?;
    let d: i64 = it.next()?.parse().ok()?;
    if it.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// Age of the catalog per provider. `today_days` is days since 1970-01-01 (the
/// caller reads the clock; this crate does not).
pub fn catalog_info(catalog: &Catalog, today_days: Option<i64>) -> Vec<CatalogInfo> {
    catalog
        .providers
        .iter()
        .map(|p| {
            let dates = p.dates();
            let oldest = dates.first().cloned();
            let newest = dates.last().cloned();
            let age = |d: &Option<String>| {
                let d = days_from_date(d.as_deref()?)?;
                Some(today_days? - d)
            };
            CatalogInfo {
                provider: p.provider.name.clone(),
                origin: p.origin.clone(),
                instances: p.instances.len(),
                spot_instances: p.instances.iter().filter(|r| r.spot_monthly_usd.is_some()).count(),
                unverified_rows: p.unverified_rows(),
                newest_age_days: age(&newest),
                oldest_age_days: age(&oldest),
                oldest,
                newest,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_catalog_loads_all_eight_providers() {
        let c = Catalog::embedded().expect("embedded catalog is valid");
        assert_eq!(c.provider_names(), ["aws", "azure", "civo", "digitalocean", "gcp", "hetzner", "linode", "vultr"]);
        for p in &c.providers {
            assert!(!p.instances.is_empty(), "{}", p.provider.name);
            for r in &p.instances {
                assert_eq!(r.provider, p.provider.name);
            }
        }
    }

    #[test]
    fn research_figures_are_kept() {
        let c = Catalog::embedded().expect("valid");
        let do_ = c.provider("digitalocean").expect("do");
        // The seed's "$12 for 2 vCPU / 4 GB" is wrong: s-2vcpu-4gb is $24.
        assert_eq!(do_.instance("s-2vcpu-4gb").and_then(|r| r.monthly_usd), Some(24.0));
        assert_eq!(do_.instance("s-1vcpu-2gb").and_then(|r| r.monthly_usd), Some(12.0));
        let aws = c.provider("aws").expect("aws");
        assert_eq!(aws.control_plane.monthly_usd, 73.0);
        assert_eq!(aws.instance("t3.medium").and_then(|r| r.max_pods), Some(17));
        let civo = c.provider("civo").expect("civo");
        assert!(civo.instances.iter().all(|r| r.unverified));
    }

    #[test]
    fn syntax_error_is_located() {
        let text = "[provider]\nname = \"x\"\ndisplay_name = \n";
        let e = parse_provider_file("bad.toml", text).expect_err("broken");
        assert_eq!(e.origin, "bad.toml");
        assert_eq!(e.line, 3, "{e}");
    }

    #[test]
    fn unknown_field_and_bad_value_are_located() {
        let base = EMBEDDED[0].1;
        let typo = base.replacen("spot_monthly_usd = 13.21", "spot_montly_usd = 13.21", 1);
        let e = parse_provider_file("aws.toml", &typo).expect_err("typo");
        let line = typo.lines().position(|l| l.starts_with("spot_montly_usd")).expect("line") + 1;
        assert_eq!(e.line, line, "{e}");
        assert!(e.message.contains("spot_montly_usd"), "{e}");

        let neg = base.replacen("vcpu = 2", "vcpu = 0", 1);
        let e = parse_provider_file("aws.toml", &neg).expect_err("vcpu 0");
        assert!(e.message.contains("vcpu"), "{e}");
        let row_line = neg.lines().position(|l| l == "[[instance]]").expect("row") + 1;
        assert_eq!(e.line, row_line, "{e}");

        let spot = base.replacen("spot_monthly_usd = 13.21", "spot_monthly_usd = 99.0", 1);
        let e = parse_provider_file("aws.toml", &spot).expect_err("spot > od");
        assert!(e.to_string().starts_with("aws.toml:"), "{e}");
        assert!(e.message.contains("above on-demand"), "{e}");
    }

    #[test]
    fn override_replaces_one_provider() {
        let text = EMBEDDED[7].1.replacen("monthly_usd = 20.00", "monthly_usd = 19.00", 1);
        let c = Catalog::embedded().expect("valid").with_override("my.toml", &text).expect("valid");
        let v = c.provider("vultr").expect("vultr");
        assert_eq!(v.origin, "my.toml");
        assert_eq!(v.instance("vc2-2c-4gb").and_then(|r| r.monthly_usd), Some(19.0));
        assert_eq!(c.providers.len(), 8);
    }

    #[test]
    fn garbage_never_panics() {
        for text in ["", "\u{0}", "[[instance]]\nvcpu = -1", "provider = 3", "[provider]\nname=\"é\""] {
            assert!(parse_provider_file("x", text).is_err());
        }
        assert_eq!(line_col("ab\ncé\nd", 7), (3, 1));
        assert_eq!(line_col("ab\ncé", 100), (2, 3));
    }

    #[test]
    fn dates_and_ages() {
        assert_eq!(days_from_date("1970-01-01"), Some(0));
        assert_eq!(days_from_date("2000-03-01"), Some(11_017));
        assert_eq!(days_from_date("2026-13-01"), None);
        let c = Catalog::embedded().expect("valid");
        let info = catalog_info(&c, days_from_date("2026-10-01"));
        let do_ = info.iter().find(|i| i.provider == "digitalocean").expect("do");
        assert_eq!(do_.oldest.as_deref(), Some("2022-07-01"));
        assert!(do_.oldest_age_days.is_some_and(|d| d > 1500));
    }

    #[test]
    fn object_storage_pricing_models() {
        let c = Catalog::embedded().expect("valid");
        let os = |p: &str| c.provider(p).expect("p").object_storage.clone();
        assert_eq!(os("aws").monthly_usd(1000), Some(23.0));
        assert_eq!(os("digitalocean").monthly_usd(100), Some(5.0));
        let d = os("digitalocean").monthly_usd(1250).expect("priced");
        assert!((d - 25.0).abs() < 1e-9, "{d}");
        assert_eq!(os("civo").monthly_usd(501), Some(10.0));
        assert_eq!(os("vultr").monthly_usd(1024), Some(18.0));
        assert_eq!(os("hetzner").monthly_usd(10), Some(5.99));
        assert!(!os("hetzner").fully_priced(10));
        assert_eq!(os("aws").monthly_usd(0), Some(0.0));
    }
}
