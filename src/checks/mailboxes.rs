//! The mailboxes behind login and recovery addresses: whoever reads them can take the accounts
//! over (MAIL-06).

use serde_json::json;

use crate::engine::{Context, Outcome};
use crate::model::{Account, TriBool, TwoFactor};

/// MAIL-06: the mailbox of `login_email` or `recovery_email` forwards outside the organisation
/// or has no 2FA (skipped when the inventory has no `mailboxes`; error when the address is not
/// in it or a field is unknown). A fail outweighs an error.
pub fn mail_06(ctx: &Context, account: &Account) -> Outcome {
    let inv = ctx.inventory;
    if inv.mailboxes.is_empty() {
        return Outcome::skip("the inventory records no mailboxes");
    }
    let mut addresses: Vec<(&str, &str)> = Vec::new();
    for (address, role) in [
        (account.security.login_email.as_deref(), "login"),
        (account.security.recovery_email.as_deref(), "recovery"),
    ] {
        let Some(a) = address else { continue };
        match addresses
            .iter_mut()
            .find(|(b, _)| b.eq_ignore_ascii_case(a))
        {
            Some(entry) => entry.1 = "login and recovery",
            None => addresses.push((a, role)),
        }
    }
    if addresses.is_empty() {
        return Outcome::skip(
            "no login or recovery e-mail is recorded (MAIL-01 and MAIL-02 report that)",
        );
    }
    let mut fails = Vec::new();
    let mut errors = Vec::new();
    let mut checked = Vec::new();
    for (address, role) in &addresses {
        let Some(m) = inv.mailbox(address) else {
            errors.push(format!(
                "the {role} mailbox {address} is not in `mailboxes`"
            ));
            continue;
        };
        checked.push(json!({"address": m.address, "role": role, "two_factor": m.two_factor, "forwards_outside": m.forwards_outside}));
        match m.forwards_outside {
            Some(TriBool::True) => fails.push(format!(
                "the {role} mailbox {address} forwards mail outside the organisation"
            )),
            Some(TriBool::False) => {}
            Some(TriBool::Unknown) | None => errors.push(format!(
                "whether the {role} mailbox {address} forwards outside the organisation is {}",
                if m.forwards_outside.is_none() {
                    "not recorded"
                } else {
                    "unknown"
                }
            )),
        }
        match m.two_factor {
            Some(TwoFactor::None) => fails.push(format!(
                "the {role} mailbox {address} has no two-factor authentication"
            )),
            Some(TwoFactor::Unknown) | None => errors.push(format!(
                "the two-factor authentication of the {role} mailbox {address} is {}",
                if m.two_factor.is_none() {
                    "not recorded"
                } else {
                    "unknown"
                }
            )),
            Some(_) => {}
        }
    }
    let evidence = json!({ "mailboxes": checked });
    if !fails.is_empty() {
        Outcome::fail(fails.join("; ")).with_evidence(evidence)
    } else if !errors.is_empty() {
        Outcome::error(format!("could not be verified: {}", errors.join("; ")))
            .with_evidence(evidence)
    } else {
        Outcome::pass("the login and recovery mailboxes have two-factor authentication and keep mail inside the organisation")
            .with_evidence(evidence)
    }
}
