//! Is the account verified, and does its badge mean the platform checked who holds it:
//! BRAND-01, with the badges each platform offers from the platform catalogue.

use serde_json::json;

use crate::engine::{Context, Outcome};
use crate::model::{Account, BadgeType, Verification};

/// BRAND-01: the platform is in `verification_platforms` and `verification` is `pending` or
/// `not_verified`, or `verified` with `verification_badge: paid` (error if unknown or missing;
/// skipped if `not_eligible` or the platform is not listed).
pub fn brand_01(ctx: &Context, account: &Account) -> Outcome {
    let listed = ctx
        .inventory
        .policy
        .verification_platforms
        .contains(&account.platform);
    if !listed || account.verification == Some(Verification::NotEligible) {
        return Outcome::skip("the platform offers no organisational verification (not in policy.verification_platforms, or not_eligible)");
    }
    let facts = ctx.platform(account.platform);
    match account.verification {
        None => {
            Outcome::error("could not be verified: `verification` is missing from the inventory")
                .with_evidence(json!({"field": "verification"}))
        }
        Some(Verification::Unknown) => {
            Outcome::error("could not be verified: `verification` is unknown")
                .with_evidence(json!({"field": "verification", "value": "unknown"}))
        }
        Some(v @ (Verification::Pending | Verification::NotVerified)) => {
            Outcome::fail(format!("the account is not verified (verification: {v})"))
                .with_evidence(json!({"verification": v}))
        }
        Some(_) => {
            let Some(badge) = account.verification_badge else {
                return Outcome::pass("the account is verified")
                    .with_evidence(json!({"verification": "verified"}));
            };
            let programme =
                facts.and_then(|f| f.verification.programmes.iter().find(|p| p.badge == badge));
            let evidence = json!({
                "verification": "verified",
                "verification_badge": badge,
                "programme": programme.map(|p| &p.name),
                "source": programme.map(|p| &p.source.url),
            });
            match (facts, programme) {
                (Some(f), None) => {
                    let offered: Vec<&str> = f
                        .verification
                        .programmes
                        .iter()
                        .map(|p| p.badge.as_str())
                        .collect();
                    Outcome::error(format!(
                        "could not be verified: the platform does not offer this: the record cannot be right (verification_badge: {badge}, but {} offers {})",
                        f.name,
                        if offered.is_empty() { "no badge".to_owned() } else { offered.join(", ") }
                    ))
                    .with_evidence(evidence)
                }
                _ if badge == BadgeType::Paid => {
                    let meaning = programme
                        .map(|p| format!(" ({}: {})", p.name, p.meaning))
                        .unwrap_or_default();
                    Outcome::fail(format!(
                        "the account's badge is a paid one (verification_badge: paid): a bought badge does not verify the organisation{meaning}"
                    ))
                    .with_evidence(evidence)
                }
                (_, Some(p)) => Outcome::pass(format!("the account is verified ({})", p.name))
                    .with_evidence(evidence),
                (None, None) => Outcome::pass(format!(
                    "the account is verified (verification_badge: {badge})"
                ))
                .with_evidence(evidence),
            }
        }
    }
}
