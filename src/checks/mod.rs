//! Native checks: controls whose logic needs more than a declarative rule. Each is one function
//! registered by name in [`NATIVE_CHECKS`]; a definition in `checks/` names it with `native: NAME`.

pub mod access;
pub mod apps;
pub mod credentials;
pub mod devices;
pub mod governance;
pub mod impersonation;
pub mod online;
pub mod people;

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
    ("people_personal_email", Native::Account(people::mail_03)),
    ("apps_unapproved", Native::Account(apps::apps_01)),
    ("apps_stale", Native::Account(apps::apps_02)),
    ("apps_account_settings", Native::Account(apps::apps_03)),
    ("leavers_access", Native::Account(people::leav_01)),
    ("leavers_shared_password", Native::Account(people::leav_02)),
    ("movers_review", Native::Account(people::leav_03)),
    ("owner_present", Native::Account(access::acc_01)),
    ("admins_min", Native::Account(access::acc_02)),
    ("admins_max", Native::Account(access::acc_03)),
    ("shared_password_access", Native::Account(access::acc_04)),
    ("sessions_unmanaged", Native::Account(devices::acc_07)),
    ("sessions_stale", Native::Account(devices::acc_08)),
    ("naming_convention", Native::Account(governance::brand_03)),
    ("attestation_fresh", Native::Account(governance::gov_01)),
    (
        "vault_password_strength",
        Native::Account(credentials::vault_password_strength),
    ),
    (
        "vault_password_reuse",
        Native::Account(credentials::vault_password_reuse),
    ),
    (
        "vault_password_breach",
        Native::Account(credentials::vault_password_breach),
    ),
    (
        "hibp_email_breach",
        Native::Account(credentials::hibp_email_breach),
    ),
    (
        "impersonation_lookalikes",
        Native::Account(impersonation::imp_01),
    ),
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
