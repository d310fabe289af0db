//! Control planes: the SMMP, business portfolios, brand accounts and password managers through
//! which people reach many accounts at once (CP-01..05). A finding here is worth many account
//! findings, so each message says how many accounts the plane reaches.

use serde_json::json;

use super::access::admin_names;
use super::people::who;
use crate::engine::{Context, Outcome};
use crate::model::{ControlPlane, SignIn, TriBool};

/// "Orlo (reaches 3 accounts: a, b, c)".
pub(crate) fn plane_name(p: &ControlPlane) -> String {
    let name = p.name.as_deref().unwrap_or(&p.id);
    match p.accounts.len() {
        0 => name.to_owned(),
        1 => format!("{name} (reaches 1 account: {})", p.accounts[0]),
        n => format!("{name} (reaches {n} accounts: {})", p.accounts.join(", ")),
    }
}

/// CP-01: a plane's `sign_in` is `password` and `two_factor_enforced` is `false` (error if
/// `sign_in` is missing or unknown, or is `password` with `two_factor_enforced` missing or
/// unknown; `sso` passes).
pub fn cp_01(_ctx: &Context, plane: &ControlPlane) -> Outcome {
    let evidence =
        json!({"sign_in": plane.sign_in, "two_factor_enforced": plane.two_factor_enforced});
    match (plane.sign_in, plane.two_factor_enforced) {
        (None, _) => Outcome::error("could not be verified: `sign_in` is missing from the inventory"),
        (Some(SignIn::Unknown), _) => Outcome::error("could not be verified: `sign_in` is unknown"),
        (Some(SignIn::Sso), _) => Outcome::pass(
            "people sign in through the organisation's identity provider (sign_in: sso)",
        ),
        (Some(SignIn::Password), Some(TriBool::False)) => Outcome::fail(format!(
            "people sign in to {} with a password alone: two-factor authentication is not enforced (two_factor_enforced: false)",
            plane_name(plane)
        )),
        (Some(SignIn::Password), Some(TriBool::True)) => {
            Outcome::pass("password sign-in, with two-factor authentication enforced for everyone")
        }
        (Some(SignIn::Password), Some(TriBool::Unknown)) => Outcome::error(
            "could not be verified: people sign in with a password and `two_factor_enforced` is unknown",
        ),
        (Some(SignIn::Password), None) => Outcome::error(
            "could not be verified: people sign in with a password and `two_factor_enforced` is missing from the inventory",
        ),
    }
    .with_evidence(evidence)
}

/// CP-02: a leaver has current access to a plane.
pub fn cp_02(ctx: &Context, plane: &ControlPlane) -> Outcome {
    let mut found = Vec::new();
    let mut people = Vec::new();
    for a in ctx.current(&plane.access) {
        if let Some(p) = ctx.person(&a.person).filter(|p| ctx.is_leaver(p)) {
            let left = p
                .left_on
                .map(|d| format!(", who left on {d},"))
                .unwrap_or_else(|| ", a leaver,".to_owned());
            found.push(format!("{}{left} still has {} access", who(p), a.role));
            people.push(
                json!({"person": p.id, "name": p.name, "role": a.role, "left_on": p.left_on}),
            );
        }
    }
    if found.is_empty() {
        Outcome::pass("no leaver has access")
    } else {
        Outcome::fail(format!("{} to {}", found.join("; "), plane_name(plane)))
            .with_evidence(json!({"people": people, "accounts": plane.accounts}))
    }
}

/// CP-03: a plane's `audit_log_retention_days` is below `policy.min_audit_log_retention_days`
/// (error if missing).
pub fn cp_03(ctx: &Context, plane: &ControlPlane) -> Outcome {
    let min = ctx.inventory.policy.min_audit_log_retention_days;
    match plane.audit_log_retention_days {
        None => Outcome::error(
            "could not be verified: `audit_log_retention_days` is missing from the inventory",
        )
        .with_evidence(json!({"field": "audit_log_retention_days"})),
        Some(days) if days < min => Outcome::fail(format!(
            "{} keeps who-did-what for {days} days; the policy asks for at least {min}",
            plane_name(plane)
        ))
        .with_evidence(json!({"audit_log_retention_days": days, "min": min})),
        Some(days) => Outcome::pass(format!("the audit log is kept for {days} days"))
            .with_evidence(json!({"audit_log_retention_days": days, "min": min})),
    }
}

/// CP-04: a plane's `last_access_review_on` is missing or older than
/// `access_review_interval_days`.
pub fn cp_04(ctx: &Context, plane: &ControlPlane) -> Outcome {
    let every = ctx.inventory.policy.access_review_interval_days;
    match plane.last_access_review_on {
        None => Outcome::fail(format!(
            "no access review of {} is recorded (last_access_review_on is missing)",
            plane_name(plane)
        )),
        Some(d) => {
            let age = ctx.days_since(d);
            let evidence = json!({"last_access_review_on": d, "interval": every});
            if age > every {
                Outcome::fail(format!(
                    "the last access review of {} was on {d}, {age} days ago (policy: every {every} days)",
                    plane_name(plane)
                ))
                .with_evidence(evidence)
            } else {
                Outcome::pass(format!("access was reviewed on {d}")).with_evidence(evidence)
            }
        }
    }
}

/// CP-05: a plane has fewer than `min_admins` or more than `max_admins` admins.
pub fn cp_05(ctx: &Context, plane: &ControlPlane) -> Outcome {
    let admins = ctx.admins(&plane.access);
    let names = admin_names(ctx, &admins);
    let (min, max) = (
        ctx.inventory.policy.min_admins,
        ctx.inventory.policy.max_admins,
    );
    let n = admins.len() as i64;
    let evidence = json!({"admins": admins, "min_admins": min, "max_admins": max});
    let list = if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    };
    if n < min {
        Outcome::fail(format!(
            "{n} active admin(s) ({list}); the policy asks for at least {min}"
        ))
        .with_evidence(evidence)
    } else if n > max {
        Outcome::fail(format!(
            "{n} active admins ({list}); the policy allows at most {max}"
        ))
        .with_evidence(evidence)
    } else {
        Outcome::pass(format!("{n} active admins")).with_evidence(evidence)
    }
}
