//! Runs every check on every account in scope and assembles the results model: one result per
//! (check, account) pair, severity overrides, waivers, scores, sorted for byte-identical output.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::cel_rule;
use super::context::Context;
use super::definition::Scope;
use super::outcome::Outcome;
use super::registry::{Check, Compiledlogic, Registry};
use crate::checks::Native;
use crate::model::results::*;
use crate::model::{Account, AccountStatus, Severity};

/// The account id of organisation-level results (`cli.md`).
pub const ORGANISATION: &str = "organisation";

/// Waivers expiring within this many days are listed as expiring (the next quarter).
pub const EXPIRING_WITHIN_DAYS: i64 = 92;

fn severity_rank(s: Severity) -> u8 {
    match s {
        Severity::Critical => 0,
        Severity::High => 1,
        Severity::Medium => 2,
        Severity::Low => 3,
    }
}

fn rule_outcome(check: &Check, view: &Value, cx: &cel::Context) -> Outcome {
    let Compiledlogic::Rule {
        fail_when,
        message,
        pass_message,
    } = &check.logic
    else {
        return Outcome::error("internal: not a rule");
    };
    let super::definition::Logic::Rule(rule) = &check.def.logic else {
        return Outcome::error("internal: not a rule");
    };
    let mut evidence = serde_json::Map::new();
    for path in &rule.requires {
        match cel_rule::lookup(view, path) {
            None => {
                return Outcome::error(format!(
                    "could not be verified: `{path}` is missing from the inventory"
                ))
                .with_evidence(json!({ "field": path }))
            }
            Some(Value::String(s)) if s == "unknown" => {
                return Outcome::error(format!("could not be verified: `{path}` is unknown"))
                    .with_evidence(json!({ "field": path, "value": "unknown" }))
            }
            Some(v) => {
                evidence.insert(path.clone(), v.clone());
            }
        }
    }
    match cel_rule::eval_bool(fail_when, cx) {
        Ok(true) => match cel_rule::eval_string(message, cx) {
            Ok(m) => Outcome::fail(m),
            Err(e) => Outcome::fail(format!(
                "{} (the message could not be built: {e})",
                check.def.title
            )),
        },
        Ok(false) => {
            let m = match pass_message {
                Some(p) => cel_rule::eval_string(p, cx).unwrap_or_else(|_| check.def.title.clone()),
                None => check.def.title.clone(),
            };
            Outcome::pass(m)
        }
        Err(e) => Outcome::error(format!("the rule could not be evaluated: {e}")),
    }
    .with_evidence(Value::Object(evidence))
}

fn applies(check: &Check, cx: &cel::Context) -> Result<bool, String> {
    match &check.applies_when {
        None => Ok(true),
        Some(p) => cel_rule::eval_bool(p, cx),
    }
}

fn not_applicable(check: &Check) -> Outcome {
    Outcome::skip(
        check
            .def
            .skip_message
            .clone()
            .unwrap_or_else(|| "not applicable to this account".into()),
    )
}

/// Runs the catalogue and returns the raw results (status before waivers, default severity).
fn run_checks(registry: &Registry, ctx: &Context) -> Vec<(usize, String, Outcome)> {
    let mut out = Vec::new();
    let needs_cel = registry
        .checks
        .iter()
        .any(|c| matches!(c.logic, Compiledlogic::Rule { .. }) || c.applies_when.is_some());
    let root =
        needs_cel.then(|| cel_rule::root_context(registry.env.clone(), ctx.inventory, ctx.as_of));
    for account in &ctx.inventory.accounts {
        let closed = account.status == AccountStatus::Closed;
        let mut scope = None;
        let mut view = Value::Null;
        if !closed {
            if let Some(root) = &root {
                view = account_view(ctx, account);
                let mut s = root.new_inner_scope();
                let _ = s.add_variable("account", cel::to_value(&view).unwrap_or(cel::Value::Null));
                scope = Some(s);
            }
        }
        for (i, check) in registry.checks.iter().enumerate() {
            if check.def.scope != Scope::Account {
                continue;
            }
            let outcome = if closed {
                Outcome::skip("the account is closed")
            } else {
                let needs = check.applies_when.is_some()
                    || matches!(check.logic, Compiledlogic::Rule { .. });
                match (&scope, needs) {
                    (Some(s), true) => match applies(check, s) {
                        Ok(false) => not_applicable(check),
                        Err(e) => {
                            Outcome::error(format!("applicability could not be evaluated: {e}"))
                        }
                        Ok(true) => match &check.logic {
                            Compiledlogic::Rule { .. } => rule_outcome(check, &view, s),
                            Compiledlogic::Native(n) => native(n, ctx, account),
                        },
                    },
                    _ => match &check.logic {
                        Compiledlogic::Native(n) => native(n, ctx, account),
                        Compiledlogic::Rule { .. } => {
                            Outcome::error("internal: rule without an evaluation scope")
                        }
                    },
                }
            };
            out.push((i, account.id.clone(), outcome));
        }
    }
    for (i, check) in registry.checks.iter().enumerate() {
        if check.def.scope != Scope::Organisation {
            continue;
        }
        let outcome = match &check.logic {
            Compiledlogic::Native(Native::Organisation(f)) => f(ctx),
            _ => Outcome::error("an organisation-level check must be a native organisation check"),
        };
        out.push((i, ORGANISATION.to_owned(), outcome));
    }
    out
}

fn native(n: &Native, ctx: &Context, account: &Account) -> Outcome {
    match n {
        Native::Account(f) => f(ctx, account),
        Native::Organisation(_) => {
            Outcome::error("an organisation-level native check is used with `scope: account`")
        }
    }
}

/// The JSON view of an account that CEL rules read; evidence gathered online overrides the
/// declared `listed_on_website` (the published page is the truth when it was read).
pub fn account_view(ctx: &Context, account: &Account) -> Value {
    let mut v = serde_json::to_value(account).unwrap_or(Value::Null);
    if let crate::online::PageListing::Error(_) = ctx.page_listing(&account.id) {
        // The page was to be read and could not be: BRAND-02 must say so, not trust the flag.
        v["listed_on_website"] = Value::String("unknown".into());
    } else if let Some(listed) = ctx.listed_override(&account.id) {
        v["listed_on_website"] = Value::String(if listed { "true" } else { "false" }.into());
    }
    v
}

/// Round to one decimal so scores are stable in JSON.
fn score(passed: u32, total: u32) -> Option<f64> {
    (total > 0).then(|| (1000.0 * passed as f64 / total as f64).round() / 10.0)
}

#[derive(Default, Clone, Copy)]
struct Tally {
    passed: u32,
    total: u32,
}

impl Tally {
    fn add(&mut self, status: Status, weight: u32) {
        match status {
            Status::Pass => {
                self.passed += weight;
                self.total += weight;
            }
            Status::Fail | Status::Error => self.total += weight,
            Status::Skipped | Status::Waived => {}
        }
    }
    fn score(self) -> Option<f64> {
        score(self.passed, self.total)
    }
}

/// Runs the audit and assembles the full report.
pub fn run(registry: &Registry, ctx: &Context) -> Report {
    let inv = ctx.inventory;
    let severity_of = |c: &Check| {
        inv.policy
            .severity_overrides
            .get(&c.def.id)
            .copied()
            .unwrap_or(c.def.severity)
    };
    let raw = run_checks(registry, ctx);

    let mut waiver_used = vec![false; inv.waivers.len()];
    let mut waiver_matched = vec![false; inv.waivers.len()];
    let mut results: Vec<CheckResult> = Vec::with_capacity(raw.len());
    for (i, account_id, outcome) in raw {
        let check = &registry.checks[i];
        let mut status = outcome.status;
        let mut waiver = None;
        for (w_i, w) in inv.waivers.iter().enumerate() {
            if !w.check.eq_ignore_ascii_case(&check.def.id)
                || !(w.account == "*" || w.account == account_id)
            {
                continue;
            }
            waiver_matched[w_i] = true;
            if status.is_problem() && w.expires_on >= ctx.as_of && waiver.is_none() {
                waiver_used[w_i] = true;
                waiver = Some(WaiverApplied {
                    reason: w.reason.clone(),
                    approved_by: w.approved_by.clone(),
                    expires_on: w.expires_on.to_string(),
                    ticket: w.ticket.clone(),
                    status_before: status,
                });
            }
        }
        if waiver.is_some() {
            status = Status::Waived;
        }
        results.push(CheckResult {
            check_id: check.def.id.clone(),
            account_id,
            status,
            severity: severity_of(check),
            message: outcome.message,
            evidence: outcome.evidence,
            waiver,
            change: None,
        });
    }
    results.sort_by(|a, b| {
        (severity_rank(a.severity), &a.check_id, &a.account_id).cmp(&(
            severity_rank(b.severity),
            &b.check_id,
            &b.account_id,
        ))
    });

    let family_of: BTreeMap<&str, &str> = registry
        .checks
        .iter()
        .map(|c| (c.def.id.as_str(), c.def.family.as_str()))
        .collect();
    let mut summary = Summary {
        accounts: inv.accounts.len(),
        ..Default::default()
    };
    let mut org = Tally::default();
    let mut families: BTreeMap<String, Tally> = registry
        .checks
        .iter()
        .map(|c| (c.def.family.clone(), Tally::default()))
        .collect();
    let mut per_account: BTreeMap<String, (Tally, BTreeMap<String, Tally>)> = BTreeMap::new();
    for r in &results {
        match r.status {
            Status::Pass => summary.pass += 1,
            Status::Fail => summary.fail += 1,
            Status::Error => summary.error += 1,
            Status::Skipped => summary.skipped += 1,
            Status::Waived => summary.waived += 1,
        }
        if r.status.is_problem() {
            *summary
                .by_severity
                .entry(r.severity.as_str().to_owned())
                .or_default() += 1;
        }
        let w = r.severity.weight();
        org.add(r.status, w);
        let fam = family_of
            .get(r.check_id.as_str())
            .copied()
            .unwrap_or("other")
            .to_owned();
        families.entry(fam.clone()).or_default().add(r.status, w);
        let acc = per_account.entry(r.account_id.clone()).or_default();
        acc.0.add(r.status, w);
        acc.1.entry(fam).or_default().add(r.status, w);
    }
    summary.score = org.score();

    let scores = Scores {
        families: families
            .iter()
            .map(|(k, t)| (k.clone(), t.score()))
            .collect(),
        accounts: per_account
            .iter()
            .map(|(k, (_, fams))| {
                (
                    k.clone(),
                    fams.iter().map(|(f, t)| (f.clone(), t.score())).collect(),
                )
            })
            .collect(),
    };
    let accounts = inv
        .accounts
        .iter()
        .map(|a| AccountInfo {
            id: a.id.clone(),
            platform: a.platform.as_str().to_owned(),
            handle: a.handle.clone(),
            display_name: a.display_name.clone(),
            owner: a.owner.clone(),
            status: a.status.as_str().to_owned(),
            line: a.loc.line,
            score: per_account.get(&a.id).and_then(|(t, _)| t.score()),
        })
        .collect();

    let mut waivers: Vec<WaiverNotice> = inv
        .waivers
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let days_left = super::context::days_between(ctx.as_of, w.expires_on);
            let state = if !waiver_matched[i] {
                "unmatched"
            } else if w.expires_on < ctx.as_of {
                "expired"
            } else if days_left <= EXPIRING_WITHIN_DAYS {
                "expiring"
            } else {
                "active"
            };
            WaiverNotice {
                check: w.check.clone(),
                account: w.account.clone(),
                approved_by: w.approved_by.clone(),
                expires_on: w.expires_on.to_string(),
                state: state.to_owned(),
                reason: w.reason.clone(),
                ticket: w.ticket.clone(),
                line: w.loc.line,
            }
        })
        .collect();
    // A waiver on an expired date that matched is "expired" even if nothing failed; order is stable.
    waivers.sort_by(|a, b| {
        (&a.check, &a.account, &a.expires_on).cmp(&(&b.check, &b.account, &b.expires_on))
    });
    let _ = waiver_used;

    let checks = registry
        .checks
        .iter()
        .map(|c| CheckInfo {
            id: c.def.id.clone(),
            title: c.def.title.clone(),
            family: c.def.family.clone(),
            severity: severity_of(c),
            default_severity: Some(c.def.severity),
            rationale: c.def.rationale.clone(),
            remediation: c.def.remediation.clone(),
            references: c.def.references.clone(),
            requirements: c.def.requirements.clone(),
            origin: c.def.origin.clone(),
        })
        .collect();

    Report {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: "palisade".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        organisation: inv.organisation.name.clone(),
        as_of: ctx.as_of.to_string(),
        summary,
        checks,
        results,
        impersonation: Vec::new(),
        regressions: Vec::new(),
        accounts,
        scores,
        waivers,
        sources: Vec::new(),
        defensive_registrations: Vec::new(),
        meta: AuditMeta {
            inventory: inv.path.clone(),
            inventory_sha256: inv.digest.clone(),
            checks_run: registry.checks.len(),
            online: false,
            baseline: None,
        },
    }
}
