//! `skyform apply FILE --env ENV`: renders the platform in memory and server-side-applies
//! it to a live cluster in waves (see `skyform_apply`), waiting for readiness between
//! waves, pruning what the previous revision had, and recording the revision.
//! Before the first wave's custom resources, the prerequisite Helm releases (operators
//! serving their API groups) are installed with the real `helm` binary ([`crate::helm`])
//! and waited for; `--no-bootstrap` refuses instead when the cluster lacks one. Ctrl-C
//! (or SIGTERM) interrupts between requests and marks the revision failed, never pending.
//! `--dry-run` prints the releases and every object, wave by wave, without contacting the
//! cluster.
//!
//! Also the helpers the other cluster commands (`diff`, `history`, `rollback`) share:
//! cluster flags, rendering to plain objects, and service info for wave planning.

use crate::exit;
use crate::ui::Ui;

/// Writes a line to stdout; a closed pipe (`| head`) ends output quietly instead of panicking.
macro_rules! outln {
    ($($arg:tt)*) => {{
        crate::stdout::write(format!("{}\n", format_args!($($arg)*)))?;
    }};
}
use super::args::{EnvDefault, PlatformTarget};
use crate::progress::Bars;
use anyhow::{Result, bail};
use skyform_apply::blocking::Session;
use skyform_apply::{
    ApplyError, ApplyOptions, CancellationToken, Handles, Kubeconfig, Manifest, Release, ServiceInfo, Target,
};
use skyform_model::Model;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Flags selecting the cluster.
#[derive(clap::Args, Clone, Debug)]
pub struct ClusterArgs {
    /// Kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)
    #[arg(long, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,
    /// Kubeconfig context (default: its current context)
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,
}

impl ClusterArgs {
    /// Reads the kubeconfig (`--kubeconfig`, else `$KUBECONFIG`, else `~/.kube/config`) and
    /// hands the engine the monotonic clock: `skyform-apply` reads neither itself.
    pub fn target(&self) -> std::result::Result<Target, ApplyError> {
        let kubeconfig = match &self.kubeconfig {
            Some(path) => Kubeconfig::read_from(path).map_err(|e| {
                ApplyError::Kubeconfig(format!("{}: {}", path.display(), skyform_apply::cluster::error_chain(&e)))
            })?,
            None => Kubeconfig::read().map_err(|e| ApplyError::Kubeconfig(skyform_apply::cluster::error_chain(&e)))?,
        };
        Ok(Target { kubeconfig, context: self.context.clone(), clock: std::time::Instant::now })
    }
}

/// What `apply` and `diff` render (the platform file, its environment, which they require,
/// and its provider, default the first declared) and the cluster they compare it with.
#[derive(clap::Args, Clone, Debug)]
pub struct DeployArgs {
    #[command(flatten)]
    pub target: PlatformTarget,
    #[command(flatten)]
    pub cluster: ClusterArgs,
    #[command(flatten)]
    pub prereqs: PrereqArgs,
}

/// How `apply` and `rollback` write.
#[derive(clap::Args, Clone, Debug)]
pub struct WriteArgs {
    /// Take over fields another field manager owns
    #[arg(long)]
    pub force_conflicts: bool,
    /// Also prune PersistentVolumeClaims and namespaces that hold them
    #[arg(long)]
    pub prune_data: bool,
    /// Readiness timeout of each wave (e.g. 90s, 5m, 1h)
    #[arg(long, default_value = "5m", value_parser = skyform_spec::duration::parse)]
    pub timeout: Duration,
}

#[derive(clap::Args)]
#[command(mut_arg("env", |a| a.required(true).help("Environment to deploy")))]
#[command(mut_arg("provider", |a| a.help("Provider to render for (default: the platform's first provider)")))]
pub struct Args {
    #[command(flatten)]
    pub deploy: DeployArgs,
    /// Print the plan of waves and exit without contacting the cluster
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub write: WriteArgs,
    /// Do not install prerequisite releases: refuse (before any write) when the cluster lacks one
    #[arg(long)]
    pub no_bootstrap: bool,
    /// The helm binary that installs prerequisite releases
    #[arg(long, value_name = "FILE", default_value = "helm")]
    pub helm: PathBuf,
    /// A secret store's credential: NAMESPACE/NAME:KEY=@FILE or NAMESPACE/NAME:KEY=env:VARIABLE
    /// (applied before the stores that read it; never recorded in the inventory)
    #[arg(long, value_name = "SPEC")]
    pub store_credential: Vec<String>,
}

/// Flags about prerequisite releases, shared by `apply` and `diff`.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct PrereqArgs {
    /// Prerequisite releases to install instead of the version table's (a private chart
    /// mirror, your own pins): a YAML list of {name, namespace, chart, repo, version,
    /// values_yaml, provides_groups, wave} (chart may be a local path when repo is empty)
    #[arg(long, value_name = "FILE")]
    pub releases: Option<PathBuf>,
}

impl PrereqArgs {
    /// The releases to install: those of `--releases` when given, otherwise `table` (the
    /// version table's releases for the object set).
    pub fn releases_or(&self, table: Vec<Release>) -> Result<Vec<Release>> {
        let Some(path) = &self.releases else { return Ok(table) };
        let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        let list: Vec<Release> = serde_saphyr::from_str(&text)
            .map_err(|e| anyhow::anyhow!("{}: not a list of releases: {e}", path.display()))?;
        for r in &list {
            if r.name.is_empty() || r.namespace.is_empty() || r.chart.is_empty() {
                bail!("{}: release `{}` needs a name, a namespace and a chart", path.display(), r.name);
            }
        }
        Ok(list)
    }
}

/// Reads `--store-credential` values into Secrets: `NS/NAME:KEY=@FILE` or `=env:VAR`.
pub fn store_credentials(specs: &[String]) -> Result<Vec<Manifest>> {
    let mut secrets: BTreeMap<(String, String), BTreeMap<String, Vec<u8>>> = BTreeMap::new();
    for spec in specs {
        let (target, source) = spec.split_once('=').ok_or_else(|| {
            anyhow::anyhow!("--store-credential `{spec}`: expected NAMESPACE/NAME:KEY=@FILE or =env:VARIABLE")
        })?;
        let (ns, name, key) =
            skyform_apply::bootstrap::parse_spec(target).map_err(|e| anyhow::anyhow!("--store-credential: {e}"))?;
        let value = if let Some(file) = source.strip_prefix('@') {
            let mut bytes =
                std::fs::read(file).map_err(|e| anyhow::anyhow!("--store-credential: cannot read {file}: {e}"))?;
            // A trailing newline from `echo` or an editor is not part of a token.
            while bytes.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
                bytes.pop();
            }
            bytes
        } else if let Some(var) = source.strip_prefix("env:") {
            std::env::var(var)
                .map_err(|_| anyhow::anyhow!("--store-credential: environment variable {var} is not set"))?
                .into_bytes()
        } else {
            bail!("--store-credential `{spec}`: the value must be @FILE or env:VARIABLE (never the secret itself)");
        };
        secrets.entry((ns, name)).or_default().insert(key, value);
    }
    Ok(skyform_apply::bootstrap::credential_secrets(&secrets))
}

/// A token cancelled by Ctrl-C or SIGTERM, listening on the session's runtime. A second
/// Ctrl-C is left to the default handler again only after the apply returns.
pub fn interrupt_token(session: &Session) -> CancellationToken {
    let token = CancellationToken::new();
    let t = token.clone();
    session.handle().spawn(async move {
        #[cfg(unix)]
        {
            let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                    t.cancel();
                    return;
                }
            };
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
        t.cancel();
    });
    token
}

/// Seconds since the Unix epoch (the clock the engine is handed).
pub fn now_secs() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// A platform rendered for one environment and provider, ready to apply.
pub struct Rendered {
    pub platform: String,
    pub environment: String,
    pub manifests: Vec<Manifest>,
    pub services: Vec<ServiceInfo>,
    /// Prerequisite releases the objects need (operators serving their API groups).
    pub releases: Vec<Release>,
}

/// Compiles and renders; `Err(code)` when the input is bad (already reported).
pub fn render(target: &PlatformTarget, ui: &Ui) -> Result<std::result::Result<Rendered, u8>> {
    let (model, _) = match super::compile_platform(&target.file, ui)? {
        Ok(m) => m,
        Err(code) => return Ok(Err(code)),
    };
    let Some(environment) = target.env.select(&model, EnvDefault::Only, ui) else { return Ok(Err(exit::BAD_INPUT)) };
    let Some(provider) = target.provider.select_or_first(&model, ui) else { return Ok(Err(exit::BAD_INPUT)) };
    // Every object `render` emits: the core objects and the add-ons (custom resources
    // of operators that the prerequisite releases install).
    let objects = super::render::platform_objects(&model, environment, provider);
    let releases = prerequisite_releases(&model, environment, provider, &objects);
    let manifests = Manifest::from_values(objects.into_iter().map(|o| o.value).collect())?;
    Ok(Ok(Rendered {
        platform: model.name.clone(),
        environment: environment.name.clone(),
        manifests,
        services: services(&model, &environment.name),
        releases,
    }))
}

/// The prerequisite releases of the object set (skyform-prereqs' version table), in the
/// form the apply engine installs with helm.
///
/// A release that only serves some of its groups after its own custom resources exist
/// (the Knative operator serves `serving.knative.dev` once the KnativeServing, which is in
/// the object set, is applied) is waited for on the groups of those resources only.
fn prerequisite_releases(
    model: &Model,
    env: &skyform_model::Environment,
    provider: skyform_model::ProviderName,
    objects: &[skyform_render::Object],
) -> Vec<Release> {
    let pre = skyform_addons::prereqs::prerequisites(model, env, provider, objects);
    pre.releases
        .iter()
        .map(|r| {
            let provides_groups = if r.manifests.is_empty() {
                r.provides_groups.clone()
            } else {
                let own: std::collections::BTreeSet<String> = r
                    .manifests
                    .iter()
                    .filter_map(|m| m.get("apiVersion").and_then(serde_json::Value::as_str))
                    .filter_map(|v| v.split_once('/').map(|(g, _)| g.to_string()))
                    .collect();
                r.provides_groups.iter().filter(|g| own.contains(*g)).cloned().collect()
            };
            Release {
                name: r.name.clone(),
                namespace: r.namespace.clone(),
                chart: r.chart.clone(),
                repo: r.repo.clone(),
                version: r.version.clone(),
                values_yaml: r.values_yaml.clone(),
                provides_groups,
                wave: r.wave,
            }
        })
        .collect()
}

/// Service names, dependencies and data-tier membership, for wave planning.
pub fn services(model: &Model, env: &str) -> Vec<ServiceInfo> {
    model
        .environment(env)
        .map(|e| {
            e.services
                .iter()
                .map(|s| ServiceInfo {
                    name: s.name.clone(),
                    depends_on: s.depends_on.iter().map(|d| d.service.clone()).chain(s.after.iter().cloned()).collect(),
                    data: s.tier == "data" || s.storage.is_some(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Connects, reporting a failure as an error message and exit code.
pub fn connect(cluster: &ClusterArgs, ui: &Ui) -> std::result::Result<Session, u8> {
    cluster.target().and_then(|t| Session::connect(&t)).map_err(|e| report_error(&e, ui))
}

/// An apply error as a diagnostic, with its hints (and the binary's own for helm).
pub fn error_diag(e: &ApplyError) -> skyform_diag::Diag {
    let mut hints = e.hints();
    if let ApplyError::Helm(m) = e
        && m.contains(crate::helm::CANNOT_RUN)
    {
        hints.push("install helm 3, or pass --helm with its path".into());
    }
    skyform_diag::Diag::new(skyform_diag::Level::Error, e.to_string()).hints(hints)
}

/// Prints an apply error; returns the exit code.
pub fn report_error(e: &ApplyError, ui: &Ui) -> u8 {
    ui.diag(&error_diag(e));
    match e {
        ApplyError::NotReady { .. } | ApplyError::Conflicts(_) | ApplyError::Helm(_) => exit::FINDINGS,
        ApplyError::Interrupted(_) => exit::INTERRUPTED,
        _ => exit::BAD_INPUT,
    }
}

pub fn run(args: &Args, ui: &Ui) -> Result<u8> {
    let mut rendered = match render(&args.deploy.target, ui)? {
        Ok(r) => r,
        Err(code) => return Ok(code),
    };
    rendered.releases = args.deploy.prereqs.releases_or(std::mem::take(&mut rendered.releases))?;
    let credentials = store_credentials(&args.store_credential)?;
    if args.dry_run {
        let waves = skyform_apply::engine::plan(&rendered.manifests, &rendered.services);
        outln!(
            "plan for {}/{} ({} objects, {} waves, {} prerequisite releases):",
            rendered.platform,
            rendered.environment,
            rendered.manifests.len(),
            waves.len(),
            rendered.releases.len()
        );
        let release_waves = skyform_apply::release::waves(&rendered.releases);
        for (n, w) in waves.iter().enumerate() {
            if n == usize::from(waves[0].name == "cluster") {
                print_release_plan(&release_waves, args.no_bootstrap)?;
            }
            outln!(
                "wave {} ({} objects){}",
                w.name,
                w.objects.len(),
                if w.services.is_empty() { String::new() } else { format!(": {}", w.services.join(", ")) }
            );
            for &i in &w.objects {
                outln!("  {}", rendered.manifests[i].r);
            }
        }
        if waves.len() <= usize::from(waves.first().is_some_and(|w| w.name == "cluster")) {
            print_release_plan(&release_waves, args.no_bootstrap)?;
        }
        return Ok(exit::OK);
    }
    let mut session = match connect(&args.deploy.cluster, ui) {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    ui.status(&format!(
        "applying {}/{} ({} objects) to {} ({})",
        rendered.platform,
        rendered.environment,
        rendered.manifests.len(),
        session.cluster.server(),
        session.cluster.version
    ));
    let opts = ApplyOptions {
        platform: rendered.platform.clone(),
        environment: rendered.environment.clone(),
        force_conflicts: args.write.force_conflicts,
        prune_data: args.write.prune_data,
        wave_timeout: args.write.timeout,
        reason: "apply".into(),
        no_bootstrap: args.no_bootstrap,
        started: now_secs(),
    };
    let bars = Bars::new(!ui.color);
    let handles = Handles {
        progress: &bars,
        helm: Some(Arc::new(crate::helm::HelmCli {
            helm: args.helm.clone(),
            kubeconfig: args.deploy.cluster.kubeconfig.clone(),
            context: args.deploy.cluster.context.clone(),
        })),
        cancel: interrupt_token(&session),
        credentials,
    };
    match session.apply_all(&rendered.manifests, &rendered.services, &rendered.releases, &opts, &handles) {
        Ok(report) => {
            print_report(&report, ui);
            Ok(exit::OK)
        }
        Err(e) => Ok(report_error(&e, ui)),
    }
}

/// The release waves of a dry-run.
fn print_release_plan(waves: &[Vec<&Release>], no_bootstrap: bool) -> Result<()> {
    for (n, w) in waves.iter().enumerate() {
        let note = if no_bootstrap { " (--no-bootstrap: required, not installed)" } else { "" };
        outln!("releases {} ({} releases){note}", n + 1, w.len());
        for r in w {
            outln!(
                "  Release {}/{}: {}{} serving {}",
                r.namespace,
                r.name,
                r.chart,
                if r.version.is_empty() { String::new() } else { format!(" {}", r.version) },
                if r.provides_groups.is_empty() { "-".to_string() } else { r.provides_groups.join(", ") }
            );
        }
    }
    Ok(())
}

/// Summary of an apply.
pub fn print_report(r: &skyform_apply::ApplyReport, ui: &Ui) {
    for rel in &r.releases {
        let what = match &rel.action {
            skyform_apply::ReleaseAction::Install => "installed".to_string(),
            skyform_apply::ReleaseAction::Upgrade { why } => format!("upgraded ({why})"),
            skyform_apply::ReleaseAction::Unchanged => "unchanged".to_string(),
        };
        ui.status(&format!("release {}/{}: {what}", rel.namespace, rel.name));
    }
    let rev = if r.new_revision {
        format!("revision {}", r.revision)
    } else {
        format!("revision {} (unchanged)", r.revision)
    };
    ui.status(&format!(
        "{rev}: {} created, {} updated, {} unchanged, {} pruned, {} writes in {:.1}s",
        r.created.len(),
        r.updated.len(),
        r.unchanged,
        r.pruned.len(),
        r.writes,
        r.seconds
    ));
    for p in &r.pruned {
        ui.status(&format!("  pruned {p}"));
    }
    for k in &r.kept {
        if let skyform_apply::prune::PruneAction::Keep { reason } = &k.action {
            ui.status(&format!("  kept {}: {reason}", k.r));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_helm_gets_the_binarys_hint() {
        use skyform_apply::HelmRunner as _;
        let h = crate::helm::HelmCli { helm: "/nonexistent/helm".into(), kubeconfig: None, context: None };
        let r = Release { name: "x".into(), namespace: "x".into(), ..Default::default() };
        let e = h.status(&r).err().unwrap_or_default();
        let shown = skyform_diag::render(&error_diag(&ApplyError::Helm(e)), None, false);
        insta::assert_snapshot!(shown, @r"
        error: cannot run `/nonexistent/helm`: No such file or directory (os error 2)
          hint: install helm 3, or pass --helm with its path
        ");
    }
}
