//! `skyform render FILE --env ENV --provider P [--out DIR | -o -]`: Kubernetes manifests.
//!
//! With `--out DIR` the tree (`DIR/<namespace>/<kind>-<name>.yaml`, cluster-scoped
//! objects under `DIR/cluster/`) is written to a temporary folder next to `DIR` and
//! renamed into place, so an error never leaves half an output and nothing outside `DIR`
//! is touched. Without `--out`, or with `-o -`, one multi-document stream goes to stdout.

use super::args::{EnvArg, EnvDefault, ProviderArg};
use crate::exit;
use crate::ui::Ui;
use anyhow::Result;
use skyform_model::{Environment, Model, ProviderName};
use std::path::{Path, PathBuf};

/// What to render.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum RenderFormat {
    /// Plain Kubernetes manifests (core objects and platform add-ons)
    K8s,
    /// A Helm umbrella chart with one subchart per tier and values per environment
    Helm,
    /// A Kustomize base with one overlay per environment
    Kustomize,
    /// Terraform modules and a root per environment, sized by the cost planner
    Terraform,
    /// The same infrastructure as a Pulumi YAML program
    Pulumi,
    /// GitOps bootstrap (Argo CD ApplicationSet or Flux) and a CI workflow
    Gitops,
}

#[derive(clap::Args)]
#[command(mut_arg("env", |a| a.help("Environment to render (may be omitted when the platform has only one; helm and kustomize always package every environment)")))]
#[command(mut_arg("provider", |a| a.help("Target provider (may be omitted when the platform declares only one)")))]
pub struct Args {
    /// Platform file (`-` reads standard input)
    pub file: PathBuf,
    #[command(flatten)]
    pub env: EnvArg,
    #[command(flatten)]
    pub provider: ProviderArg,
    /// Output folder, replaced atomically; `-` writes one YAML stream to stdout (default,
    /// k8s only). `-o` and `--output` are old spellings of it.
    #[arg(long = "out", short_alias = 'o', alias = "output", value_name = "DIR|-")]
    pub out: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value = "k8s")]
    pub format: RenderFormat,
    /// Write the manifests even when `skyform check` finds error-level problems in them
    #[arg(long)]
    pub allow_findings: bool,
    /// Render the whole matrix in one call, in parallel: every environment × every declared
    /// provider × each `--formats` entry, into `--out DIR/<provider>/<format>[/<env>]`
    /// (one atomic replacement of DIR; nothing is written if any part fails)
    #[arg(long, requires = "out", conflicts_with_all = ["env", "provider", "format"])]
    pub all: bool,
    /// Formats of `--all` (comma-separated)
    #[arg(long, value_enum, value_delimiter = ',', default_value = "k8s,helm,kustomize", requires = "all")]
    pub formats: Vec<RenderFormat>,
}

/// The one object set every format (and `apply`) starts from; see
/// [`skyform_addons::platform_objects`].
pub fn platform_objects(model: &Model, env: &Environment, provider: ProviderName) -> Vec<skyform_render::Object> {
    skyform_addons::platform_objects(model, env, provider)
}

/// The prerequisites of every environment as dependencies of the umbrella chart.
fn chart_dependencies(
    model: &Model,
    provider: ProviderName,
    per_env: &[skyform_package::EnvObjects],
) -> Vec<skyform_package::ChartDependency> {
    let pres: Vec<skyform_prereqs::Prerequisites> = model
        .environments
        .iter()
        .zip(per_env)
        .map(|(e, (_, objects))| skyform_addons::prereqs::prerequisites(model, e, provider, objects))
        .collect();
    skyform_prereqs::TABLE
        .iter()
        .filter_map(|c| {
            let values: Vec<Option<serde_json::Value>> =
                pres.iter().map(|p| p.release(c.id).map(|r| r.values.clone())).collect();
            let first = pres.iter().find_map(|p| p.release(c.id))?;
            Some(skyform_package::ChartDependency {
                chart: first.chart.clone(),
                alias: first.name.clone(),
                version: first.version.clone(),
                repository: first.repo.clone(),
                namespace: first.namespace.clone(),
                values,
            })
        })
        .collect()
}

pub fn run(args: &Args, ui: &Ui) -> Result<u8> {
    let (model, _source) = match super::compile_platform(&args.file, ui)? {
        Ok(m) => m,
        Err(code) => return Ok(code),
    };
    let out = args.out.as_deref().filter(|p| *p != Path::new("-"));
    if args.all {
        let Some(out) = out else {
            ui.error("`--all` writes a folder");
            ui.hint("pass `--out DIR`");
            return Ok(exit::BAD_INPUT);
        };
        return render_matrix(&model, &args.formats, out, args.allow_findings, ui);
    }
    let Some(provider) = args.provider.select(&model, None, ui) else {
        return Ok(exit::BAD_INPUT);
    };
    if args.format != RenderFormat::K8s && out.is_none() {
        ui.error(&format!("`--format {}` writes a folder", format_name(args.format)));
        ui.hint("pass `--out DIR`");
        return Ok(exit::BAD_INPUT);
    }
    let env = if matches!(args.format, RenderFormat::K8s | RenderFormat::Terraform | RenderFormat::Pulumi) {
        let Some(env) = args.env.select(&model, EnvDefault::Only, ui) else { return Ok(exit::BAD_INPUT) };
        Some(env)
    } else {
        None
    };
    if args.format == RenderFormat::K8s && out.is_none() {
        let Some(env) = env else { return Ok(exit::BAD_INPUT) };
        // Serialized once: the gate checks the very texts the stream is made of.
        let set = CheckSet::unprefixed_owned(env.production, platform_objects(&model, env, provider));
        if let Some(code) = gate(std::slice::from_ref(&set), &set.files, args.allow_findings, ui) {
            return Ok(code);
        }
        crate::stdout::write_parts(set.files.iter().flat_map(|(_, text)| [b"---\n".as_slice(), text.as_bytes()]))?;
        return Ok(exit::OK);
    }
    let files = match render_files(&model, provider, args.format, env, args.allow_findings, None, ui)? {
        Ok(files) => files,
        Err(code) => return Ok(code),
    };
    let Some(out) = out else { return Ok(exit::BAD_INPUT) };
    let changes = super::write_tree_atomic(out, &files)?;
    let what = format!(
        "{} for `{}` on {}",
        format_name(args.format),
        args.env.env.as_deref().unwrap_or(&model.name),
        skyform_render::provider_name(provider)
    );
    ui.status(&written(files.len(), &what, out, &changes));
    Ok(exit::OK)
}

/// Output files: (path relative to the output folder, contents).
type Files = Vec<(String, Vec<u8>)>;

/// The files of one render, or the exit code when its input or its gate refused.
type Rendered = std::result::Result<Files, u8>;

/// Whether a format packages every environment into one output (helm, kustomize, gitops)
/// rather than one output per environment.
fn packages_every_environment(format: RenderFormat) -> bool {
    matches!(format, RenderFormat::Helm | RenderFormat::Kustomize | RenderFormat::Gitops)
}

/// `render --all`: every environment × declared provider × format, rendered and gated in
/// parallel, then written in one atomic replacement of `out`. A failing part is reported
/// (each part prints its own findings) and nothing is written.
fn render_matrix(model: &Model, formats: &[RenderFormat], out: &Path, allow: bool, ui: &Ui) -> Result<u8> {
    use rayon::prelude::*;
    let mut providers: Vec<ProviderName> = model.providers.iter().map(|p| p.name).collect();
    providers.sort();
    providers.dedup();
    if providers.is_empty() {
        ui.error(&format!("platform `{}` declares no providers", model.name));
        ui.hint("list the targets under `spec.providers`");
        return Ok(exit::BAD_INPUT);
    }
    let mut formats = formats.to_vec();
    formats.sort_by_key(|f| format_name(*f));
    formats.dedup();
    // (provider, format, environment or None for formats that package every environment)
    let mut jobs: Vec<(ProviderName, RenderFormat, Option<&Environment>)> = Vec::new();
    for &p in &providers {
        for &f in &formats {
            if matches!(f, RenderFormat::Terraform | RenderFormat::Pulumi) && skyform_prereqs::is_local(p) {
                continue;
            }
            if packages_every_environment(f) {
                jobs.push((p, f, None));
            } else {
                jobs.extend(model.environments.iter().map(|e| (p, f, Some(e))));
            }
        }
    }
    // Every format starts from the same object set per (provider, environment): build and
    // check each once, up front, instead of once per format.
    let cache = Cache(providers.par_iter().map(|&p| (p, Prepared::new(model, p))).collect());
    let results: Vec<Result<Rendered>> = jobs
        .par_iter()
        .map(|&(p, f, env)| {
            let prefix = match env {
                Some(e) => format!("{}/{}/{}", skyform_render::provider_name(p), format_name(f), e.name),
                None => format!("{}/{}", skyform_render::provider_name(p), format_name(f)),
            };
            render_files(model, p, f, env, allow, Some(&cache), ui)
                .map(|r| r.map(|files| files.into_iter().map(|(path, b)| (format!("{prefix}/{path}"), b)).collect()))
        })
        .collect();
    let mut files = Vec::new();
    let mut failed = None;
    for ((p, f, env), result) in jobs.iter().zip(results) {
        match result? {
            Ok(part) => files.extend(part),
            Err(code) => {
                ui.error(&format!(
                    "`{}` on {} ({}) did not render",
                    env.map_or(model.name.as_str(), |e| e.name.as_str()),
                    skyform_render::provider_name(*p),
                    format_name(*f)
                ));
                failed = Some(failed.map_or(code, |c: u8| c.max(code)));
            }
        }
    }
    if let Some(code) = failed {
        ui.hint("nothing was written");
        return Ok(code);
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    // The object sets are done with: freed on one core while the other walks the output
    // folder (a walk on one thread) rather than after the write.
    let (_, changes) = rayon::join(move || drop(cache), || super::write_tree_atomic(out, &files));
    let changes = changes?;
    let what = format!(
        "{} renders: {} providers × {} format{}",
        jobs.len(),
        providers.len(),
        formats.len(),
        if formats.len() == 1 { "" } else { "s" }
    );
    ui.status(&written(files.len(), &what, out, &changes));
    Ok(exit::OK)
}

/// The files of one format for one provider (and, for k8s/terraform/pulumi, one
/// environment), gated by `skyform check`; `Err(code)` when the gate or the input refuses.
fn render_files(
    model: &Model,
    provider: ProviderName,
    format: RenderFormat,
    env: Option<&Environment>,
    allow: bool,
    cache: Option<&Cache>,
    ui: &Ui,
) -> Result<Rendered> {
    let prepared = cache.and_then(|c| c.0.get(&provider));
    // An environment's k8s files, whether `skyform check` found them clean, and its
    // objects, when cached.
    let cached = |e: &Environment| {
        let (p, i) = (prepared?, model.environments.iter().position(|m| m.name == e.name)?);
        Some((&p.files[i], p.clean[i], p.envs[i].1.as_slice()))
    };
    let objects_of = |e: &Environment| match cached(e) {
        Some((_, _, objects)) => std::borrow::Cow::Borrowed(objects),
        None => std::borrow::Cow::Owned(platform_objects(model, e, provider)),
    };
    // An environment's set the cache already found clean is not checked again.
    let set_of = |label: &str, e: &Environment, objects: &[skyform_render::Object]| match cached(e) {
        Some((_, true, _)) => CheckSet::clean(),
        _ => CheckSet::new(label, e.production, objects),
    };
    let env_sets =
        |envs: &[&Environment]| -> Vec<CheckSet> { envs.iter().map(|e| set_of(&e.name, e, &objects_of(e))).collect() };
    let files: Vec<(String, Vec<u8>)> = match format {
        RenderFormat::Helm | RenderFormat::Kustomize => {
            let built: Vec<skyform_package::EnvObjects>;
            let per_env: &[skyform_package::EnvObjects] = match prepared {
                Some(p) => &p.envs,
                None => {
                    built = model.environments.iter().map(|e| (e.name.clone(), objects_of(e).into_owned())).collect();
                    &built
                }
            };
            let sets: Vec<CheckSet> =
                model.environments.iter().zip(per_env).map(|(e, (name, objects))| set_of(name, e, objects)).collect();
            let mut package = skyform_package::Package::from_model(model, per_env);
            if format == RenderFormat::Helm {
                package = package.with_dependencies(chart_dependencies(model, provider, per_env));
            }
            let rendered = if format == RenderFormat::Helm {
                skyform_package::helm::render(&package)
            } else {
                skyform_package::kustomize::render(&package)
            };
            let files: Vec<(String, Vec<u8>)> = match rendered {
                Ok(files) => files.into_iter().map(|f| (f.path, f.contents.into_bytes())).collect(),
                Err(e) => {
                    ui.error(&e.to_string());
                    return Ok(Err(exit::BAD_INPUT));
                }
            };
            if let Some(code) = gate(&sets, &files, allow, ui) {
                return Ok(Err(code));
            }
            files
        }
        RenderFormat::Gitops => {
            let bootstrap = skyform_addons::bootstrap_objects(model, provider);
            let mut files: Vec<(String, Vec<u8>)> = skyform_render::output::files(&bootstrap)
                .into_iter()
                .map(|f| (format!("bootstrap/{}", f.path), f.contents.into_bytes()))
                .collect();
            let ci = skyform_addons::ci_workflow(model);
            files.push((ci.path, ci.contents.into_bytes()));
            let all: Vec<&Environment> = model.environments.iter().collect();
            let mut sets = vec![CheckSet::new("bootstrap", false, &bootstrap)];
            sets.extend(env_sets(&all));
            if let Some(code) = gate(&sets, &files, allow, ui) {
                return Ok(Err(code));
            }
            files
        }
        RenderFormat::K8s => {
            let Some(env) = env else { return Ok(Err(exit::BAD_INPUT)) };
            if let Some((files, true, _)) = cached(env) {
                // Checked clean up front; only the credential scan of the outputs is left.
                if let Some(code) = gate(&[], files, allow, ui) {
                    return Ok(Err(code));
                }
                return Ok(Ok(files.iter().map(|(path, t)| (path.clone(), t.clone().into_bytes())).collect()));
            }
            let set = CheckSet::unprefixed_owned(env.production, objects_of(env).into_owned());
            if let Some(code) = gate(std::slice::from_ref(&set), &set.files, allow, ui) {
                return Ok(Err(code));
            }
            set.files.into_iter().map(|(p, t)| (p, t.into_bytes())).collect()
        }
        RenderFormat::Terraform | RenderFormat::Pulumi => {
            let Some(env) = env else { return Ok(Err(exit::BAD_INPUT)) };
            if skyform_prereqs::is_local(provider) {
                ui.error(&format!(
                    "`--provider {}` is a local cluster: there is no infrastructure for {} to create",
                    skyform_render::provider_name(provider),
                    format_name(format)
                ));
                ui.hint("create the cluster with `kind create cluster`, then `skyform apply --provider kind`");
                return Ok(Err(exit::BAD_INPUT));
            }
            let tf_format = if format == RenderFormat::Terraform {
                skyform_terraform::Format::Terraform
            } else {
                skyform_terraform::Format::Pulumi
            };
            let key = skyform_terraform::provider_key(provider);
            let catalog = skyform_cost::Catalog::embedded()?;
            let plans = skyform_cost::plan_environment(
                model,
                env,
                &[key.to_owned()],
                &catalog,
                &skyform_cost::PlanOptions::default(),
            )?;
            let plan = plans.plans.iter().find(|p| p.provider == key);
            let files: Vec<(String, Vec<u8>)> =
                skyform_terraform::render_format(tf_format, model, env, provider, plan)?
                    .into_iter()
                    .map(|(p, t)| (p, t.into_bytes()))
                    .collect();
            if let Some(code) = gate(&[], &files, allow, ui) {
                return Ok(Err(code));
            }
            files
        }
    };
    Ok(Ok(files))
}

fn format_name(f: RenderFormat) -> &'static str {
    match f {
        RenderFormat::K8s => "k8s",
        RenderFormat::Helm => "helm",
        RenderFormat::Kustomize => "kustomize",
        RenderFormat::Terraform => "terraform",
        RenderFormat::Pulumi => "pulumi",
        RenderFormat::Gitops => "gitops",
    }
}

/// One provider's environments for `render --all`, built and checked once and shared by
/// every format: the packagers borrow the objects, the k8s format takes the files.
struct Prepared {
    /// Every environment's objects, in declaration order.
    envs: Vec<skyform_package::EnvObjects>,
    /// Each environment's k8s files, in the same order.
    files: Vec<Vec<(String, String)>>,
    /// Whether `skyform check` found each environment's files free of errors.
    clean: Vec<bool>,
}

impl Prepared {
    /// Every environment of `provider`, each built and checked on its own core.
    fn new(model: &Model, provider: ProviderName) -> Prepared {
        use rayon::prelude::*;
        let built: Vec<(Vec<skyform_render::Object>, CheckSet)> = model
            .environments
            .par_iter()
            .map(|e| {
                let objects = platform_objects(model, e, provider);
                let set = CheckSet::unprefixed(e.production, &objects);
                (objects, set)
            })
            .collect();
        let mut p = Prepared { envs: Vec::new(), files: Vec::new(), clean: Vec::new() };
        for (e, (objects, set)) in model.environments.iter().zip(built) {
            p.clean.push(set.report.as_ref().is_none_or(|r| r.count(skyform_check::Severity::Error) == 0));
            p.envs.push((e.name.clone(), objects));
            p.files.push(set.files);
        }
        p
    }
}

/// [`Prepared`] sets by provider.
struct Cache(std::collections::HashMap<ProviderName, Prepared>);

/// One object set the gate checks: an environment's (or the bootstrap's) objects as the
/// files `render --format k8s` would write, paths prefixed with the set's label.
pub struct CheckSet {
    pub files: Vec<(String, String)>,
    /// `skyform check` of the files, run when the set is made, on the located trees the
    /// writer built with the texts (freed right after, so at most one set's trees are
    /// alive); `None` for a set already checked clean.
    report: Option<skyform_check::Report>,
}

impl CheckSet {
    /// A set already checked clean.
    fn clean() -> CheckSet {
        CheckSet { files: Vec::new(), report: None }
    }

    pub fn new(label: &str, production: bool, objects: &[skyform_render::Object]) -> CheckSet {
        let located = skyform_render::output::located_files(objects);
        CheckSet::checked(production, located, |path| format!("{label}/{path}"))
    }

    fn unprefixed(production: bool, objects: &[skyform_render::Object]) -> CheckSet {
        CheckSet::checked(production, skyform_render::output::located_files(objects), |path| path)
    }

    /// [`CheckSet::unprefixed`] of objects needed no longer: each is freed once written.
    fn unprefixed_owned(production: bool, objects: Vec<skyform_render::Object>) -> CheckSet {
        CheckSet::checked(production, skyform_render::output::into_located_files(objects), |path| path)
    }

    fn checked(
        production: bool,
        located: Vec<(skyform_render::output::RenderedFile, skyform_yaml::Node)>,
        path: impl Fn(String) -> String,
    ) -> CheckSet {
        let (files, trees): (Vec<(String, String)>, Vec<skyform_yaml::Node>) =
            located.into_iter().map(|(f, t)| ((path(f.path), f.contents), t)).unzip();
        let options = skyform_check::Options { production: Some(production), ..skyform_check::Options::default() };
        let parsed = files
            .iter()
            .zip(trees)
            .map(|((name, _), tree)| skyform_check::ParsedFile { name, documents: vec![tree] })
            .collect();
        let report = skyform_check::check_parsed(parsed, &options);
        CheckSet { files, report: Some(report) }
    }
}

/// The error-level findings of `skyform check` on every object set, then (when those are
/// clean) credential-looking values in every output file of the format. Prints them and
/// returns their count.
pub fn gate_findings(sets: &[CheckSet], outputs: &[(String, Vec<u8>)], ui: &Ui) -> usize {
    findings_of(sets, outputs, ui)
}

/// [`gate_findings`] over output files of any text or byte type (the k8s format's outputs
/// are the check set's own texts, not a copy).
fn findings_of<P: AsRef<str>, B: AsRef<[u8]>>(sets: &[CheckSet], outputs: &[(P, B)], ui: &Ui) -> usize {
    let mut errors = 0;
    for set in sets {
        let Some(report) = &set.report else { continue };
        let n = report.count(skyform_check::Severity::Error);
        if n > 0 {
            let inputs: Vec<(&str, &str)> = set.files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
            ui.eprint(&skyform_check::output::text(report, &inputs, ui.color));
        }
        errors += n;
    }
    if errors > 0 {
        return errors;
    }
    // Scanned in parallel, reported in file order.
    let hits: Vec<Vec<skyform_check::credentials::Located>> = {
        use rayon::prelude::*;
        let texts: Vec<&str> = outputs.iter().map(|(_, b)| std::str::from_utf8(b.as_ref()).unwrap_or("")).collect();
        texts.par_iter().map(|t| skyform_check::credentials::scan_text(t)).collect()
    };
    for ((path, _), found) in outputs.iter().zip(hits) {
        let path = path.as_ref();
        for hit in found {
            // No excerpt: the line holds the credential, which must not reach a CI log.
            let diag = skyform_check::output::credential_diag(path, &hit);
            ui.eprint(&skyform_diag::render(&diag, None, ui.color));
            errors += 1;
        }
    }
    errors
}

/// Runs the gate: error-level findings stop the render (exit 1, nothing written) unless
/// `--allow-findings`.
fn gate<P: AsRef<str>, B: AsRef<[u8]>>(sets: &[CheckSet], outputs: &[(P, B)], allow: bool, ui: &Ui) -> Option<u8> {
    let errors = findings_of(sets, outputs, ui);
    if errors == 0 {
        return None;
    }
    if allow {
        ui.status(&format!("writing anyway: {errors} error-level findings (`--allow-findings`)"));
        return None;
    }
    ui.error(&format!("the rendered output has {errors} error-level findings; nothing was written"));
    ui.hint("fix the platform file, waive the rule, or pass `--allow-findings`");
    Some(exit::FINDINGS)
}

/// The status line after a tree was written: what changed against the folder's previous
/// contents, or that the folder already held exactly this output.
fn written(count: usize, what: &str, out: &Path, changes: &super::TreeChanges) -> String {
    if changes.is_unchanged() {
        format!("`{}` is up to date: its {count} files ({what}) are unchanged, nothing was written", out.display())
    } else {
        format!("wrote {count} files ({what}) into `{}`{changes}", out.display())
    }
}
