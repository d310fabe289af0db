//! `palisade checks list` and `palisade checks explain ID`: the catalogue, generated from the
//! definitions (built-in and `--checks-dir`), never written twice.

use std::fmt::Write;
use std::path::PathBuf;

use clap::Subcommand;

use super::{Exit, Ui};
use crate::engine::definition::{Definition, Logic, Scope};
use crate::engine::registry::Registry;
use crate::render::Format;
use crate::render::{for_terminal as one_line, for_terminal_lines as lines};
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
                ))?;
            } else {
                ui.print(&list(&registry))?;
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
                    "no check has the id `{}`{hint}; see `palisade checks list`",
                    one_line(id)
                ))
            })?;
            ui.print(&explain(&check.def))?;
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
            format!("  [{}]", one_line(&c.def.origin))
        };
        // Custom definitions are shared between organisations: nothing in them may drive the
        // terminal.
        let _ = writeln!(
            o,
            "{:<9} {:<8} {:<19} {}{origin}",
            one_line(&c.def.id),
            c.def.severity.as_str(),
            one_line(&c.def.family),
            one_line(&c.def.title)
        );
    }
    o
}

pub fn explain(d: &Definition) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "{}: {}", one_line(&d.id), one_line(&d.title));
    let _ = writeln!(
        o,
        "family: {} · severity: {} · scope: {}",
        one_line(&d.family),
        d.severity,
        d.scope
            .iter()
            .map(|s| match s {
                Scope::Account => "each account",
                Scope::ControlPlane => "each control plane",
                Scope::Organisation => "the organisation",
            })
            .collect::<Vec<_>>()
            .join(", ")
    );
    // Indented on every line, so that text of several lines cannot pass for a heading.
    let indented = |s: &str| lines(s).replace('\n', "\n  ");
    let _ = writeln!(o, "\nWhy it matters\n  {}", indented(&d.rationale));
    let _ = writeln!(o, "\nWhat to do\n  {}", indented(&d.remediation));
    if !d.references.is_empty() {
        let _ = writeln!(o, "\nGuidance");
        for r in &d.references {
            let _ = writeln!(o, "  - {}: {}", one_line(&r.source), one_line(&r.section));
        }
    }
    if !d.requirements.is_empty() {
        let _ = writeln!(
            o,
            "\nRequirements served: {}",
            one_line(&d.requirements.join(", "))
        );
    }
    let _ = writeln!(o, "\nHow it is checked");
    if let Some(a) = &d.applies_when {
        let _ = writeln!(o, "  applies when: {}", one_line(&a.source));
    }
    match &d.logic {
        Logic::Rule(r) => {
            if !r.requires.is_empty() {
                let _ = writeln!(
                    o,
                    "  error when missing or unknown: {}",
                    one_line(&r.requires.join(", "))
                );
            }
            let _ = writeln!(o, "  fails when (CEL): {}", one_line(&r.fail_when.source));
        }
        Logic::Native { name, .. } => {
            let _ = writeln!(o, "  native check `{}`", one_line(name));
        }
    }
    let _ = writeln!(
        o,
        "  defined in: {}",
        one_line(if d.origin == "builtin" {
            d.file.as_str()
        } else {
            d.origin.as_str()
        })
    );
    o
}
