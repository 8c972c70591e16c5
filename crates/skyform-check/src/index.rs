//! The whole input set, indexed for cross-object rules.
//!
//! Cross-object rules (Service selectors, PDB/HPA targets, NetworkPolicy coverage,
//! missing references) need every object of every file at once; the [`Index`] is built
//! once after parsing and shared read-only by all rules.
//!
//! **Context completeness.** A reference to a missing object is only reported when the
//! input could plausibly contain it: the input holds at least one object of that kind (or
//! of a kind that produces it). A Secret counts as present when an `ExternalSecret`
//! (`spec.target.name`, else its name), a `SealedSecret` (`spec.template.metadata.name`,
//! else its name), a cert-manager `Certificate` (`spec.secretName`), a `Secret`-producing
//! `ClusterExternalSecret`/`PushSecret`-free target, or a `VaultStaticSecret`-style
//! `spec.destination.name` in the input names it. ServiceAccount `default` and ConfigMap
//! `kube-root-ca.crt` always exist. So an input made only of Deployments never gets
//! "missing Secret" findings, while a full render with some Secrets does.

use std::collections::{HashMap, HashSet};

use skyform_yaml::Node;

use crate::model::{Object, text};

/// Read-only lookup tables over all objects of one check run.
pub struct Index<'a> {
    pub objects: &'a [Object],
    by_key: HashMap<(&'a str, &'a str, &'a str), usize>,
    kinds: HashSet<&'a str>,
    produced_secrets: HashSet<(String, String)>,
    secret_producers: bool,
    /// Objects that carry a pod template.
    pub workloads: Vec<usize>,
    /// NetworkPolicies by namespace.
    pub network_policies: HashMap<&'a str, Vec<usize>>,
    pub pdbs: Vec<usize>,
    pub hpas: Vec<usize>,
    pub services: Vec<usize>,
    /// Tables for the `WRK-` rules (Services incl. operator-made ones, namespaces, pods
    /// by label, duplicates).
    pub works: crate::works::WorksIndex<'a>,
    /// NetworkPolicies indexed for evaluation.
    pub net: crate::netpol::NetIndex<'a>,
}

impl<'a> Index<'a> {
    pub fn new(objects: &'a [Object]) -> Index<'a> {
        let mut ix = Index {
            objects,
            by_key: HashMap::new(),
            kinds: HashSet::new(),
            produced_secrets: HashSet::new(),
            secret_producers: false,
            workloads: Vec::new(),
            network_policies: HashMap::new(),
            pdbs: Vec::new(),
            hpas: Vec::new(),
            services: Vec::new(),
            works: crate::works::WorksIndex::new(objects),
            net: crate::netpol::NetIndex::new(objects),
        };
        for (i, o) in objects.iter().enumerate() {
            ix.by_key.insert((o.kind.as_str(), o.ns(), o.name.as_str()), i);
            ix.kinds.insert(o.kind.as_str());
            if o.pod().is_some() || o.is_cnpg_cluster() {
                ix.workloads.push(i);
            }
            match o.kind.as_str() {
                "NetworkPolicy" => ix.network_policies.entry(o.ns()).or_default().push(i),
                "PodDisruptionBudget" => ix.pdbs.push(i),
                "HorizontalPodAutoscaler" => ix.hpas.push(i),
                "Service" => ix.services.push(i),
                _ => {}
            }
            if let Some(name) = produced_secret(o) {
                ix.secret_producers = true;
                ix.produced_secrets.insert((o.ns().to_string(), name));
            }
        }
        ix
    }

    /// The object of `kind` named `name` in namespace `ns` ("" for cluster-scoped).
    pub fn get(&self, kind: &str, ns: &str, name: &str) -> Option<&'a Object> {
        self.by_key.get(&(kind, ns, name)).map(|&i| &self.objects[i])
    }

    /// Whether any object of `kind` is in the input.
    pub fn has_kind(&self, kind: &str) -> bool {
        self.kinds.contains(kind)
    }

    /// Whether a referenced object exists: `Some(true/false)` when the input could hold
    /// it, `None` when the input holds nothing of that kind (unknowable; not reported).
    pub fn reference_exists(&self, kind: &str, ns: &str, name: &str) -> Option<bool> {
        let always = match kind {
            "ServiceAccount" => name == "default",
            "ConfigMap" => name == "kube-root-ca.crt",
            _ => false,
        };
        if always || self.get(kind, ns, name).is_some() {
            return Some(true);
        }
        if kind == "Secret" {
            if self.produced_secrets.contains(&(ns.to_string(), name.to_string()))
                || self.works.operator_secrets.contains(&(ns.to_string(), name.to_string()))
            {
                return Some(true);
            }
            if self.secret_producers {
                return Some(false);
            }
        }
        if self.has_kind(kind) { Some(false) } else { None }
    }

    /// Workloads in namespace `ns`.
    pub fn workloads_in<'s>(&'s self, ns: &'s str) -> impl Iterator<Item = &'a Object> + 's {
        self.workloads.iter().map(|&i| &self.objects[i]).filter(move |o| o.ns() == ns)
    }

    pub fn iter(&self, idx: &'a [usize]) -> impl Iterator<Item = &'a Object> + 'a {
        let objects = self.objects;
        idx.iter().map(move |&i| &objects[i])
    }
}

/// The Secret name an object produces, if it is a known Secret producer.
fn produced_secret(o: &Object) -> Option<String> {
    let spec = o.spec();
    let name = || Some(o.name.clone());
    match o.kind.as_str() {
        "ExternalSecret" => text(spec.and_then(|s| s.get("target")), "name").map(str::to_string).or_else(name),
        "SealedSecret" => spec
            .and_then(|s| s.get("template"))
            .and_then(|t| t.get("metadata"))
            .and_then(|m| m.get("name"))
            .and_then(Node::as_str)
            .map(str::to_string)
            .or_else(name),
        "Certificate" if o.group().starts_with("cert-manager.io") => text(spec, "secretName").map(str::to_string),
        "VaultStaticSecret" | "VaultDynamicSecret" | "VaultPKISecret" => {
            text(spec.and_then(|s| s.get("destination")), "name").map(str::to_string)
        }
        _ => None,
    }
}
