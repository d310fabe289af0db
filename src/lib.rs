//! palisade: a security posture auditor for an organisation's official social media accounts.
//!
//! The library holds everything; `main.rs` only parses arguments and maps outcomes to exit codes.
//! Layout: `model` (inventory, policy, results), `engine` (registry, declarative loader, runner),
//! `checks` (native checks), `render` (one file per output format), `cli` (one file per subcommand).

pub mod model;
pub mod checks;
pub mod cli;
pub mod engine;
pub mod error;
pub mod baseline;
pub mod redact;
pub mod render;

pub use error::{Error, Result};
