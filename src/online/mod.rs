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

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::model::results::SourceStatus;
use crate::model::{Inventory, Platform};

pub use gather::{gather, gather_with};
pub use http::HttpConfig;
pub use progress::Progress;

pub use crate::model::evidence::{
    AccountState, DefensiveName, Observation, OnlineCandidate, OnlineEvidence, PageEvidence,
    PageListing,
};
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

/// `platform:handle` strings for `Report::defensive_registrations`, offered only where the
/// platform does not forbid holding names (X does).
pub fn defensive_strings(
    ev: &OnlineEvidence,
    catalogue: &crate::model::platforms::Catalogue,
) -> Vec<String> {
    ev.defensive_registrations
        .iter()
        .filter(|d| crate::impersonation::defensive::may_offer(catalogue, d.platform))
        .map(|d| format!("{}:{}", d.platform, d.handle))
        .collect()
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
