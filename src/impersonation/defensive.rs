//! Whether each platform lets an organisation register look-alikes of its own name only to keep
//! them from impersonators ("defensive registration"). The facts, each with its public source,
//! are the platform catalogue's (`defensive_registration` in `platforms/*.yaml`); this module
//! turns them into what the commands say.
//!
//! `palisade lookalikes` prints the answer for the platform asked about, and the audit offers
//! unregistered look-alikes as names to register only where the platform does not forbid it.

use crate::model::platforms::Catalogue;
pub use crate::model::platforms::{Allowed, DefensiveFact};
use crate::model::Platform;

/// The catalogue's answer for `platform`, if it knows the platform.
pub fn rule(catalogue: &Catalogue, platform: Platform) -> Option<&DefensiveFact> {
    catalogue.get(platform).map(|p| &p.defensive_registration)
}

/// Whether names on `platform` may be offered as names to register defensively: not where the
/// platform forbids it.
pub fn may_offer(catalogue: &Catalogue, platform: Platform) -> bool {
    rule(catalogue, platform).is_none_or(|r| r.value != Allowed::No)
}

/// One line for people: "Defensive registration on X: no — …".
pub fn describe(catalogue: &Catalogue, platform: Platform) -> String {
    let name = crate::model::handles::platform_name(platform);
    match rule(catalogue, platform) {
        Some(r) => format!(
            "Defensive registration on {name}: {} — {} (source: {}, checked {})",
            r.value.as_str(),
            r.note
                .as_deref()
                .unwrap_or("see the source")
                .trim_end_matches('.'),
            r.source.url,
            r.source.checked
        ),
        None => format!(
            "Defensive registration on {name}: unclear — no rule recorded; read the platform's terms before registering"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_platform_has_an_answer_with_a_source_and_date() {
        let cat = Catalogue::builtin();
        for (p, facts) in &cat.platforms {
            let r = &facts.defensive_registration;
            assert!(r.source.url.starts_with("https://"), "{p}");
            assert!(r.quote.as_deref().is_some_and(|q| !q.is_empty()), "{p}");
            assert!(r.note.as_deref().is_some_and(|n| !n.is_empty()), "{p}");
        }
        assert!(!may_offer(cat, Platform::X), "X forbids username squatting");
        assert!(may_offer(cat, Platform::Bluesky));
        assert!(
            may_offer(cat, Platform::Other),
            "no rule recorded is no ban"
        );
        assert!(describe(cat, Platform::X).starts_with("Defensive registration on X: no"));
    }
}
