//! The one HTTP client every online source uses, and the rules that make palisade a good network
//! citizen: a per-host concurrency limit, a per-host request budget that follows the limits the
//! server announces (and Mastodon's 300 requests per 5 minutes where nothing is announced),
//! bounded retries with exponential back-off and jitter on 429 and 5xx, connect and total
//! timeouts, a cap on response size, redirects only within the same origin and over HTTPS, no
//! Referer, an honest User-Agent, the on-disk cache, the system's trusted roots as well as the
//! bundled ones, and the `HTTPS_PROXY`/`NO_PROXY` of the environment (reqwest reads them when the
//! client is built). Sources never see a network type: they get a [`Fetched`] or a [`FetchError`]
//! whose message says which host failed and how (e.g. "public.api.bsky.app: 3 timeouts"); a
//! message never holds a URL's path or query (a look-up's subject may be in them).

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use jiff::Timestamp;
use reqwest::header::{HeaderMap, CONTENT_TYPE};
use reqwest::Url;
use tokio::sync::Semaphore;

use super::cache::{Cache, Entry};
use super::progress::{wait_message, Progress, WaitCause};

pub const USER_AGENT: &str = concat!(
    "palisade/",
    env!("CARGO_PKG_VERSION"),
    " (+https://github.com/palisade)"
);

/// Knobs of the client. Defaults suit a real audit; tests shorten the times.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Total time for one attempt, from sending to the last byte of the body.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Bodies larger than this are abandoned while reading.
    pub max_body: usize,
    /// Attempts per request, the first included.
    pub max_attempts: u32,
    /// First back-off delay; doubled per retry, with jitter.
    pub backoff_base: Duration,
    /// Longest a request may wait for a rate limit to reset before it gives up.
    pub max_wait: Duration,
    pub per_host_concurrency: usize,
    /// Budget where a host announces none (Mastodon's default: 300 requests per 5 minutes).
    pub default_limit: u32,
    pub default_window: Duration,
    pub max_redirects: usize,
    /// An optional request ([`Options::optional`]) waits at most this long for a window to reset;
    /// past it, it is not sent.
    pub optional_wait: Duration,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            timeout: Duration::from_secs(20),
            connect_timeout: Duration::from_secs(10),
            max_body: 2 * 1024 * 1024,
            max_attempts: 3,
            backoff_base: Duration::from_millis(500),
            max_wait: Duration::from_secs(300),
            per_host_concurrency: 4,
            default_limit: 300,
            default_window: Duration::from_secs(300),
            max_redirects: 5,
            optional_wait: Duration::from_secs(2),
        }
    }
}

/// Why a request produced no usable answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FailKind {
    #[error("timeout")]
    Timeout,
    #[error("connection failed ({0})")]
    Connect(String),
    #[error("HTTP {0}")]
    Status(u16),
    #[error("HTTP 401 Unauthorized: the server requires signing in for this request")]
    Unauthorized,
    #[error("rate limited (HTTP 429)")]
    RateLimited,
    #[error("response larger than {0} bytes, abandoned")]
    TooLarge(usize),
    #[error("{0}")]
    Redirect(String),
    #[error("refused URL {0}: only HTTPS (or loopback) is allowed")]
    BadUrl(String),
    #[error("malformed response: {0}")]
    Malformed(String),
    /// A setting (an API base URL) that cannot be used: nothing was sent.
    #[error("{0}")]
    BadSetting(String),
    #[error("the server asked to wait {0} s, longer than allowed")]
    WaitTooLong(u64),
    /// An optional request met a budget kept for the essential ones: it was never sent.
    #[error("not sent: the rest of the request budget is kept for essential look-ups")]
    OverBudget,
}

/// A request that failed after `attempts` tries, with the host it was for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchError {
    pub host: String,
    pub kind: FailKind,
    pub attempts: u32,
}

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.host, describe(&self.kind, self.attempts))
    }
}

impl std::error::Error for FetchError {}

fn describe(kind: &FailKind, attempts: u32) -> String {
    match (kind, attempts) {
        (FailKind::Timeout, n) if n > 1 => format!("{n} timeouts"),
        (FailKind::Status(_) | FailKind::RateLimited | FailKind::Connect(_), n) if n > 1 => {
            format!("{kind}, {n} attempts")
        }
        _ => kind.to_string(),
    }
}

impl FetchError {
    pub fn malformed(host: &str, what: impl Into<String>) -> Self {
        FetchError {
            host: host.to_string(),
            kind: FailKind::Malformed(what.into()),
            attempts: 1,
        }
    }
}

/// A usable answer: a 2xx, or a 400/404/410 that the platform uses to say "no such account".
#[derive(Debug, Clone)]
pub struct Fetched {
    pub url: String,
    pub status: u16,
    /// `Content-Type`, when the server sent one: tells an API's own 404 from a web page's.
    pub content_type: Option<String>,
    pub body: String,
    pub fetched_at: Timestamp,
    pub from_cache: bool,
}

impl Fetched {
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }
    pub fn json(&self, host: &str) -> Result<serde_json::Value, FetchError> {
        serde_json::from_str(&self.body)
            .map_err(|e| FetchError::malformed(host, format!("invalid JSON ({e})")))
    }
}

/// How one request departs from the defaults.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Extra headers (an API key: mark it sensitive). Redirects never leave the URL's origin, so
    /// they reach only the host they were meant for.
    pub headers: HeaderMap,
    /// Neither read from nor written to the on-disk cache: for answers whose URL would say
    /// something about a secret (a password hash prefix).
    pub no_store: bool,
    /// Nice to have (a look-alike probe): never waits long for the rate limit, and leaves the
    /// last tenth of a host's budget to the essential look-ups. Fails with
    /// [`FailKind::OverBudget`] instead.
    pub optional: bool,
}

/// What one host has cost and how it went, for the sources summary.
#[derive(Debug, Clone, Default)]
pub struct HostStats {
    pub requests: u64,
    pub cached: u64,
    pub retries: u64,
    pub failures: u64,
    pub rate_waits: u64,
    /// Optional requests not sent to keep within the budget.
    pub skipped: u64,
}

/// The request budget of one host: a fixed window of `limit` requests that ends at `reset_at`.
/// Requests are counted when they start, so those in flight are already spent; what the server
/// announces can only lower what is left (an answer may be older than requests sent since).
#[derive(Debug)]
struct Budget {
    limit: u32,
    remaining: u32,
    reset_at: Instant,
    window: Duration,
    /// Requests sent and not yet answered: an announced `Remaining` may not count them yet.
    in_flight: u32,
    /// The server announced `limit` (else it is the configured default).
    announced: bool,
    /// A 429 or `Retry-After` set `reset_at`.
    server_asked: bool,
}

struct Host {
    name: String,
    slots: Semaphore,
    budget: Mutex<Budget>,
    stats: Mutex<HostStats>,
}

pub struct Http {
    client: reqwest::Client,
    cfg: HttpConfig,
    cache: Option<Cache>,
    hosts: Mutex<BTreeMap<String, Arc<Host>>>,
    progress: Progress,
}

fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// HTTPS anywhere; plain HTTP only to this machine (a test server or a local proxy).
pub fn allowed_url(url: &Url) -> bool {
    url.scheme() == "https" || (url.scheme() == "http" && is_loopback(url))
}

/// `host` or `host:port`, the key for limits and the name used in messages.
pub fn host_key(url: &Url) -> String {
    let host = url.host_str().unwrap_or("?");
    match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    }
}

/// One JSON API on one host, as each platform's client reads it: the shared client, the base
/// URL, the host's name (its key for limits and in messages) and how requests depart from the
/// defaults.
#[derive(Clone)]
pub struct Api {
    http: Arc<Http>,
    base: Url,
    host: String,
    opts: Options,
}

impl Api {
    /// `not_a_url` is the message when `base` is not a URL (it names the setting).
    pub fn new(http: Arc<Http>, base: &str, not_a_url: &str) -> Result<Api, FetchError> {
        let parsed = Url::parse(base.trim_end_matches('/')).map_err(|_| FetchError {
            host: base.to_string(),
            kind: FailKind::BadSetting(not_a_url.to_string()),
            attempts: 0,
        })?;
        Ok(Api {
            http,
            host: host_key(&parsed),
            base: parsed,
            opts: Options::default(),
        })
    }

    /// The same API for nice-to-have look-ups (look-alike probes, searches by handle): they
    /// give way to the essential ones when the host's request budget runs low.
    pub fn optional(&self) -> Api {
        let mut api = self.clone();
        api.opts.optional = true;
        api
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    pub async fn get(&self, url: &str) -> Result<Fetched, FetchError> {
        self.http.get_with(url, &self.opts).await
    }

    /// `path` after the base URL's own path, with `params` as the whole query.
    pub fn url(&self, path: &str, params: &[(&str, &str)]) -> String {
        let mut url = self.base.clone();
        let full = format!("{}{path}", url.path().trim_end_matches('/'));
        url.set_path(&full);
        {
            let mut q = url.query_pairs_mut();
            q.clear();
            for (k, v) in params {
                q.append_pair(k, v);
            }
        }
        url.to_string()
    }
}

/// Outcome of one attempt, before the retry policy judges it.
enum Attempt {
    Answer {
        status: u16,
        headers: HeaderMap,
        body: String,
    },
    Failed(FailKind),
}

/// `scheme://host[:port]` of a URL: what a redirect must keep, and all a message may show.
pub fn origin_of(url: &Url) -> String {
    url.origin().ascii_serialization()
}

/// The redirect rule of every client: the same origin (so a header such as an API key, and the
/// answer that is trusted, never come from elsewhere), HTTPS (plain HTTP only on loopback, for
/// tests), bounded, no loops. Returns why a redirect from `first` to `next` is refused.
pub fn redirect_refusal(
    first: &Url,
    previous: &[Url],
    next: &Url,
    max_redirects: usize,
) -> Option<String> {
    if previous.contains(next) {
        return Some(format!("redirect loop at {}", origin_of(next)));
    }
    if previous.len() > max_redirects {
        return Some(format!("more than {max_redirects} redirects"));
    }
    if !allowed_url(next) {
        return Some(format!("redirect to non-HTTPS {} refused", origin_of(next)));
    }
    if next.origin() != first.origin() {
        return Some(format!(
            "redirect to another origin ({}) refused: only answers from {} are trusted",
            origin_of(next),
            origin_of(first)
        ));
    }
    None
}

impl Http {
    pub fn new(cfg: HttpConfig, cache: Option<Cache>) -> Result<Self, FetchError> {
        let max_redirects = cfg.max_redirects;
        let policy = reqwest::redirect::Policy::custom(move |attempt| {
            let refusal = match attempt.previous().first() {
                Some(first) => {
                    redirect_refusal(first, attempt.previous(), attempt.url(), max_redirects)
                }
                None => Some("a redirect without a request".into()),
            };
            match refusal {
                Some(why) => attempt.error(why),
                None => attempt.follow(),
            }
        });
        // Built-in roots are both the bundled Mozilla set and the system store (reqwest's
        // `rustls-tls-webpki-roots` and `rustls-tls-native-roots`): behind a TLS-inspecting proxy
        // the organisation's CA is only in the latter (`SSL_CERT_FILE` overrides it).
        let client = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(cfg.connect_timeout)
            .timeout(cfg.timeout)
            .redirect(policy)
            .referer(false)
            .build()
            .map_err(|e| FetchError {
                host: "client".into(),
                kind: FailKind::Connect(format!("cannot build the HTTP client: {e}")),
                attempts: 0,
            })?;
        Ok(Http {
            client,
            cfg,
            cache,
            hosts: Mutex::new(BTreeMap::new()),
            progress: Progress::hidden(),
        })
    }

    /// Draws waits and look-ups on `progress` from now on.
    pub fn with_progress(mut self, progress: Progress) -> Self {
        self.progress = progress;
        self
    }

    pub fn progress(&self) -> &Progress {
        &self.progress
    }

    pub fn config(&self) -> &HttpConfig {
        &self.cfg
    }

    pub fn cache(&self) -> Option<&Cache> {
        self.cache.as_ref()
    }

    fn host(&self, key: &str) -> Arc<Host> {
        let mut hosts = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
        hosts
            .entry(key.to_string())
            .or_insert_with(|| {
                Arc::new(Host {
                    name: key.to_string(),
                    slots: Semaphore::new(self.cfg.per_host_concurrency.max(1)),
                    budget: Mutex::new(Budget {
                        limit: self.cfg.default_limit.max(1),
                        remaining: self.cfg.default_limit.max(1),
                        reset_at: Instant::now() + self.cfg.default_window,
                        window: self.cfg.default_window,
                        in_flight: 0,
                        announced: false,
                        server_asked: false,
                    }),
                    stats: Mutex::new(HostStats::default()),
                })
            })
            .clone()
    }

    /// Per-host statistics so far.
    pub fn stats(&self) -> BTreeMap<String, HostStats> {
        let hosts = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
        hosts
            .iter()
            .map(|(k, h)| {
                (
                    k.clone(),
                    h.stats.lock().unwrap_or_else(|p| p.into_inner()).clone(),
                )
            })
            .collect()
    }

    /// GET `url`, from the cache when fresh. Returns 2xx, 400, 404 and 410 answers (platforms say
    /// "no such account" with those); everything else is a [`FetchError`] after bounded retries.
    pub async fn get(&self, url: &str) -> Result<Fetched, FetchError> {
        self.get_with(url, &Options::default()).await
    }

    /// [`Http::get`] with extra headers, without the disk cache, or as an optional request.
    pub async fn get_with(&self, url: &str, opts: &Options) -> Result<Fetched, FetchError> {
        let parsed = Url::parse(url).map_err(|_| FetchError {
            host: url.to_string(),
            kind: FailKind::BadUrl(url.to_string()),
            attempts: 0,
        })?;
        let key = host_key(&parsed);
        if !allowed_url(&parsed) {
            return Err(FetchError {
                host: key,
                kind: FailKind::BadUrl(origin_of(&parsed)),
                attempts: 0,
            });
        }
        let host = self.host(&key);
        let cache = self.cache.as_ref().filter(|_| !opts.no_store);
        if let Some(entry) = cache.and_then(|c| c.get(url)) {
            bump(&host, |s| s.cached += 1);
            return Ok(Fetched {
                url: entry.url,
                status: entry.status,
                content_type: entry.content_type,
                body: entry.body,
                fetched_at: entry.fetched_at,
                from_cache: true,
            });
        }
        let fail = |kind: FailKind, attempts: u32| {
            bump(&host, |s| s.failures += 1);
            FetchError {
                host: key.clone(),
                kind,
                attempts,
            }
        };
        let mut last = FailKind::Timeout;
        for attempt in 1..=self.cfg.max_attempts.max(1) {
            if attempt > 1 {
                bump(&host, |s| s.retries += 1);
            }
            let outcome = {
                // The slot is held only while talking to the host, not while backing off.
                let Ok(_slot) = host.slots.acquire().await else {
                    return Err(fail(FailKind::Connect("client shut down".into()), attempt));
                };
                match self.spend(&host, opts.optional).await {
                    Ok(()) => {}
                    Err(Spend::TooLong(wait)) => {
                        return Err(fail(FailKind::WaitTooLong(wait.as_secs()), attempt))
                    }
                    Err(Spend::Skipped) => {
                        bump(&host, |s| s.skipped += 1);
                        return Err(FetchError {
                            host: key.clone(),
                            kind: FailKind::OverBudget,
                            attempts: 0,
                        });
                    }
                }
                bump(&host, |s| s.requests += 1);
                let outcome = self.attempt(&parsed, &opts.headers).await;
                match &outcome {
                    Attempt::Answer {
                        headers, status, ..
                    } => observe(&host, Some(headers), *status),
                    Attempt::Failed(_) => observe(&host, None, 0),
                }
                outcome
            };
            let fetched_at = Timestamp::now();
            let retry_after = match outcome {
                Attempt::Answer {
                    status,
                    body,
                    headers,
                } if (200..300).contains(&status) || matches!(status, 400 | 404 | 410) => {
                    let fetched = Fetched {
                        url: url.to_string(),
                        status,
                        content_type: header(&headers, &[CONTENT_TYPE.as_str()])
                            .map(str::to_string),
                        body,
                        fetched_at,
                        from_cache: false,
                    };
                    if let Some(cache) = cache {
                        cache.put(&Entry {
                            url: fetched.url.clone(),
                            fetched_at,
                            status,
                            content_type: fetched.content_type.clone(),
                            body: fetched.body.clone(),
                        });
                    }
                    return Ok(fetched);
                }
                Attempt::Answer { status: 401, .. } => {
                    return Err(fail(FailKind::Unauthorized, attempt))
                }
                Attempt::Answer {
                    status, headers, ..
                } if status == 429 || status >= 500 => {
                    last = if status == 429 {
                        FailKind::RateLimited
                    } else {
                        FailKind::Status(status)
                    };
                    retry_after_of(&headers)
                }
                Attempt::Answer { status, .. } => {
                    return Err(fail(FailKind::Status(status), attempt))
                }
                Attempt::Failed(kind @ (FailKind::Timeout | FailKind::Connect(_))) => {
                    last = kind;
                    None
                }
                Attempt::Failed(kind) => return Err(fail(kind, attempt)),
            };
            if attempt == self.cfg.max_attempts.max(1) {
                break;
            }
            match retry_after {
                // The budget now blocks the host until then; the next `spend` waits for it.
                Some(wait) if wait > self.cfg.max_wait => {
                    return Err(fail(FailKind::WaitTooLong(wait.as_secs()), attempt))
                }
                Some(_) => {}
                None => tokio::time::sleep(backoff(self.cfg.backoff_base, attempt)).await,
            }
        }
        Err(fail(last, self.cfg.max_attempts.max(1)))
    }

    /// Takes one request from the host's budget, waiting for the window to reset if it is spent.
    /// An optional request leaves a tenth of the window's budget untouched and waits at most
    /// `optional_wait`.
    async fn spend(&self, host: &Host, optional: bool) -> Result<(), Spend> {
        let mut waited = false;
        loop {
            let (wait, cause) = {
                let mut b = host.budget.lock().unwrap_or_else(|p| p.into_inner());
                let now = Instant::now();
                if now >= b.reset_at {
                    // Requests still in flight may yet land in the new window.
                    b.remaining = b.limit.saturating_sub(b.in_flight);
                    b.reset_at = now + b.window;
                    b.server_asked = false;
                }
                let reserve = if optional { b.limit / 10 } else { 0 };
                if b.remaining > reserve {
                    b.remaining -= 1;
                    b.in_flight += 1;
                    if waited {
                        self.progress.resume();
                    }
                    return Ok(());
                }
                let cause = if b.server_asked {
                    WaitCause::ServerAsked
                } else {
                    WaitCause::Budget {
                        limit: b.limit,
                        window: b.window,
                        announced: b.announced,
                    }
                };
                (b.reset_at - now, cause)
            };
            if optional && wait > self.cfg.optional_wait {
                return Err(Spend::Skipped);
            }
            if wait > self.cfg.max_wait {
                return Err(Spend::TooLong(wait));
            }
            if !waited {
                bump(host, |s| s.rate_waits += 1);
                waited = true;
            }
            self.progress
                .waiting(wait_message(&host.name, wait, &cause));
            tokio::time::sleep(wait).await;
        }
    }

    async fn attempt(&self, url: &Url, headers: &HeaderMap) -> Attempt {
        let work = async {
            let request = self.client.get(url.clone()).headers(headers.clone());
            let mut resp = match request.send().await {
                Ok(r) => r,
                Err(e) => return Attempt::Failed(classify(e)),
            };
            let status = resp.status().as_u16();
            let headers = resp.headers().clone();
            if resp
                .content_length()
                .is_some_and(|n| n > self.cfg.max_body as u64)
            {
                return Attempt::Failed(FailKind::TooLarge(self.cfg.max_body));
            }
            let mut body: Vec<u8> = Vec::new();
            loop {
                match resp.chunk().await {
                    Ok(Some(chunk)) => {
                        if body.len() + chunk.len() > self.cfg.max_body {
                            return Attempt::Failed(FailKind::TooLarge(self.cfg.max_body));
                        }
                        body.extend_from_slice(&chunk);
                    }
                    Ok(None) => break,
                    Err(e) => return Attempt::Failed(classify(e)),
                }
            }
            Attempt::Answer {
                status,
                headers,
                body: String::from_utf8_lossy(&body).into_owned(),
            }
        };
        // reqwest's own timeout covers the body too; this is the guarantee that nothing hangs.
        match tokio::time::timeout(self.cfg.timeout + Duration::from_millis(50), work).await {
            Ok(a) => a,
            Err(_) => Attempt::Failed(FailKind::Timeout),
        }
    }
}

fn bump(host: &Host, f: impl FnOnce(&mut HostStats)) {
    f(&mut host.stats.lock().unwrap_or_else(|p| p.into_inner()));
}

/// Why [`Http::spend`] sent nothing.
enum Spend {
    TooLong(Duration),
    Skipped,
}

fn classify(e: reqwest::Error) -> FailKind {
    if e.is_timeout() {
        return FailKind::Timeout;
    }
    // The URL may hold what was looked up (an e-mail address, a hash prefix): never in a message.
    let e = e.without_url();
    let mut text = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    if e.is_redirect() {
        return FailKind::Redirect(text);
    }
    if e.is_body() || e.is_decode() {
        // A connection cut mid-body: worth another try, like a refused connection.
        return FailKind::Connect(format!("truncated response: {text}"));
    }
    FailKind::Connect(text)
}

/// Exponential back-off with ±50 % jitter, so that many clients do not retry in step.
fn backoff(base: Duration, attempt: u32) -> Duration {
    let exp = base.saturating_mul(1u32 << attempt.saturating_sub(1).min(6));
    let capped = exp.min(Duration::from_secs(30));
    capped.mul_f64(0.5 + jitter())
}

/// A number in [0, 1) from a process-wide splitmix64 sequence: jitter needs spread, not secrecy.
fn jitter() -> f64 {
    static STATE: AtomicU64 = AtomicU64::new(0);
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let mut z = STATE.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed) ^ seed;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

fn header<'h>(headers: &'h HeaderMap, names: &[&str]) -> Option<&'h str> {
    names
        .iter()
        .find_map(|n| headers.get(*n).and_then(|v| v.to_str().ok()))
        .map(str::trim)
}

/// The first number of a header value (`50`, or `50, 50;w=1` in older RateLimit drafts).
fn leading_number(v: &str) -> Option<u32> {
    let head = v.split([',', ';']).next()?.trim();
    head.parse::<u32>().ok().or_else(|| {
        head.parse::<f64>()
            .ok()
            .filter(|f| *f >= 0.0)
            .map(|f| f as u32)
    })
}

/// A reset time as a delay from now: delta seconds, epoch seconds, an RFC 3339 timestamp
/// (Mastodon) or an HTTP date.
pub fn parse_reset(v: &str) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<f64>() {
        if !secs.is_finite() || secs < 0.0 {
            return None;
        }
        // Larger than a year of seconds: an epoch time (GitHub style), not a delay.
        if secs > 31_536_000.0 {
            let now = Timestamp::now().as_second() as f64;
            return Some(Duration::from_secs_f64((secs - now).max(0.0)));
        }
        return Some(Duration::from_secs_f64(secs));
    }
    let at = v
        .parse::<Timestamp>()
        .ok()
        .or_else(|| jiff::fmt::rfc2822::parse(v).ok().map(|z| z.timestamp()))?;
    let delta = at.duration_since(Timestamp::now());
    Some(Duration::try_from(delta).unwrap_or(Duration::ZERO))
}

/// `Retry-After`: delay-seconds or an HTTP date.
pub fn retry_after_of(headers: &HeaderMap) -> Option<Duration> {
    header(headers, &["retry-after"]).and_then(parse_reset)
}

/// Lowers the host's budget to what the server announces, and blocks it after a 429 or a
/// `Retry-After`, before the next request would hit the limit.
fn observe(host: &Host, headers: Option<&HeaderMap>, status: u16) {
    let mut b = host.budget.lock().unwrap_or_else(|p| p.into_inner());
    b.in_flight = b.in_flight.saturating_sub(1);
    let Some(headers) = headers else { return };
    let limit = header(headers, &["ratelimit-limit", "x-ratelimit-limit"]).and_then(leading_number);
    let remaining =
        header(headers, &["ratelimit-remaining", "x-ratelimit-remaining"]).and_then(leading_number);
    let reset = header(headers, &["ratelimit-reset", "x-ratelimit-reset"]).and_then(parse_reset);
    let retry_after = retry_after_of(headers);
    let now = Instant::now();
    if let Some(l) = limit {
        b.limit = l.max(1);
        b.announced = true;
    }
    if let Some(r) = remaining {
        // The other requests in flight may have reached the server after this answer was
        // counted: assume they all did not, so the budget never exceeds what is really left.
        let others = b.in_flight;
        b.remaining = b.remaining.min(r.saturating_sub(others));
    }
    if let Some(d) = reset {
        // The latest answer knows best when the server's window ends; at least a second, as
        // announced delays are rounded to whole seconds.
        b.reset_at = now + d.max(Duration::from_millis(1000));
        b.window = d.max(Duration::from_secs(1));
    }
    if status == 429 || retry_after.is_some() {
        // The server says when to come back; that overrides the window we assumed.
        let wait = retry_after
            .unwrap_or(Duration::from_secs(1))
            .max(reset.unwrap_or(Duration::ZERO));
        b.remaining = 0;
        b.reset_at = now + wait;
        b.server_asked = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http() -> Arc<Http> {
        Arc::new(Http::new(HttpConfig::default(), None).expect("client"))
    }

    #[test]
    fn an_api_url_keeps_the_base_path_and_only_the_given_query() {
        let api = Api::new(http(), "http://127.0.0.1:9/prefix/?stale=1", "bad").expect("a URL");
        assert_eq!(api.host(), "127.0.0.1:9");
        assert_eq!(
            api.url("/xrpc/app.bsky.actor.getProfile", &[("actor", "a b&c")]),
            "http://127.0.0.1:9/prefix/xrpc/app.bsky.actor.getProfile?actor=a+b%26c"
        );
        assert!(api.optional().opts.optional);
        assert!(!api.opts.optional, "the original stays essential");
    }

    #[test]
    fn a_base_that_is_not_a_url_names_the_setting() {
        let err = Api::new(http(), "not a url", "PALISADE_BLUESKY_API is not a URL")
            .err()
            .expect("refused");
        assert_eq!(
            err.to_string(),
            "not a url: PALISADE_BLUESKY_API is not a URL"
        );
    }
}
