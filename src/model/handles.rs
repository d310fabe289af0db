//! Which handles can exist on each platform, as the built-in platform catalogue says
//! (`platforms/*.yaml`; the rules of `inventory.md` are tested against it there), and how
//! handles compare.

use super::platforms::Catalogue;
use super::types::Platform;

/// `None` when the handle can exist on the platform; otherwise the rule it breaks, in words.
pub fn check(platform: Platform, handle: &str) -> Option<String> {
    Catalogue::builtin().check_handle(platform, handle)
}

/// The longest handle the platform allows, where it has a limit.
pub fn max_length(platform: Platform) -> Option<usize> {
    Catalogue::builtin().max_handle_length(platform)
}

/// Handles compare case-insensitively; a leading `@` is not part of the handle.
pub fn normalise(handle: &str) -> String {
    handle.strip_prefix('@').unwrap_or(handle).to_lowercase()
}
