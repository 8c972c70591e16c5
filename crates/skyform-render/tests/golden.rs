//! Golden snapshots of the plain-manifest stream: every example × every environment ×
//! several providers, plus determinism and hardening invariants over the same matrix.
#![allow(clippy::unwrap_used)]

mod common;

use common::{PLATFORMS, load, providers};
use serde_json::Value;
use skyform_render::{objects::ALL_PROVIDERS, provider_name, render_k8s, render_k8s_stream, render_objects};

#[test]
fn golden_streams() {
    for (label, path, names) in PLATFORMS {
        let model = load(path);
        for env in &model.environments {
            for p in providers(names) {
                let name = format!("{label}__{}__{}", env.name, provider_name(p));
                insta::assert_snapshot!(name, render_k8s_stream(&model, env, p));
            }
        }
    }
}

#[test]
fn output_is_deterministic_and_paths_unique() {
    for (_, path, _) in PLATFORMS {
        let model = load(path);
        let again = load(path);
        for (env, env2) in model.environments.iter().zip(&again.environments) {
            for p in ALL_PROVIDERS {
                let a = render_k8s(&model, env, p);
                assert_eq!(a, render_k8s(&again, env2, p), "two compiles render differently");
                let mut paths: Vec<&str> = a.iter().map(|f| f.path.as_str()).collect();
                let n = paths.len();
                paths.sort_unstable();
                paths.dedup();
                assert_eq!(paths.len(), n, "duplicate output paths");
            }
        }
    }
}

fn pod_spec(v: &Value) -> Option<&Value> {
    v.pointer("/spec/template/spec")
}

/// Pod Security Standards *restricted* and the hardening rules, checked on every pod.
#[test]
fn every_pod_is_restricted_and_complete() {
    for (_, path, _) in PLATFORMS {
        let model = load(path);
        for env in &model.environments {
            for p in ALL_PROVIDERS {
                for o in render_objects(&model, env, p) {
                    let Some(spec) = pod_spec(&o.value) else { continue };
                    let id = format!("{} {} {}/{}", env.name, provider_name(p), o.kind, o.name);
                    let knative = o.group() == "serving.knative.dev";
                    if !knative {
                        assert_eq!(spec.pointer("/securityContext/runAsNonRoot"), Some(&Value::Bool(true)), "{id}");
                        assert_eq!(
                            spec.pointer("/securityContext/seccompProfile/type").and_then(Value::as_str),
                            Some("RuntimeDefault"),
                            "{id}"
                        );
                    }
                    assert!(spec.get("hostNetwork").is_none() && spec.get("hostPID").is_none(), "{id}");
                    for v in spec.get("volumes").and_then(Value::as_array).into_iter().flatten() {
                        // Restricted allows these volume types (secret: Vault's TLS material).
                        assert!(
                            v.get("emptyDir").is_some()
                                || v.get("configMap").is_some()
                                || v.get("projected").is_some()
                                || v.get("secret").is_some(),
                            "{id}: volume of a type skyform does not emit: {v}"
                        );
                    }
                    for c in spec["containers"].as_array().unwrap() {
                        let sc = &c["securityContext"];
                        assert_eq!(sc["allowPrivilegeEscalation"], Value::Bool(false), "{id}");
                        assert_eq!(sc["readOnlyRootFilesystem"], Value::Bool(true), "{id}");
                        assert_eq!(sc["runAsNonRoot"], Value::Bool(true), "{id}");
                        assert_eq!(sc["capabilities"]["drop"], serde_json::json!(["ALL"]), "{id}");
                        assert!(sc.get("capabilities").and_then(|c| c.get("add")).is_none(), "{id}");
                        assert_eq!(sc["seccompProfile"]["type"], "RuntimeDefault", "{id}");
                        assert!(sc["runAsUser"].as_i64().unwrap() > 0, "{id}");
                        for r in ["requests", "limits"] {
                            for q in ["cpu", "memory"] {
                                assert!(c["resources"][r][q].is_string(), "{id}: {r}.{q}");
                            }
                        }
                        // A Job runs to completion: it has no probes.
                        if o.kind != "Job" {
                            assert!(c.get("livenessProbe").is_some() && c.get("readinessProbe").is_some(), "{id}");
                        }
                        let image = c["image"].as_str().unwrap();
                        assert!(!image.ends_with(":latest") && image.contains(':'), "{id}: {image}");
                    }
                    // An autoscaler owns the count: no replicas field.
                    let hpa_owned = model
                        .environments
                        .iter()
                        .find(|e| e.name == env.name)
                        .and_then(|e| e.service(&o.name))
                        .is_some_and(skyform_render::k8s::autoscaled);
                    if !knative && o.kind != "Job" {
                        assert_eq!(o.value["spec"].get("replicas").is_none(), hpa_owned, "{id}");
                    }
                }
            }
        }
    }
}

/// The YAML emitter is ours: every document it writes must parse back (with an
/// independent YAML parser) to exactly the object it was written from.
#[test]
fn yaml_round_trips_through_a_parser() {
    for (_, path, names) in PLATFORMS {
        let model = load(path);
        for env in &model.environments {
            for p in providers(names) {
                for o in render_objects(&model, env, p) {
                    let text = skyform_render::output::to_yaml(&o.value);
                    let back: Value =
                        serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{} {}: {e}\n{text}", o.kind, o.name));
                    assert_eq!(back, o.value, "{} {} does not round-trip:\n{text}", o.kind, o.name);
                }
            }
        }
    }
}
