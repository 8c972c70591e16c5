//! Pulumi on Google Cloud: the VPC, GKE with its node pools, and Cloud SQL / Memorystore /
//! Cloud DNS / Cloud Storage for the managed services.

use super::*;

pub(super) fn build(p: &mut Prog<'_, '_>) {
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
