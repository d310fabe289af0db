//! Documentation generated from the sources of truth, so it is never written twice: the README's
//! table of controls (from the check definitions) and the inventory field reference,
//! `docs/inventory.md` (from the schema that validation uses, with the controls that read each
//! field). Tests fail when the committed files are stale.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use crate::engine::cel_rule;
use crate::engine::definition::{Logic, Scope};
use crate::engine::registry::{Check, Compiledlogic, Registry};
use crate::model::schema::{self, Field, Section, Ty};

/// The Markdown table of controls for the README.
pub fn controls_table(registry: &Registry) -> String {
    let mut o = String::from("| id | family | severity | control |\n|---|---|---|---|\n");
    for c in &registry.checks {
        o.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            c.def.id, c.def.family, c.def.severity, c.def.title
        ));
    }
    o
}

/// The inventory fields a check reads, in the reference's notation (`accounts[].security.x`):
/// what its definition declares, and what its CEL reads.
fn fields_read(check: &Check) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = check.def.reads.iter().cloned().collect();
    let mut programs = Vec::new();
    if let Compiledlogic::Rule {
        fail_when,
        message,
        pass_message,
    } = &check.logic
    {
        programs.extend([fail_when, message]);
        programs.extend(pass_message.as_ref());
    }
    programs.extend(check.applies_when.as_ref());
    let subject = if check.def.scope.contains(&Scope::ControlPlane) {
        ("plane", "control_planes[]")
    } else {
        ("account", "accounts[]")
    };
    if let Logic::Rule(r) = &check.def.logic {
        out.extend(r.requires.iter().map(|p| format!("{}.{p}", subject.1)));
    }
    for (root, prefix) in [
        subject,
        ("policy", "policy"),
        ("organisation", "organisation"),
    ] {
        if let Some(paths) = cel_rule::paths_under(programs.iter().copied(), root) {
            out.extend(paths.into_iter().map(|p| format!("{prefix}.{p}")));
        }
    }
    out
}

/// The controls that read a field: those reading the field itself, a part of it, or the whole
/// section it is in.
fn readers<'r>(path: &str, reads: &'r BTreeMap<String, BTreeSet<String>>) -> Vec<&'r str> {
    let mut ids: BTreeSet<&str> = BTreeSet::new();
    for (id, fields) in reads {
        let hit = fields.iter().any(|f| {
            let f = f.as_str();
            f.trim_end_matches("[]") == path.trim_end_matches("[]")
                || f.strip_prefix(path)
                    .is_some_and(|r| r.starts_with('.') || r.starts_with("[]"))
                || path
                    .strip_prefix(f)
                    .is_some_and(|r| r.starts_with('.') || r.starts_with("[]."))
        });
        if hit {
            ids.insert(id);
        }
    }
    ids.into_iter().collect()
}

fn values(ty: &Ty) -> String {
    let list = |v: &[&str]| {
        v.iter()
            .map(|s| format!("`{s}`"))
            .collect::<Vec<_>>()
            .join(" \\| ")
    };
    match ty {
        Ty::Text => "text".into(),
        Ty::Id => "text, unique".into(),
        Ty::Ref(what) => format!("an id in `{what}`"),
        Ty::Refs(what) => format!("list of ids in `{what}`"),
        Ty::Date => "date `YYYY-MM-DD`".into(),
        Ty::Email => "e-mail address".into(),
        Ty::Url => "URL".into(),
        Ty::Bool => "`true` \\| `false`".into(),
        Ty::Tri => "`true` \\| `false` \\| `unknown`".into(),
        Ty::Int { min, max } => format!("whole number {min}-{max}"),
        Ty::Number { min, max } => format!("number {min}-{max}"),
        Ty::Handle => "the platform's handle rules (`palisade platforms`)".into(),
        Ty::OneOf(v) => list(v),
        Ty::ListOf(v) => format!("list of {}", list(v)),
        Ty::TextList => "list of text".into(),
        Ty::Section(s) => format!("mapping ([`{}`](#{}))", s.path, anchor(s.path)),
        Ty::Items(s) => format!("list of mappings ([`{}`](#{}))", s.path, anchor(s.path)),
        Ty::Map(what) => format!("mapping: {what}"),
    }
}

fn anchor(path: &str) -> String {
    path.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect::<String>()
        .to_lowercase()
}

fn field_path(section: &Section, f: &Field) -> String {
    let suffix = if matches!(f.ty, Ty::Items(_)) {
        "[]"
    } else {
        ""
    };
    if section.path.is_empty() {
        format!("{}{suffix}", f.key)
    } else {
        format!("{}.{}{suffix}", section.path, f.key)
    }
}

/// `docs/inventory.md`: every field, its values, its default and the controls that read it.
pub fn inventory_reference(registry: &Registry) -> String {
    let reads: BTreeMap<String, BTreeSet<String>> = registry
        .checks
        .iter()
        .map(|c| (c.def.id.clone(), fields_read(c)))
        .collect();
    let mut o = String::new();
    let _ = writeln!(
        o,
        "# The inventory: field reference\n\n\
         Generated by `palisade docs inventory` from the schema that validation itself uses\n\
         (`src/model/schema.rs`) and from the check definitions (`checks/`); a test fails when\n\
         this file is stale (`UPDATE_DOCS=1 cargo test --test engine`). Do not edit it by hand.\n\n\
         The contract, with its rules on dates, `unknown`, access history and validation, is\n\
         explained in prose in the project's specification; this page lists every field. A key\n\
         that is not listed here is an error (a typo must not silently disable a check).\n\
         `unknown`, where allowed, makes the controls that read the field report `error`, never\n\
         `pass`. Paths use `[]` for the items of a list (`accounts[].access[].person`)."
    );
    for section in schema::SECTIONS {
        let title = if section.path.is_empty() {
            "Top level".to_owned()
        } else {
            format!("`{}`", section.path)
        };
        let _ = writeln!(o, "\n## {title}\n");
        if !section.path.is_empty() {
            let _ = writeln!(o, "<a id=\"{}\"></a>\n", anchor(section.path));
        }
        let _ = writeln!(o, "| field | values | default | read by | meaning |");
        let _ = writeln!(o, "|---|---|---|---|---|");
        for f in section.fields {
            let path = field_path(section, f);
            let by = readers(&path, &reads);
            let default = match (f.required, f.default) {
                (true, _) => "required".to_owned(),
                (false, Some(d)) => d.to_owned(),
                (false, None) => "none (missing)".to_owned(),
            };
            let _ = writeln!(
                o,
                "| `{}` | {} | {} | {} | {} |",
                f.key,
                values(&f.ty),
                default,
                if by.is_empty() {
                    "—".to_owned()
                } else {
                    by.join(", ")
                },
                f.doc.replace('|', "\\|")
            );
        }
    }
    let _ = writeln!(
        o,
        "\n## People from HR (`--people FILE.csv`)\n\n\
         A CSV export with a header row. Columns {} are read by name (extra columns are\n\
         ignored; `--people-column OURS=THEIRS` renames them). People from the CSV and from the\n\
         YAML are merged by `id`; a conflict is an input error.",
        crate::model::load::PEOPLE_COLUMNS
            .iter()
            .map(|c| format!("`{c}`"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    o
}
