//! Online evidence (`--online`): what the platforms and the organisation's own website say, gathered
//! once before the checks run and handed to them in [`crate::engine::Context::online`].
//!
//! Nothing here runs unless the user asked for `--online`. Each source is one module (Bluesky,
//! Mastodon, the published accounts page); [`http`] holds the rules every request follows,
//! [`cache`] the on-disk cache and [`progress`] what stderr shows meanwhile. A [`Session`] is the
//! network of one audit: the breach look-ups of the vault module go through it too. [`OnlineEvidence`] holds no network types: it is plain data that
//! serialises into the report, and every observation carries its source URL and fetch time. A
//! source that fails is recorded as failed (in the observation and in `sources`), never skipped
//! silently and never turned into a pass.

pub mod bluesky;
pub mod cache;
pub mod http;
pub mod mastodon;
pub mod page;
pub mod progress;

mod gather;

use std::collections::BTreeMap;
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

use crate::model::results::{LookalikeCoverage, SourceStatus};
use crate::model::{Inventory, Platform};

pub use gather::{gather, gather_with};
pub use http::HttpConfig;
pub use progress::Progress;

use http::{FailKind, FetchError, Http};
pub use page::{PageLink, PageMention};

pub const DEFAULT_BLUESKY_API: &str = "https://public.api.bsky.app";
pub const DEFAULT_PWNED_API: &str = "https://api.pwnedpasswords.com";

/// Where the online sources are and how to talk to them. `from_env()` gives the defaults with
/// the `PALISADE_*` overrides applied; `audit` options override fields after that.
#[derive(Debug, Clone)]
pub struct OnlineConfig {
    /// `PALISADE_BLUESKY_API`, default `https://public.api.bsky.app`.
    pub bluesky_api: String,
    /// `PALISADE_MASTODON_API`: when set, used instead of `https://{instance}` for every account.
    pub mastodon_api: Option<String>,
    /// `PALISADE_PWNED_API` (read here so every endpoint is configured in one place).
    pub pwned_api: String,
    /// `None` disables the cache; default `$XDG_CACHE_HOME/palisade` or `~/.cache/palisade`
    /// (`PALISADE_CACHE_DIR` overrides).
    pub cache_dir: Option<PathBuf>,
    pub cache_ttl: Duration,
    /// `--refresh`: ignore cached answers (fresh ones are still written).
    pub refresh: bool,
    /// Total time allowed for one request attempt.
    pub timeout: Duration,
    /// Search the platforms for accounts that look like the organisation's.
    pub search: bool,
    /// Look-alike variants probed per Bluesky handle (25 to a request), most likely first.
    pub bluesky_probes: usize,
    /// Look-alike variants probed per Mastodon handle (one request each), most likely first.
    pub mastodon_probes: usize,
    /// Everything else about HTTP (retries, limits, sizes). Its `timeout` is replaced by `timeout`.
    pub http: HttpConfig,
}

impl Default for OnlineConfig {
    fn default() -> Self {
        let http = HttpConfig::default();
        OnlineConfig {
            bluesky_api: DEFAULT_BLUESKY_API.to_string(),
            mastodon_api: None,
            pwned_api: DEFAULT_PWNED_API.to_string(),
            cache_dir: Some(cache::default_dir()),
            cache_ttl: Duration::from_secs(24 * 3600),
            refresh: false,
            timeout: http.timeout,
            search: true,
            bluesky_probes: 2 * bluesky::BATCH,
            mastodon_probes: 12,
            http,
        }
    }
}

impl OnlineConfig {
    /// The client these settings describe (its timeout is `timeout`; the cache as configured).
    pub fn http_client(&self) -> Result<Http, FetchError> {
        let mut http_cfg = self.http.clone();
        http_cfg.timeout = self.timeout;
        let cache = self
            .cache_dir
            .clone()
            .map(|d| cache::Cache::new(d, self.cache_ttl, self.refresh));
        Http::new(http_cfg, cache)
    }

    pub fn from_env() -> Self {
        let var = |k: &str| {
            std::env::var(k)
                .ok()
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let mut cfg = OnlineConfig::default();
        if let Some(v) = var("PALISADE_BLUESKY_API") {
            cfg.bluesky_api = v;
        }
        cfg.mastodon_api = var("PALISADE_MASTODON_API");
        if let Some(v) = var("PALISADE_PWNED_API") {
            cfg.pwned_api = v;
        }
        if let Some(v) = var("PALISADE_CACHE_DIR") {
            cfg.cache_dir = Some(PathBuf::from(v));
        }
        cfg
    }
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

    /// `platform:handle` strings for `Report::defensive_registrations`, offered only where the
    /// platform does not forbid holding names (X does).
    pub fn defensive_strings(&self) -> Vec<String> {
        self.defensive_registrations
            .iter()
            .filter(|d| crate::impersonation::defensive::may_offer(d.platform))
            .map(|d| format!("{}:{}", d.platform, d.handle))
            .collect()
    }
}

/// Look-alike handles to probe: (inventory account id, platform, handles).
pub type Lookalikes = [(String, Platform, Vec<String>)];

/// The network of one audit: one runtime and one [`Http`] (so one request budget per host, one
/// cache, one progress line) for every source: the platforms, the published page, Pwned
/// Passwords and Have I Been Pwned.
pub struct Session {
    runtime: tokio::runtime::Runtime,
    http: Arc<Http>,
}

impl Session {
    pub fn new(cfg: &OnlineConfig, progress: Progress) -> Result<Session, FetchError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| FetchError {
                host: "client".into(),
                kind: FailKind::Connect(format!("cannot start the network runtime: {e}")),
                attempts: 0,
            })?;
        let http = Arc::new(cfg.http_client()?.with_progress(progress));
        Ok(Session { runtime, http })
    }

    pub fn http(&self) -> &Arc<Http> {
        &self.http
    }

    /// Runs `fut` to completion on the session's runtime; from inside another runtime (where
    /// blocking would panic) on a thread of its own.
    pub fn block_on<F>(&self, fut: F) -> F::Output
    where
        F: Future + Send,
        F::Output: Send,
    {
        if tokio::runtime::Handle::try_current().is_ok() {
            std::thread::scope(|s| {
                s.spawn(|| self.runtime.block_on(fut))
                    .join()
                    .unwrap_or_else(|p| std::panic::resume_unwind(p))
            })
        } else {
            self.runtime.block_on(fut)
        }
    }

    /// [`gather_with`] through this session.
    pub fn gather(
        &self,
        inv: &Inventory,
        cfg: &OnlineConfig,
        lookalike_handles: &Lookalikes,
    ) -> OnlineEvidence {
        self.block_on(gather_with(self.http.clone(), inv, cfg, lookalike_handles))
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.http.progress().finish();
    }
}

/// [`gather`] for the synchronous engine: runs it on its own runtime (on a separate thread when
/// called from inside a runtime, where blocking would panic).
pub fn gather_blocking(
    inv: &Inventory,
    cfg: &OnlineConfig,
    lookalike_handles: &Lookalikes,
) -> OnlineEvidence {
    let run = || match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt.block_on(gather(inv, cfg, lookalike_handles)),
        Err(e) => OnlineEvidence {
            sources: vec![SourceStatus {
                name: "online".into(),
                ok: false,
                detail: format!("cannot start the network runtime: {e}"),
            }],
            ..Default::default()
        },
    };
    if tokio::runtime::Handle::try_current().is_ok() {
        std::thread::scope(|s| s.spawn(run).join()).unwrap_or_else(|_| OnlineEvidence {
            sources: vec![SourceStatus {
                name: "online".into(),
                ok: false,
                detail: "the network thread failed".into(),
            }],
            ..Default::default()
        })
    } else {
        run()
    }
}
