//! SARIF 2.1.0 for code scanning: one rule per control, one result per failed or errored
//! (check, account), located at the account's entry in the inventory so GitHub annotates it.
//!
//! `partialFingerprints` key results on (check, account), not on the inventory line, so an
//! alert survives edits elsewhere in the file; `security-severity` lets GitHub rank them.
//! The inventory's location is a URI, as SARIF requires (the multitool rejects a raw path):
//! relative to `%SRCROOT%` when the inventory is under the current directory (what code
//! scanning resolves against the checkout), a percent-encoded `file://` URI otherwise.
//!
//! The log is streamed: each result object is built, written and dropped in turn, so memory
//! does not grow with the number of findings.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::json;
use serde_sarif::sarif::{
    ArtifactLocation, Location, Message, MultiformatMessageString, PhysicalLocation, PropertyBag,
    Region, ReportingConfiguration, ReportingDescriptor, Result as SarifResult, ResultLevel, Tool,
    ToolComponent,
};

use crate::model::inventory::Severity;
use crate::model::results::{Change, CheckResult, Report, Status};
use crate::{Error, Result};

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// `tool.driver.informationUri`: where palisade is published (the address its network requests
/// give in their User-Agent).
pub const INFORMATION_URI: &str = env!("CARGO_PKG_HOMEPAGE");

/// The base of each built-in rule's `helpUri`: the control's definition file, which holds its
/// rationale, remediation and guidance references.
pub const RULES_URI: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "/blob/main/checks/");

/// The base the relative inventory URI is resolved against (GitHub code scanning: the checkout).
pub const SRCROOT: &str = "%SRCROOT%";

fn level(s: Severity) -> ResultLevel {
    match s {
        Severity::Critical | Severity::High => ResultLevel::Error,
        Severity::Medium => ResultLevel::Warning,
        Severity::Low => ResultLevel::Note,
    }
}

fn level_str(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

/// GitHub's scale: critical ≥ 9.0, high ≥ 7.0, medium ≥ 4.0, low below.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
    }
}

fn props(map: BTreeMap<String, serde_json::Value>, tags: Vec<String>) -> PropertyBag {
    PropertyBag::builder()
        .tags(tags)
        .additional_properties(map)
        .build()
}

/// Everything about the run except its results, which are streamed.
struct Parts<'a> {
    driver: ToolComponent,
    uri: String,
    uri_base_id: Option<&'static str>,
    rule_index: HashMap<&'a str, usize>,
    lines: HashMap<&'a str, u32>,
}

fn rule(c: &crate::model::results::CheckInfo) -> ReportingDescriptor {
    let mut help = c.remediation.clone();
    if !c.references.is_empty() {
        let refs: Vec<String> = c
            .references
            .iter()
            .map(|r| format!("{} ({})", r.source, r.section))
            .collect();
        help.push_str(&format!("\n\nGuidance: {}", refs.join("; ")));
    }
    let mut map = BTreeMap::new();
    map.insert(
        "security-severity".to_string(),
        json!(security_severity(c.severity)),
    );
    map.insert("family".to_string(), json!(c.family));
    if !c.requirements.is_empty() {
        map.insert("requirements".to_string(), json!(c.requirements));
    }
    let mut d = ReportingDescriptor::builder()
        .id(c.id.clone())
        .name(c.title.clone())
        .short_description(
            MultiformatMessageString::builder()
                .text(c.title.clone())
                .build(),
        )
        .full_description(
            MultiformatMessageString::builder()
                .text(if c.rationale.is_empty() {
                    c.title.clone()
                } else {
                    c.rationale.clone()
                })
                .build(),
        )
        .help(MultiformatMessageString::builder().text(help).build())
        .default_configuration(
            ReportingConfiguration::builder()
                .level(json!(level_str(c.severity)))
                .build(),
        )
        .properties(props(map, vec!["security".to_string(), c.family.clone()]))
        .build();
    // An organisation's own checks (`--checks-dir`) have no published page; nor has an id that
    // is not a plain built-in one (a hand-edited results.json).
    let plain = |ch: char| ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_' | '.');
    if (c.origin.is_empty() || c.origin == "builtin") && c.id.chars().all(plain) {
        d.help_uri = Some(format!("{RULES_URI}{}.yaml", c.id));
    }
    d
}

fn parts<'a>(report: &'a Report, cwd: Option<&Path>) -> Parts<'a> {
    let (uri, uri_base_id) = inventory_uri(&report.meta.inventory, cwd);
    let driver = ToolComponent::builder()
        .name(report.tool.name.clone())
        .version(report.tool.version.clone())
        .semantic_version(report.tool.version.clone())
        .information_uri(INFORMATION_URI)
        .rules(report.checks.iter().map(rule).collect::<Vec<_>>())
        .build();
    Parts {
        driver,
        uri,
        uri_base_id,
        rule_index: report
            .checks
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.as_str(), i))
            .collect(),
        // Results about a control plane point at the plane's entry.
        lines: report
            .accounts
            .iter()
            .map(|a| (a.id.as_str(), a.line))
            .chain(
                report
                    .control_planes
                    .iter()
                    .map(|p| (p.id.as_str(), p.line)),
            )
            .collect(),
    }
}

/// One SARIF result for a failed or errored (check, account).
fn result(parts: &Parts<'_>, r: &CheckResult) -> SarifResult {
    let text = if r.status == Status::Error {
        format!(
            "{} ({}): {}",
            r.check_id,
            r.account_id,
            super::unverified(&r.message)
        )
    } else {
        format!("{} ({}): {}", r.check_id, r.account_id, r.message)
    };
    let line = parts
        .lines
        .get(r.account_id.as_str())
        .copied()
        .unwrap_or(0)
        .max(1);
    let mut artifact = ArtifactLocation::builder().uri(parts.uri.clone()).build();
    artifact.uri_base_id = parts.uri_base_id.map(str::to_owned);
    let location = Location::builder()
        .physical_location(
            PhysicalLocation::builder()
                .artifact_location(artifact)
                .region(Region::builder().start_line(i64::from(line)).build())
                .build(),
        )
        .build();
    let mut fp = BTreeMap::new();
    fp.insert(
        "palisade/v1".to_string(),
        format!("{}/{}", r.check_id, r.account_id),
    );
    let mut map = BTreeMap::new();
    map.insert("account".to_string(), json!(r.account_id));
    map.insert("status".to_string(), json!(r.status.as_str()));
    map.insert("severity".to_string(), json!(r.severity.as_str()));
    let mut b = SarifResult::builder()
        .rule_id(r.check_id.clone())
        .level(if r.status == Status::Error {
            ResultLevel::Warning
        } else {
            level(r.severity)
        })
        .message(Message::builder().text(text).build())
        .locations(vec![location])
        .partial_fingerprints(fp)
        .properties(props(map, Vec::new()))
        .build();
    if let Some(&i) = parts.rule_index.get(r.check_id.as_str()) {
        b.rule_index = Some(i as i64);
    }
    b.baseline_state = r.change.map(|c| {
        json!(match c {
            Change::New | Change::Regressed => "new",
            Change::Unchanged | Change::Fixed => "unchanged",
            Change::Removed => "absent",
        })
    });
    b
}

/// The log, serialised field by field so that `results` is written as it is produced.
struct Log<'a> {
    report: &'a Report,
    parts: Parts<'a>,
}

struct RunSer<'a>(&'a Log<'a>);
struct Results<'a>(&'a Log<'a>);

impl Serialize for Log<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("$schema", SCHEMA)?;
        m.serialize_entry("version", "2.1.0")?;
        m.serialize_entry("runs", &[RunSer(self)])?;
        m.end()
    }
}

impl Serialize for RunSer<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry(
            "tool",
            &Tool::builder().driver(self.0.parts.driver.clone()).build(),
        )?;
        m.serialize_entry("results", &Results(self.0))?;
        m.end()
    }
}

impl Serialize for Results<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        for r in self
            .0
            .report
            .results
            .iter()
            .filter(|r| r.status.is_problem())
        {
            seq.serialize_element(&result(&self.0.parts, r))?;
        }
        seq.end()
    }
}

/// Streams the log into `out`, locating the inventory against the current directory.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    write_from(report, std::env::current_dir().ok().as_deref(), out)
}

/// [`write`] with the directory that relative inventory paths are taken from.
pub fn write_from(report: &Report, cwd: Option<&Path>, out: &mut dyn Write) -> io::Result<()> {
    let log = Log {
        report,
        parts: parts(report, cwd),
    };
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    serde_json::to_writer_pretty(&mut out, &log).map_err(io::Error::other)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// The whole log as a string (tests, `report -o`).
pub fn render(report: &Report) -> Result<String> {
    render_from(report, std::env::current_dir().ok().as_deref())
}

/// [`render`] with the directory that relative inventory paths are taken from.
pub fn render_from(report: &Report, cwd: Option<&Path>) -> Result<String> {
    let mut buf = Vec::new();
    write_from(report, cwd, &mut buf)
        .map_err(|e| Error::Internal(format!("writing SARIF: {e}")))?;
    String::from_utf8(buf).map_err(|e| Error::Internal(format!("writing SARIF: {e}")))
}

/// What a path segment keeps as is: RFC 3986's unreserved characters. The sub-delimiters
/// (`'`, `&`, `(`…) are allowed by the RFC but refused by some consumers (the multitool's .NET
/// URI parser among them), and `:` would make a first segment read as a scheme.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The inventory's `artifactLocation`: a relative reference with `uriBaseId` `%SRCROOT%` when
/// the file is under `cwd`, else an absolute `file://` URI.
pub fn inventory_uri(path: &str, cwd: Option<&Path>) -> (String, Option<&'static str>) {
    let p = Path::new(path);
    let absolute = match cwd {
        _ if p.is_absolute() => lexical(p),
        Some(cwd) => lexical(&cwd.join(p)),
        // Without a current directory a relative path is the best guess at the checkout.
        None => return (relative_uri(&lexical(p)), Some(SRCROOT)),
    };
    if let Some(cwd) = cwd {
        let under = |file: &Path, dir: &Path| {
            file.strip_prefix(dir)
                .ok()
                .filter(|rel| !rel.as_os_str().is_empty())
                .map(Path::to_path_buf)
        };
        // Symbolic links (a checkout under /tmp that is really /private/tmp) are resolved only
        // when the plain comparison fails, and only if both exist.
        let rel = under(&absolute, &lexical(cwd)).or_else(|| {
            let (f, d) = (absolute.canonicalize().ok()?, cwd.canonicalize().ok()?);
            under(&f, &d)
        });
        if let Some(rel) = rel {
            return (relative_uri(&rel), Some(SRCROOT));
        }
    }
    match url::Url::from_file_path(&absolute) {
        Ok(u) => (u.to_string(), None),
        Err(()) => (relative_uri(&absolute), Some(SRCROOT)),
    }
}

/// `a/b c/#1.yaml` → `a/b%20c/%231.yaml`.
fn relative_uri(p: &Path) -> String {
    p.components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy()),
            _ => None,
        })
        .map(|s| utf8_percent_encode(&s, SEGMENT).to_string())
        .collect::<Vec<_>>()
        .join("/")
}

/// `.` and `..` resolved without touching the file system.
fn lexical(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inventory_under_the_current_directory_is_relative() {
        let cwd = Path::new("/work/repo");
        assert_eq!(
            inventory_uri("inventory.yaml", Some(cwd)),
            ("inventory.yaml".to_string(), Some(SRCROOT))
        );
        assert_eq!(
            inventory_uri("./org/my inventory #2.yaml", Some(cwd)),
            ("org/my%20inventory%20%232.yaml".to_string(), Some(SRCROOT))
        );
        assert_eq!(
            inventory_uri("/work/repo/a:b/é.yaml", Some(cwd)),
            ("a%3Ab/%C3%A9.yaml".to_string(), Some(SRCROOT))
        );
    }

    #[test]
    fn inventory_elsewhere_is_a_file_uri() {
        let cwd = Path::new("/work/repo");
        assert_eq!(
            inventory_uri("/srv/audits/Westmere #1/inventaire é.yaml", Some(cwd)),
            (
                "file:///srv/audits/Westmere%20%231/inventaire%20%C3%A9.yaml".to_string(),
                None
            )
        );
        assert_eq!(
            inventory_uri("../other/inv.yaml", Some(cwd)),
            ("file:///work/other/inv.yaml".to_string(), None)
        );
    }
}
