//! Shared helpers of the integration tests: platforms under test, the complete object set
//! the CLI passes (k8s renderer plus add-ons), the real tools, and object comparison.

#![allow(dead_code)]

use serde_json::Value;
use skyform_package::{EnvObjects, Package, RenderedFile, helm, kustomize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// (label, path relative to the workspace root).
pub const PLATFORMS: &[(&str, &str)] =
    &[("health-platform", "examples/health-platform/platform.yaml"), ("resimate", "examples/resimate/platform.yaml")];

/// Providers under test: everything in-cluster (k3s) and managed databases (aws).
pub const PROVIDERS: &[&str] = &["k3s", "aws"];

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn platform_text(rel: &str) -> String {
    let path = workspace_root().join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The complete object set of every environment, as `skyform render` passes it (the one
/// library function every format starts from).
pub fn env_objects(model: &skyform_model::Model, provider: &str) -> Vec<EnvObjects> {
    let p = skyform_render::parse_provider(provider).unwrap_or_else(|| panic!("unknown provider {provider}"));
    model.environments.iter().map(|e| (e.name.clone(), skyform_addons::platform_objects(model, e, p))).collect()
}

pub fn compile(text: &str) -> skyform_model::Model {
    skyform_model::compile(text).unwrap_or_else(|d| panic!("platform does not compile: {d:#?}"))
}

pub struct Rendered {
    pub envs: Vec<EnvObjects>,
    pub helm: Vec<RenderedFile>,
    pub kustomize: Vec<RenderedFile>,
}

pub fn render(text: &str, provider: &str) -> Rendered {
    let model = compile(text);
    let envs = env_objects(&model, provider);
    let pkg = Package::from_model(&model, &envs);
    let helm = helm::render(&pkg).unwrap_or_else(|e| panic!("helm: {e}"));
    let kustomize = kustomize::render(&pkg).unwrap_or_else(|e| panic!("kustomize: {e}"));
    Rendered { envs, helm, kustomize }
}

pub fn write(dir: &Path, files: &[RenderedFile]) {
    for f in files {
        let p = dir.join(&f.path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, &f.contents).expect("write");
    }
}

/// A real tool from `.tools/bin`; fails the test (never skips) when it is missing.
pub fn tool(name: &str) -> PathBuf {
    let p = workspace_root().join(".tools/bin").join(name);
    assert!(
        p.is_file(),
        "required tool {} is missing: run `scripts/setup-tools` from the workspace root first",
        p.display()
    );
    p
}

/// Runs a tool; returns stdout, panics with stderr on failure.
pub fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Identity → object, from a multi-document YAML stream, with Helm's own labels removed.
pub fn parse_objects(yaml: &str) -> BTreeMap<String, Value> {
    let docs: Vec<Value> = serde_saphyr::from_multiple(yaml).unwrap_or_else(|e| panic!("unparsable YAML: {e}"));
    let mut out = BTreeMap::new();
    for mut d in docs {
        if d.is_null() {
            continue;
        }
        if let Some(labels) = d.pointer_mut("/metadata/labels").and_then(Value::as_object_mut) {
            for l in helm::HELM_ONLY_LABELS {
                labels.remove(*l);
            }
        }
        if let Some(ann) = d.pointer_mut("/metadata/annotations").and_then(Value::as_object_mut) {
            for a in helm::HELM_ONLY_ANNOTATIONS {
                ann.remove(*a);
            }
        }
        let id = format!(
            "{} {} {}/{}",
            d["apiVersion"].as_str().unwrap_or_default(),
            d["kind"].as_str().unwrap_or_default(),
            d.pointer("/metadata/namespace").and_then(Value::as_str).unwrap_or("-"),
            d.pointer("/metadata/name").and_then(Value::as_str).unwrap_or_default()
        );
        assert!(out.insert(id.clone(), d).is_none(), "object {id} twice");
    }
    out
}

/// Asserts two object sets are equal, naming the first differing object and field.
pub fn assert_same_objects(what: &str, expected: &BTreeMap<String, Value>, actual: &BTreeMap<String, Value>) {
    let missing: Vec<&String> = expected.keys().filter(|k| !actual.contains_key(*k)).collect();
    let extra: Vec<&String> = actual.keys().filter(|k| !expected.contains_key(*k)).collect();
    assert!(missing.is_empty() && extra.is_empty(), "{what}: missing {missing:?}, unexpected {extra:?}");
    for (id, e) in expected {
        let a = &actual[id];
        if e != a {
            panic!("{what}: {id} differs at {}", first_difference(e, a, String::new()));
        }
    }
}

fn first_difference(a: &Value, b: &Value, at: String) -> String {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys()) {
                match (x.get(k), y.get(k)) {
                    (Some(p), Some(q)) if p == q => {}
                    (Some(p), Some(q)) => return first_difference(p, q, format!("{at}/{k}")),
                    (p, q) => return format!("{at}/{k}: {p:?} vs {q:?}"),
                }
            }
            format!("{at}: ?")
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                if p != q {
                    return first_difference(p, q, format!("{at}/{i}"));
                }
            }
            format!("{at}: ?")
        }
        _ => format!("{at}: {a} vs {b}"),
    }
}
