//! End to end against fake platforms on 127.0.0.1 speaking the documented JSON shapes: drift,
//! the published page, live candidates, defensive names, the cache, and the offline default.

mod online_common;

use std::time::Duration;

use jiff::civil::date;
use online_common::*;
use palisade::checks::lookup;
use palisade::checks::online::{online_drift, page_unlisted_links};
use palisade::engine::Context;
use palisade::model::results::Status;
use palisade::model::{Platform, Verification};
use palisade::online::{gather_blocking, AccountState, OnlineEvidence, PageListing};

const PAGE: &str = include_str!("data/online/official-accounts.html");

fn world() -> Data {
    let mut d = Data::default();
    let mut put = |p: serde_json::Value| {
        d.bsky.insert(p["handle"].as_str().unwrap().to_string(), p);
    };
    put(bsky_profile(
        "did:plc:main",
        "westmerepolice.bsky.social",
        "Westmere Police",
        "valid",
    ));
    put(bsky_profile(
        "did:plc:dom",
        "westmere.police.uk",
        "Westmere Police",
        "none",
    ));
    put(bsky_profile(
        "did:plc:renamed",
        "westmerepolice-news.bsky.social",
        "Westmere Police News",
        "none",
    ));
    put(bsky_profile(
        "did:plc:claims",
        "westmererecruits.bsky.social",
        "Westmere Recruitment",
        "none",
    ));
    put(bsky_profile(
        "did:plc:changed",
        "westmerecid.bsky.social",
        "Totally Not Police",
        "none",
    ));
    // Look-alikes and impostors.
    put(bsky_profile(
        "did:plc:fake1",
        "westmerepol1ce.bsky.social",
        "Westmere Police",
        "none",
    ));
    d.bsky_deactivated
        .insert("westmereroads.bsky.social".into());
    d.bsky.insert(
        "westmereroads.bsky.social".into(),
        bsky_profile(
            "did:plc:roads",
            "westmereroads.bsky.social",
            "Roads",
            "none",
        ),
    );
    d.masto.insert(
        "westmere@mastodon.example".into(),
        masto_account(
            "1",
            "westmere",
            "mastodon.example",
            "Westmere Police",
            Some("https://www.westmere.police.uk"),
        ),
    );
    d.masto.insert(
        "westmerecid@mastodon.example".into(),
        masto_account("2", "westmerecid", "mastodon.example", "Westmere CID", None),
    );
    let mut suspended = masto_account("3", "westmereold", "mastodon.example", "Westmere Old", None);
    suspended["suspended"] = serde_json::json!(true);
    d.masto
        .insert("westmereold@mastodon.example".into(), suspended);
    let mut moved = masto_account(
        "4",
        "westmerelegacy",
        "mastodon.example",
        "Westmere Legacy",
        None,
    );
    moved["moved"] = masto_account("5", "westmerenew", "other.example", "Westmere New", None);
    moved["moved"]["acct"] = serde_json::json!("westmerenew@other.example");
    d.masto
        .insert("westmerelegacy@mastodon.example".into(), moved);
    d.masto.insert(
        "westmerep0lice@mastodon.example".into(),
        masto_account(
            "6",
            "westmerep0lice",
            "mastodon.example",
            "Westmere Police",
            None,
        ),
    );
    d.page_html = PAGE.to_string();
    d
}

fn accounts() -> Vec<palisade::model::Account> {
    use Platform::*;
    let mut renamed = account(
        "bsky-news",
        Bluesky,
        "westmerenews.bsky.social",
        Some("Westmere Police News"),
        None,
    );
    renamed.url = Some("https://bsky.app/profile/did:plc:renamed".into());
    vec![
        account(
            "bsky-main",
            Bluesky,
            "westmerepolice.bsky.social",
            Some("Westmere Police"),
            Some(Verification::Verified),
        ),
        account(
            "bsky-dom",
            Bluesky,
            "westmere.police.uk",
            Some("Westmere Police"),
            Some(Verification::Verified),
        ),
        renamed,
        account(
            "bsky-recruit",
            Bluesky,
            "westmererecruits.bsky.social",
            Some("Westmere Recruitment"),
            Some(Verification::Verified),
        ),
        account(
            "bsky-cid",
            Bluesky,
            "westmerecid.bsky.social",
            Some("Westmere CID"),
            None,
        ),
        account(
            "bsky-roads",
            Bluesky,
            "westmereroads.bsky.social",
            Some("Roads"),
            None,
        ),
        account("bsky-gone", Bluesky, "westmeregone.bsky.social", None, None),
        account(
            "masto-main",
            Mastodon,
            "westmere@mastodon.example",
            Some("Westmere Police"),
            Some(Verification::Verified),
        ),
        account(
            "masto-cid",
            Mastodon,
            "westmerecid@mastodon.example",
            Some("Westmere CID"),
            Some(Verification::Verified),
        ),
        account(
            "masto-old",
            Mastodon,
            "westmereold@mastodon.example",
            None,
            None,
        ),
        account(
            "masto-legacy",
            Mastodon,
            "westmerelegacy@mastodon.example",
            None,
            None,
        ),
        account(
            "x-main",
            X,
            "WestmerePolice",
            Some("Westmere Police"),
            Some(Verification::Verified),
        ),
        account("fb-main", Facebook, "WestmerePoliceOfficial", None, None),
    ]
}

fn lookalikes() -> Vec<(String, Platform, Vec<String>)> {
    vec![
        (
            "bsky-main".into(),
            Platform::Bluesky,
            vec![
                "westmerepol1ce.bsky.social".into(),
                "westmerepoIice.bsky.social".into(),
                "westmere_police.bsky.social".into(), // impossible on Bluesky: not probed
                "westmerepolice.bsky.social".into(),  // the account itself
            ],
        ),
        (
            "masto-main".into(),
            Platform::Mastodon,
            vec![
                "westmerep0lice".into(),
                "westmerepolicee@mastodon.example".into(),
            ],
        ),
        ("x-main".into(), Platform::X, vec!["WestmerePo1ice".into()]),
    ]
}

fn run(
    server: &Server,
    cache: Option<&std::path::Path>,
    refresh: bool,
) -> (palisade::model::Inventory, OnlineEvidence) {
    let inv = inventory(accounts(), Some(format!("{}/social", server.base())));
    let mut cfg = config(server, cache);
    cfg.refresh = refresh;
    let ev = gather_blocking(&inv, &cfg, &lookalikes());
    (inv, ev)
}

fn drift(
    inv: &palisade::model::Inventory,
    ev: &OnlineEvidence,
    id: &str,
) -> palisade::engine::Outcome {
    let mut ctx = Context::new(inv, date(2026, 10, 1));
    ctx.online = Some(ev.clone());
    let a = inv.accounts.iter().find(|a| a.id == id).unwrap();
    online_drift(&ctx, a)
}

#[test]
fn drift_compares_each_account_with_its_platform() {
    let server = start(world(), Fault::None);
    let (inv, ev) = run(&server, None, false);
    let pass = |id: &str| {
        let o = drift(&inv, &ev, id);
        assert_eq!(o.status, Status::Pass, "{id}: {o:?}");
        o
    };
    let fail = |id: &str, needle: &str| {
        let o = drift(&inv, &ev, id);
        assert_eq!(o.status, Status::Fail, "{id}: {o:?}");
        assert!(o.message.contains(needle), "{id}: {}", o.message);
        o
    };
    let main = pass("bsky-main");
    assert_eq!(
        main.evidence["platform"]["verified_by"],
        "Bluesky verification: valid"
    );
    assert!(main.evidence["source_url"]
        .as_str()
        .unwrap()
        .starts_with(&server.base()));
    assert!(main.evidence["fetched_at"].as_str().is_some());
    let dom = pass("bsky-dom");
    assert_eq!(
        dom.evidence["platform"]["verified_by"],
        "handle on the organisation's domain westmere.police.uk"
    );
    fail("bsky-news", "renamed: inventory says westmerenews.bsky.social, the platform now shows westmerepolice-news.bsky.social");
    fail(
        "bsky-recruit",
        "declared verified, but the platform shows no verification",
    );
    fail("bsky-cid", "display name changed: inventory says \"Westmere CID\", the platform shows \"Totally Not Police\"");
    fail("bsky-roads", "deactivated");
    fail("bsky-gone", "not found");
    let m = pass("masto-main");
    assert!(m.evidence["platform"]["verified_by"]
        .as_str()
        .unwrap()
        .contains("rel=\"me\""));
    fail("masto-cid", "declared verified");
    fail("masto-old", "suspended");
    fail("masto-legacy", "moved: inventory says westmerelegacy@mastodon.example, it now redirects to westmerenew@other.example");
    let x = drift(&inv, &ev, "x-main");
    assert_eq!(x.status, Status::Skipped);
    assert_eq!(
        ev.accounts["bsky-roads"].state,
        Some(AccountState::Deactivated)
    );
    assert!(ev.sources.iter().all(|s| s.ok), "{:?}", ev.sources);
}

#[test]
fn the_published_page_decides_listing_and_finds_unlisted_accounts() {
    let server = start(world(), Fault::None);
    let (inv, ev) = run(&server, None, false);
    assert_eq!(
        ev.listed_on_page("x-main"),
        Some(true),
        "linked as twitter.com"
    );
    assert_eq!(
        ev.listed_on_page("bsky-main"),
        Some(true),
        "linked on bsky.app"
    );
    assert_eq!(
        ev.listed_on_page("masto-main"),
        Some(true),
        "linked as https://mastodon.example/@westmere"
    );
    assert_eq!(
        ev.listed_on_page("bsky-recruit"),
        Some(true),
        "written as @westmererecruits.bsky.social"
    );
    assert_eq!(ev.listed_on_page("fb-main"), Some(false));
    assert_eq!(ev.page_listing("fb-main"), PageListing::Listed(false));
    let mut ctx = Context::new(&inv, date(2026, 10, 1));
    ctx.online = Some(ev.clone());
    let o = page_unlisted_links(&ctx);
    assert_eq!(o.status, Status::Fail, "{o:?}");
    assert!(
        o.message.contains("facebook WestmerePolice"),
        "{}",
        o.message
    );
    assert!(
        o.message.contains("instagram westmerepolice"),
        "{}",
        o.message
    );
    assert!(
        !o.message.contains("sharer"),
        "share buttons are not accounts: {}",
        o.message
    );
}

#[test]
fn live_candidates_and_names_to_register() {
    let server = start(world(), Fault::None);
    let (_inv, ev) = run(&server, None, false);
    let has = |p: Platform, h: &str| {
        ev.candidates
            .iter()
            .find(|c| c.platform == p && c.handle == h)
    };
    let fake = has(Platform::Bluesky, "westmerepol1ce.bsky.social").expect("look-alike found");
    assert_eq!(fake.account_id.as_deref(), Some("bsky-main"));
    assert_eq!(fake.display_name.as_deref(), Some("Westmere Police"));
    assert!(fake.source_url.contains("getProfiles"));
    assert!(has(Platform::Mastodon, "westmerep0lice@mastodon.example").is_some());
    assert!(
        has(Platform::Bluesky, "westmerepolice.bsky.social").is_none(),
        "own accounts are not candidates"
    );
    // Search by name finds accounts nobody generated.
    assert!(has(Platform::Bluesky, "westmerecid.bsky.social").is_none());
    let free =
        palisade::online::defensive_strings(&ev, palisade::model::platforms::Catalogue::builtin());
    assert!(
        free.contains(&"bluesky:westmerepoIice.bsky.social".to_string()),
        "{free:?}"
    );
    assert!(
        free.contains(&"mastodon:westmerepolicee@mastodon.example".to_string()),
        "{free:?}"
    );
    assert!(
        !free.iter().any(|f| f.contains("westmere_police")),
        "impossible handles are not suggested"
    );
    assert!(!free.iter().any(|f| f.starts_with("x:")), "X is not probed");
    assert!(ev
        .sources
        .iter()
        .any(|s| s.name == "look-alikes on x" && s.detail.contains("--candidates")));
}

#[test]
fn the_cache_answers_a_second_run_and_refresh_bypasses_it() {
    let server = start(world(), Fault::None);
    let dir = tempfile::tempdir().unwrap();
    let (_, first) = run(&server, Some(dir.path()), false);
    let after_first = server.requests();
    assert!(after_first > 0);
    let (_, second) = run(&server, Some(dir.path()), false);
    assert_eq!(
        server.requests(),
        after_first,
        "everything came from the cache"
    );
    assert_eq!(
        first.accounts, second.accounts,
        "cached evidence keeps its source URL and fetch time"
    );
    let (_, _) = run(&server, Some(dir.path()), true);
    assert!(server.requests() > after_first, "--refresh asks again");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "entries are renamed into place");
}

#[test]
fn a_rename_is_noticed_through_the_remembered_did() {
    let server = start(world(), Fault::None);
    let dir = tempfile::tempdir().unwrap();
    let inv = inventory(
        vec![account(
            "b",
            Platform::Bluesky,
            "westmerecid.bsky.social",
            Some("Totally Not Police"),
            None,
        )],
        None,
    );
    let cfg = config(&server, Some(dir.path()));
    let ev = gather_blocking(&inv, &cfg, &[]);
    assert_eq!(drift(&inv, &ev, "b").status, Status::Pass);
    // The account takes another handle; the old one no longer resolves.
    {
        let mut d = server.data();
        let mut p = d.bsky.remove("westmerecid.bsky.social").unwrap();
        p["handle"] = serde_json::json!("westmere-cid.bsky.social");
        d.bsky.insert("westmere-cid.bsky.social".into(), p);
    }
    let mut cfg = config(&server, Some(dir.path()));
    cfg.refresh = true;
    let ev = gather_blocking(&inv, &cfg, &[]);
    let o = drift(&inv, &ev, "b");
    assert_eq!(o.status, Status::Fail, "{o:?}");
    assert!(
        o.message.contains("now shows westmere-cid.bsky.social"),
        "{}",
        o.message
    );
}

#[test]
fn offline_nothing_is_contacted_and_online_checks_skip() {
    let inv = inventory(
        accounts(),
        Some("https://www.westmere.police.uk/social".into()),
    );
    let ctx = Context::new(&inv, date(2026, 10, 1));
    assert!(ctx.online.is_none());
    for a in &inv.accounts {
        assert_eq!(online_drift(&ctx, a).status, Status::Skipped);
    }
    assert_eq!(page_unlisted_links(&ctx).status, Status::Skipped);
    assert!(lookup("online_drift").is_some_and(|n| n.account.is_some()));
    assert!(lookup("page_unlisted_links").is_some_and(|n| n.organisation.is_some()));
}

#[test]
fn evidence_serialises_without_network_types() {
    let server = start(world(), Fault::None);
    let (_, ev) = run(&server, None, false);
    let v = serde_json::to_value(&ev).unwrap();
    assert!(v["accounts"]["bsky-main"]["fetched_at"].is_string());
    assert!(v["page"]["unlisted_links"].is_array());
    assert!(v["sources"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["name"].as_str().unwrap().starts_with("Bluesky")));
}

#[test]
fn a_gather_within_a_runtime_does_not_panic() {
    let server = start(world(), Fault::None);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let ev = rt.block_on(async { run(&server, None, false).1 });
    assert!(!ev.accounts.is_empty());
    let _ = Duration::ZERO;
}

#[test]
fn a_mention_lists_the_account_only_on_the_platform_it_names() {
    // Issue 13: "X: @KestrelfordPolice" lists the X account, not an Instagram account of the
    // same name; a bare mention lists nothing.
    let data = Data {
        page_html: "<ul><li>X: @KestrelfordPolice</li><li>Follow @KestrelfordRoads too</li></ul>"
            .into(),
        ..Data::default()
    };
    let server = start(data, Fault::None);
    let inv = inventory(
        vec![
            account("k-x", Platform::X, "KestrelfordPolice", None, None),
            account("k-ig", Platform::Instagram, "KestrelfordPolice", None, None),
            account("k-roads", Platform::X, "KestrelfordRoads", None, None),
        ],
        Some(format!("{}/social", server.base())),
    );
    let mut cfg = config(&server, None);
    cfg.search = false;
    let ev = gather_blocking(&inv, &cfg, &[]);
    assert_eq!(ev.listed_on_page("k-x"), Some(true));
    assert_eq!(ev.listed_on_page("k-ig"), Some(false), "X: names X only");
    assert_eq!(
        ev.listed_on_page("k-roads"),
        Some(false),
        "no platform named beside it"
    );
    // What BRAND-02's rule reads.
    let mut ctx = Context::new(&inv, date(2026, 10, 1));
    ctx.online = Some(ev);
    let view = palisade::engine::runner::account_view(&ctx, &inv.accounts[1]);
    assert_eq!(view["listed_on_website"], "false");
}

/// The inventory of [`inventory`] with house rules at `url`, declared all true (the page, read
/// online, must decide instead).
fn with_house_rules(url: String) -> palisade::model::Inventory {
    let mut inv = inventory(
        vec![account("k-x", Platform::X, "KestrelfordPolice", None, None)],
        None,
    );
    inv.house_rules = Some(palisade::model::inventory::HouseRules {
        url: Some(url),
        states_monitoring_hours: Some(palisade::model::TriBool::True),
        states_emergency_route: Some(palisade::model::TriBool::True),
        states_moderation_rules: Some(palisade::model::TriBool::True),
        loc: Default::default(),
    });
    inv
}

#[test]
fn brand_06_online_reads_the_house_rules_page_and_quotes_it() {
    let data = Data {
        house_rules_html:
            "<html><head><style>p{}</style><script>var x = 'monitored 24/7';</script></head><body>\
            <h1>Our social media house rules</h1>\
            <p>Our accounts are monitored Monday to Friday, 8am to 6pm.</p>\
            <p>Do not report crime here. In an emergency, always call 999.</p>\
            <p>We will remove comments that are abusive or that break the law.</p></body></html>"
                .into(),
        ..Data::default()
    };
    let server = start(data, Fault::None);
    let inv = with_house_rules(format!("{}/house-rules", server.base()));
    let mut cfg = config(&server, None);
    cfg.search = false;
    let ev = gather_blocking(&inv, &cfg, &[]);
    let page = ev.house_rules.clone().expect("the page was read");
    let sentences = page.sentences.clone().expect("readable");
    assert!(
        sentences.iter().all(|s| !s.contains("var x")),
        "scripts are not text: {sentences:?}"
    );
    let mut ctx = Context::new(&inv, date(2026, 10, 1));
    ctx.house_rules_page = Some(page);
    let out = palisade::checks::public::brand_06(&ctx);
    assert_eq!(out.status, Status::Pass, "{}", out.message);
    // The sentence that satisfied each statement is quoted.
    assert!(
        out.message.contains("In an emergency, always call 999."),
        "{}",
        out.message
    );
    assert!(
        out.message.contains("Monday to Friday, 8am to 6pm"),
        "{}",
        out.message
    );
    assert_eq!(
        out.evidence["states_moderation_rules"],
        "We will remove comments that are abusive or that break the law."
    );
}

#[test]
fn brand_06_online_fails_on_what_the_page_does_not_say_and_errors_when_unread() {
    let data = Data {
        house_rules_html: "<p>Our accounts are monitored 24 hours a day.</p>".into(),
        ..Data::default()
    };
    let server = start(data, Fault::None);
    let mut cfg = config(&server, None);
    cfg.search = false;
    // The inventory declares all three, but the page states only one: the page decides.
    let inv = with_house_rules(format!("{}/house-rules", server.base()));
    let ev = gather_blocking(&inv, &cfg, &[]);
    let mut ctx = Context::new(&inv, date(2026, 10, 1));
    ctx.house_rules_page = ev.house_rules.clone();
    let out = palisade::checks::public::brand_06(&ctx);
    assert_eq!(out.status, Status::Fail, "{}", out.message);
    assert!(out.message.contains("emergency"), "{}", out.message);
    // A page that is not there is no pass on the inventory's word.
    let inv = with_house_rules(format!("{}/no-such-page", server.base()));
    let ev = gather_blocking(&inv, &cfg, &[]);
    assert!(ev
        .house_rules
        .as_ref()
        .is_some_and(|p| p.sentences.is_err()));
    assert!(ev
        .sources
        .iter()
        .any(|s| s.name.starts_with("house-rules page") && !s.ok));
    let mut ctx = Context::new(&inv, date(2026, 10, 1));
    ctx.house_rules_page = ev.house_rules.clone();
    let out = palisade::checks::public::brand_06(&ctx);
    assert_eq!(out.status, Status::Error, "{}", out.message);
    assert!(out.message.contains("could not be read"), "{}", out.message);
}
