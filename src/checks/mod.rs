//! Native checks: controls whose logic needs more than a declarative rule. Each is one function
//! registered by name in [`NATIVE_CHECKS`]; a definition in `checks/` names it with `native: NAME`.

pub mod impersonation;

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
    ("impersonation_lookalikes", Native::Account(impersonation::imp_01)),
];

pub fn lookup(name: &str) -> Option<Native> {
    NATIVE_CHECKS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}
