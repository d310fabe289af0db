//! Parsing the published list of official accounts: which links are accounts on which platform.

use palisade::model::Platform;
use palisade::online::page::{classify, parse};
use reqwest::Url;

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
    assert_eq!(
        p.mentions,
        vec![
            "WestmerePolice",
            "westmere.bsky.social",
            "westmere@mastodon.example"
        ]
    );
    assert!(p.links.is_empty());
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
