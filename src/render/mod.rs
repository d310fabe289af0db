//! Renderers: one file per output format, all reading the one results model
//! ([`crate::model::results::Report`]). Output files are written atomically.

pub mod diagnostics;
pub mod json;
pub mod text;

use std::io::Write;
use std::path::Path;

use crate::error::Error;

/// Writes `bytes` to `dir/name` through a temporary file in the same directory and a rename, so
/// a crash never leaves a half-written results file or baseline.
pub fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), Error> {
    let target = dir.join(name);
    write_file_atomically(&target, bytes)
}

pub fn write_file_atomically(target: &Path, bytes: &[u8]) -> Result<(), Error> {
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir)
        .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
    let name = target
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("output");
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, target)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(format!("cannot write {}", target.display()), e)
    })
}
