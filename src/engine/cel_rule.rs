//! Declarative rules: CEL expressions (through the `cel` crate) over a JSON view of an account.
//!
//! Variables: `account` (the account as in the inventory, absent fields `null`), `policy`,
//! `organisation`, `as_of` (YYYY-MM-DD). Functions: `days_since(date)` (whole days to the as-of
//! date), `org_email(address)` (on an organisation domain and not a consumer mail domain),
//! `two_factor_rank(method)` (passkey = security_key 5 > authenticator_app 4 > sms 3 > email 2 >
//! none 1; 0 for anything else).
//!
//! Custom checks are shared between organisations, so a rule is treated as hostile input. When
//! it is loaded, its size and nesting are bounded ([`MAX_EXPR_BYTES`], [`MAX_EXPR_DEPTH`]): the
//! parser and the evaluator recurse, and a rule of 8,000 `+` terms overflowed the stack. A panic
//! of the parser is reported as an error in the rule. When it runs, every turn of a loop
//! (`all`, `exists`, `exists_one`, `map`, `filter`) costs a step, and an evaluation that takes
//! more than [`EVAL_BUDGET_STEPS`] stops with [`BUDGET_EXCEEDED`]: ten nested `all()` over short
//! lists never finished. Steps, not time, so that the outcome is the same on every machine.

use std::cell::Cell;
use std::sync::Arc;

use cel::common::ast::{operators, CallExpr, ComprehensionExpr, Expr as CelExpr};
use cel::objects::Value as CelValue;
use cel::{Context as CelContext, Env, ExecutionError, IdedExpr};
use jiff::civil::Date;
use serde_json::Value;

use super::definition::Expr;
use crate::error::{Code, Diagnostic};
use crate::model::{Inventory, TwoFactor};

/// The longest expression a check may hold, in bytes. The built-in ones are under 400.
pub const MAX_EXPR_BYTES: usize = 4096;

/// How deep an expression's syntax tree may nest (brackets, operators, calls). The built-in
/// ones nest less than 16 deep (a test checks it).
pub const MAX_EXPR_DEPTH: usize = 48;

/// Loop turns one evaluation may take: a few hundred times what a rule over an account's
/// access list, apps and sessions needs, and a few milliseconds of work.
pub const EVAL_BUDGET_STEPS: u64 = 100_000;

/// The error of an evaluation that ran out of steps.
pub const BUDGET_EXCEEDED: &str = "rule exceeded its evaluation budget";

/// The function every loop turn calls (see [`count_steps`]).
const STEP: &str = "__palisade_step";

thread_local! {
    /// Steps taken by the evaluation running on this thread.
    static STEPS: Cell<u64> = const { Cell::new(0) };
}

/// A compiled expression and where it came from (for runtime error messages).
pub struct Compiled {
    expr: IdedExpr,
    pub source: String,
}

impl Compiled {
    /// The syntax tree (loops include the step counting added at load).
    pub fn expression(&self) -> &IdedExpr {
        &self.expr
    }
}

pub fn env() -> Arc<Env> {
    Arc::new(Env::stdlib())
}

/// Compiles an expression, or a located diagnostic.
pub fn compile(env: &Env, file: &str, e: &Expr) -> Result<Compiled, Diagnostic> {
    let bad = |message: String| Diagnostic {
        code: Code::BadCheck,
        file: file.to_owned(),
        line: e.loc.line,
        column: e.loc.column,
        message,
        snippet: None,
    };
    let source = &e.source;
    if source.len() > MAX_EXPR_BYTES {
        return Err(bad(format!(
            "the expression is {} bytes long; a check's expression may have at most {MAX_EXPR_BYTES}",
            source.len()
        )));
    }
    let nesting = bracket_depth(source);
    if nesting > MAX_EXPR_DEPTH {
        return Err(bad(format!(
            "the expression nests brackets {nesting} deep; a check's expression may nest at most {MAX_EXPR_DEPTH}"
        )));
    }
    let parsed = crate::error::contain_panic(|| env.parser().parse(source)).ok_or_else(|| {
        bad("the CEL parser failed on this expression (a fault of the `cel` crate, reported upstream); write it another way".into())
    })?;
    let mut expr = parsed.map_err(|errs| {
        // The `cel` crate's own Display of an error panics past column 65,535; the parts are
        // formatted here instead.
        let first = errs.errors.first().map_or_else(
            || "invalid expression".to_owned(),
            |err| format!("ERROR: <input>:{}:{}: {}", err.pos.0, err.pos.1, err.msg),
        );
        Diagnostic {
            snippet: Some(source.clone()),
            ..bad(format!("invalid CEL expression: {first}"))
        }
    })?;
    let depth = tree_depth(&expr);
    if depth > MAX_EXPR_DEPTH {
        return Err(bad(format!(
            "the expression nests {depth} operations deep (a chain of `+`, `&&` or `||` counts one per term); a check's expression may nest at most {MAX_EXPR_DEPTH}"
        )));
    }
    count_steps(&mut expr);
    Ok(Compiled {
        expr,
        source: source.clone(),
    })
}

/// The deepest nesting of `(`, `[` and `{` outside string literals: a cheap bound checked
/// before the parser, which recurses on them.
fn bracket_depth(source: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    let mut chars = source.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '(' | '[' | '{' => {
                depth += 1;
                max = max.max(depth);
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            '"' | '\'' => {
                // A string: skip to its closing quote (escapes included); triple quotes are
                // three strings to this scan, which is as good for a bound.
                while let Some(d) = chars.next() {
                    if d == '\\' {
                        chars.next();
                    } else if d == c {
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    max
}

/// The expressions of map or struct entries.
fn entry_children(entries: &[cel::common::ast::IdedEntryExpr]) -> Vec<&IdedExpr> {
    use cel::common::ast::EntryExpr;
    entries
        .iter()
        .flat_map(|x| match &x.expr {
            EntryExpr::MapEntry(me) => vec![&me.key, &me.value],
            EntryExpr::StructField(f) => vec![&f.value],
        })
        .collect()
}

/// The children of a node of the syntax tree.
fn children(e: &IdedExpr) -> Vec<&IdedExpr> {
    match &e.expr {
        CelExpr::Call(c) => c.target.as_deref().into_iter().chain(&c.args).collect(),
        CelExpr::Comprehension(c) => vec![
            &c.iter_range,
            &c.accu_init,
            &c.loop_cond,
            &c.loop_step,
            &c.result,
        ],
        CelExpr::List(l) => l.elements.iter().collect(),
        CelExpr::Map(m) => entry_children(&m.entries),
        CelExpr::Struct(s) => entry_children(&s.entries),
        CelExpr::Select(s) => vec![&s.operand],
        CelExpr::Ident(_) | CelExpr::Literal(_) | CelExpr::Unspecified => Vec::new(),
    }
}

/// The depth of the syntax tree, walked without recursion (the tree is not bounded yet).
fn tree_depth(root: &IdedExpr) -> usize {
    let mut max = 0;
    let mut stack = vec![(root, 1usize)];
    while let Some((e, d)) = stack.pop() {
        max = max.max(d);
        stack.extend(children(e).into_iter().map(|c| (c, d + 1)));
    }
    max
}

/// A call of the step function: `true`, or the budget error once the budget is spent.
fn step_call(id: u64) -> IdedExpr {
    IdedExpr {
        id,
        expr: CelExpr::Call(CallExpr {
            func_name: STEP.to_owned(),
            target: None,
            args: Vec::new(),
        }),
    }
}

/// `step() ? then : otherwise`, with `id` for each node made.
fn after_step(id: u64, then: IdedExpr, otherwise: CelExpr) -> IdedExpr {
    IdedExpr {
        id,
        expr: CelExpr::Call(CallExpr {
            func_name: operators::CONDITIONAL.to_owned(),
            target: None,
            args: vec![
                step_call(id),
                then,
                IdedExpr {
                    id,
                    expr: otherwise,
                },
            ],
        }),
    }
}

/// `step() ? e : false`: the step is taken first, and its error cannot be absorbed the way
/// `error && false` is.
fn guarded(e: IdedExpr) -> IdedExpr {
    let id = e.id;
    after_step(
        id,
        e,
        CelExpr::Literal(cel::common::ast::LiteralValue::Boolean(false.into())),
    )
}

/// Makes every loop turn of every comprehension in `e` take a step. Where the `cel` crate
/// builds a `map`/`filter` result in place (its loop condition a literal, its step
/// `@result + [x]`, maybe guarded), the step goes into the guard so that stays; elsewhere it
/// goes into the loop condition, which an error ends at once.
fn count_steps(e: &mut IdedExpr) {
    if let CelExpr::Comprehension(c) = &mut e.expr {
        instrument(c);
    }
    match &mut e.expr {
        CelExpr::Call(c) => {
            if let Some(t) = c.target.as_deref_mut() {
                count_steps(t);
            }
            c.args.iter_mut().for_each(count_steps);
        }
        CelExpr::Comprehension(c) => {
            for x in [
                &mut c.iter_range,
                &mut c.accu_init,
                &mut c.loop_cond,
                &mut c.loop_step,
                &mut c.result,
            ] {
                count_steps(x);
            }
        }
        CelExpr::List(l) => l.elements.iter_mut().for_each(count_steps),
        CelExpr::Map(m) => m.entries.iter_mut().for_each(entry_steps),
        CelExpr::Struct(s) => s.entries.iter_mut().for_each(entry_steps),
        CelExpr::Select(s) => count_steps(&mut s.operand),
        CelExpr::Ident(_) | CelExpr::Literal(_) | CelExpr::Unspecified => {}
    }
}

fn entry_steps(x: &mut cel::common::ast::IdedEntryExpr) {
    use cel::common::ast::EntryExpr;
    match &mut x.expr {
        EntryExpr::MapEntry(me) => {
            count_steps(&mut me.key);
            count_steps(&mut me.value);
        }
        EntryExpr::StructField(f) => count_steps(&mut f.value),
    }
}

/// Adds the step to one comprehension (before its parts are instrumented in turn).
fn instrument(c: &mut ComprehensionExpr) {
    let accu = c.accu_var.clone();
    let is_accu = |e: &IdedExpr| matches!(&e.expr, CelExpr::Ident(n) if *n == accu);
    let appends = |e: &IdedExpr| match &e.expr {
        CelExpr::Call(call) if call.func_name == operators::ADD && call.target.is_none() => {
            matches!(call.args.as_slice(), [l, r] if is_accu(l) && matches!(r.expr, CelExpr::List(_)))
        }
        _ => false,
    };
    let in_place = is_accu(&c.result) && matches!(c.loop_cond.expr, CelExpr::Literal(_));
    let id = c.loop_step.id;
    if in_place && appends(&c.loop_step) {
        // `@result + [x]` → `step() ? @result + [x] : @result`
        let step = std::mem::take(&mut c.loop_step);
        c.loop_step = after_step(id, step, CelExpr::Ident(accu.clone()));
        return;
    }
    if in_place {
        if let CelExpr::Call(call) = &mut c.loop_step.expr {
            let guarded_append = call.func_name == operators::CONDITIONAL
                && call.target.is_none()
                && matches!(call.args.as_slice(), [_, s, o] if appends(s) && is_accu(o));
            if guarded_append {
                let guard = std::mem::take(&mut call.args[0]);
                call.args[0] = guarded(guard);
                return;
            }
        }
    }
    let cond = std::mem::take(&mut c.loop_cond);
    c.loop_cond = guarded(cond);
}

/// The step function of the root scope.
fn take_step() -> Result<bool, ExecutionError> {
    let n = STEPS.with(|s| {
        let n = s.get().saturating_add(1);
        s.set(n);
        n
    });
    if n > EVAL_BUDGET_STEPS {
        Err(ExecutionError::function_error(STEP, BUDGET_EXCEEDED))
    } else {
        Ok(true)
    }
}

/// Evaluates `p` within the step budget.
fn execute(p: &Compiled, cx: &CelContext) -> Result<CelValue, String> {
    STEPS.with(|s| s.set(0));
    let out = CelValue::resolve(&p.expr, cx);
    // An exhausted budget wins over whatever the rule made of the error (`error || true`).
    if STEPS.with(|s| s.get()) > EVAL_BUDGET_STEPS {
        return Err(format!(
            "{BUDGET_EXCEEDED} ({EVAL_BUDGET_STEPS} loop steps)"
        ));
    }
    out.map_err(|e| format!("`{}` could not be evaluated: {e}", p.source))
}

/// The root scope shared by every account: functions and audit-wide variables.
pub fn root_context(env: Arc<Env>, inv: &Inventory, as_of: Date) -> CelContext<'static, 'static> {
    let mut cx = CelContext::with_env(env);
    let policy = policy_view(inv);
    let _ = cx.add_variable("policy", cel::to_value(&policy).unwrap_or(CelValue::Null));
    let _ = cx.add_variable(
        "organisation",
        cel::to_value(&inv.organisation).unwrap_or(CelValue::Null),
    );
    let _ = cx.add_variable("as_of", as_of.to_string());
    let _ = cx.add_function("days_since", move |d: Arc<String>| -> i64 {
        match d.parse::<Date>() {
            Ok(date) => super::context::days_between(date, as_of),
            // Dates are validated on load; a rule fed something else gets a day count that fails loudly.
            Err(_) => i64::MAX,
        }
    });
    let org = inv.organisation.clone();
    let personal = inv.policy.personal_email_domains.clone();
    let _ = cx.add_function("org_email", move |e: Arc<String>| -> bool {
        crate::model::is_org_email(&org, &personal, &e)
    });
    let _ = cx.add_function(STEP, take_step);
    let _ = cx.add_function("two_factor_rank", |m: Arc<String>| -> i64 {
        TwoFactor::parse(&m)
            .and_then(TwoFactor::rank)
            .map(i64::from)
            .unwrap_or(0)
    });
    cx
}

fn policy_view(inv: &Inventory) -> Value {
    let p = &inv.policy;
    serde_json::json!({
        "min_two_factor": p.min_two_factor.as_str(),
        "max_password_age_days": p.max_password_age_days,
        "min_password_score": p.min_password_score,
        "access_review_interval_days": p.access_review_interval_days,
        "dormant_after_days": p.dormant_after_days,
        "stale_app_after_days": p.stale_app_after_days,
        "stale_session_after_days": p.stale_session_after_days,
        "min_admins": p.min_admins,
        "max_admins": p.max_admins,
        "approved_apps": p.approved_apps,
        "verification_platforms": p.verification_platforms.iter().map(|x| x.as_str()).collect::<Vec<_>>(),
        "personal_email_domains": p.personal_email_domains,
        "max_attestation_age_days": p.max_attestation_age_days,
        "recovery_test_interval_days": p.recovery_test_interval_days,
        "min_audit_log_retention_days": p.min_audit_log_retention_days,
    })
}

/// What a `requires` path holds in the account view: `None` when absent or null, else the value.
pub fn lookup<'v>(view: &'v Value, path: &str) -> Option<&'v Value> {
    let mut cur = view;
    for part in path.split('.') {
        cur = cur.get(part)?;
    }
    (!cur.is_null()).then_some(cur)
}

/// Runs an expression expected to give a boolean.
pub fn eval_bool(p: &Compiled, cx: &CelContext) -> Result<bool, String> {
    match execute(p, cx)? {
        CelValue::Bool(b) => Ok(b),
        other => Err(format!(
            "`{}` gave {:?}, not true or false",
            p.source,
            other.type_of()
        )),
    }
}

/// Runs an expression expected to give text.
pub fn eval_string(p: &Compiled, cx: &CelContext) -> Result<String, String> {
    match execute(p, cx)? {
        CelValue::String(s) => Ok(s.to_string()),
        other => Err(format!(
            "`{}` gave {:?}, not text",
            p.source,
            other.type_of()
        )),
    }
}

/// The top-level account fields that `programs` read (`account.security`, `has(account.x)`), or
/// `None` when one of them uses `account` as a whole. The runner hands CEL only these fields:
/// converting every account's access lists, apps and sessions for rules that never read them
/// was most of the engine's time.
pub fn account_fields<'p>(
    programs: impl IntoIterator<Item = &'p Compiled>,
) -> Option<std::collections::BTreeSet<String>> {
    let paths = account_paths(programs)?;
    Some(
        paths
            .iter()
            .map(|p| p.split('.').next().unwrap_or(p).to_owned())
            .collect(),
    )
}

/// The paths of `account` that `programs` read, dotted (`security.two_factor`; a path may stop
/// short, as in `account.access.size()`), or `None` when one of them uses `account` as a whole.
/// What a rule's outcome can depend on, for memoising it.
pub fn account_paths<'p>(
    programs: impl IntoIterator<Item = &'p Compiled>,
) -> Option<std::collections::BTreeSet<String>> {
    let mut paths = std::collections::BTreeSet::new();
    for p in programs {
        if !collect_paths(p.expression(), &mut paths) {
            return None;
        }
    }
    Some(paths)
}

/// The paths under the variable `root` (`policy`, `plane`...) that `programs` read, as
/// [`account_paths`] gives them for `account`; `None` when one uses `root` as a whole. For the
/// field reference, which lists the controls that read each field.
pub fn paths_under<'p>(
    programs: impl IntoIterator<Item = &'p Compiled>,
    root: &str,
) -> Option<std::collections::BTreeSet<String>> {
    let mut paths = std::collections::BTreeSet::new();
    for p in programs {
        if !collect_paths_of(p.expression(), root, &mut paths) {
            return None;
        }
    }
    Some(paths)
}

/// Adds the longest select chains on `account` in `e` (`account.a.b` gives `a.b`); false if `e`
/// uses `account` otherwise.
fn collect_paths(e: &cel::IdedExpr, paths: &mut std::collections::BTreeSet<String>) -> bool {
    collect_paths_of(e, "account", paths)
}

fn collect_paths_of(
    e: &cel::IdedExpr,
    root: &str,
    paths: &mut std::collections::BTreeSet<String>,
) -> bool {
    let collect_paths = |e: &cel::IdedExpr, paths: &mut std::collections::BTreeSet<String>| {
        collect_paths_of(e, root, paths)
    };
    use cel::common::ast::{EntryExpr, Expr};
    match &e.expr {
        Expr::Select(s) => {
            let mut segments = vec![s.field.as_str()];
            let mut cur = &s.operand;
            loop {
                match &cur.expr {
                    Expr::Select(inner) => {
                        segments.push(inner.field.as_str());
                        cur = &inner.operand;
                    }
                    Expr::Ident(name) if name == root => {
                        segments.reverse();
                        paths.insert(segments.join("."));
                        return true;
                    }
                    _ => return collect_paths(&s.operand, paths),
                }
            }
        }
        Expr::Ident(name) => name != root,
        Expr::Call(c) => {
            c.target.as_deref().is_none_or(|t| collect_paths(t, paths))
                && c.args.iter().all(|a| collect_paths(a, paths))
        }
        Expr::Comprehension(c) => [
            &c.iter_range,
            &c.accu_init,
            &c.loop_cond,
            &c.loop_step,
            &c.result,
        ]
        .into_iter()
        .all(|x| collect_paths(x, paths)),
        Expr::List(l) => l.elements.iter().all(|x| collect_paths(x, paths)),
        Expr::Map(m) => m.entries.iter().all(|x| match &x.expr {
            EntryExpr::MapEntry(me) => {
                collect_paths(&me.key, paths) && collect_paths(&me.value, paths)
            }
            EntryExpr::StructField(f) => collect_paths(&f.value, paths),
        }),
        Expr::Struct(st) => st.entries.iter().all(|x| match &x.expr {
            EntryExpr::MapEntry(me) => {
                collect_paths(&me.key, paths) && collect_paths(&me.value, paths)
            }
            EntryExpr::StructField(f) => collect_paths(&f.value, paths),
        }),
        Expr::Literal(_) | Expr::Unspecified => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Loc;

    fn expr(source: &str) -> Expr {
        Expr {
            source: source.to_owned(),
            loc: Loc {
                line: 3,
                column: 14,
            },
        }
    }

    fn compiled(source: &str) -> Result<Compiled, Diagnostic> {
        compile(&env(), "ORG-99.yaml", &expr(source))
    }

    fn eval(source: &str) -> Result<bool, String> {
        let p = compiled(source).expect("compiles");
        let inv = Inventory::default();
        let cx = root_context(env(), &inv, "2026-10-01".parse().expect("date"));
        eval_bool(&p, &cx)
    }

    /// Runs `f` on a thread with the 2 MiB stack the runner's workers have.
    fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(f)
            .expect("thread")
            .join()
            .expect("no overflow")
    }

    #[test]
    fn a_rule_of_8000_terms_is_refused_where_it_is_written() {
        let source = vec!["1"; 8000].join("+") + " == 0";
        let d = compiled(&source).err().expect("refused");
        assert_eq!((d.line, d.column, d.code), (3, 14, Code::BadCheck));
        assert!(d.message.contains("at most 4096"), "{}", d.message);
        // Within the size bound, a long chain is refused by its depth.
        let source = vec!["1"; 1000].join("+") + " == 0";
        let d = on_small_stack(move || compiled(&source).err().expect("refused"));
        assert!(
            d.message.contains("nests 1001 operations deep"),
            "{}",
            d.message
        );
    }

    #[test]
    fn deep_parentheses_are_refused_and_never_panic() {
        let source = format!("{}1{} == 1", "(".repeat(120_000), ")".repeat(120_000));
        assert!(compiled(&source).is_err());
        // Under the size bound, still too deep; and past the parser's own limit, no panic
        // formatting its error.
        let source = format!("{}1{} == 1", "(".repeat(1000), ")".repeat(1000));
        let d = compiled(&source).err().expect("refused");
        assert!(
            d.message.contains("nests brackets 1000 deep"),
            "{}",
            d.message
        );
        let source = format!("{}1{} == 1", "[".repeat(40), "]".repeat(40));
        assert!(compiled(&source).is_ok(), "40 levels are fine");
    }

    #[test]
    fn every_shape_within_the_bounds_parses_and_runs_on_a_small_stack() {
        let n = MAX_EXPR_BYTES / 2;
        let shapes = [
            vec!["1"; n].join("+"),
            vec!["true"; n / 3].join("&&"),
            format!("{}true", "!".repeat(MAX_EXPR_BYTES - 4)),
            format!("{}true", "-".repeat(MAX_EXPR_BYTES - 4)),
            format!("account{}", ".a".repeat(n - 4)),
            format!(
                "{}1{}",
                "[".repeat(MAX_EXPR_DEPTH),
                "]".repeat(MAX_EXPR_DEPTH)
            ),
            format!("{}1{}", "size(".repeat(40), ")".repeat(40)),
            "[".repeat(MAX_EXPR_BYTES),
            "\"".repeat(MAX_EXPR_BYTES),
        ];
        for source in shapes {
            let shown = source.chars().take(20).collect::<String>();
            let outcome = on_small_stack(move || match compiled(&source) {
                Ok(p) => {
                    let inv = Inventory::default();
                    let cx = root_context(env(), &inv, "2026-10-01".parse().expect("date"));
                    let _ = eval_bool(&p, &cx);
                    "ran"
                }
                Err(_) => "refused",
            });
            assert!(!outcome.is_empty(), "{shown}");
        }
    }

    #[test]
    fn ten_nested_alls_stop_at_the_budget() {
        let mut e = "true".to_owned();
        for i in 0..10 {
            e = format!("[1,2,3,4,5,6,7,8,9,10].all(x{i}, {e})");
        }
        // On a thread of its own, so that a rule that never ends fails the test, not hangs it.
        let (tx, rx) = std::sync::mpsc::channel();
        let nested = e.clone();
        std::thread::spawn(move || tx.send(eval(&nested)));
        let err = rx
            .recv_timeout(std::time::Duration::from_secs(10))
            .expect("ends within 10 s")
            .expect_err("over budget");
        assert!(err.contains(BUDGET_EXCEEDED), "{err}");
        // An error `|| true` would absorb still ends the evaluation.
        let e = format!("[1,2,3,4,5,6,7,8,9,10].exists(y, ({e}) || true)");
        assert!(eval(&e).expect_err("over budget").contains(BUDGET_EXCEEDED));
        // So does one hidden in a filter or a map.
        let e = "[1,2,3,4,5,6,7,8,9,10].filter(a, [1,2,3,4,5,6,7,8,9,10].filter(b, [1,2,3,4,5,6,7,8,9,10].filter(c, [1,2,3,4,5,6,7,8,9,10].filter(d, [1,2,3,4,5,6,7,8,9,10].filter(e, [1,2,3,4,5,6,7,8,9,10].map(f, f).size() > 0).size() > 0).size() > 0).size() > 0).size() > 0).size() > 0";
        assert!(eval(e).expect_err("over budget").contains(BUDGET_EXCEEDED));
    }

    #[test]
    fn loops_within_the_budget_keep_their_meaning_and_speed() {
        assert_eq!(eval("[1,2,3].all(x, x > 0)"), Ok(true));
        assert_eq!(eval("[1,2,3].exists(x, x > 2)"), Ok(true));
        assert_eq!(eval("[1,2,3].exists_one(x, x > 2)"), Ok(true));
        assert_eq!(eval("[1,2,3].map(x, x * 2) == [2,4,6]"), Ok(true));
        assert_eq!(eval("[1,2,3].map(x, x > 1, x * 2) == [4,6]"), Ok(true));
        assert_eq!(eval("[1,2,3].filter(x, x != 2) == [1,3]"), Ok(true));
        assert_eq!(eval("[0, 1].all(x, 1 / x > 0)").map_err(|_| ()), Err(()));
        assert_eq!(eval("[0, 1].exists(x, x == 1 || 1 / x > 0)"), Ok(true));
        // A map over 60,000 items is built in place (60,000 steps), not copied at each step.
        let p = compiled("xs.map(x, x + 1).size() == 60000").expect("compiles");
        let inv = Inventory::default();
        let root = root_context(env(), &inv, "2026-10-01".parse().expect("date"));
        let mut cx = root.new_inner_scope();
        let xs: Vec<i64> = (0..60_000).collect();
        cx.add_variable("xs", xs).expect("variable");
        let start = std::time::Instant::now();
        assert_eq!(eval_bool(&p, &cx), Ok(true));
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn the_built_in_checks_are_well_within_the_bounds() {
        let registry = crate::engine::registry::Registry::builtin().expect("built-in checks");
        for c in &registry.checks {
            for e in [&c.def.applies_when]
                .into_iter()
                .flatten()
                .chain(match &c.def.logic {
                    super::super::definition::Logic::Rule(r) => vec![&r.fail_when, &r.message]
                        .into_iter()
                        .chain(r.pass_message.as_ref())
                        .collect(),
                    _ => Vec::new(),
                })
            {
                let parsed = env().parser().parse(&e.source).expect("parses");
                assert!(tree_depth(&parsed) <= 16, "{}: {}", c.def.id, e.source);
                assert!(e.source.len() <= MAX_EXPR_BYTES / 4, "{}", c.def.id);
            }
        }
    }
}
