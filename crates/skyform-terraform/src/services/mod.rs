//! The cloud-service modules: `networking`, `dns`, `object-storage`,
//! `managed-postgres` and `managed-redis`, one folder per provider.
//!
//! A module is only rendered where the provider has the service (Linode has no VPC that
//! LKE attaches to; Hetzner has no object-storage API in its Terraform provider) and,
//! for the managed data services, only where the platform chose managed for that
//! provider. [`available`] answers which; the environment root calls only those.

mod dns;
mod networking;
mod object_storage;
mod postgres;
mod redis;

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

/// The builder of provider `p` among one per provider, in the order Aws, Gcp, Azure,
/// DigitalOcean, Linode, Civo, Vultr, Hetzner (which k3s and kind use too).
fn by_provider<T>(p: ProviderName, builders: [fn() -> T; 8]) -> T {
    let [aws, gcp, azure, digitalocean, linode, civo, vultr, hetzner] = builders;
    match p {
        ProviderName::Aws => aws(),
        ProviderName::Gcp => gcp(),
        ProviderName::Azure => azure(),
        ProviderName::Digitalocean => digitalocean(),
        ProviderName::Linode => linode(),
        ProviderName::Civo => civo(),
        ProviderName::Vultr => vultr(),
        ProviderName::Hetzner | ProviderName::K3s | ProviderName::Kind => hetzner(),
    }
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
            Kind::Networking => networking::module(ctx.provider),
            Kind::Dns => dns::module(ctx.provider),
            Kind::ObjectStorage => object_storage::module(ctx.provider),
            Kind::ManagedPostgres => postgres::module(ctx.provider),
            Kind::ManagedRedis => redis::module(ctx.provider),
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

/// `.index1()` on an expression: `split(…)[1]`.
trait Index1 {
    fn index1(self) -> Expression;
}

impl Index1 for Expression {
    fn index1(self) -> Expression {
        Expression::from(hcl::expr::Traversal::new(self, [hcl::expr::TraversalOperator::Index(Expression::from(1))]))
    }
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
