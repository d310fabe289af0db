//! `palisade audit INVENTORY`: validate, gather evidence, run every check, write the outputs,
//! and exit by `--fail-on` (`cli.md`).

use std::path::PathBuf;

use clap::ValueEnum;

use super::{Exit, Ui};
use crate::engine::registry::Registry;
use crate::engine::{runner, Context};
use crate::error::{Code, Diagnostic, Error};
use crate::model::load::{self, Inputs};
use crate::model::results::{Report, Status};
use crate::model::{AccountStatus, Platform};
use crate::model::{Inventory, Severity};
use crate::render;
use crate::{baseline, impersonation, online, redact, vault};

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
    /// Offline Pwned Passwords corpus (SHA-1 ordered by hash, HASH:COUNT lines)
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
}

/// `policy.severity_overrides` may only name checks that exist.
pub fn check_overrides(inv: &Inventory, registry: &Registry) -> crate::Result<()> {
    let mut diags = Vec::new();
    for id in inv.policy.severity_overrides.keys() {
        if registry.get(id).is_none() {
            let (file, loc) = inv
                .policy
                .severity_override_locs
                .get(id)
                .cloned()
                .unwrap_or_default();
            diags.push(Diagnostic {
                code: Code::UnknownReference,
                file,
                line: loc.line,
                column: loc.column,
                message: format!("`policy.severity_overrides` names `{id}`, which is not a check id (see `palisade checks list`)"),
                snippet: None,
            });
        }
    }
    if diags.is_empty() {
        Ok(())
    } else {
        Err(Error::Input(diags))
    }
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

/// Runs the audit proper (shared by `audit` and the tests).
pub fn audit(args: &Args, quiet: bool) -> crate::Result<Report> {
    let registry = Registry::load(&args.input.checks_dir)?;
    let inv = load::load(&Inputs {
        inventory: &args.input.inventory,
        people: args.input.people.as_deref(),
        policy: args.input.policy.as_deref(),
        people_columns: super::validate::people_columns(&args.input.people_columns)?,
    })?;
    check_overrides(&inv, &registry)?;
    let as_of = args.as_of.unwrap_or_else(super::today);
    let mut ctx = Context::new(&inv, as_of);

    if let Some(path) = &args.vault {
        let opts = vault::VaultOptions {
            key_file: args.vault_key_file.clone(),
            ..Default::default()
        };
        let v = vault::load_vault(path, &opts)?;
        // An offline corpus wins over the network: nothing about a password leaves the machine.
        let source = match (&args.pwned_file, args.online) {
            (Some(f), _) => vault::BreachSource::Offline(f.clone()),
            (None, true) => vault::BreachSource::online(args.pwned_api.as_deref()),
            (None, false) => vault::BreachSource::None,
        };
        source.validate()?;
        ctx.credentials = Some(vault::assess(&inv, &v, source));
    }

    let mut sources = Vec::new();
    let mut defensive = Vec::new();
    let mut online_candidates = Vec::new();
    if args.online {
        let mut cfg = online::OnlineConfig::from_env();
        if let Some(u) = &args.bluesky_api {
            cfg.bluesky_api = u.clone();
        }
        if let Some(u) = &args.mastodon_api {
            cfg.mastodon_api = Some(u.clone());
        }
        if let Some(d) = &args.cache_dir {
            cfg.cache_dir = Some(d.clone());
        }
        cfg.refresh = args.refresh;
        let probes: Vec<(String, Platform, Vec<String>)> = inv
            .accounts
            .iter()
            .filter(|a| {
                matches!(a.platform, Platform::Bluesky | Platform::Mastodon)
                    && a.status != AccountStatus::Closed
            })
            .map(|a| {
                (
                    a.id.clone(),
                    a.platform,
                    impersonation::lookalikes(&a.handle, a.platform)
                        .into_iter()
                        .map(|l| l.handle)
                        .collect(),
                )
            })
            .collect();
        let evidence = online::gather_blocking(&inv, &cfg, &probes);
        sources = evidence.sources.clone();
        defensive = evidence.defensive_strings();
        online_candidates = evidence.candidates.clone();
        ctx.online = Some(evidence);
        if let Some(h) = vault::hibp::HibpConfig::from_env() {
            ctx.email_breaches = Some(vault::hibp::check_email_breaches(&inv, &h));
        }
    }

    if !args.candidates.is_empty() || args.online {
        let mut search = impersonation::Search::new(&inv, None);
        let mut bad = Vec::new();
        for f in &args.candidates {
            match search.scan_csv(f, !quiet) {
                Ok(stats) => bad.extend(stats.bad_rows),
                Err(mut d) => bad.append(&mut d),
            }
        }
        if !bad.is_empty() {
            return Err(Error::Input(bad));
        }
        for c in &online_candidates {
            search.consider(&impersonation::Candidate {
                platform: c.platform,
                handle: c.handle.clone(),
                display_name: c.display_name.clone(),
                bio: c.bio.clone(),
                url: c.url.clone(),
                followers: None,
                created_on: None,
                source: c.source_url.clone(),
            });
        }
        ctx.suspects = Some(search.finish());
    }

    let mut report = runner::run(&registry, &ctx);
    report.impersonation = ctx.suspects.clone().unwrap_or_default();
    report.sources = sources;
    report.defensive_registrations = defensive;
    report.meta.online = args.online;
    if let Some(b) = &args.baseline {
        let old = baseline::load_results(b)?;
        baseline::apply_baseline(&mut report, &old);
        let known: std::collections::BTreeSet<(String, String)> = old
            .impersonation
            .iter()
            .map(|s| (s.platform.clone(), s.candidate.to_lowercase()))
            .collect();
        for s in &mut report.impersonation {
            s.new = !known.contains(&(s.platform.clone(), s.candidate.to_lowercase()));
        }
        report.meta.baseline = Some(b.display().to_string());
    }
    if args.redact {
        let people = inv.people.iter().filter_map(|p| p.name.as_deref());
        redact::redact_knowing(&mut report, people);
    }
    Ok(report)
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
    if !ui.quiet && findings > render::text::LONG_LIST {
        eprintln!(
            "palisade: {findings} findings listed; --summary prints the counts per control and \
             the five things to fix first"
        );
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
    let report = audit(args, ui.quiet)?;
    let opts = render::RenderOptions {
        templates: args.templates.clone(),
        redacted: args.redact,
        ..Default::default()
    };
    match &args.out {
        None => {
            if !ui.quiet || formats != [Format::Text] {
                if args.summary && formats == [Format::Text] {
                    ui.print(&render::text::render_summary(&report, ui.color));
                } else if let Some(f) = formats.first() {
                    let mut out = std::io::stdout().lock();
                    // A closed pipe (`| head`) is not an error of the audit.
                    let _ = render_into(&report, *f, ui.color, &opts, &mut out);
                    if *f == Format::Text {
                        suggest_summary(&report, ui);
                    }
                }
            }
        }
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
            let mut written = Vec::new();
            for f in &formats {
                // Files never hold colour codes.
                written.push(render::write_atomically_with(dir, f.file_name(), |w| {
                    render_into(&report, *f, false, &opts, w)
                })?);
            }
            if !ui.quiet {
                if args.summary {
                    ui.print(&render::text::render_summary(&report, ui.color));
                } else {
                    ui.print(&render::text::render(&report, ui.color));
                    suggest_summary(&report, ui);
                }
                for path in &written {
                    ui.wrote(path);
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
