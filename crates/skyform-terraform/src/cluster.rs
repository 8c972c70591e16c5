//! `modules/kubernetes-cluster/<provider>/`: one interface, eight implementations.
//!
//! Every implementation has byte-identical `variables.tf` ([`variables`]): the seed's
//! interface (cluster name, region, Kubernetes version, node pools with min/max,
//! autoscale and spot) plus `high_availability`, `network` (what the networking
//! module produced) and `labels`. Every implementation has the same three outputs:
//! `cluster_endpoint`, `cluster_ca_certificate` (sensitive) and `kubeconfig`
//! (sensitive). Where the cloud returns no kubeconfig (EKS, GKE) it is built with
//! `yamlencode` around the cloud CLI's exec credential plugin, so it holds no secret.

use hcl::expr::BinaryOperator;

use crate::hclw::{
    Blk, File, arr, b, call, call_expand, cond, for_list, for_map, n, null, obj, op, r, s, strs, tpl, ty,
};
use crate::{Ctx, Error, Files, print, versions};
use skyform_model::ProviderName;

/// The module's folder.
pub fn dir(p: ProviderName) -> String {
    format!("modules/kubernetes-cluster/{}", crate::provider_key(p))
}

/// The type of the `node_pools` variable, shared by every cluster module and every root.
pub fn node_pool_type() -> hcl::Expression {
    call(
        "list",
        [call(
            "object",
            [obj([
                ("name", ty("string")),
                ("size", ty("string")),
                ("min_nodes", ty("number")),
                ("max_nodes", ty("number")),
                ("auto_scale", ty("bool")),
                ("spot", ty("bool")),
            ])],
        )],
    )
}

/// The shared `variables.tf`.
pub fn variables() -> File {
    let pool_type = node_pool_type();
    let network_type = call(
        "object",
        [obj([("id", ty("string")), ("subnet_ids", ty("list(string)")), ("firewall_id", ty("string"))])],
    );
    File::new()
        .blk(
            Blk::new("variable", &["cluster_name"])
                .a("description", s("Cluster name; also the prefix of every resource name."))
                .a("type", ty("string")),
        )
        .blk(
            Blk::new("variable", &["region"])
                .a("description", s("The provider's region (location, data centre)."))
                .a("type", ty("string")),
        )
        .blk(
            Blk::new("variable", &["kubernetes_version"])
                .a("description", s("Kubernetes version in the provider's notation."))
                .a("type", ty("string")),
        )
        .blk(
            Blk::new("variable", &["node_pools"])
                .a(
                    "description",
                    s("Worker pools, sized by `skyform plan`. The first pool is on-demand and hosts system workloads."),
                )
                .a("type", pool_type)
                .blk(
                    Blk::new("validation", &[])
                        .a("condition", op(call("length", [r("var.node_pools")]), BinaryOperator::Greater, n(0)))
                        .a("error_message", s("At least one node pool is required.")),
                ),
        )
        .blk(
            Blk::new("variable", &["high_availability"])
                .a("description", s("Highly available control plane where the provider offers one."))
                .a("type", ty("bool"))
                .a("default", b(true)),
        )
        .blk(
            Blk::new("variable", &["network"])
                .a("description", s("The networking module's output; null fields where the provider has none."))
                .a("type", network_type)
                .a("default", obj([("id", null()), ("subnet_ids", arr([])), ("firewall_id", null())])),
        )
        .blk(
            Blk::new("variable", &["labels"])
                .a("description", s("Labels / tags put on every resource that takes them."))
                .a("type", ty("map(string)"))
                .a("default", obj::<&str>([])),
        )
        .blk(
            Blk::new("variable", &["api_allowed_cidrs"])
                .a(
                    "description",
                    s("Networks allowed to reach the Kubernetes API where the provider can restrict it; empty: private endpoint only (EKS) or no restriction (where the provider has no private endpoint)."),
                )
                .a("type", ty("list(string)"))
                .a("default", arr([])),
        )
        .blk(
            Blk::new("variable", &["autoscaling"])
                .a(
                    "description",
                    s("Cluster autoscaler policy: remove a node after `scale_down_unneeded_minutes` below `scale_down_utilization` (0-1) of its allocatable."),
                )
                .a("type", autoscaling_type())
                .a(
                    "default",
                    obj([
                        ("min_nodes", n(1)),
                        ("max_nodes", n(10)),
                        ("scale_down_unneeded_minutes", n(10)),
                        ("scale_down_utilization", hcl::Expression::from(0.5)),
                    ]),
                ),
        )
}

/// The type of the `autoscaling` variable, shared by the cluster modules and the roots.
pub fn autoscaling_type() -> hcl::Expression {
    call(
        "object",
        [obj([
            ("min_nodes", ty("number")),
            ("max_nodes", ty("number")),
            ("scale_down_unneeded_minutes", ty("number")),
            ("scale_down_utilization", ty("number")),
        ])],
    )
}

fn outputs(endpoint: hcl::Expression, ca: hcl::Expression, kubeconfig: hcl::Expression) -> File {
    File::new()
        .blk(
            Blk::new("output", &["cluster_endpoint"])
                .a("description", s("The Kubernetes API server URL."))
                .a("value", endpoint),
        )
        .blk(
            Blk::new("output", &["cluster_ca_certificate"])
                .a("description", s("The cluster CA certificate (PEM)."))
                .a("value", ca)
                .a("sensitive", b(true)),
        )
        .blk(
            Blk::new("output", &["kubeconfig"])
                .a("description", s("A kubeconfig for the cluster's administrators."))
                .a("value", kubeconfig)
                .a("sensitive", b(true)),
        )
}

/// `required_providers` for a module (sources only; the root pins versions).
pub fn module_versions(reqs: &[versions::Requirement]) -> File {
    let mut rp = Blk::new("required_providers", &[]);
    for q in reqs {
        rp = rp.a(q.name, obj([("source", s(q.source))]));
    }
    File::new().blk(Blk::new("terraform", &[]).blk(rp))
}

/// A kubeconfig built from endpoint, CA (base64) and an exec credential plugin.
fn exec_kubeconfig(
    endpoint: hcl::Expression,
    ca_b64: hcl::Expression,
    command: &str,
    args: hcl::Expression,
) -> hcl::Expression {
    call(
        "yamlencode",
        [obj([
            ("apiVersion", s("v1")),
            ("kind", s("Config")),
            ("current-context", r("var.cluster_name")),
            (
                "clusters",
                arr([obj([
                    ("name", r("var.cluster_name")),
                    ("cluster", obj([("server", endpoint), ("certificate-authority-data", ca_b64)])),
                ])]),
            ),
            (
                "contexts",
                arr([obj([
                    ("name", r("var.cluster_name")),
                    ("context", obj([("cluster", r("var.cluster_name")), ("user", r("var.cluster_name"))])),
                ])]),
            ),
            (
                "users",
                arr([obj([
                    ("name", r("var.cluster_name")),
                    (
                        "user",
                        obj([(
                            "exec",
                            obj([
                                ("apiVersion", s("client.authentication.k8s.io/v1beta1")),
                                ("command", s(command)),
                                ("args", args),
                            ]),
                        )]),
                    ),
                ])]),
            ),
        ])],
    )
}

/// `{ for p in <coll> : p.name => p }`.
fn by_name(coll: hcl::Expression) -> hcl::Expression {
    for_map("p", coll, r("p.name"), r("p"))
}

/// All pools but the first (created inline by providers that require one).
fn tail_pools() -> hcl::Expression {
    by_name(call("slice", [r("var.node_pools"), n(1), call("length", [r("var.node_pools")])]))
}

/// Renders the cluster module of `ctx.provider` into `files`.
///
/// # Errors
/// [`Error::Hcl`] if a file cannot be printed.
pub fn module(ctx: &Ctx<'_>, files: &mut Files) -> Result<(), Error> {
    let dir = dir(ctx.provider);
    let (main, outs, reqs, extra) = match ctx.provider {
        ProviderName::Aws => aws(),
        ProviderName::Gcp => gcp(),
        ProviderName::Azure => azure(),
        ProviderName::Digitalocean => digitalocean(),
        ProviderName::Linode => linode(),
        ProviderName::Civo => civo(),
        ProviderName::Vultr => vultr(),
        ProviderName::Hetzner | ProviderName::K3s | ProviderName::Kind => hetzner(),
    };
    print(format!("{dir}/main.tf"), &main, files)?;
    print(format!("{dir}/variables.tf"), &variables(), files)?;
    print(format!("{dir}/outputs.tf"), &outs, files)?;
    print(format!("{dir}/versions.tf"), &module_versions(&reqs), files)?;
    for (name, text) in extra {
        files.push((format!("{dir}/{name}"), text));
    }
    Ok(())
}

type Module = (File, File, Vec<versions::Requirement>, Vec<(String, String)>);

fn aws() -> Module {
    let assume = |service: &str| {
        call(
            "jsonencode",
            [obj([
                ("Version", s("2012-10-17")),
                (
                    "Statement",
                    arr([obj([
                        ("Effect", s("Allow")),
                        ("Action", s("sts:AssumeRole")),
                        ("Principal", obj([("Service", s(service))])),
                    ])]),
                ),
            ])],
        )
    };
    // IRSA: a role the service account `namespace/name` assumes through the cluster's
    // OIDC issuer.
    let irsa = |sa: &str| {
        call(
            "jsonencode",
            [obj([
                ("Version", s("2012-10-17")),
                (
                    "Statement",
                    arr([obj([
                        ("Effect", s("Allow")),
                        ("Action", s("sts:AssumeRoleWithWebIdentity")),
                        ("Principal", obj([("Federated", r("aws_iam_openid_connect_provider.this.arn"))])),
                        (
                            "Condition",
                            obj([(
                                "StringEquals",
                                obj([
                                    ("${local.oidc_issuer}:sub", s(format!("system:serviceaccount:{sa}"))),
                                    ("${local.oidc_issuer}:aud", s("sts.amazonaws.com")),
                                ]),
                            )]),
                        ),
                    ])]),
                ),
            ])],
        )
    };
    let policy = |p: &str| format!("arn:aws:iam::aws:policy/{p}");
    let autoscaler_policy = call(
        "jsonencode",
        [obj([
            ("Version", s("2012-10-17")),
            (
                "Statement",
                arr([
                    obj([
                        ("Effect", s("Allow")),
                        (
                            "Action",
                            strs([
                                "autoscaling:DescribeAutoScalingGroups",
                                "autoscaling:DescribeAutoScalingInstances",
                                "autoscaling:DescribeLaunchConfigurations",
                                "autoscaling:DescribeScalingActivities",
                                "autoscaling:DescribeTags",
                                "ec2:DescribeImages",
                                "ec2:DescribeInstanceTypes",
                                "ec2:DescribeLaunchTemplateVersions",
                                "ec2:GetInstanceTypesFromInstanceRequirements",
                                "eks:DescribeNodegroup",
                            ]),
                        ),
                        ("Resource", s("*")),
                    ]),
                    obj([
                        ("Effect", s("Allow")),
                        (
                            "Action",
                            strs(["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"]),
                        ),
                        ("Resource", s("*")),
                        (
                            "Condition",
                            obj([(
                                "StringEquals",
                                obj([("aws:ResourceTag/k8s.io/cluster-autoscaler/${var.cluster_name}", s("owned"))]),
                            )]),
                        ),
                    ]),
                ]),
            ),
        ])],
    );
    let spot_taint = Blk::new("content", &[])
        .a("key", s("eks.amazonaws.com/capacityType"))
        .a("value", s("SPOT"))
        .a("effect", s("NO_SCHEDULE"));
    let main = File::new()
        .blk(Blk::new("locals", &[]).a(
            "oidc_issuer",
            call("replace", [r("aws_eks_cluster.this.identity[0].oidc[0].issuer"), s("https://"), s("")]),
        ))
        .blk(
            Blk::resource("aws_iam_role", "cluster")
                .a("name", tpl("${var.cluster_name}-cluster"))
                .a("assume_role_policy", assume("eks.amazonaws.com"))
                .a("tags", r("var.labels")),
        )
        .blk(
            Blk::resource("aws_iam_role_policy_attachment", "cluster")
                .a("role", r("aws_iam_role.cluster.name"))
                .a("policy_arn", s(policy("AmazonEKSClusterPolicy"))),
        )
        // Envelope encryption of Secrets with a customer-managed key.
        .blk(
            Blk::resource("aws_kms_key", "secrets")
                .a("description", tpl("${var.cluster_name} Kubernetes Secrets envelope encryption"))
                .a("enable_key_rotation", b(true))
                .a("deletion_window_in_days", n(30))
                .a("tags", r("var.labels")),
        )
        .blk(
            Blk::resource("aws_cloudwatch_log_group", "cluster")
                .a("name", tpl("/aws/eks/${var.cluster_name}/cluster"))
                .a("retention_in_days", n(90))
                .a("tags", r("var.labels")),
        )
        .blk(
            Blk::resource("aws_eks_cluster", "this")
                .a("name", r("var.cluster_name"))
                .a("role_arn", r("aws_iam_role.cluster.arn"))
                .a("version", r("var.kubernetes_version"))
                .a(
                    "enabled_cluster_log_types",
                    strs(["api", "audit", "authenticator", "controllerManager", "scheduler"]),
                )
                .a("tags", r("var.labels"))
                .blk(
                    Blk::new("vpc_config", &[])
                        .a("subnet_ids", r("var.network.subnet_ids"))
                        .a("endpoint_private_access", b(true))
                        // Public only for the listed networks; none listed: private only.
                        .a(
                            "endpoint_public_access",
                            op(call("length", [r("var.api_allowed_cidrs")]), BinaryOperator::Greater, n(0)),
                        )
                        .a(
                            "public_access_cidrs",
                            cond(
                                op(call("length", [r("var.api_allowed_cidrs")]), BinaryOperator::Greater, n(0)),
                                r("var.api_allowed_cidrs"),
                                null(),
                            ),
                        ),
                )
                .blk(
                    Blk::new("encryption_config", &[])
                        .a("resources", strs(["secrets"]))
                        .blk(Blk::new("provider", &[]).a("key_arn", r("aws_kms_key.secrets.arn"))),
                )
                .blk(
                    Blk::new("access_config", &[])
                        .a("authentication_mode", s("API"))
                        .a("bootstrap_cluster_creator_admin_permissions", b(true)),
                )
                .a(
                    "depends_on",
                    arr([r("aws_iam_role_policy_attachment.cluster"), r("aws_cloudwatch_log_group.cluster")]),
                ),
        )
        .blk(
            Blk::resource("aws_iam_openid_connect_provider", "this")
                .a("url", r("aws_eks_cluster.this.identity[0].oidc[0].issuer"))
                .a("client_id_list", strs(["sts.amazonaws.com"]))
                .a("tags", r("var.labels")),
        )
        .blk(
            Blk::resource("aws_iam_role", "node")
                .a("name", tpl("${var.cluster_name}-node"))
                .a("assume_role_policy", assume("ec2.amazonaws.com"))
                .a("tags", r("var.labels")),
        )
        .blk(
            Blk::resource("aws_iam_role_policy_attachment", "node")
                .a(
                    "for_each",
                    call(
                        "toset",
                        [strs([
                            policy("AmazonEKSWorkerNodePolicy"),
                            policy("AmazonEKS_CNI_Policy"),
                            policy("AmazonEC2ContainerRegistryReadOnly"),
                        ])],
                    ),
                )
                .a("role", r("aws_iam_role.node.name"))
                .a("policy_arn", r("each.value")),
        )
        .blk(
            Blk::resource("aws_eks_node_group", "pool")
                .a("for_each", by_name(r("var.node_pools")))
                .a("cluster_name", r("aws_eks_cluster.this.name"))
                .a("node_group_name", r("each.key"))
                .a("node_role_arn", r("aws_iam_role.node.arn"))
                .a("subnet_ids", r("var.network.subnet_ids"))
                .a("instance_types", arr([r("each.value.size")]))
                .a("capacity_type", cond(r("each.value.spot"), s("SPOT"), s("ON_DEMAND")))
                .a("labels", obj([("skyform.dev/pool", r("each.key"))]))
                // Managed node groups tag their Auto Scaling groups for the
                // cluster-autoscaler's auto-discovery.
                .a("tags", r("var.labels"))
                .blk(
                    Blk::new("scaling_config", &[])
                        .a("desired_size", call("max", [r("each.value.min_nodes"), n(1)]))
                        .a("min_size", r("each.value.min_nodes"))
                        .a("max_size", r("each.value.max_nodes")),
                )
                // Spot nodes carry the taint the rendered manifests tolerate.
                .dynamic("taint", cond(r("each.value.spot"), arr([n(1)]), arr([])), spot_taint)
                .blk(Blk::new("update_config", &[]).a("max_unavailable", n(1)))
                .blk(Blk::new("lifecycle", &[]).a("ignore_changes", arr([r("scaling_config[0].desired_size")])))
                .a("depends_on", arr([r("aws_iam_role_policy_attachment.node")])),
        )
        // The EBS CSI driver: without it no PersistentVolumeClaim binds on EKS.
        .blk(
            Blk::resource("aws_iam_role", "ebs_csi")
                .a("name", tpl("${var.cluster_name}-ebs-csi"))
                .a("assume_role_policy", irsa("kube-system:ebs-csi-controller-sa"))
                .a("tags", r("var.labels")),
        )
        .blk(
            Blk::resource("aws_iam_role_policy_attachment", "ebs_csi")
                .a("role", r("aws_iam_role.ebs_csi.name"))
                .a("policy_arn", s("arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy")),
        )
        .blk(
            Blk::resource("aws_eks_addon", "ebs_csi")
                .a("cluster_name", r("aws_eks_cluster.this.name"))
                .a("addon_name", s("aws-ebs-csi-driver"))
                .a("service_account_role_arn", r("aws_iam_role.ebs_csi.arn"))
                .a("resolve_conflicts_on_update", s("OVERWRITE"))
                .a("tags", r("var.labels"))
                .a("depends_on", arr([r("aws_eks_node_group.pool"), r("aws_iam_role_policy_attachment.ebs_csi")])),
        )
        // The cluster-autoscaler's role (installed by the root's Helm values file).
        .blk(
            Blk::resource("aws_iam_role", "cluster_autoscaler")
                .a("name", tpl("${var.cluster_name}-cluster-autoscaler"))
                .a("assume_role_policy", irsa("kube-system:cluster-autoscaler"))
                .a("tags", r("var.labels")),
        )
        .blk(
            Blk::resource("aws_iam_role_policy", "cluster_autoscaler")
                .a("name", s("cluster-autoscaler"))
                .a("role", r("aws_iam_role.cluster_autoscaler.id"))
                .a("policy", autoscaler_policy),
        );
    let ca = r("aws_eks_cluster.this.certificate_authority[0].data");
    let outs = outputs(
        r("aws_eks_cluster.this.endpoint"),
        call("base64decode", [ca.clone()]),
        exec_kubeconfig(
            r("aws_eks_cluster.this.endpoint"),
            ca,
            "aws",
            arr([s("eks"), s("get-token"), s("--cluster-name"), r("var.cluster_name"), s("--region"), r("var.region")]),
        ),
    )
    .blk(
        Blk::new("output", &["cluster_autoscaler_role_arn"])
            .a(
                "description",
                s("IAM role of the cluster-autoscaler's service account (kube-system/cluster-autoscaler)."),
            )
            .a("value", r("aws_iam_role.cluster_autoscaler.arn")),
    );
    (main, outs, vec![versions::AWS], Vec::new())
}

fn gcp() -> Module {
    let main = File::new()
        .blk(
            Blk::new("locals", &[])
                // A region gives a regional (replicated) control plane; a zone a zonal one.
                .a("location", cond(r("var.high_availability"), r("var.region"), tpl("${var.region}-a"))),
        )
        // The newest release of the requested minor.
        .blk(
            Blk::data("google_container_engine_versions", "this")
                .a("location", r("local.location"))
                .a("version_prefix", tpl("${var.kubernetes_version}.")),
        )
        .blk(Blk::data("google_project", "this"))
        // Envelope encryption of Secrets (application-layer secrets encryption).
        .blk(
            Blk::resource("google_kms_key_ring", "this")
                .a("name", tpl("${var.cluster_name}-gke"))
                .a("location", r("var.region")),
        )
        .blk(
            Blk::resource("google_kms_crypto_key", "secrets")
                .a("name", s("kubernetes-secrets"))
                .a("key_ring", r("google_kms_key_ring.this.id"))
                .a("rotation_period", s("7776000s"))
                .a("labels", r("var.labels")),
        )
        .blk(
            Blk::resource("google_kms_crypto_key_iam_member", "gke")
                .a("crypto_key_id", r("google_kms_crypto_key.secrets.id"))
                .a("role", s("roles/cloudkms.cryptoKeyEncrypterDecrypter"))
                .a(
                    "member",
                    tpl("serviceAccount:service-${data.google_project.this.number}@container-engine-robot.iam.gserviceaccount.com"),
                ),
        )
        .blk(
            Blk::resource("google_container_cluster", "this")
                .a("name", r("var.cluster_name"))
                .a("location", r("local.location"))
                .a("min_master_version", r("data.google_container_engine_versions.this.latest_master_version"))
                .a("network", r("var.network.id"))
                .a("subnetwork", call("one", [r("var.network.subnet_ids")]))
                .a("remove_default_node_pool", b(true))
                .a("initial_node_count", n(1))
                .a("deletion_protection", b(true))
                .a("resource_labels", r("var.labels"))
                .blk(Blk::new("release_channel", &[]).a("channel", s("UNSPECIFIED")))
                .blk(
                    Blk::new("ip_allocation_policy", &[])
                        .a("cluster_secondary_range_name", s("pods"))
                        .a("services_secondary_range_name", s("services")),
                )
                .blk(Blk::new("network_policy", &[]).a("enabled", b(true)))
                // Nodes without public addresses (egress through the network's Cloud NAT).
                .blk(
                    Blk::new("private_cluster_config", &[])
                        .a("enable_private_nodes", b(true))
                        .a("enable_private_endpoint", b(false))
                        .a("master_ipv4_cidr_block", s("172.16.0.0/28")),
                )
                .blk(
                    Blk::new("master_authorized_networks_config", &[]).dynamic(
                        "cidr_blocks",
                        r("var.api_allowed_cidrs"),
                        Blk::new("content", &[]).a("cidr_block", r("cidr_blocks.value")),
                    ),
                )
                .blk(
                    Blk::new("database_encryption", &[])
                        .a("state", s("ENCRYPTED"))
                        .a("key_name", r("google_kms_crypto_key.secrets.id")),
                )
                .blk(
                    Blk::new("logging_config", &[]).a(
                        "enable_components",
                        strs(["SYSTEM_COMPONENTS", "APISERVER", "CONTROLLER_MANAGER", "SCHEDULER", "WORKLOADS"]),
                    ),
                )
                // BALANCED is the upstream cluster-autoscaler behaviour: a node is removed
                // after 10 minutes below 50 % requested (the seed's policy).
                .blk(Blk::new("cluster_autoscaling", &[]).a("autoscaling_profile", s("BALANCED")))
                .blk(
                    Blk::new("maintenance_policy", &[]).blk(
                        Blk::new("recurring_window", &[])
                            .a("start_time", s("2024-01-07T03:00:00Z"))
                            .a("end_time", s("2024-01-07T07:00:00Z"))
                            .a("recurrence", s("FREQ=WEEKLY;BYDAY=SU")),
                    ),
                )
                .a("depends_on", arr([r("google_kms_crypto_key_iam_member.gke")])),
        )
        .blk(
            Blk::resource("google_container_node_pool", "pool")
                .a("for_each", by_name(r("var.node_pools")))
                .a("name", r("each.key"))
                .a("cluster", r("google_container_cluster.this.id"))
                .a("location", r("google_container_cluster.this.location"))
                .a("version", r("data.google_container_engine_versions.this.latest_node_version"))
                .blk(
                    Blk::new("autoscaling", &[])
                        .a("total_min_node_count", r("each.value.min_nodes"))
                        .a("total_max_node_count", r("each.value.max_nodes")),
                )
                .blk(Blk::new("management", &[]).a("auto_repair", b(true)).a("auto_upgrade", b(true)))
                .blk(
                    Blk::new("node_config", &[])
                        .a("machine_type", r("each.value.size"))
                        .a("spot", r("each.value.spot"))
                        .a("labels", call("merge", [r("var.labels"), obj([("skyform-pool", r("each.key"))])]))
                        .a("oauth_scopes", strs(["https://www.googleapis.com/auth/cloud-platform"]))
                        // Spot nodes carry the taint the rendered manifests tolerate.
                        .dynamic(
                            "taint",
                            cond(r("each.value.spot"), arr([n(1)]), arr([])),
                            Blk::new("content", &[])
                                .a("key", s("cloud.google.com/gke-spot"))
                                .a("value", s("true"))
                                .a("effect", s("NO_SCHEDULE")),
                        )
                        .blk(Blk::new("workload_metadata_config", &[]).a("mode", s("GKE_METADATA")))
                        .blk(
                            Blk::new("shielded_instance_config", &[])
                                .a("enable_secure_boot", b(true))
                                .a("enable_integrity_monitoring", b(true)),
                        ),
                )
                .blk(Blk::new("lifecycle", &[]).a("ignore_changes", arr([r("initial_node_count")]))),
        );
    let endpoint = tpl("https://${google_container_cluster.this.endpoint}");
    let ca = r("google_container_cluster.this.master_auth[0].cluster_ca_certificate");
    let outs = outputs(
        endpoint.clone(),
        call("base64decode", [ca.clone()]),
        exec_kubeconfig(endpoint, ca, "gke-gcloud-auth-plugin", arr([])),
    );
    (main, outs, vec![versions::GOOGLE], Vec::new())
}

fn azure() -> Module {
    let main = File::new()
        .blk(Blk::new("locals", &[]).a("system_pool", r("var.node_pools[0]")))
        .blk(
            Blk::resource("azurerm_resource_group", "this")
                .a("name", tpl("${var.cluster_name}-aks"))
                .a("location", r("var.region"))
                .a("tags", r("var.labels")),
        )
        // The newest GA release of the requested minor.
        .blk(
            Blk::data("azurerm_kubernetes_service_versions", "this")
                .a("location", r("var.region"))
                .a("version_prefix", tpl("${var.kubernetes_version}."))
                .a("include_preview", b(false)),
        )
        // Control-plane logs (API server, audit, controller manager, scheduler, autoscaler).
        .blk(
            Blk::resource("azurerm_log_analytics_workspace", "this")
                .a("name", tpl("${var.cluster_name}-aks-logs"))
                .a("location", r("azurerm_resource_group.this.location"))
                .a("resource_group_name", r("azurerm_resource_group.this.name"))
                .a("sku", s("PerGB2018"))
                .a("retention_in_days", n(90))
                .a("tags", r("var.labels")),
        )
        .blk(
            Blk::resource("azurerm_monitor_diagnostic_setting", "control_plane")
                .a("name", s("control-plane-logs"))
                .a("target_resource_id", r("azurerm_kubernetes_cluster.this.id"))
                .a("log_analytics_workspace_id", r("azurerm_log_analytics_workspace.this.id"))
                .dynamic(
                    "enabled_log",
                    call(
                        "toset",
                        [strs([
                            "kube-apiserver",
                            "kube-audit-admin",
                            "kube-controller-manager",
                            "kube-scheduler",
                            "cluster-autoscaler",
                        ])],
                    ),
                    Blk::new("content", &[]).a("category", r("enabled_log.value")),
                ),
        )
        .blk(
            Blk::resource("azurerm_kubernetes_cluster", "this")
                .a("name", r("var.cluster_name"))
                .a("location", r("azurerm_resource_group.this.location"))
                .a("resource_group_name", r("azurerm_resource_group.this.name"))
                .a("dns_prefix", r("var.cluster_name"))
                .a("kubernetes_version", r("data.azurerm_kubernetes_service_versions.this.latest_version"))
                // The Standard tier carries the uptime SLA (replicated control plane).
                .a("sku_tier", cond(r("var.high_availability"), s("Standard"), s("Free")))
                .a("automatic_upgrade_channel", s("patch"))
                .a("oidc_issuer_enabled", b(true))
                .a("workload_identity_enabled", b(true))
                .a("local_account_disabled", b(false))
                .a("tags", r("var.labels"))
                .blk(
                    Blk::new("default_node_pool", &[])
                        .a("name", s("system"))
                        .a("vm_size", r("local.system_pool.size"))
                        .a("auto_scaling_enabled", b(true))
                        .a("min_count", call("max", [r("local.system_pool.min_nodes"), n(1)]))
                        .a("max_count", call("max", [r("local.system_pool.max_nodes"), n(1)]))
                        .a("vnet_subnet_id", call("try", [r("var.network.subnet_ids[0]"), null()]))
                        .a("only_critical_addons_enabled", b(false))
                        .a("temporary_name_for_rotation", s("systemtmp"))
                        .blk(Blk::new("upgrade_settings", &[]).a("max_surge", s("33%"))),
                )
                .blk(Blk::new("identity", &[]).a("type", s("SystemAssigned")))
                .blk(
                    Blk::new("auto_scaler_profile", &[])
                        .a("scale_down_unneeded", tpl("${var.autoscaling.scale_down_unneeded_minutes}m"))
                        .a(
                            "scale_down_utilization_threshold",
                            call("tostring", [r("var.autoscaling.scale_down_utilization")]),
                        )
                        .a("balance_similar_node_groups", b(true))
                        .a("expander", s("least-waste")),
                )
                .blk(Blk::new("api_server_access_profile", &[]).a(
                    "authorized_ip_ranges",
                    cond(
                        op(call("length", [r("var.api_allowed_cidrs")]), BinaryOperator::Greater, n(0)),
                        r("var.api_allowed_cidrs"),
                        null(),
                    ),
                ))
                .blk(
                    Blk::new("network_profile", &[])
                        .a("network_plugin", s("azure"))
                        .a("network_policy", s("azure"))
                        .a("load_balancer_sku", s("standard")),
                )
                .blk(
                    Blk::new("maintenance_window_auto_upgrade", &[])
                        .a("frequency", s("Weekly"))
                        .a("interval", n(1))
                        .a("duration", n(4))
                        .a("day_of_week", s("Sunday"))
                        .a("start_time", s("03:00"))
                        .a("utc_offset", s("+00:00")),
                ),
        )
        .blk(
            Blk::resource("azurerm_kubernetes_cluster_node_pool", "pool")
                .a("for_each", tail_pools())
                .a("name", call("substr", [call("replace", [r("each.key"), s("-"), s("")]), n(0), n(12)]))
                .a("kubernetes_cluster_id", r("azurerm_kubernetes_cluster.this.id"))
                .a("vm_size", r("each.value.size"))
                .a("auto_scaling_enabled", r("each.value.auto_scale"))
                .a("node_count", cond(r("each.value.auto_scale"), null(), r("each.value.max_nodes")))
                .a("min_count", cond(r("each.value.auto_scale"), r("each.value.min_nodes"), null()))
                .a("max_count", cond(r("each.value.auto_scale"), r("each.value.max_nodes"), null()))
                .a("priority", cond(r("each.value.spot"), s("Spot"), s("Regular")))
                .a("eviction_policy", cond(r("each.value.spot"), s("Delete"), null()))
                .a("spot_max_price", cond(r("each.value.spot"), n(-1), null()))
                .a("vnet_subnet_id", call("try", [r("var.network.subnet_ids[0]"), null()]))
                .a("node_labels", obj([("skyform.dev/pool", r("each.key"))]))
                .a("tags", r("var.labels")),
        )
        .blk(
            Blk::resource("azurerm_role_assignment", "network")
                .a("count", cond(op(r("var.network.id"), BinaryOperator::Eq, null()), n(0), n(1)))
                .a("scope", r("var.network.id"))
                .a("role_definition_name", s("Network Contributor"))
                .a("principal_id", r("azurerm_kubernetes_cluster.this.identity[0].principal_id")),
        );
    let outs = outputs(
        r("azurerm_kubernetes_cluster.this.kube_config[0].host"),
        call("base64decode", [r("azurerm_kubernetes_cluster.this.kube_config[0].cluster_ca_certificate")]),
        r("azurerm_kubernetes_cluster.this.kube_config_raw"),
    );
    (main, outs, vec![versions::AZURERM], Vec::new())
}

fn digitalocean() -> Module {
    let first = |f: &str| r(&format!("var.node_pools[0].{f}"));
    let main = File::new()
        // DOKS releases are looked up by minor: the newest `1.31.x-do.y`.
        .blk(
            Blk::data("digitalocean_kubernetes_versions", "this")
                .a("version_prefix", tpl("${var.kubernetes_version}.")),
        )
        .blk(
            Blk::resource("digitalocean_kubernetes_cluster", "this")
                .a("name", r("var.cluster_name"))
                .a("region", r("var.region"))
                .a("version", r("data.digitalocean_kubernetes_versions.this.latest_version"))
                .a("vpc_uuid", r("var.network.id"))
                .a("ha", r("var.high_availability"))
                .a("auto_upgrade", b(true))
                .a("surge_upgrade", b(true))
                .a("tags", call("values", [r("var.labels")]))
                .blk(
                    Blk::new("node_pool", &[])
                        .a("name", first("name"))
                        .a("size", first("size"))
                        .a("auto_scale", first("auto_scale"))
                        .a("min_nodes", call("max", [first("min_nodes"), n(1)]))
                        .a("max_nodes", first("max_nodes"))
                        .a("node_count", cond(first("auto_scale"), null(), first("max_nodes"))),
                )
                .blk(
                    Blk::new("cluster_autoscaler_configuration", &[])
                        .a("scale_down_unneeded_time", tpl("${var.autoscaling.scale_down_unneeded_minutes}m"))
                        .a("scale_down_utilization_threshold", r("var.autoscaling.scale_down_utilization")),
                )
                .dynamic(
                    "control_plane_firewall",
                    cond(
                        op(call("length", [r("var.api_allowed_cidrs")]), BinaryOperator::Greater, n(0)),
                        arr([n(1)]),
                        arr([]),
                    ),
                    Blk::new("content", &[]).a("enabled", b(true)).a("allowed_addresses", r("var.api_allowed_cidrs")),
                )
                .blk(Blk::new("maintenance_policy", &[]).a("day", s("sunday")).a("start_time", s("03:00")))
                .blk(Blk::new("lifecycle", &[]).a("ignore_changes", arr([r("node_pool[0].node_count")]))),
        )
        .blk(
            Blk::resource("digitalocean_kubernetes_node_pool", "pool")
                .a("for_each", tail_pools())
                .a("cluster_id", r("digitalocean_kubernetes_cluster.this.id"))
                .a("name", r("each.key"))
                .a("size", r("each.value.size"))
                .a("auto_scale", r("each.value.auto_scale"))
                .a("min_nodes", cond(r("each.value.auto_scale"), r("each.value.min_nodes"), null()))
                .a("max_nodes", cond(r("each.value.auto_scale"), r("each.value.max_nodes"), null()))
                .a("node_count", cond(r("each.value.auto_scale"), null(), r("each.value.max_nodes")))
                .a("labels", obj([("skyform.dev/pool", r("each.key"))])),
        );
    let kc = "digitalocean_kubernetes_cluster.this.kube_config[0]";
    let outs = outputs(
        r("digitalocean_kubernetes_cluster.this.endpoint"),
        call("base64decode", [r(&format!("{kc}.cluster_ca_certificate"))]),
        r(&format!("{kc}.raw_config")),
    );
    (main, outs, vec![versions::DIGITALOCEAN], Vec::new())
}

fn linode() -> Module {
    let pool = Blk::new("pool", &[])
        .a("labels", obj([("skyform.dev/pool", r("pool.value.name"))]))
        .a("type", r("pool.value.size"))
        .a("count", call("max", [r("pool.value.min_nodes"), n(1)]))
        .blk(
            Blk::new("autoscaler", &[])
                .a("min", call("max", [r("pool.value.min_nodes"), n(1)]))
                .a("max", call("max", [r("pool.value.max_nodes"), n(1)])),
        );
    let main = File::new().blk(
        Blk::resource("linode_lke_cluster", "this")
            .a("label", r("var.cluster_name"))
            .a("region", r("var.region"))
            .a("k8s_version", r("var.kubernetes_version"))
            .a("tags", call("values", [r("var.labels")]))
            .blk(
                Blk::new("control_plane", &[]).a("high_availability", r("var.high_availability")).dynamic(
                    "acl",
                    cond(
                        op(call("length", [r("var.api_allowed_cidrs")]), BinaryOperator::Greater, n(0)),
                        arr([n(1)]),
                        arr([]),
                    ),
                    Blk::new("content", &[])
                        .a("enabled", b(true))
                        .blk(Blk::new("addresses", &[]).a("ipv4", r("var.api_allowed_cidrs"))),
                ),
            )
            .dynamic("pool", r("var.node_pools"), pool),
    );
    let kubeconfig = call("base64decode", [r("linode_lke_cluster.this.kubeconfig")]);
    let ca = call(
        "base64decode",
        [r_index(call("yamldecode", [kubeconfig.clone()]), "clusters[0].cluster[\"certificate-authority-data\"]")],
    );
    let outs = outputs(r("linode_lke_cluster.this.api_endpoints[0]"), ca, kubeconfig);
    (main, outs, vec![versions::LINODE], Vec::new())
}

/// A traversal on an arbitrary expression (`yamldecode(x).clusters[0]…`).
fn r_index(base: hcl::Expression, path: &str) -> hcl::Expression {
    let tail = r(&format!("x.{path}"));
    match tail {
        hcl::Expression::Traversal(t) => hcl::Expression::from(hcl::expr::Traversal::new(base, t.operators)),
        other => other,
    }
}

fn civo() -> Module {
    let first = |f: &str| r(&format!("var.node_pools[0].{f}"));
    let main = File::new()
        // The newest k3s release of the requested minor.
        .blk(
            Blk::data("civo_kubernetes_version", "this")
                .blk(Blk::new("filter", &[]).a("key", s("type")).a("values", strs(["k3s"])))
                .blk(
                    Blk::new("filter", &[])
                        .a("key", s("version"))
                        .a("values", arr([tpl("^${replace(var.kubernetes_version, \".\", \"\\\\.\")}\\\\.")]))
                        .a("match_by", s("re")),
                )
                .blk(Blk::new("sort", &[]).a("key", s("version")).a("direction", s("desc"))),
        )
        .blk(
            Blk::resource("civo_kubernetes_cluster", "this")
                .a("name", r("var.cluster_name"))
                .a("region", r("var.region"))
                .a("kubernetes_version", r("data.civo_kubernetes_version.this.versions[0].version"))
                .a("cluster_type", s("k3s"))
                .a("network_id", r("var.network.id"))
                .a("firewall_id", r("var.network.firewall_id"))
                .a("tags", call("join", [s(" "), call("values", [r("var.labels")])]))
                .blk(
                    Blk::new("pools", &[])
                        .a("label", first("name"))
                        .a("size", first("size"))
                        .a("node_count", first("max_nodes")),
                ),
        )
        .blk(
            Blk::resource("civo_kubernetes_node_pool", "pool")
                .a("for_each", tail_pools())
                .a("cluster_id", r("civo_kubernetes_cluster.this.id"))
                .a("region", r("var.region"))
                .a("label", r("each.key"))
                .a("size", r("each.value.size"))
                .a("node_count", r("each.value.max_nodes")),
        );
    let kubeconfig = r("civo_kubernetes_cluster.this.kubeconfig");
    let ca = call(
        "base64decode",
        [r_index(call("yamldecode", [kubeconfig.clone()]), "clusters[0].cluster[\"certificate-authority-data\"]")],
    );
    let outs = outputs(r("civo_kubernetes_cluster.this.api_endpoint"), ca, kubeconfig);
    (main, outs, vec![versions::CIVO], Vec::new())
}

fn vultr() -> Module {
    let first = |f: &str| r(&format!("var.node_pools[0].{f}"));
    let main = File::new()
        .blk(
            Blk::resource("vultr_kubernetes", "this")
                .a("label", r("var.cluster_name"))
                .a("region", r("var.region"))
                .a("version", r("var.kubernetes_version"))
                .a("ha_controlplanes", r("var.high_availability"))
                .a("enable_firewall", b(true))
                .blk(
                    Blk::new("node_pools", &[])
                        .a("label", first("name"))
                        .a("plan", first("size"))
                        .a("node_quantity", call("max", [first("min_nodes"), n(1)]))
                        .a("auto_scaler", first("auto_scale"))
                        .a("min_nodes", call("max", [first("min_nodes"), n(1)]))
                        .a("max_nodes", first("max_nodes")),
                ),
        )
        .blk(
            Blk::resource("vultr_kubernetes_node_pools", "pool")
                .a("for_each", tail_pools())
                .a("cluster_id", r("vultr_kubernetes.this.id"))
                .a("label", r("each.key"))
                .a("plan", r("each.value.size"))
                .a("node_quantity", call("max", [r("each.value.min_nodes"), n(1)]))
                .a("auto_scaler", r("each.value.auto_scale"))
                .a("min_nodes", call("max", [r("each.value.min_nodes"), n(1)]))
                .a("max_nodes", r("each.value.max_nodes")),
        );
    let outs = outputs(
        tpl("https://${vultr_kubernetes.this.endpoint}:6443"),
        call("base64decode", [r("vultr_kubernetes.this.cluster_ca_certificate")]),
        call("base64decode", [r("vultr_kubernetes.this.kube_config")]),
    );
    (main, outs, vec![versions::VULTR], Vec::new())
}

/// k3s on Hetzner Cloud servers, bootstrapped by cloud-init. The cluster CA and the
/// administrator's client certificate are made by the `tls` provider and handed to k3s
/// (k3s uses CA files present in `server/tls` at first start), so the module can output
/// a real CA certificate and kubeconfig without SSH. Private keys live only in state.
fn hetzner() -> Module {
    let cp_filter = op(r("p.name"), BinaryOperator::Eq, s("control-plane"));
    let worker_filter = op(r("p.name"), BinaryOperator::NotEq, s("control-plane"));
    let servers = r("local.servers");
    let ca_subject = |cn: &str| Blk::new("subject", &[]).a("common_name", tpl(cn));
    let ca = |name: &str, cn: &str| {
        [
            Blk::resource("tls_private_key", name).a("algorithm", s("ECDSA")).a("ecdsa_curve", s("P256")),
            Blk::resource("tls_self_signed_cert", name)
                .a("private_key_pem", r(&format!("tls_private_key.{name}.private_key_pem")))
                .a("is_ca_certificate", b(true))
                .a("validity_period_hours", n(87600))
                .a("allowed_uses", strs(["cert_signing", "crl_signing", "digital_signature", "key_encipherment"]))
                .blk(ca_subject(cn)),
        ]
    };
    let mut main = File::new().blk(
        Blk::new("locals", &[])
            .a(
                "control_plane",
                call(
                    "coalesce",
                    [
                        call("one", [for_list("p", r("var.node_pools"), r("p"), Some(cp_filter))]),
                        obj([
                            ("name", s("control-plane")),
                            ("size", s("cx22")),
                            ("min_nodes", cond(r("var.high_availability"), n(3), n(1))),
                            ("max_nodes", cond(r("var.high_availability"), n(3), n(1))),
                            ("auto_scale", b(false)),
                            ("spot", b(false)),
                        ]),
                    ],
                ),
            )
            .a("servers", call("max", [r("local.control_plane.max_nodes"), n(1)]))
            .a("workers", for_list("p", r("var.node_pools"), r("p"), Some(worker_filter)))
            .a(
                "agents",
                call_expand(
                    "merge",
                    [
                        obj::<&str>([]),
                        for_list(
                            "p",
                            r("local.workers"),
                            for_map("i", call("range", [r("p.max_nodes")]), tpl("${p.name}-${i}"), r("p")),
                            None,
                        ),
                    ],
                ),
            )
            .a("api_endpoint", tpl("https://${hcloud_server.server[0].ipv4_address}:6443")),
    );
    main = main.blk(Blk::resource("random_password", "k3s_token").a("length", n(48)).a("special", b(false)));
    for blk in ca("server_ca", "${var.cluster_name}-server-ca")
        .into_iter()
        .chain(ca("client_ca", "${var.cluster_name}-client-ca"))
    {
        main.push(blk);
    }
    main = main
        .blk(Blk::resource("tls_private_key", "admin").a("algorithm", s("ECDSA")).a("ecdsa_curve", s("P256")))
        .blk(
            Blk::resource("tls_cert_request", "admin")
                .a("private_key_pem", r("tls_private_key.admin.private_key_pem"))
                .blk(
                    Blk::new("subject", &[])
                        .a("common_name", s("skyform-admin"))
                        .a("organization", s("system:masters")),
                ),
        )
        .blk(
            Blk::resource("tls_locally_signed_cert", "admin")
                .a("cert_request_pem", r("tls_cert_request.admin.cert_request_pem"))
                .a("ca_private_key_pem", r("tls_private_key.client_ca.private_key_pem"))
                .a("ca_cert_pem", r("tls_self_signed_cert.client_ca.cert_pem"))
                .a("validity_period_hours", n(8760))
                .a("allowed_uses", strs(["client_auth", "digital_signature", "key_encipherment"])),
        );
    let cloud_init = |role: &str| {
        call(
            "templatefile",
            [
                tpl(format!("${{path.module}}/cloud-init-{role}.yaml.tftpl")),
                obj([
                    ("k3s_channel", tpl("v${var.kubernetes_version}")),
                    ("token", r("random_password.k3s_token.result")),
                    ("server_ca_cert", r("tls_self_signed_cert.server_ca.cert_pem")),
                    ("server_ca_key", r("tls_private_key.server_ca.private_key_pem")),
                    ("client_ca_cert", r("tls_self_signed_cert.client_ca.cert_pem")),
                    ("client_ca_key", r("tls_private_key.client_ca.private_key_pem")),
                    (
                        "cluster_args",
                        cond(
                            op(r("count.index"), BinaryOperator::Eq, n(0)),
                            s("--cluster-init"),
                            s("--server https://10.0.1.2:6443"),
                        ),
                    ),
                ]),
            ],
        )
    };
    let network_blk = || Blk::new("network", &[]).a("network_id", call("tonumber", [r("var.network.id")]));
    main = main
        .blk(
            Blk::resource("hcloud_placement_group", "servers")
                .a("name", tpl("${var.cluster_name}-servers"))
                .a("type", s("spread"))
                .a("labels", r("var.labels")),
        )
        .blk(
            Blk::resource("hcloud_server", "server")
                .a("count", servers)
                .a("name", tpl("${var.cluster_name}-server-${count.index}"))
                .a("server_type", r("local.control_plane.size"))
                .a("image", s("ubuntu-24.04"))
                .a("location", r("var.region"))
                .a("placement_group_id", r("hcloud_placement_group.servers.id"))
                .a("firewall_ids", call("compact", [arr([r("var.network.firewall_id")])]))
                .a("user_data", cloud_init("server"))
                .a("labels", call("merge", [r("var.labels"), obj([("role", s("server"))])]))
                .blk(network_blk().a("ip", tpl("10.0.1.${count.index + 2}")))
                .blk(Blk::new("lifecycle", &[]).a("ignore_changes", arr([r("user_data")]))),
        );
    let agent_init = call(
        "templatefile",
        [
            tpl("${path.module}/cloud-init-agent.yaml.tftpl"),
            obj([
                ("k3s_channel", tpl("v${var.kubernetes_version}")),
                ("token", r("random_password.k3s_token.result")),
                ("server_url", s("https://10.0.1.2:6443")),
                ("pool", r("each.value.name")),
            ]),
        ],
    );
    main = main.blk(
        Blk::resource("hcloud_server", "agent")
            .a("for_each", r("local.agents"))
            .a("name", tpl("${var.cluster_name}-${each.key}"))
            .a("server_type", r("each.value.size"))
            .a("image", s("ubuntu-24.04"))
            .a("location", r("var.region"))
            .a("firewall_ids", call("compact", [arr([r("var.network.firewall_id")])]))
            .a("user_data", agent_init)
            .a("labels", call("merge", [r("var.labels"), obj([("role", s("agent")), ("pool", r("each.value.name"))])]))
            .blk(network_blk())
            .blk(Blk::new("lifecycle", &[]).a("ignore_changes", arr([r("user_data")])))
            .a("depends_on", arr([r("hcloud_server.server")])),
    );
    let kubeconfig = call(
        "yamlencode",
        [obj([
            ("apiVersion", s("v1")),
            ("kind", s("Config")),
            ("current-context", r("var.cluster_name")),
            (
                "clusters",
                arr([obj([
                    ("name", r("var.cluster_name")),
                    (
                        "cluster",
                        obj([
                            ("server", r("local.api_endpoint")),
                            (
                                "certificate-authority-data",
                                call("base64encode", [r("tls_self_signed_cert.server_ca.cert_pem")]),
                            ),
                        ]),
                    ),
                ])]),
            ),
            (
                "contexts",
                arr([obj([
                    ("name", r("var.cluster_name")),
                    ("context", obj([("cluster", r("var.cluster_name")), ("user", s("skyform-admin"))])),
                ])]),
            ),
            (
                "users",
                arr([obj([
                    ("name", s("skyform-admin")),
                    (
                        "user",
                        obj([
                            (
                                "client-certificate-data",
                                call("base64encode", [r("tls_locally_signed_cert.admin.cert_pem")]),
                            ),
                            ("client-key-data", call("base64encode", [r("tls_private_key.admin.private_key_pem")])),
                        ]),
                    ),
                ])]),
            ),
        ])],
    );
    let outs = outputs(r("local.api_endpoint"), r("tls_self_signed_cert.server_ca.cert_pem"), kubeconfig);
    let extra = vec![
        ("cloud-init-server.yaml.tftpl".to_owned(), crate::root::cloud_init_server()),
        ("cloud-init-agent.yaml.tftpl".to_owned(), crate::root::cloud_init_agent()),
    ];
    (main, outs, vec![versions::HCLOUD, versions::RANDOM, versions::TLS], extra)
}
