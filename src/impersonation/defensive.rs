//! Whether each platform lets an organisation register look-alikes of its own name only to keep
//! them from impersonators ("defensive registration"), with the public source of each answer.
//!
//! `palisade lookalikes` prints the answer for the platform asked about, and the audit offers
//! unregistered look-alikes as names to register only where the platform does not forbid it.

use serde::Serialize;

use crate::model::Platform;

/// What a platform's rules say about registering names only to keep them from others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Allowed {
    Yes,
    No,
    /// No rule found either way, or one that depends on how the name is used afterwards.
    Unclear,
}

impl Allowed {
    pub fn as_str(self) -> &'static str {
        match self {
            Allowed::Yes => "yes",
            Allowed::No => "no",
            Allowed::Unclear => "unclear",
        }
    }
}

/// One row of [`DEFENSIVE_REGISTRATION`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rule {
    pub platform: Platform,
    pub allowed: Allowed,
    pub source: &'static str,
    pub checked: &'static str,
    /// One line of the source, as written (translated in brackets where it is not English).
    pub quote: &'static str,
    /// What it means for a digital desk.
    pub note: &'static str,
}

// ------------------------------------------------------------------------------------------
// PLATFORM FACTS: defensive registration. One table, one row per platform, each with its public
// source and the date it was checked. To be moved into the platform catalogue as it stands.
// ------------------------------------------------------------------------------------------
/// Defensive registration, per platform (checked 2026-11-30).
pub const DEFENSIVE_REGISTRATION: &[Rule] = &[
    Rule {
        platform: Platform::X,
        allowed: Allowed::No,
        source: "https://help.x.com/de/rules-and-policies/x-username-squatting",
        checked: "2026-11-30",
        quote: "Name-Squatting, die absichtliche Blockade eines Nutzernamens, ist durch die X Regeln verboten. [Username squatting, deliberately blocking a username, is forbidden by the X Rules.]",
        note: "X's username squatting policy forbids holding names to keep them from others: watch these names and report impersonators instead",
    },
    Rule {
        platform: Platform::Instagram,
        allowed: Allowed::Unclear,
        source: "https://help.instagram.com/581066165581870",
        checked: "2026-11-30",
        quote: "You can't attempt to buy, sell, or transfer any aspect of your account (including your username)",
        note: "the Terms of Use forbid trading usernames and say nothing of holding variants: ask Meta before registering any",
    },
    Rule {
        platform: Platform::Threads,
        allowed: Allowed::Unclear,
        source: "https://help.instagram.com/581066165581870",
        checked: "2026-11-30",
        quote: "You can't attempt to buy, sell, or transfer any aspect of your account (including your username)",
        note: "no Threads-specific rule found; Threads profiles follow the Instagram account",
    },
    Rule {
        platform: Platform::Tiktok,
        allowed: Allowed::Unclear,
        source: "https://support.tiktok.com/en/safety-hc/account-and-user-safety/inactive-account-policy",
        checked: "2026-11-30",
        quote: "If an account remains inactive for 180 days or more, the username may be reset to a randomized numeric username.",
        note: "no rule against holding names, but an account left unused loses its name after 180 days",
    },
    Rule {
        platform: Platform::Youtube,
        allowed: Allowed::Unclear,
        source: "https://datahorde.org/why-we-shouldnt-worry-about-youtubes-inactive-accounts-policy/",
        checked: "2026-11-30",
        quote: "If an account is found to be overly inactive, the account may be reclaimed by YouTube without notice. (YouTube's inactive accounts policy, as quoted there)",
        note: "a channel held unused may be reclaimed; the policy began as YouTube's rule against username squatting",
    },
    Rule {
        platform: Platform::Facebook,
        allowed: Allowed::Unclear,
        source: "https://lookaside.fbsbx.com/help/105399436216001",
        checked: "2026-11-30",
        quote: "A Page's username can also be removed because of inactivity.",
        note: "no rule against holding a Page name, but an inactive Page can lose its username",
    },
    Rule {
        platform: Platform::Linkedin,
        allowed: Allowed::Unclear,
        source: "https://www.linkedin.com/legal/user-agreement",
        checked: "2026-11-30",
        quote: "Create a Member profile for anyone other than a natural person [among the User Agreement's Don'ts, as quoted in 2013]",
        note: "member profiles are for real people, so look-alike profiles cannot be held; nothing found on Pages",
    },
    Rule {
        platform: Platform::Bluesky,
        allowed: Allowed::Unclear,
        source: "https://gadinsider.com/bluesky-says-impersonation-accounts-will-be-removed-apps-12029",
        checked: "2026-11-30",
        quote: "Impersonation and handle-squatting accounts will be removed (Bluesky Safety, as reported there)",
        note: "squatting on others' handles is removed; a handle on the organisation's own domain needs no registration at all",
    },
    Rule {
        platform: Platform::Mastodon,
        allowed: Allowed::Unclear,
        source: "https://code.failzero.net/git/doc.git/tree/procedures/mastodon/mastodon-user-policy.md",
        checked: "2026-11-30",
        quote: "Inactive accounts with 0 posts may be purged after 90 days (one server's rules)",
        note: "each server sets its own rules: read the server's before registering there",
    },
];
// ------------------------------------------------------------------------------------------

/// The rule for `platform`, if the table has one.
pub fn rule(platform: Platform) -> Option<&'static Rule> {
    DEFENSIVE_REGISTRATION
        .iter()
        .find(|r| r.platform == platform)
}

/// Whether names on `platform` may be offered as names to register defensively: not where the
/// platform forbids it.
pub fn may_offer(platform: Platform) -> bool {
    rule(platform).is_none_or(|r| r.allowed != Allowed::No)
}

/// One line for people: "Defensive registration on X: no — …".
pub fn describe(platform: Platform) -> String {
    let name = crate::model::handles::platform_name(platform);
    match rule(platform) {
        Some(r) => format!(
            "Defensive registration on {name}: {} — {} (source: {}, checked {})",
            r.allowed.as_str(),
            r.note,
            r.source,
            r.checked
        ),
        None => format!(
            "Defensive registration on {name}: unclear — no rule recorded; read the platform's terms before registering"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_row_per_platform_with_a_source_and_date() {
        let mut seen = Vec::new();
        for r in DEFENSIVE_REGISTRATION {
            assert!(!seen.contains(&r.platform), "{} twice", r.platform);
            seen.push(r.platform);
            assert!(r.source.starts_with("https://"), "{}", r.platform);
            assert_eq!(r.checked, "2026-11-30");
            assert!(!r.quote.is_empty() && !r.note.is_empty());
        }
        assert!(!may_offer(Platform::X), "X forbids username squatting");
        assert!(may_offer(Platform::Bluesky));
        assert!(describe(Platform::X).starts_with("Defensive registration on X: no"));
    }
}
