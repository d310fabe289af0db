//! The command line: one file per subcommand, each with its `Args` and a `run` function.

pub mod audit;
pub mod checks;
pub mod completions;
pub mod diff;
pub mod docs;
pub mod impersonation;
pub mod init;
pub mod lookalikes;
pub mod man;
pub mod platforms;
pub mod report;
pub mod terminal;
pub mod validate;

use std::ffi::OsString;
use std::io::Write;
use std::path::Path;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use crate::render::Format;

/// How a command that ran ends (errors are [`crate::Error`] and map to 2 or 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: nothing reached `--fail-on`.
    Clean,
    /// 1: a finding at or above `--fail-on`, a regression (`diff`), a flagged suspect
    /// (`impersonation`).
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

    /// Says that a file was written, on standard error (standard output may be the data itself),
    /// the same way on every command.
    pub fn wrote(&self, path: &Path) {
        self.note(&format!("wrote {}", path.display()));
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

/// The help heading of the options every command takes.
pub const GLOBAL: &str = "Global options";

/// `--format LIST` reads the same on every command: comma-separated names of [`Format`]. A
/// command lists, and accepts, only the formats it can write; clap says which otherwise.
pub fn formats(allowed: &'static [Format]) -> impl TypedValueParser<Value = Format> {
    PossibleValuesParser::new(allowed.iter().filter_map(|f| f.to_possible_value()))
        .try_map(|s| s.parse::<Format>())
}

/// For the commands that print either a text view or JSON.
pub const TEXT_OR_JSON: &[Format] = &[Format::Text, Format::Json];

/// Sorted, without duplicates: the order `--format` was written in does not matter.
pub fn dedup_formats(list: &[Format]) -> Vec<Format> {
    let mut v = list.to_vec();
    v.sort();
    v.dedup();
    v
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Shown under every command's help: one meaning per code across commands (cli.md).
pub const EXIT_CODES: &str = "\
Exit codes:
  0  the command ran; nothing reached --fail-on
  1  findings at or above --fail-on (audit), flagged suspects (impersonation), a regression (diff)
  2  bad usage or invalid input: nothing was audited, and the message says where and why
  3  the command could not finish or could not write its outputs";

/// Every environment variable palisade reads, in `--help` and the man page.
pub const ENVIRONMENT: &str = "\
Environment:
  PALISADE_VAULT_PASSWORD  KeePass master password for --vault (otherwise asked for on a terminal)
  HIBP_API_KEY             Have I Been Pwned key: with --online, MAIL-05 sends the login and
                           recovery e-mail addresses to HIBP (unset: MAIL-05 is skipped)
  PALISADE_HIBP_API        Have I Been Pwned API base URL
  PALISADE_BLUESKY_API     Bluesky AppView base URL (--bluesky-api)
  PALISADE_MASTODON_API    Mastodon base URL (--mastodon-api)
  PALISADE_PWNED_API       Pwned Passwords base URL (--pwned-api)
  PALISADE_CACHE_DIR       Network cache (--cache-dir; default $XDG_CACHE_HOME/palisade or
                           ~/.cache/palisade)
  PALISADE_THREADS         At most this many threads for parsing, checks and the impersonation
                           search (default: the cores available)
  NO_COLOR, CLICOLOR, CLICOLOR_FORCE, TERM
                           Colour under --color auto (https://no-color.org, bixense.com/clicolors)";

/// Security posture auditor for an organisation's official social media accounts.
#[derive(Debug, Parser)]
#[command(
    name = "palisade",
    version,
    about,
    long_about = None,
    propagate_version = true,
    after_help = EXIT_CODES,
    after_long_help = format!("{EXIT_CODES}\n\n{ENVIRONMENT}"),
)]
pub struct Cli {
    /// When to use colour, in the output and in clap's help and errors (auto honours NO_COLOR,
    /// CLICOLOR, CLICOLOR_FORCE and TERM=dumb)
    #[arg(long, global = true, value_enum, default_value = "auto", help_heading = GLOBAL)]
    pub color: ColorChoice,
    /// Print nothing but errors; the exit code tells the outcome
    #[arg(long, short = 'q', global = true, help_heading = GLOBAL)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

/// Parses the command line. `--color` is read first so that clap's own help and error messages
/// follow it as the output does.
pub fn parse_from(args: Vec<OsString>) -> Result<Cli, clap::Error> {
    let choice = terminal::color_from_args(&args);
    let mut cmd = Cli::command().color(choice.into());
    let matches = cmd.try_get_matches_from_mut(args)?;
    Cli::from_arg_matches(&matches).map_err(|e| e.format(&mut cmd))
}

// One `Command` is parsed per process: the size of the largest variant costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate the inventory, run every check, write the outputs, exit by --fail-on
    #[command(after_help = EXIT_CODES, after_long_help = format!("{EXIT_CODES}\n\n{ENVIRONMENT}"))]
    Audit(audit::Args),
    /// Validate the inventory only; diagnostics with file:line:column
    #[command(after_help = EXIT_CODES)]
    Validate(validate::Args),
    /// The control catalogue: `checks list`, `checks explain ID`
    #[command(after_help = EXIT_CODES)]
    Checks(checks::Args),
    /// Write a commented starter inventory
    #[command(after_help = EXIT_CODES)]
    Init(init::Args),
    /// The impersonation search alone
    #[command(after_help = EXIT_CODES, after_long_help = format!("{EXIT_CODES}\n\n{ENVIRONMENT}"))]
    Impersonation(impersonation::Args),
    /// The look-alike handles an attacker would register for one handle
    #[command(after_help = EXIT_CODES)]
    Lookalikes(lookalikes::Args),
    /// Re-render saved results (results.json) in any format
    #[command(after_help = EXIT_CODES)]
    Report(report::Args),
    /// Regressions, fixes, new and removed accounts between two results.json files
    #[command(after_help = EXIT_CODES)]
    Diff(diff::Args),
    /// The platform catalogue: what each platform offers, with sources and dates checked
    #[command(after_help = EXIT_CODES)]
    Platforms(platforms::Args),
    /// Reference documentation generated from the product itself (`docs inventory`)
    #[command(after_help = EXIT_CODES)]
    Docs(docs::Args),
    /// A shell completion script (bash, zsh, fish, elvish, powershell) on standard output
    Completions(completions::Args),
    /// The manual page (roff): `palisade man | man -l -`, or one page per command with --out DIR
    Man(man::Args),
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
        Command::Completions(a) => completions::run(&a, ui),
        Command::Man(a) => man::run(&a, ui),
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
