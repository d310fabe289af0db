//! `palisade audit INVENTORY`: validate, gather evidence, run every check, write the outputs,
//! and exit by `--fail-on` (`cli.md`).

use std::path::PathBuf;

use clap::ValueEnum;

use super::{Exit, Ui};
use crate::engine::registry::Registry;
use crate::engine::{runner, Context};
use crate::error::{Code, Diagnostic, Error};
use crate::model::load::{self, Inputs};
use crate::model::results::{Report, Status};
use crate::model::{Inventory, Severity};
use crate::render;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Critical,
    High,
    Medium,
    Low,
    Regression,
    Never,
}

/// Output formats of `--format` and the fixed file name each is written to under `--out`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

impl Format {
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Text => "report.txt",
            Format::Json => "results.json",
        }
    }
}

#[derive(Debug, clap::Args)]
#[group(id = "audit_args")]
pub struct Args {
    #[command(flatten)]
    pub input: super::validate::Args,
    /// The audit date (YYYY-MM-DD); default today. Makes an audit reproducible
    #[arg(long, value_name = "DATE", value_parser = super::parse_date)]
    pub as_of: Option<jiff::civil::Date>,
    /// Output formats, comma-separated
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "text",
        value_name = "LIST"
    )]
    pub format: Vec<Format>,
    /// Directory to write the outputs to (fixed file names); without it one format goes to stdout
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Exit 1 when a failed or errored result is at or above this severity (or on a regression)
    #[arg(long, value_enum, default_value = "high", value_name = "LEVEL")]
    pub fail_on: FailOn,
}

/// `policy.severity_overrides` may only name checks that exist.
pub fn check_overrides(inv: &Inventory, registry: &Registry) -> crate::Result<()> {
    let mut diags = Vec::new();
    for id in inv.policy.severity_overrides.keys() {
        if registry.get(id).is_none() {
            let (file, loc) = inv
                .policy
                .severity_override_locs
                .get(id)
                .cloned()
                .unwrap_or_default();
            diags.push(Diagnostic {
                code: Code::UnknownReference,
                file,
                line: loc.line,
                column: loc.column,
                message: format!("`policy.severity_overrides` names `{id}`, which is not a check id (see `palisade checks list`)"),
                snippet: None,
            });
        }
    }
    if diags.is_empty() {
        Ok(())
    } else {
        Err(Error::Input(diags))
    }
}

/// Exit 1 when a result that is not waived fails or errors at or above `level`.
pub fn reaches(report: &Report, level: FailOn) -> bool {
    let min = match level {
        FailOn::Critical => Severity::Critical,
        FailOn::High => Severity::High,
        FailOn::Medium => Severity::Medium,
        FailOn::Low => Severity::Low,
        FailOn::Regression | FailOn::Never => return false,
    };
    // Severity's derived order is declaration order: Critical < High < Medium < Low.
    report
        .results
        .iter()
        .any(|r| matches!(r.status, Status::Fail | Status::Error) && r.severity <= min)
}

/// Runs the audit proper (shared by `audit` and the tests).
pub fn audit(args: &Args) -> crate::Result<Report> {
    let registry = Registry::load(&args.input.checks_dir)?;
    let inv = load::load(&Inputs {
        inventory: &args.input.inventory,
        people: args.input.people.as_deref(),
        policy: args.input.policy.as_deref(),
        people_columns: super::validate::people_columns(&args.input.people_columns)?,
    })?;
    check_overrides(&inv, &registry)?;
    let as_of = args.as_of.unwrap_or_else(super::today);
    let ctx = Context::new(&inv, as_of);
    Ok(runner::run(&registry, &ctx))
}

pub fn render(report: &Report, format: Format, ui: &Ui) -> String {
    match format {
        Format::Text => render::text::render(report, ui.color),
        Format::Json => render::json::render(report),
    }
}

pub fn run(args: &Args, ui: &Ui) -> crate::Result<Exit> {
    let mut formats = args.format.clone();
    formats.sort();
    formats.dedup();
    if args.out.is_none() && formats.len() > 1 {
        return Err(Error::Usage(
            "several formats need --out DIR (each is written to its own file)".into(),
        ));
    }
    if args.fail_on == FailOn::Regression {
        return Err(Error::Usage(
            "--fail-on regression needs --baseline FILE.json".into(),
        ));
    }
    let report = audit(args)?;
    match &args.out {
        None => {
            if !ui.quiet || formats != [Format::Text] {
                if let Some(f) = formats.first() {
                    ui.print(&render(&report, *f, ui));
                }
            }
        }
        Some(dir) => {
            for f in &formats {
                let plain = Ui {
                    color: false,
                    quiet: ui.quiet,
                };
                render::write_atomically(
                    dir,
                    f.file_name(),
                    render(&report, *f, &plain).as_bytes(),
                )?;
            }
            if !ui.quiet {
                ui.print(&render::text::render(&report, ui.color));
                let names: Vec<&str> = formats.iter().map(|f| f.file_name()).collect();
                ui.print(&format!(
                    "\nWrote {} to {}\n",
                    names.join(", "),
                    dir.display()
                ));
            }
        }
    }
    Ok(if reaches(&report, args.fail_on) {
        Exit::Findings
    } else {
        Exit::Clean
    })
}
