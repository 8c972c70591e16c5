//! Provider-specific pieces: StorageClasses and spot-node placement.
//!
//! `fast-ssd` and `standard` are the two classes services ask for; each provider maps
//! them to its CSI driver and disk type. Spot placement is a *preferred* node affinity
//! plus a toleration of the provider's spot taint, so spot-eligible pods land on cheap
//! nodes when there are some and anywhere otherwise. Stateful pods get a *required*
//! affinity away from spot nodes on providers that have them.

use crate::objects::{Object, meta, platform_labels};
use k8s_openapi::api::core::v1::{
    NodeAffinity, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, PreferredSchedulingTerm, Toleration,
};
use k8s_openapi::api::storage::v1::StorageClass;
use skyform_model::{Model, ProviderName, StorageClassName};
use std::collections::BTreeMap;

/// CSI provisioner and parameters of one class on one provider.
struct ClassSpec {
    provisioner: &'static str,
    params: &'static [(&'static str, &'static str)],
    expandable: bool,
}

fn class_spec(provider: ProviderName, fast: bool) -> ClassSpec {
    use ProviderName::*;
    let (provisioner, params, expandable): (&'static str, &'static [(&'static str, &'static str)], bool) =
        match (provider, fast) {
            (Aws, true) => (
                "ebs.csi.aws.com",
                &[("type", "gp3"), ("iops", "6000"), ("throughput", "250"), ("encrypted", "true")],
                true,
            ),
            (Aws, false) => ("ebs.csi.aws.com", &[("type", "gp3"), ("encrypted", "true")], true),
            (Gcp, true) => ("pd.csi.storage.gke.io", &[("type", "pd-ssd")], true),
            (Gcp, false) => ("pd.csi.storage.gke.io", &[("type", "pd-balanced")], true),
            (Azure, true) => ("disk.csi.azure.com", &[("skuName", "Premium_LRS")], true),
            (Azure, false) => ("disk.csi.azure.com", &[("skuName", "StandardSSD_LRS")], true),
            // DigitalOcean, Linode, Civo and Hetzner sell one (SSD-backed) block storage type.
            (Digitalocean, _) => ("dobs.csi.digitalocean.com", &[], true),
            (Linode, _) => ("linodebs.csi.linode.com", &[], true),
            (Civo, _) => ("csi.civo.com", &[], true),
            (Vultr, true) => ("block.csi.vultr.com", &[("block_type", "high_perf")], true),
            (Vultr, false) => ("block.csi.vultr.com", &[("block_type", "storage_opt")], true),
            (Hetzner, _) => ("csi.hetzner.cloud", &[], true),
            // k3s ships the local-path provisioner (node-local disks, no expansion).
            (K3s, _) => ("rancher.io/local-path", &[], false),
            // kind ships the same provisioner (and its own `standard` class).
            (Kind, _) => ("rancher.io/local-path", &[], false),
        };
    ClassSpec { provisioner, params, expandable }
}

/// The StorageClass a claim of class `c` uses on `provider`. GKE already ships an
/// immutable `standard` class (pd-standard), so on GKE `standard` claims use GKE's own
/// `standard-rwo` (pd-balanced, the CSI class we would otherwise create) instead of
/// clashing with it.
pub fn storage_class_name(provider: ProviderName, c: StorageClassName) -> &'static str {
    match (provider, c) {
        (_, StorageClassName::FastSsd) => "fast-ssd",
        (ProviderName::Gcp, StorageClassName::Standard) => "standard-rwo",
        (_, StorageClassName::Standard) => "standard",
    }
}

/// The `fast-ssd` and `standard` StorageClasses for `provider` (on GKE and kind only
/// `fast-ssd`: both ship a `standard` class of their own; see [`storage_class_name`]). Production environments retain volumes when a claim is
/// deleted; others delete them.
pub fn storage_classes(model: &Model, provider: ProviderName, production: bool) -> Vec<Object> {
    [("fast-ssd", true), ("standard", false)]
        .into_iter()
        .filter(|(name, _)| !(matches!(provider, ProviderName::Gcp | ProviderName::Kind) && *name == "standard"))
        .map(|(name, fast)| {
            let spec = class_spec(provider, fast);
            let params: BTreeMap<String, String> =
                spec.params.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect();
            Object::typed(&StorageClass {
                metadata: meta(name, None, platform_labels(model), BTreeMap::new()),
                provisioner: spec.provisioner.to_string(),
                parameters: (!params.is_empty()).then_some(params),
                reclaim_policy: Some(if production { "Retain" } else { "Delete" }.to_string()),
                volume_binding_mode: Some("WaitForFirstConsumer".to_string()),
                allow_volume_expansion: spec.expandable.then_some(true),
                ..StorageClass::default()
            })
        })
        .collect()
}

/// How a provider marks spot/preemptible nodes: node label and value, and the taint key
/// with its value (the toleration), when the provider has spot capacity.
pub struct SpotMarker {
    pub label: &'static str,
    pub value: &'static str,
    pub taint: &'static str,
}

/// The spot marker of a provider; `None` for providers without spot capacity.
pub fn spot_marker(provider: ProviderName) -> Option<SpotMarker> {
    match provider {
        // EKS managed node groups label capacity type; our node groups taint it too.
        ProviderName::Aws => Some(SpotMarker {
            label: "eks.amazonaws.com/capacityType",
            value: "SPOT",
            taint: "eks.amazonaws.com/capacityType",
        }),
        ProviderName::Gcp => {
            Some(SpotMarker { label: "cloud.google.com/gke-spot", value: "true", taint: "cloud.google.com/gke-spot" })
        }
        // AKS taints spot pools with this key automatically.
        ProviderName::Azure => Some(SpotMarker {
            label: "kubernetes.azure.com/scalesetpriority",
            value: "spot",
            taint: "kubernetes.azure.com/scalesetpriority",
        }),
        ProviderName::Digitalocean
        | ProviderName::Linode
        | ProviderName::Civo
        | ProviderName::Vultr
        | ProviderName::Hetzner
        | ProviderName::K3s
        | ProviderName::Kind => None,
    }
}

/// Node affinity and tolerations: prefer spot for spot-eligible pods, forbid spot for
/// stateful ones, nothing otherwise.
pub fn placement(provider: ProviderName, spot: bool, stateful: bool) -> (Option<NodeAffinity>, Vec<Toleration>) {
    let Some(m) = spot_marker(provider) else { return (None, Vec::new()) };
    if spot && !stateful {
        let affinity = NodeAffinity {
            preferred_during_scheduling_ignored_during_execution: Some(vec![PreferredSchedulingTerm {
                weight: 100,
                preference: NodeSelectorTerm {
                    match_expressions: Some(vec![NodeSelectorRequirement {
                        key: m.label.to_string(),
                        operator: "In".to_string(),
                        values: Some(vec![m.value.to_string()]),
                    }]),
                    ..NodeSelectorTerm::default()
                },
            }]),
            ..NodeAffinity::default()
        };
        let toleration = Toleration {
            key: Some(m.taint.to_string()),
            operator: Some("Equal".to_string()),
            value: Some(m.value.to_string()),
            effect: Some("NoSchedule".to_string()),
            ..Toleration::default()
        };
        (Some(affinity), vec![toleration])
    } else if stateful {
        let affinity = NodeAffinity {
            required_during_scheduling_ignored_during_execution: Some(NodeSelector {
                node_selector_terms: vec![NodeSelectorTerm {
                    match_expressions: Some(vec![NodeSelectorRequirement {
                        key: m.label.to_string(),
                        operator: "NotIn".to_string(),
                        values: Some(vec![m.value.to_string()]),
                    }]),
                    ..NodeSelectorTerm::default()
                }],
            }),
            ..NodeAffinity::default()
        };
        (Some(affinity), Vec::new())
    } else {
        (None, Vec::new())
    }
}
