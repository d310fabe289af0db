//! Which vault entry holds which account's password.
//!
//! Order of evidence: the inventory's `security.vault_entry` (`Folder/Name` or `Name`) is
//! authoritative (in an export without folders, such as 1Password's CSV, `Folder/Name` falls back
//! to the title alone, and the match says so); otherwise an entry whose URL is on the account's platform and whose URL path or
//! username is the handle; otherwise an entry with no URL whose username is the handle. Several
//! equally good entries are ambiguous, reported rather than guessed: a guess could pass an account
//! on the strength of the wrong password.

use std::collections::BTreeMap;

use super::{Vault, VaultEntry};
use crate::model::{Account, Inventory, Platform};

/// The outcome of matching one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountMatch {
    /// Index into [`Vault::entries`], and how it was found.
    Entry(usize, super::MatchedBy),
    /// `security.vault_entry` names an entry the vault does not have.
    NamedEntryMissing(String),
    /// Several entries fit equally well (their paths).
    Ambiguous(Vec<String>),
    NoMatch,
}

/// Every account's match, by account id.
#[derive(Debug, Clone, Default)]
pub struct VaultMatches {
    pub by_account: BTreeMap<String, AccountMatch>,
}

impl VaultMatches {
    pub fn entry_index(&self, account_id: &str) -> Option<usize> {
        match self.by_account.get(account_id) {
            Some(AccountMatch::Entry(i, _)) => Some(*i),
            _ => None,
        }
    }
}

pub fn match_accounts(inv: &Inventory, vault: &Vault) -> VaultMatches {
    let by_account = inv
        .accounts
        .iter()
        .map(|a| (a.id.clone(), match_one(a, vault)))
        .collect();
    VaultMatches { by_account }
}

fn match_one(account: &Account, vault: &Vault) -> AccountMatch {
    use super::MatchedBy;
    if let Some(wanted) = account
        .security
        .vault_entry
        .as_deref()
        .map(str::trim)
        .filter(|w| !w.is_empty())
    {
        let by_path: Vec<usize> =
            indices(vault, |e| e.paths().any(|p| p.eq_ignore_ascii_case(wanted)));
        let (found, by) = if by_path.is_empty() {
            let by_name = indices(vault, |e| e.name.eq_ignore_ascii_case(wanted));
            if by_name.is_empty() && !vault.has_folders {
                (by_title(vault, wanted), MatchedBy::TitleOnly)
            } else {
                (by_name, MatchedBy::VaultEntry)
            }
        } else {
            (by_path, MatchedBy::VaultEntry)
        };
        return match found.as_slice() {
            [] => AccountMatch::NamedEntryMissing(wanted.to_string()),
            [i] => AccountMatch::Entry(*i, by),
            many => {
                AccountMatch::Ambiguous(many.iter().map(|i| vault.entries[*i].path()).collect())
            }
        };
    }
    let handle = account.handle.trim_start_matches('@');
    let hosts = platform_hosts(account);
    let url_match = indices(vault, |e| {
        e.urls.iter().any(|u| {
            let (host, path) = split_url(u);
            host_matches(&host, &hosts)
                && (path_names_handle(&path, handle)
                    || e.username
                        .as_deref()
                        .is_some_and(|n| same_handle(n, handle)))
        })
    });
    match url_match.as_slice() {
        [i] => return AccountMatch::Entry(*i, MatchedBy::Url),
        [] => {}
        many => {
            return AccountMatch::Ambiguous(many.iter().map(|i| vault.entries[*i].path()).collect())
        }
    }
    let user_match = indices(vault, |e| {
        e.urls.is_empty()
            && e.username
                .as_deref()
                .is_some_and(|n| same_handle(n, handle))
    });
    match user_match.as_slice() {
        [i] => AccountMatch::Entry(*i, MatchedBy::Username),
        [] => AccountMatch::NoMatch,
        many => AccountMatch::Ambiguous(many.iter().map(|i| vault.entries[*i].path()).collect()),
    }
}

/// In an export without folders, `Folder/Title` names the entry titled `Title`: the folder part
/// is dropped at the first `/` after which some entry's title matches (titles may hold `/`).
fn by_title(vault: &Vault, wanted: &str) -> Vec<usize> {
    wanted
        .match_indices('/')
        .map(|(at, _)| &wanted[at + 1..])
        .map(|title| indices(vault, |e| e.name.eq_ignore_ascii_case(title.trim())))
        .find(|found| !found.is_empty())
        .unwrap_or_default()
}

fn indices(vault: &Vault, pred: impl Fn(&VaultEntry) -> bool) -> Vec<usize> {
    vault
        .entries
        .iter()
        .enumerate()
        .filter(|(_, e)| pred(e))
        .map(|(i, _)| i)
        .collect()
}

fn same_handle(a: &str, handle: &str) -> bool {
    a.trim()
        .trim_start_matches('@')
        .eq_ignore_ascii_case(handle)
}

/// Registrable domains of each platform's sign-in and profile pages.
fn platform_hosts(account: &Account) -> Vec<String> {
    let fixed: &[&str] = match account.platform {
        Platform::X => &["x.com", "twitter.com"],
        Platform::Facebook => &["facebook.com", "fb.com", "business.facebook.com"],
        Platform::Instagram => &["instagram.com"],
        Platform::Threads => &["threads.net", "threads.com"],
        Platform::Youtube => &["youtube.com", "google.com"],
        Platform::Tiktok => &["tiktok.com"],
        Platform::Linkedin => &["linkedin.com"],
        Platform::Bluesky => &["bsky.app", "bsky.social"],
        Platform::Whatsapp => &["whatsapp.com"],
        Platform::Nextdoor => &["nextdoor.com", "nextdoor.co.uk"],
        Platform::Snapchat => &["snapchat.com"],
        Platform::Mastodon | Platform::Other => &[],
    };
    let mut hosts: Vec<String> = fixed.iter().map(|s| s.to_string()).collect();
    if account.platform == Platform::Mastodon {
        if let Some((_, instance)) = account.handle.trim_start_matches('@').split_once('@') {
            hosts.push(instance.to_ascii_lowercase());
        }
    }
    if let Some(url) = &account.url {
        let (host, _) = split_url(url);
        if !host.is_empty() {
            hosts.push(host);
        }
    }
    hosts
}

fn host_matches(host: &str, hosts: &[String]) -> bool {
    !host.is_empty()
        && hosts.iter().any(|h| {
            host == h
                || host
                    .strip_suffix(h.as_str())
                    .is_some_and(|p| p.ends_with('.'))
        })
}

/// Lower-cased host (no port, no credentials) and the path, from a URL with or without scheme.
pub(crate) fn split_url(url: &str) -> (String, String) {
    let rest = url.trim();
    let rest = rest.split_once("://").map(|(_, r)| r).unwrap_or(rest);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    let authority = authority
        .rsplit_once('@')
        .map(|(_, h)| h)
        .unwrap_or(authority);
    let host = authority
        .split(':')
        .next()
        .unwrap_or("")
        .trim_end_matches('.')
        .to_ascii_lowercase();
    let path = path.split(['?', '#']).next().unwrap_or("").to_string();
    (host, path)
}

/// The handle is one of the first path segments: `/WestmerePolice`, `/@handle`,
/// `/company/handle`, `/profile/handle.bsky.social`.
fn path_names_handle(path: &str, handle: &str) -> bool {
    let user = handle.split('@').next().unwrap_or(handle);
    path.split('/')
        .filter(|s| !s.is_empty())
        .take(2)
        .any(|seg| {
            let seg = seg.trim_start_matches('@');
            seg.eq_ignore_ascii_case(handle) || seg.eq_ignore_ascii_case(user)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_split_into_host_and_path() {
        assert_eq!(
            split_url("https://www.X.com/WestmerePolice?x=1"),
            ("www.x.com".into(), "/WestmerePolice".into())
        );
        assert_eq!(split_url("x.com/@a"), ("x.com".into(), "/@a".into()));
        assert_eq!(
            split_url("https://u:p@host:8080"),
            ("host".into(), "".into())
        );
    }

    #[test]
    fn subdomains_match_but_lookalikes_do_not() {
        let hosts = vec!["x.com".to_string()];
        assert!(host_matches("mobile.x.com", &hosts));
        assert!(host_matches("x.com", &hosts));
        assert!(!host_matches("evilx.com", &hosts));
    }
}
