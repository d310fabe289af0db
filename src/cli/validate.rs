//! `palisade validate INVENTORY`: validation only, every problem with file:line:column.

use std::path::PathBuf;

use super::{Exit, Ui};
use crate::model::load;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The inventory YAML file
    pub inventory: PathBuf,
    /// Policy overrides (YAML: the keys of `policy`)
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// HR export of people (CSV)
    #[arg(long, value_name = "FILE.csv")]
    pub people: Option<PathBuf>,
    /// Rename an HR CSV column: OURS=THEIRS (e.g. id=EmployeeNumber); repeatable
    #[arg(long = "people-column", value_name = "OURS=THEIRS")]
    pub people_columns: Vec<String>,
    /// Directory of custom check definitions; repeatable
    #[arg(long = "checks-dir", value_name = "DIR")]
    pub checks_dir: Vec<PathBuf>,
    /// The organisation's corrections to the platform catalogue (YAML: `platforms: [...]`)
    #[arg(long, value_name = "FILE")]
    pub platforms: Option<PathBuf>,
}

impl Args {
    /// The input files these flags name.
    pub fn files(&self) -> crate::Result<crate::audit::InputFiles> {
        Ok(crate::audit::InputFiles {
            inventory: self.inventory.clone(),
            people: self.people.clone(),
            people_columns: people_columns(&self.people_columns)?,
            policy: self.policy.clone(),
            platforms: self.platforms.clone(),
            checks_dirs: self.checks_dir.clone(),
        })
    }
}

pub fn people_columns(
    specs: &[String],
) -> crate::Result<std::collections::BTreeMap<String, String>> {
    let mut map = std::collections::BTreeMap::new();
    for s in specs {
        let Some((ours, theirs)) = s.split_once('=') else {
            return Err(crate::Error::Usage(format!(
                "--people-column takes OURS=THEIRS, found `{s}`"
            )));
        };
        if !load::PEOPLE_COLUMNS.contains(&ours) {
            return Err(crate::Error::Usage(format!(
                "--people-column: `{ours}` is not a column palisade reads ({})",
                load::PEOPLE_COLUMNS.join(", ")
            )));
        }
        map.insert(ours.to_owned(), theirs.to_owned());
    }
    Ok(map)
}

pub fn run(args: &Args, ui: &Ui) -> crate::Result<Exit> {
    let crate::audit::Loaded {
        registry,
        inventory: inv,
    } = crate::audit::load(&args.files()?)?;
    super::print_warnings(&inv.warnings, ui);
    if !ui.quiet {
        let n = |count: usize, one: &str, many: &str| {
            format!("{count} {}", if count == 1 { one } else { many })
        };
        let warned = if inv.warnings.is_empty() {
            String::new()
        } else {
            format!(", {}", n(inv.warnings.len(), "warning", "warnings"))
        };
        ui.print(&format!(
            "{}: valid ({}, {}, {}, {}; {}{warned})\n",
            args.inventory.display(),
            n(inv.accounts.len(), "account", "accounts"),
            n(inv.control_planes.len(), "control plane", "control planes"),
            n(inv.people.len(), "person", "people"),
            n(inv.waivers.len(), "waiver", "waivers"),
            n(registry.checks.len(), "check", "checks"),
        ))?;
    }
    Ok(Exit::Clean)
}
