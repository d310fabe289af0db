//! Declarative rules: CEL expressions (through the `cel` crate) over a JSON view of an account.
//!
//! Variables: `account` (the account as in the inventory, absent fields `null`), `policy`,
//! `organisation`, `as_of` (YYYY-MM-DD). Functions: `days_since(date)` (whole days to the as-of
//! date), `org_email(address)` (on an organisation domain and not a consumer mail domain),
//! `two_factor_rank(method)` (passkey = security_key 5 > authenticator_app 4 > sms 3 > email 2 >
//! none 1; 0 for anything else).

use std::sync::Arc;

use cel::objects::Value as CelValue;
use cel::{Context as CelContext, Env, Program};
use jiff::civil::Date;
use serde_json::Value;

use super::definition::Expr;
use crate::error::{Code, Diagnostic};
use crate::model::{Inventory, TwoFactor};

/// A compiled expression and where it came from (for runtime error messages).
pub struct Compiled {
    pub program: Program,
    pub source: String,
}

pub fn env() -> Arc<Env> {
    Arc::new(Env::stdlib())
}

/// Compiles an expression, or a located diagnostic.
pub fn compile(env: &Env, file: &str, e: &Expr) -> Result<Compiled, Diagnostic> {
    env.compile(&e.source)
        .map(|program| Compiled {
            program,
            source: e.source.clone(),
        })
        .map_err(|err| {
            let msg = err.to_string();
            let first = msg
                .lines()
                .next()
                .unwrap_or("invalid expression")
                .to_owned();
            Diagnostic {
                code: Code::BadCheck,
                file: file.to_owned(),
                line: e.loc.line,
                column: e.loc.column,
                message: format!("invalid CEL expression: {first}"),
                snippet: Some(e.source.clone()),
            }
        })
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
    match p.program.execute(cx) {
        Ok(CelValue::Bool(b)) => Ok(b),
        Ok(other) => Err(format!(
            "`{}` gave {:?}, not true or false",
            p.source,
            other.type_of()
        )),
        Err(e) => Err(format!("`{}` could not be evaluated: {e}", p.source)),
    }
}

/// Runs an expression expected to give text.
pub fn eval_string(p: &Compiled, cx: &CelContext) -> Result<String, String> {
    match p.program.execute(cx) {
        Ok(CelValue::String(s)) => Ok(s.to_string()),
        Ok(other) => Err(format!(
            "`{}` gave {:?}, not text",
            p.source,
            other.type_of()
        )),
        Err(e) => Err(format!("`{}` could not be evaluated: {e}", p.source)),
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
        if !collect_paths(p.program.expression(), &mut paths) {
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
        if !collect_paths_of(p.program.expression(), root, &mut paths) {
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
