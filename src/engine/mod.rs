//! The check engine: definitions (registry), the declarative rule evaluator, the runner.
//! No I/O and no async here: everything a check needs is in the [`Context`].

pub mod context;
pub mod outcome;

pub use context::Context;
pub use native::NativeCheck;
pub use outcome::Outcome;
pub mod cel_rule;
pub mod definition;
pub mod memo;
pub mod native;
pub mod registry;
pub mod runner;
