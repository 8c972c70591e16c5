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
        ProviderName::Aws => aws(&mut p),
        ProviderName::Gcp => gcp(&mut p),
        ProviderName::Azure => azure(&mut p),
        ProviderName::Digitalocean => digitalocean(&mut p),
        ProviderName::Linode => linode(&mut p),
        ProviderName::Civo => civo(&mut p),
        ProviderName::Vultr => vultr(&mut p),
        ProviderName::Hetzner | ProviderName::K3s | ProviderName::Kind => hetzner(&mut p),
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

fn aws(p: &mut Prog<'_, '_>) {
    let ctx = p.ctx;
    let name = ctx.name.clone();
    let labels = p.labels();
    let assume = |svc: &str| {
        json!({ "fn::toJSON": { "Version": "2012-10-17", "Statement": [
            { "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": { "Service": svc } }
        ] } })
    };
    // networking
    p.variables.insert(
        "availabilityZones".into(),
        json!({ "fn::invoke": { "function": "aws:getAvailabilityZones", "arguments": { "state": "available" }, "return": "names" } }),
    );
    p.add(
        "vpc",
        "aws:ec2:Vpc",
        json!({
            "cidrBlock": CIDR, "enableDnsSupport": true, "enableDnsHostnames": true,
            "tags": { "Name": name, "environment": ctx.env.name, "managed-by": "skyform", "platform": ctx.model.name },
        }),
    );
    p.add("internetGateway", "aws:ec2:InternetGateway", json!({ "vpcId": ip("vpc.id"), "tags": labels }));
    p.add("publicRouteTable", "aws:ec2:RouteTable", json!({ "vpcId": ip("vpc.id"), "tags": labels }));
    p.add("internetRoute", "aws:ec2:Route", json!({
        "routeTableId": ip("publicRouteTable.id"), "destinationCidrBlock": "0.0.0.0/0", "gatewayId": ip("internetGateway.id"),
    }));
    let mut subnets = Vec::new();
    for i in 0..3u32 {
        let sn = format!("publicSubnet{i}");
        p.add(&sn, "aws:ec2:Subnet", json!({
            "vpcId": ip("vpc.id"), "cidrBlock": subnet16(4, i), "availabilityZone": ip(&format!("availabilityZones[{i}]")),
            "mapPublicIpOnLaunch": true,
            "tags": { "Name": format!("{name}-public-{i}"), "kubernetes.io/role/elb": "1", "environment": ctx.env.name,
                      "managed-by": "skyform", "platform": ctx.model.name },
        }));
        p.add(
            &format!("publicRouteTableAssociation{i}"),
            "aws:ec2:RouteTableAssociation",
            json!({
                "subnetId": ip(&format!("{sn}.id")), "routeTableId": ip("publicRouteTable.id"),
            }),
        );
        subnets.push(ip(&format!("{sn}.id")));
    }
    // cluster
    p.add(
        "clusterRole",
        "aws:iam:Role",
        json!({ "name": format!("{name}-cluster"), "assumeRolePolicy": assume("eks.amazonaws.com"), "tags": labels }),
    );
    p.add(
        "clusterPolicy",
        "aws:iam:RolePolicyAttachment",
        json!({
            "role": ip("clusterRole.name"), "policyArn": "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy",
        }),
    );
    p.add(
        "cluster",
        "aws:eks:Cluster",
        json!({
            "name": name, "roleArn": ip("clusterRole.arn"), "version": p.k8s_version(),
            "enabledClusterLogTypes": ["api", "audit", "authenticator"], "tags": labels,
            "vpcConfig": { "subnetIds": subnets, "endpointPrivateAccess": true, "endpointPublicAccess": true },
            "accessConfig": { "authenticationMode": "API", "bootstrapClusterCreatorAdminPermissions": true },
        }),
    )
    .depends_on = vec!["${clusterPolicy}".into()];
    p.add(
        "nodeRole",
        "aws:iam:Role",
        json!({ "name": format!("{name}-node"), "assumeRolePolicy": assume("ec2.amazonaws.com"), "tags": labels }),
    );
    let mut node_policies = Vec::new();
    for (i, arn) in
        ["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly"].iter().enumerate()
    {
        let n = format!("nodePolicy{i}");
        p.add(
            &n,
            "aws:iam:RolePolicyAttachment",
            json!({ "role": ip("nodeRole.name"), "policyArn": format!("arn:aws:iam::aws:policy/{arn}") }),
        );
        node_policies.push(format!("${{{n}}}"));
    }
    for pool in ctx.pools.clone() {
        p.add(&format!("pool{}", ident(&pool.name)), "aws:eks:NodeGroup", json!({
            "clusterName": ip("cluster.name"), "nodeGroupName": pool.name, "nodeRoleArn": ip("nodeRole.arn"),
            "subnetIds": subnets, "instanceTypes": [pool.size], "capacityType": if pool.spot { "SPOT" } else { "ON_DEMAND" },
            "labels": { "skyform.dev/pool": pool.name }, "tags": labels,
            "scalingConfig": { "desiredSize": pool.min_nodes.max(1), "minSize": pool.min_nodes, "maxSize": pool.max_nodes },
            "updateConfig": { "maxUnavailable": 1 },
            // Spot nodes carry the taint the rendered manifests tolerate.
            "taints": if pool.spot {
                json!([{ "key": "eks.amazonaws.com/capacityType", "value": "SPOT", "effect": "NO_SCHEDULE" }])
            } else {
                json!([])
            },
        }));
        let o = p.resources.get_mut(&format!("pool{}", ident(&pool.name))).map(|r| &mut r.options);
        if let Some(o) = o {
            o.ignore_changes = vec!["scalingConfig.desiredSize".into()];
            o.depends_on = node_policies.clone();
        }
    }
    p.out("clusterEndpoint", ip("cluster.endpoint"));
    p.out("clusterCaCertificate", secret(ip("cluster.certificateAuthority.data")));
    p.out(
        "kubeconfig",
        secret(exec_kubeconfig(
            &name,
            ip("cluster.endpoint"),
            ip("cluster.certificateAuthority.data"),
            "aws",
            json!(["eks", "get-token", "--cluster-name", name, "--region", ctx.region]),
        )),
    );
    // dns
    p.add("zone", "aws:route53:Zone", json!({ "name": ctx.env.domain, "tags": labels }));
    for (rel, fqdn) in records(ctx) {
        p.add(
            &format!("record{}", ident(&rel)),
            "aws:route53:Record",
            json!({
                "zoneId": ip("zone.zoneId"), "name": fqdn, "type": "A", "ttl": TTL, "records": [ip("ingressIp")],
            }),
        );
    }
    p.out("nameServers", ip("zone.nameServers"));
    // object storage
    for (i, bucket) in ctx.buckets.iter().enumerate() {
        let b = format!("bucket{i}");
        p.add(&b, "aws:s3:Bucket", json!({ "bucket": bucket, "tags": labels }));
        let id = ip(&format!("{b}.id"));
        p.add(
            &format!("{b}Versioning"),
            "aws:s3:BucketVersioning",
            json!({ "bucket": id, "versioningConfiguration": { "status": "Enabled" } }),
        );
        p.add(
            &format!("{b}Encryption"),
            "aws:s3:BucketServerSideEncryptionConfiguration",
            json!({
                "bucket": id, "rules": [{ "applyServerSideEncryptionByDefault": { "sseAlgorithm": "aws:kms" } }],
            }),
        );
        p.add(&format!("{b}PublicAccessBlock"), "aws:s3:BucketPublicAccessBlock", json!({
            "bucket": id, "blockPublicAcls": true, "blockPublicPolicy": true, "ignorePublicAcls": true, "restrictPublicBuckets": true,
        }));
    }
    // managed data services
    for d in p.pg() {
        let n = format!("postgres{}", ident(&d.key));
        let full = format!("{name}-{}", d.key);
        p.add(
            &format!("{n}SubnetGroup"),
            "aws:rds:SubnetGroup",
            json!({ "name": full, "subnetIds": subnets, "tags": labels }),
        );
        p.add(&format!("{n}SecurityGroup"), "aws:ec2:SecurityGroup", json!({
            "name": format!("{full}-postgres"), "description": "PostgreSQL from inside the VPC", "vpcId": ip("vpc.id"), "tags": labels,
        }));
        p.add(&format!("{n}Ingress"), "aws:vpc:SecurityGroupIngressRule", json!({
            "securityGroupId": ip(&format!("{n}SecurityGroup.id")), "cidrIpv4": CIDR, "ipProtocol": "tcp", "fromPort": 5432, "toPort": 5432,
        }));
        p.add(&n, "aws:rds:Instance", json!({
            "identifier": full, "engine": "postgres", "engineVersion": d.engine_version, "instanceClass": d.size,
            "allocatedStorage": d.storage_gb, "maxAllocatedStorage": d.storage_gb * 4, "storageType": "gp3", "storageEncrypted": true,
            "multiAz": d.high_availability, "username": "skyform", "manageMasterUserPassword": true,
            "dbSubnetGroupName": ip(&format!("{n}SubnetGroup.name")), "vpcSecurityGroupIds": [ip(&format!("{n}SecurityGroup.id"))],
            "publiclyAccessible": false, "backupRetentionPeriod": 7, "backupWindow": "02:00-03:00",
            "maintenanceWindow": "sun:03:00-sun:05:00", "autoMinorVersionUpgrade": true, "copyTagsToSnapshot": true,
            "deletionProtection": true, "skipFinalSnapshot": false, "finalSnapshotIdentifier": format!("{full}-final"), "tags": labels,
        }))
        .protect = true;
        p.out(&format!("{n}Endpoint"), ip(&format!("{n}.endpoint")));
        p.out(&format!("{n}MasterSecretArn"), secret(ip(&format!("{n}.masterUserSecrets[0].secretArn"))));
    }
    for d in p.redis() {
        let n = format!("redis{}", ident(&d.key));
        let full = format!("{name}-{}", d.key);
        p.add(&format!("{n}SubnetGroup"), "aws:elasticache:SubnetGroup", json!({ "name": full, "subnetIds": subnets }));
        p.add(&format!("{n}SecurityGroup"), "aws:ec2:SecurityGroup", json!({
            "name": format!("{full}-redis"), "description": "Redis from inside the VPC", "vpcId": ip("vpc.id"), "tags": labels,
        }));
        p.add(&format!("{n}Ingress"), "aws:vpc:SecurityGroupIngressRule", json!({
            "securityGroupId": ip(&format!("{n}SecurityGroup.id")), "cidrIpv4": CIDR, "ipProtocol": "tcp", "fromPort": 6379, "toPort": 6379,
        }));
        p.password(&format!("{n}AuthToken"));
        p.add(&n, "aws:elasticache:ReplicationGroup", json!({
            "replicationGroupId": full, "description": format!("{full} (skyform)"), "engine": "redis",
            "engineVersion": d.engine_version, "nodeType": d.size, "numCacheClusters": if d.high_availability { 2 } else { 1 },
            "automaticFailoverEnabled": d.high_availability, "multiAzEnabled": d.high_availability,
            "atRestEncryptionEnabled": true, "transitEncryptionEnabled": true, "authToken": ip(&format!("{n}AuthToken.result")),
            "subnetGroupName": ip(&format!("{n}SubnetGroup.name")), "securityGroupIds": [ip(&format!("{n}SecurityGroup.id"))],
            "maintenanceWindow": "sun:03:00-sun:04:00", "tags": labels,
        }));
        p.out(&format!("{n}Endpoint"), ip(&format!("{n}.primaryEndpointAddress")));
        p.out(&format!("{n}AuthToken"), secret(ip(&format!("{n}AuthToken.result"))));
    }
}

fn gcp(p: &mut Prog<'_, '_>) {
    let ctx = p.ctx;
    let name = ctx.name.clone();
    let labels = p.labels();
    p.add("network", "gcp:compute:Network", json!({ "name": name, "autoCreateSubnetworks": false }));
    p.add(
        "nodesSubnetwork",
        "gcp:compute:Subnetwork",
        json!({
            "name": format!("{name}-nodes"), "network": ip("network.id"), "region": ctx.region,
            "ipCidrRange": subnet16(4, 0), "privateIpGoogleAccess": true,
            "secondaryIpRanges": [
                { "rangeName": "pods", "ipCidrRange": "10.64.0.0/14" },
                { "rangeName": "services", "ipCidrRange": "10.68.0.0/20" },
            ],
        }),
    );
    p.add("servicesAddress", "gcp:compute:GlobalAddress", json!({
        "name": format!("{name}-services"), "purpose": "VPC_PEERING", "addressType": "INTERNAL", "prefixLength": 20, "network": ip("network.id"),
    }));
    p.add("servicesConnection", "gcp:servicenetworking:Connection", json!({
        "network": ip("network.id"), "service": "servicenetworking.googleapis.com", "reservedPeeringRanges": [ip("servicesAddress.name")],
    }));
    let location = if ctx.ha() { ctx.region.clone() } else { format!("{}-a", ctx.region) };
    p.add("cluster", "gcp:container:Cluster", json!({
        "name": name, "location": location, "minMasterVersion": p.k8s_version(), "network": ip("network.id"),
        "subnetwork": ip("nodesSubnetwork.id"), "removeDefaultNodePool": true, "initialNodeCount": 1,
        "deletionProtection": true, "resourceLabels": labels,
        "releaseChannel": { "channel": "UNSPECIFIED" },
        "ipAllocationPolicy": { "clusterSecondaryRangeName": "pods", "servicesSecondaryRangeName": "services" },
        "networkPolicy": { "enabled": true },
        "maintenancePolicy": { "recurringWindow": {
            "startTime": "2024-01-07T03:00:00Z", "endTime": "2024-01-07T07:00:00Z", "recurrence": "FREQ=WEEKLY;BYDAY=SU",
        } },
    }))
    .protect = true;
    for pool in ctx.pools.clone() {
        let mut node_labels = Map::new();
        node_labels.insert("environment".into(), json!(ctx.env.name));
        node_labels.insert("managed-by".into(), json!("skyform"));
        node_labels.insert("platform".into(), json!(ctx.model.name));
        node_labels.insert("skyform-pool".into(), json!(pool.name));
        p.add(&format!("pool{}", ident(&pool.name)), "gcp:container:NodePool", json!({
            "name": pool.name, "cluster": ip("cluster.id"), "location": ip("cluster.location"), "version": p.k8s_version(),
            "autoscaling": { "totalMinNodeCount": pool.min_nodes, "totalMaxNodeCount": pool.max_nodes },
            "management": { "autoRepair": true, "autoUpgrade": true },
            "nodeConfig": {
                "machineType": pool.size, "spot": pool.spot, "labels": node_labels,
                "taints": if pool.spot {
                    json!([{ "key": "cloud.google.com/gke-spot", "value": "true", "effect": "NO_SCHEDULE" }])
                } else {
                    json!([])
                },
                "oauthScopes": ["https://www.googleapis.com/auth/cloud-platform"],
                "workloadMetadataConfig": { "mode": "GKE_METADATA" },
                "shieldedInstanceConfig": { "enableSecureBoot": true, "enableIntegrityMonitoring": true },
            },
        }))
        .ignore_changes = vec!["initialNodeCount".into()];
    }
    p.out("clusterEndpoint", json!("https://${cluster.endpoint}"));
    p.out("clusterCaCertificate", secret(ip("cluster.masterAuth.clusterCaCertificate")));
    p.out(
        "kubeconfig",
        secret(exec_kubeconfig(
            &name,
            json!("https://${cluster.endpoint}"),
            ip("cluster.masterAuth.clusterCaCertificate"),
            "gke-gcloud-auth-plugin",
            json!([]),
        )),
    );
    p.add(
        "zone",
        "gcp:dns:ManagedZone",
        json!({
            "name": ctx.env.domain.replace('.', "-"), "dnsName": format!("{}.", ctx.env.domain), "labels": labels,
        }),
    );
    for (rel, fqdn) in records(ctx) {
        p.add(&format!("record{}", ident(&rel)), "gcp:dns:RecordSet", json!({
            "managedZone": ip("zone.name"), "name": format!("{fqdn}."), "type": "A", "ttl": TTL, "rrdatas": [ip("ingressIp")],
        }));
    }
    p.out("nameServers", ip("zone.nameServers"));
    for (i, bucket) in ctx.buckets.iter().enumerate() {
        p.add(
            &format!("bucket{i}"),
            "gcp:storage:Bucket",
            json!({
                "name": bucket, "location": ctx.region.to_uppercase(), "uniformBucketLevelAccess": true,
                "publicAccessPrevention": "enforced", "labels": labels, "versioning": { "enabled": true },
            }),
        );
    }
    for d in p.pg() {
        let n = format!("postgres{}", ident(&d.key));
        p.password(&format!("{n}Password"));
        p.add(&n, "gcp:sql:DatabaseInstance", json!({
            "name": format!("{name}-{}", d.key), "databaseVersion": format!("POSTGRES_{}", d.engine_version),
            "region": ctx.region, "deletionProtection": true,
            "settings": {
                "tier": d.size, "edition": "ENTERPRISE", "availabilityType": if d.high_availability { "REGIONAL" } else { "ZONAL" },
                "diskSize": d.storage_gb, "diskType": "PD_SSD", "diskAutoresize": true, "userLabels": labels,
                "backupConfiguration": { "enabled": true, "pointInTimeRecoveryEnabled": true, "startTime": "02:00" },
                "ipConfiguration": { "ipv4Enabled": false, "privateNetwork": ip("network.id"), "sslMode": "ENCRYPTED_ONLY" },
                "maintenanceWindow": { "day": 7, "hour": 3 },
            },
        }));
        if let Some(r) = p.resources.get_mut(&n) {
            r.options.protect = true;
            r.options.depends_on = vec!["${servicesConnection}".into()];
        }
        p.add(
            &format!("{n}Admin"),
            "gcp:sql:User",
            json!({
                "name": "skyform", "instance": ip(&format!("{n}.name")), "password": ip(&format!("{n}Password.result")),
            }),
        );
        p.out(&format!("{n}Address"), ip(&format!("{n}.privateIpAddress")));
        p.out(&format!("{n}Password"), secret(ip(&format!("{n}Password.result"))));
    }
    for d in p.redis() {
        let n = format!("redis{}", ident(&d.key));
        let gb: u64 = d.size.parse().unwrap_or(1);
        p.add(&n, "gcp:redis:Instance", json!({
            "name": format!("{name}-{}", d.key), "region": ctx.region,
            "tier": if d.high_availability { "STANDARD_HA" } else { "BASIC" }, "memorySizeGb": gb,
            "redisVersion": format!("REDIS_{}_X", d.engine_version.trim_start_matches("REDIS_").split('_').next().unwrap_or("7")),
            "authorizedNetwork": ip("network.id"), "connectMode": "PRIVATE_SERVICE_ACCESS", "authEnabled": true,
            "transitEncryptionMode": "SERVER_AUTHENTICATION", "labels": labels,
        }))
        .depends_on = vec!["${servicesConnection}".into()];
        p.out(&format!("{n}Host"), ip(&format!("{n}.host")));
        p.out(&format!("{n}AuthString"), secret(ip(&format!("{n}.authString"))));
    }
}

fn azure(p: &mut Prog<'_, '_>) {
    let ctx = p.ctx;
    let name = ctx.name.clone();
    let labels = p.labels();
    let rg = |p: &mut Prog<'_, '_>, logical: &str, suffix: &str| {
        p.add(
            logical,
            "azure:core:ResourceGroup",
            json!({ "name": format!("{name}-{suffix}"), "location": ctx.region, "tags": ip("labels") }),
        );
    };
    rg(p, "networkGroup", "network");
    p.add(
        "vnet",
        "azure:network:VirtualNetwork",
        json!({
            "name": name, "location": ip("networkGroup.location"), "resourceGroupName": ip("networkGroup.name"),
            "addressSpaces": [CIDR], "tags": labels,
        }),
    );
    p.add(
        "nodesSubnet",
        "azure:network:Subnet",
        json!({
            "name": "nodes", "resourceGroupName": ip("networkGroup.name"), "virtualNetworkName": ip("vnet.name"),
            "addressPrefixes": [subnet16(4, 0)],
        }),
    );
    p.add("databaseSubnet", "azure:network:Subnet", json!({
        "name": "database", "resourceGroupName": ip("networkGroup.name"), "virtualNetworkName": ip("vnet.name"),
        "addressPrefixes": [subnet16(8, 32)], "serviceEndpoints": ["Microsoft.Storage"],
        "delegations": [{ "name": "postgres", "serviceDelegation": {
            "name": "Microsoft.DBforPostgreSQL/flexibleServers", "actions": ["Microsoft.Network/virtualNetworks/subnets/join/action"],
        } }],
    }));
    rg(p, "clusterGroup", "aks");
    let pools = ctx.pools.clone();
    let system = pools.first().cloned().unwrap_or_else(|| Pool {
        name: "main".into(),
        size: versions::default_size(ProviderName::Azure).into(),
        min_nodes: 1,
        max_nodes: 1,
        auto_scale: false,
        spot: false,
    });
    p.add("cluster", "azure:containerservice:KubernetesCluster", json!({
        "name": name, "location": ip("clusterGroup.location"), "resourceGroupName": ip("clusterGroup.name"),
        "dnsPrefix": name, "kubernetesVersion": p.k8s_version(), "skuTier": if ctx.ha() { "Standard" } else { "Free" },
        "automaticUpgradeChannel": "patch", "oidcIssuerEnabled": true, "workloadIdentityEnabled": true,
        "localAccountDisabled": false, "tags": labels,
        "defaultNodePool": {
            "name": "system", "vmSize": system.size, "autoScalingEnabled": true,
            "minCount": system.min_nodes.max(1), "maxCount": system.max_nodes.max(1), "vnetSubnetId": ip("nodesSubnet.id"),
            "onlyCriticalAddonsEnabled": false, "temporaryNameForRotation": "systemtmp", "upgradeSettings": { "maxSurge": "33%" },
        },
        "identity": { "type": "SystemAssigned" },
        "networkProfile": { "networkPlugin": "azure", "networkPolicy": "azure", "loadBalancerSku": "standard" },
        "maintenanceWindowAutoUpgrade": {
            "frequency": "Weekly", "interval": 1, "duration": 4, "dayOfWeek": "Sunday", "startTime": "03:00", "utcOffset": "+00:00",
        },
    }));
    for pool in pools.iter().skip(1) {
        let short: String = pool.name.replace('-', "").chars().take(12).collect();
        let mut props = json!({
            "name": short, "kubernetesClusterId": ip("cluster.id"), "vmSize": pool.size, "autoScalingEnabled": pool.auto_scale,
            "priority": if pool.spot { "Spot" } else { "Regular" }, "vnetSubnetId": ip("nodesSubnet.id"),
            "nodeLabels": { "skyform.dev/pool": pool.name }, "tags": labels,
        });
        if let Value::Object(m) = &mut props {
            if pool.auto_scale {
                m.insert("minCount".into(), json!(pool.min_nodes));
                m.insert("maxCount".into(), json!(pool.max_nodes));
            } else {
                m.insert("nodeCount".into(), json!(pool.max_nodes));
            }
            if pool.spot {
                m.insert("evictionPolicy".into(), json!("Delete"));
                m.insert("spotMaxPrice".into(), json!(-1));
            }
        }
        p.add(&format!("pool{}", ident(&pool.name)), "azure:containerservice:KubernetesClusterNodePool", props);
    }
    p.add("networkContributor", "azure:authorization:Assignment", json!({
        "scope": ip("vnet.id"), "roleDefinitionName": "Network Contributor", "principalId": ip("cluster.identity.principalId"),
    }));
    p.out("clusterEndpoint", secret(ip("cluster.kubeConfigs[0].host")));
    p.out("clusterCaCertificate", secret(ip("cluster.kubeConfigs[0].clusterCaCertificate")));
    p.out("kubeconfig", secret(ip("cluster.kubeConfigRaw")));
    rg(p, "dnsGroup", "dns");
    p.add(
        "zone",
        "azure:dns:Zone",
        json!({ "name": ctx.env.domain, "resourceGroupName": ip("dnsGroup.name"), "tags": labels }),
    );
    for (rel, _) in records(ctx) {
        p.add(&format!("record{}", ident(&rel)), "azure:dns:ARecord", json!({
            "name": rel, "zoneName": ip("zone.name"), "resourceGroupName": ip("dnsGroup.name"), "ttl": TTL, "records": [ip("ingressIp")],
        }));
    }
    p.out("nameServers", ip("zone.nameServers"));
    rg(p, "storageGroup", "storage");
    p.add("storageAccountSuffix", "random:RandomString", json!({ "length": 6, "special": false, "upper": false }));
    let prefix: String = name.to_lowercase().chars().filter(char::is_ascii_alphanumeric).take(18).collect();
    p.add("storageAccount", "azure:storage:Account", json!({
        "name": format!("{prefix}${{storageAccountSuffix.result}}"), "resourceGroupName": ip("storageGroup.name"),
        "location": ip("storageGroup.location"), "accountTier": "Standard", "accountReplicationType": "ZRS",
        "minTlsVersion": "TLS1_2", "allowNestedItemsToBePublic": false, "httpsTrafficOnlyEnabled": true, "tags": labels,
        "blobProperties": { "versioningEnabled": true },
    }));
    for (i, bucket) in ctx.buckets.iter().enumerate() {
        p.add(
            &format!("bucket{i}"),
            "azure:storage:Container",
            json!({
                "name": bucket, "storageAccountId": ip("storageAccount.id"), "containerAccessType": "private",
            }),
        );
    }
    for d in p.pg() {
        let n = format!("postgres{}", ident(&d.key));
        let full = format!("{name}-{}", d.key);
        p.add(
            &format!("{n}Group"),
            "azure:core:ResourceGroup",
            json!({ "name": format!("{full}-postgres"), "location": ctx.region, "tags": labels }),
        );
        p.password(&format!("{n}Password"));
        p.add(&format!("{n}PrivateZone"), "azure:privatedns:Zone", json!({
            "name": format!("{full}.private.postgres.database.azure.com"), "resourceGroupName": ip(&format!("{n}Group.name")), "tags": labels,
        }));
        p.add(&format!("{n}ZoneLink"), "azure:privatedns:ZoneVirtualNetworkLink", json!({
            "name": full, "privateDnsZoneName": ip(&format!("{n}PrivateZone.name")), "virtualNetworkId": ip("vnet.id"),
            "resourceGroupName": ip(&format!("{n}Group.name")),
        }));
        let mut props = json!({
            "name": full, "resourceGroupName": ip(&format!("{n}Group.name")), "location": ip(&format!("{n}Group.location")),
            "version": d.engine_version, "skuName": d.size, "storageMb": d.storage_gb * 1024, "administratorLogin": "skyform",
            "administratorPassword": ip(&format!("{n}Password.result")), "delegatedSubnetId": ip("databaseSubnet.id"),
            "privateDnsZoneId": ip(&format!("{n}PrivateZone.id")), "publicNetworkAccessEnabled": false,
            "backupRetentionDays": 7, "zone": "1", "tags": labels,
            "maintenanceWindow": { "dayOfWeek": 0, "startHour": 3, "startMinute": 0 },
        });
        if d.high_availability
            && let Value::Object(m) = &mut props
        {
            m.insert("highAvailability".into(), json!({ "mode": "ZoneRedundant", "standbyAvailabilityZone": "2" }));
        }
        let o = p.add(&n, "azure:postgresql:FlexibleServer", props);
        o.protect = true;
        o.depends_on = vec![format!("${{{n}ZoneLink}}")];
        p.out(&format!("{n}Host"), ip(&format!("{n}.fqdn")));
        p.out(&format!("{n}Password"), secret(ip(&format!("{n}Password.result"))));
    }
    for d in p.redis() {
        let n = format!("redis{}", ident(&d.key));
        let full = format!("{name}-{}", d.key);
        p.add(
            &format!("{n}Group"),
            "azure:core:ResourceGroup",
            json!({ "name": format!("{full}-redis"), "location": ctx.region, "tags": labels }),
        );
        let capacity: u64 = d.size.parse().unwrap_or(0);
        p.add(&n, "azure:redis:Cache", json!({
            "name": full, "location": ip(&format!("{n}Group.location")), "resourceGroupName": ip(&format!("{n}Group.name")),
            "capacity": capacity, "family": "C", "skuName": if d.high_availability { "Standard" } else { "Basic" },
            "redisVersion": d.engine_version, "minimumTlsVersion": "1.2", "nonSslPortEnabled": false,
            "publicNetworkAccessEnabled": false, "tags": labels,
            "patchSchedules": [{ "dayOfWeek": "Sunday", "startHourUtc": 3 }],
        }));
        p.out(&format!("{n}Host"), ip(&format!("{n}.hostname")));
        p.out(&format!("{n}AccessKey"), secret(ip(&format!("{n}.primaryAccessKey"))));
    }
}

fn digitalocean(p: &mut Prog<'_, '_>) {
    let ctx = p.ctx;
    let name = ctx.name.clone();
    let tags = p.label_values();
    p.add("vpc", "digitalocean:Vpc", json!({ "name": name, "region": ctx.region, "ipRange": CIDR }));
    p.variables.insert(
        "kubernetesVersion".into(),
        json!({ "fn::invoke": {
            "function": "digitalocean:getKubernetesVersions",
            "arguments": { "versionPrefix": format!("{}.", ctx.model.kubernetes_version) },
            "return": "latestVersion",
        } }),
    );
    let pools = ctx.pools.clone();
    let pool_props = |pool: &Pool| {
        let mut m = obj(json!({ "name": pool.name, "size": pool.size, "autoScale": pool.auto_scale }));
        if pool.auto_scale {
            m.insert("minNodes".into(), json!(pool.min_nodes.max(1)));
            m.insert("maxNodes".into(), json!(pool.max_nodes));
        } else {
            m.insert("nodeCount".into(), json!(pool.max_nodes));
        }
        m.insert("labels".into(), json!({ "skyform.dev/pool": pool.name }));
        m
    };
    let first = pools.first().map(pool_props).unwrap_or_default();
    p.add(
        "cluster",
        "digitalocean:KubernetesCluster",
        json!({
            "name": name, "region": ctx.region, "version": ip("kubernetesVersion"), "vpcUuid": ip("vpc.id"),
            "ha": ctx.ha(), "autoUpgrade": true, "surgeUpgrade": true, "tags": tags,
            "nodePool": first, "maintenancePolicy": { "day": "sunday", "startTime": "03:00" },
        }),
    )
    .ignore_changes = vec!["nodePool.nodeCount".into()];
    for pool in pools.iter().skip(1) {
        let mut m = pool_props(pool);
        m.insert("clusterId".into(), ip("cluster.id"));
        p.add(&format!("pool{}", ident(&pool.name)), "digitalocean:KubernetesNodePool", Value::Object(m));
    }
    p.out("clusterEndpoint", ip("cluster.endpoint"));
    p.out("clusterCaCertificate", secret(ip("cluster.kubeConfigs[0].clusterCaCertificate")));
    p.out("kubeconfig", secret(ip("cluster.kubeConfigs[0].rawConfig")));
    p.add("domain", "digitalocean:Domain", json!({ "name": ctx.env.domain }));
    for (rel, _) in records(ctx) {
        p.add(
            &format!("record{}", ident(&rel)),
            "digitalocean:DnsRecord",
            json!({
                "domain": ip("domain.id"), "type": "A", "name": rel, "value": ip("ingressIp"), "ttl": TTL,
            }),
        );
    }
    for (i, bucket) in ctx.buckets.iter().enumerate() {
        p.add(
            &format!("bucket{i}"),
            "digitalocean:SpacesBucket",
            json!({
                "name": bucket, "region": ctx.region, "acl": "private", "versioning": { "enabled": true },
            }),
        );
    }
    for (engine, d) in p.pg().into_iter().map(|d| ("pg", d)).chain(p.redis().into_iter().map(|d| ("valkey", d))) {
        let n = format!("{}{}", if engine == "pg" { "postgres" } else { "redis" }, ident(&d.key));
        let mut m = obj(json!({
            "name": format!("{name}-{}", d.key), "engine": engine, "version": d.engine_version, "size": d.size,
            "region": ctx.region, "nodeCount": if d.high_availability { 2 } else { 1 }, "privateNetworkUuid": ip("vpc.id"),
            "tags": tags, "maintenanceWindows": [{ "day": "sunday", "hour": "03:00:00" }],
        }));
        if engine == "pg" {
            m.insert("storageSizeMib".into(), json!((d.storage_gb * 1024).to_string()));
        }
        p.add(&n, "digitalocean:DatabaseCluster", Value::Object(m)).protect = true;
        p.out(&format!("{n}Host"), ip(&format!("{n}.privateHost")));
        p.out(&format!("{n}Uri"), secret(ip(&format!("{n}.privateUri"))));
    }
}

fn linode(p: &mut Prog<'_, '_>) {
    let ctx = p.ctx;
    let name = ctx.name.clone();
    let tags = p.label_values();
    let pools: Vec<Value> = ctx
        .pools
        .iter()
        .map(|pool| {
            json!({
                "labels": { "skyform.dev/pool": pool.name }, "type": pool.size, "count": pool.min_nodes.max(1),
                "autoscaler": { "min": pool.min_nodes.max(1), "max": pool.max_nodes.max(1) },
            })
        })
        .collect();
    p.add(
        "cluster",
        "linode:LkeCluster",
        json!({
            "label": name, "region": ctx.region, "k8sVersion": p.k8s_version(), "tags": tags,
            "controlPlane": { "highAvailability": ctx.ha() }, "pools": pools,
        }),
    );
    p.out("clusterEndpoint", ip("cluster.apiEndpoints[0]"));
    p.out("kubeconfig", secret(json!({ "fn::fromBase64": ip("cluster.kubeconfig") })));
    p.add("domain", "linode:Domain", json!({
        "domain": ctx.env.domain, "type": "master", "soaEmail": format!("hostmaster@{}", ctx.env.domain), "tags": tags,
    }));
    for (rel, _) in records(ctx) {
        p.add(
            &format!("record{}", ident(&rel)),
            "linode:DomainRecord",
            json!({
                "domainId": ip("domain.id"), "name": if rel == "@" { String::new() } else { rel.clone() },
                "recordType": "A", "target": ip("ingressIp"), "ttlSec": TTL,
            }),
        );
    }
    for (i, bucket) in ctx.buckets.iter().enumerate() {
        p.add(
            &format!("bucket{i}"),
            "linode:ObjectStorageBucket",
            json!({ "label": bucket, "region": ctx.region, "versioning": true }),
        );
    }
    for d in p.pg() {
        let n = format!("postgres{}", ident(&d.key));
        p.add(&n, "linode:DatabasePostgresqlV2", json!({
            "label": format!("{name}-{}", d.key), "engineId": format!("postgresql/{}", d.engine_version), "region": ctx.region,
            "type": d.size, "clusterSize": if d.high_availability { 3 } else { 1 },
            "updates": { "dayOfWeek": 7, "duration": 4, "frequency": "weekly", "hourOfDay": 3 },
        }))
        .protect = true;
        p.out(&format!("{n}Host"), ip(&format!("{n}.hostPrimary")));
        p.out(&format!("{n}Password"), secret(ip(&format!("{n}.rootPassword"))));
    }
}

/// Civo against `@pulumi/civo@1.0.7` (the only offline schema): that bridge predates the
/// `pools` block, `firewall_id` and object stores, so the cluster's first pool is
/// `numTargetNodes`/`targetNodesSize`, and there are no buckets.
fn civo(p: &mut Prog<'_, '_>) {
    let ctx = p.ctx;
    let name = ctx.name.clone();
    p.add("network", "civo:Network", json!({ "label": name, "region": ctx.region }));
    p.add("firewall", "civo:Firewall", json!({ "name": name, "region": ctx.region, "networkId": ip("network.id") }));
    let pools = ctx.pools.clone();
    let (n0, s0) = pools
        .first()
        .map_or((1, versions::default_size(ProviderName::Civo).to_owned()), |x| (x.max_nodes, x.size.clone()));
    let mut tags = p
        .label_values()
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect::<Vec<_>>();
    tags.sort();
    // The newest k3s release of the requested minor.
    p.variables.insert(
        "kubernetesVersions".into(),
        json!({ "fn::invoke": {
            "function": "civo:getKubernetesVersion",
            "arguments": {
                "filters": [
                    { "key": "type", "values": ["k3s"] },
                    { "key": "version", "values": [format!("^{}\\.", ctx.model.kubernetes_version.replace('.', "\\."))], "matchBy": "re" },
                ],
                "sorts": [{ "key": "version", "direction": "desc" }],
            },
            "return": "versions",
        } }),
    );
    p.add(
        "cluster",
        "civo:KubernetesCluster",
        json!({
            "name": name, "region": ctx.region, "kubernetesVersion": ip("kubernetesVersions[0].version"), "networkId": ip("network.id"),
            "numTargetNodes": n0, "targetNodesSize": s0, "tags": tags.join(" "),
        }),
    );
    for pool in pools.iter().skip(1) {
        p.add(&format!("pool{}", ident(&pool.name)), "civo:KubernetesNodePool", json!({
            "clusterId": ip("cluster.id"), "region": ctx.region, "numTargetNodes": pool.max_nodes, "targetNodesSize": pool.size,
        }));
    }
    p.out("clusterEndpoint", ip("cluster.apiEndpoint"));
    p.out("kubeconfig", secret(ip("cluster.kubeconfig")));
    p.add("domain", "civo:DnsDomainName", json!({ "name": ctx.env.domain }));
    for (rel, _) in records(ctx) {
        p.add(
            &format!("record{}", ident(&rel)),
            "civo:DnsDomainRecord",
            json!({
                "domainId": ip("domain.id"), "type": "A", "name": rel, "value": ip("ingressIp"), "ttl": TTL,
            }),
        );
    }
}

fn vultr(p: &mut Prog<'_, '_>) {
    let ctx = p.ctx;
    let name = ctx.name.clone();
    let pools = ctx.pools.clone();
    let pool_props = |pool: &Pool| {
        obj(json!({
            "label": pool.name, "plan": pool.size, "nodeQuantity": pool.min_nodes.max(1), "autoScaler": pool.auto_scale,
            "minNodes": pool.min_nodes.max(1), "maxNodes": pool.max_nodes,
        }))
    };
    let first = pools.first().map(pool_props).unwrap_or_default();
    p.add(
        "cluster",
        "vultr:Kubernetes",
        json!({
            "label": name, "region": ctx.region, "version": p.k8s_version(), "haControlplanes": ctx.ha(),
            "enableFirewall": true, "nodePools": first,
        }),
    );
    for pool in pools.iter().skip(1) {
        let mut m = pool_props(pool);
        m.insert("clusterId".into(), ip("cluster.id"));
        p.add(&format!("pool{}", ident(&pool.name)), "vultr:KubernetesNodePools", Value::Object(m));
    }
    p.out("clusterEndpoint", ip("cluster.endpoint"));
    p.out("clusterCaCertificate", secret(ip("cluster.clusterCaCertificate")));
    p.out("kubeconfig", secret(json!({ "fn::fromBase64": ip("cluster.kubeConfig") })));
    p.add("domain", "vultr:DnsDomain", json!({ "domain": ctx.env.domain }));
    for (rel, _) in records(ctx) {
        p.add(
            &format!("record{}", ident(&rel)),
            "vultr:DnsRecord",
            json!({
                "domain": ip("domain.id"), "type": "A", "name": if rel == "@" { String::new() } else { rel.clone() },
                "data": ip("ingressIp"), "ttl": TTL,
            }),
        );
    }
    p.variables.insert(
        "objectStorageCluster".into(),
        json!({ "fn::invoke": {
            "function": "vultr:getObjectStorageCluster",
            "arguments": { "filters": [{ "name": "region", "values": [ctx.region] }] },
            "return": "id",
        } }),
    );
    p.add("objectStorage", "vultr:ObjectStorage", json!({ "clusterId": ip("objectStorageCluster"), "label": name }));
    p.out("objectStorageHostname", ip("objectStorage.s3Hostname"));
    p.out("objectStorageSecretKey", secret(ip("objectStorage.s3SecretKey")));
}

/// Hetzner: k3s on Cloud servers via cloud-init. Unlike the Terraform module, the
/// program does not pre-generate the cluster CAs (there is no offline `@pulumi/tls`
/// schema), so k3s makes its own and the kubeconfig is read from the first server.
fn hetzner(p: &mut Prog<'_, '_>) {
    let ctx = p.ctx;
    let name = ctx.name.clone();
    let labels = p.labels();
    let version = p.k8s_version();
    p.add("network", "hcloud:Network", json!({ "name": name, "ipRange": CIDR, "labels": labels }));
    p.add(
        "nodesSubnet",
        "hcloud:NetworkSubnet",
        json!({
            "networkId": ip("network.id"), "type": "cloud", "networkZone": "eu-central", "ipRange": subnet16(8, 1),
        }),
    );
    let rule = |desc: &str, port: &str| json!({ "description": desc, "direction": "in", "protocol": "tcp", "port": port, "sourceIps": ["0.0.0.0/0", "::/0"] });
    p.add(
        "firewall",
        "hcloud:Firewall",
        json!({
            "name": name, "labels": labels,
            "rules": [rule("Kubernetes API", "6443"), rule("HTTP (ingress)", "80"), rule("HTTPS (ingress)", "443")],
        }),
    );
    p.add(
        "serverPlacement",
        "hcloud:PlacementGroup",
        json!({ "name": format!("{name}-servers"), "type": "spread", "labels": labels }),
    );
    p.add("k3sToken", "random:RandomPassword", json!({ "length": 48, "special": false }));
    let pools = ctx.pools.clone();
    let cp = pools.iter().find(|x| x.name == "control-plane");
    let servers = cp.map_or(if ctx.ha() { 3 } else { 1 }, |c| c.max_nodes.max(1));
    let cp_size = cp.map_or_else(|| versions::default_size(ProviderName::Hetzner).to_owned(), |c| c.size.clone());
    let install = "curl -sfL https://get.k3s.io -o /run/k3s-install.sh";
    for i in 0..servers {
        let join = if i == 0 { "--cluster-init".to_owned() } else { "--server https://10.0.1.2:6443".to_owned() };
        let user_data = format!(
            "#cloud-config\nruncmd:\n- {install}\n- INSTALL_K3S_CHANNEL='v{version}' K3S_TOKEN='${{k3sToken.result}}' sh /run/k3s-install.sh server {join} --secrets-encryption --node-label skyform.dev/pool=control-plane\n"
        );
        let o = p.add(&format!("server{i}"), "hcloud:Server", json!({
            "name": format!("{name}-server-{i}"), "serverType": cp_size, "image": "ubuntu-24.04", "location": ctx.region,
            "placementGroupId": ip("serverPlacement.id"), "firewallIds": [ip("firewall.id")], "userData": user_data,
            "labels": { "environment": ctx.env.name, "managed-by": "skyform", "platform": ctx.model.name, "role": "server" },
            "networks": [{ "networkId": ip("network.id"), "ip": format!("10.0.1.{}", i + 2) }],
        }));
        o.ignore_changes = vec!["userData".into()];
        o.depends_on = vec!["${nodesSubnet}".into()];
        if i > 0 {
            o.depends_on.push("${server0}".into());
        }
    }
    for pool in pools.iter().filter(|x| x.name != "control-plane") {
        for i in 0..pool.max_nodes {
            let user_data = format!(
                "#cloud-config\nruncmd:\n- {install}\n- INSTALL_K3S_CHANNEL='v{version}' K3S_URL='https://10.0.1.2:6443' K3S_TOKEN='${{k3sToken.result}}' sh /run/k3s-install.sh agent --node-label skyform.dev/pool={}\n",
                pool.name
            );
            let o = p.add(&format!("agent{}{i}", ident(&pool.name)), "hcloud:Server", json!({
                "name": format!("{name}-{}-{i}", pool.name), "serverType": pool.size, "image": "ubuntu-24.04", "location": ctx.region,
                "firewallIds": [ip("firewall.id")], "userData": user_data,
                "labels": { "environment": ctx.env.name, "managed-by": "skyform", "platform": ctx.model.name, "role": "agent", "pool": pool.name },
                "networks": [{ "networkId": ip("network.id") }],
            }));
            o.ignore_changes = vec!["userData".into()];
            o.depends_on = vec!["${server0}".into()];
        }
    }
    p.out("clusterEndpoint", json!("https://${server0.ipv4Address}:6443"));
    p.out("kubeconfigCommand", json!("ssh root@${server0.ipv4Address} cat /etc/rancher/k3s/k3s.yaml"));
    p.out("k3sToken", secret(ip("k3sToken.result")));
    p.add("zone", "hcloud:Zone", json!({ "name": ctx.env.domain, "mode": "primary", "ttl": TTL, "labels": labels }));
    for (rel, _) in records(ctx) {
        p.add(&format!("record{}", ident(&rel)), "hcloud:ZoneRrset", json!({
            "zone": ip("zone.name"), "name": rel, "type": "A", "ttl": TTL, "records": [{ "value": ip("ingressIp") }],
        }));
    }
}
