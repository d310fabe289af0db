//! `gather`: asks every online source what it knows about the inventory, concurrently, and turns
//! the answers into [`OnlineEvidence`]. Every failure lands in the observation it spoils and in
//! the per-source tally that becomes `sources`.
//!
//! Two phases, so that nice-to-have requests never cost the essential ones a wait for the rate
//! limit: first the accounts, the published page and the searches by name; then the look-alike
//! probes, the most likely variants of each handle first, as optional requests that give way
//! when a host's budget runs low. What was not probed is counted, never hidden.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::sync::Arc;

use reqwest::Url;
use tokio::task::JoinSet;

use super::bluesky::{self, Bluesky, Lookup, Meta, Profile};
use super::cache::Cache;
use super::http::{host_key, FailKind, FetchError, Http};
use super::mastodon::{self, Mastodon};
use super::page::{self, PageLink};
use super::progress::Progress;
use super::{
    AccountState, DefensiveName, Lookalikes, Observation, OnlineCandidate, OnlineConfig,
    OnlineEvidence, PageEvidence,
};
use crate::model::evidence::HouseRulesPage;
use crate::model::results::{LookalikeCoverage, SourceStatus};
use crate::model::{Account, AccountStatus, Inventory, Organisation, Platform};

/// Where the DIDs seen for Bluesky handles are remembered between runs (to notice renames).
const DID_MEMORY: &str = "bluesky-dids.json";

/// Look-ups made and failures seen, per source.
#[derive(Default)]
struct Tally {
    sources: BTreeMap<String, (String, u32, Vec<String>)>,
}

impl Tally {
    fn ok(&mut self, source: &str, host: &str) {
        self.entry(source, host).1 += 1;
    }
    fn failed(&mut self, source: &str, host: &str, reason: String) {
        let e = self.entry(source, host);
        e.1 += 1;
        e.2.push(reason);
    }
    fn entry(&mut self, source: &str, host: &str) -> &mut (String, u32, Vec<String>) {
        self.sources
            .entry(source.to_string())
            .or_insert_with(|| (host.to_string(), 0, Vec::new()))
    }
    fn merge(&mut self, other: Tally) {
        for (k, (host, n, errs)) in other.sources {
            let e = self.entry(&k, &host);
            e.1 += n;
            e.2.extend(errs);
        }
    }
}

/// Spawns `fut` on `set`, counted on the progress line.
fn spawn_counted<T: Send + 'static>(
    set: &mut JoinSet<T>,
    progress: &Progress,
    fut: impl Future<Output = T> + Send + 'static,
) {
    progress.plan(1);
    let p = progress.clone();
    set.spawn(async move {
        let out = fut.await;
        p.done(1);
        out
    });
}

/// [`gather_with`] on a client of its own, built from `cfg`.
pub async fn gather(
    inv: &Inventory,
    cfg: &OnlineConfig,
    lookalikes: &Lookalikes,
) -> OnlineEvidence {
    match cfg.http_client() {
        Ok(h) => gather_with(Arc::new(h), inv, cfg, lookalikes).await,
        Err(e) => OnlineEvidence {
            sources: vec![SourceStatus {
                name: "online".into(),
                ok: false,
                detail: e.to_string(),
            }],
            ..Default::default()
        },
    }
}

/// Everything the online sources say about `inv`, asked through `http` (shared with the other
/// network users of the audit, so they all keep within one budget per host).
pub async fn gather_with(
    http: Arc<Http>,
    inv: &Inventory,
    cfg: &OnlineConfig,
    lookalikes: &Lookalikes,
) -> OnlineEvidence {
    let domains = org_domains(&inv.organisation);
    let live: Vec<&Account> = inv
        .accounts
        .iter()
        .filter(|a| a.status != AccountStatus::Closed)
        .collect();
    let bsky = Bluesky::new(http.clone(), &cfg.bluesky_api);

    let (bsky_part, masto_part, page_part, rules_part, search_part) = tokio::join!(
        bluesky_accounts(&bsky, &http, &live, &domains),
        mastodon_accounts(&http, cfg, &live, &domains),
        page_evidence(&http, inv),
        house_rules_evidence(&http, inv),
        searches(&bsky, &http, cfg, inv, &live),
    );
    let probe_part = probes(&bsky, &http, cfg, inv, lookalikes).await;

    let mut ev = OnlineEvidence::default();
    let mut tally = Tally::default();
    for (obs, t) in [bsky_part, masto_part] {
        ev.accounts
            .extend(obs.into_iter().map(|o| (o.account_id.clone(), o)));
        tally.merge(t);
    }
    let (page, t) = page_part;
    ev.page = page;
    tally.merge(t);
    let (rules, t) = rules_part;
    ev.house_rules = rules;
    tally.merge(t);
    let own: BTreeSet<(Platform, String)> = inv
        .accounts
        .iter()
        .map(|a| (a.platform, norm(&a.handle)))
        .collect();
    let (mut candidates, t) = search_part;
    tally.merge(t);
    let Probed {
        found: probed,
        free: defensive,
        tally: t,
        notes,
        coverage,
    } = probe_part;
    tally.merge(t);
    ev.lookalike_coverage = coverage;
    // Look-alike hits first, so the deduplication keeps the account they were probed for.
    let mut seen = BTreeSet::new();
    candidates.splice(0..0, probed);
    ev.candidates = candidates
        .into_iter()
        .filter(|c| !own.contains(&(c.platform, norm(&c.handle))))
        .filter(|c| seen.insert((c.platform, norm(&c.handle))))
        .collect();
    ev.candidates.sort_by_key(|c| (c.platform, norm(&c.handle)));
    ev.defensive_registrations = defensive;
    ev.defensive_registrations.sort_by(|a, b| {
        (&a.account_id, a.platform, &a.handle).cmp(&(&b.account_id, b.platform, &b.handle))
    });
    ev.defensive_registrations.dedup();

    let stats = http.stats();
    for (name, (host, n, errors)) in tally.sources {
        let mut detail = format!("{n} look-up{}", if n == 1 { "" } else { "s" });
        if let Some(s) = stats.get(&host) {
            detail.push_str(&format!(
                " ({} request{}, {} from cache, {} retr{}, {} wait{} for the rate limit{})",
                s.requests,
                if s.requests == 1 { "" } else { "s" },
                s.cached,
                s.retries,
                if s.retries == 1 { "y" } else { "ies" },
                s.rate_waits,
                if s.rate_waits == 1 { "" } else { "s" },
                if s.skipped > 0 {
                    format!(
                        ", {} optional look-up{} not sent to stay within the budget",
                        s.skipped,
                        if s.skipped == 1 { "" } else { "s" }
                    )
                } else {
                    String::new()
                },
            ));
        }
        if !errors.is_empty() {
            let mut distinct: Vec<&String> = Vec::new();
            for e in &errors {
                if !distinct.contains(&e) {
                    distinct.push(e);
                }
            }
            let shown: Vec<&str> = distinct.iter().take(3).map(|s| s.as_str()).collect();
            detail.push_str(&format!("; {} failed: {}", errors.len(), shown.join("; ")));
        }
        ev.sources.push(SourceStatus {
            name,
            ok: errors.is_empty(),
            detail,
        });
    }
    ev.sources.extend(notes);
    ev
}

/// The organisation's own domains: e-mail domains and the website's host, without `www.`.
fn org_domains(org: &Organisation) -> Vec<String> {
    let mut out: Vec<String> = org
        .email_domains
        .iter()
        .map(|d| d.trim().to_ascii_lowercase())
        .collect();
    if let Some(host) = org
        .website
        .as_deref()
        .and_then(|w| Url::parse(w).ok())
        .and_then(|u| u.host_str().map(str::to_string))
    {
        let host = host.to_ascii_lowercase();
        out.push(host.strip_prefix("www.").unwrap_or(&host).to_string());
    }
    out.retain(|d| !d.is_empty());
    out.sort();
    out.dedup();
    out
}

fn on_domain(host: &str, domains: &[String]) -> Option<String> {
    let host = host.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    domains
        .iter()
        .find(|d| host == d.as_str() || host.ends_with(&format!(".{d}")))
        .cloned()
}

/// Handles compare case-insensitively, without a leading `@`.
fn norm(h: &str) -> String {
    h.trim().trim_start_matches('@').to_ascii_lowercase()
}

fn bluesky_source(host: &str) -> String {
    format!("Bluesky ({host})")
}

fn mastodon_source(host: &str) -> String {
    format!("Mastodon ({host})")
}

fn base_observation(a: &Account) -> Observation {
    Observation {
        account_id: a.id.clone(),
        platform: a.platform.to_string(),
        handle: a.handle.clone(),
        ..Default::default()
    }
}

fn failed_observation(a: &Account, reason: String) -> Observation {
    Observation {
        error: Some(reason),
        ..base_observation(a)
    }
}

fn with_meta(mut o: Observation, meta: &Meta) -> Observation {
    o.source_url = Some(meta.source_url.clone());
    o.fetched_at = Some(meta.fetched_at.clone());
    o
}

fn from_profile(a: &Account, p: &Profile, meta: &Meta, domains: &[String]) -> Observation {
    let (verified, by) = if p.verified_status == "valid" {
        (true, "Bluesky verification: valid".to_string())
    } else if let Some(d) = on_domain(&p.handle, domains) {
        (true, format!("handle on the organisation's domain {d}"))
    } else {
        (
            false,
            format!("Bluesky verification: {}", p.verified_status),
        )
    };
    let renamed = !norm(&p.handle).eq(&norm(&a.handle));
    with_meta(
        Observation {
            exists: Some(true),
            state: Some(if renamed {
                AccountState::Renamed
            } else {
                AccountState::Active
            }),
            display_name: p.display_name.clone(),
            verified: Some(verified),
            verified_by: Some(by),
            handle_now: Some(p.handle.clone()),
            platform_id: Some(p.did.clone()),
            ..base_observation(a)
        },
        meta,
    )
}

fn gone(a: &Account, state: AccountState, meta: &Meta) -> Observation {
    with_meta(
        Observation {
            exists: Some(false),
            state: Some(state),
            ..base_observation(a)
        },
        meta,
    )
}

/// The DID in an account's `bsky.app/profile/did:...` URL, if it has one: stabler than a handle.
fn did_of(a: &Account) -> Option<String> {
    let url = a.url.as_deref()?;
    let at = url.find("did:")?;
    let did: String = url[at..]
        .chars()
        .take_while(|c| !matches!(c, '/' | '?' | '#'))
        .collect();
    (did.len() > 8).then_some(did)
}

async fn bluesky_accounts(
    bsky: &Result<Bluesky, super::http::FetchError>,
    http: &Arc<Http>,
    live: &[&Account],
    domains: &[String],
) -> (Vec<Observation>, Tally) {
    let mut tally = Tally::default();
    let accounts: Vec<&Account> = live
        .iter()
        .copied()
        .filter(|a| a.platform == Platform::Bluesky)
        .collect();
    if accounts.is_empty() {
        return (Vec::new(), tally);
    }
    let bsky = match bsky {
        Ok(b) => b.clone(),
        Err(e) => {
            tally.failed(&bluesky_source(&e.host), &e.host, e.to_string());
            return (
                accounts
                    .iter()
                    .map(|a| failed_observation(a, e.to_string()))
                    .collect(),
                tally,
            );
        }
    };
    let source = bluesky_source(bsky.host());
    let cache: Option<&Cache> = http.cache();
    let mut memory: BTreeMap<String, String> =
        cache.map(|c| c.read_memory(DID_MEMORY)).unwrap_or_default();
    let actor = |a: &Account| did_of(a).unwrap_or_else(|| a.handle.clone());

    // Batches first: one request per 25 accounts.
    let mut set = JoinSet::new();
    for (i, chunk) in accounts.chunks(bluesky::BATCH).enumerate() {
        let b = bsky.clone();
        let actors: Vec<String> = chunk.iter().map(|a| actor(a)).collect();
        spawn_counted(&mut set, http.progress(), async move {
            (i, b.get_profiles(&actors).await)
        });
    }
    let mut obs: BTreeMap<String, Observation> = BTreeMap::new();
    let mut missing: Vec<&Account> = Vec::new();
    let mut results = Vec::new();
    while let Some(joined) = set.join_next().await {
        if let Ok(r) = joined {
            results.push(r);
        }
    }
    results.sort_by_key(|(i, _)| *i);
    for (i, chunk) in accounts.chunks(bluesky::BATCH).enumerate() {
        match results.iter().find(|(j, _)| *j == i).map(|(_, r)| r) {
            Some(Ok((profiles, meta))) => {
                tally.ok(&source, bsky.host());
                for a in chunk {
                    let want = norm(&actor(a));
                    match profiles
                        .iter()
                        .find(|p| norm(&p.did) == want || norm(&p.handle) == want)
                    {
                        Some(p) => {
                            obs.insert(a.id.clone(), from_profile(a, p, meta, domains));
                        }
                        None => missing.push(a),
                    }
                }
            }
            Some(Err(e)) => {
                tally.failed(&source, bsky.host(), e.to_string());
                for a in chunk {
                    obs.insert(a.id.clone(), failed_observation(a, e.to_string()));
                }
            }
            None => {
                for a in chunk {
                    obs.insert(
                        a.id.clone(),
                        failed_observation(
                            a,
                            format!("{}: the look-up did not finish", bsky.host()),
                        ),
                    );
                }
            }
        }
    }

    // Missing from a batch: ask one by one, to learn why (gone, deactivated, taken down, renamed).
    let mut set = JoinSet::new();
    for a in &missing {
        let b = bsky.clone();
        let id = a.id.clone();
        let act = actor(a);
        let remembered = memory.get(&norm(&a.handle)).cloned().filter(|d| *d != act);
        spawn_counted(&mut set, http.progress(), async move {
            let first = b.get_profile(&act).await;
            let second = match (&first, remembered) {
                (Ok((Lookup::NotFound, _)), Some(did)) => Some(b.get_profile(&did).await),
                _ => None,
            };
            (id, first, second)
        });
    }
    while let Some(joined) = set.join_next().await {
        let Ok((id, first, second)) = joined else {
            continue;
        };
        let Some(a) = missing.iter().find(|a| a.id == id) else {
            continue;
        };
        let o = match (first, second) {
            (Err(e), _) | (Ok(_), Some(Err(e))) => {
                tally.failed(&source, bsky.host(), e.to_string());
                failed_observation(a, e.to_string())
            }
            (Ok((_, _)), Some(Ok((Lookup::Found(p), meta)))) => {
                tally.ok(&source, bsky.host());
                from_profile(a, &p, &meta, domains)
            }
            (Ok((Lookup::Found(p), meta)), _) => {
                tally.ok(&source, bsky.host());
                from_profile(a, &p, &meta, domains)
            }
            (Ok((lookup, meta)), _) => {
                tally.ok(&source, bsky.host());
                let state = match lookup {
                    Lookup::Deactivated => AccountState::Deactivated,
                    Lookup::TakenDown => AccountState::Suspended,
                    _ => AccountState::NotFound,
                };
                gone(a, state, &meta)
            }
        };
        obs.insert(a.id.clone(), o);
    }

    // Remember which DID each handle had, so a later rename is noticed.
    let before = memory.clone();
    for (id, o) in &obs {
        if let (Some(did), Some(a), Some(AccountState::Active)) = (
            &o.platform_id,
            accounts.iter().find(|a| a.id == *id),
            o.state,
        ) {
            memory.insert(norm(&a.handle), did.clone());
        }
    }
    if let (Some(c), true) = (cache, memory != before) {
        c.write_memory(DID_MEMORY, &memory);
    }
    (obs.into_values().collect(), tally)
}

/// The API base for a Mastodon account: the override, or its own instance.
fn mastodon_base(cfg: &OnlineConfig, handle: &str) -> Option<String> {
    match &cfg.mastodon_api {
        Some(b) => Some(b.clone()),
        None => handle
            .split_once('@')
            .map(|(_, inst)| format!("https://{inst}")),
    }
}

fn mastodon_verified(acc: &mastodon::Account, domains: &[String]) -> (bool, String) {
    for link in acc.verified_links() {
        let host = Url::parse(&link)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_else(|| link.trim_end_matches('/').to_string());
        if let Some(d) = on_domain(&host, domains) {
            return (
                true,
                format!("verified rel=\"me\" link to {link} (the organisation's domain {d})"),
            );
        }
    }
    if domains.is_empty() {
        (
            false,
            "no organisation website or domain to compare rel=\"me\" links with".into(),
        )
    } else {
        (
            false,
            "no verified rel=\"me\" link to the organisation's website".into(),
        )
    }
}

async fn mastodon_accounts(
    http: &Arc<Http>,
    cfg: &OnlineConfig,
    live: &[&Account],
    domains: &[String],
) -> (Vec<Observation>, Tally) {
    let mut tally = Tally::default();
    let mut obs = Vec::new();
    let mut set = JoinSet::new();
    for a in live.iter().filter(|a| a.platform == Platform::Mastodon) {
        let Some(base) = mastodon_base(cfg, &a.handle) else {
            obs.push(failed_observation(
                a,
                format!("cannot tell the instance of {}", a.handle),
            ));
            continue;
        };
        let m = match Mastodon::new(http.clone(), &base) {
            Ok(m) => m,
            Err(e) => {
                tally.failed(&mastodon_source(&e.host), &e.host, e.to_string());
                obs.push(failed_observation(a, e.to_string()));
                continue;
            }
        };
        let id = a.id.clone();
        let acct = a.handle.trim_start_matches('@').to_string();
        spawn_counted(&mut set, http.progress(), async move {
            (id, m.host().to_string(), m.lookup(&acct).await)
        });
    }
    while let Some(joined) = set.join_next().await {
        let Ok((id, host, result)) = joined else {
            continue;
        };
        let Some(a) = live.iter().find(|a| a.id == id) else {
            continue;
        };
        let source = mastodon_source(&host);
        obs.push(match result {
            Err(e) => {
                tally.failed(&source, &host, e.to_string());
                failed_observation(a, e.to_string())
            }
            Ok((None, meta)) => {
                tally.ok(&source, &host);
                gone(a, AccountState::NotFound, &meta)
            }
            Ok((Some(acc), meta)) => {
                tally.ok(&source, &host);
                let (verified, by) = mastodon_verified(&acc, domains);
                let state = if acc.suspended {
                    AccountState::Suspended
                } else if acc.moved_to.is_some() {
                    AccountState::Moved
                } else {
                    AccountState::Active
                };
                with_meta(
                    Observation {
                        exists: Some(!acc.suspended),
                        state: Some(state),
                        display_name: acc.display_name.clone(),
                        verified: Some(verified),
                        verified_by: Some(by),
                        handle_now: Some(acc.moved_to.clone().unwrap_or(acc.acct.clone())),
                        platform_id: Some(acc.id.clone()),
                        ..base_observation(a)
                    },
                    &meta,
                )
            }
        });
    }
    (obs, tally)
}

/// Normalised URL for comparing a page link with an account's declared URL.
fn url_key(u: &str) -> String {
    let u = u.trim().to_ascii_lowercase();
    let u = u
        .strip_prefix("https://")
        .or_else(|| u.strip_prefix("http://"))
        .unwrap_or(&u);
    let u = u.strip_prefix("www.").unwrap_or(u);
    u.trim_end_matches('/').to_string()
}

fn link_is(a: &Account, l: &PageLink) -> bool {
    (a.platform == l.platform && norm(&a.handle) == norm(&l.handle))
        || a.url
            .as_deref()
            .is_some_and(|u| url_key(u) == url_key(&l.url))
}

async fn page_evidence(http: &Arc<Http>, inv: &Inventory) -> (Option<PageEvidence>, Tally) {
    let mut tally = Tally::default();
    let Some(url) = inv.organisation.official_accounts_page.clone() else {
        return (None, tally);
    };
    let mut ev = PageEvidence {
        url: url.clone(),
        ..Default::default()
    };
    let (base, fetched) = match fetch_page(http, &url, "official accounts page", &mut tally).await {
        Ok(read) => read,
        Err(reason) => {
            ev.error = Some(reason);
            return (Some(ev), tally);
        }
    };
    ev.fetched_at = Some(fetched.fetched_at.to_string());
    let parsed = page::parse(&fetched.body, &base);
    for a in inv
        .accounts
        .iter()
        .filter(|a| a.status != AccountStatus::Closed)
    {
        // A written @handle counts only where the page names its platform (BRAND-02).
        let listed = parsed.links.iter().any(|l| link_is(a, l))
            || parsed
                .mentions
                .iter()
                .any(|m| m.platform == Some(a.platform) && norm(&m.handle) == norm(&a.handle));
        ev.listed.insert(a.id.clone(), listed);
    }
    ev.unlisted_links = parsed
        .links
        .iter()
        .filter(|l| !inv.accounts.iter().any(|a| link_is(a, l)))
        .cloned()
        .collect();
    ev.links = parsed.links;
    ev.mentions = parsed.mentions;
    (Some(ev), tally)
}

/// Reads one page of the organisation's website: its address and answer, or why it could not
/// be read. Either way the tally records it as a source named `what (host)`.
async fn fetch_page(
    http: &Arc<Http>,
    url: &str,
    what: &str,
    tally: &mut Tally,
) -> Result<(Url, super::http::Fetched), String> {
    let parsed = Url::parse(url);
    let host = parsed
        .as_ref()
        .map(host_key)
        .unwrap_or_else(|_| url.to_owned());
    let source = format!("{what} ({host})");
    let Ok(base) = parsed else {
        let reason = format!("{url}: not a URL");
        tally.failed(&source, &host, reason.clone());
        return Err(reason);
    };
    http.progress().plan(1);
    let answer = http.get(url).await;
    http.progress().done(1);
    match answer {
        Ok(f) if f.ok() => {
            tally.ok(&source, &host);
            Ok((base, f))
        }
        Ok(f) => {
            let reason = format!("{host}: HTTP {}", f.status);
            tally.failed(&source, &host, reason.clone());
            Err(reason)
        }
        Err(e) => {
            tally.failed(&source, &host, e.to_string());
            Err(e.to_string())
        }
    }
}

/// The house-rules page named by `house_rules.url`, read as sentences for BRAND-06; a page that
/// cannot be read is recorded with the reason, which makes BRAND-06 an error rather than a
/// pass on the inventory's word.
async fn house_rules_evidence(
    http: &Arc<Http>,
    inv: &Inventory,
) -> (Option<HouseRulesPage>, Tally) {
    let mut tally = Tally::default();
    let Some(url) = inv.house_rules.as_ref().and_then(|r| r.url.clone()) else {
        return (None, tally);
    };
    let page = match fetch_page(http, &url, "house-rules page", &mut tally).await {
        Ok((_, f)) => HouseRulesPage::read(&url, &page::text(&f.body)),
        Err(reason) => HouseRulesPage::unread(&url, reason),
    };
    (Some(page), tally)
}

fn bsky_candidate(
    p: &Profile,
    meta: &Meta,
    found_by: String,
    account_id: Option<String>,
) -> OnlineCandidate {
    OnlineCandidate {
        platform: Platform::Bluesky,
        handle: p.handle.clone(),
        display_name: p.display_name.clone(),
        bio: p.description.clone(),
        url: Some(p.url()),
        source_url: meta.source_url.clone(),
        fetched_at: meta.fetched_at.clone(),
        found_by,
        account_id,
    }
}

fn masto_candidate(
    a: &mastodon::Account,
    meta: &Meta,
    found_by: String,
    account_id: Option<String>,
) -> OnlineCandidate {
    OnlineCandidate {
        platform: Platform::Mastodon,
        handle: a.acct.clone(),
        display_name: a.display_name.clone(),
        bio: a.note.clone(),
        url: a.url.clone(),
        source_url: meta.source_url.clone(),
        fetched_at: meta.fetched_at.clone(),
        found_by,
        account_id,
    }
}

/// Mastodon API bases to search: the override, else the instances of the inventory's accounts.
fn mastodon_bases(cfg: &OnlineConfig, inv: &Inventory) -> Vec<String> {
    if let Some(b) = &cfg.mastodon_api {
        return vec![b.clone()];
    }
    let mut out: Vec<String> = inv
        .accounts
        .iter()
        .filter(|a| a.platform == Platform::Mastodon)
        .filter_map(|a| mastodon_base(cfg, &a.handle))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The part of a handle people read and search for: the user of `user@instance`, the first label
/// of a domain handle.
fn handle_name(platform: Platform, handle: &str) -> String {
    let h = handle.trim().trim_start_matches('@');
    match platform {
        Platform::Mastodon => h.split('@').next().unwrap_or(h).to_string(),
        Platform::Bluesky => h.split('.').next().unwrap_or(h).to_string(),
        _ => h.to_string(),
    }
}

/// One search task's answer: (source, host, found, or why not).
type Searched = (String, String, Result<Vec<OnlineCandidate>, FetchError>);

/// Searches the platforms with search endpoints for the organisation's name, the accounts'
/// display names (essential) and the names in their handles (optional: a search by handle finds
/// in one request the look-alikes that share its start, which probes would ask about one by one).
///
/// Bluesky `app.bsky.actor.searchActors` (no sign-in; `limit` 1 to 100, default 25):
/// <https://github.com/bluesky-social/atproto/blob/main/lexicons/app/bsky/actor/searchActors.json>.
/// Mastodon `GET /api/v2/search?type=accounts&resolve=false` (`limit` at most 40; `resolve` needs
/// a signed-in user): <https://docs.joinmastodon.org/methods/search/>. Both checked 2026-11-30.
async fn searches(
    bsky: &Result<Bluesky, super::http::FetchError>,
    http: &Arc<Http>,
    cfg: &OnlineConfig,
    inv: &Inventory,
    live: &[&Account],
) -> (Vec<OnlineCandidate>, Tally) {
    let mut tally = Tally::default();
    if !cfg.search {
        return (Vec::new(), tally);
    }
    // (query, optional)
    let mut queries: Vec<(String, bool)> = Vec::new();
    let names = std::iter::once(inv.organisation.name.as_str())
        .chain(live.iter().filter_map(|a| a.display_name.as_deref()))
        .map(|q| (q.trim().to_string(), false));
    let handles = live
        .iter()
        .map(|a| (handle_name(a.platform, &a.handle), true));
    for (q, optional) in names.chain(handles) {
        if q.chars().count() >= 3 && !queries.iter().any(|(x, _)| x.eq_ignore_ascii_case(&q)) {
            queries.push((q, optional));
        }
    }
    let progress = http.progress();
    let mut set: JoinSet<Searched> = JoinSet::new();
    if let Ok(b) = bsky {
        for (q, optional) in &queries {
            let b = if *optional { b.optional() } else { b.clone() };
            let q = q.clone();
            spawn_counted(&mut set, progress, async move {
                let r = b.search(&q).await.map(|(ps, meta)| {
                    ps.iter()
                        .map(|p| bsky_candidate(p, &meta, format!("search \"{q}\""), None))
                        .collect::<Vec<_>>()
                });
                (bluesky_source(b.host()), b.host().to_string(), r)
            });
        }
    }
    for base in mastodon_bases(cfg, inv) {
        let Ok(m) = Mastodon::new(http.clone(), &base) else {
            continue;
        };
        for (q, optional) in &queries {
            let m = if *optional { m.optional() } else { m.clone() };
            let q = q.clone();
            spawn_counted(&mut set, progress, async move {
                let r = m.search(&q).await.map(|(accs, meta)| {
                    accs.iter()
                        .map(|a| masto_candidate(a, &meta, format!("search \"{q}\""), None))
                        .collect::<Vec<_>>()
                });
                (mastodon_source(m.host()), m.host().to_string(), r)
            });
        }
    }
    let mut out = Vec::new();
    while let Some(joined) = set.join_next().await {
        let Ok((source, host, r)) = joined else {
            continue;
        };
        match r {
            Ok(c) => {
                tally.ok(&source, &host);
                out.extend(c);
            }
            // Counted in the host's statistics; a search given up for the budget is no failure.
            Err(e) if e.kind == FailKind::OverBudget => {}
            Err(e) => tally.failed(&source, &host, e.to_string()),
        }
    }
    (out, tally)
}

/// What the look-alike probes found.
struct Probed {
    /// Look-alikes someone holds: candidates for the impersonation search.
    found: Vec<OnlineCandidate>,
    /// Look-alikes nobody holds: names to register.
    free: Vec<DefensiveName>,
    tally: Tally,
    notes: Vec<SourceStatus>,
    coverage: Vec<LookalikeCoverage>,
}

/// One request's worth of probing: a Bluesky batch or one Mastodon look-up.
enum Job {
    Bluesky(String, Vec<String>),
    Mastodon(String, String),
}

impl Job {
    fn variants(&self) -> usize {
        match self {
            Job::Bluesky(_, handles) => handles.len(),
            Job::Mastodon(..) => 1,
        }
    }
}

/// (platform, source, host, variants asked, found and free, or why not).
type ProbeAnswer = (
    Platform,
    String,
    String,
    usize,
    Result<(Vec<OnlineCandidate>, Vec<DefensiveName>), FetchError>,
);

/// Probes the look-alike handles, most likely first (the caller's order), at most
/// `cfg.bluesky_probes` / `cfg.mastodon_probes` per handle, round-robin across handles so that
/// each handle's likeliest variants go before any handle's less likely ones.
async fn probes(
    bsky: &Result<Bluesky, super::http::FetchError>,
    http: &Arc<Http>,
    cfg: &OnlineConfig,
    inv: &Inventory,
    lookalikes: &Lookalikes,
) -> Probed {
    let mut tally = Tally::default();
    let mut notes = Vec::new();
    let mut found = Vec::new();
    let mut free = Vec::new();
    // platform -> (probed, not probed)
    let mut counts: BTreeMap<Platform, (usize, usize)> = BTreeMap::new();
    let mut no_api: BTreeMap<Platform, usize> = BTreeMap::new();
    let own: BTreeSet<(Platform, String)> = inv
        .accounts
        .iter()
        .map(|a| (a.platform, norm(&a.handle)))
        .collect();
    let mut per_handle: Vec<Vec<Job>> = Vec::new();
    for (account_id, platform, handles) in lookalikes {
        let mut wanted: Vec<String> = Vec::new();
        for h in handles {
            let h = h.trim().trim_start_matches('@').to_string();
            let h = match platform {
                Platform::Mastodon if !h.contains('@') => {
                    let inst = inv
                        .accounts
                        .iter()
                        .find(|a| a.id == *account_id)
                        .and_then(|a| a.handle.split_once('@').map(|(_, i)| i.to_string()));
                    match inst {
                        Some(i) => format!("{h}@{i}"),
                        None => continue,
                    }
                }
                _ => h,
            };
            if own.contains(&(*platform, norm(&h))) || wanted.iter().any(|w| norm(w) == norm(&h)) {
                continue;
            }
            if *platform == Platform::Bluesky && !bluesky::valid_handle(&norm(&h)) {
                continue;
            }
            wanted.push(h);
        }
        let quota = match platform {
            Platform::Bluesky if bsky.is_ok() => cfg.bluesky_probes,
            Platform::Mastodon => cfg.mastodon_probes,
            Platform::Bluesky => 0,
            other => {
                *no_api.entry(*other).or_default() += wanted.len();
                0
            }
        };
        let take = quota.min(wanted.len());
        counts.entry(*platform).or_default().1 += wanted.len() - take;
        wanted.truncate(take);
        let jobs = match platform {
            Platform::Bluesky => wanted
                .chunks(bluesky::BATCH)
                .map(|c| Job::Bluesky(account_id.clone(), c.to_vec()))
                .collect(),
            Platform::Mastodon => wanted
                .into_iter()
                .map(|h| Job::Mastodon(account_id.clone(), h))
                .collect(),
            _ => Vec::new(),
        };
        per_handle.push(jobs);
    }

    let mut set: JoinSet<ProbeAnswer> = JoinSet::new();
    let progress = http.progress();
    let rounds = per_handle.iter().map(Vec::len).max().unwrap_or(0);
    let mut queues: Vec<std::vec::IntoIter<Job>> =
        per_handle.into_iter().map(Vec::into_iter).collect();
    for _ in 0..rounds {
        for job in queues.iter_mut().filter_map(Iterator::next) {
            let n = job.variants();
            match job {
                Job::Bluesky(id, chunk) => {
                    let Ok(b) = bsky else { continue };
                    let b = b.optional();
                    spawn_counted(&mut set, progress, async move {
                        let r = b.get_profiles(&chunk).await.map(|(profiles, meta)| {
                            let mut cands = Vec::new();
                            let mut frees = Vec::new();
                            for h in &chunk {
                                match profiles.iter().find(|p| norm(&p.handle) == norm(h)) {
                                    Some(p) => cands.push(bsky_candidate(
                                        p,
                                        &meta,
                                        format!("look-alike of {id}"),
                                        Some(id.clone()),
                                    )),
                                    None => frees.push(DefensiveName {
                                        account_id: id.clone(),
                                        platform: Platform::Bluesky,
                                        handle: h.clone(),
                                        source_url: meta.source_url.clone(),
                                    }),
                                }
                            }
                            (cands, frees)
                        });
                        (
                            Platform::Bluesky,
                            bluesky_source(b.host()),
                            b.host().to_string(),
                            n,
                            r,
                        )
                    });
                }
                Job::Mastodon(id, h) => {
                    let m = mastodon_base(cfg, &h)
                        .and_then(|base| Mastodon::new(http.clone(), &base).ok());
                    let Some(m) = m else {
                        counts.entry(Platform::Mastodon).or_default().1 += 1;
                        continue;
                    };
                    let m = m.optional();
                    spawn_counted(&mut set, progress, async move {
                        let r = m.lookup(&h).await.map(|(acc, meta)| match acc {
                            Some(a) => (
                                vec![masto_candidate(
                                    &a,
                                    &meta,
                                    format!("look-alike of {id}"),
                                    Some(id.clone()),
                                )],
                                vec![],
                            ),
                            None => (
                                vec![],
                                vec![DefensiveName {
                                    account_id: id.clone(),
                                    platform: Platform::Mastodon,
                                    handle: h.clone(),
                                    source_url: meta.source_url,
                                }],
                            ),
                        });
                        (
                            Platform::Mastodon,
                            mastodon_source(m.host()),
                            m.host().to_string(),
                            n,
                            r,
                        )
                    });
                }
            }
        }
    }
    while let Some(joined) = set.join_next().await {
        let Ok((platform, source, host, n, r)) = joined else {
            continue;
        };
        let c = counts.entry(platform).or_default();
        match r {
            Ok((cands, frees)) => {
                c.0 += n;
                tally.ok(&source, &host);
                found.extend(cands);
                free.extend(frees);
            }
            Err(e) => {
                c.1 += n;
                if e.kind != FailKind::OverBudget {
                    tally.failed(&source, &host, e.to_string());
                }
            }
        }
    }
    for (platform, n) in no_api.into_iter().filter(|(_, n)| *n > 0) {
        notes.push(SourceStatus {
            name: format!("look-alikes on {platform}"),
            ok: true,
            detail: format!("{n} look-alike handles not probed: {platform} has no public look-up API; use --candidates (docs/online.md)"),
        });
    }
    let coverage = counts
        .into_iter()
        .map(|(platform, (probed, not_probed))| LookalikeCoverage {
            platform: platform.to_string(),
            probed,
            not_probed,
        })
        .collect();
    Probed {
        found,
        free,
        tally,
        notes,
        coverage,
    }
}
