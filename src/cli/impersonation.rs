//! `palisade impersonation INVENTORY [--candidates FILE]... [--online]`: the impersonation
//! search alone, as text or JSON (the `impersonation` array of results.json).

use std::path::PathBuf;

use super::{audit, Exit, Ui};
use crate::model::results::Suspect;
use crate::render::Format;

/// What `impersonation --format` can write: the text list, or the `impersonation` array of
/// results.json.
pub const FORMATS: &[Format] = super::TEXT_OR_JSON;

/// Only the options the search uses: `audit`'s vault, baseline or output options would be
/// accepted and ignored here, so they are not offered.
#[derive(Debug, clap::Args)]
#[group(id = "impersonation_args")]
pub struct Args {
    /// The inventory YAML file (default: palisade.yaml here, as `palisade init` writes it)
    #[arg(default_value = super::validate::DEFAULT_INVENTORY, hide_default_value = true)]
    pub inventory: PathBuf,
    /// Policy overrides (YAML: the keys of `policy`; `impersonation_threshold` applies here)
    #[arg(long, value_name = "FILE", help_heading = super::validate::INPUT)]
    pub policy: Option<PathBuf>,
    /// The organisation's corrections to the platform catalogue (YAML: `platforms: [...]`)
    #[arg(long, value_name = "FILE", help_heading = super::validate::INPUT)]
    pub platforms: Option<PathBuf>,
    /// Candidate accounts (CSV: platform,handle,...); repeatable
    #[arg(long, value_name = "FILE", help_heading = super::audit::EVIDENCE)]
    pub candidates: Vec<PathBuf>,
    /// Output format (one of the names `audit --format` takes)
    #[arg(long, default_value = "text", value_name = "FORMAT", value_parser = super::formats(FORMATS), help_heading = super::audit::OUTPUT)]
    pub format: Format,
    /// Search the platforms and the published accounts page too (off by default)
    #[arg(long, help_heading = super::audit::NETWORK)]
    pub online: bool,
    /// Ignore the on-disk cache of earlier network answers
    #[arg(long, help_heading = super::audit::NETWORK)]
    pub refresh: bool,
    /// Bluesky AppView base URL
    #[arg(long, env = "PALISADE_BLUESKY_API", value_name = "URL", help_heading = super::audit::NETWORK)]
    pub bluesky_api: Option<String>,
    /// Mastodon base URL used instead of https://{instance}
    #[arg(long, env = "PALISADE_MASTODON_API", value_name = "URL", help_heading = super::audit::NETWORK)]
    pub mastodon_api: Option<String>,
    /// Directory of the network cache (default $XDG_CACHE_HOME/palisade or ~/.cache/palisade)
    #[arg(long, env = "PALISADE_CACHE_DIR", value_name = "DIR", help_heading = super::audit::NETWORK)]
    pub cache_dir: Option<PathBuf>,
}

impl Args {
    /// The audit this search is part of, with everything it does not use left off (no vault,
    /// no baseline; the outputs are this command's own).
    fn audit_args(&self) -> audit::Args {
        audit::Args {
            input: super::validate::Args {
                inventory: self.inventory.clone(),
                policy: self.policy.clone(),
                people: None,
                people_columns: Vec::new(),
                checks_dir: Vec::new(),
                platforms: self.platforms.clone(),
            },
            as_of: None,
            format: vec![self.format],
            out: None,
            summary: false,
            fail_on: audit::FailOn::Never,
            baseline: None,
            redact: false,
            templates: None,
            candidates: self.candidates.clone(),
            vault: None,
            vault_key_file: None,
            pwned_file: None,
            online: self.online,
            refresh: self.refresh,
            bluesky_api: self.bluesky_api.clone(),
            mastodon_api: self.mastodon_api.clone(),
            pwned_api: None,
            cache_dir: self.cache_dir.clone(),
            csv_excel: false,
            print_detail: false,
        }
    }
}

pub fn run(args: &Args, ui: &Ui) -> crate::Result<Exit> {
    super::validate::require_inventory(&args.inventory)?;
    if args.candidates.is_empty() && !args.online {
        return Err(crate::Error::Usage(
            "nothing to search: give --candidates FILE (repeatable) or --online".into(),
        ));
    }
    let plan = crate::audit::Plan {
        checks: false,
        ..args.audit_args().plan(!ui.quiet)?
    };
    let crate::audit::Audit {
        report,
        warnings,
        platforms: catalogue,
    } = crate::audit::run(&plan)?;
    super::print_warnings(&warnings, ui);
    let flagged: Vec<&Suspect> = report
        .impersonation
        .iter()
        .filter(|s| crate::impersonation::is_flagged(s))
        .collect();
    if args.format == Format::Json {
        // Written straight from the report: going through a `serde_json::Value` first copied
        // every string of every suspect (a third of this command's own time on 1,800 of them).
        #[derive(serde::Serialize)]
        struct Document<'a> {
            impersonation: &'a [Suspect],
            defensive_registrations: &'a [String],
        }
        let doc = Document {
            impersonation: &report.impersonation,
            defensive_registrations: &report.defensive_registrations,
        };
        ui.print_document(&format!(
            "{}\n",
            serde_json::to_string_pretty(&doc).unwrap_or_default()
        ))?;
    } else if !ui.quiet {
        let mut o = format!(
            "{} suspect(s) across {} account(s)\n",
            flagged.len(),
            report.summary.accounts
        );
        for s in &report.impersonation {
            let state = s.state.as_deref().unwrap_or("suspect");
            let back = if s.reappeared {
                " — taken down before, it came back"
            } else {
                ""
            };
            o.push_str(&format!(
                "  {:<9} {} {:<24} ~ {:<20} {:.2} [{}]{back}: {}\n",
                crate::render::text::sanitize(&s.platform),
                if crate::impersonation::is_flagged(s) {
                    "!"
                } else {
                    " "
                },
                crate::render::text::sanitize(&s.candidate),
                crate::render::text::sanitize(&s.account_id),
                s.score,
                crate::render::text::sanitize(state),
                crate::render::text::sanitize(&s.reasons.join("; "))
            ));
            if let Some(url) = crate::model::Platform::parse(&s.platform)
                .and_then(|p| crate::impersonation::report_form_url(&catalogue, p))
            {
                o.push_str(&format!("            report it: {url}\n"));
            }
        }
        if !report.defensive_registrations.is_empty() {
            o.push_str("\nUnregistered look-alikes nobody holds yet:\n");
            let mut platforms: Vec<&str> = report
                .defensive_registrations
                .iter()
                .filter_map(|d| d.split_once(':').map(|(p, _)| p))
                .collect();
            let mut seen = Vec::new();
            platforms.retain(|p| {
                let new = !seen.contains(p);
                seen.push(*p);
                new
            });
            for p in platforms {
                let names: Vec<&str> = report
                    .defensive_registrations
                    .iter()
                    .filter_map(|d| d.strip_prefix(p)?.strip_prefix(':'))
                    .collect();
                if let Some(platform) = crate::model::Platform::parse(p) {
                    o.push_str(&format!(
                        "  {}\n    {}\n",
                        crate::impersonation::defensive::describe(&catalogue, platform),
                        crate::render::text::sanitize(&names.join(", "))
                    ));
                }
            }
        }
        ui.print(&o)?;
    }
    Ok(if flagged.is_empty() {
        Exit::Clean
    } else {
        Exit::Findings
    })
}
