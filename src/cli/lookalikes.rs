//! `palisade lookalikes HANDLE --platform P`: the look-alike handles an attacker would register
//! (like dnstwist for domains), by class, valid for the platform, and whether the platform lets
//! the organisation register them defensively.

use super::{Exit, Ui};
use crate::impersonation;
use crate::model::{handles, Platform};
use crate::render::Format;
use crate::Error;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The official handle
    pub handle: String,
    /// The platform whose alphabet and length limit apply
    #[arg(long, default_value = "x", value_parser = parse_platform)]
    pub platform: Platform,
    /// Output format (one of the names `audit --format` takes)
    #[arg(long, default_value = "text", value_name = "FORMAT", value_parser = super::formats(super::TEXT_OR_JSON))]
    pub format: Format,
    /// The same as --format json (kept for scripts that use it)
    #[arg(long)]
    pub json: bool,
}

fn parse_platform(s: &str) -> Result<Platform, String> {
    Platform::parse(s)
        .ok_or_else(|| format!("`{s}` is not a platform ({})", Platform::ALL.join(", ")))
}

pub fn run(args: &Args, ui: &Ui) -> crate::Result<Exit> {
    let handle = args.handle.trim().trim_start_matches('@');
    if let Some(rule) = handles::check(args.platform, handle) {
        return Err(Error::Usage(format!(
            "`{handle}` cannot exist on {}: {rule}",
            args.platform
        )));
    }
    let items = impersonation::lookalikes(handle, args.platform);
    if args.json || args.format == Format::Json {
        ui.print(&impersonation::lookalikes::render_json(
            handle,
            args.platform,
            &items,
        ))?;
    } else {
        ui.print(&impersonation::lookalikes::render_text(
            handle,
            args.platform,
            &items,
        ))?;
    }
    Ok(Exit::Clean)
}
