//! `palisade report RESULTS.json`: re-renders saved results in any output format, optionally
//! against a baseline and redacted for wider circulation.

use std::path::PathBuf;

use super::{Exit, Ui};
use crate::render::{self, Format, RenderOptions};
use crate::{baseline, redact, Error, Result};

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// A results.json written by `palisade audit --format json`.
    pub results: PathBuf,
    /// Output formats, comma-separated (csv is the action plan)
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "html",
        value_name = "LIST",
        value_parser = super::formats(Format::ALL)
    )]
    pub format: Vec<Format>,
    /// The file to write (one format only; `-` for standard output).
    #[arg(
        short = 'o',
        long = "output",
        value_name = "FILE",
        conflicts_with = "out"
    )]
    pub output: Option<PathBuf>,
    /// A directory to write every format into, under its fixed name (report.html, results.sarif…).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Text on standard output as a summary: score, counts per control, the five things to fix
    /// first
    #[arg(long)]
    pub summary: bool,
    /// A directory of templates replacing the built-in ones of the same name.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Mask e-mail addresses and people's names.
    #[arg(long)]
    pub redact: bool,
    /// An earlier results.json to compare with (trend and regressions).
    #[arg(long, value_name = "FILE.json")]
    pub baseline: Option<PathBuf>,
}

pub fn run(args: &Args, ui: &Ui) -> Result<Exit> {
    let mut report = baseline::load_results(&args.results)?;
    if let Some(b) = &args.baseline {
        let old = baseline::load_results(b)?;
        baseline::apply_baseline(&mut report, &old);
        report.meta.baseline = Some(b.display().to_string());
    }
    if args.redact {
        redact::redact(&mut report);
    }
    let opts = RenderOptions {
        templates: args.templates.clone(),
        redacted: args.redact,
        ..RenderOptions::default()
    };
    let formats = super::dedup_formats(&args.format);

    match (&args.output, &args.out) {
        (Some(file), None) => {
            let [format] = formats.as_slice() else {
                return Err(Error::Usage(
                    "-o writes one format; use --out DIR for several".into(),
                ));
            };
            let bytes = render::render(&report, *format, &opts)?;
            if file.as_os_str() == "-" {
                ui.print(&String::from_utf8_lossy(&bytes));
            } else {
                let dir = match file.parent() {
                    Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                    _ => PathBuf::from("."),
                };
                let name = file.file_name().and_then(|n| n.to_str()).ok_or_else(|| {
                    Error::Usage(format!("-o {}: not a file name", file.display()))
                })?;
                render::write_atomically(&dir, name, &bytes)?;
                ui.wrote(file);
            }
        }
        (None, Some(dir)) => {
            for p in render::write_all(&report, &formats, dir, &opts)? {
                ui.wrote(&p);
            }
        }
        (None, None) => {
            let [format] = formats.as_slice() else {
                return Err(Error::Usage("several formats need --out DIR".into()));
            };
            if *format == Format::Text {
                ui.print(&if args.summary {
                    render::text::render_summary(&report, ui.color)
                } else {
                    render::text::render(&report, ui.color)
                });
            } else {
                let bytes = render::render(&report, *format, &opts)?;
                ui.print(&String::from_utf8_lossy(&bytes));
            }
        }
        (Some(_), Some(_)) => {
            return Err(Error::Usage("give -o FILE or --out DIR, not both".into()))
        }
    }
    Ok(Exit::Clean)
}
