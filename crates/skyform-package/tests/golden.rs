//! Golden snapshots: representative generated files, and proof that changing one service
//! in `platform.yaml` changes only the expected lines of the chart and the overlays.

mod common;

use common::*;
use skyform_package::{Package, RenderedFile, helm, kustomize};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Line diff of two file sets: changed files with their removed/added lines (LCS based;
/// no line numbers, so add-on objects elsewhere in the files do not churn the snapshot).
fn diff_files(before: &[RenderedFile], after: &[RenderedFile]) -> String {
    let a: BTreeMap<&str, &str> = before.iter().map(|f| (f.path.as_str(), f.contents.as_str())).collect();
    let b: BTreeMap<&str, &str> = after.iter().map(|f| (f.path.as_str(), f.contents.as_str())).collect();
    let mut out = String::new();
    let paths: std::collections::BTreeSet<&str> = a.keys().chain(b.keys()).copied().collect();
    for p in paths {
        let (x, y) = (a.get(p).copied().unwrap_or(""), b.get(p).copied().unwrap_or(""));
        if x == y {
            continue;
        }
        let _ = writeln!(out, "=== {p}");
        let xl: Vec<&str> = x.lines().collect();
        let yl: Vec<&str> = y.lines().collect();
        let (n, m) = (xl.len(), yl.len());
        let mut lcs = vec![vec![0u32; m + 1]; n + 1];
        for i in (0..n).rev() {
            for j in (0..m).rev() {
                lcs[i][j] = if xl[i] == yl[j] { lcs[i + 1][j + 1] + 1 } else { lcs[i + 1][j].max(lcs[i][j + 1]) };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < n || j < m {
            if i < n && j < m && xl[i] == yl[j] {
                i += 1;
                j += 1;
            } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
                let _ = writeln!(out, "- {}", xl[i]);
                i += 1;
            } else {
                let _ = writeln!(out, "+ {}", yl[j]);
                j += 1;
            }
        }
    }
    out
}

fn edit(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "`{from}` must occur exactly once");
    text.replacen(from, to, 1)
}

#[test]
fn changing_one_service_changes_only_its_lines() {
    let text = platform_text(PLATFORMS[0].1);
    // health-api: new image tag everywhere, a higher HPA ceiling in production.
    let changed = edit(
        &edit(&text, "ghcr.io/your-org/health-api:1.0.0", "ghcr.io/your-org/health-api:1.1.0"),
        "health-api: { replicas: 2..10 }",
        "health-api: { replicas: 2..12 }",
    );
    let before = render(&text, "k3s");
    let after = render(&changed, "k3s");
    let helm_diff = diff_files(&before.helm, &after.helm);
    let kustomize_diff = diff_files(&before.kustomize, &after.kustomize);
    // Only health-api's values (umbrella and its tier's subchart) and the README's rows.
    let helm_files: Vec<&str> = helm_diff.lines().filter_map(|l| l.strip_prefix("=== ")).collect();
    assert_eq!(helm_files, ["README.md", "charts/api/values.yaml", "values.yaml"]);
    // No template changes: the image and the HPA bounds are values.
    assert!(!helm_diff.contains("templates/"));
    insta::assert_snapshot!("health_api_change_helm", helm_diff);
    insta::assert_snapshot!("health_api_change_kustomize", kustomize_diff);
}

/// Chart and overlays from the k8s renderer's objects only (stable against add-on churn).
fn k8s_only(rel: &str, provider: &str) -> (Vec<RenderedFile>, Vec<RenderedFile>) {
    let model = compile(&platform_text(rel));
    let p = skyform_render::parse_provider(provider).expect("provider");
    let envs: Vec<_> =
        model.environments.iter().map(|e| (e.name.clone(), skyform_render::render_objects(&model, e, p))).collect();
    let pkg = Package::from_model(&model, &envs);
    (helm::render(&pkg).expect("helm"), kustomize::render(&pkg).expect("kustomize"))
}

fn get<'a>(files: &'a [RenderedFile], path: &str) -> &'a str {
    files.iter().find(|f| f.path == path).map(|f| f.contents.as_str()).unwrap_or_else(|| panic!("no {path}"))
}

#[test]
fn golden_files() {
    let (helm_files, kustomize_files) = k8s_only(PLATFORMS[0].1, "k3s");
    let listing: String = helm_files.iter().map(|f| format!("{}\n", f.path)).collect();
    insta::assert_snapshot!("health_platform_helm_files", listing);
    for path in [
        "Chart.yaml",
        "values-dev.yaml",
        "charts/api/Chart.yaml",
        "charts/api/templates/_helpers.tpl",
        "charts/api/templates/deployment-health-api.yaml",
        "charts/api/templates/horizontalpodautoscaler-health-api.yaml",
        "charts/data/templates/cluster-postgres-health.yaml",
        "charts/data/templates/statefulset-redis-health.yaml",
        "templates/NOTES.txt",
    ] {
        insta::assert_snapshot!(
            format!("health_platform_helm_{}", path.replace(['/', '.'], "_")),
            get(&helm_files, path)
        );
    }
    for path in [
        "base/kustomization.yaml",
        "overlays/dev/kustomization.yaml",
        "overlays/dev/patches/health-platform-api/deployment-health-api.yaml",
    ] {
        insta::assert_snapshot!(
            format!("health_platform_kustomize_{}", path.replace(['/', '.'], "_")),
            get(&kustomize_files, path)
        );
    }
    let (resimate_helm, _) = k8s_only(PLATFORMS[1].1, "k3s");
    insta::assert_snapshot!("resimate_helm_values_dev", get(&resimate_helm, "values-dev.yaml"));
    insta::assert_snapshot!(
        "resimate_helm_knative_core_model_api",
        get(&resimate_helm, "charts/api/templates/serving-service-core-model-api.yaml")
    );
}

#[test]
fn output_is_deterministic() {
    for (_, rel) in PLATFORMS {
        let text = platform_text(rel);
        let a = render(&text, "aws");
        let b = render(&text, "aws");
        assert_eq!(a.helm, b.helm);
        assert_eq!(a.kustomize, b.kustomize);
    }
}
