//! The HTML compliance report: a view model built from `Report`, rendered with handlebars from
//! the templates in `templates/` (embedded; a `--templates DIR` file of the same name replaces
//! the built-in one).
//!
//! All arithmetic, sorting and truncation happens here so templates stay declarative and a
//! 10,000-account report renders quickly: the view holds at most `findings_per_control` findings
//! per control and `heatmap_rows` heat map rows. Every string reaches the page through
//! handlebars' `{{ }}`, whose escape function is [`escape`]; templates never use `{{{ }}}`.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use handlebars::Handlebars;
use include_dir::{include_dir, Dir};
use serde::Serialize;

use super::frameworks::{self, Standing};
use super::{reveal_controls, score_text, RenderOptions};
use crate::model::inventory::Severity;
use crate::model::results::{Change, CheckInfo, CheckResult, Report, Status};
use crate::{Error, Result};

/// The built-in templates: `layout.hbs`, `partials/*.hbs` and `frameworks.yaml`.
pub static TEMPLATES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// Escapes for HTML text and attribute values, and makes disguising characters visible.
pub fn escape(s: &str) -> String {
    let s = reveal_controls(s);
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            '`' => out.push_str("&#x60;"),
            '=' => out.push_str("&#x3D;"),
            c => out.push(c),
        }
    }
    out
}

/// A handlebars registry loaded with the templates; build once, render many reports.
pub struct HtmlRenderer {
    hb: Handlebars<'static>,
    catalogue: frameworks::Catalogue,
}

impl HtmlRenderer {
    /// Loads the built-in templates, replacing each by the file of the same relative path in
    /// `overrides` when there is one.
    pub fn new(overrides: Option<&Path>) -> Result<Self> {
        let mut hb = Handlebars::new();
        hb.set_strict_mode(true);
        hb.register_escape_fn(escape);
        let mut catalogue_text = frameworks::BUILTIN.to_string();
        let mut catalogue_name = "templates/frameworks.yaml".to_string();
        for file in all_files(&TEMPLATES) {
            let rel = file.path();
            let (text, origin) = match overrides.map(|d| d.join(rel)).filter(|p| p.is_file()) {
                Some(p) => {
                    let bytes = crate::input::read(&p, crate::input::TEMPLATE)
                        .map_err(|e| Error::Usage(format!("template {}: {e}", p.display())))?;
                    let text = String::from_utf8(bytes).map_err(|_| {
                        Error::Usage(format!("template {}: not UTF-8 text", p.display()))
                    })?;
                    (text, p.display().to_string())
                }
                None => match file.contents_utf8() {
                    Some(t) => (t.to_string(), format!("built-in {}", rel.display())),
                    None => continue,
                },
            };
            let ext = rel.extension().and_then(|e| e.to_str()).unwrap_or("");
            if rel.file_name().and_then(|n| n.to_str()) == Some("frameworks.yaml") {
                catalogue_text = text;
                catalogue_name = origin;
            } else if ext == "hbs" {
                let name = rel
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .unwrap_or_default()
                    .to_string();
                hb.register_template_string(&name, text)
                    .map_err(|e| Error::Usage(format!("template {origin}: {e}")))?;
            }
        }
        super::partials::check(&hb)?;
        let catalogue = frameworks::parse(&catalogue_text, &catalogue_name)?;
        Ok(HtmlRenderer { hb, catalogue })
    }

    pub fn render(&self, report: &Report, opts: &RenderOptions) -> Result<String> {
        let page = build_page(report, opts, &self.catalogue);
        self.hb
            .render("layout", &page)
            .map_err(|e| Error::Usage(format!("rendering the HTML report: {e}")))
    }
}

fn all_files<'a>(dir: &'a Dir<'a>) -> Vec<&'a include_dir::File<'a>> {
    let mut out: Vec<_> = dir.files().collect();
    for d in dir.dirs() {
        out.extend(all_files(d));
    }
    out
}

/// Renders `report` with the built-in templates or those of `opts.templates`.
pub fn render(report: &Report, opts: &RenderOptions) -> Result<String> {
    HtmlRenderer::new(opts.templates.as_deref())?.render(report, opts)
}

// ---------------------------------------------------------------------------------------------
// The view model. Field names are the template contract: documented in docs/report.md.

#[derive(Serialize)]
pub struct Page {
    organisation: String,
    as_of: String,
    redacted: bool,
    summary: SummaryView,
    families: Vec<FamilyView>,
    heatmap: Heatmap,
    account_pages: Vec<AccountPage>,
    accounts_total: usize,
    accounts_listed: usize,
    findings: Vec<ControlGroup>,
    findings_open_by_default: bool,
    clean_controls: Vec<CleanControl>,
    frameworks: Vec<FrameworkView>,
    waivers: WaiversView,
    impersonation: ImpersonationView,
    method: MethodView,
}

#[derive(Serialize)]
struct SummaryView {
    score: String,
    has_score: bool,
    band: &'static str,
    band_words: &'static str,
    gauge_filled: String,
    gauge_rest: String,
    trend: Option<TrendView>,
    severities: Vec<SeverityCount>,
    problems: usize,
    accounts: usize,
    pass: usize,
    fail: usize,
    error: usize,
    skipped: usize,
    waived: usize,
    top: Vec<TopItem>,
    regressions: Vec<RegressionView>,
    regressions_more: usize,
    expired_waivers: usize,
    suspects: usize,
    /// Whole sentences, so counts of one read right ("1 account", not "1 accounts").
    checked_sentence: String,
    expired_sentence: String,
    suspects_sentence: String,
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
    accounts_words: String,
}

#[derive(Serialize)]
struct RegressionView {
    check_id: String,
    account_id: String,
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
    owner: String,
    score: String,
    band: &'static str,
    problems: usize,
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
    references: Vec<RefView>,
    requirements: Vec<String>,
    fail: usize,
    error: usize,
    waived: usize,
    pass: usize,
    findings: Vec<FindingView>,
    more: usize,
    open: bool,
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
    message: String,
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
struct FrameworkView {
    id: String,
    name: String,
    source: String,
    requirements: Vec<RequirementView>,
    total: usize,
    automated: usize,
    manual: usize,
    met: usize,
    not_met: usize,
}

#[derive(Serialize)]
struct RequirementView {
    id: String,
    section: String,
    text: String,
    controls: String,
    standing: Standing,
    standing_label: &'static str,
    detail: String,
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
    approved_by: String,
    expires_on: String,
    state: String,
    state_label: &'static str,
    reason: String,
    ticket: String,
}

#[derive(Serialize)]
struct ImpersonationView {
    rows: Vec<SuspectRow>,
    total: usize,
    more: usize,
    defensive: Vec<String>,
}

#[derive(Serialize)]
struct SuspectRow {
    candidate: String,
    platform: String,
    display_name: String,
    account_id: String,
    score: String,
    reasons: String,
    state: String,
    flags: String,
    source: String,
}

#[derive(Serialize)]
struct MethodView {
    as_of: String,
    tool: String,
    inventory: String,
    sha256: String,
    checks_run: usize,
    checks: String,
    online: bool,
    baseline: String,
    sources: Vec<SourceRow>,
}

#[derive(Serialize)]
struct SourceRow {
    name: String,
    state: &'static str,
    detail: String,
}

// ---------------------------------------------------------------------------------------------

/// Score bands: the CSS class and the words for a reader who does not know the scale.
fn band(score: Option<f64>) -> (&'static str, &'static str) {
    match score {
        Some(s) if s >= 90.0 => ("good", "good"),
        Some(s) if s >= 70.0 => ("fair", "fair: some work needed"),
        Some(s) if s >= 50.0 => ("poor", "poor: significant work needed"),
        Some(_) => ("bad", "at serious risk"),
        None => ("none", "not scored"),
    }
}

fn severity_label(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "Critical",
        Severity::High => "High",
        Severity::Medium => "Medium",
        Severity::Low => "Low",
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

fn source_title(source: &str) -> String {
    let known = [
        ("002_", "College of Policing APP: Social media"),
        ("003_", "Safer Politics toolkit"),
        ("004_", "Staffordshire Police social media procedure"),
        ("000_", "Published house rules"),
        ("001_", "Moderation policy"),
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

pub fn build_page(
    report: &Report,
    opts: &RenderOptions,
    catalogue: &frameworks::Catalogue,
) -> Page {
    let checks: HashMap<&str, &CheckInfo> =
        report.checks.iter().map(|c| (c.id.as_str(), c)).collect();
    let accounts: HashMap<&str, &crate::model::results::AccountInfo> =
        report.accounts.iter().map(|a| (a.id.as_str(), a)).collect();

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

    let summary = build_summary(report, &checks, &problems);

    let families = report
        .scores
        .families
        .iter()
        .map(|(name, score)| {
            let (b, _) = band(*score);
            FamilyView {
                name: name.clone(),
                label: family_label(name),
                score: score_text(*score),
                band: b,
                bar: format!("{:.1}", score.unwrap_or(0.0).clamp(0.0, 100.0) * 2.0),
            }
        })
        .collect();

    // Heat map: the lowest scores first, since those are the accounts to act on.
    let family_names: Vec<String> = report.scores.families.keys().cloned().collect();
    let mut order: Vec<&crate::model::results::AccountInfo> = report.accounts.iter().collect();
    order.sort_by(|a, b| {
        let key = |x: &crate::model::results::AccountInfo| x.score.unwrap_or(f64::INFINITY);
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
                band: band(a.score).0,
                cells: family_names
                    .iter()
                    .map(|f| {
                        let s = per.get(f).copied().flatten();
                        HeatCell {
                            text: score_text(s),
                            band: band(s).0,
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    let heatmap = Heatmap {
        families: family_names.iter().map(|f| family_label(f)).collect(),
        shown: rows.len(),
        total: report.accounts.len(),
        truncated: rows.len() < report.accounts.len(),
        rows,
    };

    let page_size = opts.accounts_page_size.max(1);
    let listed: Vec<&crate::model::results::AccountInfo> =
        if report.accounts.len() > opts.accounts_listed {
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
                    owner: a.owner.clone().unwrap_or_default(),
                    score: score_text(a.score),
                    band: band(a.score).0,
                    problems: problem_accounts.get(a.id.as_str()).copied().unwrap_or(0),
                })
                .collect(),
        })
        .collect();

    let listed_count = listed.len();
    // Findings, grouped by control, most severe first.
    let mut ordered: Vec<&CheckInfo> = report.checks.iter().collect();
    ordered.sort_by(|a, b| {
        b.severity
            .weight()
            .cmp(&a.severity.weight())
            .then_with(|| a.id.cmp(&b.id))
    });
    let total_problems: usize = problems.values().map(Vec::len).sum();
    let findings_open_by_default = total_problems <= 200;
    let mut findings = Vec::new();
    let mut clean_controls = Vec::new();
    for c in &ordered {
        let t = tally.get(c.id.as_str()).copied().unwrap_or_default();
        let list = problems
            .get(c.id.as_str())
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        if list.is_empty() {
            clean_controls.push(CleanControl {
                id: c.id.clone(),
                title: c.title.clone(),
                pass: t[0],
                skipped: t[3],
                waived: t[4],
            });
            continue;
        }
        let shown: Vec<FindingView> = list
            .iter()
            .take(opts.findings_per_control)
            .map(|r| {
                let a = accounts.get(r.account_id.as_str());
                FindingView {
                    account_id: r.account_id.clone(),
                    platform: a.map(|a| a.platform.clone()).unwrap_or_default(),
                    handle: a.map(|a| a.handle.clone()).unwrap_or_default(),
                    status: r.status.as_str(),
                    message: r.message.clone(),
                    change: change_str(r.change),
                }
            })
            .collect();
        findings.push(ControlGroup {
            id: c.id.clone(),
            title: c.title.clone(),
            family: family_label(&c.family),
            severity: c.severity.as_str(),
            severity_label: severity_label(c.severity),
            rationale: c.rationale.clone(),
            remediation: c.remediation.clone(),
            references: c
                .references
                .iter()
                .map(|r| RefView {
                    source: source_title(&r.source),
                    section: r.section.clone(),
                })
                .collect(),
            requirements: c.requirements.clone(),
            fail: t[1],
            error: t[2],
            waived: t[4],
            pass: t[0],
            more: list.len().saturating_sub(shown.len()),
            open: findings_open_by_default || matches!(c.severity, Severity::Critical),
            findings: shown,
        });
    }

    let frameworks = catalogue
        .frameworks
        .iter()
        .map(|f| {
            let cov = frameworks::coverage(f, report);
            let count = |s: Standing| cov.iter().filter(|c| c.standing == s).count();
            FrameworkView {
                id: f.id.clone(),
                name: f.name.clone(),
                source: source_title(&f.source),
                total: cov.len(),
                automated: cov.iter().filter(|c| !c.controls.is_empty()).count(),
                manual: cov.iter().filter(|c| c.controls.is_empty()).count(),
                met: count(Standing::Met),
                not_met: count(Standing::NotMet),
                requirements: cov
                    .into_iter()
                    .map(|c| {
                        let detail = match c.standing {
                            Standing::Manual => "Checked by people, not by this tool: rests on the account owners' attestations (GOV-01).".to_string(),
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
                                    parts.push(plural(c.waived, "waived", "waived"));
                                }
                                parts.join(", ")
                            }
                        };
                        RequirementView {
                            id: c.id,
                            section: c.section,
                            text: c.text,
                            controls: if c.controls.is_empty() { "manual".to_string() } else { c.controls.join(", ") },
                            standing: c.standing,
                            standing_label: c.standing.label(),
                            detail,
                        }
                    })
                    .collect(),
            }
        })
        .collect();

    let mut waiver_rows: Vec<WaiverRow> = report
        .waivers
        .iter()
        .map(|w| WaiverRow {
            check: w.check.clone(),
            account: w.account.clone(),
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

    let mut suspects: Vec<_> = report.impersonation.iter().collect();
    suspects.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.candidate.cmp(&b.candidate))
    });
    let limit = opts.findings_per_control.max(1) * 8;
    let impersonation = ImpersonationView {
        total: suspects.len(),
        more: suspects.len().saturating_sub(limit),
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
                SuspectRow {
                    candidate: s.candidate.clone(),
                    platform: s.platform.clone(),
                    display_name: s.display_name.clone().unwrap_or_default(),
                    account_id: s.account_id.clone(),
                    score: format!("{:.0}%", (s.score * 100.0).clamp(0.0, 100.0)),
                    reasons: s.reasons.join("; "),
                    state: match (&s.state, &s.state_date) {
                        (Some(st), Some(d)) => format!("{} ({d})", st.replace('_', " ")),
                        (Some(st), None) => st.replace('_', " "),
                        _ => "suspect".into(),
                    },
                    flags: flags.join(", "),
                    source: s.source.clone(),
                }
            })
            .collect(),
        defensive: report.defensive_registrations.clone(),
    };

    let method = MethodView {
        as_of: report.as_of.clone(),
        tool: format!("{} {}", report.tool.name, report.tool.version),
        inventory: report.meta.inventory.clone(),
        sha256: report.meta.inventory_sha256.clone(),
        checks_run: report.meta.checks_run,
        checks: report
            .checks
            .iter()
            .map(|c| c.id.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        online: report.meta.online,
        baseline: report.meta.baseline.clone().unwrap_or_default(),
        sources: report
            .sources
            .iter()
            .map(|s| SourceRow {
                name: s.name.clone(),
                state: if s.ok { "read" } else { "failed" },
                detail: s.detail.clone(),
            })
            .collect(),
    };

    Page {
        organisation: report.organisation.clone(),
        as_of: report.as_of.clone(),
        redacted: opts.redacted,
        summary: SummaryView {
            expired_waivers: waivers.expired,
            suspects: report.impersonation.len(),
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
            ..summary
        },
        families,
        heatmap,
        account_pages,
        accounts_total: report.accounts.len(),
        accounts_listed: listed_count,
        findings,
        findings_open_by_default,
        clean_controls,
        frameworks,
        waivers,
        impersonation,
        method,
    }
}

fn family_label(f: &str) -> String {
    let mut s = f.replace('-', " ");
    if let Some(c) = s.get(0..1) {
        let up = c.to_uppercase();
        s.replace_range(0..1, &up);
    }
    s
}

fn build_summary(
    report: &Report,
    checks: &HashMap<&str, &CheckInfo>,
    problems: &HashMap<&str, Vec<&CheckResult>>,
) -> SummaryView {
    let s = &report.summary;
    let (b, words) = band(s.score);
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

    // The top five: the controls whose failures weigh most (severity × accounts affected).
    let mut ranked: Vec<(&str, usize, Severity)> = problems
        .iter()
        .filter_map(|(id, list)| {
            let fails = list.iter().filter(|r| r.status == Status::Fail).count();
            let n = if fails > 0 { fails } else { list.len() };
            let sev = checks
                .get(id)
                .map(|c| c.severity)
                .or_else(|| list.first().map(|r| r.severity))?;
            Some((*id, n, sev))
        })
        .collect();
    ranked.sort_by(|a, b| {
        (b.2.weight() as usize * b.1)
            .cmp(&(a.2.weight() as usize * a.1))
            .then_with(|| a.0.cmp(b.0))
    });
    let top = ranked
        .iter()
        .take(5)
        .map(|&(id, n, sev)| {
            let title = checks
                .get(id)
                .map(|c| c.title.clone())
                .unwrap_or_else(|| id.to_string());
            TopItem {
                check_id: id.to_string(),
                plain: plain_words(id)
                    .map(str::to_string)
                    .unwrap_or_else(|| title.clone()),
                title,
                severity: sev.as_str(),
                severity_label: severity_label(sev),
                accounts: n,
                accounts_words: plural(n, "account", "accounts"),
            }
        })
        .collect();

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

    const MAX_REGRESSIONS: usize = 10;
    SummaryView {
        score: score_text(s.score),
        has_score: s.score.is_some(),
        band: b,
        band_words: words,
        gauge_filled: format!("{filled:.2}"),
        gauge_rest: format!("{:.2}", CIRC - filled),
        trend,
        severities,
        problems: s.fail + s.error,
        accounts: s.accounts,
        pass: s.pass,
        fail: s.fail,
        error: s.error,
        skipped: s.skipped,
        waived: s.waived,
        top,
        regressions: report
            .regressions
            .iter()
            .take(MAX_REGRESSIONS)
            .map(|r| RegressionView {
                check_id: r.check_id.clone(),
                account_id: r.account_id.clone(),
                was: r.was.as_str(),
                now: r.now.as_str(),
            })
            .collect(),
        regressions_more: report.regressions.len().saturating_sub(MAX_REGRESSIONS),
        expired_waivers: 0,
        suspects: 0,
        checked_sentence: format!(
            "We checked {}. {} need action ({} failed, {} could not be verified); {} passed, {} accepted as risks and {} did not apply.",
            plural(s.accounts, "account", "accounts"),
            plural(s.fail + s.error, "check", "checks"),
            thousands(s.fail),
            thousands(s.error),
            thousands(s.pass),
            thousands(s.waived),
            thousands(s.skipped)
        ),
        expired_sentence: String::new(),
        suspects_sentence: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_neutralises_markup_and_bidi() {
        assert_eq!(
            escape("<img src=x onerror=alert(1)>"),
            "&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;"
        );
        assert_eq!(escape("a\u{202E}b"), "a[U+202E]b");
    }

    #[test]
    fn thousands_groups() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
