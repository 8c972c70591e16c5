//! `--format pulumi`: the same infrastructure as the Terraform modules, as a Pulumi YAML
//! program.
//!
//! For one environment on one provider this writes `pulumi/<env>/<provider>/Pulumi.yaml`
//! (`runtime: yaml`, with `config:`, `variables:`, `resources:` and `outputs:`) and the
//! stack settings `Pulumi.<env>.yaml`. The project is `<platform>-<provider>` and the
//! stack is the environment, so each (environment, provider) pair has its own state, just
//! as each Terraform root does.
//!
//! Pulumi YAML has no `count`/`for_each`, so node pools, buckets, DNS records and
//! Hetzner servers are expanded into one resource each (the cost planner's pools are
//! known when rendering). Azure uses the classic `azure:` provider (the bridge of the
//! same `azurerm` Terraform provider the modules use), not `azure-native`. Every resource
//! pins its provider plugin (`options.version`) to the package version the schema test
//! validates against ([`versions::PULUMI`]).
//!
//! Secrets: passwords come from `random:RandomPassword` or the provider manages them
//! (RDS keeps its master password in Secrets Manager); outputs that carry a kubeconfig,
//! a CA certificate or a password are wrapped in `fn::secret`. Nothing secret is written
//! to a file. The files are serde structures printed with serde-saphyr; maps are
//! `BTreeMap`s or insertion-ordered, so the output is deterministic.

mod aws;
mod azure;
mod gcp;
mod hetzner;
mod small;

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::root::{DataService, postgres_service, records, redis_service};
use crate::services::{self, Kind};
use crate::versions;
use crate::{Ctx, Error, Files, Pool};
use skyform_model::ProviderName;

/// `Pulumi.yaml`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Project {
    pub name: String,
    pub description: String,
    pub runtime: String,
    pub config: BTreeMap<String, ConfigDecl>,
    pub variables: BTreeMap<String, Value>,
    pub resources: BTreeMap<String, Resource>,
    pub outputs: BTreeMap<String, Value>,
}

/// A project-level configuration key.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConfigDecl {
    #[serde(rename = "type")]
    pub ty: String,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
}

/// One resource of the program.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Resource {
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub properties: Map<String, Value>,
    pub options: Options,
}

/// Resource options.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Options {
    /// The provider plugin version (the package the schema test validates against).
    pub version: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ignore_changes: Vec<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub protect: bool,
}

/// `Pulumi.<env>.yaml`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stack {
    pub config: BTreeMap<String, Value>,
}

/// The program's folder.
pub fn dir(ctx: &Ctx<'_>) -> String {
    format!("pulumi/{}/{}", ctx.env.name, ctx.key())
}

/// The Pulumi project name: `<platform>-<provider>`.
pub fn project_name(ctx: &Ctx<'_>) -> String {
    format!("{}-{}", ctx.model.name, ctx.key())
}

/// `"main-2"` → `"Main2"`, `"@"` → `"Apex"`: a suffix for logical resource names.
fn ident(s: &str) -> String {
    if s == "@" {
        return "Apex".into();
    }
    let mut out = String::new();
    let mut up = true;
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            if up {
                out.extend(c.to_uppercase());
            } else {
                out.push(c);
            }
            up = false;
        } else {
            up = true;
        }
    }
    out
}

/// `${<path>}`.
fn ip(path: &str) -> Value {
    Value::String(format!("${{{path}}}"))
}

fn secret(v: Value) -> Value {
    json!({ "fn::secret": v })
}

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// `cidrsubnet("10.0.0.0/16", newbits, num)` for the fixed /16 the networks use.
fn subnet16(newbits: u32, num: u32) -> String {
    let prefix = 16 + newbits;
    let size: u32 = 1u32.checked_shl(32 - prefix).unwrap_or(0);
    let addr = (10u32 << 24).wrapping_add(num.wrapping_mul(size));
    format!("{}.{}.{}.{}/{prefix}", addr >> 24, (addr >> 16) & 255, (addr >> 8) & 255, addr & 255)
}

const CIDR: &str = "10.0.0.0/16";
const TTL: u32 = 300;

/// The program being built.
struct Prog<'c, 'a> {
    ctx: &'c Ctx<'a>,
    config: BTreeMap<String, ConfigDecl>,
    variables: BTreeMap<String, Value>,
    resources: BTreeMap<String, Resource>,
    outputs: BTreeMap<String, Value>,
}

impl<'c, 'a> Prog<'c, 'a> {
    fn add(&mut self, name: &str, ty: &str, props: Value) -> &mut Options {
        let pkg = ty.split(':').next().unwrap_or(ty);
        let version = versions::pulumi_package(pkg).map(|p| p.version).unwrap_or_default().to_owned();
        let r =
            Resource { ty: ty.to_owned(), properties: obj(props), options: Options { version, ..Options::default() } };
        let slot = self.resources.entry(name.to_owned()).or_insert(r);
        &mut slot.options
    }

    fn out(&mut self, name: &str, v: Value) {
        self.outputs.insert(name.to_owned(), v);
    }

    fn labels(&self) -> Value {
        ip("labels")
    }

    fn label_values(&self) -> Value {
        let mut v: Vec<String> = vec![self.ctx.model.name.clone(), self.ctx.env.name.clone(), "skyform".to_owned()];
        v.sort();
        json!(v)
    }

    fn k8s_version(&self) -> String {
        versions::kubernetes_version(self.ctx.provider, &self.ctx.model.kubernetes_version)
    }

    fn pg(&self) -> Vec<DataService> {
        self.ctx
            .managed_postgres
            .iter()
            .map(|s| postgres_service(self.ctx.provider, s, self.ctx.env.production))
            .collect()
    }

    fn redis(&self) -> Vec<DataService> {
        self.ctx.managed_redis.iter().map(|s| redis_service(self.ctx.provider, s, self.ctx.env.production)).collect()
    }

    fn password(&mut self, name: &str) {
        self.add(name, "random:RandomPassword", json!({ "length": 32, "special": false }));
    }
}

/// A kubeconfig that authenticates through an exec plugin (EKS, GKE), as JSON.
fn exec_kubeconfig(name: &str, server: Value, ca_b64: Value, command: &str, args: Value) -> Value {
    json!({ "fn::toJSON": {
        "apiVersion": "v1",
        "kind": "Config",
        "current-context": name,
        "clusters": [{ "name": name, "cluster": { "server": server, "certificate-authority-data": ca_b64 } }],
        "contexts": [{ "name": name, "context": { "cluster": name, "user": name } }],
        "users": [{ "name": name, "user": { "exec": {
            "apiVersion": "client.authentication.k8s.io/v1beta1",
            "command": command,
            "args": args,
        } } }],
    } })
}

/// The Pulumi project for `ctx`: `Pulumi.yaml` and `Pulumi.<env>.yaml`.
///
/// # Errors
/// [`Error::Yaml`] if a file cannot be printed.
pub fn program(ctx: &Ctx<'_>) -> Result<Files, Error> {
    let (project, stack) = build(ctx);
    let d = dir(ctx);
    let mut files = Vec::new();
    for (path, text) in
        [(format!("{d}/Pulumi.yaml"), print(&project)), (format!("{d}/Pulumi.{}.yaml", ctx.env.name), print(&stack))]
    {
        let text = text.map_err(|message| Error::Yaml { path: path.clone(), message })?;
        files.push((path, text));
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(files)
}

fn print<T: Serialize>(v: &T) -> Result<String, String> {
    serde_saphyr::to_string(v).map_err(|e| e.to_string())
}

/// The project and stack, before printing.
pub fn build(ctx: &Ctx<'_>) -> (Project, Stack) {
    let mut p = Prog {
        ctx,
        config: BTreeMap::new(),
        variables: BTreeMap::new(),
        resources: BTreeMap::new(),
        outputs: BTreeMap::new(),
    };
    let mut labels = Map::new();
    labels.insert("environment".into(), json!(ctx.env.name));
    labels.insert("managed-by".into(), json!("skyform"));
    labels.insert("platform".into(), json!(ctx.model.name));
    p.variables.insert("labels".into(), Value::Object(labels));
    if services::wanted(Kind::Dns, ctx) && !records(ctx).is_empty() {
        p.config.insert(
            "ingressIp".into(),
            ConfigDecl {
                ty: "string".into(),
                description: "The ingress load balancer's address (known after the platform is deployed): \
                              the DNS A records point at it. `pulumi config set ingressIp <address>`."
                    .into(),
                default: None,
            },
        );
    }
    match ctx.provider {
        ProviderName::Aws => aws::build(&mut p),
        ProviderName::Gcp => gcp::build(&mut p),
        ProviderName::Azure => azure::build(&mut p),
        ProviderName::Digitalocean => small::digitalocean(&mut p),
        ProviderName::Linode => small::linode(&mut p),
        ProviderName::Civo => small::civo(&mut p),
        ProviderName::Vultr => small::vultr(&mut p),
        ProviderName::Hetzner | ProviderName::K3s | ProviderName::Kind => hetzner::build(&mut p),
    }
    p.out("clusterName", json!(ctx.name));
    let mut stack = BTreeMap::new();
    match ctx.provider {
        ProviderName::Aws => {
            stack.insert("aws:region".to_owned(), json!(ctx.region));
        }
        ProviderName::Gcp => {
            stack.insert("gcp:region".to_owned(), json!(ctx.region));
        }
        ProviderName::Azure => {
            stack.insert("azure:location".to_owned(), json!(ctx.region));
        }
        ProviderName::Civo => {
            stack.insert("civo:region".to_owned(), json!(ctx.region));
        }
        _ => {}
    }
    let project = Project {
        name: project_name(ctx),
        description: format!(
            "{} on {} for the {} environment (generated by skyform; node pools from the cost planner{})",
            ctx.model.name,
            ctx.key(),
            ctx.env.name,
            if ctx.planned { "" } else { ": no plan, one default pool" }
        ),
        runtime: "yaml".into(),
        config: p.config,
        variables: p.variables,
        resources: p.resources,
        outputs: p.outputs,
    };
    (project, Stack { config: stack })
}
