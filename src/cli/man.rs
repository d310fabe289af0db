//! `palisade man [--out DIR]`: the manual page in roff, generated from the clap definition (so
//! options, environment variables and exit codes match `--help`). Without `--out`, palisade(1)
//! on standard output; with it, palisade.1 and one page per command (palisade-audit.1, …).

use std::path::PathBuf;

use clap::CommandFactory;

use super::{Cli, Exit, Ui};
use crate::Error;

#[derive(Debug, clap::Args)]
#[command(after_help = "\
Read it:     palisade man | man -l -
Install it:  palisade man --out /usr/local/share/man/man1")]
pub struct Args {
    /// Write palisade.1 and a page per command into this directory
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// `(file name, roff)` for palisade(1) and every command under it, `palisade-checks-list.1`
/// included; clap's `help` pseudo-command is left out.
pub fn pages() -> crate::Result<Vec<(String, Vec<u8>)>> {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let mut out = Vec::new();
    collect(&cmd, &mut out)?;
    Ok(out)
}

fn collect(cmd: &clap::Command, out: &mut Vec<(String, Vec<u8>)>) -> crate::Result<()> {
    let name = cmd.get_display_name().unwrap_or(cmd.get_name()).to_owned();
    let roff = page(cmd).map_err(|e| Error::io(format!("rendering the manual page {name}"), e))?;
    out.push((format!("{name}.1"), roff));
    for sub in cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        collect(sub, out)?;
    }
    Ok(())
}

/// One page: clap_mangen's sections, except that the text after the options (exit codes,
/// environment, examples) becomes EXIT STATUS, ENVIRONMENT and EXAMPLES sections laid out as in
/// `--help`, where clap_mangen would run it together into one paragraph called EXTRA.
fn page(cmd: &clap::Command) -> std::io::Result<Vec<u8>> {
    let man = clap_mangen::Man::new(cmd.clone());
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(&mut out)?;
    }
    if cmd.has_subcommands() {
        man.render_subcommands_section(&mut out)?;
    }
    if let Some(after) = cmd.get_after_long_help().or(cmd.get_after_help()) {
        out.extend_from_slice(after_help_sections(&after.to_string()).as_bytes());
    }
    if cmd.get_version().is_some() {
        man.render_version_section(&mut out)?;
    }
    Ok(out)
}

/// `Exit codes:` and `Environment:` blocks (separated by blank lines) as roff sections, kept
/// line by line (`.nf`) since they are tables.
fn after_help_sections(text: &str) -> String {
    let mut roff = String::new();
    for block in text.split("\n\n").filter(|b| !b.trim().is_empty()) {
        let (title, body) = match block.split_once('\n') {
            Some(("Exit codes:", body)) => ("EXIT STATUS", body),
            Some(("Environment:", body)) => ("ENVIRONMENT", body),
            _ => ("EXAMPLES", block),
        };
        roff.push_str(&format!(".SH \"{title}\"\n.nf\n"));
        for line in body.lines() {
            roff.push_str(&roff_text(line));
            roff.push('\n');
        }
        roff.push_str(".fi\n");
    }
    roff
}

/// A line of plain text that roff prints as written: backslashes and hyphens escaped, and a
/// leading `.` or `'` kept from being read as a request.
fn roff_text(line: &str) -> String {
    let escaped = line.replace('\\', "\\e").replace('-', "\\-");
    if escaped.starts_with(['.', '\'']) {
        format!("\\&{escaped}")
    } else {
        escaped
    }
}

pub fn run(args: &Args, ui: &Ui) -> crate::Result<Exit> {
    match &args.out {
        None => {
            let (_, roff) = pages()?
                .into_iter()
                .next()
                .ok_or_else(|| Error::Internal("no manual page".into()))?;
            ui.print(&String::from_utf8_lossy(&roff))?;
        }
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
            for (name, roff) in pages()? {
                let path = crate::render::write_atomically(dir, &name, &roff)?;
                ui.wrote(&path);
            }
        }
    }
    Ok(Exit::Clean)
}

#[cfg(test)]
mod tests {
    #[test]
    fn after_help_becomes_sections_roff_prints_as_written() {
        let roff = super::after_help_sections(
            "Exit codes:\n  0  clean\n  1  --fail-on\n\nEnvironment:\n  X  y\n\n.hidden: a\\b",
        );
        assert_eq!(
            roff,
            ".SH \"EXIT STATUS\"\n.nf\n  0  clean\n  1  \\-\\-fail\\-on\n.fi\n\
             .SH \"ENVIRONMENT\"\n.nf\n  X  y\n.fi\n\
             .SH \"EXAMPLES\"\n.nf\n\\&.hidden: a\\eb\n.fi\n"
        );
    }
}
