//! The guidance palisade audits against (`guidance/requirements.yaml`, embedded): the
//! documents, cited by title, publisher and date, never by a file name, and their requirements.
//! This is the one catalogue of requirement ids; check definitions name the requirements they
//! serve, and the reports' coverage tables are built from both.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

const BUILTIN: &str = include_str!("../../guidance/requirements.yaml");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    pub id: String,
    pub title: String,
    pub publisher: String,
    pub date: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Document {
    /// How reports cite it: *title*, publisher (date).
    pub fn citation(&self) -> String {
        format!("{}, {} ({})", self.title, self.publisher, self.date)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    pub id: String,
    pub document: String,
    pub section: String,
    pub text: String,
    /// No control can check it: it rests on the attestation.
    #[serde(default)]
    pub manual: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Guidance {
    pub documents: Vec<Document>,
    pub requirements: Vec<Requirement>,
}

impl Guidance {
    /// The built-in catalogue, parsed once (tested, so an empty one here is a bug, not a panic).
    pub fn builtin() -> &'static Guidance {
        static G: OnceLock<Guidance> = OnceLock::new();
        G.get_or_init(|| Self::parse_builtin().unwrap_or_default())
    }

    pub fn parse_builtin() -> Result<Guidance, String> {
        serde_saphyr::from_str(BUILTIN).map_err(|e| e.to_string())
    }

    pub fn document(&self, id: &str) -> Option<&Document> {
        self.documents.iter().find(|d| d.id == id)
    }

    pub fn requirement(&self, id: &str) -> Option<&Requirement> {
        self.requirements.iter().find(|r| r.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_parses_and_every_requirement_names_a_document() {
        let g = Guidance::parse_builtin().expect("guidance/requirements.yaml parses");
        assert!(g.documents.len() >= 4);
        let mut ids = std::collections::BTreeSet::new();
        for r in &g.requirements {
            assert!(ids.insert(r.id.as_str()), "{} twice", r.id);
            assert!(
                g.document(&r.document).is_some(),
                "{}: no document {}",
                r.id,
                r.document
            );
        }
    }

    #[test]
    fn no_document_is_cited_by_a_file_name() {
        let g = Guidance::parse_builtin().expect("parses");
        let file_name = regex::Regex::new(r"\d{3}_[0-9a-f]{16}|\.txt\b").expect("regex");
        for d in &g.documents {
            assert!(!file_name.is_match(&d.citation()), "{}", d.citation());
        }
    }
}
