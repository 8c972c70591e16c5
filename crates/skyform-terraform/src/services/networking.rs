//! The `networking` module: a VPC / network (and, where the provider needs them,
//! subnets, NAT and a firewall) that the cluster and data services attach to.

use super::*;

/// A provider's main.tf, outputs.tf and provider requirements.
type Parts = (File, File, Requirement);

pub(super) fn module(p: ProviderName) -> Module {
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
    let (main, outs, reqs) = by_provider(p, [aws, gcp, azure, digitalocean, hetzner, civo, vultr, hetzner]);
    Module { main, vars, outs, reqs: vec![reqs] }
}

fn aws() -> Parts {
    let main = File::new()
        .blk(Blk::data("aws_availability_zones", "available").a("state", s("available")))
        .blk(
            Blk::resource("aws_vpc", "this")
                .a("cidr_block", r("var.cidr"))
                .a("enable_dns_support", b(true))
                .a("enable_dns_hostnames", b(true))
                .a("tags", call("merge", [r("var.labels"), obj([("Name", r("var.name"))])])),
        )
        .blk(Blk::resource("aws_internet_gateway", "this").a("vpc_id", r("aws_vpc.this.id")).a("tags", r("var.labels")))
        .blk(aws_subnet("public", r("count.index"), "kubernetes.io/role/elb"))
        .blk(Blk::resource("aws_route_table", "public").a("vpc_id", r("aws_vpc.this.id")).a("tags", r("var.labels")))
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
        .blk(aws_subnet("private", op(r("count.index"), BinaryOperator::Plus, n(8)), "kubernetes.io/role/internal-elb"))
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
                .a("tags", call("merge", [r("var.labels"), obj([("Name", tpl("${var.name}-nat-${count.index}"))])]))
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

fn gcp() -> Parts {
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
        network_out(r("google_compute_network.this.id"), arr([r("google_compute_subnetwork.nodes.id")]), null()),
        versions::GOOGLE,
    )
}

fn azure() -> Parts {
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

fn digitalocean() -> Parts {
    let main = File::new().blk(
        Blk::resource("digitalocean_vpc", "this")
            .a("name", r("var.name"))
            .a("region", r("var.region"))
            .a("ip_range", r("var.cidr")),
    );
    (main, network_out(r("digitalocean_vpc.this.id"), arr([]), null()), versions::DIGITALOCEAN)
}

fn civo() -> Parts {
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

fn vultr() -> Parts {
    let main = File::new().blk(
        Blk::resource("vultr_vpc", "this")
            .a("description", r("var.name"))
            .a("region", r("var.region"))
            .a("v4_subnet", call("cidrhost", [r("var.cidr"), n(0)]))
            .a("v4_subnet_mask", call("tonumber", [call("split", [s("/"), r("var.cidr")]).index1()])),
    );
    (main, network_out(r("vultr_vpc.this.id"), arr([]), null()), versions::VULTR)
}

fn hetzner() -> Parts {
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

/// One of the three AWS subnets of a tier (`public` or `private`), the `netnum`th /20 of
/// the VPC, tagged with the load-balancer `role` the AWS load balancer controller looks for.
fn aws_subnet(tier: &str, netnum: Expression, role: &str) -> Blk {
    Blk::resource("aws_subnet", tier)
        .a("count", n(3))
        .a("vpc_id", r("aws_vpc.this.id"))
        .a("cidr_block", call("cidrsubnet", [r("var.cidr"), n(4), netnum]))
        .a("availability_zone", r("data.aws_availability_zones.available.names[count.index]"))
        .a("map_public_ip_on_launch", b(tier == "public"))
        .a(
            "tags",
            call(
                "merge",
                [
                    r("var.labels"),
                    obj([("Name", tpl(format!("${{var.name}}-{tier}-${{count.index}}"))), (role, s("1"))]),
                ],
            ),
        )
}
