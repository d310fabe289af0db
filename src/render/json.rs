//! results.json (`cli.md`): the stable, versioned, sorted form that baselines and CI read.

use crate::model::results::Report;

/// Pretty JSON with a trailing newline; identical input gives identical bytes.
pub fn render(report: &Report) -> String {
    let mut s =
        serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}
