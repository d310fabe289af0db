//! Native checks: controls whose logic needs more than a declarative rule. Each is one function
//! registered by name in [`NATIVE_CHECKS`]; a definition in `checks/` names it with `native: NAME`.

pub mod credentials;

use crate::engine::{Context, Outcome};
use crate::model::Account;

/// A native check judges one account, or the organisation as a whole (account id `organisation`).
#[derive(Clone, Copy)]
pub enum Native {
    Account(fn(&Context, &Account) -> Outcome),
    Organisation(fn(&Context) -> Outcome),
}

/// Every native check, by the name definitions use. One line per check.
pub static NATIVE_CHECKS: &[(&str, Native)] = &[
    ("vault_password_strength", Native::Account(credentials::vault_password_strength)),
    ("vault_password_reuse", Native::Account(credentials::vault_password_reuse)),
    ("vault_password_breach", Native::Account(credentials::vault_password_breach)),
    ("hibp_email_breach", Native::Account(credentials::hibp_email_breach)),
];

pub fn lookup(name: &str) -> Option<Native> {
    NATIVE_CHECKS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}
