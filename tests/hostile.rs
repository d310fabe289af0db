//! palisade tried as an attacker would (issue 15): special files as outputs, terminal escapes in
//! the input, outputs that cannot be written, unbounded inputs, and checks built to crash or
//! hang it. Each test fails without the fix it guards.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

mod cli_common;

use cli_common::{palisade, stdout_of as run, EXAMPLE};

/// The binary as a plain process, for tests that set its standard streams.
fn raw() -> std::process::Command {
    let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("palisade"));
    c.env_remove("NO_COLOR").env("COLUMNS", "100");
    c
}

const RESULTS: &str = "tests/data/report/current.json";

/// A named pipe at `path`; the test fails (never skips) where `mkfifo` is missing.
fn mkfifo(path: &Path) {
    let made = std::process::Command::new("mkfifo").arg(path).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo is needed");
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

// ---------------------------------------------------------------------------------------------
// Item 2: `-o` and `--out` never replace special files.

#[test]
fn report_o_writes_through_a_symlink_and_keeps_it() {
    let dir = tempfile::tempdir().expect("tmp");
    let real = dir.path().join("published.html");
    let link = dir.path().join("report.html");
    fs::write(&real, "old").expect("write");
    std::os::unix::fs::symlink(&real, &link).expect("symlink");
    let (code, _, err) = run(&["report", RESULTS, "-o", link.to_str().expect("utf8")]);
    assert_eq!(code, 0, "{err}");
    assert!(fs::symlink_metadata(&link)
        .expect("link")
        .file_type()
        .is_symlink());
    let html = fs::read_to_string(&real).expect("target");
    assert!(
        html.starts_with("<!DOCTYPE html>"),
        "{}",
        &html[..40.min(html.len())]
    );
    assert_eq!(names(dir.path()), ["published.html", "report.html"]);
}

#[test]
fn report_o_writes_into_a_fifo_without_replacing_it() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().expect("tmp");
    let fifo = dir.path().join("pipe");
    mkfifo(&fifo);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::read(&fifo).expect("read fifo"))
    };
    let (code, _, err) = run(&[
        "report",
        RESULTS,
        "--format",
        "json",
        "-o",
        fifo.to_str().expect("utf8"),
    ]);
    assert_eq!(code, 0, "{err}");
    // Checked before joining: a FIFO renamed over would leave the reader waiting for ever.
    assert!(fs::symlink_metadata(&fifo)
        .expect("fifo")
        .file_type()
        .is_fifo());
    assert_eq!(names(dir.path()), ["pipe"]);
    let got = reader.join().expect("reader");
    assert!(got.starts_with(b"{"), "the JSON went through the pipe");
}

/// A device node of the test's own (never the machine's /dev/null: were the fix broken, the test
/// would replace it). Needs root, as the attack does; without root a link to /dev/null stands in.
#[test]
fn report_o_and_out_write_into_a_device_without_replacing_it() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().expect("tmp");
    let null = dir.path().join("null");
    let is_root = std::process::Command::new("mknod")
        .arg(&null)
        .args(["c", "1", "3"])
        .status()
        .is_ok_and(|s| s.success());
    if !is_root {
        std::os::unix::fs::symlink("/dev/null", &null).expect("symlink");
    }
    let (code, _, err) = run(&["report", RESULTS, "-o", null.to_str().expect("utf8")]);
    assert_eq!(code, 0, "{err}");
    assert!(fs::metadata(&null)
        .expect("null")
        .file_type()
        .is_char_device());
    assert_eq!(
        fs::symlink_metadata(&null)
            .expect("null")
            .file_type()
            .is_symlink(),
        !is_root
    );
    // `--out` with one of the fixed names taken by the device.
    let out = dir.path().join("out");
    fs::create_dir(&out).expect("mkdir");
    let target = out.join("report.txt");
    if is_root {
        assert!(std::process::Command::new("mknod")
            .arg(&target)
            .args(["c", "1", "3"])
            .status()
            .is_ok_and(|s| s.success()));
    } else {
        std::os::unix::fs::symlink("/dev/null", &target).expect("symlink");
    }
    let (code, _, err) = run(&[
        "audit",
        EXAMPLE,
        "--as-of",
        "2026-10-01",
        "--format",
        "text,json",
        "--out",
        out.to_str().expect("utf8"),
        "--quiet",
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(fs::metadata(&target)
        .expect("dev")
        .file_type()
        .is_char_device());
    assert_eq!(names(&out), ["report.txt", "results.json"]);
}

// ---------------------------------------------------------------------------------------------
// Item 7: an output that cannot be written is exit 3, and a failed `--out` changes nothing.

fn dev_full() -> fs::File {
    fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full is needed for this test")
}

#[test]
fn a_full_standard_output_is_exit_3_for_every_command() {
    let cases: &[&[&str]] = &[
        &[
            "audit",
            EXAMPLE,
            "--as-of",
            "2026-10-01",
            "--fail-on",
            "never",
        ],
        &[
            "audit",
            EXAMPLE,
            "--as-of",
            "2026-10-01",
            "--format",
            "json",
        ],
        &["report", RESULTS, "--format", "markdown"],
        &["report", RESULTS, "--format", "html", "-o", "-"],
        &["validate", EXAMPLE],
        &["diff", RESULTS, RESULTS],
        &["checks", "list"],
        &["checks", "explain", "AUTH-01"],
        &["lookalikes", "WestmerePolice"],
        &["init", "-"],
    ];
    for args in cases {
        let out = raw().args(*args).stdout(dev_full()).output().expect("runs");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{args:?}: {err}");
        assert!(
            err.contains("writing to standard output"),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn a_closed_standard_output_is_exit_3() {
    for args in [
        &["validate", EXAMPLE][..],
        &[
            "audit",
            EXAMPLE,
            "--as-of",
            "2026-10-01",
            "--format",
            "json",
        ][..],
    ] {
        let (reader, writer) = std::io::pipe().expect("pipe");
        drop(reader);
        let out = raw()
            .args(args)
            .stdout(Stdio::from(writer))
            .output()
            .expect("runs");
        assert_eq!(
            out.status.code(),
            Some(3),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn a_closed_standard_error_does_not_crash_palisade() {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let out = raw()
        .args(["validate", "tests/fixtures/bad/bad-date.yaml"])
        .stderr(Stdio::from(writer))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "the input error, not a panic");
}

#[test]
fn a_failed_out_leaves_the_old_outputs_untouched() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path();
    fs::write(out.join("report.html"), "old html").expect("write");
    fs::write(out.join("results.json"), "old json").expect("write");
    // The third output cannot be written: its name is taken by a directory.
    fs::create_dir(out.join("results.sarif")).expect("mkdir");
    let (code, _, err) = run(&[
        "audit",
        EXAMPLE,
        "--as-of",
        "2026-10-01",
        "--format",
        "html,json,sarif",
        "--out",
        out.to_str().expect("utf8"),
    ]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("results.sarif"), "{err}");
    assert_eq!(
        fs::read_to_string(out.join("report.html")).expect("html"),
        "old html"
    );
    assert_eq!(
        fs::read_to_string(out.join("results.json")).expect("json"),
        "old json"
    );
    assert_eq!(names(out), ["report.html", "results.json", "results.sarif"]);
}

// ---------------------------------------------------------------------------------------------
// Item 3: nothing from the input drives the terminal.

/// Every way a value can act on a terminal, in one string: a title change, a screen clear, a
/// carriage return to overwrite the line, a C1 CSI, a bidi override, and a new line.
const HOSTILE: &str =
    "Evil\u{1b}]0;pwned\u{7}\u{1b}[2J\rScore 100/100\u{9b}31m\u{202E}x\nfake line";

/// `HOSTILE` written inside a YAML double-quoted string.
const HOSTILE_YAML: &str = r#"Evil\e]0;pwned\a\e[2J\rScore 100/100\u009B31m\u202Ex\nfake line"#;

/// Fails on any control character in `out`, except newlines, tabs and, when `colour`, the SGR
/// colour sequences palisade writes itself.
fn assert_inert(out: &str, colour: bool, what: &str) {
    let sgr = regex::Regex::new(r"\x1b\[[0-9;]*m").expect("regex");
    let rest = if colour {
        sgr.replace_all(out, "").into_owned()
    } else {
        out.to_owned()
    };
    for c in rest.chars() {
        let bad = (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
        assert!(!bad, "{what}: raw {:?} reaches the terminal:\n{out}", c);
    }
    assert!(
        !out.contains("\nfake line"),
        "{what}: input started a line:\n{out}"
    );
}

fn hostile_inventory(dir: &Path) -> PathBuf {
    let text = fs::read_to_string(EXAMPLE)
        .expect("example")
        .replace(
            "name: Westmere Constabulary",
            &format!("name: \"{HOSTILE_YAML}\""),
        )
        .replace(
            "device: Tunde's personal iPhone",
            &format!("device: \"{HOSTILE_YAML}\""),
        )
        .replace(
            "account: wm-x-mian",
            &format!("account: \"{HOSTILE_YAML}\""),
        );
    let p = dir.join("hostile.yaml");
    fs::write(&p, text).expect("write");
    p
}

#[test]
fn hostile_inventory_values_are_shown_not_obeyed_in_text_output() {
    let dir = tempfile::tempdir().expect("tmp");
    let inv = hostile_inventory(dir.path());
    let inv = inv.to_str().expect("utf8");
    for colour in ["never", "always"] {
        let (code, out, err) = run(&["audit", inv, "--as-of", "2026-10-01", "--color", colour]);
        assert_eq!(code, 1, "{err}");
        assert_inert(&out, colour == "always", "audit text");
        assert!(
            out.contains(r"Evil\u{1b}]0;pwned\u{7}\u{1b}[2J\u{d}Score"),
            "{out}"
        );
        assert!(out.contains(r"\u{202e}x\u{a}fake line"), "{out}");
    }
    // The same through report.txt under --out, and its summary on the terminal.
    let out_dir = dir.path().join("out");
    let (_, out, _) = run(&[
        "audit",
        inv,
        "--as-of",
        "2026-10-01",
        "--out",
        out_dir.to_str().expect("utf8"),
    ]);
    assert_inert(&out, false, "audit --out summary");
    let txt = fs::read_to_string(out_dir.join("report.txt")).expect("report.txt");
    assert_inert(&txt, false, "report.txt");
}

#[test]
fn hostile_results_are_shown_not_obeyed_by_report_and_diff() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut v: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(RESULTS).expect("results")).expect("json");
    v["organisation"] = HOSTILE.into();
    v["tool"]["version"] = HOSTILE.into();
    for r in v["results"].as_array_mut().expect("results") {
        r["account_id"] = HOSTILE.into();
        r["message"] = HOSTILE.into();
    }
    let hostile = dir.path().join("hostile.json");
    fs::write(&hostile, serde_json::to_string(&v).expect("json")).expect("write");
    let h = hostile.to_str().expect("utf8");
    let (code, out, err) = run(&["report", h, "--format", "text", "-o", "-"]);
    assert_eq!(code, 0, "{err}");
    assert_inert(&out, false, "report --format text");
    let (_, out, err) = run(&["diff", RESULTS, h]);
    assert_inert(&out, false, "diff");
    assert_inert(&err, false, "diff stderr");
}

#[test]
fn hostile_check_definitions_are_shown_not_obeyed() {
    let dir = tempfile::tempdir().expect("tmp");
    let checks = dir.path().join("checks");
    fs::create_dir(&checks).expect("mkdir");
    fs::write(
        checks.join("ORG-09.yaml"),
        format!(
            "id: ORG-09\ntitle: \"{HOSTILE_YAML}\"\nfamily: \"{HOSTILE_YAML}\"\nseverity: low\n\
             rationale: \"{HOSTILE_YAML}\"\nremediation: \"{HOSTILE_YAML}\"\n\
             rule:\n  fail_when: 'true'\n  message: '\"\\u001b]0;pwned\\u0007\" + account.id'\n"
        ),
    )
    .expect("write");
    let c = checks.to_str().expect("utf8");
    for args in [
        &["checks", "list", "--checks-dir", c][..],
        &["checks", "explain", "ORG-09", "--checks-dir", c][..],
        &["audit", EXAMPLE, "--as-of", "2026-10-01", "--checks-dir", c][..],
    ] {
        let (_, out, err) = run(args);
        assert!(out.contains("ORG-09"), "{args:?}: {out}{err}");
        assert_inert(&out, false, &format!("{args:?}"));
    }
}

#[test]
fn hostile_values_in_diagnostics_are_shown_not_obeyed() {
    let dir = tempfile::tempdir().expect("tmp");
    // An HR export is raw text: its values reach the messages as they are.
    let csv = dir.path().join("hr.csv");
    fs::write(
        &csv,
        format!("id,name,status\nzz1,Zed,{HOSTILE}\n\"{HOSTILE}\",Zed,active\n")
            .replace('\n', "\r\n"),
    )
    .expect("write");
    let (code, _, err) = run(&[
        "validate",
        EXAMPLE,
        "--people",
        csv.to_str().expect("utf8"),
        "--color",
        "always",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(r"\u{1b}]0;pwned"), "{err}");
    assert_inert(&err, true, "diagnostics");

    let checks = dir.path().join("shared");
    fs::create_dir(&checks).expect("mkdir");
    fs::write(checks.join("Evil\u{1b}]0;x\u{7}.yaml"), "id: [").expect("write");
    let (code, _, err) = run(&[
        "checks",
        "list",
        "--checks-dir",
        checks.to_str().expect("utf8"),
    ]);
    assert_eq!(code, 2, "{err}");
    assert_inert(&err, false, "diagnostics of a hostile file name");
}

/// results.json carries the input as it is (JSON escapes C0 controls, not a bidi override);
/// sent to a pipe or a file it stays exact.
#[test]
fn documents_sent_to_a_file_stay_exact() {
    let dir = tempfile::tempdir().expect("tmp");
    let inv = hostile_inventory(dir.path());
    let (_, out, _) = run(&[
        "audit",
        inv.to_str().expect("utf8"),
        "--as-of",
        "2026-10-01",
        "--format",
        "json",
    ]);
    assert!(out.contains('\u{202E}'), "stdout is not a terminal here");
}

// ---------------------------------------------------------------------------------------------
// Item 4: custom rules and templates cannot crash or hang palisade.

/// A checks directory holding one custom check whose `fail_when` is `rule`.
fn custom_check(dir: &Path, rule: &str) -> String {
    let checks = dir.join("checks");
    fs::create_dir_all(&checks).expect("mkdir");
    fs::write(
        checks.join("ORG-66.yaml"),
        format!(
            "id: ORG-66\ntitle: t\nfamily: access\nseverity: low\nrationale: r\nremediation: m\n\
             rule:\n  fail_when: '{rule}'\n  message: '\"m\"'\n"
        ),
    )
    .expect("write");
    checks.to_str().expect("utf8").to_owned()
}

#[test]
fn a_rule_of_8000_terms_is_a_located_input_error_not_a_crash() {
    let dir = tempfile::tempdir().expect("tmp");
    let checks = custom_check(dir.path(), &(vec!["1"; 8000].join("+") + " == 0"));
    let (code, _, err) = run(&[
        "audit",
        EXAMPLE,
        "--as-of",
        "2026-10-01",
        "--checks-dir",
        &checks,
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("ORG-66.yaml:8:14"), "{err}");
    assert!(err.contains("at most 4096"), "{err}");
}

#[test]
fn deeply_nested_parentheses_are_a_located_input_error_not_a_panic() {
    let dir = tempfile::tempdir().expect("tmp");
    let deep = format!("{}1{} == 1", "(".repeat(120_000), ")".repeat(120_000));
    let checks = custom_check(dir.path(), &deep);
    let (code, _, err) = run(&["checks", "list", "--checks-dir", &checks]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("ORG-66.yaml:8:14"), "{err}");
    assert!(!err.contains("internal error"), "{err}");
    let checks = custom_check(
        dir.path(),
        &format!("{}1{} == 1", "(".repeat(200), ")".repeat(200)),
    );
    let (code, _, err) = run(&["checks", "list", "--checks-dir", &checks]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("nests brackets 200 deep"), "{err}");
}

#[test]
fn a_rule_that_would_never_end_is_an_error_result_within_its_budget() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut rule = "true".to_owned();
    for i in 0..10 {
        rule = format!("[1,2,3,4,5,6,7,8,9,10].all(x{i}, {rule})");
    }
    let checks = custom_check(dir.path(), &rule);
    let out = palisade()
        .args([
            "audit",
            EXAMPLE,
            "--as-of",
            "2026-10-01",
            "--format",
            "json",
        ])
        .args(["--checks-dir", &checks])
        .timeout(Duration::from_secs(60))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1), "ends, with findings");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("results.json");
    let ours: Vec<&serde_json::Value> = v["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|r| r["check_id"] == "ORG-66" && r["status"] != "skipped")
        .collect();
    assert!(!ours.is_empty());
    for r in ours {
        assert_eq!(r["status"], "error", "{r}");
        let m = r["message"].as_str().expect("message");
        assert!(m.contains("rule exceeded its evaluation budget"), "{m}");
    }
}

#[test]
fn templates_that_include_each_other_are_refused_not_a_crash() {
    let dir = tempfile::tempdir().expect("tmp");
    let partials = dir.path().join("templates/partials");
    fs::create_dir_all(&partials).expect("mkdir");
    fs::write(partials.join("summary.hbs"), "<p>{{> scores}}</p>").expect("write");
    fs::write(partials.join("scores.hbs"), "<p>{{> summary}}</p>").expect("write");
    let out_file = dir.path().join("r.html");
    let (code, _, err) = run(&[
        "report",
        RESULTS,
        "--templates",
        dir.path().join("templates").to_str().expect("utf8"),
        "-o",
        out_file.to_str().expect("utf8"),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("include each other in a loop"), "{err}");
    assert!(
        err.contains("scores → summary") || err.contains("summary → scores"),
        "{err}"
    );
    assert!(!out_file.exists());
}

// ---------------------------------------------------------------------------------------------
// Item 11: messages that mislead.

#[test]
fn a_cel_syntax_error_is_reported_once_not_as_missing_logic() {
    let dir = tempfile::tempdir().expect("tmp");
    let checks = custom_check(dir.path(), "account.security.smmp == ");
    let (code, _, err) = run(&["checks", "list", "--checks-dir", &checks]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("invalid CEL expression"), "{err}");
    assert!(!err.contains("needs its logic"), "{err}");
    assert!(err.contains("1 problem found"), "{err}");
}

#[test]
fn scope_organisation_with_a_cel_rule_is_refused_at_load() {
    let dir = tempfile::tempdir().expect("tmp");
    let checks = dir.path().join("checks");
    fs::create_dir(&checks).expect("mkdir");
    fs::write(
        checks.join("ORG-70.yaml"),
        "id: ORG-70\ntitle: t\nfamily: access\nseverity: low\nrationale: r\nremediation: m\n\
         scope: organisation\nrule:\n  fail_when: 'true'\n  message: '\"m\"'\n",
    )
    .expect("write");
    fs::write(
        checks.join("ORG-71.yaml"),
        "id: ORG-71\ntitle: t\nfamily: access\nseverity: low\nrationale: r\nremediation: m\n\
         scope: organisation\nnative: owner_present\n",
    )
    .expect("write");
    let c = checks.to_str().expect("utf8");
    let (code, _, err) = run(&["validate", EXAMPLE, "--checks-dir", c]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("ORG-70.yaml:9:3"), "{err}");
    assert!(err.contains("must be `native`"), "{err}");
    assert!(err.contains("ORG-71.yaml:8:9"), "{err}");
    assert!(err.contains("cannot judge `scope: organisation`"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// Item 8: every input is bounded.

/// Runs palisade with a deadline; `(exit code, stderr, seconds)`.
fn run_timed(args: &[&str]) -> (i32, String, f64) {
    let start = std::time::Instant::now();
    let out = palisade()
        .args(args)
        .timeout(Duration::from_secs(60))
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        start.elapsed().as_secs_f64(),
    )
}

#[test]
fn dev_zero_as_any_input_is_refused_quickly() {
    let z = "/dev/zero";
    let cases: &[(&[&str], &str)] = &[
        (&["validate", z], "inventory is not text"),
        (
            &["validate", EXAMPLE, "--people", z],
            "HR export is not text",
        ),
        (
            &["validate", EXAMPLE, "--policy", z],
            "policy file is not text",
        ),
        (
            &["impersonation", EXAMPLE, "--candidates", z],
            "row runs past 64 KiB",
        ),
        (
            &["audit", EXAMPLE, "--vault", z],
            "vault export is larger than 256 MiB",
        ),
        (
            &["audit", EXAMPLE, "--baseline", z],
            "results file is not text",
        ),
        (&["report", z], "results file is not text"),
        (&["diff", RESULTS, z], "results file is not text"),
    ];
    for (args, said) in cases {
        let (code, err, secs) = run_timed(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(said), "{args:?}: {err}");
        assert!(secs < 30.0, "{args:?} took {secs:.1} s");
    }
}

#[test]
fn an_endless_text_stream_stops_at_its_cap() {
    let dir = tempfile::tempdir().expect("tmp");
    let fifo = dir.path().join("policy.yaml");
    mkfifo(&fifo);
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            use std::io::Write;
            let mut f = fs::OpenOptions::new()
                .write(true)
                .open(&fifo)
                .expect("open");
            let line = b"max_admins: 4\n".repeat(4096);
            // Until palisade stops reading (the pipe breaks).
            while f.write_all(&line).is_ok() {}
        })
    };
    let (code, err, _) = run_timed(&[
        "validate",
        EXAMPLE,
        "--policy",
        fifo.to_str().expect("utf8"),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("policy file is larger than 16 MiB"), "{err}");
    writer.join().expect("writer");
}

#[test]
fn a_huge_file_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().expect("tmp");
    let inv = dir.path().join("huge.yaml");
    // Sparse: 300 MiB long, no disk used.
    let f = fs::File::create(&inv).expect("create");
    f.set_len(300 << 20).expect("set_len");
    let (code, err, secs) = run_timed(&["validate", inv.to_str().expect("utf8")]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("inventory is larger than 256 MiB"), "{err}");
    assert!(secs < 10.0, "took {secs:.1} s");
}

#[test]
fn a_30000_character_handle_is_refused_not_searched_for_minutes() {
    let dir = tempfile::tempdir().expect("tmp");
    let long = "w".repeat(30_000);
    let inv = dir.path().join("inv.yaml");
    let text = fs::read_to_string(EXAMPLE).expect("example").replace(
        "accounts:\n",
        &format!(
            "accounts:\n  - {{id: wm-other, platform: other, handle: {long}, owner: okafor, purpose: corporate}}\n"
        ),
    );
    fs::write(&inv, text).expect("write");
    let cands = dir.path().join("c.csv");
    fs::write(
        &cands,
        format!("platform,handle\nother,{long}x\nx,{}\n", "W".repeat(40_000)),
    )
    .expect("write");
    let (code, err, secs) = run_timed(&[
        "impersonation",
        inv.to_str().expect("utf8"),
        "--candidates",
        cands.to_str().expect("utf8"),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("at most 100 characters"), "{err}");
    assert!(secs < 20.0, "took {secs:.1} s");
    // The candidates alone, against the example: both rows are refused at the reader.
    let (code, err, secs) = run_timed(&[
        "impersonation",
        EXAMPLE,
        "--candidates",
        cands.to_str().expect("utf8"),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("c.csv:2:1"), "{err}");
    assert!(
        err.contains("30001 characters long; no platform allows more than 300"),
        "{err}"
    );
    assert!(err.contains("c.csv:3:1"), "{err}");
    assert!(secs < 20.0, "took {secs:.1} s");
}

#[test]
fn one_bad_hr_row_is_one_error_not_a_cascade_of_unknown_people() {
    let dir = tempfile::tempdir().expect("tmp");
    let inv = dir.path().join("inv.yaml");
    let text = fs::read_to_string(EXAMPLE)
        .expect("example")
        .replace(
            "      - {person: okafor, role: owner, via: smmp, granted_on: 2021-01-10}",
            "      - {person: okafor, role: owner, via: smmp, granted_on: 2021-01-10}\n      \
             - {person: hr1, role: admin, via: smmp}\n      - {person: hr2, role: admin, via: smmp}",
        )
        // A YAML person with a bad field of their own, still named by an account.
        .replace("role: Campaigns officer, status: active", "role: Campaigns officer, status: retired");
    assert!(text.contains("person: hr1") && text.contains("status: retired"));
    fs::write(&inv, text).expect("write");
    let hr = dir.path().join("hr.csv");
    fs::write(
        &hr,
        "id,name,status\nhr1,Ada One,active\nhr2,Bo Two,on-leave\n",
    )
    .expect("write");
    let (code, _, err) = run(&[
        "validate",
        inv.to_str().expect("utf8"),
        "--people",
        hr.to_str().expect("utf8"),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("person `hr2`: `status` must be one of"),
        "{err}"
    );
    assert!(err.contains("retired"), "{err}");
    assert!(!err.contains("names no person"), "{err}");
    assert!(err.contains("2 problems found"), "{err}");
}

#[test]
fn a_checks_dir_given_twice_is_read_once() {
    let dir = tempfile::tempdir().expect("tmp");
    let checks = custom_check(dir.path(), "false");
    let same = format!("{checks}/.");
    let (code, out, err) = run(&[
        "checks",
        "list",
        "--checks-dir",
        &checks,
        "--checks-dir",
        &same,
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out.lines().filter(|l| l.starts_with("ORG-66")).count(),
        1,
        "{out}"
    );
    // A different file with the same id is still a duplicate.
    let other = dir.path().join("other");
    fs::create_dir(&other).expect("mkdir");
    fs::copy(
        Path::new(&checks).join("ORG-66.yaml"),
        other.join("ORG-66.yaml"),
    )
    .expect("copy");
    let (code, _, err) = run(&[
        "checks",
        "list",
        "--checks-dir",
        &checks,
        "--checks-dir",
        other.to_str().expect("utf8"),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("already defined"), "{err}");
}

#[test]
fn a_duplicate_key_is_explained_without_the_yaml_library_s_advice() {
    let dir = tempfile::tempdir().expect("tmp");
    let inv = dir.path().join("dup.yaml");
    fs::write(&inv, "organisation:\n  name: A\n  name: B\naccounts: []\n").expect("write");
    let (code, _, err) = run(&["validate", inv.to_str().expect("utf8")]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("dup.yaml:3:3"), "{err}");
    assert!(err.contains("the key `name` appears twice"), "{err}");
    assert!(!err.contains("DuplicateKeyPolicy"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// Item 10: --redact masks a name however it is written.

/// Every part of the example's people's names and the local parts of their addresses.
const EXAMPLE_PEOPLE: &[&str] = &[
    "Jane",
    "Smith",
    "Tunde",
    "Okafor",
    "Ravi",
    "Patel",
    "Kim",
    "Brown",
    "Dan",
    "Lee",
    "jane.smith",
    "tunde.okafor",
    "ravi.patel",
    "kim.brown1987",
    "dan.lee",
];

/// `(file, word)` for each of `words` found (whole word, any case) in the files of `dir`.
fn leaks(dir: &Path, words: &[&str]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for name in names(dir) {
        let text = fs::read_to_string(dir.join(&name)).expect("output");
        for w in words {
            let re = regex::Regex::new(&format!(r"(?i)(^|[^\w.]){}([^\w]|$)", regex::escape(w)))
                .expect("regex");
            if let Some(m) = re.find(&text) {
                out.push((name.clone(), m.as_str().to_owned()));
            }
        }
    }
    out
}

const EVERY_FORMAT: &str = "html,json,sarif,junit,markdown,text,csv";

#[test]
fn redact_masks_every_name_of_the_example_in_every_format() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("audit");
    let o = out.to_str().expect("utf8");
    let (code, _, err) = run(&[
        "audit",
        EXAMPLE,
        "--as-of",
        "2026-10-01",
        "--redact",
        "--format",
        EVERY_FORMAT,
        "--out",
        o,
        "--quiet",
    ]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(names(&out).len(), 7);
    assert_eq!(leaks(&out, EXAMPLE_PEOPLE), Vec::<(String, String)>::new());
    let report = fs::read_to_string(out.join("report.txt")).expect("text");
    assert!(
        report.contains("'s personal iPhone"),
        "the device is still described"
    );
    assert!(!report.contains("Tunde's"), "{report}");

    // `report --redact` knows only results.json, and masks the same.
    let plain = dir.path().join("plain");
    let p = plain.to_str().expect("utf8");
    let (code, _, err) = run(&[
        "audit",
        EXAMPLE,
        "--as-of",
        "2026-10-01",
        "--format",
        "json",
        "--out",
        p,
        "--quiet",
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(
        !leaks(&plain, &["Tunde"]).is_empty(),
        "the fixture does hold the names"
    );
    let again = dir.path().join("report");
    let results = plain.join("results.json");
    let (code, _, err) = run(&[
        "report",
        results.to_str().expect("utf8"),
        "--redact",
        "--format",
        EVERY_FORMAT,
        "--out",
        again.to_str().expect("utf8"),
        "--quiet",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        leaks(&again, EXAMPLE_PEOPLE),
        Vec::<(String, String)>::new()
    );
}

#[test]
fn redact_masks_names_in_any_order_spacing_and_inside_urls() {
    let dir = tempfile::tempdir().expect("tmp");
    let inv = dir.path().join("inv.yaml");
    let text = fs::read_to_string(EXAMPLE).expect("example").replace(
        "reason: Typo in the account id, so this waiver matches nothing",
        "reason: \"agreed with Smith, Jane and Ravi\\u00A0\\u00A0Patel; Kim  Brown's notes are at \
         https://calendly.example/tunde.okafor/review and https://x.example/u?who=dan.lee\"",
    );
    assert!(text.contains("calendly.example"));
    fs::write(&inv, text).expect("write");
    let out = dir.path().join("out");
    let (code, _, err) = run(&[
        "audit",
        inv.to_str().expect("utf8"),
        "--as-of",
        "2026-10-01",
        "--redact",
        "--format",
        EVERY_FORMAT,
        "--out",
        out.to_str().expect("utf8"),
        "--quiet",
    ]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(leaks(&out, EXAMPLE_PEOPLE), Vec::<(String, String)>::new());
    let json = fs::read_to_string(out.join("results.json")).expect("json");
    assert!(
        json.contains("https://calendly.example/user-"),
        "the URL keeps its shape"
    );
}

// ---------------------------------------------------------------------------------------------
// KeePass headers: bounded key derivation, and a malformed header is an input error.

/// A KDBX 4 vault with the keepass crate's default Argon2 (1 MiB), whose header then asks for
/// `memory` bytes.
fn kdbx_asking_for(dir: &Path, memory: u64) -> PathBuf {
    use keepass::{config::KdfConfig, Database, DatabaseKey};
    let db = Database::new();
    assert!(matches!(
        db.config.kdf_config,
        KdfConfig::Argon2 {
            memory: 1_048_576,
            ..
        }
    ));
    let mut bytes = Vec::new();
    db.save(&mut bytes, DatabaseKey::new().with_password("x"))
        .expect("save");
    // The variant dictionary's entry: type 0x05 (u64), key "M", 8 bytes of value.
    let needle = [
        &[0x05, 1, 0, 0, 0, b'M', 8, 0, 0, 0][..],
        &(1u64 << 20).to_le_bytes(),
    ]
    .concat();
    let at = bytes
        .windows(needle.len())
        .position(|w| w == needle.as_slice())
        .expect("the memory parameter");
    bytes[at + 10..at + 18].copy_from_slice(&memory.to_le_bytes());
    let p = dir.join(format!("m{memory}.kdbx"));
    fs::write(&p, bytes).expect("write");
    p
}

#[test]
fn a_kdbx_header_asking_for_a_terabyte_of_argon2_memory_is_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    let fine = kdbx_asking_for(dir.path(), 1 << 20);
    let huge = kdbx_asking_for(dir.path(), 1 << 40);
    let run_vault = |p: &Path| {
        palisade()
            .env("PALISADE_VAULT_PASSWORD", "x")
            .args([
                "audit",
                EXAMPLE,
                "--as-of",
                "2026-10-01",
                "--quiet",
                "--vault",
            ])
            .arg(p)
            .timeout(Duration::from_secs(60))
            .output()
            .expect("runs")
    };
    let out = run_vault(&fine);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run_vault(&huge);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("1048576 MiB of Argon2 memory"), "{err}");
}

#[test]
fn a_kdbx_header_field_too_short_for_its_type_is_an_input_error_not_a_crash() {
    let dir = tempfile::tempdir().expect("tmp");
    // KDBX 3.1, field 6 (AES rounds, a u64) two bytes long: the keepass crate's reader panics.
    let mut b = vec![0x03, 0xd9, 0xa2, 0x9a, 0x67, 0xfb, 0x4b, 0xb5, 1, 0, 3, 0];
    b.extend([6, 2, 0, 1, 2, 0, 0, 0]);
    let p = dir.path().join("short.kdbx");
    fs::write(&p, b).expect("write");
    let out = palisade()
        .env("PALISADE_VAULT_PASSWORD", "x")
        .args([
            "audit",
            EXAMPLE,
            "--as-of",
            "2026-10-01",
            "--quiet",
            "--vault",
        ])
        .arg(&p)
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("(damaged or hostile)"), "{err}");
    assert!(!err.contains("internal error"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// SECURITY.md: nothing touches the network without --online.

#[test]
fn nothing_reaches_the_network_without_online() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("listen");
    listener.set_nonblocking(true).expect("nonblocking");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let seen = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let counter = {
        let (seen, stop) = (seen.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                if let Ok((s, _)) = listener.accept() {
                    seen.fetch_add(1, Ordering::Relaxed);
                    drop(s);
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        })
    };
    let dir = tempfile::tempdir().expect("tmp");
    let audit = |online: bool| {
        let mut c = palisade();
        // Every way palisade could be sent to the network points at the listener.
        for var in [
            "PALISADE_BLUESKY_API",
            "PALISADE_MASTODON_API",
            "PALISADE_PWNED_API",
            "PALISADE_HIBP_API",
            "HTTP_PROXY",
            "HTTPS_PROXY",
            "ALL_PROXY",
            "http_proxy",
            "https_proxy",
        ] {
            c.env(var, &url);
        }
        c.env("HIBP_API_KEY", "test-key")
            .env("NO_PROXY", "")
            .args(["audit", EXAMPLE, "--as-of", "2026-10-01", "--quiet"])
            .args(["--vault", "tests/data/vault/bitwarden.json"])
            .args(["--candidates", "examples/candidates.csv"])
            .arg("--cache-dir")
            .arg(dir.path());
        if online {
            c.arg("--online");
        }
        c.timeout(Duration::from_secs(120)).output().expect("runs")
    };
    let out = audit(false);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(
        seen.load(Ordering::Relaxed),
        0,
        "a connection without --online"
    );
    // The same run with --online does reach the listener: the test can see traffic.
    let _ = audit(true);
    std::thread::sleep(Duration::from_millis(100));
    stop.store(true, Ordering::Relaxed);
    counter.join().expect("listener");
    assert!(
        seen.load(Ordering::Relaxed) > 0,
        "--online made no connection"
    );
}
