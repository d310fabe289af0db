//! Similarity between one official account and one candidate, and the reasons behind it.
//!
//! The score is built from *relations* a person would recognise (same skeleton, same name plus an
//! affix, a couple of typos, words reordered, the official name inside a longer one, a copied
//! display name). Jaro-Winkler and Damerau-Levenshtein grade a relation; they never create one.
//! Without a relation the score is capped just below [`INDEX_FLOOR`]: that is what lets the index
//! (which finds every pair in a relation) give exactly the brute-force answer for any threshold at
//! or above the floor.

use strsim::{damerau_levenshtein, jaro_winkler};

use super::distance;
use super::normalise::{
    display_key, foreign_lookalikes, handle_forms, is_separator, plain_lead_range, skeleton, Forms,
};
use super::shape;
use crate::model::{handles, Platform};

/// Lowest threshold for which the indexed search is exact; below it [`super::Search`] compares
/// every pair.
pub const INDEX_FLOOR: f64 = 0.80;

/// Largest edit distance (on skeleton forms) that counts as "a couple of typos".
pub const MAX_EDITS: usize = 2;

/// Shortest official core for the "contains the official name" relation: shorter names
/// ("wmp") occur inside too many unrelated handles to mean anything.
pub const MIN_CONTAINED: usize = 6;

/// One side of a comparison, normalised once.
#[derive(Debug, Clone)]
pub struct Side {
    pub platform: Platform,
    pub forms: Forms,
    pub display: Option<String>,
    pub display_key: Option<String>,
}

impl Side {
    /// An official account: every form, including the word-order key.
    pub fn official(platform: Platform, handle: &str, display: Option<&str>) -> Side {
        let mut side = Side::new(platform, handle, display);
        side.forms = std::mem::take(&mut side.forms).with_words();
        side
    }

    /// A candidate: the word-order key is left for the caller to fill when it can matter
    /// ([`super::index::Index::may_reorder`]).
    pub fn new(platform: Platform, handle: &str, display: Option<&str>) -> Side {
        let display = display.map(str::trim).filter(|d| !d.is_empty());
        Side {
            platform,
            forms: handle_forms(handle, platform),
            display: display.map(str::to_string),
            display_key: display.map(display_key).filter(|k| k.chars().count() >= 3),
        }
    }
}

/// Extra context for the bio and link bonuses.
#[derive(Debug, Clone, Default)]
pub struct Extras<'a> {
    pub bio: Option<&'a str>,
    pub url: Option<&'a str>,
    /// Host of the organisation's website ("www.westmere.police.uk" → "westmere.police.uk").
    pub org_host: Option<&'a str>,
}

/// Which relation made a pair plausible, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    SameSkeleton,
    /// One shape once look-alike letters are read alike ([`shape::same_shape`]); `core`: only
    /// once decorative affixes are removed from both.
    SameShape {
        core: bool,
    },
    SameCore,
    Reordered,
    Edits(usize),
    /// At the platform's length limit, and within `edits` edits of the first `kept` characters
    /// of the official name: what is left of a longer look-alike the platform made its maker cut.
    Truncated {
        edits: usize,
        kept: usize,
    },
    Contains,
    None,
}

/// Edits allowed besides a cut: one. The cut is itself a change a reader may notice, so a cut
/// with two more changes is three, past the two the edit relation allows.
pub const MAX_CUT_EDITS: usize = 1;

/// The fewest characters of an official name a cut look-alike must keep: at least half of it,
/// and never fewer than [`MIN_CONTAINED`] (shorter pieces begin too many unrelated names).
pub fn min_kept(official_len: usize) -> usize {
    MIN_CONTAINED.max(official_len.div_ceil(2))
}

/// The best way to read `cand` as the first characters of `official` with at most
/// [`MAX_CUT_EDITS`] edits: (edits,
/// characters kept), fewest edits first, then most kept. Only cuts that drop something count
/// (a whole name is the edit relation's), keeping at least [`min_kept`] characters.
pub fn truncation(official: &str, cand: &str) -> Option<(usize, usize)> {
    let n = cand.chars().count();
    let (o, c) = (official.as_bytes(), cand.as_bytes());
    if official.is_ascii() {
        let lo = min_kept(o.len()).max(n.saturating_sub(MAX_CUT_EDITS));
        let hi = o.len().saturating_sub(1).min(n + MAX_CUT_EDITS);
        let longest = o.get(..hi).unwrap_or_default();
        if lo <= hi && distance::fits(longest, c) {
            // Row `kept` of one table is the distance of the first `kept` characters.
            let mut best: Option<(usize, usize)> = None;
            distance::rows(longest, c, MAX_CUT_EDITS, &mut Vec::new(), |kept, d| {
                if kept >= lo
                    && d <= MAX_CUT_EDITS
                    && best.is_none_or(|(bd, bk)| d < bd || (d == bd && kept > bk))
                {
                    best = Some((d, kept));
                }
                true
            });
            return best;
        }
    }
    let o: Vec<char> = official.chars().collect();
    let lo = min_kept(o.len()).max(n.saturating_sub(MAX_CUT_EDITS));
    let hi = o.len().saturating_sub(1).min(n + MAX_CUT_EDITS);
    let mut best: Option<(usize, usize)> = None;
    for kept in lo..=hi {
        let prefix: String = o[..kept].iter().collect();
        let d = damerau_levenshtein(&prefix, cand);
        if d <= MAX_CUT_EDITS && best.is_none_or(|(bd, bk)| d < bd || (d == bd && kept > bk)) {
            best = Some((d, kept));
        }
    }
    best
}

/// Two edits that are one block of two characters added or removed in one place ("kes" "es"
/// "trelford", dnstwist's plural): one change to a reader, not two.
fn one_block(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.chars().count() != short.chars().count() + 2 {
        return false;
    }
    let prefix = short
        .chars()
        .zip(long.chars())
        .take_while(|(x, y)| x == y)
        .count();
    let suffix = short
        .chars()
        .rev()
        .zip(long.chars().rev())
        .take_while(|(x, y)| x == y)
        .count();
    prefix + suffix >= short.chars().count()
}

/// The handle relation between an official and a candidate, and its graded score.
pub fn handle_relation(o: &Forms, c: &Forms) -> (Relation, f64) {
    if o.bare.is_empty() || c.bare.is_empty() {
        return (Relation::None, 0.0);
    }
    if c.bare == o.bare {
        return (Relation::SameSkeleton, 0.97);
    }
    if c.shape == o.shape && shape::same_shape(&o.bare, &c.bare).is_some() {
        return (Relation::SameShape { core: false }, 0.95);
    }
    if c.core == o.core {
        return (Relation::SameCore, 0.94);
    }
    if c.core_shape == o.core_shape && shape::same_shape(&o.core, &c.core).is_some() {
        return (Relation::SameShape { core: true }, 0.92);
    }
    if !o.words_key.is_empty() && c.words_key == o.words_key {
        return (Relation::Reordered, 0.90);
    }
    let mut best = (Relation::None, 0.0);
    let mut table = Vec::new();
    for (a, b) in [(&o.plain, &c.plain), (&o.plain_core, &c.plain_core)] {
        let (la, lb) = (a.chars().count(), b.chars().count());
        if la.abs_diff(lb) > MAX_EDITS {
            continue;
        }
        if let Some(d) = distance::bounded(a, b, MAX_EDITS, &mut table) {
            // The edit count carries most of the weight: Jaro matches greedily and scores some
            // single substitutions ("wlstmere" for "westmere") lower than two ("eastmere").
            // Two unrelated changes are likelier another name (a neighbouring force) than a
            // typo of ours, hence the extra step down.
            let maxlen = la.max(lb).max(1) as f64;
            let penalty = if d >= 2 && !one_block(a, b) {
                0.06
            } else {
                0.0
            };
            let s = 0.25 * jaro_winkler(a, b) + 0.75 * (1.0 - d as f64 / maxlen) - penalty;
            if s > best.1 {
                best = (Relation::Edits(d), s);
            }
        }
    }
    if c.at_limit {
        let lead = c
            .plain
            .get(plain_lead_range(c.plain.as_bytes()))
            .unwrap_or_default();
        let olen = o.plain.chars().count().max(1);
        for form in [c.plain.as_str(), lead] {
            if let Some((d, kept)) = truncation(&o.plain, form) {
                // A cut hides the rest of the name, so less is certain than with a whole one:
                // the more it lost, and the more it changed, the lower (0.87 at the least).
                let s = 0.94 - 0.03 * d as f64 - 0.08 * (olen - kept) as f64 / olen as f64;
                if s > best.1 {
                    best = (Relation::Truncated { edits: d, kept }, s);
                }
            }
            if lead.len() == c.plain.len() {
                break;
            }
        }
    }
    let olen = o.core.chars().count();
    if olen >= MIN_CONTAINED && c.bare.contains(o.core.as_str()) {
        let s = 0.80 + 0.15 * olen as f64 / c.bare.chars().count().max(1) as f64;
        if s > best.1 {
            best = (Relation::Contains, s);
        }
    }
    best
}

/// Score in [0, 1]. Returns the score and whether a relation (handle or display name) holds.
pub fn score(o: &Side, c: &Side, extras: &Extras) -> (f64, bool) {
    let (s, related, _) = score_relation(o, c, extras);
    (s, related)
}

/// As [`score`], with the handle relation found, which [`explain_relation`] takes rather than
/// finding it again.
pub fn score_relation(o: &Side, c: &Side, extras: &Extras) -> (f64, bool, Relation) {
    let (rel, mut s) = handle_relation(&o.forms, &c.forms);
    let mut related = rel != Relation::None;
    let same_display = matches!((&o.display_key, &c.display_key), (Some(a), Some(b)) if a == b);
    if same_display {
        related = true;
        // A copied display name on another handle is impersonation on its own; with a similar
        // handle as well it is the classic spoof.
        s = if rel == Relation::None {
            0.90
        } else {
            (s + 0.04).max(0.92)
        };
    }
    // A merely similar display name earns nothing: "Eastmere Police" is another force.
    if related {
        if bio_mentions(o, extras.bio) {
            s += 0.02;
        }
        if link_points_home(o, extras) {
            s += 0.02;
        }
        (s.min(1.0), true, rel)
    } else {
        let background = 0.7 * jaro_winkler(&o.forms.bare, &c.forms.bare);
        (background.min(INDEX_FLOOR - 0.01), false, rel)
    }
}

fn bio_mentions(o: &Side, bio: Option<&str>) -> bool {
    let Some(bio) = bio else { return false };
    let key = skeleton(&bio.to_lowercase());
    (o.forms.core.chars().count() >= MIN_CONTAINED && key.contains(o.forms.core.as_str()))
        || o.display_key
            .as_ref()
            .is_some_and(|d| d.chars().count() >= MIN_CONTAINED && key.contains(d.as_str()))
        || key.contains("official")
}

fn link_points_home(o: &Side, extras: &Extras) -> bool {
    let Some(url) = extras.url else { return false };
    let url = url.to_ascii_lowercase();
    extras
        .org_host
        .is_some_and(|h| !h.is_empty() && url.contains(&h.to_ascii_lowercase()))
        || (o.forms.core.len() >= MIN_CONTAINED && url.contains(&o.forms.folded))
}

/// One step of an edit script between two folded names.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Op {
    Sub(char, char),
    /// The inserted character, and whether it doubles a neighbour.
    Ins(char, bool),
    Del(char),
    Swap(char, char),
}

/// Optimal-string-alignment edit script from `a` to `b` (names are short; O(nm) is fine).
fn edit_script(a: &[char], b: &[char]) -> Vec<Op> {
    let (n, m) = (a.len(), b.len());
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=n {
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    let mut ops = Vec::new();
    let (mut i, mut j) = (n, m);
    while i > 0 || j > 0 {
        if i > 1
            && j > 1
            && a[i - 1] == b[j - 2]
            && a[i - 2] == b[j - 1]
            && a[i - 1] != a[i - 2]
            && d[i][j] == d[i - 2][j - 2] + 1
        {
            ops.push(Op::Swap(a[i - 2], a[i - 1]));
            i -= 2;
            j -= 2;
        } else if i > 0 && j > 0 && d[i][j] == d[i - 1][j - 1] + usize::from(a[i - 1] != b[j - 1]) {
            if a[i - 1] != b[j - 1] {
                ops.push(Op::Sub(a[i - 1], b[j - 1]));
            }
            i -= 1;
            j -= 1;
        } else if i > 0 && d[i][j] == d[i - 1][j] + 1 {
            ops.push(Op::Del(a[i - 1]));
            i -= 1;
        } else {
            // j > 0 here: the loop runs while either index is positive and the other arms failed.
            let k = j.saturating_sub(1);
            let repeated = (k > 0 && b.get(k - 1) == b.get(k)) || b.get(k + 1) == b.get(k);
            ops.push(Op::Ins(b[k], repeated));
            j = j.saturating_sub(1);
        }
    }
    ops.reverse();
    ops
}

fn looks_alike(a: char, b: char) -> bool {
    let (mut x, mut y) = ([0; 4], [0; 4]);
    skeleton(a.encode_utf8(&mut x)) == skeleton(b.encode_utf8(&mut y))
}

fn describe(op: &Op) -> String {
    match *op {
        Op::Sub(a, b) if is_separator(a) && is_separator(b) => {
            format!("separator '{a}' replaced by '{b}'")
        }
        Op::Sub(a, b) if looks_alike(a, b) => format!("look-alike character {a}→{b}"),
        Op::Sub(a, b) => format!("character changed {a}→{b}"),
        Op::Ins(c, _) if is_separator(c) => format!("separator '{c}' added"),
        Op::Ins(c, true) => format!("character '{c}' repeated"),
        Op::Ins(c, false) => format!("character '{c}' inserted"),
        Op::Del(c) if is_separator(c) => format!("separator '{c}' removed"),
        Op::Del(c) => format!("character '{c}' omitted"),
        Op::Swap(a, b) => format!("characters swapped {a}{b}→{b}{a}"),
    }
}

/// Multi-letter look-alikes the candidate uses where the official name has the single letter.
fn letter_pairs(official: &str, candidate: &str) -> Vec<String> {
    [("m", "rn"), ("w", "vv"), ("d", "cl"), ("m", "nn")]
        .iter()
        .filter(|(one, two)| {
            candidate.matches(two).count() > official.matches(two).count()
                && official.matches(one).count() > candidate.matches(one).count()
        })
        .map(|(one, two)| format!("look-alike letters {one}→{two}"))
        .collect()
}

fn count_words(n: usize) -> &'static str {
    match n {
        1 => "one character",
        2 => "two characters",
        3 => "three characters",
        _ => "several characters",
    }
}

/// Human-readable reasons for a pair already known to score above the threshold.
pub fn explain(o: &Side, c: &Side, extras: &Extras) -> Vec<String> {
    explain_relation(o, c, extras, handle_relation(&o.forms, &c.forms).0)
}

/// As [`explain`], given the pair's handle relation ([`score_relation`] found it).
pub fn explain_relation(o: &Side, c: &Side, extras: &Extras, rel: Relation) -> Vec<String> {
    let mut reasons = Vec::new();
    let cf = &c.forms;
    if cf.invisibles > 0 {
        reasons.push(format!(
            "{} invisible character(s) (zero-width or bidi control) hidden in the handle",
            cf.invisibles
        ));
    }
    if cf.compat {
        reasons.push("styled or fullwidth letters that normalise to plain ones".to_string());
    }
    for f in foreign_lookalikes(&cf.raw) {
        reasons.push(format!("{f} in the handle"));
    }
    if !cf.affixes.is_empty() && rel != Relation::None {
        let added: Vec<&str> = cf
            .affixes
            .iter()
            .copied()
            .filter(|a| !o.forms.affixes.contains(a))
            .collect();
        if !added.is_empty() {
            reasons.push(format!("decorative affix added: {}", added.join(", ")));
        }
    }
    match rel {
        Relation::SameShape { core } => {
            let (a, b) = if core {
                (&o.forms.core, &cf.core)
            } else {
                (&o.forms.bare, &cf.bare)
            };
            let pieces = shape::same_shape(a, b).unwrap_or_default();
            let mut named: Vec<String> = Vec::new();
            for (x, y) in &pieces {
                let one = format!("{}→{}", shape::readable(x), shape::readable(y));
                if !named.contains(&one) {
                    named.push(one);
                }
            }
            reasons.push(format!(
                "same shape once look-alike letters are read alike: {}",
                named.join(", ")
            ));
        }
        Relation::Truncated { edits, kept } => {
            let limit = handles::max_len(c.platform).unwrap_or(0);
            let olen = o.forms.plain.chars().count();
            reasons.push(format!(
                "cut to {}'s {limit}-character limit: the first {kept} of {olen} characters of {}{}",
                handles::platform_name(c.platform),
                o.forms.raw,
                match edits {
                    0 => String::new(),
                    1 => ", with one character changed".to_string(),
                    _ => format!(", with {} changed", count_words(edits)),
                }
            ));
        }
        Relation::SameSkeleton | Relation::SameCore | Relation::Edits(_) => {
            let a: Vec<char> = o.forms.folded.chars().collect();
            let b: Vec<char> = cf.folded.chars().collect();
            if a.len() <= 64 && b.len() <= 64 {
                let mut ops = edit_script(&a, &b);
                if rel == Relation::SameCore {
                    // The affix itself is already named above; keep only changes inside the name.
                    ops.retain(|op| matches!(op, Op::Sub(..) | Op::Swap(..)));
                }
                let pairs = letter_pairs(&o.forms.folded, &cf.folded);
                if !pairs.is_empty() {
                    // "rn" for "m" shows as an insertion plus a substitution; name the trick instead.
                    ops.retain(|op| matches!(op, Op::Ins(c, _) | Op::Del(c) if is_separator(*c)));
                    reasons.extend(pairs);
                }
                if !ops.is_empty() && ops.len() <= 4 {
                    let parts: Vec<String> = ops.iter().map(describe).collect();
                    reasons.push(format!(
                        "{} changed: {}",
                        count_words(ops.len()),
                        parts.join("; ")
                    ));
                }
            }
            if cf.suffix != o.forms.suffix {
                if let Some(suffix) = &cf.suffix {
                    reasons.push(format!(
                        "same name under another domain or instance: {suffix}"
                    ));
                }
            }
            if rel == Relation::SameSkeleton && reasons.is_empty() {
                reasons.push(
                    "same name once look-alike characters and separators are ignored".to_string(),
                );
            }
        }
        Relation::Reordered => {
            reasons.push("the official name's words in a different order".to_string())
        }
        Relation::Contains => reasons.push(format!(
            "contains the official name '{}' with other text added",
            o.forms.raw
        )),
        Relation::None => {}
    }
    if let (Some(ok), Some(ck)) = (&o.display_key, &c.display_key) {
        if ok == ck {
            let foreign = c
                .display
                .as_deref()
                .map(foreign_lookalikes)
                .unwrap_or_default();
            if foreign.is_empty() {
                reasons.push("display name identical to the official account's".to_string());
            } else {
                reasons.push("display name looks identical to the official account's".to_string());
                for f in foreign {
                    reasons.push(format!("{f} in display name"));
                }
            }
        }
    }
    if bio_mentions(o, extras.bio) && rel != Relation::None {
        reasons.push("bio presents it as the official account".to_string());
    }
    if link_points_home(o, extras) && rel != Relation::None {
        reasons.push("links to the organisation's own website".to_string());
    }
    if reasons.is_empty() {
        reasons.push("similar handle".to_string());
    }
    reasons
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(h: &str, d: Option<&str>) -> Side {
        Side::new(Platform::X, h, d)
    }

    fn s(o: &str, c: &str) -> f64 {
        score(&side(o, None), &side(c, None), &Extras::default()).0
    }

    #[test]
    fn grades() {
        assert!(s("WestmerePolice", "WestmerePo1ice") > 0.95);
        assert!(s("WestmerePolice", "WestmerePolice_UK") > 0.9);
        assert!(s("WestmerePolice", "WestmerPolice") > 0.9);
        assert!(s("WestmerePolice", "WestmereCouncil") < INDEX_FLOOR);
        assert!(s("WestmerePolice", "WestmereFire") < INDEX_FLOOR);
    }

    #[test]
    fn reasons_name_the_change() {
        let o = side("WestmerePolice", Some("Westmere Police"));
        let r = explain(&o, &side("WestmerePo1ice", None), &Extras::default());
        assert_eq!(
            r,
            vec!["one character changed: look-alike character l→1".to_string()]
        );
        let r = explain(&o, &side("WestmerePolcie", None), &Extras::default());
        assert!(r[0].contains("swapped"), "{r:?}");
        let r = explain(
            &o,
            &side("SomethingElse", Some("Westmere Pоlice")),
            &Extras::default(),
        );
        assert!(r.iter().any(|x| x.contains("Cyrillic о")), "{r:?}");
        let (sc, rel) = score(
            &o,
            &side("SomethingElse", Some("Westmere Police")),
            &Extras::default(),
        );
        assert!(rel && sc >= 0.9);
    }

    #[test]
    fn a_cut_name_is_a_relation_of_its_own() {
        let o = side("KestrelfordFire", None);
        let c = side("KesstrelfordFir", None);
        let (sc, rel) = score(&o, &c, &Extras::default());
        assert!(rel && sc >= 0.86, "{sc}");
        assert_eq!(
            explain(&o, &c, &Extras::default())[0],
            "cut to X's 15-character limit: the first 14 of 15 characters of KestrelfordFire, \
             with one character changed"
        );
        let r = explain(&o, &side("RealKestrelford", None), &Extras::default());
        assert!(r.iter().any(|x| x.contains("the first 11 of 15")), "{r:?}");
        // The same letters one short of the limit were not cut: three edits, no relation.
        assert!(s("KestrelfordFire", "KesstrelfordFi") < INDEX_FLOOR);
        // At the limit, but only the place name is ours: less than half of the name kept.
        assert!(s("KestrelfordFire", "KestrelAviation") < INDEX_FLOOR);
        // Not at X's limit on Instagram (30): no cut relation there.
        let insta = |h: &str| Side::new(Platform::Instagram, h, None);
        let (sc, _) = score(
            &insta("kestrelfordfire"),
            &insta("realkestrelford"),
            &Extras::default(),
        );
        assert!(sc < INDEX_FLOOR, "{sc}");
    }

    #[test]
    fn one_shape_names_the_letters() {
        let o = side("KestrelfordPol", None);
        let c = side("KcstrclforclPol", None);
        let (sc, rel) = score(&o, &c, &Extras::default());
        assert!(rel && (sc - 0.95).abs() < 1e-9, "{sc}");
        assert_eq!(
            explain(&o, &c, &Extras::default()),
            vec!["same shape once look-alike letters are read alike: e→c".to_string()]
        );
    }

    #[test]
    fn edit_script_is_minimal() {
        let a: Vec<char> = "police".chars().collect();
        let b: Vec<char> = "pollice".chars().collect();
        assert_eq!(edit_script(&a, &b).len(), 1);
        assert!(edit_script(&a, &a).is_empty());
    }
}
