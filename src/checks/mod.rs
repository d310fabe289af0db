//! Native checks: controls whose logic needs more than a declarative rule. Each is one function
//! registered by name in [`NATIVE_CHECKS`]; a definition in `checks/` names it with `native: NAME`.

pub mod online;

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
    ("online_drift", Native::Account(online::online_drift)),
    (
        "page_unlisted_links",
        Native::Organisation(online::page_unlisted_links),
    ),
];

pub fn lookup(name: &str) -> Option<Native> {
    NATIVE_CHECKS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, f)| *f)
}
