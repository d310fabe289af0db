//! The action plan: a CSV a team lead can open in a spreadsheet, one row per failing or
//! erroring (control, account), with empty `due_date` and `justification` columns to fill in.

use std::collections::HashMap;

use crate::model::results::Report;
use crate::{Error, Result};

pub const HEADER: [&str; 8] = [
    "check_id",
    "account_id",
    "severity",
    "owner",
    "finding",
    "remediation",
    "due_date",
    "justification",
];

pub fn render(report: &Report) -> Result<Vec<u8>> {
    let owners: HashMap<&str, &str> = report
        .accounts
        .iter()
        .map(|a| (a.id.as_str(), a.owner.as_deref().unwrap_or("")))
        .collect();
    let remediation: HashMap<&str, &str> = report
        .checks
        .iter()
        .map(|c| (c.id.as_str(), c.remediation.as_str()))
        .collect();
    let mut w = csv::Writer::from_writer(Vec::new());
    let err = |e: csv::Error| Error::Internal(format!("writing the action plan: {e}"));
    w.write_record(HEADER).map_err(err)?;
    for r in report.results.iter().filter(|r| r.status.is_problem()) {
        let finding = if r.status == crate::model::results::Status::Error {
            format!("not verified: {}", r.message)
        } else {
            r.message.clone()
        };
        w.write_record([
            cell(&r.check_id).as_str(),
            cell(&r.account_id).as_str(),
            r.severity.as_str(),
            cell(owners.get(r.account_id.as_str()).copied().unwrap_or("")).as_str(),
            cell(&finding).as_str(),
            cell(remediation.get(r.check_id.as_str()).copied().unwrap_or("")).as_str(),
            "",
            "",
        ])
        .map_err(err)?;
    }
    w.into_inner()
        .map_err(|e| Error::Internal(format!("writing the action plan: {e}")))
}

/// Spreadsheets run a cell that starts with `=`, `+`, `-`, `@` (or a tab or CR) as a formula; a
/// hostile display name must not become one, so such cells get a leading apostrophe.
fn cell(s: &str) -> String {
    let s = super::reveal_controls(s);
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.into_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn formulas_are_defused() {
        assert_eq!(super::cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(super::cell("plain"), "plain");
    }
}
