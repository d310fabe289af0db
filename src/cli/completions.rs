//! `palisade completions SHELL`: the shell's completion script on standard output, generated
//! from the same clap definition as the parser, so it cannot fall out of date.

use clap::CommandFactory;
use clap_complete::Shell;

use super::{Cli, Exit, Ui};

#[derive(Debug, clap::Args)]
#[command(after_help = "\
Install (one of):
  palisade completions bash > ~/.local/share/bash-completion/completions/palisade
  palisade completions zsh  > ~/.zfunc/_palisade      # with fpath+=(~/.zfunc) in ~/.zshrc
  palisade completions fish > ~/.config/fish/completions/palisade.fish")]
pub struct Args {
    /// The shell to complete in
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn run(args: &Args, ui: &Ui) -> crate::Result<Exit> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "palisade", &mut script);
    ui.print(&String::from_utf8_lossy(&script))?;
    Ok(Exit::Clean)
}
