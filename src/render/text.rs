//! The terminal view: a summary line, then findings grouped by severity, then waiver notices.
//!
//! Every value from the input (the inventory, results.json, the network) goes through
//! [`sanitize`]: it may be read on a terminal, and only palisade's own colour codes may act there.

use std::fmt::Write;

use owo_colors::OwoColorize;

use super::digest;
use crate::model::results::{Report, Status};
use crate::model::Severity;

fn paint(s: &str, sev: Severity, color: bool) -> String {
    if !color {
        return s.to_owned();
    }
    match sev {
        Severity::Critical => s.red().bold().to_string(),
        Severity::High => s.red().to_string(),
        Severity::Medium => s.yellow().to_string(),
        Severity::Low => s.cyan().to_string(),
    }
}

/// The first two lines of both views: who, when, and the score with its counts. Saved results
/// (`palisade report`) may come from anywhere: nothing reaches the terminal unsanitised.
fn header(o: &mut String, report: &Report) {
    let s = &report.summary;
    let score = s
        .score
        .map(|x| format!("{x:.1}/100"))
        .unwrap_or_else(|| "n/a".into());
    let trend = match (s.score, s.baseline_score) {
        (Some(now), Some(was)) => format!(" ({:+.1} since the baseline)", now - was),
        _ => String::new(),
    };
    let _ = writeln!(
        o,
        "palisade {} · {} · as of {}",
        sanitize(&report.tool.version),
        sanitize(&report.organisation),
        sanitize(&report.as_of.to_string())
    );
    let _ = writeln!(
        o,
        "Score {score}{trend} · {} accounts · {} pass · {} fail · {} error · {} skipped · {} waived",
        s.accounts, s.pass, s.fail, s.error, s.skipped, s.waived
    );
}

pub fn render(report: &Report, color: bool) -> String {
    let mut o = String::new();
    let s = &report.summary;
    header(&mut o, report);
    let fix_first = digest::fix_first(report);
    let standing = digest::standing(s.score, fix_first.first().map(|f| f.severity));
    let _ = writeln!(o, "Standing: {}.", standing.words);
    if !fix_first.is_empty() {
        let _ = writeln!(o, "\nFix first:");
        for (i, f) in fix_first.iter().take(digest::TOP).enumerate() {
            let _ = writeln!(
                o,
                "  {}. {} {} {}, {}",
                i + 1,
                paint(&f.severity.as_str().to_uppercase(), f.severity, color),
                f.check_id,
                sanitize(f.title),
                f.scope_words()
            );
        }
        if fix_first.len() > digest::TOP {
            let _ = writeln!(
                o,
                "  …and {} more controls need action (below).",
                fix_first.len() - digest::TOP
            );
        }
    }
    // Control planes lead: each reaches many accounts.
    let planes_with_findings: Vec<_> = report
        .control_planes
        .iter()
        .filter_map(|p| {
            let open: Vec<_> = report
                .results
                .iter()
                .filter(|r| r.account_id == p.id && r.status.is_problem())
                .collect();
            (!open.is_empty()).then_some((p, open))
        })
        .collect();
    if !planes_with_findings.is_empty() {
        let _ = writeln!(
            o,
            "
Control planes (each reaches many accounts):"
        );
        for (p, open) in &planes_with_findings {
            let _ = writeln!(
                o,
                "  {} ({}; reaches {} account{}): {} open finding{}: {}",
                sanitize(p.name.as_deref().unwrap_or(&p.id)),
                sanitize(&p.id),
                p.accounts.len(),
                if p.accounts.len() == 1 { "" } else { "s" },
                open.len(),
                if open.len() == 1 { "" } else { "s" },
                open.iter()
                    .map(|r| r.check_id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    let unassessed = digest::not_assessed(report);
    if !unassessed.is_empty() {
        let _ = writeln!(
            o,
            "\nNot assessed ({}; neither passed nor failed):",
            unassessed.len()
        );
        for n in &unassessed {
            let _ = writeln!(
                o,
                "  - {} {}: {} ({})",
                n.check_id,
                sanitize(n.title),
                sanitize(n.reason),
                n.scope_words()
            );
        }
    }
    let width = report
        .results
        .iter()
        .filter(|r| r.status.is_problem())
        .map(|r| sanitize(&r.account_id).chars().count())
        .max()
        .unwrap_or(0);
    for sev in [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ] {
        let findings: Vec<_> = report
            .results
            .iter()
            .filter(|r| r.severity == sev && r.status.is_problem())
            .collect();
        if findings.is_empty() {
            continue;
        }
        let _ = writeln!(
            o,
            "\n{} ({})",
            paint(&sev.as_str().to_uppercase(), sev, color),
            findings.len()
        );
        for r in findings {
            let mark = if r.status == Status::Fail { "✗" } else { "?" };
            let change = r
                .change
                .map(|c| {
                    format!(
                        " [{}]",
                        serde_json::to_value(c)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_owned))
                            .unwrap_or_default()
                    )
                })
                .unwrap_or_default();
            let _ = writeln!(
                o,
                "  {} {:<9} {:<width$}  {}{change}",
                paint(mark, sev, color),
                sanitize(&r.check_id),
                sanitize(&r.account_id),
                sanitize(&r.message)
            );
        }
    }
    if s.fail + s.error == 0 {
        let _ = writeln!(o, "\nNo findings.");
    } else if s.error > 0 {
        let _ = writeln!(o, "\n✗ failed · ? could not be verified (counts against the score; fix the inventory or the source)");
    }
    if !report.regressions.is_empty() {
        let _ = writeln!(
            o,
            "\nRegressions since the baseline ({}):",
            report.regressions.len()
        );
        for r in &report.regressions {
            let _ = writeln!(
                o,
                "  {} {}: {} → {}",
                sanitize(&r.check_id),
                sanitize(&r.account_id),
                r.was.as_str(),
                r.now.as_str()
            );
        }
    }
    let notices: Vec<_> = report
        .waivers
        .iter()
        .filter(|w| w.state != "active")
        .collect();
    if !notices.is_empty() {
        let _ = writeln!(o, "\nWaivers:");
        for w in notices {
            let what = match w.state.as_str() {
                "expired" => format!("expired on {}: no longer applies", w.expires_on),
                "unmatched" => "matches no result (check the check id and account id)".to_owned(),
                "expiring" => format!("expires on {}", w.expires_on),
                other => other.to_owned(),
            };
            let _ = writeln!(
                o,
                "  {} {} (line {}): {}",
                sanitize(&w.check),
                sanitize(&w.account),
                w.line,
                sanitize(&what)
            );
        }
    }
    let suspects: Vec<_> = report
        .impersonation
        .iter()
        .filter(|s| !matches!(s.state.as_deref(), Some("allowed" | "benign")))
        .collect();
    if !suspects.is_empty() {
        let handles: std::collections::HashMap<&str, &str> = report
            .accounts
            .iter()
            .map(|a| (a.id.as_str(), a.handle.as_str()))
            .collect();
        let _ = writeln!(o, "\nImpersonation suspects ({}):", suspects.len());
        for sp in suspects {
            let state = sp
                .state
                .as_deref()
                .map(|s| format!(" [{}]", sanitize(s)))
                .unwrap_or_default();
            let back = if sp.reappeared {
                " (taken down before: it came back)"
            } else {
                ""
            };
            let _ = writeln!(
                o,
                "  {} {} ~ {} {:.2}{state}{back}: {}",
                sanitize(&sp.platform),
                sanitize(&sp.candidate),
                sanitize(
                    handles
                        .get(sp.account_id.as_str())
                        .copied()
                        .unwrap_or(&sp.account_id)
                ),
                sp.score,
                sanitize(&sp.reasons.join("; "))
            );
        }
    }
    if let Some(line) = lookalike_coverage(report) {
        let _ = writeln!(o, "\n{line}");
    }
    let failed: Vec<_> = report.sources.iter().filter(|s| !s.ok).collect();
    if !failed.is_empty() {
        let _ = writeln!(o, "\nSources that failed:");
        for s in failed {
            let _ = writeln!(o, "  {}: {}", sanitize(&s.name), sanitize(&s.detail));
        }
    }
    o
}

/// One sentence on how many generated look-alike handles an online audit probed and left out.
pub fn lookalike_coverage(report: &crate::model::results::Report) -> Option<String> {
    let c = &report.lookalike_coverage;
    if c.is_empty() {
        return None;
    }
    let parts: Vec<String> = c
        .iter()
        .map(|p| format!("{} {} of {}", p.platform, p.probed, p.probed + p.not_probed))
        .collect();
    let left: usize = c.iter().map(|p| p.not_probed).sum();
    Some(format!(
        "Look-alike handles probed live: {}; {left} not probed (the most likely are probed first).",
        parts.join(", ")
    ))
}

/// A value from the input as the terminal may show it: control characters, bidi controls
/// and invisible format characters as visible escapes (`\u{1b}`), on one line.
pub fn sanitize(s: &str) -> String {
    super::for_terminal(s).into_owned()
}

/// How many findings the full text view lists before palisade suggests `--summary`.
pub const LONG_LIST: usize = 500;

/// The summary view for big inventories (`--summary`): the score line, the things to fix first,
/// then one line per control with failed or unverifiable results, and counts of the rest.
/// Tens of lines where the full view has one per finding.
pub fn render_summary(report: &Report, color: bool) -> String {
    let mut o = String::new();
    let s = &report.summary;
    header(&mut o, report);
    let worst = digest::fix_first(report).first().map(|f| f.severity);
    let _ = writeln!(o, "Standing: {}.", digest::standing(s.score, worst).words);
    let per_control = per_control(report);
    if per_control.is_empty() {
        let _ = writeln!(o, "\nNo findings.");
    } else {
        // The same ranking as every other format (severity, then accounts reached).
        let _ = writeln!(o, "\nFix first:");
        for (i, f) in digest::fix_first(report)
            .iter()
            .take(digest::TOP)
            .enumerate()
        {
            let _ = writeln!(
                o,
                "  {}. {} {} {}, {}",
                i + 1,
                paint(&f.severity.as_str().to_uppercase(), f.severity, color),
                sanitize(f.check_id),
                sanitize(f.title),
                f.scope_words()
            );
        }
        let width = per_control
            .iter()
            .map(|c| c.title.chars().count())
            .max()
            .unwrap_or(0)
            .min(60);
        let digits = per_control
            .iter()
            .map(|c| c.fail.max(c.error).to_string().len())
            .max()
            .unwrap_or(1);
        let _ = writeln!(
            o,
            "\nFindings per control (✗ failed, ? could not be verified):"
        );
        for c in &per_control {
            let sev = format!("{:<8}", c.severity.as_str().to_uppercase());
            let title: String = sanitize(c.title).chars().take(width).collect();
            let _ = writeln!(
                o,
                "  {} {:<9} {title:<width$}  ✗ {:>digits$}  ? {:>digits$}",
                paint(&sev, c.severity, color),
                sanitize(c.id),
                c.fail,
                c.error
            );
        }
    }
    let mut rest = Vec::new();
    if !report.regressions.is_empty() {
        rest.push(format!(
            "{} regressions since the baseline",
            report.regressions.len()
        ));
    }
    let notices = report
        .waivers
        .iter()
        .filter(|w| w.state != "active")
        .count();
    if notices > 0 {
        rest.push(format!("{notices} waivers expired, expiring or unmatched"));
    }
    let suspects = report
        .impersonation
        .iter()
        .filter(|s| !matches!(s.state.as_deref(), Some("allowed" | "benign")))
        .count();
    if suspects > 0 {
        rest.push(format!("{suspects} impersonation suspects"));
    }
    let failed = report.sources.iter().filter(|s| !s.ok).count();
    if failed > 0 {
        rest.push(format!("{failed} sources failed"));
    }
    if !rest.is_empty() {
        let _ = writeln!(o, "\nAlso: {}.", rest.join(" · "));
    }
    if s.fail + s.error > 0 || !rest.is_empty() {
        let _ = writeln!(
            o,
            "Every finding: without --summary, or in the files of --out DIR (report.txt, results.json, report.html)."
        );
    }
    o
}

/// One control's problems, for the summary view.
struct ControlCount<'r> {
    id: &'r str,
    title: &'r str,
    severity: Severity,
    fail: usize,
    error: usize,
}

/// Controls with a failed or unverifiable result, by severity then id.
fn per_control(report: &Report) -> Vec<ControlCount<'_>> {
    let mut by_id: std::collections::BTreeMap<&str, ControlCount<'_>> = Default::default();
    for r in report.results.iter().filter(|r| r.status.is_problem()) {
        let c = by_id
            .entry(r.check_id.as_str())
            .or_insert_with(|| ControlCount {
                id: r.check_id.as_str(),
                title: r.check_id.as_str(),
                severity: r.severity,
                fail: 0,
                error: 0,
            });
        if r.status == Status::Fail {
            c.fail += 1;
        } else {
            c.error += 1;
        }
    }
    for info in &report.checks {
        if let Some(c) = by_id.get_mut(info.id.as_str()) {
            c.title = info.title.as_str();
            c.severity = info.severity;
        }
    }
    let mut v: Vec<_> = by_id.into_values().collect();
    v.sort_by(|a, b| a.severity.cmp(&b.severity).then_with(|| a.id.cmp(b.id)));
    v
}
