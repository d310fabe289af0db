//! Which handles can exist on each platform (`inventory.md`, "Handle rules").

use super::inventory::Platform;
use super::reader::is_domain;

/// `None` when the handle can exist on the platform; otherwise the rule it breaks, in words.
pub fn check(platform: Platform, handle: &str) -> Option<String> {
    let rule = |min: usize, max: usize, extra: &str, ok: fn(char) -> bool| -> Option<String> {
        let n = handle.chars().count();
        if (min..=max).contains(&n) && handle.chars().all(ok) {
            None
        } else {
            Some(format!(
                "{platform} handles are {min}-{max} characters of letters, digits{extra}"
            ))
        }
    };
    fn alnum(c: char) -> bool {
        c.is_ascii_alphanumeric()
    }
    match platform {
        Platform::X => rule(1, 15, " and _", |c| alnum(c) || c == '_'),
        Platform::Instagram | Platform::Threads => {
            rule(1, 30, ", . and _", |c| alnum(c) || c == '.' || c == '_')
        }
        Platform::Tiktok => rule(2, 24, ", . and _", |c| alnum(c) || c == '.' || c == '_'),
        Platform::Youtube => rule(3, 30, ", . _ and -", |c| {
            alnum(c) || matches!(c, '.' | '_' | '-')
        }),
        Platform::Facebook => rule(5, 50, " and .", |c| alnum(c) || c == '.'),
        Platform::Linkedin => rule(3, 100, " and -", |c| alnum(c) || c == '-'),
        Platform::Bluesky => (!is_domain(handle))
            .then(|| "bluesky handles are domain names (e.g. name.bsky.social)".to_owned()),
        Platform::Mastodon => {
            let ok = handle.split_once('@').is_some_and(|(user, instance)| {
                (1..=30).contains(&user.chars().count())
                    && user.chars().all(|c| alnum(c) || c == '_')
                    && is_domain(instance)
            });
            (!ok).then(|| "mastodon handles are user@instance (user: 1-30 letters, digits and _; instance: a domain name)".to_owned())
        }
        _ => (handle.is_empty()
            || handle.chars().any(char::is_whitespace)
            || handle.chars().count() > MAX_OTHER_HANDLE_CHARS)
            .then(|| {
                format!("handles are non-empty text without spaces, at most {MAX_OTHER_HANDLE_CHARS} characters")
            }),
    }
}

/// A handle on a platform palisade has no rule for. No real handle comes near it; the bound
/// keeps a hostile one from making the impersonation search slow (its cost grows with length).
pub const MAX_OTHER_HANDLE_CHARS: usize = 100;

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
}
