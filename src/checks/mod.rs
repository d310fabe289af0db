//! Native checks: controls whose logic needs more than a declarative rule. Each is one function
//! registered by name in [`NATIVE_CHECKS`]; a definition in `checks/` names it with
//! `native: NAME`. This layer hands the list to the engine (`Registry::builtin`/`load` below),
//! so the engine never imports a check.

pub mod access;
pub mod apps;
pub mod auth;
pub mod credentials;
pub mod devices;
pub mod governance;
pub mod impersonation;
pub mod mailboxes;
pub mod online;
pub mod people;
pub mod planes;
pub mod public;
pub mod verification;

use std::path::PathBuf;

use crate::engine::registry::Registry;
use crate::engine::NativeCheck;

/// Every native check, by the name definitions use. One line per check.
pub static NATIVE_CHECKS: &[NativeCheck] = &[
    NativeCheck::account("people_personal_email", people::mail_03),
    NativeCheck::account("apps_unapproved", apps::apps_01),
    NativeCheck::account("apps_stale", apps::apps_02),
    NativeCheck::account("apps_account_settings", apps::apps_03),
    NativeCheck::account("leavers_access", people::leav_01),
    NativeCheck::account("leavers_shared_password", people::leav_02),
    NativeCheck::account("movers_review", people::leav_03),
    NativeCheck::account("removed_shared_password", people::leav_04),
    NativeCheck::account("owner_present", access::acc_01),
    NativeCheck::account("admins_min", access::acc_02),
    NativeCheck::account("admins_max", access::acc_03),
    NativeCheck::account("shared_password_access", access::acc_04),
    NativeCheck::account("sessions_unmanaged", devices::acc_07),
    NativeCheck::account("sessions_stale", devices::acc_08),
    NativeCheck::account("naming_convention", governance::brand_03),
    NativeCheck::account("attestation_fresh", governance::gov_01)
        .and_plane(governance::gov_01_plane),
    NativeCheck::account("two_factor_strength", auth::auth_02),
    NativeCheck::account("login_alerts", auth::auth_03),
    NativeCheck::account("profile_two_factor", auth::auth_10),
    NativeCheck::account("verified_badge", verification::brand_01),
    NativeCheck::account("mailbox_protected", mailboxes::mail_06),
    NativeCheck::account(
        "vault_password_strength",
        credentials::vault_password_strength,
    ),
    NativeCheck::account("vault_password_reuse", credentials::vault_password_reuse),
    NativeCheck::account("vault_password_breach", credentials::vault_password_breach),
    NativeCheck::account("hibp_email_breach", credentials::hibp_email_breach),
    NativeCheck::account("impersonation_lookalikes", impersonation::imp_01),
    NativeCheck::account("online_drift", online::online_drift),
    NativeCheck::organisation("page_unlisted_links", online::page_unlisted_links),
    NativeCheck::organisation("house_rules", public::brand_06),
    NativeCheck::plane("plane_sign_in", planes::cp_01),
    NativeCheck::plane("plane_leavers", planes::cp_02),
    NativeCheck::plane("plane_audit_log", planes::cp_03),
    NativeCheck::plane("plane_access_review", planes::cp_04),
    NativeCheck::plane("plane_admins", planes::cp_05),
];

pub fn lookup(name: &str) -> Option<&'static NativeCheck> {
    NATIVE_CHECKS.iter().find(|n| n.name == name)
}

/// The catalogue with the native checks of this layer. Defined here rather than in the engine,
/// which must not import checks.
impl Registry {
    /// The built-in catalogue only.
    pub fn builtin() -> crate::Result<Registry> {
        Registry::load_with(&[], NATIVE_CHECKS)
    }

    /// Built-in definitions plus every `*.yaml`/`*.yml` in each directory (not recursive).
    pub fn load(dirs: &[PathBuf]) -> crate::Result<Registry> {
        Registry::load_with(dirs, NATIVE_CHECKS)
    }
}
