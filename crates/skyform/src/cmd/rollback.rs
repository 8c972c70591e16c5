//! `skyform rollback FILE --env ENV [--to N]`: re-applies an earlier revision from the
//! cluster's inventory (default: the one before the current) as a new revision, pruning
//! what it does not contain. Needs no platform file: `--platform NAME` works too.

use super::apply::{WriteArgs, connect, print_report, report_error};
use super::history::PlatformArgs;
use crate::exit;
use crate::progress::Bars;
use crate::ui::Ui;
use anyhow::Result;
use skyform_apply::ApplyOptions;

#[derive(clap::Args)]
#[command(mut_arg("env", |a| a.required(true).help("Environment")))]
pub struct Args {
    #[command(flatten)]
    pub platform: PlatformArgs,
    /// Revision to restore (default: the one before the current)
    #[arg(long, value_name = "N")]
    pub to: Option<u64>,
    #[command(flatten)]
    pub write: WriteArgs,
}

pub fn run(args: &Args, ui: &Ui) -> Result<u8> {
    let name = match args.platform.name(ui)? {
        Ok(n) => n,
        Err(code) => return Ok(code),
    };
    let mut session = match connect(&args.platform.cluster, ui) {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    let opts = ApplyOptions {
        platform: name,
        environment: args.platform.env.name().to_string(),
        force_conflicts: args.write.force_conflicts,
        prune_data: args.write.prune_data,
        wave_timeout: args.write.timeout,
        reason: String::new(),
        no_bootstrap: true,
        started: super::apply::now_secs(),
    };
    let bars = Bars::new(!ui.color);
    let handles = skyform_apply::Handles {
        progress: &bars,
        helm: None,
        cancel: super::apply::interrupt_token(&session),
        credentials: Vec::new(),
    };
    match session.rollback(&opts.platform.clone(), args.platform.env.name(), args.to, &opts, &handles) {
        Ok((restored, report)) => {
            ui.status(&format!("restored revision {restored}"));
            print_report(&report, ui);
            Ok(exit::OK)
        }
        Err(e) => Ok(report_error(&e, ui)),
    }
}
