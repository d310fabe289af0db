//! KeePass databases (KDBX 4, and what else the `keepass` crate opens): groups below the root
//! form the folder path; the recycle bin is left out (deleted entries are not in use).

use std::path::Path;

use keepass::db::DatabaseOpenError;
use keepass::{Database, DatabaseKey};
use secrecy::{ExposeSecret, SecretString};

use super::{bad_vault, RawEntry};
use crate::error::Error;

pub(crate) use super::kdf::check as check_kdf;

pub(crate) fn parse(
    path: &Path,
    bytes: &[u8],
    password: Option<&SecretString>,
    key_file: Option<&Path>,
) -> Result<Vec<RawEntry>, Error> {
    let mut key = DatabaseKey::new();
    if let Some(p) = password {
        key = key.with_password(p.expose_secret());
    }
    if let Some(kf) = key_file {
        let mut f = crate::input::open_capped(kf, crate::input::KEY_FILE)
            .map_err(|e| bad_vault(kf, 0, 0, format!("cannot read the key file: {e}")))?;
        key = key.with_keyfile(&mut f).map_err(|_| {
            bad_vault(
                kf,
                0,
                0,
                "the key file cannot be read as a KeePass key file",
            )
        })?;
    }
    // The key-derivation settings were bounded before (`kdf::check`, from `load_vault`); a
    // header the crate panics on (a field shorter than its type) is a damaged file, not a crash.
    let db = crate::error::contain_panic(|| Database::parse(bytes, key))
        .ok_or_else(|| {
            bad_vault(
                path,
                0,
                0,
                "the KeePass file is damaged: its header cannot be read",
            )
        })?
        .map_err(|e| bad_vault(path, 0, 0, open_error(&e)))?;

    let recycle_bin = db.recycle_bin().map(|g| g.id());
    let mut out = Vec::new();
    // Iterative walk: a hostile file with deeply nested groups must not overflow the stack.
    let mut stack = vec![(db.root().id(), None::<String>)];
    while let Some((gid, folder)) = stack.pop() {
        let Some(group) = db.group(gid) else { continue };
        for entry in group.entries() {
            out.push(RawEntry {
                folder: folder.clone(),
                also_in: vec![],
                name: entry.get_title().unwrap_or_default().to_string(),
                username: entry.get_username().map(str::to_string),
                urls: entry
                    .get_url()
                    .map(|u| vec![u.to_string()])
                    .unwrap_or_default(),
                passkey: entry.get("KPEX_PASSKEY_CREDENTIAL_ID").is_some(),
                password: entry
                    .get_password()
                    .map(|p| SecretString::from(p.to_string())),
            });
        }
        // Children pushed in reverse so the walk keeps the file's order.
        let children: Vec<_> = group.groups().map(|g| (g.id(), g.name.clone())).collect();
        for (cid, name) in children.into_iter().rev() {
            if Some(cid) == recycle_bin {
                continue;
            }
            let path = match &folder {
                Some(f) => format!("{f}/{name}"),
                None => name,
            };
            stack.push((cid, Some(path)));
        }
    }
    Ok(out)
}

/// Plain words for what went wrong; never the key material.
fn open_error(e: &DatabaseOpenError) -> String {
    match e {
        DatabaseOpenError::Key(keepass::error::DatabaseKeyError::IncorrectKey) => {
            "the KeePass master password or key file is wrong".into()
        }
        DatabaseOpenError::Key(_) => "the KeePass key could not be used".into(),
        DatabaseOpenError::UnsupportedVersion => "this KeePass database version is not supported".into(),
        DatabaseOpenError::Cryptography(_) => {
            "the KeePass database could not be decrypted (wrong master password or key file, or a damaged file)".into()
        }
        _ => "the file is not a readable KeePass database".into(),
    }
}
