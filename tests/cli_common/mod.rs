//! The binary as the command-line tests run it: none of the variables a developer's shell or a
//! CI runner may set that change its output (colour, network endpoints, the vault password), and
//! a fixed terminal width.
#![allow(dead_code)]

use assert_cmd::Command;

pub const EXAMPLE: &str = "examples/westmere.yaml";

pub fn palisade() -> Command {
    let mut c = Command::cargo_bin("palisade").expect("binary built");
    for v in [
        "NO_COLOR",
        "CLICOLOR",
        "CLICOLOR_FORCE",
        "CI",
        "PALISADE_BLUESKY_API",
        "PALISADE_MASTODON_API",
        "PALISADE_PWNED_API",
        "PALISADE_CACHE_DIR",
        "PALISADE_VAULT_PASSWORD",
    ] {
        c.env_remove(v);
    }
    c.env("COLUMNS", "100");
    c
}

/// Exit code (-1 when killed by a signal), standard output, standard error.
pub fn outcome(c: &mut Command) -> (i32, String, String) {
    let out = c.output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// [`outcome`] of `palisade ARGS`.
pub fn stdout_of(args: &[&str]) -> (i32, String, String) {
    outcome(palisade().args(args))
}
