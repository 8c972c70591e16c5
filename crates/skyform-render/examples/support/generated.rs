//! The synthetic platform of the benchmarks (`render_bench platform N`, which
//! `scripts/bench-render` mirrors) and of the large-chart test of skyform-package, which
//! includes this file by path: one generator, no copy.

/// A synthetic platform: `n` services over 4 tiers, each depending on up to two
/// earlier services, every fourth one stateful, every third one exposed.
pub fn generated(n: usize) -> String {
    let mut s = String::from(
        "apiVersion: skyform.dev/v1alpha1\nkind: Platform\nmetadata: { name: gen }\nspec:\n  domain: gen.example.com\n  kubernetesVersion: \"1.31\"\n  tiers: [t0, t1, t2, t3]\n  providers: { aws: {}, gcp: {}, azure: {}, digitalocean: {}, linode: {}, civo: {}, vultr: {}, hetzner: {}, k3s: {} }\n  services:\n",
    );
    for i in 0..n {
        s.push_str(&format!("    svc-{i}:\n      tier: t{}\n", i % 4));
        if i % 4 == 3 {
            s.push_str(
                "      component: postgres\n      storage: { size: 10Gi }\n      secrets: [POSTGRES_PASSWORD]\n",
            );
        } else {
            s.push_str(&format!(
                "      image: example/svc-{i}:1.0.0\n      ports: [{{ name: http, port: 8080 }}]\n      replicas: 2..6\n      autoscale: {{ cpu: 70% }}\n      probes: {{ liveness: /healthz, readiness: /ready }}\n      resources: {{ cpu: 100m..500m, memory: 128Mi..256Mi }}\n      env: {{ MODE: \"{i}\" }}\n      spot: true\n"
            ));
            if i % 3 == 0 {
                s.push_str(&format!("      expose: {{ host: \"s{i}.{{domain}}\" }}\n"));
            }
        }
        let deps: Vec<String> =
            [i.checked_sub(1), i.checked_sub(5)].into_iter().flatten().map(|d| format!("svc-{d}")).collect();
        if !deps.is_empty() {
            s.push_str(&format!("      dependsOn: [{}]\n", deps.join(", ")));
        }
    }
    s.push_str("  environments:\n    dev: { replicas: min }\n    production: {}\n");
    s
}
