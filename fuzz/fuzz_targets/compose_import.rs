//! Fuzzes the docker-compose importer: compose text → load/interpolate/merge → convert →
//! emitted platform file. Properties: no panic on any input; a successful import always
//! produces a platform file that compiles with zero errors; errors always render.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // An optional override file after a `\n---override---\n` marker exercises merging.
    let (main, over) = match text.split_once("\n---override---\n") {
        Some((a, b)) => (a, Some(b)),
        None => (text, None),
    };
    let mut files = vec![skyform_compose::ComposeFile::new("docker-compose.yml", main)];
    if let Some(o) = over {
        files.push(skyform_compose::ComposeFile::new("docker-compose.override.yml", o));
    }
    let env: BTreeMap<String, String> =
        [("TAG", "1.2.3"), ("EMPTY", ""), ("PASSWORD", "p")].into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let options = skyform_compose::ImportOptions { env, profiles: vec!["dev".to_string()], project_name: Some("fuzz".to_string()) };
    let read = |path: &str| match path {
        "app.env" => Some("A=1\nB_PASSWORD=x\nC=\"${TAG}\"\n".to_string()),
        "common.yml" => Some("services:\n  base:\n    image: ghcr.io/x/base:1\n    ports: [\"8080\"]\n".to_string()),
        _ => None,
    };
    match skyform_compose::import(&files, &options, &read) {
        Ok(import) => {
            let _ = import.report.render();
            if let Err(diags) = skyform_model::compile(&import.platform_yaml) {
                let source = skyform_spec::SourceFile::new("platform.yaml", import.platform_yaml.clone());
                panic!(
                    "imported platform does not compile:\n{}\n{}",
                    skyform_spec::diag::render_all(&diags, &source, false),
                    import.platform_yaml
                );
            }
        }
        Err(failure) => {
            assert!(!failure.errors.is_empty());
            let _ = failure.render(true);
        }
    }
});
