//! `--redact`: masks people's names and e-mail addresses so a report can circulate more widely.
//!
//! Consistent pseudonyms: the same person is the same "Person A" everywhere in the report, and
//! the same address the same `user-1@domain`. Decisions:
//! - Names are learnt from evidence under the keys `person`, `people`, `owner`, `name`, `email`
//!   (at any depth), from account owners and from waiver approvers, and, when the audit has the
//!   inventory, from its `people`; every free-text field is then searched for them (whole words,
//!   any case). So a person named only in free text (a waiver's reason) is masked too when they
//!   are in `people`; `palisade report`, which has only results.json, cannot know such a name.
//! - A name is found however it is written: in any case, with any run of spaces (doubled,
//!   non-breaking, tabs) between its parts, as "Last, First", and by its first or last name
//!   alone ("Tunde's personal iPhone") when that is written with a capital. A first or last
//!   name alone is looked for only for the inventory's people and for learnt names that look
//!   like a person's (not "Head of Corporate Communications"); one shared by two people is
//!   masked as "[name]".
//! - E-mail addresses are found anywhere by pattern. The local part is masked and the domain
//!   kept, because the domain is the finding (MAIL-01..03 say "a personal gmail.com address").
//!   The local part of every address met (or of the inventory's people) is masked wherever it
//!   occurs alone too, as in a URL (`https://calendly.com/tunde.okafor`).
//! - Person ids and account handles are left alone: they identify accounts, not people.
//! - Pseudonyms are given in order of first appearance; results are sorted, so two runs on the
//!   same input give the same pseudonyms.

use std::collections::HashMap;
use std::sync::OnceLock;

use regex::Regex;
use serde_json::Value;

use crate::model::results::{Evidence, Report};

const PERSON_KEYS: &[&str] = &[
    "person",
    "people",
    "owner",
    "name",
    "email",
    "approved_by",
    "by",
];

fn email_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?i)\b[a-z0-9._%+'-]+@([a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+)\b")
            .expect("constant regex")
    })
}

/// Words that are not a person's name on their own, though they occur in names and titles: a
/// first or last name alone is never looked for among them.
const NOT_A_NAME_ALONE: &[&str] = &[
    "of",
    "and",
    "the",
    "for",
    "to",
    "in",
    "on",
    "at",
    "by",
    "head",
    "officer",
    "manager",
    "lead",
    "team",
    "desk",
    "unit",
    "department",
    "office",
    "security",
    "information",
    "communications",
    "corporate",
    "digital",
    "media",
    "social",
    "director",
    "chief",
    "deputy",
    "assistant",
    "admin",
    "administrator",
    "owner",
    "service",
    "services",
    "police",
    "council",
    "support",
    "account",
    "accounts",
    "group",
    "board",
    "person",
];

/// What a pattern of the matcher stands for.
#[derive(Clone, PartialEq)]
enum Names {
    /// The person whose full name (lower case, single-spaced) is the key.
    One(String),
    /// A first or last name two people share.
    Several,
}

#[derive(Clone)]
struct Pattern {
    names: Names,
    /// A first or last name alone: matched only where it is written with a capital.
    alone: bool,
}

/// `name` in lower case with every run of whitespace as one space.
fn normal(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Characters that change nothing a reader sees inside a name (zero-width spaces and joiners).
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
    )
}

/// Finds known names in text as whole words, in any case and spacing.
///
/// Aho-Corasick over the lower-cased names, not one regex alternation: with the thousands of
/// people of a large inventory, that regex either exceeded its size limit (and then nothing was
/// masked) or took over a minute on a 10,000-account report.
struct NameMatcher {
    ac: aho_corasick::AhoCorasick,
    /// What each pattern stands for, by pattern number.
    patterns: Vec<Pattern>,
}

impl NameMatcher {
    /// A matcher for the full names `full` (normalised) and, for those in `alone`, their first
    /// and last names on their own.
    fn new(full: &[String], alone: &std::collections::HashSet<String>) -> Option<Self> {
        let mut by_text: Vec<(String, Pattern)> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        // A full name wins over a first or last name alone that reads the same; two first or
        // last names alone that read the same stand for several people.
        let mut add = |text: String, names: Names, alone: bool| match index.get(&text) {
            Some(&i) => {
                let p = &mut by_text[i].1;
                match (p.alone, alone) {
                    (true, false) => *p = Pattern { names, alone },
                    (true, true) if p.names != names => p.names = Names::Several,
                    _ => {}
                }
            }
            None => {
                index.insert(text.clone(), by_text.len());
                by_text.push((text, Pattern { names, alone }));
            }
        };
        for name in full {
            let one = || Names::One(name.clone());
            add(name.clone(), one(), false);
            let parts: Vec<&str> = name.split(' ').collect();
            if let [first @ .., last] = parts.as_slice() {
                if !first.is_empty() {
                    let first = first.join(" ");
                    add(format!("{last}, {first}"), one(), false);
                    add(format!("{last},{first}"), one(), false);
                    if alone.contains(name) {
                        for part in &parts {
                            let short = part.chars().count() < 2;
                            if !short && !NOT_A_NAME_ALONE.contains(part) {
                                add((*part).to_owned(), one(), true);
                            }
                        }
                    }
                }
            }
        }
        if by_text.is_empty() {
            return None;
        }
        let ac = aho_corasick::AhoCorasick::new(by_text.iter().map(|(t, _)| t)).ok()?;
        Some(NameMatcher {
            ac,
            patterns: by_text.into_iter().map(|(_, p)| p).collect(),
        })
    }

    /// `(start, end, pattern)` byte ranges of `text`, in order, not overlapping; where names
    /// overlap the leftmost, then the longest, wins.
    fn find(&self, text: &str) -> Vec<(usize, usize, usize)> {
        // Lower-case the text with every run of whitespace as one space and invisible
        // characters dropped, remembering where each byte came from (a character may lower-case
        // to more bytes, or to several characters).
        let mut low = String::with_capacity(text.len());
        let mut from = Vec::with_capacity(text.len() + 1);
        let mut in_space = false;
        for (i, c) in text.char_indices() {
            if is_invisible(c) {
                continue;
            }
            if c.is_whitespace() {
                if !in_space {
                    low.push(' ');
                    from.push(i);
                }
                in_space = true;
                continue;
            }
            in_space = false;
            for l in c.to_lowercase() {
                let before = low.len();
                low.push(l);
                from.extend(std::iter::repeat_n(i, low.len() - before));
            }
        }
        from.push(text.len());
        let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        // The original range of low[s..e], if both ends fall between original characters.
        let range = |s: usize, e: usize| {
            let start_ok = s == 0 || from[s] != from[s - 1];
            let end_ok = e == low.len() || from[e] != from[e - 1];
            (start_ok && end_ok).then(|| (from[s], from[e]))
        };
        let mut hits: Vec<(usize, usize, usize)> =
            self.ac
                .find_overlapping_iter(low.as_str())
                .filter_map(|m| {
                    let (start, end) = range(m.start(), m.end())?;
                    let whole = &text[start..end];
                    let first = whole.chars().next();
                    let p = &self.patterns[m.pattern().as_usize()];
                    if p.alone && !first.is_some_and(char::is_uppercase) {
                        return None;
                    }
                    // `\b` at both ends, as a regex would have it.
                    let last = whole.chars().next_back();
                    let before = text[..start].chars().next_back();
                    let after = text[end..].chars().next();
                    (is_word(before) != is_word(first) && is_word(last) != is_word(after))
                        .then_some((start, end, m.pattern().as_usize()))
                })
                .collect();
        hits.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        let mut out: Vec<(usize, usize, usize)> = Vec::new();
        for h in hits {
            if out.last().is_none_or(|l| h.0 >= l.1) {
                out.push(h);
            }
        }
        out
    }
}

/// Whether a name learnt from the results looks like a person's rather than a role's: two to
/// four words, each capitalised, none of them a word such as "Head", "of" or "Officer".
fn looks_personal(name: &str) -> bool {
    let words: Vec<&str> = name.split_whitespace().collect();
    (2..=4).contains(&words.len())
        && words.iter().all(|w| {
            w.chars().next().is_some_and(char::is_uppercase)
                && w.chars()
                    .all(|c| c.is_alphabetic() || matches!(c, '\'' | '-' | '.' | '’'))
                && !NOT_A_NAME_ALONE.contains(&w.to_lowercase().as_str())
        })
}

/// The next pseudonym, "Person A", "Person B", …, counting it in `given`.
fn pseudonym(given: &mut usize) -> String {
    *given += 1;
    format!("Person {}", letters(*given - 1))
}

/// `text` with each `(start, end, what)` range (in order, not overlapping) replaced by
/// `replace(the text of the range, what)`.
fn splice<T>(
    text: &str,
    ranges: Vec<(usize, usize, T)>,
    mut replace: impl FnMut(&str, T) -> String,
) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (start, end, what) in ranges {
        out.push_str(&text[last..start]);
        out.push_str(&replace(&text[start..end], what));
        last = end;
    }
    out.push_str(&text[last..]);
    out
}

/// What was masked, for the command's message.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Redacted {
    pub people: usize,
    pub emails: usize,
}

#[derive(Default)]
struct Redactor {
    /// Full name (lower case, single-spaced) → pseudonym; `None` for a known name not met yet.
    names: HashMap<String, Option<String>>,
    /// Full names whose first and last names are looked for on their own too.
    alone: std::collections::HashSet<String>,
    /// Pseudonyms given so far.
    given: usize,
    /// lower-case address → pseudonymous address
    emails: HashMap<String, String>,
    /// lower-case local part → (its address, the address's domain), for local parts met alone.
    locals: HashMap<String, (String, String)>,
    matcher: Option<NameMatcher>,
    /// Local parts, by pattern number of `local_matcher`.
    local_names: Vec<String>,
    local_matcher: Option<aho_corasick::AhoCorasick>,
}

/// Local parts shorter than this are not looked for alone (`jo` would be found everywhere).
const MIN_LOCAL_PART: usize = 3;

/// The characters of an address's local part: a local part found alone must not run on into them.
fn is_local_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-' | '\'')
}

/// "A".."Z", "AA".."AZ", … (bijective base 26).
fn letters(mut n: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (n % 26) as u8);
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

impl Redactor {
    fn learn_name(&mut self, name: &str) {
        let name = name.trim();
        if name.chars().count() < 2 || email_re().is_match(name) {
            return;
        }
        let key = normal(name);
        if looks_personal(name) {
            self.alone.insert(key.clone());
        }
        let slot = self.names.entry(key).or_default();
        if slot.is_none() {
            *slot = Some(pseudonym(&mut self.given));
        }
    }

    /// A person's name to look for (in full and by first or last name), given a pseudonym only
    /// where it is found; an address given is one whose local part is looked for alone.
    fn know_name(&mut self, name: &str) {
        let name = name.trim();
        if let Some(c) = email_re()
            .captures(name)
            .filter(|c| c[0].len() == name.len())
        {
            self.know_address(name, &c[1]);
        } else if name.chars().count() >= 2 {
            let key = normal(name);
            self.alone.insert(key.clone());
            self.names.entry(key).or_default();
        }
    }

    fn know_address(&mut self, address: &str, domain: &str) {
        let address = address.to_lowercase();
        if let Some((local, _)) = address.rsplit_once('@') {
            if local.chars().count() >= MIN_LOCAL_PART {
                self.locals
                    .entry(local.to_owned())
                    .or_insert_with(|| (address.clone(), domain.to_lowercase()));
            }
        }
    }

    /// Notes every address in `text` (so that its local part is masked wherever it occurs).
    fn note_addresses(&mut self, text: &str) {
        if text.contains('@') {
            for c in email_re().captures_iter(text) {
                self.know_address(&c[0], &c[1]);
            }
        }
    }

    fn learn_value(&mut self, v: &Value, under_person_key: bool) {
        match v {
            // Addresses are found by pattern everywhere; here only names are learnt.
            Value::String(s) if under_person_key && !email_re().is_match(s) => self.learn_name(s),
            Value::Array(items) => items
                .iter()
                .for_each(|i| self.learn_value(i, under_person_key)),
            Value::Object(map) => {
                for (k, v) in map {
                    self.learn_value(v, PERSON_KEYS.contains(&k.as_str()));
                }
            }
            _ => {}
        }
    }

    fn build(&mut self) {
        let mut names: Vec<String> = self.names.keys().cloned().collect();
        names.sort();
        self.matcher = NameMatcher::new(&names, &self.alone);
        let mut locals: Vec<String> = self.locals.keys().cloned().collect();
        locals.sort();
        self.local_matcher = (!locals.is_empty())
            .then(|| aho_corasick::AhoCorasick::new(&locals).ok())
            .flatten();
        self.local_names = locals;
    }

    fn email(&mut self, address: &str, domain: &str) -> String {
        let n = self.emails.len() + 1;
        self.emails
            .entry(address.to_lowercase())
            .or_insert_with(|| format!("user-{n}@{}", domain.to_lowercase()))
            .clone()
    }

    fn text(&mut self, s: &mut String) {
        if s.contains('@') {
            let found: Vec<(usize, usize, String)> = email_re()
                .captures_iter(s)
                .filter_map(|c| {
                    let all = c.get(0)?;
                    Some((all.start(), all.end(), c.get(1)?.as_str().to_string()))
                })
                .collect();
            *s = splice(s, found, |address, domain| self.email(address, &domain));
        }
        if let Some(ac) = &self.local_matcher {
            let low = s.to_ascii_lowercase();
            let mut found: Vec<(usize, usize, usize)> = ac
                .find_iter(&low)
                .filter(|m| {
                    let before = s[..m.start()].chars().next_back();
                    let after = s[m.end()..].chars().next();
                    !before.is_some_and(is_local_char) && !after.is_some_and(is_local_char)
                })
                .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
                .collect();
            found.sort();
            if !found.is_empty() {
                let locals: Vec<(String, String)> = found
                    .iter()
                    .map(|&(_, _, p)| self.locals[&self.local_names[p]].clone())
                    .collect();
                let mut i = 0;
                *s = splice(s, found, |_, _| {
                    let (address, domain) = &locals[i];
                    i += 1;
                    let pseudo = self.email(address, domain);
                    pseudo.split('@').next().unwrap_or("user").to_owned()
                });
            }
        }
        if let Some(m) = &self.matcher {
            let found = m.find(s);
            if !found.is_empty() {
                let (names, given) = (&mut self.names, &mut self.given);
                *s = splice(s, found, |_, p| match &m.patterns[p].names {
                    // The matcher was built from these keys.
                    Names::One(key) => match names.get_mut(key.as_str()) {
                        Some(slot) => slot.get_or_insert_with(|| pseudonym(given)).clone(),
                        None => pseudonym(given),
                    },
                    Names::Several => "[name]".to_owned(),
                });
            }
        }
    }

    fn opt(&mut self, s: &mut Option<String>) {
        if let Some(s) = s {
            self.text(s);
        }
    }

    fn value(&mut self, v: &mut Value) {
        match v {
            Value::String(s) => self.text(s),
            Value::Array(items) => items.iter_mut().for_each(|i| self.value(i)),
            Value::Object(map) => map.values_mut().for_each(|i| self.value(i)),
            _ => {}
        }
    }
}

/// Masks names and e-mail addresses throughout `report` (see the module documentation).
pub fn redact(report: &mut Report) -> Redacted {
    redact_knowing(report, std::iter::empty())
}

/// [`redact`], also masking `known` names (the inventory's people) wherever they occur, by
/// their first or last name alone too; a known e-mail address has its local part masked
/// wherever it occurs.
pub fn redact_knowing<'n>(
    report: &mut Report,
    known: impl IntoIterator<Item = &'n str>,
) -> Redacted {
    let mut r = Redactor::default();
    // Learn, in report order.
    for res in &report.results {
        if !res.evidence.is_empty() {
            r.learn_value(&res.evidence.to_value(), false);
        }
        if let Some(w) = &res.waiver {
            r.learn_name(&w.approved_by);
        }
    }
    for a in &report.accounts {
        if let Some(o) = &a.owner {
            r.learn_name(o);
        }
    }
    for w in &report.waivers {
        r.learn_name(&w.approved_by);
    }
    for name in known {
        r.know_name(name);
    }
    // Every address met, so that its local part is masked wherever it occurs alone, earlier in
    // the report included.
    r.note_addresses(&report.organisation);
    for res in &report.results {
        r.note_addresses(&res.message);
        if !res.evidence.is_empty() {
            r.note_addresses(&serde_json::to_string(&res.evidence).unwrap_or_default());
        }
        if let Some(w) = &res.waiver {
            r.note_addresses(&w.approved_by);
            r.note_addresses(&w.reason);
        }
    }
    for a in &report.accounts {
        for t in [&a.owner, &a.display_name].into_iter().flatten() {
            r.note_addresses(t);
        }
    }
    for w in &report.waivers {
        r.note_addresses(&w.approved_by);
        r.note_addresses(&w.reason);
    }
    for s in &report.sources {
        r.note_addresses(&s.detail);
    }
    r.build();

    r.text(&mut report.organisation);
    r.text(&mut report.meta.inventory);
    r.opt(&mut report.meta.baseline);
    for res in &mut report.results {
        r.text(&mut res.message);
        if !res.evidence.is_empty() {
            let mut v = res.evidence.to_value();
            r.value(&mut v);
            res.evidence = Evidence::from_value(&v);
        }
        if let Some(w) = &mut res.waiver {
            r.text(&mut w.approved_by);
            r.text(&mut w.reason);
        }
    }
    for a in &mut report.accounts {
        r.opt(&mut a.owner);
        r.opt(&mut a.display_name);
    }
    for w in &mut report.waivers {
        r.text(&mut w.approved_by);
        r.text(&mut w.reason);
    }
    for s in &mut report.impersonation {
        r.opt(&mut s.display_name);
        r.text(&mut s.source);
        s.reasons.iter_mut().for_each(|x| r.text(x));
    }
    for s in &mut report.sources {
        r.text(&mut s.detail);
    }
    Redacted {
        people: r.given,
        emails: r.emails.len(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn letters_are_bijective() {
        assert_eq!(super::letters(0), "A");
        assert_eq!(super::letters(25), "Z");
        assert_eq!(super::letters(26), "AA");
        assert_eq!(super::letters(27), "AB");
    }
}

#[cfg(test)]
mod scale_tests {
    #[test]
    fn thousands_of_known_names_still_build_a_matcher() {
        let mut r = super::Redactor::default();
        for i in 0..6000 {
            r.know_name(&format!("Firstname{i} Lastname-Ünïcode{i}"));
        }
        r.build();
        let m = r.matcher.as_ref().expect("a matcher for 6,000 names");
        let text = "approved after a call with FIRSTNAME5999 Lastname-ÜNÏCODE5999.";
        let found = m.find(text);
        assert_eq!(found.len(), 1);
        assert_eq!(
            &text[found[0].0..found[0].1],
            "FIRSTNAME5999 Lastname-ÜNÏCODE5999"
        );
    }

    #[test]
    fn names_match_as_whole_words_longest_first() {
        let mut r = super::Redactor::default();
        for n in ["Ann Lee", "Ann Lee-Smith", "Bo"] {
            r.know_name(n);
        }
        r.build();
        let m = r.matcher.as_ref().expect("matcher");
        let shown = |t: &str| -> Vec<String> {
            m.find(t)
                .iter()
                .map(|&(s, e, _)| t[s..e].to_owned())
                .collect()
        };
        assert_eq!(
            shown("ask ann lee-smith, not ANN LEE"),
            ["ann lee-smith", "ANN LEE"]
        );
        // "Ann Lee-Smithers" is not Ann Lee-Smith, but it does begin with the word "Ann Lee".
        assert_eq!(shown("Ann Lee-Smithers"), ["Ann Lee"]);
        assert_eq!(shown("Bob, Bo_x, xBo, Bo."), ["Bo"]);
        // A character that lower-cases to more bytes before a name keeps the offsets right.
        assert_eq!(shown("İİ Bo"), ["Bo"]);
    }
}

#[cfg(test)]
mod variant_tests {
    use super::*;

    fn masked(known: &[&str], text: &str) -> String {
        let mut r = Redactor::default();
        for k in known {
            r.know_name(k);
        }
        r.build();
        let mut s = text.to_owned();
        r.text(&mut s);
        s
    }

    #[test]
    fn a_name_is_found_in_any_order_and_spacing() {
        let k = ["Jane Smith", "Will May"];
        assert_eq!(masked(&k, "Smith, Jane approved"), "Person A approved");
        assert_eq!(masked(&k, "SMITH,JANE"), "Person A");
        assert_eq!(
            masked(&k, "Jane\u{a0}\u{a0}Smith and Jane \t Smith"),
            "Person A and Person A"
        );
        assert_eq!(masked(&k, "Ja\u{200b}ne Smith"), "Person A");
        assert_eq!(
            masked(&k, "Jane's phone; ask Smith"),
            "Person A's phone; ask Person A"
        );
        // Alone, a first or last name must be written with a capital: "will" and "may" are words.
        assert_eq!(masked(&k, "it will rain in may"), "it will rain in may");
        assert_eq!(masked(&k, "ask Will"), "ask Person A");
    }

    #[test]
    fn a_first_name_two_people_share_is_masked_without_naming_either() {
        let k = ["Dan Lee", "Dan Brown"];
        assert_eq!(masked(&k, "Dan said"), "[name] said");
        assert_eq!(masked(&k, "Dan Brown said"), "Person A said");
    }

    #[test]
    fn roles_are_not_searched_for_word_by_word() {
        let mut r = Redactor::default();
        r.learn_name("Head of Corporate Communications");
        r.learn_name("Information Security Officer");
        r.learn_name("Aisha Bello");
        r.build();
        let mut s = "Corporate Communications asked Information Security; Aisha agreed".to_owned();
        r.text(&mut s);
        assert_eq!(
            s,
            "Corporate Communications asked Information Security; Person C agreed"
        );
    }

    #[test]
    fn a_local_part_is_masked_where_it_occurs_alone() {
        let k = ["kim.brown1987@gmail.com", "jo@example.org"];
        assert_eq!(
            masked(
                &k,
                "see https://cal.example/kim.brown1987/x or kim.brown1987@gmail.com"
            ),
            "see https://cal.example/user-1/x or user-1@gmail.com"
        );
        // Too short to look for alone, and not inside a longer word.
        assert_eq!(masked(&k, "jo, kim.brown19870"), "jo, kim.brown19870");
    }
}
