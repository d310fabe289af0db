//! The action plan: a CSV a team lead can open in a spreadsheet, one row per failing or
//! erroring (control, account), with a due date from the severity and an empty `justification`
//! column to fill in. Streamed row by row.
//!
//! `--csv-excel` writes a UTF-8 byte-order mark and CRLF line ends: without the mark, Excel on
//! Windows reads the file in the local code page and shows `→` or an accented name as mojibake.
//! The default stays plain UTF-8 with LF, which every other CSV reader expects.

use std::collections::HashMap;
use std::io::Write;

use super::RenderOptions;
use crate::model::inventory::Severity;
use crate::model::results::{Report, Status};
use crate::{Error, Result};

/// Columns are only ever added, so scripts that read them by name keep working.
pub const HEADER: [&str; 9] = [
    "check_id",
    "account_id",
    "severity",
    "status",
    "owner",
    "finding",
    "remediation",
    "due_date",
    "justification",
];

/// Days from the audit date to fix a finding of each severity: CISA's Binding Operational
/// Directive 19-02 (critical 15, high 30; https://cyber.dhs.gov/bod/19-02/) and FedRAMP's
/// continuous-monitoring timelines (moderate 90, low 180;
/// https://legalclarity.org/fedramp-vulnerability-remediation-timeline-rev-5-and-20x/), both
/// checked 2026-11-30. A team that agrees other dates edits the column.
pub fn days_to_fix(s: Severity) -> i32 {
    match s {
        Severity::Critical => 15,
        Severity::High => 30,
        Severity::Medium => 90,
        Severity::Low => 180,
    }
}

/// The whole file in memory (tests, `report -o`).
pub fn render(report: &Report, opts: &RenderOptions) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    write(report, opts, &mut buf)?;
    Ok(buf)
}

/// Streams the action plan into `out`.
pub fn write(report: &Report, opts: &RenderOptions, out: &mut dyn Write) -> Result<()> {
    let io = |e| Error::io("writing action-plan.csv", e);
    let owners: HashMap<&str, &str> = report
        .accounts
        .iter()
        .map(|a| (a.id.as_str(), a.owner.as_deref().unwrap_or("")))
        .collect();
    let remediation: HashMap<&str, String> = report
        .checks
        .iter()
        .map(|c| (c.id.as_str(), cell(&c.remediation)))
        .collect();
    // An unreadable `as_of` (hand-edited results) leaves the due dates empty, not wrong.
    let as_of = report.as_of.parse::<jiff::civil::Date>().ok();
    let due: HashMap<Severity, String> = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ]
    .into_iter()
    .map(|s| {
        let date = as_of
            .and_then(|d| d.checked_add(jiff::Span::new().days(days_to_fix(s))).ok())
            .map(|d| d.to_string())
            .unwrap_or_default();
        (s, date)
    })
    .collect();

    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    let mut builder = csv::WriterBuilder::new();
    if opts.csv_excel {
        out.write_all("\u{FEFF}".as_bytes()).map_err(io)?;
        builder.terminator(csv::Terminator::CRLF);
    } else {
        builder.terminator(csv::Terminator::Any(b'\n'));
    }
    let mut w = builder.from_writer(out);
    let err = |e: csv::Error| Error::Internal(format!("writing the action plan: {e}"));
    w.write_record(HEADER).map_err(err)?;
    for r in report.results.iter().filter(|r| r.status.is_problem()) {
        // The status column says it was not verified; the finding is the message alone.
        w.write_record([
            cell(&r.check_id).as_str(),
            cell(&r.account_id).as_str(),
            r.severity.as_str(),
            if r.status == Status::Error {
                "error"
            } else {
                "fail"
            },
            cell(owners.get(r.account_id.as_str()).copied().unwrap_or("")).as_str(),
            cell(&r.message).as_str(),
            remediation
                .get(r.check_id.as_str())
                .map(String::as_str)
                .unwrap_or(""),
            due.get(&r.severity).map(String::as_str).unwrap_or(""),
            "",
        ])
        .map_err(err)?;
    }
    let mut out = w
        .into_inner()
        .map_err(|e| Error::io("writing action-plan.csv", e.into_error()))?;
    out.flush().map_err(io)
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
