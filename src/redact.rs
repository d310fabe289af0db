//! `--redact`: masks people's names and e-mail addresses so a report can circulate more widely.
//!
//! Consistent pseudonyms: the same person is the same "Person A" everywhere in the report, and
//! the same address the same `user-1@domain`. Decisions:
//! - Names are learnt from evidence under the keys `person`, `people`, `owner`, `name`, `email`
//!   (at any depth), from account owners and from waiver approvers, and, when the audit has the
//!   inventory, from its `people`; every free-text field is then searched for them (whole words,
//!   any case). So a person named only in free text (a waiver's reason) is masked too when they
//!   are in `people`; `palisade report`, which has only results.json, cannot know such a name.
//! - E-mail addresses are found anywhere by pattern. The local part is masked and the domain
//!   kept, because the domain is the finding (MAIL-01..03 say "a personal gmail.com address").
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

/// Finds known names in text as whole words, in any case.
///
/// Aho-Corasick over the lower-cased names, not one regex alternation: with the thousands of
/// people of a large inventory, that regex either exceeded its size limit (and then nothing was
/// masked) or took over a minute on a 10,000-account report.
struct NameMatcher {
    ac: aho_corasick::AhoCorasick,
    /// Lower-case names, by pattern number.
    names: Vec<String>,
}

impl NameMatcher {
    fn new(names: Vec<String>) -> Option<Self> {
        if names.is_empty() {
            return None;
        }
        let ac = aho_corasick::AhoCorasick::new(&names).ok()?;
        Some(NameMatcher { ac, names })
    }

    /// `(start, end, name)` byte ranges of `text`, in order, not overlapping; where names overlap
    /// the leftmost, then the longest, wins.
    fn find(&self, text: &str) -> Vec<(usize, usize, usize)> {
        // Lower-case the text, remembering where each byte came from (a character may lower-case
        // to more bytes, or to several characters).
        let mut low = String::with_capacity(text.len());
        let mut from = Vec::with_capacity(text.len() + 1);
        for (i, c) in text.char_indices() {
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
                    // `\b` at both ends, as a regex would have it.
                    let first = whole.chars().next();
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
    /// lower-case name → pseudonym; `None` for a known name not met yet in the report.
    names: HashMap<String, Option<String>>,
    /// Pseudonyms given so far.
    given: usize,
    /// lower-case address → pseudonymous address
    emails: HashMap<String, String>,
    matcher: Option<NameMatcher>,
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
        let slot = self.names.entry(name.to_lowercase()).or_default();
        if slot.is_none() {
            *slot = Some(pseudonym(&mut self.given));
        }
    }

    /// A name to look for, given a pseudonym only where it is found.
    fn know_name(&mut self, name: &str) {
        let name = name.trim();
        if name.chars().count() >= 2 && !email_re().is_match(name) {
            self.names.entry(name.to_lowercase()).or_default();
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
        let names: Vec<String> = self.names.keys().cloned().collect();
        self.matcher = NameMatcher::new(names);
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
        if let Some(m) = &self.matcher {
            let found = m.find(s);
            if !found.is_empty() {
                let (names, given) = (&mut self.names, &mut self.given);
                *s = splice(s, found, |_, name| {
                    // The matcher was built from these keys.
                    match names.get_mut(m.names[name].as_str()) {
                        Some(slot) => slot.get_or_insert_with(|| pseudonym(given)).clone(),
                        None => pseudonym(given),
                    }
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

/// [`redact`], also masking `known` names (the inventory's people) wherever they occur.
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
    r.build();

    r.text(&mut report.organisation);
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
