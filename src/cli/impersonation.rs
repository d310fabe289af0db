//! `palisade impersonation INVENTORY [--candidates FILE]... [--online]`: the impersonation
//! search alone, as text or JSON (the `impersonation` array of results.json).

use super::{Exit, Ui};
use crate::model::results::Suspect;

#[derive(Debug, clap::Args)]
#[group(id = "impersonation_args")]
pub struct Args {
    #[command(flatten)]
    pub audit: super::audit::Args,
}

pub fn run(args: &Args, ui: &Ui) -> crate::Result<Exit> {
    if args.audit.candidates.is_empty() && !args.audit.online {
        return Err(crate::Error::Usage(
            "nothing to search: give --candidates FILE (repeatable) or --online".into(),
        ));
    }
    let plan = args.audit.plan(!ui.quiet)?;
    let crate::audit::Audit { report, warnings } = crate::audit::run(&plan)?;
    super::print_warnings(&warnings, ui);
    let flagged: Vec<&Suspect> = report
        .impersonation
        .iter()
        .filter(|s| crate::impersonation::is_flagged(s))
        .collect();
    let json = args.audit.format.contains(&super::audit::Format::Json);
    if json {
        let v = serde_json::json!({ "impersonation": report.impersonation, "defensive_registrations": report.defensive_registrations });
        ui.print_document(&format!(
            "{}\n",
            serde_json::to_string_pretty(&v).unwrap_or_default()
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
                .and_then(crate::impersonation::report_form_url)
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
                        crate::impersonation::defensive::describe(platform),
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
