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
        _ => (handle.is_empty() || handle.chars().any(char::is_whitespace))
            .then(|| "handles are non-empty text without spaces".to_owned()),
    }
}

/// The longest handle the platform allows, in characters (`inventory.md`, "Handle rules"), or
/// `None` where there is no limit. On Mastodon it is the limit of the user part (before
/// `@instance`); on Bluesky, of the whole domain name. The one place that says it: the
/// impersonation search's "cut to the limit" relation and the look-alike generator read it here,
/// so that the platform catalogue can take it over in one place.
pub fn max_len(platform: Platform) -> Option<usize> {
    match platform {
        Platform::X => Some(15),
        Platform::Instagram | Platform::Threads | Platform::Youtube | Platform::Mastodon => {
            Some(30)
        }
        Platform::Tiktok => Some(24),
        Platform::Facebook => Some(50),
        Platform::Linkedin => Some(100),
        // A domain name (RFC 1035): 253 characters.
        Platform::Bluesky => Some(253),
        _ => None,
    }
}

/// The platform's name as people write it ("TikTok", "X"), for reasons and messages.
pub fn platform_name(platform: Platform) -> &'static str {
    match platform {
        Platform::X => "X",
        Platform::Facebook => "Facebook",
        Platform::Instagram => "Instagram",
        Platform::Threads => "Threads",
        Platform::Youtube => "YouTube",
        Platform::Tiktok => "TikTok",
        Platform::Linkedin => "LinkedIn",
        Platform::Bluesky => "Bluesky",
        Platform::Mastodon => "Mastodon",
        Platform::Whatsapp => "WhatsApp",
        Platform::Nextdoor => "Nextdoor",
        Platform::Snapchat => "Snapchat",
        Platform::Other => "another platform",
    }
}

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
