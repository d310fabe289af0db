//! Baselines: reading saved results with a schema check, marking what changed against an
//! earlier audit, deciding whether that is a regression CI should fail on, and the `diff` view.
//!
//! A regression is narrow on purpose (so CI can fail on it without crying wolf): something that
//! passed now fails or errors, or an account absent from the baseline fails at high or above.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write;
use std::path::Path;

use serde::Serialize;

use crate::error::{Code, Diagnostic};
use crate::model::inventory::Severity;
use crate::model::results::{Change, Regression, Report, Status, SCHEMA_VERSION};
use crate::{Error, Result};

fn bad(file: &str, line: u32, column: u32, message: String) -> Error {
    Error::input(Diagnostic {
        code: Code::BadResults,
        file: file.to_string(),
        line,
        column,
        message,
        snippet: None,
    })
}

/// Reads a results.json written by this or an earlier palisade.
pub fn load_results(path: &Path) -> Result<Report> {
    let bytes = crate::input::read(path, crate::input::RESULTS).map_err(|e| {
        bad(
            &path.display().to_string(),
            0,
            0,
            format!("cannot read the results file: {e}"),
        )
    })?;
    parse_results(&bytes, &path.display().to_string())
}

/// Parses results.json: schema_version 1 is accepted, a newer one is refused (the fields may
/// mean something else), and anything else gets a message saying what is wrong.
pub fn parse_results(bytes: &[u8], name: &str) -> Result<Report> {
    let probe: Probe = serde_json::from_slice(bytes).map_err(|e| {
        let message = if e.is_data() {
            "not a palisade results file: expected a JSON object".to_owned()
        } else {
            format!("not a palisade results file (invalid JSON: {e})")
        };
        bad(name, e.line() as u32, e.column() as u32, message)
    })?;
    match probe.0 {
        None => {
            return Err(bad(name, 0, 0, "not a palisade results file: `schema_version` is missing (write it with `palisade audit --format json`)".into()))
        }
        Some(v) => match v.as_u64() {
            Some(n) if n == u64::from(SCHEMA_VERSION) => {}
            Some(n) if n > u64::from(SCHEMA_VERSION) => {
                return Err(bad(name, 0, 0, format!(
                    "results schema_version {n} is newer than this palisade understands ({SCHEMA_VERSION}); upgrade palisade or re-run the audit with this version"
                )))
            }
            _ => return Err(bad(name, 0, 0, format!("`schema_version` must be {SCHEMA_VERSION}, found {v}"))),
        },
    }
    serde_json::from_slice(bytes).map_err(|e| {
        bad(
            name,
            e.line() as u32,
            e.column() as u32,
            format!("results file does not match schema_version {SCHEMA_VERSION}: {e}"),
        )
    })
}

/// A results file's `schema_version` alone: the rest of the document is skipped without being
/// kept, so a large file is not held twice (a `serde_json::Value` of it was five times its
/// size). Only a JSON object is one (serde would read a struct from an array too).
struct Probe(Option<serde_json::Value>);

impl<'de> serde::Deserialize<'de> for Probe {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Probe;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Probe, A::Error> {
                let mut version = None;
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    if key == "schema_version" {
                        version = Some(map.next_value()?);
                    } else {
                        map.next_value::<serde::de::IgnoredAny>()?;
                    }
                }
                Ok(Probe(version))
            }
        }
        d.deserialize_map(Visit)
    }
}

/// Marks every result of `current` against `old`, fills `current.regressions` and
/// `summary.baseline_score`. Idempotent: applying the same baseline twice gives the same report.
pub fn apply_baseline(current: &mut Report, old: &Report) {
    let before: HashMap<(&str, &str), Status> = old
        .results
        .iter()
        .map(|r| ((r.check_id.as_str(), r.account_id.as_str()), r.status))
        .collect();
    let mut regressions = Vec::new();
    for r in &mut current.results {
        let change = match before.get(&(r.check_id.as_str(), r.account_id.as_str())) {
            None => Change::New,
            Some(&was) if was == Status::Pass && r.status.is_problem() => {
                regressions.push(Regression {
                    check_id: r.check_id.clone(),
                    account_id: r.account_id.clone(),
                    was,
                    now: r.status,
                });
                Change::Regressed
            }
            Some(&was) if was.is_problem() && r.status == Status::Pass => Change::Fixed,
            Some(_) => Change::Unchanged,
        };
        r.change = Some(change);
    }
    current.regressions = regressions;
    current.summary.baseline_score = old.summary.score;
}

/// Accounts of `report` that the baseline did not have: every one of their results is `new`.
fn new_accounts(report: &Report) -> BTreeSet<&str> {
    let mut seen_old: BTreeSet<&str> = BTreeSet::new();
    let mut all: BTreeSet<&str> = BTreeSet::new();
    for r in &report.results {
        all.insert(r.account_id.as_str());
        if !matches!(r.change, Some(Change::New) | None) {
            seen_old.insert(r.account_id.as_str());
        }
    }
    if report.results.iter().all(|r| r.change.is_none()) {
        return BTreeSet::new();
    }
    all.difference(&seen_old).copied().collect()
}

/// True when CI should fail for `--fail-on regression`: something that passed now fails or
/// errors, or a new account fails or errors at high or critical. Needs [`apply_baseline`] first.
pub fn is_regression_failure(report: &Report) -> bool {
    if !report.regressions.is_empty()
        || report
            .results
            .iter()
            .any(|r| r.change == Some(Change::Regressed))
    {
        return true;
    }
    let fresh = new_accounts(report);
    report.results.iter().any(|r| {
        fresh.contains(r.account_id.as_str())
            && r.status.is_problem()
            && matches!(r.severity, Severity::Critical | Severity::High)
    })
}

/// What changed between two saved audits.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Diff {
    pub old_as_of: String,
    pub new_as_of: String,
    pub old_score: Option<f64>,
    pub new_score: Option<f64>,
    pub score_change: Option<f64>,
    pub regressions: Vec<Regression>,
    pub fixes: Vec<Regression>,
    /// Problems on (check, account) pairs the old audit did not have.
    pub new_problems: Vec<Regression>,
    pub new_accounts: Vec<String>,
    pub removed_accounts: Vec<String>,
    /// True when `is_regression_failure` holds for the new report against the old one.
    pub regression_failure: bool,
}

pub fn diff(old: &Report, new: &Report) -> Diff {
    let mut marked = new.clone();
    apply_baseline(&mut marked, old);
    let before: HashMap<(&str, &str), Status> = old
        .results
        .iter()
        .map(|r| ((r.check_id.as_str(), r.account_id.as_str()), r.status))
        .collect();
    let mut fixes = Vec::new();
    let mut new_problems = Vec::new();
    for r in &marked.results {
        let key = (r.check_id.as_str(), r.account_id.as_str());
        match r.change {
            Some(Change::Fixed) => fixes.push(Regression {
                check_id: r.check_id.clone(),
                account_id: r.account_id.clone(),
                was: before.get(&key).copied().unwrap_or(Status::Fail),
                now: r.status,
            }),
            Some(Change::New) if r.status.is_problem() => new_problems.push(Regression {
                check_id: r.check_id.clone(),
                account_id: r.account_id.clone(),
                was: Status::Skipped,
                now: r.status,
            }),
            _ => {}
        }
    }
    let ids = |r: &Report| -> BTreeSet<String> {
        let mut s: BTreeSet<String> = r.accounts.iter().map(|a| a.id.clone()).collect();
        s.extend(r.results.iter().map(|x| x.account_id.clone()));
        s
    };
    let (old_ids, new_ids) = (ids(old), ids(new));
    let round = |x: f64| (x * 10.0).round() / 10.0;
    Diff {
        old_as_of: old.as_of.clone(),
        new_as_of: new.as_of.clone(),
        old_score: old.summary.score,
        new_score: new.summary.score,
        score_change: old
            .summary
            .score
            .zip(new.summary.score)
            .map(|(a, b)| round(b - a)),
        regression_failure: is_regression_failure(&marked),
        regressions: marked.regressions,
        fixes,
        new_problems,
        new_accounts: new_ids.difference(&old_ids).cloned().collect(),
        removed_accounts: old_ids.difference(&new_ids).cloned().collect(),
    }
}

fn score(s: Option<f64>) -> String {
    s.map(|v| format!("{v:.1}")).unwrap_or_else(|| "n/a".into())
}

/// The diff as plain text for a terminal; values from the results files are shown with their control
/// characters as escapes.
pub fn render_text(d: &Diff) -> String {
    use crate::render::for_terminal;
    let mut out = String::new();
    let change = d
        .score_change
        .map(|c| format!(" ({c:+.1})"))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "score: {} ({}) → {} ({}){change}",
        score(d.old_score),
        for_terminal(&d.old_as_of),
        score(d.new_score),
        for_terminal(&d.new_as_of)
    );
    let list = |out: &mut String, title: &str, items: &[Regression]| {
        let _ = writeln!(out, "{title}: {}", items.len());
        for r in items {
            let _ = writeln!(
                out,
                "  {} {}: {} → {}",
                for_terminal(&r.check_id),
                for_terminal(&r.account_id),
                r.was.as_str(),
                r.now.as_str()
            );
        }
    };
    list(&mut out, "regressions", &d.regressions);
    list(&mut out, "fixed", &d.fixes);
    list(&mut out, "new problems", &d.new_problems);
    let _ = writeln!(out, "new accounts: {}", d.new_accounts.len());
    for a in &d.new_accounts {
        let _ = writeln!(out, "  + {}", for_terminal(a));
    }
    let _ = writeln!(out, "removed accounts: {}", d.removed_accounts.len());
    for a in &d.removed_accounts {
        let _ = writeln!(out, "  - {}", for_terminal(a));
    }
    out
}

/// Markdown for a pull-request comment.
pub fn render_markdown(d: &Diff) -> String {
    use crate::render::markdown::md;
    let mut out = String::new();
    let change = d
        .score_change
        .map(|c| format!(" ({c:+.1})"))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "## palisade diff: {} → {}\n",
        md(&d.old_as_of),
        md(&d.new_as_of)
    );
    let _ = writeln!(
        out,
        "**Score {} → {}**{change}\n",
        score(d.old_score),
        score(d.new_score)
    );
    let table = |out: &mut String, title: &str, items: &[Regression]| {
        if items.is_empty() {
            return;
        }
        let _ = writeln!(
            out,
            "### {title} ({})\n\n| Check | Account | Was | Now |\n|---|---|---|---|",
            items.len()
        );
        for r in items {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                md(&r.check_id),
                md(&r.account_id),
                r.was.as_str(),
                r.now.as_str()
            );
        }
        out.push('\n');
    };
    table(&mut out, "Regressions", &d.regressions);
    table(&mut out, "Fixed", &d.fixes);
    table(&mut out, "New problems", &d.new_problems);
    if !d.new_accounts.is_empty() {
        let _ = writeln!(
            out,
            "New accounts: {}\n",
            d.new_accounts
                .iter()
                .map(|a| md(a))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if !d.removed_accounts.is_empty() {
        let _ = writeln!(
            out,
            "Removed accounts: {}\n",
            d.removed_accounts
                .iter()
                .map(|a| md(a))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if d.regressions.is_empty() && d.new_problems.is_empty() {
        out.push_str("No regressions.\n");
    }
    out
}
