//! `palisade audit INVENTORY`: validate, gather evidence, run every check, write the outputs,
//! and exit by `--fail-on` (`cli.md`).

use std::io::Write;
use std::path::PathBuf;

use clap::ValueEnum;

use super::{Exit, Ui};
use crate::error::Error;
use crate::model::results::{Report, Status};
use crate::model::Severity;
use crate::{audit, baseline, render};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Critical,
    High,
    Medium,
    Low,
    Regression,
    Never,
}

pub use crate::render::Format;

/// Help headings of `audit`'s options, by what they are about.
pub const OUTPUT: &str = "Output";
pub const EVIDENCE: &str = "Evidence";
pub const NETWORK: &str = "Network (only with --online)";

/// What `audit --format` can write.
pub const FORMATS: &[Format] = Format::ALL;

#[derive(Debug, clap::Args)]
#[group(id = "audit_args")]
pub struct Args {
    #[command(flatten)]
    pub input: super::validate::Args,
    /// The audit date (YYYY-MM-DD); default today. Makes an audit reproducible
    #[arg(long, value_name = "DATE", value_parser = super::parse_date, help_heading = super::validate::INPUT)]
    pub as_of: Option<jiff::civil::Date>,
    /// Output formats, comma-separated
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "text",
        value_name = "LIST",
        value_parser = super::formats(FORMATS),
        help_heading = OUTPUT
    )]
    pub format: Vec<Format>,
    /// Directory to write the outputs to (fixed file names); without it one format goes to stdout
    #[arg(long, value_name = "DIR", help_heading = OUTPUT)]
    pub out: Option<PathBuf>,
    /// Print the summary on the terminal: score, counts per control, the five things to fix
    /// first (for big inventories; files under --out stay complete)
    #[arg(long, help_heading = OUTPUT)]
    pub summary: bool,
    /// Exit 1 when a failed or errored result is at or above this severity (or on a regression)
    #[arg(long, value_enum, default_value = "high", value_name = "LEVEL", help_heading = OUTPUT)]
    pub fail_on: FailOn,
    /// results.json of an earlier audit: mark new, fixed, regressed and unchanged results
    #[arg(long, value_name = "FILE.json", help_heading = OUTPUT)]
    pub baseline: Option<PathBuf>,
    /// Mask e-mail addresses and person names (consistent pseudonyms) for wider circulation
    #[arg(long, help_heading = OUTPUT)]
    pub redact: bool,
    /// The organisation's own report templates (files replace the built-in ones of the same name)
    #[arg(long, value_name = "DIR", help_heading = OUTPUT)]
    pub templates: Option<PathBuf>,
    /// Write action-plan.csv for Excel on Windows (UTF-8 byte-order mark, CRLF line ends)
    #[arg(long, help_heading = OUTPUT)]
    pub csv_excel: bool,
    /// Candidate accounts for the impersonation search (CSV: platform,handle,...); repeatable
    #[arg(long, value_name = "FILE", help_heading = EVIDENCE)]
    pub candidates: Vec<PathBuf>,
    /// Password vault export (Bitwarden JSON, KeePass KDBX 4, or CSV) for AUTH-07/08/09; a
    /// KeePass master password comes from PALISADE_VAULT_PASSWORD or a prompt
    #[arg(long, value_name = "FILE", help_heading = EVIDENCE)]
    pub vault: Option<PathBuf>,
    /// KeePass key file
    #[arg(long, value_name = "FILE", help_heading = EVIDENCE)]
    pub vault_key_file: Option<PathBuf>,
    /// Offline Pwned Passwords corpus: the SHA-1 list ordered by hash (HASH:COUNT lines), or a
    /// directory of range files (haveibeenpwned-downloader -s false)
    #[arg(long, value_name = "FILE", help_heading = EVIDENCE)]
    pub pwned_file: Option<PathBuf>,
    /// Use the network: platform APIs, the published accounts page, breach look-ups (off by
    /// default); HIBP_API_KEY adds the breached-account look-up of MAIL-05
    #[arg(long, help_heading = NETWORK)]
    pub online: bool,
    /// Ignore the on-disk cache of earlier network answers
    #[arg(long, help_heading = NETWORK)]
    pub refresh: bool,
    /// Bluesky AppView base URL
    #[arg(long, env = "PALISADE_BLUESKY_API", value_name = "URL", help_heading = NETWORK)]
    pub bluesky_api: Option<String>,
    /// Mastodon base URL used instead of https://{instance}
    #[arg(long, env = "PALISADE_MASTODON_API", value_name = "URL", help_heading = NETWORK)]
    pub mastodon_api: Option<String>,
    /// Pwned Passwords base URL
    #[arg(long, env = "PALISADE_PWNED_API", value_name = "URL", help_heading = NETWORK)]
    pub pwned_api: Option<String>,
    /// Directory of the network cache (default $XDG_CACHE_HOME/palisade or ~/.cache/palisade)
    #[arg(long, env = "PALISADE_CACHE_DIR", value_name = "DIR", help_heading = NETWORK)]
    pub cache_dir: Option<PathBuf>,
    /// Print the HTML report's appendix (every account, every result) too; on paper it is left
    /// out by default
    #[arg(long, help_heading = OUTPUT)]
    pub print_detail: bool,
}

/// Exit 1 when a result that is not waived fails or errors at or above `level`.
pub fn reaches(report: &Report, level: FailOn) -> bool {
    let min = match level {
        FailOn::Critical => Severity::Critical,
        FailOn::High => Severity::High,
        FailOn::Medium => Severity::Medium,
        FailOn::Low => Severity::Low,
        FailOn::Regression | FailOn::Never => return false,
    };
    // Severity's derived order is declaration order: Critical < High < Medium < Low.
    report
        .results
        .iter()
        .any(|r| matches!(r.status, Status::Fail | Status::Error) && r.severity <= min)
}

impl Args {
    /// The audit these flags ask for.
    pub fn plan(&self, progress: bool) -> crate::Result<audit::Plan> {
        Ok(audit::Plan {
            inputs: self.input.files()?,
            as_of: self.as_of.unwrap_or_else(super::today),
            vault: self.vault.as_ref().map(|path| audit::VaultPlan {
                path: path.clone(),
                key_file: self.vault_key_file.clone(),
            }),
            pwned_file: self.pwned_file.clone(),
            candidates: self.candidates.clone(),
            online: self.online.then(|| audit::OnlinePlan {
                bluesky_api: self.bluesky_api.clone(),
                mastodon_api: self.mastodon_api.clone(),
                pwned_api: self.pwned_api.clone(),
                cache_dir: self.cache_dir.clone(),
                refresh: self.refresh,
            }),
            baseline: self.baseline.clone(),
            redact: self.redact,
            progress,
            checks: true,
        })
    }
}

/// Writes `format` into `out`: the text report in colour when `color`, the others as the
/// renderers give them (results.json streamed).
fn render_into(
    report: &Report,
    format: Format,
    color: bool,
    opts: &render::RenderOptions,
    out: &mut dyn std::io::Write,
) -> crate::Result<()> {
    match format {
        Format::Text => out
            .write_all(render::text::render(report, color).as_bytes())
            .map_err(|e| Error::io(format!("writing {}", format.file_name()), e)),
        other => render::render_to(report, other, opts, out),
    }
}

/// Tens of thousands of findings scroll past unread: after a long list, point at `--summary`
/// (on standard error, so a redirected report stays as it was).
fn suggest_summary(report: &Report, ui: &Ui) {
    let findings = report.summary.fail + report.summary.error;
    if findings > render::text::LONG_LIST {
        ui.note(&format!(
            "palisade: {findings} findings listed; --summary prints the counts per control and \
             the five things to fix first"
        ));
    }
}

pub fn run(args: &Args, ui: &Ui) -> crate::Result<Exit> {
    super::validate::require_inventory(&args.input.inventory)?;
    let formats = super::dedup_formats(&args.format);
    if args.out.is_none() && formats.len() > 1 {
        return Err(Error::Usage(
            "several formats need --out DIR (each is written to its own file)".into(),
        ));
    }
    if args.fail_on == FailOn::Regression && args.baseline.is_none() {
        return Err(Error::Usage(
            "--fail-on regression needs --baseline FILE.json".into(),
        ));
    }
    let plan = args.plan(!ui.quiet)?;
    let audit::Audit {
        report, warnings, ..
    } = audit::run(&plan)?;
    super::print_warnings(&warnings, ui);
    let opts = render::RenderOptions {
        templates: args.templates.clone(),
        redacted: args.redact,
        print_detail: args.print_detail,
        csv_excel: args.csv_excel,
        ..Default::default()
    };
    match &args.out {
        None => {
            if !ui.quiet || formats != [Format::Text] {
                if args.summary && formats == [Format::Text] {
                    ui.print(&render::text::render_summary(&report, ui.color))?;
                } else if let Some(f) = formats.first() {
                    use std::io::IsTerminal;
                    if *f != Format::Text && std::io::stdout().is_terminal() {
                        // A file format read on a terminal: see `Ui::print_document`.
                        let mut buf = Vec::new();
                        render_into(&report, *f, false, &opts, &mut buf)?;
                        ui.print_document(&String::from_utf8_lossy(&buf))?;
                    } else {
                        // A full or closed standard output means the output was not written:
                        // exit 3.
                        let mut out = std::io::stdout().lock();
                        super::on_stdout(render_into(&report, *f, ui.color, &opts, &mut out))?;
                        out.flush().map_err(super::stdout_error)?;
                        if *f == Format::Text {
                            suggest_summary(&report, ui);
                        }
                    }
                }
            }
        }
        Some(dir) => {
            let names: Vec<&str> = formats.iter().map(|f| f.file_name()).collect();
            // All or nothing; files never hold colour codes.
            render::write::write_set(dir, &names, |i, w| {
                render_into(&report, formats[i], false, &opts, w)
            })?;
            if !ui.quiet {
                if args.summary {
                    ui.print(&render::text::render_summary(&report, ui.color))?;
                } else {
                    ui.print(&render::text::render(&report, ui.color))?;
                    suggest_summary(&report, ui);
                }
                for name in &names {
                    ui.wrote(&dir.join(name));
                }
            }
        }
    }
    let failing = match args.fail_on {
        FailOn::Regression => baseline::is_regression_failure(&report),
        level => reaches(&report, level),
    };
    // The process ends right after this; freeing 10^5 results one by one only delays the exit
    // code a CI job is waiting for (60 ms for 10,000 accounts).
    std::mem::forget(report);
    Ok(if failing { Exit::Findings } else { Exit::Clean })
}
