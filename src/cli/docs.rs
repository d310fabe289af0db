//! `palisade docs inventory`: the inventory field reference (docs/inventory.md), generated from
//! the schema validation uses and the check definitions, so it ships with the binary.

use std::path::PathBuf;

use super::{Exit, Ui};
use crate::engine::registry::Registry;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub topic: Topic,
    /// Directory of custom check definitions (their fields appear as read); repeatable
    #[arg(long = "checks-dir", value_name = "DIR", global = true)]
    pub checks_dir: Vec<PathBuf>,
}

#[derive(Debug, clap::Subcommand)]
pub enum Topic {
    /// Every inventory field, its values, its default and the controls that read it (Markdown)
    Inventory,
    /// The table of controls (Markdown)
    Controls,
}

pub fn run(args: &Args, ui: &Ui) -> crate::Result<Exit> {
    let registry = Registry::load(&args.checks_dir)?;
    ui.print(&match args.topic {
        Topic::Inventory => crate::docs::inventory_reference(&registry),
        Topic::Controls => crate::docs::controls_table(&registry),
    })?;
    Ok(Exit::Clean)
}
