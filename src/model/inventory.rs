//! The typed inventory: what `inventory.md` promises, after validation.
//!
//! Everything here is already checked (enums known, dates parsed, references resolved), so the
//! engine never re-validates. Where the contract allows `unknown`, the enum has an `Unknown`
//! variant and a missing optional field is `None`: checks turn both into `error`, never `pass`.

use jiff::civil::Date;
use serde::Serialize;

pub use super::types::*;

#[derive(Debug, Clone, Default, Serialize)]
pub struct Organisation {
    pub name: String,
    pub email_domains: Vec<String>,
    pub website: Option<String>,
    pub official_accounts_page: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Person {
    pub id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub role: Option<String>,
    pub team: Option<String>,
    pub status: PersonStatus,
    pub moved_on: Option<Date>,
    pub left_on: Option<Date>,
    pub left_under_investigation: Option<bool>,
    /// The person's own platform logins that hold roles on accounts (AUTH-10).
    pub profiles: Vec<Profile>,
    #[serde(skip)]
    pub loc: Loc,
}

/// A person's own login on a platform, through which they reach accounts there.
#[derive(Debug, Clone, Serialize)]
pub struct Profile {
    pub platform: ProfilePlatform,
    pub two_factor: Option<TwoFactor>,
    pub login_email: Option<String>,
    pub attested_on: Option<Date>,
    #[serde(skip)]
    pub loc: Loc,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Security {
    pub two_factor: Option<TwoFactor>,
    pub login_alerts: Option<TriBool>,
    pub login_email: Option<String>,
    pub recovery_email: Option<String>,
    pub recovery_phone: Option<RecoveryPhone>,
    pub password_last_changed_on: Option<Date>,
    pub password_storage: Option<PasswordStorage>,
    pub vault_entry: Option<String>,
    pub access_logging: Option<TriBool>,
    pub smmp: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Access {
    pub person: String,
    pub role: AccessRole,
    pub via: Option<AccessVia>,
    pub granted_on: Option<Date>,
    /// Access history: on or before the as-of date, the entry is past access (inventory.md).
    pub removed_on: Option<Date>,
}

impl Access {
    /// Current access on `as_of`: not removed, or removed only after that day.
    pub fn is_current(&self, as_of: Date) -> bool {
        self.removed_on.is_none_or(|d| d > as_of)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ThirdPartyApp {
    pub name: String,
    pub permissions: Vec<AppPermission>,
    pub approved: Option<bool>,
    pub last_used_on: Option<Date>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Session {
    pub device: String,
    pub managed: Option<bool>,
    pub last_seen_on: Option<Date>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Attestation {
    pub by: String,
    pub date: Date,
    pub evidence: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Account {
    pub id: String,
    pub platform: Platform,
    /// As written, without a leading `@`.
    pub handle: String,
    pub display_name: Option<String>,
    pub url: Option<String>,
    pub owner: Option<String>,
    pub team: Option<String>,
    pub purpose: Option<Purpose>,
    pub status: AccountStatus,
    pub created_on: Option<Date>,
    pub last_post_on: Option<Date>,
    pub last_access_review_on: Option<Date>,
    pub listed_on_website: Option<TriBool>,
    pub verification: Option<Verification>,
    pub security: Security,
    pub access: Vec<Access>,
    pub third_party_apps: Vec<ThirdPartyApp>,
    pub sessions: Vec<Session>,
    pub attestation: Option<Attestation>,
    pub verification_badge: Option<BadgeType>,
    pub recovery: Option<Recovery>,
    /// Where the account's entry starts in the inventory (SARIF locations point here).
    #[serde(skip)]
    pub loc: Loc,
}

impl Account {
    /// An active account with nothing else known: what a test or an example starts from,
    /// setting the fields it cares about with `..Account::new(..)`.
    pub fn new(id: &str, platform: Platform, handle: &str) -> Account {
        Account {
            id: id.to_string(),
            platform,
            handle: handle.to_string(),
            display_name: None,
            url: None,
            owner: None,
            team: None,
            purpose: None,
            status: AccountStatus::Active,
            created_on: None,
            last_post_on: None,
            last_access_review_on: None,
            listed_on_website: None,
            verification: None,
            security: Security::default(),
            access: Vec::new(),
            third_party_apps: Vec::new(),
            sessions: Vec::new(),
            attestation: None,
            verification_badge: None,
            recovery: None,
            loc: Loc::default(),
        }
    }
}

/// Can the account be recovered after a takeover (REC-01..03)?
#[derive(Debug, Clone, Default, Serialize)]
pub struct Recovery {
    pub backup_codes: Option<BackupCodes>,
    pub last_recovery_test_on: Option<Date>,
    pub platform_contact: Option<TriBool>,
}

/// A tool through which people reach many accounts at once (SMMP, business portfolio, brand
/// account, password manager): audited like an account by CP-01..05 and GOV-01.
#[derive(Debug, Clone, Serialize)]
pub struct ControlPlane {
    pub id: String,
    pub kind: Option<PlaneKind>,
    pub name: Option<String>,
    /// Account ids it can publish to or administer.
    pub accounts: Vec<String>,
    pub sign_in: Option<SignIn>,
    pub two_factor_enforced: Option<TriBool>,
    pub audit_log_retention_days: Option<i64>,
    pub last_access_review_on: Option<Date>,
    /// Plane access entries have no `via`.
    pub access: Vec<Access>,
    pub attestation: Option<Attestation>,
    #[serde(skip)]
    pub loc: Loc,
}

/// A mailbox behind login and recovery addresses (MAIL-06).
#[derive(Debug, Clone, Serialize)]
pub struct Mailbox {
    pub address: String,
    pub two_factor: Option<TwoFactor>,
    pub forwards_outside: Option<TriBool>,
    pub attested_on: Option<Date>,
    #[serde(skip)]
    pub loc: Loc,
}

/// What the public is told on the organisation's website (BRAND-06).
#[derive(Debug, Clone, Default, Serialize)]
pub struct HouseRules {
    pub url: Option<String>,
    pub states_monitoring_hours: Option<TriBool>,
    pub states_emergency_route: Option<TriBool>,
    pub states_moderation_rules: Option<TriBool>,
    #[serde(skip)]
    pub loc: Loc,
}

#[derive(Debug, Clone, Serialize)]
pub struct Waiver {
    pub check: String,
    /// An account id, or `*` for every account.
    pub account: String,
    pub reason: String,
    pub approved_by: String,
    pub expires_on: Date,
    pub ticket: Option<String>,
    #[serde(skip)]
    pub loc: Loc,
}

#[derive(Debug, Clone, Serialize)]
pub struct AllowEntry {
    pub platform: Platform,
    pub handle: String,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TriageEntry {
    pub platform: Platform,
    pub handle: String,
    pub state: TriageState,
    pub date: Option<Date>,
    pub ticket: Option<String>,
}

/// A validated inventory. `path` is the file it came from (for locations in SARIF and diagnostics).
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    pub path: String,
    pub organisation: Organisation,
    pub policy: super::policy::Policy,
    pub people: Vec<Person>,
    pub accounts: Vec<Account>,
    pub waivers: Vec<Waiver>,
    pub impersonation_allow: Vec<AllowEntry>,
    pub impersonation_triage: Vec<TriageEntry>,
    pub control_planes: Vec<ControlPlane>,
    pub mailboxes: Vec<Mailbox>,
    pub house_rules: Option<HouseRules>,
    /// Located warnings that do not stop an audit (a setting the platform cannot have, a waiver
    /// that names no account): `validate` and `audit` print them.
    pub warnings: Vec<crate::error::Diagnostic>,
    /// What each platform offers (the built-in catalogue, or with `--platforms` corrections):
    /// validation read it, and so do the checks.
    pub platforms: super::platforms::SharedCatalogue,
    /// SHA-256 of the inventory bytes, for "how the audit was made".
    pub digest: String,
}

/// Is `email` on one of the organisation's domains (or a subdomain) and not on a consumer mail
/// domain (`policy.personal_email_domains`, lower-cased)?
pub fn is_org_email(org: &Organisation, personal_domains: &[String], email: &str) -> bool {
    let Some((_, domain)) = email.rsplit_once('@') else {
        return false;
    };
    let domain = domain.to_ascii_lowercase();
    !personal_domains.contains(&domain)
        && org.email_domains.iter().any(|d| {
            let d = d.to_ascii_lowercase();
            domain == d
                || domain
                    .strip_suffix(d.as_str())
                    .is_some_and(|head| head.ends_with('.'))
        })
}

impl Inventory {
    /// Is `email` an organisational address (see [`is_org_email`])?
    pub fn is_org_email(&self, email: &str) -> bool {
        is_org_email(
            &self.organisation,
            &self.policy.personal_email_domains,
            email,
        )
    }

    pub fn person(&self, id: &str) -> Option<&Person> {
        self.people.iter().find(|p| p.id == id)
    }

    pub fn control_plane(&self, id: &str) -> Option<&ControlPlane> {
        self.control_planes.iter().find(|p| p.id == id)
    }

    /// The mailbox of `address` (addresses compare case-insensitively).
    pub fn mailbox(&self, address: &str) -> Option<&Mailbox> {
        self.mailboxes
            .iter()
            .find(|m| m.address.eq_ignore_ascii_case(address))
    }
}
