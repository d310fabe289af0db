//! The index must give exactly the brute-force answer (every pair scored) at any threshold at or
//! above the index floor, and nothing in the search may panic on arbitrary Unicode.

mod impersonation_common;

use impersonation_common::{account, westmere};
use palisade::impersonation::{lookalikes, Candidate, Search};
use palisade::model::Platform;
use proptest::prelude::*;

fn candidate(platform: Platform, handle: String, display: Option<String>) -> Candidate {
    Candidate {
        platform,
        handle,
        display_name: display,
        bio: None,
        url: None,
        followers: None,
        created_on: None,
        source: "generated".into(),
    }
}

fn both(
    inv: &palisade::model::Inventory,
    threshold: f64,
    cands: &[Candidate],
) -> (Vec<String>, Vec<String>) {
    let run = |brute: bool| {
        let mut s = Search::new(inv, Some(threshold));
        s.set_brute_force(brute);
        for c in cands {
            s.consider(c);
        }
        s.finish()
            .into_iter()
            .map(|x| {
                format!(
                    "{} {} {} {:.3}",
                    x.account_id, x.platform, x.candidate, x.score
                )
            })
            .collect::<Vec<_>>()
    };
    (run(false), run(true))
}

/// Candidates near the officials: generated look-alikes, mutated further at random.
fn near(seed: &str) -> impl Strategy<Value = String> {
    let pool: Vec<String> = lookalikes(seed, Platform::X)
        .into_iter()
        .map(|l| l.handle)
        .collect();
    (
        0..pool.len(),
        proptest::collection::vec((0usize..20, "[a-z0-9_]"), 0..3),
    )
        .prop_map(move |(i, edits)| {
            let mut h: Vec<char> = pool[i].chars().collect();
            for (pos, c) in edits {
                let pos = pos % (h.len() + 1);
                if pos < h.len() && c == "_" {
                    h.remove(pos);
                } else {
                    h.insert(pos, c.chars().next().unwrap_or('x'));
                }
            }
            h.into_iter().collect()
        })
}

/// Officials of every shape the quick prefilter treats differently: short names it cannot cut
/// into pieces, names with affixes, digits, separators and non-ASCII letters, Bluesky and
/// Mastodon handles.
fn awkward_officials() -> palisade::model::Inventory {
    let mut inv = westmere();
    for (i, (platform, handle, display)) in [
        (Platform::X, "WMP", None),
        (Platform::X, "Cops24", Some("Cops 24")),
        (Platform::X, "TheWestmereNews", None),
        (Platform::X, "AbbeyNPT_247", None),
        (Platform::X, "Wéstmère_Pol", Some("Wéstmère")),
        (Platform::X, "mm_dd_ww", None),
        (Platform::Bluesky, "wmp.police.uk", None),
        (Platform::Mastodon, "westmere@police.social", None),
        // At X's 15-character limit: the "cut" relation.
        (Platform::X, "KestrelfordFire", None),
        // A name used on one platform only: the cross-platform relation.
        (Platform::Tiktok, "kestrelford_police", None),
    ]
    .into_iter()
    .enumerate()
    {
        inv.accounts
            .push(account(&format!("awk-{i}"), platform, handle, display));
    }
    inv
}

/// A handle a few random edits (insertions, deletions, substitutions, transpositions, case
/// changes, look-alike digits and letter groups, separators, affixes, a cut to X's limit) away
/// from `seed`.
fn edited(seed: &'static str) -> impl Strategy<Value = String> {
    let op = (0u8..11, 0usize..32, "[a-zA-Z0-9_.]");
    proptest::collection::vec(op, 0..4).prop_map(move |ops| {
        let mut h: Vec<char> = seed.chars().collect();
        for (kind, pos, c) in ops {
            let c = c.chars().next().unwrap_or('x');
            let n = h.len();
            let at = if n == 0 { 0 } else { pos % n };
            match kind {
                0 => h.insert(pos % (n + 1), c),
                1 if n > 1 => {
                    h.remove(at);
                }
                2 if n > 0 => h[at] = c,
                3 if n > 1 && at + 1 < n => h.swap(at, at + 1),
                4 if n > 0 => h[at] = h[at].to_ascii_uppercase(),
                5 if n > 0 => {
                    h[at] = match h[at] {
                        'o' => '0',
                        'l' | 'i' => '1',
                        'e' => '3',
                        'm' => 'n',
                        c => c,
                    }
                }
                6 => h.splice(0..0, "Real".chars()).for_each(drop),
                7 => h.extend("_hq".chars()),
                8 => h.truncate(15),
                9 if n > 0 => {
                    let group: &[char] = match h[at] {
                        'm' => &['r', 'r'],
                        'n' => &['r', 'i'],
                        'd' => &['c', 'l'],
                        'w' => &['v', 'v'],
                        'e' => &['c'],
                        'b' => &['l', 'b'],
                        c => &[c, c],
                    };
                    h.splice(at..at + 1, group.iter().copied()).for_each(drop);
                }
                _ if n > 0 => {
                    for c in h.iter_mut() {
                        *c = match *c {
                            'e' => 'c',
                            'm' => 'n',
                            c => c,
                        };
                    }
                }
                _ => {}
            }
        }
        h.into_iter().collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The quick prefilter may only spare work: near misses of every awkward official give the
    /// same suspects with it as when every pair is scored.
    #[test]
    fn prefilter_never_loses_a_suspect(
        handles in proptest::collection::vec(prop_oneof![
            edited("WestmerePolice"), edited("WMP"), edited("Cops24"), edited("TheWestmereNews"),
            edited("AbbeyNPT_247"), edited("Westmere_Pol"), edited("mm_dd_ww"),
            edited("wmp.police.uk"), edited("westmere"), edited("KestrelfordFire"),
            edited("kestrelford_police"), edited("KestrelfordFireX"),
        ], 1..60),
        // What evaluate and handle_forms each trim: spaces, `@`, and both in turn.
        prefixes in proptest::collection::vec(prop_oneof![Just(""), Just("@"), Just(" @\t"), Just("@\t@")], 1..4),
        displays in proptest::collection::vec(prop_oneof![
            Just(None), Just(Some("Cops  24".to_string())), Just(Some("Westmere Police".to_string())),
            "[A-Za-z ]{0,12}".prop_map(Some),
        ], 1..4),
        threshold in 0.80f64..0.99,
    ) {
        let inv = awkward_officials();
        let mut cands = Vec::new();
        for (i, h) in handles.into_iter().enumerate() {
            let d = displays[i % displays.len()].clone();
            let h = format!("{}{h}", prefixes[i % prefixes.len()]);
            for p in [Platform::X, Platform::Bluesky, Platform::Mastodon, Platform::Tiktok, Platform::Youtube] {
                cands.push(candidate(p, h.clone(), d.clone()));
            }
            cands.push(candidate(Platform::Bluesky, format!("{h}.bsky.social"), None));
            cands.push(candidate(Platform::Mastodon, format!("{h}@police.social"), None));
        }
        let (indexed, brute) = both(&inv, threshold, &cands);
        prop_assert_eq!(indexed, brute);
    }

    #[test]
    fn indexed_equals_brute_force(
        near_main in proptest::collection::vec(near("WestmerePolice"), 1..40),
        near_roads in proptest::collection::vec(near("WestmereRoads"), 1..20),
        random in proptest::collection::vec("[A-Za-z0-9_]{1,18}", 0..40),
        displays in proptest::collection::vec(prop_oneof![Just(None), Just(Some("Westmere Police".to_string())), "[A-Za-z ]{0,20}".prop_map(Some)], 1..5),
        threshold in 0.80f64..0.99,
    ) {
        let inv = westmere();
        let mut cands = Vec::new();
        for (i, h) in near_main.into_iter().chain(near_roads).chain(random).enumerate() {
            let d = displays[i % displays.len()].clone();
            cands.push(candidate(Platform::X, h.clone(), d));
            cands.push(candidate(Platform::Instagram, h.to_lowercase(), None));
        }
        let (indexed, brute) = both(&inv, threshold, &cands);
        prop_assert_eq!(indexed, brute);
    }

    #[test]
    fn never_panics_on_arbitrary_unicode(handle in "\\PC{0,40}", display in proptest::option::of("\\PC{0,40}"), bio in proptest::option::of("\\PC{0,60}")) {
        let mut inv = westmere();
        inv.accounts.push(account("weird", Platform::Other, "Wéird\u{200b}Nаme", Some("ＷＥＩＲＤ")));
        for p in [Platform::X, Platform::Bluesky, Platform::Mastodon, Platform::Other] {
            let mut s = Search::new(&inv, Some(0.5));
            let mut c = candidate(p, handle.clone(), display.clone());
            c.bio = bio.clone();
            c.url = bio.clone();
            s.consider(&c);
            let _ = s.finish();
            let _ = lookalikes(&handle, p);
        }
    }
}

#[test]
fn own_accounts_allow_and_triage() {
    use palisade::model::{AllowEntry, TriageEntry, TriageState};
    let mut inv = westmere();
    inv.impersonation_allow.push(AllowEntry {
        platform: Platform::X,
        handle: "Westmere_Police".into(),
        reason: Some("staff association".into()),
    });
    inv.impersonation_triage.push(TriageEntry {
        platform: Platform::X,
        handle: "WestmerePo1ice".into(),
        state: TriageState::TakenDown,
        date: None,
        ticket: Some("SM-881".into()),
    });
    inv.impersonation_triage.push(TriageEntry {
        platform: Platform::X,
        handle: "WestmerePolce".into(),
        state: TriageState::Benign,
        date: None,
        ticket: None,
    });
    let mut s = Search::new(&inv, None);
    // Own handles on the same platform, in any case, are never suspects.
    for h in ["westmerepolice", "@WESTMEREPOLICE", "westmereroads"] {
        s.consider(&candidate(Platform::X, h.into(), None));
    }
    // On another platform they are: there they are nobody's official account.
    s.consider(&candidate(Platform::X, "@WESTMERE.POLICE".into(), None));
    for h in [
        "Westmere_Police",
        "WestmerePo1ice",
        "WestmerePolce",
        "WestmerePolcie",
    ] {
        s.consider(&candidate(Platform::X, h.into(), None));
    }
    let found = s.finish();
    let state = |h: &str| {
        found
            .iter()
            .find(|x| x.candidate == h)
            .and_then(|x| x.state.clone())
    };
    assert_eq!(found.len(), 5, "{found:#?}");
    let reused = found
        .iter()
        .find(|x| x.candidate == "WESTMERE.POLICE")
        .expect("the Instagram handle used on X is a suspect");
    assert_eq!(
        reused.reasons[0],
        "uses the organisation's Instagram handle on X"
    );
    assert_eq!(state("Westmere_Police").as_deref(), Some("allowed"));
    assert_eq!(state("WestmerePolce").as_deref(), Some("benign"));
    assert_eq!(state("WestmerePolcie").as_deref(), Some("suspect"));
    let back = found
        .iter()
        .find(|x| x.candidate == "WestmerePo1ice")
        .expect("taken-down one found");
    assert!(back.reappeared);
    assert_eq!(back.ticket.as_deref(), Some("SM-881"));
    let flagged: Vec<_> = found
        .iter()
        .filter(|x| palisade::impersonation::is_flagged(x))
        .map(|x| x.candidate.as_str())
        .collect();
    assert_eq!(
        flagged,
        vec!["WESTMERE.POLICE", "WestmerePo1ice", "WestmerePolcie"]
    );
}

#[test]
fn another_platforms_handle_is_flagged_unless_listed_or_allowed() {
    use palisade::model::AllowEntry;
    let run = |inv: &palisade::model::Inventory| {
        let mut s = Search::new(inv, None);
        s.consider(&candidate(Platform::X, "@Westmere_Cops".into(), None));
        s.finish()
    };
    // The fixture's TikTok account is westmere_cops; on X that name is nobody's official account.
    let found = run(&westmere());
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].account_id, "wm-tiktok");
    assert_eq!(found[0].platform, "x");
    assert_eq!(
        found[0].reasons,
        vec!["uses the organisation's TikTok handle on X".to_string()]
    );
    assert!(palisade::impersonation::is_flagged(&found[0]));

    let mut allowed = westmere();
    allowed.impersonation_allow.push(AllowEntry {
        platform: Platform::X,
        handle: "westmere_cops".into(),
        reason: Some("our X account for the cops podcast".into()),
    });
    let found = run(&allowed);
    assert_eq!(found[0].state.as_deref(), Some("allowed"));
    assert!(!palisade::impersonation::is_flagged(&found[0]));

    let mut listed = westmere();
    listed
        .accounts
        .push(account("wm-x-cops", Platform::X, "westmere_cops", None));
    assert!(run(&listed).is_empty(), "the inventory lists it on X");
}
