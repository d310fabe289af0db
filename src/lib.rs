//! palisade: a security posture auditor for an organisation's official social media accounts.
//!
//! The library holds everything; `main.rs` only parses arguments and maps outcomes to exit codes.
//! Layout: `model` (inventory, policy, results), `engine` (registry, declarative loader, runner),
//! `checks` (native checks), `render` (one file per output format), `cli` (one file per subcommand).

pub mod baseline;
pub mod checks;
pub mod cli;
pub mod docs;
pub mod engine;
pub mod error;
pub mod impersonation;
pub mod model;
pub mod online;
pub mod redact;
pub mod render;
pub mod vault;

pub use error::{Error, Result};
