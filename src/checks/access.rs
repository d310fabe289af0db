//! Who holds the keys: ACC-01 (owner), ACC-02/03 (admin counts), ACC-04 (shared passwords).

use serde_json::json;

use super::people::who;
use crate::engine::{Context, Outcome};
use crate::model::{AccessVia, Account};

/// ACC-01: `owner` is missing, a leaver, or a mover (moved to a role that should not keep access).
pub fn acc_01(ctx: &Context, account: &Account) -> Outcome {
    match account.owner.as_deref() {
        None => Outcome::fail("the account has no owner (owner is missing)"),
        Some(id) => match ctx.person(id) {
            Some(p) if ctx.is_leaver(p) => {
                let left = p.left_on.map(|d| format!(" on {d}")).unwrap_or_default();
                Outcome::fail(format!("the owner {} has left{left}", who(p)))
                    .with_evidence(json!({"owner": p.id, "name": p.name, "left_on": p.left_on}))
            }
            Some(p) if ctx.is_mover(p) => {
                let moved = p.moved_on.map(|d| format!(" on {d}")).unwrap_or_default();
                Outcome::fail(format!(
                    "the owner {} moved{moved} to a role that should not keep access: name a new owner",
                    who(p)
                ))
                .with_evidence(json!({"owner": p.id, "name": p.name, "moved_on": p.moved_on}))
            }
            Some(p) => Outcome::pass(format!("owned by {}", who(p)))
                .with_evidence(json!({"owner": p.id, "name": p.name})),
            None => Outcome::error(format!("the owner `{id}` is not a known person")),
        },
    }
}

/// "3 active admin(s) (names)" with the policy's bounds: shared by ACC-02/03 and CP-05.
pub(crate) fn admin_names(ctx: &Context, admins: &[&str]) -> Vec<String> {
    admins
        .iter()
        .map(|id| ctx.person(id).map(who).unwrap_or_else(|| id.to_string()))
        .collect()
}

/// ACC-02: fewer than `min_admins` admins.
pub fn acc_02(ctx: &Context, account: &Account) -> Outcome {
    let a = ctx.admins(&account.access);
    let min = ctx.inventory.policy.min_admins;
    let names = admin_names(ctx, &a);
    let evidence = json!({"admins": a.iter().collect::<Vec<_>>(), "min_admins": min});
    if (a.len() as i64) < min {
        let list = if names.is_empty() {
            "none".to_owned()
        } else {
            names.join(", ")
        };
        Outcome::fail(format!(
            "{} active admin(s) ({list}); the policy asks for at least {min}",
            a.len()
        ))
        .with_evidence(evidence)
    } else {
        Outcome::pass(format!("{} active admins", a.len())).with_evidence(evidence)
    }
}

/// ACC-03: more than `max_admins` admins.
pub fn acc_03(ctx: &Context, account: &Account) -> Outcome {
    let a = ctx.admins(&account.access);
    let max = ctx.inventory.policy.max_admins;
    let names = admin_names(ctx, &a);
    let evidence = json!({"admins": a.iter().collect::<Vec<_>>(), "max_admins": max});
    if a.len() as i64 > max {
        Outcome::fail(format!(
            "{} active admins ({}); the policy allows at most {max}",
            a.len(),
            names.join(", ")
        ))
        .with_evidence(evidence)
    } else {
        Outcome::pass(format!("{} active admins", a.len())).with_evidence(evidence)
    }
}

/// ACC-04: any current access entry is `via: shared_password`.
pub fn acc_04(ctx: &Context, account: &Account) -> Outcome {
    let shared: Vec<&str> = ctx
        .current(&account.access)
        .filter(|a| a.via == Some(AccessVia::SharedPassword))
        .map(|a| a.person.as_str())
        .collect();
    if shared.is_empty() {
        Outcome::pass("nobody has access through a shared password")
    } else {
        let names: Vec<String> = shared
            .iter()
            .map(|id| ctx.person(id).map(who).unwrap_or_else(|| id.to_string()))
            .collect();
        Outcome::fail(format!(
            "access through a shared password (via: shared_password): {}",
            names.join(", ")
        ))
        .with_evidence(json!({ "people": shared }))
    }
}
