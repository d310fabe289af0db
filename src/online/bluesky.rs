//! Bluesky's public AppView: profiles one at a time (`getProfile`, which says why an account is
//! missing), in batches of 25 (`getProfiles`, which silently leaves missing ones out), and the
//! actor search. Only reads the documented JSON shapes (`app.bsky.actor.defs#profileViewDetailed`);
//! anything else is a malformed answer, reported as such.

use std::sync::Arc;

use serde_json::Value;

use super::http::{Api, FetchError, Fetched, Http};

/// `getProfiles` accepts at most 25 actors.
pub const BATCH: usize = 25;

#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub did: String,
    pub handle: String,
    pub display_name: Option<String>,
    pub description: Option<String>,
    /// `verification.verifiedStatus`: `valid`, `invalid` or `none` (absent: `none`).
    pub verified_status: String,
}

impl Profile {
    pub fn url(&self) -> String {
        format!("https://bsky.app/profile/{}", self.handle)
    }
}

/// What `getProfile` says about one actor.
#[derive(Debug, Clone, PartialEq)]
pub enum Lookup {
    Found(Profile),
    NotFound,
    Deactivated,
    TakenDown,
}

/// Where an answer came from, for the evidence.
#[derive(Debug, Clone)]
pub struct Meta {
    pub source_url: String,
    pub fetched_at: String,
}

impl From<&Fetched> for Meta {
    fn from(f: &Fetched) -> Self {
        Meta {
            source_url: f.url.clone(),
            fetched_at: f.fetched_at.to_string(),
        }
    }
}

#[derive(Clone)]
pub struct Bluesky {
    api: Api,
}

impl Bluesky {
    pub fn new(http: Arc<Http>, base: &str) -> Result<Self, FetchError> {
        Ok(Bluesky {
            api: Api::new(http, base, "PALISADE_BLUESKY_API is not a URL")?,
        })
    }

    /// The same client for nice-to-have look-ups (look-alike probes, searches by handle): they
    /// give way to the essential ones when the host's request budget runs low.
    pub fn optional(&self) -> Self {
        Bluesky {
            api: self.api.optional(),
        }
    }

    pub fn host(&self) -> &str {
        self.api.host()
    }

    async fn get(&self, url: &str) -> Result<Fetched, FetchError> {
        self.api.get(url).await
    }

    fn endpoint(&self, method: &str, params: &[(&str, &str)]) -> String {
        self.api.url(&format!("/xrpc/{method}"), params)
    }

    pub async fn get_profile(&self, actor: &str) -> Result<(Lookup, Meta), FetchError> {
        let fetched = self
            .get(&self.endpoint("app.bsky.actor.getProfile", &[("actor", actor)]))
            .await?;
        let meta = Meta::from(&fetched);
        if fetched.status == 404 {
            return Ok((Lookup::NotFound, meta));
        }
        let json = fetched.json(self.api.host())?;
        if !fetched.ok() {
            let error = json.get("error").and_then(Value::as_str).unwrap_or("");
            let lookup = match error {
                "AccountDeactivated" => Lookup::Deactivated,
                "AccountTakedown" => Lookup::TakenDown,
                // "Profile not found", "Actor not found", an unresolvable handle...
                _ => Lookup::NotFound,
            };
            return Ok((lookup, meta));
        }
        Ok((Lookup::Found(self.profile(&json)?), meta))
    }

    /// Up to [`BATCH`] actors; the ones missing from the answer do not exist (or are hidden).
    pub async fn get_profiles(
        &self,
        actors: &[String],
    ) -> Result<(Vec<Profile>, Meta), FetchError> {
        let params: Vec<(&str, &str)> = actors
            .iter()
            .take(BATCH)
            .map(|a| ("actors", a.as_str()))
            .collect();
        let fetched = self
            .get(&self.endpoint("app.bsky.actor.getProfiles", &params))
            .await?;
        let meta = Meta::from(&fetched);
        let json = fetched.json(self.api.host())?;
        self.refused(fetched.ok(), &json, "getProfiles")?;
        Ok((self.profiles(&json, "profiles")?, meta))
    }

    pub async fn search(&self, q: &str) -> Result<(Vec<Profile>, Meta), FetchError> {
        let fetched = self
            .get(&self.endpoint("app.bsky.actor.searchActors", &[("q", q), ("limit", "25")]))
            .await?;
        let meta = Meta::from(&fetched);
        let json = fetched.json(self.api.host())?;
        self.refused(fetched.ok(), &json, "searchActors")?;
        Ok((self.profiles(&json, "actors")?, meta))
    }

    /// An XRPC error answer carries its reason in `message`; both list calls report it alike.
    fn refused(&self, ok: bool, json: &Value, op: &str) -> Result<(), FetchError> {
        if ok {
            return Ok(());
        }
        let message = json
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("bad request");
        Err(FetchError::malformed(
            self.api.host(),
            format!("{op} refused: {message}"),
        ))
    }

    fn profiles(&self, json: &Value, key: &str) -> Result<Vec<Profile>, FetchError> {
        let list = json.get(key).and_then(Value::as_array).ok_or_else(|| {
            FetchError::malformed(self.api.host(), format!("no `{key}` array in the answer"))
        })?;
        list.iter().map(|p| self.profile(p)).collect()
    }

    fn profile(&self, p: &Value) -> Result<Profile, FetchError> {
        let text = |k: &str| p.get(k).and_then(Value::as_str).map(str::to_string);
        let (Some(did), Some(handle)) = (text("did"), text("handle")) else {
            return Err(FetchError::malformed(
                self.api.host(),
                "a profile without `did` or `handle`",
            ));
        };
        let verified_status = p
            .pointer("/verification/verifiedStatus")
            .and_then(Value::as_str)
            .unwrap_or("none")
            .to_string();
        Ok(Profile {
            did,
            handle,
            display_name: text("displayName").filter(|s| !s.trim().is_empty()),
            description: text("description"),
            verified_status,
        })
    }
}

/// A syntactically possible Bluesky handle (a domain name); the AppView rejects a whole batch
/// for one impossible actor, so generated look-alikes are filtered first.
pub fn valid_handle(h: &str) -> bool {
    if h.len() > 253 || h.starts_with("did:") {
        return h.starts_with("did:") && h.len() <= 2048;
    }
    let labels: Vec<&str> = h.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
        && labels
            .last()
            .is_some_and(|t| t.as_bytes().first().is_some_and(u8::is_ascii_alphabetic))
}
