//! Movers, leavers and people's e-mail addresses: LEAV-01, LEAV-02, LEAV-03, MAIL-03.

use serde_json::json;

use crate::engine::{cel_rule, Context, Outcome};
use crate::model::{AccessVia, Account, Person, PersonStatus};

/// "Jane Smith (jsmith)", or the id alone.
pub fn who(p: &Person) -> String {
    match &p.name {
        Some(n) if !n.trim().is_empty() => format!("{n} ({})", p.id),
        _ => p.id.clone(),
    }
}

fn list(items: &[String]) -> String {
    items.join("; ")
}

/// LEAV-01: a leaver still has an access entry.
pub fn leav_01(ctx: &Context, account: &Account) -> Outcome {
    let mut found = Vec::new();
    let mut people = Vec::new();
    for a in &account.access {
        if let Some(p) = ctx.person(&a.person).filter(|p| ctx.is_leaver(p)) {
            let left = p
                .left_on
                .map(|d| format!(", left on {d}"))
                .unwrap_or_default();
            let psd = if p.left_under_investigation == Some(true) {
                ", left under a professional standards investigation"
            } else {
                ""
            };
            found.push(format!("{} still has {} access{left}{psd}", who(p), a.role));
            people.push(json!({"person": p.id, "name": p.name, "role": a.role, "left_on": p.left_on, "left_under_investigation": p.left_under_investigation}));
        }
    }
    if found.is_empty() {
        Outcome::pass("no leaver has access")
    } else {
        Outcome::fail(list(&found)).with_evidence(json!({ "people": people }))
    }
}

/// LEAV-02: a leaver had shared-password access and the password was not changed on or after
/// the day they left (a missing change date fails).
pub fn leav_02(ctx: &Context, account: &Account) -> Outcome {
    let changed = account.security.password_last_changed_on;
    let mut fails = Vec::new();
    let mut errors = Vec::new();
    let mut people = Vec::new();
    for a in account
        .access
        .iter()
        .filter(|a| a.via == Some(AccessVia::SharedPassword))
    {
        let Some(p) = ctx.person(&a.person).filter(|p| ctx.is_leaver(p)) else {
            continue;
        };
        people.push(json!({"person": p.id, "name": p.name, "left_on": p.left_on}));
        match (changed, p.left_on) {
            (None, _) => fails.push(format!(
                "{} knew the shared password and no password change is recorded (security.password_last_changed_on is missing)",
                who(p)
            )),
            (Some(c), Some(left)) if c < left => {
                fails.push(format!("{} knew the shared password and left on {left}; it was last changed on {c}", who(p)))
            }
            (Some(_), Some(_)) => {}
            (Some(c), None) => errors.push(format!(
                "{} is a leaver who knew the shared password, but their left_on date is missing, so a change on {c} cannot be compared",
                who(p)
            )),
        }
    }
    let evidence = json!({ "people": people, "password_last_changed_on": changed });
    if !fails.is_empty() {
        Outcome::fail(list(&fails)).with_evidence(evidence)
    } else if !errors.is_empty() {
        Outcome::error(list(&errors)).with_evidence(evidence)
    } else if people.is_empty() {
        Outcome::pass("no leaver had shared-password access")
    } else {
        Outcome::pass("the shared password was changed after every leaver who knew it left")
            .with_evidence(evidence)
    }
}

/// LEAV-03: a mover still has access and the account's access review is before their move (or missing).
pub fn leav_03(ctx: &Context, account: &Account) -> Outcome {
    let review = account.last_access_review_on;
    let mut fails = Vec::new();
    let mut errors = Vec::new();
    let mut people = Vec::new();
    for a in &account.access {
        let Some(p) = ctx
            .person(&a.person)
            .filter(|p| p.status == PersonStatus::Mover && !ctx.is_leaver(p))
        else {
            continue;
        };
        people.push(json!({"person": p.id, "name": p.name, "moved_on": p.moved_on}));
        match (review, p.moved_on) {
            (None, _) => fails.push(format!(
                "{} moved role and still has {} access; no access review is recorded",
                who(p),
                a.role
            )),
            (Some(r), Some(m)) if r < m => fails.push(format!(
                "{} moved role on {m} and still has {} access; the last access review was on {r}",
                who(p),
                a.role
            )),
            (Some(_), Some(_)) => {}
            (Some(r), None) => errors.push(format!(
                "{} is a mover but moved_on is missing, so the review on {r} cannot be compared",
                who(p)
            )),
        }
    }
    let evidence = json!({ "people": people, "last_access_review_on": review });
    if !fails.is_empty() {
        Outcome::fail(list(&fails)).with_evidence(evidence)
    } else if !errors.is_empty() {
        Outcome::error(list(&errors)).with_evidence(evidence)
    } else if people.is_empty() {
        Outcome::pass("no mover has access")
    } else {
        Outcome::pass("access was reviewed after every mover's move").with_evidence(evidence)
    }
}

/// MAIL-03: a person with access (not a leaver) has an e-mail that is not on an organisation domain.
pub fn mail_03(ctx: &Context, account: &Account) -> Outcome {
    let mut fails = Vec::new();
    let mut missing = Vec::new();
    let mut people = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for a in &account.access {
        let Some(p) = ctx.person(&a.person).filter(|p| !ctx.is_leaver(p)) else {
            continue;
        };
        if !seen.insert(p.id.as_str()) {
            continue;
        }
        match &p.email {
            Some(e) if !cel_rule::is_org_email(ctx.inventory, e) => {
                fails.push(format!(
                    "{} uses {e}, which is not on an organisation domain",
                    who(p)
                ));
                people.push(json!({"person": p.id, "name": p.name, "email": e}));
            }
            Some(_) => {}
            None => missing.push(who(p)),
        }
    }
    if !fails.is_empty() {
        Outcome::fail(list(&fails)).with_evidence(json!({ "people": people }))
    } else if !missing.is_empty() {
        Outcome::error(format!(
            "could not be verified: no e-mail address is recorded for {}",
            missing.join(", ")
        ))
        .with_evidence(json!({ "people": missing }))
    } else {
        Outcome::pass("everyone with access uses an organisational e-mail address")
    }
}
