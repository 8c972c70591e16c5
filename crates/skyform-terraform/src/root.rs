//! `environments/<env>/<provider>/`: the root module one runs `terraform apply` in.
//!
//! Module sources are literal relative paths (`../../../modules/kubernetes-cluster/aws`):
//! Terraform resolves `source` before evaluating anything, so the seed's
//! `"../../modules/kubernetes-cluster/${var.cloud_provider}"` cannot work. One root per
//! (environment, provider) is the valid equivalent: choosing the provider is choosing
//! the folder. `terraform.tfvars` carries the cost planner's node pools.

use hcl::Expression;

use crate::cluster;
use crate::hclw::{Blk, File, arr, b, call, for_map, n, null, obj, r, s, strs, tpl, ty};
use crate::services::{self, Kind};
use crate::versions::{self, Requirement};
use crate::{Ctx, Error, Files, Pool, print};
use skyform_model::{ProviderName, Service};

/// The root's folder.
pub fn dir(ctx: &Ctx<'_>) -> String {
    format!("environments/{}/{}", ctx.env.name, ctx.key())
}

fn source(path: &str) -> Expression {
    s(format!("../../../{path}"))
}

fn pool_expr(p: &Pool) -> Expression {
    obj([
        ("name", s(&p.name)),
        ("size", s(&p.size)),
        ("min_nodes", n(i64::from(p.min_nodes))),
        ("max_nodes", n(i64::from(p.max_nodes))),
        ("auto_scale", b(p.auto_scale)),
        ("spot", b(p.spot)),
    ])
}

/// A managed data service's settings for the tfvars.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataService {
    pub key: String,
    /// The application database (PostgreSQL).
    pub database: String,
    pub engine_version: String,
    pub size: String,
    pub storage_gb: u64,
    pub high_availability: bool,
}

fn major_from_image(image: &str) -> Option<String> {
    let tag = image.rsplit_once(':')?.1;
    let digits: String = tag.chars().take_while(char::is_ascii_digit).collect();
    (!digits.is_empty()).then_some(digits)
}

fn pick<'a>(table: &[(u64, &'a str)], need_mib: u64) -> &'a str {
    table.iter().find(|(mib, _)| *mib >= need_mib).or(table.last()).map_or("", |(_, c)| c)
}

/// Postgres sizing: the smallest class whose memory covers the service's memory limit.
pub fn postgres_service(p: ProviderName, svc: &Service, production: bool) -> DataService {
    let need = svc.resources.memory_limit.mib();
    let ha = production && svc.replicas.max > 1;
    let size = match p {
        ProviderName::Aws => pick(
            &[
                (1024, "db.t4g.micro"),
                (2048, "db.t4g.small"),
                (4096, "db.t4g.medium"),
                (8192, "db.m7g.large"),
                (16384, "db.m7g.xlarge"),
                (32768, "db.m7g.2xlarge"),
            ],
            need,
        ),
        ProviderName::Gcp => pick(
            &[
                (3840, "db-custom-1-3840"),
                (7680, "db-custom-2-7680"),
                (15360, "db-custom-4-15360"),
                (30720, "db-custom-8-30720"),
            ],
            need,
        ),
        // Burstable tiers cannot be zone-redundant.
        ProviderName::Azure if ha => {
            pick(&[(8192, "GP_Standard_D2ds_v5"), (16384, "GP_Standard_D4ds_v5"), (32768, "GP_Standard_D8ds_v5")], need)
        }
        ProviderName::Azure => pick(
            &[
                (2048, "B_Standard_B1ms"),
                (4096, "B_Standard_B2s"),
                (8192, "GP_Standard_D2ds_v5"),
                (16384, "GP_Standard_D4ds_v5"),
            ],
            need,
        ),
        ProviderName::Digitalocean => pick(
            &[
                (1024, "db-s-1vcpu-1gb"),
                (2048, "db-s-1vcpu-2gb"),
                (4096, "db-s-2vcpu-4gb"),
                (8192, "db-s-4vcpu-8gb"),
                (16384, "db-s-6vcpu-16gb"),
            ],
            need,
        ),
        _ => pick(
            &[
                (1024, "g6-nanode-1"),
                (2048, "g6-standard-1"),
                (4096, "g6-standard-2"),
                (8192, "g6-standard-4"),
                (16384, "g6-standard-6"),
            ],
            need,
        ),
    };
    let mut storage = svc.storage.as_ref().map_or(20, |st| st.size.gib()).max(20);
    if p == ProviderName::Azure {
        // Flexible Server takes fixed sizes: 32 GiB, 64 GiB, … (powers of two).
        storage = storage.max(32).next_power_of_two();
    }
    DataService {
        key: svc.name.clone(),
        database: svc.env.get("POSTGRES_DB").cloned().unwrap_or_else(|| svc.name.replace('-', "_")),
        engine_version: major_from_image(&svc.image).unwrap_or_else(|| "16".into()),
        size: size.to_owned(),
        storage_gb: storage,
        high_availability: ha,
    }
}

/// Redis sizing: the smallest node whose memory covers the service's memory limit.
pub fn redis_service(p: ProviderName, svc: &Service, production: bool) -> DataService {
    let need = svc.resources.memory_limit.mib();
    let ha = production && svc.replicas.max > 1;
    let (size, version) = match p {
        ProviderName::Aws => (
            pick(
                &[
                    (512, "cache.t4g.micro"),
                    (1400, "cache.t4g.small"),
                    (3160, "cache.t4g.medium"),
                    (6530, "cache.m7g.large"),
                ],
                need,
            )
            .to_owned(),
            "7.1",
        ),
        ProviderName::Gcp => (need.div_ceil(1024).max(1).to_string(), "REDIS_7_2"),
        ProviderName::Azure => (pick(&[(250, "0"), (1024, "1"), (2560, "2"), (6144, "3")], need).to_owned(), "6"),
        _ => (
            pick(&[(1024, "db-s-1vcpu-1gb"), (2048, "db-s-1vcpu-2gb"), (4096, "db-s-2vcpu-4gb")], need).to_owned(),
            "8",
        ),
    };
    DataService {
        key: svc.name.clone(),
        database: String::new(),
        engine_version: version.to_owned(),
        size,
        storage_gb: 0,
        high_availability: ha,
    }
}

fn data_expr(d: &DataService) -> Expression {
    obj([
        ("database", s(&d.database)),
        ("engine_version", s(&d.engine_version)),
        ("size", s(&d.size)),
        ("storage_gb", n(i64::try_from(d.storage_gb).unwrap_or(i64::MAX))),
        ("high_availability", b(d.high_availability)),
    ])
}

fn data_type() -> Expression {
    call(
        "map",
        [call(
            "object",
            [obj([
                ("database", ty("string")),
                ("engine_version", ty("string")),
                ("size", ty("string")),
                ("storage_gb", ty("number")),
                ("high_availability", ty("bool")),
            ])],
        )],
    )
}

/// DNS records: name relative to the environment's domain (`@` for the apex) → FQDN.
pub fn records(ctx: &Ctx<'_>) -> Vec<(String, String)> {
    let domain = ctx.env.domain.trim_end_matches('.');
    let mut out = Vec::new();
    for h in &ctx.hosts {
        let h = h.trim_end_matches('.');
        if h == domain {
            out.push(("@".to_owned(), h.to_owned()));
        } else if let Some(rel) = h.strip_suffix(&format!(".{domain}")) {
            out.push((rel.to_owned(), h.to_owned()));
        }
    }
    out
}

/// The providers the root needs, in a stable order.
pub fn requirements(ctx: &Ctx<'_>) -> Vec<Requirement> {
    let mut reqs = vec![versions::cloud(ctx.provider)];
    let random = matches!(ctx.provider, ProviderName::Hetzner)
        || (ctx.provider == ProviderName::Azure)
        || (!ctx.managed_postgres.is_empty() && matches!(ctx.provider, ProviderName::Gcp | ProviderName::Azure))
        || (!ctx.managed_redis.is_empty() && ctx.provider == ProviderName::Aws);
    if random {
        reqs.push(versions::RANDOM);
    }
    if ctx.provider == ProviderName::Hetzner {
        reqs.push(versions::TLS);
    }
    reqs
}

fn provider_blocks(ctx: &Ctx<'_>) -> Vec<Blk> {
    match ctx.provider {
        ProviderName::Aws => vec![
            Blk::new("provider", &["aws"])
                .a("region", r("var.region"))
                .blk(Blk::new("default_tags", &[]).a("tags", r("var.labels"))),
        ],
        ProviderName::Gcp => {
            vec![Blk::new("provider", &["google"]).a("project", r("var.gcp_project")).a("region", r("var.region"))]
        }
        ProviderName::Azure => vec![Blk::new("provider", &["azurerm"]).blk(Blk::new("features", &[]))],
        ProviderName::Civo => vec![Blk::new("provider", &["civo"]).a("region", r("var.region"))],
        // Credentials come from the environment (DIGITALOCEAN_TOKEN, LINODE_TOKEN,
        // VULTR_API_KEY, HCLOUD_TOKEN); nothing secret is written here.
        ProviderName::Digitalocean => vec![Blk::new("provider", &["digitalocean"])],
        ProviderName::Linode => vec![Blk::new("provider", &["linode"])],
        ProviderName::Vultr => vec![Blk::new("provider", &["vultr"])],
        ProviderName::Hetzner | ProviderName::K3s | ProviderName::Kind => vec![Blk::new("provider", &["hcloud"])],
    }
}

fn var(name: &str, t: Expression, desc: &str, default: Option<Expression>) -> Blk {
    Blk::new("variable", &[name]).a("description", s(desc)).a("type", t).opt("default", default)
}

/// Renders the environment root into `files`.
///
/// # Errors
/// [`Error::Hcl`] if a file cannot be printed.
pub fn environment(ctx: &Ctx<'_>, files: &mut Files) -> Result<(), Error> {
    let d = dir(ctx);
    let p = ctx.provider;
    print(format!("{d}/main.tf"), &main_tf(ctx), files)?;
    print(format!("{d}/variables.tf"), &variables_tf(ctx), files)?;
    print(format!("{d}/terraform.tfvars"), &tfvars(ctx), files)?;

    // versions.tf
    let mut rp = Blk::new("required_providers", &[]);
    for q in requirements(ctx) {
        rp = rp.a(q.name, obj([("source", s(q.source)), ("version", s(q.version))]));
    }
    let versions_tf = File::new().blk(Blk::new("terraform", &[]).a("required_version", s(versions::TERRAFORM)).blk(rp));
    print(format!("{d}/versions.tf"), &versions_tf, files)?;
    print(format!("{d}/outputs.tf"), &outputs_tf(ctx), files)?;

    // backend.tf: remote state; the bucket comes from the bootstrap root.
    print(format!("{d}/backend.tf"), &backend(ctx, &state_key(ctx, "")), files)?;
    if p == ProviderName::Aws {
        files.push((format!("{d}/cluster-autoscaler-values.yaml"), cluster_autoscaler_values(ctx)));
    }
    crate::state::bootstrap(ctx, files)?;
    crate::state::connections(ctx, files)?;
    files.push((format!("{d}/README.md"), crate::state::readme(ctx)));
    Ok(())
}

/// The root's `main.tf`: providers and one module block per module it uses.
fn main_tf(ctx: &Ctx<'_>) -> File {
    let p = ctx.provider;
    let has_net = services::wanted(Kind::Networking, ctx);
    let network = if has_net { r("module.network.network") } else { null() };
    let mut main = File::new();
    for pb in provider_blocks(ctx) {
        main.push(pb);
    }
    if has_net {
        main.push(
            Blk::new("module", &["network"])
                .a("source", source(&services::dir(Kind::Networking, p)))
                .a("name", r("var.cluster_name"))
                .a("region", r("var.region"))
                .opt("nat_per_zone", (p == ProviderName::Aws).then(|| r("var.high_availability")))
                .a("labels", r("var.labels")),
        );
    }
    let mut cl = Blk::new("module", &["cluster"])
        .a("source", source(&cluster::dir(p)))
        .a("cluster_name", r("var.cluster_name"))
        .a("region", r("var.region"))
        .a("kubernetes_version", r("var.kubernetes_version"))
        .a("node_pools", r("var.node_pools"))
        .a("high_availability", r("var.high_availability"));
    if has_net {
        cl = cl.a("network", network.clone());
    }
    main.push(
        cl.a("labels", r("var.labels"))
            .a("api_allowed_cidrs", r("var.api_allowed_cidrs"))
            .a("autoscaling", r("var.autoscaling")),
    );
    main.push(
        Blk::new("module", &["dns"])
            .a("source", source(&services::dir(Kind::Dns, p)))
            .a("name", r("var.cluster_name"))
            .a("region", r("var.region"))
            .a("domain", r("var.domain"))
            .a("records", r("var.dns_records"))
            .a("ingress_ip", r("var.ingress_ip"))
            .a("labels", r("var.labels")),
    );
    if services::wanted(Kind::ObjectStorage, ctx) {
        main.push(
            Blk::new("module", &["object_storage"])
                .a("source", source(&services::dir(Kind::ObjectStorage, p)))
                .a("name", r("var.cluster_name"))
                .a("region", r("var.region"))
                .a("buckets", r("var.buckets"))
                .a("labels", r("var.labels")),
        );
    }
    for (kind, label, var_name) in
        [(Kind::ManagedPostgres, "postgres", "postgres"), (Kind::ManagedRedis, "redis", "redis")]
    {
        if !services::wanted(kind, ctx) {
            continue;
        }
        main.push(
            Blk::new("module", &[label])
                .a("source", source(&services::dir(kind, p)))
                .a("for_each", r(&format!("var.{var_name}")))
                .a("name", tpl("${var.cluster_name}-${each.key}"))
                .a("region", r("var.region"))
                .opt("database", (kind == Kind::ManagedPostgres).then(|| r("each.value.database")))
                .a("engine_version", r("each.value.engine_version"))
                .a("size", r("each.value.size"))
                .a("storage_gb", r("each.value.storage_gb"))
                .a("high_availability", r("each.value.high_availability"))
                .a(
                    "network",
                    if has_net {
                        network.clone()
                    } else {
                        obj([("id", null()), ("subnet_ids", arr([])), ("firewall_id", null())])
                    },
                )
                .a("labels", r("var.labels")),
        );
    }
    main
}

/// The root's `variables.tf`.
fn variables_tf(ctx: &Ctx<'_>) -> File {
    let p = ctx.provider;
    let pool_type = cluster::node_pool_type();
    let mut vars = File::new()
        .blk(var("cluster_name", ty("string"), "Cluster name and resource prefix.", None))
        .blk(var("region", ty("string"), "The provider's region.", None))
        .blk(var("kubernetes_version", ty("string"), "Kubernetes version in the provider's notation.", None))
        .blk(var("node_pools", pool_type, "Worker pools (from `skyform plan`).", None))
        .blk(var("high_availability", ty("bool"), "Highly available control plane.", None))
        .blk(var("domain", ty("string"), "The environment's DNS zone.", None))
        .blk(var("dns_records", ty("map(string)"), "Exposed hosts: relative name to FQDN.", Some(obj::<&str>([]))))
        .blk(var(
            "ingress_ip",
            ty("string"),
            "The ingress load balancer's address, known after the platform is deployed; set it and apply again to create the DNS records.",
            Some(null()),
        ))
        .blk(var("labels", ty("map(string)"), "Labels / tags on every resource.", Some(obj::<&str>([]))))
        .blk(
            var(
                "api_allowed_cidrs",
                ty("list(string)"),
                "Networks allowed to reach the Kubernetes API (your office / VPN / CI runners). Required: set it in terraform.tfvars or with -var; an empty list keeps the API private where the provider can.",
                None,
            )
            .blk(
                Blk::new("validation", &[])
                    .a(
                        "condition",
                        call(
                            "alltrue",
                            [hcl::Expression::from(hcl::expr::ForExpr::new(
                                hcl::Identifier::unchecked("c"),
                                r("var.api_allowed_cidrs"),
                                call("can", [call("cidrhost", [r("c"), n(0)])]),
                            ))],
                        ),
                    )
                    .a("error_message", s("Every entry must be a CIDR such as 203.0.113.0/24.")),
            ),
        )
        .blk(var(
            "autoscaling",
            cluster::autoscaling_type(),
            "Cluster autoscaler policy (platform.yaml `clusterAutoscaling`).",
            None,
        ));
    if services::wanted(Kind::ObjectStorage, ctx) {
        vars.push(var("buckets", ty("list(string)"), "Object storage buckets.", None));
    }
    if services::wanted(Kind::ManagedPostgres, ctx) {
        vars.push(var("postgres", data_type(), "Managed PostgreSQL instances by service.", Some(obj::<&str>([]))));
    }
    if services::wanted(Kind::ManagedRedis, ctx) {
        vars.push(var("redis", data_type(), "Managed Redis instances by service.", Some(obj::<&str>([]))));
    }
    if p == ProviderName::Gcp {
        vars.push(var(
            "gcp_project",
            ty("string"),
            "The Google Cloud project ID (not known to skyform: set it).",
            None,
        ));
    }
    vars
}

/// The root's `terraform.tfvars`: this environment's values.
fn tfvars(ctx: &Ctx<'_>) -> File {
    let p = ctx.provider;
    let postgres: Vec<DataService> =
        ctx.managed_postgres.iter().map(|svc| postgres_service(p, svc, ctx.env.production)).collect();
    let redis: Vec<DataService> =
        ctx.managed_redis.iter().map(|svc| redis_service(p, svc, ctx.env.production)).collect();
    let mut labels = vec![
        ("platform".to_owned(), s(&ctx.model.name)),
        ("environment".to_owned(), s(&ctx.env.name)),
        ("managed-by".to_owned(), s("skyform")),
    ];
    labels.sort_by(|a, b| a.0.cmp(&b.0));
    let mut tfvars = File::new()
        .a("cluster_name", s(&ctx.name))
        .a("region", s(&ctx.region))
        .a("kubernetes_version", s(versions::kubernetes_version(p, &ctx.model.kubernetes_version)))
        .a("high_availability", b(ctx.ha()))
        .a("node_pools", arr(ctx.pools.iter().map(pool_expr)))
        .a("domain", s(&ctx.env.domain))
        .a("dns_records", obj(records(ctx).into_iter().map(|(k, v)| (k, s(v)))))
        .a("labels", obj(labels))
        .a("autoscaling", autoscaling_expr(ctx));
    if services::wanted(Kind::ObjectStorage, ctx) {
        tfvars = tfvars.a("buckets", strs(&ctx.buckets));
    }
    if services::wanted(Kind::ManagedPostgres, ctx) {
        tfvars = tfvars.a("postgres", obj(postgres.iter().map(|d| (d.key.clone(), data_expr(d)))));
    }
    if services::wanted(Kind::ManagedRedis, ctx) {
        tfvars = tfvars.a("redis", obj(redis.iter().map(|d| (d.key.clone(), data_expr(d)))));
    }
    tfvars
}

/// The root's `outputs.tf`.
fn outputs_tf(ctx: &Ctx<'_>) -> File {
    let p = ctx.provider;
    let mut outs = File::new()
        .blk(Blk::new("output", &["cluster_endpoint"]).a("value", r("module.cluster.cluster_endpoint")))
        .blk(
            Blk::new("output", &["cluster_ca_certificate"])
                .a("value", r("module.cluster.cluster_ca_certificate"))
                .a("sensitive", b(true)),
        )
        .blk(Blk::new("output", &["kubeconfig"]).a("value", r("module.cluster.kubeconfig")).a("sensitive", b(true)))
        .blk(Blk::new("output", &["dns_name_servers"]).a("value", r("module.dns.name_servers")));
    if services::wanted(Kind::ObjectStorage, ctx) {
        outs.push(Blk::new("output", &["buckets"]).a("value", r("module.object_storage.buckets")));
    }
    for (kind, label) in [(Kind::ManagedPostgres, "postgres"), (Kind::ManagedRedis, "redis")] {
        if services::wanted(kind, ctx) {
            outs.push(
                Blk::new("output", &[&format!("{label}_hosts")])
                    .a("value", for_map("k", r(&format!("module.{label}")), r("k.key"), r("k.value.host"))),
            );
            outs.push(
                Blk::new("output", &[&format!("{label}_connections")])
                    .a("description", s("Connection records by service, read by the connections root."))
                    .a("value", for_map("k", r(&format!("module.{label}")), r("k.key"), r("k.value.connection")))
                    .a("sensitive", b(true)),
            );
        }
    }
    if p == ProviderName::Aws {
        outs.push(
            Blk::new("output", &["cluster_autoscaler_role_arn"])
                .a("value", r("module.cluster.cluster_autoscaler_role_arn")),
        );
    }
    outs
}

/// The seed's autoscaling policy as the roots' `autoscaling` value.
pub fn autoscaling_expr(ctx: &Ctx<'_>) -> Expression {
    let a = &ctx.model.autoscaling;
    obj([
        ("min_nodes", n(i64::from(a.min_for(ctx.env.production)))),
        ("max_nodes", n(i64::from(a.max_nodes))),
        ("scale_down_unneeded_minutes", n(i64::from(a.scale_down_after_minutes))),
        ("scale_down_utilization", Expression::from(f64::from(a.scale_down_utilization_percent) / 100.0)),
    ])
}

/// Helm values for the cluster-autoscaler on EKS (chart `cluster-autoscaler` of
/// `https://kubernetes.github.io/autoscaler`), with the platform's policy. The role it
/// assumes is the cluster module's `cluster_autoscaler_role_arn` output.
pub fn cluster_autoscaler_values(ctx: &Ctx<'_>) -> String {
    let a = &ctx.model.autoscaling;
    let util = f64::from(a.scale_down_utilization_percent) / 100.0;
    format!(
        "# cluster-autoscaler for {name} (EKS): the platform's autoscaling policy.\n\
         # Install after `terraform apply`:\n\
         #   helm repo add autoscaler https://kubernetes.github.io/autoscaler\n\
         #   helm upgrade --install cluster-autoscaler autoscaler/cluster-autoscaler \\\n\
         #     --namespace kube-system -f cluster-autoscaler-values.yaml \\\n\
         #     --set-string rbac.serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn=$(terraform output -raw cluster_autoscaler_role_arn)\n\
         cloudProvider: aws\n\
         awsRegion: {region}\n\
         autoDiscovery:\n  clusterName: {name}\n\
         rbac:\n  serviceAccount:\n    create: true\n    name: cluster-autoscaler\n\
         extraArgs:\n\
         \x20 scale-down-unneeded-time: {m}m\n\
         \x20 scale-down-utilization-threshold: \"{util}\"\n\
         \x20 balance-similar-node-groups: \"true\"\n\
         \x20 expander: least-waste\n\
         \x20 skip-nodes-with-system-pods: \"false\"\n",
        name = ctx.name,
        region = ctx.region,
        m = a.scale_down_after_minutes,
    )
}

/// The state key of a root: `<platform>/<env>/<provider><suffix>.tfstate`.
pub fn state_key(ctx: &Ctx<'_>, suffix: &str) -> String {
    format!("{}/{}/{}{suffix}.tfstate", ctx.model.name, ctx.env.name, ctx.key())
}

/// The remote-state backend block of a root whose state lives at `key`.
pub fn backend(ctx: &Ctx<'_>, key: &str) -> File {
    File::new().blk(Blk::new("terraform", &[]).blk(backend_block(ctx, key)))
}

/// The state bucket (created by the bootstrap root).
pub fn state_bucket(ctx: &Ctx<'_>) -> String {
    format!("{}-tfstate", ctx.model.name)
}

/// The Azure storage account holding the state (3-24 lower-case letters and digits).
pub fn state_account(ctx: &Ctx<'_>) -> String {
    let mut a: String = format!("{}tfstate", ctx.model.name.replace('-', "")).chars().take(24).collect();
    a.make_ascii_lowercase();
    a
}

/// The `backend "…"` block itself (also used as `terraform_remote_state` config).
pub fn backend_block(ctx: &Ctx<'_>, key: &str) -> Blk {
    let key = key.to_owned();
    let state_bucket = state_bucket(ctx);
    match ctx.provider {
        ProviderName::Aws => Blk::new("backend", &["s3"])
            .a("bucket", s(&state_bucket))
            .a("key", s(&key))
            .a("region", s(&ctx.region))
            .a("encrypt", b(true))
            .a("use_lockfile", b(true)),
        ProviderName::Gcp => {
            Blk::new("backend", &["gcs"]).a("bucket", s(&state_bucket)).a("prefix", s(key.trim_end_matches(".tfstate")))
        }
        ProviderName::Azure => Blk::new("backend", &["azurerm"])
            .a("resource_group_name", s(format!("{}-tfstate", ctx.model.name)))
            .a("storage_account_name", s(state_account(ctx)))
            .a("container_name", s("tfstate"))
            .a("key", s(&key)),
        // The other clouds: their S3-compatible object storage through the s3 backend.
        _ => Blk::new("backend", &["s3"])
            .a("bucket", s(&state_bucket))
            .a("key", s(&key))
            .a("region", s("us-east-1"))
            .a("endpoints", obj([("s3", s(s3_endpoint(ctx)))]))
            .a("skip_credentials_validation", b(true))
            .a("skip_region_validation", b(true))
            .a("skip_requesting_account_id", b(true))
            .a("skip_s3_checksum", b(true))
            .a("use_path_style", b(true))
            .a("use_lockfile", b(true)),
    }
}

/// The S3-compatible endpoint of the provider's object storage in the region.
pub fn s3_endpoint(ctx: &Ctx<'_>) -> String {
    match ctx.provider {
        ProviderName::Digitalocean => format!("https://{}.digitaloceanspaces.com", ctx.region),
        ProviderName::Linode => format!("https://{}-1.linodeobjects.com", ctx.region),
        ProviderName::Civo => format!("https://objectstore.{}.civo.com", ctx.region.to_lowercase()),
        ProviderName::Vultr => format!("https://{}1.vultrobjects.com", ctx.region),
        _ => format!("https://{}.your-objectstorage.com", ctx.region),
    }
}

/// The k3s server's cloud-init, a Terraform template (`templatefile`).
pub fn cloud_init_server() -> String {
    let files = ["server-ca.crt", "server-ca.key", "client-ca.crt", "client-ca.key"];
    let vars = ["server_ca_cert", "server_ca_key", "client_ca_cert", "client_ca_key"];
    let write_files: Vec<serde_json::Value> = files
        .iter()
        .zip(vars)
        .map(|(f, v)| {
            serde_json::json!({
                "path": format!("/var/lib/rancher/k3s/server/tls/{f}"),
                "permissions": "0600",
                "encoding": "b64",
                "content": format!("${{base64encode({v})}}"),
            })
        })
        .collect();
    let doc = serde_json::json!({
        "write_files": write_files,
        "runcmd": [
            "curl -sfL https://get.k3s.io -o /run/k3s-install.sh",
            "INSTALL_K3S_CHANNEL='${k3s_channel}' K3S_TOKEN='${token}' sh /run/k3s-install.sh server ${cluster_args} --secrets-encryption --protect-kernel-defaults=false --node-label skyform.dev/pool=control-plane",
        ],
    });
    cloud_config(&doc)
}

/// The k3s agent's cloud-init, a Terraform template (`templatefile`).
pub fn cloud_init_agent() -> String {
    let doc = serde_json::json!({
        "runcmd": [
            "curl -sfL https://get.k3s.io -o /run/k3s-install.sh",
            "INSTALL_K3S_CHANNEL='${k3s_channel}' K3S_URL='${server_url}' K3S_TOKEN='${token}' sh /run/k3s-install.sh agent --node-label skyform.dev/pool=${pool}",
        ],
    });
    cloud_config(&doc)
}

fn cloud_config(doc: &serde_json::Value) -> String {
    let body = serde_saphyr::to_string(doc).unwrap_or_default();
    format!("#cloud-config\n{body}")
}
