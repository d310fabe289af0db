//! The platform catalogue: what each platform offers an organisation's account (2FA methods,
//! login alerts, how accounts are reached, verification badges, where to report impersonators,
//! handle rules, where to turn things on), each fact with its public source and the date it was
//! checked. The data is one file per platform in `platforms/`, embedded in the binary; an
//! organisation corrects it with `--platforms FILE` when a platform changes before palisade does.
//!
//! Validation, AUTH-02's cap, remediation text and report links read it; no platform fact is
//! written in Rust.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use include_dir::{include_dir, Dir};
use jiff::civil::Date;
use serde::Serialize;

use super::reader::{Cx, Fields};
use super::types::{BadgeType, Platform, ProfilePlatform, TriBool, TwoFactor};
use super::yaml::{self, Node};
use crate::error::{Code, Diagnostic};

static BUILTIN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/platforms");

/// Where a fact comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Source {
    pub url: String,
    pub checked: Date,
}

/// How people reach an organisation's account there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessModel {
    /// The account has a login of its own (shared through an SMMP or a password manager).
    OwnLogin,
    /// People reach it through their own profiles, which hold roles on it (AUTH-10).
    PersonalProfiles,
}

#[derive(Debug, Clone, Serialize)]
pub struct AccessFact {
    pub value: AccessModel,
    pub profile_platform: ProfilePlatform,
    pub source: Source,
    pub note: Option<String>,
}

/// What a handle can be there.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum HandleKind {
    /// `chars` is a regex character class body (`A-Za-z0-9_`).
    Pattern { chars: String },
    /// A DNS name with at least one dot (Bluesky).
    Domain,
    /// `user@instance`.
    Mastodon,
    /// Any non-empty text without spaces.
    Text,
}

#[derive(Debug, Clone, Serialize)]
pub struct HandleRule {
    #[serde(flatten)]
    pub kind: HandleKind,
    pub min_length: Option<usize>,
    pub max_length: Option<usize>,
    pub source: Source,
    pub note: Option<String>,
    #[serde(skip)]
    allowed: Option<regex::Regex>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TwoFactorFact {
    /// What the platform offers an account like ours.
    pub methods: Vec<TwoFactor>,
    pub steps: Option<String>,
    pub source: Source,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LoginAlertsFact {
    pub value: TriBool,
    pub steps: Option<String>,
    pub source: Source,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Programme {
    pub name: String,
    pub badge: BadgeType,
    /// Whether the badge means the platform checked who holds the account.
    pub verifies_identity: bool,
    pub meaning: String,
    pub source: Source,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct VerificationFact {
    pub programmes: Vec<Programme>,
    pub available_to_uk_public_bodies: Option<TriBool>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    Form,
    HelpPage,
    InApp,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportRoute {
    pub kind: ReportKind,
    pub url: String,
    pub steps: Option<String>,
    pub source: Source,
    pub note: Option<String>,
}

/// What a platform's rules say about registering look-alike names only to keep them from
/// impersonators ("defensive registration").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Allowed {
    Yes,
    No,
    /// No rule found either way, or one that depends on how the name is used afterwards.
    Unclear,
}

impl Allowed {
    pub fn as_str(self) -> &'static str {
        match self {
            Allowed::Yes => "yes",
            Allowed::No => "no",
            Allowed::Unclear => "unclear",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct DefensiveFact {
    pub value: Allowed,
    /// One line of the source, as written (translated in brackets where it is not English).
    pub quote: Option<String>,
    pub source: Source,
    /// What it means for a digital desk.
    pub note: Option<String>,
}

/// Everything the catalogue knows about one platform.
#[derive(Debug, Clone, Serialize)]
pub struct PlatformFacts {
    pub id: Platform,
    pub name: String,
    pub access: AccessFact,
    pub handle: HandleRule,
    pub two_factor: TwoFactorFact,
    pub login_alerts: LoginAlertsFact,
    pub verification: VerificationFact,
    pub impersonation_report: ReportRoute,
    pub defensive_registration: DefensiveFact,
    /// `builtin` or the file that corrected it.
    pub origin: String,
}

impl PlatformFacts {
    /// The strongest 2FA method offered (by `TwoFactor::rank`), if any is.
    pub fn strongest_two_factor(&self) -> Option<TwoFactor> {
        self.two_factor
            .methods
            .iter()
            .copied()
            .max_by_key(|m| m.rank().unwrap_or(0))
    }

    pub fn offers_two_factor(&self, m: TwoFactor) -> bool {
        // A passkey and a security key are the same strength (inventory.md), but not the same
        // thing: a platform must offer the one recorded.
        matches!(m, TwoFactor::None | TwoFactor::Unknown) || self.two_factor.methods.contains(&m)
    }

    pub fn offers_badge(&self, b: BadgeType) -> bool {
        self.verification.programmes.iter().any(|p| p.badge == b)
    }

    /// `None` when `handle` can exist here, else the rule it breaks, in words.
    pub fn check_handle(&self, handle: &str) -> Option<String> {
        let h = &self.handle;
        let n = handle.chars().count();
        let within = h.min_length.is_none_or(|m| n >= m) && h.max_length.is_none_or(|m| n <= m);
        let p = self.id;
        match &h.kind {
            HandleKind::Pattern { chars } => {
                let ok = within && h.allowed.as_ref().is_some_and(|r| r.is_match(handle));
                (!ok).then(|| {
                    format!(
                        "{p} handles are {}-{} characters of {}",
                        h.min_length.unwrap_or(1),
                        h.max_length.map_or("any".to_owned(), |m| m.to_string()),
                        describe_chars(chars)
                    )
                })
            }
            HandleKind::Domain => (!(within && super::reader::is_domain(handle)))
                .then(|| format!("{p} handles are domain names (e.g. name.bsky.social)")),
            HandleKind::Mastodon => {
                let ok = handle.split_once('@').is_some_and(|(user, instance)| {
                    (1..=30).contains(&user.chars().count())
                        && user.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                        && super::reader::is_domain(instance)
                });
                (!ok).then(|| "mastodon handles are user@instance (user: 1-30 letters, digits and _; instance: a domain name)".to_owned())
            }
            HandleKind::Text => (handle.is_empty()
                || handle.chars().any(char::is_whitespace)
                || !within
                || n > MAX_OTHER_HANDLE_CHARS)
                .then(|| match h.max_length {
                    Some(m) => format!("{p} handles are 1-{m} characters without spaces"),
                    None => other_rule(),
                }),
        }
    }
}

/// A handle on a platform without a length rule. The contract says only "any non-empty text
/// without spaces"; no real handle comes near this bound, which keeps a hostile one from making
/// the impersonation search slow (its cost grows with length).
pub const MAX_OTHER_HANDLE_CHARS: usize = 100;

fn other_rule() -> String {
    format!(
        "handles are non-empty text without spaces, at most {MAX_OTHER_HANDLE_CHARS} characters"
    )
}

/// "letters, digits, . and _" for `A-Za-z0-9._`.
fn describe_chars(chars: &str) -> String {
    let rest = chars
        .replace("A-Z", "")
        .replace("a-z", "")
        .replace("0-9", "");
    let extras: Vec<String> = rest.chars().map(|c| c.to_string()).collect();
    match extras.as_slice() {
        [] => "letters and digits".to_owned(),
        [one] => format!("letters, digits and {one}"),
        [init @ .., last] => format!("letters, digits, {} and {last}", init.join(" ")),
    }
}

/// A catalogue shared by the inventory, the checks and the renderers: the built-in one unless
/// the organisation corrected it. Cheap to clone.
#[derive(Debug, Clone)]
pub struct SharedCatalogue(std::sync::Arc<Catalogue>);

impl SharedCatalogue {
    pub fn new(cat: Catalogue) -> Self {
        SharedCatalogue(std::sync::Arc::new(cat))
    }
}

impl Default for SharedCatalogue {
    /// The built-in catalogue.
    fn default() -> Self {
        static SHARED: OnceLock<SharedCatalogue> = OnceLock::new();
        SHARED
            .get_or_init(|| SharedCatalogue::new(Catalogue::builtin().clone()))
            .clone()
    }
}

impl std::ops::Deref for SharedCatalogue {
    type Target = Catalogue;
    fn deref(&self) -> &Catalogue {
        &self.0
    }
}

/// The catalogue: the facts of every platform it knows (not `other`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Catalogue {
    pub platforms: BTreeMap<Platform, PlatformFacts>,
}

impl Catalogue {
    /// The built-in catalogue, parsed once. The embedded files are tested, so a failure here is
    /// a bug; it still gives an empty catalogue rather than a panic.
    pub fn builtin() -> &'static Catalogue {
        static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
        CATALOGUE.get_or_init(|| Self::parse_builtin().unwrap_or_default())
    }

    /// The built-in files, with every problem (for the tests and `platforms`).
    pub fn parse_builtin() -> Result<Catalogue, Vec<Diagnostic>> {
        let mut files: Vec<_> = BUILTIN
            .files()
            .filter(|f| f.path().extension().is_some_and(|e| e == "yaml"))
            .collect();
        files.sort_by_key(|f| f.path());
        let mut cat = Catalogue::default();
        let mut diags = Vec::new();
        for f in files {
            let name = format!("platforms/{}", f.path().display());
            match parse_file(&name, f.contents(), "builtin", false) {
                Ok(list) => {
                    for p in list {
                        cat.platforms.insert(p.id, p);
                    }
                }
                Err(mut d) => diags.append(&mut d),
            }
        }
        if diags.is_empty() {
            Ok(cat)
        } else {
            Err(diags)
        }
    }

    /// The built-in catalogue with an organisation's corrections (`--platforms FILE`): a file
    /// with a `platforms:` list of entries in the built-in format, where only `id` is required
    /// and each fact given replaces the built-in one whole (with its own source).
    pub fn with_corrections(file: &str, bytes: &[u8]) -> Result<Catalogue, Vec<Diagnostic>> {
        let mut cat = Self::builtin().clone();
        for p in parse_file(file, bytes, file, true)? {
            cat.platforms.insert(p.id, p);
        }
        Ok(cat)
    }

    pub fn get(&self, p: Platform) -> Option<&PlatformFacts> {
        self.platforms.get(&p)
    }

    /// The facts of the platform whose login a profile is: the platform of that name, else the
    /// first whose accounts are reached through it (`meta` → facebook, `google` → youtube).
    pub fn for_profile(&self, login: ProfilePlatform) -> Option<&PlatformFacts> {
        self.platforms
            .values()
            .find(|p| p.id.as_str() == login.as_str())
            .or_else(|| {
                self.platforms
                    .values()
                    .find(|p| p.access.profile_platform == login)
            })
    }

    /// `None` when the handle can exist on the platform (any non-empty text without spaces
    /// where the catalogue does not know the platform), else the rule it breaks.
    pub fn check_handle(&self, platform: Platform, handle: &str) -> Option<String> {
        match self.get(platform) {
            Some(p) => p.check_handle(handle),
            None => (handle.is_empty()
                || handle.chars().any(char::is_whitespace)
                || handle.chars().count() > MAX_OTHER_HANDLE_CHARS)
                .then(other_rule),
        }
    }

    /// The longest handle the platform allows, where it has a limit.
    pub fn max_handle_length(&self, platform: Platform) -> Option<usize> {
        self.get(platform)?.handle.max_length
    }
}

const TOP: &[&str] = &[
    "id",
    "name",
    "access",
    "handle",
    "two_factor",
    "login_alerts",
    "verification",
    "impersonation_report",
    "defensive_registration",
];

/// Parses one catalogue file: a single platform (built-in files) or `platforms: [...]` of
/// corrections (`partial`: facts not given are taken from the built-in catalogue).
fn parse_file(
    file: &str,
    bytes: &[u8],
    origin: &str,
    partial: bool,
) -> Result<Vec<PlatformFacts>, Vec<Diagnostic>> {
    let text = yaml::decode(file, bytes).map_err(|d| vec![d])?;
    let root = yaml::parse(file, text).map_err(|d| vec![d])?;
    let mut cx = Cx::new(file, text);
    let mut out = Vec::new();
    if partial {
        let Some(mut f) = cx.fields(&root, "a platform corrections file") else {
            return Err(cx.diags);
        };
        if let Some(list) = f.require(&mut cx, "platforms", "a platform corrections file") {
            out = cx.list(list, "platforms", |cx, n| platform(cx, n, origin, true));
        }
        f.finish(&mut cx, "a platform corrections file", &["platforms"]);
    } else if let Some(p) = platform(&mut cx, &root, origin, false) {
        out.push(p);
    }
    if cx.diags.is_empty() {
        Ok(out)
    } else {
        Err(cx.diags)
    }
}

fn platform(cx: &mut Cx, node: &Node, origin: &str, partial: bool) -> Option<PlatformFacts> {
    let mut f = cx.fields(node, "a platform")?;
    let id = f
        .require(cx, "id", "a platform")
        .and_then(|n| cx.one_of(n, "id", Platform::ALL, Platform::parse))?;
    let base = if partial {
        match Catalogue::builtin().get(id) {
            Some(b) => Some(b),
            None => {
                cx.error(
                    node.loc,
                    Code::UnknownReference,
                    format!("the built-in catalogue has no `{id}` to correct"),
                );
                return None;
            }
        }
    } else {
        None
    };
    // Each fact: parsed when given, else the built-in one (corrections), else missing.
    macro_rules! fact {
        ($key:literal, $parse:expr, $base:expr) => {
            match f.get($key) {
                Some(n) => $parse(cx, n),
                None => match base {
                    Some(b) => Some($base(b)),
                    None => {
                        cx.error(
                            node.loc,
                            Code::MissingField,
                            format!("platform `{id}` is missing `{}`", $key),
                        );
                        None
                    }
                },
            }
        };
    }
    let name = fact!(
        "name",
        |cx: &mut Cx, n: &Node| cx.text(n, "name"),
        |b: &PlatformFacts| b.name.clone()
    );
    let access = fact!("access", access, |b: &PlatformFacts| b.access.clone());
    let handle = fact!("handle", handle, |b: &PlatformFacts| b.handle.clone());
    let two_factor = fact!("two_factor", two_factor, |b: &PlatformFacts| b
        .two_factor
        .clone());
    let login_alerts = fact!("login_alerts", login_alerts, |b: &PlatformFacts| b
        .login_alerts
        .clone());
    let verification = fact!("verification", verification, |b: &PlatformFacts| b
        .verification
        .clone());
    let impersonation_report = fact!("impersonation_report", report_route, |b: &PlatformFacts| b
        .impersonation_report
        .clone());
    let defensive_registration = fact!("defensive_registration", defensive, |b: &PlatformFacts| b
        .defensive_registration
        .clone());
    f.finish(cx, &format!("platform `{id}`"), TOP);
    Some(PlatformFacts {
        id,
        name: name?,
        access: access?,
        handle: handle?,
        two_factor: two_factor?,
        login_alerts: login_alerts?,
        verification: verification?,
        impersonation_report: impersonation_report?,
        defensive_registration: defensive_registration?,
        origin: origin.to_owned(),
    })
}

fn source(cx: &mut Cx, f: &mut Fields, what: &str) -> Option<Source> {
    let n = f.require(cx, "source", what)?;
    let mut sf = cx.fields(n, "`source`")?;
    let url = sf
        .require(cx, "url", "`source`")
        .and_then(|n| https(cx, n, "source.url"));
    let checked = sf
        .require(cx, "checked", "`source`")
        .and_then(|n| cx.date(n, "source.checked"));
    sf.finish(cx, "`source`", &["url", "checked"]);
    Some(Source {
        url: url?,
        checked: checked?,
    })
}

fn https(cx: &mut Cx, n: &Node, field: &str) -> Option<String> {
    let u = cx.text(n, field)?;
    if u.starts_with("https://") && !u.chars().any(char::is_whitespace) {
        Some(u)
    } else {
        let shown = cx.shown(n);
        cx.error(
            n.loc,
            Code::WrongType,
            format!("`{field}` must be an https:// address, found {shown}"),
        );
        None
    }
}

fn note(cx: &mut Cx, f: &mut Fields) -> Option<String> {
    f.get("note").and_then(|n| cx.text(n, "note"))
}

fn steps(cx: &mut Cx, f: &mut Fields) -> Option<String> {
    f.get("steps").and_then(|n| cx.text(n, "steps"))
}

fn defensive(cx: &mut Cx, n: &Node) -> Option<DefensiveFact> {
    let what = "`defensive_registration`";
    let mut f = cx.fields(n, what)?;
    let value = f.require(cx, "value", what).and_then(|n| {
        cx.one_of(
            n,
            "defensive_registration.value",
            &["yes", "no", "unclear"],
            |s| match s {
                "yes" => Some(Allowed::Yes),
                "no" => Some(Allowed::No),
                "unclear" => Some(Allowed::Unclear),
                _ => None,
            },
        )
    });
    let quote = f.get("quote").and_then(|n| cx.text(n, "quote"));
    let source = source(cx, &mut f, what);
    let note = note(cx, &mut f);
    f.finish(cx, what, &["value", "quote", "source", "note"]);
    Some(DefensiveFact {
        value: value?,
        quote,
        source: source?,
        note,
    })
}

fn access(cx: &mut Cx, n: &Node) -> Option<AccessFact> {
    let mut f = cx.fields(n, "`access`")?;
    let value = f.require(cx, "value", "`access`").and_then(|n| {
        cx.one_of(
            n,
            "access.value",
            &["own_login", "personal_profiles"],
            |s| match s {
                "own_login" => Some(AccessModel::OwnLogin),
                "personal_profiles" => Some(AccessModel::PersonalProfiles),
                _ => None,
            },
        )
    });
    let profile_platform = f.require(cx, "profile_platform", "`access`").and_then(|n| {
        cx.one_of(
            n,
            "access.profile_platform",
            ProfilePlatform::ALL,
            ProfilePlatform::parse,
        )
    });
    let source = source(cx, &mut f, "`access`");
    let note = note(cx, &mut f);
    f.finish(
        cx,
        "`access`",
        &["value", "profile_platform", "source", "note"],
    );
    Some(AccessFact {
        value: value?,
        profile_platform: profile_platform?,
        source: source?,
        note,
    })
}

fn handle(cx: &mut Cx, n: &Node) -> Option<HandleRule> {
    let mut f = cx.fields(n, "`handle`")?;
    let kind = f.require(cx, "kind", "`handle`").and_then(|n| {
        cx.one_of(
            n,
            "handle.kind",
            &["pattern", "domain", "mastodon", "text"],
            |s| {
                Some(s.to_owned())
                    .filter(|s| ["pattern", "domain", "mastodon", "text"].contains(&s.as_str()))
            },
        )
    });
    let chars = f.get("chars").and_then(|n| {
        let c = cx.text(n, "handle.chars")?;
        // A class body only: no brackets, anchors or escapes that would change its meaning.
        if c.chars()
            .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_' | '.'))
        {
            Some((c, n.loc))
        } else {
            cx.error(
                n.loc,
                Code::BadRegex,
                "`handle.chars` is a character class body such as `A-Za-z0-9_` (letters, digits, `-`, `_` and `.` only)",
            );
            None
        }
    });
    let length = |cx: &mut Cx, f: &mut Fields, key: &str| {
        f.get(key)
            .and_then(|n| cx.int(n, &format!("handle.{key}"), 1, 1000))
            .map(|v| v as usize)
    };
    let min_length = length(cx, &mut f, "min_length");
    let max_length = length(cx, &mut f, "max_length");
    let source = source(cx, &mut f, "`handle`");
    let note = note(cx, &mut f);
    f.finish(
        cx,
        "`handle`",
        &[
            "kind",
            "chars",
            "min_length",
            "max_length",
            "source",
            "note",
        ],
    );
    let kind = match kind?.as_str() {
        "pattern" => match chars {
            Some((chars, _)) => HandleKind::Pattern { chars },
            None => {
                cx.error(
                    n.loc,
                    Code::MissingField,
                    "`handle` of kind `pattern` needs `chars`",
                );
                return None;
            }
        },
        "domain" => HandleKind::Domain,
        "mastodon" => HandleKind::Mastodon,
        _ => HandleKind::Text,
    };
    let allowed = match &kind {
        HandleKind::Pattern { chars } => match regex::Regex::new(&format!("^[{chars}]+$")) {
            Ok(r) => Some(r),
            Err(_) => {
                cx.error(
                    n.loc,
                    Code::BadRegex,
                    "`handle.chars` is not a valid character class",
                );
                return None;
            }
        },
        _ => None,
    };
    Some(HandleRule {
        kind,
        min_length,
        max_length,
        source: source?,
        note,
        allowed,
    })
}

fn two_factor(cx: &mut Cx, n: &Node) -> Option<TwoFactorFact> {
    let mut f = cx.fields(n, "`two_factor`")?;
    const OFFERED: &[&str] = &[
        "passkey",
        "security_key",
        "authenticator_app",
        "sms",
        "email",
    ];
    let methods = f.require(cx, "methods", "`two_factor`").map(|n| {
        cx.list(n, "two_factor.methods", |cx, n| {
            cx.one_of(n, "two_factor.methods", OFFERED, |s| {
                TwoFactor::parse(s).filter(|m| m.rank().is_some_and(|r| r > 1))
            })
        })
    });
    let steps = steps(cx, &mut f);
    let source = source(cx, &mut f, "`two_factor`");
    let note = note(cx, &mut f);
    f.finish(cx, "`two_factor`", &["methods", "steps", "source", "note"]);
    Some(TwoFactorFact {
        methods: methods?,
        steps,
        source: source?,
        note,
    })
}

fn login_alerts(cx: &mut Cx, n: &Node) -> Option<LoginAlertsFact> {
    let mut f = cx.fields(n, "`login_alerts`")?;
    let value = f
        .require(cx, "value", "`login_alerts`")
        .and_then(|n| cx.one_of(n, "login_alerts.value", TriBool::ALL, TriBool::parse));
    let steps = steps(cx, &mut f);
    let source = source(cx, &mut f, "`login_alerts`");
    let note = note(cx, &mut f);
    f.finish(cx, "`login_alerts`", &["value", "steps", "source", "note"]);
    Some(LoginAlertsFact {
        value: value?,
        steps,
        source: source?,
        note,
    })
}

fn verification(cx: &mut Cx, n: &Node) -> Option<VerificationFact> {
    let mut f = cx.fields(n, "`verification`")?;
    let programmes = f
        .require(cx, "programmes", "`verification`")
        .map(|n| cx.list(n, "verification.programmes", programme));
    let available = f.get("available_to_uk_public_bodies").and_then(|n| {
        cx.one_of(
            n,
            "verification.available_to_uk_public_bodies",
            TriBool::ALL,
            TriBool::parse,
        )
    });
    let note = note(cx, &mut f);
    f.finish(
        cx,
        "`verification`",
        &["programmes", "available_to_uk_public_bodies", "note"],
    );
    Some(VerificationFact {
        programmes: programmes?,
        available_to_uk_public_bodies: available,
        note,
    })
}

fn programme(cx: &mut Cx, n: &Node) -> Option<Programme> {
    let mut f = cx.fields(n, "a verification programme")?;
    let what = "a verification programme";
    let name = f.require(cx, "name", what).and_then(|n| cx.text(n, "name"));
    let badge = f
        .require(cx, "badge", what)
        .and_then(|n| cx.one_of(n, "badge", BadgeType::ALL, BadgeType::parse));
    let verifies_identity = f
        .require(cx, "verifies_identity", what)
        .and_then(|n| cx.bool(n, "verifies_identity"));
    let meaning = f
        .require(cx, "meaning", what)
        .and_then(|n| cx.text(n, "meaning"));
    let source = source(cx, &mut f, what);
    let note = note(cx, &mut f);
    f.finish(
        cx,
        what,
        &[
            "name",
            "badge",
            "verifies_identity",
            "meaning",
            "source",
            "note",
        ],
    );
    Some(Programme {
        name: name?,
        badge: badge?,
        verifies_identity: verifies_identity?,
        meaning: meaning?,
        source: source?,
        note,
    })
}

fn report_route(cx: &mut Cx, n: &Node) -> Option<ReportRoute> {
    let mut f = cx.fields(n, "`impersonation_report`")?;
    let kind = f
        .require(cx, "kind", "`impersonation_report`")
        .and_then(|n| {
            cx.one_of(
                n,
                "impersonation_report.kind",
                &["form", "help_page", "in_app"],
                |s| match s {
                    "form" => Some(ReportKind::Form),
                    "help_page" => Some(ReportKind::HelpPage),
                    "in_app" => Some(ReportKind::InApp),
                    _ => None,
                },
            )
        });
    let url = f
        .require(cx, "url", "`impersonation_report`")
        .and_then(|n| https(cx, n, "impersonation_report.url"));
    let steps = steps(cx, &mut f);
    let source = source(cx, &mut f, "`impersonation_report`");
    let note = note(cx, &mut f);
    f.finish(
        cx,
        "`impersonation_report`",
        &["kind", "url", "steps", "source", "note"],
    );
    Some(ReportRoute {
        kind: kind?,
        url: url?,
        steps,
        source: source?,
        note,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cat() -> Catalogue {
        Catalogue::parse_builtin().unwrap_or_else(|d| panic!("the built-in catalogue: {d:#?}"))
    }

    #[test]
    fn every_platform_but_other_has_every_fact_with_a_source_and_a_date() {
        let cat = cat();
        let today = jiff::Zoned::now().date();
        for name in Platform::ALL {
            let p = Platform::parse(name).unwrap_or(Platform::Other);
            if p == Platform::Other {
                assert!(cat.get(p).is_none(), "`other` is not a platform");
                continue;
            }
            let facts = cat
                .get(p)
                .unwrap_or_else(|| panic!("no catalogue entry for {p}"));
            let mut sources = vec![
                &facts.access.source,
                &facts.handle.source,
                &facts.two_factor.source,
                &facts.login_alerts.source,
                &facts.impersonation_report.source,
            ];
            sources.extend(facts.verification.programmes.iter().map(|p| &p.source));
            for s in sources {
                assert!(s.url.starts_with("https://"), "{p}: {}", s.url);
                assert!(
                    s.checked <= today,
                    "{p}: checked {} is in the future",
                    s.checked
                );
            }
            assert!(!facts.name.is_empty());
        }
    }

    /// The handle rules of inventory.md, which the catalogue must agree with.
    #[test]
    fn handle_rules_agree_with_the_contract() {
        let cat = cat();
        let ok = |p: Platform, h: &str| cat.check_handle(p, h).is_none();
        let x15 = "A".repeat(15);
        let cases: &[(Platform, &str, bool)] = &[
            (Platform::X, "WestmerePolice", true),
            (Platform::X, &x15, true),
            (Platform::X, "WestmerePoliceHQ", false),
            (Platform::X, "west.mere", false),
            (Platform::X, "w", true),
            (Platform::Instagram, "west.mere_police", true),
            (Platform::Instagram, &"a".repeat(31), false),
            (Platform::Threads, "west.mere_police", true),
            (Platform::Tiktok, "a", false),
            (Platform::Tiktok, "ab", true),
            (Platform::Tiktok, &"a".repeat(25), false),
            (Platform::Youtube, "west-mere.police_1", true),
            (Platform::Youtube, "ab", false),
            (Platform::Facebook, "abcd", false),
            (Platform::Facebook, "westmere.police", true),
            (Platform::Facebook, "west_mere", false),
            (Platform::Facebook, &"a".repeat(51), false),
            (Platform::Linkedin, "west-mere", true),
            (Platform::Linkedin, "west_mere", false),
            (Platform::Linkedin, &"a".repeat(100), true),
            (Platform::Bluesky, "westmere.police.uk", true),
            (Platform::Bluesky, "westmere", false),
            (Platform::Mastodon, "westmere@mastodon.social", true),
            (Platform::Mastodon, "westmere", false),
            (Platform::Mastodon, "west-mere@mastodon.social", false),
            (Platform::Other, "any-thing", true),
            (Platform::Other, "two words", false),
            (Platform::Whatsapp, "+44 20", false),
            (Platform::Snapchat, "westmere", true),
            (Platform::Nextdoor, "westmere-police", true),
        ];
        for (p, h, want) in cases {
            assert_eq!(ok(*p, h), *want, "{p} {h}: {:?}", cat.check_handle(*p, h));
        }
    }

    #[test]
    fn rules_are_described_in_words() {
        let cat = cat();
        assert_eq!(
            cat.check_handle(Platform::X, "a.b").as_deref(),
            Some("x handles are 1-15 characters of letters, digits and _")
        );
        assert_eq!(
            cat.check_handle(Platform::Youtube, "a").as_deref(),
            Some("youtube handles are 3-30 characters of letters, digits, . _ and -")
        );
    }

    #[test]
    fn profiles_resolve_to_the_platform_they_log_in_to() {
        let cat = cat();
        assert_eq!(
            cat.for_profile(ProfilePlatform::Meta).map(|p| p.id),
            Some(Platform::Facebook)
        );
        assert_eq!(
            cat.for_profile(ProfilePlatform::Google).map(|p| p.id),
            Some(Platform::Youtube)
        );
        assert_eq!(
            cat.for_profile(ProfilePlatform::Linkedin).map(|p| p.id),
            Some(Platform::Linkedin)
        );
    }

    #[test]
    fn the_platforms_reached_through_profiles_are_those_of_the_contract() {
        let cat = cat();
        let through: Vec<Platform> = cat
            .platforms
            .values()
            .filter(|p| p.access.value == AccessModel::PersonalProfiles)
            .map(|p| p.id)
            .collect();
        assert_eq!(
            through,
            vec![Platform::Facebook, Platform::Youtube, Platform::Linkedin]
        );
    }

    #[test]
    fn corrections_replace_a_fact_whole_and_keep_the_rest() {
        let file = br#"
platforms:
  - id: bluesky
    two_factor:
      methods: [email, authenticator_app]
      source: {url: "https://intranet.example/bluesky-totp", checked: 2026-11-01}
"#;
        let cat = Catalogue::with_corrections("ours.yaml", file).expect("valid corrections");
        let b = cat.get(Platform::Bluesky).expect("bluesky");
        assert_eq!(
            b.two_factor.methods,
            vec![TwoFactor::Email, TwoFactor::AuthenticatorApp]
        );
        assert_eq!(b.origin, "ours.yaml");
        assert_eq!(
            b.handle.source,
            Catalogue::builtin()
                .get(Platform::Bluesky)
                .unwrap()
                .handle
                .source
        );
    }

    #[test]
    fn a_bad_correction_is_located() {
        let file =
            b"platforms:\n  - id: bluesky\n    two_factor:\n      methods: [sms, carrier_pigeon]\n";
        let d = Catalogue::with_corrections("ours.yaml", file).expect_err("invalid");
        assert!(
            d.iter()
                .any(|d| d.line == 4 && d.message.contains("carrier_pigeon")),
            "{d:#?}"
        );
        assert!(d.iter().any(|d| d.message.contains("`source`")), "{d:#?}");
    }
}
