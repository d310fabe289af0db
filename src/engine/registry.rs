//! The catalogue of checks: the built-in definitions embedded from `checks/`, plus any
//! `--checks-dir` the organisation adds at run time. Every definition is parsed and its CEL
//! compiled up front, so a bad one is an input error before anything is audited.
//!
//! Native checks are handed in by the layer that owns them: `Registry::builtin()` and
//! `Registry::load(dirs)` are defined in `crate::checks`, which passes its list to
//! [`Registry::load_with`]. The engine never imports a check.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use cel::Env;
use include_dir::{include_dir, Dir};

use super::cel_rule::{self, Compiled};
use super::definition::{self, Definition, Logic, Scope};
use super::native::NativeCheck;
use crate::error::{Code, Diagnostic, Error};

static BUILTIN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/checks");

/// Definitions read from one `--checks-dir`: far more controls than any framework has, and a
/// bound on what a shared directory can make palisade read and compile.
pub const MAX_CHECKS_PER_DIR: usize = 1000;

// Checks are built once per run, a few dozen of them: boxing the rule would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum Compiledlogic {
    Rule {
        fail_when: Compiled,
        message: Compiled,
        pass_message: Option<Compiled>,
    },
    Native(NativeCheck),
}

pub struct Check {
    pub def: Definition,
    pub applies_when: Option<Compiled>,
    pub logic: Compiledlogic,
}

pub struct Registry {
    pub checks: Vec<Check>,
    pub env: Arc<Env>,
}

impl Registry {
    /// Built-in definitions plus every `*.yaml`/`*.yml` in each directory (not recursive), with
    /// `natives` the native checks definitions may name. A directory given twice is read once.
    pub fn load_with(dirs: &[PathBuf], natives: &'static [NativeCheck]) -> Result<Registry, Error> {
        let mut sources: Vec<(String, String, Vec<u8>)> = Vec::new();
        let mut builtin: Vec<_> = BUILTIN.files().filter(|f| is_yaml(f.path())).collect();
        builtin.sort_by_key(|f| f.path());
        for f in builtin {
            sources.push((
                format!("checks/{}", f.path().display()),
                "builtin".into(),
                f.contents().to_vec(),
            ));
        }
        // The same file reached twice (a directory given twice, `dir` and `./dir`, a symlink)
        // is read once: it is not a duplicate of itself.
        let mut seen = std::collections::HashSet::new();
        for dir in dirs {
            let entries = std::fs::read_dir(dir).map_err(|e| {
                Error::Usage(format!("cannot read --checks-dir {}: {e}", dir.display()))
            })?;
            let mut paths: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| is_yaml(p) && p.is_file())
                .collect();
            paths.sort();
            if paths.len() > MAX_CHECKS_PER_DIR {
                return Err(Error::Usage(format!(
                    "--checks-dir {} holds {} definitions; palisade reads at most {MAX_CHECKS_PER_DIR} from one directory",
                    dir.display(),
                    paths.len()
                )));
            }
            for p in paths {
                if !seen.insert(std::fs::canonicalize(&p).unwrap_or_else(|_| p.clone())) {
                    continue;
                }
                let bytes = crate::input::read(&p, crate::input::CHECK)
                    .map_err(|e| e.into_error(&p, Code::BadCheck))?;
                let name = p.display().to_string();
                sources.push((name.clone(), name, bytes));
            }
        }
        Self::from_sources(sources, natives)
    }

    fn from_sources(
        sources: Vec<(String, String, Vec<u8>)>,
        natives: &'static [NativeCheck],
    ) -> Result<Registry, Error> {
        let env = cel_rule::env();
        let mut diags: Vec<Diagnostic> = Vec::new();
        let mut checks: Vec<Check> = Vec::new();
        for (file, origin, bytes) in sources {
            let def = match definition::parse(&file, &origin, &bytes) {
                Ok(d) => d,
                Err(mut d) => {
                    diags.append(&mut d);
                    continue;
                }
            };
            if let Some(first) = checks.iter().find(|c| c.def.id == def.id) {
                diags.push(Diagnostic {
                    code: Code::DuplicateId,
                    file: file.clone(),
                    line: def.loc.line,
                    column: def.loc.column,
                    message: format!(
                        "check id `{}` is already defined by {}",
                        def.id, first.def.file
                    ),
                    snippet: None,
                });
                continue;
            }
            let mut compile = |e: &definition::Expr| match cel_rule::compile(&env, &file, e) {
                Ok(c) => Some(c),
                Err(d) => {
                    diags.push(d);
                    None
                }
            };
            let applies_when = def.applies_when.as_ref().map(&mut compile);
            let logic = match &def.logic {
                Logic::Rule(r) => {
                    let f = compile(&r.fail_when);
                    let m = compile(&r.message);
                    let p = r.pass_message.as_ref().map(&mut compile);
                    match (f, m, p) {
                        (Some(fail_when), Some(message), None) => Some(Compiledlogic::Rule {
                            fail_when,
                            message,
                            pass_message: None,
                        }),
                        (Some(fail_when), Some(message), Some(Some(p))) => {
                            Some(Compiledlogic::Rule {
                                fail_when,
                                message,
                                pass_message: Some(p),
                            })
                        }
                        _ => None,
                    }
                }
                Logic::Native { name, loc } => match natives.iter().find(|n| n.name == name) {
                    None => {
                        let known: Vec<&str> = natives.iter().map(|n| n.name).collect();
                        let hint = crate::model::reader::suggest(name, known.iter().copied())
                            .map(|s| format!(" (did you mean `{s}`?)"))
                            .unwrap_or_default();
                        diags.push(Diagnostic {
                            code: Code::BadCheck,
                            file: file.clone(),
                            line: loc.line,
                            column: loc.column,
                            message: format!(
                                "no native check is called `{name}`{hint}; known: {}",
                                known.join(", ")
                            ),
                            snippet: None,
                        });
                        None
                    }
                    Some(n) => {
                        let missing: Vec<&str> = def
                            .scope
                            .iter()
                            .filter(|s| !n.judges(**s))
                            .map(|s| s.as_str())
                            .collect();
                        if missing.is_empty() {
                            Some(Compiledlogic::Native(*n))
                        } else {
                            diags.push(Diagnostic {
                                code: Code::BadCheck,
                                file: file.clone(),
                                line: loc.line,
                                column: loc.column,
                                message: format!(
                                    "the native check `{name}` cannot judge `scope: {}`",
                                    missing.join(", ")
                                ),
                                snippet: None,
                            });
                            None
                        }
                    }
                },
            };
            let applies_ok = !matches!(applies_when, Some(None));
            if let (Some(logic), true) = (logic, applies_ok) {
                checks.push(Check {
                    applies_when: applies_when.flatten(),
                    logic,
                    def,
                });
            }
        }
        if !diags.is_empty() {
            return Err(Error::Input(diags));
        }
        checks.sort_by(|a, b| a.def.id.cmp(&b.def.id));
        Ok(Registry { checks, env })
    }

    /// The checks that judge subjects of `scope`, with their index in `checks`.
    pub fn in_scope(&self, scope: Scope) -> impl Iterator<Item = (usize, &Check)> {
        self.checks
            .iter()
            .enumerate()
            .filter(move |(_, c)| c.def.scope.contains(&scope))
    }

    /// No checks at all: for a run that needs the context but not the catalogue
    /// (`palisade impersonation`), so that nothing is compiled.
    pub fn empty() -> Registry {
        Registry {
            checks: Vec::new(),
            env: cel_rule::env(),
        }
    }

    /// Whether `id` names a built-in check (as [`Registry::get`] compares, ignoring case),
    /// known without compiling one: each built-in definition is named after its id, which
    /// `tests/engine.rs` holds to.
    pub fn is_builtin_id(id: &str) -> bool {
        BUILTIN.files().any(|f| {
            is_yaml(f.path())
                && f.path()
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .is_some_and(|s| s.eq_ignore_ascii_case(id))
        })
    }

    pub fn get(&self, id: &str) -> Option<&Check> {
        self.checks
            .iter()
            .find(|c| c.def.id.eq_ignore_ascii_case(id))
    }
}

fn is_yaml(p: &Path) -> bool {
    matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
}
