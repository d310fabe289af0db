//! Writes a large synthetic inventory to standard output, for benchmarks and load tests:
//! `cargo run --release --example gen_inventory -- 10000 5000 > /tmp/big.yaml`. It has every
//! section a force fills in: people with personal profiles, access history, recovery records,
//! control planes (one per 500 accounts), mailboxes and house rules.

use palisade::model::platforms::Catalogue;
use palisade::model::Platform;
use std::fmt::Write;

/// An inventory of `accounts` accounts and `people` people with a realistic mix of findings.
pub fn inventory(accounts: usize, people: usize) -> String {
    let mut y = String::with_capacity(accounts * 900 + people * 120);
    y.push_str(
        "organisation: {name: Westmere Constabulary, email_domains: [westmere.police.uk]}\n",
    );
    y.push_str("policy: {approved_apps: [Orlo], naming: {x: '^W[A-Za-z0-9_]*$'}}\npeople:\n");
    let people = people.max(2);
    for i in 0..people {
        let status = match i % 20 {
            0 => "leaver, left_on: 2026-07-01",
            1 => "mover, moved_on: 2026-08-01",
            _ => "active",
        };
        let email = if i % 17 == 0 {
            format!("p{i}@gmail.com")
        } else {
            format!("p{i}@westmere.police.uk")
        };
        let profile = match i % 3 {
            0 => ", profiles: [{platform: meta, two_factor: authenticator_app, attested_on: 2026-09-01}]",
            1 => ", profiles: [{platform: meta, two_factor: sms}, {platform: google, two_factor: passkey}]",
            _ => "",
        };
        let _ = writeln!(
            y,
            "  - {{id: p{i}, name: Person {i}, email: {email}, status: {status}{profile}}}"
        );
    }
    y.push_str("accounts:\n");
    let platforms = ["x", "facebook", "instagram", "youtube", "tiktok", "bluesky"];
    for i in 0..accounts {
        let p = platforms[i % platforms.len()];
        let handle = match p {
            "bluesky" => format!("w{i}.westmere.police.uk"),
            "facebook" => format!("westmere.{i}"),
            _ => format!("Wm{i:03}"),
        };
        // Only methods the platform offers (as a real inventory records them), then none and
        // unknown: a setting the platform cannot have is a warning per account.
        let offered: Vec<&str> = Platform::parse(p)
            .and_then(|p| Catalogue::builtin().get(p))
            .map(|f| f.two_factor.methods.iter().map(|m| m.as_str()).collect())
            .unwrap_or_default();
        let choices: Vec<&str> = offered.into_iter().chain(["none", "unknown"]).collect();
        let tf = choices[(i / platforms.len()) % choices.len()];
        let (a, b, c) = (i % people, (i * 7 + 3) % people, (i * 13 + 5) % people);
        let via_role = if p == "facebook" || p == "youtube" {
            "platform_role"
        } else {
            "smmp"
        };
        let removed = if i % 9 == 0 {
            ", removed_on: 2026-06-30"
        } else {
            ""
        };
        let recovery = match i % 4 {
            0 => "",
            1 => "\n    recovery: {backup_codes: vault, last_recovery_test_on: 2026-03-01, platform_contact: true}",
            2 => "\n    recovery: {backup_codes: personal, platform_contact: false}",
            _ => "\n    recovery: {backup_codes: unknown}",
        };
        let _ = writeln!(
            y,
            "  - id: acc{i}\n    platform: {p}\n    handle: {handle}\n    display_name: Westmere Police {i}\n    owner: p{a}\n    \
             last_post_on: 2026-0{}-15\n    last_access_review_on: 2026-0{}-01\n    listed_on_website: {}\n    verification: {}\n    \
             security: {{two_factor: {tf}, login_alerts: {}, login_email: sm{i}@westmere.police.uk, recovery_email: it@westmere.police.uk, \
             recovery_phone: organisation, password_last_changed_on: 2026-05-02, password_storage: vault, access_logging: true}}\n    \
             access:\n      - {{person: p{a}, role: owner, via: smmp}}\n      - {{person: p{b}, role: admin, via: {via_role}}}\n      \
             - {{person: p{c}, role: editor, via: {}{removed}}}{recovery}\n    third_party_apps:\n      - {{name: Orlo, permissions: [read, write], last_used_on: 2026-09-30}}\n      \
             - {{name: App{}, permissions: [read, account_settings], last_used_on: 2026-0{}-01}}\n    \
             sessions:\n      - {{device: PC {i}, managed: {}, last_seen_on: 2026-09-2{}}}\n    attestation: {{by: p{a}, date: 2026-0{}-10}}",
            1 + i % 9,
            1 + i % 9,
            i % 3 != 0,
            if i % 4 == 0 { "pending" } else { "verified" },
            i % 6 != 0,
            if i % 11 == 0 { "shared_password" } else { "smmp" },
            i % 50,
            1 + i % 9,
            i % 8 != 0,
            i % 10,
            1 + i % 9,
        );
    }
    y.push_str("control_planes:\n");
    for plane in 0..accounts.div_ceil(500) {
        let reaches: Vec<String> = (plane * 500..((plane + 1) * 500).min(accounts))
            .map(|a| format!("acc{a}"))
            .collect();
        let (sign_in, enforced) = if plane % 2 == 0 {
            ("sso", "true")
        } else {
            ("password", "false")
        };
        let _ = writeln!(
            y,
            "  - id: plane{plane}\n    kind: smmp\n    name: SMMP {plane}\n    accounts: [{}]\n    sign_in: {sign_in}\n    \
             two_factor_enforced: {enforced}\n    audit_log_retention_days: {}\n    last_access_review_on: 2026-0{}-01\n    \
             access:\n      - {{person: p{}, role: admin}}\n      - {{person: p{}, role: admin}}\n      - {{person: p{}, role: editor, removed_on: 2026-05-01}}\n    \
             attestation: {{by: p{}, date: 2026-09-01}}",
            reaches.join(", "),
            if plane % 3 == 0 { 90 } else { 365 },
            1 + plane % 9,
            plane % people,
            (plane * 3 + 1) % people,
            (plane * 5 + 2) % people,
            (plane * 3 + 1) % people,
        );
    }
    y.push_str("mailboxes:\n  - {address: it@westmere.police.uk, two_factor: security_key, forwards_outside: false}\n");
    for i in (0..accounts).step_by(7) {
        let _ = writeln!(
            y,
            "  - {{address: sm{i}@westmere.police.uk, two_factor: {}, forwards_outside: {}}}",
            ["authenticator_app", "none", "unknown"][i % 3],
            i % 5 == 0
        );
    }
    y.push_str("house_rules: {url: https://www.westmere.police.uk/social/house-rules, states_monitoring_hours: true, states_emergency_route: true, states_moderation_rules: false}\n");
    y
}

#[allow(dead_code)]
fn main() {
    let mut args = std::env::args().skip(1);
    let accounts = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let people = args.next().and_then(|a| a.parse().ok()).unwrap_or(5_000);
    print!("{}", inventory(accounts, people));
}
