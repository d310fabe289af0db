//! Colour on the terminal, decided once per stream by the conventions other command-line tools
//! follow (ripgrep, cargo): `--color`, then `NO_COLOR`, `CLICOLOR_FORCE`, `CLICOLOR`, `TERM`.
//!
//! clap's own help and error messages are coloured by the same rules: `main.rs` reads `--color`
//! before clap parses anything and hands it to clap.

use std::ffi::OsString;

use super::ColorChoice;

/// The environment variables that bear on colour, read once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColorEnv {
    /// `NO_COLOR` is set and not empty.
    pub no_color: bool,
    /// `CLICOLOR_FORCE` is set and not empty.
    pub clicolor_force: bool,
    /// `CLICOLOR`: `Some(false)` when it is `0`, `Some(true)` for any other value.
    pub clicolor: Option<bool>,
    /// `TERM` is set and is not `dumb`.
    pub term_supports_color: bool,
    /// `CI` is set: CI logs render colour although they are not terminals.
    pub ci: bool,
}

impl ColorEnv {
    pub fn from_process() -> ColorEnv {
        ColorEnv {
            no_color: anstyle_query::no_color(),
            clicolor_force: anstyle_query::clicolor_force(),
            clicolor: anstyle_query::clicolor(),
            term_supports_color: anstyle_query::term_supports_color(),
            ci: anstyle_query::is_ci(),
        }
    }
}

/// Whether to colour a stream. An explicit `--color always|never` wins over the environment;
/// `auto` follows the same order as clap's help (anstream), so help and output never disagree:
/// `NO_COLOR` off, `CLICOLOR_FORCE` on, `CLICOLOR=0` off, then colour only on a terminal whose
/// `TERM` is not `dumb` (or when `CLICOLOR` or `CI` says colour is understood).
pub fn use_color(choice: ColorChoice, is_terminal: bool, env: &ColorEnv) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            if env.no_color {
                false
            } else if env.clicolor_force {
                true
            } else if env.clicolor == Some(false) {
                false
            } else {
                is_terminal && (env.term_supports_color || env.clicolor == Some(true) || env.ci)
            }
        }
    }
}

/// `--color` as written on the command line, read before clap parses it so that clap's own help
/// and errors obey it too. The last occurrence wins, as it does for clap; anything after `--` is
/// an operand, and a value clap would reject counts as `auto` here (clap then reports it).
pub fn color_from_args(args: &[OsString]) -> ColorChoice {
    let mut choice = ColorChoice::Auto;
    let mut it = args.iter().skip(1);
    while let Some(arg) = it.next() {
        let Some(arg) = arg.to_str() else { continue };
        let value = if arg == "--" {
            break;
        } else if arg == "--color" {
            it.next().and_then(|v| v.to_str())
        } else if let Some(v) = arg.strip_prefix("--color=") {
            Some(v)
        } else {
            continue;
        };
        choice = match value {
            Some("always") => ColorChoice::Always,
            Some("never") => ColorChoice::Never,
            _ => ColorChoice::Auto,
        };
    }
    choice
}

impl From<ColorChoice> for clap::ColorChoice {
    fn from(c: ColorChoice) -> clap::ColorChoice {
        match c {
            ColorChoice::Auto => clap::ColorChoice::Auto,
            ColorChoice::Always => clap::ColorChoice::Always,
            ColorChoice::Never => clap::ColorChoice::Never,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        std::iter::once("palisade")
            .chain(list.iter().copied())
            .map(OsString::from)
            .collect()
    }

    #[test]
    fn color_flag_is_found_before_parsing() {
        assert_eq!(color_from_args(&args(&["audit", "x"])), ColorChoice::Auto);
        assert_eq!(
            color_from_args(&args(&["--color", "never", "audit"])),
            ColorChoice::Never
        );
        assert_eq!(
            color_from_args(&args(&["audit", "--color=always"])),
            ColorChoice::Always
        );
        // The last one wins, as in clap.
        assert_eq!(
            color_from_args(&args(&["--color=always", "audit", "--color", "never"])),
            ColorChoice::Never
        );
        // After `--` it is an operand, not the option.
        assert_eq!(
            color_from_args(&args(&["audit", "--", "--color=always"])),
            ColorChoice::Auto
        );
        // A value clap will reject does not switch colour on.
        assert_eq!(
            color_from_args(&args(&["--color", "sometimes"])),
            ColorChoice::Auto
        );
    }

    #[test]
    fn explicit_choice_beats_the_environment() {
        let hostile = ColorEnv {
            no_color: true,
            clicolor: Some(false),
            ..Default::default()
        };
        assert!(use_color(ColorChoice::Always, false, &hostile));
        let eager = ColorEnv {
            clicolor_force: true,
            term_supports_color: true,
            ..Default::default()
        };
        assert!(!use_color(ColorChoice::Never, true, &eager));
    }

    #[test]
    fn auto_follows_the_conventions_in_order() {
        let tty = ColorEnv {
            term_supports_color: true,
            ..Default::default()
        };
        assert!(use_color(ColorChoice::Auto, true, &tty));
        assert!(!use_color(ColorChoice::Auto, false, &tty), "a pipe");
        // TERM=dumb (or no TERM): no colour even on a terminal.
        assert!(!use_color(ColorChoice::Auto, true, &ColorEnv::default()));
        // CLICOLOR=0 turns it off; CLICOLOR_FORCE turns it on even into a pipe...
        let off = ColorEnv {
            clicolor: Some(false),
            ..tty.clone()
        };
        assert!(!use_color(ColorChoice::Auto, true, &off));
        let forced = ColorEnv {
            clicolor_force: true,
            ..Default::default()
        };
        assert!(use_color(ColorChoice::Auto, false, &forced));
        // ...and NO_COLOR beats CLICOLOR_FORCE.
        let both = ColorEnv {
            no_color: true,
            ..forced
        };
        assert!(!use_color(ColorChoice::Auto, false, &both));
    }
}
