//! The quick "certainly unrelated" test a candidate meets before anything is allocated for it.
//!
//! Nearly every row of a million-row candidates file is unrelated to every official account, and
//! most are plain ASCII. For those, [`Prefilter::may_relate`] builds the skeleton and plain forms
//! in reused buffers, byte by byte from tables read off the functions
//! [`handle_forms`](super::normalise::handle_forms) uses, and asks, for each relation the scorer
//! knows, a question that is never "no" when the relation holds:
//! - same skeleton or core, copied display name: hashes of the official keys (a collision only
//!   sends a row to the full path);
//! - words reordered: the (character mask, length) shape of official names with several words;
//! - the official name inside the handle: an Aho-Corasick automaton over the official cores;
//! - up to [`MAX_EDITS`] edits: the pigeonhole principle. Each official plain form is cut into
//!   `MAX_EDITS + 1` pieces with one character left between neighbours. An insertion, deletion,
//!   substitution or transposition spoils at most one piece, except that a transposition can
//!   spoil two once an earlier edit has deleted the character between them, which spoils none.
//!   So a name within `MAX_EDITS` edits contains at least one piece intact, moved by at most
//!   one place per edit. An Aho-Corasick automaton finds the pieces (their first four
//!   characters) in the candidate; a piece in the right place is followed up by
//!   length and character mask (each edit adds or removes at most one kind of character), then
//!   by the edit distance itself, computed without allocating and abandoned as soon as it
//!   exceeds [`MAX_EDITS`].
//!
//! Anything else (non-ASCII text, a skeleton that is not ASCII) answers "maybe", and the row
//! takes the full path: the prefilter can only spare work, never change an answer.
//! tests/impersonation_index.rs checks that against scoring every pair, on officials of every
//! awkward shape (too short to cut, affixed, non-ASCII, Bluesky and Mastodon handles).

use std::collections::{HashMap, HashSet};
use std::hash::BuildHasherDefault;
use std::ops::Range;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickKind};
use strsim::damerau_levenshtein;

use super::index::{char_mask, mix, PassThrough};
use super::normalise::{core_range, plain, plain_core_range, skeleton, strip_platform_suffix};
use super::score::{Side, MAX_EDITS, MIN_CONTAINED};
use crate::model::Platform;

type U64Set = HashSet<u64, BuildHasherDefault<PassThrough>>;

/// Pieces are probed by their first few characters only: four letters are rare enough in
/// unrelated names, and fewer distinct lengths mean fewer probes per row.
const MAX_PIECE: usize = 4;
/// Shorter pieces would match nearly every name; officials that would need them are checked
/// against every row by length and mask instead.
const MIN_PIECE: usize = 2;
/// One official plain or plain-core form: what a piece hit is confirmed against.
#[derive(Clone, Copy)]
struct Shape {
    len: usize,
    mask: u64,
}

impl Shape {
    fn of(s: &str) -> Shape {
        Shape {
            len: s.chars().count(),
            mask: char_mask(s),
        }
    }

    /// Of an ASCII form, given as bytes.
    fn of_ascii(s: &[u8]) -> Shape {
        let bits = &maps().mask;
        Shape {
            len: s.len(),
            mask: s.iter().fold(0, |m, b| m | bits[usize::from(*b & 0x7f)]),
        }
    }

    /// Whether `self` and `other` could be within [`MAX_EDITS`] edits of each other.
    #[inline]
    fn near(self, other: Shape) -> bool {
        self.len.abs_diff(other.len) <= MAX_EDITS
            && few_bits(self.mask & !other.mask)
            && few_bits(other.mask & !self.mask)
    }
}

/// Whether at most [`MAX_EDITS`] bits are set: clearing the lowest bit that many times leaves
/// nothing. (Cheaper than `count_ones`, which is a dozen instructions on baseline x86-64.)
#[inline]
fn few_bits(mut x: u64) -> bool {
    for _ in 0..MAX_EDITS {
        x &= x.wrapping_sub(1);
    }
    x == 0
}

/// What each ASCII byte becomes in the skeleton and plain forms, read off
/// [`skeleton`] and [`plain`] themselves so that the quick path cannot drift from them.
struct AsciiMaps {
    /// Skeleton bytes (m→rn, w→vv, d→cl: at most two); `None` where the skeleton is not ASCII
    /// (`%` → `°/₀`), which sends the row to the full path.
    bare: [Option<([u8; 2], u8)>; 128],
    /// Plain byte, or `None` for a separator, which is dropped.
    plain: [Option<u8>; 128],
    /// [`char_mask`] bit of each byte.
    mask: [u64; 128],
}

fn maps() -> &'static AsciiMaps {
    static MAPS: OnceLock<AsciiMaps> = OnceLock::new();
    MAPS.get_or_init(|| {
        let text = |b: usize| char::from(b as u8).to_string();
        AsciiMaps {
            bare: std::array::from_fn(|b| {
                let sk = skeleton(&text(b));
                match sk.as_bytes() {
                    [] => Some(([0, 0], 0)),
                    [x] => Some(([*x, 0], 1)),
                    [x, y] if sk.is_ascii() => Some(([*x, *y], 2)),
                    _ => None,
                }
            }),
            plain: std::array::from_fn(|b| plain(&text(b)).bytes().next()),
            mask: std::array::from_fn(|b| char_mask(&text(b))),
        }
    })
}

#[derive(Default)]
struct PlatformFilter {
    /// Hashes of official bare and core forms.
    exact: U64Set,
    /// Hashes of official display-name keys.
    display: U64Set,
    /// (mask, length) of official bare forms that have a word-order key.
    word_shapes: U64Set,
    /// Official cores of at least [`MIN_CONTAINED`] characters; `None` with cores present means
    /// the automaton could not be built and every row must go on.
    contains: Option<AhoCorasick>,
    has_cores: bool,
    /// Official plain and plain-core forms, with their shapes.
    forms: Vec<(Shape, Box<str>)>,
    /// The distinct pieces of those forms (ASCII, [`MIN_PIECE`]..=[`MAX_PIECE`] characters);
    /// `None` with pieces present means the automaton could not be built.
    piece_ac: Option<AhoCorasick>,
    /// For each piece: (index into `forms`, where the piece starts in that form).
    piece_hits: Vec<Vec<(u32, usize)>>,
    piece_ids: HashMap<String, usize>,
    /// Forms too short to cut into pieces: confirmed against every row.
    uncut: Vec<u32>,
}

/// The quick test, per platform.
#[derive(Default)]
pub struct Prefilter {
    platforms: HashMap<Platform, PlatformFilter>,
}

/// Buffers reused from row to row.
#[derive(Default)]
pub struct Buffers {
    bare: Vec<u8>,
    plain: Vec<u8>,
    display: Vec<u8>,
    /// The edit-distance table of [`within_edits`].
    table: Vec<u16>,
}

/// A hash of a whole string (for the exact relations; a collision is harmless).
fn text_hash(s: &[u8]) -> u64 {
    mix(s.iter().fold(s.len() as u64, |h, b| {
        h.wrapping_mul(0x100_0000_01b3) ^ u64::from(*b)
    }))
}

fn shape_key(mask: u64, len: usize) -> u64 {
    mix(mask ^ (len as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

/// The pieces of a form of `n` characters: `MAX_EDITS + 1` runs, one character apart, as
/// (start, length) in characters; `None` when a piece would be shorter than [`MIN_PIECE`].
fn cut(n: usize) -> Option<Vec<(usize, usize)>> {
    let parts = MAX_EDITS + 1;
    let room = n.checked_sub(MAX_EDITS)?;
    let (base, extra) = (room / parts, room % parts);
    if base < MIN_PIECE {
        return None;
    }
    let mut out = Vec::with_capacity(parts);
    let mut at = 0;
    for k in 0..parts {
        let len = base + usize::from(k < extra);
        out.push((at, len));
        at += len + 1;
    }
    Some(out)
}

impl PlatformFilter {
    fn add_form(&mut self, form: &str) {
        let id = self.forms.len() as u32;
        self.forms.push((Shape::of(form), form.into()));
        let chars: Vec<char> = form.chars().collect();
        let Some(pieces) = cut(chars.len()) else {
            self.uncut.push(id);
            return;
        };
        for (start, len) in pieces {
            let piece: String = chars[start..start + len.min(MAX_PIECE)].iter().collect();
            // A candidate on the quick path is ASCII, so a piece that is not can never be in it,
            // and the pigeonhole argument then puts an intact ASCII piece elsewhere.
            if !piece.is_ascii() {
                continue;
            }
            let next = self.piece_hits.len();
            let at = *self.piece_ids.entry(piece).or_insert(next);
            if at == next {
                self.piece_hits.push(Vec::new());
            }
            if let Some(hits) = self.piece_hits.get_mut(at) {
                hits.push((id, start));
            }
        }
    }

    /// Whether form `id` is within [`MAX_EDITS`] edits of `name`: length and character kinds
    /// first (each edit adds or removes at most one kind), then the distance itself.
    #[inline]
    fn confirms(&self, id: u32, name: &[u8], shape: Shape, table: &mut Vec<u16>) -> bool {
        self.forms.get(id as usize).is_some_and(|(s, form)| {
            s.near(shape) && within_edits(form.as_bytes(), name, MAX_EDITS, table)
        })
    }

    /// Whether some official plain form is within [`MAX_EDITS`] edits of `plain` or of its
    /// core, `plain[core]`. An intact piece has moved by at most one place per edit, so only
    /// a piece found near where it sits in the official form is followed up.
    fn near_edits(&self, plain: &[u8], core: Range<usize>, table: &mut Vec<u16>) -> bool {
        let whole = (plain, Shape::of_ascii(plain));
        let core_at = core.start;
        // Without affixes the core is the whole name: no second look.
        let has_core = core != (0..plain.len());
        let core_text = plain.get(core).unwrap_or_default();
        let core = (core_text, Shape::of_ascii(core_text));
        if self.uncut.iter().any(|id| {
            self.confirms(*id, whole.0, whole.1, table)
                || (has_core && self.confirms(*id, core.0, core.1, table))
        }) {
            return true;
        }
        let Some(ac) = &self.piece_ac else {
            return !self.piece_hits.is_empty();
        };
        ac.find_overlapping_iter(plain).any(|m| {
            let place = m.start();
            let Some(hits) = self.piece_hits.get(m.pattern().as_usize()) else {
                return false;
            };
            hits.iter().any(|&(id, start)| {
                (place.abs_diff(start) <= MAX_EDITS && self.confirms(id, whole.0, whole.1, table))
                    || (has_core
                        && place >= core_at
                        && (place - core_at).abs_diff(start) <= MAX_EDITS
                        && self.confirms(id, core.0, core.1, table))
            })
        })
    }
}

impl Prefilter {
    pub fn new(officials: &[Side]) -> Prefilter {
        let mut platforms: HashMap<Platform, PlatformFilter> = HashMap::new();
        let mut cores: HashMap<Platform, Vec<&str>> = HashMap::new();
        for o in officials {
            let p = platforms.entry(o.platform).or_default();
            let f = &o.forms;
            p.exact.insert(text_hash(f.bare.as_bytes()));
            p.exact.insert(text_hash(f.core.as_bytes()));
            if let Some(d) = &o.display_key {
                p.display.insert(text_hash(d.as_bytes()));
            }
            if !f.words_key.is_empty() {
                p.word_shapes
                    .insert(shape_key(char_mask(&f.bare), f.bare.chars().count()));
            }
            if f.core.chars().count() >= MIN_CONTAINED {
                cores.entry(o.platform).or_default().push(&f.core);
            }
            p.add_form(&f.plain);
            if f.plain_core != f.plain {
                p.add_form(&f.plain_core);
            }
        }
        for p in platforms.values_mut() {
            let mut pieces: Vec<(&String, &usize)> = p.piece_ids.iter().collect();
            pieces.sort_by_key(|(_, at)| **at);
            let pieces: Vec<&String> = pieces.into_iter().map(|(piece, _)| piece).collect();
            p.piece_ac = AhoCorasick::builder()
                .kind(Some(AhoCorasickKind::DFA))
                .prefilter(false)
                .build(&pieces)
                .ok();
        }
        for (platform, pats) in cores {
            if let Some(p) = platforms.get_mut(&platform) {
                p.has_cores = true;
                p.contains = AhoCorasick::builder()
                    .kind(Some(AhoCorasickKind::DFA))
                    .prefilter(false)
                    .build(&pats)
                    .ok();
            }
        }
        Prefilter { platforms }
    }

    /// `false` only when the candidate certainly relates to no official account on its
    /// platform, so that scoring it could not reach the index floor. `handle` is trimmed and
    /// without its `@`, as [`Side::new`] would see it.
    pub fn may_relate(
        &self,
        platform: Platform,
        handle: &str,
        display: Option<&str>,
        buf: &mut Buffers,
    ) -> bool {
        let Some(p) = self.platforms.get(&platform) else {
            return false;
        };
        // As `handle_forms` takes it (which trims again: "@\t0" is "0" there).
        let raw = handle.trim().trim_start_matches('@');
        let (name, _) = strip_platform_suffix(raw, platform);
        if !name.is_ascii() {
            return true;
        }
        if let Some(d) = display.map(str::trim).filter(|d| !d.is_empty()) {
            // The display key is the skeleton without white space (score.rs, `display_key`).
            if !d.is_ascii() || !skeleton_ascii(d.as_bytes(), &mut buf.display) {
                return true;
            }
            buf.display.retain(|b| !char::from(*b).is_whitespace());
            if buf.display.len() >= 3 && p.display.contains(&text_hash(&buf.display)) {
                return true;
            }
        }
        if !skeleton_ascii(name.as_bytes(), &mut buf.bare) {
            return true;
        }
        let bare = buf.bare.as_slice();
        if bare.is_empty() {
            return false;
        }
        let core = bare.get(core_range(bare)).unwrap_or_default();
        if p.exact.contains(&text_hash(bare)) || p.exact.contains(&text_hash(core)) {
            return true;
        }
        if !p.word_shapes.is_empty() {
            let s = Shape::of_ascii(bare);
            if p.word_shapes.contains(&shape_key(s.mask, s.len)) {
                return true;
            }
        }
        let table = &maps().plain;
        buf.plain.clear();
        for b in name.bytes() {
            if let Some(p) = table[usize::from(b & 0x7f)] {
                buf.plain.push(p);
            }
        }
        if p.near_edits(&buf.plain, plain_core_range(&buf.plain), &mut buf.table) {
            return true;
        }
        match &p.contains {
            Some(ac) => ac.is_match(bare),
            None => p.has_cores,
        }
    }
}

/// Whether the (unrestricted) Damerau-Levenshtein distance between `a` and `b` is at most `k`:
/// the distance `strsim::damerau_levenshtein` gives the scorer, computed on bytes in a reused
/// table (Lowrance-Wagner) and given up as soon as a whole row exceeds `k` (row minima never
/// decrease). Text that is not ASCII goes to strsim itself.
fn within_edits(a: &[u8], b: &[u8], k: usize, d: &mut Vec<u16>) -> bool {
    let (n, m) = (a.len(), b.len());
    if n.abs_diff(m) > k {
        return false;
    }
    if !a.is_ascii() || !b.is_ascii() || n + m > 250 {
        return match (std::str::from_utf8(a), std::str::from_utf8(b)) {
            (Ok(a), Ok(b)) => damerau_levenshtein(a, b) <= k,
            _ => true,
        };
    }
    // d[(i + 1) * w + (j + 1)] is the distance between a[..i] and b[..j]; row and column 0
    // hold the "infinite" border the transposition step needs. Only the borders are set: every
    // other cell is written before it is read, so the table is never cleared.
    let w = m + 2;
    let inf = (n + m) as u16;
    if d.len() < (n + 2) * w {
        d.resize((n + 2) * w, 0);
    }
    d[..w].fill(inf);
    for i in 0..=n {
        d[(i + 1) * w] = inf;
        d[(i + 1) * w + 1] = i as u16;
    }
    for j in 0..=m {
        d[w + j + 1] = j as u16;
    }
    // Last row (1-based) in which each byte was seen in `a`; n < 256 here.
    let mut last_row = [0u8; 128];
    for i in 1..=n {
        let ai = a[i - 1];
        let mut last_col = 0;
        let mut row_min = i as u16;
        for j in 1..=m {
            let bj = b[j - 1];
            let (i1, j1) = (usize::from(last_row[usize::from(bj & 0x7f)]), last_col);
            let cost = if ai == bj {
                last_col = j;
                0
            } else {
                1
            };
            let v = (d[i * w + j] + cost)
                .min(d[(i + 1) * w + j] + 1)
                .min(d[i * w + j + 1] + 1)
                .min(d[i1 * w + j1] + (i - i1 - 1 + 1 + j - j1 - 1) as u16);
            d[(i + 1) * w + j + 1] = v;
            row_min = row_min.min(v);
        }
        if usize::from(row_min) > k {
            return false;
        }
        last_row[usize::from(ai & 0x7f)] = i as u8;
    }
    usize::from(d[(n + 1) * w + m + 1]) <= k
}

/// The skeleton of ASCII `s` into `out`; `false` if it is not ASCII itself.
fn skeleton_ascii(s: &[u8], out: &mut Vec<u8>) -> bool {
    let table = &maps().bare;
    out.clear();
    for b in s {
        match table.get(usize::from(*b)).copied().flatten() {
            Some((bytes, n)) => out.extend_from_slice(&bytes[..usize::from(n)]),
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::impersonation::normalise::handle_forms;
    use proptest::prelude::*;

    #[test]
    fn pieces_cover_the_name_with_gaps() {
        assert_eq!(cut(14), Some(vec![(0, 4), (5, 4), (10, 4)]));
        assert_eq!(cut(9), Some(vec![(0, 3), (4, 2), (7, 2)]));
        assert_eq!(cut(7), None);
        assert_eq!(cut(1), None);
    }

    /// The quick path's forms, as the full path would write them.
    fn quick_forms(h: &str) -> Option<(String, String, String, String)> {
        let mut buf = Buffers::default();
        if !skeleton_ascii(h.as_bytes(), &mut buf.bare) {
            return None;
        }
        let table = &maps().plain;
        let plain: Vec<u8> = h.bytes().filter_map(|b| table[usize::from(b)]).collect();
        let text = |b: &[u8]| String::from_utf8(b.to_vec()).unwrap_or_default();
        Some((
            text(&buf.bare),
            text(&buf.bare[core_range(&buf.bare)]),
            text(&plain),
            text(&plain[plain_core_range(&plain)]),
        ))
    }

    fn full_forms(h: &str) -> (String, String, String, String) {
        let f = handle_forms(h, Platform::X);
        (f.bare, f.core, f.plain, f.plain_core)
    }

    #[test]
    fn quick_forms_are_the_full_forms() {
        for h in [
            "TheRealWestmerePolice_Official",
            "w3stm3r3",
            "a.b-c_d",
            "RNmwd",
            "a\\b",
        ] {
            assert_eq!(quick_forms(h), Some(full_forms(h)), "{h}");
        }
        assert_eq!(quick_forms("100%"), None, "`%` has a non-ASCII skeleton");
    }

    proptest! {
        #[test]
        fn within_edits_agrees_with_strsim(
            pairs in proptest::collection::vec(("[abc]{0,9}", "[abc]{0,9}"), 1..8),
            k in 0usize..4,
        ) {
            // One table for all pairs, as in a scan: what one pair leaves must not mislead the next.
            let mut table = Vec::new();
            for (a, b) in &pairs {
                prop_assert_eq!(
                    within_edits(a.as_bytes(), b.as_bytes(), k, &mut table),
                    damerau_levenshtein(a, b) <= k,
                    "{} {}", a, b
                );
            }
        }

        #[test]
        fn quick_forms_match_on_any_ascii(h in "[\x00-\x7f]{1,24}") {
            // As `Prefilter::may_relate` takes it.
            let h = h.trim().trim_start_matches('@');
            let h = h.trim().trim_start_matches('@');
            if let Some(quick) = quick_forms(h) {
                prop_assert_eq!(quick, full_forms(h));
            }
        }
    }

    fn filter(handles: &[&str]) -> Prefilter {
        let sides: Vec<Side> = handles
            .iter()
            .map(|h| Side::official(Platform::X, h, Some("Westmere Police")))
            .collect();
        Prefilter::new(&sides)
    }

    #[test]
    fn related_names_pass_and_strangers_do_not() {
        let f = filter(&["WestmerePolice", "WMPRoads"]);
        let mut buf = Buffers::default();
        let mut may = |h: &str, d: Option<&str>| f.may_relate(Platform::X, h, d, &mut buf);
        for h in [
            "WestmerePolice",
            "WestrnerePo1ice",
            "WsetmerePolcie",
            "WestmereePolic",
            "PoliceWestmere",
            "RealWestmerePoliceHQ",
            "xxWestmerePolicexx",
            "WMPRoad",
            "WMPRaods",
        ] {
            assert!(may(h, None), "{h}");
        }
        assert!(
            may("somebody", Some("Westmere  Pоlice")),
            "non-ASCII display"
        );
        assert!(
            may("somebody", Some("Westmere Police")),
            "copied display name"
        );
        for h in ["cat_pictures", "EastfordFire", "NorthmereNews12", "zz"] {
            assert!(!may(h, None), "{h}");
        }
        assert!(!f.may_relate(Platform::Tiktok, "WestmerePolice", None, &mut buf));
    }
}
