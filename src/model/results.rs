//! The one serialisable results model that every renderer reads (`cli.md`, results.json).
//!
//! Field order here is the order in results.json; collections are sorted by the runner so two
//! runs on the same input give byte-identical JSON. New fields may be added; none of the
//! fields of `cli.md` may be renamed or removed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::inventory::Severity;

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
    Error,
    Skipped,
    Waived,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Error => "error",
            Status::Skipped => "skipped",
            Status::Waived => "waived",
        }
    }
    /// Fail and error both count against the posture (an unverifiable control is never a pass).
    pub fn is_problem(self) -> bool {
        matches!(self, Status::Fail | Status::Error)
    }
}

/// Against a baseline: what happened to one (check, account) pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    New,
    Fixed,
    Regressed,
    Unchanged,
    Removed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Organisation score in [0, 100], one decimal; `null` when nothing was scored.
    pub score: Option<f64>,
    pub accounts: usize,
    pub pass: usize,
    pub fail: usize,
    pub error: usize,
    pub skipped: usize,
    pub waived: usize,
    /// Problems (fail + error) by severity used.
    #[serde(default)]
    pub by_severity: BTreeMap<String, usize>,
    /// Score against the baseline, when one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_score: Option<f64>,
}

impl Summary {
    /// Counts one result (after waivers) into the status totals and, for a problem, into its
    /// severity.
    pub fn count(&mut self, status: Status, severity: Severity) {
        match status {
            Status::Pass => self.pass += 1,
            Status::Fail => self.fail += 1,
            Status::Error => self.error += 1,
            Status::Skipped => self.skipped += 1,
            Status::Waived => self.waived += 1,
        }
        if status.is_problem() {
            *self
                .by_severity
                .entry(severity.as_str().to_owned())
                .or_default() += 1;
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reference {
    /// The document as reports cite it: title, publisher (date).
    pub source: String,
    pub section: String,
    /// The document's id in the guidance catalogue (`guidance/requirements.yaml`), when the
    /// reference names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckInfo {
    pub id: String,
    pub title: String,
    pub family: String,
    /// The severity used in this audit (after `policy.severity_overrides`).
    pub severity: Severity,
    #[serde(default)]
    pub default_severity: Option<Severity>,
    #[serde(default)]
    pub rationale: String,
    #[serde(default)]
    pub remediation: String,
    #[serde(default)]
    pub references: Vec<Reference>,
    /// Guidance requirements (framework → requirement ids) this control serves.
    #[serde(default)]
    pub requirements: Vec<String>,
    /// `builtin` or the path of the definition file.
    #[serde(default)]
    pub origin: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaiverApplied {
    pub reason: String,
    pub approved_by: String,
    pub expires_on: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
    /// What the status would have been without the waiver.
    pub status_before: Status,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    pub check_id: String,
    pub account_id: String,
    pub status: Status,
    pub severity: Severity,
    pub message: String,
    #[serde(default)]
    pub evidence: Evidence,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// Boxed: rare, and a result is kept per (check, account) pair (350,000 in a large audit).
    pub waiver: Option<Box<WaiverApplied>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<Change>,
    /// How to fix it on this platform, in the platform's own words and menu names, from the
    /// platform catalogue (with its source); the control's own remediation says the rest.
    /// Shared: every failed result of a control on one platform has the same text, and as a
    /// copy each it was 60 MB of a 10,000-account audit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remediation: Option<std::sync::Arc<str>>,
}

/// The evidence key a check sets (to `true`) on a `skipped` result when it could not look (no
/// vault, no candidate list, offline) rather than because the control does not apply. Reports
/// show such results as "not assessed", never as a pass.
pub const NOT_ASSESSED: &str = "not_assessed";

/// A result's evidence: a JSON value kept as its compact text, or nothing for `{}`.
///
/// Why not a `serde_json::Value`: a large audit keeps a result per (check, account) pair, and a
/// one-entry map as a `Value` is five allocations and about 300 bytes; the text is one
/// allocation of about 25. It serialises as the value it holds (pretty-printed where the output
/// is), so results.json is unchanged; readers that need the value parse it with
/// [`Evidence::to_value`].
#[derive(Clone, Default, PartialEq)]
pub struct Evidence(Option<Box<str>>);

impl Evidence {
    pub fn from_value(v: &serde_json::Value) -> Self {
        match v {
            serde_json::Value::Object(m) if m.is_empty() => Evidence(None),
            // Serialising a `Value` to text cannot fail (its keys are strings).
            v => Evidence(serde_json::to_string(v).ok().map(String::into_boxed_str)),
        }
    }

    pub fn to_value(&self) -> serde_json::Value {
        match &self.0 {
            None => serde_json::Value::Object(Default::default()),
            Some(text) => serde_json::from_str(text).unwrap_or(serde_json::Value::Null),
        }
    }

    /// `{}`: the check had nothing to show.
    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// Whether the check marked its result as not assessed ([`NOT_ASSESSED`]). Cheap for the
    /// common case: the text is parsed only when it mentions the key.
    pub fn says_not_assessed(&self) -> bool {
        self.0.as_deref().is_some_and(|t| {
            t.contains(NOT_ASSESSED)
                && serde_json::from_str::<serde_json::Value>(t)
                    .ok()
                    .and_then(|v| v.get(NOT_ASSESSED).and_then(serde_json::Value::as_bool))
                    == Some(true)
        })
    }
}

impl From<serde_json::Value> for Evidence {
    fn from(v: serde_json::Value) -> Self {
        Evidence::from_value(&v)
    }
}

impl std::fmt::Debug for Evidence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.as_deref().unwrap_or("{}"))
    }
}

impl Serialize for Evidence {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            None => serde::ser::SerializeMap::end(s.serialize_map(Some(0))?),
            Some(text) => {
                let mut de = serde_json::Deserializer::from_str(text);
                serde_transcode::transcode(&mut de, s)
            }
        }
    }
}

impl<'de> Deserialize<'de> for Evidence {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde_json::Value::deserialize(d).map(|v| Evidence::from_value(&v))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountInfo {
    pub id: String,
    pub platform: String,
    pub handle: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub status: String,
    /// Line of the account's entry in the inventory (for SARIF locations).
    #[serde(default)]
    pub line: u32,
    #[serde(default)]
    pub score: Option<f64>,
}

/// A control plane as the report shows it: results about it carry its `id` as `account_id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlaneInfo {
    pub id: String,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    /// The accounts it reaches.
    #[serde(default)]
    pub accounts: Vec<String>,
    #[serde(default)]
    pub line: u32,
    #[serde(default)]
    pub score: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suspect {
    pub account_id: String,
    pub platform: String,
    pub candidate: String,
    pub score: f64,
    pub reasons: Vec<String>,
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// `suspect`, `allowed`, or a triage state (`confirmed`, `reported`, `taken_down`, `benign`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
    /// A `taken_down` suspect found again.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reappeared: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub new: bool,
}

impl Suspect {
    /// Whether it should be flagged (not allowed, not judged benign).
    pub fn is_flagged(&self) -> bool {
        !matches!(self.state.as_deref(), Some("allowed") | Some("benign"))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Regression {
    pub check_id: String,
    pub account_id: String,
    pub was: Status,
    pub now: Status,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaiverNotice {
    pub check: String,
    pub account: String,
    pub approved_by: String,
    pub expires_on: String,
    /// `expired`, `unmatched`, `expiring` (within the next quarter) or `active`.
    pub state: String,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
    #[serde(default)]
    pub line: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceStatus {
    pub name: String,
    pub ok: bool,
    pub detail: String,
}

/// How many of the look-alike handles generated for a platform's accounts were checked live
/// (`--online`): an online audit probes the most likely few per handle, within each host's
/// request budget, and says how many it left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LookalikeCoverage {
    pub platform: String,
    pub probed: usize,
    pub not_probed: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    /// Family → score (absent when nothing in the family was scored).
    pub families: BTreeMap<String, Option<f64>>,
    /// Account id → family → score: the heat map.
    pub accounts: BTreeMap<String, BTreeMap<String, Option<f64>>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditMeta {
    pub inventory: String,
    pub inventory_sha256: String,
    pub checks_run: usize,
    #[serde(default)]
    pub online: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<String>,
}

/// results.json.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: u32,
    pub tool: Tool,
    pub organisation: String,
    pub as_of: String,
    pub summary: Summary,
    pub checks: Vec<CheckInfo>,
    pub results: Vec<CheckResult>,
    #[serde(default)]
    pub impersonation: Vec<Suspect>,
    #[serde(default)]
    pub regressions: Vec<Regression>,
    #[serde(default)]
    pub accounts: Vec<AccountInfo>,
    /// The control planes audited (SMMP, business portfolios...): each reaches many accounts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub control_planes: Vec<PlaneInfo>,
    #[serde(default)]
    pub scores: Scores,
    #[serde(default)]
    pub waivers: Vec<WaiverNotice>,
    #[serde(default)]
    pub sources: Vec<SourceStatus>,
    /// Look-alike handles nobody has registered yet: names to register defensively.
    #[serde(default)]
    pub defensive_registrations: Vec<String>,
    /// Per platform, look-alike handles probed live and left out (online audits only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lookalike_coverage: Vec<LookalikeCoverage>,
    pub meta: AuditMeta,
}
