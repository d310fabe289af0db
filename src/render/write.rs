//! Writing outputs safely: what happens to the file a user names with `-o`, `--out` or `init`.
//!
//! - A regular file (or nothing yet) is replaced atomically: a temporary file beside it, synced,
//!   then renamed over it, keeping the old file's permissions. A reader never sees half a file.
//! - A symlink is written through: the file it points to is replaced (or created), never the
//!   link itself.
//! - Anything else (`/dev/null`, a FIFO, `/dev/stdout`, a terminal) is written in place. Renaming
//!   over it would replace a device node when run as root, or break a pipe a reader waits on.
//! - A set of files (`--out DIR`) is all or nothing: every file is written to a temporary file
//!   first, and only when all of them are complete are they renamed into place; a rename that
//!   fails half-way puts the old files back. A failed run leaves the old set untouched.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::{Error, Result};

/// Symlink hops followed before giving up, as the kernel does (`ELOOP`).
const MAX_LINK_HOPS: usize = 40;

/// Where one output goes, decided before anything is written.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Place {
    /// A regular file, or nothing yet, at `real` (symlinks followed): replaced by a rename.
    Replace {
        real: PathBuf,
        permissions: Option<fs::Permissions>,
    },
    /// A device, FIFO, socket or the like: written in place.
    Direct(PathBuf),
}

fn io_err(what: &str, path: &Path, e: std::io::Error) -> Error {
    Error::io(format!("{what} {}", path.display()), e)
}

/// Decides how `path` is written (see the module documentation).
fn place(path: &Path) -> Result<Place> {
    let meta = match fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Place::Replace {
                real: path.to_path_buf(),
                permissions: None,
            })
        }
        Err(e) => return Err(io_err("cannot inspect", path, e)),
    };
    let (meta, real) = if meta.file_type().is_symlink() {
        match fs::metadata(path) {
            Ok(m) if m.is_file() => {
                let real = fs::canonicalize(path)
                    .map_err(|e| io_err("cannot follow the link", path, e))?;
                (m, real)
            }
            Ok(m) => (m, path.to_path_buf()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Place::Replace {
                    real: dangling_target(path)?,
                    permissions: None,
                })
            }
            Err(e) => return Err(io_err("cannot follow the link", path, e)),
        }
    } else {
        (meta, path.to_path_buf())
    };
    if meta.is_dir() {
        return Err(io_err(
            "cannot write",
            path,
            std::io::Error::new(std::io::ErrorKind::IsADirectory, "it is a directory"),
        ));
    }
    if meta.is_file() {
        Ok(Place::Replace {
            real,
            permissions: Some(meta.permissions()),
        })
    } else {
        Ok(Place::Direct(path.to_path_buf()))
    }
}

/// The path a dangling symlink points to at the end of its chain (where writing through it
/// creates the file).
fn dangling_target(link: &Path) -> Result<PathBuf> {
    let mut cur = link.to_path_buf();
    for _ in 0..MAX_LINK_HOPS {
        let to = fs::read_link(&cur).map_err(|e| io_err("cannot follow the link", &cur, e))?;
        cur = match cur.parent() {
            Some(dir) if to.is_relative() => dir.join(to),
            _ => to,
        };
        match fs::symlink_metadata(&cur) {
            Ok(m) if m.file_type().is_symlink() => continue,
            _ => return Ok(cur),
        }
    }
    Err(Error::io(
        format!("cannot follow the link {}", link.display()),
        std::io::Error::other("too many levels of symbolic links"),
    ))
}

/// A temporary file's name, unique within the process and across processes.
fn temp_beside(real: &Path, tag: &str) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let name = real
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    let dir = match real.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    dir.join(format!(".{name}.{}.{n}.{tag}", std::process::id()))
}

/// Fills a new temporary file at `tmp` and makes it durable; removes it on failure.
fn fill_temp(
    tmp: &Path,
    shown: &Path,
    fill: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    let result = (|| -> Result<()> {
        // create_new: O_EXCL never follows a symlink planted at the temporary name.
        let f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(tmp)
            .map_err(|e| io_err("cannot write", shown, e))?;
        let mut w = std::io::BufWriter::with_capacity(1 << 16, f);
        fill(&mut w)?;
        let f = w
            .into_inner()
            .map_err(|e| io_err("cannot write", shown, e.into_error()))?;
        f.sync_all().map_err(|e| io_err("cannot sync", shown, e))
    })();
    if result.is_err() {
        let _ = fs::remove_file(tmp);
    }
    result
}

/// Syncs a directory so that renames in it survive a crash; best effort (some platforms
/// cannot open a directory).
fn sync_dir(of: &Path) {
    let dir = match of.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Writes in place (a device, a FIFO): no temporary file, nothing renamed.
fn write_direct(path: &Path, fill: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    let f = fs::OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(|e| io_err("cannot write", path, e))?;
    let mut w = std::io::BufWriter::with_capacity(1 << 16, f);
    fill(&mut w)?;
    w.flush().map_err(|e| io_err("cannot write", path, e))
}

/// Writes one file (see the module documentation); returns the path as given.
pub fn write_file(path: &Path, fill: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<PathBuf> {
    match place(path)? {
        Place::Direct(p) => write_direct(&p, fill)?,
        Place::Replace { real, permissions } => {
            let tmp = temp_beside(&real, "tmp");
            fill_temp(&tmp, path, fill)?;
            let done = permissions
                .map_or(Ok(()), |p| fs::set_permissions(&tmp, p))
                .and_then(|()| fs::rename(&tmp, &real));
            if let Err(e) = done {
                let _ = fs::remove_file(&tmp);
                return Err(io_err("cannot replace", path, e));
            }
            sync_dir(&real);
        }
    }
    Ok(path.to_path_buf())
}

/// One file of a set, written to its temporary file and waiting to be put in place.
struct Staged {
    shown: PathBuf,
    place: Place,
    tmp: PathBuf,
}

/// Writes `names` into `dir`, all or nothing: `fill(i, w)` writes the content of `names[i]`.
/// When anything fails, the files already in `dir` are as they were.
pub fn write_set(
    dir: &Path,
    names: &[&str],
    mut fill: impl FnMut(usize, &mut dyn Write) -> Result<()>,
) -> Result<Vec<PathBuf>> {
    fs::create_dir_all(dir).map_err(|e| io_err("cannot create", dir, e))?;
    let mut staged: Vec<Staged> = Vec::with_capacity(names.len());
    let discard = |staged: &[Staged]| {
        for s in staged {
            let _ = fs::remove_file(&s.tmp);
        }
    };
    for (i, name) in names.iter().enumerate() {
        let shown = dir.join(name);
        let step = place(&shown).and_then(|place| {
            let tmp = match &place {
                Place::Replace { real, .. } => temp_beside(real, "tmp"),
                // Content for a device is kept beside the set until the set is complete.
                Place::Direct(_) => temp_beside(&shown, "tmp"),
            };
            fill_temp(&tmp, &shown, |w| fill(i, w))?;
            Ok(Staged { shown, place, tmp })
        });
        match step {
            Ok(s) => staged.push(s),
            Err(e) => {
                discard(&staged);
                return Err(e);
            }
        }
    }
    commit(&staged)?;
    Ok(staged.into_iter().map(|s| s.shown).collect())
}

/// Puts every staged file in place; on a failure, puts the replaced ones back.
fn commit(staged: &[Staged]) -> Result<()> {
    // (real path, backup of what it replaced, if anything)
    let mut done: Vec<(&Path, Option<PathBuf>)> = Vec::new();
    let mut failure = None;
    for s in staged {
        let Place::Replace { real, permissions } = &s.place else {
            continue;
        };
        // A hard link keeps the old file reachable for a rollback at no cost; where the file
        // system has none, the rename below still replaces atomically, without a way back.
        let backup = permissions.as_ref().and_then(|_| {
            let b = temp_beside(real, "old");
            fs::hard_link(real, &b).ok().map(|()| b)
        });
        let step = permissions
            .clone()
            .map_or(Ok(()), |p| fs::set_permissions(&s.tmp, p))
            .and_then(|()| fs::rename(&s.tmp, real));
        match step {
            Ok(()) => done.push((real, backup)),
            Err(e) => {
                if let Some(b) = backup {
                    let _ = fs::remove_file(b);
                }
                failure = Some(io_err("cannot replace", &s.shown, e));
                break;
            }
        }
    }
    if let Some(e) = failure {
        for (real, backup) in done.into_iter().rev() {
            match backup {
                Some(b) => {
                    let _ = fs::rename(&b, real);
                }
                None => {
                    let _ = fs::remove_file(real);
                }
            }
        }
        for s in staged {
            let _ = fs::remove_file(&s.tmp);
        }
        return Err(e);
    }
    for (real, backup) in &done {
        if let Some(b) = backup {
            let _ = fs::remove_file(b);
        }
        sync_dir(real);
    }
    let mut result = Ok(());
    for s in staged {
        if let Place::Direct(p) = &s.place {
            if result.is_ok() {
                result = fs::File::open(&s.tmp)
                    .map_err(|e| io_err("cannot read back", &s.tmp, e))
                    .and_then(|mut from| {
                        write_direct(p, |w| {
                            std::io::copy(&mut from, w)
                                .map(|_| ())
                                .map_err(|e| io_err("cannot write", p, e))
                        })
                    });
            }
            let _ = fs::remove_file(&s.tmp);
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    fn put(w: &mut dyn Write, bytes: &[u8]) -> Result<()> {
        w.write_all(bytes)
            .map_err(|e| Error::io("test".to_string(), e))
    }

    #[test]
    fn a_regular_file_is_replaced_and_keeps_its_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        fs::write(&p, "one").unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o600)).unwrap();
        write_file(&p, |w| put(w, b"two")).unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(names(dir.path()), ["a.txt"]);
    }

    #[test]
    fn a_symlink_is_written_through_and_stays_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.html");
        let link = dir.path().join("link.html");
        fs::write(&real, "old").unwrap();
        std::os::unix::fs::symlink("real.html", &link).unwrap();
        write_file(&link, |w| put(w, b"new")).unwrap();
        assert!(fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(fs::read(&real).unwrap(), b"new");
        // A dangling link: the file it names is created.
        let dangling = dir.path().join("dangling.html");
        std::os::unix::fs::symlink("made.html", &dangling).unwrap();
        write_file(&dangling, |w| put(w, b"made")).unwrap();
        assert!(fs::symlink_metadata(&dangling)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(fs::read(dir.path().join("made.html")).unwrap(), b"made");
        assert_eq!(
            names(dir.path()),
            ["dangling.html", "link.html", "made.html", "real.html"]
        );
    }

    #[test]
    fn a_fifo_is_written_in_place_not_replaced() {
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(
            made.is_ok_and(|s| s.success()),
            "mkfifo is needed for this test"
        );
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || fs::read(&fifo).unwrap())
        };
        write_file(&fifo, |w| put(w, b"through the pipe")).unwrap();
        // Checked before joining: a FIFO renamed over would leave the reader waiting for ever.
        assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
        assert_eq!(names(dir.path()), ["pipe"]);
        assert_eq!(reader.join().unwrap(), b"through the pipe");
    }

    #[test]
    fn a_device_is_written_not_replaced() {
        use std::os::unix::fs::FileTypeExt;
        // Never written here: were the fix broken, the test would replace the machine's
        // /dev/null. The write goes to a device node of the test's own.
        assert_eq!(
            place(Path::new("/dev/null")).unwrap(),
            Place::Direct("/dev/null".into())
        );
        let dir = tempfile::tempdir().unwrap();
        let null = dir.path().join("null");
        let made = std::process::Command::new("mknod")
            .arg(&null)
            .args(["c", "1", "3"])
            .status()
            .is_ok_and(|s| s.success());
        if !made {
            // Not root: a symlink to /dev/null must be followed, not replaced.
            std::os::unix::fs::symlink("/dev/null", &null).unwrap();
            assert_eq!(place(&null).unwrap(), Place::Direct(null.clone()));
            return;
        }
        write_file(&null, |w| put(w, b"nothing")).unwrap();
        assert!(fs::symlink_metadata(&null)
            .unwrap()
            .file_type()
            .is_char_device());
        assert_eq!(names(dir.path()), ["null"]);
    }

    #[test]
    fn a_directory_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let err = write_file(dir.path(), |w| put(w, b"x")).unwrap_err();
        assert!(err.to_string().contains("it is a directory"), "{err}");
    }

    #[test]
    fn a_set_that_fails_leaves_the_old_set_untouched() {
        let dir = tempfile::tempdir().unwrap();
        for n in ["a", "b", "c"] {
            fs::write(dir.path().join(n), "old").unwrap();
        }
        let err = write_set(dir.path(), &["a", "b", "c"], |i, w| {
            if i == 2 {
                return Err(Error::Internal("the third format failed".into()));
            }
            put(w, b"new")
        })
        .unwrap_err();
        assert!(err.to_string().contains("third"), "{err}");
        for n in ["a", "b", "c"] {
            assert_eq!(fs::read(dir.path().join(n)).unwrap(), b"old", "{n}");
        }
        assert_eq!(names(dir.path()), ["a", "b", "c"]);
        write_set(dir.path(), &["a", "b", "c"], |_, w| put(w, b"new")).unwrap();
        for n in ["a", "b", "c"] {
            assert_eq!(fs::read(dir.path().join(n)).unwrap(), b"new", "{n}");
        }
        assert_eq!(names(dir.path()), ["a", "b", "c"]);
    }

    #[test]
    fn a_rename_that_fails_half_way_puts_the_old_files_back() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a"), "old").unwrap();
        // `b` is staged, then becomes a directory before the commit: its rename fails.
        let b = dir.path().join("b");
        let err = write_set(dir.path(), &["a", "b"], |i, w| {
            if i == 1 {
                fs::create_dir(&b).unwrap();
                fs::write(b.join("keep"), "x").unwrap();
            }
            put(w, b"new")
        })
        .unwrap_err();
        assert!(err.to_string().contains("cannot replace"), "{err}");
        assert_eq!(fs::read(dir.path().join("a")).unwrap(), b"old");
        assert_eq!(names(dir.path()), ["a", "b"]);
    }
}
