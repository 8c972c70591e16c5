//! The `managed-redis` module: the provider's managed Redis (Valkey on DigitalOcean),
//! private to the network, with a `connection` output.

use super::*;

/// A provider's main.tf, outputs.tf and provider requirements.
type Parts = (File, File, Vec<Requirement>);

pub(super) fn module(p: ProviderName) -> Module {
    let vars = data_vars("Redis");
    let (main, outs, reqs) = match p {
        ProviderName::Aws => aws(),
        ProviderName::Gcp => gcp(),
        ProviderName::Azure => azure(),
        _ => digitalocean(),
    };
    Module { main, vars, outs, reqs }
}

fn aws() -> Parts {
    (
        File::new()
            .blk(Blk::data("aws_vpc", "this").a("id", r("var.network.id")))
            .blk(password("auth"))
            .blk(
                Blk::resource("aws_elasticache_subnet_group", "this")
                    .a("name", r("var.name"))
                    .a("subnet_ids", r("var.network.subnet_ids")),
            )
            .blk(
                Blk::resource("aws_security_group", "this")
                    .a("name", tpl("${var.name}-redis"))
                    .a("description", s("Redis from inside the VPC"))
                    .a("vpc_id", r("var.network.id"))
                    .a("tags", r("var.labels")),
            )
            .blk(
                Blk::resource("aws_vpc_security_group_ingress_rule", "redis")
                    .a("security_group_id", r("aws_security_group.this.id"))
                    .a("cidr_ipv4", r("data.aws_vpc.this.cidr_block"))
                    .a("ip_protocol", s("tcp"))
                    .a("from_port", n(6379))
                    .a("to_port", n(6379)),
            )
            .blk(
                Blk::resource("aws_elasticache_replication_group", "this")
                    .a("replication_group_id", r("var.name"))
                    .a("description", tpl("${var.name} (skyform)"))
                    .a("engine", s("redis"))
                    .a("engine_version", r("var.engine_version"))
                    .a("node_type", r("var.size"))
                    .a("num_cache_clusters", cond(r("var.high_availability"), n(2), n(1)))
                    .a("automatic_failover_enabled", r("var.high_availability"))
                    .a("multi_az_enabled", r("var.high_availability"))
                    .a("at_rest_encryption_enabled", b(true))
                    .a("transit_encryption_enabled", b(true))
                    .a("auth_token", r("random_password.auth.result"))
                    .a("subnet_group_name", r("aws_elasticache_subnet_group.this.name"))
                    .a("security_group_ids", arr([r("aws_security_group.this.id")]))
                    .a("maintenance_window", s("sun:03:00-sun:04:00"))
                    .a("tags", r("var.labels")),
            ),
        File::new()
            .blk(out("host", r("aws_elasticache_replication_group.this.primary_endpoint_address"), false))
            .blk(out("port", n(6379), false))
            .blk(out("password", r("random_password.auth.result"), true))
            .blk(redis_connection(
                r("aws_elasticache_replication_group.this.primary_endpoint_address"),
                n(6379),
                r("random_password.auth.result"),
            )),
        vec![versions::AWS, versions::RANDOM],
    )
}

fn gcp() -> Parts {
    (
        File::new().blk(
            Blk::resource("google_redis_instance", "this")
                .a("name", r("var.name"))
                .a("region", r("var.region"))
                .a("tier", cond(r("var.high_availability"), s("STANDARD_HA"), s("BASIC")))
                .a("memory_size_gb", call("tonumber", [r("var.size")]))
                .a("redis_version", tpl("REDIS_${var.engine_version}_X"))
                .a("authorized_network", r("var.network.id"))
                .a("connect_mode", s("PRIVATE_SERVICE_ACCESS"))
                .a("auth_enabled", b(true))
                .a("transit_encryption_mode", s("SERVER_AUTHENTICATION"))
                .a("labels", r("var.labels")),
        ),
        File::new()
            .blk(out("host", r("google_redis_instance.this.host"), false))
            .blk(out("port", r("google_redis_instance.this.port"), false))
            .blk(out("password", r("google_redis_instance.this.auth_string"), true))
            .blk(redis_connection(
                r("google_redis_instance.this.host"),
                r("google_redis_instance.this.port"),
                r("google_redis_instance.this.auth_string"),
            )),
        vec![versions::GOOGLE],
    )
}

fn azure() -> Parts {
    (
        File::new()
            .blk(
                Blk::resource("azurerm_resource_group", "this")
                    .a("name", tpl("${var.name}-redis"))
                    .a("location", r("var.region"))
                    .a("tags", r("var.labels")),
            )
            .blk(
                Blk::resource("azurerm_redis_cache", "this")
                    .a("name", r("var.name"))
                    .a("location", r("azurerm_resource_group.this.location"))
                    .a("resource_group_name", r("azurerm_resource_group.this.name"))
                    .a("capacity", call("tonumber", [r("var.size")]))
                    .a("family", s("C"))
                    .a("sku_name", cond(r("var.high_availability"), s("Standard"), s("Basic")))
                    .a("redis_version", r("var.engine_version"))
                    .a("minimum_tls_version", s("1.2"))
                    .a("non_ssl_port_enabled", b(false))
                    .a("public_network_access_enabled", b(false))
                    .a("tags", r("var.labels"))
                    .blk(Blk::new("patch_schedule", &[]).a("day_of_week", s("Sunday")).a("start_hour_utc", n(3))),
            ),
        File::new()
            .blk(out("host", r("azurerm_redis_cache.this.hostname"), false))
            .blk(out("port", r("azurerm_redis_cache.this.ssl_port"), false))
            .blk(out("password", r("azurerm_redis_cache.this.primary_access_key"), true))
            .blk(redis_connection(
                r("azurerm_redis_cache.this.hostname"),
                r("azurerm_redis_cache.this.ssl_port"),
                r("azurerm_redis_cache.this.primary_access_key"),
            )),
        vec![versions::AZURERM],
    )
}

fn digitalocean() -> Parts {
    (
        File::new().blk(
            Blk::resource("digitalocean_database_cluster", "this")
                .a("name", r("var.name"))
                .a("engine", s("valkey"))
                .a("version", r("var.engine_version"))
                .a("size", r("var.size"))
                .a("region", r("var.region"))
                .a("node_count", cond(r("var.high_availability"), n(2), n(1)))
                .a("private_network_uuid", r("var.network.id"))
                .a("tags", call("values", [r("var.labels")]))
                .blk(Blk::new("maintenance_window", &[]).a("day", s("sunday")).a("hour", s("03:00:00"))),
        ),
        File::new()
            .blk(out("host", r("digitalocean_database_cluster.this.private_host"), false))
            .blk(out("port", r("digitalocean_database_cluster.this.port"), false))
            .blk(out("password", r("digitalocean_database_cluster.this.password"), true))
            .blk(redis_connection(
                r("digitalocean_database_cluster.this.private_host"),
                r("digitalocean_database_cluster.this.port"),
                r("digitalocean_database_cluster.this.password"),
            )),
        vec![versions::DIGITALOCEAN],
    )
}
