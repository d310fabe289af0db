//! `palisade diff OLD.json NEW.json`: regressions, fixes, new and removed accounts and the
//! score change between two saved audits. Exits 1 when the change is a regression CI should
//! fail on (see `baseline::is_regression_failure`), so it can gate a pipeline on its own.

use std::path::PathBuf;

use super::{Exit, Ui};
use crate::{baseline, Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    Text,
    Markdown,
    Json,
}

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The earlier results.json (the baseline).
    pub old: PathBuf,
    /// The later results.json.
    pub new: PathBuf,
    #[arg(long, value_enum, default_value = "text")]
    pub format: DiffFormat,
}

pub fn run(args: &Args, ui: &Ui) -> Result<Exit> {
    let old = baseline::load_results(&args.old)?;
    let new = baseline::load_results(&args.new)?;
    let d = baseline::diff(&old, &new);
    let text = match args.format {
        DiffFormat::Text => baseline::render_text(&d),
        DiffFormat::Markdown => baseline::render_markdown(&d),
        DiffFormat::Json => {
            let mut s = serde_json::to_string_pretty(&d)
                .map_err(|e| Error::Internal(format!("diff as JSON: {e}")))?;
            s.push('\n');
            s
        }
    };
    ui.print_document(&text)?;
    Ok(if d.regression_failure {
        Exit::Findings
    } else {
        Exit::Clean
    })
}
