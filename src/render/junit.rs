//! JUnit XML for CI test views: one suite per check, one test case per (check, account).
//! fail → failure, error → error, skipped and waived → skipped (with the reason).
//!
//! The shape is the one the Jenkins xUnit plugin's `junit-10.xsd` allows (it skips a file that
//! fails the schema, so `<testsuites>` carries no `skipped`: each `<testsuite>` does), which is
//! also what junitparser and GitLab read. The document is streamed, one test case at a time, so
//! memory does not grow with the file (100,000 accounts make a file of several hundred MB).

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{self, Write};

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

use super::reveal_controls;
use crate::model::results::{CheckResult, Report, Status};
use crate::{Error, Result};

/// The whole document as a string (tests, `report -o`).
pub fn render(report: &Report) -> Result<String> {
    let mut buf = Vec::new();
    write(report, &mut buf).map_err(|e| Error::Internal(format!("writing JUnit XML: {e}")))?;
    String::from_utf8(buf).map_err(|e| Error::Internal(format!("writing JUnit XML: {e}")))
}

/// Counts that open a `<testsuite>`, and the span of results that holds the check's: the
/// runner sorts results by check, so the span is exactly them, and memory stays flat.
#[derive(Default)]
struct Suite {
    first: usize,
    last: usize,
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
}

/// Streams the document into `out`.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    // The counts are attributes of the opening tags, so they are tallied first.
    let mut suites: HashMap<&str, Suite> = report
        .checks
        .iter()
        .map(|c| (c.id.as_str(), Suite::default()))
        .collect();
    for (i, r) in report.results.iter().enumerate() {
        if let Some(s) = suites.get_mut(r.check_id.as_str()) {
            if s.tests == 0 {
                s.first = i;
            }
            s.last = i;
            s.tests += 1;
            match r.status {
                Status::Fail => s.failures += 1,
                Status::Error => s.errors += 1,
                Status::Skipped | Status::Waived => s.skipped += 1,
                Status::Pass => {}
            }
        }
    }
    let total = |f: fn(&Suite) -> usize| suites.values().map(f).sum::<usize>().to_string();

    let mut w = Writer::new_with_indent(io::BufWriter::with_capacity(1 << 16, out), b' ', 4);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let mut root = BytesStart::new("testsuites");
    root.push_attribute((
        "name",
        &*format!("palisade: {}", xml_text(&report.organisation)),
    ));
    root.push_attribute(("tests", &*total(|s| s.tests)));
    root.push_attribute(("failures", &*total(|s| s.failures)));
    root.push_attribute(("errors", &*total(|s| s.errors)));
    w.write_event(Event::Start(root))?;

    for check in &report.checks {
        let Some(suite) = suites.get(check.id.as_str()) else {
            continue;
        };
        let mut start = BytesStart::new("testsuite");
        start.push_attribute((
            "name",
            &*format!("{}: {}", xml_text(&check.id), xml_text(&check.title)),
        ));
        start.push_attribute(("tests", &*suite.tests.to_string()));
        start.push_attribute(("skipped", &*suite.skipped.to_string()));
        start.push_attribute(("errors", &*suite.errors.to_string()));
        start.push_attribute(("failures", &*suite.failures.to_string()));
        w.write_event(Event::Start(start))?;
        let classname = format!("palisade.{}", xml_text(&check.family));
        let remediation = xml_text(&check.remediation);
        if suite.tests > 0 {
            for r in report.results[suite.first..=suite.last]
                .iter()
                .filter(|r| r.check_id == check.id)
            {
                write_case(&mut w, r, &classname, &remediation)?;
            }
        }
        w.write_event(Event::End(BytesEnd::new("testsuite")))?;
    }
    w.write_event(Event::End(BytesEnd::new("testsuites")))?;
    let mut out = w.into_inner();
    out.write_all(b"\n")?;
    out.flush()
}

/// The element under a test case that is not a plain pass.
struct Outcome<'a> {
    element: &'static str,
    message: Cow<'a, str>,
    /// The severity, on failures and errors.
    kind: Option<&'static str>,
    /// The text of failures and errors: the message and the remediation.
    body: Option<String>,
}

fn outcome<'a>(r: &'a CheckResult, remediation: &str) -> Option<Outcome<'a>> {
    let message = xml_text(&r.message);
    Some(match r.status {
        Status::Pass => return None,
        Status::Fail | Status::Error => Outcome {
            element: if r.status == Status::Fail {
                "failure"
            } else {
                "error"
            },
            kind: Some(r.severity.as_str()),
            body: Some(if remediation.is_empty() {
                message.to_string()
            } else {
                format!("{message}\nRemediation: {remediation}")
            }),
            message,
        },
        Status::Skipped => Outcome {
            element: "skipped",
            message,
            kind: None,
            body: None,
        },
        Status::Waived => Outcome {
            element: "skipped",
            message: Cow::Owned(match &r.waiver {
                Some(w) => format!(
                    "waived by {} until {}: {}",
                    xml_text(&w.approved_by),
                    xml_text(&w.expires_on),
                    xml_text(&w.reason)
                ),
                None => "waived".to_string(),
            }),
            kind: None,
            body: None,
        },
    })
}

fn write_case<W: Write>(
    w: &mut Writer<W>,
    r: &CheckResult,
    classname: &str,
    remediation: &str,
) -> io::Result<()> {
    let mut case = BytesStart::new("testcase");
    case.push_attribute((
        "name",
        &*format!("{} {}", xml_text(&r.check_id), xml_text(&r.account_id)),
    ));
    case.push_attribute(("classname", classname));
    let Some(o) = outcome(r, remediation) else {
        return w.write_event(Event::Empty(case));
    };
    w.write_event(Event::Start(case))?;
    let mut el = BytesStart::new(o.element);
    el.push_attribute(("message", &*o.message));
    if let Some(kind) = o.kind {
        el.push_attribute(("type", kind));
    }
    match o.body {
        Some(body) => {
            w.write_event(Event::Start(el))?;
            w.write_event(Event::Text(BytesText::new(&body)))?;
            w.write_event(Event::End(BytesEnd::new(o.element)))?;
        }
        None => w.write_event(Event::Empty(el))?,
    }
    w.write_event(Event::End(BytesEnd::new("testcase")))
}

/// XML 1.0 cannot carry most control characters, nor U+FFFE and U+FFFF, even escaped: a
/// document holding one is not XML at all, and the CI job drops it. They are shown as
/// `[U+XXXX]` instead, like the characters that could disguise text.
pub fn xml_text(s: &str) -> Cow<'_, str> {
    let s = reveal_controls(s);
    if !s.chars().any(|c| matches!(c, '\u{FFFE}' | '\u{FFFF}')) {
        return s;
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '\u{FFFE}' | '\u{FFFF}' => out.push_str(&format!("[U+{:04X}]", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::xml_text;

    #[test]
    fn characters_xml_forbids_are_shown() {
        assert_eq!(
            xml_text("a\u{FFFE}b\u{FFFF}c\u{1}"),
            "a[U+FFFE]b[U+FFFF]c[U+0001]"
        );
        assert_eq!(xml_text("tab\tok"), "tab\tok");
    }
}
