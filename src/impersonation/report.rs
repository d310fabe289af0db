//! Where to report an impersonating account, per platform: the platform catalogue's route for an
//! impersonated organisation (`platforms/*.yaml`, each with its source), never a link written in
//! Rust.

use crate::model::platforms::Catalogue;
use crate::model::Platform;

/// The catalogue's report route (form, help page or in-app steps' page) for the platform, or
/// `None` where the catalogue has none (`other`).
pub fn report_form_url(catalogue: &Catalogue, platform: Platform) -> Option<&str> {
    catalogue
        .get(platform)
        .map(|f| f.impersonation_report.url.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_https_and_every_platform_but_other_has_one() {
        for p in Platform::ALL.iter().filter_map(|s| Platform::parse(s)) {
            match report_form_url(Catalogue::builtin(), p) {
                Some(u) => assert!(u.starts_with("https://"), "{u}"),
                None => assert_eq!(p, Platform::Other),
            }
        }
    }
}
