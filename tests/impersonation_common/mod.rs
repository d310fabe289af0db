//! Shared fixtures for the impersonation tests: a small Westmere Constabulary inventory built in
//! code (the YAML loader is not this module's concern) and the labelled set.
#![allow(dead_code)]

use palisade::model::*;

pub fn account(id: &str, platform: Platform, handle: &str, display: Option<&str>) -> Account {
    Account {
        display_name: display.map(str::to_string),
        ..Account::new(id, platform, handle)
    }
}

pub fn westmere() -> Inventory {
    let mut inv = Inventory::default();
    inv.organisation.name = "Westmere Constabulary".into();
    inv.organisation.website = Some("https://www.westmere.police.uk".into());
    inv.accounts = vec![
        account(
            "wm-x-main",
            Platform::X,
            "WestmerePolice",
            Some("Westmere Police"),
        ),
        account(
            "wm-x-roads",
            Platform::X,
            "WestmereRoads",
            Some("Westmere Roads Policing"),
        ),
        account(
            "wm-insta",
            Platform::Instagram,
            "westmere.police",
            Some("Westmere Police"),
        ),
        account(
            "wm-bsky",
            Platform::Bluesky,
            "westmerepolice.bsky.social",
            Some("Westmere Police"),
        ),
        account(
            "wm-fb",
            Platform::Facebook,
            "WestmerePolice",
            Some("Westmere Police"),
        ),
        // At X's 15-character limit: look-alikes of it must be cut.
        account(
            "wm-x-mounted",
            Platform::X,
            "WestmereMounted",
            Some("Westmere Mounted Section"),
        ),
        // A name the force uses on TikTok only.
        account("wm-tiktok", Platform::Tiktok, "westmere_cops", None),
        // A person's name, for the shared-first-name negatives.
        account(
            "wm-x-cc",
            Platform::X,
            "CCSarahMorgan",
            Some("Chief Constable Sarah Morgan"),
        ),
    ];
    inv
}

#[derive(Debug, Clone)]
pub struct Labelled {
    pub platform: Platform,
    pub handle: String,
    pub display_name: Option<String>,
    pub bio: Option<String>,
    pub url: Option<String>,
    pub planted: bool,
    pub kind: String,
    pub target: String,
}

pub fn labelled() -> Vec<Labelled> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/impersonation/labelled.csv"
    );
    let mut r = csv::Reader::from_path(path).expect("labelled.csv is part of the repository");
    let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
    r.records()
        .map(|rec| {
            let rec = rec.expect("labelled.csv is well formed");
            Labelled {
                platform: Platform::parse(&rec[0]).expect("known platform"),
                handle: rec[1].to_string(),
                display_name: opt(&rec[2]),
                bio: opt(&rec[3]),
                url: opt(&rec[4]),
                planted: &rec[5] == "planted",
                kind: rec[6].to_string(),
                target: rec[7].to_string(),
            }
        })
        .collect()
}
