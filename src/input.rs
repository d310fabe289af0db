//! Reading what outsiders shape: every input file palisade reads goes through one capped read, so
//! that `/dev/zero`, a FIFO that never ends or a runaway export fails at once with a clear error
//! instead of growing past gigabytes of memory. The caps are documented in `SECURITY.md`; each
//! is generous for 100,000 accounts and 10 million candidates.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use zeroize::Zeroizing;

use crate::error::{Code, Diagnostic, Error};

const MIB: u64 = 1024 * 1024;

/// The most palisade reads of one kind of input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// What the file is, for messages ("inventory", "HR export").
    pub what: &'static str,
    pub max_bytes: u64,
    /// A text format (YAML, JSON, CSV, templates): a NUL byte near the start means it is
    /// something else, refused before the rest is read (`/dev/zero` costs nothing then).
    pub text: bool,
}

/// The inventory YAML: 10,000 accounts and 5,000 people are 10 MB.
pub const INVENTORY: Limit = Limit {
    what: "inventory",
    max_bytes: crate::model::yaml::MAX_INPUT_BYTES as u64,
    text: true,
};
/// `--policy`: the keys of `policy` alone.
pub const POLICY: Limit = Limit {
    what: "policy file",
    max_bytes: 16 * MIB,
    text: true,
};
/// `--platforms`: corrections to the platform catalogue, a few KB a platform.
pub const PLATFORMS: Limit = Limit {
    what: "platform corrections file",
    max_bytes: 16 * MIB,
    text: true,
};
/// `--people`: an HR export, about 100 bytes a person.
pub const PEOPLE: Limit = Limit {
    what: "HR export",
    max_bytes: 256 * MIB,
    text: true,
};
/// `--vault`: a password manager's export, about 1 KB an entry.
pub const VAULT: Limit = Limit {
    what: "vault export",
    max_bytes: 256 * MIB,
    text: false,
};
/// `--vault-key-file`: KeePass hashes any file as a key file; real ones are a few hundred bytes.
pub const KEY_FILE: Limit = Limit {
    what: "key file",
    max_bytes: 64 * MIB,
    text: false,
};
/// results.json (`report`, `diff`, `--baseline`): about 9 KB an account.
pub const RESULTS: Limit = Limit {
    what: "results file",
    max_bytes: 2048 * MIB,
    text: true,
};
/// One check definition (`--checks-dir`).
pub const CHECK: Limit = Limit {
    what: "check definition",
    max_bytes: MIB,
    text: true,
};
/// One template or the frameworks catalogue (`--templates`); a logo inlined as data is allowed.
pub const TEMPLATE: Limit = Limit {
    what: "template",
    max_bytes: 16 * MIB,
    text: true,
};
/// `--candidates`: streamed, so the cap bounds time, not memory; 10 million rows with a bio each.
pub const CANDIDATES: Limit = Limit {
    what: "candidates file",
    max_bytes: 16 * 1024 * MIB,
    text: true,
};
/// One entry of the network cache (`~/.cache/palisade`): an answer is at most 2 MiB
/// (`online::http`); a larger file there was not written by palisade.
pub const CACHE_ENTRY: Limit = Limit {
    what: "cache entry",
    max_bytes: 16 * MIB,
    text: true,
};
/// One row of a candidates file: a handle, a display name, a bio and a URL are a few hundred bytes.
pub const CANDIDATE_ROW_BYTES: u64 = 64 * 1024;

/// Why an input could not be read.
#[derive(Debug)]
pub enum ReadError {
    /// It holds more than its limit allows.
    TooLarge(Limit),
    /// A text input that starts with NUL bytes.
    NotText(Limit),
    /// The operating system's error (missing, a directory, no permission…).
    Io(std::io::Error),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::TooLarge(limit) => write!(
                f,
                "the {} is larger than {}, the most palisade reads (see SECURITY.md)",
                limit.what,
                human(limit.max_bytes)
            ),
            ReadError::NotText(limit) => write!(
                f,
                "the {} is not text: it holds NUL bytes (a binary file, or UTF-16: save it as UTF-8)",
                limit.what
            ),
            ReadError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl ReadError {
    /// As the error a command reports: too large is an input problem in `path` with `code`;
    /// anything else is a file that cannot be read (both exit 2).
    pub fn into_error(self, path: &Path, code: Code) -> Error {
        match self {
            ReadError::TooLarge(_) | ReadError::NotText(_) => Error::input(Diagnostic {
                code,
                file: path.display().to_string(),
                line: 0,
                column: 0,
                message: self.to_string(),
                snippet: None,
            }),
            ReadError::Io(e) => Error::Usage(format!("cannot read {}: {e}", path.display())),
        }
    }
}

/// `n` bytes for people: "256 MiB", "16 GiB".
fn human(n: u64) -> String {
    if n >= 1024 * MIB && n.is_multiple_of(1024 * MIB) {
        format!("{} GiB", n / (1024 * MIB))
    } else if n >= MIB {
        format!("{} MiB", n / MIB)
    } else {
        format!("{} KiB", n / 1024)
    }
}

/// Opens `path` for reading; a directory is refused here rather than failing on the first read.
fn open(path: &Path, limit: Limit) -> Result<(File, Option<u64>), ReadError> {
    let file = File::open(path).map_err(ReadError::Io)?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    if meta.is_dir() {
        return Err(ReadError::Io(std::io::Error::new(
            std::io::ErrorKind::IsADirectory,
            "it is a directory",
        )));
    }
    // A regular file's length is known: one too long is refused before anything is read. For a
    // device or a FIFO it says nothing; the read below stops at the limit.
    let len = meta.is_file().then_some(meta.len());
    if len.is_some_and(|n| n > limit.max_bytes) {
        return Err(ReadError::TooLarge(limit));
    }
    Ok((file, len))
}

/// Reads the whole of `path`, at most `limit.max_bytes`.
pub fn read(path: &Path, limit: Limit) -> Result<Vec<u8>, ReadError> {
    let (file, len) = open(path, limit)?;
    match len {
        // The usual case: one allocation of the right size.
        Some(n) => {
            let mut out = Vec::with_capacity(n as usize + 1);
            file.take(limit.max_bytes + 1)
                .read_to_end(&mut out)
                .map_err(ReadError::Io)?;
            if out.len() as u64 > limit.max_bytes {
                return Err(ReadError::TooLarge(limit));
            }
            sniff(&out, limit)?;
            Ok(out)
        }
        None => read_stream(file, limit).map(|mut z| std::mem::take(&mut *z)),
    }
}

/// [`read`] for a file of secrets (a vault export): every buffer that held part of it is
/// zeroized when dropped.
pub fn read_secret(path: &Path, limit: Limit) -> Result<Zeroizing<Vec<u8>>, ReadError> {
    let (mut file, len) = open(path, limit)?;
    let Some(n) = len else {
        return read_stream(file, limit);
    };
    // Read in place into a buffer of the file's length, and one byte more to notice a file that
    // grew: `read_to_end` could reallocate and leave a copy of the secrets behind, unwiped.
    let mut out = Zeroizing::new(vec![0u8; n as usize + 1]);
    let mut filled = 0;
    while filled < out.len() {
        match file.read(&mut out[filled..]) {
            Ok(0) => break,
            Ok(k) => filled += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(ReadError::Io(e)),
        }
    }
    if filled == out.len() {
        return Err(ReadError::Io(std::io::Error::other(
            "the file grew while it was read",
        )));
    }
    out.truncate(filled);
    Ok(out)
}

/// Bytes looked at for a NUL in a text input.
const SNIFF_BYTES: usize = 64 * 1024;

/// Refuses a text input whose start holds a NUL byte.
fn sniff(start: &[u8], limit: Limit) -> Result<(), ReadError> {
    let head = &start[..start.len().min(SNIFF_BYTES)];
    if limit.text && head.contains(&0) {
        return Err(ReadError::NotText(limit));
    }
    Ok(())
}

/// Reads a stream of unknown length (a FIFO, a device) in chunks, so that one that never ends
/// costs `limit` and no more; joined once at the end. Chunks are zeroized when dropped, which
/// costs little and serves the vault.
fn read_stream(mut file: File, limit: Limit) -> Result<Zeroizing<Vec<u8>>, ReadError> {
    const CHUNK: usize = 4 << 20;
    let mut chunks: Vec<Zeroizing<Vec<u8>>> = Vec::new();
    let mut total: u64 = 0;
    loop {
        let mut chunk = Zeroizing::new(vec![0u8; CHUNK]);
        let mut filled = 0;
        while filled < CHUNK {
            match file.read(&mut chunk[filled..]) {
                Ok(0) => break,
                Ok(k) => filled += k,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(ReadError::Io(e)),
            }
        }
        chunk.truncate(filled);
        if chunks.is_empty() {
            sniff(&chunk, limit)?;
        }
        total += filled as u64;
        if total > limit.max_bytes {
            return Err(ReadError::TooLarge(limit));
        }
        let last = filled < CHUNK;
        chunks.push(chunk);
        if last {
            break;
        }
    }
    let mut out = Zeroizing::new(Vec::with_capacity(total as usize));
    for c in &chunks {
        out.extend_from_slice(c);
    }
    Ok(out)
}

/// A reader that fails with [`ReadError::TooLarge`]'s message once more than `limit` bytes were
/// read through it: for inputs read as streams (a key file, candidates).
pub struct Capped<R> {
    inner: R,
    left: u64,
    limit: Limit,
}

impl<R: Read> Capped<R> {
    pub fn new(inner: R, limit: Limit) -> Self {
        Capped {
            inner,
            left: limit.max_bytes,
            limit,
        }
    }
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            // One byte more would be past the limit: is there one?
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    ReadError::TooLarge(self.limit).to_string(),
                )),
            };
        }
        let want = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        self.left -= n as u64;
        Ok(n)
    }
}

/// Opens `path` as a stream capped at `limit` (see [`Capped`]).
pub fn open_capped(path: &Path, limit: Limit) -> Result<Capped<File>, ReadError> {
    let (file, _) = open(path, limit)?;
    Ok(Capped::new(file, limit))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: Limit = Limit {
        what: "test input",
        max_bytes: 1000,
        text: false,
    };

    #[test]
    fn an_endless_device_stops_at_the_limit() {
        let start = std::time::Instant::now();
        let err = read(Path::new("/dev/zero"), SMALL).expect_err("too large");
        assert!(matches!(err, ReadError::TooLarge(_)));
        assert!(
            err.to_string().contains("test input is larger than"),
            "{err}"
        );
        assert!(matches!(
            read_secret(Path::new("/dev/zero"), SMALL),
            Err(ReadError::TooLarge(_))
        ));
        let mut capped = open_capped(Path::new("/dev/zero"), SMALL).expect("opens");
        let mut sink = Vec::new();
        let err = capped.read_to_end(&mut sink).expect_err("too large");
        assert!(err.to_string().contains("test input is larger"), "{err}");
        assert_eq!(sink.len(), 1000);
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn a_file_at_the_limit_is_read_and_one_byte_more_is_not() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join("f");
        std::fs::write(&p, vec![b'x'; 1000]).expect("write");
        assert_eq!(read(&p, SMALL).expect("read").len(), 1000);
        assert_eq!(read_secret(&p, SMALL).expect("read").len(), 1000);
        let mut all = Vec::new();
        open_capped(&p, SMALL)
            .expect("open")
            .read_to_end(&mut all)
            .expect("read");
        assert_eq!(all.len(), 1000);
        std::fs::write(&p, vec![b'x'; 1001]).expect("write");
        assert!(matches!(read(&p, SMALL), Err(ReadError::TooLarge(_))));
        assert!(matches!(
            read_secret(&p, SMALL),
            Err(ReadError::TooLarge(_))
        ));
        assert!(
            open_capped(&p, SMALL).is_err(),
            "a regular file is measured before reading"
        );
        assert!(matches!(read(dir.path(), SMALL), Err(ReadError::Io(_))));
        // A stream of unknown length grows the secret buffer past its first capacity.
        let big = Limit {
            what: "test input",
            max_bytes: 1 << 20,
            text: false,
        };
        assert!(matches!(
            read_secret(Path::new("/dev/zero"), big),
            Err(ReadError::TooLarge(_))
        ));
    }

    #[test]
    fn a_text_input_full_of_nul_bytes_is_refused_before_it_is_read() {
        let text = Limit {
            text: true,
            ..RESULTS
        };
        let start = std::time::Instant::now();
        assert!(matches!(
            read(Path::new("/dev/zero"), text),
            Err(ReadError::NotText(_))
        ));
        assert!(
            start.elapsed() < std::time::Duration::from_secs(2),
            "not 2 GiB read first"
        );
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join("utf16.yaml");
        std::fs::write(&p, b"\xff\xfea\0:\0 \0b\0").expect("write");
        let err = read(&p, INVENTORY).expect_err("not text");
        assert!(err.to_string().contains("UTF-16"), "{err}");
        std::fs::write(&p, b"a: b\n").expect("write");
        assert_eq!(read(&p, INVENTORY).expect("text"), b"a: b\n");
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(human(256 * MIB), "256 MiB");
        assert_eq!(human(16 * 1024 * MIB), "16 GiB");
        assert_eq!(human(64 * 1024), "64 KiB");
    }
}
