//! Bounds on the HTML templates (`--templates DIR`): handlebars renders partials and blocks by
//! recursion and has no depth limit, so two partials that include each other, or blocks nested
//! thousands deep, overflowed the stack and aborted palisade. They are refused when the
//! templates are loaded, with the loop or the depth in the message.

use std::collections::{BTreeMap, BTreeSet};

use handlebars::template::{Parameter, Template, TemplateElement};
use handlebars::Handlebars;

use crate::{Error, Result};

/// The page template, which is never a partial.
const LAYOUT: &str = "layout";

/// Blocks (`{{#if}}`, `{{#each}}`, partial blocks, inline partials) nested in one template.
/// The built-in templates nest at most 8 deep.
pub const MAX_BLOCK_NESTING: usize = 64;

/// The partial a `{{> name}}` names, or `None` when it is chosen at run time.
fn partial_name(p: &Parameter) -> Option<String> {
    match p {
        Parameter::Literal(serde_json::Value::String(s)) => Some(s.clone()),
        other => other.as_name().map(str::to_owned),
    }
}

/// Refuses templates whose partials include each other in a loop (a partial chosen at run time
/// counts as any partial but the page layout), or that nest blocks more than [`MAX_BLOCK_NESTING`] deep.
pub fn check(hb: &Handlebars) -> Result<()> {
    // Who includes whom: template or inline partial name → the partials it includes.
    let mut includes: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut names: Vec<&String> = hb.get_templates().keys().collect();
    names.sort();
    let all: Vec<String> = names.iter().map(|n| (*n).clone()).collect();
    for name in names {
        let Some(t) = hb.get_template(name) else {
            continue;
        };
        // (template, whose includes its partials count as, depth of blocks)
        let mut stack: Vec<(&Template, String, usize)> = vec![(t, name.clone(), 1)];
        while let Some((t, owner, depth)) = stack.pop() {
            if depth > MAX_BLOCK_NESTING {
                return Err(Error::Usage(format!(
                    "template `{name}` nests blocks more than {MAX_BLOCK_NESTING} deep"
                )));
            }
            for el in &t.elements {
                match el {
                    TemplateElement::PartialExpression(d) | TemplateElement::PartialBlock(d) => {
                        let Some(target) = partial_name(&d.name) else {
                            // Chosen at run time (the layout's sections, in the order the
                            // report leads with): it may be any partial, so count it as
                            // including every one. A partial that does this includes itself,
                            // a loop, and is refused below.
                            let any = all.iter().filter(|n| n.as_str() != LAYOUT);
                            includes
                                .entry(owner.clone())
                                .or_default()
                                .extend(any.cloned());
                            continue;
                        };
                        if target == "@partial-block" {
                            continue;
                        }
                        includes
                            .entry(owner.clone())
                            .or_default()
                            .insert(target.clone());
                        if let Some(inner) = &d.template {
                            // The block is rendered inside the partial, through
                            // `{{> @partial-block}}`: what it includes, the partial includes.
                            stack.push((inner, owner.clone(), depth + 1));
                            stack.push((inner, target, depth + 1));
                        }
                    }
                    TemplateElement::DecoratorBlock(d)
                    | TemplateElement::DecoratorExpression(d) => {
                        let inline = d.name.as_name() == Some("inline");
                        let owner = match d.params.first().and_then(partial_name) {
                            Some(n) if inline => n,
                            _ => owner.clone(),
                        };
                        if let Some(inner) = &d.template {
                            stack.push((inner, owner, depth + 1));
                        }
                    }
                    TemplateElement::HelperBlock(h) => {
                        for inner in [&h.template, &h.inverse].into_iter().flatten() {
                            stack.push((inner, owner.clone(), depth + 1));
                        }
                    }
                    // Text, expressions and comments include nothing, and an element a later
                    // handlebars adds is rendered by code palisade does not know of: let it
                    // through rather than refuse every template.
                    _ => {}
                }
            }
        }
    }
    match find_loop(&includes) {
        Some(path) => Err(Error::Usage(format!(
            "templates include each other in a loop, which would never end: {}",
            path.join(" → ")
        ))),
        None => Ok(()),
    }
}

/// A loop in the include graph, as the names along it (first = last), if there is one.
fn find_loop(includes: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    let mut marks: BTreeMap<&str, Mark> = BTreeMap::new();
    for start in includes.keys() {
        if marks.contains_key(start.as_str()) {
            continue;
        }
        // Depth-first without recursion: the path so far, and each node's remaining children.
        let mut path: Vec<(&str, Vec<&str>)> = vec![(start, children(includes, start))];
        marks.insert(start, Mark::Open);
        while let Some((node, rest)) = path.last_mut() {
            let node = *node;
            match rest.pop() {
                Some(next) => match marks.get(next) {
                    Some(Mark::Open) => {
                        let from = path.iter().position(|(n, _)| *n == next).unwrap_or(0);
                        let mut cycle: Vec<String> =
                            path[from..].iter().map(|(n, _)| (*n).to_owned()).collect();
                        cycle.push(next.to_owned());
                        return Some(cycle);
                    }
                    Some(Mark::Done) => {}
                    None => {
                        marks.insert(next, Mark::Open);
                        path.push((next, children(includes, next)));
                    }
                },
                None => {
                    marks.insert(node, Mark::Done);
                    path.pop();
                }
            }
        }
    }
    None
}

fn children<'g>(includes: &'g BTreeMap<String, BTreeSet<String>>, node: &str) -> Vec<&'g str> {
    includes
        .get(node)
        .map(|s| s.iter().rev().map(String::as_str).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registry(templates: &[(&str, &str)]) -> Handlebars<'static> {
        let mut hb = Handlebars::new();
        for (name, text) in templates {
            hb.register_template_string(name, *text).expect("template");
        }
        hb
    }

    #[test]
    fn partials_that_include_each_other_are_refused() {
        let hb = registry(&[
            ("layout", "{{> summary}}"),
            ("summary", "<p>{{#if x}}{{> scores}}{{/if}}</p>"),
            ("scores", "{{> summary}}"),
        ]);
        let err = check(&hb).expect_err("a loop").to_string();
        assert!(err.contains("summary → scores → summary"), "{err}");
    }

    #[test]
    fn inline_partials_and_partial_blocks_are_followed() {
        let inline = registry(&[(
            "layout",
            r#"{{#*inline "a"}}{{> b}}{{/inline}}{{#*inline "b"}}{{> a}}{{/inline}}{{> a}}"#,
        )]);
        assert!(check(&inline).is_err());
        let block = registry(&[
            ("layout", "{{#> summary}}{{> summary}}{{/summary}}"),
            ("summary", "{{> @partial-block}}"),
        ]);
        assert!(check(&block).is_err());
        // A partial chosen at run time may be any partial: fine from the layout, a loop from
        // a partial (which could choose itself).
        let dynamic = registry(&[("layout", r#"{{> (lookup this "name")}}"#), ("a", "x")]);
        assert!(check(&dynamic).is_ok());
        let dynamic = registry(&[
            ("layout", "{{> a}}"),
            ("a", r#"{{> (lookup this "name")}}"#),
        ]);
        assert!(check(&dynamic).is_err());
    }

    #[test]
    fn deep_blocks_are_refused_and_the_built_in_templates_pass() {
        let deep = format!("{}x{}", "{{#if a}}".repeat(100), "{{/if}}".repeat(100));
        let hb = registry(&[("layout", &deep)]);
        assert!(check(&hb)
            .expect_err("too deep")
            .to_string()
            .contains("nests blocks"));
        let shallow = format!("{}x{}", "{{#if a}}".repeat(20), "{{/if}}".repeat(20));
        assert!(check(&registry(&[("layout", &shallow)])).is_ok());
        let hb = crate::render::html::HtmlRenderer::new(None).map(|_| ());
        assert!(hb.is_ok(), "the built-in templates load");
    }
}
