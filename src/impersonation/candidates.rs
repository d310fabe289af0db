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

/// One field, trimmed; `None` when the column is absent or the field empty. `whole` is the
/// record's text when it is all valid UTF-8 (checked once per row rather than once per field):
/// a field is then valid unless its ends split a character.
fn field<'r>(
    rec: &'r csv::ByteRecord,
    whole: Option<&'r str>,
    col: Option<usize>,
) -> Result<Option<&'r str>, String> {
    let Some(c) = col else {
        return Ok(None);
    };
    let text = match (whole, rec.range(c)) {
        (Some(whole), Some(range)) => whole.get(range),
        _ => rec.get(c).and_then(|b| std::str::from_utf8(b).ok()),
    };
    let s = match text {
        Some(s) => s.trim(),
        None if rec.get(c).is_none() => return Ok(None),
        None => return Err("not valid UTF-8".to_string()),
    };
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

/// Rows per batch handed to a worker: large enough that channel traffic is noise, small enough
/// that memory stays flat on a file of millions of rows.
const BATCH: usize = 4096;

/// Rows read by the reader thread for a worker. Its records are kept when it comes back, so
/// `len` says how many hold this batch's rows.
#[derive(Default)]
struct Batch {
    records: Vec<csv::ByteRecord>,
    len: usize,
}

impl Batch {
    fn rows(&self) -> &[csv::ByteRecord] {
        &self.records[..self.len.min(self.records.len())]
    }

    /// The record the next row is read into (the batch is reset first if it came back full).
    fn next_slot(&mut self) -> &mut csv::ByteRecord {
        if self.len >= BATCH {
            self.len = 0;
        }
        if self.records.len() <= self.len {
            self.records.resize_with(self.len + 1, csv::ByteRecord::new);
        }
        &mut self.records[self.len]
    }

    /// Keep the row just read, unless it is a blank line; returns the rows now held.
    fn keep(&mut self) -> usize {
        let blank = self
            .records
            .get(self.len)
            .is_some_and(|r| r.len() == 1 && r.get(0).is_some_and(<[u8]>::is_empty));
        if !blank {
            self.len += 1;
        }
        self.len
    }
}

/// What one worker gives back: suspects, bad rows (line, diagnostic) and counts.
#[derive(Default)]
struct WorkerOut {
    hits: Vec<(super::Slot, crate::model::results::Suspect)>,
    bad: Vec<Diagnostic>,
    bad_count: u64,
    candidates: u64,
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
    // Past four scorers the one reading thread is the limit.
    let workers = crate::cores().clamp(1, 4);
    let mut stats = ScanStats::default();
    let mut fatal: Option<Diagnostic> = None;
    let mut reader_bad: Vec<Diagnostic> = Vec::new();
    let found = std::sync::atomic::AtomicUsize::new(0);
    let shared: &Search = search;
    // Reading and splitting CSV is one thread's work; normalising and scoring (the bulk) is
    // shared out in batches. Results are merged after the scope, in a deterministic way.
    let (tx, rx) = std::sync::mpsc::sync_channel::<Batch>(workers * 2);
    let rx = std::sync::Mutex::new(rx);
    // Workers hand read batches back, so their records (and buffers) serve again: a million
    // rows then cost a few dozen allocations rather than two each.
    let (back_tx, back_rx) = std::sync::mpsc::channel::<Batch>();
    let outs: Vec<WorkerOut> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                let (rx, cols, file, source, found) = (&rx, &cols, &file, &source, &found);
                let back = back_tx.clone();
                scope.spawn(move || {
                    let mut out = WorkerOut::default();
                    let mut scratch = super::Scratch::default();
                    loop {
                        // A poisoned lock means another worker panicked: stop taking work.
                        let batch = match rx.lock() {
                            Ok(guard) => guard.recv(),
                            Err(_) => break,
                        };
                        let Ok(batch) = batch else { break };
                        for rec in batch.rows() {
                            let line = rec.position().map_or(0, |p| p.line());
                            match row(rec, cols, source) {
                                Ok(c) => {
                                    out.candidates += 1;
                                    let hits = shared.evaluate(c, &mut scratch);
                                    // Only when there is something to add: an atomic add
                                    // on every row would bounce the counter's cache line
                                    // between the workers a million times.
                                    if !hits.is_empty() {
                                        found.fetch_add(
                                            hits.len(),
                                            std::sync::atomic::Ordering::Relaxed,
                                        );
                                    }
                                    out.hits.extend(hits);
                                }
                                Err(msg) => {
                                    out.bad_count += 1;
                                    if out.bad.len() < MAX_ROW_DIAGNOSTICS {
                                        out.bad.push(diag(file, line, msg));
                                    }
                                }
                            }
                        }
                        // The reader may have finished and gone: then the batch is just freed.
                        let _ = back.send(batch);
                    }
                    out
                })
            })
            .collect();
        drop(back_tx);
        let mut batch = Batch::default();
        loop {
            match reader.read_byte_record(batch.next_slot()) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                        fatal = Some(diag(
                            &file,
                            line,
                            format!("cannot read the candidates file: {e}"),
                        ));
                        break;
                    }
                    stats.rows += 1;
                    stats.bad_row_count += 1;
                    if reader_bad.len() < MAX_ROW_DIAGNOSTICS {
                        reader_bad.push(diag(&file, line, format!("unreadable row: {e}")));
                    }
                    continue;
                }
            }
            stats.rows += 1;
            if stats.rows % 65_536 == 0 {
                pb.set_position(stats.rows);
                pb.set_message(format!(
                    "{} suspects",
                    found.load(std::sync::atomic::Ordering::Relaxed)
                ));
            }
            // A blank line in the middle of a file is not a candidate, nor worth a diagnostic:
            // its slot is simply read into again.
            if batch.keep() == BATCH {
                let next = back_rx.try_recv().unwrap_or_default();
                if tx.send(std::mem::replace(&mut batch, next)).is_err() {
                    break;
                }
            }
        }
        if batch.len > 0 {
            // A send fails only when every worker has stopped, and then their join says why.
            let _ = tx.send(batch);
        }
        drop(tx);
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    pb.finish_and_clear();
    if outs.len() < workers {
        return Err(vec![diag(
            &file,
            0,
            "internal error: a scoring thread stopped",
        )]);
    }
    if let Some(d) = fatal {
        return Err(vec![d]);
    }
    let mut bad = reader_bad;
    for out in outs {
        stats.candidates += out.candidates;
        stats.bad_row_count += out.bad_count;
        bad.extend(out.bad);
        for (slot, suspect) in out.hits {
            search.merge(slot, suspect);
        }
    }
    bad.sort_by_key(|d| d.line);
    bad.truncate(MAX_ROW_DIAGNOSTICS);
    stats.bad_rows = bad;
    stats.suspects = search.suspects_found();
    Ok(stats)
}

/// One row as a candidate, or what is wrong with it.
fn row<'r>(
    rec: &'r csv::ByteRecord,
    cols: &Columns,
    source: &'r str,
) -> Result<CandidateRef<'r>, String> {
    let whole = std::str::from_utf8(rec.as_slice()).ok();
    let named = |name: &str, col: Option<usize>| {
        field(rec, whole, col).map_err(|e| format!("`{name}`: {e}"))
    };
    let platform_text = named("platform", Some(cols.platform))?.ok_or("`platform` is empty")?;
    // Lower case is the spelling of cli.md and nearly every file: only other spellings pay
    // for a lower-cased copy.
    let platform = Platform::parse(platform_text)
        .or_else(|| Platform::parse(&platform_text.to_ascii_lowercase()))
        .ok_or_else(|| {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn cols() -> Columns {
        Columns {
            platform: 0,
            handle: 1,
            display_name: Some(2),
            ..Columns::default()
        }
    }

    #[test]
    fn a_field_that_splits_a_character_is_not_utf8() {
        // "x", "é" cut in two across handle and display name: the row's bytes are valid
        // UTF-8 as a whole, each of the two fields is not.
        let rec = csv::ByteRecord::from(vec![&b"x"[..], &b"ab\xc3"[..], &b"\xa9"[..]]);
        assert!(std::str::from_utf8(rec.as_slice()).is_ok());
        let err = row(&rec, &cols(), "f.csv").expect_err("split character");
        assert_eq!(err, "`handle`: not valid UTF-8");
        let bad = csv::ByteRecord::from(vec![&b"x"[..], &b"ok"[..], &b"\xff"[..]]);
        let err = row(&bad, &cols(), "f.csv").expect_err("invalid byte");
        assert_eq!(err, "`display_name`: not valid UTF-8");
        let good = csv::ByteRecord::from(vec![&b"X"[..], &b" @W\xc3\xa9 "[..], &b""[..]]);
        let c = row(&good, &cols(), "f.csv").expect("valid row");
        assert_eq!(
            (c.platform, c.handle, c.display_name),
            (Platform::X, "@Wé", None)
        );
    }
}
