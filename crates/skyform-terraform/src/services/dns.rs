//! The `dns` module: the platform's zone and one record per host, created once the
//! ingress load balancer's address is known.

use super::*;

/// `for_each` of the records: none until the ingress address is known.
fn each_records() -> Expression {
    cond(op(r("var.ingress_ip"), BinaryOperator::Eq, null()), obj::<&str>([]), r("var.records"))
}

/// A record's name relative to the zone: empty for the apex `@`.
fn rel_or_empty() -> Expression {
    cond(op(r("each.key"), BinaryOperator::Eq, s("@")), s(""), r("each.key"))
}

/// A provider's main.tf, outputs.tf and provider requirements.
type Parts = (File, File, Requirement);

pub(super) fn module(p: ProviderName) -> Module {
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
    let (main, outs, req) = by_provider(p, [aws, gcp, azure, digitalocean, linode, civo, vultr, hetzner]);
    Module { main, vars, outs, reqs: vec![req] }
}

fn aws() -> Parts {
    (
        File::new()
            .blk(Blk::resource("aws_route53_zone", "this").a("name", r("var.domain")).a("tags", r("var.labels")))
            .blk(
                Blk::resource("aws_route53_record", "host")
                    .a("for_each", each_records())
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
    )
}

fn gcp() -> Parts {
    (
        File::new()
            .blk(
                Blk::resource("google_dns_managed_zone", "this")
                    .a("name", call("replace", [r("var.domain"), s("."), s("-")]))
                    .a("dns_name", tpl("${var.domain}."))
                    .a("labels", r("var.labels")),
            )
            .blk(
                Blk::resource("google_dns_record_set", "host")
                    .a("for_each", each_records())
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
    )
}

fn azure() -> Parts {
    (
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
                    .a("for_each", each_records())
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
    )
}

fn digitalocean() -> Parts {
    (
        File::new().blk(Blk::resource("digitalocean_domain", "this").a("name", r("var.domain"))).blk(
            Blk::resource("digitalocean_record", "host")
                .a("for_each", each_records())
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
    )
}

fn linode() -> Parts {
    (
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
                    .a("for_each", each_records())
                    .a("domain_id", r("linode_domain.this.id"))
                    .a("name", rel_or_empty())
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
    )
}

fn civo() -> Parts {
    (
        File::new().blk(Blk::resource("civo_dns_domain_name", "this").a("name", r("var.domain"))).blk(
            Blk::resource("civo_dns_domain_record", "host")
                .a("for_each", each_records())
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
    )
}

fn vultr() -> Parts {
    (
        File::new().blk(Blk::resource("vultr_dns_domain", "this").a("domain", r("var.domain"))).blk(
            Blk::resource("vultr_dns_record", "host")
                .a("for_each", each_records())
                .a("domain", r("vultr_dns_domain.this.id"))
                .a("type", s("A"))
                .a("name", rel_or_empty())
                .a("data", r("var.ingress_ip"))
                .a("ttl", r("var.ttl")),
        ),
        File::new().blk(out("zone_id", r("vultr_dns_domain.this.id"), false)).blk(out(
            "name_servers",
            strs(["ns1.vultr.com", "ns2.vultr.com"]),
            false,
        )),
        versions::VULTR,
    )
}

fn hetzner() -> Parts {
    (
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
                    .a("for_each", each_records())
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
    )
}
