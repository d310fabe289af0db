//! The machine-readable outputs, checked by the tools their consumers use:
//! - junit.xml against the Jenkins xUnit plugin's `junit-10.xsd` (`tests/data/junit/`) with
//!   `xmllint` (Debian's `libxml2-utils`), and read back by `junitparser` (PyPI);
//! - results.sarif with the SARIF multitool's `validate` (npm `@microsoft/sarif-multitool`).
//!
//! `.ci/run` installs all three. A missing validator FAILS its test with the command that
//! installs it: an output nobody validated must not look validated.

use std::path::{Path, PathBuf};
use std::process::Command;

use palisade::baseline::{apply_baseline, load_results};
use palisade::model::results::{Report, Status};
use palisade::render::{junit, sample, sarif};

/// The exact multitool version `.ci/run` installs.
const MULTITOOL: &str = "@microsoft/sarif-multitool@5.7.0";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn fixture() -> Report {
    let data = root().join("tests/data/report");
    let mut r = load_results(&data.join("current.json")).expect("fixture parses");
    apply_baseline(
        &mut r,
        &load_results(&data.join("baseline.json")).expect("baseline parses"),
    );
    r
}

/// The fixture with what breaks XML and markup everywhere an input reaches: characters XML 1.0
/// forbids (U+FFFE, U+FFFF, C0 controls), a CDATA end, quotes, a bidi override, line breaks.
fn hostile() -> Report {
    const NASTY: &str = "\u{FFFE}x\u{FFFF}\u{1}\u{1b}[2J]]>\"'<&>\u{202E}\r\n\u{0}";
    let mut r = fixture();
    r.organisation.push_str(NASTY);
    for c in &mut r.checks {
        c.id.push_str(NASTY);
        c.title.push_str(NASTY);
        c.family.push_str(NASTY);
        c.remediation.push_str(NASTY);
    }
    for x in &mut r.results {
        x.message.push_str(NASTY);
        x.check_id.push_str(NASTY);
        x.account_id.push_str(NASTY);
        if let Some(w) = &mut x.waiver {
            w.reason.push_str(NASTY);
            w.approved_by.push_str(NASTY);
        }
    }
    for a in &mut r.accounts {
        a.id.push_str(NASTY);
    }
    r
}

fn junit_inputs() -> Vec<(&'static str, Report)> {
    vec![
        ("fixture", fixture()),
        ("hostile", hostile()),
        ("synthetic", sample::synthetic(300, 27)),
    ]
}

fn missing(tool: &str, install: &str) -> ! {
    panic!("{tool} is not installed, so this output cannot be validated. Install it with `{install}` (`.ci/run` does).")
}

#[test]
fn junit_validates_against_the_jenkins_xunit_schema() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (name, report) in junit_inputs() {
        let p = dir.path().join(format!("{name}.junit.xml"));
        std::fs::write(&p, junit::render(&report).unwrap()).unwrap();
        files.push(p);
    }
    let out = match Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(root().join("tests/data/junit/junit-10.xsd"))
        .args(&files)
        .output()
    {
        Ok(o) => o,
        Err(_) => missing("xmllint", "apt-get install libxml2-utils"),
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "junit.xml fails junit-10.xsd:\n{stderr}"
    );
    assert_eq!(
        stderr.matches(" validates").count(),
        files.len(),
        "{stderr}"
    );
}

#[test]
fn junit_forbidden_characters_are_shown_not_written() {
    let text = junit::render(&hostile()).unwrap();
    for c in [
        '\u{FFFE}', '\u{FFFF}', '\u{1}', '\u{0}', '\u{1b}', '\u{202E}',
    ] {
        assert!(!text.contains(c), "{c:?} written raw");
    }
    assert!(text.contains("[U+FFFE]x[U+FFFF]"));
    assert!(!text.contains("]]>"), "a CDATA end must be escaped in text");
}

/// junitparser (PyPI) is what many Python CI tools read JUnit with; GitLab reads the same
/// elements (testsuite, testcase, failure, error, skipped).
#[test]
fn junit_is_read_by_junitparser() {
    let dir = tempfile::tempdir().unwrap();
    let script = r#"
import sys
from junitparser import JUnitXml, Failure, Error, Skipped
xml = JUnitXml.fromfile(sys.argv[1])
n = f = e = s = 0
for suite in xml:
    for case in suite:
        n += 1
        kinds = {type(r) for r in case.result}
        f += Failure in kinds
        e += Error in kinds
        s += Skipped in kinds
    assert suite.tests == len(list(suite)), suite.name
print(n, f, e, s)
"#;
    for (name, report) in junit_inputs() {
        let p = dir.path().join(format!("{name}.junit.xml"));
        std::fs::write(&p, junit::render(&report).unwrap()).unwrap();
        let out = match Command::new("python3")
            .args(["-c", script])
            .arg(&p)
            .output()
        {
            Ok(o) => o,
            Err(_) => missing("python3", "apt-get install python3"),
        };
        let stderr = String::from_utf8_lossy(&out.stderr);
        if stderr.contains("No module named 'junitparser'") {
            missing("junitparser", "python3 -m pip install junitparser==5.0.3");
        }
        assert!(out.status.success(), "{name}: {stderr}");
        let count = |s: Status| report.results.iter().filter(|x| x.status == s).count();
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            format!(
                "{} {} {} {}",
                report.results.len(),
                count(Status::Fail),
                count(Status::Error),
                count(Status::Skipped) + count(Status::Waived)
            ),
            "{name}"
        );
    }
}

/// The multitool's own executable. Its npm launcher (`.bin/sarif-multitool`) runs it through
/// a shell, which would split `--level Error;Warning;Note` at the semicolons.
fn multitool() -> PathBuf {
    if let Some(p) = std::env::var_os("SARIF_MULTITOOL") {
        return p.into();
    }
    let (platform, exe) = match std::env::consts::OS {
        "macos" => ("darwin", "Sarif.Multitool"),
        "windows" => ("win32", "Sarif.Multitool.exe"),
        _ => ("linux", "Sarif.Multitool"),
    };
    let local = root()
        .join(".ci/tools/node_modules/@microsoft")
        .join(format!("sarif-multitool-{platform}"))
        .join(exe);
    if local.exists() {
        return local;
    }
    missing(
        "The SARIF multitool",
        &format!("npm install --prefix .ci/tools --no-save {MULTITOOL}"),
    )
}

/// Every SARIF file palisade can write (inventory under the current directory, elsewhere with
/// spaces, `#` and non-ASCII in its path, hostile values) passes `sarif-multitool validate`
/// with no error and no warning.
#[test]
fn sarif_passes_the_multitool() {
    let tool = multitool();
    let dir = tempfile::tempdir().unwrap();
    let cwd = Path::new("/work/repo");
    let mut elsewhere = fixture();
    elsewhere.meta.inventory = "/srv/audits/Westmere #1/inventaire é.yaml".into();
    let mut under = fixture();
    under.meta.inventory = "/work/repo/org files/it's & (new) [1].yaml".into();
    let inputs = [
        ("fixture", fixture()),
        ("elsewhere", elsewhere),
        ("under", under),
        ("hostile", hostile()),
        ("synthetic", sample::synthetic(300, 27)),
    ];
    let mut files = Vec::new();
    for (name, report) in &inputs {
        let p = dir.path().join(format!("{name}.sarif"));
        std::fs::write(&p, sarif::render_from(report, Some(cwd)).unwrap()).unwrap();
        files.push(p);
    }
    let log = dir.path().join("validation.sarif");
    let out = Command::new(&tool)
        .arg("validate")
        .args(&files)
        .arg("--output")
        .arg(&log)
        .args(["--level", "Error;Warning"])
        // Without it, one rule fetches every URI in the log over the network.
        .arg("--config")
        .arg(root().join("tests/data/sarif/multitool.xml"))
        .env("DOTNET_CLI_TELEMETRY_OPTOUT", "1")
        .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", tool.display()));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!("{} files scanned", files.len())),
        "the multitool did not run:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&log).expect("validation log written")).unwrap();
    let problems: Vec<String> = v["runs"][0]["results"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter(|r| r["level"] != "note")
        .map(|r| format!("{} {}: {}", r["level"], r["ruleId"], r["message"]))
        .collect();
    assert!(problems.is_empty(), "{problems:#?}\n{stdout}");
}
