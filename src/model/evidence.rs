//! Evidence the sources gather before the engine runs, as model data: what the vault's
//! assessment found (credentials), what the breach look-ups said, what the platforms and the
//! published pages show (online evidence). The sources (`vault/`, `online/`) fill these in; the
//! engine and the checks read them, and never call a source.

use std::collections::BTreeMap;

use serde::Serialize;

use super::results::{LookalikeCoverage, SourceStatus};
use super::types::Platform;

/// The organisation's house-rules page as read with `--online` (BRAND-06): its text as
/// sentences, or why it could not be read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HouseRulesPage {
    pub url: String,
    pub sentences: Result<Vec<String>, String>,
}

impl HouseRulesPage {
    /// The page at `url` read as `text` (one line per block of text).
    pub fn read(url: &str, text: &str) -> HouseRulesPage {
        HouseRulesPage {
            url: url.to_owned(),
            sentences: Ok(sentences(text)),
        }
    }

    /// The page at `url` could not be read, for `why`.
    pub fn unread(url: &str, why: String) -> HouseRulesPage {
        HouseRulesPage {
            url: url.to_owned(),
            sentences: Err(why),
        }
    }
}

/// Splits page text into sentences (at `.`, `!`, `?` before white space, and at line ends),
/// trimmed and at most 300 characters each, for quoting.
pub fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let mut start = 0;
        let chars: Vec<(usize, char)> = line.char_indices().collect();
        for (i, &(at, c)) in chars.iter().enumerate() {
            let next_is_space = chars.get(i + 1).is_none_or(|(_, n)| n.is_whitespace());
            if matches!(c, '.' | '!' | '?') && next_is_space {
                push(&mut out, &line[start..at + c.len_utf8()]);
                start = at + c.len_utf8();
            }
        }
        push(&mut out, &line[start..]);
    }
    out
}

fn push(out: &mut Vec<String>, s: &str) {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.is_empty() {
        return;
    }
    let mut t: String = s.chars().take(300).collect();
    if s.chars().count() > 300 {
        t.push('…');
    }
    out.push(t);
}

/// What a platform says about an account now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountState {
    Active,
    NotFound,
    Deactivated,
    Suspended,
    /// Bluesky: the account's DID now has another handle.
    Renamed,
    /// Mastodon: the account moved to another one.
    Moved,
}

impl AccountState {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountState::Active => "active",
            AccountState::NotFound => "not found",
            AccountState::Deactivated => "deactivated",
            AccountState::Suspended => "suspended",
            AccountState::Renamed => "renamed",
            AccountState::Moved => "moved",
        }
    }
}

/// One inventory account as its platform shows it. `error` set means the source failed and
/// nothing else here is known.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Observation {
    pub account_id: String,
    pub platform: String,
    /// The handle the inventory declares.
    pub handle: String,
    pub exists: Option<bool>,
    pub state: Option<AccountState>,
    pub display_name: Option<String>,
    /// The platform (or a domain handle, or a verified rel="me" link) vouches for the account.
    pub verified: Option<bool>,
    /// How: "Bluesky verification: valid", "handle on the organisation's domain ...", "rel=me ...".
    pub verified_by: Option<String>,
    /// The handle the platform shows now (differs after a rename or a move).
    pub handle_now: Option<String>,
    /// Bluesky DID or Mastodon account id.
    pub platform_id: Option<String>,
    pub source_url: Option<String>,
    pub fetched_at: Option<String>,
    pub error: Option<String>,
}

/// What the published list of official accounts shows.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PageEvidence {
    pub url: String,
    pub fetched_at: Option<String>,
    /// Set when the page could not be read: listings are then unknown, not false.
    pub error: Option<String>,
    pub links: Vec<PageLink>,
    /// @handles in the page's text, each with the platform named beside it (if any).
    pub mentions: Vec<PageMention>,
    /// Account id → whether the page shows it (for every account not closed).
    pub listed: BTreeMap<String, bool>,
    /// Accounts the page shows that the inventory does not have.
    pub unlisted_links: Vec<PageLink>,
}

/// An account found on a platform that is not in the inventory: for the impersonation search.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OnlineCandidate {
    pub platform: Platform,
    pub handle: String,
    pub display_name: Option<String>,
    pub bio: Option<String>,
    pub url: Option<String>,
    pub source_url: String,
    pub fetched_at: String,
    /// `search "Westmere Police"` or `look-alike of wm-bsky`.
    pub found_by: String,
    /// The inventory account it was probed as a look-alike of, if it was.
    pub account_id: Option<String>,
}

/// A generated look-alike handle that nobody holds: a name to register defensively
/// (Staffordshire's procedure: "reduce by registering alternative names").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DefensiveName {
    pub account_id: String,
    pub platform: Platform,
    pub handle: String,
    pub source_url: String,
}

/// How the published page answers for one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageListing {
    /// No page configured, or offline: use the declared `listed_on_website`.
    NotChecked,
    /// The page could not be read: the listing is unknown (an `error` result).
    Error(String),
    Listed(bool),
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OnlineEvidence {
    /// Account id → observation, for accounts on platforms with a public source.
    pub accounts: BTreeMap<String, Observation>,
    pub page: Option<PageEvidence>,
    /// The house-rules page (`house_rules.url`), when the inventory names one.
    pub house_rules: Option<HouseRulesPage>,
    pub candidates: Vec<OnlineCandidate>,
    pub defensive_registrations: Vec<DefensiveName>,
    pub sources: Vec<SourceStatus>,
    /// Per platform, the look-alike handles probed and left out.
    pub lookalike_coverage: Vec<LookalikeCoverage>,
}

impl OnlineEvidence {
    pub fn observation(&self, account_id: &str) -> Option<&Observation> {
        self.accounts.get(account_id)
    }

    /// `Some(listed)` when the page was read; `None` when there is no page or it failed (see
    /// [`OnlineEvidence::page_listing`] to tell the two apart).
    pub fn listed_on_page(&self, account_id: &str) -> Option<bool> {
        match self.page_listing(account_id) {
            PageListing::Listed(b) => Some(b),
            _ => None,
        }
    }

    pub fn page_listing(&self, account_id: &str) -> PageListing {
        match &self.page {
            None => PageListing::NotChecked,
            Some(p) => match &p.error {
                Some(e) => PageListing::Error(e.clone()),
                None => PageListing::Listed(p.listed.get(account_id).copied().unwrap_or(false)),
            },
        }
    }
}

/// One social media account the page links to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PageLink {
    pub platform: Platform,
    /// As the platform spells it, without `@`; Mastodon as `user@instance`.
    pub handle: String,
    pub url: String,
}

/// An @handle written in the page's text, and the platform the text names beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PageMention {
    /// As written, without the leading `@`.
    pub handle: String,
    /// `None` when no platform is named near it: such a mention lists no account.
    pub platform: Option<Platform>,
}

/// Credential facts for the whole inventory; `Context::credentials` holds one when a vault was
/// given.
#[derive(Debug, Clone, Serialize)]
pub struct Credentials {
    /// The vault file, as given.
    pub vault: String,
    pub format: VaultFormat,
    /// Number of login entries read.
    pub entries: usize,
    /// Where breaches were looked up; `None` without a corpus (AUTH-09 skipped).
    pub breach_source: Option<String>,
    /// By account id; every inventory account has one.
    pub per_account: BTreeMap<String, AccountCredential>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AccountCredential {
    pub entry: EntryMatch,
    /// The matched entry has a password (false for passkey-only entries).
    pub has_password: bool,
    /// The matched entry holds a passkey.
    pub passkey: bool,
    /// zxcvbn's judgement, when there is a password.
    pub strength: Option<Strength>,
    pub reuse: Reuse,
    pub breach: BreachStatus,
}

/// How an account found (or failed to find) its vault entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum EntryMatch {
    Matched {
        path: String,
        by: MatchedBy,
    },
    /// The inventory's `security.vault_entry` names an entry the vault does not have.
    NamedEntryMissing {
        name: String,
    },
    Ambiguous {
        candidates: Vec<String>,
    },
    NoMatch,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchedBy {
    /// `security.vault_entry`.
    VaultEntry,
    /// `security.vault_entry` names a folder, but the export has no folders (1Password's CSV):
    /// matched on the title alone, the folder unchecked.
    TitleOnly,
    /// The entry's URL is the account's platform and names the handle (or its username does).
    Url,
    /// An entry without URL whose username is the handle.
    Username,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Strength {
    /// zxcvbn score, 0 (guessable in a thousand tries) to 4.
    pub score: u8,
    pub guesses_log10: f64,
    pub warning: Option<String>,
    pub suggestions: Vec<String>,
}

/// Who else has the same password.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Reuse {
    /// Other inventory accounts (ids) whose entry has the same password, or is the same entry.
    pub accounts: Vec<String>,
    /// Other vault entries (paths), not matched to any account, with the same password.
    pub entries: Vec<String>,
}

impl Reuse {
    pub fn is_reused(&self) -> bool {
        !self.accounts.is_empty() || !self.entries.is_empty()
    }
}

/// What the corpus says about one password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum BreachStatus {
    /// Not looked up (no corpus, no password).
    NotChecked {
        reason: String,
    },
    Clean,
    /// Seen `count` times in breaches.
    Found {
        count: u64,
    },
    /// The corpus could not be asked (network, unreadable file).
    Failed {
        reason: String,
    },
}

/// What the API said about each address (lower-cased): the names of the breaches it is in, or
/// why it could not be asked.
#[derive(Debug, Clone, Default, Serialize)]
pub struct EmailBreaches {
    pub per_address: BTreeMap<String, Result<Vec<String>, String>>,
}

impl EmailBreaches {
    pub fn get(&self, address: &str) -> Option<&Result<Vec<String>, String>> {
        self.per_address.get(&address.trim().to_lowercase())
    }
}

/// The export formats palisade reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum VaultFormat {
    Bitwarden,
    Keepass,
    Csv,
}

impl VaultFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            VaultFormat::Bitwarden => "bitwarden",
            VaultFormat::Keepass => "keepass",
            VaultFormat::Csv => "csv",
        }
    }
}
