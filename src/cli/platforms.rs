//! `palisade platforms [ID]`: the platform catalogue with the source and the date each fact was
//! checked, so a reader can see how fresh it is (`--platforms FILE` shows it corrected).

use std::fmt::Write;
use std::path::PathBuf;

use super::{Exit, Ui};
use crate::model::platforms::{AccessModel, Catalogue, PlatformFacts, Source};
use crate::model::Platform;
use crate::Error;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// One platform (x, facebook, bluesky...); all when omitted
    pub platform: Option<String>,
    /// The organisation's corrections to the catalogue (YAML: `platforms: [...]`)
    #[arg(long, value_name = "FILE")]
    pub platforms: Option<PathBuf>,
    /// Print the catalogue as JSON
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &Args, ui: &Ui) -> crate::Result<Exit> {
    let cat = match &args.platforms {
        Some(p) => {
            let bytes = std::fs::read(p)
                .map_err(|e| Error::Usage(format!("cannot read {}: {e}", p.display())))?;
            Catalogue::with_corrections(&p.display().to_string(), &bytes).map_err(Error::Input)?
        }
        None => Catalogue::builtin().clone(),
    };
    let chosen: Vec<&PlatformFacts> = match &args.platform {
        Some(name) => {
            let p = Platform::parse(&name.to_ascii_lowercase()).ok_or_else(|| {
                Error::Usage(format!(
                    "`{name}` is not a platform ({})",
                    Platform::ALL.join(", ")
                ))
            })?;
            vec![cat
                .get(p)
                .ok_or_else(|| Error::Usage(format!("the catalogue has nothing on `{p}`")))?]
        }
        None => cat.platforms.values().collect(),
    };
    if args.json {
        ui.print(&format!(
            "{}\n",
            serde_json::to_string_pretty(&chosen).unwrap_or_default()
        ))?;
    } else {
        let mut o = String::new();
        for f in chosen {
            describe(&mut o, f);
        }
        ui.print(&crate::render::for_terminal_lines(&o))?;
    }
    Ok(Exit::Clean)
}

fn src(s: &Source) -> String {
    format!("[{} · checked {}]", s.url, s.checked)
}

fn describe(o: &mut String, f: &PlatformFacts) {
    let oldest = [
        &f.access.source,
        &f.handle.source,
        &f.two_factor.source,
        &f.login_alerts.source,
        &f.impersonation_report.source,
        &f.defensive_registration.source,
    ]
    .into_iter()
    .chain(f.verification.programmes.iter().map(|p| &p.source))
    .map(|s| s.checked)
    .min();
    let _ = writeln!(
        o,
        "{} ({}){}{}",
        f.name,
        f.id,
        oldest
            .map(|d| format!(": oldest fact checked {d}"))
            .unwrap_or_default(),
        if f.origin == "builtin" {
            String::new()
        } else {
            format!(" [corrected by {}]", f.origin)
        }
    );
    let access = match f.access.value {
        AccessModel::OwnLogin => "the account has its own login".to_owned(),
        AccessModel::PersonalProfiles => format!(
            "people reach it through their own {} profiles (AUTH-10)",
            f.access.profile_platform
        ),
    };
    let _ = writeln!(o, "  access: {access} {}", src(&f.access.source));
    let h = &f.handle;
    let _ = writeln!(
        o,
        "  handles: {} {}",
        match (h.min_length, h.max_length) {
            (Some(a), Some(b)) => format!("{a}-{b} characters"),
            (None, Some(b)) => format!("up to {b} characters"),
            _ => "see the rule".into(),
        },
        src(&h.source)
    );
    let methods: Vec<&str> = f.two_factor.methods.iter().map(|m| m.as_str()).collect();
    let _ = writeln!(
        o,
        "  2FA: {} {}",
        if methods.is_empty() {
            "none offered".to_owned()
        } else {
            methods.join(", ")
        },
        src(&f.two_factor.source)
    );
    if let Some(s) = &f.two_factor.steps {
        let _ = writeln!(o, "    turn on: {s}");
    }
    let _ = writeln!(
        o,
        "  login alerts: {} {}",
        f.login_alerts.value,
        src(&f.login_alerts.source)
    );
    if let Some(s) = &f.login_alerts.steps {
        let _ = writeln!(o, "    {s}");
    }
    for p in &f.verification.programmes {
        let _ = writeln!(
            o,
            "  badge `{}`: {}{}: {} {}",
            p.badge,
            p.name,
            if p.verifies_identity {
                ""
            } else {
                " (does not verify who holds it)"
            },
            p.meaning,
            src(&p.source)
        );
    }
    let r = &f.impersonation_report;
    let _ = writeln!(o, "  report an impersonator: {} {}", r.url, src(&r.source));
    if let Some(s) = &r.steps {
        let _ = writeln!(o, "    {s}");
    }
    let d = &f.defensive_registration;
    let _ = writeln!(
        o,
        "  defensive registration of look-alike names allowed: {} {}",
        d.value.as_str(),
        src(&d.source)
    );
    if let Some(n) = &d.note {
        let _ = writeln!(o, "    {n}");
    }
    o.push('\n');
}
