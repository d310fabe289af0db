//! Runs every check on every account in scope and assembles the results model: one result per
//! (check, account) pair, severity overrides, waivers, scores, sorted for byte-identical output.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde_json::{json, Value};

use super::cel_rule;
use super::context::Context;
use super::definition::{PlatformSteps, Scope};
use super::memo::{Cached, Memo};
use super::outcome::Outcome;
use super::registry::{Check, Compiledlogic, Registry};
use crate::model::results::*;
use crate::model::{Account, AccountStatus, ControlPlane, Platform, Severity};

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
    let mut evidence = serde_json::Map::with_capacity(rule.requires.len());
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

/// Whom a result is about: an account or a control plane (by index in the inventory), or the
/// organisation.
#[derive(Clone, Copy)]
enum Subject {
    Account(u32),
    Plane(u32),
    Organisation,
}

/// Below this many accounts a second thread costs more than it saves.
const ACCOUNTS_PER_THREAD: usize = 500;

/// Accounts a worker runs before handing their results over.
const BATCH_ACCOUNTS: usize = 64;

/// What every batch of accounts needs, worked out once per audit: the account-scoped checks
/// and the account fields their CEL expressions read.
struct Plan<'r> {
    account_checks: Vec<(usize, &'r Check)>,
    needs_cel: bool,
    fields: Option<std::collections::BTreeSet<String>>,
    /// Per account check, the paths its outcome depends on (see `memo`); `None`: not memoised.
    memo_paths: Vec<Option<Vec<String>>>,
    /// Per account check, the paths its CEL reads, none a prefix of another; `None`: the whole
    /// account.
    cel_paths: Vec<Option<Vec<String>>>,
}

impl<'r> Plan<'r> {
    /// `shortcuts: false` gives the reference evaluation: no memo, and every rule sees the
    /// whole account.
    fn new(registry: &'r Registry, shortcuts: bool) -> Self {
        let account_checks: Vec<(usize, &Check)> = registry.in_scope(Scope::Account).collect();
        let needs_cel = account_checks.iter().any(|(_, c)| {
            matches!(c.logic, Compiledlogic::Rule { .. }) || c.applies_when.is_some()
        });
        let fields = cel_rule::account_fields(account_checks.iter().flat_map(|(_, c)| programs(c)));
        let (mut memo_paths, mut cel_paths) = (Vec::new(), Vec::new());
        for (_, c) in &account_checks {
            let programs = programs(c);
            let read = (shortcuts && !programs.is_empty())
                .then(|| cel_rule::account_paths(programs))
                .flatten();
            memo_paths.push(read.clone().map(|mut paths| {
                if let super::definition::Logic::Rule(rule) = &c.def.logic {
                    paths.extend(rule.requires.iter().cloned());
                }
                paths.into_iter().collect()
            }));
            cel_paths.push(read.map(|paths| {
                let mut kept: Vec<String> = Vec::with_capacity(paths.len());
                // Sorted, so a path comes after any path it lies under.
                for p in paths {
                    let under = kept.iter().any(|k| {
                        p.strip_prefix(k.as_str())
                            .is_some_and(|r| r.starts_with('.'))
                    });
                    if !under {
                        kept.push(p);
                    }
                }
                kept
            }));
        }
        Plan {
            account_checks,
            needs_cel,
            fields,
            memo_paths,
            cel_paths,
        }
    }

    /// A worker's memo (it memoises nothing in the reference evaluation: no paths).
    fn memo(&self) -> Memo {
        Memo::new(self.memo_paths.len())
    }

    /// The CEL root scope, one per thread (it is not shared across threads).
    fn root(&self, registry: &Registry, ctx: &Context) -> Option<cel::Context<'static, 'static>> {
        self.needs_cel
            .then(|| cel_rule::root_context(registry.env.clone(), ctx.inventory, ctx.as_of))
    }
}

/// The CEL expressions of a check: its rule's and its `applies_when`.
fn programs(c: &Check) -> Vec<&cel_rule::Compiled> {
    let rule: Vec<&cel_rule::Compiled> = match &c.logic {
        Compiledlogic::Rule {
            fail_when,
            message,
            pass_message,
        } => [Some(fail_when), Some(message), pass_message.as_ref()]
            .into_iter()
            .flatten()
            .collect(),
        Compiledlogic::Native(_) => Vec::new(),
    };
    rule.into_iter().chain(c.applies_when.as_ref()).collect()
}

/// Runs the catalogue: results (status before waivers) in inventory order, with whom each is
/// about. Accounts are independent, so large inventories are split across threads; the order
/// of the output does not depend on the split.
fn run_checks(
    registry: &Registry,
    ctx: &Context,
    severities: &[Severity],
    memoise: bool,
) -> (Vec<CheckResult>, Vec<Subject>) {
    let accounts = &ctx.inventory.accounts;
    let threads = crate::cores()
        .min(accounts.len() / ACCOUNTS_PER_THREAD)
        .max(1);
    let plan = Plan::new(registry, memoise);
    let total = accounts.len() * plan.account_checks.len() + registry.checks.len();
    let mut results = Vec::with_capacity(total);
    let mut subjects = Vec::with_capacity(total);
    if threads == 1 {
        let root = plan.root(registry, ctx);
        let mut memo = plan.memo();
        let (r, s) = run_accounts(
            &plan,
            root.as_ref(),
            &mut memo,
            ctx,
            severities,
            0,
            accounts,
        );
        results.extend(r);
        subjects.extend(s);
    } else {
        // Workers send small batches that are moved into the one final vector as they come, so
        // no thread's share of 10^5 results sits beside a copy of it. Arrival order does not
        // matter: results are sorted afterwards on keys that identify them.
        let chunk = accounts.len().div_ceil(threads).max(1);
        std::thread::scope(|scope| {
            let (tx, rx) = std::sync::mpsc::sync_channel(4 * threads);
            let handles: Vec<_> = accounts
                .chunks(chunk)
                .enumerate()
                .map(|(n, part)| {
                    let tx = tx.clone();
                    let plan = &plan;
                    scope.spawn(move || {
                        let root = plan.root(registry, ctx);
                        let mut memo = plan.memo();
                        for (b, batch) in part.chunks(BATCH_ACCOUNTS).enumerate() {
                            let first = n * chunk + b * BATCH_ACCOUNTS;
                            let out = run_accounts(
                                plan,
                                root.as_ref(),
                                &mut memo,
                                ctx,
                                severities,
                                first,
                                batch,
                            );
                            if tx.send(out).is_err() {
                                return;
                            }
                        }
                    })
                })
                .collect();
            drop(tx);
            for (r, s) in rx {
                results.extend(r);
                subjects.extend(s);
            }
            for h in handles {
                // A panicking check is a bug: let it reach main's handler as one.
                if let Err(panic) = h.join() {
                    std::panic::resume_unwind(panic);
                }
            }
        });
    }
    // Control planes are few (a handful per organisation): one thread, no memo.
    let plane_checks: Vec<(usize, &Check)> = registry.in_scope(Scope::ControlPlane).collect();
    let plane_root = (!ctx.inventory.control_planes.is_empty()
        && plane_checks.iter().any(|(_, c)| !programs(c).is_empty()))
    .then(|| cel_rule::root_context(registry.env.clone(), ctx.inventory, ctx.as_of));
    for (p, plane) in ctx.inventory.control_planes.iter().enumerate() {
        let subject = Subject::Plane(u32::try_from(p).unwrap_or(u32::MAX));
        for &(i, check) in &plane_checks {
            let outcome = plane_outcome(check, plane_root.as_ref(), ctx, plane);
            results.push(result(check, severities[i], &plane.id, outcome));
            subjects.push(subject);
        }
    }
    for (i, check) in registry.in_scope(Scope::Organisation) {
        let outcome = match &check.logic {
            Compiledlogic::Native(n) => match n.organisation {
                Some(f) => f(ctx),
                None => {
                    Outcome::error("internal: the native check has no organisation-level function")
                }
            },
            Compiledlogic::Rule { .. } => {
                Outcome::error("an organisation-level check must be a native organisation check")
            }
        };
        results.push(result(check, severities[i], ORGANISATION, outcome));
        subjects.push(Subject::Organisation);
    }
    (results, subjects)
}

/// One check on one control plane: its native plane function, or its rule with the plane as
/// `plane` (the `requires` paths are read under the plane).
fn plane_outcome(
    check: &Check,
    root: Option<&cel::Context<'static, 'static>>,
    ctx: &Context,
    plane: &ControlPlane,
) -> Outcome {
    if let (Compiledlogic::Native(n), None) = (&check.logic, &check.applies_when) {
        return match n.plane {
            Some(f) => f(ctx, plane),
            None => Outcome::error("internal: the native check has no control-plane function"),
        };
    }
    let Some(root) = root else {
        return Outcome::error("internal: rule without an evaluation scope");
    };
    let view = serde_json::to_value(plane).unwrap_or(Value::Null);
    let mut scope = root.new_inner_scope();
    let _ = scope.add_variable("plane", cel::to_value(&view).unwrap_or(cel::Value::Null));
    match applies(check, &scope) {
        Ok(true) => match &check.logic {
            Compiledlogic::Rule { .. } => rule_outcome(check, &view, &scope),
            Compiledlogic::Native(n) => match n.plane {
                Some(f) => f(ctx, plane),
                None => Outcome::error("internal: the native check has no control-plane function"),
            },
        },
        other => not_applied(check, other),
    }
}

fn result(check: &Check, severity: Severity, account_id: &str, outcome: Outcome) -> CheckResult {
    let (status, message, evidence) = parts(outcome);
    result_of(check, severity, account_id, status, message, evidence)
}

/// An outcome as a result holds it.
fn parts(outcome: Outcome) -> (Status, String, Evidence) {
    let evidence = Evidence::from_value(&outcome.evidence);
    (outcome.status, outcome.message, evidence)
}

/// The outcome of a check whose `applies_when` did not say yes.
fn not_applied(check: &Check, applies: Result<bool, String>) -> Outcome {
    match applies {
        Err(e) => Outcome::error(format!("applicability could not be evaluated: {e}")),
        Ok(_) => not_applicable(check),
    }
}

fn result_of(
    check: &Check,
    severity: Severity,
    account_id: &str,
    status: Status,
    mut message: String,
    evidence: Evidence,
) -> CheckResult {
    // A message built by `format!` keeps the spare room of its growth; kept per result, that
    // room was tens of megabytes of a 10,000-account audit.
    message.shrink_to_fit();
    CheckResult {
        check_id: check.def.id.clone(),
        account_id: account_id.to_owned(),
        status,
        severity,
        message,
        evidence,
        waiver: None,
        change: None,
        remediation: None,
    }
}

/// The CEL scope of one account: `account` holds the fields the rules read.
fn account_scope<'r>(
    root: &'r cel::Context<'static, 'static>,
    fields: Option<&std::collections::BTreeSet<String>>,
    view: &Value,
) -> cel::Context<'r, 'static> {
    let mut s = root.new_inner_scope();
    let value = match (fields, view) {
        (Some(fields), Value::Object(all)) => {
            let read: serde_json::Map<String, Value> = fields
                .iter()
                .filter_map(|f| all.get(f).map(|v| (f.clone(), v.clone())))
                .collect();
            cel::to_value(&read)
        }
        _ => cel::to_value(view),
    };
    let _ = s.add_variable("account", value.unwrap_or(cel::Value::Null));
    s
}

/// Runs `f` in a CEL scope where `account` holds what check `slot` reads: only its paths when
/// they are known (a check the memo could not answer needs a few values, and converting the
/// whole account for it was most of the engine's time), else `whole`, built once per account.
fn with_scope<'r, T>(
    root: &'r cel::Context<'static, 'static>,
    plan: &Plan,
    slot: usize,
    view: &Value,
    whole: &mut Option<cel::Context<'r, 'static>>,
    f: impl FnOnce(&cel::Context) -> T,
) -> T {
    match plan.cel_paths[slot].as_deref() {
        Some(paths) => {
            let mut s = root.new_inner_scope();
            let projected = cel::to_value(project(view, paths));
            let _ = s.add_variable("account", projected.unwrap_or(cel::Value::Null));
            f(&s)
        }
        None => f(whole.get_or_insert_with(|| account_scope(root, plan.fields.as_ref(), view))),
    }
}

/// The part of `view` on `paths`, nested as in `view` (a path under another adds nothing).
/// What a rule sees through it is what it would see in the whole account: it reads nothing else.
fn project(view: &Value, paths: &[String]) -> Value {
    fn insert(out: &mut serde_json::Map<String, Value>, from: &Value, path: &str) {
        let (head, rest) = match path.split_once('.') {
            Some((h, r)) => (h, Some(r)),
            None => (path, None),
        };
        let Some(v) = from.as_object().and_then(|m| m.get(head)) else {
            return;
        };
        match (rest, v) {
            (Some(rest), Value::Object(_)) => {
                let entry = out
                    .entry(head)
                    .or_insert_with(|| Value::Object(serde_json::Map::new()));
                if let Value::Object(m) = entry {
                    insert(m, v, rest);
                }
            }
            _ => {
                out.insert(head.to_owned(), v.clone());
            }
        }
    }
    let mut out = serde_json::Map::new();
    for p in paths {
        insert(&mut out, view, p);
    }
    Value::Object(out)
}

/// Runs the account-scoped checks on `accounts`, the first of which is account number `first`.
fn run_accounts(
    plan: &Plan,
    root: Option<&cel::Context<'static, 'static>>,
    memo: &mut Memo,
    ctx: &Context,
    severities: &[Severity],
    first: usize,
    accounts: &[Account],
) -> (Vec<CheckResult>, Vec<Subject>) {
    let account_checks = &plan.account_checks;
    let mut results = Vec::with_capacity(accounts.len() * account_checks.len());
    let mut subjects = Vec::with_capacity(accounts.len() * account_checks.len());
    for (n, account) in accounts.iter().enumerate() {
        let subject = Subject::Account(u32::try_from(first + n).unwrap_or(u32::MAX));
        let closed = account.status == AccountStatus::Closed;
        let view = match root {
            Some(_) if !closed => account_view(ctx, account),
            _ => Value::Null,
        };
        // The scope with the whole account (or every field read), for the checks that need it.
        let mut whole = None;
        for (slot, &(i, check)) in account_checks.iter().enumerate() {
            let needs_cel =
                check.applies_when.is_some() || matches!(check.logic, Compiledlogic::Rule { .. });
            let (status, message, evidence) = match root {
                _ if closed => parts(Outcome::skip("the account is closed")),
                Some(root) if needs_cel => {
                    let paths = plan.memo_paths[slot].as_deref();
                    let cached = memo.recall(slot, paths, &view);
                    match (&check.logic, cached) {
                        (
                            Compiledlogic::Rule { .. },
                            Some(Cached::Outcome {
                                status,
                                message,
                                evidence,
                            }),
                        ) => (status, message, evidence),
                        (Compiledlogic::Rule { .. }, _) => {
                            let outcome =
                                with_scope(root, plan, slot, &view, &mut whole, |s| match applies(
                                    check, s,
                                ) {
                                    Ok(true) => rule_outcome(check, &view, s),
                                    other => not_applied(check, other),
                                });
                            let (status, message, evidence) = parts(outcome);
                            memo.remember(slot, paths, || Cached::Outcome {
                                status,
                                message: message.clone(),
                                evidence: evidence.clone(),
                            });
                            (status, message, evidence)
                        }
                        (Compiledlogic::Native(n), cached) => {
                            let applicable = match cached {
                                Some(Cached::Applies(a)) => a,
                                _ => {
                                    let a = with_scope(root, plan, slot, &view, &mut whole, |s| {
                                        applies(check, s)
                                    });
                                    memo.remember(slot, paths, || Cached::Applies(a.clone()));
                                    a
                                }
                            };
                            parts(match applicable {
                                Ok(true) => native(n, ctx, account),
                                other => not_applied(check, other),
                            })
                        }
                    }
                }
                _ => parts(match &check.logic {
                    Compiledlogic::Native(n) => native(n, ctx, account),
                    Compiledlogic::Rule { .. } => {
                        Outcome::error("internal: rule without an evaluation scope")
                    }
                }),
            };
            results.push(result_of(
                check,
                severities[i],
                &account.id,
                status,
                message,
                evidence,
            ));
            subjects.push(subject);
        }
    }
    (results, subjects)
}

fn native(n: &crate::engine::NativeCheck, ctx: &Context, account: &Account) -> Outcome {
    match n.account {
        Some(f) => f(ctx, account),
        None => Outcome::error("internal: the native check has no account function"),
    }
}

/// The JSON view of an account that CEL rules read; evidence gathered online overrides the
/// declared `listed_on_website` (the published page is the truth when it was read).
pub fn account_view(ctx: &Context, account: &Account) -> Value {
    let mut v = serde_json::to_value(account).unwrap_or(Value::Null);
    if let crate::model::evidence::PageListing::Error(_) = ctx.page_listing(&account.id) {
        // The page was to be read and could not be: BRAND-02 must say so, not trust the flag.
        v["listed_on_website"] = Value::String("unknown".into());
    } else if let Some(listed) = ctx.listed_override(&account.id) {
        v["listed_on_website"] = Value::String(if listed { "true" } else { "false" }.into());
    }
    v
}

/// The platform catalogue's steps that fix a finding on the account's platform, with their
/// source, or `None` where the catalogue has none.
fn platform_steps(
    ctx: &Context,
    account: &Account,
    which: super::definition::PlatformSteps,
) -> Option<Box<str>> {
    use super::definition::PlatformSteps;
    let f = ctx.platform(account.platform)?;
    let (steps, source, extra) = match which {
        PlatformSteps::TwoFactor => {
            let offered: Vec<&str> = f.two_factor.methods.iter().map(|m| m.as_str()).collect();
            (
                f.two_factor.steps.as_deref()?,
                &f.two_factor.source,
                format!("; {} offers: {}", f.name, offered.join(", ")),
            )
        }
        PlatformSteps::LoginAlerts => (
            f.login_alerts.steps.as_deref()?,
            &f.login_alerts.source,
            String::new(),
        ),
        PlatformSteps::ImpersonationReport => (
            f.impersonation_report
                .steps
                .as_deref()
                .unwrap_or(f.impersonation_report.url.as_str()),
            &f.impersonation_report.source,
            format!("; report at {}", f.impersonation_report.url),
        ),
    };
    Some(
        format!(
            "On {}: {steps}{extra} (source: {}, checked {})",
            f.name, source.url, source.checked
        )
        .into_boxed_str(),
    )
}

/// Reorders `items` so that position `p` holds what was at `order[p]`, in place (no second copy
/// of 350,000 results).
fn permute<T>(items: &mut [T], order: &[u32]) {
    let mut done = vec![false; items.len()];
    for start in 0..items.len() {
        if done[start] {
            continue;
        }
        // Follow the cycle through `start`: each position takes the item from `order[pos]`.
        let mut pos = start;
        loop {
            done[pos] = true;
            let from = order[pos] as usize;
            if from == start || done[from] {
                break;
            }
            items.swap(pos, from);
            pos = from;
        }
    }
}

/// The position of each string in sorted order (equal strings share a rank).
fn ranks<'s>(items: impl Iterator<Item = &'s str>) -> Vec<u32> {
    let items: Vec<&str> = items.collect();
    let mut sorted = items.clone();
    sorted.sort_unstable();
    sorted.dedup();
    items
        .iter()
        .map(|s| u32::try_from(sorted.binary_search(s).unwrap_or(0)).unwrap_or(u32::MAX))
        .collect()
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
    run_with(registry, ctx, true)
}

/// [`run`] evaluating every rule afresh for every account, on the whole account: the reference
/// that tests hold the memo and the per-check projections to.
pub fn run_without_memo(registry: &Registry, ctx: &Context) -> Report {
    run_with(registry, ctx, false)
}

fn run_with(registry: &Registry, ctx: &Context, memoise: bool) -> Report {
    let inv = ctx.inventory;
    let severity_of = |c: &Check| {
        inv.policy
            .severity_overrides
            .get(&c.def.id)
            .copied()
            .unwrap_or(c.def.severity)
    };
    let severities: Vec<Severity> = registry.checks.iter().map(severity_of).collect();
    let (mut results, subjects) = run_checks(registry, ctx, &severities, memoise);

    let mut subject_ids: Vec<&str> = inv.accounts.iter().map(|a| a.id.as_str()).collect();
    subject_ids.extend(inv.control_planes.iter().map(|p| p.id.as_str()));
    subject_ids.push(ORGANISATION);
    let planes_from = inv.accounts.len();
    let subject_index = |s: Subject| match s {
        Subject::Account(a) => a as usize,
        Subject::Plane(p) => planes_from + p as usize,
        Subject::Organisation => subject_ids.len() - 1,
    };
    // Results are sorted by (severity, check id, account id). The sort runs on one integer
    // key per result, from ranks computed once, not on the strings of 10^5 results; an account
    // whose id is `organisation` comes before the organisation's own result, as it always has.
    let check_rank = ranks(registry.checks.iter().map(|c| c.def.id.as_str()));
    let subject_order: Vec<u64> = {
        let mut by_id: Vec<usize> = (0..subject_ids.len()).collect();
        by_id.sort_by_key(|&s| (subject_ids[s], s));
        let mut order = vec![0u64; subject_ids.len()];
        for (pos, s) in by_id.into_iter().enumerate() {
            order[s] = pos as u64;
        }
        order
    };
    let sort_key = |severity: Severity, check: usize, subject: usize| -> u64 {
        (u64::from(severity_rank(severity)) << 62)
            | (u64::from(check_rank[check]) << 32)
            | subject_order[subject]
    };
    let check_index: std::collections::HashMap<&str, usize> = registry
        .checks
        .iter()
        .enumerate()
        .map(|(i, c)| (c.def.id.as_str(), i))
        .collect();
    let families_list: Vec<&str> = {
        let mut f: Vec<&str> = registry
            .checks
            .iter()
            .map(|c| c.def.family.as_str())
            .collect();
        f.sort_unstable();
        f.dedup();
        f
    };
    let family_of: Vec<usize> = registry
        .checks
        .iter()
        .map(|c| {
            families_list
                .binary_search(&c.def.family.as_str())
                .unwrap_or(0)
        })
        .collect();

    let mut waiver_matched = vec![false; inv.waivers.len()];
    let mut summary = Summary {
        accounts: inv.accounts.len(),
        ..Default::default()
    };
    let mut org = Tally::default();
    let mut family_tally = vec![Tally::default(); families_list.len()];
    // Per subject, per family; `None` where the subject had no result in the family.
    let mut subject_tally: Vec<(Option<Tally>, Vec<Option<Tally>>)> =
        vec![(None, vec![None; families_list.len()]); subject_ids.len()];
    let mut keys: Vec<u64> = Vec::with_capacity(results.len());
    let mut steps_text: HashMap<(Platform, PlatformSteps), Option<Arc<str>>> = HashMap::new();
    for (r, subject) in results.iter_mut().zip(subjects) {
        let i = check_index.get(r.check_id.as_str()).copied().unwrap_or(0);
        if let (Some(steps), Subject::Account(a), true) = (
            registry.checks[i].def.platform_steps,
            subject,
            r.status.is_problem(),
        ) {
            r.remediation = inv.accounts.get(a as usize).and_then(|acc| {
                steps_text
                    .entry((acc.platform, steps))
                    .or_insert_with(|| platform_steps(ctx, acc, steps).map(Arc::from))
                    .clone()
            });
        }
        let subject = subject_index(subject);
        for (w_i, w) in inv.waivers.iter().enumerate() {
            if !w.check.eq_ignore_ascii_case(&r.check_id)
                || !(w.account == "*" || w.account == r.account_id)
            {
                continue;
            }
            waiver_matched[w_i] = true;
            if r.status.is_problem() && w.expires_on >= ctx.as_of && r.waiver.is_none() {
                r.waiver = Some(Box::new(WaiverApplied {
                    reason: w.reason.clone(),
                    approved_by: w.approved_by.clone(),
                    expires_on: w.expires_on.to_string(),
                    ticket: w.ticket.clone(),
                    status_before: r.status,
                }));
            }
        }
        if r.waiver.is_some() {
            r.status = Status::Waived;
        }
        summary.count(r.status, r.severity);
        let w = r.severity.weight();
        org.add(r.status, w);
        let fam = family_of[i];
        family_tally[fam].add(r.status, w);
        keys.push(sort_key(r.severity, i, subject));
        let (total, fams) = &mut subject_tally[subject];
        total.get_or_insert_with(Tally::default).add(r.status, w);
        fams[fam]
            .get_or_insert_with(Tally::default)
            .add(r.status, w);
    }

    let mut order: Vec<u32> = (0..u32::try_from(results.len()).unwrap_or(u32::MAX)).collect();
    order.sort_unstable_by_key(|&n| keys[n as usize]);
    drop(keys);
    permute(&mut results, &order);
    summary.score = org.score();

    let mut families: BTreeMap<String, Option<f64>> = BTreeMap::new();
    for (f, name) in families_list.iter().enumerate() {
        families.insert((*name).to_owned(), family_tally[f].score());
    }
    let scores = Scores {
        families,
        accounts: subject_tally
            .iter()
            .enumerate()
            .filter(|(_, (total, _))| total.is_some())
            .map(|(s_idx, (_, fams))| {
                (
                    subject_ids[s_idx].to_owned(),
                    fams.iter()
                        .enumerate()
                        .filter_map(|(f, t)| t.map(|t| (families_list[f].to_owned(), t.score())))
                        .collect(),
                )
            })
            .collect(),
    };
    let account_score = |a: usize| subject_tally[a].0.and_then(|t| t.score());
    let accounts = inv
        .accounts
        .iter()
        .enumerate()
        .map(|(a_idx, a)| AccountInfo {
            id: a.id.clone(),
            platform: a.platform.as_str().to_owned(),
            handle: a.handle.clone(),
            display_name: a.display_name.clone(),
            owner: a.owner.clone(),
            status: a.status.as_str().to_owned(),
            line: a.loc.line,
            score: account_score(a_idx),
        })
        .collect();
    let control_planes = inv
        .control_planes
        .iter()
        .enumerate()
        .map(|(p, plane)| PlaneInfo {
            id: plane.id.clone(),
            kind: plane.kind.map(|k| k.as_str().to_owned()),
            name: plane.name.clone(),
            accounts: plane.accounts.clone(),
            line: plane.loc.line,
            score: account_score(planes_from + p),
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
        control_planes,
        scores,
        waivers,
        sources: Vec::new(),
        defensive_registrations: Vec::new(),
        lookalike_coverage: Vec::new(),
        meta: AuditMeta {
            inventory: inv.path.clone(),
            inventory_sha256: inv.digest.clone(),
            checks_run: registry.checks.len(),
            online: false,
            baseline: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_projection_keeps_what_the_paths_reach_and_how_they_stop() {
        let view = json!({
            "id": "a",
            "security": {"two_factor": "sms", "login_email": "a@w.uk"},
            "owner": null,
            "access": [{"person": "p"}],
        });
        let paths: Vec<String> = ["access", "owner.name", "security.two_factor", "security.x"]
            .iter()
            .map(|p| p.to_string())
            .collect();
        assert_eq!(
            project(&view, &paths),
            json!({
                "access": [{"person": "p"}],
                "owner": null,
                "security": {"two_factor": "sms"},
            })
        );
    }

    #[test]
    fn permute_matches_a_copying_reorder() {
        let mut seed = 7u64;
        for n in [0usize, 1, 2, 3, 10, 257] {
            let mut order: Vec<u32> = (0..n as u32).collect();
            // A deterministic shuffle (Fisher–Yates on a linear congruential generator).
            for i in (1..n).rev() {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                order.swap(i, (seed >> 33) as usize % (i + 1));
            }
            let items: Vec<usize> = (0..n).map(|x| x * 10).collect();
            let expected: Vec<usize> = order.iter().map(|&o| items[o as usize]).collect();
            let mut got = items.clone();
            permute(&mut got, &order);
            assert_eq!(got, expected, "n = {n}");
        }
    }

    #[test]
    fn ranks_follow_string_order() {
        assert_eq!(ranks(["b", "a", "c", "a"].into_iter()), vec![1, 0, 2, 0]);
    }
}
