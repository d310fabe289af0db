//! Normalisation of handles and display names into the forms the impersonation search compares.
//!
//! A look-alike differs from the real name in ways a reader does not see (case, a Cyrillic `о`,
//! a zero-width space, a fullwidth `Ｗ`) or barely sees (`l`→`1`, `rn`→`m`, `_`, an `official`
//! suffix). Each step below removes one such difference; [`Forms`] keeps every stage so that the
//! scorer can say which step made two names equal.
//!
//! Order matters: the TR39 confusable skeleton is taken on the ORIGINAL casing, because
//! lowercasing first would turn `I` into `i` and lose the `I`→`l` confusion.

use std::sync::OnceLock;

use unicode_normalization::UnicodeNormalization;

use crate::model::Platform;

/// Words impersonators bolt on to a real name ("RealWestmerePolice", "WestmerePolice_official").
pub const AFFIXES: &[&str] = &["official", "real", "the", "uk", "hq", "news", "team", "247"];

/// Generic domain endings stripped from Bluesky handles, longest first so `.co.uk` wins over
/// `.uk`. Sector endings (`.police.uk`, `.gov.uk`) stay: they are part of who the name claims to be.
const DOMAIN_SUFFIXES: &[&str] = &[
    ".bsky.social",
    ".co.uk",
    ".org.uk",
    ".com",
    ".org",
    ".net",
    ".social",
    ".uk",
];

/// A core shorter than this is not stripped further: "the" + "uk" must not reduce a name to "".
const MIN_CORE_LEN: usize = 5;

/// Zero-width, invisible and bidirectional control characters: they change the bytes of a name
/// without changing what a reader sees.
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}'
        | '\u{FEFF}' | '\u{FFA0}' | '\u{E0000}'..='\u{E007F}')
}

/// Handle separators: they are invisible in speech and easy to add or drop.
pub fn is_separator(c: char) -> bool {
    matches!(c, '_' | '.' | '-' | ' ')
}

/// Every stage of one name, plus what each stage changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Forms {
    /// As given, minus a leading `@`.
    pub raw: String,
    /// Platform suffix (`.bsky.social`, `@instance`) removed, invisibles removed, NFKC, lowercase.
    pub folded: String,
    /// Confusable skeleton of the NFKC form (original casing), lowercased, ASCII look-alikes
    /// mapped (0→o, 1/i→l, rn→m, vv→w, cl→d, 5→s, 3→e, 4→a), separators removed.
    pub bare: String,
    /// `bare` without decorative affixes (official, real, the, uk, ...).
    pub core: String,
    /// Like `bare` but with single-character look-alikes only (no m→rn expansion): the form
    /// typos are counted on, so that "rn" for "m" is not two edits and a typo beside an `r`
    /// stays one.
    pub plain: String,
    /// `plain` without decorative affixes.
    pub plain_core: String,
    /// Words as written (camel case, separators, digit runs), folded and sorted: catches
    /// "PoliceWestmere" for "WestmerePolice".
    pub words_key: String,
    /// Invisible characters that were removed.
    pub invisibles: usize,
    /// NFKC changed the text (fullwidth or styled letters).
    pub compat: bool,
    /// The platform suffix removed, if any.
    pub suffix: Option<String>,
    /// Affixes removed, in the order found.
    pub affixes: Vec<&'static str>,
    /// [`shape::key`](super::shape::key) of `bare` and of `core`: equal whenever the names are
    /// one shape.
    pub shape: String,
    pub core_shape: String,
    /// The handle is exactly as long as the platform allows ([`crate::model::handles::max_len`]):
    /// a longer look-alike would have been cut here.
    pub at_limit: bool,
}

/// The final skeleton of each ASCII character: the fast path for ASCII handles (most of them)
/// gives exactly what the full path gives, with one allocation per name.
fn ascii_table() -> &'static [String; 128] {
    static TABLE: OnceLock<[String; 128]> = OnceLock::new();
    TABLE.get_or_init(|| {
        std::array::from_fn(|b| {
            let c = char::from(b as u8);
            let mut out = String::new();
            for k in unicode_security::skeleton(c.encode_utf8(&mut [0; 4])) {
                for l in k.to_lowercase() {
                    push_lookalike(&mut out, l);
                }
            }
            out
        })
    })
}

/// Skeleton of `s` (NFKC already applied, original casing): TR39 skeleton, lowercase, then the
/// ASCII look-alikes handle alphabets allow, separators removed.
pub fn skeleton(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    if s.is_ascii() {
        let table = ascii_table();
        for b in s.bytes() {
            out.push_str(&table[usize::from(b & 0x7f)]);
        }
    } else {
        for c in unicode_security::skeleton(s) {
            for l in c.to_lowercase() {
                push_lookalike(&mut out, l);
            }
        }
    }
    out
}

/// One character of a skeleton, with the look-alikes of handle alphabets mapped to one
/// representative. Multi-letter look-alikes are expanded (m→rn, w→vv, d→cl), the direction TR39
/// itself uses, and never merged: merging "rn" into "m" would also merge a typo next to an `r`
/// ("BridgeburNPT") and put it two edits away from the name it mistypes.
fn push_lookalike(out: &mut String, c: char) {
    match c {
        'm' => out.push_str("rn"),
        'w' => out.push_str("vv"),
        'd' => out.push_str("cl"),
        '0' => out.push('o'),
        '1' | 'i' | '|' | '!' => out.push('l'),
        '5' | '$' => out.push('s'),
        '3' => out.push('e'),
        '4' | '@' => out.push('a'),
        '7' => out.push('t'),
        '8' => out.push('b'),
        c if is_separator(c) => {}
        c => out.push(c),
    }
}

/// Remove the platform's own suffix: `.bsky.social` or a domain ending on Bluesky, the
/// `@instance` part on Mastodon. Returns the remaining name and what was removed.
pub fn strip_platform_suffix(handle: &str, platform: Platform) -> (&str, Option<String>) {
    let name = platform_name(handle, platform);
    let rest = handle.get(name.len()..).unwrap_or_default();
    let suffix = match platform {
        _ if rest.is_empty() => None,
        // As listed in DOMAIN_SUFFIXES (lower case), whatever case the handle wrote it in.
        Platform::Bluesky => Some(rest.to_ascii_lowercase()),
        _ => Some(rest.to_string()),
    };
    (name, suffix)
}

/// The name [`strip_platform_suffix`] leaves, a prefix of `handle`, without building the
/// suffix: the prefilter asks it of every row.
#[inline]
pub fn platform_name(handle: &str, platform: Platform) -> &str {
    match platform {
        Platform::Bluesky => {
            let lower_end = |suffix: &str| {
                handle.len() > suffix.len()
                    && handle.is_char_boundary(handle.len() - suffix.len())
                    && handle[handle.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
            };
            match DOMAIN_SUFFIXES.iter().find(|s| lower_end(s)) {
                Some(suffix) => &handle[..handle.len() - suffix.len()],
                None => handle,
            }
        }
        Platform::Mastodon => match handle.split_once('@') {
            Some((user, _)) if !user.is_empty() => user,
            _ => handle,
        },
        _ => handle,
    }
}

/// Affixes as they appear in one kind of form, with, for each byte, which of them have it as
/// their first or second byte, or last or last but one (all are ASCII): a name is compared only
/// with the affixes both of its first two or last two bytes allow, and nearly every name with none.
struct Affixes {
    list: Vec<(String, &'static str)>,
    /// Bit `i`: affix `i` of `list` has this byte first (second, last, last but one); an affix
    /// of one byte has every byte second and last but one.
    starts: [[u32; 256]; 2],
    ends: [[u32; 256]; 2],
}

// One bit per affix in `Affixes::starts` and `Affixes::ends`.
const _: () = assert!(AFFIXES.len() <= 32);

impl Affixes {
    fn new(form: impl Fn(&str) -> String) -> Affixes {
        let list: Vec<(String, &'static str)> = AFFIXES.iter().map(|a| (form(a), *a)).collect();
        let (mut starts, mut ends) = ([[0u32; 256]; 2], [[0u32; 256]; 2]);
        for (i, (a, _)) in list.iter().enumerate() {
            let a = a.as_bytes();
            let bit = 1u32 << i;
            for (k, table) in starts.iter_mut().enumerate() {
                match a.get(k) {
                    Some(b) => table[usize::from(*b)] |= bit,
                    None => table.iter_mut().for_each(|t| *t |= bit),
                }
            }
            for (k, table) in ends.iter_mut().enumerate() {
                match a.len().checked_sub(k + 1).and_then(|j| a.get(j)) {
                    Some(b) => table[usize::from(*b)] |= bit,
                    None => table.iter_mut().for_each(|t| *t |= bit),
                }
            }
        }
        Affixes { list, starts, ends }
    }

    /// The affixes that could start or end `s`, as bits: a name starts with an affix only if
    /// its first two bytes are the affix's (its only byte, for an affix of one), and so on.
    fn may_strip(&self, s: &[u8]) -> u32 {
        let bits = |tables: &[[u32; 256]; 2], a: Option<&u8>, b: Option<&u8>| match (a, b) {
            (Some(a), Some(b)) => tables[0][usize::from(*a)] & tables[1][usize::from(*b)],
            // One byte: only an affix of one byte could be all of it.
            (Some(a), None) => tables[0][usize::from(*a)],
            _ => 0,
        };
        let n = s.len();
        self.may_start(s)
            | bits(
                &self.ends,
                s.last(),
                n.checked_sub(2).and_then(|i| s.get(i)),
            )
    }

    /// The affixes that could start `s`, as bits.
    fn may_start(&self, s: &[u8]) -> u32 {
        match (s.first(), s.get(1)) {
            (Some(a), Some(b)) => self.starts[0][usize::from(*a)] & self.starts[1][usize::from(*b)],
            (Some(a), None) => self.starts[0][usize::from(*a)],
            _ => 0,
        }
    }
}

/// The affixes as they appear in skeleton forms ("official" → "offlclal"), with their names.
fn affix_skeletons() -> &'static Affixes {
    static SK: OnceLock<Affixes> = OnceLock::new();
    SK.get_or_init(|| Affixes::new(skeleton))
}

/// The affixes as they appear in plain forms.
fn affix_plains() -> &'static Affixes {
    static SK: OnceLock<Affixes> = OnceLock::new();
    SK.get_or_init(|| Affixes::new(plain))
}

/// Single-character look-alikes only: ASCII letters keep their identity (no TR39 m→rn), other
/// characters go through their TR39 skeleton, then the one-for-one ASCII map.
pub fn plain(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let single = |out: &mut String, c: char| match c {
        'm' | 'w' | 'd' => out.push(c),
        c => push_lookalike(out, c),
    };
    for c in s.chars() {
        if c.is_ascii() {
            single(&mut out, c.to_ascii_lowercase());
        } else {
            for k in unicode_security::skeleton(c.encode_utf8(&mut [0; 4])) {
                for l in k.to_lowercase() {
                    single(&mut out, l);
                }
            }
        }
    }
    out
}

/// Strip decorative affixes from both ends of a bare (skeleton) form, repeatedly
/// ("the_real_X_official"), but never below [`MIN_CORE_LEN`] characters.
pub fn strip_affixes(bare: &str) -> (String, Vec<&'static str>) {
    strip_affixes_with(bare, affix_skeletons())
}

fn strip_affixes_with(bare: &str, table: &Affixes) -> (String, Vec<&'static str>) {
    let mut found = Vec::new();
    let core = strip_affixes_each(bare.as_bytes(), table, |name| found.push(name));
    (bare.get(core).unwrap_or_default().to_string(), found)
}

/// Where the core of a bare form (see [`strip_affixes`]) lies within it: nothing is allocated.
pub fn core_range(bare: &[u8]) -> std::ops::Range<usize> {
    strip_affixes_each(bare, affix_skeletons(), |_| {})
}

/// Where the core of a plain form lies within it.
pub fn plain_core_range(plain: &[u8]) -> std::ops::Range<usize> {
    strip_affixes_each(plain, affix_plains(), |_| {})
}

/// Where a plain form lies once affixes are stripped from its start only: a handle cut to the
/// platform's limit lost its end, so an affix can only be at the front ("RealKestrelford").
pub fn plain_lead_range(plain: &[u8]) -> std::ops::Range<usize> {
    let table = affix_plains();
    let mut start = 0;
    // The affixes in list order, as every one were tried: those that cannot start the rest
    // would not strip it.
    'strip: loop {
        let rest = &plain[start..];
        let mut allowed = table.may_start(rest);
        while allowed != 0 {
            let i = allowed.trailing_zeros() as usize;
            allowed &= allowed - 1;
            let Some((affix, _)) = table.list.get(i) else {
                break;
            };
            if rest.len().saturating_sub(affix.len()) >= MIN_CORE_LEN
                && rest.starts_with(affix.as_bytes())
            {
                start += affix.len();
                continue 'strip;
            }
        }
        break;
    }
    start..plain.len()
}

/// `s.trim()`, without looking at characters when the ends are plainly not white space: called
/// on several fields of every candidate row, where a general trim decodes characters.
pub fn trim(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        // An ASCII byte is a whole character; a graphic one is not white space.
        (Some(f), Some(l)) if f.is_ascii_graphic() && l.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

/// A handle as every relation takes it: trimmed, without its `@`.
pub fn trim_handle(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(f), Some(l)) if f.is_ascii_alphanumeric() && l.is_ascii_graphic() => s,
        _ => s.trim().trim_start_matches('@'),
    }
}

/// How many characters of a handle the platform's length limit counts: the user part on
/// Mastodon (what `name` is there), the whole domain on Bluesky, the handle elsewhere.
pub fn limited_len(raw: &str, name: &str, platform: Platform) -> usize {
    // Asked of every row at the quick test: a word-at-a-time ASCII check beats counting.
    let chars = |s: &str| {
        if s.is_ascii() {
            s.len()
        } else {
            s.chars().count()
        }
    };
    match platform {
        Platform::Bluesky => chars(raw),
        _ => chars(name),
    }
}

/// Whether the handle is exactly as long as the platform allows.
pub fn is_at_limit(raw: &str, name: &str, platform: Platform) -> bool {
    crate::model::handles::max_len(platform) == Some(limited_len(raw, name, platform))
}

/// The byte range of `bare` left once affixes are stripped from both ends, repeatedly. The
/// affixes are ASCII, so the range always falls on character boundaries.
fn strip_affixes_each(
    bare: &[u8],
    table: &Affixes,
    mut found: impl FnMut(&'static str),
) -> std::ops::Range<usize> {
    let (mut start, mut end) = (0, bare.len());
    // Passes over the affixes in list order until one strips nothing. Within a pass only the
    // affixes the current ends allow are tried, still in list order and each against the name
    // as the earlier ones left it: the same steps as trying every affix, minus the ones that
    // cannot match.
    loop {
        let before = end - start;
        let mut next = 0;
        loop {
            let c = &bare[start..end];
            let left = table.may_strip(c) & u32::MAX.checked_shl(next).unwrap_or(0);
            if left == 0 {
                break;
            }
            let i = left.trailing_zeros();
            next = i + 1;
            let Some((affix, name)) = table.list.get(i as usize) else {
                break;
            };
            if c.len().saturating_sub(affix.len()) < MIN_CORE_LEN {
                continue;
            }
            let a = affix.as_bytes();
            if c.starts_with(a) {
                start += affix.len();
                found(name);
            } else if c.ends_with(a) {
                end -= affix.len();
                found(name);
            }
        }
        if end - start == before {
            break;
        }
    }
    start..end
}

/// Split a name into words at separators, case changes (`WestmerePolice`) and digit runs.
fn words(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev: Option<char> = None;
    for c in s.chars() {
        if is_separator(c) {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev = None;
            continue;
        }
        let boundary = match prev {
            Some(p) => {
                (p.is_lowercase() && c.is_uppercase()) || (p.is_ascii_digit() != c.is_ascii_digit())
            }
            None => false,
        };
        if boundary && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        cur.push(c);
        prev = Some(c);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Compute every form of one handle on one platform.
pub fn handle_forms(handle: &str, platform: Platform) -> Forms {
    let raw = trim_handle(handle);
    let (name, suffix) = strip_platform_suffix(raw, platform);
    let (visible, invisibles) = remove_invisibles(name);
    let nfkc: String = if visible.is_ascii() {
        visible.to_string()
    } else {
        visible.nfkc().collect()
    };
    let compat = nfkc != visible;
    let folded = nfkc.to_lowercase();
    let bare = skeleton(&nfkc);
    let (core, affixes) = strip_affixes(&bare);
    let plain = plain(&nfkc);
    let (plain_core, _) = strip_affixes_with(&plain, affix_plains());
    let shape = super::shape::key(&bare);
    let core_shape = super::shape::key(&core);
    Forms {
        shape,
        core_shape,
        at_limit: is_at_limit(raw, name, platform),
        raw: raw.to_string(),
        folded,
        bare,
        core,
        plain,
        plain_core,
        words_key: String::new(),
        invisibles,
        compat,
        suffix,
        affixes,
    }
}

impl Forms {
    /// Fill [`Forms::words_key`]. Kept apart from [`handle_forms`] because most candidates cannot
    /// be a reordering of any official name (different letters), and splitting words costs
    /// allocations a million-row scan notices.
    pub fn with_words(mut self) -> Forms {
        let name = match &self.suffix {
            Some(sfx)
                if self.raw.len() >= sfx.len()
                    && self.raw.is_char_boundary(self.raw.len() - sfx.len()) =>
            {
                &self.raw[..self.raw.len() - sfx.len()]
            }
            _ => self.raw.as_str(),
        };
        let (visible, _) = remove_invisibles(name);
        let nfkc: String = visible.nfkc().collect();
        let mut ws: Vec<String> = words(&nfkc).into_iter().map(|w| skeleton(&w)).collect();
        ws.retain(|w| !w.is_empty());
        if ws.len() >= 2 {
            ws.sort();
            self.words_key = ws.join(" ");
        }
        self
    }
}

/// Remove invisible characters; returns the text and how many were removed.
pub fn remove_invisibles(s: &str) -> (std::borrow::Cow<'_, str>, usize) {
    if s.is_ascii() || !s.chars().any(is_invisible) {
        return (std::borrow::Cow::Borrowed(s), 0);
    }
    let mut n = 0;
    let out = s
        .chars()
        .filter(|c| {
            let inv = is_invisible(*c);
            n += usize::from(inv);
            !inv
        })
        .collect();
    (std::borrow::Cow::Owned(out), n)
}

/// The comparison key of a display name: invisibles removed, NFKC, skeleton, separators and
/// spaces removed. Two display names a reader cannot tell apart have the same key.
pub fn display_key(s: &str) -> String {
    let (visible, _) = remove_invisibles(s.trim());
    let nfkc: String = visible.nfkc().collect();
    skeleton(&nfkc)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// The script of a non-ASCII letter, in words, for reasons such as "Cyrillic о in display name".
/// Only the scripts that supply Latin look-alikes are named; others are "non-Latin".
pub fn script_name(c: char) -> &'static str {
    match c as u32 {
        0x0370..=0x03FF | 0x1F00..=0x1FFF => "Greek",
        0x0400..=0x052F | 0x1C80..=0x1C8F | 0x2DE0..=0x2DFF | 0xA640..=0xA69F => "Cyrillic",
        0x0530..=0x058F => "Armenian",
        0x13A0..=0x13FF | 0xAB70..=0xABBF => "Cherokee",
        0xFF00..=0xFFEF => "fullwidth",
        0x1D400..=0x1D7FF => "mathematical",
        0x0080..=0x024F | 0x1E00..=0x1EFF => "accented Latin",
        0x0250..=0x02AF | 0x1D00..=0x1DBF => "phonetic",
        _ => "non-Latin",
    }
}

/// Non-ASCII letters that look like ASCII (their skeleton is ASCII), described for a reason and
/// grouped by script: "Cyrillic о (U+043E)", "fullwidth letters Ｗｅｓｔ… (11)".
pub fn foreign_lookalikes(s: &str) -> Vec<String> {
    let mut groups: Vec<(&'static str, Vec<char>)> = Vec::new();
    for c in s.chars().filter(|c| !c.is_ascii() && !is_invisible(*c)) {
        let mut buf = [0; 4];
        let sk: String = unicode_security::skeleton(c.encode_utf8(&mut buf)).collect();
        if sk.is_ascii() && !sk.is_empty() {
            let script = script_name(c);
            match groups.iter_mut().find(|(g, _)| *g == script) {
                Some((_, cs)) if !cs.contains(&c) => cs.push(c),
                Some(_) => {}
                None => groups.push((script, vec![c])),
            }
        }
    }
    groups
        .into_iter()
        .map(|(script, cs)| match cs.as_slice() {
            [c] => format!("{script} {c} (U+{:04X})", *c as u32),
            _ => {
                let shown: String = cs.iter().take(6).collect();
                let more = if cs.len() > 6 { "…" } else { "" };
                format!("{script} letters {shown}{more} ({})", cs.len())
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Affix stripping as first written: every affix tried in every pass.
    fn strip_every_affix(
        bare: &[u8],
        table: &Affixes,
    ) -> (std::ops::Range<usize>, Vec<&'static str>) {
        let mut names = Vec::new();
        let (mut start, mut end) = (0, bare.len());
        loop {
            let before = end - start;
            for (affix, name) in &table.list {
                let c = &bare[start..end];
                if c.len().saturating_sub(affix.len()) < MIN_CORE_LEN {
                    continue;
                }
                if c.starts_with(affix.as_bytes()) {
                    start += affix.len();
                    names.push(*name);
                } else if c.ends_with(affix.as_bytes()) {
                    end -= affix.len();
                    names.push(*name);
                }
            }
            if end - start == before {
                break;
            }
        }
        (start..end, names)
    }

    proptest! {
        /// The quick trims are the general ones.
        #[test]
        fn quick_trims_are_trims(s in "[ @\t\u{b}\u{a0}\u{3000}a-c.é]{0,6}") {
            prop_assert_eq!(trim(&s), s.trim());
            prop_assert_eq!(trim_handle(&s), s.trim().trim_start_matches('@'));
        }
    }

    /// Leading affixes stripped as first written: every affix tried in list order.
    fn lead_every_affix(plain: &[u8]) -> std::ops::Range<usize> {
        let table = affix_plains();
        let mut start = 0;
        'strip: loop {
            for (affix, _) in &table.list {
                let rest = &plain[start..];
                if rest.len().saturating_sub(affix.len()) >= MIN_CORE_LEN
                    && rest.starts_with(affix.as_bytes())
                {
                    start += affix.len();
                    continue 'strip;
                }
            }
            break;
        }
        start..plain.len()
    }

    proptest! {
        /// Trying only the affixes a name's ends allow strips exactly what trying all of them does.
        #[test]
        fn affix_shortcut_strips_the_same(
            parts in proptest::collection::vec(prop_oneof![
                Just("offlclal".to_string()), Just("official".to_string()), Just("real".to_string()),
                Just("the".to_string()), Just("uk".to_string()), Just("hq".to_string()),
                Just("nevvs".to_string()), Just("news".to_string()), Just("tearn".to_string()),
                Just("team".to_string()), Just("2at".to_string()), "[a-z247]{0,6}",
            ], 0..7),
        ) {
            let name = parts.concat();
            for table in [affix_skeletons(), affix_plains()] {
                let mut names = Vec::new();
                let range = strip_affixes_each(name.as_bytes(), table, |n| names.push(n));
                prop_assert_eq!((range, names), strip_every_affix(name.as_bytes(), table), "{}", name);
            }
            prop_assert_eq!(plain_lead_range(name.as_bytes()), lead_every_affix(name.as_bytes()), "{}", name);
        }
    }

    fn bare(s: &str) -> String {
        handle_forms(s, Platform::X).bare
    }

    #[test]
    fn ascii_lookalikes_share_a_skeleton() {
        let real = bare("WestmerePolice");
        for fake in [
            "WestmerePo1ice",
            "WestmerePoIice",
            "Westmere_Police",
            "WestrnerePolice",
            "W3stmerePolice",
            "WestmerePol1ce",
            "westmere.police",
        ] {
            assert_eq!(bare(fake), real, "{fake}");
        }
    }

    #[test]
    fn skeleton_keeps_capital_i_confusion() {
        // Lowercasing first would give "wlll" vs "wiii"; the skeleton of the original casing
        // makes I, l and 1 one letter.
        assert_eq!(bare("WIll"), bare("W1ll"));
    }

    #[test]
    fn unicode_tricks_are_removed() {
        let real = bare("WestmerePolice");
        assert_eq!(bare("Westmere\u{200B}Police"), real);
        assert_eq!(bare("WestmerePоlice"), real, "Cyrillic o");
        assert_eq!(bare("ＷｅｓｔｍｅｒｅＰｏｌｉｃｅ"), real, "fullwidth");
        let f = handle_forms("Westmere\u{202E}Police", Platform::X);
        assert_eq!(f.invisibles, 1);
    }

    #[test]
    fn affixes_and_suffixes() {
        let f = handle_forms("TheRealWestmerePolice_Official", Platform::X);
        assert_eq!(f.core, bare("WestmerePolice"));
        assert_eq!(f.affixes.len(), 3);
        let b = handle_forms("westmerepolice.bsky.social", Platform::Bluesky);
        assert_eq!(b.core, bare("WestmerePolice"));
        let m = handle_forms("@WestmerePolice@mastodon.social", Platform::Mastodon);
        assert_eq!(m.bare, bare("WestmerePolice"));
        assert_eq!(m.suffix.as_deref(), Some("@mastodon.social"));
    }

    #[test]
    fn platform_suffixes_split_off() {
        for (handle, platform, name, suffix) in [
            (
                "Westmere.BSKY.Social",
                Platform::Bluesky,
                "Westmere",
                Some(".bsky.social"),
            ),
            (
                "westmere.co.uk",
                Platform::Bluesky,
                "westmere",
                Some(".co.uk"),
            ),
            ("westmere", Platform::Bluesky, "westmere", None),
            (".bsky.social", Platform::Bluesky, ".bsky", Some(".social")),
            (
                "wm@mastodon.social",
                Platform::Mastodon,
                "wm",
                Some("@mastodon.social"),
            ),
            ("wm@a@b", Platform::Mastodon, "wm", Some("@a@b")),
            ("@instance", Platform::Mastodon, "@instance", None),
            ("wm.bsky.social", Platform::X, "wm.bsky.social", None),
        ] {
            let got = strip_platform_suffix(handle, platform);
            assert_eq!(got, (name, suffix.map(str::to_string)), "{handle}");
            assert_eq!(platform_name(handle, platform), name, "{handle}");
        }
    }

    #[test]
    fn words_key_ignores_order() {
        let a = handle_forms("WestmerePolice", Platform::X).with_words();
        let b = handle_forms("Police_Westmere", Platform::X).with_words();
        assert_eq!(a.words_key, b.words_key);
    }

    #[test]
    fn display_keys_and_scripts() {
        assert_eq!(
            display_key("Westmere Police"),
            display_key("Westmere  Pоlice")
        );
        assert_eq!(
            foreign_lookalikes("Pоlice"),
            vec!["Cyrillic о (U+043E)".to_string()]
        );
    }
}
