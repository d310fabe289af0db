//! Authentication as the platforms really offer it: AUTH-02 (2FA strong enough, capped at the
//! strongest method the platform offers), AUTH-03 (login alerts, where the platform has them)
//! and AUTH-10 (the personal profiles through which Pages and channels are reached).

use serde_json::json;

use super::people::who;
use crate::engine::{Context, Outcome};
use crate::model::platforms::{AccessModel, PlatformFacts};
use crate::model::{AccessVia, Account, TriBool, TwoFactor};

/// "an admin", "a moderator".
fn article(word: &str) -> String {
    let an = word.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {word}", if an { "an" } else { "a" })
}

/// The method a 2FA record must reach: the policy's minimum, or the strongest the platform
/// offers when that is weaker (nobody can carry out a fix the platform does not allow).
fn required(ctx: &Context, facts: Option<&PlatformFacts>) -> (TwoFactor, Option<&'static str>) {
    let policy = ctx.inventory.policy.min_two_factor;
    match facts.and_then(PlatformFacts::strongest_two_factor) {
        Some(best) if best.rank() < policy.rank() => (best, Some("capped")),
        _ => (policy, None),
    }
}

fn offered(facts: &PlatformFacts) -> String {
    let m: Vec<&str> = facts
        .two_factor
        .methods
        .iter()
        .map(|m| m.as_str())
        .collect();
    if m.is_empty() {
        "none".to_owned()
    } else {
        m.join(", ")
    }
}

/// How a method compares with what is required, in words; `None` when it is strong enough.
fn judge(
    method: TwoFactor,
    required: TwoFactor,
    capped: Option<&str>,
    facts: Option<&PlatformFacts>,
    ctx: &Context,
) -> Result<String, String> {
    let policy = ctx.inventory.policy.min_two_factor;
    let bar = match (capped, facts) {
        (Some(_), Some(f)) => format!(
            "{required}, the strongest {} offers (the policy asks for {policy})",
            f.name
        ),
        _ => format!("the policy minimum {required}"),
    };
    if method.rank() < required.rank() {
        Err(format!("two-factor method {method} is weaker than {bar}"))
    } else {
        Ok(format!("two-factor method {method} meets {bar}"))
    }
}

/// The record names a method the platform does not offer: it cannot be right.
fn not_offered(method: TwoFactor, facts: &PlatformFacts, field: &str) -> Outcome {
    Outcome::error(format!(
        "could not be verified: the platform does not offer this: the record cannot be right ({field}: {method}, but {} offers {})",
        facts.name,
        offered(facts)
    ))
    .with_evidence(json!({"field": field, "value": method, "offered": facts.two_factor.methods, "source": facts.two_factor.source.url}))
}

/// AUTH-02: 2FA is on but weaker than `policy.min_two_factor`, or than the strongest method the
/// platform offers if that is weaker (skipped when `none`; error when the platform does not
/// offer the recorded method, or it is unknown).
pub fn auth_02(ctx: &Context, account: &Account) -> Outcome {
    let Some(method) = account.security.two_factor else {
        return Outcome::error(
            "could not be verified: `security.two_factor` is missing from the inventory",
        )
        .with_evidence(json!({"field": "security.two_factor"}));
    };
    match method {
        TwoFactor::Unknown => {
            return Outcome::error("could not be verified: `security.two_factor` is unknown")
                .with_evidence(json!({"field": "security.two_factor", "value": "unknown"}))
        }
        TwoFactor::None => {
            return Outcome::skip("two-factor authentication is off (AUTH-01 reports that)")
        }
        _ => {}
    }
    let facts = ctx.platform(account.platform);
    if let Some(f) = facts.filter(|f| !f.offers_two_factor(method)) {
        return not_offered(method, f, "security.two_factor");
    }
    let (req, capped) = required(ctx, facts);
    let evidence = json!({"security.two_factor": method, "required": req, "policy": ctx.inventory.policy.min_two_factor});
    match judge(method, req, capped, facts, ctx) {
        Err(m) => Outcome::fail(m),
        Ok(m) => Outcome::pass(m),
    }
    .with_evidence(evidence)
}

/// AUTH-03: `login_alerts` is false (error if unknown or missing). Skipped where the platform
/// has no login alerts; a record of alerts on such a platform cannot be right.
pub fn auth_03(ctx: &Context, account: &Account) -> Outcome {
    let recorded = account.security.login_alerts;
    if let Some(f) = ctx
        .platform(account.platform)
        .filter(|f| f.login_alerts.value == TriBool::False)
    {
        return match recorded {
            Some(TriBool::True) => Outcome::error(format!(
                "could not be verified: the platform does not offer this: the record cannot be right (security.login_alerts: true, but {} has no login alerts)",
                f.name
            ))
            .with_evidence(json!({"field": "security.login_alerts", "source": f.login_alerts.source.url})),
            _ => Outcome::skip(format!("{} has no login alerts to turn on", f.name)),
        };
    }
    match recorded {
        None => Outcome::error(
            "could not be verified: `security.login_alerts` is missing from the inventory",
        )
        .with_evidence(json!({"field": "security.login_alerts"})),
        Some(TriBool::Unknown) => {
            Outcome::error("could not be verified: `security.login_alerts` is unknown")
                .with_evidence(json!({"field": "security.login_alerts", "value": "unknown"}))
        }
        Some(TriBool::False) => {
            Outcome::fail("login alerts are off (security.login_alerts: false)")
                .with_evidence(json!({"security.login_alerts": "false"}))
        }
        Some(TriBool::True) => Outcome::pass("login alerts are on")
            .with_evidence(json!({"security.login_alerts": "true"})),
    }
}

/// AUTH-10: on a platform reached through personal profiles, a person (not a leaver) with
/// current `via: platform_role` access has no 2FA on that profile, or a method weaker than the
/// policy (capped as in AUTH-02); error when such a profile is not recorded or unknown; skipped
/// on other platforms and where no current access is via `platform_role`.
pub fn auth_10(ctx: &Context, account: &Account) -> Outcome {
    let Some(facts) = ctx
        .platform(account.platform)
        .filter(|f| f.access.value == AccessModel::PersonalProfiles)
    else {
        return Outcome::skip(
            "the account has a login of its own (the platform is not reached through personal profiles)",
        );
    };
    let login = facts.access.profile_platform;
    let (req, capped) = required(ctx, Some(facts));
    let mut fails = Vec::new();
    let mut errors = Vec::new();
    let mut passes = Vec::new();
    let mut people = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for a in ctx
        .current(&account.access)
        .filter(|a| a.via == Some(AccessVia::PlatformRole))
    {
        let Some(p) = ctx.person(&a.person).filter(|p| !ctx.is_leaver(p)) else {
            continue;
        };
        if !seen.insert(p.id.as_str()) {
            continue;
        }
        let profile = p.profiles.iter().find(|pr| pr.platform == login);
        people.push(json!({"person": p.id, "profile": login, "two_factor": profile.and_then(|pr| pr.two_factor)}));
        match profile.map(|pr| pr.two_factor) {
            None => errors.push(format!(
                "{} holds {} role through their own {login} profile, which is not recorded (people[].profiles)",
                who(p),
                article(a.role.as_str())
            )),
            Some(None) | Some(Some(TwoFactor::Unknown)) => errors.push(format!(
                "the 2FA of {}'s {login} profile is unknown",
                who(p)
            )),
            Some(Some(TwoFactor::None)) => fails.push(format!(
                "{}'s {login} profile, which holds {} role on the account, has no two-factor authentication",
                who(p),
                article(a.role.as_str())
            )),
            Some(Some(m)) if !facts.offers_two_factor(m) => errors.push(format!(
                "the platform does not offer this: the record cannot be right ({}'s {login} profile: {m}, but {} offers {})",
                who(p),
                facts.name,
                offered(facts)
            )),
            Some(Some(m)) => match judge(m, req, capped, Some(facts), ctx) {
                Err(why) => fails.push(format!("{}'s {login} profile: {why}", who(p))),
                Ok(_) => passes.push(who(p)),
            },
        }
    }
    let evidence = json!({"people": people, "required": req});
    if people.is_empty() {
        Outcome::skip("nobody reaches the account through a role on their own profile (no current access via platform_role)")
    } else if !fails.is_empty() {
        Outcome::fail(fails.join("; ")).with_evidence(evidence)
    } else if !errors.is_empty() {
        Outcome::error(format!("could not be verified: {}", errors.join("; ")))
            .with_evidence(evidence)
    } else {
        Outcome::pass(format!(
            "every profile with a role on the account has two-factor authentication of {req} or stronger ({})",
            passes.join(", ")
        ))
        .with_evidence(evidence)
    }
}
