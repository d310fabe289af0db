//! Streaming reader for `--candidates FILE` (`cli.md`): a CSV with a header naming at least
//! `platform` and `handle`, optionally `display_name,bio,url,followers,created_on`, in any order.
//!
//! Files may hold millions of rows, so one row is parsed at a time into a reused record and fed
//! to the search without copying its text. A bad row becomes a diagnostic (file:line) and the
//! scan goes on: one broken line must not cost a million-row scan.

use std::io::IsTerminal;
use std::path::Path;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{CandidateRef, Search};
use crate::error::{Code, Diagnostic};
use crate::model::Platform;

/// Bad rows kept in full; beyond this only the count grows (a file of garbage must not fill
/// memory with diagnostics).
pub const MAX_ROW_DIAGNOSTICS: usize = 1000;

/// What one scan did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScanStats {
    /// Data rows read (header excluded).
    pub rows: u64,
    /// Rows that were valid candidates and were scored.
    pub candidates: u64,
    /// Suspects known to the search after this scan (all sources so far).
    pub suspects: usize,
    /// Bad rows, the first [`MAX_ROW_DIAGNOSTICS`] of them.
    pub bad_rows: Vec<Diagnostic>,
    /// How many rows were bad in all.
    pub bad_row_count: u64,
}

fn diag(file: &str, line: u64, message: impl Into<String>) -> Diagnostic {
    Diagnostic {
        code: Code::BadCsv,
        file: file.to_string(),
        line: u32::try_from(line).unwrap_or(u32::MAX),
        column: 1,
        message: message.into(),
        snippet: None,
    }
}

/// Column positions, found by name in the header.
#[derive(Debug, Default)]
struct Columns {
    platform: usize,
    handle: usize,
    display_name: Option<usize>,
    bio: Option<usize>,
    url: Option<usize>,
    followers: Option<usize>,
}

fn columns(header: &csv::ByteRecord, file: &str) -> Result<Columns, Vec<Diagnostic>> {
    let find = |name: &str| {
        header.iter().position(|h| {
            let h = String::from_utf8_lossy(h);
            h.trim()
                .trim_start_matches('\u{feff}')
                .eq_ignore_ascii_case(name)
        })
    };
    let platform = find("platform");
    let handle = find("handle");
    let mut errs = Vec::new();
    for (name, col) in [("platform", platform), ("handle", handle)] {
        if col.is_none() {
            errs.push(diag(
                file,
                1,
                format!("the header has no `{name}` column (required: platform,handle)"),
            ));
        }
    }
    match (platform, handle) {
        (Some(platform), Some(handle)) => Ok(Columns {
            platform,
            handle,
            display_name: find("display_name"),
            bio: find("bio"),
            url: find("url"),
            followers: find("followers"),
        }),
        _ => Err(errs),
    }
}

fn field<'r>(rec: &'r csv::ByteRecord, col: Option<usize>) -> Result<Option<&'r str>, String> {
    let Some(bytes) = col.and_then(|c| rec.get(c)) else {
        return Ok(None);
    };
    let s = std::str::from_utf8(bytes).map_err(|_| "not valid UTF-8".to_string())?;
    let s = s.trim();
    Ok((!s.is_empty()).then_some(s))
}

fn progress_bar(progress: bool) -> ProgressBar {
    if !progress || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} {human_pos} rows read, {msg} [{elapsed}]")
    {
        pb.set_style(style);
    }
    pb.enable_steady_tick(Duration::from_millis(200));
    pb
}

pub(super) fn scan(
    search: &mut Search,
    path: &Path,
    progress: bool,
) -> Result<ScanStats, Vec<Diagnostic>> {
    let file = path.display().to_string();
    let source = path
        .file_name()
        .map_or_else(|| file.clone(), |n| n.to_string_lossy().into_owned());
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_path(path)
        .map_err(|e| {
            vec![diag(
                &file,
                0,
                format!("cannot read the candidates file: {e}"),
            )]
        })?;
    let header = reader
        .byte_headers()
        .map_err(|e| vec![diag(&file, 1, format!("cannot read the header: {e}"))])?
        .clone();
    let cols = columns(&header, &file)?;
    let pb = progress_bar(progress);
    let mut stats = ScanStats::default();
    let mut rec = csv::ByteRecord::new();
    let bad = |stats: &mut ScanStats, d: Diagnostic| {
        stats.bad_row_count += 1;
        if stats.bad_rows.len() < MAX_ROW_DIAGNOSTICS {
            stats.bad_rows.push(d);
        }
    };
    loop {
        let more = match reader.read_byte_record(&mut rec) {
            Ok(more) => more,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    pb.finish_and_clear();
                    return Err(vec![diag(
                        &file,
                        line,
                        format!("cannot read the candidates file: {e}"),
                    )]);
                }
                stats.rows += 1;
                bad(
                    &mut stats,
                    diag(&file, line, format!("unreadable row: {e}")),
                );
                continue;
            }
        };
        if !more {
            break;
        }
        stats.rows += 1;
        let line = rec.position().map_or(stats.rows + 1, |p| p.line());
        if stats.rows % 65_536 == 0 {
            pb.set_position(stats.rows);
            pb.set_message(format!("{} suspects", search.suspects_found()));
        }
        // A blank line in the middle of a file is not a candidate, nor worth a diagnostic.
        if rec.len() == 1 && rec.get(0).is_some_and(|f| f.is_empty()) {
            continue;
        }
        match row(&rec, &cols, &source) {
            Ok(c) => {
                stats.candidates += 1;
                search.consider_ref(c);
            }
            Err(msg) => bad(&mut stats, diag(&file, line, msg)),
        }
    }
    pb.finish_and_clear();
    stats.suspects = search.suspects_found();
    Ok(stats)
}

/// One row as a candidate, or what is wrong with it.
fn row<'r>(
    rec: &'r csv::ByteRecord,
    cols: &Columns,
    source: &'r str,
) -> Result<CandidateRef<'r>, String> {
    let named =
        |name: &str, col: Option<usize>| field(rec, col).map_err(|e| format!("`{name}`: {e}"));
    let platform_text = named("platform", Some(cols.platform))?.ok_or("`platform` is empty")?;
    let platform = Platform::parse(&platform_text.to_ascii_lowercase()).ok_or_else(|| {
        format!(
            "`platform`: unknown platform {platform_text:?} (one of {})",
            Platform::ALL.join(", ")
        )
    })?;
    let handle = named("handle", Some(cols.handle))?.ok_or("`handle` is empty")?;
    let bare = handle.trim_start_matches('@');
    if bare.is_empty() {
        return Err("`handle` is empty".to_string());
    }
    if bare.chars().any(char::is_whitespace) {
        return Err(format!(
            "`handle`: {handle:?} contains a space, which no platform allows"
        ));
    }
    if let Some(f) = named("followers", cols.followers)? {
        if f.replace([',', '_'], "").parse::<u64>().is_err() {
            return Err(format!("`followers`: {f:?} is not a whole number"));
        }
    }
    Ok(CandidateRef {
        platform,
        handle,
        display_name: named("display_name", cols.display_name)?,
        bio: named("bio", cols.bio)?,
        url: named("url", cols.url)?,
        source,
    })
}
