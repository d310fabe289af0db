//! Input problems for a terminal, in the shape of rustc/cargo-deny diagnostics:
//! the code, the message, `--> file:line:column`, and the offending line with a caret.

use owo_colors::OwoColorize;

use super::for_terminal;
use crate::error::Diagnostic;

/// A source line for the terminal: tabs kept (the caret line copies them), every other control
/// shown as an escape.
fn for_terminal_tabs(s: &str) -> String {
    s.split('\t')
        .map(|part| for_terminal(part).into_owned())
        .collect::<Vec<_>>()
        .join("\t")
}

pub fn render(diags: &[Diagnostic], color: bool) -> String {
    let mut out = located(diags, "error", color);
    let n = diags.len();
    out.push_str(&format!(
        "{n} problem{} found; nothing was audited\n",
        if n == 1 { "" } else { "s" }
    ));
    out
}

/// Warnings: located like errors, but the audit goes on.
pub fn render_warnings(diags: &[Diagnostic], color: bool) -> String {
    located(diags, "warning", color)
}

fn located(diags: &[Diagnostic], level: &str, color: bool) -> String {
    let mut out = String::new();
    let mut sorted: Vec<&Diagnostic> = diags.iter().collect();
    sorted.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    for d in sorted {
        // Messages quote the input, and a file name can come from a shared directory: neither
        // may drive the terminal.
        let message = for_terminal(&d.message);
        let file = for_terminal(&d.file);
        let head = format!("{level}[{}]", d.code.as_str());
        if color && level == "error" {
            out.push_str(&format!("{}: {}\n", head.red().bold(), message.bold()));
        } else if color {
            out.push_str(&format!("{}: {}\n", head.yellow().bold(), message.bold()));
        } else {
            out.push_str(&format!("{head}: {message}\n"));
        }
        if d.line > 0 {
            let pad = " ".repeat(d.line.to_string().len());
            out.push_str(&format!("{pad}--> {file}:{}:{}\n", d.line, d.column));
            if let Some(s) = &d.snippet {
                let s = s.trim_end_matches(['\r', '\n']);
                let num = d.line.to_string();
                let pad = " ".repeat(num.len());
                // The caret goes under the column as shown, escapes included.
                let before: String = s
                    .chars()
                    .take(d.column.saturating_sub(1) as usize)
                    .collect();
                let caret_pad: String = for_terminal_tabs(&before)
                    .chars()
                    .map(|c| if c == '\t' { '\t' } else { ' ' })
                    .collect();
                let shown = for_terminal_tabs(s);
                out.push_str(&format!("{pad} |\n{num} | {shown}\n{pad} | {caret_pad}^\n"));
            }
        } else {
            out.push_str(&format!("  --> {file}\n"));
        }
        out.push('\n');
    }
    out
}
