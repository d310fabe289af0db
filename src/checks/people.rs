//! Movers, leavers and people's e-mail addresses: LEAV-01, LEAV-02, LEAV-03, LEAV-04, MAIL-03.
//!
//! Access history matters here: a current access entry is access, but an entry removed on or
//! before the as-of date is history, and only the shared-password checks (LEAV-02, LEAV-04)
//! read it, because someone who once knew a shared password still knows it.

use jiff::civil::Date;
use serde_json::json;

use crate::engine::{Context, Outcome};
use crate::model::{Access, AccessVia, Account, Person};

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
    for a in ctx.current(&account.access) {
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

/// The day someone stopped being entitled to a shared password: the entry's `removed_on` when
/// set, else (for a leaver) the day they left.
fn access_ended(a: &Access, p: &Person) -> Option<Date> {
    a.removed_on.or(p.left_on)
}

fn shared_password(access: &[Access]) -> impl Iterator<Item = &Access> {
    access
        .iter()
        .filter(|a| a.via == Some(AccessVia::SharedPassword))
}

/// LEAV-02: a leaver had shared-password access (current or past) and the password was not
/// changed on or after the day that access ended: the entry's `removed_on` when set, else the
/// person's `left_on` (a missing change date fails).
pub fn leav_02(ctx: &Context, account: &Account) -> Outcome {
    let changed = account.security.password_last_changed_on;
    let mut fails = Vec::new();
    let mut errors = Vec::new();
    let mut people = Vec::new();
    for a in shared_password(&account.access) {
        let Some(p) = ctx.person(&a.person).filter(|p| ctx.is_leaver(p)) else {
            continue;
        };
        let ended = access_ended(a, p);
        let when = match (a.removed_on, p.left_on) {
            (Some(r), _) => format!("lost access on {r}"),
            (None, Some(l)) => format!("left on {l}"),
            (None, None) => String::new(),
        };
        people.push(json!({"person": p.id, "name": p.name, "left_on": p.left_on, "removed_on": a.removed_on}));
        match (changed, ended) {
            (None, _) => fails.push(format!(
                "{} knew the shared password and no password change is recorded (security.password_last_changed_on is missing)",
                who(p)
            )),
            (Some(c), Some(end)) if c < end => {
                fails.push(format!("{} knew the shared password and {when}; it was last changed on {c}", who(p)))
            }
            (Some(_), Some(_)) => {}
            (Some(c), None) => errors.push(format!(
                "{} is a leaver who knew the shared password, but neither the entry's removed_on nor their left_on is recorded, so a change on {c} cannot be compared",
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

/// LEAV-04: someone who is not a leaver had shared-password access removed (`removed_on` on or
/// before the as-of date) and the password was not changed on or after that day. Someone who
/// still holds a current shared-password entry on the account is still entitled to it.
pub fn leav_04(ctx: &Context, account: &Account) -> Outcome {
    let changed = account.security.password_last_changed_on;
    let still_shared: Vec<&str> = shared_password(&account.access)
        .filter(|a| a.is_current(ctx.as_of))
        .map(|a| a.person.as_str())
        .collect();
    let mut fails = Vec::new();
    let mut people = Vec::new();
    for a in shared_password(&account.access) {
        let Some(removed) = a.removed_on.filter(|r| *r <= ctx.as_of) else {
            continue;
        };
        let Some(p) = ctx.person(&a.person).filter(|p| !ctx.is_leaver(p)) else {
            continue;
        };
        if still_shared.contains(&p.id.as_str()) {
            continue;
        }
        people.push(json!({"person": p.id, "name": p.name, "removed_on": removed}));
        match changed {
            None => fails.push(format!(
                "{}'s shared-password access was removed on {removed} and no password change is recorded (security.password_last_changed_on is missing)",
                who(p)
            )),
            Some(c) if c < removed => fails.push(format!(
                "{}'s shared-password access was removed on {removed}; the password was last changed on {c}, so they still know it",
                who(p)
            )),
            Some(_) => {}
        }
    }
    let evidence = json!({ "people": people, "password_last_changed_on": changed });
    if !fails.is_empty() {
        Outcome::fail(list(&fails)).with_evidence(evidence)
    } else if people.is_empty() {
        Outcome::pass("nobody who stays lost shared-password access")
    } else {
        Outcome::pass("the shared password was changed after every removal of access")
            .with_evidence(evidence)
    }
}

/// LEAV-03: a mover still has access and the account's access review is before their move (or missing).
pub fn leav_03(ctx: &Context, account: &Account) -> Outcome {
    let review = account.last_access_review_on;
    let mut fails = Vec::new();
    let mut errors = Vec::new();
    let mut people = Vec::new();
    for a in ctx.current(&account.access) {
        let Some(p) = ctx.person(&a.person).filter(|p| ctx.is_mover(p)) else {
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
    for a in ctx.current(&account.access) {
        let Some(p) = ctx.person(&a.person).filter(|p| !ctx.is_leaver(p)) else {
            continue;
        };
        if !seen.insert(p.id.as_str()) {
            continue;
        }
        match &p.email {
            Some(e) if !ctx.inventory.is_org_email(e) => {
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
