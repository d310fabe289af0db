//! CSV password exports: columns found by header name, case-insensitively, with each tool's
//! aliases; extra columns ignored. What each tool writes, as checked on 2026-11-30:
//!
//! - KeePassXC (`src/format/CsvExporter.cpp`): every field quoted, `"Group","Title","Username",
//!   "Password","URL","Notes","TOTP","Icon","Last Modified","Created"`. The group path starts
//!   with the root group's name (`Root/Social`, `Passwords/Social`), which is dropped so that
//!   paths read as the KDBX reader gives them; the recycle bin (`Recycle Bin`, KeePassXC's name
//!   for it) is left out, as the KDBX reader leaves it out.
//! - Bitwarden (bitwarden/clients, `base-vault-export.service.ts`, written with papaparse):
//!   `folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,
//!   login_totp`, with several URIs joined by commas in `login_uri`; an organisation's export has
//!   `collections` (names joined by commas) in place of `folder`. Secure notes are rows too.
//! - 1Password 8: `Title,Url,Username,Password,OTPAuth,Favorite,Archived,Tags,Notes`, logins only
//!   and no folder column (support.1password.com/export): entries are named by title alone.
//! - Chrome, Firefox, LastPass and hand-made files: `name`/`title`, `url`, `username`, `password`.

use std::path::Path;

use secrecy::SecretString;

use super::{bad_vault, Parsed, RawEntry};
use crate::error::Error;

const NAME: &[&str] = &["name", "title"];
const URL: &[&str] = &["url", "login_uri", "uri", "website", "web site"];
const USERNAME: &[&str] = &["username", "login_username", "user name", "login", "email"];
const PASSWORD: &[&str] = &["password", "login_password"];
const FOLDER: &[&str] = &["folder", "grouping", "group", "vault", "collections"];
const KIND: &[&str] = &["type"];

/// KeePassXC's name for the recycle bin group (untranslated; a localised KeePassXC names it in
/// the user's language, and those rows are then read like any other).
const KEEPASSXC_RECYCLE_BIN: &str = "Recycle Bin";

pub(crate) fn parse(path: &Path, bytes: &[u8]) -> Result<Parsed, Error> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|_| bad_vault(path, 1, 1, "the vault's CSV header cannot be read"))?
        .clone();
    let find = |aliases: &[&str]| {
        aliases.iter().find_map(|a| {
            headers
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(a))
        })
    };
    let password_col = find(PASSWORD).ok_or_else(|| {
        bad_vault(path, 1, 1, "the vault CSV has no `password` column (expected a header like name,url,username,password)")
    })?;
    let (name_col, url_col, user_col, folder_col, kind_col) = (
        find(NAME),
        find(URL),
        find(USERNAME),
        find(FOLDER),
        find(KIND),
    );
    let header_is = |col: Option<usize>, name: &str| {
        col.and_then(|c| headers.get(c))
            .is_some_and(|h| h.trim().eq_ignore_ascii_case(name))
    };
    // KeePassXC is the only exporter with a `Last Modified` column next to `Group`.
    let keepassxc = header_is(folder_col, "group") && find(&["last modified"]).is_some();
    // Bitwarden joins lists with commas inside one field.
    let comma_lists = header_is(Some(password_col), "login_password");

    let mut out = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        // Errors are reported by position only: the csv crate's messages can quote field bytes.
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map(|p| p.line() as u32).unwrap_or(0);
                return Err(bad_vault(
                    path,
                    line,
                    0,
                    "the vault CSV has a malformed or non-UTF-8 row",
                ));
            }
        }
        let get = |col: Option<usize>| {
            col.and_then(|c| record.get(c))
                .map(|s| s.trim().to_string())
        };
        // Bitwarden's secure notes (and cards, in older exports) are rows too.
        if get(kind_col).is_some_and(|k| !k.is_empty() && !k.eq_ignore_ascii_case("login")) {
            continue;
        }
        let mut places = match get(folder_col) {
            Some(f) if comma_lists => split_list(&f),
            Some(f) => vec![f],
            None => vec![],
        };
        if keepassxc {
            let below = places
                .first()
                .and_then(|g| below_root(g))
                .map(str::to_string);
            if below.as_deref().is_some_and(in_recycle_bin) {
                continue;
            }
            places = below.into_iter().collect();
        }
        let urls = match get(url_col) {
            Some(u) if comma_lists => split_list(&u),
            Some(u) if !u.is_empty() => vec![u],
            _ => vec![],
        };
        let name = get(name_col)
            .filter(|n| !n.is_empty())
            .or_else(|| urls.first().cloned())
            .unwrap_or_default();
        let folder = (!places.is_empty()).then(|| places.remove(0));
        out.push(RawEntry {
            folder,
            also_in: places,
            name,
            username: get(user_col),
            urls,
            passkey: false,
            password: record
                .get(password_col)
                .map(|p| SecretString::from(p.to_string())),
        });
    }
    // The record buffer held the last row's password.
    record.clear();
    Ok(Parsed {
        entries: out,
        has_folders: folder_col.is_some(),
    })
}

/// `a,b` → `["a", "b"]`, blanks dropped.
fn split_list(field: &str) -> Vec<String> {
    field
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// A KeePassXC group path without its first component, the root group: `Root/Social` →
/// `Social`, `Root` → none.
fn below_root(group: &str) -> Option<&str> {
    group.split_once('/').map(|(_, rest)| rest)
}

fn in_recycle_bin(group: &str) -> bool {
    group.split('/').next() == Some(KEEPASSXC_RECYCLE_BIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keepassxc_groups_lose_their_root() {
        assert_eq!(below_root("Root/Social"), Some("Social"));
        assert_eq!(below_root("Passwords/Social/Press"), Some("Social/Press"));
        assert_eq!(below_root("Root"), None);
        assert!(in_recycle_bin("Recycle Bin/Social"));
        assert!(!in_recycle_bin("Social/Recycle Bin"));
    }
}
