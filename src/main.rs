//! The `palisade` binary: parse arguments, set colour, run, map the outcome to an exit code
//! (0 clean, 1 findings, 2 bad input or usage, 3 could not finish). Everything else is the library.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use palisade::cli::terminal::{use_color, ColorEnv};
use palisade::cli::{self, Exit, Ui};
use palisade::Error;

// An audit allocates millions of small strings and maps (results, evidence, YAML nodes); with
// mimalloc the 10,000-account audit spends far less time in malloc/free than with glibc's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in `mimalloc.h` (the same place in the enum of v2 and v3).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Freed memory goes back to the system after this many milliseconds. mimalloc v3 waits a
/// second; phases of an audit (parsing, the checks, the outputs) run on different threads and
/// free what the next one cannot reuse, so the 10,000-account audit peaked at 225 MB instead of
/// about 190 MB, at no measurable cost in time (v2's default is also 10).
const PURGE_DELAY_MS: std::ffi::c_long = 10;

fn main() -> ExitCode {
    // SAFETY: sets a plain integer option; mimalloc reads options at each purge, and an option
    // mimalloc does not know is ignored with a warning, never undefined behaviour.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS) };
    // A panic is a bug, but it still ends in exit 3 with a message, and never prints its payload
    // (which could hold input-derived data).
    std::panic::set_hook(Box::new(|info| {
        // A library panic palisade contains (the CEL parser's) is reported as an input error.
        if palisade::error::panic_is_contained() {
            return;
        }
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let _ = writeln!(
            std::io::stderr().lock(),
            "palisade: internal error{at}; please report it (this is a bug)"
        );
    }));
    let cli = match cli::parse_from(std::env::args_os().collect()) {
        Ok(c) => c,
        Err(e) => {
            // `--help` and `--version` go to standard output: one that cannot take them is exit 3.
            let code = match (e.use_stderr(), e.print()) {
                (true, _) => 2,
                (false, Ok(())) => 0,
                (false, Err(_)) => 3,
            };
            return ExitCode::from(code);
        }
    };
    // Decided per stream: `palisade audit … 2>&1 | less` colours neither, a terminal both.
    let env = ColorEnv::from_process();
    let ui = Ui {
        color: use_color(cli.color, std::io::stdout().is_terminal(), &env),
        quiet: cli.quiet,
    };
    let stderr_color = use_color(cli.color, std::io::stderr().is_terminal(), &env);
    match std::panic::catch_unwind(|| cli::run(cli, &ui)) {
        Ok(Ok(Exit::Clean)) => ExitCode::from(0),
        Ok(Ok(Exit::Findings)) => ExitCode::from(1),
        Ok(Err(e)) => {
            report(&e, stderr_color);
            ExitCode::from(e.exit_code())
        }
        Err(_) => ExitCode::from(3),
    }
}

/// The error on standard error; `eprint!` would panic if standard error were closed or full,
/// and the exit code tells the outcome anyway.
fn report(e: &Error, color: bool) {
    let text = match e {
        Error::Input(diags) => palisade::render::diagnostics::render(diags, color),
        other => format!(
            "palisade: {}\n",
            palisade::render::text::sanitize(&other.to_string())
        ),
    };
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}
