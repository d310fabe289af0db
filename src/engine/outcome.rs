//! What one check says about one account (or the organisation): a status, a plain-words
//! message, and evidence. The runner adds ids, severity and waivers.

use serde_json::Value;

use crate::model::results::Status;

#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub status: Status,
    pub message: String,
    pub evidence: Value,
}

impl Outcome {
    fn new(status: Status, message: impl Into<String>) -> Self {
        Outcome {
            status,
            message: message.into(),
            evidence: Value::Object(Default::default()),
        }
    }
    pub fn pass(message: impl Into<String>) -> Self {
        Self::new(Status::Pass, message)
    }
    pub fn fail(message: impl Into<String>) -> Self {
        Self::new(Status::Fail, message)
    }
    /// Could not be verified: a field is `unknown` or missing, or a source failed.
    pub fn error(message: impl Into<String>) -> Self {
        Self::new(Status::Error, message)
    }
    /// Not applicable.
    pub fn skip(message: impl Into<String>) -> Self {
        Self::new(Status::Skipped, message)
    }
    /// Skipped because the check could not look (no vault, no candidate list, offline): the
    /// reports show it as "not assessed, and why", never as a pass or "nothing to fix". The
    /// message says what would let the check look.
    pub fn not_assessed(message: impl Into<String>) -> Self {
        Self::new(Status::Skipped, message).with_evidence(serde_json::json!({
            crate::model::results::NOT_ASSESSED: true
        }))
    }
    pub fn with_evidence(mut self, evidence: Value) -> Self {
        self.evidence = evidence;
        self
    }
}
