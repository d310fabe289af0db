//! `--redact`: masks people's names and e-mail addresses so a report can circulate more widely.
//!
//! Consistent pseudonyms: the same person is the same "Person A" everywhere in the report, and
//! the same address the same `user-1@domain`. Decisions:
//! - Names are learnt from evidence under the keys `person`, `people`, `owner`, `name`, `email`
//!   (at any depth), from account owners and from waiver approvers; every free-text field is then
//!   searched for them (whole words, any case). A name never recorded in those places cannot be
//!   recognised in free text: the engine puts every person it mentions into evidence.
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

/// What was masked, for the command's message.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Redacted {
    pub people: usize,
    pub emails: usize,
}

#[derive(Default)]
struct Redactor {
    /// lower-case name → pseudonym
    names: HashMap<String, String>,
    /// lower-case address → pseudonymous address
    emails: HashMap<String, String>,
    name_re: Option<Regex>,
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
        let key = name.to_lowercase();
        if !self.names.contains_key(&key) {
            let p = format!("Person {}", letters(self.names.len()));
            self.names.insert(key, p);
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
        let mut names: Vec<&String> = self.names.keys().collect();
        // Longest first, so "Ann Lee-Smith" is replaced before "Ann Lee".
        names.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        if names.is_empty() {
            return;
        }
        let alts: Vec<String> = names.iter().map(|n| regex::escape(n)).collect();
        self.name_re = Regex::new(&format!(r"(?i)\b(?:{})\b", alts.join("|"))).ok();
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
            let mut out = String::with_capacity(s.len());
            let mut last = 0;
            let found: Vec<(usize, usize, String)> = email_re()
                .captures_iter(s)
                .filter_map(|c| {
                    let all = c.get(0)?;
                    Some((all.start(), all.end(), c.get(1)?.as_str().to_string()))
                })
                .collect();
            for (start, end, domain) in found {
                out.push_str(&s[last..start]);
                let masked = self.email(&s[start..end], &domain);
                out.push_str(&masked);
                last = end;
            }
            out.push_str(&s[last..]);
            *s = out;
        }
        if let Some(re) = &self.name_re {
            if re.is_match(s) {
                let names = &self.names;
                *s = re
                    .replace_all(s, |c: &regex::Captures| {
                        names
                            .get(&c[0].to_lowercase())
                            .cloned()
                            .unwrap_or_else(|| "Person ?".into())
                    })
                    .into_owned();
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
        people: r.names.len(),
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
