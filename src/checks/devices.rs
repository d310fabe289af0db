//! Logged-in devices: ACC-07 (managed devices only) and ACC-08 (no redundant sessions).

use serde_json::json;

use crate::engine::{Context, Outcome};
use crate::model::Account;

/// ACC-07: a session is on a device with `managed: false` (error if `managed` is missing).
pub fn acc_07(_ctx: &Context, account: &Account) -> Outcome {
    let unmanaged: Vec<&str> = account
        .sessions
        .iter()
        .filter(|s| s.managed == Some(false))
        .map(|s| s.device.as_str())
        .collect();
    let unknown: Vec<&str> = account
        .sessions
        .iter()
        .filter(|s| s.managed.is_none())
        .map(|s| s.device.as_str())
        .collect();
    if !unmanaged.is_empty() {
        Outcome::fail(format!(
            "logged in on unmanaged device(s): {}",
            unmanaged.join(", ")
        ))
        .with_evidence(json!({ "devices": unmanaged }))
    } else if !unknown.is_empty() {
        Outcome::error(format!(
            "could not be verified: `managed` is missing for {}",
            unknown.join(", ")
        ))
        .with_evidence(json!({ "devices": unknown }))
    } else {
        Outcome::pass("logged in only on managed devices")
    }
}

/// ACC-08: a session was last seen more than `stale_session_after_days` ago (error if undated).
pub fn acc_08(ctx: &Context, account: &Account) -> Outcome {
    let limit = ctx.inventory.policy.stale_session_after_days;
    let mut stale = Vec::new();
    let mut undated = Vec::new();
    for s in &account.sessions {
        match s.last_seen_on {
            Some(d) if ctx.days_since(d) > limit => stale.push(format!(
                "{} (last seen on {d}, {} days ago)",
                s.device,
                ctx.days_since(d)
            )),
            Some(_) => {}
            None => undated.push(s.device.as_str()),
        }
    }
    if !stale.is_empty() {
        Outcome::fail(format!(
            "session(s) not seen for more than {limit} days: {}",
            stale.join(", ")
        ))
        .with_evidence(json!({ "devices": stale }))
    } else if !undated.is_empty() {
        Outcome::error(format!(
            "could not be verified: last_seen_on is missing for {}",
            undated.join(", ")
        ))
        .with_evidence(json!({ "devices": undated }))
    } else {
        Outcome::pass("no redundant sessions")
    }
}
