//! Organisation policy with the defaults of `inventory.md`.

use std::collections::BTreeMap;

use regex::Regex;

use super::types::{Loc, Platform, Severity, TwoFactor};

/// Consumer mail domains that are never organisational (`inventory.md`, `personal_email_domains`).
pub const BUILTIN_PERSONAL_EMAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "hotmail.co.uk",
    "live.com",
    "live.co.uk",
    "msn.com",
    "yahoo.com",
    "yahoo.co.uk",
    "icloud.com",
    "me.com",
    "aol.com",
    "proton.me",
    "protonmail.com",
    "gmx.com",
    "btinternet.com",
    "sky.com",
    "virginmedia.com",
    "mail.com",
    "zoho.com",
    "yandex.com",
];

#[derive(Debug, Clone)]
pub struct NamingRule {
    /// The pattern as written, for messages.
    pub pattern: String,
    pub regex: Regex,
}

#[derive(Debug, Clone)]
pub struct Policy {
    pub min_two_factor: TwoFactor,
    pub max_password_age_days: Option<i64>,
    pub min_password_score: u8,
    pub access_review_interval_days: i64,
    pub dormant_after_days: i64,
    pub stale_app_after_days: i64,
    pub stale_session_after_days: i64,
    pub min_admins: i64,
    pub max_admins: i64,
    /// Lower-cased.
    pub approved_apps: Vec<String>,
    /// Platform name (or `default`) → rule.
    pub naming: BTreeMap<String, NamingRule>,
    pub verification_platforms: Vec<Platform>,
    /// Lower-cased; the built-in list plus the organisation's additions.
    pub personal_email_domains: Vec<String>,
    pub impersonation_threshold: Option<f64>,
    pub max_attestation_age_days: i64,
    /// Check id → severity.
    pub severity_overrides: BTreeMap<String, Severity>,
    /// Where each override was written (file, location), to report unknown check ids.
    pub severity_override_locs: BTreeMap<String, (String, Loc)>,
    /// REC-02: how long ago recovery may last have been tested.
    pub recovery_test_interval_days: i64,
    /// CP-03: the shortest audit-log retention a control plane may keep.
    pub min_audit_log_retention_days: i64,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            min_two_factor: TwoFactor::AuthenticatorApp,
            max_password_age_days: None,
            min_password_score: 3,
            access_review_interval_days: 92,
            dormant_after_days: 180,
            stale_app_after_days: 90,
            stale_session_after_days: 30,
            min_admins: 2,
            max_admins: 6,
            approved_apps: Vec::new(),
            naming: BTreeMap::new(),
            verification_platforms: vec![
                Platform::X,
                Platform::Facebook,
                Platform::Instagram,
                Platform::Threads,
                Platform::Youtube,
                Platform::Tiktok,
                Platform::Linkedin,
                Platform::Bluesky,
            ],
            personal_email_domains: BUILTIN_PERSONAL_EMAIL_DOMAINS
                .iter()
                .map(|s| s.to_string())
                .collect(),
            impersonation_threshold: None,
            max_attestation_age_days: 92,
            severity_overrides: BTreeMap::new(),
            severity_override_locs: BTreeMap::new(),
            recovery_test_interval_days: 365,
            min_audit_log_retention_days: 365,
        }
    }
}

impl Policy {
    /// The naming rule for a platform: its own, else `default`, else none.
    pub fn naming_for(&self, platform: Platform) -> Option<&NamingRule> {
        self.naming
            .get(platform.as_str())
            .or_else(|| self.naming.get("default"))
    }
}
