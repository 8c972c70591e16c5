//! GitOps and CI: what deploys the rendered manifests and what keeps them rendered.
//!
//! Repository layout assumed throughout: `skyform render` writes each environment's
//! manifests for a provider to `<gitops.path>/<provider>/<env>/` (inside it, one
//! folder per namespace and `cluster/` for cluster-scoped objects).
//!
//! - **Argo CD** ([`bootstrap_objects`] with `gitops.tool: argocd`): one ApplicationSet
//!   `<platform>` (list generator over the environments) creating an Application
//!   `<platform>-<env>` per environment with automated prune and self-heal. Order inside
//!   an Application comes from sync waves: [`annotate_sync_waves`] is a post-processing
//!   step the CLI applies to the *whole* object list (core and add-on objects) before
//!   writing it when the tool is Argo CD; [`sync_wave`] documents the order.
//! - **Flux** (`gitops.tool: flux`): a GitRepository `<platform>` and a Kustomization per
//!   environment and folder: `<platform>-<env>-cluster` for cluster-scoped objects, then
//!   one per tier namespace that `dependsOn` the cluster one and the tiers of lower
//!   waves — the same data-before-apps order, expressed the Flux way.
//! - **CI** ([`ci_workflow`]): a GitHub Actions workflow that validates the platform,
//!   re-renders every environment and fails when the committed manifests differ, runs
//!   `skyform check`, and builds (on the default branch, also pushes) the image of
//!   every service that is not a known component.

use crate::{custom, platform_meta};
use serde_json::{Value, json};
use skyform_model::{Environment, Gitops, GitopsTool, Model, ProviderName, Service};
use skyform_render::objects::provider_name;
use skyform_render::{Object, RenderedFile};
use std::collections::BTreeMap;

/// Namespace Argo CD runs in.
pub const ARGOCD_NAMESPACE: &str = "argocd";
/// Namespace Flux runs in.
pub const FLUX_NAMESPACE: &str = "flux-system";
/// The sync-wave annotation.
pub const SYNC_WAVE: &str = "argocd.argoproj.io/sync-wave";
/// Where the CI workflow is written in the repository.
pub const CI_WORKFLOW_PATH: &str = ".github/workflows/skyform.yaml";

/// Repository folder of one environment's manifests on one provider.
pub fn env_path(model: &Model, provider: ProviderName, env: &str) -> String {
    let base = model.gitops.as_ref().map_or("deploy", |g| g.path.as_str()).trim_matches('/');
    format!("{base}/{}/{env}", provider_name(provider))
}

/// Longest chain of cross-tier dependencies below each tier: a tier whose services
/// depend on nothing outside it is wave 0, a tier depending on wave-0 tiers is wave 1,
/// and so on. Cycles between tiers are broken deterministically (the edge that closes
/// the cycle is ignored), so every tier gets a finite wave.
pub fn tier_waves(model: &Model, env: &Environment) -> BTreeMap<String, i32> {
    let mut edges: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for s in &env.services {
        for d in &s.depends_on {
            if let Some(t) = env.service(&d.service).filter(|t| t.tier != s.tier) {
                let list = edges.entry(s.tier.as_str()).or_default();
                if !list.contains(&t.tier.as_str()) {
                    list.push(t.tier.as_str());
                }
            }
        }
    }
    fn depth<'a>(
        t: &'a str,
        edges: &BTreeMap<&'a str, Vec<&'a str>>,
        memo: &mut BTreeMap<&'a str, i32>,
        stack: &mut Vec<&'a str>,
    ) -> i32 {
        if let Some(d) = memo.get(t) {
            return *d;
        }
        stack.push(t);
        let mut best = 0;
        for next in edges.get(t).map(Vec::as_slice).unwrap_or_default() {
            if !stack.contains(next) {
                best = best.max(depth(next, edges, memo, stack) + 1);
            }
        }
        stack.pop();
        memo.insert(t, best);
        best
    }
    let mut memo = BTreeMap::new();
    let mut out = BTreeMap::new();
    for t in &model.tiers {
        let d = depth(t.name.as_str(), &edges, &mut memo, &mut Vec::new());
        out.insert(t.name.clone(), d);
    }
    out
}

/// The sync wave of an object:
/// - `-1`: cluster-scoped objects (Namespaces, StorageClasses, ClusterIssuer, RBAC);
/// - the tier's wave (see [`tier_waves`]) for everything in a tier namespace, so data
///   services sync and become healthy before the services that use them;
/// - one past the highest tier wave for objects in operator namespaces (monitoring
///   rules and dashboards, Velero schedules), which watch what the tiers created.
pub fn sync_wave(model: &Model, env: &Environment, obj: &Object) -> i32 {
    let waves = tier_waves(model, env);
    wave_of(model, &waves, obj)
}

fn wave_of(model: &Model, waves: &BTreeMap<String, i32>, obj: &Object) -> i32 {
    let Some(ns) = &obj.namespace else { return -1 };
    match model.tiers.iter().find(|t| &t.namespace == ns) {
        Some(t) => waves.get(&t.name).copied().unwrap_or(0),
        None => waves.values().copied().max().unwrap_or(0) + 1,
    }
}

/// Writes [`sync_wave`] into every object's `argocd.argoproj.io/sync-wave` annotation.
/// Apply to the full object list (core + add-ons) when the GitOps tool is Argo CD.
pub fn annotate_sync_waves(model: &Model, env: &Environment, objects: &mut [Object]) {
    let waves = tier_waves(model, env);
    for o in objects.iter_mut() {
        let wave = wave_of(model, &waves, o).to_string();
        if let Some(meta) = o.value.get_mut("metadata").and_then(Value::as_object_mut) {
            let ann = meta.entry("annotations").or_insert_with(|| json!({}));
            if let Some(a) = ann.as_object_mut() {
                a.insert(SYNC_WAVE.into(), Value::String(wave));
            }
        }
    }
}

/// Objects that deploy every environment (Argo CD ApplicationSet, or Flux source and
/// Kustomizations); empty without `gitops:`.
pub fn bootstrap_objects(model: &Model, provider: ProviderName) -> Vec<Object> {
    let Some(g) = &model.gitops else { return Vec::new() };
    let mut out = match g.tool {
        GitopsTool::Argocd => vec![application_set(model, g, provider)],
        GitopsTool::Flux => flux(model, g, provider),
    };
    skyform_render::objects::sort_objects(&mut out);
    out
}

fn application_set(model: &Model, g: &Gitops, provider: ProviderName) -> Object {
    let elements: Vec<Value> = model
        .environments
        .iter()
        .map(|e| json!({ "env": e.name, "path": env_path(model, provider, &e.name) }))
        .collect();
    custom(
        "argoproj.io/v1alpha1",
        "ApplicationSet",
        platform_meta(model, &model.name, Some(ARGOCD_NAMESPACE)),
        json!({
            "generators": [{ "list": { "elements": elements } }],
            "template": {
                "metadata": {
                    "name": format!("{}-{{{{env}}}}", model.name),
                    "labels": { "app.kubernetes.io/part-of": model.name, "skyform.dev/environment": "{{env}}" },
                },
                "spec": {
                    "project": "default",
                    "source": {
                        "repoURL": g.repo_url,
                        "targetRevision": g.target_revision,
                        "path": "{{path}}",
                        "directory": { "recurse": true },
                    },
                    "destination": { "server": "https://kubernetes.default.svc" },
                    "syncPolicy": {
                        "automated": { "prune": true, "selfHeal": true },
                        "syncOptions": ["ServerSideApply=true", "PruneLast=true"],
                        "retry": { "limit": 5, "backoff": { "duration": "10s", "factor": 2, "maxDuration": "5m" } },
                    },
                },
            },
        }),
    )
}

fn flux(model: &Model, g: &Gitops, provider: ProviderName) -> Vec<Object> {
    let mut out = vec![custom(
        "source.toolkit.fluxcd.io/v1",
        "GitRepository",
        platform_meta(model, &model.name, Some(FLUX_NAMESPACE)),
        json!({ "interval": "1m", "url": g.repo_url, "ref": { "branch": g.target_revision } }),
    )];
    for env in &model.environments {
        let base = env_path(model, provider, &env.name);
        let waves = tier_waves(model, env);
        let cluster = format!("{}-{}-cluster", model.name, env.name);
        let ks = |name: &str, path: String, depends: Vec<String>| {
            let mut spec = json!({
                "interval": "10m",
                "retryInterval": "1m",
                "timeout": "5m",
                "path": format!("./{path}"),
                "prune": true,
                "wait": true,
                "sourceRef": { "kind": "GitRepository", "name": model.name },
            });
            if !depends.is_empty() {
                spec["dependsOn"] = json!(depends.iter().map(|d| json!({ "name": d })).collect::<Vec<_>>());
            }
            custom(
                "kustomize.toolkit.fluxcd.io/v1",
                "Kustomization",
                platform_meta(model, name, Some(FLUX_NAMESPACE)),
                spec,
            )
        };
        out.push(ks(&cluster, format!("{base}/cluster"), Vec::new()));
        for t in &model.tiers {
            let wave = waves.get(&t.name).copied().unwrap_or(0);
            let mut deps = vec![cluster.clone()];
            deps.extend(
                model
                    .tiers
                    .iter()
                    .filter(|o| waves.get(&o.name).copied().unwrap_or(0) < wave)
                    .map(|o| format!("{}-{}-{}", model.name, env.name, o.name)),
            );
            out.push(ks(&format!("{}-{}-{}", model.name, env.name, t.name), format!("{base}/{}", t.namespace), deps));
        }
    }
    out
}

/// Services whose images the team builds: every service that is not a known component.
pub fn built_images(env: &Environment) -> Vec<&Service> {
    env.services.iter().filter(|s| s.component.is_none()).collect()
}

/// Image name without its tag or digest.
fn image_repo(image: &str) -> &str {
    let no_digest = image.split('@').next().unwrap_or(image);
    match no_digest.rsplit_once(':') {
        Some((repo, tag)) if !tag.contains('/') => repo,
        _ => no_digest,
    }
}

/// Registry of an image: its first path component when that names a host, else empty
/// (docker/login-action then logs in to Docker Hub).
fn registry(image: &str) -> &str {
    match image.split_once('/') {
        Some((first, _)) if first.contains('.') || first.contains(':') || first == "localhost" => first,
        _ => "",
    }
}

/// Tag of an image (`latest` when none).
fn image_tag(image: &str) -> &str {
    let no_digest = image.split('@').next().unwrap_or(image);
    match no_digest.rsplit_once(':') {
        Some((_, tag)) if !tag.contains('/') => tag,
        _ => "latest",
    }
}

/// The GitHub Actions workflow (written to [`CI_WORKFLOW_PATH`]).
///
/// Assumes the platform file is `platform.yaml` at the repository root, each built
/// service's Dockerfile in `services/<service>/`, `skyform` installable with
/// `cargo install --locked skyform`, and the repository secrets `REGISTRY_USERNAME` and
/// `REGISTRY_PASSWORD` for pushing; edit the generated file when the layout differs.
pub fn ci_workflow(model: &Model) -> RenderedFile {
    let providers: Vec<ProviderName> = model.providers.iter().map(|p| p.name).collect();
    let mut render = vec![
        json!({ "uses": "actions/checkout@v4" }),
        json!({ "name": "Install skyform", "run": "cargo install --locked skyform" }),
        json!({ "name": "Validate the platform file", "run": "skyform validate platform.yaml" }),
    ];
    for p in &providers {
        for e in &model.environments {
            render.push(json!({
                "name": format!("Render {} on {}", e.name, provider_name(*p)),
                "run": format!(
                    "skyform render platform.yaml --env {} --provider {} --out {}",
                    e.name,
                    provider_name(*p),
                    env_path(model, *p, &e.name)
                ),
            }));
        }
    }
    let base = model.gitops.as_ref().map_or("deploy", |g| g.path.as_str()).trim_matches('/').to_string();
    render.push(json!({
        "name": "Committed manifests are up to date",
        "run": format!(
            "test -z \"$(git status --porcelain -- {base})\" || (git status --short -- {base}; echo 'run skyform render and commit the result' >&2; exit 1)"
        ),
    }));
    render.push(
        json!({ "name": "Check the manifests", "run": format!("skyform check {base} --output sarif > skyform.sarif") }),
    );
    render.push(json!({
        "name": "Upload findings",
        "if": "always()",
        "uses": "github/codeql-action/upload-sarif@v3",
        "with": { "sarif_file": "skyform.sarif" },
    }));
    let mut jobs = serde_json::Map::new();
    jobs.insert(
        "render".into(),
        json!({
            "runs-on": "ubuntu-latest",
            "permissions": { "contents": "read", "security-events": "write" },
            "steps": render,
        }),
    );
    // Images are the same in every environment; take them from the first one.
    let mut images: Vec<Value> = model
        .environments
        .first()
        .map(built_images)
        .unwrap_or_default()
        .into_iter()
        .map(|s| {
            json!({
                "service": s.name,
                "registry": registry(&s.image),
                "image": image_repo(&s.image),
                "tag": image_tag(&s.image),
            })
        })
        .collect();
    images.sort_by_key(|v| v["service"].as_str().unwrap_or_default().to_string());
    if !images.is_empty() {
        jobs.insert(
            "images".into(),
            json!({
                "runs-on": "ubuntu-latest",
                "needs": "render",
                "permissions": { "contents": "read", "packages": "write" },
                "strategy": { "fail-fast": false, "matrix": { "include": images } },
                "steps": [
                    { "uses": "actions/checkout@v4" },
                    { "uses": "docker/setup-buildx-action@v3" },
                    {
                        "name": "Log in to the registry",
                        "if": "github.event_name == 'push'",
                        "uses": "docker/login-action@v3",
                        "with": {
                            "registry": "${{ matrix.registry }}",
                            "username": "${{ secrets.REGISTRY_USERNAME }}",
                            "password": "${{ secrets.REGISTRY_PASSWORD }}",
                        },
                    },
                    {
                        "name": "Build ${{ matrix.service }}",
                        "uses": "docker/build-push-action@v6",
                        "with": {
                            "context": "services/${{ matrix.service }}",
                            "push": "${{ github.event_name == 'push' }}",
                            "tags": "${{ matrix.image }}:${{ matrix.tag }}\n${{ matrix.image }}:${{ github.sha }}",
                            "provenance": true,
                        },
                    },
                ],
            }),
        );
    }
    let branch = model.gitops.as_ref().map_or("main", |g| g.target_revision.as_str());
    let wf = json!({
        "name": format!("{} platform", model.name),
        "on": {
            "push": { "branches": [branch] },
            "pull_request": {},
        },
        "permissions": { "contents": "read" },
        "concurrency": { "group": "${{ github.workflow }}-${{ github.ref }}", "cancel-in-progress": true },
        "jobs": jobs,
    });
    RenderedFile {
        path: CI_WORKFLOW_PATH.to_string(),
        contents: format!(
            "# Generated by skyform from the platform file; re-run skyform to update.\n{}",
            skyform_render::output::to_yaml(&wf)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_names() {
        assert_eq!(image_repo("ghcr.io/x/api:1.0.0"), "ghcr.io/x/api");
        assert_eq!(image_tag("ghcr.io/x/api:1.0.0"), "1.0.0");
        assert_eq!(image_repo("localhost:5000/api"), "localhost:5000/api");
        assert_eq!(image_tag("localhost:5000/api"), "latest");
    }
}
