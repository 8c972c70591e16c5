//! GitOps and CI: what deploys the rendered manifests and what keeps them rendered.
//!
//! Repository layout assumed throughout: `skyform render` writes each environment's
//! manifests for a provider to `<gitops.path>/<provider>/<env>/` (inside it, one
//! folder per namespace and `cluster/` for cluster-scoped objects).
//!
//! Every environment has its own destination (see [`bootstrap_objects`]): its own
//! cluster, and only the namespaces it uses. Its prerequisites (the pinned charts of
//! [`skyform_prereqs`]) are installed before its manifests, in their install waves.
//! Development environments sync automatically; production waits for an approval.
//!
//! - **Argo CD** (`gitops.tool: argocd`): per environment an AppProject `<platform>-<env>`
//!   (destinations: the environment's cluster × its namespaces), an Application per
//!   prerequisite release (Helm source, sync wave = install wave) and the Application
//!   `<platform>-<env>` of the manifests (sync wave [`PLATFORM_WAVE`]); automated prune
//!   and self-heal outside production, manual sync (`argocd app sync`) in production.
//!   Order inside an Application comes from sync waves: [`annotate_sync_waves`] is a
//!   post-processing step the CLI applies to the *whole* object list (core and add-on
//!   objects) before writing it when the tool is Argo CD; [`sync_wave`] documents the order.
//! - **Flux** (`gitops.tool: flux`): a GitRepository `<platform>`, a HelmRepository per
//!   chart repository, and per environment a HelmRelease per prerequisite (each
//!   `dependsOn` the releases of lower waves) and Kustomizations
//!   `<platform>-<env>-cluster` for cluster-scoped objects, then one per tier namespace
//!   that `dependsOn` the cluster one and the tiers of lower waves, then one per other
//!   namespace holding objects — all applied to the environment's cluster through
//!   `kubeConfig`; in production every one of them is suspended until approved
//!   (`flux resume`).
//! - **CI** ([`ci_workflow`]): a GitHub Actions workflow that validates the platform,
//!   re-renders every environment and fails when the committed manifests differ, runs
//!   `skyform check`, and builds (on the default branch, also pushes) the image of
//!   every service that is not a known component.

use crate::{custom, platform_meta};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::{Value, json};
use skyform_model::{Environment, Gitops, GitopsTool, Model, ProviderName, Service};
use skyform_prereqs::Prerequisites;
use skyform_render::objects::provider_name;
use skyform_render::{Object, RenderedFile};
use std::collections::{BTreeMap, BTreeSet};

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
/// - `-1`: cluster-scoped objects (Namespaces, StorageClasses, ClusterIssuer, RBAC) and
///   the objects that complete a prerequisite's installation (the KnativeServing);
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
    if skyform_prereqs::is_install_manifest(&obj.api_version, &obj.kind) {
        return -1;
    }
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

/// Objects that deploy every environment; empty without `gitops:`.
///
/// Each environment has its own destination: the cluster registered in Argo CD under
/// the name [`cluster_name`] (`argocd cluster add <context> --name <platform>-<env>`), or
/// for Flux the cluster whose kubeconfig is in the Secret [`kubeconfig_secret`] of
/// `flux-system`, restricted to the namespaces the environment uses. The prerequisites
/// ([`skyform_prereqs`]) of each environment are Argo CD Applications / Flux
/// HelmReleases of the pinned charts, in install waves before the environment's own
/// manifests. Development environments sync automatically; production never does: an
/// operator approves each sync (`argocd app sync`, or `flux resume` of the suspended
/// Kustomizations and HelmReleases).
pub fn bootstrap_objects(model: &Model, provider: ProviderName) -> Vec<Object> {
    let Some(g) = &model.gitops else { return Vec::new() };
    let envs: Vec<EnvPlan<'_>> = model
        .environments
        .iter()
        .map(|e| {
            let objects = crate::env_objects(model, e, provider);
            let prereqs = crate::prereqs::prerequisites(model, e, provider, &objects);
            let object_namespaces: BTreeSet<String> = objects.iter().filter_map(|o| o.namespace.clone()).collect();
            let mut namespaces = object_namespaces.clone();
            namespaces.extend(objects.iter().filter(|o| o.kind == "Namespace").map(|o| o.name.clone()));
            namespaces.extend(prereqs.releases.iter().map(|r| r.namespace.clone()));
            EnvPlan { env: e, prereqs, namespaces, object_namespaces }
        })
        .collect();
    let mut out = match g.tool {
        GitopsTool::Argocd => argocd(model, g, provider, &envs),
        GitopsTool::Flux => flux(model, g, provider, &envs),
    };
    skyform_render::objects::sort_objects(&mut out);
    out
}

/// One environment's view for the bootstrap.
struct EnvPlan<'a> {
    env: &'a Environment,
    prereqs: Prerequisites,
    /// Every namespace the environment uses (its objects', its Namespaces', its releases').
    namespaces: BTreeSet<String>,
    /// Namespaces holding namespaced objects of the environment (a folder each).
    object_namespaces: BTreeSet<String>,
}

/// Argo CD cluster name (and Flux kubeconfig prefix) of an environment's cluster.
pub fn cluster_name(model: &Model, env: &str) -> String {
    format!("{}-{env}", model.name)
}

/// Secret in `flux-system` holding the kubeconfig of an environment's cluster (key `value`).
pub fn kubeconfig_secret(model: &Model, env: &str) -> String {
    format!("{}-kubeconfig", cluster_name(model, env))
}

/// Sync wave of an environment's own manifests: after every prerequisite.
pub const PLATFORM_WAVE: i32 = 10;

/// Annotation naming the command that approves a production sync.
pub const APPROVAL_ANNOTATION: &str = "skyform.dev/approve-with";

fn retry() -> Value {
    json!({ "limit": 10, "backoff": { "duration": "10s", "factor": 2, "maxDuration": "5m" } })
}

/// The repository URL Argo CD expects for a chart source (OCI registries without the scheme).
fn argo_repo(repo: &str) -> &str {
    repo.strip_prefix("oci://").unwrap_or(repo)
}

fn argocd(model: &Model, g: &Gitops, provider: ProviderName, envs: &[EnvPlan<'_>]) -> Vec<Object> {
    let mut out = Vec::new();
    for ep in envs {
        let env = ep.env;
        let cluster = cluster_name(model, &env.name);
        let project = cluster.clone();
        let automated = !env.production;
        let mut repos: BTreeSet<String> = BTreeSet::from([g.repo_url.clone()]);
        repos.extend(ep.prereqs.releases.iter().map(|r| argo_repo(&r.repo).to_string()));
        let destinations: Vec<Value> =
            ep.namespaces.iter().map(|ns| json!({ "name": cluster, "namespace": ns })).collect();
        out.push(custom(
            "argoproj.io/v1alpha1",
            "AppProject",
            platform_meta(model, &project, Some(ARGOCD_NAMESPACE)),
            json!({
                "description": format!("{} {}: the only destinations its Applications may sync to", model.name, env.name),
                "sourceRepos": repos.into_iter().collect::<Vec<_>>(),
                "destinations": destinations,
                "clusterResourceWhitelist": [{ "group": "*", "kind": "*" }],
                "namespaceResourceWhitelist": [{ "group": "*", "kind": "*" }],
            }),
        ));
        let policy = |options: Vec<&str>| {
            let mut p = json!({ "syncOptions": options, "retry": retry() });
            if automated {
                p["automated"] = json!({ "prune": true, "selfHeal": true });
            }
            p
        };
        let app_meta = |name: &str, wave: i32| {
            let mut pairs = vec![(SYNC_WAVE, wave.to_string())];
            if !automated {
                pairs.push((APPROVAL_ANNOTATION, format!("argocd app sync {name}")));
            }
            crate::label(
                crate::annotate(platform_meta(model, name, Some(ARGOCD_NAMESPACE)), &pairs),
                &[("skyform.dev/environment", env.name.as_str())],
            )
        };
        for r in &ep.prereqs.releases {
            let name = format!("{cluster}-{}", r.name);
            out.push(custom(
                "argoproj.io/v1alpha1",
                "Application",
                app_meta(&name, r.wave),
                json!({
                    "project": project,
                    "source": {
                        "repoURL": argo_repo(&r.repo),
                        "chart": r.chart,
                        "targetRevision": r.version,
                        "helm": { "releaseName": r.name, "values": r.values_yaml },
                    },
                    "destination": { "name": cluster, "namespace": r.namespace },
                    "syncPolicy": policy(vec!["CreateNamespace=true", "ServerSideApply=true"]),
                }),
            ));
        }
        out.push(custom(
            "argoproj.io/v1alpha1",
            "Application",
            app_meta(&cluster, PLATFORM_WAVE),
            json!({
                "project": project,
                "source": {
                    "repoURL": g.repo_url,
                    "targetRevision": g.target_revision,
                    "path": env_path(model, provider, &env.name),
                    "directory": { "recurse": true },
                },
                "destination": { "name": cluster },
                "syncPolicy": policy(vec!["ServerSideApply=true", "PruneLast=true", "SkipDryRunOnMissingResource=true"]),
            }),
        ));
    }
    out
}

fn flux(model: &Model, g: &Gitops, provider: ProviderName, envs: &[EnvPlan<'_>]) -> Vec<Object> {
    let mut out = vec![custom(
        "source.toolkit.fluxcd.io/v1",
        "GitRepository",
        platform_meta(model, &model.name, Some(FLUX_NAMESPACE)),
        json!({ "interval": "1m", "url": g.repo_url, "ref": { "branch": g.target_revision } }),
    )];
    // One HelmRepository per chart repository any environment uses.
    let mut repos: BTreeMap<String, String> = BTreeMap::new();
    for ep in envs {
        for r in &ep.prereqs.releases {
            repos.insert(r.repo.clone(), helm_repo_name(&r.repo));
        }
    }
    for (url, name) in &repos {
        let mut spec = json!({ "interval": "24h", "url": url });
        if url.starts_with("oci://") {
            spec["type"] = json!("oci");
        }
        out.push(custom(
            "source.toolkit.fluxcd.io/v1",
            "HelmRepository",
            platform_meta(model, name, Some(FLUX_NAMESPACE)),
            spec,
        ));
    }
    for ep in envs {
        let env = ep.env;
        let base = env_path(model, provider, &env.name);
        let waves = tier_waves(model, env);
        let cluster = format!("{}-{}-cluster", model.name, env.name);
        let kubeconfig = json!({ "secretRef": { "name": kubeconfig_secret(model, &env.name), "key": "value" } });
        let gate = |m: ObjectMeta, kind: &str, name: &str| {
            if env.production {
                crate::annotate(m, &[(APPROVAL_ANNOTATION, format!("flux resume {kind} {name} -n {FLUX_NAMESPACE}"))])
            } else {
                m
            }
        };
        for r in &ep.prereqs.releases {
            let name = format!("{}-{}-{}", model.name, env.name, r.name);
            // Every release of a lower wave first (Flux waits for each to be Ready).
            let depends: Vec<Value> = ep
                .prereqs
                .releases
                .iter()
                .filter(|o| o.wave < r.wave)
                .map(|o| json!({ "name": format!("{}-{}-{}", model.name, env.name, o.name) }))
                .collect();
            let mut spec = json!({
                "interval": "1h",
                "releaseName": r.name,
                "targetNamespace": r.namespace,
                "storageNamespace": r.namespace,
                "kubeConfig": kubeconfig,
                "chart": { "spec": {
                    "chart": r.chart,
                    "version": r.version,
                    "sourceRef": { "kind": "HelmRepository", "name": repos.get(&r.repo).cloned().unwrap_or_default() },
                } },
                "install": { "createNamespace": true, "crds": "CreateReplace", "remediation": { "retries": 3 } },
                "upgrade": { "crds": "CreateReplace", "remediation": { "retries": 3 } },
                "values": r.values,
            });
            if !depends.is_empty() {
                spec["dependsOn"] = json!(depends);
            }
            if env.production {
                spec["suspend"] = json!(true);
            }
            let meta = gate(platform_meta(model, &name, Some(FLUX_NAMESPACE)), "helmrelease", &name);
            out.push(custom("helm.toolkit.fluxcd.io/v2", "HelmRelease", meta, spec));
        }
        let ks = |name: &str, path: String, depends: Vec<String>| {
            let mut spec = json!({
                "interval": "10m",
                "retryInterval": "1m",
                "timeout": "5m",
                "path": format!("./{path}"),
                "prune": true,
                "wait": true,
                "sourceRef": { "kind": "GitRepository", "name": model.name },
                "kubeConfig": kubeconfig,
            });
            if !depends.is_empty() {
                spec["dependsOn"] = json!(depends.iter().map(|d| json!({ "name": d })).collect::<Vec<_>>());
            }
            if env.production {
                spec["suspend"] = json!(true);
            }
            let meta = gate(platform_meta(model, name, Some(FLUX_NAMESPACE)), "kustomization", name);
            custom("kustomize.toolkit.fluxcd.io/v1", "Kustomization", meta, spec)
        };
        out.push(ks(&cluster, format!("{base}/cluster"), Vec::new()));
        // Namespaces of the environment that are not tiers (operator namespaces holding
        // dashboards, log-agent configuration, backup schedules, the KnativeServing).
        let others: Vec<&String> =
            ep.object_namespaces.iter().filter(|ns| !model.tiers.iter().any(|t| &t.namespace == *ns)).collect();
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
        for ns in others {
            let deps: Vec<String> = std::iter::once(cluster.clone())
                .chain(model.tiers.iter().map(|t| format!("{}-{}-{}", model.name, env.name, t.name)))
                .collect();
            out.push(ks(&format!("{}-{}-{ns}", model.name, env.name), format!("{base}/{ns}"), deps));
        }
    }
    out
}

/// Name of the HelmRepository of a chart repository: its host's first label and path.
fn helm_repo_name(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r).trim_end_matches('/');
    let mut name: String =
        rest.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    for suffix in ["-github-io", "-io"] {
        if let Some(i) = name.find(suffix) {
            name = format!("{}{}", &name[..i], &name[i + suffix.len()..]);
        }
    }
    let name = name.split('-').filter(|s| !s.is_empty()).collect::<Vec<_>>().join("-");
    name.chars().take(63).collect::<String>().trim_end_matches('-').to_string()
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
