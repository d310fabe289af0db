//! IMP-01 as the engine will call it, and the look-alike renderers.

mod impersonation_common;

use impersonation_common::westmere;
use palisade::checks::{impersonation::imp_01, lookup};
use palisade::engine::Context;
use palisade::impersonation::{lookalikes, render_json, render_text, Candidate, Search};
use palisade::model::results::Status;
use palisade::model::{AllowEntry, Platform};

fn cand(h: &str) -> Candidate {
    Candidate {
        platform: Platform::X,
        handle: h.into(),
        display_name: None,
        bio: None,
        url: None,
        followers: None,
        created_on: None,
        source: "test.csv".into(),
    }
}

#[test]
fn imp_01_skips_fails_and_passes() {
    let mut inv = westmere();
    inv.impersonation_allow.push(AllowEntry {
        platform: Platform::X,
        handle: "WestmereRoads_".into(),
        reason: Some("reviewed".into()),
    });
    let as_of = jiff::civil::date(2026, 10, 1);
    let main = inv.accounts[0].clone();
    let roads = inv.accounts[1].clone();
    let insta = inv.accounts[2].clone();
    let mut ctx = Context::new(&inv, as_of);
    assert_eq!(imp_01(&ctx, &main).status, Status::Skipped);

    let mut s = Search::new(&inv, None);
    s.consider(&cand("WestmerePo1ice"));
    s.consider(&cand("WestmereRoads_"));
    ctx.suspects = Some(s.finish());
    let out = imp_01(&ctx, &main);
    assert_eq!(out.status, Status::Fail);
    assert!(
        out.message
            .contains("WestmerePo1ice (0.97: one character changed"),
        "{}",
        out.message
    );
    assert_eq!(out.evidence["suspects"][0]["candidate"], "WestmerePo1ice");
    assert_eq!(
        out.evidence["report_form"],
        "https://help.x.com/forms/impersonation"
    );
    // Allowed look-alikes are reported but not flagged.
    assert_eq!(imp_01(&ctx, &roads).status, Status::Pass);
    assert_eq!(imp_01(&ctx, &insta).status, Status::Pass);
    assert!(lookup("impersonation_lookalikes").is_some_and(|n| n.account.is_some()));
}

#[test]
fn lookalike_renderers() {
    let items = lookalikes("WMPolice", Platform::X);
    let text = render_text("WMPolice", Platform::X, &items);
    assert!(text.starts_with(&format!("{} look-alikes of WMPolice on x", items.len())));
    assert!(text.contains("homoglyph      WMPo1ice"));
    let json: serde_json::Value =
        serde_json::from_str(&render_json("WMPolice", Platform::X, &items)).expect("valid JSON");
    assert_eq!(json["count"], items.len());
    assert_eq!(json["lookalikes"][0]["class"], "omission");
}
