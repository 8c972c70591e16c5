//! `skyform apply FILE --env ENV`: renders the platform in memory and server-side-applies
//! it to a live cluster in waves (see `skyform_apply`), waiting for readiness between
//! waves, pruning what the previous revision had, and recording the revision.
//! `--dry-run` prints the waves without contacting the cluster.
//!
//! Also the helpers the other cluster commands (`diff`, `history`, `rollback`) share:
//! cluster flags, rendering to plain objects, and service info for wave planning.

use crate::exit;
use crate::ui::Ui;
use std::io::Write as _;

/// Writes a line to stdout; a closed pipe (`| head`) ends output quietly instead of panicking.
macro_rules! outln {
    ($out:expr, $($arg:tt)*) => {{
        let _ = writeln!($out, $($arg)*);
    }};
}
use anyhow::{Result, bail};
use skyform_apply::blocking::Session;
use skyform_apply::progress::Bars;
use skyform_apply::{ApplyError, ApplyOptions, Manifest, ServiceInfo, Target};
use skyform_model::Model;
use std::path::PathBuf;
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
    pub fn target(&self) -> Target {
        Target { kubeconfig: self.kubeconfig.clone(), context: self.context.clone() }
    }
}

#[derive(clap::Args)]
pub struct Args {
    /// Platform file
    pub file: PathBuf,
    /// Environment to deploy
    #[arg(long, short)]
    pub env: String,
    /// Provider to render for (default: the platform's first provider)
    #[arg(long, short)]
    pub provider: Option<String>,
    #[command(flatten)]
    pub cluster: ClusterArgs,
    /// Print the plan of waves and exit without contacting the cluster
    #[arg(long)]
    pub dry_run: bool,
    /// Take over fields another field manager owns
    #[arg(long)]
    pub force_conflicts: bool,
    /// Also prune PersistentVolumeClaims and namespaces that hold them
    #[arg(long)]
    pub prune_data: bool,
    /// Readiness timeout of each wave (e.g. 90s, 5m, 1h)
    #[arg(long, default_value = "5m", value_parser = parse_duration)]
    pub timeout: Duration,
}

/// Parses `90s`, `5m`, `1h` or plain seconds.
pub fn parse_duration(s: &str) -> std::result::Result<Duration, String> {
    let s = s.trim();
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: u64 = num.parse().map_err(|_| format!("`{s}` is not a duration (e.g. 90s, 5m, 1h)"))?;
    let secs = match unit {
        "" | "s" => n,
        "m" => n.saturating_mul(60),
        "h" => n.saturating_mul(3600),
        _ => return Err(format!("`{s}` is not a duration (e.g. 90s, 5m, 1h)")),
    };
    Ok(Duration::from_secs(secs))
}

/// A platform rendered for one environment and provider, ready to apply.
pub struct Rendered {
    pub platform: String,
    pub environment: String,
    pub manifests: Vec<Manifest>,
    pub services: Vec<ServiceInfo>,
}

/// Compiles and renders; `Err(code)` when the input is bad (already reported).
pub fn render(
    file: &std::path::Path,
    env: &str,
    provider: Option<&str>,
    ui: &Ui,
) -> Result<std::result::Result<Rendered, u8>> {
    let (model, _) = match super::compile_platform(file, ui)? {
        Ok(m) => m,
        Err(code) => return Ok(Err(code)),
    };
    let Some(environment) = model.environment(env) else {
        ui.error(&format!("environment `{env}` does not exist"));
        ui.hint(&format!("environments: {}", model.environment_names().join(", ")));
        return Ok(Err(exit::BAD_INPUT));
    };
    let provider = match provider {
        Some(p) => match skyform_render::parse_provider(p) {
            Some(p) => p,
            None => {
                ui.error(&format!("unknown provider `{p}`"));
                return Ok(Err(exit::BAD_INPUT));
            }
        },
        None => match model.providers.first() {
            Some(p) => p.name,
            None => bail!("the platform lists no providers; pass --provider"),
        },
    };
    let objects = skyform_render::render_objects(&model, environment, provider);
    let manifests = Manifest::from_values(objects.into_iter().map(|o| o.value).collect())?;
    Ok(Ok(Rendered {
        platform: model.name.clone(),
        environment: environment.name.clone(),
        manifests,
        services: services(&model, env),
    }))
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
    Session::connect(&cluster.target()).map_err(|e| report_error(&e, ui))
}

/// Prints an apply error; returns the exit code.
pub fn report_error(e: &ApplyError, ui: &Ui) -> u8 {
    ui.error(&e.to_string());
    match e {
        ApplyError::NotReady { .. } | ApplyError::Conflicts(_) => exit::FINDINGS,
        _ => exit::BAD_INPUT,
    }
}

pub fn run(args: &Args, ui: &Ui) -> Result<u8> {
    let mut out = std::io::stdout().lock();
    let rendered = match render(&args.file, &args.env, args.provider.as_deref(), ui)? {
        Ok(r) => r,
        Err(code) => return Ok(code),
    };
    if args.dry_run {
        let waves = skyform_apply::engine::plan(&rendered.manifests, &rendered.services);
        outln!(
            out,
            "plan for {}/{} ({} objects, {} waves):",
            rendered.platform,
            rendered.environment,
            rendered.manifests.len(),
            waves.len()
        );
        for w in &waves {
            outln!(
                out,
                "wave {} ({} objects){}",
                w.name,
                w.objects.len(),
                if w.services.is_empty() { String::new() } else { format!(": {}", w.services.join(", ")) }
            );
            for &i in &w.objects {
                outln!(out, "  {}", rendered.manifests[i].r);
            }
        }
        return Ok(exit::OK);
    }
    let mut session = match connect(&args.cluster, ui) {
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
        force_conflicts: args.force_conflicts,
        prune_data: args.prune_data,
        wave_timeout: args.timeout,
        reason: "apply".into(),
    };
    let bars = Bars::new(!ui.color);
    match session.apply(&rendered.manifests, &rendered.services, &opts, &bars) {
        Ok(report) => {
            print_report(&report, ui);
            Ok(exit::OK)
        }
        Err(e) => Ok(report_error(&e, ui)),
    }
}

/// Summary of an apply.
pub fn print_report(r: &skyform_apply::ApplyReport, ui: &Ui) {
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
