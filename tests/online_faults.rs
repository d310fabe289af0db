//! Injected faults against real HTTP servers on 127.0.0.1: each ends in a clear `error`, no panic,
//! no hang. Times are short so the whole file runs in seconds.

mod online_common;

use std::time::{Duration, Instant};

use jiff::civil::date;
use online_common::*;
use palisade::checks::online::{online_drift, page_unlisted_links};
use palisade::engine::Context;
use palisade::model::results::Status;
use palisade::model::{Platform, Verification};
use palisade::online::http::{parse_reset, FailKind, Http, HttpConfig};
use palisade::online::{gather_blocking, OnlineConfig};

fn quick() -> HttpConfig {
    HttpConfig {
        timeout: Duration::from_millis(300),
        connect_timeout: Duration::from_millis(300),
        backoff_base: Duration::from_millis(10),
        max_wait: Duration::from_secs(3),
        ..HttpConfig::default()
    }
}

fn get(
    url: &str,
    cfg: HttpConfig,
) -> Result<palisade::online::http::Fetched, palisade::online::http::FetchError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async { Http::new(cfg, None).unwrap().get(url).await })
}

/// Runs a whole online gather against a faulty server and checks the drift and page results.
fn gather_with_fault(fault: Fault) -> (palisade::online::OnlineEvidence, Duration) {
    // HTML is not JSON: a malformed or cut JSON body is still a readable page.
    let page_fails = !matches!(fault, Fault::Malformed | Fault::Truncated);
    let server = start(Data::default(), fault);
    let inv = inventory(
        vec![
            account(
                "bsky",
                Platform::Bluesky,
                "westmerepolice.bsky.social",
                Some("Westmere Police"),
                Some(Verification::Verified),
            ),
            account(
                "masto",
                Platform::Mastodon,
                "westmere@mastodon.example",
                Some("Westmere Police"),
                None,
            ),
        ],
        Some(format!("{}/social", server.base())),
    );
    let mut cfg: OnlineConfig = config(&server, None);
    cfg.timeout = Duration::from_millis(300);
    let start = Instant::now();
    let ev = gather_blocking(
        &inv,
        &cfg,
        &[(
            "bsky".into(),
            Platform::Bluesky,
            vec!["westmerepolicee.bsky.social".into()],
        )],
    );
    let took = start.elapsed();
    let mut ctx = Context::new(&inv, date(2026, 10, 1));
    ctx.online = Some(ev.clone());
    for a in &inv.accounts {
        let o = online_drift(&ctx, a);
        assert_eq!(o.status, Status::Error, "{}: {o:?}", a.id);
        assert!(
            o.message.contains("127.0.0.1"),
            "the message names the host: {}",
            o.message
        );
    }
    if page_fails {
        let page = page_unlisted_links(&ctx);
        assert_eq!(page.status, Status::Error, "{page:?}");
        assert_eq!(ctx.online.as_ref().unwrap().listed_on_page("bsky"), None);
    }
    assert!(
        ev.sources.iter().any(|s| !s.ok),
        "a failed source is listed: {:?}",
        ev.sources
    );
    assert!(
        ev.defensive_registrations.is_empty(),
        "nothing is free when nobody answered"
    );
    (ev, took)
}

#[test]
fn service_unavailable_is_an_error_after_bounded_retries() {
    let (ev, took) = gather_with_fault(Fault::Status(503));
    let o = &ev.accounts["bsky"];
    assert!(
        o.error.as_deref().unwrap().contains("HTTP 503, 3 attempts"),
        "{o:?}"
    );
    assert!(took < Duration::from_secs(10), "{took:?}");
}

#[test]
fn slow_answers_time_out() {
    let (ev, took) = gather_with_fault(Fault::Slow(Duration::from_secs(3)));
    let o = &ev.accounts["masto"];
    assert!(o.error.as_deref().unwrap().ends_with("3 timeouts"), "{o:?}");
    assert!(took < Duration::from_secs(10), "{took:?}");
}

#[test]
fn unauthorized_is_an_error_with_that_reason() {
    let (ev, _) = gather_with_fault(Fault::Status(401));
    let o = &ev.accounts["masto"];
    assert!(
        o.error.as_deref().unwrap().contains("401 Unauthorized"),
        "{o:?}"
    );
}

#[test]
fn malformed_json_is_an_error() {
    let (ev, _) = gather_with_fault(Fault::Malformed);
    assert!(ev.accounts["bsky"]
        .error
        .as_deref()
        .unwrap()
        .contains("malformed response"));
    assert!(ev.accounts["masto"]
        .error
        .as_deref()
        .unwrap()
        .contains("invalid JSON"));
}

#[test]
fn truncated_json_is_an_error() {
    let (ev, _) = gather_with_fault(Fault::Truncated);
    assert!(ev.accounts["bsky"]
        .error
        .as_deref()
        .unwrap()
        .contains("malformed response"));
}

#[test]
fn ten_megabytes_are_abandoned() {
    let (ev, took) = gather_with_fault(Fault::Big { with_length: true });
    assert!(
        ev.accounts["bsky"]
            .error
            .as_deref()
            .unwrap()
            .contains("larger than 2097152 bytes"),
        "{:?}",
        ev.accounts["bsky"]
    );
    assert!(took < Duration::from_secs(10));
}

#[test]
fn redirect_loops_are_refused() {
    let (ev, _) = gather_with_fault(Fault::RedirectLoop);
    let e = ev.accounts["bsky"].error.clone().unwrap();
    assert!(e.contains("redirect loop"), "{e}");
}

#[test]
fn redirects_to_plain_http_are_refused() {
    let (ev, _) = gather_with_fault(Fault::RedirectInsecure);
    let e = ev.accounts["bsky"].error.clone().unwrap();
    assert!(e.contains("non-HTTPS"), "{e}");
}

#[test]
fn persistent_429_is_an_error() {
    let server = start(
        Data::default(),
        Fault::TooMany {
            n: 1000,
            retry_after: "0".into(),
        },
    );
    let err = get(
        &format!(
            "{}/xrpc/app.bsky.actor.getProfile?actor=a.bsky.social",
            server.base()
        ),
        quick(),
    )
    .unwrap_err();
    assert_eq!(err.kind, FailKind::RateLimited);
    assert_eq!(
        err.to_string(),
        format!("{}: rate limited (HTTP 429), 3 attempts", server.addr)
    );
    assert_eq!(server.requests(), 3);
}

#[test]
fn retry_after_is_honoured_then_the_request_succeeds() {
    let mut data = Data::default();
    data.bsky.insert(
        "a.bsky.social".into(),
        bsky_profile("did:plc:a", "a.bsky.social", "A", "none"),
    );
    let server = start(
        data,
        Fault::TooMany {
            n: 1,
            retry_after: "1".into(),
        },
    );
    let started = Instant::now();
    let f = get(
        &format!(
            "{}/xrpc/app.bsky.actor.getProfile?actor=a.bsky.social",
            server.base()
        ),
        quick(),
    )
    .unwrap();
    assert_eq!(f.status, 200);
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "waited for Retry-After: {:?}",
        started.elapsed()
    );
    assert_eq!(server.requests(), 2);
}

#[test]
fn a_wait_for_the_rate_limit_says_what_for_and_how_long() {
    let mut data = Data::default();
    data.bsky.insert(
        "a.bsky.social".into(),
        bsky_profile("did:plc:a", "a.bsky.social", "A", "none"),
    );
    let server = start(
        data,
        Fault::TooMany {
            n: 1,
            retry_after: "2".into(),
        },
    );
    let url = format!(
        "{}/xrpc/app.bsky.actor.getProfile?actor=a.bsky.social",
        server.base()
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    // The progress line is hidden (no terminal) but keeps what it would show.
    let http = std::sync::Arc::new(
        Http::new(quick(), None)
            .unwrap()
            .with_progress(palisade::online::Progress::hidden()),
    );
    let (during, after) = rt.block_on(async {
        let h = http.clone();
        let task = tokio::spawn(async move { h.get(&url).await });
        // Whenever the 429 has come back, the two-second wait shows.
        let mut during = String::new();
        while during.is_empty() && !task.is_finished() {
            tokio::time::sleep(Duration::from_millis(20)).await;
            during = http.progress().message();
        }
        let answer = task.await.unwrap().unwrap();
        assert_eq!(answer.status, 200);
        (during, http.progress().message())
    });
    let host = server.addr.to_string();
    // "waiting 1 s: 127.0.0.1:PORT asked palisade to slow down (HTTP 429 / Retry-After)"
    assert!(during.starts_with("waiting "), "{during}");
    assert!(
        during.contains(&format!(" s: {host} asked palisade to slow down")),
        "{during}"
    );
    assert_eq!(after, "", "the message goes once the wait is over");
}

#[test]
fn retry_after_as_http_date_is_honoured() {
    let mut data = Data::default();
    data.bsky.insert(
        "a.bsky.social".into(),
        bsky_profile("did:plc:a", "a.bsky.social", "A", "none"),
    );
    let when = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(2);
    let http_date = jiff::fmt::rfc2822::DateTimePrinter::new()
        .timestamp_to_rfc9110_string(&when)
        .unwrap();
    let server = start(
        data,
        Fault::TooMany {
            n: 1,
            retry_after: http_date,
        },
    );
    let started = Instant::now();
    let f = get(
        &format!(
            "{}/xrpc/app.bsky.actor.getProfile?actor=a.bsky.social",
            server.base()
        ),
        quick(),
    )
    .unwrap();
    assert_eq!(f.status, 200);
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_retry_after_beyond_the_allowed_wait_fails_at_once() {
    let server = start(
        Data::default(),
        Fault::TooMany {
            n: 1000,
            retry_after: "3600".into(),
        },
    );
    let started = Instant::now();
    let err = get(&format!("{}/x", server.base()), quick()).unwrap_err();
    assert_eq!(err.kind, FailKind::WaitTooLong(3600));
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[test]
fn a_streamed_body_beyond_the_cap_is_abandoned_chunk_by_chunk() {
    // No Content-Length: the body runs until the server closes, 10 MB later.
    let addr = start_raw(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n",
        10 * 1024 * 1024,
    );
    let err = get(&format!("http://{addr}/big"), quick()).unwrap_err();
    assert_eq!(err.kind, FailKind::TooLarge(2 * 1024 * 1024));
}

#[test]
fn a_connection_cut_mid_body_is_an_error() {
    let addr = start_raw("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5000\r\nConnection: close\r\n\r\n", 20);
    let err = get(&format!("http://{addr}/cut"), quick()).unwrap_err();
    assert!(matches!(err.kind, FailKind::Connect(_)), "{err}");
    assert_eq!(err.attempts, 3);
}

#[test]
fn nothing_listens_is_an_error() {
    let addr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let err = get(&format!("http://{addr}/x"), quick()).unwrap_err();
    assert!(matches!(err.kind, FailKind::Connect(_)), "{err}");
}

#[test]
fn plain_http_to_other_hosts_is_refused_without_connecting() {
    let err = get("http://example.invalid/x", quick()).unwrap_err();
    assert!(matches!(err.kind, FailKind::BadUrl(_)));
}

#[test]
fn reset_headers_in_every_documented_form() {
    assert_eq!(parse_reset("30"), Some(Duration::from_secs(30)));
    assert_eq!(parse_reset("0.5"), Some(Duration::from_millis(500)));
    let soon = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(120);
    let iso = parse_reset(&soon.to_string()).unwrap();
    assert!(
        iso > Duration::from_secs(100) && iso <= Duration::from_secs(120),
        "{iso:?}"
    );
    let epoch = parse_reset(&soon.as_second().to_string()).unwrap();
    assert!(epoch > Duration::from_secs(100) && epoch <= Duration::from_secs(120));
    let http_date = jiff::fmt::rfc2822::DateTimePrinter::new()
        .timestamp_to_rfc9110_string(&soon)
        .unwrap();
    let d = parse_reset(&http_date).unwrap();
    assert!(d > Duration::from_secs(100) && d <= Duration::from_secs(120));
    assert_eq!(parse_reset("soon"), None);
    assert_eq!(parse_reset("-3"), None);
}

#[test]
fn the_user_agent_names_palisade() {
    let server = start(Data::default(), Fault::None);
    let _ = get(&format!("{}/x", server.base()), quick());
    let uas = server.shared.user_agents.lock().unwrap().clone();
    assert_eq!(
        uas.into_iter().collect::<Vec<_>>(),
        vec![format!(
            "palisade/{} (+https://github.com/palisade)",
            env!("CARGO_PKG_VERSION")
        )]
    );
}
