//! Streaming reader for `--candidates FILE` (`cli.md`): a CSV with a header naming at least
//! `platform` and `handle`, optionally `display_name,bio,url,followers,created_on`, in any order.
//!
//! Files may hold millions of rows, so one row is parsed at a time into a reused record and fed
//! to the search without copying its text. A large file without a single `"` is read in pieces
//! on every worker, each line split at its commas by hand (what the `csv` crate would read there,
//! for a fraction of its cost). A bad row becomes a diagnostic (file:line) and the scan goes on:
//! one broken line must not cost a million-row scan.

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

/// What [`row`] reads of a record: its bytes, and where each field lies in them.
trait Fields {
    fn bytes(&self) -> &[u8];
    fn range(&self, col: usize) -> Option<std::ops::Range<usize>>;
    /// The record's bytes as text, when they are valid UTF-8.
    fn whole(&self) -> Option<&str> {
        std::str::from_utf8(self.bytes()).ok()
    }
}

impl Fields for csv::ByteRecord {
    fn bytes(&self) -> &[u8] {
        self.as_slice()
    }

    fn range(&self, col: usize) -> Option<std::ops::Range<usize>> {
        csv::ByteRecord::range(self, col)
    }
}

/// One line of a file without a single `"`, split at its commas: exactly the record the `csv`
/// crate reads there (quotes are what make CSV more than this), for a few instructions a byte.
#[derive(Default)]
struct Line<'a> {
    text: &'a [u8],
    /// `text` as text, cut from the piece of file it lies in when that was checked to be
    /// UTF-8 as a whole: a check over 256 KiB at once costs a fraction of one per line.
    checked: Option<&'a str>,
    /// Where each comma is.
    commas: Vec<usize>,
}

impl Fields for Line<'_> {
    fn bytes(&self) -> &[u8] {
        self.text
    }

    fn range(&self, col: usize) -> Option<std::ops::Range<usize>> {
        let start = match col.checked_sub(1) {
            None => 0,
            Some(c) => self.commas.get(c)? + 1,
        };
        let end = self.commas.get(col).copied().unwrap_or(self.text.len());
        Some(start..end)
    }

    fn whole(&self) -> Option<&str> {
        self.checked.or_else(|| std::str::from_utf8(self.text).ok())
    }
}

/// The records of `data`, which holds no `"`, as the `csv` crate reads them (with the defaults
/// [`scan_split`] uses): a record ends at `\r`, `\n` or `\r\n`, empty lines are skipped, fields
/// are split at commas. `each` gets the record and the line the crate's `position()` gives it
/// (counted from 1): the number of `\n` before the end of the previous record's first line
/// ending, plus one (the crate reads no further before it returns a record).
/// `tests::lines_are_what_the_csv_crate_reads` checks both against the crate. `text` is `data`
/// when it is all valid UTF-8: a line ends at an ASCII byte, so it is a whole piece of that text.
fn split_lines<'a>(
    data: &'a [u8],
    text: Option<&'a str>,
    line: &mut Line<'a>,
    mut each: impl FnMut(u64, &Line<'a>),
) {
    let mut at = 0;
    let mut newlines = 0u64;
    // Line of the next record: fixed when the previous one ends.
    let mut record_line = 1u64;
    while at < data.len() {
        // Line endings before a record are skipped.
        match data[at] {
            b'\n' => {
                newlines += 1;
                at += 1;
                continue;
            }
            b'\r' => {
                at += 1;
                continue;
            }
            _ => {}
        }
        line.commas.clear();
        let start = at;
        loop {
            at = next_stop(data, at);
            if data.get(at) != Some(&b',') {
                break;
            }
            line.commas.push(at - start);
            at += 1;
        }
        line.text = &data[start..at];
        line.checked = text.and_then(|t| t.get(start..at));
        each(record_line, line);
        // The crate takes the first line-ending byte with the record.
        if let Some(&b) = data.get(at) {
            newlines += u64::from(b == b'\n');
            at += 1;
        }
        record_line = newlines + 1;
    }
}

/// Where the first `,`, `\n` or `\r` of `data` at or after `at` is (`data.len()` if none):
/// eight bytes a step, a handful of instructions each rather than per byte.
fn next_stop(data: &[u8], mut at: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    // The lowest set bit of `zero(v)` is on the first zero byte of `v` (bits above it may be
    // wrong, from the borrow): so the lowest of the three is on the first stop.
    let zero = |v: u64| v.wrapping_sub(ONES) & !v & (ONES << 7);
    while let Some(chunk) = data.get(at..at + 8) {
        let v = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        let hit = zero(v ^ (ONES * u64::from(b',')))
            | zero(v ^ (ONES * u64::from(b'\n')))
            | zero(v ^ (ONES * u64::from(b'\r')));
        if hit != 0 {
            return at + (hit.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    while let Some(&b) = data.get(at) {
        if matches!(b, b',' | b'\n' | b'\r') {
            return at;
        }
        at += 1;
    }
    at.min(data.len())
}

/// One field, trimmed; `None` when the column is absent or the field empty. `whole` is the
/// record's text when it is all valid UTF-8 (checked once per row rather than once per field):
/// a field is then valid unless its ends split a character. Inlined: of its six calls a row,
/// most are for columns the file does not have, which then cost a test rather than a call.
#[inline(always)]
fn field<'r>(
    rec: &'r impl Fields,
    whole: Option<&'r str>,
    col: Option<usize>,
) -> Result<Option<&'r str>, String> {
    let Some(range) = col.and_then(|c| rec.range(c)) else {
        return Ok(None);
    };
    let text = match whole {
        Some(whole) => whole.get(range),
        None => rec
            .bytes()
            .get(range)
            .and_then(|b| std::str::from_utf8(b).ok()),
    };
    let Some(s) = text.map(super::normalise::trim) else {
        return Err("not valid UTF-8".to_string());
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

impl WorkerOut {
    /// One row read: scored when it is a candidate, else counted, and its diagnostic kept
    /// while there is room (then `true`).
    #[inline]
    fn take(
        &mut self,
        row: Result<CandidateRef<'_>, String>,
        search: &Search,
        scratch: &mut super::Scratch,
        found: &std::sync::atomic::AtomicUsize,
        bad: impl FnOnce(String) -> Diagnostic,
    ) -> bool {
        match row {
            Ok(c) => {
                self.candidates += 1;
                let hits = search.evaluate(c, scratch);
                // Only when there is something to add: an atomic add on every row would
                // bounce the counter's cache line between the workers a million times, and
                // extending by an empty vector costs some sixty instructions a row.
                if !hits.is_empty() {
                    found.fetch_add(hits.len(), std::sync::atomic::Ordering::Relaxed);
                    self.hits.extend(hits);
                }
                false
            }
            Err(msg) => {
                self.bad_count += 1;
                let keep = self.bad.len() < MAX_ROW_DIAGNOSTICS;
                if keep {
                    self.bad.push(bad(msg));
                }
                keep
            }
        }
    }
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
    let since_row = std::rc::Rc::new(std::cell::Cell::new(0u64));
    let source_file = crate::input::open_capped(path, crate::input::CANDIDATES).map_err(|e| {
        vec![diag(
            &file,
            0,
            format!("cannot read the candidates file: {e}"),
        )]
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(RowCapped {
            inner: source_file,
            since_row: since_row.clone(),
        });
    let header = reader
        .byte_headers()
        .map_err(|e| vec![diag(&file, 1, format!("cannot read the header: {e}"))])?
        .clone();
    let cols = columns(&header, &file)?;
    let pb = progress_bar(progress);
    let workers = worker_count();
    if let Some(stats) = scan_split(search, path, &file, &source, &cols, workers, &pb) {
        pb.finish_and_clear();
        return stats;
    }
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
                    let mut scratch = super::Scratch::for_scan();
                    loop {
                        // A poisoned lock means another worker panicked: stop taking work.
                        let batch = match rx.lock() {
                            Ok(guard) => guard.recv(),
                            Err(_) => break,
                        };
                        let Ok(batch) = batch else { break };
                        for rec in batch.rows() {
                            let line = rec.position().map_or(0, |p| p.line());
                            out.take(row(rec, cols, source), shared, &mut scratch, found, |m| {
                                diag(file, line, m)
                            });
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
            since_row.set(0);
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

/// Scoring threads: PALISADE_THREADS caps them (for measurement, or a busy shared machine).
/// Past four scorers the one reading thread is the limit.
fn worker_count() -> usize {
    crate::cores().clamp(1, 4)
}

/// What one worker of [`scan_split`] gives back: its results, (piece, line within the piece) of
/// each bad row kept, (piece, line count) of each piece it read, and the rows it read.
type SplitOut = (WorkerOut, Vec<(usize, u64)>, Vec<(usize, u64)>, u64);

/// Files at least this large are worth splitting.
const SPLIT_MIN: u64 = 1 << 20;
/// Bytes per piece of a split file: a few hundred per worker on a large file, so they finish
/// together.
const PIECE: usize = 256 << 10;

/// The same scan, with the file split at line ends into pieces that every worker reads and
/// scores itself: the single reading thread of [`scan`] is then no longer the bottleneck. Only
/// for files without a single `"`: a quoted field may hold a line break, and then not every
/// line end ends a record. `None` when the file does not qualify (the caller reads it as a
/// stream).
fn scan_split(
    search: &mut Search,
    path: &Path,
    file: &str,
    source: &str,
    cols: &Columns,
    workers: usize,
    pb: &ProgressBar,
) -> Option<Result<ScanStats, Vec<Diagnostic>>> {
    let f = std::fs::File::open(path).ok()?;
    if f.metadata().ok()?.len() < SPLIT_MIN {
        return None;
    }
    // SAFETY: the map is only read. Like any reader of a file, it sees garbled rows if another
    // process rewrites the file during the scan; a truncation could fault, which is why only
    // files the user hands us for this one read are mapped (the pwned list is mapped the same
    // way, src/vault/pwned.rs).
    let map = unsafe { memmap2::Mmap::map(&f) }.ok()?;
    let data: &[u8] = &map;
    if data.contains(&b'"') {
        return None;
    }
    // Where the records start, and on which line: after the header, as the stream reader saw it.
    let mut header_reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(data);
    header_reader.byte_headers().ok()?;
    let start = usize::try_from(header_reader.position().byte()).ok()?;
    let first_line = header_reader.position().line();
    let body = data.get(start..)?;
    let mut pieces = Vec::new();
    let mut at = 0;
    while at < body.len() {
        let mut end = (at + PIECE).min(body.len());
        end += body[end..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(body.len() - end, |i| i + 1);
        pieces.push(at..end);
        at = end;
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let found = std::sync::atomic::AtomicUsize::new(0);
    let shared: &Search = search;
    // (piece index, line within the piece) for each bad row, and each piece's line count, so
    // that lines can be numbered once every piece is read.
    let outs: Vec<SplitOut> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                let (next, found, pieces) = (&next, &found, &pieces);
                scope.spawn(move || {
                    let mut out = WorkerOut::default();
                    let mut bad_at = Vec::new();
                    let mut lines = Vec::new();
                    let mut rows = 0u64;
                    let mut scratch = super::Scratch::for_scan();
                    let mut line = Line::default();
                    loop {
                        let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(range) = pieces.get(k) else { break };
                        let piece = &body[range.clone()];
                        lines.push((k, piece.iter().filter(|b| **b == b'\n').count() as u64));
                        let mut piece_rows = 0;
                        let text = std::str::from_utf8(piece).ok();
                        split_lines(piece, text, &mut line, |at, rec| {
                            piece_rows += 1;
                            // The line is known once every piece is counted: fixed later.
                            let kept = out.take(
                                row(rec, cols, source),
                                shared,
                                &mut scratch,
                                found,
                                |m| diag(file, 0, m),
                            );
                            if kept {
                                bad_at.push((k, at));
                            }
                        });
                        rows += piece_rows;
                        pb.inc(piece_rows);
                    }
                    (out, bad_at, lines, rows)
                })
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    if outs.len() < workers {
        return Some(Err(vec![diag(
            file,
            0,
            "internal error: a scoring thread stopped",
        )]));
    }
    // Line of the first record of each piece.
    let mut piece_lines = vec![0u64; pieces.len()];
    for (k, n) in outs.iter().flat_map(|o| o.2.iter()) {
        if let Some(slot) = piece_lines.get_mut(*k) {
            *slot = *n;
        }
    }
    let mut first = Vec::with_capacity(pieces.len());
    let mut line = first_line;
    for n in &piece_lines {
        first.push(line);
        line += n;
    }
    let mut stats = ScanStats::default();
    let mut bad = Vec::new();
    for (out, bad_at, _, rows) in outs {
        stats.rows += rows;
        stats.candidates += out.candidates;
        stats.bad_row_count += out.bad_count;
        for (mut d, (k, local)) in out.bad.into_iter().zip(bad_at) {
            let line = first.get(k).copied().unwrap_or(0) + local.saturating_sub(1);
            d.line = u32::try_from(line).unwrap_or(u32::MAX);
            bad.push(d);
        }
        for (slot, suspect) in out.hits {
            search.merge(slot, suspect);
        }
    }
    bad.sort_by_key(|d| d.line);
    bad.truncate(MAX_ROW_DIAGNOSTICS);
    stats.bad_rows = bad;
    stats.suspects = search.suspects_found();
    Some(Ok(stats))
}

/// The file as the CSV reader sees it: a row that goes on past [`crate::input::CANDIDATE_ROW_BYTES`]
/// (`/dev/zero`, a quote never closed) is an error, not a record growing without end. The count
/// is reset before each record; the CSV reader's own buffer (8 KiB) is the slack.
struct RowCapped<R> {
    inner: R,
    since_row: std::rc::Rc<std::cell::Cell<u64>>,
}

impl<R: std::io::Read> std::io::Read for RowCapped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.since_row.get() > crate::input::CANDIDATE_ROW_BYTES {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "a row runs past {} KiB, which no candidate needs (an unclosed quote, or not a CSV file)",
                    crate::input::CANDIDATE_ROW_BYTES / 1024
                ),
            ));
        }
        let n = self.inner.read(buf)?;
        self.since_row.set(self.since_row.get() + n as u64);
        Ok(n)
    }
}

/// Characters of a candidate's display name worth scoring: more than any platform shows, and a
/// bound on what one row can cost the search.
pub const MAX_DISPLAY_NAME_CHARS: usize = 1000;

/// One row as a candidate, or what is wrong with it.
fn row<'r>(
    rec: &'r impl Fields,
    cols: &Columns,
    source: &'r str,
) -> Result<CandidateRef<'r>, String> {
    let whole = rec.whole();
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
    // Nearly no handle starts with `@`: a byte test spares the general pattern search.
    let bare = match handle.as_bytes().first() {
        Some(b'@') => handle.trim_start_matches('@'),
        _ => handle,
    };
    if bare.is_empty() {
        return Err("`handle` is empty".to_string());
    }
    let spaced = if bare.is_ascii() {
        // ASCII white space is all at or below b' ': a test without an early exit, which the
        // compiler turns into a few vector instructions, clears nearly every handle at once.
        bare.bytes().fold(false, |low, b| low | (b <= b' '))
            && bare.bytes().any(|b| char::from(b).is_whitespace())
    } else {
        bare.chars().any(char::is_whitespace)
    };
    if spaced {
        return Err(format!(
            "`handle`: {handle:?} contains a space, which no platform allows"
        ));
    }
    let max = crate::model::handles::MAX_HANDLE_CHARS;
    if bare.len() > max && bare.chars().count() > max {
        return Err(format!(
            "`handle` is {} characters long; no platform allows more than {max}",
            bare.chars().count()
        ));
    }
    if let Some(f) = named("followers", cols.followers)? {
        if f.replace([',', '_'], "").parse::<u64>().is_err() {
            return Err(format!("`followers`: {f:?} is not a whole number"));
        }
    }
    let display_name = named("display_name", cols.display_name)?;
    if let Some(d) = display_name.filter(|d| d.len() > MAX_DISPLAY_NAME_CHARS) {
        let n = d.chars().count();
        if n > MAX_DISPLAY_NAME_CHARS {
            return Err(format!(
                "`display_name` is {n} characters long; palisade scores at most {MAX_DISPLAY_NAME_CHARS}"
            ));
        }
    }
    Ok(CandidateRef {
        platform,
        handle,
        display_name,
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

    /// (line, fields) of each record of `data` as the `csv` crate reads it in `scan_split`.
    fn csv_records(data: &[u8]) -> Vec<(u64, Vec<Vec<u8>>)> {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(false)
            .from_reader(data);
        let mut rec = csv::ByteRecord::new();
        let mut out = Vec::new();
        while reader
            .read_byte_record(&mut rec)
            .expect("reading from memory")
        {
            let line = rec.position().map_or(0, |p| p.line());
            out.push((line, rec.iter().map(<[u8]>::to_vec).collect()));
        }
        out
    }

    fn split_records(data: &[u8]) -> Vec<(u64, Vec<Vec<u8>>)> {
        let mut out = Vec::new();
        split_lines(
            data,
            std::str::from_utf8(data).ok(),
            &mut Line::default(),
            |line, rec| {
                // The text cut from the whole is what checking the line alone gives.
                assert_eq!(
                    rec.checked,
                    std::str::from_utf8(rec.text)
                        .ok()
                        .filter(|_| std::str::from_utf8(data).is_ok())
                );
                let fields = (0..=rec.commas.len())
                    .map(|c| rec.range(c).map_or(Vec::new(), |r| rec.text[r].to_vec()))
                    .collect();
                out.push((line, fields));
            },
        );
        out
    }

    proptest::proptest! {
        /// Without quotes, the line splitter reads what the `csv` crate reads, line numbers
        /// included, whatever the line endings, blank lines and commas.
        #[test]
        fn lines_are_what_the_csv_crate_reads(
            data in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just(b'\n'), proptest::strategy::Just(b'\r'),
                    proptest::strategy::Just(b','), proptest::strategy::Just(b' '),
                    proptest::strategy::Just(0xc3u8), proptest::strategy::Just(b'x'),
                    proptest::strategy::Just(b'a'),
                ],
                0..40,
            )
        ) {
            proptest::prop_assert_eq!(split_records(&data), csv_records(&data));
        }
    }

    proptest::proptest! {
        /// The eight-bytes-a-step search finds the first stop, whatever the bytes around it.
        #[test]
        fn next_stop_finds_the_first_stop(
            data in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just(b'\n'), proptest::strategy::Just(b'\r'),
                    proptest::strategy::Just(b','), proptest::num::u8::ANY,
                    proptest::strategy::Just(b'-'), proptest::strategy::Just(b'+'),
                    proptest::strategy::Just(0x0b), proptest::strategy::Just(0x8c),
                ],
                0..40,
            ),
            from in 0usize..45,
        ) {
            let naive = data
                .iter()
                .skip(from)
                .position(|b| matches!(b, b',' | b'\n' | b'\r'))
                .map_or(data.len(), |i| from + i);
            proptest::prop_assert_eq!(next_stop(&data, from), naive);
        }
    }

    #[test]
    fn a_line_is_split_as_the_csv_crate_splits_it() {
        let data = b"x,a\r\n\r\nx,b,,\n\n\rx\rlast";
        assert_eq!(split_records(data), csv_records(data));
        assert_eq!(split_records(data).len(), 4);
    }

    #[test]
    fn every_ascii_space_in_a_handle_is_refused_and_nothing_else() {
        for b in 0u8..128 {
            let handle = [b'a', b'b', b, b'c', b'd'];
            let rec = csv::ByteRecord::from(vec![&b"x"[..], &handle[..], &b""[..]]);
            let refused = row(&rec, &cols(), "f.csv")
                .err()
                .is_some_and(|e| e.contains("contains a space"));
            assert_eq!(refused, char::from(b).is_whitespace(), "byte {b:#x}");
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
