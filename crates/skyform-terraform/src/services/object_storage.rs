//! The `object-storage` module: buckets for backups and replication targets.

use super::*;

/// One bucket per name.
fn each() -> Expression {
    call("toset", [r("var.buckets")])
}

/// The `buckets` output: bucket name to the resource's `attr`.
fn ids(res: &str, attr: &str) -> Expression {
    for_map("k", r(res), r("k.key"), r(&format!("k.value.{attr}")))
}

/// A provider's main.tf, outputs.tf and provider requirements.
type Parts = (File, File, Vec<Requirement>);

pub(super) fn module(p: ProviderName) -> Module {
    let vars =
        common_vars(vec![var("buckets", ty("list(string)"), "Bucket names (backups, replication targets).", None)]);
    let (main, outs, reqs) = by_provider(p, [aws, gcp, azure, digitalocean, linode, civo, vultr, vultr]);
    Module { main, vars, outs, reqs }
}

fn aws() -> Parts {
    (
        File::new()
            .blk(
                Blk::resource("aws_s3_bucket", "this")
                    .a("for_each", each())
                    .a("bucket", r("each.value"))
                    .a("tags", r("var.labels")),
            )
            .blk(
                Blk::resource("aws_s3_bucket_versioning", "this")
                    .a("for_each", r("aws_s3_bucket.this"))
                    .a("bucket", r("each.value.id"))
                    .blk(Blk::new("versioning_configuration", &[]).a("status", s("Enabled"))),
            )
            .blk(
                Blk::resource("aws_s3_bucket_server_side_encryption_configuration", "this")
                    .a("for_each", r("aws_s3_bucket.this"))
                    .a("bucket", r("each.value.id"))
                    .blk(Blk::new("rule", &[]).blk(
                        Blk::new("apply_server_side_encryption_by_default", &[]).a("sse_algorithm", s("aws:kms")),
                    )),
            )
            .blk(
                Blk::resource("aws_s3_bucket_public_access_block", "this")
                    .a("for_each", r("aws_s3_bucket.this"))
                    .a("bucket", r("each.value.id"))
                    .a("block_public_acls", b(true))
                    .a("block_public_policy", b(true))
                    .a("ignore_public_acls", b(true))
                    .a("restrict_public_buckets", b(true)),
            ),
        File::new().blk(out("buckets", ids("aws_s3_bucket.this", "arn"), false)),
        vec![versions::AWS],
    )
}

fn gcp() -> Parts {
    (
        File::new().blk(
            Blk::resource("google_storage_bucket", "this")
                .a("for_each", each())
                .a("name", r("each.value"))
                .a("location", call("upper", [r("var.region")]))
                .a("uniform_bucket_level_access", b(true))
                .a("public_access_prevention", s("enforced"))
                .a("labels", r("var.labels"))
                .blk(Blk::new("versioning", &[]).a("enabled", b(true))),
        ),
        File::new().blk(out("buckets", ids("google_storage_bucket.this", "url"), false)),
        vec![versions::GOOGLE],
    )
}

fn azure() -> Parts {
    (
        File::new()
            .blk(
                Blk::resource("azurerm_resource_group", "this")
                    .a("name", tpl("${var.name}-storage"))
                    .a("location", r("var.region"))
                    .a("tags", r("var.labels")),
            )
            .blk(
                Blk::resource("random_string", "account").a("length", n(6)).a("special", b(false)).a("upper", b(false)),
            )
            .blk(
                Blk::resource("azurerm_storage_account", "this")
                    .a(
                        "name",
                        call(
                            "join",
                            [
                                s(""),
                                arr([
                                    call(
                                        "substr",
                                        [
                                            call("replace", [call("lower", [r("var.name")]), s("/[^a-z0-9]/"), s("")]),
                                            n(0),
                                            n(18),
                                        ],
                                    ),
                                    r("random_string.account.result"),
                                ]),
                            ],
                        ),
                    )
                    .a("resource_group_name", r("azurerm_resource_group.this.name"))
                    .a("location", r("azurerm_resource_group.this.location"))
                    .a("account_tier", s("Standard"))
                    .a("account_replication_type", s("ZRS"))
                    .a("min_tls_version", s("TLS1_2"))
                    .a("allow_nested_items_to_be_public", b(false))
                    .a("https_traffic_only_enabled", b(true))
                    .a("tags", r("var.labels"))
                    .blk(Blk::new("blob_properties", &[]).a("versioning_enabled", b(true))),
            )
            .blk(
                Blk::resource("azurerm_storage_container", "this")
                    .a("for_each", each())
                    .a("name", r("each.value"))
                    .a("storage_account_id", r("azurerm_storage_account.this.id"))
                    .a("container_access_type", s("private")),
            ),
        File::new().blk(out("buckets", ids("azurerm_storage_container.this", "id"), false)),
        vec![versions::AZURERM, versions::RANDOM],
    )
}

fn digitalocean() -> Parts {
    (
        File::new().blk(
            Blk::resource("digitalocean_spaces_bucket", "this")
                .a("for_each", each())
                .a("name", r("each.value"))
                .a("region", r("var.region"))
                .a("acl", s("private"))
                .blk(Blk::new("versioning", &[]).a("enabled", b(true))),
        ),
        File::new().blk(out("buckets", ids("digitalocean_spaces_bucket.this", "urn"), false)),
        vec![versions::DIGITALOCEAN],
    )
}

fn linode() -> Parts {
    (
        File::new().blk(
            Blk::resource("linode_object_storage_bucket", "this")
                .a("for_each", each())
                .a("label", r("each.value"))
                .a("region", r("var.region"))
                .a("versioning", b(true)),
        ),
        File::new().blk(out("buckets", ids("linode_object_storage_bucket.this", "hostname"), false)),
        vec![versions::LINODE],
    )
}

fn civo() -> Parts {
    (
        File::new().blk(
            Blk::resource("civo_object_store", "this")
                .a("for_each", each())
                .a("name", r("each.value"))
                .a("region", r("var.region"))
                .a("max_size_gb", n(500)),
        ),
        File::new().blk(out("buckets", ids("civo_object_store.this", "bucket_url"), false)),
        vec![versions::CIVO],
    )
}

// Vultr object storage is one S3-compatible subscription per region; the
// buckets inside it are created through its S3 API (by the backup tooling).
fn vultr() -> Parts {
    (
        File::new()
            .blk(
                Blk::data("vultr_object_storage_cluster", "this")
                    .blk(Blk::new("filter", &[]).a("name", s("region")).a("values", arr([r("var.region")]))),
            )
            .blk(
                Blk::resource("vultr_object_storage", "this")
                    .a("cluster_id", r("data.vultr_object_storage_cluster.this.id"))
                    .a("label", r("var.name")),
            ),
        File::new()
            .blk(out(
                "buckets",
                for_map("k", call("toset", [r("var.buckets")]), r("k"), r("vultr_object_storage.this.s3_hostname")),
                false,
            ))
            .blk(out("s3_access_key", r("vultr_object_storage.this.s3_access_key"), true))
            .blk(out("s3_secret_key", r("vultr_object_storage.this.s3_secret_key"), true)),
        vec![versions::VULTR],
    )
}
