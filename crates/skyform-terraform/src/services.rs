//! The cloud-service modules: `networking`, `dns`, `object-storage`,
//! `managed-postgres` and `managed-redis`, one folder per provider.
//!
//! A module is only rendered where the provider has the service (Linode has no VPC that
//! LKE attaches to; Hetzner has no object-storage API in its Terraform provider) and,
//! for the managed data services, only where the platform chose managed for that
//! provider. [`available`] answers which; the environment root calls only those.

use hcl::Expression;
use hcl::expr::BinaryOperator;

use crate::cluster::module_versions;
use crate::hclw::{Blk, File, arr, b, call, cond, for_map, n, null, obj, op, r, s, strs, tpl, ty};
use crate::versions::{self, Requirement};
use crate::{Ctx, Error, Files, print};
use skyform_model::{ManagedService, ProviderName};

/// The service modules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Networking,
    Dns,
    ObjectStorage,
    ManagedPostgres,
    ManagedRedis,
}

impl Kind {
    pub const ALL: [Kind; 5] =
        [Kind::Networking, Kind::Dns, Kind::ObjectStorage, Kind::ManagedPostgres, Kind::ManagedRedis];

    /// The folder name under `modules/`.
    pub fn folder(self) -> &'static str {
        match self {
            Kind::Networking => "networking",
            Kind::Dns => "dns",
            Kind::ObjectStorage => "object-storage",
            Kind::ManagedPostgres => "managed-postgres",
            Kind::ManagedRedis => "managed-redis",
        }
    }
}

/// Whether `provider` has a module of this kind.
pub fn available(kind: Kind, p: ProviderName) -> bool {
    use ProviderName::{K3s, Linode, Vultr};
    match kind {
        // LKE and VKE make their own networks: nothing to attach.
        Kind::Networking => !matches!(p, Linode | Vultr | K3s | ProviderName::Kind),
        // The managed-service support matrix lives in one place: skyform-model.
        Kind::Dns => ManagedService::Dns.offered_by(p),
        Kind::ObjectStorage => ManagedService::ObjectStorage.offered_by(p),
        Kind::ManagedPostgres => ManagedService::Postgres.offered_by(p),
        Kind::ManagedRedis => ManagedService::Redis.offered_by(p),
    }
}

/// Whether the environment root uses the module.
pub fn wanted(kind: Kind, ctx: &Ctx<'_>) -> bool {
    available(kind, ctx.provider)
        && match kind {
            Kind::ManagedPostgres => !ctx.managed_postgres.is_empty(),
            Kind::ManagedRedis => !ctx.managed_redis.is_empty(),
            _ => true,
        }
}

/// `modules/<kind>/<provider>`.
pub fn dir(kind: Kind, p: ProviderName) -> String {
    format!("modules/{}/{}", kind.folder(), crate::provider_key(p))
}

/// A module's parts before printing.
struct Module {
    main: File,
    vars: File,
    outs: File,
    reqs: Vec<Requirement>,
}

fn var(name: &str, t: Expression, desc: &str, default: Option<Expression>) -> Blk {
    Blk::new("variable", &[name]).a("description", s(desc)).a("type", t).opt("default", default)
}

fn out(name: &str, value: Expression, sensitive: bool) -> Blk {
    let o = Blk::new("output", &[name]).a("value", value);
    if sensitive { o.a("sensitive", b(true)) } else { o }
}

fn network_type() -> Expression {
    call("object", [obj([("id", ty("string")), ("subnet_ids", ty("list(string)")), ("firewall_id", ty("string"))])])
}

fn common_vars(extra: Vec<Blk>) -> File {
    let mut f = File::new().blk(var("name", ty("string"), "Name (prefix) of the resources.", None)).blk(var(
        "region",
        ty("string"),
        "The provider's region.",
        None,
    ));
    for e in extra {
        f.push(e);
    }
    f.blk(var("labels", ty("map(string)"), "Labels / tags for every resource that takes them.", Some(obj::<&str>([]))))
}

/// Renders every module the environment uses into `files`.
///
/// # Errors
/// [`Error::Hcl`] if a file cannot be printed.
pub fn modules(ctx: &Ctx<'_>, files: &mut Files) -> Result<(), Error> {
    for kind in Kind::ALL {
        if !wanted(kind, ctx) {
            continue;
        }
        let m = match kind {
            Kind::Networking => networking(ctx.provider),
            Kind::Dns => dns(ctx.provider),
            Kind::ObjectStorage => object_storage(ctx.provider),
            Kind::ManagedPostgres => postgres(ctx.provider),
            Kind::ManagedRedis => redis(ctx.provider),
        };
        let d = dir(kind, ctx.provider);
        print(format!("{d}/main.tf"), &m.main, files)?;
        print(format!("{d}/variables.tf"), &m.vars, files)?;
        print(format!("{d}/outputs.tf"), &m.outs, files)?;
        print(format!("{d}/versions.tf"), &module_versions(&m.reqs), files)?;
    }
    Ok(())
}

fn network_out(id: Expression, subnets: Expression, firewall: Expression) -> File {
    File::new().blk(
        Blk::new("output", &["network"])
            .a("description", s("Passed to the cluster and data-service modules as `network`."))
            .a("value", obj([("id", id), ("subnet_ids", subnets), ("firewall_id", firewall)])),
    )
}

fn networking(p: ProviderName) -> Module {
    let mut extra = vec![var("cidr", ty("string"), "Address range of the network.", Some(s("10.0.0.0/16")))];
    if p == ProviderName::Aws {
        extra.push(var(
            "nat_per_zone",
            ty("bool"),
            "One NAT gateway per availability zone (survives a zone outage) instead of one.",
            Some(b(false)),
        ));
    }
    let vars = common_vars(extra);
    let (main, outs, reqs) = match p {
        ProviderName::Aws => {
            let main = File::new()
                .blk(Blk::data("aws_availability_zones", "available").a("state", s("available")))
                .blk(
                    Blk::resource("aws_vpc", "this")
                        .a("cidr_block", r("var.cidr"))
                        .a("enable_dns_support", b(true))
                        .a("enable_dns_hostnames", b(true))
                        .a("tags", call("merge", [r("var.labels"), obj([("Name", r("var.name"))])])),
                )
                .blk(
                    Blk::resource("aws_internet_gateway", "this")
                        .a("vpc_id", r("aws_vpc.this.id"))
                        .a("tags", r("var.labels")),
                )
                .blk(
                    Blk::resource("aws_subnet", "public")
                        .a("count", n(3))
                        .a("vpc_id", r("aws_vpc.this.id"))
                        .a("cidr_block", call("cidrsubnet", [r("var.cidr"), n(4), r("count.index")]))
                        .a("availability_zone", r("data.aws_availability_zones.available.names[count.index]"))
                        .a("map_public_ip_on_launch", b(true))
                        .a(
                            "tags",
                            call(
                                "merge",
                                [
                                    r("var.labels"),
                                    obj([
                                        ("Name", tpl("${var.name}-public-${count.index}")),
                                        ("kubernetes.io/role/elb", s("1")),
                                    ]),
                                ],
                            ),
                        ),
                )
                .blk(
                    Blk::resource("aws_route_table", "public")
                        .a("vpc_id", r("aws_vpc.this.id"))
                        .a("tags", r("var.labels")),
                )
                .blk(
                    Blk::resource("aws_route", "internet")
                        .a("route_table_id", r("aws_route_table.public.id"))
                        .a("destination_cidr_block", s("0.0.0.0/0"))
                        .a("gateway_id", r("aws_internet_gateway.this.id")),
                )
                .blk(
                    Blk::resource("aws_route_table_association", "public")
                        .a("count", n(3))
                        .a("subnet_id", r("aws_subnet.public[count.index].id"))
                        .a("route_table_id", r("aws_route_table.public.id")),
                )
                // Nodes and databases live in private subnets and leave through NAT:
                // one gateway, or one per zone when `nat_per_zone` (production).
                .blk(
                    Blk::resource("aws_subnet", "private")
                        .a("count", n(3))
                        .a("vpc_id", r("aws_vpc.this.id"))
                        .a(
                            "cidr_block",
                            call("cidrsubnet", [r("var.cidr"), n(4), op(r("count.index"), BinaryOperator::Plus, n(8))]),
                        )
                        .a("availability_zone", r("data.aws_availability_zones.available.names[count.index]"))
                        .a("map_public_ip_on_launch", b(false))
                        .a(
                            "tags",
                            call(
                                "merge",
                                [
                                    r("var.labels"),
                                    obj([
                                        ("Name", tpl("${var.name}-private-${count.index}")),
                                        ("kubernetes.io/role/internal-elb", s("1")),
                                    ]),
                                ],
                            ),
                        ),
                )
                .blk(
                    Blk::resource("aws_eip", "nat")
                        .a("count", r("local.nat_gateways"))
                        .a("domain", s("vpc"))
                        .a("tags", r("var.labels")),
                )
                .blk(
                    Blk::resource("aws_nat_gateway", "this")
                        .a("count", r("local.nat_gateways"))
                        .a("allocation_id", r("aws_eip.nat[count.index].id"))
                        .a("subnet_id", r("aws_subnet.public[count.index].id"))
                        .a(
                            "tags",
                            call("merge", [r("var.labels"), obj([("Name", tpl("${var.name}-nat-${count.index}"))])]),
                        )
                        .a("depends_on", arr([r("aws_internet_gateway.this")])),
                )
                .blk(
                    Blk::resource("aws_route_table", "private")
                        .a("count", n(3))
                        .a("vpc_id", r("aws_vpc.this.id"))
                        .a("tags", r("var.labels")),
                )
                .blk(
                    Blk::resource("aws_route", "nat")
                        .a("count", n(3))
                        .a("route_table_id", r("aws_route_table.private[count.index].id"))
                        .a("destination_cidr_block", s("0.0.0.0/0"))
                        .a("nat_gateway_id", call("element", [r("aws_nat_gateway.this[*].id"), r("count.index")])),
                )
                .blk(
                    Blk::resource("aws_route_table_association", "private")
                        .a("count", n(3))
                        .a("subnet_id", r("aws_subnet.private[count.index].id"))
                        .a("route_table_id", r("aws_route_table.private[count.index].id")),
                )
                .blk(Blk::new("locals", &[]).a("nat_gateways", cond(r("var.nat_per_zone"), n(3), n(1))));
            (main, network_out(r("aws_vpc.this.id"), r("aws_subnet.private[*].id"), null()), versions::AWS)
        }
        ProviderName::Gcp => {
            let main = File::new()
                .blk(
                    Blk::resource("google_compute_network", "this")
                        .a("name", r("var.name"))
                        .a("auto_create_subnetworks", b(false)),
                )
                .blk(
                    Blk::resource("google_compute_subnetwork", "nodes")
                        .a("name", tpl("${var.name}-nodes"))
                        .a("network", r("google_compute_network.this.id"))
                        .a("region", r("var.region"))
                        .a("ip_cidr_range", call("cidrsubnet", [r("var.cidr"), n(4), n(0)]))
                        .a("private_ip_google_access", b(true))
                        .blk(
                            Blk::new("secondary_ip_range", &[])
                                .a("range_name", s("pods"))
                                .a("ip_cidr_range", s("10.64.0.0/14")),
                        )
                        .blk(
                            Blk::new("secondary_ip_range", &[])
                                .a("range_name", s("services"))
                                .a("ip_cidr_range", s("10.68.0.0/20")),
                        ),
                )
                .blk(
                    Blk::resource("google_compute_global_address", "services")
                        .a("name", tpl("${var.name}-services"))
                        .a("purpose", s("VPC_PEERING"))
                        .a("address_type", s("INTERNAL"))
                        .a("prefix_length", n(20))
                        .a("network", r("google_compute_network.this.id")),
                )
                .blk(
                    Blk::resource("google_service_networking_connection", "services")
                        .a("network", r("google_compute_network.this.id"))
                        .a("service", s("servicenetworking.googleapis.com"))
                        .a("reserved_peering_ranges", arr([r("google_compute_global_address.services.name")])),
                )
                // Private nodes reach the internet (image pulls) through Cloud NAT.
                .blk(
                    Blk::resource("google_compute_router", "this")
                        .a("name", tpl("${var.name}-router"))
                        .a("region", r("var.region"))
                        .a("network", r("google_compute_network.this.id")),
                )
                .blk(
                    Blk::resource("google_compute_router_nat", "this")
                        .a("name", tpl("${var.name}-nat"))
                        .a("router", r("google_compute_router.this.name"))
                        .a("region", r("var.region"))
                        .a("nat_ip_allocate_option", s("AUTO_ONLY"))
                        .a("source_subnetwork_ip_ranges_to_nat", s("ALL_SUBNETWORKS_ALL_IP_RANGES"))
                        .blk(Blk::new("log_config", &[]).a("enable", b(true)).a("filter", s("ERRORS_ONLY"))),
                );
            (
                main,
                network_out(
                    r("google_compute_network.this.id"),
                    arr([r("google_compute_subnetwork.nodes.id")]),
                    null(),
                ),
                versions::GOOGLE,
            )
        }
        ProviderName::Azure => {
            let main = File::new()
                .blk(
                    Blk::resource("azurerm_resource_group", "this")
                        .a("name", tpl("${var.name}-network"))
                        .a("location", r("var.region"))
                        .a("tags", r("var.labels")),
                )
                .blk(
                    Blk::resource("azurerm_virtual_network", "this")
                        .a("name", r("var.name"))
                        .a("location", r("azurerm_resource_group.this.location"))
                        .a("resource_group_name", r("azurerm_resource_group.this.name"))
                        .a("address_space", arr([r("var.cidr")]))
                        .a("tags", r("var.labels")),
                )
                .blk(
                    Blk::resource("azurerm_subnet", "nodes")
                        .a("name", s("nodes"))
                        .a("resource_group_name", r("azurerm_resource_group.this.name"))
                        .a("virtual_network_name", r("azurerm_virtual_network.this.name"))
                        .a("address_prefixes", arr([call("cidrsubnet", [r("var.cidr"), n(4), n(0)])])),
                )
                .blk(
                    Blk::resource("azurerm_subnet", "database")
                        .a("name", s("database"))
                        .a("resource_group_name", r("azurerm_resource_group.this.name"))
                        .a("virtual_network_name", r("azurerm_virtual_network.this.name"))
                        .a("address_prefixes", arr([call("cidrsubnet", [r("var.cidr"), n(8), n(32)])]))
                        .a("service_endpoints", strs(["Microsoft.Storage"]))
                        .blk(
                            Blk::new("delegation", &[]).a("name", s("postgres")).blk(
                                Blk::new("service_delegation", &[])
                                    .a("name", s("Microsoft.DBforPostgreSQL/flexibleServers"))
                                    .a("actions", strs(["Microsoft.Network/virtualNetworks/subnets/join/action"])),
                            ),
                        ),
                );
            (
                main,
                network_out(
                    r("azurerm_virtual_network.this.id"),
                    arr([r("azurerm_subnet.nodes.id"), r("azurerm_subnet.database.id")]),
                    null(),
                ),
                versions::AZURERM,
            )
        }
        ProviderName::Digitalocean => {
            let main = File::new().blk(
                Blk::resource("digitalocean_vpc", "this")
                    .a("name", r("var.name"))
                    .a("region", r("var.region"))
                    .a("ip_range", r("var.cidr")),
            );
            (main, network_out(r("digitalocean_vpc.this.id"), arr([]), null()), versions::DIGITALOCEAN)
        }
        ProviderName::Civo => {
            let main = File::new()
                .blk(Blk::resource("civo_network", "this").a("label", r("var.name")).a("region", r("var.region")))
                .blk(
                    Blk::resource("civo_firewall", "this")
                        .a("name", r("var.name"))
                        .a("region", r("var.region"))
                        .a("network_id", r("civo_network.this.id"))
                        .a("create_default_rules", b(true)),
                );
            (main, network_out(r("civo_network.this.id"), arr([]), r("civo_firewall.this.id")), versions::CIVO)
        }
        ProviderName::Vultr => {
            let main = File::new().blk(
                Blk::resource("vultr_vpc", "this")
                    .a("description", r("var.name"))
                    .a("region", r("var.region"))
                    .a("v4_subnet", call("cidrhost", [r("var.cidr"), n(0)]))
                    .a("v4_subnet_mask", call("tonumber", [call("split", [s("/"), r("var.cidr")]).index1()])),
            );
            (main, network_out(r("vultr_vpc.this.id"), arr([]), null()), versions::VULTR)
        }
        ProviderName::Hetzner | ProviderName::K3s | ProviderName::Kind | ProviderName::Linode => {
            let rule = |port: &str, desc: &str| {
                Blk::new("rule", &[])
                    .a("description", s(desc))
                    .a("direction", s("in"))
                    .a("protocol", s("tcp"))
                    .a("port", s(port))
                    .a("source_ips", strs(["0.0.0.0/0", "::/0"]))
            };
            let main = File::new()
                .blk(
                    Blk::resource("hcloud_network", "this")
                        .a("name", r("var.name"))
                        .a("ip_range", r("var.cidr"))
                        .a("labels", r("var.labels")),
                )
                .blk(
                    Blk::resource("hcloud_network_subnet", "nodes")
                        .a("network_id", r("hcloud_network.this.id"))
                        .a("type", s("cloud"))
                        .a("network_zone", s("eu-central"))
                        .a("ip_range", call("cidrsubnet", [r("var.cidr"), n(8), n(1)])),
                )
                .blk(
                    Blk::resource("hcloud_firewall", "this")
                        .a("name", r("var.name"))
                        .a("labels", r("var.labels"))
                        .blk(rule("6443", "Kubernetes API"))
                        .blk(rule("80", "HTTP (ingress)"))
                        .blk(rule("443", "HTTPS (ingress)")),
                );
            (
                main,
                network_out(
                    call("tostring", [r("hcloud_network.this.id")]),
                    arr([r("hcloud_network_subnet.nodes.id")]),
                    call("tostring", [r("hcloud_firewall.this.id")]),
                ),
                versions::HCLOUD,
            )
        }
    };
    Module { main, vars, outs, reqs: vec![reqs] }
}

/// `.index1()` on an expression: `split(…)[1]`.
trait Index1 {
    fn index1(self) -> Expression;
}

impl Index1 for Expression {
    fn index1(self) -> Expression {
        Expression::from(hcl::expr::Traversal::new(self, [hcl::expr::TraversalOperator::Index(Expression::from(1))]))
    }
}

fn dns(p: ProviderName) -> Module {
    let vars = common_vars(vec![
        var("domain", ty("string"), "The zone's domain.", None),
        var(
            "records",
            ty("map(string)"),
            "Host records: name relative to the zone (`@` for the apex) to fully qualified name.",
            Some(obj::<&str>([])),
        ),
        var(
            "ingress_ip",
            ty("string"),
            "The ingress load balancer's IPv4 address; records are created once it is known.",
            Some(null()),
        ),
        var("ttl", ty("number"), "Record TTL in seconds.", Some(n(300))),
    ]);
    let each_records = cond(op(r("var.ingress_ip"), BinaryOperator::Eq, null()), obj::<&str>([]), r("var.records"));
    let rel_or_empty = cond(op(r("each.key"), BinaryOperator::Eq, s("@")), s(""), r("each.key"));
    let (main, outs, req) = match p {
        ProviderName::Aws => (
            File::new()
                .blk(Blk::resource("aws_route53_zone", "this").a("name", r("var.domain")).a("tags", r("var.labels")))
                .blk(
                    Blk::resource("aws_route53_record", "host")
                        .a("for_each", each_records)
                        .a("zone_id", r("aws_route53_zone.this.zone_id"))
                        .a("name", r("each.value"))
                        .a("type", s("A"))
                        .a("ttl", r("var.ttl"))
                        .a("records", arr([r("var.ingress_ip")])),
                ),
            File::new().blk(out("zone_id", r("aws_route53_zone.this.zone_id"), false)).blk(out(
                "name_servers",
                r("aws_route53_zone.this.name_servers"),
                false,
            )),
            versions::AWS,
        ),
        ProviderName::Gcp => (
            File::new()
                .blk(
                    Blk::resource("google_dns_managed_zone", "this")
                        .a("name", call("replace", [r("var.domain"), s("."), s("-")]))
                        .a("dns_name", tpl("${var.domain}."))
                        .a("labels", r("var.labels")),
                )
                .blk(
                    Blk::resource("google_dns_record_set", "host")
                        .a("for_each", each_records)
                        .a("managed_zone", r("google_dns_managed_zone.this.name"))
                        .a("name", tpl("${each.value}."))
                        .a("type", s("A"))
                        .a("ttl", r("var.ttl"))
                        .a("rrdatas", arr([r("var.ingress_ip")])),
                ),
            File::new().blk(out("zone_id", r("google_dns_managed_zone.this.id"), false)).blk(out(
                "name_servers",
                r("google_dns_managed_zone.this.name_servers"),
                false,
            )),
            versions::GOOGLE,
        ),
        ProviderName::Azure => (
            File::new()
                .blk(
                    Blk::resource("azurerm_resource_group", "this")
                        .a("name", tpl("${var.name}-dns"))
                        .a("location", r("var.region"))
                        .a("tags", r("var.labels")),
                )
                .blk(
                    Blk::resource("azurerm_dns_zone", "this")
                        .a("name", r("var.domain"))
                        .a("resource_group_name", r("azurerm_resource_group.this.name"))
                        .a("tags", r("var.labels")),
                )
                .blk(
                    Blk::resource("azurerm_dns_a_record", "host")
                        .a("for_each", each_records)
                        .a("name", r("each.key"))
                        .a("zone_name", r("azurerm_dns_zone.this.name"))
                        .a("resource_group_name", r("azurerm_resource_group.this.name"))
                        .a("ttl", r("var.ttl"))
                        .a("records", arr([r("var.ingress_ip")])),
                ),
            File::new().blk(out("zone_id", r("azurerm_dns_zone.this.id"), false)).blk(out(
                "name_servers",
                r("azurerm_dns_zone.this.name_servers"),
                false,
            )),
            versions::AZURERM,
        ),
        ProviderName::Digitalocean => (
            File::new().blk(Blk::resource("digitalocean_domain", "this").a("name", r("var.domain"))).blk(
                Blk::resource("digitalocean_record", "host")
                    .a("for_each", each_records)
                    .a("domain", r("digitalocean_domain.this.id"))
                    .a("type", s("A"))
                    .a("name", r("each.key"))
                    .a("value", r("var.ingress_ip"))
                    .a("ttl", r("var.ttl")),
            ),
            File::new().blk(out("zone_id", r("digitalocean_domain.this.id"), false)).blk(out(
                "name_servers",
                strs(["ns1.digitalocean.com", "ns2.digitalocean.com", "ns3.digitalocean.com"]),
                false,
            )),
            versions::DIGITALOCEAN,
        ),
        ProviderName::Linode => (
            File::new()
                .blk(
                    Blk::resource("linode_domain", "this")
                        .a("domain", r("var.domain"))
                        .a("type", s("master"))
                        .a("soa_email", tpl("hostmaster@${var.domain}"))
                        .a("tags", call("values", [r("var.labels")])),
                )
                .blk(
                    Blk::resource("linode_domain_record", "host")
                        .a("for_each", each_records)
                        .a("domain_id", r("linode_domain.this.id"))
                        .a("name", rel_or_empty)
                        .a("record_type", s("A"))
                        .a("target", r("var.ingress_ip"))
                        .a("ttl_sec", r("var.ttl")),
                ),
            File::new().blk(out("zone_id", r("linode_domain.this.id"), false)).blk(out(
                "name_servers",
                strs(["ns1.linode.com", "ns2.linode.com", "ns3.linode.com", "ns4.linode.com", "ns5.linode.com"]),
                false,
            )),
            versions::LINODE,
        ),
        ProviderName::Civo => (
            File::new().blk(Blk::resource("civo_dns_domain_name", "this").a("name", r("var.domain"))).blk(
                Blk::resource("civo_dns_domain_record", "host")
                    .a("for_each", each_records)
                    .a("domain_id", r("civo_dns_domain_name.this.id"))
                    .a("type", s("A"))
                    .a("name", r("each.key"))
                    .a("value", r("var.ingress_ip"))
                    .a("ttl", r("var.ttl")),
            ),
            File::new().blk(out("zone_id", r("civo_dns_domain_name.this.id"), false)).blk(out(
                "name_servers",
                strs(["ns0.civo.com", "ns1.civo.com"]),
                false,
            )),
            versions::CIVO,
        ),
        ProviderName::Vultr => (
            File::new().blk(Blk::resource("vultr_dns_domain", "this").a("domain", r("var.domain"))).blk(
                Blk::resource("vultr_dns_record", "host")
                    .a("for_each", each_records)
                    .a("domain", r("vultr_dns_domain.this.id"))
                    .a("type", s("A"))
                    .a("name", rel_or_empty)
                    .a("data", r("var.ingress_ip"))
                    .a("ttl", r("var.ttl")),
            ),
            File::new().blk(out("zone_id", r("vultr_dns_domain.this.id"), false)).blk(out(
                "name_servers",
                strs(["ns1.vultr.com", "ns2.vultr.com"]),
                false,
            )),
            versions::VULTR,
        ),
        ProviderName::Hetzner | ProviderName::K3s | ProviderName::Kind => (
            File::new()
                .blk(
                    Blk::resource("hcloud_zone", "this")
                        .a("name", r("var.domain"))
                        .a("mode", s("primary"))
                        .a("ttl", r("var.ttl"))
                        .a("labels", r("var.labels")),
                )
                .blk(
                    Blk::resource("hcloud_zone_rrset", "host")
                        .a("for_each", each_records)
                        .a("zone", r("hcloud_zone.this.name"))
                        .a("name", r("each.key"))
                        .a("type", s("A"))
                        .a("ttl", r("var.ttl"))
                        .a("records", arr([obj([("value", r("var.ingress_ip"))])])),
                ),
            File::new().blk(out("zone_id", r("hcloud_zone.this.id"), false)).blk(out(
                "name_servers",
                r("hcloud_zone.this.authoritative_nameservers"),
                false,
            )),
            versions::HCLOUD,
        ),
    };
    Module { main, vars, outs, reqs: vec![req] }
}

fn object_storage(p: ProviderName) -> Module {
    let vars =
        common_vars(vec![var("buckets", ty("list(string)"), "Bucket names (backups, replication targets).", None)]);
    let each = call("toset", [r("var.buckets")]);
    let ids = |res: &str, attr: &str| for_map("k", r(res), r("k.key"), r(&format!("k.value.{attr}")));
    let (main, outs, reqs) = match p {
        ProviderName::Aws => (
            File::new()
                .blk(
                    Blk::resource("aws_s3_bucket", "this")
                        .a("for_each", each)
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
        ),
        ProviderName::Gcp => (
            File::new().blk(
                Blk::resource("google_storage_bucket", "this")
                    .a("for_each", each)
                    .a("name", r("each.value"))
                    .a("location", call("upper", [r("var.region")]))
                    .a("uniform_bucket_level_access", b(true))
                    .a("public_access_prevention", s("enforced"))
                    .a("labels", r("var.labels"))
                    .blk(Blk::new("versioning", &[]).a("enabled", b(true))),
            ),
            File::new().blk(out("buckets", ids("google_storage_bucket.this", "url"), false)),
            vec![versions::GOOGLE],
        ),
        ProviderName::Azure => (
            File::new()
                .blk(
                    Blk::resource("azurerm_resource_group", "this")
                        .a("name", tpl("${var.name}-storage"))
                        .a("location", r("var.region"))
                        .a("tags", r("var.labels")),
                )
                .blk(
                    Blk::resource("random_string", "account")
                        .a("length", n(6))
                        .a("special", b(false))
                        .a("upper", b(false)),
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
                                                call(
                                                    "replace",
                                                    [call("lower", [r("var.name")]), s("/[^a-z0-9]/"), s("")],
                                                ),
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
                        .a("for_each", each)
                        .a("name", r("each.value"))
                        .a("storage_account_id", r("azurerm_storage_account.this.id"))
                        .a("container_access_type", s("private")),
                ),
            File::new().blk(out("buckets", ids("azurerm_storage_container.this", "id"), false)),
            vec![versions::AZURERM, versions::RANDOM],
        ),
        ProviderName::Digitalocean => (
            File::new().blk(
                Blk::resource("digitalocean_spaces_bucket", "this")
                    .a("for_each", each)
                    .a("name", r("each.value"))
                    .a("region", r("var.region"))
                    .a("acl", s("private"))
                    .blk(Blk::new("versioning", &[]).a("enabled", b(true))),
            ),
            File::new().blk(out("buckets", ids("digitalocean_spaces_bucket.this", "urn"), false)),
            vec![versions::DIGITALOCEAN],
        ),
        ProviderName::Linode => (
            File::new().blk(
                Blk::resource("linode_object_storage_bucket", "this")
                    .a("for_each", each)
                    .a("label", r("each.value"))
                    .a("region", r("var.region"))
                    .a("versioning", b(true)),
            ),
            File::new().blk(out("buckets", ids("linode_object_storage_bucket.this", "hostname"), false)),
            vec![versions::LINODE],
        ),
        ProviderName::Civo => (
            File::new().blk(
                Blk::resource("civo_object_store", "this")
                    .a("for_each", each)
                    .a("name", r("each.value"))
                    .a("region", r("var.region"))
                    .a("max_size_gb", n(500)),
            ),
            File::new().blk(out("buckets", ids("civo_object_store.this", "bucket_url"), false)),
            vec![versions::CIVO],
        ),
        // Vultr object storage is one S3-compatible subscription per region; the
        // buckets inside it are created through its S3 API (by the backup tooling).
        _ => (
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
        ),
    };
    Module { main, vars, outs, reqs }
}

fn data_vars(engine: &str) -> File {
    common_vars(vec![
        var("engine_version", ty("string"), &format!("{engine} major version."), None),
        var("size", ty("string"), "The provider's instance class / tier / plan.", None),
        var("storage_gb", ty("number"), "Storage in GiB (PostgreSQL).", Some(n(20))),
        var("high_availability", ty("bool"), "A standby in another zone with automatic failover.", Some(b(false))),
        var("network", network_type(), "The networking module's output.", None),
        var("database", ty("string"), "Database created for the application (PostgreSQL).", Some(s("app"))),
    ])
}

/// The `connection` output of a managed data module: the record the root writes into
/// the platform's secrets backend at `<platform>/<service>-connection` (contract 2).
fn connection_out(fields: Vec<(&str, Expression)>) -> Blk {
    out("connection", obj(fields), true).a(
        "description",
        s("Connection record (host, port, database, username, password, sslmode; Redis: host, port, password, tls)."),
    )
}

fn pg_connection(
    host: Expression,
    port: Expression,
    database: Expression,
    user: Expression,
    password: Expression,
) -> Blk {
    connection_out(vec![
        ("host", host),
        ("port", call("tostring", [port])),
        ("database", database),
        ("username", user),
        ("password", password),
        ("sslmode", s("require")),
    ])
}

fn redis_connection(host: Expression, port: Expression, password: Expression) -> Blk {
    connection_out(vec![("host", host), ("port", call("tostring", [port])), ("password", password), ("tls", s("true"))])
}

fn password(name: &str) -> Blk {
    Blk::resource("random_password", name).a("length", n(32)).a("special", b(false))
}

fn postgres(p: ProviderName) -> Module {
    let vars = data_vars("PostgreSQL");
    let (main, outs, reqs) = match p {
        ProviderName::Aws => (
            File::new()
                .blk(Blk::data("aws_vpc", "this").a("id", r("var.network.id")))
                .blk(password("admin"))
                .blk(
                    Blk::resource("aws_db_subnet_group", "this")
                        .a("name", r("var.name"))
                        .a("subnet_ids", r("var.network.subnet_ids"))
                        .a("tags", r("var.labels")),
                )
                .blk(
                    Blk::resource("aws_security_group", "this")
                        .a("name", tpl("${var.name}-postgres"))
                        .a("description", s("PostgreSQL from inside the VPC"))
                        .a("vpc_id", r("var.network.id"))
                        .a("tags", r("var.labels")),
                )
                .blk(
                    Blk::resource("aws_vpc_security_group_ingress_rule", "postgres")
                        .a("security_group_id", r("aws_security_group.this.id"))
                        .a("cidr_ipv4", r("data.aws_vpc.this.cidr_block"))
                        .a("ip_protocol", s("tcp"))
                        .a("from_port", n(5432))
                        .a("to_port", n(5432)),
                )
                .blk(
                    Blk::resource("aws_db_instance", "this")
                        .a("identifier", r("var.name"))
                        .a("engine", s("postgres"))
                        .a("engine_version", r("var.engine_version"))
                        .a("instance_class", r("var.size"))
                        .a("allocated_storage", r("var.storage_gb"))
                        .a("max_allocated_storage", op(r("var.storage_gb"), BinaryOperator::Mul, n(4)))
                        .a("storage_type", s("gp3"))
                        .a("storage_encrypted", b(true))
                        .a("multi_az", r("var.high_availability"))
                        .a("db_name", call("replace", [r("var.database"), s("-"), s("_")]))
                        .a("username", s("skyform"))
                        // Generated by Terraform: kept in state and in the secrets backend only.
                        .a("password", r("random_password.admin.result"))
                        .a("db_subnet_group_name", r("aws_db_subnet_group.this.name"))
                        .a("vpc_security_group_ids", arr([r("aws_security_group.this.id")]))
                        .a("publicly_accessible", b(false))
                        .a("backup_retention_period", n(7))
                        .a("backup_window", s("02:00-03:00"))
                        .a("maintenance_window", s("sun:03:00-sun:05:00"))
                        .a("auto_minor_version_upgrade", b(true))
                        .a("copy_tags_to_snapshot", b(true))
                        .a("deletion_protection", b(true))
                        .a("skip_final_snapshot", b(false))
                        .a("final_snapshot_identifier", tpl("${var.name}-final"))
                        .a("tags", r("var.labels")),
                ),
            File::new()
                .blk(out("host", r("aws_db_instance.this.address"), false))
                .blk(out("port", r("aws_db_instance.this.port"), false))
                .blk(out("username", r("aws_db_instance.this.username"), false))
                .blk(pg_connection(
                    r("aws_db_instance.this.address"),
                    r("aws_db_instance.this.port"),
                    r("aws_db_instance.this.db_name"),
                    r("aws_db_instance.this.username"),
                    r("random_password.admin.result"),
                )),
            vec![versions::AWS, versions::RANDOM],
        ),
        ProviderName::Gcp => (
            File::new()
                .blk(password("admin"))
                .blk(
                    Blk::resource("google_sql_database_instance", "this")
                        .a("name", r("var.name"))
                        .a("database_version", tpl("POSTGRES_${var.engine_version}"))
                        .a("region", r("var.region"))
                        .a("deletion_protection", b(true))
                        .blk(
                            Blk::new("settings", &[])
                                .a("tier", r("var.size"))
                                .a("edition", s("ENTERPRISE"))
                                .a("availability_type", cond(r("var.high_availability"), s("REGIONAL"), s("ZONAL")))
                                .a("disk_size", r("var.storage_gb"))
                                .a("disk_type", s("PD_SSD"))
                                .a("disk_autoresize", b(true))
                                .a("user_labels", r("var.labels"))
                                .blk(
                                    Blk::new("backup_configuration", &[])
                                        .a("enabled", b(true))
                                        .a("point_in_time_recovery_enabled", b(true))
                                        .a("start_time", s("02:00")),
                                )
                                .blk(
                                    Blk::new("ip_configuration", &[])
                                        .a("ipv4_enabled", b(false))
                                        .a("private_network", r("var.network.id"))
                                        .a("ssl_mode", s("ENCRYPTED_ONLY")),
                                )
                                .blk(Blk::new("maintenance_window", &[]).a("day", n(7)).a("hour", n(3))),
                        ),
                )
                .blk(
                    Blk::resource("google_sql_user", "admin")
                        .a("name", s("skyform"))
                        .a("instance", r("google_sql_database_instance.this.name"))
                        .a("password", r("random_password.admin.result")),
                )
                .blk(
                    Blk::resource("google_sql_database", "app")
                        .a("name", r("var.database"))
                        .a("instance", r("google_sql_database_instance.this.name")),
                ),
            File::new()
                .blk(out("host", r("google_sql_database_instance.this.private_ip_address"), false))
                .blk(out("port", n(5432), false))
                .blk(out("username", r("google_sql_user.admin.name"), false))
                .blk(out("password", r("random_password.admin.result"), true))
                .blk(pg_connection(
                    r("google_sql_database_instance.this.private_ip_address"),
                    n(5432),
                    r("google_sql_database.app.name"),
                    r("google_sql_user.admin.name"),
                    r("random_password.admin.result"),
                )),
            vec![versions::GOOGLE, versions::RANDOM],
        ),
        ProviderName::Azure => (
            File::new()
                .blk(
                    Blk::resource("azurerm_resource_group", "this")
                        .a("name", tpl("${var.name}-postgres"))
                        .a("location", r("var.region"))
                        .a("tags", r("var.labels")),
                )
                .blk(password("admin"))
                .blk(
                    Blk::resource("azurerm_private_dns_zone", "this")
                        .a("name", tpl("${var.name}.private.postgres.database.azure.com"))
                        .a("resource_group_name", r("azurerm_resource_group.this.name"))
                        .a("tags", r("var.labels")),
                )
                .blk(
                    Blk::resource("azurerm_private_dns_zone_virtual_network_link", "this")
                        .a("name", r("var.name"))
                        .a("private_dns_zone_name", r("azurerm_private_dns_zone.this.name"))
                        .a("virtual_network_id", r("var.network.id"))
                        .a("resource_group_name", r("azurerm_resource_group.this.name")),
                )
                .blk(
                    Blk::resource("azurerm_postgresql_flexible_server", "this")
                        .a("name", r("var.name"))
                        .a("resource_group_name", r("azurerm_resource_group.this.name"))
                        .a("location", r("azurerm_resource_group.this.location"))
                        .a("version", r("var.engine_version"))
                        .a("sku_name", r("var.size"))
                        .a("storage_mb", op(r("var.storage_gb"), BinaryOperator::Mul, n(1024)))
                        .a("administrator_login", s("skyform"))
                        .a("administrator_password", r("random_password.admin.result"))
                        .a("delegated_subnet_id", r("var.network.subnet_ids[1]"))
                        .a("private_dns_zone_id", r("azurerm_private_dns_zone.this.id"))
                        .a("public_network_access_enabled", b(false))
                        .a("backup_retention_days", n(7))
                        .a("zone", s("1"))
                        .a("tags", r("var.labels"))
                        .dynamic(
                            "high_availability",
                            cond(r("var.high_availability"), arr([n(1)]), arr([])),
                            Blk::new("high_availability", &[])
                                .a("mode", s("ZoneRedundant"))
                                .a("standby_availability_zone", s("2")),
                        )
                        .blk(
                            Blk::new("maintenance_window", &[])
                                .a("day_of_week", n(0))
                                .a("start_hour", n(3))
                                .a("start_minute", n(0)),
                        )
                        .a("depends_on", arr([r("azurerm_private_dns_zone_virtual_network_link.this")])),
                )
                .blk(
                    Blk::resource("azurerm_postgresql_flexible_server_database", "app")
                        .a("name", r("var.database"))
                        .a("server_id", r("azurerm_postgresql_flexible_server.this.id"))
                        .a("charset", s("UTF8"))
                        .a("collation", s("en_US.utf8")),
                ),
            File::new()
                .blk(out("host", r("azurerm_postgresql_flexible_server.this.fqdn"), false))
                .blk(out("port", n(5432), false))
                .blk(out("username", r("azurerm_postgresql_flexible_server.this.administrator_login"), false))
                .blk(out("password", r("random_password.admin.result"), true))
                .blk(pg_connection(
                    r("azurerm_postgresql_flexible_server.this.fqdn"),
                    n(5432),
                    r("azurerm_postgresql_flexible_server_database.app.name"),
                    r("azurerm_postgresql_flexible_server.this.administrator_login"),
                    r("random_password.admin.result"),
                )),
            vec![versions::AZURERM, versions::RANDOM],
        ),
        ProviderName::Digitalocean => (
            File::new()
                .blk(
                    Blk::resource("digitalocean_database_cluster", "this")
                        .a("name", r("var.name"))
                        .a("engine", s("pg"))
                        .a("version", r("var.engine_version"))
                        .a("size", r("var.size"))
                        .a("region", r("var.region"))
                        .a("node_count", cond(r("var.high_availability"), n(2), n(1)))
                        .a("private_network_uuid", r("var.network.id"))
                        .a("storage_size_mib", op(r("var.storage_gb"), BinaryOperator::Mul, n(1024)))
                        .a("tags", call("values", [r("var.labels")]))
                        .blk(Blk::new("maintenance_window", &[]).a("day", s("sunday")).a("hour", s("03:00:00"))),
                )
                .blk(
                    Blk::resource("digitalocean_database_db", "app")
                        .a("cluster_id", r("digitalocean_database_cluster.this.id"))
                        .a("name", r("var.database")),
                ),
            File::new()
                .blk(out("host", r("digitalocean_database_cluster.this.private_host"), false))
                .blk(out("port", r("digitalocean_database_cluster.this.port"), false))
                .blk(out("username", r("digitalocean_database_cluster.this.user"), false))
                .blk(out("password", r("digitalocean_database_cluster.this.password"), true))
                .blk(pg_connection(
                    r("digitalocean_database_cluster.this.private_host"),
                    r("digitalocean_database_cluster.this.port"),
                    r("digitalocean_database_db.app.name"),
                    r("digitalocean_database_cluster.this.user"),
                    r("digitalocean_database_cluster.this.password"),
                )),
            vec![versions::DIGITALOCEAN],
        ),
        _ => (
            File::new().blk(
                Blk::resource("linode_database_postgresql_v2", "this")
                    .a("label", r("var.name"))
                    .a("engine_id", tpl("postgresql/${var.engine_version}"))
                    .a("region", r("var.region"))
                    .a("type", r("var.size"))
                    .a("cluster_size", cond(r("var.high_availability"), n(3), n(1)))
                    .blk(
                        Blk::new("updates", &[])
                            .a("day_of_week", n(7))
                            .a("duration", n(4))
                            .a("frequency", s("weekly"))
                            .a("hour_of_day", n(3)),
                    ),
            ),
            File::new()
                .blk(out("host", r("linode_database_postgresql_v2.this.host_primary"), false))
                .blk(out("port", r("linode_database_postgresql_v2.this.port"), false))
                .blk(out("username", r("linode_database_postgresql_v2.this.root_username"), false))
                .blk(out("password", r("linode_database_postgresql_v2.this.root_password"), true))
                // LKE managed PostgreSQL has no database resource: the default `postgres`.
                .blk(pg_connection(
                    r("linode_database_postgresql_v2.this.host_primary"),
                    r("linode_database_postgresql_v2.this.port"),
                    s("postgres"),
                    r("linode_database_postgresql_v2.this.root_username"),
                    r("linode_database_postgresql_v2.this.root_password"),
                )),
            vec![versions::LINODE],
        ),
    };
    Module { main, vars, outs, reqs }
}

fn redis(p: ProviderName) -> Module {
    let vars = data_vars("Redis");
    let (main, outs, reqs) = match p {
        ProviderName::Aws => (
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
        ),
        ProviderName::Gcp => (
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
        ),
        ProviderName::Azure => (
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
        ),
        _ => (
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
        ),
    };
    Module { main, vars, outs, reqs }
}
