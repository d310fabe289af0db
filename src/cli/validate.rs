//! `palisade validate INVENTORY`: validation only, every problem with file:line:column.

use std::path::PathBuf;

use super::{Exit, Ui};
use crate::engine::registry::Registry;
use crate::model::load::{self, Inputs};

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
        ))?;
    }
    Ok(Exit::Clean)
}
