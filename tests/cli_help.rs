//! The clap definition is consistent (clap's own debug assertions).
use clap::CommandFactory;

#[test]
fn clap_definition_is_consistent() {
    palisade::cli::Cli::command().debug_assert();
}
