//! Native checks fed by online evidence: DRIFT-01 (the platform agrees with the inventory) and
//! BRAND-05 (every account on the published page is in the inventory). Offline both are skipped;
//! when the source failed they are `error` with its reason, never `pass`.

use serde_json::json;

use crate::engine::{Context, Outcome};
use crate::model::evidence::{AccountState, Observation};
use crate::model::{Account, AccountStatus, Platform, Verification};

/// DRIFT-01: the platform's view of the account matches the inventory's.
pub fn online_drift(ctx: &Context, account: &Account) -> Outcome {
    if account.status == AccountStatus::Closed {
        return Outcome::skip("the account is closed");
    }
    let Some(online) = &ctx.online else {
        return Outcome::not_assessed("offline: run with --online to compare with the platform");
    };
    if !matches!(account.platform, Platform::Bluesky | Platform::Mastodon) {
        return Outcome::skip(format!(
            "{} has no public API palisade can read",
            account.platform
        ));
    }
    let Some(obs) = online.observation(&account.id) else {
        return Outcome::error("the platform was not consulted for this account");
    };
    let evidence = evidence_of(account, obs);
    if let Some(reason) = &obs.error {
        return Outcome::error(format!("could not be verified: {reason}")).with_evidence(evidence);
    }
    let mut drift: Vec<String> = Vec::new();
    match obs.state {
        Some(AccountState::Active) | None => {}
        Some(AccountState::Renamed) => drift.push(format!(
            "the handle was renamed: inventory says {}, the platform now shows {}",
            account.handle,
            obs.handle_now.as_deref().unwrap_or("another handle")
        )),
        Some(AccountState::Moved) => drift.push(format!(
            "the account moved: inventory says {}, it now redirects to {}",
            account.handle,
            obs.handle_now.as_deref().unwrap_or("another account")
        )),
        Some(state) => drift.push(format!(
            "the account is {} on {} (inventory: {})",
            state.as_str(),
            account.platform,
            account.status
        )),
    }
    if obs.exists == Some(true) {
        match (account.verification, obs.verified) {
            (Some(Verification::Verified), Some(false)) => drift.push(format!(
                "declared verified, but the platform shows no verification ({})",
                obs.verified_by.as_deref().unwrap_or("not verified")
            )),
            (Some(v @ (Verification::Pending | Verification::NotVerified)), Some(true)) => drift
                .push(format!(
                    "declared {v}, but the platform shows it verified ({}): update the inventory",
                    obs.verified_by.as_deref().unwrap_or("verified")
                )),
            _ => {}
        }
        if let (Some(declared), Some(shown)) = (&account.display_name, &obs.display_name) {
            if squash(declared) != squash(shown) {
                drift.push(format!("display name changed: inventory says \"{declared}\", the platform shows \"{shown}\""));
            }
        }
    }
    if drift.is_empty() {
        Outcome::pass(format!("{} agrees with the inventory", account.platform))
            .with_evidence(evidence)
    } else {
        Outcome::fail(drift.join("; ")).with_evidence(evidence)
    }
}

/// BRAND-05 (organisation): every account on the published page is in the inventory.
pub fn page_unlisted_links(ctx: &Context) -> Outcome {
    let Some(online) = &ctx.online else {
        return Outcome::not_assessed(
            "offline: run with --online to read the published accounts page",
        );
    };
    let Some(page) = &online.page else {
        return Outcome::skip("the organisation has no official_accounts_page");
    };
    let base = json!({"page": page.url, "fetched_at": page.fetched_at});
    if let Some(reason) = &page.error {
        return Outcome::error(format!(
            "the published accounts page could not be read: {reason}"
        ))
        .with_evidence(json!({"page": page.url, "error": reason}));
    }
    if page.unlisted_links.is_empty() {
        return Outcome::pass(format!(
            "all {} account links on the page are in the inventory",
            page.links.len()
        ))
        .with_evidence(base);
    }
    let names: Vec<String> = page
        .unlisted_links
        .iter()
        .map(|l| format!("{} {}", l.platform, l.handle))
        .collect();
    Outcome::fail(format!(
        "the published page shows {} account(s) the inventory does not have: {}",
        names.len(),
        names.join(", ")
    ))
    .with_evidence(json!({"page": page.url, "fetched_at": page.fetched_at, "not_in_inventory": page.unlisted_links}))
}

/// Whitespace differences are not a change of name.
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn evidence_of(account: &Account, obs: &Observation) -> serde_json::Value {
    json!({
        "inventory": {
            "handle": account.handle,
            "display_name": account.display_name,
            "verification": account.verification.map(|v| v.as_str()),
        },
        "platform": {
            "exists": obs.exists,
            "state": obs.state.map(|s| s.as_str()),
            "handle": obs.handle_now,
            "display_name": obs.display_name,
            "verified": obs.verified,
            "verified_by": obs.verified_by,
            "id": obs.platform_id,
        },
        "source_url": obs.source_url,
        "fetched_at": obs.fetched_at,
        "error": obs.error,
    })
}
