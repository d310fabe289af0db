//! SARIF 2.1.0 for code scanning: one rule per control, one result per failed or errored
//! (check, account), located at the account's entry in the inventory so GitHub annotates it.
//!
//! `partialFingerprints` key results on (check, account), not on the inventory line, so an
//! alert survives edits elsewhere in the file; `security-severity` lets GitHub rank them.

use std::collections::{BTreeMap, HashMap};

use serde_json::json;
use serde_sarif::sarif::{
    ArtifactLocation, Location, Message, MultiformatMessageString, PhysicalLocation, PropertyBag,
    Region, ReportingConfiguration, ReportingDescriptor, Result as SarifResult, ResultLevel, Run,
    Sarif, Tool, ToolComponent,
};

use crate::model::inventory::Severity;
use crate::model::results::{Change, Report, Status};
use crate::{Error, Result};

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

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

pub fn build(report: &Report) -> Sarif {
    let uri = report.meta.inventory.replace('\\', "/");
    let rule_index: HashMap<&str, usize> = report
        .checks
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    let lines: HashMap<&str, u32> = report
        .accounts
        .iter()
        .map(|a| (a.id.as_str(), a.line))
        .collect();

    let rules: Vec<ReportingDescriptor> = report
        .checks
        .iter()
        .map(|c| {
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
            ReportingDescriptor::builder()
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
                .build()
        })
        .collect();

    let results: Vec<SarifResult> = report
        .results
        .iter()
        .filter(|r| r.status.is_problem())
        .map(|r| {
            let text = if r.status == Status::Error {
                format!(
                    "{} ({}): could not be verified: {}",
                    r.check_id, r.account_id, r.message
                )
            } else {
                format!("{} ({}): {}", r.check_id, r.account_id, r.message)
            };
            let line = lines
                .get(r.account_id.as_str())
                .copied()
                .unwrap_or(0)
                .max(1);
            let location = Location::builder()
                .physical_location(
                    PhysicalLocation::builder()
                        .artifact_location(ArtifactLocation::builder().uri(uri.clone()).build())
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
            if let Some(&i) = rule_index.get(r.check_id.as_str()) {
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
        })
        .collect();

    let driver = ToolComponent::builder()
        .name(report.tool.name.clone())
        .version(report.tool.version.clone())
        .semantic_version(report.tool.version.clone())
        .rules(rules)
        .build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .build();
    Sarif::builder()
        .schema(SCHEMA)
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build()
}

pub fn render(report: &Report) -> Result<String> {
    let mut s = serde_json::to_string_pretty(&build(report))
        .map_err(|e| Error::Internal(format!("writing SARIF: {e}")))?;
    s.push('\n');
    Ok(s)
}
