//! Issue 6: vault formats, account matching, AUTH-07/08/09 outcomes, the offline and online
//! breach sources, and that no planted password ever reaches facts, outcomes, errors or `Debug`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use jiff::civil::date;
use palisade::checks::credentials::{
    vault_password_breach, vault_password_reuse, vault_password_strength,
};
use palisade::engine::{Context, Outcome};
use palisade::error::{Code, Error};
use palisade::model::results::Status;
use palisade::model::*;
use palisade::vault::{
    self, BreachSource, BreachStatus, Credentials, EntryMatch, PwnedFile, Vault, VaultOptions,
};
use secrecy::SecretString;
use sha1::{Digest, Sha1};

const WEAK: &str = "Westmere2024!";
const REUSED: &str = "tundra-Quiver-mosaic-4417";
const BREACHED: &str = "glacier Harpoon velvet 2291";
const KDBX_MASTER: &str = "kdbx-Master-Pass-0042";
// In the fixtures of tests/data/vault/make_fixtures.py: an old password in an entry's history,
// a secret custom field, and a password in the recycle bin. None is an entry's password.
const OLD: &str = "old-History-Secret-9981";
const CUSTOM: &str = "rc-Custom-Secret-5150";
const TRASHED: &str = "trashed-Recycle-Secret-7321";
const PLANTED: &[&str] = &[WEAK, REUSED, BREACHED, KDBX_MASTER, OLD, CUSTOM, TRASHED];

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/vault")
        .join(name)
}

fn account(id: &str, platform: Platform, handle: &str) -> Account {
    Account {
        display_name: Some("Westmere Police".into()),
        security: Security {
            password_storage: Some(PasswordStorage::Vault),
            ..Default::default()
        },
        ..Account::new(id, platform, handle)
    }
}

fn inventory() -> Inventory {
    let mut x = account("wm-x-main", Platform::X, "WestmerePolice");
    x.security.vault_entry = Some("Social/X WestmerePolice".into());
    let fb = account("wm-fb", Platform::Facebook, "WestmerePolice");
    let insta = account("wm-insta", Platform::Instagram, "westmere_police");
    let tiktok = account("wm-tiktok", Platform::Tiktok, "westmerepolice");
    let mut yt = account("wm-yt", Platform::Youtube, "WestmerePolice");
    yt.security.password_storage = Some(PasswordStorage::Smmp);
    let li = account("wm-linkedin", Platform::Linkedin, "westmere-police");
    let mut missing = account("wm-threads", Platform::Threads, "westmerepolice");
    missing.security.vault_entry = Some("Social/Threads".into());
    Inventory {
        path: "inventory.yaml".into(),
        organisation: Organisation {
            name: "Westmere Constabulary".into(),
            ..Default::default()
        },
        accounts: vec![x, fb, insta, tiktok, yt, li, missing],
        ..Default::default()
    }
}

fn sha1_upper(p: &str) -> String {
    Sha1::digest(p.as_bytes())
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

/// A small corpus in the published format: sorted, CRLF, holding `BREACHED` among fillers.
fn pwned_file(dir: &Path) -> PathBuf {
    let mut hashes: Vec<(String, u64)> = (0..500u32)
        .map(|i| (sha1_upper(&format!("filler{i}")), u64::from(i) + 1))
        .collect();
    hashes.push((sha1_upper(BREACHED), 4242));
    hashes.sort();
    let path = dir.join("pwned-passwords-sha1-ordered-by-hash.txt");
    let mut f = std::fs::File::create(&path).unwrap();
    for (h, c) in hashes {
        write!(f, "{h}:{c}\r\n").unwrap();
    }
    path
}

/// Writes the same vault as the JSON fixture (less the note) as KDBX 4.
fn kdbx_file(dir: &Path, key_file: Option<&Path>) -> PathBuf {
    use keepass::{config::KdfConfig, db::fields, Database, DatabaseKey};
    let mut db = Database::new();
    // Fast key derivation: the fixture protects nothing.
    db.config.kdf_config = KdfConfig::Aes { rounds: 100 };
    {
        let mut root = db.root_mut();
        let mut social = root.add_group();
        social.name = "Social".into();
        for (title, user, pass, url) in [
            (
                "X WestmerePolice",
                "socialmedia@westmere.police.uk",
                WEAK,
                "https://x.com/login",
            ),
            (
                "Facebook page",
                "socialmedia@westmere.police.uk",
                REUSED,
                "https://www.facebook.com/WestmerePolice",
            ),
            (
                "Instagram",
                "westmere_police",
                BREACHED,
                "https://www.instagram.com/accounts/login/",
            ),
        ] {
            let mut e = social.add_entry();
            e.set_unprotected(fields::TITLE, title);
            e.set_unprotected(fields::USERNAME, user);
            e.set_protected(fields::PASSWORD, pass);
            e.set_unprotected(fields::URL, url);
        }
    }
    {
        let mut root = db.root_mut();
        let mut personal = root.add_group();
        personal.name = "Personal".into();
        let mut e = personal.add_entry();
        e.set_unprotected(fields::TITLE, "old forum");
        e.set_unprotected(fields::USERNAME, "jsmith");
        e.set_protected(fields::PASSWORD, REUSED);
        e.set_unprotected(fields::URL, "https://forum.example.org/");
    }
    let mut key = DatabaseKey::new().with_password(KDBX_MASTER);
    if let Some(kf) = key_file {
        key = key
            .with_keyfile(&mut std::fs::File::open(kf).unwrap())
            .unwrap();
    }
    let path = dir.join("vault.kdbx");
    let mut out = std::fs::File::create(&path).unwrap();
    db.save(&mut out, key).unwrap();
    path
}

fn opts_with(password: &str) -> VaultOptions {
    VaultOptions {
        password: Some(SecretString::from(password.to_string())),
        no_prompt: true,
        ..Default::default()
    }
}

fn no_prompt() -> VaultOptions {
    VaultOptions {
        no_prompt: true,
        ..Default::default()
    }
}

fn run(ctx: &Context, id: &str) -> [Outcome; 3] {
    let acc = ctx.inventory.accounts.iter().find(|a| a.id == id).unwrap();
    [
        vault_password_strength(ctx, acc),
        vault_password_reuse(ctx, acc),
        vault_password_breach(ctx, acc),
    ]
}

fn statuses(ctx: &Context, id: &str) -> [Status; 3] {
    run(ctx, id).map(|o| o.status)
}

fn assert_no_secret(text: &str, what: &str) {
    for p in PLANTED {
        assert!(
            !text.contains(p),
            "{what} contains a planted password: {text}"
        );
    }
}

/// Everything a renderer could see: facts, outcomes (message + evidence) as JSON, and Debug.
fn assert_nothing_leaks(vault: &Vault, creds: &Credentials, ctx: &Context) {
    assert_no_secret(&serde_json::to_string(creds).unwrap(), "credentials JSON");
    assert_no_secret(&format!("{creds:?}"), "credentials Debug");
    assert_no_secret(&format!("{vault:?}"), "vault Debug");
    for e in &vault.entries {
        assert_no_secret(&format!("{e:?}"), "entry Debug");
        assert_no_secret(&format!("{e:#?}"), "entry pretty Debug");
    }
    for a in &ctx.inventory.accounts {
        for o in run(ctx, &a.id) {
            let j = serde_json::json!({"status": o.status, "message": o.message, "evidence": o.evidence});
            assert_no_secret(&j.to_string(), "outcome");
            assert_no_secret(&format!("{o:?}"), "outcome Debug");
        }
    }
}

/// The expected outcomes, the same whatever the vault format. `passkey`: the format carries the
/// TikTok passkey entry (only Bitwarden does).
fn check_all(vault: &Vault, passkey: bool) {
    check_all_named(vault, passkey, true);
}

/// As [`check_all`]; `folders` false for an export without folders, whose entries are named by
/// title alone (and the X account's `Social/…` matched on its title, saying so).
fn check_all_named(vault: &Vault, passkey: bool, folders: bool) {
    let named = |folder: &str, title: &str| {
        if folders {
            format!("{folder}/{title}")
        } else {
            title.to_string()
        }
    };
    let dir = tempfile::tempdir().unwrap();
    let inv = inventory();
    let creds = vault::assess(&inv, vault, BreachSource::Offline(pwned_file(dir.path())));
    let mut ctx = Context::new(&inv, date(2026, 10, 1));
    ctx.credentials = Some(creds.clone());
    use Status::*;

    // Weak, named by vault_entry, unique, not breached.
    assert_eq!(statuses(&ctx, "wm-x-main"), [Fail, Pass, Pass]);
    let [strength, ..] = run(&ctx, "wm-x-main");
    assert!(strength.evidence["score"].as_u64().unwrap() < 3);
    assert!(strength.evidence["suggestions"].is_array());
    assert_eq!(
        strength.evidence["vault_entry"],
        named("Social", "X WestmerePolice")
    );
    let title_only = strength.message.contains("matched on the title alone");
    assert_eq!(title_only, !folders, "{}", strength.message);
    assert_eq!(
        strength.evidence["matched_by"],
        if folders { "vault_entry" } else { "title_only" }
    );

    // Matched by URL; reused by a personal entry.
    assert_eq!(statuses(&ctx, "wm-fb"), [Pass, Fail, Pass]);
    let [_, reuse, _] = run(&ctx, "wm-fb");
    let forum = named("Personal", "old forum");
    assert!(reuse.message.contains(&forum), "{}", reuse.message);
    assert_eq!(reuse.evidence["shared_with_entries"][0], forum.as_str());

    // Matched by platform URL + username; breached.
    assert_eq!(statuses(&ctx, "wm-insta"), [Pass, Pass, Fail]);
    let [_, _, breach] = run(&ctx, "wm-insta");
    assert_eq!(breach.evidence["breach_count"], 4242);

    if passkey {
        assert_eq!(statuses(&ctx, "wm-tiktok"), [Pass, Pass, Pass]);
    } else {
        assert_eq!(statuses(&ctx, "wm-tiktok"), [Error, Skipped, Skipped]);
    }
    // Password in the SMMP: skipped.
    assert_eq!(statuses(&ctx, "wm-yt"), [Skipped, Skipped, Skipped]);
    // No entry although stored in the vault: error once, then skipped.
    assert_eq!(statuses(&ctx, "wm-linkedin"), [Error, Skipped, Skipped]);
    let [e, ..] = run(&ctx, "wm-linkedin");
    assert!(
        e.message.contains("no vault entry matches"),
        "{}",
        e.message
    );
    // vault_entry names an entry that is not there.
    assert_eq!(statuses(&ctx, "wm-threads"), [Error, Skipped, Skipped]);
    assert!(matches!(
        creds.per_account["wm-threads"].entry,
        EntryMatch::NamedEntryMissing { .. }
    ));

    assert_nothing_leaks(vault, &creds, &ctx);
}

#[test]
fn bitwarden_json_export() {
    let v = vault::load_vault(&data("bitwarden.json"), &no_prompt()).unwrap();
    assert_eq!(v.format, vault::VaultFormat::Bitwarden);
    assert_eq!(v.entries.len(), 5, "the secure note is not a login");
    assert!(v.entries[3].passkey && !v.entries[3].has_password());
    assert_eq!(v.entries[0].path(), "Social/X WestmerePolice");
    check_all(&v, true);
}

#[test]
fn csv_export_with_aliases_and_extra_columns() {
    let v = vault::load_vault(&data("passwords.csv"), &no_prompt()).unwrap();
    assert_eq!(v.format, vault::VaultFormat::Csv);
    assert_eq!(v.entries.len(), 4);
    check_all(&v, false);
}

#[test]
fn csv_bitwarden_column_names() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("export.csv");
    std::fs::write(
        &p,
        "folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp\n\
         Social,,login,X WestmerePolice,,,0,https://x.com/WestmerePolice,someone,Westmere2024!,\n",
    )
    .unwrap();
    let v = vault::load_vault(&p, &no_prompt()).unwrap();
    assert_eq!(v.entries[0].path(), "Social/X WestmerePolice");
    assert_eq!(v.entries[0].urls, vec!["https://x.com/WestmerePolice"]);
    assert!(v.entries[0].has_password());
}

/// The entries' paths, in file order.
fn paths(v: &Vault) -> Vec<String> {
    v.entries.iter().map(|e| e.path()).collect()
}

#[test]
fn keepassxc_csv_export_drops_the_root_group_and_the_recycle_bin() {
    let v = vault::load_vault(&data("keepassxc.csv"), &no_prompt()).unwrap();
    assert_eq!(
        paths(&v),
        [
            "Social/X WestmerePolice",
            "Social/Facebook page",
            "Social/Instagram",
            "Personal/old forum"
        ]
    );
    check_all(&v, false);
}

#[test]
fn bitwarden_csv_export_splits_joined_uris_and_skips_notes() {
    let v = vault::load_vault(&data("bitwarden.csv"), &no_prompt()).unwrap();
    assert_eq!(v.entries.len(), 4, "{:?}", paths(&v));
    assert_eq!(
        v.entries[2].urls,
        [
            "https://help.example.org/",
            "https://www.instagram.com/accounts/login/"
        ]
    );
    check_all(&v, false);
}

#[test]
fn bitwarden_organisation_csv_matches_by_collection() {
    let v = vault::load_vault(&data("bitwarden-org.csv"), &no_prompt()).unwrap();
    assert_eq!(v.entries[0].path(), "Social/X WestmerePolice");
    assert_eq!(v.entries[0].also_in, ["Press"]);
    check_all(&v, false);
    // Any of the item's collections names it.
    let mut inv = inventory();
    inv.accounts[0].security.vault_entry = Some("Press/X WestmerePolice".into());
    let creds = vault::assess(&inv, &v, BreachSource::None);
    assert!(matches!(
        &creds.per_account["wm-x-main"].entry,
        EntryMatch::Matched { path, .. } if path == "Social/X WestmerePolice"
    ));
}

#[test]
fn bitwarden_organisation_json_matches_by_collection() {
    let v = vault::load_vault(&data("bitwarden-org.json"), &no_prompt()).unwrap();
    assert_eq!(v.format, vault::VaultFormat::Bitwarden);
    assert_eq!(
        paths(&v),
        [
            "Social/X WestmerePolice",
            "Social/Facebook page",
            "Social/Instagram",
            "Personal/old forum"
        ]
    );
    check_all(&v, false);
}

#[test]
fn onepassword_csv_has_no_folders_and_matches_on_title() {
    let v = vault::load_vault(&data("1password.csv"), &no_prompt()).unwrap();
    assert!(!v.has_folders);
    assert_eq!(v.entries[0].path(), "X WestmerePolice");
    check_all_named(&v, false, false);
    // With folders, a folder that does not match is a missing entry, not a title match.
    let v = vault::load_vault(&data("keepassxc.csv"), &no_prompt()).unwrap();
    let mut inv = inventory();
    inv.accounts[0].security.vault_entry = Some("Press/X WestmerePolice".into());
    let creds = vault::assess(&inv, &v, BreachSource::None);
    assert!(matches!(
        creds.per_account["wm-x-main"].entry,
        EntryMatch::NamedEntryMissing { .. }
    ));
}

#[test]
fn pykeepass_kdbx4_with_history_and_custom_fields() {
    let v = vault::load_vault(&data("pykeepass.kdbx"), &opts_with(KDBX_MASTER)).unwrap();
    assert_eq!(v.format, vault::VaultFormat::Keepass);
    // The recycle bin's entry is left out; the history entry is not an entry.
    assert_eq!(
        paths(&v),
        [
            "Social/X WestmerePolice",
            "Social/Facebook page",
            "Social/Instagram",
            "Personal/old forum"
        ]
    );
    check_all(&v, false);
}

#[test]
fn keepass_kdbx4() {
    let dir = tempfile::tempdir().unwrap();
    let path = kdbx_file(dir.path(), None);
    let v = vault::load_vault(&path, &opts_with(KDBX_MASTER)).unwrap();
    assert_eq!(v.format, vault::VaultFormat::Keepass);
    let paths: Vec<String> = v.entries.iter().map(|e| e.path()).collect();
    assert!(
        paths.contains(&"Social/X WestmerePolice".to_string()),
        "{paths:?}"
    );
    check_all(&v, false);
}

#[test]
fn keepass_detected_by_content_and_with_key_file() {
    let dir = tempfile::tempdir().unwrap();
    let kf = dir.path().join("vault.key");
    std::fs::write(&kf, b"some key file bytes that are not XML").unwrap();
    let path = kdbx_file(dir.path(), Some(&kf));
    let renamed = dir.path().join("export.bin");
    std::fs::rename(&path, &renamed).unwrap();
    let opts = VaultOptions {
        key_file: Some(kf.clone()),
        ..opts_with(KDBX_MASTER)
    };
    let v = vault::load_vault(&renamed, &opts).unwrap();
    assert_eq!(v.format, vault::VaultFormat::Keepass);
    // The key file is required.
    let err = vault::load_vault(&renamed, &opts_with(KDBX_MASTER)).unwrap_err();
    assert!(matches!(&err, Error::Input(d) if d[0].code == Code::BadVault));
}

#[test]
fn wrong_keepass_password_is_an_input_error_without_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let path = kdbx_file(dir.path(), None);
    let tried = "Wrong-Guess-Planted-77";
    let err = vault::load_vault(&path, &opts_with(tried)).unwrap_err();
    assert_eq!(err.exit_code(), 2);
    let Error::Input(diags) = &err else {
        panic!("not an input error: {err:?}")
    };
    assert_eq!(diags[0].code, Code::BadVault);
    assert!(diags[0].message.contains("wrong"), "{}", diags[0].message);
    let all = format!("{err} {err:?} {}", diags[0]);
    assert!(!all.contains(tried) && !all.contains(KDBX_MASTER));
}

#[test]
fn keepass_without_a_password_and_no_terminal_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = kdbx_file(dir.path(), None);
    // Only meaningful when the environment does not supply one.
    if std::env::var_os(vault::PASSWORD_ENV).is_some() {
        return;
    }
    let err = vault::load_vault(&path, &no_prompt()).unwrap_err();
    assert!(matches!(&err, Error::Input(d) if d[0].message.contains(vault::PASSWORD_ENV)));
}

#[test]
fn malformed_json_error_does_not_quote_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bw.json");
    // serde_json's own message would quote this string ("invalid type: string ...").
    std::fs::write(
        &p,
        format!(r#"{{"items":[{{"type":1,"login":{{"uris":"{WEAK}"}}}}]}}"#),
    )
    .unwrap();
    let err = vault::load_vault(&p, &no_prompt()).unwrap_err();
    let Error::Input(d) = &err else { panic!() };
    assert_eq!(d[0].code, Code::BadVault);
    assert!(d[0].line >= 1);
    assert_no_secret(&format!("{err:?} {}", d[0]), "error");

    std::fs::write(&p, r#"{"encrypted": true, "data": "xyz"}"#).unwrap();
    let err = vault::load_vault(&p, &no_prompt()).unwrap_err();
    assert!(matches!(&err, Error::Input(d) if d[0].message.contains("encrypted")));
}

#[test]
fn bad_csv_and_missing_file_are_input_errors() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("v.csv");
    std::fs::write(&p, "name,url,username\nx,https://x.com,a\n").unwrap();
    let err = vault::load_vault(&p, &no_prompt()).unwrap_err();
    assert!(matches!(&err, Error::Input(d) if d[0].message.contains("password")));
    let mut bytes = b"name,password\nx,".to_vec();
    bytes.extend_from_slice(&[0xff, 0xfe, b'\n']);
    std::fs::write(&p, bytes).unwrap();
    assert_eq!(
        vault::load_vault(&p, &no_prompt()).unwrap_err().exit_code(),
        2
    );
    let err = vault::load_vault(&dir.path().join("absent.json"), &no_prompt()).unwrap_err();
    assert_eq!(err.exit_code(), 2);
}

#[test]
fn options_debug_redacts_the_master_password() {
    let o = opts_with(KDBX_MASTER);
    assert_no_secret(&format!("{o:?}"), "options Debug");
}

#[test]
fn everything_skips_without_a_vault() {
    let inv = inventory();
    let ctx = Context::new(&inv, date(2026, 10, 1));
    for a in &inv.accounts {
        assert_eq!(statuses(&ctx, &a.id), [Status::Skipped; 3]);
    }
}

#[test]
fn breach_skipped_without_a_corpus_and_closed_accounts_skipped() {
    let mut inv = inventory();
    inv.accounts[1].status = AccountStatus::Closed;
    let v = vault::load_vault(&data("bitwarden.json"), &no_prompt()).unwrap();
    let creds = vault::assess(&inv, &v, BreachSource::None);
    let mut ctx = Context::new(&inv, date(2026, 10, 1));
    ctx.credentials = Some(creds);
    assert_eq!(
        statuses(&ctx, "wm-insta"),
        [Status::Pass, Status::Pass, Status::Skipped]
    );
    assert_eq!(
        statuses(&ctx, "wm-tiktok"),
        [Status::Pass, Status::Pass, Status::Skipped]
    );
    assert_eq!(statuses(&ctx, "wm-fb"), [Status::Skipped; 3]);
}

#[test]
fn org_and_handle_words_make_a_password_weak() {
    let v = vault::load_vault(&data("bitwarden.json"), &no_prompt()).unwrap();
    let inv = inventory();
    let creds = vault::assess(&inv, &v, BreachSource::None);
    let s = creds.per_account["wm-x-main"].strength.clone().unwrap();
    assert!(s.score <= 2, "Westmere2024! scored {}", s.score);
    let strong = creds.per_account["wm-fb"].strength.clone().unwrap();
    assert!(
        strong.score >= 3,
        "a random passphrase scored {}",
        strong.score
    );
}

#[test]
fn same_entry_for_two_accounts_is_reuse() {
    let mut inv = inventory();
    inv.accounts[2].security.vault_entry = Some("Social/X WestmerePolice".into());
    let v = vault::load_vault(&data("bitwarden.json"), &no_prompt()).unwrap();
    let creds = vault::assess(&inv, &v, BreachSource::None);
    assert_eq!(
        creds.per_account["wm-x-main"].reuse.accounts,
        vec!["wm-insta"]
    );
    assert_eq!(
        creds.per_account["wm-insta"].reuse.accounts,
        vec!["wm-x-main"]
    );
}

#[test]
fn ambiguous_entries_are_an_error_not_a_guess() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("v.csv");
    std::fs::write(&p, "name,url,username,password\na,https://x.com/WestmerePolice,,one-pass\nb,https://twitter.com/westmerepolice,,two-pass\n").unwrap();
    let v = vault::load_vault(&p, &no_prompt()).unwrap();
    let inv = inventory();
    let creds = vault::assess(&inv, &v, BreachSource::None);
    let mut ctx = Context::new(&inv, date(2026, 10, 1));
    ctx.credentials = Some(creds);
    // wm-x-main names its entry, which is absent; the Facebook account finds nothing.
    assert_eq!(statuses(&ctx, "wm-x-main")[0], Status::Error);
    let mut inv2 = inventory();
    inv2.accounts[0].security.vault_entry = None;
    let creds = vault::assess(&inv2, &v, BreachSource::None);
    assert!(
        matches!(&creds.per_account["wm-x-main"].entry, EntryMatch::Ambiguous { candidates } if candidates.len() == 2)
    );
}

// ---- the offline corpus ----

#[test]
fn pwned_file_binary_search_finds_every_line_and_no_other() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines: Vec<String> = (0..2000u32).map(|i| sha1_upper(&format!("p{i}"))).collect();
    lines.sort();
    for (sep, name) in [("\n", "lf.txt"), ("\r\n", "crlf.txt")] {
        let path = dir.path().join(name);
        // Lower-case hex and no trailing newline on the last line are tolerated.
        let body: Vec<String> = lines
            .iter()
            .enumerate()
            .map(|(i, h)| format!("{}:{}", h.to_lowercase(), i + 1))
            .collect();
        std::fs::write(&path, body.join(sep)).unwrap();
        let f = PwnedFile::open(&path).unwrap();
        for (i, h) in lines.iter().enumerate() {
            let key: [u8; 40] = h.as_bytes().try_into().unwrap();
            assert_eq!(f.count(&key), Ok(Some(i as u64 + 1)), "{name} line {i}");
        }
        for miss in ["absent", "also absent", ""] {
            let key: [u8; 40] = sha1_upper(miss).as_bytes().try_into().unwrap();
            assert_eq!(f.count(&key), Ok(None));
        }
        assert_eq!(f.count(&[b'0'; 40]), Ok(None));
        assert_eq!(f.count(&[b'F'; 40]), Ok(None));
    }
}

fn key(hash: &str) -> [u8; 40] {
    hash.as_bytes().try_into().unwrap()
}

/// The message of the input error `PwnedFile::open` gives for `path`.
fn open_error(path: &Path) -> String {
    let err = PwnedFile::open(path).unwrap_err();
    assert_eq!(err.exit_code(), 2, "{err}");
    let Error::Input(d) = &err else {
        panic!("not an input error: {err:?}")
    };
    d[0].message.clone()
}

/// 2,000 `(hash, count)` lines sorted by hash, `BREACHED` among them.
fn sorted_lines() -> Vec<(String, u64)> {
    let mut lines: Vec<(String, u64)> = (0..2000u32)
        .map(|i| (sha1_upper(&format!("p{i}")), u64::from(i) + 1))
        .collect();
    lines.push((sha1_upper(BREACHED), 2_254_650));
    lines.sort();
    lines
}

fn write_lines(path: &Path, lines: &[(String, u64)], bom: bool) {
    let mut body = if bom {
        "\u{FEFF}".to_string()
    } else {
        String::new()
    };
    for (h, c) in lines {
        body.push_str(&format!("{h}:{c}\r\n"));
    }
    std::fs::write(path, body).unwrap();
}

#[test]
fn pwned_file_ordered_by_prevalence_is_refused_with_the_file_to_download() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = sorted_lines();
    // The published "ordered by count" list: most prevalent first.
    lines.sort_by_key(|l| std::cmp::Reverse(l.1));
    let path = dir
        .path()
        .join("pwned-passwords-sha1-ordered-by-count-v8.txt");
    write_lines(&path, &lines, false);
    let message = open_error(&path);
    assert!(message.contains("ordered-by-hash"), "{message}");
    assert!(message.contains("prevalence"), "{message}");
    let err = BreachSource::Offline(path).validate().unwrap_err();
    assert_eq!(err.exit_code(), 2);
}

#[test]
fn audit_with_a_list_ordered_by_prevalence_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = sorted_lines();
    lines.sort_by_key(|l| std::cmp::Reverse(l.1));
    let pwned = dir.path().join("pwned.txt");
    write_lines(&pwned, &lines, false);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = assert_cmd::Command::cargo_bin("palisade")
        .unwrap()
        .arg("audit")
        .arg(root.join("examples/westmere.yaml"))
        .arg("--vault")
        .arg(data("bitwarden.json"))
        .arg("--pwned-file")
        .arg(&pwned)
        .args(["--as-of", "2026-10-01", "--out"])
        .arg(dir.path().join("out"))
        .env_remove(vault::PWNED_API_ENV)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("ordered-by-hash"), "{stderr}");
}

#[test]
fn pwned_file_out_of_order_where_a_lookup_goes_is_an_error_never_clean() {
    let dir = tempfile::tempdir().unwrap();
    let sorted = sorted_lines();
    // Sorted, except for a few adjacent pairs swapped halfway between the lines sampled at
    // open (every 2001/32 lines): the sample misses them; the look-ups that pass by must not.
    let mut lines = sorted.clone();
    for i in [31, 531, 1031, 1531] {
        lines.swap(i, i + 1);
    }
    let path = dir.path().join("pwned.txt");
    write_lines(&path, &lines, false);
    let f = PwnedFile::open(&path).unwrap();
    let mut caught = 0;
    for (h, c) in &sorted {
        match f.count(&key(h)) {
            Ok(Some(found)) => assert_eq!(found, *c),
            Ok(None) => panic!("{h} is in the file but was reported absent"),
            Err(e) => {
                assert_eq!(e, vault::CorpusError::Unsorted);
                caught += 1;
            }
        }
    }
    assert!(caught > 0, "no look-up noticed the disorder");
}

#[test]
fn pwned_file_with_bom_and_crlf_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let lines = sorted_lines();
    let path = dir.path().join("pwned.txt");
    write_lines(&path, &lines, true);
    let f = PwnedFile::open(&path).unwrap();
    for (h, c) in [&lines[0], &lines[1000], &lines[lines.len() - 1]] {
        assert_eq!(f.count(&key(h)), Ok(Some(*c)));
    }
    assert_eq!(f.count(&key(&sha1_upper(BREACHED))), Ok(Some(2_254_650)));
}

/// The downloader's `-s false` output for `lines`: one `PREFIX.txt` per prefix, suffixes only.
fn range_dir(dir: &Path, lines: &[(String, u64)], suffix_len: usize) {
    let mut files: std::collections::BTreeMap<String, String> = Default::default();
    for (h, c) in lines {
        let h = &h[..5 + suffix_len];
        files
            .entry(h[..5].to_string())
            .or_default()
            .push_str(&format!("{}:{c}\r\n", &h[5..]));
    }
    for (prefix, body) in files {
        std::fs::write(dir.join(format!("{prefix}.txt")), body).unwrap();
    }
}

#[test]
fn pwned_range_directory_is_searched_and_a_missing_range_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let lines = sorted_lines();
    range_dir(dir.path(), &lines, 35);
    let f = PwnedFile::open(dir.path()).unwrap();
    for (h, c) in lines.iter().step_by(37) {
        assert_eq!(f.count(&key(h)), Ok(Some(*c)), "{h}");
    }
    // Same prefix as a present hash, other suffix: absent.
    let mut absent = lines[5].0.clone();
    absent.replace_range(39..40, if absent.ends_with('0') { "1" } else { "0" });
    assert_eq!(f.count(&key(&absent)), Ok(None));
    // A prefix with no file: the download is incomplete, which is not "clean".
    let prefixes: std::collections::BTreeSet<&str> = lines.iter().map(|l| &l.0[..5]).collect();
    let missing = (0..0x10_0000u32)
        .map(|p| format!("{p:05X}"))
        .find(|p| !prefixes.contains(p.as_str()))
        .unwrap();
    let probe = format!("{missing}{}", "0".repeat(35));
    assert_eq!(f.count(&key(&probe)), Err(vault::CorpusError::MissingRange));

    // Through assess: the breached password is found in the directory.
    let v = vault::load_vault(&data("bitwarden.json"), &no_prompt()).unwrap();
    let creds = vault::assess(
        &inventory(),
        &v,
        BreachSource::Offline(dir.path().to_path_buf()),
    );
    assert_eq!(
        creds.per_account["wm-insta"].breach,
        BreachStatus::Found { count: 2_254_650 }
    );
}

#[test]
fn ntlm_lists_are_named_as_ntlm() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir
        .path()
        .join("pwned-passwords-ntlm-ordered-by-hash-v8.txt");
    std::fs::write(&p, "00000010F4B3B2D9A4E4B53B7A9F1C3A:3\r\n").unwrap();
    let message = open_error(&p);
    assert!(message.contains("NTLM"), "{message}");
    let ranges = dir.path().join("ntlm");
    std::fs::create_dir(&ranges).unwrap();
    std::fs::write(
        ranges.join("00000.txt"),
        "0010F4B3B2D9A4E4B53B7A9F1C3:3\r\n",
    )
    .unwrap();
    let message = open_error(&ranges);
    assert!(message.contains("NTLM"), "{message}");
}

#[test]
fn directories_and_devices_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "hello").unwrap();
    let message = open_error(dir.path());
    assert!(message.contains("range files"), "{message}");
    assert!(!message.contains("No such device"), "{message}");
    let message = open_error(Path::new("/dev/null"));
    assert!(message.contains("not a regular file"), "{message}");
    let message = open_error(&dir.path().join("absent.txt"));
    assert!(message.contains("no such file"), "{message}");
}

#[test]
fn not_a_pwned_file_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("ntlm.txt");
    std::fs::write(&p, "8846F7EAEE8FB117AD06BDD830B7586C:3\n").unwrap();
    assert_eq!(
        BreachSource::Offline(p.clone())
            .validate()
            .unwrap_err()
            .exit_code(),
        2
    );
    std::fs::write(&p, "").unwrap();
    assert!(PwnedFile::open(&p).is_err());
    assert!(BreachSource::Offline(dir.path().join("none"))
        .validate()
        .is_err());
}

#[test]
fn unreadable_corpus_during_assess_is_an_error_result() {
    let dir = tempfile::tempdir().unwrap();
    let v = vault::load_vault(&data("bitwarden.json"), &no_prompt()).unwrap();
    let inv = inventory();
    let creds = vault::assess(&inv, &v, BreachSource::Offline(dir.path().join("gone.txt")));
    let mut ctx = Context::new(&inv, date(2026, 10, 1));
    ctx.credentials = Some(creds);
    assert_eq!(statuses(&ctx, "wm-insta")[2], Status::Error);
}

// ---- the online range API, against a server on loopback ----

struct Seen {
    path: String,
    padding: bool,
    user_agent: String,
}

/// Serves `/range/PREFIX` from `answers` (`other` for the rest), recording each request;
/// returns the base URL.
fn range_server(
    answers: Vec<(String, String)>,
    other: &'static str,
) -> (String, Arc<Mutex<Vec<Seen>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            let path = request_line
                .split_whitespace()
                .nth(1)
                .unwrap_or("")
                .to_string();
            let (mut padding, mut user_agent) = (false, String::new());
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
                    break;
                }
                let (k, v) = h.split_once(':').unwrap_or((&h, ""));
                if k.eq_ignore_ascii_case("add-padding") && v.trim() == "true" {
                    padding = true;
                }
                if k.eq_ignore_ascii_case("user-agent") {
                    user_agent = v.trim().to_string();
                }
            }
            let prefix = path.strip_prefix("/range/").unwrap_or("");
            let body = answers
                .iter()
                .find(|(p, _)| p == prefix)
                .map(|(_, b)| b.clone())
                .unwrap_or_else(|| other.to_string());
            log.lock().unwrap().push(Seen {
                path,
                padding,
                user_agent,
            });
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.flush();
            let mut sink = [0u8; 16];
            let _ = stream.read(&mut sink);
        }
    });
    (base, seen)
}

#[test]
fn online_range_api_sends_five_hex_characters_with_padding() {
    let breached = sha1_upper(BREACHED);
    let weak = sha1_upper(WEAK);
    let answers = vec![
        (
            breached[..5].to_string(),
            format!(
                "00000000000000000000000000000000001:3\r\n{}:4242\r\n",
                &breached[5..]
            ),
        ),
        // The weak password's suffix only as a padding line (count 0): not a breach.
        (
            weak[..5].to_string(),
            format!(
                "{}:0\r\nFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:0\r\n",
                &weak[5..]
            ),
        ),
    ];
    // What the real API sends for a prefix with nothing of ours in it: padding.
    let (base, seen) = range_server(answers, "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:0\r\n");
    let v = vault::load_vault(&data("bitwarden.json"), &no_prompt()).unwrap();
    let inv = inventory();
    let creds = vault::assess(&inv, &v, BreachSource::Online { base_url: base });
    assert_eq!(
        creds.per_account["wm-insta"].breach,
        BreachStatus::Found { count: 4242 }
    );
    assert_eq!(creds.per_account["wm-x-main"].breach, BreachStatus::Clean);
    assert_eq!(creds.per_account["wm-fb"].breach, BreachStatus::Clean);

    let seen = seen.lock().unwrap();
    // One request per matched password (x, fb, insta); the personal entry is never sent.
    assert_eq!(seen.len(), 3);
    let forum_prefix = &sha1_upper(REUSED)[..5];
    for s in seen.iter() {
        let prefix = s.path.strip_prefix("/range/").expect("range path");
        assert_eq!(prefix.len(), 5, "sent {}", s.path);
        assert!(prefix.bytes().all(|b| b.is_ascii_hexdigit()));
        assert!(s.padding, "Add-Padding missing");
        assert!(s.user_agent.starts_with("palisade/"), "{}", s.user_agent);
        for p in PLANTED {
            assert!(!s.path.contains(&sha1_upper(p)[5..]));
        }
    }
    assert!(
        seen.iter()
            .filter(|s| s.path.ends_with(forum_prefix))
            .count()
            <= 1
    );

    let mut ctx = Context::new(&inv, date(2026, 10, 1));
    ctx.credentials = Some(creds.clone());
    assert_eq!(statuses(&ctx, "wm-insta")[2], Status::Fail);
    assert_nothing_leaks(&v, &creds, &ctx);
}

#[test]
fn a_range_answer_that_is_not_the_api_s_is_an_error_not_a_pass() {
    // A captive portal or a wrong base URL answers 200 with a page: no hash is "in" it, and it
    // used to read as "in no breach".
    let (base, _) = range_server(
        Vec::new(),
        "<html><body>Please sign in to the guest Wi-Fi</body></html>",
    );
    let v = vault::load_vault(&data("bitwarden.json"), &no_prompt()).unwrap();
    let inv = inventory();
    let creds = vault::assess(&inv, &v, BreachSource::Online { base_url: base });
    let mut ctx = Context::new(&inv, date(2026, 10, 1));
    ctx.credentials = Some(creds);
    for id in ["wm-insta", "wm-x-main", "wm-fb"] {
        let [_, _, o] = run(&ctx, id);
        assert_eq!(o.status, Status::Error, "{id}: {}", o.message);
        assert!(o.message.contains("not a range answer"), "{}", o.message);
    }
}

#[test]
fn unreachable_range_api_is_an_error_result() {
    // A port that was free a moment ago: nothing listens there.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let v = vault::load_vault(&data("bitwarden.json"), &no_prompt()).unwrap();
    let inv = inventory();
    let creds = vault::assess(
        &inv,
        &v,
        BreachSource::Online {
            base_url: format!("http://127.0.0.1:{port}"),
        },
    );
    let mut ctx = Context::new(&inv, date(2026, 10, 1));
    ctx.credentials = Some(creds);
    let [_, _, o] = run(&ctx, "wm-insta");
    assert_eq!(o.status, Status::Error);
    assert!(o.message.contains("could not be reached"), "{}", o.message);
}

#[test]
fn online_source_reads_the_environment_default() {
    let src = BreachSource::online(Some("http://127.0.0.1:9"));
    assert_eq!(
        src,
        BreachSource::Online {
            base_url: "http://127.0.0.1:9".into()
        }
    );
}

#[test]
fn check_definitions_name_registered_natives() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("checks");
    for (id, native) in [
        ("AUTH-07", "vault_password_strength"),
        ("AUTH-08", "vault_password_reuse"),
        ("AUTH-09", "vault_password_breach"),
        ("MAIL-05", "hibp_email_breach"),
    ] {
        let text = std::fs::read_to_string(dir.join(format!("{id}.yaml"))).unwrap();
        let v: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
        assert_eq!(v["id"], id);
        assert_eq!(v["native"], native);
        for key in ["title", "family", "severity", "rationale", "remediation"] {
            assert!(
                v[key].as_str().is_some_and(|s| !s.is_empty()),
                "{id}: {key}"
            );
        }
        assert!(v["references"].as_array().is_some_and(|r| !r.is_empty()));
        assert!(
            palisade::checks::lookup(native).is_some(),
            "{native} not registered"
        );
    }
}
