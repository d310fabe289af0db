//! The HTML report's view model: everything the templates show, computed from a `Report`.
//!
//! All arithmetic, sorting, truncation and wording happens here so templates stay declarative
//! and a 10,000-account report renders quickly. Field names are the template contract
//! (docs/report.md): fields may be added, none renamed or removed.
//!
//! Text that must not break across lines (dates, ids, handles, scores) is marked in the
//! templates with the `nw` class; text that may break only at chosen places (a file path, a
//! SHA-256) comes as a list of parts the templates join with `<wbr>`.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::super::digest::{self, FixItem};
use super::super::frameworks::{self, Standing};
use super::super::{score_text, RenderOptions};
use crate::model::inventory::Severity;
use crate::model::results::{AccountInfo, Change, CheckInfo, CheckResult, Report, Status};

#[derive(Serialize)]
pub struct Page {
    organisation: String,
    as_of: String,
    redacted: bool,
    /// `--print-detail`: the appendix is printed too.
    print_detail: bool,
    /// The report's sections in order: the contents list and the body both follow it, so a
    /// new section is one partial plus one entry here.
    sections: Vec<SectionLink>,
    summary: SummaryView,
    families: Vec<FamilyView>,
    heatmap: Heatmap,
    account_pages: Vec<AccountPage>,
    accounts_total: usize,
    accounts_listed: usize,
    findings: Vec<ControlGroup>,
    findings_open_by_default: bool,
    /// Controls with at least one pass or waiver and nothing to fix.
    clean_controls: Vec<CleanControl>,
    /// Controls that could not look (no vault, no candidates, offline), and why.
    not_assessed: Vec<NotAssessedView>,
    /// Controls that applied to no account (every result skipped as not applicable, or none).
    not_applicable: Vec<CleanControl>,
    frameworks: Vec<FrameworkView>,
    waivers: WaiversView,
    impersonation: ImpersonationView,
    method: MethodView,
    /// The control planes (SMMP, business portfolios...), each with what reaches it and what
    /// was found; the section leads the report when any has a finding.
    planes: Vec<PlaneView>,
}

#[derive(Serialize)]
struct PlaneView {
    id: String,
    name: String,
    kind: String,
    score: String,
    band: &'static str,
    /// The accounts it reaches, by handle.
    reaches: Vec<String>,
    reaches_words: String,
    findings: Vec<PlaneFinding>,
}

#[derive(Serialize)]
struct PlaneFinding {
    check_id: String,
    title: String,
    severity: &'static str,
    severity_label: &'static str,
    status_label: &'static str,
    message_parts: Vec<TextPart>,
}

#[derive(Serialize)]
struct SectionLink {
    id: &'static str,
    title: &'static str,
    /// The partial that renders the section (`templates/partials/NAME.hbs`).
    partial: &'static str,
}

/// The body's sections, in order. Page 1 in print is the summary: every later section starts
/// on a new page (the stylesheet's `.section-break`).
const SECTIONS: &[SectionLink] = &[
    SectionLink {
        id: "summary",
        title: "Summary",
        partial: "summary",
    },
    SectionLink {
        id: "scores",
        title: "Scores by area and account",
        partial: "scores",
    },
    SectionLink {
        id: "findings",
        title: "Findings and what to do",
        partial: "findings",
    },
    SectionLink {
        id: "frameworks",
        title: "Guidance coverage",
        partial: "frameworks",
    },
    SectionLink {
        id: "waivers",
        title: "Accepted risks (waivers)",
        partial: "waivers",
    },
    SectionLink {
        id: "impersonation",
        title: "Impersonation",
        partial: "impersonation",
    },
    SectionLink {
        id: "method",
        title: "How this audit was made",
        partial: "method",
    },
    SectionLink {
        id: "detail",
        title: "Appendix: every account and result",
        partial: "detail",
    },
];

#[derive(Serialize)]
struct SummaryView {
    score: String,
    has_score: bool,
    band: &'static str,
    band_words: String,
    gauge_filled: String,
    gauge_rest: String,
    trend: Option<TrendView>,
    /// The most urgent open problem, named next to the score.
    worst: Option<TopItem>,
    severities: Vec<SeverityCount>,
    problems: usize,
    accounts: usize,
    pass: usize,
    fail: usize,
    error: usize,
    skipped: usize,
    waived: usize,
    not_assessed: usize,
    not_applicable: usize,
    /// No result passed, failed, errored or was waived: nothing can be claimed either way.
    assessed_nothing: bool,
    top: Vec<TopItem>,
    /// Controls needing action beyond the top five.
    top_more: usize,
    regressions: Vec<RegressionView>,
    regressions_more: usize,
    expired_waivers: usize,
    suspects: usize,
    /// What was not assessed, grouped by reason, for the summary's call-out.
    unassessed: Vec<UnassessedGroup>,
    /// Whole sentences, so counts of one read right ("1 account", not "1 accounts").
    checked_sentence: String,
    expired_sentence: String,
    suspects_sentence: String,
    unassessed_sentence: String,
}

#[derive(Serialize)]
struct UnassessedGroup {
    reason: String,
    reason_parts: Vec<TextPart>,
    check_ids: Vec<String>,
}

#[derive(Serialize)]
struct TrendView {
    baseline: String,
    delta: String,
    direction: &'static str,
    sentence: String,
}

#[derive(Serialize)]
struct SeverityCount {
    name: &'static str,
    label: &'static str,
    count: usize,
}

#[derive(Serialize)]
struct TopItem {
    check_id: String,
    plain: String,
    title: String,
    severity: &'static str,
    severity_label: &'static str,
    accounts: usize,
    /// "3 accounts".
    accounts_words: String,
    /// "on 3 accounts", "on 2 accounts (1 failed, 1 not verified)", "organisation-wide".
    scope: String,
}

#[derive(Serialize)]
struct RegressionView {
    check_id: String,
    account_id: String,
    handle: String,
    was: &'static str,
    now: &'static str,
}

#[derive(Serialize)]
struct FamilyView {
    name: String,
    label: String,
    score: String,
    band: &'static str,
    bar: String,
    /// Why there is no score: "not assessed" (its controls could not look) or "nothing
    /// applied"; empty when scored.
    unscored: &'static str,
}

#[derive(Serialize)]
struct Heatmap {
    families: Vec<String>,
    rows: Vec<HeatRow>,
    shown: usize,
    total: usize,
    truncated: bool,
}

#[derive(Serialize)]
struct HeatRow {
    account_id: String,
    platform: String,
    handle: String,
    score: String,
    band: &'static str,
    cells: Vec<HeatCell>,
}

#[derive(Serialize)]
struct HeatCell {
    /// The area's name, for the cell's label when the table becomes a list on a phone.
    family: String,
    text: String,
    band: &'static str,
}

#[derive(Serialize)]
struct AccountPage {
    first: usize,
    last: usize,
    open: bool,
    rows: Vec<AccountRow>,
}

#[derive(Serialize)]
struct AccountRow {
    id: String,
    platform: String,
    handle: String,
    display_name: String,
    display_name_parts: Vec<TextPart>,
    owner: String,
    score: String,
    band: &'static str,
    problems: usize,
}

/// A piece of free text: code (it was between backticks, or is an option or environment
/// variable), a token that must not break (a date, an id, a decimal: `nowrap`), or plain text.
/// Templates show a list of them with the `rich` partial.
#[derive(Serialize, Debug, PartialEq)]
struct TextPart {
    text: String,
    code: bool,
    nowrap: bool,
}

#[derive(Serialize)]
struct ControlGroup {
    id: String,
    title: String,
    family: String,
    severity: &'static str,
    severity_label: &'static str,
    rationale: String,
    remediation: String,
    rationale_parts: Vec<TextPart>,
    remediation_parts: Vec<TextPart>,
    references: Vec<RefView>,
    requirements: Vec<String>,
    fail: usize,
    error: usize,
    waived: usize,
    pass: usize,
    /// "on 3 accounts (2 failed, 1 not verified)".
    scope: String,
    /// What to do on each platform concerned, in the platform's own words and menu names (the
    /// platform catalogue's steps, with their source).
    platform_steps: Vec<Vec<TextPart>>,
    /// The affected accounts by handle, for the body; `findings` has each result's message.
    affected: Vec<Affected>,
    affected_more: usize,
    findings: Vec<FindingView>,
    more: usize,
    open: bool,
}

#[derive(Serialize)]
struct Affected {
    handle: String,
    platform: String,
    unverified: bool,
}

#[derive(Serialize)]
struct RefView {
    source: String,
    section: String,
}

#[derive(Serialize)]
struct FindingView {
    account_id: String,
    platform: String,
    handle: String,
    status: &'static str,
    status_label: &'static str,
    message: String,
    message_parts: Vec<TextPart>,
    change: &'static str,
}

#[derive(Serialize)]
struct CleanControl {
    id: String,
    title: String,
    pass: usize,
    skipped: usize,
    waived: usize,
}

#[derive(Serialize)]
struct NotAssessedView {
    id: String,
    title: String,
    severity: &'static str,
    severity_label: &'static str,
    reason: String,
    reason_parts: Vec<TextPart>,
    accounts_words: String,
    /// Some of its results were assessed; these were not.
    partly: bool,
}

#[derive(Serialize)]
struct FrameworkView {
    id: String,
    name: String,
    source: String,
    requirements: Vec<RequirementView>,
    total: usize,
    automated: usize,
    manual: usize,
    met: usize,
    met_with_risk: usize,
    not_met: usize,
    not_assessed: usize,
    /// "22 requirements: 17 checked automatically, 5 manual. 9 met, ..."
    sentence: String,
}

#[derive(Serialize)]
struct RequirementView {
    id: String,
    section: String,
    text: String,
    controls: String,
    control_ids: Vec<String>,
    standing: Standing,
    standing_label: &'static str,
    detail: String,
    detail_parts: Vec<TextPart>,
}

#[derive(Serialize)]
struct WaiversView {
    rows: Vec<WaiverRow>,
    expired: usize,
    expiring: usize,
    total: usize,
}

#[derive(Serialize)]
struct WaiverRow {
    check: String,
    account: String,
    handle: String,
    approved_by: String,
    expires_on: String,
    state: String,
    state_label: &'static str,
    reason: String,
    reason_parts: Vec<TextPart>,
    ticket: String,
}

#[derive(Serialize)]
struct ImpersonationView {
    rows: Vec<SuspectRow>,
    total: usize,
    more: usize,
    /// How many look-alike handles the online probes looked up, and how many they left out.
    coverage: Option<String>,
    defensive: Vec<String>,
    /// A search was made (candidates or online), whatever it found.
    searched: bool,
    /// No search was made: why (as IMP-01 said it). Empty when a search was made or when the
    /// results do not say.
    not_searched: String,
    not_searched_parts: Vec<TextPart>,
}

#[derive(Serialize)]
struct SuspectRow {
    candidate: String,
    platform: String,
    display_name: String,
    display_name_parts: Vec<TextPart>,
    /// The official account it looks like: its handle, and the inventory id.
    account_id: String,
    looks_like: String,
    looks_like_platform: String,
    score: String,
    reasons: String,
    reasons_parts: Vec<TextPart>,
    state: String,
    state_date: String,
    flags: String,
    source: String,
}

#[derive(Serialize)]
struct MethodView {
    as_of: String,
    tool: String,
    inventory: String,
    /// The inventory path cut after each `/`, so a long path breaks between folders only.
    inventory_parts: Vec<String>,
    sha256: String,
    /// The SHA-256 in groups of eight, which the page may break between (never inside).
    sha256_groups: Vec<String>,
    sha256_short: String,
    checks_run: usize,
    checks: String,
    check_ids: Vec<String>,
    online: bool,
    baseline: String,
    sources: Vec<SourceRow>,
}

#[derive(Serialize)]
struct SourceRow {
    name: String,
    state: &'static str,
    detail: String,
    detail_parts: Vec<TextPart>,
}

// ---------------------------------------------------------------------------------------------

fn severity_label(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "Critical",
        Severity::High => "High",
        Severity::Medium => "Medium",
        Severity::Low => "Low",
    }
}

fn status_label(s: Status) -> &'static str {
    match s {
        Status::Pass => "passed",
        Status::Fail => "failed",
        Status::Error => "not verified",
        Status::Skipped => "did not apply",
        Status::Waived => "waived",
    }
}

const SEVERITIES: [Severity; 4] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
];

/// What to do, in words a head of communications understands without knowing the jargon.
fn plain_words(check_id: &str) -> Option<&'static str> {
    Some(match check_id {
        "AUTH-01" => {
            "Turn on two-step sign-in, so a stolen password alone cannot take over the account"
        }
        "AUTH-02" => {
            "Replace text-message or e-mail sign-in codes with an app, passkey or security key"
        }
        "AUTH-03" => "Turn on alerts that tell us when someone signs in",
        "AUTH-04" => {
            "Keep passwords only in the organisation's password vault, not in shared documents"
        }
        "AUTH-06" => "Change passwords that have not been changed for too long",
        "AUTH-07" => "Replace weak passwords with long, random ones",
        "AUTH-08" => "Stop using the same password on more than one account",
        "AUTH-09" => "Change passwords that have appeared in a known data breach",
        "MAIL-01" => "Sign in with an organisation e-mail address, not a personal one",
        "MAIL-02" => "Use an organisation e-mail address for account recovery",
        "MAIL-03" => "Make sure staff with access use their work e-mail address",
        "MAIL-04" => "Use an organisation phone number for account recovery",
        "APPS-01" => "Remove connected apps nobody has approved",
        "APPS-02" => "Disconnect apps that are no longer used",
        "APPS-03" => "Stop connected apps from changing account settings",
        "LEAV-01" => "Remove access for people who have left",
        "LEAV-02" => "Change shared passwords that people who have left still know",
        "LEAV-03" => "Review access for people who have moved role",
        "ACC-01" => "Give every account a named owner who still works here",
        "ACC-02" => "Add a second administrator so nobody gets locked out",
        "ACC-03" => "Reduce the number of administrators",
        "ACC-04" => "Stop sharing passwords; give each person their own access",
        "ACC-05" => "Turn on logging of who accessed the account",
        "ACC-06" => "Review who has access to each account",
        "ACC-07" => "Sign accounts out of devices the organisation does not manage",
        "ACC-08" => "Sign out old sessions on devices nobody uses",
        "BRAND-01" => "Get official verification (the platform's badge) for the account",
        "BRAND-02" => "List the account on the website's page of official accounts",
        "BRAND-03" => "Rename the account to follow the naming convention",
        "BRAND-04" => "Use or close dormant accounts",
        "GOV-01" => "Ask each account owner to confirm the settings are right",
        "IMP-01" => "Report accounts impersonating ours to the platform",
        _ => return None,
    })
}

/// A guidance document by its title and publisher (controls.md, References), never by the
/// name of the file it was read from.
fn source_title(source: &str) -> String {
    let known = [
        (
            "002_",
            "Social media, College of Policing APP (23 February 2026)",
        ),
        (
            "003_",
            "Online safety for political communication staff, Safer Politics toolkit",
        ),
        (
            "004_",
            "Social Media: Hints, Tips and Other Useful Information, Staffordshire Police (expired procedure)",
        ),
        ("000_", "A Police and Crime Commissioner's house rules"),
        ("001_", "A police-led campaign's house rules"),
    ];
    known
        .iter()
        .find(|(p, _)| source.starts_with(p))
        .map(|(_, t)| t.to_string())
        .unwrap_or_else(|| source.to_string())
}

fn change_str(c: Option<Change>) -> &'static str {
    match c {
        Some(Change::New) => "new",
        Some(Change::Fixed) => "fixed",
        Some(Change::Regressed) => "regressed",
        Some(Change::Unchanged) => "",
        Some(Change::Removed) => "removed",
        None => "",
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

/// 12345 → "12,345": counts are read by people.
pub(crate) fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Splits free text into [`TextPart`]s: what is between a pair of backticks is code (an
/// unpaired backtick stays text); options (`--vault`) and environment variables
/// (`HIBP_API_KEY`) are code too; a short token holding a digit and a `-`, `.`, `/` or `:`
/// (a date, an id like `AUTH-07`, a score) is kept on one line. URLs may break.
fn rich(s: &str) -> Vec<TextPart> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(start) = rest.find('`') {
        let Some(len) = rest[start + 1..].find('`') else {
            break;
        };
        plain_parts(&rest[..start], &mut out);
        let code = &rest[start + 1..start + 1 + len];
        if !code.is_empty() {
            out.push(part(code, true, false));
        }
        rest = &rest[start + 1 + len + 1..];
    }
    plain_parts(rest, &mut out);
    out
}

fn part(text: &str, code: bool, nowrap: bool) -> TextPart {
    TextPart {
        text: text.to_string(),
        code,
        nowrap,
    }
}

/// The longest token kept on one line: a longer one may break rather than overflow a phone.
const MAX_NOWRAP: usize = 30;

fn plain_parts(s: &str, out: &mut Vec<TextPart>) {
    static TOKEN: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"(?P<code>--[a-z][a-z0-9-]*|\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b)|(?P<word>[^\s(-]\S*)",
        )
        .ok()
    });
    let Some(token) = TOKEN.as_ref() else {
        out.push(part(s, false, false));
        return;
    };
    let mut at = 0;
    let flush = |upto: usize, at: &mut usize, out: &mut Vec<TextPart>| {
        if upto > *at {
            match out.last_mut() {
                Some(last) if !last.code && !last.nowrap => last.text.push_str(&s[*at..upto]),
                _ => out.push(part(&s[*at..upto], false, false)),
            }
        }
        *at = upto;
    };
    for c in token.captures_iter(s) {
        let (m, code) = match (c.name("code"), c.name("word")) {
            (Some(m), _) => (m, true),
            (None, Some(m)) => (m, false),
            _ => continue,
        };
        let w = m.as_str();
        let nowrap = !code
            && w.len() <= MAX_NOWRAP
            && !w.contains("://")
            && w.chars().any(|c| c.is_ascii_digit())
            && w.chars().any(|c| matches!(c, '-' | '.' | '/' | ':'));
        if code || nowrap {
            flush(m.start(), &mut at, out);
            out.push(part(w, code, nowrap));
            at = m.end();
        }
    }
    flush(s.len(), &mut at, out);
}

/// "examples/westmere.yaml" → ["examples/", "westmere.yaml"].
fn path_parts(p: &str) -> Vec<String> {
    p.split_inclusive(['/', '\\']).map(str::to_string).collect()
}

fn family_label(f: &str) -> String {
    let mut s = f.replace('-', " ");
    if let Some(c) = s.get(0..1) {
        let up = c.to_uppercase();
        s.replace_range(0..1, &up);
    }
    s
}

fn top_item(f: &FixItem<'_>) -> TopItem {
    TopItem {
        check_id: f.check_id.to_string(),
        plain: plain_words(f.check_id)
            .map(str::to_string)
            .unwrap_or_else(|| f.title.to_string()),
        title: f.title.to_string(),
        severity: f.severity.as_str(),
        severity_label: severity_label(f.severity),
        accounts: f.accounts,
        accounts_words: plural(f.accounts, "account", "accounts"),
        scope: f.scope_words(),
    }
}

pub fn build_page(
    report: &Report,
    opts: &RenderOptions,
    catalogue: &frameworks::Catalogue,
) -> Page {
    let checks: HashMap<&str, &CheckInfo> =
        report.checks.iter().map(|c| (c.id.as_str(), c)).collect();
    let accounts: HashMap<&str, &AccountInfo> =
        report.accounts.iter().map(|a| (a.id.as_str(), a)).collect();
    // Results about a control plane carry its id as `account_id`: name it, and say what it is.
    let plane_names: HashMap<&str, String> = report
        .control_planes
        .iter()
        .map(|p| {
            (
                p.id.as_str(),
                p.name.clone().unwrap_or_else(|| p.id.clone()),
            )
        })
        .collect();
    let subject = |id: &str| -> (String, String) {
        match (accounts.get(id), plane_names.get(id)) {
            (Some(a), _) => (a.handle.clone(), a.platform.clone()),
            (None, Some(name)) => (name.clone(), "control plane".to_string()),
            (None, None) => (id.to_string(), String::new()),
        }
    };
    let handle_of = |id: &str| -> String {
        accounts
            .get(id)
            .map(|a| a.handle.clone())
            .unwrap_or_else(|| id.to_string())
    };

    // One pass over the results: per-check tallies, per-check problems, per-account problems.
    let mut tally: HashMap<&str, [usize; 5]> = HashMap::new();
    let mut problems: HashMap<&str, Vec<&CheckResult>> = HashMap::new();
    let mut problem_accounts: HashMap<&str, usize> = HashMap::new();
    for r in &report.results {
        tally.entry(r.check_id.as_str()).or_default()[r.status as usize] += 1;
        if r.status.is_problem() {
            problems.entry(r.check_id.as_str()).or_default().push(r);
            *problem_accounts.entry(r.account_id.as_str()).or_default() += 1;
        }
    }
    let fix_first = digest::fix_first(report);
    let unassessed = digest::not_assessed(report);
    let planes = plane_views(report, &checks);

    let unassessed_families: std::collections::HashSet<&str> = unassessed
        .iter()
        .filter_map(|n| checks.get(n.check_id).map(|c| c.family.as_str()))
        .collect();
    let families = report
        .scores
        .families
        .iter()
        .map(|(name, score)| FamilyView {
            name: name.clone(),
            label: family_label(name),
            score: score_text(*score),
            band: digest::band(*score).band,
            bar: format!("{:.1}", score.unwrap_or(0.0).clamp(0.0, 100.0) * 2.0),
            unscored: match score {
                Some(_) => "",
                None if unassessed_families.contains(name.as_str()) => "not assessed",
                None => "nothing applied",
            },
        })
        .collect();

    // Heat map: the lowest scores first, since those are the accounts to act on.
    let family_names: Vec<String> = report.scores.families.keys().cloned().collect();
    let family_labels: Vec<String> = family_names.iter().map(|f| family_label(f)).collect();
    let mut order: Vec<&AccountInfo> = report.accounts.iter().collect();
    order.sort_by(|a, b| {
        let key = |x: &AccountInfo| x.score.unwrap_or(f64::INFINITY);
        key(a).total_cmp(&key(b)).then_with(|| a.id.cmp(&b.id))
    });
    let empty = BTreeMap::new();
    let rows: Vec<HeatRow> = order
        .iter()
        .take(opts.heatmap_rows)
        .map(|a| {
            let per = report.scores.accounts.get(&a.id).unwrap_or(&empty);
            HeatRow {
                account_id: a.id.clone(),
                platform: a.platform.clone(),
                handle: a.handle.clone(),
                score: score_text(a.score),
                band: digest::band(a.score).band,
                cells: family_names
                    .iter()
                    .zip(&family_labels)
                    .map(|(f, label)| {
                        let s = per.get(f).copied().flatten();
                        HeatCell {
                            family: label.clone(),
                            text: score_text(s),
                            band: digest::band(s).band,
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    let heatmap = Heatmap {
        families: family_labels.clone(),
        shown: rows.len(),
        total: report.accounts.len(),
        truncated: rows.len() < report.accounts.len(),
        rows,
    };

    let page_size = opts.accounts_page_size.max(1);
    let listed: Vec<&AccountInfo> = if report.accounts.len() > opts.accounts_listed {
        order.iter().take(opts.accounts_listed).copied().collect()
    } else {
        report.accounts.iter().collect()
    };
    let pages = listed.len().div_ceil(page_size);
    let account_pages = listed
        .chunks(page_size)
        .enumerate()
        .map(|(i, chunk)| AccountPage {
            first: i * page_size + 1,
            last: i * page_size + chunk.len(),
            open: pages == 1,
            rows: chunk
                .iter()
                .map(|a| AccountRow {
                    id: a.id.clone(),
                    platform: a.platform.clone(),
                    handle: a.handle.clone(),
                    display_name: a.display_name.clone().unwrap_or_default(),
                    display_name_parts: rich(a.display_name.as_deref().unwrap_or_default()),
                    owner: a.owner.clone().unwrap_or_default(),
                    score: score_text(a.score),
                    band: digest::band(a.score).band,
                    problems: problem_accounts.get(a.id.as_str()).copied().unwrap_or(0),
                })
                .collect(),
        })
        .collect();
    let listed_count = listed.len();

    // Findings, grouped by control, in the order of "fix first": the body reads top down.
    let total_problems: usize = problems.values().map(Vec::len).sum();
    let findings_open_by_default = total_problems <= 200;
    let findings: Vec<ControlGroup> = fix_first
        .iter()
        .map(|f| {
            let c = checks.get(f.check_id).copied();
            let t = tally.get(f.check_id).copied().unwrap_or_default();
            let list = problems.get(f.check_id).map(Vec::as_slice).unwrap_or(&[]);
            let shown: Vec<FindingView> = list
                .iter()
                .take(opts.findings_per_control)
                .map(|r| {
                    let (handle, platform) = subject(&r.account_id);
                    FindingView {
                        account_id: r.account_id.clone(),
                        platform,
                        handle,
                        status: r.status.as_str(),
                        status_label: status_label(r.status),
                        message: r.message.clone(),
                        message_parts: rich(&r.message),
                        change: change_str(r.change),
                    }
                })
                .collect();
            let affected: Vec<Affected> = list
                .iter()
                .take(opts.findings_per_control)
                .map(|r| {
                    let (handle, platform) = subject(&r.account_id);
                    Affected {
                        handle,
                        platform,
                        unverified: r.status == Status::Error,
                    }
                })
                .collect();
            let mut platform_steps: Vec<&str> = list
                .iter()
                .filter_map(|r| r.remediation.as_deref())
                .collect();
            platform_steps.sort_unstable();
            platform_steps.dedup();
            let rationale = c.map(|c| c.rationale.clone()).unwrap_or_default();
            let remediation = c.map(|c| c.remediation.clone()).unwrap_or_default();
            ControlGroup {
                id: f.check_id.to_string(),
                title: f.title.to_string(),
                family: c.map(|c| family_label(&c.family)).unwrap_or_default(),
                severity: f.severity.as_str(),
                severity_label: severity_label(f.severity),
                rationale_parts: rich(&rationale),
                remediation_parts: rich(&remediation),
                rationale,
                remediation,
                references: c
                    .map(|c| {
                        c.references
                            .iter()
                            .map(|r| RefView {
                                source: source_title(&r.source),
                                section: r.section.clone(),
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                requirements: c.map(|c| c.requirements.clone()).unwrap_or_default(),
                fail: t[1],
                error: t[2],
                waived: t[4],
                pass: t[0],
                scope: f.scope_words(),
                platform_steps: platform_steps.into_iter().map(rich).collect(),
                affected_more: list.len().saturating_sub(affected.len()),
                affected,
                more: list.len().saturating_sub(shown.len()),
                open: findings_open_by_default || matches!(f.severity, Severity::Critical),
                findings: shown,
            }
        })
        .collect();

    // Controls without problems: passed somewhere, or never assessed, or never applicable.
    let wholly_unassessed: std::collections::HashSet<&str> = unassessed
        .iter()
        .filter(|n| n.wholly)
        .map(|n| n.check_id)
        .collect();
    let mut ordered: Vec<&CheckInfo> = report.checks.iter().collect();
    ordered.sort_by(|a, b| a.severity.cmp(&b.severity).then_with(|| a.id.cmp(&b.id)));
    let mut clean_controls = Vec::new();
    let mut not_applicable = Vec::new();
    for c in ordered {
        if problems.contains_key(c.id.as_str()) || wholly_unassessed.contains(c.id.as_str()) {
            continue;
        }
        let t = tally.get(c.id.as_str()).copied().unwrap_or_default();
        let row = CleanControl {
            id: c.id.clone(),
            title: c.title.clone(),
            pass: t[0],
            skipped: t[3],
            waived: t[4],
        };
        if t[0] + t[4] > 0 {
            clean_controls.push(row);
        } else {
            not_applicable.push(row);
        }
    }
    let not_assessed: Vec<NotAssessedView> = unassessed
        .iter()
        .map(|n| NotAssessedView {
            id: n.check_id.to_string(),
            title: n.title.to_string(),
            severity: n.severity.as_str(),
            severity_label: severity_label(n.severity),
            reason: n.reason.to_string(),
            reason_parts: rich(n.reason),
            accounts_words: n.scope_words(),
            partly: !n.wholly,
        })
        .collect();

    let frameworks = catalogue
        .frameworks
        .iter()
        .map(|f| framework_view(f, report))
        .collect();

    let mut waiver_rows: Vec<WaiverRow> = report
        .waivers
        .iter()
        .map(|w| WaiverRow {
            check: w.check.clone(),
            account: w.account.clone(),
            handle: accounts
                .get(w.account.as_str())
                .map(|a| a.handle.clone())
                .unwrap_or_default(),
            approved_by: w.approved_by.clone(),
            expires_on: w.expires_on.clone(),
            state: w.state.clone(),
            state_label: match w.state.as_str() {
                "expired" => "Expired",
                "expiring" => "Expires soon",
                "unmatched" => "Matches nothing",
                "active" => "Active",
                _ => "Unknown",
            },
            reason: w.reason.clone(),
            reason_parts: rich(&w.reason),
            ticket: w.ticket.clone().unwrap_or_default(),
        })
        .collect();
    let urgency = |s: &str| match s {
        "expired" => 0,
        "expiring" => 1,
        "unmatched" => 2,
        _ => 3,
    };
    waiver_rows.sort_by(|a, b| {
        (urgency(&a.state), &a.expires_on).cmp(&(urgency(&b.state), &b.expires_on))
    });
    let waivers = WaiversView {
        expired: waiver_rows.iter().filter(|w| w.state == "expired").count(),
        expiring: waiver_rows.iter().filter(|w| w.state == "expiring").count(),
        total: waiver_rows.len(),
        rows: waiver_rows,
    };

    let impersonation = impersonation_view(report, opts, &accounts);
    let method = method_view(report);
    let summary = build_summary(
        report,
        &fix_first,
        &unassessed,
        &problems,
        &handle_of,
        &waivers,
    );

    Page {
        organisation: report.organisation.clone(),
        as_of: report.as_of.clone(),
        redacted: opts.redacted,
        print_detail: opts.print_detail,
        sections: sections(&planes),
        summary,
        families,
        heatmap,
        account_pages,
        accounts_total: report.accounts.len(),
        accounts_listed: listed_count,
        findings,
        findings_open_by_default,
        clean_controls,
        not_assessed,
        not_applicable,
        frameworks,
        waivers,
        impersonation,
        method,
        planes,
    }
}

/// The control planes section: after the summary when a plane has a finding (each reaches
/// many accounts), before the appendix when none has, and absent without planes.
fn sections(planes: &[PlaneView]) -> Vec<SectionLink> {
    let link = |s: &SectionLink| SectionLink {
        id: s.id,
        title: s.title,
        partial: s.partial,
    };
    let plane_link = SectionLink {
        id: "planes",
        title: "Control planes",
        partial: "planes",
    };
    let leads = planes.iter().any(|p| !p.findings.is_empty());
    let mut out = Vec::with_capacity(SECTIONS.len() + 1);
    for s in SECTIONS {
        if s.id == "detail" && !planes.is_empty() && !leads {
            out.push(link(&plane_link));
        }
        out.push(link(s));
        if s.id == "summary" && leads {
            out.push(link(&plane_link));
        }
    }
    out
}

/// Each control plane with the accounts it reaches and its open findings, worst first.
fn plane_views(report: &Report, checks: &HashMap<&str, &CheckInfo>) -> Vec<PlaneView> {
    let handles: HashMap<&str, &str> = report
        .accounts
        .iter()
        .map(|a| (a.id.as_str(), a.handle.as_str()))
        .collect();
    report
        .control_planes
        .iter()
        .map(|p| {
            let mut findings: Vec<(Severity, PlaneFinding)> = report
                .results
                .iter()
                .filter(|r| r.account_id == p.id && r.status.is_problem())
                .map(|r| {
                    let title = checks
                        .get(r.check_id.as_str())
                        .map(|c| c.title.clone())
                        .unwrap_or_default();
                    (
                        r.severity,
                        PlaneFinding {
                            check_id: r.check_id.clone(),
                            title,
                            severity: r.severity.as_str(),
                            severity_label: severity_label(r.severity),
                            status_label: status_label(r.status),
                            message_parts: rich(&r.message),
                        },
                    )
                })
                .collect();
            findings.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.check_id.cmp(&b.1.check_id)));
            let reaches: Vec<String> = p
                .accounts
                .iter()
                .map(|a| handles.get(a.as_str()).map_or(a.clone(), |h| h.to_string()))
                .collect();
            PlaneView {
                id: p.id.clone(),
                name: p.name.clone().unwrap_or_else(|| p.id.clone()),
                kind: p
                    .kind
                    .as_deref()
                    .map(|k| match k {
                        "smmp" => "social media management platform",
                        "business_portfolio" => "business portfolio",
                        "brand_account" => "brand account",
                        "password_manager" => "password manager",
                        _ => "other tool",
                    })
                    .unwrap_or("tool")
                    .to_string(),
                score: score_text(p.score),
                band: digest::band(p.score).band,
                reaches_words: plural(reaches.len(), "account", "accounts"),
                reaches,
                findings: findings.into_iter().map(|(_, f)| f).collect(),
            }
        })
        .collect()
}

fn framework_view(f: &frameworks::Framework, report: &Report) -> FrameworkView {
    let cov = frameworks::coverage(f, report);
    let count = |s: Standing| cov.iter().filter(|c| c.standing == s).count();
    let total = cov.len();
    let automated = cov.iter().filter(|c| !c.controls.is_empty()).count();
    let (met, met_with_risk, not_met) = (
        count(Standing::Met),
        count(Standing::MetWithAcceptedRisk),
        count(Standing::NotMet),
    );
    let not_assessed = count(Standing::NotAssessed) + count(Standing::PartlyAssessed);
    let mut standing = vec![format!("{} met", thousands(met))];
    if met_with_risk > 0 {
        standing.push(format!(
            "{} met with accepted risk",
            thousands(met_with_risk)
        ));
    }
    standing.push(format!("{} not met", thousands(not_met)));
    let unverified = count(Standing::Unverified);
    if unverified > 0 {
        standing.push(format!("{} not verified", thousands(unverified)));
    }
    if not_assessed > 0 {
        standing.push(format!(
            "{} not or only partly assessed",
            thousands(not_assessed)
        ));
    }
    let sentence = format!(
        "{}: {} checked automatically, {} manual. {}.",
        plural(total, "requirement", "requirements"),
        thousands(automated),
        thousands(total - automated),
        join_words(&standing)
    );
    FrameworkView {
        id: f.id.clone(),
        name: f.name.clone(),
        source: source_title(&f.source),
        total,
        automated,
        manual: total - automated,
        met,
        met_with_risk,
        not_met,
        not_assessed,
        sentence,
        requirements: cov
            .into_iter()
            .map(|c| {
                let detail = match c.standing {
                    Standing::Manual => "Checked by people, not by this tool: rests on the account owners' attestations (GOV-01).".to_string(),
                    Standing::NotAssessed if c.not_assessed > 0 => format!(
                        "{}.",
                        unassessed_words(&c.not_assessed_controls)
                    ),
                    Standing::NotAssessed => "No account was in scope of these controls in this audit.".to_string(),
                    _ => {
                        let mut parts = vec![plural(c.passing, "result passed", "results passed")];
                        if c.failing > 0 {
                            parts.push(plural(c.failing, "failed", "failed"));
                        }
                        if c.erroring > 0 {
                            parts.push(plural(c.erroring, "could not be verified", "could not be verified"));
                        }
                        if c.waived > 0 {
                            parts.push(plural(c.waived, "waived (accepted risk)", "waived (accepted risk)"));
                        }
                        let mut s = join_words(&parts);
                        if !c.not_assessed_controls.is_empty() {
                            s.push_str(&format!("; not assessed: {}", unassessed_words(&c.not_assessed_controls)));
                        }
                        s.push('.');
                        s
                    }
                };
                RequirementView {
                    id: c.id,
                    section: c.section,
                    text: c.text,
                    controls: if c.controls.is_empty() {
                        "manual".to_string()
                    } else {
                        c.controls.join(", ")
                    },
                    control_ids: c.controls,
                    standing: c.standing,
                    standing_label: c.standing.label(),
                    detail_parts: rich(&detail),
                    detail,
                }
            })
            .collect(),
    }
}

/// "AUTH-07, AUTH-08: no vault given (--vault)".
fn unassessed_words(list: &[(String, String)]) -> String {
    let mut by_reason: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (id, why) in list {
        by_reason.entry(why.as_str()).or_default().push(id.as_str());
    }
    by_reason
        .iter()
        .map(|(why, ids)| format!("{}: {why}", ids.join(", ")))
        .collect::<Vec<_>>()
        .join("; ")
}

/// "a, b and c".
fn join_words(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn impersonation_view(
    report: &Report,
    opts: &RenderOptions,
    accounts: &HashMap<&str, &AccountInfo>,
) -> ImpersonationView {
    let mut suspects: Vec<_> = report.impersonation.iter().collect();
    suspects.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.candidate.cmp(&b.candidate))
    });
    let limit = opts.findings_per_control.max(1) * 8;
    let search = digest::impersonation_search(report);
    ImpersonationView {
        coverage: crate::render::text::lookalike_coverage(report),
        total: suspects.len(),
        more: suspects.len().saturating_sub(limit),
        searched: search == digest::Search::Made,
        not_searched: match search {
            digest::Search::NotMade(why) => why.to_string(),
            _ => String::new(),
        },
        not_searched_parts: match search {
            digest::Search::NotMade(why) => rich(why),
            _ => Vec::new(),
        },
        rows: suspects
            .iter()
            .take(limit)
            .map(|s| {
                let mut flags = Vec::new();
                if s.new {
                    flags.push("new since last audit");
                }
                if s.reappeared {
                    flags.push("reappeared after take-down");
                }
                let official = accounts.get(s.account_id.as_str());
                SuspectRow {
                    candidate: s.candidate.clone(),
                    platform: s.platform.clone(),
                    display_name: s.display_name.clone().unwrap_or_default(),
                    display_name_parts: rich(s.display_name.as_deref().unwrap_or_default()),
                    account_id: s.account_id.clone(),
                    looks_like: official
                        .map(|a| a.handle.clone())
                        .unwrap_or_else(|| s.account_id.clone()),
                    looks_like_platform: official
                        .map(|a| a.platform.clone())
                        .unwrap_or_else(|| s.platform.clone()),
                    score: format!("{:.0}%", (s.score * 100.0).clamp(0.0, 100.0)),
                    reasons: s.reasons.join("; "),
                    reasons_parts: rich(&s.reasons.join("; ")),
                    state: s
                        .state
                        .as_deref()
                        .map(|st| st.replace('_', " "))
                        .unwrap_or_else(|| "suspect".into()),
                    state_date: s.state_date.clone().unwrap_or_default(),
                    flags: flags.join(", "),
                    source: s.source.clone(),
                }
            })
            .collect(),
        defensive: report.defensive_registrations.clone(),
    }
}

fn method_view(report: &Report) -> MethodView {
    let sha = &report.meta.inventory_sha256;
    let chars: Vec<char> = sha.chars().collect();
    MethodView {
        as_of: report.as_of.clone(),
        tool: format!("{} {}", report.tool.name, report.tool.version),
        inventory: report.meta.inventory.clone(),
        inventory_parts: path_parts(&report.meta.inventory),
        sha256: sha.clone(),
        sha256_groups: chars
            .chunks(8)
            .map(|c| c.iter().collect::<String>())
            .collect(),
        sha256_short: chars.iter().take(12).collect(),
        checks_run: report.meta.checks_run,
        checks: report
            .checks
            .iter()
            .map(|c| c.id.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        check_ids: report.checks.iter().map(|c| c.id.clone()).collect(),
        online: report.meta.online,
        baseline: report.meta.baseline.clone().unwrap_or_default(),
        sources: report
            .sources
            .iter()
            .map(|s| SourceRow {
                name: s.name.clone(),
                state: if s.ok { "read" } else { "failed" },
                detail: s.detail.clone(),
                detail_parts: rich(&s.detail),
            })
            .collect(),
    }
}

fn build_summary(
    report: &Report,
    fix_first: &[FixItem<'_>],
    unassessed: &[digest::NotAssessed<'_>],
    problems: &HashMap<&str, Vec<&CheckResult>>,
    handle_of: &dyn Fn(&str) -> String,
    waivers: &WaiversView,
) -> SummaryView {
    let s = &report.summary;
    let worst = fix_first.first();
    let standing = digest::standing(s.score, worst.map(|w| w.severity));
    // The gauge is a ring of circumference 2π·52 ≈ 326.73; the filled arc is the score.
    const CIRC: f64 = 326.73;
    let filled = s.score.unwrap_or(0.0).clamp(0.0, 100.0) / 100.0 * CIRC;
    let trend = match (s.score, s.baseline_score) {
        (Some(now), Some(then)) => {
            let d = ((now - then) * 10.0).round() / 10.0;
            let (direction, sentence) = if d > 0.0 {
                (
                    "up",
                    format!("Better than the last audit: up {d:.1} points from {then:.1}."),
                )
            } else if d < 0.0 {
                (
                    "down",
                    format!(
                        "Worse than the last audit: down {:.1} points from {then:.1}.",
                        -d
                    ),
                )
            } else {
                ("same", format!("The same as the last audit ({then:.1})."))
            };
            Some(TrendView {
                baseline: format!("{then:.1}"),
                delta: format!("{d:+.1}"),
                direction,
                sentence,
            })
        }
        _ => None,
    };

    const TOP: usize = digest::TOP;
    let top: Vec<TopItem> = fix_first.iter().take(TOP).map(top_item).collect();

    let severities = SEVERITIES
        .iter()
        .map(|sev| SeverityCount {
            name: sev.as_str(),
            label: severity_label(*sev),
            count: s.by_severity.get(sev.as_str()).copied().unwrap_or_else(|| {
                problems
                    .values()
                    .flatten()
                    .filter(|r| r.severity == *sev)
                    .count()
            }),
        })
        .collect();

    let not_assessed: usize = unassessed.iter().map(|n| n.accounts).sum();
    let not_applicable = s.skipped.saturating_sub(not_assessed);
    // Grouped by reason, in the order of their most severe control.
    let mut groups: Vec<(&str, Vec<String>)> = Vec::new();
    for n in unassessed {
        let at = match groups.iter().position(|(r, _)| *r == n.reason) {
            Some(i) => i,
            None => {
                groups.push((n.reason, Vec::new()));
                groups.len() - 1
            }
        };
        let ids = &mut groups[at].1;
        if !ids.iter().any(|i| i == n.check_id) {
            ids.push(n.check_id.to_string());
        }
    }
    let unassessed_controls = {
        let mut ids: Vec<&str> = unassessed.iter().map(|n| n.check_id).collect();
        ids.dedup();
        ids.len()
    };

    const MAX_REGRESSIONS: usize = 10;
    SummaryView {
        score: score_text(s.score),
        has_score: s.score.is_some(),
        band: standing.band,
        band_words: standing.words.to_string(),
        gauge_filled: format!("{filled:.2}"),
        gauge_rest: format!("{:.2}", CIRC - filled),
        trend,
        worst: worst.map(top_item),
        severities,
        problems: s.fail + s.error,
        accounts: s.accounts,
        pass: s.pass,
        fail: s.fail,
        error: s.error,
        skipped: s.skipped,
        waived: s.waived,
        not_assessed,
        not_applicable,
        assessed_nothing: s.pass + s.fail + s.error + s.waived == 0,
        top_more: fix_first.len().saturating_sub(TOP),
        top,
        regressions: report
            .regressions
            .iter()
            .take(MAX_REGRESSIONS)
            .map(|r| RegressionView {
                check_id: r.check_id.clone(),
                account_id: r.account_id.clone(),
                handle: handle_of(&r.account_id),
                was: r.was.as_str(),
                now: r.now.as_str(),
            })
            .collect(),
        regressions_more: report.regressions.len().saturating_sub(MAX_REGRESSIONS),
        expired_waivers: waivers.expired,
        suspects: report.impersonation.len(),
        unassessed: groups
            .into_iter()
            .map(|(reason, check_ids)| UnassessedGroup {
                reason: reason.to_string(),
                reason_parts: rich(reason),
                check_ids,
            })
            .collect(),
        checked_sentence: format!(
            "We checked {}. {} need action ({} failed, {} could not be verified); {} passed, {} accepted as a risk, {} not assessed and {} did not apply.",
            plural(s.accounts, "account", "accounts"),
            plural(s.fail + s.error, "check", "checks"),
            thousands(s.fail),
            thousands(s.error),
            thousands(s.pass),
            thousands(s.waived),
            thousands(not_assessed),
            thousands(not_applicable)
        ),
        expired_sentence: match waivers.expired {
            1 => "1 accepted risk (waiver) has expired".to_string(),
            n => format!("{} accepted risks (waivers) have expired", thousands(n)),
        },
        suspects_sentence: match report.impersonation.len() {
            1 => "1 possible impersonating account was found".to_string(),
            n => format!(
                "{} possible impersonating accounts were found",
                thousands(n)
            ),
        },
        unassessed_sentence: match unassessed_controls {
            0 => String::new(),
            1 => "1 control was not assessed, so it counts neither as passed nor as failed"
                .to_string(),
            n => format!(
                "{} controls were not assessed, so they count neither as passed nor as failed",
                thousands(n)
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(parts: &[TextPart]) -> Vec<(&str, &str)> {
        parts
            .iter()
            .map(|p| {
                let kind = match (p.code, p.nowrap) {
                    (true, _) => "code",
                    (_, true) => "nowrap",
                    _ => "text",
                };
                (p.text.as_str(), kind)
            })
            .collect()
    }

    #[test]
    fn backticks_become_code_parts() {
        assert_eq!(
            shown(&rich("Record it in `security.two_factor` and `policy`.")),
            [
                ("Record it in ", "text"),
                ("security.two_factor", "code"),
                (" and ", "text"),
                ("policy", "code"),
                (".", "text")
            ]
        );
        assert_eq!(
            shown(&rich("an odd ` backtick")),
            [("an odd ` backtick", "text")]
        );
        assert!(rich("").is_empty());
    }

    #[test]
    fn dates_ids_and_options_never_break() {
        assert_eq!(
            shown(&rich(
                "last used on 2025-11-02, see AUTH-07 and --vault or HIBP_API_KEY"
            )),
            [
                ("last used on ", "text"),
                ("2025-11-02,", "nowrap"),
                (" see ", "text"),
                ("AUTH-07", "nowrap"),
                (" and ", "text"),
                ("--vault", "code"),
                (" or ", "text"),
                ("HIBP_API_KEY", "code"),
            ]
        );
        // URLs and very long tokens may still break rather than push a phone's page wide.
        assert_eq!(
            shown(&rich("see https://x.com/1 now")),
            [("see https://x.com/1 now", "text")]
        );
        let long = format!("{}-1", "a".repeat(40));
        assert_eq!(shown(&rich(&long)), [(long.as_str(), "text")]);
    }

    #[test]
    fn thousands_groups() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(1234567), "1,234,567");
    }

    #[test]
    fn paths_break_between_folders() {
        assert_eq!(
            path_parts("examples/westmere.yaml"),
            ["examples/", "westmere.yaml"]
        );
        assert_eq!(path_parts("inventory.yaml"), ["inventory.yaml"]);
    }
}
