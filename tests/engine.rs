//! The engine as a library: custom definitions from `--checks-dir`, registry invariants, the
//! generated README table, severity overrides, waivers, the score, and property tests that no
//! input makes the loader or the engine panic.

use palisade::engine::registry::Registry;
use palisade::engine::{runner, Context};
use palisade::model::load;
use palisade::model::results::{Report, Status};
use proptest::prelude::*;

#[path = "../examples/gen_inventory.rs"]
mod gen;

fn audit_str(yaml: &str) -> Report {
    let inv = load::parse("inline.yaml", yaml.as_bytes()).unwrap_or_else(|d| panic!("{d:#?}"));
    let registry = Registry::builtin().expect("builtin");
    runner::run(
        &registry,
        &Context::new(&inv, "2026-10-01".parse().expect("date")),
    )
}

/// `palisade impersonation` checks policy overrides against the built-in ids without compiling
/// a check: each built-in definition must be named after its id.
#[test]
fn builtin_ids_are_known_without_compiling() {
    let r = Registry::builtin().expect("builtin");
    for c in &r.checks {
        assert!(
            Registry::is_builtin_id(&c.def.id),
            "{} is its file's name",
            c.def.id
        );
        assert!(
            Registry::is_builtin_id(&c.def.id.to_lowercase()),
            "{}: case ignored, as `get` does",
            c.def.id
        );
    }
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/checks"))
        .expect("checks/")
        .filter_map(Result::ok)
        .filter(|e| {
            e.path()
                .extension()
                .is_some_and(|x| x == "yaml" || x == "yml")
        })
        .count();
    assert_eq!(files, r.checks.len(), "one definition per file");
    assert!(!Registry::is_builtin_id("AUTH-99"));
    assert!(!Registry::is_builtin_id(""));
    assert!(Registry::empty().checks.is_empty());
}

#[test]
fn builtin_ids_are_unique_and_every_definition_parses() {
    let r = Registry::builtin().expect("every built-in definition parses and compiles");
    let mut ids: Vec<_> = r.checks.iter().map(|c| c.def.id.clone()).collect();
    let n = ids.len();
    ids.dedup();
    let file_name = regex::Regex::new(r"\d{3}_[0-9a-f]{16}|\.txt\b").expect("regex");
    assert_eq!(ids.len(), n, "ids unique");
    for c in &r.checks {
        assert!(
            !c.def.references.is_empty(),
            "{} cites its guidance",
            c.def.id
        );
        assert!(
            !c.def.requirements.is_empty(),
            "{} maps to requirements",
            c.def.id
        );
        // Guidance is cited by title, from the guidance catalogue, never by a file name.
        for refr in &c.def.references {
            let doc = refr.document.as_deref().unwrap_or_else(|| {
                panic!(
                    "{} cites {} outside the guidance catalogue",
                    c.def.id, refr.source
                )
            });
            let g = palisade::model::guidance::Guidance::builtin();
            assert_eq!(
                g.document(doc).map(|d| d.citation()).as_deref(),
                Some(refr.source.as_str())
            );
            assert!(!file_name.is_match(&refr.source), "{}", refr.source);
        }
    }
}

#[test]
fn readme_controls_table_is_generated_from_the_definitions() {
    let r = Registry::builtin().expect("builtin");
    let table = palisade::docs::controls_table(&r);
    let readme = std::fs::read_to_string("README.md").expect("README.md");
    let (start, end) = ("<!-- controls:start -->\n", "<!-- controls:end -->");
    let (Some(a), Some(b)) = (readme.find(start), readme.find(end)) else {
        panic!("README.md lacks the controls markers")
    };
    let current = &readme[a + start.len()..b];
    if current != table {
        if std::env::var_os("UPDATE_README").is_some() {
            let new = format!("{}{table}{}", &readme[..a + start.len()], &readme[b..]);
            std::fs::write("README.md", new).expect("write README");
        } else {
            panic!("README.md's table of controls is stale: run `UPDATE_README=1 cargo test --test engine`");
        }
    }
}

/// docs/inventory.md is generated from the schema validation uses and from the definitions.
#[test]
fn the_field_reference_is_generated_and_current() {
    let r = Registry::builtin().expect("builtin");
    let doc = palisade::docs::inventory_reference(&r);
    let path = "docs/inventory.md";
    let current = std::fs::read_to_string(path).unwrap_or_default();
    if current != doc {
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::write(path, &doc).expect("write docs/inventory.md");
        } else {
            panic!("docs/inventory.md is stale: run `UPDATE_DOCS=1 cargo test --test engine`");
        }
    }
    // Every field a definition declares it reads exists, and the reference names who reads it.
    for c in &r.checks {
        for f in &c.def.reads {
            assert!(palisade::model::schema::resolves(f), "{}: {f}", c.def.id);
        }
    }
    for (field, reader) in [
        ("`removed_on`", "LEAV-04"),
        ("`two_factor`", "AUTH-10"),
        ("`backup_codes`", "REC-01"),
        ("`sign_in`", "CP-01"),
        ("`states_moderation_rules`", "BRAND-06"),
    ] {
        assert!(
            doc.lines()
                .any(|l| l.starts_with(&format!("| {field}")) && l.contains(reader)),
            "{field} should list {reader}"
        );
    }
}

#[test]
fn custom_checks_dir_adds_a_control_without_recompiling() {
    let r = Registry::load(&["tests/fixtures/custom-checks/good".into()]).expect("loads");
    assert!(r.get("ORG-01").is_some());
    let inv = load::parse(
        "examples/westmere.yaml",
        &std::fs::read("examples/westmere.yaml").expect("read"),
    )
    .expect("valid");
    let report = runner::run(&r, &Context::new(&inv, "2026-10-01".parse().expect("date")));
    let org: Vec<_> = report
        .results
        .iter()
        .filter(|x| x.check_id == "ORG-01")
        .collect();
    assert_eq!(org.len(), inv.accounts.len());
    let by = |id: &str| org.iter().find(|x| x.account_id == id).map(|x| x.status);
    assert_eq!(by("wm-x-main"), Some(Status::Pass));
    assert_eq!(by("wm-bsky"), Some(Status::Fail));
    assert_eq!(by("wm-insta-north"), Some(Status::Skipped));
    assert_eq!(by("wm-x-old-campaign"), Some(Status::Skipped));
}

#[test]
fn an_invalid_custom_check_is_an_input_error_with_locations() {
    let err = match Registry::load(&["tests/fixtures/custom-checks/bad".into()]) {
        Err(palisade::Error::Input(d)) => d,
        _ => panic!("expected input errors"),
    };
    let text = palisade::render::diagnostics::render(&err, false);
    assert!(
        text.contains("ORG-02.yaml:4:11"),
        "severity located: {text}"
    );
    assert!(text.contains("unknown field `colour`"), "{text}");
    assert!(text.contains("invalid CEL expression"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn a_custom_check_may_not_reuse_a_builtin_id() {
    let dir = tempfile::tempdir().expect("tmp");
    let src = std::fs::read_to_string("tests/fixtures/custom-checks/good/ORG-01.yaml")
        .expect("read")
        .replace("id: ORG-01", "id: AUTH-01");
    std::fs::write(dir.path().join("x.yaml"), src).expect("write");
    assert!(matches!(
        Registry::load(&[dir.path().to_path_buf()]),
        Err(palisade::Error::Input(_))
    ));
}

const ONE: &str = "organisation: {name: W, email_domains: [w.uk]}\npeople: [{id: a, status: active, email: a@w.uk}, {id: b, status: active, email: b@w.uk}]\n";

#[test]
fn severity_overrides_change_the_result_and_the_catalogue() {
    let r = audit_str(&format!("{ONE}policy: {{severity_overrides: {{AUTH-01: low}}}}\naccounts: [{{id: x1, platform: x, handle: W, security: {{two_factor: none}}}}]\n"));
    let res = r
        .results
        .iter()
        .find(|x| x.check_id == "AUTH-01")
        .expect("result");
    assert_eq!(res.severity.as_str(), "low");
    assert_eq!(
        r.checks
            .iter()
            .find(|c| c.id == "AUTH-01")
            .map(|c| c.severity.as_str()),
        Some("low")
    );
}

#[test]
fn score_follows_the_weights() {
    // score = 100 × passed weight / (passed + failed + errored weight): the organisation's over
    // every result, the account's over its own.
    let r = audit_str(&format!(
        "{ONE}accounts: [{{id: x1, platform: x, handle: W, security: {{two_factor: none}}}}]\n"
    ));
    let score_of = |only: Option<&str>| {
        let (mut p, mut t) = (0u32, 0u32);
        for x in r
            .results
            .iter()
            .filter(|x| only.is_none_or(|a| x.account_id == a))
        {
            let w = x.severity.weight();
            match x.status {
                Status::Pass => {
                    p += w;
                    t += w
                }
                Status::Fail | Status::Error => t += w,
                _ => {}
            }
        }
        (1000.0 * p as f64 / t as f64).round() / 10.0
    };
    assert_eq!(r.summary.score, Some(score_of(None)));
    assert_eq!(r.accounts[0].score, Some(score_of(Some("x1"))));
    assert_ne!(
        score_of(None),
        score_of(Some("x1")),
        "the organisation's own results count"
    );
}

#[test]
fn waivers_apply_until_expiry_and_unmatched_ones_are_reported() {
    let base = format!(
        "{ONE}accounts: [{{id: x1, platform: x, handle: W, security: {{two_factor: none}}}}]\n"
    );
    let w = |exp: &str, acc: &str| {
        format!("{base}waivers: [{{check: AUTH-01, account: '{acc}', reason: r, approved_by: CISO, expires_on: {exp}}}]\n")
    };
    let on_day = audit_str(&w("2026-10-01", "x1"));
    assert_eq!(
        on_day
            .results
            .iter()
            .find(|x| x.check_id == "AUTH-01")
            .map(|x| x.status),
        Some(Status::Waived),
        "valid through its expiry date"
    );
    assert_eq!(on_day.waivers[0].state, "expiring");
    let star = audit_str(&w("2027-12-01", "*"));
    assert_eq!(
        star.results
            .iter()
            .find(|x| x.check_id == "AUTH-01")
            .map(|x| x.status),
        Some(Status::Waived)
    );
    assert_eq!(star.waivers[0].state, "active");
    let expired = audit_str(&w("2026-09-30", "x1"));
    assert_eq!(
        expired
            .results
            .iter()
            .find(|x| x.check_id == "AUTH-01")
            .map(|x| x.status),
        Some(Status::Fail)
    );
    assert_eq!(expired.waivers[0].state, "expired");
    let typo = audit_str(&w("2027-01-01", "x2"));
    assert_eq!(typo.waivers[0].state, "unmatched");
}

#[test]
fn a_control_with_no_accounts_still_appears() {
    let r = audit_str("organisation: {name: W}\naccounts: []\n");
    // Only organisation-level results remain (account id `organisation`).
    assert!(
        r.results.iter().all(|x| x.account_id == "organisation"),
        "{:#?}",
        r.results
    );
    assert_eq!(r.checks.len(), Registry::builtin().expect("b").checks.len());
    // Nothing about the accounts is scored; the organisation's own controls still are (BRAND-06
    // fails: no house rules are recorded).
    assert_eq!(r.scores.accounts.get("organisation").map(|_| ()), Some(()));
    let with_rules = audit_str(
        "organisation: {name: W}\naccounts: []\nhouse_rules: {states_monitoring_hours: true, states_emergency_route: true, states_moderation_rules: true}\n",
    );
    assert_eq!(with_rules.summary.score, Some(100.0));
    assert_eq!(r.summary.score, Some(0.0));
}

#[test]
fn people_from_hr_csv_merge_and_conflicts_are_errors() {
    let dir = tempfile::tempdir().expect("tmp");
    let inv = dir.path().join("inv.yaml");
    std::fs::write(&inv, "organisation: {name: W, email_domains: [w.uk]}\npeople: [{id: a, name: Ann, status: active}]\naccounts: [{id: x1, platform: x, handle: W, owner: b, access: [{person: b, role: admin}]}]\n").expect("w");
    let csv = dir.path().join("hr.csv");
    std::fs::write(
        &csv,
        "EmployeeNo,name,email,status,left_on,extra\nb,Bob,bob@w.uk,leaver,2026-09-01,x\n",
    )
    .expect("w");
    let mut cols = std::collections::BTreeMap::new();
    cols.insert("id".to_owned(), "EmployeeNo".to_owned());
    let loaded = load::load(&load::Inputs {
        inventory: &inv,
        people: Some(&csv),
        policy: None,
        people_columns: cols.clone(),
        platforms: None,
    })
    .expect("valid");
    assert_eq!(loaded.people.len(), 2);
    std::fs::write(
        &csv,
        "EmployeeNo,name,status\na,Anne,active\nb,Bob,leaver\n",
    )
    .expect("w");
    let err = load::load(&load::Inputs {
        inventory: &inv,
        people: Some(&csv),
        policy: None,
        people_columns: cols,
        platforms: None,
    })
    .expect_err("conflict");
    let palisade::Error::Input(d) = err else {
        panic!("input error")
    };
    assert!(
        d.iter()
            .any(|x| x.message.contains("differs") && x.file.ends_with("hr.csv") && x.line == 2),
        "{d:#?}"
    );
}

fn arb_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("unknown".to_owned()),
        Just("none".to_owned()),
        Just("2026-02-29".to_owned()),
        Just("2026-09-01".to_owned()),
        Just("a@w.uk".to_owned()),
        Just("x@gmail.com".to_owned()),
        "[a-z_]{1,12}",
        "\\PC{0,20}",
    ]
}

/// `name: value, ` with one of `values`, or nothing.
fn one_of(name: &'static str, values: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        prop::sample::select(values).prop_map(move |v| format!("{name}: {v}, ")),
    ]
}

fn field(name: &'static str) -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        arb_text().prop_map(move |v| format!(
            "{name}: {}, ",
            serde_json::to_string(&v).unwrap_or_default()
        )),
    ]
}

/// One result per (check, subject in its scope): accounts, control planes, the organisation.
fn expected_results(registry: &Registry, inv: &palisade::model::Inventory) -> usize {
    use palisade::engine::definition::Scope;
    registry
        .checks
        .iter()
        .map(|c| {
            c.def
                .scope
                .iter()
                .map(|s| match s {
                    Scope::Account => inv.accounts.len(),
                    Scope::ControlPlane => inv.control_planes.len(),
                    Scope::Organisation => 1,
                })
                .sum::<usize>()
        })
        .sum()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Whatever the generated inventory holds, loading ends in Ok or diagnostics, and a valid
    /// one audits without panicking, with one result per (check, account).
    #[test]
    fn no_generated_inventory_makes_the_engine_panic(
        accounts in prop::collection::vec((
            prop_oneof![Just("x"), Just("facebook"), Just("bluesky"), Just("mastodon"), Just("other"), Just("tiktok")],
            prop_oneof![Just("W1"), Just("w.example.uk"), Just("w@m.social"), Just("westmere.police"), Just("ww")],
            field("two_factor"), field("login_alerts"), field("login_email"), field("recovery_phone"), field("password_storage"),
            field("password_last_changed_on"), field("access_logging"),
        ), 0..4),
        status in prop_oneof![Just("active"), Just("dormant"), Just("closed")],
        last_post in field("last_post_on"),
        verification in field("verification"),
        listed in field("listed_on_website"),
        owner in prop_oneof![Just("owner: a, "), Just(""), Just("owner: b, ")],
        policy in prop_oneof![Just(""), Just("policy: {max_password_age_days: 30, min_two_factor: passkey, naming: {default: '^W'}}\n")],
    ) {
        let mut y = format!("{ONE}{policy}accounts:\n");
        for (i, (p, h, a, b, c, d, e, f, g)) in accounts.iter().enumerate() {
            y.push_str(&format!("  - {{id: acc{i}, platform: {p}, handle: '{h}', status: {status}, {owner}{last_post}{verification}{listed}security: {{{a}{b}{c}{d}{e}{f}{g}}}, access: [{{person: a, role: owner, via: shared_password}}], sessions: [{{device: d}}], third_party_apps: [{{name: n}}]}}\n"));
        }
        if let Ok(inv) = load::parse("gen.yaml", y.as_bytes()) {
            let registry = Registry::builtin().expect("builtin");
            let r = runner::run(&registry, &Context::new(&inv, "2026-10-01".parse().expect("date")));
            prop_assert_eq!(r.results.len(), expected_results(&registry, &inv));
        }
    }

    /// Inventories with control planes, personal profiles, access history, recovery, mailboxes
    /// and house rules, every value valid but combined at random (so nearly all of them load):
    /// the engine never panics, gives exactly one result per (check, subject in its scope), and
    /// a `fail` result is never reported for a control whose inputs are all unknown.
    #[test]
    fn no_inventory_with_planes_and_profiles_makes_the_engine_panic(
        accounts in prop::collection::vec((
            prop_oneof![Just("x"), Just("facebook"), Just("youtube"), Just("linkedin"), Just("bluesky"), Just("instagram")],
            one_of("two_factor", &["none", "sms", "email", "authenticator_app", "passkey", "security_key", "unknown"]),
            one_of("verification_badge", &["organisation", "government", "paid", "domain", "notable"]),
            prop::collection::vec((
                prop::sample::select(&["a", "b", "c"][..]),
                prop::sample::select(&["owner", "admin", "editor"][..]),
                prop::sample::select(&["smmp", "platform_role", "shared_password"][..]),
                prop::sample::select(&["", "removed_on: 2026-06-01, ", "removed_on: 2026-12-01, "][..]),
            ), 0..4),
            prop::sample::select(&["", "recovery: {backup_codes: vault, last_recovery_test_on: 2026-01-01, platform_contact: true}, ", "recovery: {backup_codes: unknown}, ", "recovery: {}, "][..]),
            prop::sample::select(&["", "password_last_changed_on: 2026-07-01, ", "password_last_changed_on: 2025-01-01, "][..]),
        ), 0..5),
        planes in prop::collection::vec((
            one_of("sign_in", &["sso", "password", "unknown"]),
            one_of("two_factor_enforced", &["true", "false", "unknown"]),
            one_of("audit_log_retention_days", &["0", "30", "365", "1000"]),
            prop::collection::vec((
                prop::sample::select(&["a", "b", "c"][..]),
                prop::sample::select(&["owner", "admin", "editor"][..]),
                prop::sample::select(&["", "removed_on: 2026-06-01"][..]),
            ), 0..4),
        ), 0..3),
        profile in prop::sample::select(&["", "profiles: [{platform: meta, two_factor: sms}, {platform: google, two_factor: passkey}]", "profiles: [{platform: linkedin, two_factor: unknown}]"][..]),
        leaver in prop::sample::select(&["status: active", "status: leaver, left_on: 2026-07-01", "status: mover, moved_on: 2026-08-01"][..]),
        mailboxes in prop::sample::select(&["", "mailboxes: [{address: l0@w.uk, two_factor: none, forwards_outside: false}, {address: l1@w.uk, two_factor: passkey}]\n"][..]),
        rules in prop::sample::select(&["", "house_rules: {states_monitoring_hours: true, states_emergency_route: unknown}\n"][..]),
    ) {
        let mut y = format!(
            "organisation: {{name: W, email_domains: [w.uk]}}\npeople: [{{id: a, status: active, {profile}}}, {{id: b, status: active}}, {{id: c, {leaver}}}]\n{mailboxes}{rules}accounts:\n"
        );
        if accounts.is_empty() {
            y = y.replace("accounts:\n", "accounts: []\n");
        }
        for (i, (p, tf, badge, access, recovery, changed)) in accounts.iter().enumerate() {
            let handle = match *p {
                "bluesky" => "w.example.uk",
                "facebook" => "westmere.police",
                _ => "westmere_1",
            };
            let handle = if *p == "linkedin" { "westmere-1" } else { handle };
            let access: Vec<String> = access
                .iter()
                .map(|(who, role, via, removed)| format!("{{person: {who}, role: {role}, via: {via}, {removed}granted_on: 2020-01-01}}"))
                .collect();
            y.push_str(&format!(
                "  - {{id: acc{i}, platform: {p}, handle: '{handle}', verification: verified, {badge}{recovery}security: {{{tf}{changed}login_email: l{i}@w.uk}}, access: [{}]}}\n",
                access.join(", ")
            ));
        }
        if !planes.is_empty() {
            y.push_str("control_planes:\n");
        }
        for (i, (sign_in, enforced, retention, access)) in planes.iter().enumerate() {
            let access: Vec<String> = access
                .iter()
                .map(|(who, role, removed)| format!("{{person: {who}, role: {role}, {removed}}}"))
                .collect();
            let reaches: Vec<String> = (0..accounts.len()).map(|a| format!("acc{a}")).collect();
            y.push_str(&format!(
                "  - {{id: plane{i}, {sign_in}{enforced}{retention}accounts: [{}], access: [{}]}}\n",
                reaches.join(", "),
                access.join(", ")
            ));
        }
        let inv = load::parse("gen.yaml", y.as_bytes());
        prop_assert!(inv.is_ok(), "valid by construction:\n{y}\n{:?}", inv.err());
        let inv = inv.expect("checked");
        let registry = Registry::builtin().expect("builtin");
        let ctx = Context::new(&inv, "2026-10-01".parse().expect("date"));
        let r = runner::run(&registry, &ctx);
        prop_assert_eq!(r.results.len(), expected_results(&registry, &inv));
        let memo_free = runner::run_without_memo(&registry, &ctx);
        prop_assert_eq!(&r.results, &memo_free.results);
    }

    /// The memo and the per-check projections change nothing: every result is what evaluating
    /// the rules afresh on the whole account gives, on valid inventories where accounts share
    /// some inputs and differ in others.
    #[test]
    fn memoised_outcomes_are_fresh_outcomes(
        accounts in prop::collection::vec((
            prop_oneof![Just("x"), Just("facebook"), Just("bluesky"), Just("tiktok")],
            one_of("two_factor", &["none", "sms", "authenticator_app", "passkey", "unknown"]),
            one_of("login_alerts", &["true", "false", "unknown"]),
            one_of("login_email", &["a@w.uk", "b@w.uk", "x@gmail.com"]),
            one_of("recovery_phone", &["organisation", "personal", "none", "unknown"]),
            one_of("password_last_changed_on", &["2026-09-01", "2025-01-01"]),
            one_of("last_post_on", &["2026-09-30", "2025-06-01"]),
            one_of("verification", &["verified", "pending", "not_eligible", "unknown"]),
            one_of("listed_on_website", &["true", "false", "unknown"]),
            prop_oneof![Just("active"), Just("dormant"), Just("closed")],
        ), 1..24),
    ) {
        let mut y = format!("{ONE}accounts:\n");
        for (i, (p, a, b, c, d, e, post, ver, listed, status)) in accounts.iter().enumerate() {
            let handle = match *p {
                "bluesky" => format!("w{i}.w.uk"),
                "facebook" => format!("westmere.{i}"),
                _ => format!("Wm{i}"),
            };
            y.push_str(&format!("  - {{id: acc{i}, platform: {p}, handle: {handle}, status: {status}, owner: a, {post}{ver}{listed}security: {{{a}{b}{c}{d}{e}}}, access: [{{person: a, role: owner, via: smmp}}]}}\n"));
        }
        let inv = load::parse("gen.yaml", y.as_bytes());
        prop_assert!(inv.is_ok(), "{:?}\n{}", inv.err(), y);
        let Ok(inv) = inv else { unreachable!() };
        let registry = Registry::builtin().expect("builtin");
        let ctx = Context::new(&inv, "2026-10-01".parse().expect("date"));
        let memoised = runner::run(&registry, &ctx);
        let fresh = runner::run_without_memo(&registry, &ctx);
        prop_assert_eq!(&memoised.results, &fresh.results);
    }

    /// The YAML reader never panics on arbitrary bytes.
    #[test]
    fn arbitrary_bytes_never_panic_the_loader(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = load::parse("fuzz.yaml", &bytes);
    }

    /// Arbitrary text in a well-formed shape never panics either.
    #[test]
    fn arbitrary_values_never_panic_the_loader(v in "\\PC{0,40}", k in "[a-z_]{1,10}") {
        let y = format!("organisation: {{name: {v:?}}}\naccounts: [{{id: {v:?}, platform: x, handle: {v:?}, {k}: {v:?}}}]\n");
        let _ = load::parse("fuzz.yaml", y.as_bytes());
    }
}

/// The same on a large generated inventory, run on several threads with a memo each.
#[test]
fn memoised_outcomes_are_fresh_outcomes_at_scale() {
    let yaml = gen::inventory(1_500, 700);
    let inv = load::parse("big.yaml", yaml.as_bytes()).expect("valid");
    let registry = Registry::builtin().expect("builtin");
    let ctx = Context::new(&inv, "2026-10-01".parse().expect("date"));
    let memoised = runner::run(&registry, &ctx);
    let fresh = runner::run_without_memo(&registry, &ctx);
    assert_eq!(memoised.results.len(), fresh.results.len());
    assert!(memoised.results == fresh.results);
}

/// Long lists are read on several threads; every problem is still reported, in document order.
#[test]
fn problems_in_a_long_inventory_come_in_document_order() {
    let yaml = gen::inventory(3_000, 2_500);
    let mut lines: Vec<String> = yaml.lines().map(str::to_owned).collect();
    let mut planted = Vec::new();
    for n in [10usize, 1_600, 2_950] {
        let at = lines
            .iter()
            .position(|l| l == &format!("  - id: acc{n}"))
            .expect("account line");
        lines[at + 7] = "    listed_on_website: maybe".into();
        planted.push(at + 8);
    }
    let person = lines
        .iter()
        .position(|l| l.starts_with("  - {id: p2402,"))
        .expect("person line");
    lines[person] = lines[person].replace("status: active", "status: retired");
    planted.insert(0, person + 1);
    let Err(diags) = load::parse("big.yaml", lines.join("\n").as_bytes()) else {
        panic!("the planted problems must be reported");
    };
    // Then the references to the person who could not be read, from the whole-file checks.
    let found: Vec<usize> = diags.iter().map(|d| d.line as usize).collect();
    assert_eq!(found[..planted.len()], planted, "{diags:#?}");
    assert!(diags[planted.len()..]
        .iter()
        .all(|d| d.message.contains("p2402")));
}
