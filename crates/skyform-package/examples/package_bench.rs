//! Dump and benchmark tool for the Helm and Kustomize packagers.
//!
//! ```text
//! cargo run --release -p skyform-package --example package_bench -- dump OUT_DIR PROVIDER PLATFORM.yaml
//! cargo run --release -p skyform-package --example package_bench -- bench ROUNDS PROVIDER PLATFORM.yaml...
//! cargo run --release -p skyform-package --example package_bench -- compare ROUNDS PROVIDER ENV PLATFORM.yaml...
//! ```
//! `compare` (run from the workspace root; tools from `.tools/bin`) measures, in one run,
//! the in-process render of every environment in every format against `helm template`
//! (Helm 4 and Helm 3) and `kubectl kustomize` of the generated output for one
//! environment, and prints a Markdown table row per platform (medians).
//! Objects are the k8s renderer's plus the add-ons', as `skyform render` passes them.
//! `dump` writes `OUT_DIR/helm/…`, `OUT_DIR/kustomize/…` and `OUT_DIR/plain/<env>.yaml`;
//! `bench` times what `skyform render` does for every environment and every format
//! (plain manifests, Helm chart, Kustomize tree) from `platform.yaml` text to files in
//! memory, and prints milliseconds per complete set.

use skyform_package::{EnvObjects, Package, helm, kustomize};
use std::time::Instant;

fn load(path: &str) -> Result<(String, skyform_model::Model), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let m = skyform_model::compile(&text).map_err(|d| format!("{path}: {} diagnostics", d.len()))?;
    Ok((text, m))
}

fn objects(m: &skyform_model::Model, provider: skyform_model::ProviderName) -> Vec<EnvObjects> {
    m.environments
        .iter()
        .map(|e| {
            let mut objs = skyform_render::render_objects(m, e, provider);
            objs.extend(skyform_addons::objects(m, e, provider));
            skyform_render::objects::sort_objects(&mut objs);
            (e.name.clone(), objs)
        })
        .collect()
}

/// Everything `skyform render` produces for all environments and formats; returns bytes.
fn render_all(text: &str, provider: skyform_model::ProviderName) -> Result<usize, String> {
    let m = skyform_model::compile(text).map_err(|d| format!("{} diagnostics", d.len()))?;
    let envs = objects(&m, provider);
    let mut bytes = 0;
    for (_, objs) in &envs {
        bytes += skyform_render::output::files(objs).iter().map(|f| f.contents.len()).sum::<usize>();
    }
    let pkg = Package::from_model(&m, &envs);
    bytes += helm::render(&pkg).map_err(|e| e.to_string())?.iter().map(|f| f.contents.len()).sum::<usize>();
    bytes += kustomize::render(&pkg).map_err(|e| e.to_string())?.iter().map(|f| f.contents.len()).sum::<usize>();
    Ok(bytes)
}

/// Median wall-clock milliseconds of `rounds` runs of `f`.
fn median(rounds: usize, mut f: impl FnMut() -> Result<(), String>) -> Result<f64, String> {
    let mut times = Vec::with_capacity(rounds.max(1));
    for _ in 0..rounds.max(1) {
        let start = Instant::now();
        f()?;
        times.push(start.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    Ok(times[times.len() / 2])
}

fn run(cmd: &mut std::process::Command) -> Result<(), String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if out.status.success() { Ok(()) } else { Err(format!("{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr))) }
}

fn write(dir: &std::path::Path, files: &[skyform_package::RenderedFile]) -> Result<(), String> {
    for f in files {
        let p = dir.join(&f.path);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        std::fs::write(&p, &f.contents).map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let provider = |s: Option<&String>| {
        s.and_then(|p| skyform_render::parse_provider(p)).ok_or_else(|| "unknown provider".to_string())
    };
    match args.first().map(String::as_str) {
        Some("dump") => {
            let out = std::path::Path::new(args.get(1).ok_or("dump OUT_DIR PROVIDER FILE")?);
            let p = provider(args.get(2))?;
            let (_, m) = load(args.get(3).ok_or("dump OUT_DIR PROVIDER FILE")?)?;
            let envs = objects(&m, p);
            let pkg = Package::from_model(&m, &envs);
            write(&out.join("helm"), &helm::render(&pkg).map_err(|e| e.to_string())?)?;
            write(&out.join("kustomize"), &kustomize::render(&pkg).map_err(|e| e.to_string())?)?;
            for (name, objs) in &envs {
                let f = skyform_package::RenderedFile {
                    path: format!("plain/{name}.yaml"),
                    contents: skyform_render::output::stream(objs),
                };
                write(out, &[f])?;
            }
        }
        Some("bench") => {
            let rounds: u32 = args.get(1).and_then(|r| r.parse().ok()).ok_or("bench ROUNDS PROVIDER FILE...")?;
            let p = provider(args.get(2))?;
            for path in &args[3..] {
                let (text, m) = load(path)?;
                let start = Instant::now();
                let mut bytes = 0;
                for _ in 0..rounds.max(1) {
                    bytes = render_all(&text, p)?;
                }
                let per = start.elapsed().as_secs_f64() * 1e3 / f64::from(rounds.max(1));
                println!("{}: {} environments x 3 formats, {bytes} bytes: {per:.3} ms", m.name, m.environments.len());
                // Where the time goes, one stage at a time.
                let envs = objects(&m, p);
                let pkg = Package::from_model(&m, &envs);
                type Stage<'a> = (&'a str, Box<dyn Fn() -> Result<(), String> + 'a>);
                let stages: [Stage<'_>; 5] = [
                    ("compile", Box::new(|| skyform_model::compile(&text).map(drop).map_err(|_| "diagnostics".into()))),
                    ("objects (k8s + add-ons)", Box::new(|| {
                        drop(objects(&m, p));
                        Ok(())
                    })),
                    ("plain files", Box::new(|| {
                        envs.iter().for_each(|(_, o)| drop(skyform_render::output::files(o)));
                        Ok(())
                    })),
                    ("helm chart", Box::new(|| helm::render(&pkg).map(drop).map_err(|e| e.to_string()))),
                    ("kustomize tree", Box::new(|| kustomize::render(&pkg).map(drop).map_err(|e| e.to_string()))),
                ];
                for (name, f) in &stages {
                    println!("  {name}: {:.3} ms", median(rounds as usize, f)?);
                }
            }
        }
        Some("compare") => {
            let rounds: usize = args.get(1).and_then(|r| r.parse().ok()).ok_or("compare ROUNDS PROVIDER ENV FILE...")?;
            let p = provider(args.get(2))?;
            let env = args.get(3).ok_or("compare ROUNDS PROVIDER ENV FILE...")?;
            let tools = std::path::Path::new(".tools/bin");
            for t in ["helm", "helm3", "kubectl"] {
                if !tools.join(t).is_file() {
                    return Err(format!("{} missing: run scripts/setup-tools", tools.join(t).display()));
                }
            }
            println!("| platform | objects ({env}) | skyform: all envs x 3 formats | helm 4 template ({env}) | helm 3 template ({env}) | kubectl kustomize ({env}) |");
            println!("|---|---|---|---|---|---|");
            for path in &args[4..] {
                let (text, m) = load(path)?;
                let ours = median(rounds, || render_all(&text, p).map(|_| ()))?;
                let envs = objects(&m, p);
                let count = envs.iter().find(|(n, _)| n == env).map(|(_, o)| o.len()).ok_or("no such environment")?;
                let pkg = Package::from_model(&m, &envs);
                let dir = std::env::temp_dir().join(format!("skyform-package-bench-{}-{}", m.name, std::process::id()));
                write(&dir.join("helm"), &helm::render(&pkg).map_err(|e| e.to_string())?)?;
                write(&dir.join("kustomize"), &kustomize::render(&pkg).map_err(|e| e.to_string())?)?;
                let values = dir.join("helm").join(format!("values-{env}.yaml"));
                let mut tool_ms = Vec::new();
                for helm_bin in ["helm", "helm3"] {
                    tool_ms.push(median(rounds, || {
                        run(std::process::Command::new(tools.join(helm_bin))
                            .args(["template", "bench"])
                            .arg(dir.join("helm"))
                            .arg("-f")
                            .arg(&values))
                    })?);
                }
                tool_ms.push(median(rounds, || {
                    run(std::process::Command::new(tools.join("kubectl"))
                        .arg("kustomize")
                        .arg(dir.join("kustomize").join("overlays").join(env)))
                })?);
                let _ = std::fs::remove_dir_all(&dir);
                println!(
                    "| {} | {count} | {ours:.1} ms | {:.1} ms | {:.1} ms | {:.1} ms |",
                    m.name, tool_ms[0], tool_ms[1], tool_ms[2]
                );
            }
        }
        _ => return Err("usage: package_bench dump OUT_DIR PROVIDER FILE | bench ROUNDS PROVIDER FILE... | compare ROUNDS PROVIDER ENV FILE...".into()),
    }
    Ok(())
}
