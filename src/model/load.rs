//! Reads and validates an inventory (`inventory.md`), a policy override file and an HR CSV.
//!
//! Every problem is collected with file, line and column; nothing is audited unless all inputs
//! are valid (exit code 2 otherwise).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use regex::RegexBuilder;
use sha2::{Digest, Sha256};

use super::inventory::*;
use super::platforms::{Catalogue, SharedCatalogue};
use super::policy::{NamingRule, Policy};
use super::reader::{Cx, Fields};
use super::schema;
use super::yaml::{self, Kind, Node};
use crate::error::{Code, Diagnostic, Error};

/// A mapping option (`--people-map`) may rename these.
pub const PEOPLE_COLUMNS: &[&str] = &[
    "id",
    "name",
    "email",
    "status",
    "left_on",
    "moved_on",
    "left_under_investigation",
];

/// What to read: the inventory and the optional companions of `cli.md`.
#[derive(Debug, Clone)]
pub struct Inputs<'a> {
    pub inventory: &'a Path,
    pub people: Option<&'a Path>,
    pub policy: Option<&'a Path>,
    /// Column renames for the HR CSV: our name → the export's header.
    pub people_columns: BTreeMap<String, String>,
    /// The organisation's corrections to the platform catalogue (`--platforms FILE`).
    pub platforms: Option<&'a Path>,
}

/// Reads one input through the capped read every input shares (`crate::input`).
/// The platform catalogue: the built-in one, with the organisation's corrections
/// (`--platforms FILE`) when given.
pub fn load_catalogue(corrections: Option<&Path>) -> Result<SharedCatalogue, Error> {
    match corrections {
        Some(p) => {
            let pfile = p.display().to_string();
            match Catalogue::with_corrections(
                &pfile,
                &read(p, crate::input::PLATFORMS, Code::Syntax)?,
            ) {
                Ok(c) => Ok(SharedCatalogue::new(c)),
                Err(d) => Err(Error::Input(d)),
            }
        }
        None => Ok(SharedCatalogue::default()),
    }
}

fn read(path: &Path, limit: crate::input::Limit, code: Code) -> Result<Vec<u8>, Error> {
    crate::input::read(path, limit).map_err(|e| e.into_error(path, code))
}

/// Reads every input, validates everything, and reports all problems at once.
pub fn load(inputs: &Inputs) -> Result<Inventory, Error> {
    let file = inputs.inventory.display().to_string();
    let bytes = read(inputs.inventory, crate::input::INVENTORY, Code::Syntax)?;
    let mut diags = Vec::new();
    let policy_override = match inputs.policy {
        Some(p) => {
            let pfile = p.display().to_string();
            let pbytes = read(p, crate::input::POLICY, Code::Syntax)?;
            Some((pfile, pbytes))
        }
        None => None,
    };
    let people_csv = match inputs.people {
        Some(p) => Some((
            p.display().to_string(),
            read(p, crate::input::PEOPLE, Code::BadCsv)?,
        )),
        None => None,
    };
    // A bad row is reported, and the rest of the export still counts: dropping every HR person
    // for one bad row made each reference to them a false "names no person".
    let extra_people = match &people_csv {
        Some((f, b)) => {
            let rows = read_people_rows(f, b, &inputs.people_columns);
            diags.extend(rows.diags);
            HrPeople {
                people: rows.people,
                unusable: rows.unusable,
            }
        }
        None => HrPeople::default(),
    };
    let catalogue = load_catalogue(inputs.platforms)?;
    let parsed = parse_with(
        &file,
        &bytes,
        catalogue,
        policy_override
            .as_ref()
            .map(|(f, b)| (f.as_str(), b.as_slice())),
        extra_people,
    );
    match parsed {
        Ok(inv) if diags.is_empty() => Ok(inv),
        Ok(_) => Err(Error::Input(diags)),
        Err(mut d) => {
            diags.append(&mut d);
            Err(Error::Input(diags))
        }
    }
}

/// Parses an inventory held in memory (tests, benches, `validate`).
pub fn parse(file: &str, bytes: &[u8]) -> Result<Inventory, Vec<Diagnostic>> {
    parse_with(
        file,
        bytes,
        SharedCatalogue::default(),
        None,
        HrPeople::default(),
    )
}

/// People from the HR export: those read, and the ids of rows too broken to use (reported on
/// their own), which references may still name without a second error.
#[derive(Default)]
struct HrPeople {
    people: Vec<(Person, String)>,
    unusable: Vec<String>,
}

fn parse_with(
    file: &str,
    bytes: &[u8],
    catalogue: SharedCatalogue,
    policy_file: Option<(&str, &[u8])>,
    extra_people: HrPeople,
) -> Result<Inventory, Vec<Diagnostic>> {
    let text = yaml::decode(file, bytes).map_err(|d| vec![d])?;
    let root = yaml::parse(file, text).map_err(|d| vec![d])?;
    let mut cx = Cx::new(file, text);
    let mut inv = Inventory {
        path: file.to_owned(),
        digest: hex(&Sha256::digest(bytes)),
        platforms: catalogue,
        ..Default::default()
    };
    let catalogue = inv.platforms.clone();

    let Some(mut top) = cx.fields(&root, "the inventory") else {
        return Err(cx.diags);
    };
    if matches!(root.kind, Kind::Null) {
        cx.error(
            Loc { line: 1, column: 1 },
            Code::MissingField,
            "the inventory is empty: it needs at least `organisation` and `accounts`",
        );
        return Err(cx.diags);
    }
    if let Some(n) = top.require(&mut cx, "organisation", "the inventory") {
        inv.organisation = organisation(&mut cx, n);
    }
    if let Some(n) = top.get("policy") {
        inv.policy = policy(&mut cx, n, Policy::default());
    }
    if let Some(n) = top.get("people") {
        inv.people = cx.list_par(n, "people", person);
    }
    let accounts = top.require(&mut cx, "accounts", "the inventory");
    if let Some(n) = accounts {
        inv.accounts = cx.list_par(n, "accounts", |cx, n| account(cx, n, &catalogue));
    }
    if let Some(n) = top.get("waivers") {
        inv.waivers = cx.list(n, "waivers", waiver);
    }
    if let Some(n) = top.get("impersonation_allow") {
        inv.impersonation_allow = cx.list(n, "impersonation_allow", allow);
    }
    if let Some(n) = top.get("impersonation_triage") {
        inv.impersonation_triage = cx.list(n, "impersonation_triage", triage);
    }
    if let Some(n) = top.get("control_planes") {
        inv.control_planes = cx.list(n, "control_planes", control_plane);
    }
    if let Some(n) = top.get("mailboxes") {
        inv.mailboxes = cx.list(n, "mailboxes", mailbox);
    }
    if let Some(n) = top.get("house_rules") {
        inv.house_rules = house_rules(&mut cx, n);
    }
    top.finish_in(&mut cx, "the inventory", &schema::TOP);
    let mut diags = std::mem::take(&mut cx.diags);

    if let Some((pfile, pbytes)) = policy_file {
        match policy_override(pfile, pbytes, inv.policy.clone()) {
            Ok(p) => inv.policy = p,
            Err(mut d) => diags.append(&mut d),
        }
    }
    merge_people(&mut inv, extra_people.people, &mut diags);
    let mut cx = Cx::new(file, text);
    integrity(&mut cx, &root, &inv, &extra_people.unusable);
    diags.append(&mut cx.diags);
    let mut warn = Cx::new(file, text);
    waiver_warnings(&mut warn, &root, &inv);
    platform_warnings(&mut warn, &root, &inv);
    inv.warnings.append(&mut warn.diags);
    if diags.is_empty() {
        Ok(inv)
    } else {
        Err(diags)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn organisation(cx: &mut Cx, node: &Node) -> Organisation {
    let mut org = Organisation::default();
    let Some(mut f) = cx.fields(node, "`organisation`") else {
        return org;
    };
    if let Some(n) = f.require(cx, "name", "`organisation`") {
        org.name = cx.text(n, "organisation.name").unwrap_or_default();
    }
    if let Some(n) = f.get("email_domains") {
        org.email_domains = cx.list(n, "organisation.email_domains", |cx, n| {
            let d = cx
                .string(n, "organisation.email_domains")?
                .trim_start_matches('@')
                .to_lowercase();
            if super::reader::is_domain(&d) {
                Some(d)
            } else {
                let shown = cx.shown(n);
                cx.error(
                    n.loc,
                    Code::WrongType,
                    format!(
                        "`organisation.email_domains` entries must be domain names, found {shown}"
                    ),
                );
                None
            }
        });
    }
    if let Some(n) = f.get("website") {
        org.website = url(cx, n, "organisation.website");
    }
    if let Some(n) = f.get("official_accounts_page") {
        org.official_accounts_page = url(cx, n, "organisation.official_accounts_page");
    }
    f.finish_in(cx, "`organisation`", &schema::ORGANISATION);
    org
}

fn url(cx: &mut Cx, node: &Node, field: &str) -> Option<String> {
    let s = cx.string(node, field)?;
    if (s.starts_with("https://") || s.starts_with("http://"))
        && !s.contains(char::is_whitespace)
        && s.len() > 8
    {
        Some(s)
    } else {
        let shown = cx.shown(node);
        cx.error(
            node.loc,
            Code::WrongType,
            format!("`{field}` must be an http(s) URL, found {shown}"),
        );
        None
    }
}

fn policy_override(file: &str, bytes: &[u8], base: Policy) -> Result<Policy, Vec<Diagnostic>> {
    let text = yaml::decode(file, bytes).map_err(|d| vec![d])?;
    let root = yaml::parse(file, text).map_err(|d| vec![d])?;
    let mut cx = Cx::new(file, text);
    // The file is either the policy mapping itself or `{policy: {...}}`.
    let node = match &root.kind {
        Kind::Map(e) if e.len() == 1 && matches!(&e[0].0.kind, Kind::Str(s) if s == "policy") => {
            &e[0].1
        }
        _ => &root,
    };
    let p = policy(&mut cx, node, base);
    if cx.diags.is_empty() {
        Ok(p)
    } else {
        Err(cx.diags)
    }
}

fn days(cx: &mut Cx, f: &mut Fields, key: &str, into: &mut i64) {
    if let Some(n) = f.get(key) {
        if let Some(v) = cx.int(n, &format!("policy.{key}"), 0, 100_000) {
            *into = v;
        }
    }
}

fn policy(cx: &mut Cx, node: &Node, mut p: Policy) -> Policy {
    let Some(mut f) = cx.fields(node, "`policy`") else {
        return p;
    };
    if let Some(n) = f.get("min_two_factor") {
        if let Some(v) = cx.one_of(n, "policy.min_two_factor", TwoFactor::ALL, TwoFactor::parse) {
            if v == TwoFactor::Unknown {
                cx.error(
                    n.loc,
                    Code::UnknownValue,
                    "`policy.min_two_factor` cannot be `unknown`",
                );
            } else {
                p.min_two_factor = v;
            }
        }
    }
    if let Some(n) = f.get("max_password_age_days") {
        p.max_password_age_days = cx.int(n, "policy.max_password_age_days", 1, 100_000);
    }
    if let Some(n) = f.get("min_password_score") {
        if let Some(v) = cx.int(n, "policy.min_password_score", 0, 4) {
            p.min_password_score = v as u8;
        }
    }
    days(
        cx,
        &mut f,
        "access_review_interval_days",
        &mut p.access_review_interval_days,
    );
    days(cx, &mut f, "dormant_after_days", &mut p.dormant_after_days);
    days(
        cx,
        &mut f,
        "stale_app_after_days",
        &mut p.stale_app_after_days,
    );
    days(
        cx,
        &mut f,
        "stale_session_after_days",
        &mut p.stale_session_after_days,
    );
    days(cx, &mut f, "min_admins", &mut p.min_admins);
    days(cx, &mut f, "max_admins", &mut p.max_admins);
    days(
        cx,
        &mut f,
        "max_attestation_age_days",
        &mut p.max_attestation_age_days,
    );
    days(
        cx,
        &mut f,
        "recovery_test_interval_days",
        &mut p.recovery_test_interval_days,
    );
    days(
        cx,
        &mut f,
        "min_audit_log_retention_days",
        &mut p.min_audit_log_retention_days,
    );
    if p.min_admins > p.max_admins {
        cx.error(
            node.loc,
            Code::Conflict,
            format!(
                "`policy.min_admins` ({}) is larger than `policy.max_admins` ({})",
                p.min_admins, p.max_admins
            ),
        );
    }
    if let Some(n) = f.get("approved_apps") {
        p.approved_apps = cx.list(n, "policy.approved_apps", |cx, n| {
            cx.text(n, "policy.approved_apps").map(|s| s.to_lowercase())
        });
    }
    if let Some(n) = f.get("naming") {
        if let Some(mut nf) = cx.fields(n, "`policy.naming`") {
            if let Kind::Map(entries) = &n.kind {
                for (k, v) in entries {
                    let Some(key) = cx.string(k, "policy.naming") else {
                        continue;
                    };
                    nf.get(&key);
                    if key != "default" && Platform::parse(&key).is_none() {
                        cx.one_of(
                            k,
                            "policy.naming key",
                            &[Platform::ALL, &["default"]].concat(),
                            |_| None::<()>,
                        );
                        continue;
                    }
                    let Some(pattern) = cx.text(v, &format!("policy.naming.{key}")) else {
                        continue;
                    };
                    match RegexBuilder::new(&pattern).size_limit(1 << 20).build() {
                        Ok(regex) => {
                            p.naming.insert(key, NamingRule { pattern, regex });
                        }
                        Err(e) => {
                            let first = e
                                .to_string()
                                .lines()
                                .last()
                                .unwrap_or("invalid")
                                .trim()
                                .to_owned();
                            cx.error(v.loc, Code::BadRegex, format!("`policy.naming.{key}` is not a valid regular expression: {first}"));
                        }
                    }
                }
            }
        }
    }
    if let Some(n) = f.get("verification_platforms") {
        p.verification_platforms = cx.list(n, "policy.verification_platforms", |cx, n| {
            cx.one_of(
                n,
                "policy.verification_platforms",
                Platform::ALL,
                Platform::parse,
            )
        });
    }
    if let Some(n) = f.get("personal_email_domains") {
        let extra = cx.list(n, "policy.personal_email_domains", |cx, n| {
            cx.text(n, "policy.personal_email_domains")
                .map(|s| s.trim_start_matches('@').to_lowercase())
        });
        for d in extra {
            if !p.personal_email_domains.contains(&d) {
                p.personal_email_domains.push(d);
            }
        }
    }
    if let Some(n) = f.get("impersonation_threshold") {
        p.impersonation_threshold = cx.float(n, "policy.impersonation_threshold", 0.0, 1.0);
    }
    if let Some(n) = f.get("severity_overrides") {
        if let (Some(mut sf), Kind::Map(entries)) =
            (cx.fields(n, "`policy.severity_overrides`"), &n.kind)
        {
            for (k, v) in entries {
                let Some(id) = cx.text(k, "policy.severity_overrides") else {
                    continue;
                };
                sf.get(&id);
                if let Some(sev) = cx.one_of(
                    v,
                    &format!("policy.severity_overrides.{id}"),
                    Severity::ALL,
                    Severity::parse,
                ) {
                    p.severity_overrides.insert(id.clone(), sev);
                    p.severity_override_locs
                        .insert(id, (cx.file.clone(), k.loc));
                }
            }
        }
    }
    f.finish_in(cx, "`policy`", &schema::POLICY);
    p
}

fn person(cx: &mut Cx, node: &Node) -> Option<Person> {
    let mut f = cx.fields(node, "a person")?;
    let id = f
        .require(cx, "id", "a person")
        .and_then(|n| cx.text(n, "people[].id"));
    let status = f
        .require(cx, "status", "a person")
        .and_then(|n| cx.one_of(n, "status", PersonStatus::ALL, PersonStatus::parse));
    let mut p = Person {
        id: id.clone().unwrap_or_default(),
        name: f.get("name").and_then(|n| cx.string(n, "name")),
        email: f.get("email").and_then(|n| cx.email(n, "email")),
        role: f.get("role").and_then(|n| cx.string(n, "role")),
        team: f.get("team").and_then(|n| cx.string(n, "team")),
        status: status.unwrap_or(PersonStatus::Active),
        moved_on: f.get("moved_on").and_then(|n| cx.date(n, "moved_on")),
        left_on: f.get("left_on").and_then(|n| cx.date(n, "left_on")),
        left_under_investigation: f
            .get("left_under_investigation")
            .and_then(|n| cx.bool(n, "left_under_investigation")),
        profiles: f
            .get("profiles")
            .map(|n| cx.list(n, "profiles", profile))
            .unwrap_or_default(),
        loc: node.loc,
    };
    f.finish_in(cx, &format!("person `{}`", p.id), &schema::PERSON);
    p.loc = node.loc;
    (id.is_some() && status.is_some()).then_some(p)
}

fn profile(cx: &mut Cx, node: &Node) -> Option<Profile> {
    let mut f = cx.fields(node, "a profile")?;
    let platform = f.require(cx, "platform", "a profile").and_then(|n| {
        let written = match &n.kind {
            Kind::Str(s) => s.to_string(),
            _ => String::new(),
        };
        // A Page admin's login is their Facebook profile, which the contract calls `meta`: say
        // so rather than offer the nearest spelling.
        let login = match written.as_str() {
            "facebook" | "instagram" | "threads" => Some("meta"),
            "youtube" => Some("google"),
            _ => None,
        };
        match login {
            Some(login) => {
                cx.error(
                    n.loc,
                    Code::UnknownValue,
                    format!("`profiles[].platform` is the login that reaches the account: a {written} role is held by a `{login}` profile (write `platform: {login}`)"),
                );
                None
            }
            None => cx.one_of(
                n,
                "profiles[].platform",
                ProfilePlatform::ALL,
                ProfilePlatform::parse,
            ),
        }
    });
    let p = Profile {
        platform: platform.unwrap_or(ProfilePlatform::Other),
        two_factor: f
            .get("two_factor")
            .and_then(|n| cx.one_of(n, "profiles[].two_factor", TwoFactor::ALL, TwoFactor::parse)),
        login_email: f
            .get("login_email")
            .and_then(|n| cx.email(n, "profiles[].login_email")),
        attested_on: f
            .get("attested_on")
            .and_then(|n| cx.date(n, "profiles[].attested_on")),
        loc: node.loc,
    };
    f.finish_in(cx, "a profile", &schema::PROFILE);
    platform.map(|_| p)
}

fn tri(cx: &mut Cx, f: &mut Fields, key: &str) -> Option<TriBool> {
    f.get(key)
        .and_then(|n| cx.one_of(n, key, TriBool::ALL, TriBool::parse))
}

fn account(cx: &mut Cx, node: &Node, catalogue: &Catalogue) -> Option<Account> {
    let mut f = cx.fields(node, "an account")?;
    let id = f
        .require(cx, "id", "an account")
        .and_then(|n| cx.text(n, "accounts[].id"));
    let what = format!("account `{}`", id.as_deref().unwrap_or("?"));
    let platform = f
        .require(cx, "platform", &what)
        .and_then(|n| cx.one_of(n, "platform", Platform::ALL, Platform::parse));
    let handle_node = f.require(cx, "handle", &what);
    let mut handle = handle_node
        .and_then(|n| cx.text(n, "handle"))
        .map(|h| h.strip_prefix('@').map(str::to_owned).unwrap_or(h));
    if let (Some(p), Some(h), Some(n)) = (platform, handle.as_deref(), handle_node) {
        if let Some(rule) = catalogue.check_handle(p, h) {
            let shown = cx.shown(n);
            cx.error(
                n.loc,
                Code::BadHandle,
                format!("handle {shown} cannot exist on {p}: {rule}"),
            );
            handle = None;
        }
    }
    let security = match f.get("security") {
        Some(n) => security(cx, n),
        None => Security::default(),
    };
    let a = Account {
        id: id.clone().unwrap_or_default(),
        platform: platform.unwrap_or(Platform::Other),
        handle: handle.clone().unwrap_or_default(),
        display_name: f
            .get("display_name")
            .and_then(|n| cx.string(n, "display_name")),
        url: f.get("url").and_then(|n| url(cx, n, "url")),
        owner: f.get("owner").and_then(|n| cx.text(n, "owner")),
        team: f.get("team").and_then(|n| cx.string(n, "team")),
        purpose: f
            .get("purpose")
            .and_then(|n| cx.one_of(n, "purpose", Purpose::ALL, Purpose::parse)),
        status: f
            .get("status")
            .and_then(|n| cx.one_of(n, "status", AccountStatus::ALL, AccountStatus::parse))
            .unwrap_or(AccountStatus::Active),
        created_on: f.get("created_on").and_then(|n| cx.date(n, "created_on")),
        last_post_on: f
            .get("last_post_on")
            .and_then(|n| cx.date(n, "last_post_on")),
        last_access_review_on: f
            .get("last_access_review_on")
            .and_then(|n| cx.date(n, "last_access_review_on")),
        listed_on_website: tri(cx, &mut f, "listed_on_website"),
        verification: f
            .get("verification")
            .and_then(|n| cx.one_of(n, "verification", Verification::ALL, Verification::parse)),
        security,
        access: f
            .get("access")
            .map(|n| cx.list(n, "access", access))
            .unwrap_or_default(),
        third_party_apps: f
            .get("third_party_apps")
            .map(|n| cx.list(n, "third_party_apps", app))
            .unwrap_or_default(),
        sessions: f
            .get("sessions")
            .map(|n| cx.list(n, "sessions", session))
            .unwrap_or_default(),
        attestation: f.get("attestation").and_then(|n| attestation(cx, n)),
        verification_badge: f
            .get("verification_badge")
            .and_then(|n| cx.one_of(n, "verification_badge", BadgeType::ALL, BadgeType::parse)),
        recovery: f.get("recovery").and_then(|n| recovery(cx, n)),
        loc: node.loc,
    };
    f.finish_in(cx, &what, &schema::ACCOUNT);
    (id.is_some() && platform.is_some() && handle.is_some()).then_some(a)
}

fn recovery(cx: &mut Cx, node: &Node) -> Option<Recovery> {
    let mut f = cx.fields(node, "`recovery`")?;
    let r = Recovery {
        backup_codes: f.get("backup_codes").and_then(|n| {
            cx.one_of(
                n,
                "recovery.backup_codes",
                BackupCodes::ALL,
                BackupCodes::parse,
            )
        }),
        last_recovery_test_on: f
            .get("last_recovery_test_on")
            .and_then(|n| cx.date(n, "recovery.last_recovery_test_on")),
        platform_contact: f
            .get("platform_contact")
            .and_then(|n| cx.one_of(n, "recovery.platform_contact", TriBool::ALL, TriBool::parse)),
    };
    f.finish_in(cx, "`recovery`", &schema::RECOVERY);
    Some(r)
}

fn control_plane(cx: &mut Cx, node: &Node) -> Option<ControlPlane> {
    let mut f = cx.fields(node, "a control plane")?;
    let id = f
        .require(cx, "id", "a control plane")
        .and_then(|n| cx.text(n, "control_planes[].id"));
    let what = format!("control plane `{}`", id.as_deref().unwrap_or("?"));
    let p = ControlPlane {
        id: id.clone().unwrap_or_default(),
        kind: f
            .get("kind")
            .and_then(|n| cx.one_of(n, "control_planes[].kind", PlaneKind::ALL, PlaneKind::parse)),
        name: f
            .get("name")
            .and_then(|n| cx.string(n, "control_planes[].name")),
        accounts: f
            .get("accounts")
            .map(|n| {
                cx.list(n, "control_planes[].accounts", |cx, n| {
                    cx.text(n, "control_planes[].accounts")
                })
            })
            .unwrap_or_default(),
        sign_in: f
            .get("sign_in")
            .and_then(|n| cx.one_of(n, "control_planes[].sign_in", SignIn::ALL, SignIn::parse)),
        two_factor_enforced: tri(cx, &mut f, "two_factor_enforced"),
        audit_log_retention_days: f
            .get("audit_log_retention_days")
            .and_then(|n| cx.int(n, "control_planes[].audit_log_retention_days", 0, 100_000)),
        last_access_review_on: f
            .get("last_access_review_on")
            .and_then(|n| cx.date(n, "control_planes[].last_access_review_on")),
        access: f
            .get("access")
            .map(|n| {
                cx.list(n, "control_planes[].access", |cx, n| {
                    access_in(cx, n, &schema::PLANE_ACCESS)
                })
            })
            .unwrap_or_default(),
        attestation: f.get("attestation").and_then(|n| attestation(cx, n)),
        loc: node.loc,
    };
    f.finish_in(cx, &what, &schema::CONTROL_PLANE);
    id.map(|_| p)
}

fn mailbox(cx: &mut Cx, node: &Node) -> Option<Mailbox> {
    let mut f = cx.fields(node, "a mailbox")?;
    let address = f
        .require(cx, "address", "a mailbox")
        .and_then(|n| cx.email(n, "mailboxes[].address"));
    let m = Mailbox {
        address: address.clone().unwrap_or_default(),
        two_factor: f.get("two_factor").and_then(|n| {
            cx.one_of(
                n,
                "mailboxes[].two_factor",
                TwoFactor::ALL,
                TwoFactor::parse,
            )
        }),
        forwards_outside: tri(cx, &mut f, "forwards_outside"),
        attested_on: f
            .get("attested_on")
            .and_then(|n| cx.date(n, "mailboxes[].attested_on")),
        loc: node.loc,
    };
    f.finish_in(cx, "a mailbox", &schema::MAILBOX);
    address.map(|_| m)
}

fn house_rules(cx: &mut Cx, node: &Node) -> Option<HouseRules> {
    let mut f = cx.fields(node, "`house_rules`")?;
    let h = HouseRules {
        url: f.get("url").and_then(|n| url(cx, n, "house_rules.url")),
        states_monitoring_hours: tri(cx, &mut f, "states_monitoring_hours"),
        states_emergency_route: tri(cx, &mut f, "states_emergency_route"),
        states_moderation_rules: tri(cx, &mut f, "states_moderation_rules"),
        loc: node.loc,
    };
    f.finish_in(cx, "`house_rules`", &schema::HOUSE_RULES);
    Some(h)
}

fn security(cx: &mut Cx, node: &Node) -> Security {
    let Some(mut f) = cx.fields(node, "`security`") else {
        return Security::default();
    };
    let s = Security {
        two_factor: f
            .get("two_factor")
            .and_then(|n| cx.one_of(n, "security.two_factor", TwoFactor::ALL, TwoFactor::parse)),
        login_alerts: tri(cx, &mut f, "login_alerts"),
        login_email: f
            .get("login_email")
            .and_then(|n| cx.email(n, "security.login_email")),
        recovery_email: f
            .get("recovery_email")
            .and_then(|n| cx.email(n, "security.recovery_email")),
        recovery_phone: f.get("recovery_phone").and_then(|n| {
            cx.one_of(
                n,
                "security.recovery_phone",
                RecoveryPhone::ALL,
                RecoveryPhone::parse,
            )
        }),
        password_last_changed_on: f
            .get("password_last_changed_on")
            .and_then(|n| cx.date(n, "security.password_last_changed_on")),
        password_storage: f.get("password_storage").and_then(|n| {
            cx.one_of(
                n,
                "security.password_storage",
                PasswordStorage::ALL,
                PasswordStorage::parse,
            )
        }),
        vault_entry: f
            .get("vault_entry")
            .and_then(|n| cx.text(n, "security.vault_entry")),
        access_logging: tri(cx, &mut f, "access_logging"),
        smmp: f.get("smmp").and_then(|n| cx.string(n, "security.smmp")),
    };
    f.finish_in(cx, "`security`", &schema::SECURITY);
    s
}

fn access(cx: &mut Cx, node: &Node) -> Option<Access> {
    access_in(cx, node, &schema::ACCESS)
}

/// An access entry of an account, or of a control plane (`section` says which keys it has:
/// a plane's entries have no `via`).
fn access_in(cx: &mut Cx, node: &Node, section: &schema::Section) -> Option<Access> {
    let mut f = cx.fields(node, "an access entry")?;
    let person = f
        .require(cx, "person", "an access entry")
        .and_then(|n| cx.text(n, "access[].person"));
    let role = f
        .require(cx, "role", "an access entry")
        .and_then(|n| cx.one_of(n, "access[].role", AccessRole::ALL, AccessRole::parse));
    let via = if section.has("via") {
        f.get("via")
            .and_then(|n| cx.one_of(n, "access[].via", AccessVia::ALL, AccessVia::parse))
    } else {
        None
    };
    let granted_on = f
        .get("granted_on")
        .and_then(|n| cx.date(n, "access[].granted_on"));
    let removed_on = f
        .get("removed_on")
        .and_then(|n| cx.date(n, "access[].removed_on"));
    if let (Some(g), Some(r), Some(n)) = (granted_on, removed_on, f.get("removed_on")) {
        if r < g {
            cx.error(
                n.loc,
                Code::Conflict,
                format!("`access[].removed_on` ({r}) is before `granted_on` ({g})"),
            );
        }
    }
    f.finish_in(cx, "an access entry", section);
    Some(Access {
        person: person?,
        role: role?,
        via,
        granted_on,
        removed_on,
    })
}

fn app(cx: &mut Cx, node: &Node) -> Option<ThirdPartyApp> {
    let mut f = cx.fields(node, "a third-party app")?;
    let name = f
        .require(cx, "name", "a third-party app")
        .and_then(|n| cx.text(n, "third_party_apps[].name"));
    let permissions = f
        .get("permissions")
        .map(|n| {
            cx.list(n, "third_party_apps[].permissions", |cx, n| {
                cx.one_of(
                    n,
                    "third_party_apps[].permissions",
                    AppPermission::ALL,
                    AppPermission::parse,
                )
            })
        })
        .unwrap_or_default();
    let approved = f
        .get("approved")
        .and_then(|n| cx.bool(n, "third_party_apps[].approved"));
    let last_used_on = f
        .get("last_used_on")
        .and_then(|n| cx.date(n, "third_party_apps[].last_used_on"));
    f.finish_in(cx, "a third-party app", &schema::APP);
    Some(ThirdPartyApp {
        name: name?,
        permissions,
        approved,
        last_used_on,
    })
}

fn session(cx: &mut Cx, node: &Node) -> Option<Session> {
    let mut f = cx.fields(node, "a session")?;
    let device = f
        .require(cx, "device", "a session")
        .and_then(|n| cx.text(n, "sessions[].device"));
    let managed = f
        .get("managed")
        .and_then(|n| cx.bool(n, "sessions[].managed"));
    let last_seen_on = f
        .get("last_seen_on")
        .and_then(|n| cx.date(n, "sessions[].last_seen_on"));
    f.finish_in(cx, "a session", &schema::SESSION);
    Some(Session {
        device: device?,
        managed,
        last_seen_on,
    })
}

fn attestation(cx: &mut Cx, node: &Node) -> Option<Attestation> {
    let mut f = cx.fields(node, "`attestation`")?;
    let by = f
        .require(cx, "by", "`attestation`")
        .and_then(|n| cx.text(n, "attestation.by"));
    let date = f
        .require(cx, "date", "`attestation`")
        .and_then(|n| cx.date(n, "attestation.date"));
    let evidence = f
        .get("evidence")
        .and_then(|n| cx.string(n, "attestation.evidence"));
    f.finish_in(cx, "`attestation`", &schema::ATTESTATION);
    Some(Attestation {
        by: by?,
        date: date?,
        evidence,
    })
}

fn waiver(cx: &mut Cx, node: &Node) -> Option<Waiver> {
    let mut f = cx.fields(node, "a waiver")?;
    let check = f
        .require(cx, "check", "a waiver")
        .and_then(|n| cx.text(n, "waivers[].check"));
    let account = f
        .require(cx, "account", "a waiver")
        .and_then(|n| cx.text(n, "waivers[].account"));
    let reason = f
        .require(cx, "reason", "a waiver")
        .and_then(|n| cx.text(n, "waivers[].reason"));
    let approved_by = f
        .require(cx, "approved_by", "a waiver")
        .and_then(|n| cx.text(n, "waivers[].approved_by"));
    let expires_on = f
        .require(cx, "expires_on", "a waiver (no risk is accepted for ever)")
        .and_then(|n| cx.date(n, "waivers[].expires_on"));
    let ticket = f
        .get("ticket")
        .and_then(|n| cx.string(n, "waivers[].ticket"));
    f.finish_in(cx, "a waiver", &schema::WAIVER);
    Some(Waiver {
        check: check?,
        account: account?,
        reason: reason?,
        approved_by: approved_by?,
        expires_on: expires_on?,
        ticket,
        loc: node.loc,
    })
}

fn platform_handle(cx: &mut Cx, f: &mut Fields, what: &str) -> Option<(Platform, String)> {
    let platform = f
        .require(cx, "platform", what)
        .and_then(|n| cx.one_of(n, "platform", Platform::ALL, Platform::parse));
    let handle = f
        .require(cx, "handle", what)
        .and_then(|n| cx.text(n, "handle"));
    Some((platform?, handle?.trim_start_matches('@').to_owned()))
}

fn allow(cx: &mut Cx, node: &Node) -> Option<AllowEntry> {
    let mut f = cx.fields(node, "an impersonation_allow entry")?;
    let ph = platform_handle(cx, &mut f, "an impersonation_allow entry");
    let reason = f.get("reason").and_then(|n| cx.string(n, "reason"));
    f.finish_in(cx, "an impersonation_allow entry", &schema::ALLOW);
    let (platform, handle) = ph?;
    Some(AllowEntry {
        platform,
        handle,
        reason,
    })
}

fn triage(cx: &mut Cx, node: &Node) -> Option<TriageEntry> {
    let mut f = cx.fields(node, "an impersonation_triage entry")?;
    let ph = platform_handle(cx, &mut f, "an impersonation_triage entry");
    let state = f
        .require(cx, "state", "an impersonation_triage entry")
        .and_then(|n| cx.one_of(n, "state", TriageState::ALL, TriageState::parse));
    let date = f.get("date").and_then(|n| cx.date(n, "date"));
    let ticket = f.get("ticket").and_then(|n| cx.string(n, "ticket"));
    f.finish_in(cx, "an impersonation_triage entry", &schema::TRIAGE);
    let (platform, handle) = ph?;
    Some(TriageEntry {
        platform,
        handle,
        state: state?,
        date,
        ticket,
    })
}

/// The items of a top-level list (`people`, `accounts`...), or none.
fn section<'n>(root: &'n Node<'n>, name: &str) -> &'n [Node<'n>] {
    match field(root, name).map(|v| &v.kind) {
        Some(Kind::Seq(items)) => items,
        _ => &[],
    }
}

fn field<'n>(node: &'n Node<'n>, key: &str) -> Option<&'n Node<'n>> {
    match &node.kind {
        Kind::Map(e) => e
            .iter()
            .find(|(k, _)| matches!(&k.kind, Kind::Str(s) if s == key))
            .map(|(_, v)| v),
        _ => None,
    }
}

/// The items of a list node, or none.
fn items<'n>(n: Option<&'n Node<'n>>) -> &'n [Node<'n>] {
    match n.map(|n| &n.kind) {
        Some(Kind::Seq(items)) => items,
        _ => &[],
    }
}

fn scalar(n: &Node) -> Option<String> {
    match &n.kind {
        Kind::Str(s) => Some(s.to_string()),
        Kind::Int(i) => Some(i.to_string()),
        _ => None,
    }
}

/// Duplicate ids and references to things that do not exist, located at the offending node.
///
/// References are checked against the ids as written, not against the items that validated: a
/// person with one bad value is already reported, and must not also make every reference to
/// them "name no person".
fn integrity(cx: &mut Cx, root: &Node, inv: &Inventory, unusable: &[String]) {
    let ids_in = |name: &str| -> Vec<(String, Loc)> {
        section(root, name)
            .iter()
            .filter_map(|item| field(item, "id"))
            .filter_map(|n| scalar(n).map(|id| (id, n.loc)))
            .collect()
    };
    let mut people: std::collections::HashSet<String> =
        ids_in("people").into_iter().map(|(id, _)| id).collect();
    // People from the HR export count too (they were merged into the inventory), and so do HR
    // rows too broken to use: each is reported on its own, and naming them is not a second error.
    people.extend(inv.people.iter().map(|p| p.id.clone()));
    people.extend(unusable.iter().cloned());
    // Accounts and control planes share one namespace (results about a plane carry its id as
    // `account_id`).
    for (names, what) in [
        (&["people"][..], "person"),
        (
            &["accounts", "control_planes"][..],
            "account or control plane",
        ),
    ] {
        let mut seen: HashMap<String, Loc> = HashMap::new();
        for name in names {
            for (id, loc) in ids_in(name) {
                if let Some(first) = seen.get(&id) {
                    cx.error(
                        loc,
                        Code::DuplicateId,
                        format!(
                            "duplicate {what} id `{id}` (first used at line {})",
                            first.line
                        ),
                    );
                } else {
                    seen.insert(id, loc);
                }
            }
        }
    }
    let accounts: std::collections::HashSet<String> =
        ids_in("accounts").into_iter().map(|(id, _)| id).collect();
    let check_person = |cx: &mut Cx, n: &Node, what: &str| {
        if let Some(id) = scalar(n) {
            if !people.contains(id.as_str()) {
                let hint = super::reader::suggest(&id, people.iter().map(String::as_str))
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                cx.error(
                    n.loc,
                    Code::UnknownReference,
                    format!("{what} `{id}` names no person in `people` or the HR export{hint}"),
                );
            }
        }
    };
    for name in ["accounts", "control_planes"] {
        for item in section(root, name) {
            if let Some(o) = field(item, "owner") {
                check_person(cx, o, "owner");
            }
            for it in items(field(item, "access")) {
                if let Some(p) = field(it, "person") {
                    check_person(cx, p, "access person");
                }
            }
            if let Some(by) = field(item, "attestation").and_then(|a| field(a, "by")) {
                check_person(cx, by, "attestation by");
            }
        }
    }
    for plane in section(root, "control_planes") {
        for a in items(field(plane, "accounts")) {
            let Some(id) = scalar(a) else { continue };
            if !accounts.contains(&id) {
                let hint = super::reader::suggest(&id, accounts.iter().map(String::as_str))
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                cx.error(
                    a.loc,
                    Code::UnknownReference,
                    format!("control plane account `{id}` names no account in `accounts`{hint}"),
                );
            }
        }
    }
    for person in section(root, "people") {
        let mut seen: HashMap<String, u32> = HashMap::new();
        for prof in items(field(person, "profiles")) {
            let Some(pn) = field(prof, "platform") else {
                continue;
            };
            let Some(platform) = scalar(pn) else { continue };
            if let Some(first) = seen.insert(platform.clone(), pn.loc.line) {
                cx.error(
                    pn.loc,
                    Code::DuplicateId,
                    format!("a second `{platform}` profile for the same person (the first is at line {first}): record one profile per login"),
                );
            }
        }
    }
    let mut addresses: HashMap<String, u32> = HashMap::new();
    for m in section(root, "mailboxes") {
        let Some(an) = field(m, "address") else {
            continue;
        };
        let Some(address) = scalar(an) else { continue };
        if let Some(first) = addresses.insert(address.to_lowercase(), an.loc.line) {
            cx.error(
                an.loc,
                Code::DuplicateId,
                format!("duplicate mailbox `{address}` (first at line {first})"),
            );
        }
    }
}

/// A recorded setting the platform cannot have (the platform catalogue says it does not offer
/// it): a located warning here, and an `error` result from the check that reads it.
fn platform_warnings(cx: &mut Cx, root: &Node, inv: &Inventory) {
    let cat = &inv.platforms;
    let text_of = |n: &Node| match &n.kind {
        Kind::Str(s) => Some(s.to_string()),
        Kind::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    let warn = |cx: &mut Cx, n: &Node, what: String| {
        cx.error(
            n.loc,
            Code::NotOffered,
            format!("{what}: the record cannot be right (see `palisade platforms`)"),
        );
    };
    for (item, acc) in section(root, "accounts").iter().zip(&inv.accounts) {
        // Items and accounts line up only when every account validated; otherwise the input
        // errors come first and warnings would point at the wrong item.
        if field(item, "id").and_then(scalar).as_deref() != Some(acc.id.as_str()) {
            return;
        }
        let Some(facts) = cat.get(acc.platform) else {
            continue;
        };
        let security = field(item, "security");
        if let (Some(n), Some(m)) = (
            security.and_then(|s| field(s, "two_factor")),
            acc.security.two_factor,
        ) {
            if !facts.offers_two_factor(m) {
                let offered: Vec<&str> = facts
                    .two_factor
                    .methods
                    .iter()
                    .map(|m| m.as_str())
                    .collect();
                warn(
                    cx,
                    n,
                    format!(
                        "{} does not offer `{m}` two-factor authentication (it offers {})",
                        facts.name,
                        offered.join(", ")
                    ),
                );
            }
        }
        if let Some(n) = security.and_then(|s| field(s, "login_alerts")) {
            if facts.login_alerts.value == TriBool::False && text_of(n).as_deref() == Some("true") {
                warn(cx, n, format!("{} has no login alerts", facts.name));
            }
        }
        if let (Some(n), Some(b)) = (field(item, "verification_badge"), acc.verification_badge) {
            if !facts.offers_badge(b) {
                warn(cx, n, format!("{} has no `{b}` badge", facts.name));
            }
        }
    }
    for (item, person) in section(root, "people").iter().zip(&inv.people) {
        if field(item, "id").and_then(scalar).as_deref() != Some(person.id.as_str()) {
            return;
        }
        for (pn, profile) in items(field(item, "profiles")).iter().zip(&person.profiles) {
            let Some(facts) = cat.for_profile(profile.platform) else {
                continue;
            };
            if let (Some(n), Some(m)) = (field(pn, "two_factor"), profile.two_factor) {
                if !facts.offers_two_factor(m) {
                    warn(cx, n, format!("a {} profile cannot have `{m}` two-factor authentication ({} offers {})", profile.platform, facts.name, facts.two_factor.methods.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(", ")));
                }
            }
        }
    }
}

/// What `audit` would warn about, found at validation: a waiver that names no account or
/// control plane can match nothing (a typo in an id must not pass unnoticed).
fn waiver_warnings(cx: &mut Cx, root: &Node, inv: &Inventory) {
    let subjects: Vec<&str> = inv
        .accounts
        .iter()
        .map(|a| a.id.as_str())
        .chain(inv.control_planes.iter().map(|p| p.id.as_str()))
        .chain(std::iter::once("organisation"))
        .collect();
    for w in section(root, "waivers") {
        let Some(an) = field(w, "account") else {
            continue;
        };
        let Some(id) = scalar(an) else { continue };
        if id == "*" || subjects.contains(&id.as_str()) {
            continue;
        }
        let hint = super::reader::suggest(&id, subjects.iter().copied())
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
        cx.error(
            an.loc,
            Code::UnknownReference,
            format!("the waiver names `{id}`, which is no account or control plane: it can match nothing{hint}"),
        );
    }
}

/// Adds HR people to the YAML ones; the same id with different facts is a conflict.
fn merge_people(inv: &mut Inventory, extra: Vec<(Person, String)>, diags: &mut Vec<Diagnostic>) {
    for (p, file) in extra {
        match inv.people.iter_mut().find(|q| q.id == p.id) {
            None => inv.people.push(p),
            Some(q) => {
                let mut clash = Vec::new();
                if p.name.is_some() && q.name.is_some() && p.name != q.name {
                    clash.push("name");
                }
                if p.email.is_some()
                    && q.email.is_some()
                    && p.email.as_deref().map(str::to_lowercase)
                        != q.email.as_deref().map(str::to_lowercase)
                {
                    clash.push("email");
                }
                if p.status != q.status {
                    clash.push("status");
                }
                if p.left_on.is_some() && q.left_on.is_some() && p.left_on != q.left_on {
                    clash.push("left_on");
                }
                if p.moved_on.is_some() && q.moved_on.is_some() && p.moved_on != q.moved_on {
                    clash.push("moved_on");
                }
                if !clash.is_empty() {
                    diags.push(Diagnostic {
                        code: Code::Conflict,
                        file,
                        line: p.loc.line,
                        column: 1,
                        message: format!(
                            "person `{}` differs from the inventory (line {}) in {}",
                            p.id,
                            q.loc.line,
                            clash.join(", ")
                        ),
                        snippet: None,
                    });
                    continue;
                }
                q.name = q.name.take().or(p.name);
                q.email = q.email.take().or(p.email);
                q.left_on = q.left_on.or(p.left_on);
                q.moved_on = q.moved_on.or(p.moved_on);
                q.left_under_investigation =
                    q.left_under_investigation.or(p.left_under_investigation);
            }
        }
    }
}

/// Reads the HR export: columns by name (renamed by `columns`), extra columns ignored.
pub fn read_people_csv(
    file: &str,
    bytes: &[u8],
    columns: &BTreeMap<String, String>,
) -> Result<Vec<(Person, String)>, Vec<Diagnostic>> {
    let rows = read_people_rows(file, bytes, columns);
    if rows.diags.is_empty() {
        Ok(rows.people)
    } else {
        Err(rows.diags)
    }
}

/// What the HR export holds: the people read, the ids of rows that could not be used, and
/// every problem.
struct PeopleRows {
    people: Vec<(Person, String)>,
    unusable: Vec<String>,
    diags: Vec<Diagnostic>,
}

fn read_people_rows(file: &str, bytes: &[u8], columns: &BTreeMap<String, String>) -> PeopleRows {
    let mut unusable = Vec::new();
    let fail = |diags: Vec<Diagnostic>| PeopleRows {
        people: Vec::new(),
        unusable: Vec::new(),
        diags,
    };
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut diags = Vec::new();
    let err = |line: u64, column: u32, code: Code, message: String| Diagnostic {
        code,
        file: file.to_owned(),
        line: u32::try_from(line).unwrap_or(u32::MAX),
        column,
        message,
        snippet: None,
    };
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let headers = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            return fail(vec![err(
                1,
                1,
                Code::BadCsv,
                format!("cannot read the header row: {e}"),
            )])
        }
    };
    let col = |ours: &str| -> Option<usize> {
        let want = columns.get(ours).map(String::as_str).unwrap_or(ours);
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(want))
    };
    let (Some(id_col), Some(status_col)) = (col("id"), col("status")) else {
        return fail(vec![err(
            1,
            1,
            Code::BadCsv,
            format!(
                "the header row must name the columns `id` and `status` (found: {})",
                headers.iter().collect::<Vec<_>>().join(", ")
            ),
        )]);
    };
    let cols: HashMap<&str, Option<usize>> = PEOPLE_COLUMNS.iter().map(|c| (*c, col(c))).collect();
    let mut out = Vec::new();
    for rec in rdr.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                diags.push(err(line, 1, Code::BadCsv, format!("unreadable row: {e}")));
                continue;
            }
        };
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        let get = |c: &str| -> Option<String> {
            cols.get(c)
                .copied()
                .flatten()
                .and_then(|i| rec.get(i))
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let column_of = |c: &str| {
            cols.get(c)
                .copied()
                .flatten()
                .map(|i| i as u32 + 1)
                .unwrap_or(1)
        };
        let Some(id) = rec
            .get(id_col)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
        else {
            diags.push(err(
                line,
                column_of("id"),
                Code::MissingField,
                "a row has no `id`".into(),
            ));
            continue;
        };
        let status_text = rec
            .get(status_col)
            .map(str::trim)
            .unwrap_or("")
            .to_lowercase();
        let Some(status) = PersonStatus::parse(&status_text) else {
            diags.push(err(line, column_of("status"), Code::UnknownValue, format!("person `{id}`: `status` must be one of active, mover, leaver, found `{status_text}`")));
            unusable.push(id);
            continue;
        };
        let mut date = |c: &str| -> Option<jiff::civil::Date> {
            let v = get(c)?;
            match v.parse::<jiff::civil::Date>() {
                Ok(d) if v.len() == 10 => Some(d),
                _ => {
                    diags.push(err(
                        line,
                        column_of(c),
                        Code::BadDate,
                        format!(
                            "person `{id}`: `{c}` must be a date written YYYY-MM-DD, found `{v}`"
                        ),
                    ));
                    None
                }
            }
        };
        let left_on = date("left_on");
        let moved_on = date("moved_on");
        let email = get("email");
        if let Some(e) = &email {
            if !super::reader::is_email(e) {
                diags.push(err(
                    line,
                    column_of("email"),
                    Code::BadEmail,
                    format!("person `{id}`: `email` must be an e-mail address, found `{e}`"),
                ));
            }
        }
        let liu = match get("left_under_investigation").map(|s| s.to_lowercase()) {
            None => None,
            Some(s) if s == "true" => Some(true),
            Some(s) if s == "false" => Some(false),
            Some(s) => {
                diags.push(err(line, column_of("left_under_investigation"), Code::WrongType, format!("person `{id}`: `left_under_investigation` must be true or false, found `{s}`")));
                None
            }
        };
        let p = Person {
            id,
            name: get("name"),
            email,
            role: None,
            team: None,
            status,
            moved_on,
            left_on,
            left_under_investigation: liu,
            profiles: Vec::new(),
            loc: Loc {
                line: u32::try_from(line).unwrap_or(u32::MAX),
                column: 1,
            },
        };
        out.push((p, file.to_owned()));
    }
    let mut seen = HashMap::new();
    for (p, _) in &out {
        if let Some(first) = seen.insert(p.id.clone(), p.loc.line) {
            diags.push(err(
                p.loc.line.into(),
                1,
                Code::DuplicateId,
                format!("duplicate person id `{}` (first at line {first})", p.id),
            ));
        }
    }
    PeopleRows {
        people: out,
        unusable,
        diags,
    }
}
