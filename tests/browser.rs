//! The HTML report in a real browser: hostile values stay text, the structure is there, and
//! axe-core finds no serious or critical accessibility violation (light and dark mode).
//!
//! Needs Chromium (`/usr/bin/chromium` or `PALISADE_CHROMIUM`) and axe-core (`PALISADE_AXE_DIR`
//! or `node_modules/` at the repository root); `.ci/install-browser.sh` installs both. Without
//! them the test says why it skipped and passes, so `cargo test` works on a bare machine.
//! Leaves `target/palisade-report.png` (first page) as an artefact. With
//! `PALISADE_UPDATE_DOCS=1` it also refreshes `docs/report.png`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use palisade::baseline::{apply_baseline, load_results};
use palisade::model::results::{Report, Status};
use palisade::render::{html, sample, RenderOptions};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn chromium() -> Option<PathBuf> {
    let p = std::env::var_os("PALISADE_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| "/usr/bin/chromium".into());
    p.is_file().then_some(p)
}

fn axe_script() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PALISADE_AXE_DIR")
        .map(PathBuf::from)
        .into_iter()
        .collect();
    dirs.push(root().join("node_modules"));
    dirs.iter()
        .flat_map(|d| {
            [
                d.join("axe.min.js"),
                d.join("axe-core/axe.min.js"),
                d.join("node_modules/axe-core/axe.min.js"),
            ]
        })
        .find(|p| p.is_file())
}

/// Runs headless Chromium with `extra` arguments on `page`, returning stdout; kills it after 90 s.
fn run_chromium(bin: &Path, profile: &Path, extra: &[String], page: &Path) -> String {
    let mut args: Vec<String> = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.push(format!("--user-data-dir={}", profile.display()));
    args.extend(extra.iter().cloned());
    args.push(format!("file://{}", page.display()));
    std::fs::create_dir_all(profile).unwrap();
    let out_path = profile.with_extension("stdout");
    let out = std::fs::File::create(&out_path).unwrap();
    let mut child = Command::new(bin)
        .args(&args)
        .stdout(out)
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    std::fs::read_to_string(&out_path).unwrap_or_default()
}

/// The fixture, plus payloads that would leave a trace in the DOM if they ever ran.
fn hostile_report() -> Report {
    let mut r = load_results(&root().join("tests/data/report/current.json")).unwrap();
    apply_baseline(
        &mut r,
        &load_results(&root().join("tests/data/report/baseline.json")).unwrap(),
    );
    let title_payload = "<script>document.title='PWNED'</script>";
    let attr_payload = "\"><img src=x onerror=\"document.body.setAttribute('data-pwned','1')\">";
    r.accounts[0].display_name = Some(format!("{title_payload}{attr_payload}"));
    r.accounts[1].handle = format!("x{attr_payload}");
    r.results[0].message = format!("{title_payload} \u{202E}gnp.exe");
    r.impersonation[0].candidate = format!("{attr_payload}\u{202E}");
    r.organisation = format!("Westmere {title_payload}");
    r
}

/// `page` without its Content-Security-Policy (so the test proves escaping, not only CSP), and
/// with `inject` before `</body>`.
fn copy_without_csp(html: &str, inject: &str) -> String {
    let start = html
        .find("<meta http-equiv=\"Content-Security-Policy\"")
        .expect("CSP meta present");
    let end = start + html[start..].find('>').unwrap() + 1;
    let mut out = format!("{}{}", &html[..start], &html[end..]);
    let body = out.rfind("</body>").unwrap();
    out.insert_str(body, inject);
    out
}

#[test]
fn report_in_a_real_browser() {
    let Some(bin) = chromium() else {
        println!("SKIPPED: browser test needs Chromium at /usr/bin/chromium (or PALISADE_CHROMIUM); run .ci/install-browser.sh");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let html = html::render(&hostile_report(), &RenderOptions::default()).unwrap();

    // 1. No script ran, even with the CSP removed.
    let page = tmp.path().join("hostile.html");
    std::fs::write(&page, copy_without_csp(&html, "")).unwrap();
    let dom = run_chromium(&bin, &tmp.path().join("p1"), &["--dump-dom".into()], &page);
    assert!(
        dom.contains("<h1>"),
        "chromium produced no DOM: {}",
        &dom[..dom.len().min(500)]
    );
    assert!(
        !dom.contains("<title>PWNED</title>"),
        "a script changed the title"
    );
    assert!(!dom.contains("data-pwned=\"1\""), "an event handler ran");
    assert!(!dom.contains("<img"), "an <img> element was created");
    assert_eq!(
        dom.matches("<script").count(),
        0,
        "a <script> element exists"
    );
    assert!(dom.contains("[U+202E]"), "bidi override shown visibly");

    // 2. Structure: one h1, the sections' h2s, tables with header cells.
    assert_eq!(dom.matches("<h1").count(), 1);
    assert!(dom.matches("<h2").count() >= 8, "section headings");
    assert!(dom.matches("<table").count() >= 8, "tables");
    assert!(dom.contains("<th scope=\"col\">"));
    assert!(dom.contains("<caption>"));

    // 3. Screenshot of the first page, kept as an artefact.
    let png = root().join("target/palisade-report.png");
    let real = tmp.path().join("report.html");
    std::fs::write(&real, &html).unwrap();
    run_chromium(
        &bin,
        &tmp.path().join("p2"),
        &[
            format!("--screenshot={}", png.display()),
            "--window-size=1240,1754".into(),
        ],
        &real,
    );
    assert!(
        png.is_file() && std::fs::metadata(&png).unwrap().len() > 10_000,
        "screenshot written"
    );

    if std::env::var_os("PALISADE_UPDATE_DOCS").is_some() {
        docs_screenshot(&bin, tmp.path());
    }

    // 4. Accessibility: axe-core in light and in dark mode.
    let Some(axe) = axe_script() else {
        println!("SKIPPED (axe part): axe-core not found in PALISADE_AXE_DIR or node_modules; run .ci/install-browser.sh");
        return;
    };
    let axe_js = std::fs::read_to_string(&axe).unwrap();
    let runner = r#"<script>
axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})
  .then(function (r) {
    var out = r.violations.map(function (v) {
      return {id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(function (n) { return n.target.join(' ') + ' :: ' + (n.failureSummary || ''); })};
    });
    var pre = document.createElement('pre');
    pre.id = 'axe-results';
    pre.textContent = 'AXE' + '-BEGIN' + JSON.stringify({dark: matchMedia('(prefers-color-scheme: dark)').matches, violations: out}) + 'AXE' + '-END';
    document.body.appendChild(pre);
  })
  .catch(function (e) { var pre = document.createElement('pre'); pre.textContent = 'AXE' + '-BEGIN' + JSON.stringify({error: String(e)}) + 'AXE' + '-END'; document.body.appendChild(pre); });
</script>"#;
    let injected = copy_without_csp(&html, &format!("<script>{axe_js}</script>{runner}"));
    let axe_page = tmp.path().join("axe.html");
    std::fs::write(&axe_page, injected).unwrap();
    for (mode, flags) in [
        (
            "light",
            vec!["--blink-settings=preferredColorScheme=1".to_string()],
        ),
        (
            "dark",
            vec!["--blink-settings=preferredColorScheme=0".to_string()],
        ),
    ] {
        let mut args = vec![
            "--dump-dom".to_string(),
            "--virtual-time-budget=60000".to_string(),
        ];
        args.extend(flags);
        let dom = run_chromium(
            &bin,
            &tmp.path().join(format!("axe-{mode}")),
            &args,
            &axe_page,
        );
        let (Some(a), Some(b)) = (dom.find("AXE-BEGIN"), dom.find("AXE-END")) else {
            panic!("axe produced no results in {mode} mode");
        };
        let json = dom[a + 9..b]
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
            .replace("&quot;", "\"");
        let v: serde_json::Value =
            serde_json::from_str(&json).unwrap_or_else(|e| panic!("axe output {e}: {json}"));
        assert!(v.get("error").is_none(), "axe failed: {v}");
        assert_eq!(v["dark"], mode == "dark", "colour scheme emulation");
        let serious: Vec<&serde_json::Value> = v["violations"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| matches!(x["impact"].as_str(), Some("serious" | "critical")))
            .collect();
        println!(
            "axe ({mode}): {} violations, {} serious or critical",
            v["violations"].as_array().unwrap().len(),
            serious.len()
        );
        assert!(
            serious.is_empty(),
            "axe ({mode}) found serious violations: {}",
            serde_json::to_string_pretty(&serious).unwrap()
        );
    }
}

/// A realistic report (24 accounts, every control, compared with an earlier audit) for docs/report.png.
fn docs_screenshot(bin: &Path, tmp: &Path) {
    let mut report = sample::synthetic(24, 32);
    let mut old = report.clone();
    for (i, r) in old.results.iter_mut().enumerate() {
        if i % 7 == 0 && r.status.is_problem() {
            r.status = Status::Pass;
        } else if i % 5 == 0 && r.status == Status::Pass {
            r.status = Status::Fail;
        }
    }
    sample::compute_scores(&mut old);
    apply_baseline(&mut report, &old);
    report.meta.baseline = Some("results-2026-q3.json".into());
    let html = html::render(&report, &RenderOptions::default()).unwrap();
    let page = tmp.join("docs.html");
    std::fs::write(&page, html).unwrap();
    let png = root().join("docs/report.png");
    run_chromium(
        bin,
        &tmp.join("p-docs"),
        &[
            format!("--screenshot={}", png.display()),
            "--window-size=1240,1754".into(),
        ],
        &page,
    );
}
