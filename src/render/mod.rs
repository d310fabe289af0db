//! Output formats: the `Format` list with its fixed file names, dispatch to one renderer per
//! format, and safe writing of the outputs (`write`).
//!
//! Every renderer reads the one results model (`crate::model::results::Report`) and nothing
//! else, so `palisade report` can re-render saved results exactly as `audit` would have.

pub mod action_plan;
pub mod diagnostics;
pub mod digest;
pub mod frameworks;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod partials;
pub mod sample;
pub mod sarif;
pub mod text;
pub mod write;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::model::results::Report;
use crate::{Error, Result};

/// One output format. File names are fixed so CI jobs and links can rely on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, clap::ValueEnum)]
pub enum Format {
    Html,
    Json,
    Sarif,
    Junit,
    #[value(alias = "md")]
    Markdown,
    Text,
    /// The action plan, as CSV.
    #[value(name = "csv", alias = "action-plan")]
    ActionPlan,
}

impl Format {
    pub const ALL: &'static [Format] = &[
        Format::Html,
        Format::Json,
        Format::Sarif,
        Format::Junit,
        Format::Markdown,
        Format::Text,
        Format::ActionPlan,
    ];

    /// The name used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Junit => "junit",
            Format::Markdown => "markdown",
            Format::Text => "text",
            Format::ActionPlan => "csv",
        }
    }

    /// The file written under `--out DIR`.
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Html => "report.html",
            Format::Json => "results.json",
            Format::Sarif => "results.sarif",
            Format::Junit => "junit.xml",
            Format::Markdown => "report.md",
            Format::Text => "report.txt",
            Format::ActionPlan => "action-plan.csv",
        }
    }

    /// Parses a comma-separated list (`html,json,sarif`), keeping the first of any duplicate.
    pub fn parse_list(list: &str) -> Result<Vec<Format>> {
        let mut out = Vec::new();
        for part in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let f = part.parse::<Format>().map_err(Error::Usage)?;
            if !out.contains(&f) {
                out.push(f);
            }
        }
        if out.is_empty() {
            return Err(Error::Usage("--format needs at least one format".into()));
        }
        Ok(out)
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "html" => Format::Html,
            "json" => Format::Json,
            "sarif" => Format::Sarif,
            "junit" | "xml" => Format::Junit,
            "markdown" | "md" => Format::Markdown,
            "text" | "txt" => Format::Text,
            "csv" | "action-plan" | "action_plan" => Format::ActionPlan,
            other => {
                let known: Vec<&str> = Format::ALL.iter().map(|f| f.as_str()).collect();
                return Err(format!(
                    "unknown format `{other}` (known: {}, action-plan)",
                    known.join(", ")
                ));
            }
        })
    }
}

/// Settings shared by the renderers; the defaults keep a 10,000-account report readable.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    /// A directory whose files replace the built-in templates of the same name.
    pub templates: Option<PathBuf>,
    /// Findings listed per control in the HTML before "and N more".
    pub findings_per_control: usize,
    /// Rows of the accounts × families heat map (lowest scores first).
    pub heatmap_rows: usize,
    /// Rows per collapsed page of the account list.
    pub accounts_page_size: usize,
    /// Accounts in the account list (lowest scores first); the rest are in results.json. Keeps
    /// a 10,000-account report under a second to render and a few MB to open.
    pub accounts_listed: usize,
    /// Findings per severity in the Markdown summary.
    pub markdown_findings: usize,
    /// Shown in the report so a reader knows names and e-mails were masked.
    pub redacted: bool,
    /// Print the HTML report's appendix (every account, every result needing action); on paper
    /// it is left out by default so the report stays short. On screen it is always there.
    pub print_detail: bool,
    /// The action plan for Excel on Windows: a UTF-8 byte-order mark and CRLF line ends.
    pub csv_excel: bool,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            templates: None,
            findings_per_control: 25,
            heatmap_rows: 150,
            accounts_page_size: 500,
            accounts_listed: 2_000,
            markdown_findings: 20,
            redacted: false,
            print_detail: false,
            csv_excel: false,
        }
    }
}

/// Renders one format to bytes.
pub fn render(report: &Report, format: Format, opts: &RenderOptions) -> Result<Vec<u8>> {
    Ok(match format {
        Format::Html => html::render(report, opts)?.into_bytes(),
        Format::Sarif => sarif::render(report)?.into_bytes(),
        Format::Junit => junit::render(report)?.into_bytes(),
        Format::Markdown => markdown::render(report, opts).into_bytes(),
        Format::ActionPlan => action_plan::render(report, opts)?,
        Format::Json => json::render(report).into_bytes(),
        Format::Text => text::render(report, false).into_bytes(),
    })
}

/// Renders `format` into `out`. The formats that grow with the number of results (results.json,
/// SARIF, JUnit, the action plan) are streamed; the others are capped summaries, built whole.
pub fn render_to(
    report: &Report,
    format: Format,
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> Result<()> {
    let io = |e| Error::io(format!("writing {}", format.file_name()), e);
    match format {
        Format::Json => json::write(report, out).map_err(io),
        Format::Sarif => sarif::write(report, out).map_err(io),
        Format::Junit => junit::write(report, out).map_err(io),
        Format::ActionPlan => action_plan::write(report, opts, out),
        other => out.write_all(&render(report, other, opts)?).map_err(io),
    }
}

/// Renders every format in `formats` and writes each under its fixed name in `dir`, all or
/// nothing (see [`write`]).
pub fn write_all(
    report: &Report,
    formats: &[Format],
    dir: &Path,
    opts: &RenderOptions,
) -> Result<Vec<PathBuf>> {
    let names: Vec<&str> = formats.iter().map(|f| f.file_name()).collect();
    write::write_set(dir, &names, |i, w| render_to(report, formats[i], opts, w))
}

/// Writes `bytes` to `dir/name` safely (see [`write`]).
pub fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf> {
    let target = dir.join(name);
    write::write_file(&target, |w| {
        w.write_all(bytes)
            .map_err(|e| Error::io(format!("writing {}", target.display()), e))
    })
}

/// Like [`write_atomically`], with the content produced by `fill`; if `fill` fails, the target
/// is left as it was.
pub fn write_atomically_with(
    dir: &Path,
    name: &str,
    fill: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<PathBuf> {
    write::write_file(&dir.join(name), fill)
}

/// Replaces characters that can disguise text (bidirectional overrides, zero-width and other
/// control characters) with a visible `[U+XXXX]`, so a hostile handle cannot reorder or hide
/// what a reader sees. Newlines and tabs are kept.
pub fn reveal_controls(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(is_disguising) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if is_disguising(c) {
            out.push_str(&format!("[U+{:04X}]", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

fn is_disguising(c: char) -> bool {
    matches!(c,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200B}'..='\u{200F}' | '\u{061C}' | '\u{FEFF}' | '\u{2028}' | '\u{2029}')
        || (c.is_control() && c != '\n' && c != '\t')
}

/// An errored result's message, saying once that the control could not be verified (most
/// messages already start so; the rest get the prefix).
pub(crate) fn unverified(message: &str) -> std::borrow::Cow<'_, str> {
    const PREFIX: &str = "could not be verified";
    if message
        .get(..PREFIX.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(PREFIX))
    {
        std::borrow::Cow::Borrowed(message)
    } else {
        std::borrow::Cow::Owned(format!("{PREFIX}: {message}"))
    }
}

/// Input-derived text for a terminal, on one line: every control character (ESC, BEL, CR, LF,
/// C1 controls such as CSI), bidirectional control and invisible format character is shown as
/// a visible escape such as `\u{1b}`, so a hostile value can neither drive the terminal
/// (retitle it, clear the screen, move the cursor), nor start a line of its own, nor reorder or
/// hide what is shown. Colour codes come only from palisade, added after this.
pub fn for_terminal(s: &str) -> std::borrow::Cow<'_, str> {
    terminal_safe(s, false)
}

/// [`for_terminal`] for text of several lines (a rationale, a document sent to a terminal):
/// newlines and tabs are kept.
pub fn for_terminal_lines(s: &str) -> std::borrow::Cow<'_, str> {
    terminal_safe(s, true)
}

fn terminal_safe(s: &str, keep_lines: bool) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| is_terminal_unsafe(c) && !(keep_lines && matches!(c, '\n' | '\t'));
    if !s.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if unsafe_char(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Characters a terminal acts on or that change how the text around them is shown.
fn is_terminal_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

/// A score for people: one decimal, or an em dash when nothing was scored.
pub(crate) fn score_text(score: Option<f64>) -> String {
    match score {
        Some(s) if s.is_finite() => format!("{s:.1}"),
        _ => "—".to_string(),
    }
}

/// Writes one file safely wherever it goes (e.g. `init`, `report -o FILE`), creating its
/// directory.
pub fn write_file_atomically(target: &Path, bytes: &[u8]) -> Result<PathBuf> {
    if let Some(dir) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(dir)
            .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
    }
    write::write_file(target, |w| {
        w.write_all(bytes)
            .map_err(|e| Error::io(format!("writing {}", target.display()), e))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_round_trip_and_names_are_fixed() {
        for f in Format::ALL {
            assert_eq!(f.as_str().parse::<Format>(), Ok(*f));
        }
        assert_eq!(
            Format::parse_list("html, sarif,html").unwrap(),
            vec![Format::Html, Format::Sarif]
        );
        assert_eq!(Format::ActionPlan.file_name(), "action-plan.csv");
        assert!(Format::parse_list("pdf").is_err());
        assert!(Format::parse_list("").is_err());
    }

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp() {
        let dir = std::env::temp_dir().join(format!("palisade-atomic-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        write_atomically(&dir, "a.txt", b"one").unwrap();
        let p = write_atomically(&dir, "a.txt", b"two").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        let names: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn terminal_text_shows_controls_visibly() {
        let hostile = "Westmere\u{1b}]0;pwned\u{7}\u{1b}[2J\rScore 100/100\u{9b}31m\u{202E}";
        let shown = for_terminal(hostile);
        assert_eq!(
            shown,
            "Westmere\\u{1b}]0;pwned\\u{7}\\u{1b}[2J\\u{d}Score 100/100\\u{9b}31m\\u{202e}"
        );
        assert!(!shown.chars().any(is_terminal_unsafe));
        assert_eq!(for_terminal("a\nb\tc"), "a\\u{a}b\\u{9}c");
        assert_eq!(for_terminal_lines("a\nb\tc\u{1b}"), "a\nb\tc\\u{1b}");
        assert!(matches!(
            for_terminal("plain é"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn controls_are_revealed() {
        assert_eq!(reveal_controls("ab\u{202E}cd"), "ab[U+202E]cd");
        assert_eq!(reveal_controls("plain"), "plain");
    }
}
