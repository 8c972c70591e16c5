//! The GKE implementation: a regional or zonal cluster with private nodes and one node
//! pool per platform pool.

use super::*;

pub(super) fn module() -> Module {
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
