//! results.json (`cli.md`): the stable, versioned, sorted form that baselines and CI read.

use std::io::Write;

use crate::model::results::Report;

/// Pretty JSON with a trailing newline; identical input gives identical bytes.
pub fn render(report: &Report) -> String {
    let mut s =
        serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}

/// Streams the same bytes as [`render`] into `out`, without holding the whole document (about
/// 90 MB for 10,000 accounts) in memory.
pub fn write(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    serde_json::to_writer_pretty(&mut out, report).map_err(std::io::Error::other)?;
    out.write_all(b"\n")?;
    out.flush()
}
