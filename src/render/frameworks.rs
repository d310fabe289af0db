//! Coverage of the guidance: for each requirement of the guidance catalogue
//! (`guidance/requirements.yaml`, one framework per document), which controls serve it (the
//! check definitions' `requirements:` lists, the one mapping), how they stand, or that it is
//! manual. An organisation may still give its own catalogue as `frameworks.yaml` in
//! `--templates DIR` (requirements may then list their `controls:` too).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::digest::is_not_assessed;
use crate::model::results::Report;

#[derive(Debug, Clone, Deserialize)]
pub struct Catalogue {
    pub frameworks: Vec<Framework>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Framework {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub source: String,
    pub requirements: Vec<Requirement>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Requirement {
    pub id: String,
    #[serde(default)]
    pub section: String,
    pub text: String,
    #[serde(default)]
    pub controls: Vec<String>,
    #[serde(default)]
    pub manual: bool,
}

/// How one requirement stands in this audit. "Met" is earned only when every applicable result
/// of every control passes; waived gaps, unassessed controls and unverified results each say so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Standing {
    Met,
    /// Nothing failed, but only because waivers cover the gaps.
    MetWithAcceptedRisk,
    NotMet,
    Unverified,
    /// Some of its controls passed; others could not look (no vault, offline...).
    PartlyAssessed,
    NotAssessed,
    Manual,
}

impl Standing {
    pub fn label(self) -> &'static str {
        match self {
            Standing::Met => "Met",
            Standing::MetWithAcceptedRisk => "Met, with accepted risk",
            Standing::NotMet => "Not met",
            Standing::Unverified => "Not verified",
            Standing::PartlyAssessed => "Partly assessed",
            Standing::NotAssessed => "Not assessed",
            Standing::Manual => "Manual (attestation)",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    pub id: String,
    pub section: String,
    pub text: String,
    pub controls: Vec<String>,
    pub standing: Standing,
    pub failing: usize,
    pub erroring: usize,
    pub waived: usize,
    pub passing: usize,
    /// Results skipped because their check could not look.
    pub not_assessed: usize,
    /// Controls with such results, and the first reason given for each.
    pub not_assessed_controls: Vec<(String, String)>,
}

/// The built-in catalogue: one framework per guidance document, in the catalogue's order.
pub fn builtin() -> Catalogue {
    let g = crate::model::guidance::Guidance::builtin();
    Catalogue {
        frameworks: g
            .documents
            .iter()
            .map(|d| Framework {
                id: d.id.clone(),
                name: d.title.clone(),
                source: d.citation(),
                requirements: g
                    .requirements
                    .iter()
                    .filter(|r| r.document == d.id)
                    .map(|r| Requirement {
                        id: r.id.clone(),
                        section: r.section.clone(),
                        text: r.text.clone(),
                        controls: Vec::new(),
                        manual: r.manual,
                    })
                    .collect(),
            })
            .collect(),
    }
}

pub fn parse(text: &str, name: &str) -> crate::Result<Catalogue> {
    serde_saphyr::from_str(text).map_err(|e| {
        crate::Error::Usage(format!("{name}: not a valid requirements catalogue: {e}"))
    })
}

/// Coverage of every requirement of `framework` by the results of `report`. Controls come from
/// the catalogue and from each check's own `requirements` list.
pub fn coverage(framework: &Framework, report: &Report) -> Vec<Coverage> {
    // Per control: pass, fail, error, skipped, waived, then not assessed (a kind of skipped).
    let mut tally: BTreeMap<&str, [usize; 6]> = BTreeMap::new();
    let mut reasons: BTreeMap<&str, &str> = BTreeMap::new();
    for r in &report.results {
        let t = tally.entry(r.check_id.as_str()).or_default();
        t[r.status as usize] += 1;
        if is_not_assessed(r) {
            t[5] += 1;
            reasons
                .entry(r.check_id.as_str())
                .or_insert(r.message.as_str());
        }
    }
    let ran: BTreeSet<&str> = report.checks.iter().map(|c| c.id.as_str()).collect();
    framework
        .requirements
        .iter()
        .map(|req| {
            let mut controls: BTreeSet<String> = req.controls.iter().cloned().collect();
            for c in &report.checks {
                if c.requirements.iter().any(|r| r == &req.id) {
                    controls.insert(c.id.clone());
                }
            }
            let mut sum = [0usize; 6];
            let mut unassessed = Vec::new();
            for c in controls.iter().filter(|c| ran.contains(c.as_str())) {
                if let Some(t) = tally.get(c.as_str()) {
                    for (s, v) in sum.iter_mut().zip(t) {
                        *s += v;
                    }
                }
                if let Some(why) = reasons.get(c.as_str()) {
                    unassessed.push((c.clone(), why.to_string()));
                }
            }
            let [pass, fail, error, _skipped, waived, not_assessed] = sum;
            let standing = if controls.is_empty() && req.manual {
                Standing::Manual
            } else if fail > 0 {
                Standing::NotMet
            } else if error > 0 {
                Standing::Unverified
            } else if pass + waived == 0 {
                if not_assessed == 0 && req.manual {
                    Standing::Manual
                } else {
                    Standing::NotAssessed
                }
            } else if not_assessed > 0 {
                Standing::PartlyAssessed
            } else if waived > 0 {
                Standing::MetWithAcceptedRisk
            } else {
                Standing::Met
            };
            Coverage {
                id: req.id.clone(),
                section: req.section.clone(),
                text: req.text.clone(),
                controls: controls.into_iter().collect(),
                standing,
                failing: fail,
                erroring: error,
                waived,
                passing: pass,
                not_assessed,
                not_assessed_controls: unassessed,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::results::Status;

    /// One catalogue, one mapping: every requirement is manual or served by a built-in control,
    /// every requirement a control names exists, every control serves one.
    #[test]
    fn every_requirement_is_served_and_every_control_maps() {
        let cat = builtin();
        assert!(cat.frameworks.len() >= 4);
        let registry = crate::engine::registry::Registry::builtin().expect("built-in checks");
        let ids: BTreeSet<&str> = cat
            .frameworks
            .iter()
            .flat_map(|f| f.requirements.iter().map(|r| r.id.as_str()))
            .collect();
        for c in &registry.checks {
            assert!(
                !c.def.requirements.is_empty(),
                "{} serves no requirement",
                c.def.id
            );
            for r in &c.def.requirements {
                assert!(
                    ids.contains(r.as_str()),
                    "{} names unknown requirement {r}",
                    c.def.id
                );
            }
        }
        for f in &cat.frameworks {
            for r in &f.requirements {
                let served = registry
                    .checks
                    .iter()
                    .any(|c| c.def.requirements.contains(&r.id));
                assert!(r.manual || served, "{} is neither served nor manual", r.id);
                assert!(
                    !(r.manual && served),
                    "{} is served but marked manual",
                    r.id
                );
            }
        }
    }

    /// One requirement checked by `AUTH-01` and `AUTH-07`, over results with these statuses.
    fn standing_of(results: &[(&str, Status, bool)]) -> Standing {
        use crate::model::results::{CheckResult, NOT_ASSESSED};
        let mut report = crate::render::sample::synthetic(1, 8);
        report.results = results
            .iter()
            .enumerate()
            .map(|(i, &(check, status, unassessed))| CheckResult {
                check_id: check.into(),
                account_id: format!("a{i}"),
                status,
                severity: crate::model::Severity::High,
                message: String::new(),
                evidence: if unassessed {
                    serde_json::json!({ NOT_ASSESSED: true }).into()
                } else {
                    Default::default()
                },
                waiver: None,
                change: None,
                remediation: None,
            })
            .collect();
        let fw = Framework {
            id: "t".into(),
            name: "t".into(),
            source: String::new(),
            requirements: vec![Requirement {
                id: "T-1".into(),
                section: String::new(),
                text: "t".into(),
                controls: vec!["AUTH-01".into(), "AUTH-07".into()],
                manual: false,
            }],
        };
        coverage(&fw, &report)[0].standing
    }

    #[test]
    fn met_only_when_every_applicable_result_passes() {
        use Status::*;
        assert_eq!(standing_of(&[("AUTH-01", Pass, false)]), Standing::Met);
        assert_eq!(
            standing_of(&[("AUTH-01", Pass, false), ("AUTH-01", Waived, false)]),
            Standing::MetWithAcceptedRisk
        );
        assert_eq!(
            standing_of(&[("AUTH-01", Waived, false)]),
            Standing::MetWithAcceptedRisk
        );
        assert_eq!(
            standing_of(&[("AUTH-01", Pass, false), ("AUTH-07", Skipped, true)]),
            Standing::PartlyAssessed
        );
        assert_eq!(
            standing_of(&[("AUTH-07", Skipped, true)]),
            Standing::NotAssessed
        );
        assert_eq!(
            standing_of(&[("AUTH-01", Pass, false), ("AUTH-07", Skipped, false)]),
            Standing::Met,
            "a control that does not apply leaves the requirement met"
        );
        assert_eq!(
            standing_of(&[("AUTH-01", Waived, false), ("AUTH-01", Fail, false)]),
            Standing::NotMet
        );
    }

    #[test]
    fn coverage_follows_results() {
        let cat = builtin();
        let report = crate::render::sample::synthetic(50, 32);
        let cov = coverage(&cat.frameworks[0], &report);
        let sec09 = cov.iter().find(|c| c.id == "APP-SEC-2FA").unwrap();
        assert_eq!(sec09.standing, Standing::NotMet);
        assert!(cov.iter().any(|c| c.standing == Standing::Manual));
    }
}
