//! The organisation's published list of official accounts: which social media links and
//! @handles it shows. Parsing is pure (HTML in, links out) so it is tested without a network;
//! matching against the inventory happens in `online::gather`.

use std::sync::LazyLock;

use regex::Regex;
use reqwest::Url;
use serde::Serialize;

use crate::model::Platform;

/// One social media account the page links to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PageLink {
    pub platform: Platform,
    /// As the platform spells it, without `@`; Mastodon as `user@instance`.
    pub handle: String,
    pub url: String,
}

/// What a page shows: links to accounts, and @handles written in its text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    pub links: Vec<PageLink>,
    pub mentions: Vec<String>,
}

static MENTION: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^A-Za-z0-9_.@/])@([A-Za-z0-9_][A-Za-z0-9_.\-]*(?:@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)?)").ok()
});

/// Links and @mentions in `html`; relative links resolve against `base`. Duplicates are kept once.
pub fn parse(html: &str, base: &Url) -> Parsed {
    let doc = scraper::Html::parse_document(html);
    let mut out = Parsed::default();
    if let Ok(sel) = scraper::Selector::parse("a[href]") {
        for a in doc.select(&sel) {
            let Some(href) = a.value().attr("href") else {
                continue;
            };
            let Ok(url) = base.join(href.trim()) else {
                continue;
            };
            if let Some((platform, handle)) = classify(&url) {
                let link = PageLink {
                    platform,
                    handle,
                    url: url.to_string(),
                };
                if !out.links.iter().any(|l| {
                    l.platform == link.platform && l.handle.eq_ignore_ascii_case(&link.handle)
                }) {
                    out.links.push(link);
                }
            }
        }
    }
    if let Some(re) = MENTION.as_ref() {
        let text: String = doc.root_element().text().collect::<Vec<_>>().join(" ");
        for cap in re.captures_iter(&text) {
            let Some(m) = cap.get(1) else { continue };
            let h = m.as_str().trim_end_matches(['.', '-']).to_string();
            if !h.is_empty() && !out.mentions.iter().any(|x| x.eq_ignore_ascii_case(&h)) {
                out.mentions.push(h);
            }
        }
    }
    out
}

/// Paths on the big platforms that are features, not accounts.
const NOT_ACCOUNTS: &[&str] = &[
    "intent",
    "share",
    "sharer",
    "sharer.php",
    "share.php",
    "home",
    "search",
    "hashtag",
    "i",
    "explore",
    "login",
    "signup",
    "privacy",
    "legal",
    "help",
    "about",
    "policies",
    "tos",
    "watch",
    "results",
    "events",
    "groups",
    "pages",
    "profile.php",
    "p",
    "reel",
    "reels",
    "stories",
    "tv",
    "dialog",
    "settings",
    "messages",
    "notifications",
    "feed",
    "channel",
    "c",
    "user",
    "playlist",
    "embed",
];

/// The account a URL points at, if it is a profile on a platform palisade knows.
pub fn classify(url: &Url) -> Option<(Platform, String)> {
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let host = url.host_str()?.to_ascii_lowercase();
    let host = host
        .strip_prefix("www.")
        .or_else(|| host.strip_prefix("m."))
        .or_else(|| host.strip_prefix("mobile."))
        .unwrap_or(&host);
    let segs: Vec<&str> = url
        .path_segments()
        .map(|s| s.filter(|x| !x.is_empty()).collect())
        .unwrap_or_default();
    let first = segs.first().copied();
    let plain = |s: &str| -> Option<String> {
        let s = s.trim_start_matches('@');
        (!s.is_empty() && !NOT_ACCOUNTS.contains(&s.to_ascii_lowercase().as_str()))
            .then(|| s.to_string())
    };
    let at = |s: Option<&str>| -> Option<String> {
        s.and_then(|s| s.strip_prefix('@'))
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    match host {
        "x.com" | "twitter.com" => Some((Platform::X, plain(first?)?)),
        "facebook.com" | "fb.com" => Some((Platform::Facebook, plain(first?)?)),
        "instagram.com" => Some((Platform::Instagram, plain(first?)?)),
        "threads.net" | "threads.com" => Some((Platform::Threads, at(first)?)),
        "youtube.com" => Some((Platform::Youtube, at(first)?)),
        "tiktok.com" => Some((Platform::Tiktok, at(first)?)),
        "linkedin.com" => match segs.as_slice() {
            ["company", h, ..] => Some((Platform::Linkedin, h.to_string())),
            _ => None,
        },
        "bsky.app" => match segs.as_slice() {
            ["profile", h, ..] => Some((Platform::Bluesky, h.to_string())),
            _ => None,
        },
        _ => {
            // Mastodon and other fediverse servers: https://instance/@user, nothing after it.
            let [only] = segs.as_slice() else { return None };
            let user = only.strip_prefix('@')?;
            let ok = !user.is_empty()
                && user.len() <= 30
                && user.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
            ok.then(|| (Platform::Mastodon, format!("{user}@{host}")))
        }
    }
}
