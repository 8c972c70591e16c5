//! Pulumi on Hetzner Cloud (and k3s / kind): k3s servers and agents installed by
//! cloud-init, one server per agent (Pulumi YAML has no `count`).

use super::*;

/// Hetzner: k3s on Cloud servers via cloud-init. Unlike the Terraform module, the
/// program does not pre-generate the cluster CAs (there is no offline `@pulumi/tls`
/// schema), so k3s makes its own and the kubeconfig is read from the first server.
pub(super) fn build(p: &mut Prog<'_, '_>) {
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
