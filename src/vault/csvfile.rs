//! Generic CSV password exports (1Password, Chrome, Firefox, Bitwarden CSV, LastPass): columns
//! found by header name, case-insensitively, with each tool's aliases; extra columns ignored.

use std::path::Path;

use secrecy::SecretString;

use super::{bad_vault, RawEntry};
use crate::error::Error;

const NAME: &[&str] = &["name", "title"];
const URL: &[&str] = &["url", "login_uri", "uri", "website", "web site"];
const USERNAME: &[&str] = &["username", "login_username", "user name", "login", "email"];
const PASSWORD: &[&str] = &["password", "login_password"];
const FOLDER: &[&str] = &["folder", "grouping", "group", "vault"];

pub(crate) fn parse(path: &Path, bytes: &[u8]) -> Result<Vec<RawEntry>, Error> {
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
    let (name_col, url_col, user_col, folder_col) =
        (find(NAME), find(URL), find(USERNAME), find(FOLDER));

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
        let url = get(url_col).filter(|u| !u.is_empty());
        let name = get(name_col)
            .filter(|n| !n.is_empty())
            .or_else(|| url.clone())
            .unwrap_or_default();
        out.push(RawEntry {
            folder: get(folder_col),
            name,
            username: get(user_col),
            urls: url.into_iter().collect(),
            passkey: false,
            password: record
                .get(password_col)
                .map(|p| SecretString::from(p.to_string())),
        });
    }
    // The record buffer held the last row's password.
    record.clear();
    Ok(out)
}
