//! The shape of a native check: a named function per kind of subject it judges. The checks
//! layer (`src/checks/`) owns the functions and hands the list to the registry; the engine only
//! calls them, so it never imports a check.

use super::{Context, Outcome};
use crate::model::{Account, ControlPlane};

/// One native check, by the name definitions use (`native: NAME`), with a function for each
/// kind of subject it can judge. A definition's `scope` must only name kinds it has.
#[derive(Clone, Copy)]
pub struct NativeCheck {
    pub name: &'static str,
    pub account: Option<fn(&Context, &Account) -> Outcome>,
    pub plane: Option<fn(&Context, &ControlPlane) -> Outcome>,
    pub organisation: Option<fn(&Context) -> Outcome>,
}

impl NativeCheck {
    pub const fn account(name: &'static str, f: fn(&Context, &Account) -> Outcome) -> Self {
        NativeCheck {
            name,
            account: Some(f),
            plane: None,
            organisation: None,
        }
    }

    pub const fn plane(name: &'static str, f: fn(&Context, &ControlPlane) -> Outcome) -> Self {
        NativeCheck {
            name,
            account: None,
            plane: Some(f),
            organisation: None,
        }
    }

    pub const fn organisation(name: &'static str, f: fn(&Context) -> Outcome) -> Self {
        NativeCheck {
            name,
            account: None,
            plane: None,
            organisation: Some(f),
        }
    }

    /// Adds the function for control planes (a check that judges both, such as GOV-01).
    pub const fn and_plane(mut self, f: fn(&Context, &ControlPlane) -> Outcome) -> Self {
        self.plane = Some(f);
        self
    }

    /// Whether it has a function for `scope`.
    pub fn judges(&self, scope: super::definition::Scope) -> bool {
        use super::definition::Scope;
        match scope {
            Scope::Account => self.account.is_some(),
            Scope::ControlPlane => self.plane.is_some(),
            Scope::Organisation => self.organisation.is_some(),
        }
    }
}

impl std::fmt::Debug for NativeCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NativeCheck")
            .field("name", &self.name)
            .field("account", &self.account.is_some())
            .field("plane", &self.plane.is_some())
            .field("organisation", &self.organisation.is_some())
            .finish()
    }
}
