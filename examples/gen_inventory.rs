//! Writes a large synthetic inventory to standard output, for benchmarks and load tests:
//! `cargo run --release --example gen_inventory -- 10000 5000 > /tmp/big.yaml`.

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
        let _ = writeln!(
            y,
            "  - {{id: p{i}, name: Person {i}, email: {email}, status: {status}}}"
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
        let tf = [
            "security_key",
            "authenticator_app",
            "sms",
            "none",
            "unknown",
        ][i % 5];
        let (a, b, c) = (i % people, (i * 7 + 3) % people, (i * 13 + 5) % people);
        let _ = writeln!(
            y,
            "  - id: acc{i}\n    platform: {p}\n    handle: {handle}\n    display_name: Westmere Police {i}\n    owner: p{a}\n    \
             last_post_on: 2026-0{}-15\n    last_access_review_on: 2026-0{}-01\n    listed_on_website: {}\n    verification: {}\n    \
             security: {{two_factor: {tf}, login_alerts: {}, login_email: sm{i}@westmere.police.uk, recovery_email: it@westmere.police.uk, \
             recovery_phone: organisation, password_last_changed_on: 2026-05-02, password_storage: vault, access_logging: true}}\n    \
             access:\n      - {{person: p{a}, role: owner, via: smmp}}\n      - {{person: p{b}, role: admin, via: smmp}}\n      \
             - {{person: p{c}, role: editor, via: {}}}\n    third_party_apps:\n      - {{name: Orlo, permissions: [read, write], last_used_on: 2026-09-30}}\n      \
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
    y
}

#[allow(dead_code)]
fn main() {
    let mut args = std::env::args().skip(1);
    let accounts = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let people = args.next().and_then(|a| a.parse().ok()).unwrap_or(5_000);
    print!("{}", inventory(accounts, people));
}
