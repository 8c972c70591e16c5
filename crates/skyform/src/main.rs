//! The `skyform` binary: argument parsing, file I/O, terminal output and exit codes.
//!
//! Everything else lives in library crates that never touch files, the terminal or the
//! environment. Each subcommand is one module in [`cmd`] with an `Args` struct (clap)
//! and a `run(args, &Ui) -> Result<ExitCode>` function.

mod cmd;
mod helm;
mod progress;
mod stdout;
mod ui;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Exit codes, the same for every command.
pub mod exit {
    /// Success; nothing found.
    pub const OK: u8 = 0;
    /// The command ran and found problems (findings, changes, failed checks).
    pub const FINDINGS: u8 = 1;
    /// Bad input: unreadable file, invalid platform file, bad arguments.
    pub const BAD_INPUT: u8 = 2;
    /// Interrupted (Ctrl-C, SIGTERM): 128 + SIGINT, as shells report it.
    pub const INTERRUPTED: u8 = 130;
}

#[derive(Parser)]
#[command(
    name = "skyform",
    version,
    about = "One platform.yaml → Kubernetes manifests, Helm, Kustomize, Terraform and cost plans for any cloud",
    propagate_version = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a platform file and report every problem with its location
    Validate(cmd::validate::Args),
    /// Show what each service resolves to in an environment (defaults and overrides applied)
    Explain(cmd::explain::Args),
    /// Import a docker-compose stack into a platform file
    Import(cmd::import::Args),
    /// Render Kubernetes manifests for one environment and provider
    Render(cmd::render::Args),
    /// Print the traffic the rendered NetworkPolicies allow (Mermaid or DOT)
    Graph(cmd::graph::Args),
    /// Check any Kubernetes manifests (files, folders, stdin) against 103 rules, including whether they can run
    Check(cmd::check::Args),
    /// Cheapest correct node pools per provider, priced side by side
    Plan(cmd::plan::Args),
    /// Disaster-recovery table computed from backups and replication; migration runbooks
    Dr(cmd::dr::Args),
    /// HIPAA/GDPR/SOC 2 technical controls and the objects that implement them
    Compliance(cmd::compliance::Args),
    /// Server-side apply the platform to a live cluster in waves
    Apply(cmd::apply::Args),
    /// Show what `apply` would change in a live cluster
    Diff(cmd::diff::Args),
    /// List the revisions applied to a cluster
    History(cmd::history::Args),
    /// Re-apply an earlier revision
    Rollback(cmd::rollback::Args),
    /// Print the JSON Schema of the platform file (for editor completion)
    Schema(cmd::schema::Args),
    /// Write a commented starter platform file
    Init(cmd::init::Args),
    /// Print shell completions
    Completions(cmd::completions::Args),
}

/// mimalloc instead of the system allocator: a render allocates and frees hundreds of
/// thousands of small strings and maps, where glibc's malloc took a third of the
/// instructions (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => ExitCode::SUCCESS,
                _ => ExitCode::from(exit::BAD_INPUT),
            };
        }
    };
    let ui = ui::Ui::from_env();
    // `render` and `graph` run on a worker of the pool their parallel parts use, so that
    // starting and ending each of them needs no hand-over from the main thread.
    let result = match cli.command {
        Command::Validate(a) => cmd::validate::run(&a, &ui),
        Command::Explain(a) => cmd::explain::run(&a, &ui),
        Command::Import(a) => cmd::import::run(&a, &ui),
        Command::Render(a) => rayon::scope(|_| cmd::render::run(&a, &ui)),
        Command::Graph(a) => rayon::scope(|_| cmd::graph::run(&a, &ui)),
        Command::Check(a) => cmd::check::run(&a, &ui),
        Command::Plan(a) => cmd::plan::run(&a, &ui),
        Command::Dr(a) => cmd::dr::run(&a, &ui),
        Command::Compliance(a) => cmd::compliance::run(&a, &ui),
        Command::Apply(a) => cmd::apply::run(&a, &ui),
        Command::Diff(a) => cmd::diff::run(&a, &ui),
        Command::History(a) => cmd::history::run(&a, &ui),
        Command::Rollback(a) => cmd::rollback::run(&a, &ui),
        Command::Schema(a) => cmd::schema::run(&a, &ui),
        Command::Init(a) => cmd::init::run(&a, &ui),
        Command::Completions(a) => cmd::completions::run(&a, <Cli as clap::CommandFactory>::command()),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        // The reader of stdout went away (`| head`): what it wanted has been written.
        Err(e) if stdout::is_closed(&e) => ExitCode::SUCCESS,
        Err(e) => {
            ui.error(&format!("{e:#}"));
            ExitCode::from(exit::BAD_INPUT)
        }
    }
}
