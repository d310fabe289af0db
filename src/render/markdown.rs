//! Markdown for a pull-request comment or a ticket: the score, regressions, findings by
//! severity (capped), impersonation suspects and waivers needing attention. Compact on purpose.
//!
//! GitHub renders HTML inside Markdown, so every value goes through [`md`]: markup characters
//! are escaped, table pipes and line breaks neutralised, and `@` mentions broken.

use std::collections::HashMap;
use std::fmt::Write;

use super::{digest, reveal_controls, score_text, RenderOptions};
use crate::model::inventory::Severity;
use crate::model::results::{Report, Status};

/// Escapes `s` for inline Markdown (table cells included). Web addresses are written as
/// autolinks (`<https://…>`), inside which nothing is escaped: GitHub would otherwise keep the
/// backslash of an escaped character in the link, or take a following `)` into it.
pub fn md(s: &str) -> String {
    let s = reveal_controls(s);
    let mut out = String::with_capacity(s.len() + 8);
    let mut rest: &str = &s;
    while let Some((start, end)) = next_url(rest) {
        escape_into(&mut out, &rest[..start]);
        out.push('<');
        for c in rest[start..end].chars() {
            match c {
                // `|` would end the table cell; `\` is not in a URL, it would be taken literally.
                '|' => out.push_str("%7C"),
                '\\' => out.push_str("%5C"),
                c => out.push(c),
            }
        }
        out.push('>');
        rest = &rest[end..];
    }
    escape_into(&mut out, rest);
    out
}

fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '@' => out.push_str("@&#8203;"),
            '\n' | '\r' | '\t' => out.push(' '),
            // `(` and `)` make a link only after `]`, which is escaped, so they stay as they are.
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
}

/// The byte range of the first `http://` or `https://` address in `s`, ended as GitHub ends an
/// extended autolink: at whitespace or `<`, less trailing punctuation and any `)` that has no
/// `(` inside the address (so "(see https://x.org/a)" links to `https://x.org/a`).
fn next_url(s: &str) -> Option<(usize, usize)> {
    let mut from = 0;
    loop {
        let i = from + s[from..].find("http")?;
        let tail = &s[i..];
        let scheme = if tail.starts_with("https://") {
            8
        } else if tail.starts_with("http://") {
            7
        } else {
            from = i + 4;
            continue;
        };
        // A scheme glued to a word ("xhttp://") is not a link start.
        if s[..i]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric())
        {
            from = i + scheme;
            continue;
        }
        let len = tail
            .find(|c: char| c.is_whitespace() || c == '<' || c == '>' || c == '"')
            .unwrap_or(tail.len());
        let mut url = &tail[..len];
        loop {
            let trimmed = url.trim_end_matches(['?', '!', '.', ',', ':', '*', '_', '~', '\'', ';']);
            let trimmed = match trimmed.strip_suffix(')') {
                Some(t) if trimmed.matches(')').count() > trimmed.matches('(').count() => t,
                _ => trimmed,
            };
            if trimmed.len() == url.len() {
                break;
            }
            url = trimmed;
        }
        if url.len() > scheme {
            return Some((i, i + url.len()));
        }
        from = i + scheme;
    }
}

pub fn render(report: &Report, opts: &RenderOptions) -> String {
    let s = &report.summary;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## palisade: {}, {}\n",
        md(&report.organisation),
        md(&report.as_of)
    );
    let trend = match (s.score, s.baseline_score) {
        (Some(now), Some(then)) => format!(" (baseline {then:.1}, {:+.1})", now - then),
        _ => String::new(),
    };
    let _ = writeln!(
        out,
        "**Score {} / 100**{trend} · {} accounts · {} failed · {} not verified · {} waived · {} passed\n",
        score_text(s.score),
        s.accounts,
        s.fail,
        s.error,
        s.waived,
        s.pass
    );
    let fix_first = digest::fix_first(report);
    let standing = digest::standing(s.score, fix_first.first().map(|f| f.severity));
    let _ = write!(out, "Standing: {}.", standing.words);
    if let Some(w) = fix_first.first() {
        let _ = write!(
            out,
            " Most serious open problem: **{}** {} {}, {}.",
            w.severity.as_str(),
            md(w.check_id),
            md(w.title),
            w.scope_words()
        );
    }
    out.push_str("\n\n");
    if opts.redacted {
        out.push_str("_Names and e-mail addresses are masked._\n\n");
    }
    if !fix_first.is_empty() {
        out.push_str("### Fix first\n\n");
        for (i, f) in fix_first.iter().take(digest::TOP).enumerate() {
            let _ = writeln!(
                out,
                "{}. **{}** {} {}, {}",
                i + 1,
                f.severity.as_str(),
                md(f.check_id),
                md(f.title),
                f.scope_words()
            );
        }
        if fix_first.len() > digest::TOP {
            let _ = writeln!(
                out,
                "\n…and {} more controls need action.",
                fix_first.len() - digest::TOP
            );
        }
        out.push('\n');
    }
    // Control planes lead: a finding there reaches every account the plane holds.
    if !report.control_planes.is_empty() {
        let _ = writeln!(
            out,
            "### Control planes ({})\n\nThe tools through which people reach many accounts at once.\n",
            report.control_planes.len()
        );
        out.push_str("| Plane | Reaches | Open findings |\n|---|---|---|\n");
        for p in &report.control_planes {
            let open: Vec<String> = report
                .results
                .iter()
                .filter(|r| r.account_id == p.id && r.status.is_problem())
                .map(|r| format!("{} ({})", md(&r.check_id), r.severity.as_str()))
                .collect();
            let _ = writeln!(
                out,
                "| {} ({}) | {} | {} |",
                md(p.name.as_deref().unwrap_or(&p.id)),
                md(&p.id),
                if p.accounts.len() == 1 {
                    "1 account".to_owned()
                } else {
                    format!("{} accounts", p.accounts.len())
                },
                if open.is_empty() {
                    "none".to_owned()
                } else {
                    open.join(", ")
                }
            );
        }
        out.push('\n');
    }
    let unassessed = digest::not_assessed(report);
    if !unassessed.is_empty() {
        let _ = writeln!(
            out,
            "### Not assessed ({})\n\nThese controls could not look, so they count neither as passed nor as failed.\n",
            unassessed.len()
        );
        out.push_str("| Control | Why not | Where |\n|---|---|---|\n");
        for n in &unassessed {
            let _ = writeln!(
                out,
                "| {} {} | {} | {} |",
                md(n.check_id),
                md(n.title),
                md(n.reason),
                n.scope_words()
            );
        }
        out.push('\n');
    }

    if !report.regressions.is_empty() {
        let _ = writeln!(out, "### Regressions ({})\n", report.regressions.len());
        out.push_str("| Check | Account | Was | Now |\n|---|---|---|---|\n");
        for r in report.regressions.iter().take(opts.markdown_findings) {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                md(&r.check_id),
                md(&r.account_id),
                r.was.as_str(),
                r.now.as_str()
            );
        }
        more(&mut out, report.regressions.len(), opts.markdown_findings);
        out.push('\n');
    }

    let titles: HashMap<&str, &str> = report
        .checks
        .iter()
        .map(|c| (c.id.as_str(), c.title.as_str()))
        .collect();
    let problems: Vec<_> = report
        .results
        .iter()
        .filter(|r| r.status.is_problem())
        .collect();
    if problems.is_empty() {
        out.push_str("No failed or unverified checks.\n\n");
    } else {
        out.push_str("### Findings by severity\n\n");
    }
    for sev in [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ] {
        let list: Vec<_> = problems.iter().filter(|r| r.severity == sev).collect();
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "<details{}><summary><b>{} ({})</b></summary>\n",
            if matches!(sev, Severity::Critical | Severity::High) {
                " open"
            } else {
                ""
            },
            sev.as_str(),
            list.len()
        );
        out.push_str("| Check | Account | Status | Finding |\n|---|---|---|---|\n");
        for r in list.iter().take(opts.markdown_findings) {
            let title = titles.get(r.check_id.as_str()).copied().unwrap_or("");
            let _ = writeln!(
                out,
                "| {} {} | {} | {}{} | {} |",
                md(&r.check_id),
                md(title),
                md(&r.account_id),
                r.status.as_str(),
                match r.change {
                    Some(crate::model::results::Change::New) => " (new)",
                    Some(crate::model::results::Change::Regressed) => " (regressed)",
                    _ => "",
                },
                md(&r.message)
            );
        }
        more(&mut out, list.len(), opts.markdown_findings);
        out.push_str("\n</details>\n\n");
    }

    let fixed = report
        .results
        .iter()
        .filter(|r| r.change == Some(crate::model::results::Change::Fixed))
        .count();
    if fixed > 0 {
        let _ = writeln!(out, "Fixed since the baseline: {fixed}.\n");
    }

    if !report.impersonation.is_empty() {
        let _ = writeln!(
            out,
            "### Impersonation suspects ({})\n",
            report.impersonation.len()
        );
        out.push_str(
            "| Candidate | Platform | Looks like | Score | Why |\n|---|---|---|---|---|\n",
        );
        let handles: HashMap<&str, &str> = report
            .accounts
            .iter()
            .map(|a| (a.id.as_str(), a.handle.as_str()))
            .collect();
        let mut sus: Vec<_> = report.impersonation.iter().collect();
        sus.sort_by(|a, b| b.score.total_cmp(&a.score));
        for x in sus.iter().take(opts.markdown_findings) {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {:.2} | {} |",
                md(&x.candidate),
                md(&x.platform),
                md(handles
                    .get(x.account_id.as_str())
                    .copied()
                    .unwrap_or(&x.account_id)),
                x.score,
                md(&x.reasons.join("; "))
            );
        }
        more(&mut out, sus.len(), opts.markdown_findings);
        out.push('\n');
    }

    let urgent: Vec<_> = report
        .waivers
        .iter()
        .filter(|w| w.state == "expired" || w.state == "expiring")
        .collect();
    if !urgent.is_empty() {
        let _ = writeln!(out, "### Waivers needing attention ({})\n", urgent.len());
        out.push_str(
            "| Check | Account | State | Expires | Accepted by |\n|---|---|---|---|---|\n",
        );
        for w in urgent.iter().take(opts.markdown_findings) {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                md(&w.check),
                md(&w.account),
                md(&w.state),
                md(&w.expires_on),
                md(&w.approved_by)
            );
        }
        more(&mut out, urgent.len(), opts.markdown_findings);
        out.push('\n');
    }
    let skipped = report
        .results
        .iter()
        .filter(|r| r.status == Status::Skipped)
        .count();
    let not_assessed: usize = unassessed.iter().map(|n| n.accounts).sum();
    let _ = writeln!(
        out,
        "<sub>{} {} · {} checks · {not_assessed} not assessed · {} not applicable · inventory `{}` sha256 `{}`</sub>",
        md(&report.tool.name),
        md(&report.tool.version),
        report.meta.checks_run,
        skipped - not_assessed,
        report.meta.inventory.replace('`', "'"),
        report
            .meta
            .inventory_sha256
            .chars()
            .take(12)
            .collect::<String>()
            .replace('`', "'"),
    );
    out
}

fn more(out: &mut String, total: usize, shown: usize) {
    if total > shown {
        let _ = writeln!(out, "\n…and {} more (see the full report).", total - shown);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn markup_is_escaped() {
        assert_eq!(super::md("<b>|x|</b>"), "&lt;b&gt;\\|x\\|&lt;/b&gt;");
        assert_eq!(super::md("@team"), "@&#8203;team");
    }

    #[test]
    fn web_addresses_become_autolinks() {
        use super::md;
        assert_eq!(
            md("(see https://help.x.com/en/safety_tips)."),
            "(see <https://help.x.com/en/safety_tips>)."
        );
        assert_eq!(
            md("https://en.wikipedia.org/wiki/Bobby_(name))"),
            "<https://en.wikipedia.org/wiki/Bobby_(name)>)"
        );
        assert_eq!(md("a|b https://x.org/a|b"), "a\\|b <https://x.org/a%7Cb>");
        assert_eq!(md("xhttp://x.org"), "xhttp://x.org");
        assert_eq!(md("https:// alone"), "https:// alone");
        assert_eq!(
            md("https://x.org/<script>"),
            "<https://x.org/>&lt;script&gt;"
        );
    }
}
