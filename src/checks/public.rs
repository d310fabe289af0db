//! What the public is told: BRAND-06, the organisation's house rules (when accounts are
//! monitored, where to go in an emergency, which comments are removed). Offline the declared
//! statements decide; online the page's own text does, and the finding quotes the sentence that
//! satisfied each statement.

use std::sync::OnceLock;

use regex::Regex;
use serde_json::json;

use crate::engine::{Context, Outcome};
use crate::model::TriBool;

/// One thing the house rules must tell the public.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Statement {
    MonitoringHours,
    EmergencyRoute,
    ModerationRules,
}

impl Statement {
    pub const ALL: [Statement; 3] = [
        Statement::MonitoringHours,
        Statement::EmergencyRoute,
        Statement::ModerationRules,
    ];

    pub fn field(self) -> &'static str {
        match self {
            Statement::MonitoringHours => "states_monitoring_hours",
            Statement::EmergencyRoute => "states_emergency_route",
            Statement::ModerationRules => "states_moderation_rules",
        }
    }

    fn what(self) -> &'static str {
        match self {
            Statement::MonitoringHours => "when the accounts are monitored",
            Statement::EmergencyRoute => "where to go in an emergency",
            Statement::ModerationRules => "which comments are removed, and why",
        }
    }

    /// Whether a sentence makes the statement. Each test asks for the subject and the
    /// substance together ("monitored" and an hour or day; "emergency" and a route), so a page
    /// that only mentions the words in passing does not pass.
    pub fn made_by(self, sentence: &str) -> bool {
        static RES: OnceLock<[(Regex, Regex); 3]> = OnceLock::new();
        let res = RES.get_or_init(|| {
            let re = |s: &str| Regex::new(s).unwrap_or_else(|_| Regex::new("$^").expect("empty"));
            [
                (
                    re(r"(?i)\bmonitor"),
                    re(r"(?i)\b(24|twenty[- ]four)\b|24/7|\b(seven|7) days\b|\boffice hours\b|\bworking hours\b|\b(mon|tues|wednes|thurs|fri|satur|sun)days?\b|\bweekdays?\b|\bweekends?\b|\b\d{1,2}(:\d{2})?\s*(am|pm)\b|\b\d{1,2}[:.]\d{2}\b"),
                ),
                (
                    re(r"(?i)\b(emergenc\w*|urgent|immediate danger)\b"),
                    re(r"(?i)\b(999|101|112|call|phone|ring|dial|contact|report|get help)\b"),
                ),
                (
                    re(r"(?i)\b(remov\w*|delet\w*|hid\w*|block\w*|moderat\w*)\b"),
                    re(r"(?i)\b(comments?|posts?|contributions?|users?|messages?|content|replies)\b"),
                ),
            ]
        });
        let (a, b) = &res[self as usize];
        a.is_match(sentence) && b.is_match(sentence)
    }
}

/// The first sentence that makes `statement`.
pub fn quote(sentences: &[String], statement: Statement) -> Option<&str> {
    sentences
        .iter()
        .map(String::as_str)
        .find(|s| statement.made_by(s))
}

pub use crate::model::evidence::sentences;

/// BRAND-06 (organisation-level): `house_rules` is missing, or does not state monitoring hours,
/// the emergency route, or the moderation rules (error if a statement is unknown; online, the
/// page text decides). A fail outweighs an error.
pub fn brand_06(ctx: &Context) -> Outcome {
    let Some(rules) = &ctx.inventory.house_rules else {
        return Outcome::fail(
            "the inventory has no house_rules: nothing shows that the public is told when the accounts are monitored, where to go in an emergency, or which comments are removed",
        );
    };
    let mut fails = Vec::new();
    let mut errors = Vec::new();
    let mut made = Vec::new();
    let mut evidence = serde_json::Map::new();
    if let Some(page) = &ctx.house_rules_page {
        evidence.insert("url".into(), json!(page.url));
        let sentences = match &page.sentences {
            Ok(s) => s,
            Err(why) => {
                return Outcome::error(format!(
                    "could not be verified: the house-rules page {} could not be read: {why}",
                    page.url
                ))
                .with_evidence(json!({"url": page.url}))
            }
        };
        for st in Statement::ALL {
            match quote(sentences, st) {
                Some(q) => {
                    made.push(format!("{}: \u{201c}{q}\u{201d}", st.what()));
                    evidence.insert(st.field().into(), json!(q));
                }
                None => {
                    fails.push(format!("the page does not say {}", st.what()));
                    evidence.insert(st.field().into(), json!(null));
                }
            }
        }
    } else {
        let declared = [
            rules.states_monitoring_hours,
            rules.states_emergency_route,
            rules.states_moderation_rules,
        ];
        for (st, value) in Statement::ALL.into_iter().zip(declared) {
            evidence.insert(st.field().into(), json!(value));
            match value {
                Some(TriBool::True) => made.push(st.what().to_owned()),
                Some(TriBool::False) => fails.push(format!(
                    "the house rules do not say {} (house_rules.{}: false)",
                    st.what(),
                    st.field()
                )),
                Some(TriBool::Unknown) => {
                    errors.push(format!("house_rules.{} is unknown", st.field()))
                }
                None => errors.push(format!(
                    "house_rules.{} is missing from the inventory",
                    st.field()
                )),
            }
        }
    }
    let evidence = serde_json::Value::Object(evidence);
    if !fails.is_empty() {
        Outcome::fail(fails.join("; ")).with_evidence(evidence)
    } else if !errors.is_empty() {
        Outcome::error(format!("could not be verified: {}", errors.join("; ")))
            .with_evidence(evidence)
    } else {
        Outcome::pass(format!("the house rules say {}", made.join("; "))).with_evidence(evidence)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn says(st: Statement, text: &str) -> bool {
        quote(&sentences(text), st).is_some()
    }

    #[test]
    fn the_house_rules_of_the_guidance_make_each_statement() {
        // Sentences of the house-rules pages the guidance quotes.
        let pcc = "We try and respond to as many replies or comments as we can. Our social media accounts are not currently monitored twenty-four hours a day, seven days a week. We reserve the right to remove any contributions or block users that break the rules of the relevant community.";
        assert!(says(Statement::MonitoringHours, pcc));
        assert!(says(Statement::ModerationRules, pcc));
        assert!(!says(Statement::EmergencyRoute, pcc));
        let campaign = "If your query is serious, urgent, or involves personal details, please get help from your nearest specialist team.";
        assert!(says(Statement::EmergencyRoute, campaign));
        assert!(says(
            Statement::EmergencyRoute,
            "In an emergency always call 999."
        ));
    }

    #[test]
    fn words_in_passing_do_not_make_a_statement() {
        assert!(!says(Statement::MonitoringHours, "We monitor our brand."));
        assert!(!says(
            Statement::EmergencyRoute,
            "Emergency services week starts today."
        ));
        assert!(!says(Statement::ModerationRules, "Remove your shoes."));
    }

    #[test]
    fn sentences_split_at_stops_and_lines_and_are_bounded() {
        let s = sentences("One. Two!\nThree? 3.5 stays\n\n");
        assert_eq!(s, vec!["One.", "Two!", "Three?", "3.5 stays"]);
        let long = "a".repeat(400);
        assert_eq!(sentences(&long)[0].chars().count(), 301);
    }
}
