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
    let report = super::audit::audit(&args.audit, ui.quiet)?;
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
            o.push_str(&format!(
                "\nUnregistered look-alikes to register defensively: {}\n",
                crate::render::text::sanitize(&report.defensive_registrations.join(", "))
            ));
        }
        ui.print(&o)?;
    }
    Ok(if flagged.is_empty() {
        Exit::Clean
    } else {
        Exit::Findings
    })
}
