//! Pulumi on AWS: the VPC, EKS with its node groups, and RDS / ElastiCache / Route 53 /
//! S3 for the managed services.

use super::*;

pub(super) fn build(p: &mut Prog<'_, '_>) {
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
    services(p, &subnets);
}

/// DNS, object storage and the managed data services.
fn services(p: &mut Prog<'_, '_>, subnets: &[Value]) {
    let ctx = p.ctx;
    let name = ctx.name.clone();
    let labels = p.labels();
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
