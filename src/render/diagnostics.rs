//! Input problems for a terminal, in the shape of rustc/cargo-deny diagnostics:
//! the code, the message, `--> file:line:column`, and the offending line with a caret.

use owo_colors::OwoColorize;

use crate::error::Diagnostic;

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
        let head = format!("{level}[{}]", d.code.as_str());
        if color && level == "error" {
            out.push_str(&format!("{}: {}\n", head.red().bold(), d.message.bold()));
        } else if color {
            out.push_str(&format!("{}: {}\n", head.yellow().bold(), d.message.bold()));
        } else {
            out.push_str(&format!("{head}: {}\n", d.message));
        }
        if d.line > 0 {
            let pad = " ".repeat(d.line.to_string().len());
            out.push_str(&format!("{pad}--> {}:{}:{}\n", d.file, d.line, d.column));
            if let Some(s) = &d.snippet {
                let num = d.line.to_string();
                let pad = " ".repeat(num.len());
                let caret_pad: String = s
                    .chars()
                    .take(d.column.saturating_sub(1) as usize)
                    .map(|c| if c == '\t' { '\t' } else { ' ' })
                    .collect();
                out.push_str(&format!("{pad} |\n{num} | {s}\n{pad} | {caret_pad}^\n"));
            }
        } else {
            out.push_str(&format!("  --> {}\n", d.file));
        }
        out.push('\n');
    }
    out
}
