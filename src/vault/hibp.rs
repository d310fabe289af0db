//! MAIL-05's source: Have I Been Pwned's breached-account API (v3) for the login and recovery
//! e-mail addresses of the accounts. Unlike Pwned Passwords this sends the whole address (there is
//! no k-anonymity for accounts), so it needs both `--online` and an API key in `HIBP_API_KEY`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::model::Inventory;

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

#[derive(Deserialize)]
struct Breach {
    #[serde(rename = "Name")]
    name: String,
}

/// Looks up every distinct login and recovery address of the inventory's accounts that are not
/// closed. One request per address; a 429 is retried after the delay the API asks for.
pub fn check_email_breaches(inv: &Inventory, config: &HibpConfig) -> EmailBreaches {
    let addresses: BTreeSet<String> = inv
        .accounts
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
        .collect();
    let client = reqwest::blocking::Client::builder()
        .user_agent(concat!("palisade/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| format!("cannot start an HTTP client: {e}"));
    let base = config.base_url.trim_end_matches('/');
    let per_address = addresses
        .into_iter()
        .map(|addr| {
            let answer = match &client {
                Ok(c) => lookup(c, base, &config.api_key, &addr),
                Err(e) => Err(e.clone()),
            };
            (addr, answer)
        })
        .collect();
    EmailBreaches { per_address }
}

fn lookup(
    client: &reqwest::blocking::Client,
    base: &str,
    key: &SecretString,
    addr: &str,
) -> Result<Vec<String>, String> {
    let url = format!(
        "{base}/breachedaccount/{}?truncateResponse=true",
        percent_encode(addr)
    );
    for _attempt in 0..3 {
        let resp = client
            .get(&url)
            .header("hibp-api-key", key.expose_secret())
            .send()
            .map_err(|e| {
                format!(
                    "Have I Been Pwned could not be reached at {base}: {}",
                    e.without_url()
                )
            })?;
        match resp.status().as_u16() {
            200 => {
                let not_understood =
                    || "Have I Been Pwned sent an answer palisade does not understand".to_string();
                let body = resp.bytes().map_err(|_| not_understood())?;
                let breaches: Vec<Breach> =
                    serde_json::from_slice(&body).map_err(|_| not_understood())?;
                let mut names: Vec<String> = breaches.into_iter().map(|b| b.name).collect();
                names.sort();
                return Ok(names);
            }
            404 => return Ok(Vec::new()),
            429 => {
                let wait = resp
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .unwrap_or(2)
                    .min(60);
                std::thread::sleep(Duration::from_secs(wait));
            }
            401 => return Err("Have I Been Pwned refused the API key (HIBP_API_KEY)".into()),
            s => return Err(format!("Have I Been Pwned answered HTTP {s}")),
        }
    }
    Err("Have I Been Pwned kept answering 429 (rate limited)".into())
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
