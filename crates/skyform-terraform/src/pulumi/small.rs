//! Pulumi on the providers whose cloud returns a kubeconfig: DigitalOcean, Linode, Civo
//! and Vultr.

use super::*;

pub(super) fn digitalocean(p: &mut Prog<'_, '_>) {
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

pub(super) fn linode(p: &mut Prog<'_, '_>) {
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
pub(super) fn civo(p: &mut Prog<'_, '_>) {
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

pub(super) fn vultr(p: &mut Prog<'_, '_>) {
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
