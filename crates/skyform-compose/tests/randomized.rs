//! Randomized robustness test (runs in plain `cargo test`; the cargo-fuzz target in
//! `fuzz/fuzz_targets/compose_import.rs` explores the same property with coverage
//! guidance). Property: the importer never panics, and whenever it succeeds its output
//! compiles with zero errors and is byte-identical on a second run.

mod common;

use skyform_compose::{ComposeFile, ImportOptions};
use std::collections::BTreeMap;

const KEYS: &[&str] = &[
    "image",
    "build",
    "command",
    "entrypoint",
    "ports",
    "expose",
    "environment",
    "env_file",
    "volumes",
    "depends_on",
    "deploy",
    "healthcheck",
    "profiles",
    "extends",
    "user",
    "privileged",
    "network_mode",
    "cap_add",
    "tmpfs",
    "links",
    "secrets",
    "restart",
    "hostname",
    "scale",
    "cpus",
    "mem_limit",
    "read_only",
    "labels",
    "networks",
    "bogus_key",
];
const SCALARS: &[&str] = &[
    "postgres:16",
    "redis",
    "nginx:1.27",
    "minio/minio:RELEASE.1",
    "ghcr.io/x/app:1.0",
    "8080",
    "\"80:80\"",
    "\"5433:5432\"",
    "\"127.0.0.1:9000-9001:9000-9001/udp\"",
    "0",
    "-1",
    "65536",
    "\"0.5\"",
    "512M",
    "1g",
    "true",
    "false",
    "null",
    "~",
    "\"${X:-d}\"",
    "\"${Y:?no}\"",
    "\"$$\"",
    "\"$\"",
    "\"postgres://u:p@db:5432/x\"",
    "\"redis://cache\"",
    "\"http://web:80/\"",
    "\"db:5432\"",
    "\"/data\"",
    "\"./x:/y:ro\"",
    "\"vol:/var/lib/postgresql/data\"",
    "\"CMD-SHELL\"",
    "\"curl -f http://localhost:8080/h\"",
    "\"\"",
    "\"ü\\u0085\\u2028\"",
    "host",
    "\"a b\"",
    "\"KEY=VALUE\"",
    "\"PASSWORD=x\"",
    "3",
    "1.5",
    "[]",
    "{}",
];
const NAMES: &[&str] = &["web", "db", "cache", "Worker_1", "9x", "api", "proxy", "a.b", "db", "web-2"];

fn value(rng: &mut fastrand::Rng, depth: usize) -> String {
    match if depth > 2 { 0 } else { rng.u8(0..6) } {
        0..=2 => SCALARS[rng.usize(0..SCALARS.len())].to_string(),
        3 => {
            let n = rng.usize(0..4);
            format!("[{}]", (0..n).map(|_| value(rng, depth + 1)).collect::<Vec<_>>().join(", "))
        }
        _ => {
            let n = rng.usize(0..4);
            let keys = [
                "target",
                "published",
                "condition",
                "resources",
                "limits",
                "reservations",
                "cpus",
                "memory",
                "replicas",
                "test",
                "service",
                "file",
                "source",
                "type",
                "A_PASSWORD",
                "URL",
                "interval",
                "retries",
            ];
            format!(
                "{{{}}}",
                (0..n)
                    .map(|_| format!("{}: {}", keys[rng.usize(0..keys.len())], value(rng, depth + 1)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    }
}

fn compose(rng: &mut fastrand::Rng) -> String {
    let mut s = String::from("services:\n");
    for _ in 0..rng.usize(0..5) {
        s.push_str(&format!("  {}:\n", NAMES[rng.usize(0..NAMES.len())]));
        let mut used = Vec::new();
        if rng.bool() {
            s.push_str(&format!("    image: {}\n", SCALARS[rng.usize(0..5)]));
            used.push("image");
        }
        for _ in 0..rng.usize(0..6) {
            let k = KEYS[rng.usize(0..KEYS.len())];
            if used.contains(&k) {
                continue;
            }
            used.push(k);
            s.push_str(&format!("    {k}: {}\n", value(rng, 0)));
        }
    }
    if rng.u8(0..4) == 0 {
        s.push_str("volumes:\n  vol: {}\n");
    }
    s
}

fn mutate(rng: &mut fastrand::Rng, text: &str) -> String {
    let mut bytes: Vec<char> = text.chars().collect();
    for _ in 0..rng.usize(1..6) {
        if bytes.is_empty() {
            break;
        }
        let i = rng.usize(0..bytes.len());
        match rng.u8(0..3) {
            0 => {
                bytes.remove(i);
            }
            1 => bytes.insert(i, ['$', '{', '}', ':', '-', ' ', '\n', '"', '\'', '[', '#', '&', '*'][rng.usize(0..13)]),
            _ => {
                let j = rng.usize(0..bytes.len());
                bytes.swap(i, j);
            }
        }
    }
    bytes.into_iter().collect()
}

fn check(text: &str, case: &str) {
    let files = [ComposeFile::new("docker-compose.yml", text)];
    let env: BTreeMap<String, String> =
        [("X", "x"), ("PASSWORD", "p")].into_iter().map(|(k, v)| (k.into(), v.into())).collect();
    let options = ImportOptions { env, profiles: vec!["dev".into()], project_name: Some("fuzz".into()) };
    let read = |p: &str| (p == "base.yml").then(|| "services:\n  base:\n    image: a:1\n".to_string());
    match skyform_compose::import(&files, &options, &read) {
        Ok(import) => {
            if let Err(diags) = skyform_model::compile(&import.platform_yaml) {
                let src = skyform_spec::SourceFile::new("out.yaml", import.platform_yaml.clone());
                panic!(
                    "{case}: output does not compile\n--- input\n{text}\n--- output\n{}\n{}",
                    import.platform_yaml,
                    skyform_spec::diag::render_all(&diags, &src, false)
                );
            }
            let again = skyform_compose::import(&files, &options, &read).map(|i| i.platform_yaml).unwrap_or_default();
            assert_eq!(import.platform_yaml, again, "{case}: not deterministic");
            let _ = import.report.render();
        }
        Err(failure) => {
            assert!(!failure.errors.is_empty(), "{case}: failure without errors");
            let _ = failure.render(false);
        }
    }
}

#[test]
fn generated_compose_files_never_panic_and_always_compile() {
    let seed = std::env::var("SKYFORM_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5eed);
    let iterations = std::env::var("SKYFORM_FUZZ_ITERATIONS").ok().and_then(|s| s.parse().ok()).unwrap_or(3000);
    let mut rng = fastrand::Rng::with_seed(seed);
    for i in 0..iterations {
        let text = compose(&mut rng);
        check(&text, &format!("seed {seed} case {i}"));
    }
}

#[test]
fn mutated_stacks_never_panic() {
    let mut rng = fastrand::Rng::with_seed(7);
    let dir = common::crate_dir().join("test-data/stacks");
    let mut texts = Vec::new();
    for stack in ["webapp", "queue-pipeline", "identity", "monitoring", "profiles"] {
        if let Ok(t) = std::fs::read_to_string(dir.join(stack).join("docker-compose.yml")) {
            texts.push(t);
        }
    }
    if let Ok(t) = std::fs::read_to_string(common::repo_dir().join("examples/health-platform/docker-compose.yml")) {
        texts.push(t);
    }
    for i in 0..1500 {
        let base = &texts[i % texts.len()];
        let text = mutate(&mut rng, base);
        check(&text, &format!("mutation {i}"));
    }
}
