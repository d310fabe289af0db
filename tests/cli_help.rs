//! The command line's conventions (issue 14, item 10; issue 16, items 5 and 10): the clap
//! definition is consistent, `--help` names every environment variable and the exit codes,
//! completions and the man page come from the same definition, colour follows `--color` and the
//! CLICOLOR / NO_COLOR conventions (clap's own help included), `palisade.yaml` is the default
//! inventory, "wrote …" goes to standard error everywhere, `--format` takes the same names on
//! every command, and `--summary` keeps a big audit readable.

use std::path::Path;

use clap::CommandFactory;

mod cli_common;

use cli_common::{outcome as run, palisade, EXAMPLE};

#[path = "../examples/gen_inventory.rs"]
mod gen;

const ESC: &str = "\u{1b}[";

#[test]
fn clap_definition_is_consistent() {
    palisade::cli::Cli::command().debug_assert();
}

#[test]
fn help_names_every_environment_variable_and_the_exit_codes() {
    let every = [
        "PALISADE_VAULT_PASSWORD",
        "HIBP_API_KEY",
        "PALISADE_HIBP_API",
        "PALISADE_BLUESKY_API",
        "PALISADE_MASTODON_API",
        "PALISADE_PWNED_API",
        "PALISADE_CACHE_DIR",
        "PALISADE_THREADS",
        "NO_COLOR",
        "CLICOLOR_FORCE",
    ];
    for args in [&["--help"][..], &["audit", "--help"]] {
        let (code, out, _) = run(palisade().args(args));
        assert_eq!(code, 0);
        for v in every {
            assert!(
                out.contains(v),
                "`palisade {}` does not name {v}",
                args.join(" ")
            );
        }
        assert!(out.contains("Exit codes:"), "{out}");
    }
    // Short help too carries the exit codes, on every command that can exit 1.
    for cmd in ["audit", "validate", "diff", "impersonation", "report"] {
        let (_, out, _) = run(palisade().args([cmd, "-h"]));
        assert!(out.contains("Exit codes:"), "`{cmd} -h` has no exit codes");
    }
    // Headings group audit's options by what they are about.
    let (_, out, _) = run(palisade().args(["audit", "--help"]));
    for h in [
        "Inventory:",
        "Output:",
        "Evidence:",
        "Network (only with --online):",
        "Global options:",
    ] {
        assert!(out.contains(h), "no heading {h}");
    }
}

#[test]
fn the_threads_variable_is_read() {
    // One thread and the default give the same audit, and a nonsense value is not an error.
    let mut outs = Vec::new();
    for threads in [None, Some("1"), Some("lots")] {
        let mut c = palisade();
        c.args([
            "audit",
            EXAMPLE,
            "--as-of",
            "2026-10-01",
            "--format",
            "json",
        ]);
        if let Some(t) = threads {
            c.env("PALISADE_THREADS", t);
        }
        let (code, out, err) = run(&mut c);
        assert_eq!(code, 1, "{err}");
        outs.push(out);
    }
    assert_eq!(outs[0], outs[1]);
    assert_eq!(outs[0], outs[2]);
}

#[test]
fn impersonation_offers_only_what_the_search_uses() {
    let (code, out, _) = run(palisade().args(["impersonation", "--help"]));
    assert_eq!(code, 0);
    for audit_only in [
        "--vault",
        "--pwned-file",
        "--baseline",
        "--fail-on",
        "--templates",
        "--redact",
        "--out",
        "--people",
    ] {
        assert!(
            !out.lines().any(|l| l.trim_start().starts_with(audit_only)),
            "impersonation --help lists {audit_only}"
        );
    }
    for own in ["--candidates", "--online", "--format", "--policy"] {
        assert!(out.contains(own), "impersonation --help lacks {own}");
    }
    let (code, _, err) = run(palisade().args([
        "impersonation",
        EXAMPLE,
        "--candidates",
        "examples/candidates.csv",
        "--vault",
        "tests/data/vault/bitwarden.json",
    ]));
    assert_eq!(code, 2, "an audit-only option is refused: {err}");
}

#[test]
fn completions_cover_every_shell_and_command() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let (code, out, err) = run(palisade().args(["completions", shell]));
        assert_eq!(code, 0, "{shell}: {err}");
        // fish writes long options without their dashes (`-l fail-on`).
        for word in ["palisade", "audit", "impersonation", "fail-on", "summary"] {
            assert!(out.contains(word), "{shell} completions lack {word}");
        }
    }
    let (code, _, _) = run(palisade().args(["completions", "tcsh"]));
    assert_eq!(code, 2);
}

#[test]
fn man_page_carries_options_environment_and_exit_codes() {
    let (code, out, _) = run(palisade().args(["man"]));
    assert_eq!(code, 0);
    assert!(
        out.starts_with(".ie") || out.contains(".TH palisade 1"),
        "{out}"
    );
    for word in [
        ".SH \"EXIT STATUS\"",
        ".SH \"ENVIRONMENT\"",
        "PALISADE_THREADS",
        "HIBP_API_KEY",
        "palisade\\-audit(1)",
    ] {
        assert!(out.contains(word), "man page lacks {word}");
    }
    let dir = tempfile::tempdir().expect("tmp");
    let (code, out, err) = run(palisade().args(["man", "--out"]).arg(dir.path()));
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty(), "pages go to files, not stdout");
    for page in [
        "palisade.1",
        "palisade-audit.1",
        "palisade-checks-explain.1",
        "palisade-completions.1",
    ] {
        let p = dir.path().join(page);
        let text = std::fs::read_to_string(&p).unwrap_or_default();
        assert!(text.contains(".TH"), "{page} missing or empty");
        assert!(err.contains(&format!("wrote {}", p.display())), "{err}");
    }
    let audit = std::fs::read_to_string(dir.path().join("palisade-audit.1")).expect("page");
    assert!(audit.contains("fail\\-on") || audit.contains("fail-on"));
    assert!(!dir.path().join("palisade-help.1").exists());
}

#[test]
fn colour_follows_the_flag_and_the_conventions() {
    let audit = ["audit", EXAMPLE, "--as-of", "2026-10-01"];
    // Into a pipe: no colour by default...
    let (_, out, _) = run(palisade().args(audit));
    assert!(!out.contains(ESC));
    // ...CLICOLOR_FORCE forces it, NO_COLOR beats that, and --color never beats both.
    let (_, out, _) = run(palisade().args(audit).env("CLICOLOR_FORCE", "1"));
    assert!(out.contains(ESC), "CLICOLOR_FORCE ignored");
    let (_, out, _) = run(palisade()
        .args(audit)
        .env("CLICOLOR_FORCE", "1")
        .env("NO_COLOR", "1"));
    assert!(!out.contains(ESC), "NO_COLOR ignored");
    let (_, out, _) = run(palisade()
        .args(audit)
        .args(["--color", "never"])
        .env("CLICOLOR_FORCE", "1"));
    assert!(!out.contains(ESC), "--color never ignored");
    // Diagnostics on standard error obey the same rules.
    let bad = ["validate", "tests/fixtures/bad/unknown-field.yaml"];
    assert!(Path::new(bad[1]).is_file());
    let (code, _, err) = run(palisade().args(bad).args(["--color", "always"]));
    assert_eq!(code, 2);
    assert!(err.contains(ESC), "diagnostics not coloured: {err}");
    let (_, _, err) = run(palisade().args(bad).env("CLICOLOR_FORCE", "1"));
    assert!(err.contains(ESC), "CLICOLOR_FORCE ignored on stderr: {err}");
    let (_, _, err) = run(palisade()
        .args(bad)
        .env("CLICOLOR_FORCE", "1")
        .env("NO_COLOR", "1"));
    assert!(!err.contains(ESC));
}

#[test]
fn colour_flag_governs_clap_help_and_errors() {
    let (_, out, _) = run(palisade().args(["--color", "always", "audit", "--help"]));
    assert!(out.contains(ESC), "help not coloured under --color always");
    let (_, out, _) = run(palisade()
        .args(["audit", "--help", "--color=never"])
        .env("CLICOLOR_FORCE", "1"));
    assert!(!out.contains(ESC), "help coloured under --color never");
    let (_, out, _) = run(palisade()
        .args(["audit", "--help"])
        .env("CLICOLOR_FORCE", "1"));
    assert!(out.contains(ESC), "help ignores CLICOLOR_FORCE");
    // clap's own usage errors (stderr, exit 2) too.
    let (code, _, err) = run(palisade().args(["--color=always", "audit", "--no-such-option"]));
    assert_eq!(code, 2);
    assert!(err.contains(ESC), "{err}");
    let (code, _, err) = run(palisade()
        .args(["audit", "--no-such-option"])
        .env("CLICOLOR_FORCE", "1")
        .args(["--color", "never"]));
    assert_eq!(code, 2);
    assert!(!err.contains(ESC), "{err}");
}

#[test]
fn palisade_yaml_is_the_default_inventory() {
    let dir = tempfile::tempdir().expect("tmp");
    // None yet: bad usage that says what to do.
    for cmd in ["validate", "audit", "impersonation"] {
        let (code, _, err) = run(palisade().current_dir(dir.path()).arg(cmd));
        assert_eq!(code, 2, "{cmd}: {err}");
        assert!(err.contains("palisade init"), "{cmd}: {err}");
    }
    let (code, out, err) = run(palisade().current_dir(dir.path()).arg("init"));
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty(), "init's message belongs on stderr: {out}");
    assert!(err.contains("wrote palisade.yaml"), "{err}");
    assert!(err.contains("palisade validate\n"), "{err}");
    let (code, out, err) = run(palisade().current_dir(dir.path()).arg("validate"));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("palisade.yaml: valid"), "{out}");
    let (code, out, err) =
        run(palisade()
            .current_dir(dir.path())
            .args(["audit", "--as-of", "2026-10-01"]));
    assert!(code == 0 || code == 1, "{code}: {err}");
    assert!(out.contains("Score"), "{out}");
}

#[test]
fn audit_and_report_say_wrote_on_standard_error() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    let (code, out, err) = run(palisade()
        .args([
            "audit",
            EXAMPLE,
            "--as-of",
            "2026-10-01",
            "--format",
            "json,html",
            "--out",
        ])
        .arg(d));
    assert_eq!(code, 1, "{err}");
    assert!(!out.to_lowercase().contains("wrote"), "{out}");
    for f in ["results.json", "report.html"] {
        assert!(
            err.contains(&format!("wrote {}", d.join(f).display())),
            "{err}"
        );
    }
    let results = d.join("results.json");
    let again = d.join("again");
    let (code, out, err) = run(palisade()
        .arg("report")
        .arg(&results)
        .args(["--format", "markdown,text", "--out"])
        .arg(&again));
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains(&format!("wrote {}", again.join("report.md").display())),
        "{err}"
    );
    // --quiet silences them.
    let (_, _, err) = run(palisade()
        .arg("report")
        .arg(&results)
        .args(["--format", "text", "--quiet", "--out"])
        .arg(&again));
    assert!(err.is_empty(), "{err}");
}

#[test]
fn format_takes_the_same_names_everywhere() {
    let dir = tempfile::tempdir().expect("tmp");
    let results = dir.path().join("results.json");
    let (code, _, err) = run(palisade()
        .args([
            "audit",
            EXAMPLE,
            "--as-of",
            "2026-10-01",
            "--format",
            "json",
            "--out",
        ])
        .arg(dir.path()));
    assert_eq!(code, 1, "{err}");
    let r = results.to_str().expect("utf8");
    // The aliases `audit` takes (md) work on `diff` and `report`...
    let (code, out, err) = run(palisade().args(["diff", r, r, "--format", "md"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with('#') || out.contains("|"), "{out}");
    let (code, out, _) = run(palisade().args(["report", r, "--format", "md", "-o", "-"]));
    assert_eq!(code, 0);
    assert!(out.contains("# "), "{out}");
    // ...JSON is `--format json` on every command that prints it...
    for args in [
        vec!["diff", r, r, "--format", "json"],
        vec!["checks", "list", "--format", "json"],
        vec!["lookalikes", "WestmerePolice", "--format", "json"],
        vec![
            "impersonation",
            EXAMPLE,
            "--candidates",
            "examples/candidates.csv",
            "--format",
            "json",
        ],
    ] {
        let (code, out, err) = run(palisade().args(&args));
        assert!(code == 0 || code == 1, "{args:?}: {err}");
        serde_json::from_str::<serde_json::Value>(&out)
            .unwrap_or_else(|e| panic!("{args:?} is not JSON ({e}): {out}"));
    }
    // ...and a format a command cannot write is bad usage naming the ones it can.
    let (code, _, err) = run(palisade().args(["diff", r, r, "--format", "html"]));
    assert_eq!(code, 2);
    assert!(err.contains("markdown") && err.contains("json"), "{err}");
    let (code, _, _) = run(palisade().args([
        "impersonation",
        EXAMPLE,
        "--candidates",
        "examples/candidates.csv",
        "--format",
        "sarif",
    ]));
    assert_eq!(code, 2);
    let (code, _, _) = run(palisade().args(["audit", EXAMPLE, "--format", "pdf"]));
    assert_eq!(code, 2);
}

#[test]
fn summary_keeps_a_big_audit_short() {
    let dir = tempfile::tempdir().expect("tmp");
    let inv = dir.path().join("big.yaml");
    std::fs::write(&inv, gen::inventory(300, 200)).expect("write");
    let audit = |extra: &[&str]| {
        run(palisade()
            .arg("audit")
            .arg(&inv)
            .args(["--as-of", "2026-10-01"])
            .args(extra))
    };
    let (code, full, err) = audit(&[]);
    assert_eq!(code, 1, "{err}");
    let findings = full.lines().filter(|l| l.starts_with("  ")).count();
    assert!(findings > 500, "the fixture is big enough ({findings})");
    assert!(
        err.contains("--summary"),
        "no hint after a long list: {err}"
    );

    let (code, summary, err) = audit(&["--summary"]);
    assert_eq!(code, 1, "same exit code with --summary");
    assert!(!err.contains("--summary"), "{err}");
    let lines: Vec<&str> = summary.lines().collect();
    assert!(lines.len() < 60, "{} lines:\n{summary}", lines.len());
    assert_eq!(lines[..2], full.lines().take(2).collect::<Vec<_>>()[..]);
    let first = lines
        .iter()
        .position(|l| *l == "Fix first:")
        .expect("fix-first block");
    let five: Vec<&str> = lines[first + 1..]
        .iter()
        .take_while(|l| !l.is_empty())
        .copied()
        .collect();
    assert_eq!(five.len(), 5, "{summary}");
    assert!(five[0].starts_with("  1. "), "{summary}");
    assert!(summary.contains("Findings per control"));
    // Every control with a finding in the full view has its line, with its count.
    let full_count = |id: &str| {
        full.lines()
            .filter(|l| l.split_whitespace().nth(1) == Some(id))
            .count()
    };
    for l in lines.iter().filter(|l| l.contains(" ✗ ")) {
        let id = l.split_whitespace().nth(1).expect("id");
        let count = |mark: char| -> usize {
            l.rsplit(mark)
                .next()
                .and_then(|s| s.split_whitespace().next())
                .and_then(|n| n.parse().ok())
                .expect("count")
        };
        let (fail, error) = (count('✗'), count('?'));
        assert_eq!(fail + error, full_count(id), "{id}");
    }
    // With --out the files stay complete.
    let (_, _, _) = audit(&[
        "--summary",
        "--format",
        "text",
        "--out",
        dir.path().to_str().expect("utf8"),
    ]);
    let txt = std::fs::read_to_string(dir.path().join("report.txt")).expect("report.txt");
    assert_eq!(txt, full);
}

#[test]
fn summary_of_the_example_is_pinned_and_sanitised() {
    let (code, out, err) =
        run(palisade().args(["audit", EXAMPLE, "--as-of", "2026-10-01", "--summary"]));
    assert_eq!(code, 1, "{err}");
    insta::assert_snapshot!("summary_example", out);

    // `report` re-renders saved results, which may come from anywhere.
    let dir = tempfile::tempdir().expect("tmp");
    let (code, _, err) = run(palisade()
        .args([
            "audit",
            EXAMPLE,
            "--as-of",
            "2026-10-01",
            "--format",
            "json",
            "--out",
        ])
        .arg(dir.path()));
    assert_eq!(code, 1, "{err}");
    let path = dir.path().join("results.json");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
    v["organisation"] = "Westmere\u{1b}[2J\u{202e}Police".into();
    std::fs::write(&path, v.to_string()).expect("write");
    let (code, out, err) = run(palisade().arg("report").arg(&path).args([
        "--format",
        "text",
        "--summary",
        "--color",
        "never",
    ]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Fix first:"), "{out}");
    assert!(
        !out.contains('\u{1b}') && !out.contains('\u{202e}'),
        "{out}"
    );
}
