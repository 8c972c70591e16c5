//! `skyform completions SHELL`: shell completion scripts.

use crate::exit;
use anyhow::Result;

#[derive(clap::Args)]
pub struct Args {
    /// Shell to generate completions for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

pub fn run(args: &Args, mut command: clap::Command) -> Result<u8> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "skyform", &mut script);
    crate::stdout::write(&script)?;
    Ok(exit::OK)
}
