//! The read-only world a check sees: the validated inventory, the as-of date, facts derived
//! once (who is a leaver), and evidence gathered before the run (vault, network, impersonation).
//! Sources fill their slot before the engine runs; the engine itself does no I/O.

use std::collections::HashMap;

use jiff::civil::Date;

use crate::model::evidence::{Credentials, EmailBreaches, OnlineEvidence, PageListing};
use crate::model::platforms::PlatformFacts;
use crate::model::results::Suspect;
use crate::model::{Access, AccessRole, Inventory, Person, PersonStatus, Platform};

pub struct Context<'a> {
    pub inventory: &'a Inventory,
    pub as_of: Date,
    people: HashMap<&'a str, &'a Person>,
    /// Vault facts computed by `vault::assess` before the run; `None` when no vault was given
    /// (AUTH-07/08/09 are then skipped).
    pub credentials: Option<Credentials>,
    /// Have I Been Pwned answers for login and recovery addresses (MAIL-05); `None` when not
    /// online or without `HIBP_API_KEY` (MAIL-05 is then skipped).
    pub email_breaches: Option<EmailBreaches>,
    /// Impersonation suspects, when a candidate list or online search was given (IMP-01).
    pub suspects: Option<Vec<Suspect>>,
    /// What `--online` found; `None` when offline (online checks are then skipped).
    pub online: Option<OnlineEvidence>,
    /// The house-rules page read online (BRAND-06); `None` when offline or no `url` is given
    /// (the declared statements then decide).
    pub house_rules_page: Option<crate::model::evidence::HouseRulesPage>,
}

impl<'a> Context<'a> {
    pub fn new(inventory: &'a Inventory, as_of: Date) -> Self {
        let people = inventory
            .people
            .iter()
            .map(|p| (p.id.as_str(), p))
            .collect();
        Context {
            inventory,
            as_of,
            people,
            credentials: None,
            email_breaches: None,
            suspects: None,
            online: None,
            house_rules_page: None,
        }
    }

    pub fn person(&self, id: &str) -> Option<&'a Person> {
        self.people.get(id).copied()
    }

    /// `controls.md`: a leaver is a person whose status is `leaver` or whose `left_on` is on or
    /// before the as-of date.
    pub fn is_leaver(&self, person: &Person) -> bool {
        person.status == PersonStatus::Leaver || person.left_on.is_some_and(|d| d <= self.as_of)
    }

    /// Whether the published accounts page (read online) lists this account; `None` when the
    /// page was not read, so the declared `listed_on_website` stands.
    pub fn listed_override(&self, account_id: &str) -> Option<bool> {
        self.online.as_ref()?.listed_on_page(account_id)
    }

    /// How the published page answered for this account, telling "not read" from "could not be
    /// read" (the latter should make BRAND-02 `error`, not fall back to the declared flag).
    pub fn page_listing(&self, account_id: &str) -> PageListing {
        match &self.online {
            Some(o) => o.page_listing(account_id),
            None => PageListing::NotChecked,
        }
    }

    /// `controls.md`: a mover is a person whose status is `mover` and who is not a leaver.
    pub fn is_mover(&self, person: &Person) -> bool {
        person.status == PersonStatus::Mover && !self.is_leaver(person)
    }

    /// What the platform catalogue says about a platform (`None` for `other`).
    pub fn platform(&self, p: Platform) -> Option<&'a PlatformFacts> {
        self.inventory.platforms.get(p)
    }

    /// Current access entries: past access (`removed_on` on or before the as-of date) is history
    /// that only LEAV-02 and LEAV-04 read.
    pub fn current<'b>(&self, access: &'b [Access]) -> impl Iterator<Item = &'b Access> + 'b {
        let as_of = self.as_of;
        access.iter().filter(move |a| a.is_current(as_of))
    }

    /// `controls.md`: admins are current access entries with role owner or admin whose person is
    /// not a leaver, counted as written (entries, not distinct people).
    pub fn admins<'b>(&self, access: &'b [Access]) -> Vec<&'b str> {
        self.current(access)
            .filter(|a| matches!(a.role, AccessRole::Owner | AccessRole::Admin))
            .filter(|a| self.person(&a.person).is_some_and(|p| !self.is_leaver(p)))
            .map(|a| a.person.as_str())
            .collect()
    }

    /// Whole days from `date` to the as-of date (negative when `date` is in the future).
    pub fn days_since(&self, date: Date) -> i64 {
        days_between(date, self.as_of)
    }
}

/// Whole days from `from` to `to`.
pub fn days_between(from: Date, to: Date) -> i64 {
    // Dates in an inventory are bounded by jiff's civil range, so the span in days always fits.
    to.since(from).map(|s| s.get_days() as i64).unwrap_or(0)
}
