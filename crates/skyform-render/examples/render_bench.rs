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

#[path = "support/generated.rs"]
mod generated;
use generated::generated;

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
