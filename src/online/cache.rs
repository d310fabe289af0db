//! The on-disk cache of earlier network answers, so that a re-run within the TTL asks nobody
//! anything and a re-run after it asks again.
//!
//! One JSON file per request URL (named by the SHA-256 of the URL), written to a temporary file
//! and renamed into place, so that a crash or a concurrent run never leaves a half-written entry
//! that a later run would trust. Every entry keeps the URL and the time it was fetched: evidence
//! read from the cache says when it was true.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// One cached answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    pub url: String,
    pub fetched_at: Timestamp,
    pub status: u16,
    /// Absent in entries written before it was recorded.
    #[serde(default)]
    pub content_type: Option<String>,
    pub body: String,
}

#[derive(Debug)]
pub struct Cache {
    dir: PathBuf,
    ttl: Duration,
    /// `--refresh`: never read, still write (the fresh answers serve the next run).
    refresh: bool,
}

static TMP_COUNTER: AtomicU64 = AtomicU64::new(0);

impl Cache {
    pub fn new(dir: PathBuf, ttl: Duration, refresh: bool) -> Self {
        Cache { dir, ttl, refresh }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path_for(&self, key: &str) -> PathBuf {
        let digest = Sha256::digest(key.as_bytes());
        let name: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        self.dir.join(format!("{name}.json"))
    }

    /// A fresh entry for `url`, or `None` (missing, expired, unreadable or `--refresh`).
    /// A corrupt entry is treated as missing: the cache is an optimisation, never a source of truth.
    pub fn get(&self, url: &str) -> Option<Entry> {
        if self.refresh {
            return None;
        }
        let bytes = crate::input::read(&self.path_for(url), crate::input::CACHE_ENTRY).ok()?;
        let entry: Entry = serde_json::from_slice(&bytes).ok()?;
        if entry.url != url {
            return None;
        }
        let age = Timestamp::now().duration_since(entry.fetched_at);
        let ttl = jiff::SignedDuration::try_from(self.ttl).unwrap_or(jiff::SignedDuration::MAX);
        if age.is_negative() || age > ttl {
            return None;
        }
        Some(entry)
    }

    /// Stores an entry atomically. Failure to cache is not a failure of the audit, so it is
    /// reported to the caller only as a boolean it may ignore.
    pub fn put(&self, entry: &Entry) -> bool {
        self.write_atomic(&self.path_for(&entry.url), entry)
    }

    /// Reads a named, non-expiring memory (e.g. the DIDs seen for Bluesky handles).
    pub fn read_memory<T: for<'de> Deserialize<'de> + Default>(&self, name: &str) -> T {
        crate::input::read(&self.dir.join(name), crate::input::CACHE_ENTRY)
            .ok()
            .and_then(|t| serde_json::from_slice(&t).ok())
            .unwrap_or_default()
    }

    pub fn write_memory<T: Serialize>(&self, name: &str, value: &T) -> bool {
        self.write_atomic(&self.dir.join(name), value)
    }

    fn write_atomic<T: Serialize + ?Sized>(&self, path: &Path, value: &T) -> bool {
        if std::fs::create_dir_all(&self.dir).is_err() {
            return false;
        }
        let Ok(text) = serde_json::to_string(value) else {
            return false;
        };
        let n = TMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        let tmp = path.with_extension(format!("tmp.{}.{n}", std::process::id()));
        if std::fs::write(&tmp, text).is_err() {
            let _ = std::fs::remove_file(&tmp);
            return false;
        }
        if std::fs::rename(&tmp, path).is_err() {
            let _ = std::fs::remove_file(&tmp);
            return false;
        }
        true
    }
}

/// `$XDG_CACHE_HOME/palisade`, else `~/.cache/palisade`, else a directory under the system temp dir.
pub fn default_dir() -> PathBuf {
    if let Some(x) = std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(x).join("palisade");
    }
    if let Some(h) = std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(h).join(".cache").join("palisade");
    }
    std::env::temp_dir().join("palisade-cache")
}
