//! AUTH-09's breach corpora: Pwned Passwords online by k-anonymity (only the first five hex
//! characters of a password's SHA-1 leave the machine, with response padding on), or offline from
//! the published SHA-1 list ordered by hash (`corpus.rs`).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use sha1::{Digest, Sha1};
use zeroize::Zeroizing;

pub use super::corpus::{CorpusError, PwnedFile};
use super::{Vault, VaultMatches};
use crate::error::Error;

pub const DEFAULT_PWNED_API: &str = "https://api.pwnedpasswords.com";
/// Overrides the online base URL (a mirror, a proxy, a test server on loopback).
pub const PWNED_API_ENV: &str = "PALISADE_PWNED_API";

/// Where AUTH-09 looks passwords up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BreachSource {
    /// `--pwned-file`: the SHA-1 list ordered by hash (`HASH:COUNT` lines), or a directory of
    /// the downloader's range files.
    Offline(PathBuf),
    /// `--online`: the range API at `base_url` (no trailing `/range`).
    Online { base_url: String },
    /// No corpus: AUTH-09 is skipped.
    None,
}

impl BreachSource {
    /// The online source at `--pwned-api`, else `PALISADE_PWNED_API`, else the public service.
    pub fn online(explicit: Option<&str>) -> BreachSource {
        let base_url = explicit
            .map(str::to_string)
            .or_else(|| {
                std::env::var(PWNED_API_ENV)
                    .ok()
                    .filter(|s| !s.trim().is_empty())
            })
            .unwrap_or_else(|| DEFAULT_PWNED_API.to_string());
        BreachSource::Online { base_url }
    }

    /// Checks an offline corpus up front, so that a wrong `--pwned-file` is an input error
    /// (exit 2) before anything is audited. Other sources always validate.
    pub fn validate(&self) -> Result<(), Error> {
        match self {
            BreachSource::Offline(p) => PwnedFile::open(p).map(|_| ()),
            _ => Ok(()),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            BreachSource::Offline(p) => format!("Pwned Passwords file {}", p.display()),
            BreachSource::Online { base_url } => format!("Pwned Passwords range API at {base_url}"),
            BreachSource::None => "none".into(),
        }
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

/// Breach status of every matched entry, by index into [`Vault::entries`].
#[derive(Debug, Clone, Default)]
pub struct BreachReport {
    pub source: String,
    pub per_entry: BTreeMap<usize, BreachStatus>,
}

/// Looks up the password of every entry matched to an account (only those: the rest of the
/// vault is none of palisade's business and stays on the machine).
pub fn check_breaches(
    vault: &Vault,
    matches: &VaultMatches,
    source: &BreachSource,
) -> BreachReport {
    let mut indices: Vec<usize> = matches
        .by_account
        .keys()
        .filter_map(|id| matches.entry_index(id))
        .collect();
    indices.sort_unstable();
    indices.dedup();
    let with_password: Vec<(usize, &SecretString)> = indices
        .iter()
        .filter_map(|&i| {
            vault
                .entries
                .get(i)
                .and_then(|e| e.password())
                .map(|p| (i, p))
        })
        .collect();

    let mut per_entry = BTreeMap::new();
    match source {
        BreachSource::None => {
            for (i, _) in with_password {
                per_entry.insert(
                    i,
                    BreachStatus::NotChecked {
                        reason: "no breach corpus given".into(),
                    },
                );
            }
        }
        BreachSource::Offline(path) => match PwnedFile::open(path) {
            Ok(file) => {
                for (i, p) in with_password {
                    let status = match file.count(&sha1_hex(p)) {
                        Ok(Some(count)) if count > 0 => BreachStatus::Found { count },
                        Ok(_) => BreachStatus::Clean,
                        Err(e) => BreachStatus::Failed {
                            reason: format!("{e} ({})", path.display()),
                        },
                    };
                    per_entry.insert(i, status);
                }
            }
            Err(_) => {
                for (i, _) in with_password {
                    let reason =
                        format!("the Pwned Passwords file {} cannot be read", path.display());
                    per_entry.insert(i, BreachStatus::Failed { reason });
                }
            }
        },
        BreachSource::Online { base_url } => {
            let mut client = RangeClient::new(base_url);
            for (i, p) in with_password {
                let hash = sha1_hex(p);
                let status = match client.count(&hash) {
                    Ok(Some(count)) => BreachStatus::Found { count },
                    Ok(None) => BreachStatus::Clean,
                    Err(reason) => BreachStatus::Failed { reason },
                };
                per_entry.insert(i, status);
            }
        }
    }
    BreachReport {
        source: source.describe(),
        per_entry,
    }
}

/// Upper-case hex SHA-1 of a password; zeroized on drop (a bare SHA-1 is crackable).
fn sha1_hex(password: &SecretString) -> Zeroizing<[u8; 40]> {
    let digest = Sha1::digest(password.expose_secret().as_bytes());
    let mut out = Zeroizing::new([0u8; 40]);
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for (i, b) in digest.iter().enumerate() {
        out[2 * i] = HEX[(b >> 4) as usize];
        out[2 * i + 1] = HEX[(b & 0xF) as usize];
    }
    out
}

/// The range API, one request per distinct five-character prefix.
struct RangeClient {
    base_url: String,
    client: Result<reqwest::blocking::Client, String>,
    cache: BTreeMap<String, Result<String, String>>,
}

impl RangeClient {
    fn new(base_url: &str) -> RangeClient {
        let client = reqwest::blocking::Client::builder()
            .user_agent(concat!("palisade/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| format!("cannot start an HTTP client: {e}"));
        RangeClient {
            base_url: base_url.trim_end_matches('/').to_string(),
            client,
            cache: BTreeMap::new(),
        }
    }

    /// `Ok(Some(count))` when the hash is in the corpus with a non-zero count.
    fn count(&mut self, hash: &[u8; 40]) -> Result<Option<u64>, String> {
        // Both halves are ASCII hex by construction.
        let prefix = String::from_utf8_lossy(&hash[..5]).into_owned();
        let suffix = &hash[5..];
        if !self.cache.contains_key(&prefix) {
            let answer = self.fetch(&prefix);
            self.cache.insert(prefix.clone(), answer);
        }
        let body = match self.cache.get(&prefix) {
            Some(Ok(body)) => body,
            Some(Err(e)) => return Err(e.clone()),
            None => return Err("internal: range answer missing".into()),
        };
        for line in body.lines() {
            let Some((s, c)) = line.trim().split_once(':') else {
                continue;
            };
            if s.len() == 35
                && s.bytes()
                    .map(|b| b.to_ascii_uppercase())
                    .eq(suffix.iter().copied())
            {
                // Padding lines carry a count of 0: they are not breaches.
                let count: u64 = c.trim().parse().unwrap_or(0);
                return Ok((count > 0).then_some(count));
            }
        }
        Ok(None)
    }

    fn fetch(&self, prefix: &str) -> Result<String, String> {
        let client = self.client.as_ref().map_err(Clone::clone)?;
        let url = format!("{}/range/{prefix}", self.base_url);
        let resp = client
            .get(&url)
            .header("Add-Padding", "true")
            .send()
            .map_err(|e| {
                format!(
                    "Pwned Passwords could not be reached at {}: {}",
                    self.base_url,
                    e.without_url()
                )
            })?;
        let status = resp.status();
        if !status.is_success() {
            return Err(format!(
                "Pwned Passwords at {} answered HTTP {status}",
                self.base_url
            ));
        }
        resp.text().map_err(|e| {
            format!(
                "Pwned Passwords answer could not be read: {}",
                e.without_url()
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha1_of_password_is_upper_hex() {
        let p = SecretString::from("password".to_string());
        assert_eq!(
            &sha1_hex(&p)[..],
            b"5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8"
        );
    }
}
