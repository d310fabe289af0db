//! The guidance requirements catalogue (`templates/frameworks.yaml`) and the coverage it gives:
//! for each requirement, which controls check it, how they stand, or that it is manual.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::model::results::Report;

pub const BUILTIN: &str = include_str!("../../templates/frameworks.yaml");

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

/// How one requirement stands in this audit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Standing {
    Met,
    NotMet,
    Unverified,
    NotAssessed,
    Manual,
}

impl Standing {
    pub fn label(self) -> &'static str {
        match self {
            Standing::Met => "Met",
            Standing::NotMet => "Not met",
            Standing::Unverified => "Not verified",
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
}

pub fn parse(text: &str, name: &str) -> crate::Result<Catalogue> {
    serde_saphyr::from_str(text).map_err(|e| {
        crate::Error::Usage(format!("{name}: not a valid requirements catalogue: {e}"))
    })
}

/// Coverage of every requirement of `framework` by the results of `report`. Controls come from
/// the catalogue and from each check's own `requirements` list.
pub fn coverage(framework: &Framework, report: &Report) -> Vec<Coverage> {
    let mut tally: BTreeMap<&str, [usize; 5]> = BTreeMap::new();
    for r in &report.results {
        let t = tally.entry(r.check_id.as_str()).or_default();
        t[r.status as usize] += 1;
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
            let mut sum = [0usize; 5];
            for c in controls.iter().filter(|c| ran.contains(c.as_str())) {
                if let Some(t) = tally.get(c.as_str()) {
                    for (s, v) in sum.iter_mut().zip(t) {
                        *s += v;
                    }
                }
            }
            let [pass, fail, error, _skipped, waived] = sum;
            let standing = if controls.is_empty() && req.manual {
                Standing::Manual
            } else if fail > 0 {
                Standing::NotMet
            } else if error > 0 {
                Standing::Unverified
            } else if pass + waived > 0 {
                Standing::Met
            } else if req.manual {
                Standing::Manual
            } else {
                Standing::NotAssessed
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
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalogue_parses_and_names_known_controls() {
        let cat = parse(BUILTIN, "frameworks.yaml").unwrap();
        assert_eq!(cat.frameworks.len(), 3);
        let known: BTreeSet<&str> = crate::render::sample::CONTROLS
            .iter()
            .map(|c| c.0)
            .collect();
        for f in &cat.frameworks {
            for r in &f.requirements {
                assert!(
                    r.manual || !r.controls.is_empty(),
                    "{} has neither controls nor manual",
                    r.id
                );
                for c in &r.controls {
                    assert!(
                        known.contains(c.as_str()),
                        "{} names unknown control {c}",
                        r.id
                    );
                }
            }
        }
    }

    #[test]
    fn coverage_follows_results() {
        let cat = parse(BUILTIN, "frameworks.yaml").unwrap();
        let report = crate::render::sample::synthetic(50, 32);
        let cov = coverage(&cat.frameworks[0], &report);
        let sec09 = cov.iter().find(|c| c.id == "APP-SEC-09").unwrap();
        assert_eq!(sec09.standing, Standing::NotMet);
        assert!(cov.iter().any(|c| c.standing == Standing::Manual));
    }
}
