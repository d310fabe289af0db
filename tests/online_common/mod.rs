//! A fake Bluesky AppView, Mastodon instance and organisation website on 127.0.0.1, answering
//! with the platforms' documented JSON shapes, with injectable faults and an optional per-second
//! rate limit that it announces in RateLimit headers and enforces with 429s.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderValue, Response, Uri};
use axum::Router;
use serde_json::{json, Value};

use palisade::model::{Account, Inventory, Organisation, Platform, Verification};
use palisade::online::{HttpConfig, OnlineConfig};

#[derive(Clone, Debug)]
pub enum Fault {
    None,
    /// Every request answers this status (401, 503...).
    Status(u16),
    /// The first `n` requests get 429 with `Retry-After: secs`, the rest are normal.
    TooMany {
        n: usize,
        retry_after: String,
    },
    /// Answers after this delay.
    Slow(Duration),
    /// `{"did": ` and nothing more.
    Malformed,
    /// A valid start of JSON cut in the middle of a string.
    Truncated,
    /// 10 MB of JSON-ish bytes; `with_length` sends Content-Length.
    Big {
        with_length: bool,
    },
    /// /a → /b → /a ...
    RedirectLoop,
    /// Redirect to plain http on a non-loopback host.
    RedirectInsecure,
}

#[derive(Default)]
pub struct Data {
    /// Bluesky profiles by lower-case handle (JSON in the profileViewDetailed shape).
    pub bsky: BTreeMap<String, Value>,
    pub bsky_deactivated: BTreeSet<String>,
    pub bsky_takendown: BTreeSet<String>,
    /// Mastodon accounts by lower-case `user@instance`.
    pub masto: BTreeMap<String, Value>,
    pub page_html: String,
    /// Served at /house-rules (404 while empty).
    pub house_rules_html: String,
}

pub struct Rate {
    pub limit: u32,
    pub window_start: Instant,
    pub window_index: u64,
    pub count: u32,
    pub max_seen: u32,
    pub rejected: u64,
}

pub struct Shared {
    pub fault: Mutex<Fault>,
    pub data: Mutex<Data>,
    pub requests: Mutex<u64>,
    pub paths: Mutex<Vec<String>>,
    pub user_agents: Mutex<BTreeSet<String>>,
    pub rate: Mutex<Option<Rate>>,
    pub started: Instant,
}

pub struct Server {
    pub addr: SocketAddr,
    pub shared: Arc<Shared>,
}

impl Server {
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }
    pub fn requests(&self) -> u64 {
        *self.shared.requests.lock().unwrap()
    }
    pub fn set_fault(&self, f: Fault) {
        *self.shared.fault.lock().unwrap() = f;
    }
    pub fn data(&self) -> std::sync::MutexGuard<'_, Data> {
        self.shared.data.lock().unwrap()
    }
    pub fn limit_per_second(&self, limit: u32) {
        *self.shared.rate.lock().unwrap() = Some(Rate {
            limit,
            window_start: Instant::now(),
            window_index: 0,
            count: 0,
            max_seen: 0,
            rejected: 0,
        });
    }
    /// (max requests seen in one second, requests rejected with 429).
    pub fn rate_report(&self) -> (u32, u64) {
        let r = self.shared.rate.lock().unwrap();
        r.as_ref()
            .map(|r| (r.max_seen.max(r.count), r.rejected))
            .unwrap_or((0, 0))
    }
}

/// Starts a server on its own thread and runtime (so it keeps serving while a test blocks).
pub fn start(data: Data, fault: Fault) -> Server {
    let shared = Arc::new(Shared {
        fault: Mutex::new(fault),
        data: Mutex::new(data),
        requests: Mutex::new(0),
        paths: Mutex::new(Vec::new()),
        user_agents: Mutex::new(BTreeSet::new()),
        rate: Mutex::new(None),
        started: Instant::now(),
    });
    let (tx, rx) = std::sync::mpsc::channel();
    let state = shared.clone();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            let app = Router::new().fallback(handle).with_state(state);
            axum::serve(listener, app).await.unwrap();
        });
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("server started");
    Server { addr, shared }
}

fn json_response(status: u16, body: Value) -> Response<Body> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

fn params(uri: &Uri) -> Vec<(String, String)> {
    let q = uri.query().unwrap_or("");
    reqwest::Url::parse(&format!("http://x/?{q}"))
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn param(uri: &Uri, key: &str) -> String {
    params(uri)
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
        .unwrap_or_default()
}

async fn handle(
    State(s): State<Arc<Shared>>,
    uri: Uri,
    headers: axum::http::HeaderMap,
) -> Response<Body> {
    let n = {
        let mut r = s.requests.lock().unwrap();
        *r += 1;
        *r
    };
    s.paths.lock().unwrap().push(uri.to_string());
    if let Some(ua) = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
    {
        s.user_agents.lock().unwrap().insert(ua.to_string());
    }
    // The rate limit: count this request in the current one-second window.
    let mut rate_headers: Option<(u32, u32)> = None;
    {
        let mut rate = s.rate.lock().unwrap();
        if let Some(r) = rate.as_mut() {
            let idx = r.window_start.elapsed().as_secs();
            if idx != r.window_index {
                r.max_seen = r.max_seen.max(r.count);
                r.window_index = idx;
                r.count = 0;
            }
            r.count += 1;
            if r.count > r.limit {
                r.rejected += 1;
                return Response::builder()
                    .status(429)
                    .header("Retry-After", "1")
                    .header("RateLimit-Limit", r.limit.to_string())
                    .header("RateLimit-Remaining", "0")
                    .header("RateLimit-Reset", "1")
                    .body(Body::from("{\"error\":\"RateLimitExceeded\"}"))
                    .unwrap();
            }
            rate_headers = Some((r.limit, r.limit - r.count));
        }
    }
    let fault = s.fault.lock().unwrap().clone();
    let mut resp = match fault {
        Fault::None => answer(&s, &uri),
        Fault::Status(code) => {
            json_response(code, json!({"error": "Fault", "message": "injected"}))
        }
        Fault::TooMany {
            n: first,
            retry_after,
        } if (n as usize) <= first => Response::builder()
            .status(429)
            .header("Retry-After", retry_after)
            .body(Body::from("{\"error\":\"RateLimitExceeded\"}"))
            .unwrap(),
        Fault::TooMany { .. } => answer(&s, &uri),
        Fault::Slow(d) => {
            tokio::time::sleep(d).await;
            answer(&s, &uri)
        }
        Fault::Malformed => json_response(200, json!(null)).map(|_| Body::from("{\"did\": ")),
        Fault::Truncated => json_response(200, json!(null))
            .map(|_| Body::from("{\"did\":\"did:plc:abc\",\"handle\":\"westm")),
        Fault::Big { with_length } => {
            let chunk = vec![b' '; 1024 * 1024];
            let _ = with_length;
            Response::builder()
                .status(200)
                .body(Body::from(chunk.repeat(10)))
                .unwrap()
        }
        Fault::RedirectLoop => {
            let next = if uri.path().starts_with("/loop-b") {
                "/loop-a"
            } else {
                "/loop-b"
            };
            Response::builder()
                .status(302)
                .header(header::LOCATION, next)
                .body(Body::empty())
                .unwrap()
        }
        Fault::RedirectInsecure => Response::builder()
            .status(302)
            .header(header::LOCATION, "http://example.invalid/xrpc")
            .body(Body::empty())
            .unwrap(),
    };
    if let Some((limit, remaining)) = rate_headers {
        let h = resp.headers_mut();
        h.insert("RateLimit-Limit", HeaderValue::from(limit));
        h.insert("RateLimit-Remaining", HeaderValue::from(remaining));
        h.insert("RateLimit-Reset", HeaderValue::from(1u32));
    }
    resp
}

/// A raw TCP server for what a well-behaved HTTP library will not send: it answers every
/// connection with `head` and then `body_len` bytes of `fill`, and closes (or stalls, if `stall`).
pub fn start_raw(head: &'static str, body_len: usize) -> SocketAddr {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf);
                let _ = stream.write_all(head.as_bytes());
                let chunk = vec![b'x'; 64 * 1024];
                let mut sent = 0;
                while sent < body_len {
                    let n = chunk.len().min(body_len - sent);
                    if stream.write_all(&chunk[..n]).is_err() {
                        return;
                    }
                    sent += n;
                }
            });
        }
    });
    addr
}

fn answer(s: &Shared, uri: &Uri) -> Response<Body> {
    let data = s.data.lock().unwrap();
    let path = uri.path();
    let not_found = || {
        json_response(
            400,
            json!({"error": "InvalidRequest", "message": "Profile not found"}),
        )
    };
    let find = |actor: &str| -> Option<Value> {
        let a = actor.to_ascii_lowercase();
        data.bsky
            .get(&a)
            .cloned()
            .or_else(|| data.bsky.values().find(|p| p["did"] == a.as_str()).cloned())
    };
    match path {
        "/xrpc/app.bsky.actor.getProfile" => {
            let actor = param(uri, "actor").to_ascii_lowercase();
            if data.bsky_deactivated.contains(&actor) {
                return json_response(
                    400,
                    json!({"error": "AccountDeactivated", "message": "Account is deactivated"}),
                );
            }
            if data.bsky_takendown.contains(&actor) {
                return json_response(
                    400,
                    json!({"error": "AccountTakedown", "message": "Account has been suspended"}),
                );
            }
            match find(&actor) {
                Some(p) => json_response(200, p),
                None => not_found(),
            }
        }
        "/xrpc/app.bsky.actor.getProfiles" => {
            let actors: Vec<String> = params(uri)
                .into_iter()
                .filter(|(k, _)| k == "actors")
                .map(|(_, v)| v)
                .collect();
            if actors.len() > 25 {
                return json_response(
                    400,
                    json!({"error": "InvalidRequest", "message": "actors must not have more than 25 elements"}),
                );
            }
            let profiles: Vec<Value> = actors
                .iter()
                .filter(|a| !data.bsky_deactivated.contains(&a.to_ascii_lowercase()))
                .filter_map(|a| find(a))
                .collect();
            json_response(200, json!({"profiles": profiles}))
        }
        "/xrpc/app.bsky.actor.searchActors" => {
            let q = param(uri, "q").to_ascii_lowercase();
            let first = q.split_whitespace().next().unwrap_or("").to_string();
            let actors: Vec<Value> = data
                .bsky
                .values()
                .filter(|p| {
                    let name = p["displayName"].as_str().unwrap_or("").to_ascii_lowercase();
                    let handle = p["handle"].as_str().unwrap_or("").to_ascii_lowercase();
                    !first.is_empty() && (name.contains(&first) || handle.contains(&first))
                })
                .take(25)
                .cloned()
                .collect();
            json_response(200, json!({"actors": actors}))
        }
        "/api/v1/accounts/lookup" => {
            let acct = param(uri, "acct").to_ascii_lowercase();
            match data.masto.get(&acct) {
                Some(a) => json_response(200, a.clone()),
                None => json_response(404, json!({"error": "Record not found"})),
            }
        }
        "/api/v2/search" => {
            let q = param(uri, "q").to_ascii_lowercase();
            let first = q.split_whitespace().next().unwrap_or("").to_string();
            let accounts: Vec<Value> = data
                .masto
                .values()
                .filter(|a| {
                    let name = a["display_name"]
                        .as_str()
                        .unwrap_or("")
                        .to_ascii_lowercase();
                    !first.is_empty()
                        && (name.contains(&first)
                            || a["acct"].as_str().unwrap_or("").contains(&first))
                })
                .cloned()
                .collect();
            json_response(
                200,
                json!({"accounts": accounts, "statuses": [], "hashtags": []}),
            )
        }
        "/social" => Response::builder()
            .status(200)
            .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
            .body(Body::from(data.page_html.clone()))
            .unwrap(),
        "/house-rules" if !data.house_rules_html.is_empty() => Response::builder()
            .status(200)
            .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
            .body(Body::from(data.house_rules_html.clone()))
            .unwrap(),
        _ => json_response(404, json!({"error": "NotFound"})),
    }
}

/// A Bluesky profile in the `app.bsky.actor.defs#profileViewDetailed` shape.
pub fn bsky_profile(did: &str, handle: &str, name: &str, verified: &str) -> Value {
    json!({
        "did": did,
        "handle": handle,
        "displayName": name,
        "description": format!("Official account of {name}"),
        "avatar": "https://cdn.bsky.app/img/avatar/plain/did:plc:x/abc@jpeg",
        "followersCount": 1200,
        "followsCount": 10,
        "postsCount": 300,
        "indexedAt": "2026-01-01T00:00:00.000Z",
        "createdAt": "2024-02-01T00:00:00.000Z",
        "labels": [],
        "verification": {"verifications": [], "verifiedStatus": verified, "trustedVerifierStatus": "none"}
    })
}

/// A Mastodon `Account` entity; `website` becomes a verified rel="me" field when given.
pub fn masto_account(
    id: &str,
    user: &str,
    instance: &str,
    name: &str,
    website: Option<&str>,
) -> Value {
    let fields: Vec<Value> = website
        .map(|w| {
            vec![json!({
                "name": "Website",
                "value": format!("<a href=\"{w}\" target=\"_blank\" rel=\"nofollow noopener noreferrer me\"><span class=\"invisible\">https://</span><span class=\"\">{}</span></a>", w.trim_start_matches("https://")),
                "verified_at": "2026-01-02T10:00:00.000+00:00"
            })]
        })
        .unwrap_or_default();
    json!({
        "id": id,
        "username": user,
        "acct": user,
        "display_name": name,
        "locked": false,
        "bot": false,
        "discoverable": true,
        "group": false,
        "created_at": "2023-01-01T00:00:00.000Z",
        "note": format!("<p>Official account of {name}</p>"),
        "url": format!("https://{instance}/@{user}"),
        "avatar": format!("https://{instance}/avatars/original/missing.png"),
        "followers_count": 800,
        "following_count": 3,
        "statuses_count": 120,
        "last_status_at": "2026-09-01",
        "emojis": [],
        "fields": fields
    })
}

pub fn account(
    id: &str,
    platform: Platform,
    handle: &str,
    name: Option<&str>,
    verification: Option<Verification>,
) -> Account {
    Account {
        display_name: name.map(str::to_string),
        verification,
        ..Account::new(id, platform, handle)
    }
}

pub fn inventory(accounts: Vec<Account>, page: Option<String>) -> Inventory {
    Inventory {
        path: "inventory.yaml".into(),
        organisation: Organisation {
            name: "Westmere Constabulary".into(),
            email_domains: vec!["westmere.police.uk".into()],
            website: Some("https://www.westmere.police.uk".into()),
            official_accounts_page: page,
        },
        accounts,
        ..Default::default()
    }
}

/// A config pointing every source at `server`, with short times and a private cache directory.
pub fn config(server: &Server, cache: Option<&std::path::Path>) -> OnlineConfig {
    OnlineConfig {
        bluesky_api: server.base(),
        mastodon_api: Some(server.base()),
        cache_dir: cache.map(|p| p.to_path_buf()),
        timeout: Duration::from_millis(400),
        http: HttpConfig {
            connect_timeout: Duration::from_millis(400),
            backoff_base: Duration::from_millis(20),
            max_wait: Duration::from_secs(5),
            ..HttpConfig::default()
        },
        ..OnlineConfig::default()
    }
}
