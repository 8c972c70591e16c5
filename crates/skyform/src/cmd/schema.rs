//! `skyform schema`: the JSON Schema of the platform file.

use crate::exit;
use crate::ui::Ui;
use anyhow::Result;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Write to this file instead of standard output
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub fn run(args: &Args, ui: &Ui) -> Result<u8> {
    let text = skyform_spec::schema::platform_schema_text();
    match &args.out {
        Some(path) => {
            super::write_file_atomic(path, text.as_bytes())?;
            ui.status(&format!("wrote `{}`", path.display()));
        }
        None => crate::stdout::write(&text)?,
    }
    Ok(exit::OK)
}
