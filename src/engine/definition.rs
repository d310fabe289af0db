//! A control's definition file (`checks/ID.yaml`): metadata plus either a declarative CEL rule
//! or the name of a native check. Parsed with locations so a bad custom check points at itself.

use crate::error::{Code, Diagnostic};
use crate::model::reader::{Cx, Fields};
use crate::model::results::Reference;
use crate::model::yaml::{self, Kind, Node};
use crate::model::{Loc, Severity};

const KEYS: &[&str] = &[
    "id",
    "title",
    "family",
    "severity",
    "rationale",
    "remediation",
    "references",
    "requirements",
    "scope",
    "applies_when",
    "skip_message",
    "rule",
    "native",
];
const RULE_KEYS: &[&str] = &["requires", "fail_when", "message", "pass_message"];
const REF_KEYS: &[&str] = &["source", "section"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// One result per account (closed accounts skipped).
    Account,
    /// One result for the organisation, account id `organisation`.
    Organisation,
}

/// A CEL expression as written, with where it was written.
#[derive(Debug, Clone)]
pub struct Expr {
    pub source: String,
    pub loc: Loc,
}

#[derive(Debug, Clone)]
pub struct Rule {
    /// Field paths under `account` that must be present and not `unknown`, else `error`.
    pub requires: Vec<String>,
    pub fail_when: Expr,
    /// A CEL expression giving the finding's text.
    pub message: Expr,
    pub pass_message: Option<Expr>,
}

#[derive(Debug, Clone)]
pub enum Logic {
    Rule(Rule),
    Native { name: String, loc: Loc },
}

#[derive(Debug, Clone)]
pub struct Definition {
    pub id: String,
    pub title: String,
    pub family: String,
    pub severity: Severity,
    pub rationale: String,
    pub remediation: String,
    pub references: Vec<Reference>,
    pub requirements: Vec<String>,
    pub scope: Scope,
    /// When false, the result is `skipped` with `skip_message`.
    pub applies_when: Option<Expr>,
    pub skip_message: Option<String>,
    pub logic: Logic,
    /// `builtin` or the file it came from.
    pub origin: String,
    pub file: String,
    pub loc: Loc,
}

/// Parses one definition file; all problems are reported.
pub fn parse(file: &str, origin: &str, bytes: &[u8]) -> Result<Definition, Vec<Diagnostic>> {
    let text = yaml::decode(file, bytes).map_err(|d| vec![d])?;
    let root = yaml::parse(file, text).map_err(|d| vec![d])?;
    let mut cx = Cx::new(file, text);
    let def = definition(&mut cx, &root, origin);
    match def {
        Some(d) if cx.diags.is_empty() => Ok(d),
        _ => {
            if cx.diags.is_empty() {
                cx.error(root.loc, Code::BadCheck, "not a check definition");
            }
            Err(cx.diags)
        }
    }
}

/// Reads an expression and checks its syntax here, so a CEL mistake is reported together with
/// every other problem of the file.
fn expr(cx: &mut Cx, n: &Node, field: &str) -> Option<Expr> {
    let e = cx
        .text(n, field)
        .map(|source| Expr { source, loc: n.loc })?;
    thread_local! {
        static ENV: std::sync::Arc<cel::Env> = super::cel_rule::env();
    }
    let file = cx.file.clone();
    match ENV.with(|env| super::cel_rule::compile(env, &file, &e)) {
        Ok(_) => Some(e),
        Err(d) => {
            cx.error(n.loc, Code::BadCheck, format!("`{field}`: {}", d.message));
            None
        }
    }
}

fn definition(cx: &mut Cx, root: &Node, origin: &str) -> Option<Definition> {
    if matches!(root.kind, Kind::Null) {
        cx.error(root.loc, Code::BadCheck, "the check definition is empty");
        return None;
    }
    let mut f = cx.fields(root, "a check definition")?;
    let id = f.require(cx, "id", "a check definition").and_then(|n| {
        let id = cx.text(n, "id")?;
        let ok = !id.is_empty()
            && id.len() <= 64
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !ok {
            let shown = cx.shown(n);
            cx.error(
                n.loc,
                Code::BadCheck,
                format!("a check id is letters, digits, `-` and `_` (e.g. ORG-01), found {shown}"),
            );
        }
        ok.then_some(id)
    });
    let title = f
        .require(cx, "title", "a check definition")
        .and_then(|n| cx.text(n, "title"));
    let family = f
        .require(cx, "family", "a check definition")
        .and_then(|n| cx.text(n, "family"));
    let severity = f
        .require(cx, "severity", "a check definition")
        .and_then(|n| cx.one_of(n, "severity", Severity::ALL, Severity::parse));
    let rationale = f
        .require(cx, "rationale", "a check definition")
        .and_then(|n| cx.text(n, "rationale"));
    let remediation = f
        .require(cx, "remediation", "a check definition")
        .and_then(|n| cx.text(n, "remediation"));
    let references = f
        .get("references")
        .map(|n| cx.list(n, "references", reference))
        .unwrap_or_default();
    let requirements = f
        .get("requirements")
        .map(|n| cx.list(n, "requirements", |cx, n| cx.text(n, "requirements")))
        .unwrap_or_default();
    let scope_node = f.get("scope");
    let scope = match scope_node {
        Some(n) => cx.one_of(n, "scope", &["account", "organisation"], |s| match s {
            "account" => Some(Scope::Account),
            "organisation" => Some(Scope::Organisation),
            _ => None,
        }),
        None => Some(Scope::Account),
    };
    let applies_when = f
        .get("applies_when")
        .and_then(|n| expr(cx, n, "applies_when"));
    let skip_message = f
        .get("skip_message")
        .and_then(|n| cx.text(n, "skip_message"));
    let rule_node = f.get("rule");
    let native_node = f.get("native");
    let rule = rule_node.and_then(|n| rule(cx, n));
    let native = native_node.and_then(|n| cx.text(n, "native").map(|name| (name, n.loc)));
    let logic = match (rule, native) {
        (Some(r), None) => Some(Logic::Rule(r)),
        (None, Some((name, loc))) => {
            if crate::checks::lookup(&name).is_none() {
                let known: Vec<&str> = crate::checks::NATIVE_CHECKS
                    .iter()
                    .map(|(n, _)| *n)
                    .collect();
                cx.error(
                    loc,
                    Code::BadCheck,
                    format!(
                        "no native check is called `{name}`; known: {}",
                        known.join(", ")
                    ),
                );
                None
            } else {
                Some(Logic::Native { name, loc })
            }
        }
        (Some(_), Some((_, loc))) => {
            cx.error(
                loc,
                Code::BadCheck,
                "a check has either `rule` or `native`, not both",
            );
            None
        }
        (None, None) => {
            // A `rule` or `native` that is there but wrong has its own diagnostic already.
            if rule_node.is_none() && native_node.is_none() {
                cx.error(
                    root.loc,
                    Code::BadCheck,
                    "a check needs its logic: a `rule` (CEL) or `native: NAME`",
                );
            }
            None
        }
    };
    // What the runner would otherwise find out only when it runs the check.
    let at = scope_node.map_or(root.loc, |n| n.loc);
    match (&scope, &logic) {
        (Some(Scope::Organisation), Some(Logic::Rule(_))) => cx.error(
            at,
            Code::BadCheck,
            "`scope: organisation` needs a native organisation check (`native: NAME`): a CEL rule is evaluated for each account",
        ),
        (Some(scope), Some(Logic::Native { name, .. })) => {
            let kind = crate::checks::lookup(name);
            match (scope, kind) {
                (Scope::Organisation, Some(crate::checks::Native::Account(_))) => cx.error(
                    at,
                    Code::BadCheck,
                    format!("native check `{name}` judges one account at a time: it cannot have `scope: organisation`"),
                ),
                (Scope::Account, Some(crate::checks::Native::Organisation(_))) => cx.error(
                    at,
                    Code::BadCheck,
                    format!("native check `{name}` judges the organisation as a whole: it needs `scope: organisation`"),
                ),
                _ => {}
            }
        }
        _ => {}
    }
    f.finish(cx, "a check definition", KEYS);
    Some(Definition {
        id: id?,
        title: title?,
        family: family?,
        severity: severity?,
        rationale: rationale?,
        remediation: remediation?,
        references,
        requirements,
        scope: scope?,
        applies_when,
        skip_message,
        logic: logic?,
        origin: origin.to_owned(),
        file: cx.file.clone(),
        loc: root.loc,
    })
}

fn reference(cx: &mut Cx, n: &Node) -> Option<Reference> {
    let mut f = cx.fields(n, "a reference")?;
    let source = f
        .require(cx, "source", "a reference")
        .and_then(|n| cx.text(n, "references[].source"));
    let section = f
        .require(cx, "section", "a reference")
        .and_then(|n| cx.text(n, "references[].section"));
    f.finish(cx, "a reference", REF_KEYS);
    Some(Reference {
        source: source?,
        section: section?,
    })
}

fn rule(cx: &mut Cx, n: &Node) -> Option<Rule> {
    let mut f: Fields = cx.fields(n, "`rule`")?;
    let requires = f
        .get("requires")
        .map(|n| cx.list(n, "rule.requires", |cx, n| cx.text(n, "rule.requires")))
        .unwrap_or_default();
    let fail_when = f
        .require(cx, "fail_when", "`rule`")
        .and_then(|n| expr(cx, n, "rule.fail_when"));
    let message = f
        .require(cx, "message", "`rule`")
        .and_then(|n| expr(cx, n, "rule.message"));
    let pass_message = f
        .get("pass_message")
        .and_then(|n| expr(cx, n, "rule.pass_message"));
    f.finish(cx, "`rule`", RULE_KEYS);
    Some(Rule {
        requires,
        fail_when: fail_when?,
        message: message?,
        pass_message,
    })
}
