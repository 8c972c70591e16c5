//! Benchmark and dump tool for the k8s renderer.
//!
//! ```text
//! cargo run --release -p skyform-render --example render_bench -- bench PLATFORM.yaml...
//! cargo run --release -p skyform-render --example render_bench -- generated N
//! cargo run --release -p skyform-render --example render_bench -- dump OUT_DIR PLATFORM.yaml...
//! cargo run --release -p skyform-render --example render_bench -- platform N > platform.yaml
//! ```
//! `bench` renders every environment × every provider of each file (to YAML files in
//! memory) and prints timings; `generated N` does the same for a synthetic platform of N
//! services; `platform N` prints that synthetic platform file (what `scripts/bench-render`
//! feeds to `skyform render` and `helm template`); `dump` writes every combination to `OUT_DIR/<platform>/<env>/<provider>/`.

use skyform_render::objects::{ALL_PROVIDERS, provider_name};
use std::time::Instant;

fn load(path: &str) -> Result<skyform_model::Model, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    skyform_model::compile(&text).map_err(|d| format!("{path}: {} diagnostics, first: {:?}", d.len(), d.first()))
}

/// A synthetic platform: `n` services over 4 tiers, each depending on up to two
/// earlier services, every fourth one stateful, every third one exposed.
fn generated(n: usize) -> String {
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

fn bench(label: &str, model: &skyform_model::Model, rounds: u32) {
    let start = Instant::now();
    let mut files = 0usize;
    let mut bytes = 0usize;
    for _ in 0..rounds {
        files = 0;
        bytes = 0;
        for env in &model.environments {
            for p in ALL_PROVIDERS {
                for f in skyform_render::render_k8s(model, env, p) {
                    files += 1;
                    bytes += f.contents.len();
                }
            }
        }
    }
    let per = start.elapsed() / rounds;
    let combos = model.environments.len() * ALL_PROVIDERS.len();
    println!(
        "{label}: {} services, {combos} env×provider renders, {files} files, {bytes} bytes: {:.3} ms per full set, {:.3} ms per render",
        model.environments.first().map_or(0, |e| e.services.len()),
        per.as_secs_f64() * 1e3,
        per.as_secs_f64() * 1e3 / combos as f64
    );
}

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("bench") => {
            for path in &args[1..] {
                let m = load(path)?;
                bench(&m.name.clone(), &m, 20);
            }
        }
        Some("generated") => {
            let n: usize = args.get(1).and_then(|x| x.parse().ok()).ok_or("generated N")?;
            let t = Instant::now();
            let m = skyform_model::compile(&generated(n)).map_err(|d| format!("{:?}", d.first()))?;
            println!("generated-{n}: compile {:.3} ms", t.elapsed().as_secs_f64() * 1e3);
            bench(&format!("generated-{n}"), &m, if n >= 1000 { 1 } else { 5 });
        }
        Some("platform") => {
            let n: usize = args.get(1).and_then(|x| x.parse().ok()).ok_or("platform N")?;
            print!("{}", generated(n));
        }
        Some("dump") => {
            let out = args.get(1).ok_or("dump OUT_DIR FILE...")?;
            for path in &args[2..] {
                let m = load(path)?;
                for env in &m.environments {
                    for p in ALL_PROVIDERS {
                        let dir = std::path::Path::new(out).join(&m.name).join(&env.name).join(provider_name(p));
                        for f in skyform_render::render_k8s(&m, env, p) {
                            let path = dir.join(&f.path);
                            if let Some(parent) = path.parent() {
                                std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
                            }
                            std::fs::write(&path, f.contents).map_err(|e| e.to_string())?;
                        }
                    }
                }
            }
        }
        _ => return Err("usage: render_bench bench FILE... | generated N | platform N | dump OUT_DIR FILE...".into()),
    }
    Ok(())
}
