//! `palisade report RESULTS.json`: re-renders saved results in any output format, optionally
//! against a baseline and redacted for wider circulation.

use std::io::IsTerminal;
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
    /// Print the HTML report's appendix (every account, every result) too; on paper it is left
    /// out by default
    #[arg(long)]
    pub print_detail: bool,
    /// Write action-plan.csv for Excel on Windows (UTF-8 byte-order mark, CRLF line ends).
    #[arg(long)]
    pub csv_excel: bool,
}

/// Where the output goes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Destination {
    File(PathBuf),
    Dir(PathBuf),
    Stdout,
}

/// `-o FILE`, `--out DIR`, or standard output; but an HTML page is never poured into a
/// terminal, where it is unreadable: it goes to `report.html` instead, and the user is told.
fn destination(args: &Args, formats: &[Format], stdout_is_terminal: bool) -> Result<Destination> {
    match (&args.output, &args.out) {
        (Some(file), None) => {
            if formats.len() != 1 {
                return Err(Error::Usage(
                    "-o writes one format; use --out DIR for several".into(),
                ));
            }
            Ok(if file.as_os_str() == "-" {
                Destination::Stdout
            } else {
                Destination::File(file.clone())
            })
        }
        (None, Some(dir)) => Ok(Destination::Dir(dir.clone())),
        (None, None) => match formats {
            [Format::Html] if stdout_is_terminal => {
                Ok(Destination::File(Format::Html.file_name().into()))
            }
            [_] => Ok(Destination::Stdout),
            _ => Err(Error::Usage("several formats need --out DIR".into())),
        },
        (Some(_), Some(_)) => Err(Error::Usage("give -o FILE or --out DIR, not both".into())),
    }
}

pub fn run(args: &Args, ui: &Ui) -> Result<Exit> {
    let formats = super::dedup_formats(&args.format);
    let dest = destination(args, &formats, std::io::stdout().is_terminal())?;

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
        print_detail: args.print_detail,
        csv_excel: args.csv_excel,
        ..RenderOptions::default()
    };
    match dest {
        Destination::File(file) => {
            let bytes = render::render(&report, formats[0], &opts)?;
            render::write_file_atomically(&file, &bytes)?;
            ui.wrote(&file);
        }
        Destination::Dir(dir) => {
            for p in render::write_all(&report, &formats, &dir, &opts)? {
                ui.wrote(&p);
            }
        }
        Destination::Stdout if formats[0] == Format::Text => {
            ui.print(&if args.summary {
                render::text::render_summary(&report, ui.color)
            } else {
                render::text::render(&report, ui.color)
            })?;
        }
        Destination::Stdout => {
            let bytes = render::render(&report, formats[0], &opts)?;
            ui.print_document(&String::from_utf8_lossy(&bytes))?;
        }
    }
    Ok(Exit::Clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(output: Option<&str>, out: Option<&str>) -> Args {
        Args {
            results: "results.json".into(),
            format: vec![Format::Html],
            output: output.map(PathBuf::from),
            out: out.map(PathBuf::from),
            summary: false,
            templates: None,
            redact: false,
            baseline: None,
            print_detail: false,
            csv_excel: false,
        }
    }

    #[test]
    fn html_is_never_poured_into_a_terminal() {
        let html = [Format::Html];
        assert_eq!(
            destination(&args(None, None), &html, true).unwrap(),
            Destination::File("report.html".into())
        );
        // Piped or redirected, it is what the user asked for.
        assert_eq!(
            destination(&args(None, None), &html, false).unwrap(),
            Destination::Stdout
        );
        // `-o -` is an explicit request.
        assert_eq!(
            destination(&args(Some("-"), None), &html, true).unwrap(),
            Destination::Stdout
        );
        // Text and Markdown are fine in a terminal.
        assert_eq!(
            destination(&args(None, None), &[Format::Text], true).unwrap(),
            Destination::Stdout
        );
        assert!(destination(
            &args(Some("a.html"), None),
            &[Format::Html, Format::Json],
            true
        )
        .is_err());
    }
}
