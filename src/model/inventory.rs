//! The typed inventory: what `inventory.md` promises, after validation.
//!
//! Everything here is already checked (enums known, dates parsed, references resolved), so the
//! engine never re-validates. Where the contract allows `unknown`, the enum has an `Unknown`
//! variant and a missing optional field is `None`: checks turn both into `error`, never `pass`.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// Where something was written in a user's file: 1-based line and column.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Loc {
    pub line: u32,
    pub column: u32,
}

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name { $(#[serde(rename = $text)] $variant),+ }
        impl $name {
            /// Every spelling the inventory accepts, in declaration order.
            pub const ALL: &'static [&'static str] = &[$($text),+];
            pub fn as_str(self) -> &'static str { match self { $(Self::$variant => $text),+ } }
            pub fn parse(s: &str) -> Option<Self> { match s { $($text => Some(Self::$variant),)+ _ => None } }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.as_str()) }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use string_enum;

string_enum!(Platform {
    X => "x", Facebook => "facebook", Instagram => "instagram", Threads => "threads",
    Youtube => "youtube", Tiktok => "tiktok", Linkedin => "linkedin", Bluesky => "bluesky",
    Mastodon => "mastodon", Whatsapp => "whatsapp", Nextdoor => "nextdoor", Snapchat => "snapchat",
    Other => "other",
});
string_enum!(PersonStatus { Active => "active", Mover => "mover", Leaver => "leaver" });
string_enum!(Purpose { Corporate => "corporate", Neighbourhood => "neighbourhood", Campaign => "campaign", Recruitment => "recruitment", Other => "other" });
string_enum!(AccountStatus { Active => "active", Dormant => "dormant", Closed => "closed" });
string_enum!(TriBool { True => "true", False => "false", Unknown => "unknown" });
string_enum!(Verification { Verified => "verified", Pending => "pending", NotVerified => "not_verified", NotEligible => "not_eligible", Unknown => "unknown" });
string_enum!(TwoFactor { Passkey => "passkey", SecurityKey => "security_key", AuthenticatorApp => "authenticator_app", Sms => "sms", Email => "email", None => "none", Unknown => "unknown" });
string_enum!(RecoveryPhone { Organisation => "organisation", Personal => "personal", None => "none", Unknown => "unknown" });
string_enum!(PasswordStorage { Vault => "vault", Smmp => "smmp", SharedDocument => "shared_document", Personal => "personal", Unknown => "unknown" });
string_enum!(AccessRole { Owner => "owner", Admin => "admin", Editor => "editor", Moderator => "moderator", Analyst => "analyst" });
string_enum!(AccessVia { Smmp => "smmp", PlatformRole => "platform_role", SharedPassword => "shared_password" });
string_enum!(AppPermission { Read => "read", Write => "write", DirectMessages => "direct_messages", AccountSettings => "account_settings" });
string_enum!(TriageState { Confirmed => "confirmed", Benign => "benign", Reported => "reported", TakenDown => "taken_down" });
string_enum!(Severity { Critical => "critical", High => "high", Medium => "medium", Low => "low" });

impl TwoFactor {
    /// Strength order from `inventory.md`: passkey = security_key > authenticator_app > sms > email > none.
    /// `Unknown` has no rank.
    pub fn rank(self) -> Option<u8> {
        Some(match self {
            TwoFactor::Passkey | TwoFactor::SecurityKey => 5,
            TwoFactor::AuthenticatorApp => 4,
            TwoFactor::Sms => 3,
            TwoFactor::Email => 2,
            TwoFactor::None => 1,
            TwoFactor::Unknown => return None,
        })
    }
}

impl Severity {
    /// Score weight from `controls.md`.
    pub fn weight(self) -> u32 {
        match self {
            Severity::Critical => 10,
            Severity::High => 5,
            Severity::Medium => 3,
            Severity::Low => 1,
        }
    }
}

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
    /// Where the account's entry starts in the inventory (SARIF locations point here).
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
    /// SHA-256 of the inventory bytes, for "how the audit was made".
    pub digest: String,
}

impl Inventory {
    pub fn person(&self, id: &str) -> Option<&Person> {
        self.people.iter().find(|p| p.id == id)
    }
}
