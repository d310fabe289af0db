//! Generated sample reports for tests, benchmarks and the documentation screenshot.
//!
//! Deterministic (a fixed linear congruential sequence), so goldens and benchmarks are stable;
//! scoring here follows `controls.md` but is only for fixtures: the engine owns real scoring.

use std::collections::BTreeMap;

use crate::model::inventory::Severity;
use crate::model::results::*;

/// (id, family, severity, title, remediation) for the catalogue of `controls.md`.
pub const CONTROLS: &[(&str, &str, Severity, &str, &str)] = &[
    (
        "AUTH-01",
        "authentication",
        Severity::Critical,
        "Two-factor authentication is on",
        "Turn on two-factor authentication, preferably a passkey or security key.",
    ),
    (
        "AUTH-02",
        "authentication",
        Severity::Medium,
        "Two-factor method is strong enough",
        "Move from SMS or e-mail codes to an authenticator app, passkey or security key.",
    ),
    (
        "AUTH-03",
        "authentication",
        Severity::Medium,
        "Login alerts are on",
        "Turn on login alerts and send them to a monitored organisation mailbox.",
    ),
    (
        "AUTH-04",
        "authentication",
        Severity::High,
        "Password kept in the vault or SMMP",
        "Move the password into the organisation's password vault and delete other copies.",
    ),
    (
        "AUTH-06",
        "authentication",
        Severity::Low,
        "Password changed within policy",
        "Change the password and record the date.",
    ),
    (
        "AUTH-07",
        "credentials",
        Severity::High,
        "Password is strong",
        "Replace the password with a long random one (three random words or more).",
    ),
    (
        "AUTH-08",
        "credentials",
        Severity::High,
        "Password is not reused",
        "Give every account its own password.",
    ),
    (
        "AUTH-09",
        "credentials",
        Severity::Critical,
        "Password is not in a breach corpus",
        "Change the password now and check the account for unauthorised activity.",
    ),
    (
        "MAIL-01",
        "personal-email",
        Severity::High,
        "Login e-mail is an organisation address",
        "Change the login e-mail to an organisation mailbox.",
    ),
    (
        "MAIL-02",
        "personal-email",
        Severity::High,
        "Recovery e-mail is an organisation address",
        "Change the recovery e-mail to an organisation mailbox.",
    ),
    (
        "MAIL-03",
        "personal-email",
        Severity::Medium,
        "People with access use organisation e-mail",
        "Ask the person to use their organisation e-mail for platform roles.",
    ),
    (
        "MAIL-04",
        "personal-email",
        Severity::Medium,
        "Recovery phone belongs to the organisation",
        "Replace the personal recovery phone with an organisation number.",
    ),
    (
        "APPS-01",
        "third-party-apps",
        Severity::High,
        "Connected apps are approved",
        "Remove the app or have it approved.",
    ),
    (
        "APPS-02",
        "third-party-apps",
        Severity::Medium,
        "Connected apps are in use",
        "Disconnect apps not used recently.",
    ),
    (
        "APPS-03",
        "third-party-apps",
        Severity::Medium,
        "No app can change account settings",
        "Reduce the app's permissions or disconnect it.",
    ),
    (
        "LEAV-01",
        "movers-and-leavers",
        Severity::Critical,
        "Leavers have no access",
        "Remove the leaver's access today.",
    ),
    (
        "LEAV-02",
        "movers-and-leavers",
        Severity::Critical,
        "Shared password changed after a leaver",
        "Change the password and move access to named roles.",
    ),
    (
        "LEAV-03",
        "movers-and-leavers",
        Severity::Medium,
        "Movers' access reviewed",
        "Review the account's access since the person moved.",
    ),
    (
        "ACC-01",
        "access",
        Severity::High,
        "Account has a current owner",
        "Name a current member of staff as the owner.",
    ),
    (
        "ACC-02",
        "access",
        Severity::Medium,
        "Enough admins",
        "Add a second admin so the account is never locked out.",
    ),
    (
        "ACC-03",
        "access",
        Severity::Low,
        "Not too many admins",
        "Reduce the admins to the policy maximum.",
    ),
    (
        "ACC-04",
        "access",
        Severity::Medium,
        "No shared passwords",
        "Give each person their own role through the platform or the SMMP.",
    ),
    (
        "ACC-05",
        "access",
        Severity::Medium,
        "Access logging is on",
        "Turn on access logging in the management platform.",
    ),
    (
        "ACC-06",
        "access",
        Severity::Medium,
        "Access reviewed recently",
        "Review who has access and record the date.",
    ),
    (
        "ACC-07",
        "devices",
        Severity::High,
        "Only managed devices signed in",
        "Sign the account out of unmanaged devices.",
    ),
    (
        "ACC-08",
        "devices",
        Severity::Low,
        "No stale sessions",
        "Sign out sessions not seen recently.",
    ),
    (
        "BRAND-01",
        "verification",
        Severity::Medium,
        "Account is verified",
        "Apply for platform verification.",
    ),
    (
        "BRAND-02",
        "verification",
        Severity::Medium,
        "Listed on the official accounts page",
        "Add the account to the published list of official accounts.",
    ),
    (
        "BRAND-03",
        "verification",
        Severity::Low,
        "Handle follows the naming convention",
        "Rename the handle to follow the naming convention.",
    ),
    (
        "BRAND-04",
        "governance",
        Severity::Low,
        "Account is not dormant",
        "Post, or close the account through the closure process.",
    ),
    (
        "GOV-01",
        "governance",
        Severity::Medium,
        "Recent attestation by the owner",
        "Ask the owner to attest the account's settings.",
    ),
    (
        "IMP-01",
        "impersonation",
        Severity::High,
        "No look-alike accounts",
        "Report the impersonating account to the platform.",
    ),
];

const PLATFORMS: &[&str] = &[
    "x",
    "facebook",
    "instagram",
    "youtube",
    "tiktok",
    "linkedin",
    "bluesky",
    "threads",
];
const AREAS: &[&str] = &[
    "Central",
    "North",
    "South",
    "East",
    "West",
    "Harbour",
    "Old Town",
    "Riverside",
    "Airport",
    "Rural",
];
const PEOPLE: &[&str] = &[
    "Priya Shah",
    "Tom Hughes",
    "Aisha Bello",
    "Gareth Jones",
    "Mei Chen",
    "Sam Okafor",
];

struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// A report of `accounts` accounts and the first `checks` controls of the catalogue, with a
/// realistic spread of passes, failures, errors, skips and waivers.
pub fn synthetic(accounts: usize, checks: usize) -> Report {
    let mut rng = Lcg(0x5EED);
    let controls = &CONTROLS[..checks.min(CONTROLS.len())];
    // The requirements each control serves, as its real definition says (for coverage tables).
    let registry = crate::engine::registry::Registry::builtin().ok();
    let requirements_of = |id: &str| -> Vec<String> {
        registry
            .as_ref()
            .and_then(|r| r.get(id))
            .map(|c| c.def.requirements.clone())
            .unwrap_or_default()
    };
    let checks_info: Vec<CheckInfo> = controls
        .iter()
        .map(|(id, family, sev, title, remediation)| CheckInfo {
            id: id.to_string(),
            title: title.to_string(),
            family: family.to_string(),
            severity: *sev,
            default_severity: Some(*sev),
            rationale: format!(
                "{title}: required by the organisation's social media security standard."
            ),
            remediation: remediation.to_string(),
            references: vec![Reference {
                source: "Social media, College of Policing, Authorised Professional Practice (APP) (first published 23 February 2026)".into(),
                section: "Security".into(),
                document: Some("app".into()),
            }],
            requirements: requirements_of(id),
            origin: "builtin".into(),
        })
        .collect();

    let mut account_infos = Vec::with_capacity(accounts);
    let mut results = Vec::with_capacity(accounts * controls.len());
    for i in 0..accounts {
        let platform = PLATFORMS[i % PLATFORMS.len()];
        let area = AREAS[(i / PLATFORMS.len()) % AREAS.len()];
        let n = i / (PLATFORMS.len() * AREAS.len());
        let suffix = if n == 0 {
            String::new()
        } else {
            format!("{n}")
        };
        let id = format!(
            "wm-{platform}-{}{suffix}",
            area.to_lowercase().replace(' ', "-")
        );
        let owner = PEOPLE[i % PEOPLE.len()];
        account_infos.push(AccountInfo {
            id: id.clone(),
            platform: platform.into(),
            handle: format!("Westmere{}Police{suffix}", area.replace(' ', "")),
            display_name: Some(format!("Westmere Police — {area}")),
            owner: Some(owner.into()),
            status: "active".into(),
            line: 40 + (i as u32) * 30,
            score: None,
        });
        // Some accounts are well run, some are not: the weakness shifts the odds per account.
        let weakness = rng.below(40);
        for (id_c, _, sev, title, _) in controls {
            let roll = rng.below(100);
            let (status, message) = if roll < weakness / 2 {
                (Status::Fail, format!("{title}: not met (owner {owner})"))
            } else if roll < weakness / 2 + 3 {
                (
                    Status::Error,
                    "could not be verified: the field is `unknown`".to_string(),
                )
            } else if roll < weakness / 2 + 8 {
                (
                    Status::Skipped,
                    "not applicable on this platform".to_string(),
                )
            } else {
                (Status::Pass, format!("{title}: met"))
            };
            let waived = status == Status::Fail && rng.below(20) == 0;
            let waiver = waived.then(|| {
                Box::new(WaiverApplied {
                    reason: "platform does not offer the feature to this account type".into(),
                    approved_by: "Gareth Jones".into(),
                    expires_on: "2026-12-31".into(),
                    ticket: Some("SEC-1042".into()),
                    status_before: Status::Fail,
                })
            });
            results.push(CheckResult {
                check_id: id_c.to_string(),
                account_id: id.clone(),
                status: if waived { Status::Waived } else { status },
                severity: *sev,
                message,
                evidence: serde_json::json!({ "owner": owner }).into(),
                waiver,
                change: None,
                remediation: None,
            });
        }
    }
    let sev_rank = |s: Severity| std::cmp::Reverse(s.weight());
    results.sort_by(|a, b| {
        (sev_rank(a.severity), &a.check_id, &a.account_id).cmp(&(
            sev_rank(b.severity),
            &b.check_id,
            &b.account_id,
        ))
    });

    let waivers = results
        .iter()
        .filter_map(|r| r.waiver.as_ref().map(|w| (r, w)))
        .take(12)
        .map(|(r, w)| WaiverNotice {
            check: r.check_id.clone(),
            account: r.account_id.clone(),
            approved_by: w.approved_by.clone(),
            expires_on: w.expires_on.clone(),
            state: "expiring".into(),
            reason: w.reason.clone(),
            ticket: w.ticket.clone(),
            line: 12,
        })
        .collect();

    let impersonation = account_infos
        .iter()
        .take(3)
        .enumerate()
        .map(|(k, a)| Suspect {
            account_id: a.id.clone(),
            platform: a.platform.clone(),
            candidate: a.handle.replace('l', "1"),
            score: 0.97 - k as f64 * 0.05,
            reasons: vec!["homoglyph l→1".into(), "same display name".into()],
            source: "candidates.csv".into(),
            display_name: a.display_name.clone(),
            state: Some(if k == 0 { "reported" } else { "suspect" }.into()),
            state_date: (k == 0).then(|| "2026-09-20".into()),
            ticket: None,
            reappeared: false,
            new: k > 0,
        })
        .collect();

    let mut report = Report {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: "palisade".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        organisation: "Westmere Constabulary".into(),
        as_of: "2026-10-01".into(),
        summary: Summary::default(),
        checks: checks_info,
        results,
        impersonation,
        regressions: Vec::new(),
        accounts: account_infos,
        control_planes: Vec::new(),
        scores: Scores::default(),
        waivers,
        sources: vec![SourceStatus {
            name: "candidates.csv".into(),
            ok: true,
            detail: "1,204 candidates read".into(),
        }],
        defensive_registrations: vec!["WestmerePo1ice".into(), "WestmereP0lice".into()],
        lookalike_coverage: Vec::new(),
        meta: AuditMeta {
            inventory: "inventory.yaml".into(),
            inventory_sha256: "9f2c4e0b7d1a3c5e6f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6"
                .into(),
            checks_run: controls.len(),
            online: false,
            baseline: None,
        },
    };
    compute_scores(&mut report);
    report
}

/// Fills `summary`, `scores` and account scores from the results with the weights of
/// `controls.md` (fixtures only).
pub fn compute_scores(report: &mut Report) {
    let family_of: BTreeMap<&str, &str> = report
        .checks
        .iter()
        .map(|c| (c.id.as_str(), c.family.as_str()))
        .collect();
    let mut summary = Summary {
        accounts: report.accounts.len(),
        ..Summary::default()
    };
    let mut org = (0u64, 0u64);
    let mut fam: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let mut acc: BTreeMap<String, BTreeMap<String, (u64, u64)>> = BTreeMap::new();
    for r in &report.results {
        summary.count(r.status, r.severity);
        if !matches!(r.status, Status::Pass | Status::Fail | Status::Error) {
            continue;
        }
        let w = u64::from(r.severity.weight());
        let passed = if r.status == Status::Pass { w } else { 0 };
        let family = family_of
            .get(r.check_id.as_str())
            .copied()
            .unwrap_or("other")
            .to_string();
        for slot in [
            &mut org,
            fam.entry(family.clone()).or_default(),
            acc.entry(r.account_id.clone())
                .or_default()
                .entry(family)
                .or_default(),
        ] {
            slot.0 += passed;
            slot.1 += w;
        }
    }
    let score = |(p, t): (u64, u64)| (t > 0).then(|| (1000.0 * p as f64 / t as f64).round() / 10.0);
    summary.score = score(org);
    report.summary = summary;
    report.scores.families = fam.into_iter().map(|(k, v)| (k, score(v))).collect();
    for a in &mut report.accounts {
        let totals = acc
            .get(&a.id)
            .map(|m| m.values().fold((0, 0), |s, v| (s.0 + v.0, s.1 + v.1)));
        a.score = totals.and_then(score);
    }
    report.scores.accounts = acc
        .into_iter()
        .map(|(k, m)| (k, m.into_iter().map(|(f, v)| (f, score(v))).collect()))
        .collect();
}
