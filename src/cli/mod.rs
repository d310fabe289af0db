//! The command line: one file per subcommand, each with its `Args` and a `run` function.

pub mod audit;
pub mod checks;
pub mod diff;
pub mod docs;
pub mod impersonation;
pub mod init;
pub mod lookalikes;
pub mod platforms;
pub mod report;
pub mod validate;

use std::io::Write;

use clap::{Parser, Subcommand, ValueEnum};

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
    /// Writes to standard output. A full disk or a closed pipe means the output was not
    /// written, which `cli.md` makes exit 3.
    pub fn print(&self, text: &str) -> crate::Result<()> {
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .map_err(stdout_error)
    }

    /// Prints a document in a file format (Markdown, JSON, CSV…) to standard output. Those
    /// formats carry input as it is; on a terminal, its control characters are shown as
    /// escapes so that they cannot drive it. Sent to a pipe or a file, it is left exact.
    pub fn print_document(&self, text: &str) -> crate::Result<()> {
        use std::io::IsTerminal;
        if std::io::stdout().is_terminal() {
            self.print(&crate::render::for_terminal_lines(text))
        } else {
            self.print(text)
        }
    }

    /// A progress note on standard error (`wrote FILE`); unlike `eprintln!`, it cannot panic
    /// when standard error is closed or full, and a note that cannot be shown is no failure.
    pub fn note(&self, text: &str) {
        if !self.quiet {
            let _ = writeln!(std::io::stderr().lock(), "{text}");
        }
    }
}

/// A failed write to standard output, as the error that exits 3.
pub fn stdout_error(e: std::io::Error) -> crate::Error {
    crate::Error::io("writing to standard output", e)
}

/// `result` with an I/O error re-labelled as a write to standard output (the renderers name the
/// file they would have written).
pub fn on_stdout(result: crate::Result<()>) -> crate::Result<()> {
    match result {
        Err(crate::Error::Io { source, .. }) => Err(stdout_error(source)),
        other => other,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Security posture auditor for an organisation's official social media accounts.
#[derive(Debug, Parser)]
#[command(name = "palisade", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// When to use colour in terminal output (NO_COLOR is honoured by `auto`)
    #[arg(long, global = true, value_enum, default_value = "auto")]
    pub color: ColorChoice,
    /// Print nothing but errors; the exit code tells the outcome
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate the inventory, run every check, write the outputs, exit by --fail-on
    Audit(audit::Args),
    /// Validate the inventory only; diagnostics with file:line:column
    Validate(validate::Args),
    /// The control catalogue: `checks list`, `checks explain ID`
    Checks(checks::Args),
    /// Write a commented starter inventory
    Init(init::Args),
    /// The impersonation search alone
    Impersonation(impersonation::Args),
    /// The look-alike handles an attacker would register for one handle
    Lookalikes(lookalikes::Args),
    /// Re-render saved results (results.json) in any format
    Report(report::Args),
    /// Regressions, fixes, new and removed accounts between two results.json files
    Diff(diff::Args),
    /// The platform catalogue: what each platform offers, with sources and dates checked
    Platforms(platforms::Args),
    /// Reference documentation generated from the product itself (`docs inventory`)
    Docs(docs::Args),
}

pub fn run(cli: Cli, ui: &Ui) -> crate::Result<Exit> {
    match cli.command {
        Command::Audit(a) => audit::run(&a, ui),
        Command::Validate(a) => validate::run(&a, ui),
        Command::Checks(a) => checks::run(&a, ui),
        Command::Init(a) => init::run(&a, ui),
        Command::Impersonation(a) => impersonation::run(&a, ui),
        Command::Lookalikes(a) => lookalikes::run(&a, ui),
        Command::Report(a) => report::run(&a, ui),
        Command::Diff(a) => diff::run(&a, ui),
        Command::Platforms(a) => platforms::run(&a, ui),
        Command::Docs(a) => docs::run(&a, ui),
    }
}

/// Prints the warnings an audit or a validation found (they do not change the exit code).
pub fn print_warnings(warnings: &[crate::error::Diagnostic], ui: &Ui) {
    if warnings.is_empty() || ui.quiet {
        return;
    }
    let color = ui.color && std::io::IsTerminal::is_terminal(&std::io::stderr());
    eprint!(
        "{}",
        crate::render::diagnostics::render_warnings(warnings, color)
    );
}

/// Parses `YYYY-MM-DD` for `--as-of`.
pub fn parse_date(s: &str) -> Result<jiff::civil::Date, String> {
    if s.len() != 10 {
        return Err(format!("`{s}` is not a date written YYYY-MM-DD"));
    }
    s.parse::<jiff::civil::Date>()
        .map_err(|_| format!("`{s}` is not a date written YYYY-MM-DD"))
}

/// Today in the local time zone, the default as-of date.
pub fn today() -> jiff::civil::Date {
    jiff::Zoned::now().date()
}
