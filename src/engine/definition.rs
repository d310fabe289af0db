//! A control's definition file (`checks/ID.yaml`): metadata plus either a declarative CEL rule
//! or the name of a native check. Parsed with locations so a bad custom check points at itself.

use crate::error::{Code, Diagnostic};
use crate::model::reader::{Cx, Fields};
use crate::model::results::Reference;
use crate::model::yaml::{self, Kind, Node};
use crate::model::{Loc, Severity};

const KEYS: &[&str] = &[
    "id",
    "reads",
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
    "platform_steps",
];
const RULE_KEYS: &[&str] = &["requires", "fail_when", "message", "pass_message"];
const REF_KEYS: &[&str] = &["document", "source", "section"];

/// What a check judges: each subject of these kinds gets one result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    /// One result per account (closed accounts skipped).
    Account,
    /// One result per control plane; the plane's id is the result's `account_id`.
    ControlPlane,
    /// One result for the organisation, account id `organisation`.
    Organisation,
}

impl Scope {
    pub const ALL: &'static [&'static str] = &["account", "control_plane", "organisation"];

    pub fn parse(s: &str) -> Option<Scope> {
        match s {
            "account" => Some(Scope::Account),
            "control_plane" => Some(Scope::ControlPlane),
            "organisation" => Some(Scope::Organisation),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Account => "account",
            Scope::ControlPlane => "control_plane",
            Scope::Organisation => "organisation",
        }
    }
}

/// Which steps of the platform catalogue fix a finding of this control on the account's
/// platform (`platform_steps:` in a definition).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlatformSteps {
    TwoFactor,
    LoginAlerts,
    ImpersonationReport,
}

impl PlatformSteps {
    pub const ALL: &'static [&'static str] =
        &["two_factor", "login_alerts", "impersonation_report"];
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "two_factor" => Some(PlatformSteps::TwoFactor),
            "login_alerts" => Some(PlatformSteps::LoginAlerts),
            "impersonation_report" => Some(PlatformSteps::ImpersonationReport),
            _ => None,
        }
    }
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
    /// The kinds of subject it judges (one or more).
    pub scope: Vec<Scope>,
    /// Inventory fields a native check reads (`accounts[].security.two_factor`), for the field
    /// reference; a rule's are read off its CEL.
    pub reads: Vec<String>,
    /// When false, the result is `skipped` with `skip_message`.
    pub applies_when: Option<Expr>,
    pub skip_message: Option<String>,
    pub logic: Logic,
    pub platform_steps: Option<PlatformSteps>,
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
    let scope = match f.get("scope") {
        Some(n) => {
            let one = |cx: &mut Cx, n: &Node| cx.one_of(n, "scope", Scope::ALL, Scope::parse);
            let mut list = match &n.kind {
                Kind::Seq(_) => cx.list(n, "scope", one),
                _ => one(cx, n).into_iter().collect(),
            };
            list.sort();
            list.dedup();
            if list.is_empty() {
                cx.error(
                    n.loc,
                    Code::BadCheck,
                    format!(
                        "`scope` names what the check judges: one or more of {}",
                        Scope::ALL.join(", ")
                    ),
                );
                None
            } else {
                Some(list)
            }
        }
        None => Some(vec![Scope::Account]),
    };
    let reads = f
        .get("reads")
        .map(|n| {
            cx.list(n, "reads", |cx, n| {
                let path = cx.text(n, "reads")?;
                if crate::model::schema::resolves(&path) {
                    Some(path)
                } else {
                    let shown = cx.shown(n);
                    cx.error(
                        n.loc,
                        Code::BadCheck,
                        format!("`reads` names {shown}, which is no inventory field (write it as in docs/inventory.md, e.g. accounts[].security.two_factor)"),
                    );
                    None
                }
            })
        })
        .unwrap_or_default();
    let applies_when = f
        .get("applies_when")
        .and_then(|n| expr(cx, n, "applies_when"));
    let skip_message = f
        .get("skip_message")
        .and_then(|n| cx.text(n, "skip_message"));
    let platform_steps = f.get("platform_steps").and_then(|n| {
        cx.one_of(
            n,
            "platform_steps",
            PlatformSteps::ALL,
            PlatformSteps::parse,
        )
    });
    // What the file says the logic is, whether or not it parsed: a rule with a CEL mistake is
    // reported once, as that mistake, not also as "no logic".
    let rule_node = f.get("rule");
    let native_node = f.get("native");
    let logic = match (rule_node, native_node) {
        (Some(n), None) => {
            if scope
                .as_ref()
                .is_some_and(|s| s.contains(&Scope::Organisation))
            {
                cx.error(
                    n.loc,
                    Code::BadCheck,
                    "a rule judges one account or control plane at a time: an organisation-level check (`scope: organisation`) must be `native`",
                );
            }
            rule(cx, n).map(Logic::Rule)
        }
        (None, Some(n)) => cx
            .text(n, "native")
            .map(|name| Logic::Native { name, loc: n.loc }),
        (Some(_), Some(n)) => {
            cx.error(
                n.loc,
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
        reads,
        applies_when,
        skip_message,
        logic: logic?,
        platform_steps,
        origin: origin.to_owned(),
        file: cx.file.clone(),
        loc: root.loc,
    })
}

/// A reference names a document of the guidance catalogue (`document: app`), cited by its title
/// in every output; a custom check may instead give the title itself (`source:`).
fn reference(cx: &mut Cx, n: &Node) -> Option<Reference> {
    let mut f = cx.fields(n, "a reference")?;
    let guidance = crate::model::guidance::Guidance::builtin();
    let document = f.get("document").and_then(|n| {
        let id = cx.text(n, "references[].document")?;
        match guidance.document(&id) {
            Some(d) => Some((id, d.citation())),
            None => {
                let known: Vec<&str> = guidance.documents.iter().map(|d| d.id.as_str()).collect();
                let hint = crate::model::reader::suggest(&id, known.iter().copied())
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                cx.error(
                    n.loc,
                    Code::BadCheck,
                    format!("`references[].document` `{id}` is not a document of the guidance catalogue ({}){hint}", known.join(", ")),
                );
                None
            }
        }
    });
    let source = f
        .get("source")
        .and_then(|n| cx.text(n, "references[].source"));
    let section = f
        .require(cx, "section", "a reference")
        .and_then(|n| cx.text(n, "references[].section"));
    let given = document.is_some() || source.is_some();
    if !given && cx.diags.is_empty() {
        cx.error(
            n.loc,
            Code::BadCheck,
            "a reference names its `document` (an id of the guidance catalogue) or its `source` (a title)",
        );
    }
    f.finish(cx, "a reference", REF_KEYS);
    let (document, source) = match (document, source) {
        (Some((id, citation)), _) => (Some(id), citation),
        (None, Some(s)) => (None, s),
        (None, None) => return None,
    };
    Some(Reference {
        source,
        section: section?,
        document,
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
