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

use crate::model::{Object, string_map, text};

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
    /// Workloads by namespace, in input order.
    workloads_by_ns: HashMap<&'a str, Vec<usize>>,
    /// Workloads by (namespace, pod label key, value), in input order: the candidates a
    /// selector with that pair can match.
    workloads_by_label: HashMap<(&'a str, &'a str, String), Vec<usize>>,
    /// The first HorizontalPodAutoscaler of each (namespace, target kind, target name).
    hpa_by_target: HashMap<(&'a str, &'a str, &'a str), usize>,
    /// PodDisruptionBudgets by their `spec.selector`.
    pub pdb_selectors: SelectorIndex<'a>,
    /// NetworkPolicies by their `spec.podSelector`.
    pub policy_selectors: SelectorIndex<'a>,
}

/// A selector waiting to be filed: (namespace, `matchLabels` pairs, object index).
type Pending<'a> = (&'a str, Vec<(&'a str, String)>, usize);

/// Objects that select pods by a `metav1.LabelSelector`, found from a pod's labels without
/// scanning them all: each is filed under one of its `matchLabels` pairs, or, without
/// any, under its namespace alone (checked for every pod there). [`SelectorIndex::candidates`]
/// returns a superset of the objects whose selector matches, in input order; callers
/// still apply their own predicate.
#[derive(Default)]
pub struct SelectorIndex<'a> {
    keyed: HashMap<(&'a str, &'a str, String), Vec<usize>>,
    wild: HashMap<&'a str, Vec<usize>>,
    /// (namespace, `matchLabels` pairs, object) until [`SelectorIndex::finish`].
    pending: Vec<Pending<'a>>,
}

impl<'a> SelectorIndex<'a> {
    fn add(&mut self, ns: &'a str, selector: Option<&'a Node>, i: usize) {
        let pairs: Vec<(&'a str, String)> = selector
            .and_then(|s| s.get("matchLabels"))
            .and_then(Node::as_map)
            .unwrap_or(&[])
            .iter()
            .filter_map(|e| e.value.scalar_text().map(|v| (e.key.as_str(), v)))
            .collect();
        if pairs.is_empty() {
            self.wild.entry(ns).or_default().push(i);
        } else {
            self.pending.push((ns, pairs, i));
        }
    }

    /// Files every selector under its least shared pair (ties: the first written).
    fn finish(&mut self) {
        let selectors: Vec<(&str, Vec<(&str, &str)>)> = self
            .pending
            .iter()
            .map(|(ns, pairs, _)| (*ns, pairs.iter().map(|(k, v)| (*k, v.as_str())).collect()))
            .collect();
        let best = skyform_netpol::least_shared_pairs(&selectors);
        for ((ns, pairs, i), n) in std::mem::take(&mut self.pending).into_iter().zip(best) {
            if let Some((k, v)) = n.and_then(|n| pairs.into_iter().nth(n)) {
                self.keyed.entry((ns, k, v)).or_default().push(i);
            }
        }
    }

    /// Indices of the objects in `ns` whose selector may match `labels`, in input order.
    pub fn candidates(&self, ns: &str, labels: Option<&Node>) -> Vec<usize> {
        let mut out: Vec<usize> = self.wild.get(ns).cloned().unwrap_or_default();
        for (k, v) in string_map(labels) {
            if let Some(b) = self.keyed.get(&(ns, k, v)) {
                out.extend_from_slice(b);
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

impl<'a> Index<'a> {
    pub fn new(objects: &'a [Object]) -> Index<'a> {
        // The two larger indexes are independent of each other: built side by side.
        let (works, net) =
            rayon::join(|| crate::works::WorksIndex::new(objects), || crate::netpol::NetIndex::new(objects));
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
            works,
            net,
            workloads_by_ns: HashMap::new(),
            workloads_by_label: HashMap::new(),
            hpa_by_target: HashMap::new(),
            pdb_selectors: SelectorIndex::default(),
            policy_selectors: SelectorIndex::default(),
        };
        for (i, o) in objects.iter().enumerate() {
            ix.by_key.insert((o.kind.as_str(), o.ns(), o.name.as_str()), i);
            ix.kinds.insert(o.kind.as_str());
            if o.pod().is_some() || o.is_cnpg_cluster() {
                ix.workloads.push(i);
                ix.workloads_by_ns.entry(o.ns()).or_default().push(i);
                for e in o.pod_labels().and_then(Node::as_map).unwrap_or(&[]) {
                    if let Some(v) = e.value.scalar_text() {
                        ix.workloads_by_label.entry((o.ns(), e.key.as_str(), v)).or_default().push(i);
                    }
                }
            }
            match o.kind.as_str() {
                "NetworkPolicy" => {
                    ix.network_policies.entry(o.ns()).or_default().push(i);
                    // A policy without `podSelector` (or an empty one) selects every pod.
                    ix.policy_selectors.add(o.ns(), o.spec().and_then(|s| s.get("podSelector")), i);
                }
                "PodDisruptionBudget" => {
                    ix.pdbs.push(i);
                    ix.pdb_selectors.add(o.ns(), o.spec().and_then(|s| s.get("selector")), i);
                }
                "HorizontalPodAutoscaler" => {
                    ix.hpas.push(i);
                    let target = o.spec().and_then(|s| s.get("scaleTargetRef"));
                    if let (Some(kind), Some(name)) = (text(target, "kind"), text(target, "name")) {
                        ix.hpa_by_target.entry((o.ns(), kind, name)).or_insert(i);
                    }
                }
                "Service" => ix.services.push(i),
                _ => {}
            }
            if let Some(name) = produced_secret(o) {
                ix.secret_producers = true;
                ix.produced_secrets.insert((o.ns().to_string(), name));
            }
        }
        ix.pdb_selectors.finish();
        ix.policy_selectors.finish();
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
        let objects = self.objects;
        self.workloads_by_ns.get(ns).map_or(&[][..], Vec::as_slice).iter().map(move |&i| &objects[i])
    }

    /// Workloads in `ns` that may match a selector requiring every `(key, value)` of
    /// `pairs` (all of `ns`'s workloads when `pairs` is empty), in input order: a superset
    /// of the matches, so callers still apply their predicate.
    pub fn workload_candidates<'s>(
        &'s self,
        ns: &'s str,
        pairs: &[(&str, String)],
    ) -> impl Iterator<Item = &'a Object> + use<'a> {
        let objects = self.objects;
        let ids: Vec<usize> = if pairs.is_empty() {
            self.workloads_by_ns.get(ns).cloned().unwrap_or_default()
        } else {
            pairs
                .iter()
                .map(|(k, v)| self.workloads_by_label.get(&(ns, *k, v.clone())).map_or(&[][..], Vec::as_slice))
                .min_by_key(|b| b.len())
                .unwrap_or(&[])
                .to_vec()
        };
        ids.into_iter().map(move |i| &objects[i])
    }

    /// [`Index::workload_candidates`] for a `metav1.LabelSelector` node (its `matchLabels`).
    pub fn selector_candidates<'s>(
        &'s self,
        ns: &'s str,
        selector: &Node,
    ) -> impl Iterator<Item = &'a Object> + use<'a> {
        self.workload_candidates(ns, &string_map(selector.get("matchLabels")))
    }

    /// The first HorizontalPodAutoscaler in `ns` whose `scaleTargetRef` names `kind`/`name`.
    pub fn hpa_for(&self, ns: &str, kind: &str, name: &str) -> Option<&'a Object> {
        self.hpa_by_target.get(&(ns, kind, name)).map(|&i| &self.objects[i])
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
