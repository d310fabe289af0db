//! `palisade validate INVENTORY`: validation only, every problem with file:line:column.

use std::path::PathBuf;

use super::{Exit, Ui};
use crate::engine::registry::Registry;
use crate::model::load::{self, Inputs};

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
    let registry = Registry::load(&args.checks_dir)?;
    let inv = load::load(&Inputs {
        inventory: &args.inventory,
        people: args.people.as_deref(),
        policy: args.policy.as_deref(),
        people_columns: people_columns(&args.people_columns)?,
    })?;
    super::audit::check_overrides(&inv, &registry)?;
    if !ui.quiet {
        ui.print(&format!(
            "{}: valid ({} accounts, {} people, {} waivers; {} checks)\n",
            args.inventory.display(),
            inv.accounts.len(),
            inv.people.len(),
            inv.waivers.len(),
            registry.checks.len()
        ));
    }
    Ok(Exit::Clean)
}
