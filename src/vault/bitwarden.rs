//! Bitwarden's unencrypted JSON export: `folders[]` and `items[]`; only login items (type 1)
//! become entries. Passwords are deserialised straight into `SecretString`; the items' password
//! history and custom fields are never read.
//!
//! An organisation's export has `collections[]` and per item `collectionIds[]` instead of
//! folders (bitwarden/clients, `org-vault-export.service.ts` and `cipher.export.ts`, checked
//! 2026-11-30): a collection then plays the part of a folder, so that `security.vault_entry:
//! "Social/X …"` names an item in the collection "Social" as it names one in the folder "Social".

use std::collections::HashMap;
use std::path::Path;

use secrecy::SecretString;
use serde::Deserialize;

use super::{bad_vault, RawEntry};
use crate::error::Error;

#[derive(Deserialize)]
struct Export {
    #[serde(default)]
    encrypted: bool,
    #[serde(default)]
    folders: Vec<Folder>,
    #[serde(default)]
    collections: Vec<Folder>,
    #[serde(default)]
    items: Vec<Item>,
}

#[derive(Deserialize)]
struct Folder {
    id: String,
    name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Item {
    #[serde(default)]
    folder_id: Option<String>,
    #[serde(default)]
    collection_ids: Option<Vec<String>>,
    /// Set on items in the trash, which are not in use.
    #[serde(default)]
    deleted_date: Option<serde::de::IgnoredAny>,
    /// Absent in hand-made exports: an item with a `login` is a login.
    #[serde(rename = "type", default = "login_kind")]
    kind: u8,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    login: Option<Login>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Login {
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<SecretString>,
    #[serde(default)]
    uris: Option<Vec<Uri>>,
    #[serde(default)]
    fido2_credentials: Option<Vec<serde::de::IgnoredAny>>,
}

#[derive(Deserialize)]
struct Uri {
    #[serde(default)]
    uri: Option<String>,
}

const LOGIN: u8 = 1;

fn login_kind() -> u8 {
    LOGIN
}

pub(crate) fn parse(path: &Path, bytes: &[u8]) -> Result<Vec<RawEntry>, Error> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // serde_json's messages may quote the offending value (a password, say), so only its
    // position and category are reported.
    let export: Export = serde_json::from_slice(bytes).map_err(|e| {
        let what = match e.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                "is not valid JSON"
            }
            serde_json::error::Category::Data => "does not have the shape of a Bitwarden export",
            serde_json::error::Category::Io => "could not be read",
        };
        bad_vault(
            path,
            e.line() as u32,
            e.column() as u32,
            format!("the vault {what}"),
        )
    })?;
    if export.encrypted {
        return Err(bad_vault(
            path,
            0,
            0,
            "this is an encrypted Bitwarden export; export the vault as unencrypted JSON into a protected location, audit, then delete it",
        ));
    }
    let folders: HashMap<String, String> =
        export.folders.into_iter().map(|f| (f.id, f.name)).collect();
    let collections: HashMap<String, String> = export
        .collections
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    Ok(export
        .items
        .into_iter()
        .filter(|i| i.kind == LOGIN && i.deleted_date.is_none())
        .filter_map(|i| {
            let login = i.login?;
            let mut places: Vec<String> = i
                .folder_id
                .and_then(|id| folders.get(&id).cloned())
                .into_iter()
                .chain(
                    i.collection_ids
                        .unwrap_or_default()
                        .iter()
                        .filter_map(|id| collections.get(id).cloned()),
                )
                .collect();
            let folder = (!places.is_empty()).then(|| places.remove(0));
            Some(RawEntry {
                folder,
                also_in: places,
                name: i.name.unwrap_or_default(),
                username: login.username,
                urls: login
                    .uris
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|u| u.uri)
                    .collect(),
                passkey: login.fido2_credentials.is_some_and(|c| !c.is_empty()),
                password: login.password,
            })
        })
        .collect())
}
