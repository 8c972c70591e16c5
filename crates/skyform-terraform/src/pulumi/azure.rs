//! Pulumi on Azure (the classic `azure:` provider): the virtual network, AKS with its
//! node pools, and the managed services.

use super::*;

pub(super) fn build(p: &mut Prog<'_, '_>) {
    let ctx = p.ctx;
    let name = ctx.name.clone();
    let labels = p.labels();
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
    services(p);
}

/// A resource group `<cluster name>-<suffix>` in the region.
fn rg(p: &mut Prog<'_, '_>, logical: &str, suffix: &str) {
    let (name, region) = (p.ctx.name.clone(), p.ctx.region.clone());
    p.add(
        logical,
        "azure:core:ResourceGroup",
        json!({ "name": format!("{name}-{suffix}"), "location": region, "tags": ip("labels") }),
    );
}

/// DNS, storage and the managed data services, each in its own resource group.
fn services(p: &mut Prog<'_, '_>) {
    let ctx = p.ctx;
    let name = ctx.name.clone();
    let labels = p.labels();
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
