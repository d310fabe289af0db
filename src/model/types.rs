//! The inventory's vocabulary: the closed sets of values `inventory.md` allows (platforms,
//! statuses, 2FA methods...) and source locations. Both the inventory and the policy use them,
//! so they sit below both.

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
string_enum!(BadgeType { Organisation => "organisation", Government => "government", Paid => "paid", Notable => "notable", Domain => "domain", Other => "other" });
string_enum!(BackupCodes { Vault => "vault", Smmp => "smmp", SealedEnvelope => "sealed_envelope", Personal => "personal", None => "none", Unknown => "unknown" });
string_enum!(PlaneKind { Smmp => "smmp", BusinessPortfolio => "business_portfolio", BrandAccount => "brand_account", PasswordManager => "password_manager", Other => "other" });
string_enum!(SignIn { Sso => "sso", Password => "password", Unknown => "unknown" });
string_enum!(
    /// The personal login that holds a role on an account (`inventory.md`, profiles): `meta` for
    /// Facebook, Instagram and Threads, `google` for YouTube, otherwise the account's platform.
    ProfilePlatform {
    Meta => "meta", Google => "google", Linkedin => "linkedin", X => "x", Tiktok => "tiktok",
    Bluesky => "bluesky", Mastodon => "mastodon", Whatsapp => "whatsapp", Nextdoor => "nextdoor",
    Snapchat => "snapchat", Other => "other",
});

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
