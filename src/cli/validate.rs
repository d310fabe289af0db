//! `palisade validate INVENTORY`: validation only, every problem with file:line:column.

use std::path::PathBuf;

use super::{Exit, Ui};
use crate::model::load;

/// The inventory `audit`, `validate` and `impersonation` read when none is named: the file
/// `palisade init` writes.
pub const DEFAULT_INVENTORY: &str = "palisade.yaml";

/// Help heading of the options that say what is audited.
pub const INPUT: &str = "Inventory";

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The inventory YAML file (default: palisade.yaml here, as `palisade init` writes it)
    #[arg(default_value = DEFAULT_INVENTORY, hide_default_value = true)]
    pub inventory: PathBuf,
    /// Policy overrides (YAML: the keys of `policy`)
    #[arg(long, value_name = "FILE", help_heading = INPUT)]
    pub policy: Option<PathBuf>,
    /// HR export of people (CSV)
    #[arg(long, value_name = "FILE.csv", help_heading = INPUT)]
    pub people: Option<PathBuf>,
    /// Rename an HR CSV column: OURS=THEIRS (e.g. id=EmployeeNumber); repeatable
    #[arg(long = "people-column", value_name = "OURS=THEIRS", help_heading = INPUT)]
    pub people_columns: Vec<String>,
    /// Directory of custom check definitions; repeatable
    #[arg(long = "checks-dir", value_name = "DIR", help_heading = INPUT)]
    pub checks_dir: Vec<PathBuf>,
    /// The organisation's corrections to the platform catalogue (YAML: `platforms: [...]`)
    #[arg(long, value_name = "FILE", help_heading = INPUT)]
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

/// Without an INVENTORY argument the default must exist: say so as bad usage, pointing at
/// `palisade init`, rather than as a file that cannot be read.
pub fn require_inventory(inventory: &std::path::Path) -> crate::Result<()> {
    if inventory == std::path::Path::new(DEFAULT_INVENTORY) && !inventory.exists() {
        return Err(crate::Error::Usage(format!(
            "no inventory given and there is no {DEFAULT_INVENTORY} here: name the inventory \
             file, or write a starter one with `palisade init`"
        )));
    }
    Ok(())
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
    require_inventory(&args.inventory)?;
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
