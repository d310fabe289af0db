//! Parsing the published list of official accounts: which links are accounts on which platform.

use palisade::model::Platform;
use palisade::online::page::{classify, parse};
use reqwest::Url;

/// (handle, platform) of every mention on `html`.
fn mentions(html: &str) -> Vec<(String, Option<Platform>)> {
    let base = Url::parse("https://www.kestrelford.police.uk/social").unwrap();
    parse(html, &base)
        .mentions
        .into_iter()
        .map(|m| (m.handle, m.platform))
        .collect()
}

fn m(h: &str, p: Option<Platform>) -> (String, Option<Platform>) {
    (h.to_string(), p)
}

fn c(u: &str) -> Option<(Platform, String)> {
    classify(&Url::parse(u).unwrap())
}

#[test]
fn profile_links_on_every_platform() {
    use Platform::*;
    let cases = [
        ("https://x.com/WestmerePolice", Some((X, "WestmerePolice"))),
        (
            "https://twitter.com/WestmerePolice?ref_src=twsrc",
            Some((X, "WestmerePolice")),
        ),
        (
            "https://mobile.twitter.com/WestmerePolice/",
            Some((X, "WestmerePolice")),
        ),
        (
            "https://www.facebook.com/WestmerePolice/",
            Some((Facebook, "WestmerePolice")),
        ),
        (
            "https://m.facebook.com/WestmerePolice",
            Some((Facebook, "WestmerePolice")),
        ),
        (
            "https://www.instagram.com/westmere.police/",
            Some((Instagram, "westmere.police")),
        ),
        (
            "https://www.threads.net/@westmerepolice",
            Some((Threads, "westmerepolice")),
        ),
        (
            "https://www.youtube.com/@WestmerePolice/videos",
            Some((Youtube, "WestmerePolice")),
        ),
        (
            "https://www.tiktok.com/@westmerepolice",
            Some((Tiktok, "westmerepolice")),
        ),
        (
            "https://www.linkedin.com/company/westmere-constabulary/",
            Some((Linkedin, "westmere-constabulary")),
        ),
        (
            "https://bsky.app/profile/westmere.police.uk",
            Some((Bluesky, "westmere.police.uk")),
        ),
        (
            "https://mastodon.example/@westmere",
            Some((Mastodon, "westmere@mastodon.example")),
        ),
        // Not accounts.
        ("https://twitter.com/intent/tweet?url=x", None),
        ("https://www.facebook.com/sharer/sharer.php?u=x", None),
        ("https://www.youtube.com/watch?v=abc", None),
        ("https://www.linkedin.com/in/someone", None),
        ("https://www.westmere.police.uk/privacy", None),
        ("https://medium.com/@someone/a-story", None),
        ("mailto:contact@westmere.police.uk", None),
    ];
    for (url, want) in cases {
        assert_eq!(c(url), want.map(|(p, h)| (p, h.to_string())), "{url}");
    }
}

#[test]
fn mentions_in_text_but_not_e_mail_addresses() {
    let base = Url::parse("https://www.westmere.police.uk/social").unwrap();
    let p = parse(
        "<p>Follow @WestmerePolice and @westmere.bsky.social. Mastodon: @westmere@mastodon.example. \
         Mail us at contact@westmere.police.uk</p><a href='/about'>about</a>",
        &base,
    );
    let got: Vec<(&str, Option<Platform>)> = p
        .mentions
        .iter()
        .map(|m| (m.handle.as_str(), m.platform))
        .collect();
    assert_eq!(
        got,
        vec![
            ("WestmerePolice", None),
            ("westmere.bsky.social", None),
            ("westmere@mastodon.example", Some(Platform::Mastodon))
        ],
        "a label before a mention belongs to it, not to the one before"
    );
    assert!(p.links.is_empty());
}

#[test]
fn a_mention_belongs_to_the_platform_named_beside_it() {
    use Platform::*;
    // Issue 13: "X: @KestrelfordPolice" lists the X account only.
    assert_eq!(
        mentions("<p>X: @KestrelfordPolice</p>"),
        [m("KestrelfordPolice", Some(X))]
    );
    assert_eq!(
        mentions("<p>Follow @KestrelfordPolice for updates.</p>"),
        [m("KestrelfordPolice", None)],
        "no platform named: lists nothing"
    );
    assert_eq!(
        mentions("<p>X: @kpolice Instagram: @kpolice.insta</p>"),
        [m("kpolice", Some(X)), m("kpolice.insta", Some(Instagram))]
    );
    assert_eq!(
        mentions("<p>@kpolice on X and @kpolice.insta on Instagram</p>"),
        [m("kpolice", Some(X)), m("kpolice.insta", Some(Instagram))]
    );
    assert_eq!(
        mentions("<p>X (formerly Twitter): @kpolice, @kroads</p>"),
        [m("kpolice", Some(X)), m("kroads", Some(X))]
    );
    // The name in one list item does not reach into the next.
    assert_eq!(
        mentions("<ul><li>Instagram</li><li>@kpolice</li></ul>"),
        [m("kpolice", None)]
    );
    // A table row is one block; a heading names the platform of what follows it.
    assert_eq!(
        mentions(
            "<table><tr><td>TikTok</td><td>@kpolice</td></tr><tr><td>Bluesky</td><td>@kpolice.bsky.social</td></tr></table>\
             <h2>Instagram</h2><ul><li>@kpolice_north</li></ul><h2>Contact</h2><p>@kpolice_help</p>"
        ),
        [
            m("kpolice", Some(Tiktok)),
            m("kpolice.bsky.social", Some(Bluesky)),
            m("kpolice_north", Some(Instagram)),
            m("kpolice_help", None),
        ]
    );
    // Lower-case "x" and "threads" are words, not platforms; "X-ray" is not X.
    assert_eq!(
        mentions("<p>x @a. Read the threads @b. X-ray @c</p>"),
        [m("a", None), m("b", None), m("c", None)]
    );
}

#[test]
fn relative_and_duplicate_links() {
    let base = Url::parse("https://mastodon.example/about").unwrap();
    let p = parse("<a href='/@westmere'>a</a><a href='https://mastodon.example/@Westmere'>b</a><a href='#'>c</a>", &base);
    assert_eq!(p.links.len(), 1);
    assert_eq!(p.links[0].handle, "westmere@mastodon.example");
}

#[test]
fn hostile_html_does_not_panic() {
    let base = Url::parse("https://www.westmere.police.uk/").unwrap();
    let junk = "<a href='http://[::1'>x</a><a href=''>y</a><a href='javascript:alert(1)'>z</a>@@@ @ @-- <<<>>>".repeat(200);
    let p = parse(&junk, &base);
    assert!(p.links.is_empty());
}
