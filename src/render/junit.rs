//! JUnit XML for CI test views: one suite per check, one test case per (check, account).
//! fail → failure, error → error, skipped and waived → skipped (with the reason).

use quick_junit::{NonSuccessKind, Report as JReport, TestCase, TestCaseStatus, TestSuite};

use super::reveal_controls;
use crate::model::results::{Report, Status};
use crate::{Error, Result};

pub fn render(report: &Report) -> Result<String> {
    let mut out = JReport::new(format!("palisade: {}", clean(&report.organisation)));
    for check in &report.checks {
        let mut suite = TestSuite::new(format!("{}: {}", check.id, clean(&check.title)));
        for r in report.results.iter().filter(|r| r.check_id == check.id) {
            let message = clean(&r.message);
            let status = match r.status {
                Status::Pass => TestCaseStatus::success(),
                Status::Fail | Status::Error => {
                    let kind = if r.status == Status::Fail {
                        NonSuccessKind::Failure
                    } else {
                        NonSuccessKind::Error
                    };
                    let mut s = TestCaseStatus::non_success(kind);
                    s.set_message(message.clone()).set_type(r.severity.as_str());
                    if !check.remediation.is_empty() {
                        s.set_description(format!(
                            "{message}\nRemediation: {}",
                            clean(&check.remediation)
                        ));
                    }
                    s
                }
                Status::Skipped => {
                    let mut s = TestCaseStatus::skipped();
                    s.set_message(message.clone());
                    s
                }
                Status::Waived => {
                    let mut s = TestCaseStatus::skipped();
                    let why = match &r.waiver {
                        Some(w) => format!(
                            "waived by {} until {}: {}",
                            clean(&w.approved_by),
                            clean(&w.expires_on),
                            clean(&w.reason)
                        ),
                        None => "waived".to_string(),
                    };
                    s.set_message(why);
                    s
                }
            };
            let mut case = TestCase::new(format!("{} {}", check.id, clean(&r.account_id)), status);
            case.set_classname(format!("palisade.{}", check.family));
            suite.add_test_case(case);
        }
        out.add_test_suite(suite);
    }
    out.to_string()
        .map_err(|e| Error::Internal(format!("writing JUnit XML: {e}")))
}

/// XML 1.0 cannot carry most control characters even escaped; make them visible instead.
fn clean(s: &str) -> String {
    reveal_controls(s).into_owned()
}
