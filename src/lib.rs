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

/// Threads worth starting for CPU-bound work split in parts (YAML pieces, lists, accounts): the
/// cores available, at most 8 (past that the parts are too small to pay for a thread).
pub(crate) fn cores() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(8)
}
