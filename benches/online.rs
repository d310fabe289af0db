//! Issue 13's target: `palisade audit --online` of a 12-account inventory against loopback
//! servers that announce no rate limits finishes in under 60 s with at most 300 requests to any
//! one host. The whole binary is timed (`--refresh`, so every run asks the servers again): a
//! Bluesky AppView with the published page on one server, a Mastodon instance on another, four
//! accounts on each and four on platforms without an API. The requests each host received per
//! audit are printed after the timings. (The budget itself is asserted in
//! `tests/online_budget.rs`; this only measures.)

#[path = "../tests/online_common/mod.rs"]
mod online_common;

use std::path::{Path, PathBuf};
use std::process::Command;

use online_common::{bsky_profile, masto_account, start, Data, Fault, Server};

fn main() {
    divan::main();
}

const BLUESKY: &[&str] = &[
    "kestrelford.police.uk",
    "kestrelfordpolice.bsky.social",
    "kfroads.bsky.social",
    "kfcid.bsky.social",
];
const MASTODON: &[&str] = &["kestrelford", "kfroads", "kfcid", "kfnews"];

struct World {
    bsky: Server,
    masto: Server,
    dir: tempfile::TempDir,
    inventory: PathBuf,
}

fn world() -> World {
    let mut b = Data::default();
    let mut m = Data::default();
    let mut yaml = String::new();
    for (i, h) in BLUESKY.iter().enumerate() {
        b.bsky.insert(
            h.to_string(),
            bsky_profile(&format!("did:plc:k{i}"), h, "Kestrelford Police", "none"),
        );
        yaml.push_str(&format!("  - {{id: bsky-{i}, platform: bluesky, handle: {h}, display_name: Kestrelford Police, status: active}}\n"));
    }
    for (i, u) in MASTODON.iter().enumerate() {
        m.masto.insert(
            format!("{u}@mastodon.example"),
            masto_account(
                &i.to_string(),
                u,
                "mastodon.example",
                "Kestrelford Police",
                None,
            ),
        );
        yaml.push_str(&format!("  - {{id: masto-{i}, platform: mastodon, handle: {u}@mastodon.example, display_name: Kestrelford Police, status: active}}\n"));
    }
    for (id, p, h) in [
        ("x", "x", "KFordPolice"),
        ("fb", "facebook", "KestrelfordPolice"),
        ("ig", "instagram", "kestrelford.police"),
        ("yt", "youtube", "KestrelfordPolice"),
    ] {
        yaml.push_str(&format!("  - {{id: {id}, platform: {p}, handle: {h}, display_name: Kestrelford Police, status: active}}\n"));
    }
    b.page_html =
        "<ul><li>X: @KFordPolice</li><li>Bluesky: @kestrelford.police.uk</li></ul>".into();
    let bsky = start(b, Fault::None);
    let masto = start(m, Fault::None);
    let dir = tempfile::tempdir().expect("temp dir");
    let inventory = dir.path().join("inventory.yaml");
    std::fs::write(
        &inventory,
        format!(
            "organisation:\n  name: Kestrelford Constabulary\n  email_domains: [kestrelford.police.uk]\n  website: https://www.kestrelford.police.uk\n  official_accounts_page: {}/social\naccounts:\n{yaml}",
            bsky.base()
        ),
    )
    .expect("inventory written");
    World {
        bsky,
        masto,
        dir,
        inventory,
    }
}

fn audit(w: &World, cache: &Path) {
    let out = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args([
            "audit",
            "--online",
            "--refresh",
            "--quiet",
            "--format",
            "json",
        ])
        .args(["--as-of", "2026-10-01", "--fail-on", "never"])
        .arg(&w.inventory)
        .env("PALISADE_BLUESKY_API", w.bsky.base())
        .env("PALISADE_MASTODON_API", w.masto.base())
        .env("PALISADE_CACHE_DIR", cache)
        .env_remove("HIBP_API_KEY")
        .output()
        .expect("palisade runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn online_audit_12_accounts(bencher: divan::Bencher) {
    let w = world();
    let cache = w.dir.path().join("cache");
    bencher.bench_local(|| audit(&w, &cache));
    let (b0, m0) = (w.bsky.requests(), w.masto.requests());
    audit(&w, &cache);
    eprintln!(
        "requests per audit: {} to the Bluesky host (page included), {} to the Mastodon host (budget 300 each)",
        w.bsky.requests() - b0,
        w.masto.requests() - m0
    );
}
