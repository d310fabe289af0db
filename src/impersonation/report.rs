//! Where to report an impersonating account, per platform, for the HTML report and remediation.
//! These are the platforms' public help-centre forms; an organisation may also have a
//! verified-partner channel, which the report does not know about.

use crate::model::Platform;

/// The platform's impersonation report form, or `None` where there is no public one.
pub fn report_form_url(platform: Platform) -> Option<&'static str> {
    Some(match platform {
        Platform::X => "https://help.x.com/forms/impersonation",
        Platform::Facebook => "https://www.facebook.com/help/contact/295309487309948",
        Platform::Instagram => "https://help.instagram.com/contact/636276399721841",
        Platform::Threads => "https://help.instagram.com/contact/636276399721841",
        Platform::Youtube => "https://support.google.com/youtube/answer/2801947",
        Platform::Tiktok => "https://www.tiktok.com/legal/report/impersonation",
        Platform::Linkedin => "https://www.linkedin.com/help/linkedin/ask/TS-NFPI",
        Platform::Bluesky => "https://blueskyweb.zendesk.com/hc/en-us/requests/new",
        Platform::Whatsapp => "https://www.whatsapp.com/contact/forms/1534459096974129",
        Platform::Snapchat => "https://help.snapchat.com/hc/en-us/requests/new",
        Platform::Nextdoor => "https://help.nextdoor.com/s/contactsupport",
        // Each Mastodon instance moderates its own users: report from the profile's menu.
        Platform::Mastodon | Platform::Other => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_is_https() {
        for p in Platform::ALL.iter().filter_map(|s| Platform::parse(s)) {
            if let Some(u) = report_form_url(p) {
                assert!(u.starts_with("https://"), "{u}");
            }
        }
    }
}
