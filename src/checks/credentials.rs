//! AUTH-07/08/09: credential hygiene judged from the facts `vault::assess` computed before the
//! run. These functions see scores, names and counts only; no password reaches them.
//!
//! Policy for an account with no matching vault entry: AUTH-07 reports `error` (the password could
//! not be checked, so it is never a pass), or `skipped` when `password_storage` is `smmp` (the
//! management platform holds it, there is no vault password to judge). AUTH-08 and AUTH-09 are then
//! `skipped`, pointing at AUTH-07, so one missing entry is one finding rather than three.

use serde_json::json;

use crate::engine::{Context, Outcome};
use crate::model::evidence::{AccountCredential, BreachStatus, Credentials, EntryMatch, MatchedBy};
use crate::model::{Account, AccountStatus, PasswordStorage};

/// Looks up the account's facts, or the outcome that applies when there are none.
fn facts<'c>(ctx: &'c Context, account: &Account) -> Result<&'c AccountCredential, Outcome> {
    if account.status == AccountStatus::Closed {
        return Err(Outcome::skip("the account is closed"));
    }
    let Some(creds): Option<&Credentials> = ctx.credentials.as_ref() else {
        return Err(Outcome::not_assessed("no vault given (--vault)"));
    };
    creds
        .per_account
        .get(&account.id)
        .ok_or_else(|| Outcome::error(format!("no vault facts for account {}", account.id)))
}

/// For AUTH-08/09: the account must have a matched entry, else AUTH-07 already reports it.
fn matched<'c>(ctx: &'c Context, account: &Account) -> Result<&'c AccountCredential, Outcome> {
    let cred = facts(ctx, account)?;
    match &cred.entry {
        EntryMatch::Matched { .. } => Ok(cred),
        _ => Err(Outcome::skip(
            "no vault entry matched this account (see AUTH-07)",
        )),
    }
}

fn entry_evidence(cred: &AccountCredential) -> serde_json::Value {
    match &cred.entry {
        EntryMatch::Matched { path, by } => json!({"vault_entry": path, "matched_by": by}),
        other => json!({"vault_entry": other}),
    }
}

pub fn vault_password_strength(ctx: &Context, account: &Account) -> Outcome {
    let mut outcome = strength_outcome(ctx, account);
    // The user named a folder the export cannot show: say that only the title was compared.
    if let Ok(AccountCredential {
        entry: EntryMatch::Matched {
            by: MatchedBy::TitleOnly,
            ..
        },
        ..
    }) = facts(ctx, account)
    {
        outcome.message.push_str(
            " (matched on the title alone: this vault export has no folders, so the folder in security.vault_entry was not checked)",
        );
    }
    outcome
}

fn strength_outcome(ctx: &Context, account: &Account) -> Outcome {
    let cred = match facts(ctx, account) {
        Ok(c) => c,
        Err(o) => return o,
    };
    let describe = format!("{} {}", account.platform, account.handle);
    match &cred.entry {
        EntryMatch::Matched { .. } => {}
        _ if account.security.password_storage == Some(PasswordStorage::Smmp) => {
            return Outcome::skip(
                "the password is held by the social media management platform, not the vault",
            );
        }
        EntryMatch::NamedEntryMissing { name } => {
            return Outcome::error(format!(
                "security.vault_entry names \"{name}\", which is not in the vault"
            ))
            .with_evidence(json!({"vault_entry": name}));
        }
        EntryMatch::Ambiguous { candidates } => {
            return Outcome::error(format!(
                "several vault entries match {describe} ({}); set security.vault_entry",
                candidates.join(", ")
            ))
            .with_evidence(json!({"candidates": candidates}));
        }
        EntryMatch::NoMatch => {
            return Outcome::error(format!(
                "no vault entry matches {describe}; set security.vault_entry or add the entry to the vault"
            ));
        }
    }
    let min = ctx.inventory.policy.min_password_score;
    let Some(s) = &cred.strength else {
        return if cred.passkey {
            Outcome::pass("the vault entry holds a passkey and no password")
                .with_evidence(entry_evidence(cred))
        } else {
            Outcome::error("the vault entry has no password").with_evidence(entry_evidence(cred))
        };
    };
    let mut evidence = entry_evidence(cred);
    if let Some(obj) = evidence.as_object_mut() {
        obj.insert("score".into(), json!(s.score));
        obj.insert("min_score".into(), json!(min));
        obj.insert("guesses_log10".into(), json!(s.guesses_log10));
        obj.insert("warning".into(), json!(s.warning));
        obj.insert("suggestions".into(), json!(s.suggestions));
    }
    if s.score < min {
        let why = s
            .warning
            .as_deref()
            .map(|w| format!(": {w}"))
            .unwrap_or_default();
        Outcome::fail(format!(
            "the vault password scores {} of 4, below the policy's {min}{why}",
            s.score
        ))
        .with_evidence(evidence)
    } else {
        Outcome::pass(format!("the vault password scores {} of 4", s.score)).with_evidence(evidence)
    }
}

pub fn vault_password_reuse(ctx: &Context, account: &Account) -> Outcome {
    let cred = match matched(ctx, account) {
        Ok(c) => c,
        Err(o) => return o,
    };
    let mut evidence = entry_evidence(cred);
    if !cred.has_password {
        return Outcome::pass("the vault entry has no password to reuse").with_evidence(evidence);
    }
    if let Some(obj) = evidence.as_object_mut() {
        obj.insert("shared_with_accounts".into(), json!(cred.reuse.accounts));
        obj.insert("shared_with_entries".into(), json!(cred.reuse.entries));
    }
    if !cred.reuse.is_reused() {
        return Outcome::pass("the password is used by no other account or vault entry")
            .with_evidence(evidence);
    }
    let mut who = Vec::new();
    if !cred.reuse.accounts.is_empty() {
        who.push(format!("account(s) {}", cred.reuse.accounts.join(", ")));
    }
    if !cred.reuse.entries.is_empty() {
        let quoted: Vec<String> = cred
            .reuse
            .entries
            .iter()
            .map(|e| format!("\"{e}\""))
            .collect();
        who.push(format!(
            "vault entr{} {}",
            if quoted.len() == 1 { "y" } else { "ies" },
            quoted.join(", ")
        ));
    }
    Outcome::fail(format!(
        "the password is also used by {}",
        who.join(" and ")
    ))
    .with_evidence(evidence)
}

pub fn vault_password_breach(ctx: &Context, account: &Account) -> Outcome {
    let cred = match matched(ctx, account) {
        Ok(c) => c,
        Err(o) => return o,
    };
    let Some(source) = ctx
        .credentials
        .as_ref()
        .and_then(|c| c.breach_source.clone())
    else {
        return Outcome::not_assessed(
            "no breach corpus given (--pwned-file, or --online for Pwned Passwords)",
        );
    };
    let mut evidence = entry_evidence(cred);
    if let Some(obj) = evidence.as_object_mut() {
        obj.insert("source".into(), json!(source));
    }
    if !cred.has_password {
        return Outcome::pass("the vault entry has no password to breach").with_evidence(evidence);
    }
    match &cred.breach {
        BreachStatus::NotChecked { .. } => Outcome::not_assessed(
            "no breach corpus given (--pwned-file, or --online for Pwned Passwords)",
        ),
        BreachStatus::Clean => Outcome::pass("the password is not in the Pwned Passwords corpus")
            .with_evidence(evidence),
        BreachStatus::Found { count } => {
            if let Some(obj) = evidence.as_object_mut() {
                obj.insert("breach_count".into(), json!(count));
            }
            Outcome::fail(format!(
                "the password appears {count} time(s) in known data breaches; change it now"
            ))
            .with_evidence(evidence)
        }
        BreachStatus::Failed { reason } => Outcome::error(reason.clone()).with_evidence(evidence),
    }
}

/// MAIL-05: the login and recovery addresses are in no known breach (Have I Been Pwned).
pub fn hibp_email_breach(ctx: &Context, account: &Account) -> Outcome {
    if account.status == AccountStatus::Closed {
        return Outcome::skip("the account is closed");
    }
    let Some(hibp) = &ctx.email_breaches else {
        return Outcome::not_assessed("breached-account look-ups need --online and HIBP_API_KEY");
    };
    let sec = &account.security;
    let addresses: Vec<(&str, &str)> = [
        ("login_email", sec.login_email.as_deref()),
        ("recovery_email", sec.recovery_email.as_deref()),
    ]
    .into_iter()
    .filter_map(|(field, a)| a.map(|a| (field, a)))
    .collect();
    if addresses.is_empty() {
        return Outcome::skip("no login or recovery e-mail address recorded");
    }
    let mut found = serde_json::Map::new();
    let mut problems = Vec::new();
    for (field, addr) in &addresses {
        match hibp.get(addr) {
            Some(Ok(names)) if !names.is_empty() => {
                problems.push(format!(
                    "{field} {addr} is in {} known breach(es): {}",
                    names.len(),
                    names.join(", ")
                ));
                found.insert(
                    (*field).to_string(),
                    json!({"address": addr, "breaches": names}),
                );
            }
            Some(Ok(_)) => {}
            Some(Err(reason)) => {
                return Outcome::error(reason.clone())
                    .with_evidence(json!({field.to_string(): addr}))
            }
            None => return Outcome::error(format!("{addr} was not looked up")),
        }
    }
    if problems.is_empty() {
        Outcome::pass("the login and recovery addresses are in no known breach")
    } else {
        Outcome::fail(problems.join("; ")).with_evidence(serde_json::Value::Object(found))
    }
}
