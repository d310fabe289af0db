//! Load: 2,000 look-ups against a local server that allows 50 requests a second (announced in
//! RateLimit headers, enforced with 429) finish without a failure and never exceed the limit;
//! and the time of a 40-account online audit against that server. Prints its figures (run with
//! `--nocapture` to see them).

mod online_common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use online_common::*;
use palisade::model::Platform;
use palisade::online::bluesky::{Bluesky, Lookup};
use palisade::online::gather_blocking;
use palisade::online::http::{Http, HttpConfig};

const LIMIT: u32 = 50;

#[test]
fn two_thousand_lookups_stay_under_the_announced_limit() {
    let mut data = Data::default();
    for i in 0..100 {
        let h = format!("user{i}.bsky.social");
        data.bsky.insert(
            h.clone(),
            bsky_profile(&format!("did:plc:u{i}"), &h, "User", "none"),
        );
    }
    let server = start(data, Fault::None);
    server.limit_per_second(LIMIT);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let started = Instant::now();
    let (ok, failed) = rt.block_on(async {
        let cfg = HttpConfig {
            timeout: Duration::from_secs(5),
            max_wait: Duration::from_secs(10),
            ..HttpConfig::default()
        };
        let http = Arc::new(Http::new(cfg, None).unwrap());
        let bsky = Bluesky::new(http, &server.base()).unwrap();
        let mut set = tokio::task::JoinSet::new();
        for i in 0..2000 {
            let b = bsky.clone();
            set.spawn(async move { b.get_profile(&format!("user{}.bsky.social", i % 150)).await });
        }
        let (mut ok, mut failed) = (0, Vec::new());
        while let Some(r) = set.join_next().await {
            match r.unwrap() {
                Ok((Lookup::Found(_) | Lookup::NotFound, _)) => ok += 1,
                Ok(other) => failed.push(format!("{other:?}")),
                Err(e) => failed.push(e.to_string()),
            }
        }
        (ok, failed)
    });
    let took = started.elapsed();
    let (max_seen, rejected) = server.rate_report();
    eprintln!(
        "load: 2000 look-ups in {:.1} s ({:.1}/s), max {max_seen} requests in one second (limit {LIMIT}), {rejected} rejected",
        took.as_secs_f64(),
        2000.0 / took.as_secs_f64()
    );
    assert!(
        failed.is_empty(),
        "{} failures, first: {:?}",
        failed.len(),
        failed.first()
    );
    assert_eq!(ok, 2000);
    assert_eq!(rejected, 0, "the client never hit the limit");
    assert!(max_seen <= LIMIT, "max {max_seen} in one second");
    assert!(took < Duration::from_secs(120), "{took:?}");
}

#[test]
fn a_forty_account_online_audit() {
    let mut data = Data::default();
    let mut accounts = Vec::new();
    let mut lookalikes = Vec::new();
    for i in 0..20 {
        let h = format!("westmere{i}.bsky.social");
        data.bsky.insert(
            h.clone(),
            bsky_profile(
                &format!("did:plc:w{i}"),
                &h,
                &format!("Westmere Team {i}"),
                "none",
            ),
        );
        accounts.push(account(
            &format!("bsky-{i}"),
            Platform::Bluesky,
            &h,
            Some(&format!("Westmere Team {i}")),
            None,
        ));
        lookalikes.push((
            format!("bsky-{i}"),
            Platform::Bluesky,
            (0..10)
                .map(|k| format!("westmere{i}x{k}.bsky.social"))
                .collect(),
        ));
        let acct = format!("westmere{i}@mastodon.example");
        data.masto.insert(
            acct.clone(),
            masto_account(
                &i.to_string(),
                &format!("westmere{i}"),
                "mastodon.example",
                &format!("Westmere Area {i}"),
                Some("https://www.westmere.police.uk"),
            ),
        );
        accounts.push(account(
            &format!("masto-{i}"),
            Platform::Mastodon,
            &acct,
            Some(&format!("Westmere Area {i}")),
            None,
        ));
        lookalikes.push((
            format!("masto-{i}"),
            Platform::Mastodon,
            (0..3).map(|k| format!("westmere{i}y{k}")).collect(),
        ));
    }
    data.page_html =
        "<a href=\"https://bsky.app/profile/westmere0.bsky.social\">Bluesky</a>".into();
    let server = start(data, Fault::None);
    server.limit_per_second(LIMIT);
    let inv = inventory(accounts, Some(format!("{}/social", server.base())));
    let mut cfg = config(&server, None);
    cfg.timeout = Duration::from_secs(5);
    cfg.http.max_wait = Duration::from_secs(10);
    let started = Instant::now();
    let ev = gather_blocking(&inv, &cfg, &lookalikes);
    let took = started.elapsed();
    let (max_seen, rejected) = server.rate_report();
    eprintln!(
        "40-account online audit: {:.1} s, {} requests, max {max_seen}/s (limit {LIMIT}), {rejected} rejected; {} observations, {} candidates, {} names to register",
        took.as_secs_f64(),
        server.requests(),
        ev.accounts.len(),
        ev.candidates.len(),
        ev.defensive_registrations.len()
    );
    assert_eq!(ev.accounts.len(), 40);
    assert!(
        ev.accounts
            .values()
            .all(|o| o.error.is_none() && o.exists == Some(true)),
        "{:?}",
        ev.sources
    );
    assert!(ev.sources.iter().all(|s| s.ok), "{:?}", ev.sources);
    assert_eq!(ev.defensive_registrations.len(), 20 * 10 + 20 * 3);
    assert_eq!(rejected, 0);
    assert!(max_seen <= LIMIT);
}
