//! MAIL-05's source: Have I Been Pwned's breached-account API (v3) for the login and recovery
//! e-mail addresses of the accounts. Unlike Pwned Passwords this sends the whole address (there is
//! no k-anonymity for accounts), so it needs both `--online` and an API key in `HIBP_API_KEY`.
//! Requests go through the audit's one HTTP client ([`crate::online::Session`]).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use tokio::task::JoinSet;

pub use crate::model::evidence::EmailBreaches;
use crate::model::Inventory;
use crate::online::http::{FailKind, Fetched, Http, Options};
use crate::online::{OnlineConfig, Progress, Session};

pub const HIBP_API_KEY_ENV: &str = "HIBP_API_KEY";
/// Overrides the API base URL (a test server on loopback, a proxy).
pub const HIBP_API_ENV: &str = "PALISADE_HIBP_API";
pub const DEFAULT_HIBP_API: &str = "https://haveibeenpwned.com/api/v3";

/// How to reach the API. The key is a secret: it is sent only as the `hibp-api-key` header.
pub struct HibpConfig {
    pub base_url: String,
    pub api_key: SecretString,
}

impl fmt::Debug for HibpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HibpConfig")
            .field("base_url", &self.base_url)
            .field("api_key", &"[REDACTED]")
            .finish()
    }
}

impl HibpConfig {
    /// From the environment: `None` without `HIBP_API_KEY` (MAIL-05 is then skipped).
    pub fn from_env() -> Option<HibpConfig> {
        let key = std::env::var(HIBP_API_KEY_ENV)
            .ok()
            .filter(|k| !k.trim().is_empty())?;
        let base_url = std::env::var(HIBP_API_ENV)
            .ok()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_HIBP_API.to_string());
        Some(HibpConfig {
            base_url,
            api_key: SecretString::from(key),
        })
    }
}

#[derive(Deserialize)]
struct Breach {
    #[serde(rename = "Name")]
    name: String,
}

/// Looks up every distinct login and recovery address of the inventory's accounts that are not
/// closed, on a network session of its own (no disk cache). An audit uses
/// [`check_email_breaches_with`] and its shared session instead.
pub fn check_email_breaches(inv: &Inventory, config: &HibpConfig) -> EmailBreaches {
    let cfg = OnlineConfig {
        cache_dir: None,
        ..OnlineConfig::default()
    };
    match Session::new(&cfg, Progress::hidden()) {
        Ok(session) => check_email_breaches_with(inv, config, &session),
        Err(e) => EmailBreaches {
            per_address: addresses(inv)
                .into_iter()
                .map(|a| (a, Err(format!("cannot start an HTTP client: {e}"))))
                .collect(),
        },
    }
}

/// [`check_email_breaches`] through `session`'s client: the same request budget, retries, cache,
/// size cap and User-Agent as every other request, redirects only within the API's origin (so
/// the key goes nowhere else), and no Referer.
pub fn check_email_breaches_with(
    inv: &Inventory,
    config: &HibpConfig,
    session: &Session,
) -> EmailBreaches {
    let addresses = addresses(inv);
    let mut key = match HeaderValue::from_str(config.api_key.expose_secret().trim()) {
        Ok(v) => v,
        Err(_) => {
            let why = "HIBP_API_KEY is not a valid header value (it holds a line break or a control character)";
            return EmailBreaches {
                per_address: addresses
                    .into_iter()
                    .map(|a| (a, Err(why.to_string())))
                    .collect(),
            };
        }
    };
    key.set_sensitive(true);
    let mut opts = Options::default();
    opts.headers.insert("hibp-api-key", key);
    let base = config.base_url.trim_end_matches('/').to_string();
    let http = session.http().clone();
    let per_address = session.block_on(async move {
        let mut set = JoinSet::new();
        for addr in addresses {
            let (http, base, opts) = (http.clone(), base.clone(), opts.clone());
            http.progress().plan(1);
            set.spawn(async move {
                let answer = lookup(&http, &base, &opts, &addr).await;
                http.progress().done(1);
                (addr, answer)
            });
        }
        let mut out = BTreeMap::new();
        while let Some(joined) = set.join_next().await {
            if let Ok((addr, answer)) = joined {
                out.insert(addr, answer);
            }
        }
        out
    });
    EmailBreaches { per_address }
}

/// The distinct login and recovery addresses (lower-cased) of the accounts not closed.
fn addresses(inv: &Inventory) -> BTreeSet<String> {
    inv.accounts
        .iter()
        .filter(|a| a.status != crate::model::AccountStatus::Closed)
        .flat_map(|a| {
            [
                a.security.login_email.as_deref(),
                a.security.recovery_email.as_deref(),
            ]
        })
        .flatten()
        .map(|e| e.trim().to_lowercase())
        .filter(|e| !e.is_empty())
        .collect()
}

/// One address. Only the API's own answers count: a JSON list of breaches (200), or "in no
/// breach" (404, which the API sends without a web page). Anything else, a redirect included,
/// is an error, never "not breached".
async fn lookup(
    http: &Http,
    base: &str,
    opts: &Options,
    addr: &str,
) -> Result<Vec<String>, String> {
    let url = format!(
        "{base}/breachedaccount/{}?truncateResponse=true",
        percent_encode(addr)
    );
    let not_the_api = |what: &str| {
        format!("Have I Been Pwned's address answered {what}, not the API's answer (check {HIBP_API_ENV})")
    };
    let fetched = http.get_with(&url, opts).await.map_err(|e| match e.kind {
        FailKind::Unauthorized => {
            "Have I Been Pwned refused the API key (HIBP_API_KEY)".to_string()
        }
        FailKind::Redirect(_) => not_the_api(&format!("with a redirect ({e})")),
        _ => format!("Have I Been Pwned could not be asked: {e}"),
    })?;
    match fetched.status {
        200 => {
            let breaches: Vec<Breach> = serde_json::from_str(&fetched.body).map_err(|_| {
                "Have I Been Pwned sent an answer palisade does not understand".to_string()
            })?;
            let mut names: Vec<String> = breaches.into_iter().map(|b| b.name).collect();
            names.sort();
            Ok(names)
        }
        404 if !looks_like_a_page(&fetched) => Ok(Vec::new()),
        404 => Err(not_the_api("404 with a web page")),
        s => Err(format!("Have I Been Pwned answered HTTP {s}")),
    }
}

/// A web server's or proxy's error page, not an API's bare status.
fn looks_like_a_page(f: &Fetched) -> bool {
    f.content_type
        .as_deref()
        .is_some_and(|t| t.to_ascii_lowercase().contains("html"))
        || f.body.trim_start().starts_with('<')
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn addresses_are_percent_encoded() {
        assert_eq!(super::percent_encode("a+b@x.uk"), "a%2Bb%40x.uk");
    }
}
