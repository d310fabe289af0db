//! Documentation generated from the check definitions, so it is never written twice: the
//! README's table of controls (a test fails when it is stale).

use crate::engine::registry::Registry;

/// The Markdown table of controls for the README.
pub fn controls_table(registry: &Registry) -> String {
    let mut o = String::from("| id | family | severity | control |\n|---|---|---|---|\n");
    for c in &registry.checks {
        o.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            c.def.id, c.def.family, c.def.severity, c.def.title
        ));
    }
    o
}
