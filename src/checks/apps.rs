//! Connected third-party apps: APPS-01 (approved), APPS-02 (in use), APPS-03 (no settings permission).

use serde_json::json;

use crate::engine::{Context, Outcome};
use crate::model::{Account, AppPermission};

/// APPS-01: a connected app is neither `approved: true` nor in `policy.approved_apps`.
pub fn apps_01(ctx: &Context, account: &Account) -> Outcome {
    let approved = &ctx.inventory.policy.approved_apps;
    let bad: Vec<&str> = account
        .third_party_apps
        .iter()
        .filter(|a| a.approved != Some(true) && !approved.contains(&a.name.to_lowercase()))
        .map(|a| a.name.as_str())
        .collect();
    if account.third_party_apps.is_empty() {
        Outcome::pass("no connected apps")
    } else if bad.is_empty() {
        Outcome::pass("every connected app is approved")
    } else {
        Outcome::fail(format!("connected app(s) not approved (neither approved: true nor in policy.approved_apps): {}", bad.join(", ")))
            .with_evidence(json!({ "apps": bad }))
    }
}

/// APPS-02: a connected app was last used more than `stale_app_after_days` ago (error if undated).
pub fn apps_02(ctx: &Context, account: &Account) -> Outcome {
    let limit = ctx.inventory.policy.stale_app_after_days;
    let mut stale = Vec::new();
    let mut undated = Vec::new();
    for app in &account.third_party_apps {
        match app.last_used_on {
            Some(d) if ctx.days_since(d) > limit => stale.push(format!(
                "{} (last used on {d}, {} days ago)",
                app.name,
                ctx.days_since(d)
            )),
            Some(_) => {}
            None => undated.push(app.name.clone()),
        }
    }
    if !stale.is_empty() {
        Outcome::fail(format!(
            "app(s) unused for more than {limit} days: {}",
            stale.join(", ")
        ))
        .with_evidence(json!({ "apps": stale }))
    } else if !undated.is_empty() {
        Outcome::error(format!(
            "could not be verified: last_used_on is missing for {}",
            undated.join(", ")
        ))
        .with_evidence(json!({ "apps": undated }))
    } else {
        Outcome::pass("every connected app is in use")
    }
}

/// APPS-03: a connected app holds the `account_settings` permission.
pub fn apps_03(_ctx: &Context, account: &Account) -> Outcome {
    let bad: Vec<&str> = account
        .third_party_apps
        .iter()
        .filter(|a| a.permissions.contains(&AppPermission::AccountSettings))
        .map(|a| a.name.as_str())
        .collect();
    if bad.is_empty() {
        Outcome::pass("no connected app can change account settings")
    } else {
        Outcome::fail(format!(
            "app(s) holding the account_settings permission: {}",
            bad.join(", ")
        ))
        .with_evidence(json!({ "apps": bad }))
    }
}
