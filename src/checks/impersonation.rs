//! IMP-01: no look-alike account impersonates this one. The search itself lives in
//! `crate::impersonation`; this check only reads its suspects from the context.

use serde_json::json;

use crate::engine::{Context, Outcome};
use crate::model::Account;

/// Fails when a suspect of this account is not allowed or judged benign; skipped when no
/// candidate list or online search was given (nothing was looked at, so nothing can pass).
pub fn imp_01(ctx: &Context, account: &Account) -> Outcome {
    let Some(all) = &ctx.suspects else {
        return Outcome::not_assessed("no candidate list given (--candidates or --online)");
    };
    let mine: Vec<_> = all
        .iter()
        .filter(|s| s.account_id == account.id && s.is_flagged())
        .collect();
    if mine.is_empty() {
        return Outcome::pass("no look-alike account found above the threshold");
    }
    let named: Vec<String> = mine
        .iter()
        .take(5)
        .map(|s| {
            let why = s
                .reasons
                .first()
                .map(String::as_str)
                .unwrap_or("similar handle");
            format!("{} ({:.2}: {why})", s.candidate, s.score)
        })
        .collect();
    let more = if mine.len() > 5 {
        format!(" and {} more", mine.len() - 5)
    } else {
        String::new()
    };
    let message = format!(
        "{} look-alike account(s) of {}: {}{more}",
        mine.len(),
        account.handle,
        named.join(", ")
    );
    let evidence = json!({
        "suspects": mine.iter().map(|s| json!({
            "candidate": s.candidate,
            "score": s.score,
            "reasons": s.reasons,
            "state": s.state,
            "source": s.source,
            "reappeared": s.reappeared,
            // A look-alike on another platform (the organisation's handle used there) is
            // reported on that platform, not on the account's.
            "report_form": crate::model::Platform::parse(&s.platform)
                .and_then(|p| ctx.platform(p))
                .map(|f| &f.impersonation_report.url),
        })).collect::<Vec<_>>(),
        "report_form": ctx.platform(account.platform).map(|f| &f.impersonation_report.url),
    });
    Outcome::fail(message).with_evidence(evidence)
}
