//! A platform engineer's review list, pinned for both examples × every provider ×
//! production: remote state is configured (with a bootstrap root for its bucket),
//! Kubernetes versions are resolved by minor, EKS has the EBS CSI driver with its IRSA
//! role, nodes are private, the cluster autoscaler follows the platform's policy, and
//! spot pools carry exactly the taint the rendered manifests tolerate.

mod common;

use hcl::{Block, Body};
use skyform_model::ProviderName;
use skyform_terraform::{Files, Format};

fn production() -> Vec<(String, ProviderName, Files)> {
    let mut out = Vec::new();
    for (example, env, p, files) in common::render_all(Format::Terraform) {
        let m = common::model(common::EXAMPLES.iter().find(|(n, _)| *n == example).expect("example").1);
        if m.environment(&env).is_some_and(|e| e.production) {
            out.push((example, p, files));
        }
    }
    assert_eq!(out.len(), 2 * common::PROVIDERS.len());
    out
}

fn file<'a>(files: &'a Files, path: &str) -> &'a str {
    files.iter().find(|(p, _)| p == path).map(|(_, t)| t.as_str()).unwrap_or_else(|| panic!("no file {path}"))
}

fn parse(text: &str, path: &str) -> Body {
    hcl::from_str(text).unwrap_or_else(|e| panic!("{path} does not parse: {e}"))
}

/// Every block (recursively) with this identifier and these leading labels.
fn blocks<'a>(body: &'a Body, ident: &str, labels: &[&str]) -> Vec<&'a Block> {
    let mut out = Vec::new();
    for b in body.blocks() {
        let ls: Vec<&str> = b.labels().iter().map(|l| l.as_str()).collect();
        if b.identifier() == ident && ls.len() >= labels.len() && ls[..labels.len()] == *labels {
            out.push(b);
        }
        out.extend(blocks(b.body(), ident, labels));
    }
    out
}

fn attr(block: &Block, key: &str) -> String {
    block
        .body()
        .attributes()
        .find(|a| a.key() == key)
        .map(|a| hcl::format::to_string(a.expr()).unwrap_or_default())
        .unwrap_or_else(|| panic!("block {} {:?} has no `{key}`", block.identifier(), block.labels()))
}

fn root(example: &str, p: ProviderName) -> String {
    let m = common::model(common::EXAMPLES.iter().find(|(n, _)| *n == example).expect("example").1);
    let env = m.environments.iter().find(|e| e.production).expect("production");
    format!("environments/{}/{}", env.name, skyform_terraform::provider_key(p))
}

#[test]
fn remote_state_is_configured_in_every_root() {
    for (example, p, files) in production() {
        let r = root(&example, p);
        let path = format!("{r}/backend.tf");
        let body = parse(file(&files, &path), &path);
        let backends = blocks(&body, "backend", &[]);
        assert_eq!(backends.len(), 1, "{example}/{p:?}: one active backend in {path}");
        let kind = backends[0].labels()[0].as_str().to_owned();
        let want = match p {
            ProviderName::Gcp => "gcs",
            ProviderName::Azure => "azurerm",
            _ => "s3",
        };
        assert_eq!(kind, want, "{example}/{p:?}");
        if kind == "s3" {
            assert_eq!(attr(backends[0], "use_lockfile"), "true", "{example}/{p:?}: state locking");
        }
        // The bucket the backend names is created by the bootstrap root (Hetzner: by
        // hand, documented).
        let key = skyform_terraform::provider_key(p);
        if p == ProviderName::Hetzner {
            assert!(file(&files, &format!("bootstrap/{key}/README.md")).contains("tfstate"));
        } else {
            let main = file(&files, &format!("bootstrap/{key}/main.tf"));
            let bucket = match p {
                ProviderName::Azure => attr(backends[0], "storage_account_name"),
                _ => attr(backends[0], "bucket"),
            };
            assert!(main.contains(&bucket), "{example}/{p:?}: bootstrap creates {bucket}:\n{main}");
        }
    }
}

#[test]
fn versions_are_resolved_by_minor() {
    for (example, p, files) in production() {
        let m = common::model(common::EXAMPLES.iter().find(|(n, _)| *n == example).expect("example").1);
        let minor = &m.kubernetes_version;
        let r = root(&example, p);
        let tfvars = parse(file(&files, &format!("{r}/terraform.tfvars")), "tfvars");
        let v = tfvars.attributes().find(|a| a.key() == "kubernetes_version").expect("kubernetes_version");
        let v = hcl::format::to_string(v.expr()).expect("fmt");
        let key = skyform_terraform::provider_key(p);
        let module = file(&files, &format!("modules/kubernetes-cluster/{key}/main.tf"));
        let module_body = parse(module, "cluster module");
        match p {
            // VKE: no version data source; a release of the minor is written.
            ProviderName::Vultr => assert!(v.starts_with(&format!("\"v{minor}.")), "{v}"),
            _ => assert_eq!(v, format!("\"{minor}\""), "{example}/{p:?}"),
        }
        let data_source = match p {
            ProviderName::Digitalocean => Some("digitalocean_kubernetes_versions"),
            ProviderName::Gcp => Some("google_container_engine_versions"),
            ProviderName::Azure => Some("azurerm_kubernetes_service_versions"),
            ProviderName::Civo => Some("civo_kubernetes_version"),
            _ => None,
        };
        if let Some(ds) = data_source {
            let d = blocks(&module_body, "data", &[ds]);
            assert_eq!(d.len(), 1, "{p:?}: {ds}");
            if p != ProviderName::Civo {
                assert_eq!(attr(d[0], "version_prefix"), "\"${var.kubernetes_version}.\"", "{p:?}");
            }
            assert!(module.contains(&format!("data.{ds}.this.")), "{p:?}: the cluster uses {ds}");
        }
        if p == ProviderName::Hetzner {
            let init = file(&files, "modules/kubernetes-cluster/hetzner/cloud-init-server.yaml.tftpl");
            assert!(init.contains("INSTALL_K3S_CHANNEL='${k3s_channel}'"), "{init}");
            assert!(module.contains("k3s_channel = \"v${var.kubernetes_version}\""));
        }
    }
}

#[test]
fn eks_has_the_ebs_csi_driver_with_its_irsa_role() {
    for (example, p, files) in production() {
        if p != ProviderName::Aws {
            continue;
        }
        let body = parse(file(&files, "modules/kubernetes-cluster/aws/main.tf"), "eks");
        let addon = blocks(&body, "resource", &["aws_eks_addon", "ebs_csi"]);
        assert_eq!(addon.len(), 1, "{example}");
        assert_eq!(attr(addon[0], "addon_name"), "\"aws-ebs-csi-driver\"");
        assert_eq!(attr(addon[0], "service_account_role_arn"), "aws_iam_role.ebs_csi.arn");
        let role = blocks(&body, "resource", &["aws_iam_role", "ebs_csi"]);
        let trust = attr(role[0], "assume_role_policy");
        assert!(trust.contains("sts:AssumeRoleWithWebIdentity"), "{trust}");
        assert!(trust.contains("system:serviceaccount:kube-system:ebs-csi-controller-sa"), "{trust}");
        assert!(trust.contains("aws_iam_openid_connect_provider.this.arn"), "{trust}");
        let att = blocks(&body, "resource", &["aws_iam_role_policy_attachment", "ebs_csi"]);
        assert!(attr(att[0], "policy_arn").contains("AmazonEBSCSIDriverPolicy"));
        // Envelope encryption and control-plane logs.
        let cluster = blocks(&body, "resource", &["aws_eks_cluster", "this"]);
        let enc = blocks(cluster[0].body(), "encryption_config", &[]);
        assert!(attr(enc[0], "resources").contains("\"secrets\""));
        let logs = attr(cluster[0], "enabled_cluster_log_types");
        for t in ["api", "audit", "authenticator", "controllerManager", "scheduler"] {
            assert!(logs.contains(t), "{logs}");
        }
        // The API is open only to the listed networks.
        let vpc = blocks(cluster[0].body(), "vpc_config", &[]);
        assert!(attr(vpc[0], "public_access_cidrs").contains("var.api_allowed_cidrs"));
    }
}

#[test]
fn nodes_are_private() {
    for (example, p, files) in production() {
        match p {
            ProviderName::Aws => {
                let net = parse(file(&files, "modules/networking/aws/main.tf"), "net");
                let private = blocks(&net, "resource", &["aws_subnet", "private"]);
                assert_eq!(attr(private[0], "map_public_ip_on_launch"), "false");
                assert_eq!(blocks(&net, "resource", &["aws_nat_gateway", "this"]).len(), 1);
                let outs = file(&files, "modules/networking/aws/outputs.tf");
                assert!(outs.contains("aws_subnet.private[*].id"), "{outs}");
                let eks = parse(file(&files, "modules/kubernetes-cluster/aws/main.tf"), "eks");
                let ng = blocks(&eks, "resource", &["aws_eks_node_group", "pool"]);
                assert_eq!(attr(ng[0], "subnet_ids"), "var.network.subnet_ids");
                // Production: one NAT gateway per zone.
                let main = file(&files, &format!("{}/main.tf", root(&example, p)));
                assert!(main.contains("nat_per_zone") && main.contains("var.high_availability"), "{main}");
            }
            ProviderName::Gcp => {
                let gke = parse(file(&files, "modules/kubernetes-cluster/gcp/main.tf"), "gke");
                let pcc = blocks(&gke, "private_cluster_config", &[]);
                assert_eq!(attr(pcc[0], "enable_private_nodes"), "true");
                let net = parse(file(&files, "modules/networking/gcp/main.tf"), "net");
                assert_eq!(blocks(&net, "resource", &["google_compute_router_nat"]).len(), 1, "{example}: Cloud NAT");
            }
            _ => {}
        }
    }
}

#[test]
fn the_autoscaler_follows_the_platform_policy() {
    for (example, p, files) in production() {
        let r = root(&example, p);
        let tfvars = file(&files, &format!("{r}/terraform.tfvars"));
        for want in
            ["min_nodes                   = 2", "max_nodes                   = 10", "scale_down_unneeded_minutes = 10"]
        {
            assert!(tfvars.contains(want), "{example}/{p:?}: `{want}` in\n{tfvars}");
        }
        assert!(tfvars.contains("scale_down_utilization      = 0.5"), "{tfvars}");
        let key = skyform_terraform::provider_key(p);
        let module = file(&files, &format!("modules/kubernetes-cluster/{key}/main.tf"));
        match p {
            ProviderName::Aws => {
                let values = file(&files, &format!("{r}/cluster-autoscaler-values.yaml"));
                assert!(values.contains("scale-down-unneeded-time: 10m"), "{values}");
                assert!(values.contains("scale-down-utilization-threshold: \"0.5\""), "{values}");
                assert!(module.contains("aws_iam_role\" \"cluster_autoscaler\""));
            }
            ProviderName::Azure => {
                assert!(module.contains("scale_down_unneeded"), "{module}");
                assert!(module.contains("var.autoscaling.scale_down_unneeded_minutes"));
                assert!(module.contains("var.autoscaling.scale_down_utilization"));
            }
            ProviderName::Gcp => assert!(module.contains("autoscaling_profile = \"BALANCED\"")),
            ProviderName::Digitalocean => {
                assert!(module.contains("cluster_autoscaler_configuration"));
                assert!(module.contains("var.autoscaling.scale_down_unneeded_minutes"));
            }
            _ => {}
        }
        // Where the provider autoscales, the pools reach the policy's maximum.
        if skyform_terraform::pools::supports_autoscaling(p) {
            let body = parse(tfvars, "tfvars");
            let pools = body.attributes().find(|a| a.key() == "node_pools").expect("pools");
            let hcl::Expression::Array(items) = pools.expr() else { panic!("node_pools") };
            let mut max = 0;
            for it in items {
                let hcl::Expression::Object(o) = it else { panic!("pool") };
                for (k, v) in o {
                    if hcl::format::to_string(k).unwrap_or_default() == "max_nodes" {
                        max += hcl::format::to_string(v).unwrap_or_default().parse::<u32>().unwrap_or(0);
                    }
                }
            }
            assert!(max >= 10, "{example}/{p:?}: pools reach {max} nodes");
        }
    }
}

#[test]
fn spot_pools_carry_the_taint_the_manifests_tolerate() {
    for (_, p, files) in production() {
        let key = skyform_terraform::provider_key(p);
        let module = parse(file(&files, &format!("modules/kubernetes-cluster/{key}/main.tf")), "module");
        let Some(marker) = skyform_render::k8s::spot_marker(p) else { continue };
        match p {
            ProviderName::Aws | ProviderName::Gcp => {
                let dynamic = blocks(&module, "dynamic", &["taint"]);
                assert_eq!(dynamic.len(), 1, "{p:?}");
                assert_eq!(attr(dynamic[0], "for_each"), "each.value.spot ? [1] : []");
                let content = blocks(dynamic[0].body(), "content", &[]);
                assert_eq!(attr(content[0], "key"), format!("\"{}\"", marker.taint));
                assert_eq!(attr(content[0], "value"), format!("\"{}\"", marker.value));
                assert_eq!(attr(content[0], "effect"), "\"NO_SCHEDULE\"");
            }
            // AKS taints Spot pools itself with kubernetes.azure.com/scalesetpriority=spot.
            ProviderName::Azure => {
                let pool = blocks(&module, "resource", &["azurerm_kubernetes_cluster_node_pool", "pool"]);
                assert!(attr(pool[0], "priority").contains("\"Spot\""));
                assert_eq!(marker.taint, "kubernetes.azure.com/scalesetpriority");
            }
            _ => {}
        }
    }
}

#[test]
fn managed_services_write_their_connection_record() {
    for (example, p, files) in production() {
        let r = root(&example, p);
        let m = common::model(common::EXAMPLES.iter().find(|(n, _)| *n == example).expect("example").1);
        let env = m.environments.iter().find(|e| e.production).expect("production");
        let managed: Vec<&str> = env.services.iter().filter(|s| s.is_managed_on(p)).map(|s| s.name.as_str()).collect();
        let conn = files.iter().find(|(path, _)| *path == format!("{r}/connections/main.tf"));
        if managed.is_empty() {
            assert!(conn.is_none(), "{example}/{p:?}");
            continue;
        }
        let (_, text) = conn.unwrap_or_else(|| panic!("{example}/{p:?}: no connections root"));
        // Both examples keep secrets in Vault: KV v2 records at <platform>/<service>-connection.
        assert!(text.contains("vault_kv_secret_v2"), "{text}");
        assert!(text.contains(&format!("\"{}/${{each.key}}-connection\"", m.name)), "{text}");
        for s in &managed {
            assert!(text.contains(&format!("\"{s}\"")), "{s} in\n{text}");
        }
        // Passwords are generated (random_password or the provider) and never written.
        for (path, t) in &files {
            assert!(!t.to_lowercase().contains("password = \""), "{path} holds a literal password");
        }
        let module = files
            .iter()
            .find(|(path, _)| path.starts_with("modules/managed-postgres/") && path.ends_with("outputs.tf"))
            .map(|(_, t)| t.as_str())
            .unwrap_or("");
        if !module.is_empty() {
            for k in ["host", "port", "database", "username", "password", "sslmode"] {
                assert!(module.contains(&format!("{k} ")), "{k} in\n{module}");
            }
        }
    }
}
