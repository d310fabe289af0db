//! `palisade init`: a commented starter inventory that `palisade validate` accepts.

use std::path::PathBuf;

use super::{Exit, Ui};
use crate::Error;

/// The starter inventory (kept in `templates/` so it is also a readable file in the repo).
pub const STARTER: &str = include_str!("../../templates/starter-inventory.yaml");

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to write it (`-` for standard output)
    #[arg(default_value = super::validate::DEFAULT_INVENTORY)]
    pub path: PathBuf,
    /// Overwrite an existing file
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: &Args, ui: &Ui) -> crate::Result<Exit> {
    if args.path.as_os_str() == "-" {
        ui.print(STARTER)?;
        return Ok(Exit::Clean);
    }
    if args.path.exists() && !args.force {
        return Err(Error::Usage(format!(
            "{} already exists; use --force to overwrite it",
            args.path.display()
        )));
    }
    crate::render::write_file_atomically(&args.path, STARTER.as_bytes())?;
    ui.wrote(&args.path);
    if !ui.quiet {
        // `validate` and `audit` find palisade.yaml on their own.
        let named = if args.path == std::path::Path::new(super::validate::DEFAULT_INVENTORY) {
            String::new()
        } else {
            format!(" {}", args.path.display())
        };
        ui.note(&format!(
            "Fill it in (every field is described in docs/inventory.md, or run `palisade docs inventory`), then run: palisade validate{named}"
        ));
    }
    Ok(Exit::Clean)
}
