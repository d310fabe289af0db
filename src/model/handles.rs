//! Which handles can exist on each platform, as the built-in platform catalogue says
//! (`platforms/*.yaml`; the rules of `inventory.md` are tested against it there), and how
//! handles compare.

use super::platforms::Catalogue;
use super::types::Platform;

/// `None` when the handle can exist on the platform; otherwise the rule it breaks, in words.
pub fn check(platform: Platform, handle: &str) -> Option<String> {
    Catalogue::builtin().check_handle(platform, handle)
}

/// The longest handle the platform allows, in characters, from the platform catalogue, or
/// `None` where there is no limit. On Mastodon it is the limit of the user part (before
/// `@instance`); on Bluesky, of the whole domain name (RFC 1035: 253). The impersonation
/// search's "cut to the limit" relation and the look-alike generator read it here.
pub fn max_len(platform: Platform) -> Option<usize> {
    let facts = Catalogue::builtin().get(platform)?;
    match (&facts.handle.kind, facts.handle.max_length) {
        (_, Some(n)) => Some(n),
        (super::platforms::HandleKind::Domain, None) => Some(253),
        _ => None,
    }
}

/// The platform's name as people write it ("TikTok", "X"), from the platform catalogue, for
/// reasons and messages.
pub fn platform_name(platform: Platform) -> &'static str {
    match Catalogue::builtin().get(platform) {
        Some(f) => f.name.as_str(),
        None => "another platform",
    }
}

pub use super::platforms::MAX_OTHER_HANDLE_CHARS;

/// The longest handle any platform's rule above allows (Mastodon's 30-character user at a
/// 253-character instance), rounded up: a candidate handle longer than this cannot exist.
pub const MAX_HANDLE_CHARS: usize = 300;

/// Handles compare case-insensitively; a leading `@` is not part of the handle.
pub fn normalise(handle: &str) -> String {
    handle.strip_prefix('@').unwrap_or(handle).to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_platform() {
        assert!(check(Platform::X, "WestmerePolice").is_none());
        assert!(
            check(Platform::X, "WestmerePoliceHQ").is_some(),
            "16 characters"
        );
        assert!(check(Platform::X, "west.mere").is_some());
        assert!(check(Platform::Facebook, "abcd").is_some());
        assert!(check(Platform::Facebook, "westmere.police").is_none());
        assert!(check(Platform::Bluesky, "westmere.police.uk").is_none());
        assert!(check(Platform::Bluesky, "westmere").is_some());
        assert!(check(Platform::Mastodon, "westmere@mastodon.social").is_none());
        assert!(check(Platform::Mastodon, "westmere").is_some());
        assert!(check(Platform::Mastodon, "west-mere@mastodon.social").is_some());
        assert!(check(Platform::Other, "any-thing").is_none());
        assert!(check(Platform::Other, "two words").is_some());
        assert!(check(Platform::Other, &"x".repeat(100)).is_none());
        assert!(check(Platform::Other, &"x".repeat(30_000)).is_some());
        assert!(check(Platform::Tiktok, "a").is_some());
        assert!(check(Platform::Linkedin, "west_mere").is_some());
    }

    #[test]
    fn max_len_is_the_limit_check_enforces() {
        for p in [
            Platform::X,
            Platform::Instagram,
            Platform::Threads,
            Platform::Tiktok,
            Platform::Youtube,
            Platform::Facebook,
            Platform::Linkedin,
        ] {
            let n = max_len(p).expect("a limit");
            assert!(check(p, &"a".repeat(n)).is_none(), "{p} at {n}");
            assert!(check(p, &"a".repeat(n + 1)).is_some(), "{p} over {n}");
        }
        let user = "a".repeat(30);
        assert!(check(Platform::Mastodon, &format!("{user}@mastodon.social")).is_none());
        assert!(check(Platform::Mastodon, &format!("{user}a@mastodon.social")).is_some());
        assert_eq!(max_len(Platform::Other), None);
    }
}
