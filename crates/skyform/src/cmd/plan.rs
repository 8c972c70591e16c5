//! `skyform plan FILE`: cheapest correct node pools per provider, priced side by side.
//!
//! For each environment (or the one given with `--env`) and each provider (the
//! platform's, or those given with `--provider`), the planner in `skyform-cost` picks
//! node pools, places every replica and prices the cluster at base and peak replicas.
//! This module only reads files, prints and writes the chart.

use super::OutputFormat;
use super::args::{EnvArg, Provider};
use crate::exit;
use crate::ui::Ui;
use anyhow::{Context, Result};
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use skyform_cost::render::{Point, footnotes_text, render_svg, table_rows};
use skyform_cost::{Catalog, PlanOptions, PlanSet, catalog_info, plan_environment};
use std::path::PathBuf;

#[derive(clap::Args)]
#[command(mut_arg("env", |a| a.help("Environment to plan (default: every environment)")))]
pub struct Args {
    /// Platform file
    #[arg(required_unless_present = "catalog_info")]
    pub file: Option<PathBuf>,
    #[command(flatten)]
    pub env: EnvArg,
    /// Provider to price (repeatable; default: the platform's providers)
    #[arg(long = "provider", short, value_enum, value_name = "PROVIDER")]
    pub providers: Vec<Provider>,
    /// Output format
    #[arg(long, short, value_enum, default_value = "table")]
    pub output: OutputFormat,
    /// A provider price catalog (TOML) replacing the built-in one for that provider
    #[arg(long, value_name = "FILE")]
    pub catalog: Option<PathBuf>,
    /// Print the price catalog's sources and age per provider, then exit
    #[arg(long)]
    pub catalog_info: bool,
    /// Write an SVG bar chart of monthly cost per provider (the `--env` environment,
    /// else the first production environment)
    #[arg(long, value_name = "FILE.svg")]
    pub chart: Option<PathBuf>,
}

fn today_days() -> Option<i64> {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
    i64::try_from(secs / 86_400).ok()
}

fn load_catalog(args: &Args, ui: &Ui) -> Result<std::result::Result<Catalog, u8>> {
    let catalog = Catalog::embedded().context("the built-in price catalog is invalid")?;
    let Some(path) = &args.catalog else { return Ok(Ok(catalog)) };
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read `{}`", path.display()))?;
    match catalog.with_override(&path.display().to_string(), &text) {
        Ok(c) => Ok(Ok(c)),
        Err(e) => {
            ui.error(&e.to_string());
            Ok(Err(exit::BAD_INPUT))
        }
    }
}

fn print_catalog_info(catalog: &Catalog, output: OutputFormat) -> Result<()> {
    let info = catalog_info(catalog, today_days());
    match output {
        OutputFormat::Json => crate::stdout::write(serde_json::to_string_pretty(&info)? + "\n")?,
        OutputFormat::Yaml => crate::stdout::write(super::to_yaml(&info)?)?,
        OutputFormat::Table => {
            let mut table = Table::new();
            table.load_style(UTF8_FULL_CONDENSED);
            table.set_header([
                "provider",
                "source",
                "instances",
                "spot",
                "unverified rows",
                "oldest",
                "newest",
                "age (days)",
            ]);
            for i in &info {
                let age = match (i.newest_age_days, i.oldest_age_days) {
                    (Some(n), Some(o)) if n != o => format!("{n}–{o}"),
                    (Some(n), _) => n.to_string(),
                    _ => "unknown".into(),
                };
                table.add_row([
                    i.provider.clone(),
                    i.origin.clone(),
                    i.instances.to_string(),
                    i.spot_instances.to_string(),
                    i.unverified_rows.to_string(),
                    i.oldest.clone().unwrap_or_else(|| "not shown".into()),
                    i.newest.clone().unwrap_or_else(|| "not shown".into()),
                    age,
                ]);
            }
            crate::stdout::write(format!(
                "{table}\nPrices are snapshots with the dates their sources show; spot prices are volatile.\n"
            ))?;
        }
    }
    Ok(())
}

fn table_text(set: &PlanSet) -> String {
    use std::fmt::Write as _;
    let rows = table_rows(set);
    let mut table = Table::new();
    table.load_style(UTF8_FULL_CONDENSED);
    let mut it = rows.into_iter();
    if let Some(header) = it.next() {
        table.set_header(header);
    }
    for r in it {
        table.add_row(r);
    }
    let mut out = format!("environment `{}` — monthly cost, cheapest first (USD)\n{table}\n", set.environment);
    for f in &set.failures {
        let _ = writeln!(out, "{}: not planned: {}", f.provider, f.reason);
    }
    if let Some(t) = &set.right_sizing {
        for l in t.lines() {
            let _ = writeln!(out, "{l}");
        }
    }
    out.push_str(&footnotes_text(set));
    out
}

pub fn run(args: &Args, ui: &Ui) -> Result<u8> {
    let catalog = match load_catalog(args, ui)? {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    if args.catalog_info {
        print_catalog_info(&catalog, args.output)?;
        return Ok(exit::OK);
    }
    let Some(file) = &args.file else { return Ok(exit::BAD_INPUT) };
    let (model, _) = match super::compile_platform(file, ui)? {
        Ok(m) => m,
        Err(code) => return Ok(code),
    };
    let Some(envs) = args.env.select_all(&model, ui) else { return Ok(exit::BAD_INPUT) };
    let opts = PlanOptions::default();
    let providers: Vec<String> = args.providers.iter().map(|p| p.0.as_str().to_string()).collect();
    let mut sets = Vec::new();
    for env in &envs {
        match plan_environment(&model, env, &providers, &catalog, &opts) {
            Ok(set) => sets.push(set),
            Err(e) => {
                ui.error(&e.to_string());
                ui.hint(&format!("providers with a price catalog: {}", catalog.provider_names().join(", ")));
                return Ok(exit::BAD_INPUT);
            }
        }
    }
    match args.output {
        OutputFormat::Json => crate::stdout::write(serde_json::to_string_pretty(&sets)? + "\n")?,
        OutputFormat::Yaml => crate::stdout::write(super::to_yaml(&sets)?)?,
        OutputFormat::Table => {
            let tables: Vec<String> = sets.iter().map(table_text).collect();
            crate::stdout::write(tables.join("\n"))?;
        }
    }
    if let Some(path) = &args.chart {
        let chosen = match &args.env.env {
            Some(_) => sets.first(),
            None => envs.iter().position(|e| e.production).and_then(|i| sets.get(i)).or(sets.first()),
        };
        if let Some(set) = chosen {
            super::write_file_atomic(path, render_svg(set, Point::Base).as_bytes())?;
            ui.status(&format!("wrote {}", path.display()));
        }
    }
    Ok(exit::OK)
}
