//! The generated platform, as the emitter writes it: one [`OutService`] per compose service.

use crate::classify::Tier;
pub use crate::wellknown::AppProto;
use skyform_spec::raw::{ComponentKind, StorageClassName};
use std::collections::{BTreeMap, BTreeSet};

/// A port of a generated service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutPort {
    pub name: String,
    pub port: u16,
    pub udp: bool,
    pub proto: AppProto,
}

/// A probe action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProbeAction {
    Http(String),
    Tcp,
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

/// A persistent volume beside `storage`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutVolume {
    pub name: String,
    pub mount_path: String,
    pub size: String,
    pub class: StorageClassName,
    pub shared: bool,
}

/// Public exposure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutExpose {
    pub host: String,
    /// Port name when not the first port.
    pub port: Option<String>,
    /// A LoadBalancer Service instead of the HTTP ingress (TCP, gRPC).
    pub load_balancer: bool,
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
    /// Secret references: variable name → mount path when mounted as a file.
    pub secrets: BTreeMap<String, Option<String>>,
    pub cpu: Option<String>,
    pub memory: Option<String>,
    pub replicas: Option<u32>,
    pub probes: Option<OutProbes>,
    /// `probes: {none: true}`: nothing can be probed truthfully.
    pub no_probes: bool,
    pub expose: Option<OutExpose>,
    pub depends_on: BTreeSet<String>,
    /// One-shot services (jobs) to finish first.
    pub after: BTreeSet<String>,
    pub storage: Option<OutStorage>,
    pub volumes: Vec<OutVolume>,
    /// Configuration files: mount path → content.
    pub files: BTreeMap<String, String>,
    pub writable_paths: Vec<String>,
    pub run_as_user: Option<i64>,
    /// Runs once to completion (`job: true`).
    pub job: bool,
    /// Stateless and serving: two replicas in production.
    pub ha: bool,
    /// `review:` notes written above the service.
    pub notes: Vec<String>,
}

impl OutService {
    pub fn new(compose_name: &str, tier: Tier, tier_reason: String) -> OutService {
        OutService {
            compose_name: compose_name.to_string(),
            tier,
            tier_reason,
            component: None,
            image: None,
            command: None,
            args: None,
            ports: None,
            env: BTreeMap::new(),
            secrets: BTreeMap::new(),
            cpu: None,
            memory: None,
            replicas: None,
            probes: None,
            no_probes: false,
            expose: None,
            depends_on: BTreeSet::new(),
            after: BTreeSet::new(),
            storage: None,
            volumes: Vec::new(),
            files: BTreeMap::new(),
            writable_paths: Vec::new(),
            run_as_user: None,
            job: false,
            ha: false,
            notes: Vec::new(),
        }
    }
}

/// The generated platform.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub name: String,
    pub name_reason: String,
    pub services: BTreeMap<String, OutService>,
}
