//! The command line: one file per subcommand, each with its `Args` and a `run` function.

pub mod diff;
pub mod report;

use std::io::Write;

/// How a command that ran ends (errors are [`crate::Error`] and map to 2 or 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: nothing reached `--fail-on`.
    Clean,
    /// 1: a finding at or above `--fail-on`, or a regression.
    Findings,
}

/// Terminal settings shared by every command.
#[derive(Debug, Clone, Copy)]
pub struct Ui {
    pub color: bool,
    pub quiet: bool,
}

impl Ui {
    /// Writes to standard output; a closed pipe is not an error worth a message.
    pub fn print(&self, text: &str) {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes());
    }
}
