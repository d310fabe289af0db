//! AUTH-09's breach corpora: Pwned Passwords online by k-anonymity (only the first five hex
//! characters of a password's SHA-1 leave the machine, with response padding on), or offline from
//! the published SHA-1 list ordered by hash (`corpus.rs`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};
use sha1::{Digest, Sha1};
use tokio::task::JoinSet;
use zeroize::Zeroizing;

pub use super::corpus::{CorpusError, PwnedFile};
use super::{Vault, VaultMatches};
use crate::error::Error;
pub use crate::model::evidence::BreachStatus;
use crate::online::http::{FailKind, Http, Options};
use crate::online::{OnlineConfig, Progress, Session};

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

/// Breach status of every matched entry, by index into [`Vault::entries`].
#[derive(Debug, Clone, Default)]
pub struct BreachReport {
    pub source: String,
    pub per_entry: BTreeMap<usize, BreachStatus>,
}

/// Looks up the password of every entry matched to an account (only those: the rest of the
/// vault is none of palisade's business and stays on the machine). Online, on a network session
/// of its own; an audit uses [`check_breaches_with`] and its shared session.
pub fn check_breaches(
    vault: &Vault,
    matches: &VaultMatches,
    source: &BreachSource,
) -> BreachReport {
    check_breaches_with(vault, matches, source, None)
}

/// [`check_breaches`], asking the range API through `session` when given.
pub fn check_breaches_with(
    vault: &Vault,
    matches: &VaultMatches,
    source: &BreachSource,
    session: Option<&Session>,
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
            let hashes: Vec<(usize, Zeroizing<[u8; 40]>)> = with_password
                .into_iter()
                .map(|(i, p)| (i, sha1_hex(p)))
                .collect();
            let prefixes: BTreeSet<String> = hashes.iter().map(|(_, h)| range_prefix(h)).collect();
            let ranges = match session {
                Some(s) => fetch_ranges(base_url, prefixes, s),
                None => {
                    let cfg = OnlineConfig {
                        cache_dir: None,
                        ..OnlineConfig::default()
                    };
                    match Session::new(&cfg, Progress::hidden()) {
                        Ok(s) => fetch_ranges(base_url, prefixes, &s),
                        Err(e) => prefixes
                            .into_iter()
                            .map(|p| (p, Err(format!("cannot start an HTTP client: {e}"))))
                            .collect(),
                    }
                }
            };
            for (i, hash) in hashes {
                let status = match ranges.get(&range_prefix(&hash)) {
                    Some(Ok(range)) => match range.count(&hash[5..]) {
                        Some(count) => BreachStatus::Found { count },
                        None => BreachStatus::Clean,
                    },
                    Some(Err(reason)) => BreachStatus::Failed {
                        reason: reason.clone(),
                    },
                    None => BreachStatus::Failed {
                        reason: "internal: range answer missing".into(),
                    },
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

/// The first five hex characters of a hash: all that the range API is told.
fn range_prefix(hash: &[u8; 40]) -> String {
    // ASCII hex by construction.
    String::from_utf8_lossy(&hash[..5]).into_owned()
}

/// One range answer: `SUFFIX:COUNT` lines, padding (count 0) included.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Range(Vec<([u8; 35], u64)>);

impl Range {
    /// Only the API's own answer is one: every line `35 hex:count`, and at least one line (with
    /// padding on there are hundreds). A web page or an empty body would otherwise read as
    /// "in no breach".
    fn parse(body: &str) -> Option<Range> {
        let mut out = Vec::new();
        for line in body.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let (suffix, count) = line.split_once(':')?;
            if suffix.len() != 35 || !suffix.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            let count: u64 = count.trim().parse().ok()?;
            let mut s = [0u8; 35];
            for (d, b) in s.iter_mut().zip(suffix.bytes()) {
                *d = b.to_ascii_uppercase();
            }
            out.push((s, count));
        }
        (!out.is_empty()).then_some(Range(out))
    }

    /// The breach count of `suffix` (upper-case hex), when it is there with a count above 0
    /// (padding lines have 0).
    fn count(&self, suffix: &[u8]) -> Option<u64> {
        self.0
            .iter()
            .find(|(s, _)| s[..] == *suffix)
            .map(|(_, c)| *c)
            .filter(|c| *c > 0)
    }
}

/// The range API through the audit's client, one request per distinct prefix, in parallel:
/// `Add-Padding: true`, never cached on disk (the prefixes are a fingerprint of the passwords),
/// the same budget, retries, size cap, redirect rule and User-Agent as every other request.
fn fetch_ranges(
    base_url: &str,
    prefixes: BTreeSet<String>,
    session: &Session,
) -> BTreeMap<String, Result<Range, String>> {
    let base = base_url.trim_end_matches('/').to_string();
    let mut opts = Options {
        no_store: true,
        ..Options::default()
    };
    opts.headers
        .insert("add-padding", HeaderValue::from_static("true"));
    let http = session.http().clone();
    session.block_on(async move {
        let mut set = JoinSet::new();
        for prefix in prefixes {
            let (http, base, opts) = (http.clone(), base.clone(), opts.clone());
            http.progress().plan(1);
            set.spawn(async move {
                let answer = fetch_range(&http, &base, &opts, &prefix).await;
                http.progress().done(1);
                (prefix, answer)
            });
        }
        let mut out = BTreeMap::new();
        while let Some(joined) = set.join_next().await {
            if let Ok((prefix, answer)) = joined {
                out.insert(prefix, answer);
            }
        }
        out
    })
}

async fn fetch_range(
    http: &Http,
    base: &str,
    opts: &Options,
    prefix: &str,
) -> Result<Range, String> {
    let fetched = http
        .get_with(&format!("{base}/range/{prefix}"), opts)
        .await
        .map_err(|e| match e.kind {
            FailKind::Connect(_) | FailKind::Timeout => {
                format!("Pwned Passwords could not be reached at {base}: {e}")
            }
            _ => format!("Pwned Passwords at {base} gave no usable answer: {e}"),
        })?;
    if fetched.status != 200 {
        return Err(format!(
            "Pwned Passwords at {base} answered HTTP {}",
            fetched.status
        ));
    }
    Range::parse(&fetched.body).ok_or_else(|| {
        format!("Pwned Passwords at {base} sent something that is not a range answer")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_range_api_s_own_answer_is_read() {
        let ok = Range::parse(
            "0018A45C4D1DEF81644B54AB7F969B88D65:1\r\n00D4F6E8FA6EECAD2A3AA415EEC418D38EC:0\r\n",
        )
        .expect("a range answer");
        assert_eq!(ok.count(b"0018A45C4D1DEF81644B54AB7F969B88D65"), Some(1));
        assert_eq!(
            ok.count(b"00D4F6E8FA6EECAD2A3AA415EEC418D38EC"),
            None,
            "padding"
        );
        for not_range in [
            "",
            "<html><body>Sign in to the proxy</body></html>",
            "{\"error\":1}",
        ] {
            assert_eq!(Range::parse(not_range), None, "{not_range:?}");
        }
    }

    #[test]
    fn sha1_of_password_is_upper_hex() {
        let p = SecretString::from("password".to_string());
        assert_eq!(
            &sha1_hex(&p)[..],
            b"5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8"
        );
    }
}
