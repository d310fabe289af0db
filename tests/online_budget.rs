//! Issue 13: an online audit against loopback servers that announce no rate limits keeps within
//! the budget palisade assumes for them (300 requests per 5 minutes per host) and never waits for
//! it: the look-alike probes take the most likely few variants per handle and give way when the
//! budget runs low, and the report says how many were left out. The budget wait is cut to 2 s
//! here, so a plan that needed to wait fails instead of taking five minutes.

mod online_common;

use std::time::Duration;

use online_common::*;
use palisade::impersonation::lookalikes::most_likely_first;
use palisade::model::{Account, Platform};
use palisade::online::{gather_blocking, OnlineConfig, OnlineEvidence};

const BUDGET: u64 = 300;

fn probes(accounts: &[Account]) -> Vec<(String, Platform, Vec<String>)> {
    accounts
        .iter()
        .filter(|a| matches!(a.platform, Platform::Bluesky | Platform::Mastodon))
        .map(|a| {
            (
                a.id.clone(),
                a.platform,
                most_likely_first(&a.handle, a.platform)
                    .into_iter()
                    .map(|l| l.handle)
                    .collect(),
            )
        })
        .collect()
}

/// Bluesky and the page on one server, every Mastodon instance on another (the override).
fn setup(masto_accounts: usize) -> (Server, Server, palisade::model::Inventory, OnlineConfig) {
    let mut bsky_data = Data::default();
    let mut masto_data = Data::default();
    let mut accounts = Vec::new();
    for (i, name) in [
        "kestrelford.police.uk",
        "kestrelfordpolice.bsky.social",
        "kfroads.bsky.social",
        "kfcid.bsky.social",
    ]
    .iter()
    .enumerate()
    {
        bsky_data.bsky.insert(
            name.to_string(),
            bsky_profile(
                &format!("did:plc:k{i}"),
                name,
                &format!("Kestrelford {i}"),
                "none",
            ),
        );
        accounts.push(account(
            &format!("bsky-{i}"),
            Platform::Bluesky,
            name,
            Some(&format!("Kestrelford {i}")),
            None,
        ));
    }
    for i in 0..masto_accounts {
        let user = format!("kestrelford{i}");
        masto_data.masto.insert(
            format!("{user}@mastodon.example"),
            masto_account(
                &i.to_string(),
                &user,
                "mastodon.example",
                &format!("Kestrelford Area {i}"),
                None,
            ),
        );
        accounts.push(account(
            &format!("masto-{i}"),
            Platform::Mastodon,
            &format!("{user}@mastodon.example"),
            Some(&format!("Kestrelford Area {i}")),
            None,
        ));
    }
    for (id, p, h) in [
        ("x", Platform::X, "KestrelfordPolice"),
        ("fb", Platform::Facebook, "KestrelfordPolice"),
        ("ig", Platform::Instagram, "kestrelford.police"),
        ("yt", Platform::Youtube, "KestrelfordPolice"),
    ] {
        accounts.push(account(id, p, h, Some("Kestrelford Police"), None));
    }
    bsky_data.page_html = "<p>X: @KestrelfordPolice</p>".into();
    let bsky = start(bsky_data, Fault::None);
    let masto = start(masto_data, Fault::None);
    let inv = inventory(accounts, Some(format!("{}/social", bsky.base())));
    let mut cfg = config(&bsky, None);
    cfg.mastodon_api = Some(masto.base());
    cfg.timeout = Duration::from_secs(5);
    cfg.http.max_wait = Duration::from_secs(2);
    (bsky, masto, inv, cfg)
}

fn no_waits_and_no_failures(ev: &OnlineEvidence) {
    for s in &ev.sources {
        assert!(s.ok, "{}: {}", s.name, s.detail);
        assert!(
            !s.detail.contains("request") || s.detail.contains(" 0 waits for the rate limit"),
            "{}: {}",
            s.name,
            s.detail
        );
    }
}

#[test]
fn a_twelve_account_audit_stays_within_the_budget_without_waiting() {
    let (bsky, masto, inv, cfg) = setup(4);
    assert_eq!(inv.accounts.len(), 12);
    let probes = probes(&inv.accounts);
    let generated: usize = probes.iter().map(|(_, _, h)| h.len()).sum();
    assert!(
        generated > 1000,
        "{generated} variants: far more than the budget"
    );
    let ev = gather_blocking(&inv, &cfg, &probes);
    let (b, m) = (bsky.requests(), masto.requests());
    eprintln!(
        "12 accounts: {b} requests to the Bluesky host, {m} to the Mastodon host; {:?}",
        ev.lookalike_coverage
    );
    assert!(b <= BUDGET && m <= BUDGET, "bluesky {b}, mastodon {m}");
    no_waits_and_no_failures(&ev);
    assert!(ev.accounts.values().all(|o| o.error.is_none()));
    // Every handle got its quota of the most likely variants; the rest are counted.
    let cov = |p: &str| {
        ev.lookalike_coverage
            .iter()
            .find(|c| c.platform == p)
            .cloned()
            .unwrap()
    };
    assert_eq!(cov("mastodon").probed, 4 * cfg.mastodon_probes);
    assert_eq!(cov("bluesky").probed, 4 * cfg.bluesky_probes);
    let counted: usize = ev
        .lookalike_coverage
        .iter()
        .map(|c| c.probed + c.not_probed)
        .sum();
    // Only handles the platform would accept, and not the organisation's own, are counted.
    assert!(
        counted <= generated && generated - counted < generated / 100,
        "{counted} of {generated}"
    );
    // The likeliest impostor of a Mastodon account: the same name on the biggest instance.
    assert!(palisade::online::defensive_strings(
        &ev,
        palisade::model::platforms::Catalogue::builtin()
    )
    .contains(&"mastodon:kestrelford0@mastodon.social".to_string()));
}

#[test]
fn probes_beyond_the_budget_are_left_out_and_counted_never_waited_for() {
    // 30 Mastodon accounts: their probes alone would be 360 requests to one host.
    let (_bsky, masto, inv, cfg) = setup(30);
    let ev = gather_blocking(&inv, &cfg, &probes(&inv.accounts));
    let m = masto.requests();
    assert!(m <= BUDGET, "{m} requests to one host");
    no_waits_and_no_failures(&ev);
    // Every account was still looked up: essential requests come first.
    assert!(ev
        .accounts
        .values()
        .filter(|o| o.platform == "mastodon")
        .all(|o| o.error.is_none() && o.exists == Some(true)));
    let masto_cov = ev
        .lookalike_coverage
        .iter()
        .find(|c| c.platform == "mastodon")
        .unwrap();
    assert!(masto_cov.probed > 0 && masto_cov.probed < 30 * cfg.mastodon_probes);
    assert!(ev
        .sources
        .iter()
        .any(|s| s.detail.contains("not sent to stay within the budget")));
}
