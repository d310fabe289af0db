//! The offline Pwned Passwords corpus (`--pwned-file`): the SHA-1 list ordered by hash, as one
//! file binary-searched over a memory map, or as the directory of per-prefix range files that
//! `haveibeenpwned-downloader -s false` writes. Both are checked to be in hash order as they are
//! used: a list ordered by prevalence would otherwise answer "not breached" for nearly every
//! password, `password123` included.
//!
//! Formats, as checked on 2026-11-30: the downloader (github.com/HaveIBeenPwned/
//! PwnedPasswordsDownloader, `Program.cs`) writes either one file of `PREFIX` + the range API's
//! `SUFFIX:COUNT` lines, in prefix order, or one file per prefix named by its five upper-case hex
//! characters (`00000.txt` … `FFFFF.txt`) holding the API's answer as is: 35-character suffixes,
//! CRLF line ends. The NTLM variants carry 32-character hashes (27-character suffixes).

use std::cmp::Ordering;
use std::fmt;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use memmap2::Mmap;
use zeroize::Zeroizing;

use super::bad_vault;
use crate::error::Error;

/// Lines sampled across a single file when it is opened; each is compared with its successor
/// too. A file in any other order than by hash fails this with near certainty (the chance that
/// 32 random hashes come out sorted is 1 in 32!), for 32 page reads.
const OPEN_SAMPLES: usize = 32;

/// Why a look-up could not give an answer. Never carries a hash or a prefix of one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CorpusError {
    #[error(
        "the Pwned Passwords file is not ordered by hash where the look-up went; {ORDER_HINT}"
    )]
    Unsorted,
    #[error("a range file of the Pwned Passwords directory is missing or empty; the download is incomplete: run haveibeenpwned-downloader again")]
    MissingRange,
    #[error("a range file of the Pwned Passwords directory cannot be read: {0}")]
    Unreadable(String),
}

const ORDER_HINT: &str = "download the SHA-1 list ordered by hash (pwned-passwords-sha1-ordered-by-hash), not the one ordered by prevalence (…-ordered-by-count), or use the output of haveibeenpwned-downloader";

/// The offline corpus: a memory-mapped single file or a directory of range files.
pub struct PwnedFile {
    corpus: Corpus,
}

enum Corpus {
    /// `start` skips a UTF-8 byte order mark.
    Single {
        map: Mmap,
        start: usize,
    },
    Ranges {
        dir: PathBuf,
    },
}

impl fmt::Debug for PwnedFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.corpus {
            Corpus::Single { map, .. } => f
                .debug_struct("PwnedFile")
                .field("len", &map.len())
                .finish(),
            Corpus::Ranges { dir } => f.debug_struct("PwnedFile").field("dir", dir).finish(),
        }
    }
}

/// What the first line of a file says it is.
enum Shape {
    Sha1,
    Ntlm,
    RangeSha1,
    RangeNtlm,
    Other,
}

fn shape(line: &[u8]) -> Shape {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let hash_len = line
        .iter()
        .position(|b| *b == b':')
        .filter(|&colon| line[..colon].iter().all(u8::is_ascii_hexdigit))
        .filter(|&colon| {
            let count = &line[colon + 1..];
            !count.is_empty() && count.iter().all(u8::is_ascii_digit)
        });
    match hash_len {
        Some(40) => Shape::Sha1,
        Some(32) => Shape::Ntlm,
        Some(35) => Shape::RangeSha1,
        Some(27) => Shape::RangeNtlm,
        _ => Shape::Other,
    }
}

const NTLM: &str = "this is the NTLM list of Pwned Passwords (32-character hashes); AUTH-09 hashes passwords with SHA-1: download the SHA-1 list ordered by hash (pwned-passwords-sha1-ordered-by-hash), or run haveibeenpwned-downloader without -n";

fn open_error(path: &Path, what: &str, e: &std::io::Error) -> Error {
    let why = match e.kind() {
        ErrorKind::NotFound => "there is no such file or directory".to_string(),
        ErrorKind::PermissionDenied => "permission denied (palisade may not read it)".to_string(),
        _ => e.to_string(),
    };
    bad_vault(
        path,
        0,
        0,
        format!("cannot read the Pwned Passwords {what}: {why}"),
    )
}

impl PwnedFile {
    /// Opens the corpus at `path` and checks that it is the SHA-1 list in hash order: a single
    /// file (sampled across its length) or a directory of range files. Anything else, the NTLM
    /// list or the list ordered by prevalence included, is an input error that says what to
    /// download instead.
    pub fn open(path: &Path) -> Result<PwnedFile, Error> {
        let meta = std::fs::metadata(path).map_err(|e| open_error(path, "file", &e))?;
        if meta.is_dir() {
            return open_ranges(path);
        }
        if !meta.is_file() {
            return Err(bad_vault(
                path,
                0,
                0,
                "the Pwned Passwords file is not a regular file (a device or a pipe cannot be searched)",
            ));
        }
        let file = std::fs::File::open(path).map_err(|e| open_error(path, "file", &e))?;
        if meta.len() == 0 {
            return Err(bad_vault(path, 0, 0, "the Pwned Passwords file is empty"));
        }
        // SAFETY: the map is read-only; a file truncated underneath us by another process could
        // fault, the same risk every mmap-based reader accepts for a file it does not own.
        let map = unsafe { Mmap::map(&file) }.map_err(|e| open_error(path, "file", &e))?;
        let start = if map.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        };
        let data = &map[start..];
        let first = data.split(|b| *b == b'\n').next().unwrap_or(&[]);
        match shape(first) {
            Shape::Sha1 => {}
            Shape::Ntlm => return Err(bad_vault(path, 1, 1, NTLM)),
            Shape::RangeSha1 | Shape::RangeNtlm => {
                return Err(bad_vault(
                    path,
                    1,
                    1,
                    "this is one range file of haveibeenpwned-downloader (hash suffixes only): give the directory that holds all of them",
                ))
            }
            Shape::Other => {
                return Err(bad_vault(
                    path,
                    1,
                    1,
                    "not a Pwned Passwords SHA-1 file: lines must be `SHA1HEX:COUNT`, ordered by hash",
                ))
            }
        }
        if let Some(line) = first_unsorted_sample(data) {
            return Err(bad_vault(
                path,
                line,
                1,
                format!("the Pwned Passwords file is not ordered by hash; {ORDER_HINT}"),
            ));
        }
        Ok(PwnedFile {
            corpus: Corpus::Single { map, start },
        })
    }

    /// The breach count of a SHA-1 given as 40 hex characters (either case): `Ok(None)` when it
    /// is not in the corpus, an error when the corpus turns out not to be searchable there.
    pub fn count(&self, sha1_hex: &[u8; 40]) -> Result<Option<u64>, CorpusError> {
        let mut target = Zeroizing::new([0u8; 40]);
        for (t, s) in target.iter_mut().zip(sha1_hex) {
            *t = s.to_ascii_uppercase();
        }
        match &self.corpus {
            Corpus::Single { map, start } => search(&map[*start..], &target),
            Corpus::Ranges { dir } => range_count(dir, &target),
        }
    }
}

/// The 1-based line number of a sampled line that is out of order, if any.
fn first_unsorted_sample(data: &[u8]) -> Option<u32> {
    let mut previous: Option<&[u8]> = None;
    // Where the lines read so far end: in a short file, samples fall on lines already read.
    let mut read_to = 0usize;
    for i in 0..=OPEN_SAMPLES {
        // Evenly spaced offsets, each moved to the start of the line it falls in.
        let at = (data.len() as u128 * i as u128 / OPEN_SAMPLES as u128) as usize;
        let mut start = line_start(data, at.min(data.len())).max(read_to);
        for _ in 0..2 {
            if start >= data.len() {
                break;
            }
            let end = data[start..]
                .iter()
                .position(|b| *b == b'\n')
                .map_or(data.len(), |p| start + p);
            if let Some((hash, _)) = parse_line(&data[start..end]) {
                if previous.is_some_and(|p| cmp_upper(p, hash) == Ordering::Greater) {
                    let line_no = data[..start].iter().filter(|b| **b == b'\n').count() + 1;
                    return Some(u32::try_from(line_no).unwrap_or(u32::MAX));
                }
                previous = Some(hash);
            }
            start = end + 1;
            read_to = start;
        }
    }
    None
}

/// Start of the line holding byte `at` (or `at` itself at the end).
fn line_start(data: &[u8], at: usize) -> usize {
    data[..at]
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |p| p + 1)
}

/// Binary search for `target` over `HASH:COUNT` lines. Every line it reads must lie between the
/// lines it already passed on either side, and must not be out of order with its neighbour on
/// the side the search discards: a file out of hash order is caught where the search goes,
/// instead of answering "not in the corpus".
fn search(data: &[u8], target: &[u8; 40]) -> Result<Option<u64>, CorpusError> {
    // Invariant: `lo` and `hi` are line starts (or the end); the answer, if any, is in [lo, hi).
    let (mut lo, mut hi) = (0usize, data.len());
    // Hashes of the nearest lines read below `lo` and from `hi` on.
    let (mut below, mut above): (Option<&[u8]>, Option<&[u8]>) = (None, None);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let start = data[lo..mid]
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(lo, |p| lo + p + 1);
        let end = data[start..hi]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(hi, |p| start + p);
        let Some((hash, count)) = parse_line(&data[start..end]) else {
            // A blank or damaged line: step past it towards the end, which keeps the search
            // finite; the order check still holds for the lines around it.
            lo = end + 1;
            continue;
        };
        let out_of_bounds = below.is_some_and(|b| cmp_upper(b, hash) == Ordering::Greater)
            || above.is_some_and(|a| cmp_upper(hash, a) == Ordering::Greater);
        if out_of_bounds {
            return Err(CorpusError::Unsorted);
        }
        let order = cmp_upper(hash, target);
        // The neighbour on the side the search is about to discard must not belong on the side
        // it keeps: a line out of place beside the probe would otherwise be discarded unseen.
        // Only its hash is read, and it almost always shares the probe's cache line or page.
        let misplaced = match order {
            Ordering::Greater => data
                .get(end + 1..)
                .and_then(leading_hash)
                .is_some_and(|n| cmp_upper(hash, n) == Ordering::Greater),
            Ordering::Less => start
                .checked_sub(1)
                .and_then(|nl| leading_hash(&data[line_start(data, nl)..nl]))
                .is_some_and(|p| cmp_upper(p, hash) == Ordering::Greater),
            Ordering::Equal => false,
        };
        if misplaced {
            return Err(CorpusError::Unsorted);
        }
        match order {
            Ordering::Equal => return Ok(Some(count)),
            Ordering::Less => {
                lo = end + 1;
                below = Some(hash);
            }
            Ordering::Greater => {
                hi = start;
                above = Some(hash);
            }
        }
    }
    Ok(None)
}

/// `HASH:COUNT` (40 hex) with an optional `\r`.
pub(crate) fn parse_line(line: &[u8]) -> Option<(&[u8], u64)> {
    parse_hex_line(line, 40)
}

fn parse_hex_line(line: &[u8], hash_len: usize) -> Option<(&[u8], u64)> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let colon = line.iter().position(|b| *b == b':')?;
    let (hash, rest) = line.split_at(colon);
    if hash.len() != hash_len || !hash.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    let count = std::str::from_utf8(&rest[1..]).ok()?.trim().parse().ok()?;
    Some((hash, count))
}

/// The 40 characters before a `:` at the start of `line`: a neighbour's hash, for the order
/// check only. Not validated as hex: a damaged neighbour can only make the look-up an error.
fn leading_hash(line: &[u8]) -> Option<&[u8]> {
    (line.get(40) == Some(&b':')).then(|| &line[..40])
}

/// Case-insensitive order of hex text; hashes differ within their first bytes, so this stops
/// early.
fn cmp_upper(a: &[u8], b: &[u8]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let (x, y) = (x.to_ascii_uppercase(), y.to_ascii_uppercase());
        if x != y {
            return x.cmp(&y);
        }
    }
    a.len().cmp(&b.len())
}

/// A directory of range files: it must hold at least one `XXXXX.txt` whose first line is a
/// SHA-1 suffix. The rest are checked as they are read.
fn open_ranges(dir: &Path) -> Result<PwnedFile, Error> {
    let entries = std::fs::read_dir(dir).map_err(|e| open_error(dir, "directory", &e))?;
    let not_ranges = || {
        bad_vault(
            dir,
            0,
            0,
            "this directory holds no Pwned Passwords range files (00000.txt … FFFFF.txt, as `haveibeenpwned-downloader -s false` writes them); give the SHA-1 list ordered by hash or such a directory",
        )
    };
    let sample = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| is_range_name(p))
        .ok_or_else(not_ranges)?;
    let bytes = std::fs::read(&sample).map_err(|e| open_error(&sample, "range file", &e))?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let first = bytes.split(|b| *b == b'\n').next().unwrap_or(&[]);
    match shape(first) {
        Shape::RangeSha1 => Ok(PwnedFile {
            corpus: Corpus::Ranges {
                dir: dir.to_path_buf(),
            },
        }),
        Shape::RangeNtlm => Err(bad_vault(&sample, 1, 1, NTLM)),
        _ => Err(not_ranges()),
    }
}

fn is_range_name(p: &Path) -> bool {
    let Some(name) = p.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    name.len() == 9 && name.ends_with(".txt") && name[..5].bytes().all(|b| b.is_ascii_hexdigit())
}

fn range_count(dir: &Path, target: &[u8; 40]) -> Result<Option<u64>, CorpusError> {
    // Hex digits are ASCII, so this cannot fail; the name is built from them alone.
    let prefix = std::str::from_utf8(&target[..5]).map_err(|_| CorpusError::MissingRange)?;
    let upper = dir.join(format!("{prefix}.txt"));
    let bytes = match std::fs::read(&upper) {
        Ok(b) => b,
        Err(e) if e.kind() == ErrorKind::NotFound => {
            let lower = dir.join(format!("{}.txt", prefix.to_ascii_lowercase()));
            match std::fs::read(&lower) {
                Ok(b) => b,
                Err(e) if e.kind() == ErrorKind::NotFound => return Err(CorpusError::MissingRange),
                Err(e) => return Err(CorpusError::Unreadable(e.kind().to_string())),
            }
        }
        Err(e) => return Err(CorpusError::Unreadable(e.kind().to_string())),
    };
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let suffix = &target[5..];
    let mut previous: Option<&[u8]> = None;
    let mut lines = 0usize;
    for line in bytes.split(|b| *b == b'\n') {
        let Some((hash, count)) = parse_hex_line(line, 35) else {
            continue;
        };
        lines += 1;
        if previous.is_some_and(|p| cmp_upper(p, hash) == Ordering::Greater) {
            return Err(CorpusError::Unsorted);
        }
        previous = Some(hash);
        match cmp_upper(hash, suffix) {
            Ordering::Equal => return Ok(Some(count)),
            // Sorted: nothing further on can match; the order of the rest is not our concern.
            Ordering::Greater => return Ok(None),
            Ordering::Less => {}
        }
    }
    // Every prefix has hundreds of hashes; an empty file is a failed download, not "clean".
    if lines == 0 {
        return Err(CorpusError::MissingRange);
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_parse_with_crlf_and_reject_garbage() {
        let h = [b'A'; 40];
        let mut line = h.to_vec();
        line.extend_from_slice(b":12\r");
        assert_eq!(parse_line(&line), Some((&h[..], 12)));
        assert_eq!(parse_line(b"hello"), None);
    }

    #[test]
    fn shapes_name_the_lists() {
        assert!(matches!(
            shape(&[b"A".repeat(40), b":3\r".to_vec()].concat()),
            Shape::Sha1
        ));
        assert!(matches!(
            shape(&[b"A".repeat(32), b":3".to_vec()].concat()),
            Shape::Ntlm
        ));
        assert!(matches!(
            shape(&[b"A".repeat(35), b":3".to_vec()].concat()),
            Shape::RangeSha1
        ));
        assert!(matches!(
            shape(&[b"A".repeat(27), b":3".to_vec()].concat()),
            Shape::RangeNtlm
        ));
        assert!(matches!(shape(b"name,password"), Shape::Other));
    }
}
