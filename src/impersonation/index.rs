//! The index over official accounts: given a candidate, which officials could it score against
//! above [`INDEX_FLOOR`](super::score::INDEX_FLOOR)?
//!
//! Every relation of `score.rs` has a lookup here, so the index returns a superset of the pairs a
//! brute-force scan would report (tests/impersonation_index.rs checks that on generated data):
//! - same skeleton, same core, same words: exact hash maps;
//! - up to [`MAX_EDITS`] edits: a symmetric deletion neighbourhood (SymSpell) of the plain and
//!   plain core forms, stored as 64-bit polynomial hashes so a lookup allocates nothing (a hash
//!   collision only adds a pair to score, never loses one);
//! - the official name inside a longer handle: Aho-Corasick over the official cores;
//! - a copied display name: an exact map of display-name keys;
//! - one shape (multi-letter look-alikes): an exact map of [`shape::key`](super::shape::key)s;
//! - cut to the platform's limit: the deletion neighbourhoods of every prefix an official name
//!   can be cut to ([`min_kept`] characters up to all but one), probed only by handles exactly
//!   at the limit.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use aho_corasick::AhoCorasick;

use super::normalise::plain_lead_range;
use super::score::{min_kept, Side, MAX_CUT_EDITS, MAX_EDITS, MIN_CONTAINED};
use crate::model::Platform;

/// Keys are already well-mixed 64-bit hashes: hashing them again would only cost time.
#[derive(Default)]
pub(super) struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type HashIndex = HashMap<u64, Vec<u32>, BuildHasherDefault<PassThrough>>;

const BASE: u64 = 0x100_0000_01b3;

pub(super) fn mix(mut x: u64) -> u64 {
    // splitmix64 finaliser: spreads the polynomial hash over all bits for the table.
    x ^= x >> 30;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Call `f` with the hash of every string obtained from `s` by deleting at most [`MAX_EDITS`]
/// characters (with repeats: deduplicating would cost more than the extra lookups).
fn for_each_deletion(s: &str, f: impl FnMut(u64)) {
    for_each_deletion_upto(s, MAX_EDITS, f)
}

/// As [`for_each_deletion`], deleting at most `max` (0, 1 or 2) characters.
fn for_each_deletion_upto(s: &str, max: usize, mut f: impl FnMut(u64)) {
    let chars: Vec<u32> = s.chars().map(u32::from).collect();
    let n = chars.len();
    let mut prefix = Vec::with_capacity(n + 1);
    let mut pow = Vec::with_capacity(n + 1);
    prefix.push(0u64);
    pow.push(1u64);
    for (k, c) in chars.iter().enumerate() {
        prefix.push(prefix[k].wrapping_mul(BASE).wrapping_add(u64::from(*c) + 1));
        pow.push(pow[k].wrapping_mul(BASE));
    }
    let sub = |a: usize, b: usize| prefix[b].wrapping_sub(prefix[a].wrapping_mul(pow[b - a]));
    let key = |h: u64, len: usize| mix(h ^ (len as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    f(key(prefix[n], n));
    if max == 0 {
        return;
    }
    for i in 0..n {
        let left = sub(0, i);
        f(key(
            left.wrapping_mul(pow[n - i - 1])
                .wrapping_add(sub(i + 1, n)),
            n - 1,
        ));
        if max < 2 {
            continue;
        }
        for j in i + 1..n {
            let h = left
                .wrapping_mul(pow[j - i - 1])
                .wrapping_add(sub(i + 1, j))
                .wrapping_mul(pow[n - j - 1])
                .wrapping_add(sub(j + 1, n));
            f(key(h, n - 2));
        }
    }
}

/// Which characters occur in a name, as bits (a-z, 0-9, the rest folded onto the top bits).
/// Each edit brings at most one new character and takes away at most one, so two names within
/// [`MAX_EDITS`] edits differ by at most that many bits either way: a check of a few
/// nanoseconds that spares most candidates the deletion neighbourhood.
pub fn char_mask(s: &str) -> u64 {
    let mut m = 0u64;
    for c in s.chars() {
        let bit = match c {
            'a'..='z' => c as u32 - 'a' as u32,
            '0'..='9' => 26 + c as u32 - '0' as u32,
            _ => 36 + (c as u32 % 28),
        };
        m |= 1 << bit;
    }
    m
}

impl PlatformIndex {
    /// Whether some official form of a length within [`MAX_EDITS`] has a character mask within
    /// [`MAX_EDITS`] bits of `mask` either way.
    fn near_shape(&self, mask: u64, len: usize) -> bool {
        // Quick reject: characters no official of a nearby length has at all (digits, q, z...)
        // already rule out every official when there are more than MAX_EDITS of them.
        let union = self.union_near.get(len).copied().unwrap_or(0);
        if (mask & !union).count_ones() as usize > MAX_EDITS {
            return false;
        }
        let lo = len.saturating_sub(MAX_EDITS);
        let hi = (len + MAX_EDITS).min(self.masks_by_len.len().saturating_sub(1));
        (lo..=hi)
            .filter_map(|l| self.masks_by_len.get(l))
            .flatten()
            .any(|o| {
                (o & !mask).count_ones() as usize <= MAX_EDITS
                    && (mask & !o).count_ones() as usize <= MAX_EDITS
            })
    }
}

/// 2^21 bits (256 KiB) per platform.
const BLOOM_BITS: u32 = 21;
const BLOOM_WORDS: usize = 1 << (BLOOM_BITS - 6);

fn bloom_slot(h: u64) -> (usize, u64) {
    let bit = (h >> (64 - BLOOM_BITS)) as usize;
    (bit >> 6, 1u64 << (bit & 63))
}

#[derive(Default)]
struct PlatformIndex {
    /// One bit per deletion hash: the hash table is megabytes and every probe of it a cache
    /// miss, while this fits in L2 and answers "no" for nearly every candidate's deletions.
    bloom: Vec<u64>,
    /// For each length, the union of the masks of official forms within MAX_EDITS of it.
    union_near: Vec<u64>,
    /// Character masks of every official bare and core form, by length (deduplicated).
    masks_by_len: Vec<Vec<u64>>,
    /// (mask, length) of officials with a word-order key: a reordering has the same letters.
    word_shapes: std::collections::HashSet<(u64, usize)>,
    all: Vec<u32>,
    exact: HashMap<String, Vec<u32>>,
    words: HashMap<String, Vec<u32>>,
    deletions: HashIndex,
    contains: Option<AhoCorasick>,
    contains_ids: Vec<u32>,
    display: HashMap<String, Vec<u32>>,
    max_len: usize,
    /// Shape keys of official bare and core forms.
    shapes: HashMap<String, Vec<u32>>,
    /// Deletion hashes of the prefixes an official plain form can be cut to.
    prefixes: HashIndex,
}

/// Officials by platform, indexed for every relation the scorer knows.
#[derive(Default)]
pub struct Index {
    platforms: HashMap<Platform, PlatformIndex>,
}

impl Index {
    pub fn new(officials: &[Side]) -> Index {
        let mut platforms: HashMap<Platform, PlatformIndex> = HashMap::new();
        let mut patterns: HashMap<Platform, Vec<String>> = HashMap::new();
        for (i, o) in officials.iter().enumerate() {
            let id = i as u32;
            let p = platforms.entry(o.platform).or_default();
            p.all.push(id);
            let f = &o.forms;
            for key in [&f.bare, &f.core] {
                p.exact.entry(key.clone()).or_default().push(id);
            }
            for key in [&f.plain, &f.plain_core] {
                let len = key.chars().count();
                if p.masks_by_len.len() <= len {
                    p.masks_by_len.resize(len + 1, Vec::new());
                }
                let mask = char_mask(key);
                if !p.masks_by_len[len].contains(&mask) {
                    p.masks_by_len[len].push(mask);
                }
                p.max_len = p.max_len.max(len);
                for_each_deletion(key, |h| p.deletions.entry(h).or_default().push(id));
            }
            if !f.words_key.is_empty() {
                p.word_shapes
                    .insert((char_mask(&f.bare), f.bare.chars().count()));
                p.words.entry(f.words_key.clone()).or_default().push(id);
            }
            if f.core.chars().count() >= MIN_CONTAINED {
                patterns.entry(o.platform).or_default().push(f.core.clone());
                p.contains_ids.push(id);
            }
            if let Some(d) = &o.display_key {
                p.display.entry(d.clone()).or_default().push(id);
            }
            for key in [&f.shape, &f.core_shape] {
                let ids = p.shapes.entry(key.clone()).or_default();
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            let chars: Vec<char> = f.plain.chars().collect();
            for kept in min_kept(chars.len())..chars.len() {
                let prefix: String = chars[..kept].iter().collect();
                for_each_deletion_upto(&prefix, MAX_CUT_EDITS, |h| {
                    p.prefixes.entry(h).or_default().push(id)
                });
            }
        }
        for (platform, pats) in patterns {
            if let Some(p) = platforms.get_mut(&platform) {
                // Building only fails for patterns beyond the automaton's size limits; without it
                // the "contains" relation would be missed, so fall back to scoring every pair.
                p.contains = AhoCorasick::new(&pats).ok();
            }
        }
        for p in platforms.values_mut() {
            let n = p.masks_by_len.len();
            p.union_near = (0..n + MAX_EDITS)
                .map(|len| {
                    let lo = len.saturating_sub(MAX_EDITS);
                    (lo..=len + MAX_EDITS)
                        .filter_map(|l| p.masks_by_len.get(l))
                        .flatten()
                        .fold(0, |acc, m| acc | m)
                })
                .collect();
            p.bloom = vec![0u64; BLOOM_WORDS];
            for h in p.deletions.keys() {
                let (w, b) = bloom_slot(*h);
                p.bloom[w] |= b;
            }
            for v in p.deletions.values_mut().chain(p.prefixes.values_mut()) {
                v.sort_unstable();
                v.dedup();
            }
        }
        Index { platforms }
    }

    /// Every official on `c`'s platform: the brute-force comparison set.
    pub fn all(&self, platform: Platform) -> &[u32] {
        self.platforms
            .get(&platform)
            .map(|p| p.all.as_slice())
            .unwrap_or(&[])
    }

    /// Whether `c` could be an official name with its words reordered: only then is its
    /// word-order key worth computing.
    pub fn may_reorder(&self, c: &Side) -> bool {
        let Some(p) = self.platforms.get(&c.platform) else {
            return false;
        };
        if p.word_shapes.is_empty() {
            return false;
        }
        let shape = (char_mask(&c.forms.bare), c.forms.bare.chars().count());
        p.word_shapes.contains(&shape)
    }

    /// Officials that may relate to `c`, sorted and deduplicated into `out`.
    pub fn lookup(&self, c: &Side, out: &mut Vec<u32>) {
        out.clear();
        let Some(p) = self.platforms.get(&c.platform) else {
            return;
        };
        let f = &c.forms;
        for key in [&f.bare, &f.core] {
            if let Some(ids) = p.exact.get(key.as_str()) {
                out.extend_from_slice(ids);
            }
        }
        if !f.words_key.is_empty() {
            if let Some(ids) = p.words.get(&f.words_key) {
                out.extend_from_slice(ids);
            }
        }
        for key in [&f.plain, &f.plain_core] {
            let len = key.chars().count();
            // Length bound first: no official is within MAX_EDITS of a much longer name.
            if len <= p.max_len + MAX_EDITS && p.near_shape(char_mask(key), len) {
                for_each_deletion(key, |h| {
                    let (w, b) = bloom_slot(h);
                    if p.bloom.get(w).is_some_and(|x| x & b == 0) {
                        return;
                    }
                    if let Some(ids) = p.deletions.get(&h) {
                        out.extend_from_slice(ids);
                    }
                });
            }
            if f.plain_core == f.plain {
                break;
            }
        }
        match &p.contains {
            Some(ac) => {
                for m in ac.find_overlapping_iter(f.bare.as_str()) {
                    if let Some(id) = p.contains_ids.get(m.pattern().as_usize()) {
                        out.push(*id);
                    }
                }
            }
            None if !p.contains_ids.is_empty() => out.extend_from_slice(&p.all),
            None => {}
        }
        if let Some(d) = &c.display_key {
            if let Some(ids) = p.display.get(d) {
                out.extend_from_slice(ids);
            }
        }
        for key in [&f.shape, &f.core_shape] {
            if let Some(ids) = p.shapes.get(key.as_str()) {
                out.extend_from_slice(ids);
            }
        }
        if f.at_limit && !p.prefixes.is_empty() {
            let lead = f
                .plain
                .get(plain_lead_range(f.plain.as_bytes()))
                .unwrap_or_default();
            for form in [f.plain.as_str(), lead] {
                for_each_deletion_upto(form, MAX_CUT_EDITS, |h| {
                    if let Some(ids) = p.prefixes.get(&h) {
                        out.extend_from_slice(ids);
                    }
                });
                if lead.len() == f.plain.len() {
                    break;
                }
            }
        }
        out.sort_unstable();
        out.dedup();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hashes(s: &str) -> Vec<u64> {
        let mut v = Vec::new();
        for_each_deletion(s, |h| v.push(h));
        v
    }

    #[test]
    fn deletions_meet_for_two_edits() {
        let a = hashes("westmerepolice");
        for b in [
            "westmerepollce",
            "westerepolice",
            "wesmtrepolice",
            "westmerepolicexy",
            "wstmerpolice",
        ] {
            let hb = hashes(b);
            assert!(a.iter().any(|h| hb.contains(h)), "{b}");
        }
        let far = hashes("northmerepolice");
        assert!(!a.iter().any(|h| far.contains(h)));
    }
}
