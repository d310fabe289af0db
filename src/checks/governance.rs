//! Naming and attestation: BRAND-03 (handle matches `policy.naming`) and GOV-01 (fresh attestation).

use serde_json::json;

use super::people::who;
use crate::engine::{Context, Outcome};
use crate::model::{Account, Attestation, ControlPlane};

/// BRAND-03: `policy.naming` has a pattern for the platform (or `default`) and the handle does not match.
pub fn brand_03(ctx: &Context, account: &Account) -> Outcome {
    match ctx.inventory.policy.naming_for(account.platform) {
        None => Outcome::skip(format!(
            "policy.naming has no pattern for {} (nor a default)",
            account.platform
        )),
        Some(rule) if rule.regex.is_match(&account.handle) => {
            Outcome::pass(format!("the handle matches {}", rule.pattern))
        }
        Some(rule) => Outcome::fail(format!(
            "the handle {} does not match the naming convention {}",
            account.handle, rule.pattern
        ))
        .with_evidence(json!({"handle": account.handle, "pattern": rule.pattern})),
    }
}

/// GOV-01 on an account: `attestation` is missing, older than `max_attestation_age_days`, or
/// by a leaver.
pub fn gov_01(ctx: &Context, account: &Account) -> Outcome {
    attestation(ctx, account.attestation.as_ref())
}

/// GOV-01 on a control plane, with the same meaning.
pub fn gov_01_plane(ctx: &Context, plane: &ControlPlane) -> Outcome {
    attestation(ctx, plane.attestation.as_ref())
}

fn attestation(ctx: &Context, att: Option<&Attestation>) -> Outcome {
    let max = ctx.inventory.policy.max_attestation_age_days;
    let Some(att) = att else {
        return Outcome::fail("nobody has attested these settings (attestation is missing)");
    };
    let evidence = json!({"by": att.by, "date": att.date, "evidence": att.evidence});
    let age = ctx.days_since(att.date);
    match ctx.person(&att.by) {
        Some(p) if ctx.is_leaver(p) => Outcome::fail(format!(
            "the attestation of {} is by {}, who has left",
            att.date,
            who(p)
        ))
        .with_evidence(evidence),
        _ if age > max => Outcome::fail(format!(
            "the last attestation was on {}, {age} days ago (policy: at most {max})",
            att.date
        ))
        .with_evidence(evidence),
        _ if age < 0 => Outcome::error(format!(
            "the attestation is dated {}, after the audit date",
            att.date
        ))
        .with_evidence(evidence),
        Some(p) => {
            Outcome::pass(format!("attested by {} on {}", who(p), att.date)).with_evidence(evidence)
        }
        None => Outcome::error(format!(
            "the attestation is by `{}`, who is not a known person",
            att.by
        ))
        .with_evidence(evidence),
    }
}
