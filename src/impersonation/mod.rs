//! Impersonation search: which accounts on the same platform look like the organisation's own?
//!
//! [`Search`] is built once from the inventory (official accounts indexed, allow list, triage,
//! threshold); candidates are fed to it one at a time ([`Search::consider`]) or streamed from a
//! CSV file ([`Search::scan_csv`]); [`Search::finish`] returns the suspects for results.json.
//! [`lookalikes`] goes the other way: the handles an impersonator would register.
//!
//! # The default threshold
//!
//! [`DEFAULT_THRESHOLD`] was chosen by measurement on `tests/data/impersonation/labelled.csv`
//! (`tests/impersonation_threshold.rs` recomputes the figures on every run and asserts them):
//! 102 planted look-alikes of 23 kinds (homoglyph, multi-letter homoglyphs in combination,
//! omission, repetition, transposition, adjacent key, insertion, vowel swap, separator,
//! addition, word order, affix, contains, handles cut to X's 15-character limit, the
//! organisation's TikTok handle used on X and Instagram, display-name copy with and without
//! Cyrillic, zero-width or fullwidth letters, Bluesky domain variants) on X, Instagram, Bluesky
//! and Facebook, and 65 hard negatives: neighbouring forces (NorthmerePolice, EastmerePolice,
//! EastmereMounted), staff associations (WestmerePolFed, WestmereMtdFed, WestmereUnison), "FanOf"
//! accounts (FanOfWestmerePo, cut at the limit too), people sharing the chief constable's first
//! name (SarahMorganArt, SarahMoreton), other bodies at the length limit (WestmereMountai,
//! WestmereMotors1) and accounts sharing one word (WestmereBakery, TheWestmereNews).
//!
//! Measured: planted look-alikes score 0.887 to 1.000 (lowest: RealWesstmerePo, a cut with one
//! changed letter); hard negatives at most 0.829 (EastmereMounted, two letters from
//! WestmereMounted), then 0.821 (EastmerePolice); WestmereMountai, two letters from a cut of
//! WestmereMounted, is in no relation (a cut allows one edit besides). Any threshold in
//! (0.829, 0.887] gives recall 1.00 and precision 1.00 on the set; 0.86 sits in the middle of
//! that gap, so neither side is on a knife edge.

pub mod candidates;
pub mod defensive;
pub mod distance;
pub mod index;
pub mod lookalikes;
pub mod normalise;
pub mod prefilter;
pub mod report;
pub mod score;
pub mod shape;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::error::Diagnostic;
use crate::model::results::Suspect;
use crate::model::{Inventory, Platform, TriageEntry, TriageState};

pub use candidates::ScanStats;
pub use lookalikes::{lookalikes, render_json, render_text, Lookalike};
pub use report::report_form_url;
use score::{Extras, Side, INDEX_FLOOR};

/// Similarity above which a candidate is reported when neither the caller nor
/// `policy.impersonation_threshold` says otherwise. How it was chosen: see the module docs.
pub const DEFAULT_THRESHOLD: f64 = 0.86;

/// One account that might impersonate an official one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub platform: Platform,
    pub handle: String,
    pub display_name: Option<String>,
    pub bio: Option<String>,
    pub url: Option<String>,
    pub followers: Option<u64>,
    pub created_on: Option<String>,
    /// Where it came from: a file name, or an online source's name.
    pub source: String,
}

/// A candidate without owned strings: what the CSV scanner feeds, one row at a time.
#[derive(Debug, Clone, Copy)]
pub struct CandidateRef<'a> {
    pub platform: Platform,
    pub handle: &'a str,
    pub display_name: Option<&'a str>,
    pub bio: Option<&'a str>,
    pub url: Option<&'a str>,
    pub source: &'a str,
}

impl Candidate {
    pub fn as_ref(&self) -> CandidateRef<'_> {
        CandidateRef {
            platform: self.platform,
            handle: &self.handle,
            display_name: self.display_name.as_deref(),
            bio: self.bio.as_deref(),
            url: self.url.as_deref(),
            source: &self.source,
        }
    }
}

struct Official {
    account_id: String,
    side: Side,
}

/// Handles compare case-insensitively and a leading `@` is not part of a handle.
fn handle_key(platform: Platform, handle: &str) -> (Platform, String) {
    (
        platform,
        handle.trim().trim_start_matches('@').to_lowercase(),
    )
}

/// Score of a candidate that uses, on its platform, the name of one of the organisation's
/// accounts on another platform (and relates to no official account on its own): as strong as a
/// look-alike, since to a reader it is the organisation's account there.
pub const CROSS_PLATFORM_SCORE: f64 = 0.95;

/// (official index, platform, folded candidate handle): one suspect per pair.
type Slot = (u32, Platform, String);

/// The impersonation search over one inventory's official accounts.
pub struct Search {
    officials: Vec<Official>,
    index: index::Index,
    threshold: f64,
    /// Below [`INDEX_FLOOR`] the index is not exact, so every pair is scored.
    brute_force: bool,
    /// The inventory's handles, by platform: never suspects there.
    own: HashSet<(Platform, String)>,
    /// Folded official names → officials: the cross-platform relation.
    cross: HashMap<String, Vec<u32>>,
    allow: HashMap<(Platform, String), Option<String>>,
    triage: HashMap<(Platform, String), TriageEntry>,
    org_host: Option<String>,
    found: HashMap<Slot, Suspect>,
    prefilter: prefilter::Prefilter,
    scratch: Scratch,
}

/// Per-thread working space for [`Search::evaluate`], reused from one candidate to the next.
#[derive(Default)]
pub(crate) struct Scratch {
    ids: Vec<u32>,
    quick: prefilter::Buffers,
    /// In a file scan, the rows already scored on this thread (see [`Repeats`]).
    repeats: Option<Repeats>,
}

impl Scratch {
    /// For one thread of one file scan: a row that repeats one it has scored is not scored
    /// again.
    pub(crate) fn for_scan() -> Scratch {
        Scratch {
            repeats: Some(Repeats::default()),
            ..Scratch::default()
        }
    }
}

/// The candidates (every field the search reads) that passed the prefilter on one thread of one
/// scan. Lists gathered from several searches repeat accounts, and scoring a repeat gives the
/// very suspects already found, which [`Search::merge`] would keep unchanged: so a repeat is
/// skipped. Only rows past the prefilter are remembered (a few in a thousand), up to
/// [`Repeats::MAX`] rows and [`Repeats::MAX_BYTES`] of their text (long bios must not fill
/// memory); past that, rows are simply scored again.
#[derive(Default)]
struct Repeats {
    seen: HashSet<Box<[u8]>>,
    /// Bytes of the keys in `seen`.
    bytes: usize,
    key: Vec<u8>,
}

impl Repeats {
    const MAX: usize = 1 << 16;
    const MAX_BYTES: usize = 16 << 20;

    /// Whether `c` is new to this thread (and remembered from now on, while there is room).
    fn first_time(&mut self, c: CandidateRef<'_>) -> bool {
        self.key.clear();
        // Length-prefixed: no choice of separator byte could be missing from every field.
        let fields = [
            Some(c.platform.as_str()),
            Some(c.handle),
            c.display_name,
            c.bio,
            c.url,
            Some(c.source),
        ];
        for field in fields {
            match field {
                Some(f) => {
                    self.key.extend_from_slice(&(f.len() as u64).to_le_bytes());
                    self.key.extend_from_slice(f.as_bytes());
                }
                None => self.key.extend_from_slice(&u64::MAX.to_le_bytes()),
            }
        }
        if self.seen.contains(self.key.as_slice()) {
            return false;
        }
        if self.seen.len() < Self::MAX && self.bytes + self.key.len() <= Self::MAX_BYTES {
            self.bytes += self.key.len();
            self.seen.insert(self.key.as_slice().into());
        }
        true
    }
}

impl Search {
    /// `threshold`: `None` → `policy.impersonation_threshold` → [`DEFAULT_THRESHOLD`]. Values
    /// outside [0, 1] are clamped.
    pub fn new(inv: &Inventory, threshold: Option<f64>) -> Search {
        let threshold = threshold
            .or(inv.policy.impersonation_threshold)
            .unwrap_or(DEFAULT_THRESHOLD);
        let threshold = if threshold.is_nan() {
            DEFAULT_THRESHOLD
        } else {
            threshold.clamp(0.0, 1.0)
        };
        let officials: Vec<Official> = inv
            .accounts
            .iter()
            .filter(|a| a.status != crate::model::AccountStatus::Closed)
            .map(|a| Official {
                account_id: a.id.clone(),
                side: Side::official(a.platform, &a.handle, a.display_name.as_deref()),
            })
            .collect();
        let sides: Vec<Side> = officials.iter().map(|o| o.side.clone()).collect();
        let org_host = inv.organisation.website.as_deref().and_then(host_of);
        let mut cross: HashMap<String, Vec<u32>> = HashMap::new();
        for (i, o) in officials.iter().enumerate() {
            cross
                .entry(o.side.forms.folded.clone())
                .or_default()
                .push(i as u32);
        }
        // Independent, and together most of the set-up: on two cores, side by side.
        let (index, prefilter) = std::thread::scope(|scope| {
            let prefilter = scope.spawn(|| prefilter::Prefilter::new(&sides));
            let index = index::Index::new(&sides);
            // A panic there is a bug, as it was on this thread.
            let prefilter = prefilter
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e));
            (index, prefilter)
        });
        Search {
            index,
            prefilter,
            officials,
            threshold,
            brute_force: threshold < INDEX_FLOOR,
            own: inv
                .accounts
                .iter()
                .map(|a| handle_key(a.platform, &a.handle))
                .collect(),
            cross,
            allow: inv
                .impersonation_allow
                .iter()
                .map(|e| (handle_key(e.platform, &e.handle), e.reason.clone()))
                .collect(),
            triage: inv
                .impersonation_triage
                .iter()
                .map(|e| (handle_key(e.platform, &e.handle), e.clone()))
                .collect(),
            org_host,
            found: HashMap::new(),
            scratch: Scratch::default(),
        }
    }

    /// Force scoring of every pair (for measurement and for tests against the index).
    pub fn set_brute_force(&mut self, on: bool) {
        self.brute_force = on || self.threshold < INDEX_FLOOR;
    }

    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    /// Score one candidate against the official accounts on its platform.
    pub fn consider(&mut self, c: &Candidate) {
        self.consider_ref(c.as_ref());
    }

    /// As [`Search::consider`], without owning the candidate's text. Returns how many
    /// official accounts it was found to resemble.
    pub fn consider_ref(&mut self, c: CandidateRef<'_>) -> usize {
        let mut scratch = std::mem::take(&mut self.scratch);
        let hits = self.evaluate(c, &mut scratch);
        self.scratch = scratch;
        let n = hits.len();
        for (slot, suspect) in hits {
            self.merge(slot, suspect);
        }
        n
    }

    /// Keep the best sighting of each (official, candidate): the highest score, and on a tie
    /// the smallest (display name, source), so the answer does not depend on arrival order
    /// (the CSV scan scores rows on several threads).
    fn merge(&mut self, slot: Slot, suspect: Suspect) {
        match self.found.get(&slot) {
            Some(prev)
                if prev.score > suspect.score
                    || (prev.score == suspect.score
                        && (&prev.display_name, &prev.source)
                            <= (&suspect.display_name, &suspect.source)) => {}
            _ => {
                self.found.insert(slot, suspect);
            }
        }
    }

    /// Score one candidate without touching the search's state: the suspects it gives.
    fn evaluate(&self, c: CandidateRef<'_>, scratch: &mut Scratch) -> Vec<(Slot, Suspect)> {
        let trimmed = normalise::trim_handle(c.handle);
        if trimmed.is_empty() {
            return Vec::new();
        }
        if !self.brute_force
            && !self
                .prefilter
                .may_relate(c.platform, trimmed, c.display_name, &mut scratch.quick)
        {
            return Vec::new();
        }
        if let Some(repeats) = &mut scratch.repeats {
            if !repeats.first_time(c) {
                return Vec::new();
            }
        }
        let ids = &mut scratch.ids;
        let key = handle_key(c.platform, trimmed);
        // The organisation's own handle on this platform is never a suspect. Its handle on
        // another platform is: there it is nobody's official account (the cross relation below).
        if self.own.contains(&key) {
            return Vec::new();
        }
        let mut side = Side::new(c.platform, trimmed, c.display_name);
        // Done the same way whether or not the index is used, so both paths score the same forms.
        if self.index.may_reorder(&side) {
            side.forms = std::mem::take(&mut side.forms).with_words();
        }
        if self.brute_force {
            ids.clear();
            ids.extend_from_slice(self.index.all(c.platform));
        } else {
            self.index.lookup(&side, ids);
        }
        let extras = Extras {
            bio: c.bio,
            url: c.url,
            org_host: self.org_host.as_deref(),
        };
        let mut hits = Vec::new();
        let mut related = Vec::new();
        for &id in ids.iter() {
            let Some(o) = self.officials.get(id as usize) else {
                continue;
            };
            let (s, rel, relation) = score::score_relation(&o.side, &side, &extras);
            if s < self.threshold {
                continue;
            }
            let s = (s * 1000.0).round() / 1000.0;
            let reasons = score::explain_relation(&o.side, &side, &extras, relation);
            let suspect = self.suspect(o, &side, reasons, c, &key, s);
            hits.push(((id, key.0, key.1.clone()), suspect));
            related.push(rel);
        }
        self.cross_platform(&side, c, &key, &mut hits, &related);
        hits
    }

    /// The candidate uses the name of an official account on another platform ("uses the
    /// organisation's TikTok handle on X"): that reason comes first on the suspects it already
    /// is (`related[i]`: hit `i` is in a relation, not merely scored); when it resembles no
    /// official account on its own platform, it becomes one suspect of the first such account
    /// (inventory order). Not when an official account on its own platform has that name too
    /// (with an invisible character added, say): the relation to that account says it better.
    fn cross_platform(
        &self,
        side: &Side,
        c: CandidateRef<'_>,
        key: &(Platform, String),
        hits: &mut Vec<(Slot, Suspect)>,
        related: &[bool],
    ) {
        let Some(ids) = self.cross.get(&side.forms.folded) else {
            return;
        };
        let on_own_platform = |id: &u32| {
            self.officials
                .get(*id as usize)
                .is_some_and(|o| o.side.platform == c.platform)
        };
        if ids.iter().any(on_own_platform) {
            return;
        }
        let others: Vec<u32> = ids
            .iter()
            .copied()
            .filter(|id| {
                self.officials
                    .get(*id as usize)
                    .is_some_and(|o| o.side.platform != c.platform)
            })
            .collect();
        let Some(first) = others
            .first()
            .and_then(|id| self.officials.get(*id as usize))
        else {
            return;
        };
        let mut names: Vec<&str> = Vec::new();
        for o in others
            .iter()
            .filter_map(|id| self.officials.get(*id as usize))
        {
            let name = crate::model::handles::platform_name(o.side.platform);
            if !names.contains(&name) {
                names.push(name);
            }
        }
        let reason = format!(
            "uses the organisation's {} handle on {}",
            names.join(" and "),
            crate::model::handles::platform_name(c.platform)
        );
        if related.iter().any(|r| *r) {
            for ((_, s), _) in hits.iter_mut().zip(related).filter(|(_, r)| **r) {
                s.reasons.insert(0, reason.clone());
            }
        } else if CROSS_PLATFORM_SCORE >= self.threshold {
            let id = others[0];
            let suspect = self.suspect(first, side, vec![reason], c, key, CROSS_PLATFORM_SCORE);
            hits.push(((id, key.0, key.1.clone()), suspect));
        }
    }

    fn suspect(
        &self,
        o: &Official,
        side: &Side,
        mut reasons: Vec<String>,
        c: CandidateRef<'_>,
        key: &(Platform, String),
        score: f64,
    ) -> Suspect {
        let mut s = Suspect {
            account_id: o.account_id.clone(),
            platform: c.platform.as_str().to_string(),
            candidate: side.forms.raw.clone(),
            score,
            reasons: Vec::new(),
            source: c.source.to_string(),
            display_name: c.display_name.map(str::to_string),
            state: Some("suspect".to_string()),
            state_date: None,
            ticket: None,
            reappeared: false,
            new: false,
        };
        if let Some(reason) = self.allow.get(key) {
            s.state = Some("allowed".to_string());
            reasons.push(match reason {
                Some(r) => format!("allow-listed: {r}"),
                None => "allow-listed".to_string(),
            });
        } else if let Some(t) = self.triage.get(key) {
            s.state = Some(t.state.as_str().to_string());
            s.state_date = t.date.map(|d| d.to_string());
            s.ticket = t.ticket.clone();
            if t.state == TriageState::TakenDown {
                s.reappeared = true;
                reasons.push("reported taken down, but found again".to_string());
            }
        }
        s.reasons = reasons;
        s
    }

    /// Stream a candidates CSV (`cli.md`). Bad rows do not stop the scan: they come back in
    /// [`ScanStats::bad_rows`]. `Err` only when the file cannot be read at all or its header
    /// lacks `platform` or `handle`.
    pub fn scan_csv(&mut self, path: &Path, progress: bool) -> Result<ScanStats, Vec<Diagnostic>> {
        candidates::scan(self, path, progress)
    }

    /// Suspects found so far (including allowed and triaged ones, with their state).
    pub fn suspects_found(&self) -> usize {
        self.found.len()
    }

    /// Suspects sorted by (account id, score descending, candidate): deterministic.
    pub fn finish(self) -> Vec<Suspect> {
        let mut v: Vec<Suspect> = self.found.into_values().collect();
        v.sort_by(|a, b| {
            a.account_id
                .cmp(&b.account_id)
                .then(b.score.total_cmp(&a.score))
                .then_with(|| a.candidate.to_lowercase().cmp(&b.candidate.to_lowercase()))
                .then_with(|| a.candidate.cmp(&b.candidate))
                .then_with(|| a.platform.cmp(&b.platform))
        });
        v
    }
}

/// Whether a suspect should be flagged (not allowed, not judged benign).
pub fn is_flagged(s: &Suspect) -> bool {
    s.is_flagged()
}

/// "https://www.westmere.police.uk/social" → "westmere.police.uk".
fn host_of(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest
        .split(['/', '?', '#', ':'])
        .next()?
        .to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host).to_string();
    (!host.is_empty()).then_some(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeat_is_one_whose_every_read_field_is_equal() {
        let mut r = Repeats::default();
        let c = CandidateRef {
            platform: Platform::X,
            handle: "WestmerePo1ice",
            display_name: None,
            bio: None,
            url: None,
            source: "c.csv",
        };
        assert!(r.first_time(c));
        assert!(!r.first_time(c));
        // Any field the search reads makes another candidate, and so does an empty one
        // against an absent one.
        for other in [
            CandidateRef {
                platform: Platform::Tiktok,
                ..c
            },
            CandidateRef {
                handle: "westmerepo1ice",
                ..c
            },
            CandidateRef {
                display_name: Some("Westmere Police"),
                ..c
            },
            CandidateRef { bio: Some(""), ..c },
            CandidateRef {
                url: Some("https://westmere.police.uk"),
                ..c
            },
            CandidateRef {
                source: "d.csv",
                ..c
            },
        ] {
            assert!(r.first_time(other), "{other:?}");
            assert!(!r.first_time(other), "{other:?}");
        }
    }

    #[test]
    fn repeats_stop_being_remembered_at_their_byte_cap() {
        let mut r = Repeats::default();
        let bio = "b".repeat(1 << 20);
        let c = |handle| CandidateRef {
            platform: Platform::X,
            handle,
            display_name: None,
            bio: Some(&bio),
            url: None,
            source: "c.csv",
        };
        let handles: Vec<String> = (0..20).map(|i| format!("h{i}")).collect();
        for h in &handles {
            assert!(r.first_time(c(h)));
        }
        assert!(r.bytes <= Repeats::MAX_BYTES);
        assert!(
            !r.first_time(c(&handles[0])),
            "remembered while there was room"
        );
        assert!(
            r.first_time(c(&handles[19])),
            "past the cap: scored again, never skipped"
        );
    }

    #[test]
    fn host_is_extracted() {
        assert_eq!(
            host_of("https://www.westmere.police.uk/social").as_deref(),
            Some("westmere.police.uk")
        );
        assert_eq!(host_of("").as_deref(), None);
    }
}
