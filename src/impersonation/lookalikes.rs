//! The look-alike handles an impersonator would register for one official handle, by named
//! class, like dnstwist does for domains (`palisade lookalikes HANDLE --platform P`).
//!
//! Every result is a handle that can exist on the platform (alphabet and length of
//! `inventory.md`), is deduplicated case-insensitively (handles compare that way) and is never
//! the original. The classes follow dnstwist's fuzzers where they make sense for typed handles
//! (not bitsquatting: a flipped bit in memory never turns into a typed handle); the comparison
//! is in `tests/data/impersonation/dnstwist_comparison.md`. A variant too long for the platform
//! is cut to its limit ("truncation"), as an impersonator must cut it.
//!
//! Whether the names may be registered defensively depends on the platform
//! ([`super::defensive`]): the renderers say so.

use std::collections::HashSet;

use serde::Serialize;

use super::normalise::AFFIXES;
use crate::model::{handles, Platform};

/// One generated handle and the class of mistake or trick that produces it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lookalike {
    pub handle: String,
    pub class: &'static str,
}

/// Class names, in the order results are listed.
pub const CLASSES: &[&str] = &[
    "omission",
    "repetition",
    "transposition",
    "replacement",
    "insertion",
    "addition",
    "homoglyph",
    "cyrillic",
    "vowel-swap",
    "separator",
    "plural",
    "affix",
    "truncation",
    "hyphenation",
    "subdomain",
    "tld-swap",
    "bsky-suffix",
];

const QWERTY: &[&str] = &["1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"];

/// Neighbouring keys on a UK/US QWERTY keyboard (same row and the rows above and below).
fn adjacent_keys(c: char) -> Vec<char> {
    let lc = c.to_ascii_lowercase();
    let mut out = Vec::new();
    for (r, row) in QWERTY.iter().enumerate() {
        let Some(col) = row.find(lc) else { continue };
        for other in QWERTY.iter().take(r + 2).skip(r.saturating_sub(1)) {
            let other = other.as_bytes();
            for cc in col.saturating_sub(1)..=col + 1 {
                if let Some(&b) = other.get(cc) {
                    if char::from(b) != lc {
                        out.push(char::from(b));
                    }
                }
            }
        }
    }
    out
}

/// ASCII look-alikes handle alphabets allow (multi-character ones both ways).
const HOMOGLYPHS: &[(&str, &[&str])] = &[
    ("o", &["0"]),
    ("0", &["o"]),
    ("l", &["1", "i", "I"]),
    ("i", &["1", "l"]),
    ("1", &["l", "i"]),
    ("m", &["rn", "nn", "rr"]),
    ("rn", &["m"]),
    ("nn", &["m"]),
    ("rr", &["m"]),
    ("n", &["ri", "h"]),
    ("ri", &["n"]),
    ("c", &["e"]),
    ("w", &["vv"]),
    ("vv", &["w"]),
    ("d", &["cl"]),
    ("cl", &["d"]),
    ("s", &["5"]),
    ("e", &["3", "c"]),
    ("a", &["4"]),
    ("b", &["8"]),
    ("g", &["9", "q"]),
    ("q", &["g"]),
    ("t", &["7"]),
    ("z", &["2"]),
    ("u", &["v"]),
    ("v", &["u"]),
];

/// Cyrillic letters that render like Latin ones: only for platforms whose handles allow them.
const CYRILLIC: &[(char, char)] = &[
    ('a', 'а'),
    ('c', 'с'),
    ('e', 'е'),
    ('o', 'о'),
    ('p', 'р'),
    ('x', 'х'),
    ('y', 'у'),
    ('i', 'і'),
    ('j', 'ј'),
    ('s', 'ѕ'),
];

const VOWELS: &[char] = &['a', 'e', 'i', 'o', 'u'];

const TLDS: &[&str] = &[
    "com",
    "org",
    "net",
    "uk",
    "co.uk",
    "org.uk",
    "police.uk",
    "gov.uk",
    "social",
    "news",
    "info",
];

fn domain_ok(d: &str) -> bool {
    d.len() <= 253
        && d.contains('.')
        && d.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// Whether `h` can exist as a handle on `platform` (`inventory.md`, handle rules).
pub fn valid_handle(h: &str, platform: Platform) -> bool {
    let n = h.chars().count();
    let only = |extra: &[u8]| {
        h.bytes()
            .all(|b| b.is_ascii_alphanumeric() || extra.contains(&b))
    };
    match platform {
        Platform::X => (1..=15).contains(&n) && only(b"_"),
        Platform::Instagram | Platform::Threads => (1..=30).contains(&n) && only(b"._"),
        Platform::Tiktok => (2..=24).contains(&n) && only(b"._"),
        Platform::Youtube => (3..=30).contains(&n) && only(b"._-"),
        Platform::Facebook => (5..=50).contains(&n) && only(b"."),
        Platform::Linkedin => (3..=100).contains(&n) && only(b"-"),
        Platform::Bluesky => domain_ok(h),
        Platform::Mastodon => match h.split_once('@') {
            Some((u, i)) => {
                (1..=30).contains(&u.len())
                    && u.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                    && domain_ok(i)
            }
            None => false,
        },
        _ => n > 0 && !h.chars().any(char::is_whitespace),
    }
}

/// Separators the platform allows, preferred first.
fn separators(platform: Platform) -> &'static [char] {
    match platform {
        Platform::X | Platform::Mastodon => &['_'],
        Platform::Instagram | Platform::Threads | Platform::Tiktok => &['_', '.'],
        Platform::Youtube => &['_', '.', '-'],
        Platform::Facebook => &['.'],
        Platform::Linkedin | Platform::Bluesky => &['-'],
        _ => &['_', '.', '-'],
    }
}

/// Character-level variants of `name` (the part of the handle a person reads).
fn name_variants(name: &str, platform: Platform, push: &mut dyn FnMut(String, &'static str)) {
    let chars: Vec<char> = name.chars().collect();
    let n = chars.len();
    let join = |v: &[char]| v.iter().collect::<String>();
    // Homoglyphs first: when a variant is both (e→3 is also a neighbouring key), the trick a
    // reader falls for is the better name for it.
    let lower = name.to_string();
    for (from, tos) in HOMOGLYPHS {
        for (pos, _) in lower.to_ascii_lowercase().match_indices(from) {
            for to in *tos {
                let mut s = String::with_capacity(lower.len() + 2);
                s.push_str(&lower[..pos]);
                s.push_str(to);
                s.push_str(&lower[pos + from.len()..]);
                push(s, "homoglyph");
            }
        }
    }
    for i in 0..n {
        for (latin, cyr) in CYRILLIC {
            if chars[i].to_ascii_lowercase() == *latin {
                let mut v = chars.clone();
                v[i] = *cyr;
                push(join(&v), "cyrillic");
            }
        }
    }
    for i in 0..n {
        let mut v = chars.clone();
        v.remove(i);
        push(join(&v), "omission");
    }
    for i in 0..n {
        if chars[i].is_alphanumeric() {
            let mut v = chars.clone();
            v.insert(i, chars[i]);
            push(join(&v), "repetition");
        }
    }
    for i in 0..n.saturating_sub(1) {
        if chars[i] != chars[i + 1] {
            let mut v = chars.clone();
            v.swap(i, i + 1);
            push(join(&v), "transposition");
        }
    }
    for i in 0..n {
        for k in adjacent_keys(chars[i]) {
            let mut v = chars.clone();
            v[i] = keep_case(chars[i], k);
            push(join(&v), "replacement");
        }
    }
    for i in 0..n {
        for k in adjacent_keys(chars[i]) {
            for at in [i, i + 1] {
                let mut v = chars.clone();
                v.insert(at, keep_case(chars[i], k));
                push(join(&v), "insertion");
            }
        }
    }
    for c in ('a'..='z').chain('0'..='9') {
        push(format!("{name}{c}"), "addition");
    }
    for i in 0..n {
        if VOWELS.contains(&chars[i].to_ascii_lowercase()) {
            for w in VOWELS {
                let mut v = chars.clone();
                v[i] = keep_case(chars[i], *w);
                push(join(&v), "vowel-swap");
            }
        }
    }
    // Separators: added between letters, removed, or swapped for another one.
    for &sep in separators(platform) {
        for i in 1..n {
            if !super::normalise::is_separator(chars[i - 1])
                && !super::normalise::is_separator(chars[i])
            {
                let mut v = chars.clone();
                v.insert(i, sep);
                push(join(&v), "separator");
            }
        }
        for i in 0..n {
            if super::normalise::is_separator(chars[i]) {
                let mut v = chars.clone();
                v.remove(i);
                push(join(&v), "separator");
                v.insert(i, sep);
                push(join(&v), "separator");
            }
        }
        push(format!("{name}{sep}"), "separator");
        push(format!("{sep}{name}"), "separator");
    }
    push(format!("{name}s"), "plural");
    push(format!("{name}es"), "plural");
    for affix in AFFIXES {
        let cap = capitalise(affix);
        push(format!("{cap}{name}"), "affix");
        push(format!("{name}{cap}"), "affix");
        for &sep in separators(platform) {
            push(format!("{affix}{sep}{name}"), "affix");
            push(format!("{name}{sep}{affix}"), "affix");
        }
    }
}

/// A variant longer than the platform allows, cut to the limit as its maker would have to.
fn cut(v: String, class: &'static str, limit: Option<usize>) -> (String, &'static str) {
    match limit {
        Some(max) if v.chars().count() > max => (v.chars().take(max).collect(), "truncation"),
        _ => (v, class),
    }
}

fn keep_case(original: char, c: char) -> char {
    if original.is_uppercase() {
        c.to_ascii_uppercase()
    } else {
        c
    }
}

fn capitalise(s: &str) -> String {
    let mut cs = s.chars();
    match cs.next() {
        Some(f) => f.to_uppercase().chain(cs).collect(),
        None => String::new(),
    }
}

/// Every look-alike of `handle` on `platform`, by class (see [`CLASSES`]).
pub fn lookalikes(handle: &str, platform: Platform) -> Vec<Lookalike> {
    let handle = handle.trim().trim_start_matches('@');
    let original = handle.to_lowercase();
    let mut seen: HashSet<String> = HashSet::new();
    seen.insert(original.clone());
    let mut out: Vec<Lookalike> = Vec::new();
    let mut emit = |h: String, class: &'static str| {
        if valid_handle(&h, platform) && seen.insert(h.to_lowercase()) {
            out.push(Lookalike { handle: h, class });
        }
    };
    match platform {
        Platform::Bluesky => {
            // The readable part is the first label; the rest is the domain it lives under.
            let (label, rest) = handle.split_once('.').unwrap_or((handle, "bsky.social"));
            // Domain classes first: a hyphen inside the label is dnstwist's "hyphenation", not
            // the generic separator class that would otherwise claim it.
            let chars: Vec<char> = label.chars().collect();
            for i in 1..chars.len() {
                let (a, b): (String, String) =
                    (chars[..i].iter().collect(), chars[i..].iter().collect());
                emit(format!("{a}-{b}.{rest}"), "hyphenation");
                emit(format!("{a}.{b}.{rest}"), "subdomain");
            }
            name_variants(label, platform, &mut |v, class| {
                emit(format!("{v}.{rest}"), class)
            });
            let registrable = if rest.eq_ignore_ascii_case("bsky.social") {
                label.to_string()
            } else {
                handle.to_string()
            };
            for sub in ["official", "www", "news", "uk", "real"] {
                emit(format!("{sub}.{registrable}"), "subdomain");
            }
            if !rest.eq_ignore_ascii_case("bsky.social") {
                emit(format!("{label}.bsky.social"), "bsky-suffix");
                emit(
                    format!("{}.bsky.social", handle.replace('.', "")),
                    "bsky-suffix",
                );
                emit(
                    format!("{}.bsky.social", handle.replace('.', "-")),
                    "bsky-suffix",
                );
            }
            let base = match rest.split_once('.') {
                Some((_, _)) if !rest.eq_ignore_ascii_case("bsky.social") => label,
                _ => label,
            };
            for tld in TLDS {
                emit(format!("{base}.{tld}"), "tld-swap");
                let joined = handle.trim_end_matches(".bsky.social").replace('.', "");
                emit(format!("{joined}.{tld}"), "tld-swap");
            }
        }
        Platform::Mastodon => {
            let (user, instance) = handle
                .split_once('@')
                .unwrap_or((handle, "mastodon.social"));
            name_variants(user, platform, &mut |v, class| {
                let (v, class) = cut(v, class, handles::max_len(platform));
                emit(format!("{v}@{instance}"), class)
            });
            for other in [
                "mastodon.social",
                "mastodon.online",
                "mstdn.social",
                "mas.to",
                "social.police.uk",
            ] {
                if !other.eq_ignore_ascii_case(instance) {
                    emit(format!("{user}@{other}"), "tld-swap");
                }
            }
        }
        _ => name_variants(handle, platform, &mut |v, class| {
            let (v, class) = cut(v, class, handles::max_len(platform));
            emit(v, class)
        }),
    }
    let rank = |c: &str| {
        CLASSES
            .iter()
            .position(|k| *k == c)
            .unwrap_or(CLASSES.len())
    };
    out.sort_by_key(|l| rank(l.class));
    out
}

/// Classes in the order an online audit probes them, and how many of each one round takes.
///
/// First what is taken for the original at a glance: the same name under another server or
/// domain (Bluesky's `bsky.social`, another Mastodon instance), look-alike characters and
/// separators, affixes like "official". Then what is typed by mistake, most frequent first: an
/// extra letter (29 % of typo traffic), a wrong letter (23 %), a missing letter (20 %)
/// (FairWinds Partners, "Typosquatting", Perspectives vol. 3 no. 8, 2008, checked 2026-11-30).
const PROBE_ORDER: &[(&str, usize)] = &[
    ("bsky-suffix", 3),
    ("tld-swap", 3),
    ("homoglyph", 2),
    ("separator", 1),
    ("hyphenation", 1),
    ("affix", 1),
    ("repetition", 1),
    ("insertion", 1),
    ("replacement", 1),
    ("omission", 1),
    ("transposition", 1),
    ("plural", 1),
    ("subdomain", 1),
    ("vowel-swap", 1),
    ("addition", 1),
    ("cyrillic", 1),
    ("truncation", 1),
];

/// [`lookalikes`] with the most likely first, for when only a few per handle can be probed live:
/// rounds over [`PROBE_ORDER`], so the first dozen already span the likeliest classes.
pub fn most_likely_first(handle: &str, platform: Platform) -> Vec<Lookalike> {
    let all = lookalikes(handle, platform);
    let total = all.len();
    let mut by_class: Vec<std::collections::VecDeque<Lookalike>> =
        vec![Default::default(); PROBE_ORDER.len() + 1];
    for l in all {
        let slot = PROBE_ORDER
            .iter()
            .position(|(c, _)| *c == l.class)
            .unwrap_or(PROBE_ORDER.len());
        by_class[slot].push_back(l);
    }
    let mut out = Vec::with_capacity(total);
    while out.len() < total {
        for (slot, queue) in by_class.iter_mut().enumerate() {
            let take = PROBE_ORDER.get(slot).map_or(1, |(_, n)| *n);
            for _ in 0..take {
                match queue.pop_front() {
                    Some(l) => out.push(l),
                    None => break,
                }
            }
        }
    }
    out
}

/// Plain text: whether the platform allows defensive registration, then one `class  handle`
/// line each, grouped by class, with a count per class first.
pub fn render_text(handle: &str, platform: Platform, items: &[Lookalike]) -> String {
    let mut s = format!("{} look-alikes of {handle} on {platform}\n", items.len());
    s.push_str(&super::defensive::describe(
        crate::model::platforms::Catalogue::builtin(),
        platform,
    ));
    s.push('\n');
    for class in CLASSES {
        let n = items.iter().filter(|l| l.class == *class).count();
        if n > 0 {
            s.push_str(&format!("  {class:<14} {n}\n"));
        }
    }
    s.push('\n');
    for l in items {
        s.push_str(&format!("{:<14} {}\n", l.class, l.handle));
    }
    s
}

/// JSON: `{"handle", "platform", "count", "defensive_registration": {"allowed", "source",
/// "checked", "quote", "note"}, "lookalikes": [{"handle", "class"}]}`.
pub fn render_json(handle: &str, platform: Platform, items: &[Lookalike]) -> String {
    let v = serde_json::json!({
        "handle": handle,
        "platform": platform.as_str(),
        "count": items.len(),
        "defensive_registration": super::defensive::rule(crate::model::platforms::Catalogue::builtin(), platform).map(|r| serde_json::json!({
            "allowed": r.value,
            "source": r.source.url,
            "checked": r.source.checked,
            "quote": r.quote,
            "note": r.note,
        })),
        "lookalikes": items,
    });
    // Serialising plain strings into JSON cannot fail.
    serde_json::to_string_pretty(&v).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_result_is_valid_distinct_and_new() {
        for (h, p) in [
            ("WestmerePolice", Platform::X),
            ("westmere.police", Platform::Facebook),
            ("westmerepolice.bsky.social", Platform::Bluesky),
            ("westmere.police.uk", Platform::Bluesky),
            ("WestmerePolice@mastodon.social", Platform::Mastodon),
            ("westmere-police", Platform::Linkedin),
        ] {
            let v = lookalikes(h, p);
            assert!(v.len() > 50, "{h}: {}", v.len());
            let mut seen = HashSet::new();
            for l in &v {
                assert!(valid_handle(&l.handle, p), "{} on {p}", l.handle);
                assert!(!l.handle.eq_ignore_ascii_case(h), "{}", l.handle);
                assert!(
                    seen.insert(l.handle.to_lowercase()),
                    "duplicate {}",
                    l.handle
                );
            }
        }
    }

    #[test]
    fn x_limit_is_respected_and_classes_present() {
        let v = lookalikes("WestmerePolice", Platform::X);
        assert!(v.iter().any(|l| l.handle == "WestmerePo1ice"));
        assert!(
            !v.iter().any(|l| l.class == "affix"),
            "every affix would exceed 15 characters"
        );
        let v = lookalikes("WMPolice", Platform::X);
        assert!(v.iter().all(|l| l.handle.len() <= 15));
        for class in [
            "omission",
            "repetition",
            "transposition",
            "replacement",
            "insertion",
            "homoglyph",
            "vowel-swap",
            "separator",
            "affix",
        ] {
            assert!(v.iter().any(|l| l.class == class), "{class}");
        }
        assert!(
            !v.iter().any(|l| l.class == "bitsquatting"),
            "a flipped bit is never a typed handle"
        );
        assert!(v
            .iter()
            .any(|l| l.handle.eq_ignore_ascii_case("WMPolice_UK")));
        assert!(
            !v.iter().any(|l| l.class == "cyrillic"),
            "X handles are ASCII"
        );
    }

    #[test]
    fn most_likely_first_is_a_reordering_led_by_the_likeliest_classes() {
        let all = lookalikes("westmere@mastodon.example", Platform::Mastodon);
        let ranked = most_likely_first("westmere@mastodon.example", Platform::Mastodon);
        let mut a: Vec<_> = all.iter().map(|l| l.handle.clone()).collect();
        let mut b: Vec<_> = ranked.iter().map(|l| l.handle.clone()).collect();
        a.sort();
        b.sort();
        assert_eq!(a, b, "same variants, another order");
        assert_eq!(ranked[0].handle, "westmere@mastodon.social");
        let top: Vec<&str> = ranked.iter().take(12).map(|l| l.class).collect();
        for class in [
            "tld-swap",
            "homoglyph",
            "separator",
            "repetition",
            "omission",
        ] {
            assert!(top.contains(&class), "{class} in {top:?}");
        }
        let bsky = most_likely_first("westmere.police.uk", Platform::Bluesky);
        assert_eq!(bsky[0].class, "bsky-suffix");
    }

    #[test]
    fn too_long_variants_are_cut_to_the_limit() {
        let v = lookalikes("KestrelfordFire", Platform::X);
        let cut: Vec<&str> = v
            .iter()
            .filter(|l| l.class == "truncation")
            .map(|l| l.handle.as_str())
            .collect();
        assert!(cut.contains(&"KesstrelfordFir"), "{cut:?}");
        assert!(cut.contains(&"RealKestrelford"), "{cut:?}");
        assert!(cut.iter().all(|h| h.chars().count() == 15));
    }

    #[test]
    fn bluesky_domain_classes() {
        let v = lookalikes("westmere.police.uk", Platform::Bluesky);
        for class in ["tld-swap", "subdomain", "hyphenation", "bsky-suffix"] {
            assert!(v.iter().any(|l| l.class == class), "{class}");
        }
        assert!(v
            .iter()
            .any(|l| l.handle == "westmere.bsky.social"
                || l.handle == "westmerepoliceuk.bsky.social"));
    }
}
