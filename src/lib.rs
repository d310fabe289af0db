//! palisade: a security posture auditor for an organisation's official social media accounts.
//!
//! The library holds everything; `main.rs` only parses arguments and maps outcomes to exit codes.
//! Layers, each importing only those below it: `cli` (one file per subcommand) → `audit` (the one
//! path from inputs to a report) → the sources (`vault`, `online`, `impersonation`) and the
//! `engine` (registry, declarative rules, runner) with the `checks` it is handed → `model`
//! (inventory, policy, platform catalogue, guidance, evidence, results). `render` has one file
//! per output format over the results model.

pub mod audit;
pub mod baseline;
pub mod checks;
pub mod cli;
pub mod docs;
pub mod engine;
pub mod error;
pub mod impersonation;
pub mod input;
pub mod model;
pub mod online;
pub mod redact;
pub mod render;
pub mod vault;

pub use error::{Error, Result};

/// Threads worth starting for CPU-bound work split in parts (YAML pieces, lists, accounts,
/// candidate rows): `PALISADE_THREADS` when it is a positive number (a busy shared machine, or a
/// measurement), else the cores available; at most 8 (past that the parts are too small to pay
/// for a thread).
pub(crate) fn cores() -> usize {
    threads_setting(std::env::var("PALISADE_THREADS").ok().as_deref())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .min(8)
}

/// `PALISADE_THREADS` read: a positive whole number, or nothing (unset, empty, zero or not a
/// number leave the default).
fn threads_setting(value: Option<&str>) -> Option<usize> {
    value
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn palisade_threads_takes_a_positive_number_only() {
        assert_eq!(super::threads_setting(Some("1")), Some(1));
        assert_eq!(super::threads_setting(Some(" 3 ")), Some(3));
        for ignored in [None, Some(""), Some("0"), Some("two"), Some("-1")] {
            assert_eq!(super::threads_setting(ignored), None, "{ignored:?}");
        }
    }
}
