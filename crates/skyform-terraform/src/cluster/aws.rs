//! The EKS implementation: cluster and node IAM roles, the cluster with its OIDC issuer
//! (IRSA), managed node groups, and the IRSA roles of the add-ons that call AWS.

use super::*;

/// An IAM policy document of `statements`, as `jsonencode(…)`.
fn policy_document(statements: impl IntoIterator<Item = hcl::Expression>) -> hcl::Expression {
    call("jsonencode", [obj([("Version", s("2012-10-17")), ("Statement", arr(statements))])])
}

/// The trust policy of a role that the AWS `service` assumes.
fn assume(service: &str) -> hcl::Expression {
    policy_document([obj([
        ("Effect", s("Allow")),
        ("Action", s("sts:AssumeRole")),
        ("Principal", obj([("Service", s(service))])),
    ])])
}

/// IRSA: the trust policy of a role the service account `namespace/name` assumes through
/// the cluster's OIDC issuer.
fn irsa(sa: &str) -> hcl::Expression {
    policy_document([obj([
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
    ])])
}

/// The ARN of the AWS-managed policy `p`.
fn policy(p: &str) -> String {
    format!("arn:aws:iam::aws:policy/{p}")
}

/// What the cluster autoscaler may do: read every group, resize only this cluster's.
fn autoscaler_policy() -> hcl::Expression {
    policy_document([
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
            ("Action", strs(["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"])),
            ("Resource", s("*")),
            (
                "Condition",
                obj([(
                    "StringEquals",
                    obj([("aws:ResourceTag/k8s.io/cluster-autoscaler/${var.cluster_name}", s("owned"))]),
                )]),
            ),
        ]),
    ])
}

pub(super) fn module() -> Module {
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
        );
    let main = add_on_roles(nodes(main));
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

/// The node role and one managed node group per pool; spot pools carry the taint the
/// rendered manifests tolerate.
fn nodes(main: File) -> File {
    let spot_taint = Blk::new("content", &[])
        .a("key", s("eks.amazonaws.com/capacityType"))
        .a("value", s("SPOT"))
        .a("effect", s("NO_SCHEDULE"));
    main.blk(
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
}

/// The EBS CSI driver add-on and the IRSA roles of the add-ons that call AWS.
fn add_on_roles(main: File) -> File {
    main
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
                .a("policy", autoscaler_policy()),
        )
}
