//! The HTML report: the view model of [`view`] rendered with handlebars from the templates in
//! `templates/` (embedded; a `--templates DIR` file of the same name replaces the built-in one).
//!
//! The view holds at most `findings_per_control` findings per control and `heatmap_rows` heat
//! map rows, so a 10,000-account report renders quickly. Every string reaches the page through
//! handlebars' `{{ }}`, whose escape function is [`escape`]; templates never use `{{{ }}}`.

mod view;

use std::path::Path;

use handlebars::Handlebars;
use include_dir::{include_dir, Dir};

pub use view::{build_page, Page};

use super::{frameworks, reveal_controls, RenderOptions};
use crate::model::results::Report;
use crate::{Error, Result};

/// The built-in templates: `layout.hbs`, `partials/*.hbs` and `frameworks.yaml`.
pub static TEMPLATES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// Escapes for HTML text and attribute values, and makes disguising characters visible.
pub fn escape(s: &str) -> String {
    let s = reveal_controls(s);
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            '`' => out.push_str("&#x60;"),
            '=' => out.push_str("&#x3D;"),
            c => out.push(c),
        }
    }
    out
}

/// A handlebars registry loaded with the templates; build once, render many reports.
pub struct HtmlRenderer {
    hb: Handlebars<'static>,
    catalogue: frameworks::Catalogue,
}

impl HtmlRenderer {
    /// Loads the built-in templates, replacing each by the file of the same relative path in
    /// `overrides` when there is one.
    pub fn new(overrides: Option<&Path>) -> Result<Self> {
        let mut hb = Handlebars::new();
        hb.set_strict_mode(true);
        hb.register_escape_fn(escape);
        let mut custom_catalogue = None;
        for file in all_files(&TEMPLATES) {
            let rel = file.path();
            let (text, origin) = match overrides.map(|d| d.join(rel)).filter(|p| p.is_file()) {
                Some(p) => {
                    let bytes = crate::input::read(&p, crate::input::TEMPLATE)
                        .map_err(|e| Error::Usage(format!("template {}: {e}", p.display())))?;
                    let text = String::from_utf8(bytes).map_err(|_| {
                        Error::Usage(format!("template {}: not UTF-8 text", p.display()))
                    })?;
                    (text, p.display().to_string())
                }
                None => match file.contents_utf8() {
                    Some(t) => (t.to_string(), format!("built-in {}", rel.display())),
                    None => continue,
                },
            };
            let ext = rel.extension().and_then(|e| e.to_str()).unwrap_or("");
            if ext == "hbs" {
                let name = rel
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .unwrap_or_default()
                    .to_string();
                hb.register_template_string(&name, text)
                    .map_err(|e| Error::Usage(format!("template {origin}: {e}")))?;
            }
        }
        super::partials::check(&hb)?;
        // The organisation's own requirements catalogue, if its templates carry one.
        if let Some(p) = overrides
            .map(|d| d.join("frameworks.yaml"))
            .filter(|p| p.is_file())
        {
            let text = std::fs::read_to_string(&p)
                .map_err(|e| Error::io(format!("reading {}", p.display()), e))?;
            custom_catalogue = Some(frameworks::parse(&text, &p.display().to_string())?);
        }
        let catalogue = custom_catalogue.unwrap_or_else(frameworks::builtin);
        Ok(HtmlRenderer { hb, catalogue })
    }

    pub fn render(&self, report: &Report, opts: &RenderOptions) -> Result<String> {
        let page = build_page(report, opts, &self.catalogue);
        self.hb
            .render("layout", &page)
            .map_err(|e| Error::Usage(format!("rendering the HTML report: {e}")))
    }
}

fn all_files<'a>(dir: &'a Dir<'a>) -> Vec<&'a include_dir::File<'a>> {
    let mut out: Vec<_> = dir.files().collect();
    for d in dir.dirs() {
        out.extend(all_files(d));
    }
    out
}

/// Renders `report` with the built-in templates or those of `opts.templates`.
pub fn render(report: &Report, opts: &RenderOptions) -> Result<String> {
    HtmlRenderer::new(opts.templates.as_deref())?.render(report, opts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_neutralises_markup_and_bidi() {
        assert_eq!(
            escape("<img src=x onerror=alert(1)>"),
            "&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;"
        );
        assert_eq!(escape("a\u{202E}b"), "a[U+202E]b");
    }
}
