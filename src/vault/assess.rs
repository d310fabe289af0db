//! From a vault to [`Credentials`]: the secret-free facts AUTH-07/08/09 judge. Everything that
//! needs a password (zxcvbn, fingerprints, SHA-1) happens here, before the engine runs; what comes
//! out holds scores, feedback, names and counts, never a password or a hash of one.

use std::collections::{BTreeMap, BTreeSet};

use secrecy::ExposeSecret;

use super::matching::{match_accounts, AccountMatch};
use super::pwned::{check_breaches_with, BreachSource, BreachStatus};
use super::Vault;
pub use crate::model::evidence::{
    AccountCredential, Credentials, EntryMatch, MatchedBy, Reuse, Strength,
};
use crate::model::{Account, Inventory};

/// zxcvbn is quadratic-ish in length; beyond this a password is strong whatever its tail.
const MAX_SCORED_CHARS: usize = 100;

/// Matches accounts to entries, scores, compares and looks up every matched password.
pub fn assess(inv: &Inventory, vault: &Vault, breach: BreachSource) -> Credentials {
    assess_with(inv, vault, breach, None)
}

/// [`assess`], asking an online corpus through the audit's network `session` when given.
pub fn assess_with(
    inv: &Inventory,
    vault: &Vault,
    breach: BreachSource,
    session: Option<&crate::online::Session>,
) -> Credentials {
    let matches = match_accounts(inv, vault);
    let breaches = check_breaches_with(vault, &matches, &breach, session);

    // Entries matched to some account, and which accounts use each entry.
    let mut accounts_of_entry: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
    for (id, m) in &matches.by_account {
        if let AccountMatch::Entry(i, _) = m {
            accounts_of_entry.entry(*i).or_default().push(id);
        }
    }
    let mut by_fingerprint: BTreeMap<[u8; 32], Vec<usize>> = BTreeMap::new();
    for (i, e) in vault.entries.iter().enumerate() {
        if let Some(f) = e.fingerprint() {
            by_fingerprint.entry(*f).or_default().push(i);
        }
    }

    let mut per_account = BTreeMap::new();
    for account in &inv.accounts {
        let m = matches
            .by_account
            .get(&account.id)
            .cloned()
            .unwrap_or(AccountMatch::NoMatch);
        let cred = match m {
            AccountMatch::Entry(i, by) => {
                let Some(entry) = vault.entries.get(i) else {
                    continue;
                };
                let strength = entry
                    .password()
                    .map(|p| strength(p.expose_secret(), inv, account));
                // Same entry shared by several accounts counts as reuse too.
                let mut same: BTreeSet<usize> = BTreeSet::from([i]);
                if let Some(f) = entry.fingerprint() {
                    same.extend(by_fingerprint.get(f).into_iter().flatten().copied());
                }
                let mut reuse = Reuse::default();
                for j in same {
                    match accounts_of_entry.get(&j) {
                        Some(ids) => reuse.accounts.extend(
                            ids.iter()
                                .filter(|a| **a != account.id)
                                .map(|a| a.to_string()),
                        ),
                        None if j != i => reuse.entries.push(vault.entries[j].path()),
                        None => {}
                    }
                }
                reuse.accounts.sort();
                reuse.accounts.dedup();
                reuse.entries.sort();
                let breach =
                    breaches
                        .per_entry
                        .get(&i)
                        .cloned()
                        .unwrap_or(BreachStatus::NotChecked {
                            reason: "the vault entry has no password".into(),
                        });
                AccountCredential {
                    entry: EntryMatch::Matched {
                        path: entry.path(),
                        by,
                    },
                    has_password: entry.has_password(),
                    passkey: entry.passkey,
                    strength,
                    reuse,
                    breach,
                }
            }
            other => {
                let entry = match other {
                    AccountMatch::NamedEntryMissing(name) => EntryMatch::NamedEntryMissing { name },
                    AccountMatch::Ambiguous(candidates) => EntryMatch::Ambiguous { candidates },
                    _ => EntryMatch::NoMatch,
                };
                AccountCredential {
                    entry,
                    has_password: false,
                    passkey: false,
                    strength: None,
                    reuse: Reuse::default(),
                    breach: BreachStatus::NotChecked {
                        reason: "no vault entry matched".into(),
                    },
                }
            }
        };
        per_account.insert(account.id.clone(), cred);
    }

    Credentials {
        vault: vault.path.display().to_string(),
        format: vault.format,
        entries: vault.entries.len(),
        breach_source: (breach != BreachSource::None).then_some(breaches.source),
        per_account,
    }
}

fn strength(password: &str, inv: &Inventory, account: &Account) -> Strength {
    let inputs = user_inputs(inv, account);
    let refs: Vec<&str> = inputs.iter().map(String::as_str).collect();
    let scored: String = password.chars().take(MAX_SCORED_CHARS).collect();
    let scored = zeroize::Zeroizing::new(scored);
    let entropy = zxcvbn::zxcvbn(&scored, &refs);
    let feedback = entropy.feedback();
    Strength {
        score: u8::from(entropy.score()),
        guesses_log10: (entropy.guesses_log10() * 100.0).round() / 100.0,
        warning: feedback.and_then(|f| f.warning()).map(|w| w.to_string()),
        suggestions: feedback
            .map(|f| f.suggestions().iter().map(|s| s.to_string()).collect())
            .unwrap_or_default(),
    }
}

/// Words an attacker would try first against this account: the organisation's name, the
/// handle and display name, whole and word by word (camelCase and digits split too).
pub(crate) fn user_inputs(inv: &Inventory, account: &Account) -> Vec<String> {
    let mut out = BTreeSet::new();
    let handle = account.handle.trim_start_matches('@');
    let whole = [
        Some(inv.organisation.name.as_str()),
        Some(handle),
        account.display_name.as_deref(),
    ];
    for text in whole.into_iter().flatten() {
        if text.trim().is_empty() {
            continue;
        }
        out.insert(text.trim().to_lowercase());
        out.insert(
            text.chars()
                .filter(|c| c.is_alphanumeric())
                .collect::<String>()
                .to_lowercase(),
        );
        for w in split_words(text) {
            if w.chars().count() >= 3 {
                out.insert(w.to_lowercase());
            }
        }
    }
    out.remove("");
    out.into_iter().collect()
}

fn split_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut prev: Option<char> = None;
    for c in text.chars() {
        let boundary = match prev {
            _ if !c.is_alphanumeric() => true,
            Some(p) => {
                (p.is_lowercase() && c.is_uppercase()) || (p.is_alphabetic() != c.is_alphabetic())
            }
            None => false,
        };
        if boundary && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        if c.is_alphanumeric() {
            cur.push(c);
        }
        prev = Some(c);
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_inputs_lower_the_score_of_an_organisation_password() {
        let inv = Inventory {
            organisation: crate::model::Organisation {
                name: "Westmere Constabulary".into(),
                ..Default::default()
            },
            ..Default::default()
        };
        let inputs = ["westmere", "constabulary"];
        let with = zxcvbn::zxcvbn("Westmere2024!", &inputs);
        let without = zxcvbn::zxcvbn("Westmere2024!", &[]);
        assert!(with.guesses() < without.guesses());
        let words = inv
            .organisation
            .name
            .split(' ')
            .map(str::to_lowercase)
            .collect::<Vec<_>>();
        assert!(words.iter().all(|w| inputs.contains(&w.as_str())));
    }

    #[test]
    fn words_split_on_case_digits_and_punctuation() {
        assert_eq!(
            split_words("WestmerePolice_HQ2024"),
            vec!["Westmere", "Police", "HQ", "2024"]
        );
        assert_eq!(
            split_words("Westmere Constabulary"),
            vec!["Westmere", "Constabulary"]
        );
    }
}
