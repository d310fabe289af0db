//! `palisade diff OLD.json NEW.json`: regressions, fixes, new and removed accounts and the
//! score change between two saved audits. Exits 1 when the change is a regression CI should
//! fail on (see `baseline::is_regression_failure`), so it can gate a pipeline on its own.

use std::path::PathBuf;

use super::{Exit, Ui};
use crate::render::Format;
use crate::{baseline, Error, Result};

/// What `diff --format` can write.
pub const FORMATS: &[Format] = &[Format::Text, Format::Markdown, Format::Json];

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The earlier results.json (the baseline).
    pub old: PathBuf,
    /// The later results.json.
    pub new: PathBuf,
    /// Output format (one of the names `audit --format` takes)
    #[arg(long, default_value = "text", value_name = "FORMAT", value_parser = super::formats(FORMATS))]
    pub format: Format,
}

pub fn run(args: &Args, ui: &Ui) -> Result<Exit> {
    let old = baseline::load_results(&args.old)?;
    let new = baseline::load_results(&args.new)?;
    let d = baseline::diff(&old, &new);
    let text = match args.format {
        Format::Markdown => baseline::render_markdown(&d),
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&d)
                .map_err(|e| Error::Internal(format!("diff as JSON: {e}")))?;
            s.push('\n');
            s
        }
        // The value parser admits only FORMATS; text is the rest.
        _ => baseline::render_text(&d),
    };
    ui.print_document(&text)?;
    Ok(if d.regression_failure {
        Exit::Findings
    } else {
        Exit::Clean
    })
}
