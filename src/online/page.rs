//! The organisation's published list of official accounts: which social media links and
//! @handles it shows. Parsing is pure (HTML in, links out) so it is tested without a network;
//! matching against the inventory happens in `online::gather`.
//!
//! A written @handle lists an account only on the platform the page names beside it ("X:
//! @WestmerePolice" lists the X account, not an Instagram account of the same name): the nearest
//! platform name in the same block of text (paragraph, list item, table row), else the platform a
//! heading above names. A mention with no platform near it lists nothing. A full fediverse
//! address (`@user@instance`) names its server, so it needs no platform name.

use std::sync::LazyLock;

use regex::Regex;
use reqwest::Url;

pub use crate::model::evidence::{PageLink, PageMention};
use crate::model::Platform;

/// What a page shows: links to accounts, and @handles written in its text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    pub links: Vec<PageLink>,
    pub mentions: Vec<PageMention>,
}

static MENTION: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^A-Za-z0-9_.@/])@([A-Za-z0-9_][A-Za-z0-9_.\-]*(?:@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)?)").ok()
});

/// Platform names as pages write them. `X` and `Threads` only capitalised: as common words they
/// name nothing.
static PLATFORM_NAME: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?i:\b(twitter|facebook|instagram|youtube|tiktok|linkedin|bluesky|bsky|mastodon|whatsapp|nextdoor|snapchat)\b)|\b(Threads|X)\b").ok()
});

fn platform_named(word: &str) -> Option<Platform> {
    Some(match word.to_ascii_lowercase().as_str() {
        "x" | "twitter" => Platform::X,
        "facebook" => Platform::Facebook,
        "instagram" => Platform::Instagram,
        "threads" => Platform::Threads,
        "youtube" => Platform::Youtube,
        "tiktok" => Platform::Tiktok,
        "linkedin" => Platform::Linkedin,
        "bluesky" | "bsky" => Platform::Bluesky,
        "mastodon" => Platform::Mastodon,
        "whatsapp" => Platform::Whatsapp,
        "nextdoor" => Platform::Nextdoor,
        "snapchat" => Platform::Snapchat,
        _ => return None,
    })
}

/// Elements that start a new block of text: a mention and a platform name go together only
/// inside one. Table cells and definition terms are not blocks, so a row "Instagram | @handle"
/// or a `<dt>Instagram</dt><dd>@handle</dd>` pair stays together.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "caption",
    "details",
    "div",
    "dl",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "html",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tr",
    "ul",
];

/// One block's text, in document order of where the block starts.
struct Block {
    text: String,
    heading: bool,
}

fn collect_blocks(el: scraper::ElementRef<'_>, current: usize, blocks: &mut Vec<Block>) {
    for child in el.children() {
        match child.value() {
            scraper::Node::Text(t) => {
                if let Some(b) = blocks.get_mut(current) {
                    b.text.push_str(t);
                    b.text.push(' ');
                }
            }
            scraper::Node::Element(e) => {
                let name = e.name();
                if matches!(name, "script" | "style" | "noscript" | "template") {
                    continue;
                }
                let Some(child_el) = scraper::ElementRef::wrap(child) else {
                    continue;
                };
                if BLOCKS.contains(&name) {
                    blocks.push(Block {
                        text: String::new(),
                        heading: matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6"),
                    });
                    collect_blocks(child_el, blocks.len() - 1, blocks);
                } else {
                    collect_blocks(child_el, current, blocks);
                }
            }
            _ => {}
        }
    }
}

/// A platform name in a block: where, and which platform.
struct Named {
    start: usize,
    end: usize,
    platform: Platform,
}

/// Whether the name introduces what follows it ("Instagram: @x", "X – @y").
fn labels_next(text: &str, end: usize) -> bool {
    text.get(end..)
        .and_then(|rest| rest.trim_start_matches([' ', ')', '\u{a0}']).chars().next())
        .is_some_and(|c| matches!(c, ':' | '-' | '\u{2013}' | '\u{2014}'))
}

/// Mentions of one block with the platform each belongs to (see the module comment).
fn attribute(text: &str, section: Option<Platform>, out: &mut Vec<PageMention>) {
    let (Some(mention_re), Some(name_re)) = (MENTION.as_ref(), PLATFORM_NAME.as_ref()) else {
        return;
    };
    // (start of the `@`, end, handle)
    let mentions: Vec<(usize, usize, String)> = mention_re
        .captures_iter(text)
        .filter_map(|cap| {
            let m = cap.get(1)?;
            let h = m.as_str().trim_end_matches(['.', '-']);
            (!h.is_empty()).then(|| {
                (
                    m.start().saturating_sub(1),
                    m.start() + h.len(),
                    h.to_string(),
                )
            })
        })
        .collect();
    if mentions.is_empty() {
        return;
    }
    let names: Vec<Named> = name_re
        .find_iter(text)
        .filter(|n| {
            !mentions
                .iter()
                .any(|(s, e, _)| n.start() < *e && *s < n.end())
        })
        // "X-ray" is not the platform.
        .filter(|n| {
            !(text[..n.start()].ends_with('-') || text[n.end()..].starts_with('-'))
                || n.as_str().len() > 1
        })
        .filter_map(|n| {
            platform_named(n.as_str()).map(|platform| Named {
                start: n.start(),
                end: n.end(),
                platform,
            })
        })
        .collect();
    for (i, (start, end, handle)) in mentions.iter().enumerate() {
        let platform = if handle.contains('@') {
            Some(Platform::Mastodon)
        } else {
            let prev_end = i.checked_sub(1).map_or(0, |j| mentions[j].1);
            let next_start = mentions.get(i + 1).map_or(text.len(), |m| m.0);
            // The nearest name on either side with no other mention in between; a name that
            // labels what follows it belongs to the next mention, not to one before it.
            let before = names
                .iter()
                .rev()
                .find(|n| n.end <= *start && n.start >= prev_end);
            let after = names
                .iter()
                .find(|n| n.start >= *end && n.end <= next_start && !labels_next(text, n.end));
            let chosen = match (before, after) {
                (Some(b), Some(a)) if a.start - end < start - b.end => Some(a),
                (Some(b), _) => Some(b),
                (None, Some(a)) => Some(a),
                // A list after one label ("X: @a, @b"), else the section's heading.
                (None, None) => names.iter().rev().find(|n| n.end <= *start),
            };
            chosen.map(|n| n.platform).or(section)
        };
        if !out
            .iter()
            .any(|m| m.platform == platform && m.handle.eq_ignore_ascii_case(handle))
        {
            out.push(PageMention {
                handle: handle.clone(),
                platform,
            });
        }
    }
}

/// Links and @mentions in `html`; relative links resolve against `base`. Duplicates are kept once.
/// The visible text of a page (scripts and styles left out), one line per block of text
/// (paragraph, list item, heading…), for reading the sentences a page states (BRAND-06).
pub fn text(html: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    let mut blocks = vec![Block {
        text: String::new(),
        heading: false,
    }];
    collect_blocks(doc.root_element(), 0, &mut blocks);
    let lines: Vec<String> = blocks
        .iter()
        .map(|b| b.text.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect();
    lines.join("\n")
}

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
    let mut blocks = vec![Block {
        text: String::new(),
        heading: false,
    }];
    collect_blocks(doc.root_element(), 0, &mut blocks);
    let mut section: Option<Platform> = None;
    for block in &blocks {
        if block.heading {
            // A heading that names exactly one platform heads that platform's accounts.
            let mut named: Vec<Platform> = PLATFORM_NAME
                .as_ref()
                .map(|re| {
                    re.find_iter(&block.text)
                        .filter_map(|m| platform_named(m.as_str()))
                        .collect()
                })
                .unwrap_or_default();
            named.sort();
            named.dedup();
            section = match named.as_slice() {
                [one] => Some(*one),
                _ => None,
            };
        }
        attribute(&block.text, section, &mut out.mentions);
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
