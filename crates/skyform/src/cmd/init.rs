//! `skyform init`: a commented starter platform file.

use crate::exit;
use crate::ui::Ui;
use anyhow::Result;
use std::path::PathBuf;

/// The starter file; it must always validate (a test checks it).
pub const STARTER: &str = include_str!("../../starter.yaml");

#[derive(clap::Args)]
pub struct Args {
    /// Where to write the file (`-` for standard output)
    #[arg(default_value = "platform.yaml")]
    pub out: PathBuf,
    /// Overwrite an existing file
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: &Args, ui: &Ui) -> Result<u8> {
    if args.out.as_os_str() == "-" {
        crate::stdout::write(STARTER)?;
        return Ok(exit::OK);
    }
    if args.out.exists() && !args.force {
        ui.error(&format!("`{}` already exists", args.out.display()));
        ui.hint("pass `--force` to overwrite it, or choose another path");
        return Ok(exit::BAD_INPUT);
    }
    super::write_file_atomic(&args.out, STARTER.as_bytes())?;
    ui.status(&format!("wrote `{}`; next: `skyform validate {}`", args.out.display(), args.out.display()));
    Ok(exit::OK)
}
