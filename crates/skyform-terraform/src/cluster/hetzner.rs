//! The Hetzner (and k3s / kind) implementation: k3s on Hetzner Cloud servers, installed
//! by cloud-init, with the kubeconfig fetched from the first server.

use super::*;

/// k3s on Hetzner Cloud servers, bootstrapped by cloud-init. The cluster CA and the
/// administrator's client certificate are made by the `tls` provider and handed to k3s
/// (k3s uses CA files present in `server/tls` at first start), so the module can output
/// a real CA certificate and kubeconfig without SSH. Private keys live only in state.
pub(super) fn module() -> Module {
    let servers = r("local.servers");
    let mut main = pki(File::new().blk(locals()));
    let cloud_init = |role: &str| {
        call(
            "templatefile",
            [
                tpl(format!("${{path.module}}/cloud-init-{role}.yaml.tftpl")),
                obj([
                    ("k3s_channel", tpl("v${var.kubernetes_version}")),
                    ("token", r("random_password.k3s_token.result")),
                    ("server_ca_cert", r("tls_self_signed_cert.server_ca.cert_pem")),
                    ("server_ca_key", r("tls_private_key.server_ca.private_key_pem")),
                    ("client_ca_cert", r("tls_self_signed_cert.client_ca.cert_pem")),
                    ("client_ca_key", r("tls_private_key.client_ca.private_key_pem")),
                    (
                        "cluster_args",
                        cond(
                            op(r("count.index"), BinaryOperator::Eq, n(0)),
                            s("--cluster-init"),
                            s("--server https://10.0.1.2:6443"),
                        ),
                    ),
                ]),
            ],
        )
    };
    let network_blk = || Blk::new("network", &[]).a("network_id", call("tonumber", [r("var.network.id")]));
    main = main
        .blk(
            Blk::resource("hcloud_placement_group", "servers")
                .a("name", tpl("${var.cluster_name}-servers"))
                .a("type", s("spread"))
                .a("labels", r("var.labels")),
        )
        .blk(
            Blk::resource("hcloud_server", "server")
                .a("count", servers)
                .a("name", tpl("${var.cluster_name}-server-${count.index}"))
                .a("server_type", r("local.control_plane.size"))
                .a("image", s("ubuntu-24.04"))
                .a("location", r("var.region"))
                .a("placement_group_id", r("hcloud_placement_group.servers.id"))
                .a("firewall_ids", call("compact", [arr([r("var.network.firewall_id")])]))
                .a("user_data", cloud_init("server"))
                .a("labels", call("merge", [r("var.labels"), obj([("role", s("server"))])]))
                .blk(network_blk().a("ip", tpl("10.0.1.${count.index + 2}")))
                .blk(Blk::new("lifecycle", &[]).a("ignore_changes", arr([r("user_data")]))),
        );
    let agent_init = call(
        "templatefile",
        [
            tpl("${path.module}/cloud-init-agent.yaml.tftpl"),
            obj([
                ("k3s_channel", tpl("v${var.kubernetes_version}")),
                ("token", r("random_password.k3s_token.result")),
                ("server_url", s("https://10.0.1.2:6443")),
                ("pool", r("each.value.name")),
            ]),
        ],
    );
    main = main.blk(
        Blk::resource("hcloud_server", "agent")
            .a("for_each", r("local.agents"))
            .a("name", tpl("${var.cluster_name}-${each.key}"))
            .a("server_type", r("each.value.size"))
            .a("image", s("ubuntu-24.04"))
            .a("location", r("var.region"))
            .a("firewall_ids", call("compact", [arr([r("var.network.firewall_id")])]))
            .a("user_data", agent_init)
            .a("labels", call("merge", [r("var.labels"), obj([("role", s("agent")), ("pool", r("each.value.name"))])]))
            .blk(network_blk())
            .blk(Blk::new("lifecycle", &[]).a("ignore_changes", arr([r("user_data")])))
            .a("depends_on", arr([r("hcloud_server.server")])),
    );
    let kubeconfig = kubeconfig(
        r("local.api_endpoint"),
        call("base64encode", [r("tls_self_signed_cert.server_ca.cert_pem")]),
        s("skyform-admin"),
        obj([
            ("client-certificate-data", call("base64encode", [r("tls_locally_signed_cert.admin.cert_pem")])),
            ("client-key-data", call("base64encode", [r("tls_private_key.admin.private_key_pem")])),
        ]),
    );
    let outs = outputs(r("local.api_endpoint"), r("tls_self_signed_cert.server_ca.cert_pem"), kubeconfig);
    let extra = vec![
        ("cloud-init-server.yaml.tftpl".to_owned(), crate::root::cloud_init_server()),
        ("cloud-init-agent.yaml.tftpl".to_owned(), crate::root::cloud_init_agent()),
    ];
    (main, outs, vec![versions::HCLOUD, versions::RANDOM, versions::TLS], extra)
}

/// The module's locals: the control-plane pool (or a default one), the worker pools
/// and one agent per worker node.
fn locals() -> Blk {
    let cp_filter = op(r("p.name"), BinaryOperator::Eq, s("control-plane"));
    let worker_filter = op(r("p.name"), BinaryOperator::NotEq, s("control-plane"));
    Blk::new("locals", &[])
        .a(
            "control_plane",
            call(
                "coalesce",
                [
                    call("one", [for_list("p", r("var.node_pools"), r("p"), Some(cp_filter))]),
                    obj([
                        ("name", s("control-plane")),
                        ("size", s("cx22")),
                        ("min_nodes", cond(r("var.high_availability"), n(3), n(1))),
                        ("max_nodes", cond(r("var.high_availability"), n(3), n(1))),
                        ("auto_scale", b(false)),
                        ("spot", b(false)),
                    ]),
                ],
            ),
        )
        .a("servers", call("max", [r("local.control_plane.max_nodes"), n(1)]))
        .a("workers", for_list("p", r("var.node_pools"), r("p"), Some(worker_filter)))
        .a(
            "agents",
            call_expand(
                "merge",
                [
                    obj::<&str>([]),
                    for_list(
                        "p",
                        r("local.workers"),
                        for_map("i", call("range", [r("p.max_nodes")]), tpl("${p.name}-${i}"), r("p")),
                        None,
                    ),
                ],
            ),
        )
        .a("api_endpoint", tpl("https://${hcloud_server.server[0].ipv4_address}:6443"))
}

/// The k3s token, the server and client CAs and the administrator's client
/// certificate (all in state only).
fn pki(main: File) -> File {
    let ca_subject = |cn: &str| Blk::new("subject", &[]).a("common_name", tpl(cn));
    let ca = |name: &str, cn: &str| {
        [
            Blk::resource("tls_private_key", name).a("algorithm", s("ECDSA")).a("ecdsa_curve", s("P256")),
            Blk::resource("tls_self_signed_cert", name)
                .a("private_key_pem", r(&format!("tls_private_key.{name}.private_key_pem")))
                .a("is_ca_certificate", b(true))
                .a("validity_period_hours", n(87600))
                .a("allowed_uses", strs(["cert_signing", "crl_signing", "digital_signature", "key_encipherment"]))
                .blk(ca_subject(cn)),
        ]
    };
    let mut main = main.blk(Blk::resource("random_password", "k3s_token").a("length", n(48)).a("special", b(false)));
    for blk in ca("server_ca", "${var.cluster_name}-server-ca")
        .into_iter()
        .chain(ca("client_ca", "${var.cluster_name}-client-ca"))
    {
        main.push(blk);
    }
    main = main
        .blk(Blk::resource("tls_private_key", "admin").a("algorithm", s("ECDSA")).a("ecdsa_curve", s("P256")))
        .blk(
            Blk::resource("tls_cert_request", "admin")
                .a("private_key_pem", r("tls_private_key.admin.private_key_pem"))
                .blk(
                    Blk::new("subject", &[])
                        .a("common_name", s("skyform-admin"))
                        .a("organization", s("system:masters")),
                ),
        )
        .blk(
            Blk::resource("tls_locally_signed_cert", "admin")
                .a("cert_request_pem", r("tls_cert_request.admin.cert_request_pem"))
                .a("ca_private_key_pem", r("tls_private_key.client_ca.private_key_pem"))
                .a("ca_cert_pem", r("tls_self_signed_cert.client_ca.cert_pem"))
                .a("validity_period_hours", n(8760))
                .a("allowed_uses", strs(["client_auth", "digital_signature", "key_encipherment"])),
        );
    main
}
