//! What every human-readable format says first, decided once so that the HTML, Markdown and
//! text reports agree: which problems to fix first, the worst open finding, the words that go
//! with the score, and which controls were not assessed (and why).
//!
//! "Not assessed" is a skipped result whose check could not look (no vault, no candidate list,
//! offline): the check marks it with `evidence.not_assessed = true` ([`NOT_ASSESSED`]). It is
//! never shown as a pass or as "nothing to fix".

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::model::inventory::Severity;
use crate::model::results::{CheckResult, Report, Status};

pub use crate::model::results::NOT_ASSESSED;

/// The subject id of organisation-level results (`engine::runner::ORGANISATION`).
const ORGANISATION: &str = "organisation";

/// How many of [`fix_first`] the summaries list.
pub const TOP: usize = 5;

/// One control with open problems, as the reports rank them.
#[derive(Debug, Clone, PartialEq)]
pub struct FixItem<'a> {
    pub check_id: &'a str,
    pub title: &'a str,
    pub severity: Severity,
    /// Accounts with a failed or unverified result, counting every account a control plane with
    /// the finding reaches (the organisation counts as one).
    pub accounts: usize,
    /// Control planes with the finding.
    pub planes: usize,
    pub failed: usize,
    pub unverified: usize,
    /// The only subject is the organisation itself.
    pub organisation_wide: bool,
}

impl FixItem<'_> {
    /// "on 3 accounts (2 failed, 1 not verified)", "organisation-wide".
    pub fn scope_words(&self) -> String {
        let mut s = if self.organisation_wide {
            "organisation-wide".to_string()
        } else if self.planes > 0 {
            format!(
                "on {} {} reaching {} {}",
                self.planes,
                if self.planes == 1 {
                    "control plane"
                } else {
                    "control planes"
                },
                self.accounts,
                if self.accounts == 1 {
                    "account"
                } else {
                    "accounts"
                }
            )
        } else {
            format!(
                "on {} {}",
                self.accounts,
                if self.accounts == 1 {
                    "account"
                } else {
                    "accounts"
                }
            )
        };
        if self.failed > 0 && self.unverified > 0 {
            s.push_str(&format!(
                " ({} failed, {} not verified)",
                self.failed, self.unverified
            ));
        } else if self.failed == 0 {
            s.push_str(" (not verified)");
        }
        s
    }
}

/// Every control with a failed or unverified result, most urgent first: by severity, then by
/// how many accounts share the finding, then confirmed failures before unverified ones, then id.
/// A high finding is therefore never below a medium one, whatever the counts.
pub fn fix_first(report: &Report) -> Vec<FixItem<'_>> {
    let checks: HashMap<&str, (&str, Severity)> = report
        .checks
        .iter()
        .map(|c| (c.id.as_str(), (c.title.as_str(), c.severity)))
        .collect();
    // A finding on a control plane is a finding on every account it reaches.
    let planes: HashMap<&str, &[String]> = report
        .control_planes
        .iter()
        .map(|p| (p.id.as_str(), p.accounts.as_slice()))
        .collect();
    let mut by_check: BTreeMap<&str, (FixItem<'_>, BTreeSet<&str>)> = BTreeMap::new();
    for r in report.results.iter().filter(|r| r.status.is_problem()) {
        let (title, severity) = checks
            .get(r.check_id.as_str())
            .copied()
            .unwrap_or((r.check_id.as_str(), r.severity));
        let (item, reached) = by_check.entry(r.check_id.as_str()).or_insert((
            FixItem {
                check_id: r.check_id.as_str(),
                title,
                severity,
                accounts: 0,
                planes: 0,
                failed: 0,
                unverified: 0,
                organisation_wide: true,
            },
            BTreeSet::new(),
        ));
        match planes.get(r.account_id.as_str()) {
            Some(reach) => {
                item.planes += 1;
                reached.extend(reach.iter().map(String::as_str));
            }
            None => {
                reached.insert(r.account_id.as_str());
            }
        }
        if r.status == Status::Fail {
            item.failed += 1;
        } else {
            item.unverified += 1;
        }
        item.organisation_wide &= r.account_id == ORGANISATION;
    }
    let by_check: BTreeMap<&str, FixItem<'_>> = by_check
        .into_iter()
        .map(|(id, (mut item, reached))| {
            item.accounts = reached.len().max(1);
            (id, item)
        })
        .collect();
    let mut items: Vec<FixItem<'_>> = by_check.into_values().collect();
    items.sort_by(|a, b| {
        // Severity's derived order is declaration order: Critical < High < Medium < Low.
        a.severity
            .cmp(&b.severity)
            .then(b.accounts.cmp(&a.accounts))
            .then(b.failed.cmp(&a.failed))
            .then(a.check_id.cmp(b.check_id))
    });
    items
}

/// The words that go with a score. They are never more reassuring than the worst open
/// finding allows: with a critical finding open the organisation is "at serious risk" whatever
/// the score, and with a high one it is at best "fair".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// `good`, `fair`, `poor`, `bad` or `none` (the CSS class of the HTML report).
    pub band: &'static str,
    pub words: &'static str,
}

pub fn standing(score: Option<f64>, worst: Option<Severity>) -> Standing {
    let by_score = band(score);
    let s = |band, words| Standing { band, words };
    match (worst, by_score.band) {
        (Some(Severity::Critical), _) => {
            s("bad", "at serious risk, because a critical problem is open")
        }
        (Some(Severity::High), "good") => {
            s("fair", "fair, because a high-severity problem is open")
        }
        _ => by_score,
    }
}

/// The band of a score alone (also used for each area and account).
pub fn band(score: Option<f64>) -> Standing {
    let s = |band, words| Standing { band, words };
    match score {
        Some(x) if x >= 90.0 => s("good", "good"),
        Some(x) if x >= 70.0 => s("fair", "fair: some work needed"),
        Some(x) if x >= 50.0 => s("poor", "poor: significant work needed"),
        Some(_) => s("bad", "at serious risk"),
        None => s("none", "not scored"),
    }
}

/// Whether `r` is a skip because its check could not look (see the module documentation).
pub fn is_not_assessed(r: &CheckResult) -> bool {
    r.status == Status::Skipped && r.evidence.says_not_assessed()
}

/// One control that could not be assessed on some or all of its accounts, for one reason.
#[derive(Debug, Clone, PartialEq)]
pub struct NotAssessed<'a> {
    pub check_id: &'a str,
    pub title: &'a str,
    pub severity: Severity,
    /// Why, as the check said it (it names the option that would let it look).
    pub reason: &'a str,
    pub accounts: usize,
    /// The only subject is the organisation itself.
    pub organisation_wide: bool,
    /// No result of the control was assessed at all (no pass, fail, error or waiver).
    pub wholly: bool,
}

impl NotAssessed<'_> {
    /// "on 3 accounts", "organisation-wide".
    pub fn scope_words(&self) -> String {
        if self.organisation_wide {
            "organisation-wide".to_string()
        } else if self.accounts == 1 {
            "on 1 account".to_string()
        } else {
            format!("on {} accounts", self.accounts)
        }
    }
}

/// Every (control, reason) that was not assessed, most severe first, then by id.
pub fn not_assessed(report: &Report) -> Vec<NotAssessed<'_>> {
    let checks: HashMap<&str, (&str, Severity)> = report
        .checks
        .iter()
        .map(|c| (c.id.as_str(), (c.title.as_str(), c.severity)))
        .collect();
    let mut assessed: HashMap<&str, bool> = HashMap::new();
    let mut groups: BTreeMap<(&str, &str), (usize, bool)> = BTreeMap::new();
    for r in &report.results {
        if is_not_assessed(r) {
            let g = groups
                .entry((r.check_id.as_str(), r.message.as_str()))
                .or_insert((0, true));
            g.0 += 1;
            g.1 &= r.account_id == ORGANISATION;
        } else if r.status != Status::Skipped {
            assessed.insert(r.check_id.as_str(), true);
        }
    }
    let mut out: Vec<NotAssessed<'_>> = groups
        .into_iter()
        .map(|((check_id, reason), (accounts, organisation_wide))| {
            let (title, severity) = checks
                .get(check_id)
                .copied()
                .unwrap_or((check_id, Severity::Low));
            NotAssessed {
                check_id,
                title,
                severity,
                reason,
                accounts,
                organisation_wide,
                wholly: !assessed.contains_key(check_id),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        a.severity
            .cmp(&b.severity)
            .then(a.check_id.cmp(b.check_id))
            .then(b.accounts.cmp(&a.accounts))
    });
    out
}

/// Whether the impersonation search was made, as IMP-01 recorded it.
#[derive(Debug, Clone, PartialEq)]
pub enum Search<'a> {
    /// Candidates were searched (a list, or online).
    Made,
    /// No search was made; the reason as IMP-01 gave it.
    NotMade(&'a str),
    /// IMP-01 did not run (or had no account in scope), so nothing says either way.
    Unknown,
}

pub fn impersonation_search(report: &Report) -> Search<'_> {
    if !report.impersonation.is_empty() {
        return Search::Made;
    }
    let mut imp = report.results.iter().filter(|r| r.check_id == "IMP-01");
    let Some(first) = imp.next() else {
        return Search::Unknown;
    };
    if is_not_assessed(first) {
        return Search::NotMade(first.message.as_str());
    }
    if std::iter::once(first)
        .chain(imp)
        .any(|r| r.status != Status::Skipped)
    {
        Search::Made
    } else {
        Search::Unknown
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::results::Evidence;

    fn result(check: &str, account: &str, status: Status, severity: Severity) -> CheckResult {
        CheckResult {
            check_id: check.into(),
            account_id: account.into(),
            status,
            severity,
            message: String::new(),
            evidence: Evidence::default(),
            waiver: None,
            change: None,
            remediation: None,
        }
    }

    fn report(results: Vec<CheckResult>) -> Report {
        let mut r = crate::render::sample::synthetic(0, 0);
        r.results = results;
        r.impersonation.clear();
        r
    }

    #[test]
    fn severity_outranks_the_number_of_accounts() {
        // A medium finding on three accounts weighs 9 and a high one on one account 5: the
        // old weight × accounts order put the medium first.
        let r = report(vec![
            result("ACC-02", "a", Status::Fail, Severity::Medium),
            result("ACC-02", "b", Status::Fail, Severity::Medium),
            result("ACC-02", "c", Status::Fail, Severity::Medium),
            result("MAIL-01", "a", Status::Fail, Severity::High),
            result("LEAV-01", "a", Status::Error, Severity::Critical),
            result("APPS-01", "a", Status::Fail, Severity::High),
            result("APPS-01", "b", Status::Error, Severity::High),
            result("AUTH-03", "a", Status::Pass, Severity::Medium),
        ]);
        let order: Vec<&str> = fix_first(&r).iter().map(|f| f.check_id).collect();
        assert_eq!(order, ["LEAV-01", "APPS-01", "MAIL-01", "ACC-02"]);
        let apps = &fix_first(&r)[1];
        assert_eq!((apps.accounts, apps.failed, apps.unverified), (2, 1, 1));
        assert_eq!(
            apps.scope_words(),
            "on 2 accounts (1 failed, 1 not verified)"
        );
        assert_eq!(
            fix_first(&r)[0].scope_words(),
            "on 1 account (not verified)"
        );
    }

    #[test]
    fn words_never_reassure_while_a_serious_finding_is_open() {
        assert_eq!(standing(Some(78.5), None).words, "fair: some work needed");
        let w = standing(Some(78.5), Some(Severity::Critical));
        assert_eq!(w.band, "bad");
        assert!(!w.words.contains("fair"));
        assert_eq!(standing(Some(95.0), Some(Severity::High)).band, "fair");
        assert_eq!(standing(Some(95.0), Some(Severity::Medium)).words, "good");
        assert_eq!(standing(Some(40.0), Some(Severity::High)).band, "bad");
    }

    #[test]
    fn not_assessed_is_told_apart_from_not_applicable() {
        let mut na = result("AUTH-07", "a", Status::Skipped, Severity::High);
        na.message = "no vault given (--vault)".into();
        na.evidence = serde_json::json!({ NOT_ASSESSED: true }).into();
        let mut na2 = na.clone();
        na2.account_id = "b".into();
        let closed = result("AUTH-07", "c", Status::Skipped, Severity::High);
        let r = report(vec![
            na.clone(),
            na2,
            closed.clone(),
            result("AUTH-01", "a", Status::Skipped, Severity::Critical),
        ]);
        assert!(is_not_assessed(&na));
        assert!(!is_not_assessed(&closed));
        let list = not_assessed(&r);
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].check_id, "AUTH-07");
        assert_eq!(list[0].accounts, 2);
        assert!(list[0].wholly);
    }

    #[test]
    fn impersonation_search_is_only_claimed_when_made() {
        let mut skipped = result("IMP-01", "a", Status::Skipped, Severity::High);
        skipped.message = "no candidate list given (--candidates or --online)".into();
        skipped.evidence = serde_json::json!({ NOT_ASSESSED: true }).into();
        assert_eq!(
            impersonation_search(&report(vec![skipped])),
            Search::NotMade("no candidate list given (--candidates or --online)")
        );
        assert_eq!(
            impersonation_search(&report(vec![result(
                "IMP-01",
                "a",
                Status::Pass,
                Severity::High
            )])),
            Search::Made
        );
        assert_eq!(impersonation_search(&report(vec![])), Search::Unknown);
    }
}
