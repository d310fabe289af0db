//! The command line as users and CI meet it: exit codes 0/1/2/3, outputs, diagnostics of each
//! kind of bad input, hostile files, and the help text.

use std::path::Path;
use std::time::{Duration, Instant};

mod cli_common;

use cli_common::{palisade, stdout_of, EXAMPLE};

#[test]
fn exit_1_when_findings_reach_fail_on() {
    let (code, out, _) = stdout_of(&["audit", EXAMPLE, "--as-of", "2026-10-01"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("example_text", out);
}

#[test]
fn exit_0_when_nothing_reaches_fail_on() {
    let (code, _, _) = stdout_of(&[
        "audit",
        EXAMPLE,
        "--as-of",
        "2026-10-01",
        "--fail-on",
        "never",
    ]);
    assert_eq!(code, 0);
    // Only low findings would need --fail-on low; critical ones are present in the example.
    let (code, _, _) = stdout_of(&[
        "audit",
        "tests/fixtures/controls/AUTH-01.yaml",
        "--as-of",
        "2026-10-01",
        "--quiet",
    ]);
    assert_eq!(
        code, 1,
        "AUTH-01 critical failure reaches the default --fail-on high"
    );
    let (code, out, _) = stdout_of(&[
        "audit",
        "tests/fixtures/bad/crlf-ok.yaml",
        "--as-of",
        "2026-10-01",
    ]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn fail_on_levels_are_ordered() {
    // The MAIL-04 fixture fails only at medium.
    let f = "tests/fixtures/controls/MAIL-04.yaml";
    for (level, expected) in [("high", 0), ("medium", 1), ("low", 1)] {
        let args = [
            "audit",
            f,
            "--as-of",
            "2026-10-01",
            "--fail-on",
            level,
            "-q",
        ];
        let (code, _, _) = stdout_of(&args);
        assert_eq!(code, expected, "--fail-on {level}");
    }
}

#[test]
fn exit_2_on_bad_usage() {
    let (code, _, err) = stdout_of(&["audit"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = stdout_of(&["audit", EXAMPLE, "--as-of", "2026-02-30"]);
    assert_eq!(code, 2);
    assert!(err.contains("YYYY-MM-DD"), "{err}");
    let (code, _, err) = stdout_of(&["audit", "does-not-exist.yaml"]);
    assert_eq!(code, 2);
    assert!(err.contains("does-not-exist.yaml"), "{err}");
    let (code, _, err) = stdout_of(&["checks", "explain", "AUTH-99"]);
    assert_eq!(code, 2);
    assert!(err.contains("AUTH-0"), "suggests a near id: {err}");
    let (code, _, _) = stdout_of(&["audit", EXAMPLE, "--format", "text,json"]);
    assert_eq!(code, 2, "several formats need --out");
}

#[test]
fn exit_3_when_outputs_cannot_be_written() {
    let dir = tempfile::tempdir().expect("tmp");
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "x").expect("write");
    let out = blocker.join("sub");
    let (code, _, err) = stdout_of(&[
        "audit",
        EXAMPLE,
        "--as-of",
        "2026-10-01",
        "--format",
        "json",
        "--out",
        out.to_str().expect("utf8"),
        "-q",
    ]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("cannot"), "{err}");
}

#[test]
fn json_is_byte_identical_across_runs_and_follows_the_contract() {
    let a = stdout_of(&[
        "audit",
        EXAMPLE,
        "--as-of",
        "2026-10-01",
        "--format",
        "json",
    ])
    .1;
    let b = stdout_of(&[
        "audit",
        EXAMPLE,
        "--as-of",
        "2026-10-01",
        "--format",
        "json",
    ])
    .1;
    assert_eq!(a, b);
    let v: serde_json::Value = serde_json::from_str(&a).expect("valid JSON");
    for key in [
        "schema_version",
        "tool",
        "organisation",
        "as_of",
        "summary",
        "checks",
        "results",
        "impersonation",
        "regressions",
    ] {
        assert!(v.get(key).is_some(), "results.json has `{key}`");
    }
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["tool"]["name"], "palisade");
    let results = v["results"].as_array().expect("results");
    let first = &results[0];
    for key in [
        "check_id",
        "account_id",
        "status",
        "severity",
        "message",
        "evidence",
    ] {
        assert!(first.get(key).is_some(), "a result has `{key}`");
    }
    // Sorted by (severity, check, account).
    let rank = |s: &str| {
        ["critical", "high", "medium", "low"]
            .iter()
            .position(|x| *x == s)
            .unwrap_or(9)
    };
    let keys: Vec<_> = results
        .iter()
        .map(|r| {
            (
                rank(r["severity"].as_str().unwrap_or("")),
                r["check_id"].as_str().unwrap_or("").to_owned(),
                r["account_id"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    insta::assert_snapshot!("example_json", a);
}

#[test]
fn out_dir_gets_fixed_file_names() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path().to_str().expect("utf8");
    let (code, _, _) = stdout_of(&[
        "audit",
        EXAMPLE,
        "--as-of",
        "2026-10-01",
        "--format",
        "json,text",
        "--out",
        d,
        "-q",
    ]);
    assert_eq!(code, 1);
    assert!(dir.path().join("results.json").is_file());
    assert!(dir.path().join("report.txt").is_file());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "no temporary files left behind");
}

#[test]
fn colour_follows_the_flag_and_no_color() {
    let (_, out, _) = stdout_of(&[
        "audit",
        EXAMPLE,
        "--as-of",
        "2026-10-01",
        "--color",
        "always",
    ]);
    assert!(out.contains('\u{1b}'), "--color always colours");
    let (_, out, _) = stdout_of(&[
        "audit",
        EXAMPLE,
        "--as-of",
        "2026-10-01",
        "--color",
        "never",
    ]);
    assert!(!out.contains('\u{1b}'));
    let out = palisade()
        .args(["audit", EXAMPLE, "--as-of", "2026-10-01"])
        .env("NO_COLOR", "1")
        .output()
        .expect("runs");
    assert!(!String::from_utf8_lossy(&out.stdout).contains('\u{1b}'));
}

#[test]
fn quiet_prints_nothing() {
    let (code, out, err) = stdout_of(&["audit", EXAMPLE, "--as-of", "2026-10-01", "--quiet"]);
    assert_eq!(code, 1);
    assert!(out.is_empty() && err.is_empty());
}

#[test]
fn diagnostics_name_file_line_column_and_text() {
    let mut all = String::new();
    let mut names: Vec<_> = std::fs::read_dir("tests/fixtures/bad")
        .expect("dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    names.sort();
    for p in names {
        let name = p
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        let (code, out, err) = stdout_of(&["validate", p.to_str().expect("utf8")]);
        if name.ends_with("-ok.yaml") || name == "yes-is-a-string.yaml" {
            if name == "yes-is-a-string.yaml" {
                assert_eq!(code, 2, "`yes` is a string in YAML 1.2, not a boolean");
            } else {
                assert_eq!(code, 0, "{name}: {err}");
            }
        } else {
            assert_eq!(code, 2, "{name} is an input error: {out}{err}");
            assert!(
                err.contains(&format!("{name}:")),
                "{name}: the file is named: {err}"
            );
        }
        all.push_str(&format!("==== {name} (exit {code})\n{out}{err}\n"));
    }
    insta::assert_snapshot!("diagnostics", all);
}

#[test]
fn all_problems_are_reported_at_once() {
    let (code, _, err) = stdout_of(&["validate", "tests/fixtures/bad/bad-handle.yaml"]);
    assert_eq!(code, 2);
    assert_eq!(err.matches("error[bad-handle]").count(), 4, "{err}");
}

fn hostile(name: &str, bytes: &[u8]) {
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).expect("write");
    let start = Instant::now();
    let out = palisade()
        .args([
            "audit",
            p.to_str().expect("utf8"),
            "--as-of",
            "2026-10-01",
            "-q",
        ])
        .timeout(Duration::from_secs(20))
        .output()
        .expect("runs");
    let took = start.elapsed();
    let code = out.status.code();
    assert!(
        matches!(code, Some(0..=2)),
        "{name}: exit {code:?}, stderr {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("internal error"),
        "{name} panicked"
    );
    assert!(took < Duration::from_secs(5), "{name} took {took:?}");
}

#[test]
fn hostile_files_end_in_an_exit_code_quickly() {
    let mut bomb = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for i in 1..12 {
        let prev = if i == 1 {
            "a".to_string()
        } else {
            format!("a{}", i - 1)
        };
        bomb.push_str(&format!("a{i}: &a{i} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
    }
    hostile("alias-bomb.yaml", bomb.as_bytes());
    hostile(
        "deep.yaml",
        format!("organisation: {}{}", "[".repeat(20_000), "]".repeat(20_000)).as_bytes(),
    );
    hostile(
        "deep-block.yaml",
        (0..20_000)
            .map(|i| format!("{}k:\n", " ".repeat(i % 200)))
            .collect::<String>()
            .as_bytes(),
    );
    let garbage: Vec<u8> = (0..200_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    hostile("garbage.yaml", &garbage);
    hostile(
        "latin1.yaml",
        b"organisation: {name: \"Caf\xe9\"}\naccounts: []\n",
    );
    let big = format!(
        "organisation: {{name: \"{}\"}}\naccounts: []\n",
        "x".repeat(5 * 1024 * 1024)
    );
    hostile("big-string.yaml", big.as_bytes());
    hostile("empty.yaml", b"");
    hostile("nul.yaml", b"\0\0\0");
    hostile("list.yaml", b"- 1\n- 2\n");
}

#[test]
fn init_writes_a_starter_that_validates() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("palisade.yaml");
    let (code, _, err) = stdout_of(&["init", p.to_str().expect("utf8")]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = stdout_of(&["validate", p.to_str().expect("utf8")]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, _, _) = stdout_of(&["init", p.to_str().expect("utf8")]);
    assert_eq!(code, 2, "refuses to overwrite");
    let text = std::fs::read_to_string(&p).expect("read");
    assert!(
        text.lines()
            .filter(|l| l.trim_start().starts_with('#'))
            .count()
            > 5,
        "commented"
    );
}

#[test]
fn checks_list_and_explain() {
    let (code, out, _) = stdout_of(&["checks", "list"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("checks_list", out);
    let (code, out, _) = stdout_of(&["checks", "explain", "leav-02"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("explain_leav_02", out);
}

#[test]
fn help_is_pinned() {
    for args in [
        vec!["--help"],
        vec!["audit", "--help"],
        vec!["checks", "--help"],
    ] {
        let (code, out, _) = stdout_of(&args);
        assert_eq!(code, 0);
        insta::assert_snapshot!(format!("help_{}", args.join("_").replace("--", "")), out);
    }
}

#[test]
fn example_inventory_exists() {
    assert!(Path::new(EXAMPLE).is_file());
}

/// Issue 6: passwords planted in a vault never appear in any byte palisade writes, in any
/// format, nor on the terminal.
#[test]
fn vault_passwords_never_reach_any_output() {
    let vault = "tests/data/vault/bitwarden.json";
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(vault).expect("read")).expect("json");
    let passwords: Vec<String> = v["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["login"]["password"].as_str().map(str::to_owned))
        .filter(|p| !p.is_empty())
        .collect();
    assert!(passwords.len() >= 3);
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path().to_str().expect("utf8");
    let (code, out, err) = stdout_of(&[
        "audit",
        EXAMPLE,
        "--as-of",
        "2026-10-01",
        "--vault",
        vault,
        "--format",
        "html,json,sarif,junit,markdown,text,csv",
        "--out",
        d,
    ]);
    assert_eq!(code, 1, "{err}");
    let results = std::fs::read_to_string(dir.path().join("results.json")).expect("results");
    assert!(results.contains("\"AUTH-07\""), "the vault was used");
    let mut written = out + &err;
    for e in std::fs::read_dir(dir.path()).expect("dir") {
        let p = e.expect("entry").path();
        written.push_str(&String::from_utf8_lossy(&std::fs::read(&p).expect("read")));
    }
    for p in &passwords {
        assert!(
            !written.contains(p.as_str()),
            "a planted password leaked into the outputs"
        );
    }
}

#[test]
fn report_and_audit_say_wrote_alike() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path().to_str().expect("utf8");
    let (code, _, err) = stdout_of(&[
        "audit",
        EXAMPLE,
        "--as-of",
        "2026-10-01",
        "--format",
        "json",
        "--out",
        d,
    ]);
    assert_eq!(code, 1);
    // On standard error, which is never the report itself.
    assert!(
        err.contains("wrote ") && err.contains("results.json"),
        "{err}"
    );
    let results = dir.path().join("results.json");
    let html = dir.path().join("r.html");
    let (code, _, err) = stdout_of(&[
        "report",
        results.to_str().expect("utf8"),
        "-o",
        html.to_str().expect("utf8"),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.starts_with("wrote "), "{err}");
    // Piped (not a terminal), the page goes to standard output as asked.
    let (code, out, _) = stdout_of(&["report", results.to_str().expect("utf8")]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("<!DOCTYPE html>"),
        "{}",
        &out[..out.len().min(200)]
    );
}

#[test]
fn csv_excel_writes_a_bom_and_crlf() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path().to_str().expect("utf8");
    let args = ["audit", EXAMPLE, "--as-of", "2026-10-01", "--format", "csv"];
    let (code, _, err) = stdout_of(&[&args[..], &["--out", d, "--csv-excel"]].concat());
    assert_eq!(code, 1, "{err}");
    let excel = std::fs::read(dir.path().join("action-plan.csv")).expect("written");
    assert!(excel.starts_with("\u{FEFF}check_id,".as_bytes()));
    assert!(excel.ends_with(b"\r\n"));
    let (_, _, err) = stdout_of(&[&args[..], &["--out", d]].concat());
    let plain = std::fs::read(dir.path().join("action-plan.csv")).expect("written");
    assert!(
        plain.starts_with(b"check_id,") && !plain.contains(&b'\r'),
        "{err}"
    );
}

/// `palisade impersonation` compiles no check, yet a policy override naming no check is still
/// refused, as `audit` refuses it; a real id (in any case) is accepted.
#[test]
fn impersonation_refuses_an_override_of_no_check() {
    let dir = tempfile::tempdir().expect("tmp");
    let candidates = dir.path().join("c.csv");
    std::fs::write(&candidates, "platform,handle\nx,WestmerePo1ice\n").expect("write");
    let c = candidates.to_str().expect("utf-8 path");
    for (overrides, code) in [("{AUTH-99: low}", 2), ("{auth-01: low}", 1)] {
        let policy = dir.path().join("policy.yaml");
        std::fs::write(&policy, format!("severity_overrides: {overrides}\n")).expect("write");
        let p = policy.to_str().expect("utf-8 path");
        let (got, out, err) =
            stdout_of(&["impersonation", EXAMPLE, "--candidates", c, "--policy", p]);
        assert_eq!(got, code, "{overrides}: {out}{err}");
        if code == 2 {
            assert!(err.contains("`AUTH-99`, which is not a check id"), "{err}");
        } else {
            assert!(out.contains("WestmerePo1ice"), "{out}");
        }
    }
}
