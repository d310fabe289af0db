//! `palisade checks list` and `palisade checks explain ID`: the catalogue, generated from the
//! definitions (built-in and `--checks-dir`), never written twice.

use std::fmt::Write;
use std::path::PathBuf;

use clap::Subcommand;

use super::{Exit, Ui};
use crate::engine::definition::{Definition, Logic, Scope};
use crate::engine::registry::Registry;
use crate::render::Format;
use crate::Error;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Directory of custom check definitions; repeatable
    #[arg(long = "checks-dir", value_name = "DIR", global = true)]
    pub checks_dir: Vec<PathBuf>,
    #[command(subcommand)]
    pub command: ChecksCommand,
}

#[derive(Debug, Subcommand)]
pub enum ChecksCommand {
    /// One line per control: id, severity, family, title
    List {
        /// Output format (one of the names `audit --format` takes)
        #[arg(long, default_value = "text", value_name = "FORMAT", value_parser = super::formats(super::TEXT_OR_JSON))]
        format: Format,
        /// The same as --format json (kept for scripts that use it)
        #[arg(long)]
        json: bool,
    },
    /// A control's rationale, remediation, guidance and logic
    Explain {
        /// The check id, e.g. AUTH-01
        id: String,
    },
}

pub fn run(args: &Args, ui: &Ui) -> crate::Result<Exit> {
    let registry = Registry::load(&args.checks_dir)?;
    match &args.command {
        ChecksCommand::List { format, json } => {
            if *json || *format == Format::Json {
                let list: Vec<_> = registry
                    .checks
                    .iter()
                    .map(|c| serde_json::json!({"id": c.def.id, "title": c.def.title, "family": c.def.family, "severity": c.def.severity, "origin": c.def.origin}))
                    .collect();
                ui.print(&format!(
                    "{}\n",
                    serde_json::to_string_pretty(&list).unwrap_or_default()
                ));
            } else {
                ui.print(&list(&registry));
            }
        }
        ChecksCommand::Explain { id } => {
            let check = registry.get(id).ok_or_else(|| {
                let family = id
                    .split('-')
                    .next()
                    .unwrap_or_default()
                    .to_ascii_uppercase();
                let prefix = format!("{family}-");
                let same: Vec<&str> = registry
                    .checks
                    .iter()
                    .map(|c| c.def.id.as_str())
                    .filter(|c| c.starts_with(&prefix))
                    .collect();
                let hint = if same.is_empty() {
                    String::new()
                } else {
                    format!(" (that family has {})", same.join(", "))
                };
                Error::Usage(format!(
                    "no check has the id `{id}`{hint}; see `palisade checks list`"
                ))
            })?;
            ui.print(&explain(&check.def));
        }
    }
    Ok(Exit::Clean)
}

pub fn list(registry: &Registry) -> String {
    let mut o = String::new();
    for c in &registry.checks {
        let origin = if c.def.origin == "builtin" {
            String::new()
        } else {
            format!("  [{}]", c.def.origin)
        };
        let _ = writeln!(
            o,
            "{:<9} {:<8} {:<19} {}{origin}",
            c.def.id,
            c.def.severity.as_str(),
            c.def.family,
            c.def.title
        );
    }
    o
}

pub fn explain(d: &Definition) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "{}: {}", d.id, d.title);
    let _ = writeln!(
        o,
        "family: {} · severity: {} · scope: {}",
        d.family,
        d.severity,
        if d.scope == Scope::Account {
            "each account"
        } else {
            "the organisation"
        }
    );
    let _ = writeln!(o, "\nWhy it matters\n  {}", d.rationale);
    let _ = writeln!(o, "\nWhat to do\n  {}", d.remediation);
    if !d.references.is_empty() {
        let _ = writeln!(o, "\nGuidance");
        for r in &d.references {
            let _ = writeln!(o, "  - {}: {}", r.source, r.section);
        }
    }
    if !d.requirements.is_empty() {
        let _ = writeln!(o, "\nRequirements served: {}", d.requirements.join(", "));
    }
    let _ = writeln!(o, "\nHow it is checked");
    if let Some(a) = &d.applies_when {
        let _ = writeln!(o, "  applies when: {}", a.source);
    }
    match &d.logic {
        Logic::Rule(r) => {
            if !r.requires.is_empty() {
                let _ = writeln!(
                    o,
                    "  error when missing or unknown: {}",
                    r.requires.join(", ")
                );
            }
            let _ = writeln!(o, "  fails when (CEL): {}", r.fail_when.source);
        }
        Logic::Native { name, .. } => {
            let _ = writeln!(o, "  native check `{name}`");
        }
    }
    let _ = writeln!(
        o,
        "  defined in: {}",
        if d.origin == "builtin" {
            d.file.as_str()
        } else {
            d.origin.as_str()
        }
    );
    o
}
