//! The connection to one cluster: kube-rs client and discovery ([`Cluster`]), the
//! requests the engine makes (get, server-side apply, delete, list) with every refusal
//! turned into an [`ApplyError`] meant for a person, and the inventory Secrets.
//!
//! The kubeconfig arrives parsed and the monotonic clock arrives as a function
//! ([`Target`]): the binary reads files and clocks, this crate does not.

use crate::error::ApplyError;
use crate::explain::{self, ApiFailure, Operation};
use crate::inventory::{self, Revision, Status};
use crate::object::{MANAGED_BY, MANAGED_BY_LABEL, Manifest, ObjRef};
use crate::release::{self, Release};
use kube::api::{Api, DeleteParams, DynamicObject, ListParams, Patch, PatchParams, PropagationPolicy};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::discovery::{ApiCapabilities, ApiResource, Discovery, Scope};
use kube::{Client, Config};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::engine::FIELD_MANAGER;

/// Where to connect, and the clock to bound waits with.
#[derive(Clone, Debug)]
pub struct Target {
    /// The kubeconfig, read by the caller (`--kubeconfig`, `$KUBECONFIG` or
    /// `~/.kube/config`).
    pub kubeconfig: Kubeconfig,
    /// The context to use (default: the kubeconfig's current context).
    pub context: Option<String>,
    /// The monotonic clock (the caller's `Instant::now`).
    pub clock: fn() -> Instant,
}

/// A connected cluster with its discovery.
pub struct Cluster {
    client: Client,
    server: String,
    /// `gitVersion` of the API server.
    pub version: String,
    resources: HashMap<(String, String), (ApiResource, ApiCapabilities)>,
    served: BTreeMap<String, BTreeSet<String>>,
    writes: AtomicU64,
    clock: fn() -> Instant,
}

pub(crate) fn failure(e: &kube::Error) -> ApiFailure {
    match e {
        kube::Error::Api(s) => ApiFailure {
            code: s.code,
            reason: s.reason.clone(),
            message: s.message.clone(),
            causes: s
                .details
                .as_ref()
                .map(|d| d.causes.iter().map(|c| (c.reason.clone(), c.message.clone(), c.field.clone())).collect())
                .unwrap_or_default(),
        },
        other => ApiFailure { code: 0, message: other.to_string(), ..Default::default() },
    }
}

pub(crate) fn is_not_found(e: &kube::Error) -> bool {
    matches!(e, kube::Error::Api(s) if s.code == 404)
}

impl Cluster {
    /// Loads the kubeconfig, connects, and runs discovery. Nothing is written.
    pub async fn connect(target: &Target) -> Result<Cluster, ApplyError> {
        let options = KubeConfigOptions { context: target.context.clone(), cluster: None, user: None };
        let mut config = Config::from_custom_kubeconfig(target.kubeconfig.clone(), &options)
            .await
            .map_err(|e| ApplyError::Kubeconfig(e.to_string()))?;
        config.connect_timeout = Some(Duration::from_secs(5));
        config.read_timeout = Some(Duration::from_secs(60));
        let server = config.cluster_url.to_string();
        let client = Client::try_from(config).map_err(|e| ApplyError::Kubeconfig(e.to_string()))?;
        let version = match client.apiserver_version().await {
            Ok(info) => info.git_version,
            Err(e @ kube::Error::Api(_)) => {
                let f = failure(&e);
                return Err(ApplyError::Api(
                    format!("the API server at {server} refused the version request: {}", f.message).into(),
                ));
            }
            Err(e) => return Err(ApplyError::Unreachable { server, cause: error_chain(&e) }),
        };
        let discovery = Discovery::new(client.clone())
            .run()
            .await
            .map_err(|e| ApplyError::Api(format!("API discovery failed: {}", error_chain(&e)).into()))?;
        let mut resources = HashMap::new();
        let mut served: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for group in discovery.groups() {
            for version in group.versions() {
                for (ar, caps) in group.versioned_resources(version) {
                    served.entry(ar.api_version.clone()).or_default().insert(ar.kind.clone());
                    resources.insert((ar.api_version.clone(), ar.kind.clone()), (ar, caps));
                }
            }
        }
        Ok(Cluster { client, server, version, resources, served, writes: AtomicU64::new(0), clock: target.clock })
    }

    /// Now, on the monotonic clock the caller handed in.
    pub fn now(&self) -> Instant {
        (self.clock)()
    }

    /// The server's URL.
    pub fn server(&self) -> &str {
        &self.server
    }

    /// Real writes (patches, deletes) since connecting.
    pub fn writes(&self) -> u64 {
        self.writes.load(Ordering::Relaxed)
    }

    /// The underlying client (for tests and tools).
    pub fn client(&self) -> Client {
        self.client.clone()
    }

    /// Refreshes discovery (after CRDs were created).
    pub(crate) async fn rediscover(&mut self) -> Result<(), ApplyError> {
        let discovery = Discovery::new(self.client.clone())
            .run()
            .await
            .map_err(|e| ApplyError::Api(format!("API discovery failed: {}", error_chain(&e)).into()))?;
        for group in discovery.groups() {
            for version in group.versions() {
                for (ar, caps) in group.versioned_resources(version) {
                    self.served.entry(ar.api_version.clone()).or_default().insert(ar.kind.clone());
                    self.resources.insert((ar.api_version.clone(), ar.kind.clone()), (ar, caps));
                }
            }
        }
        Ok(())
    }

    /// Refuses (before any write) objects whose API version the server does not serve.
    pub fn check_served(&self, manifests: &[Manifest]) -> Result<(), ApplyError> {
        let refs: Vec<ObjRef> = manifests.iter().map(|m| m.r.clone()).collect();
        let crd_kinds = crd_kinds(manifests);
        let unserved = explain::unserved(&refs, &self.served, &crd_kinds);
        if unserved.is_empty() {
            Ok(())
        } else {
            Err(ApplyError::Unserved(explain::describe_unserved(&unserved, &self.version)))
        }
    }

    /// The API groups the server serves.
    pub fn served_groups(&self) -> BTreeSet<String> {
        release::served_groups(&self.served)
    }

    /// Refuses, before any write, what cannot be served once `releases` are installed.
    /// With `no_bootstrap` the releases are not installed: any of them the cluster lacks
    /// is refused, named with the objects needing it and the command that installs it.
    pub fn check_prerequisites(
        &self,
        manifests: &[Manifest],
        releases: &[Release],
        no_bootstrap: bool,
    ) -> Result<(), ApplyError> {
        if no_bootstrap {
            let refs: Vec<ObjRef> = manifests.iter().map(|m| m.r.clone()).collect();
            let missing = release::missing(releases, &self.served_groups(), &refs);
            if !missing.is_empty() {
                return Err(ApplyError::Unserved(release::describe_missing(&missing, &self.version)));
            }
            return self.check_served(manifests);
        }
        for r in releases {
            r.values().map_err(|e| ApplyError::Invalid(e.into()))?;
        }
        let provided = release::provided_groups(releases);
        let rest: Vec<Manifest> = manifests.iter().filter(|m| !provided.contains(m.r.group())).cloned().collect();
        self.check_served(&rest)
    }

    pub(crate) fn resource(&self, r: &ObjRef) -> Result<&(ApiResource, ApiCapabilities), ApplyError> {
        self.resources.get(&(r.api_version.clone(), r.kind.clone())).ok_or_else(|| {
            ApplyError::Unserved(
                format!("the API server does not serve {} {} (needed for {r})", r.api_version, r.kind).into(),
            )
        })
    }

    pub(crate) fn api(&self, r: &ObjRef) -> Result<(Api<DynamicObject>, &ApiResource), ApplyError> {
        let (ar, caps) = self.resource(r)?;
        let api = match (&caps.scope, &r.namespace) {
            (Scope::Namespaced, Some(ns)) => Api::namespaced_with(self.client.clone(), ns, ar),
            (Scope::Namespaced, None) => {
                return Err(ApplyError::Invalid(
                    format!("{r}: {} is namespaced but the object has no namespace", r.kind).into(),
                ));
            }
            (Scope::Cluster, _) => Api::all_with(self.client.clone(), ar),
        };
        Ok((api, ar))
    }

    pub(crate) fn api_error(&self, verb: &str, r: &ObjRef, e: &kube::Error) -> ApplyError {
        let plural = self.resource(r).map(|(ar, _)| ar.plural.clone()).unwrap_or_else(|_| r.kind.to_lowercase());
        let op = Operation {
            verb,
            resource: &plural,
            group: r.group(),
            namespace: r.namespace.as_deref(),
            name: Some(&r.name).filter(|n| !n.is_empty()).map(String::as_str),
        };
        let f = failure(e);
        if f.code == 0 {
            return ApplyError::Unreachable { server: self.server.clone(), cause: error_chain(e) };
        }
        // A list has no single object to name.
        let named = (!r.name.is_empty()).then_some(r);
        let msg = explain::describe(&op, named, &f);
        if f.code == 409 { ApplyError::Conflicts(vec![msg]) } else { ApplyError::Api(msg) }
    }

    /// The live object, or None.
    pub async fn get(&self, r: &ObjRef) -> Result<Option<Value>, ApplyError> {
        let (api, _) = self.api(r)?;
        match api.get(&r.name).await {
            Ok(o) => Ok(Some(to_value(&o))),
            Err(e) if is_not_found(&e) => Ok(None),
            Err(e) => Err(self.api_error("get", r, &e)),
        }
    }

    pub(crate) async fn ssa(&self, m: &Manifest, dry_run: bool, force: bool) -> Result<Value, ApplyError> {
        let (api, _) = self.api(&m.r)?;
        let mut pp = PatchParams::apply(FIELD_MANAGER);
        if force {
            pp = pp.force();
        }
        if dry_run {
            pp = pp.dry_run();
        }
        let res = api.patch(&m.r.name, &pp, &Patch::Apply(&m.value)).await;
        if !dry_run {
            self.writes.fetch_add(1, Ordering::Relaxed);
        }
        res.map(|o| to_value(&o)).map_err(|e| self.api_error("patch", &m.r, &e))
    }

    pub(crate) async fn delete(&self, r: &ObjRef) -> Result<(), ApplyError> {
        let (api, _) = self.api(r)?;
        let dp = DeleteParams { propagation_policy: Some(PropagationPolicy::Background), ..Default::default() };
        self.writes.fetch_add(1, Ordering::Relaxed);
        match api.delete(&r.name, &dp).await {
            Ok(_) => Ok(()),
            Err(e) if is_not_found(&e) => Ok(()),
            Err(e) => Err(self.api_error("delete", r, &e)),
        }
    }

    /// Lists objects of a kind (namespace None: all namespaces).
    pub(crate) async fn list(
        &self,
        api_version: &str,
        kind: &str,
        namespace: Option<&str>,
        lp: &ListParams,
    ) -> Result<Vec<Value>, ApplyError> {
        let r = ObjRef {
            api_version: api_version.into(),
            kind: kind.into(),
            namespace: namespace.map(Into::into),
            name: String::new(),
        };
        let (ar, caps) = self.resource(&r)?;
        let api: Api<DynamicObject> = match (namespace, &caps.scope) {
            (Some(ns), Scope::Namespaced) => Api::namespaced_with(self.client.clone(), ns, ar),
            _ => Api::all_with(self.client.clone(), ar),
        };
        match api.list(lp).await {
            Ok(list) => Ok(list.items.iter().map(to_value).collect()),
            Err(e) if is_not_found(&e) => Ok(Vec::new()),
            Err(e) => Err(self.api_error("list", &r, &e)),
        }
    }

    // ---- inventory ---------------------------------------------------------------

    /// Every recorded revision of a platform/environment (objects decoded if asked).
    pub async fn history(&self, platform: &str, env: &str, with_objects: bool) -> Result<Vec<Revision>, ApplyError> {
        let lp = ListParams::default().labels(&inventory::selector(platform, env));
        let items = self.list("v1", "Secret", Some(inventory::NAMESPACE), &lp).await?;
        let mut out = Vec::new();
        for s in items {
            out.push(Revision::from_secret(&s, with_objects).map_err(|e| ApplyError::Inventory(e.to_string()))?);
        }
        out.sort_by_key(|r| r.number);
        Ok(out)
    }

    pub(crate) async fn ensure_inventory_namespace(&self) -> Result<(), ApplyError> {
        let r = ObjRef {
            api_version: "v1".into(),
            kind: "Namespace".into(),
            namespace: None,
            name: inventory::NAMESPACE.into(),
        };
        if self.get(&r).await?.is_none() {
            let m = Manifest {
                r,
                value: json!({"apiVersion":"v1","kind":"Namespace","metadata":{"name":inventory::NAMESPACE,
                    "labels":{MANAGED_BY_LABEL: MANAGED_BY}}}),
            };
            self.ssa(&m, false, true).await?;
        }
        Ok(())
    }

    pub(crate) async fn write_revision(&self, rev: &Revision) -> Result<(), ApplyError> {
        let value = rev.to_secret();
        let m = Manifest::from_value(0, value).map_err(|e| ApplyError::Inventory(e.to_string()))?;
        self.ssa(&m, false, true).await.map(|_| ())
    }

    pub(crate) async fn set_status(&self, rev: &Revision, status: Status) -> Result<(), ApplyError> {
        let r = secret_ref(&rev.platform, &rev.environment, rev.number);
        let (api, _) = self.api(&r)?;
        let patch = json!({"metadata":{"labels":{inventory::STATUS_LABEL: status.as_str()}}});
        self.writes.fetch_add(1, Ordering::Relaxed);
        api.patch(&r.name, &PatchParams::default(), &Patch::Merge(&patch))
            .await
            .map_err(|e| self.api_error("patch", &r, &e))?;
        Ok(())
    }
}

pub(crate) fn secret_ref(platform: &str, env: &str, n: u64) -> ObjRef {
    ObjRef {
        api_version: "v1".into(),
        kind: "Secret".into(),
        namespace: Some(inventory::NAMESPACE.into()),
        name: inventory::secret_name(platform, env, n),
    }
}

pub(crate) fn to_value(o: &DynamicObject) -> Value {
    serde_json::to_value(o).unwrap_or(Value::Null)
}

/// An error and its causes on one line.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(x) = src {
        let t = x.to_string();
        if !s.contains(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        src = x.source();
    }
    s
}

/// `(group, version, kind)` served by the CRDs among `manifests`.
pub(crate) fn crd_kinds(manifests: &[Manifest]) -> BTreeSet<(String, String, String)> {
    let mut out = BTreeSet::new();
    for m in manifests.iter().filter(|m| m.r.kind == "CustomResourceDefinition") {
        let group = m.value.pointer("/spec/group").and_then(Value::as_str).unwrap_or_default();
        let kind = m.value.pointer("/spec/names/kind").and_then(Value::as_str).unwrap_or_default();
        for v in m.value.pointer("/spec/versions").and_then(Value::as_array).into_iter().flatten() {
            if let Some(name) = v.get("name").and_then(Value::as_str) {
                out.insert((group.to_string(), name.to_string(), kind.to_string()));
            }
        }
    }
    out
}
