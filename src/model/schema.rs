//! The inventory's fields as data: which keys each section accepts, what each holds, its
//! default and what it means. `load.rs` takes its lists of known keys from here (any other key
//! is an error), and `docs/inventory.md` is generated from here (`palisade docs inventory`;
//! a test fails when the committed file is stale), so the reference cannot drift from
//! validation. The controls that read each field come from the check definitions.

use super::types::*;

/// What a field holds, as validation reads it.
#[derive(Debug, Clone, Copy)]
pub enum Ty {
    /// Free text.
    Text,
    /// Text that must not be empty and is unique in its list.
    Id,
    /// An id of another section (`people`, `accounts`...).
    Ref(&'static str),
    /// A list of ids of another section.
    Refs(&'static str),
    Date,
    Email,
    Url,
    Bool,
    /// `true | false | unknown`.
    Tri,
    Int {
        min: i64,
        max: i64,
    },
    Number {
        min: f64,
        max: f64,
    },
    Handle,
    /// One of a closed set of spellings.
    OneOf(&'static [&'static str]),
    /// A list of values from a closed set.
    ListOf(&'static [&'static str]),
    TextList,
    /// A nested mapping.
    Section(&'static Section),
    /// A list of mappings.
    Items(&'static Section),
    /// A mapping whose keys and values are described in words.
    Map(&'static str),
}

#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub key: &'static str,
    pub ty: Ty,
    pub required: bool,
    /// The default in words, where there is one.
    pub default: Option<&'static str>,
    pub doc: &'static str,
}

#[derive(Debug)]
pub struct Section {
    /// Where it sits, in the notation of the field reference (`accounts[].security`).
    pub path: &'static str,
    pub fields: &'static [Field],
}

impl Section {
    pub fn keys(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.fields.iter().map(|f| f.key)
    }

    pub fn has(&self, key: &str) -> bool {
        self.fields.iter().any(|f| f.key == key)
    }

    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }
}

const fn f(key: &'static str, ty: Ty, doc: &'static str) -> Field {
    Field {
        key,
        ty,
        required: false,
        default: None,
        doc,
    }
}

const fn req(key: &'static str, ty: Ty, doc: &'static str) -> Field {
    Field {
        key,
        ty,
        required: true,
        default: None,
        doc,
    }
}

const fn def(key: &'static str, ty: Ty, default: &'static str, doc: &'static str) -> Field {
    Field {
        key,
        ty,
        required: false,
        default: Some(default),
        doc,
    }
}

const DAYS: Ty = Ty::Int {
    min: 0,
    max: 100_000,
};

pub static TOP: Section = Section {
    path: "",
    fields: &[
        req("organisation", Ty::Section(&ORGANISATION), "Who the inventory is about."),
        def("policy", Ty::Section(&POLICY), "every key has a default", "The organisation's own thresholds and lists."),
        def("people", Ty::Items(&PERSON), "none", "Everyone who can reach an account, and leavers and movers who once could; may also come from an HR CSV export (`--people FILE`)."),
        req("accounts", Ty::Items(&ACCOUNT), "The official accounts (the list may be empty)."),
        def("waivers", Ty::Items(&WAIVER), "none", "Risks the organisation accepts, each until a date."),
        def("control_planes", Ty::Items(&CONTROL_PLANE), "none", "The tools through which people reach many accounts at once: SMMP, business portfolios, brand accounts, the password manager."),
        def("mailboxes", Ty::Items(&MAILBOX), "none", "The mailboxes that receive login codes, password resets and recovery mail."),
        f("house_rules", Ty::Section(&HOUSE_RULES), "What the public is told on the organisation's website."),
        def("impersonation_allow", Ty::Items(&ALLOW), "none", "Look-alikes known to be legitimate: never flagged."),
        def("impersonation_triage", Ty::Items(&TRIAGE), "none", "What the digital desk has done about suspects found earlier."),
    ],
};

pub static ORGANISATION: Section = Section {
    path: "organisation",
    fields: &[
        req(
            "name",
            Ty::Text,
            "The organisation's name, as reports show it.",
        ),
        def(
            "email_domains",
            Ty::TextList,
            "none",
            "Addresses on these domains (or their subdomains) are organisational.",
        ),
        f("website", Ty::Url, "The organisation's website."),
        f(
            "official_accounts_page",
            Ty::Url,
            "The published list of official accounts (BRAND-02 reads it with `--online`).",
        ),
    ],
};

pub static POLICY: Section = Section {
    path: "policy",
    fields: &[
        def("min_two_factor", Ty::OneOf(&["passkey", "security_key", "authenticator_app", "sms", "email", "none"]), "authenticator_app", "Weakest acceptable 2FA method; order: `passkey` = `security_key` > `authenticator_app` > `sms` > `email` > `none`."),
        def("max_password_age_days", Ty::Int { min: 1, max: 100_000 }, "none", "If set, passwords older than this fail AUTH-06 (NCSC advises against forced expiry, so it is off by default)."),
        def("min_password_score", Ty::Int { min: 0, max: 4 }, "3", "Minimum zxcvbn score (0-4) for vault passwords."),
        def("access_review_interval_days", DAYS, "92", "How often access must be reviewed (a quarter)."),
        def("dormant_after_days", DAYS, "180", "An active account with no post for longer is dormant."),
        def("stale_app_after_days", DAYS, "90", "A third-party app unused for longer is stale."),
        def("stale_session_after_days", DAYS, "30", "A logged-in device unseen for longer is redundant."),
        def("min_admins", DAYS, "2", "Fewer active admins/owners is a continuity risk."),
        def("max_admins", DAYS, "6", "More is a least-privilege risk."),
        def("approved_apps", Ty::TextList, "none", "Names of third-party apps the organisation approves (case-insensitive)."),
        def("naming", Ty::Map("platform (or `default`) → regular expression the handle must match"), "none", "Naming conventions, e.g. `{x: '^Westmere[A-Za-z0-9_]*$'}`; the key `default` applies to platforms not named."),
        def("verification_platforms", Ty::ListOf(Platform::ALL), "x, facebook, instagram, threads, youtube, tiktok, linkedin, bluesky", "Platforms that offer organisational verification."),
        def("personal_email_domains", Ty::TextList, "none (added to the built-in list of consumer mail domains)", "Extra consumer mail domains, never organisational."),
        def("impersonation_threshold", Ty::Number { min: 0.0, max: 1.0 }, "the tool's measured threshold", "Similarity in [0,1] above which a candidate is reported."),
        def("max_attestation_age_days", DAYS, "92", "How old an attestation may be (GOV-01)."),
        def("severity_overrides", Ty::Map("check id → `critical` | `high` | `medium` | `low`"), "none", "An organisation that weighs a control differently."),
        def("recovery_test_interval_days", DAYS, "365", "How long ago an account's recovery may last have been tested (REC-02)."),
        def("min_audit_log_retention_days", DAYS, "365", "The shortest audit-log retention a control plane may keep (CP-03)."),
    ],
};

pub static PERSON: Section = Section {
    path: "people[]",
    fields: &[
        req("id", Ty::Id, "Unique person id."),
        f("name", Ty::Text, "Full name (masked by `--redact`)."),
        f("email", Ty::Email, "Their e-mail address."),
        f("role", Ty::Text, "Job title."),
        f("team", Ty::Text, "Team."),
        req("status", Ty::OneOf(PersonStatus::ALL), "A person whose `left_on` is on or before the as-of date counts as a leaver whatever `status` says."),
        f("moved_on", Ty::Date, "For movers: date of the move to a role that should not keep access."),
        f("left_on", Ty::Date, "For leavers: the day they left."),
        f("left_under_investigation", Ty::Bool, "Left as a result of a professional standards investigation."),
        def("profiles", Ty::Items(&PROFILE), "none", "The person's own platform logins that hold roles on accounts (AUTH-10)."),
    ],
};

pub static PROFILE: Section = Section {
    path: "people[].profiles[]",
    fields: &[
        req("platform", Ty::OneOf(ProfilePlatform::ALL), "The login that reaches the account: `meta` for facebook, instagram and threads, `google` for youtube, otherwise the account's own platform."),
        f("two_factor", Ty::OneOf(TwoFactor::ALL), "The profile's 2FA method (same values as `security.two_factor`)."),
        f("login_email", Ty::Email, "The profile's login address."),
        f("attested_on", Ty::Date, "When someone last checked the profile's settings."),
    ],
};

pub static ACCOUNT: Section = Section {
    path: "accounts[]",
    fields: &[
        req("id", Ty::Id, "Unique account id (ids share one namespace with control planes)."),
        req("platform", Ty::OneOf(Platform::ALL), "The platform."),
        req("handle", Ty::Handle, "The handle; a leading @ is accepted and dropped; must be a handle that can exist on the platform (see the platform catalogue)."),
        f("display_name", Ty::Text, "The name shown on the profile."),
        f("url", Ty::Url, "The profile's address."),
        f("owner", Ty::Ref("people"), "Person id of the accountable owner."),
        f("team", Ty::Text, "The team that runs it."),
        f("purpose", Ty::OneOf(Purpose::ALL), "What the account is for."),
        def("status", Ty::OneOf(AccountStatus::ALL), "active", "`closed`: every check is skipped."),
        f("created_on", Ty::Date, "When the account was created."),
        f("last_post_on", Ty::Date, "The date of the last post."),
        f("last_access_review_on", Ty::Date, "When access was last reviewed."),
        f("listed_on_website", Ty::Tri, "On the published list of official accounts (online mode reads the page itself)."),
        f("verification", Ty::OneOf(Verification::ALL), "The platform's organisational verification."),
        f("verification_badge", Ty::OneOf(BadgeType::ALL), "The kind of badge it holds; `paid` does not verify the organisation."),
        def("security", Ty::Section(&SECURITY), "all unknown", "Settings seen in the platform itself."),
        def("access", Ty::Items(&ACCESS), "none", "Who can reach the account, how, and since when (entries are kept after access ends: `removed_on`)."),
        f("recovery", Ty::Section(&RECOVERY), "Can the account be recovered if it is taken over?"),
        def("third_party_apps", Ty::Items(&APP), "none", "Apps connected to the account."),
        def("sessions", Ty::Items(&SESSION), "none", "Devices logged in to the account."),
        f("attestation", Ty::Section(&ATTESTATION), "Who last checked these settings in the platform itself, and when."),
    ],
};

pub static SECURITY: Section = Section {
    path: "accounts[].security",
    fields: &[
        f(
            "two_factor",
            Ty::OneOf(TwoFactor::ALL),
            "The 2FA method; the platform catalogue says which the platform offers.",
        ),
        f("login_alerts", Ty::Tri, "Alerts on new logins are on."),
        f("login_email", Ty::Email, "The account's login address."),
        f(
            "recovery_email",
            Ty::Email,
            "The account's recovery address.",
        ),
        f(
            "recovery_phone",
            Ty::OneOf(RecoveryPhone::ALL),
            "Whose phone recovers the account.",
        ),
        f(
            "password_last_changed_on",
            Ty::Date,
            "When the password was last changed.",
        ),
        f(
            "password_storage",
            Ty::OneOf(PasswordStorage::ALL),
            "Where the password is kept.",
        ),
        f(
            "vault_entry",
            Ty::Text,
            "Name of the entry in the password vault (`Folder/Name`), if any.",
        ),
        f("access_logging", Ty::Tri, "Who-did-what is logged."),
        f(
            "smmp",
            Ty::Text,
            "The social media management platform used, if any.",
        ),
    ],
};

pub static ACCESS: Section = Section {
    path: "accounts[].access[]",
    fields: &[
        req("person", Ty::Ref("people"), "Person id."),
        req("role", Ty::OneOf(AccessRole::ALL), "Their role."),
        f("via", Ty::OneOf(AccessVia::ALL), "How they reach the account: through the SMMP, a role on their own profile, or a shared password."),
        f("granted_on", Ty::Date, "When access was granted."),
        f("removed_on", Ty::Date, "When access ended; on or before the as-of date the entry is past access, kept because someone who knew a shared password still knows it (LEAV-02, LEAV-04)."),
    ],
};

pub static RECOVERY: Section = Section {
    path: "accounts[].recovery",
    fields: &[
        f(
            "backup_codes",
            Ty::OneOf(BackupCodes::ALL),
            "Where the backup codes are kept.",
        ),
        f(
            "last_recovery_test_on",
            Ty::Date,
            "A recovery drill or a documented recovery.",
        ),
        f(
            "platform_contact",
            Ty::Tri,
            "A named route to the platform (partner manager, escalation form) is recorded.",
        ),
    ],
};

pub static APP: Section = Section {
    path: "accounts[].third_party_apps[]",
    fields: &[
        req("name", Ty::Text, "The app's name."),
        def(
            "permissions",
            Ty::ListOf(AppPermission::ALL),
            "none",
            "What it may do.",
        ),
        f(
            "approved",
            Ty::Bool,
            "Approved for this account; otherwise approval comes from `policy.approved_apps`.",
        ),
        f("last_used_on", Ty::Date, "When it was last used."),
    ],
};

pub static SESSION: Section = Section {
    path: "accounts[].sessions[]",
    fields: &[
        req("device", Ty::Text, "The device."),
        f("managed", Ty::Bool, "A force-managed device."),
        f("last_seen_on", Ty::Date, "When it was last seen."),
    ],
};

pub static ATTESTATION: Section = Section {
    path: "accounts[].attestation",
    fields: &[
        req("by", Ty::Ref("people"), "Person id of who checked."),
        req("date", Ty::Date, "When."),
        f("evidence", Ty::Text, "A link to screenshots or a ticket."),
    ],
};

pub static CONTROL_PLANE: Section = Section {
    path: "control_planes[]",
    fields: &[
        req("id", Ty::Id, "Unique id, in the same namespace as account ids; results about the plane carry it as `account_id`."),
        f("kind", Ty::OneOf(PlaneKind::ALL), "What kind of tool it is."),
        f("name", Ty::Text, "Its name."),
        def("accounts", Ty::Refs("accounts"), "none", "Account ids it can publish to or administer."),
        f("sign_in", Ty::OneOf(SignIn::ALL), "`sso`: the organisation's identity provider."),
        f("two_factor_enforced", Ty::Tri, "The plane enforces 2FA for everyone."),
        f("audit_log_retention_days", DAYS, "How long the plane keeps who-did-what."),
        f("last_access_review_on", Ty::Date, "When access to the plane was last reviewed."),
        def("access", Ty::Items(&PLANE_ACCESS), "none", "Who can reach the plane."),
        f("attestation", Ty::Section(&ATTESTATION), "Who last checked the plane's settings, and when."),
    ],
};

pub static PLANE_ACCESS: Section = Section {
    path: "control_planes[].access[]",
    fields: &[
        req("person", Ty::Ref("people"), "Person id."),
        req("role", Ty::OneOf(AccessRole::ALL), "Their role."),
        f("granted_on", Ty::Date, "When access was granted."),
        f(
            "removed_on",
            Ty::Date,
            "When access ended (kept as history).",
        ),
    ],
};

pub static MAILBOX: Section = Section {
    path: "mailboxes[]",
    fields: &[
        req(
            "address",
            Ty::Email,
            "The address (compared case-insensitively with login and recovery addresses).",
        ),
        f(
            "two_factor",
            Ty::OneOf(TwoFactor::ALL),
            "The mailbox's own 2FA method.",
        ),
        f(
            "forwards_outside",
            Ty::Tri,
            "Mail is forwarded to an address outside `organisation.email_domains`.",
        ),
        f(
            "attested_on",
            Ty::Date,
            "When someone last checked the mailbox's settings.",
        ),
    ],
};

pub static HOUSE_RULES: Section = Section {
    path: "house_rules",
    fields: &[
        f(
            "url",
            Ty::Url,
            "The page; with `--online` its text decides each statement.",
        ),
        f(
            "states_monitoring_hours",
            Ty::Tri,
            "It says when accounts are monitored (\"not monitored 24 hours a day\").",
        ),
        f(
            "states_emergency_route",
            Ty::Tri,
            "It says where to go in an emergency (\"call 999 in an emergency, 101 otherwise\").",
        ),
        f(
            "states_moderation_rules",
            Ty::Tri,
            "It says which comments are hidden or removed, and why.",
        ),
    ],
};

pub static WAIVER: Section = Section {
    path: "waivers[]",
    fields: &[
        req("check", Ty::Text, "A check id."),
        req(
            "account",
            Ty::Text,
            "An account or control plane id, or `*` for every one.",
        ),
        req("reason", Ty::Text, "Why the risk is accepted."),
        req("approved_by", Ty::Text, "Who accepted it."),
        req("expires_on", Ty::Date, "No risk is accepted for ever."),
        f(
            "ticket",
            Ty::Text,
            "Reference in the organisation's risk register.",
        ),
    ],
};

pub static ALLOW: Section = Section {
    path: "impersonation_allow[]",
    fields: &[
        req("platform", Ty::OneOf(Platform::ALL), "The platform."),
        req("handle", Ty::Text, "The legitimate look-alike's handle."),
        f("reason", Ty::Text, "Why it is legitimate."),
    ],
};

pub static TRIAGE: Section = Section {
    path: "impersonation_triage[]",
    fields: &[
        req("platform", Ty::OneOf(Platform::ALL), "The platform."),
        req("handle", Ty::Text, "The suspect's handle."),
        req("state", Ty::OneOf(TriageState::ALL), "`benign` is treated like an allowed look-alike; a `taken_down` one found again is called out."),
        f("date", Ty::Date, "When the state was set."),
        f("ticket", Ty::Text, "A reference."),
    ],
};

/// Every section, in the order of the field reference.
pub static SECTIONS: &[&Section] = &[
    &TOP,
    &ORGANISATION,
    &POLICY,
    &PERSON,
    &PROFILE,
    &ACCOUNT,
    &SECURITY,
    &ACCESS,
    &RECOVERY,
    &APP,
    &SESSION,
    &ATTESTATION,
    &CONTROL_PLANE,
    &PLANE_ACCESS,
    &MAILBOX,
    &HOUSE_RULES,
    &WAIVER,
    &ALLOW,
    &TRIAGE,
];

/// Whether `path` (`accounts[].security.two_factor`) names a field of the schema.
pub fn resolves(path: &str) -> bool {
    let Some((parent, key)) = path.rsplit_once('.') else {
        return TOP.has(path.trim_end_matches("[]"));
    };
    let key = key.trim_end_matches("[]");
    SECTIONS.iter().any(|s| s.path == parent && s.has(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn section_paths_are_unique_and_reachable() {
        let mut seen = std::collections::BTreeSet::new();
        for s in SECTIONS {
            assert!(seen.insert(s.path), "{} twice", s.path);
            if !s.path.is_empty() {
                assert!(resolves(s.path.trim_end_matches("[]")), "{}", s.path);
            }
        }
    }

    #[test]
    fn policy_defaults_match_the_code() {
        let p = super::super::policy::Policy::default();
        let want = [
            ("min_two_factor", p.min_two_factor.as_str().to_owned()),
            ("min_password_score", p.min_password_score.to_string()),
            (
                "access_review_interval_days",
                p.access_review_interval_days.to_string(),
            ),
            ("dormant_after_days", p.dormant_after_days.to_string()),
            ("stale_app_after_days", p.stale_app_after_days.to_string()),
            (
                "stale_session_after_days",
                p.stale_session_after_days.to_string(),
            ),
            ("min_admins", p.min_admins.to_string()),
            ("max_admins", p.max_admins.to_string()),
            (
                "max_attestation_age_days",
                p.max_attestation_age_days.to_string(),
            ),
            (
                "recovery_test_interval_days",
                p.recovery_test_interval_days.to_string(),
            ),
            (
                "min_audit_log_retention_days",
                p.min_audit_log_retention_days.to_string(),
            ),
            (
                "verification_platforms",
                p.verification_platforms
                    .iter()
                    .map(|x| x.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        ];
        for (key, value) in want {
            assert_eq!(
                POLICY.field(key).and_then(|f| f.default),
                Some(value.as_str()),
                "{key}"
            );
        }
    }
}
