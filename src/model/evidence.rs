//! Evidence the sources gather before the engine runs, as model data: the engine and the checks
//! read it, and never call a source.

use serde::Serialize;

/// The organisation's house-rules page as read with `--online` (BRAND-06): its text as
/// sentences, or why it could not be read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HouseRulesPage {
    pub url: String,
    pub sentences: Result<Vec<String>, String>,
}
