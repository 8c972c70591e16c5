//! End-to-end: the generated chart and overlays through the real `helm` (4 and 3) and
//! `kubectl kustomize`, compared object by object with the plain render.

mod common;

use common::*;
use std::process::Command;

const HELMS: &[&str] = &["helm", "helm3"];

#[test]
fn tools_are_installed() {
    for t in ["helm", "helm3", "kubectl"] {
        let v = run(Command::new(tool(t)).arg("version").arg(if t == "kubectl" { "--client" } else { "--short" }));
        assert!(!v.trim().is_empty(), "{t} printed no version");
    }
}

#[test]
fn helm_lint_strict_passes_with_every_values_file() {
    for (label, rel) in PLATFORMS {
        for provider in PROVIDERS {
            let r = render(&platform_text(rel), provider);
            let dir = tempfile::tempdir().expect("tempdir");
            write(dir.path(), &r.helm);
            for (env, _) in &r.envs {
                for h in HELMS {
                    let out = run(Command::new(tool(h))
                        .args(["lint", "--strict"])
                        .arg(dir.path())
                        .args(["-f", &format!("{}/values-{env}.yaml", dir.path().display())]));
                    assert!(out.contains("0 chart(s) failed"), "{h} lint {label}/{provider}/{env}:\n{out}");
                }
            }
        }
    }
}

#[test]
fn helm_template_equals_plain_render_for_every_environment() {
    for (label, rel) in PLATFORMS {
        for provider in PROVIDERS {
            let r = render(&platform_text(rel), provider);
            let dir = tempfile::tempdir().expect("tempdir");
            write(dir.path(), &r.helm);
            for (env, objects) in &r.envs {
                let expected = parse_objects(&skyform_render::output::stream(objects));
                for h in HELMS {
                    let out = run(Command::new(tool(h))
                        .args(["template", label])
                        .arg(dir.path())
                        .args(["-f", &format!("{}/values-{env}.yaml", dir.path().display())]));
                    assert_same_objects(
                        &format!("{h} template {label}/{provider}/{env}"),
                        &expected,
                        &parse_objects(&out),
                    );
                }
            }
        }
    }
}

#[test]
fn kustomize_overlay_equals_plain_render_for_every_environment() {
    for (label, rel) in PLATFORMS {
        for provider in PROVIDERS {
            let r = render(&platform_text(rel), provider);
            let dir = tempfile::tempdir().expect("tempdir");
            write(dir.path(), &r.kustomize);
            for (env, objects) in &r.envs {
                let expected = parse_objects(&skyform_render::output::stream(objects));
                let out =
                    run(Command::new(tool("kubectl")).arg("kustomize").arg(dir.path().join("overlays").join(env)));
                assert_same_objects(&format!("kustomize {label}/{provider}/{env}"), &expected, &parse_objects(&out));
            }
        }
    }
}

#[test]
fn schema_rejects_bad_values_at_install_time() {
    let r = render(&platform_text(PLATFORMS[0].1), "k3s");
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), &r.helm);
    let bad = [
        ("api.services.health-api.replicas=three", "replicas"),
        ("api.services.health-api.resources.limits.memory=lots", "memory"),
        ("api.services.health-api.replicaz=3", "replicaz"),
        ("api.enabled=maybe", "enabled"),
    ];
    for h in HELMS {
        for (set, mention) in bad {
            let out = Command::new(tool(h))
                .args(["template", "x"])
                .arg(dir.path())
                .args(["--set-string".to_string(), set.to_string()])
                .output()
                .expect("run helm");
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(!out.status.success(), "{h} accepted bad value {set}");
            assert!(err.contains(mention), "{h} error for {set} does not name `{mention}`:\n{err}");
        }
        // A good override passes and takes effect.
        let out = run(Command::new(tool(h)).args(["template", "x"]).arg(dir.path()).args([
            "--set",
            "api.services.health-api.replicas=7",
            "-f",
            &format!("{}/values-dev.yaml", dir.path().display()),
        ]));
        assert!(out.contains("replicas: 7"), "{h}: override did not apply");
    }
}

#[test]
fn disabling_a_tier_removes_only_its_objects() {
    let r = render(&platform_text(PLATFORMS[0].1), "k3s");
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), &r.helm);
    let out = run(Command::new(tool("helm"))
        .args(["template", "x"])
        .arg(dir.path())
        .args(["--set", "observability.enabled=false"]));
    let objs = parse_objects(&out);
    assert!(!objs.keys().any(|k| k.contains("health-platform-observability/")), "observability objects left");
    assert!(objs.keys().any(|k| k.contains("health-platform-api/")));
}

/// Gateway API exposure (`ingress.controller: envoy-gateway`) of the health example: the
/// chart and the overlays hold the same objects as the plain render (the Gateway's own
/// namespace and the cluster-scoped GatewayClass are outside every tier), in every
/// environment, through the real `helm` (4 and 3) and `kubectl kustomize`.
#[test]
fn gateway_exposure_chart_and_overlays_equal_plain_render() {
    let text = platform_text(PLATFORMS[0].1).replace("controller: nginx", "controller: envoy-gateway");
    for provider in PROVIDERS {
        let r = render(&text, provider);
        let helm_dir = tempfile::tempdir().expect("tempdir");
        write(helm_dir.path(), &r.helm);
        let kust_dir = tempfile::tempdir().expect("tempdir");
        write(kust_dir.path(), &r.kustomize);
        for (env, objects) in &r.envs {
            assert!(objects.iter().any(|o| o.kind == "Gateway"), "{provider}/{env}: no Gateway");
            assert!(!objects.iter().any(|o| o.kind == "Ingress"), "{provider}/{env}: an Ingress");
            let expected = parse_objects(&skyform_render::output::stream(objects));
            for h in HELMS {
                let values = format!("{}/values-{env}.yaml", helm_dir.path().display());
                let lint =
                    run(Command::new(tool(h)).args(["lint", "--strict"]).arg(helm_dir.path()).args(["-f", &values]));
                assert!(lint.contains("0 chart(s) failed"), "{h} lint gateway/{provider}/{env}:\n{lint}");
                let out = run(Command::new(tool(h))
                    .args(["template", "health-platform"])
                    .arg(helm_dir.path())
                    .args(["-f", &values]));
                assert_same_objects(&format!("{h} template gateway/{provider}/{env}"), &expected, &parse_objects(&out));
            }
            let out =
                run(Command::new(tool("kubectl")).arg("kustomize").arg(kust_dir.path().join("overlays").join(env)));
            assert_same_objects(&format!("kustomize gateway/{provider}/{env}"), &expected, &parse_objects(&out));
        }
    }
}
