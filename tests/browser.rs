//! The HTML report in a real browser (headless Chromium), as its readers get it: on a phone
//! (390 px), on a desktop (1366 px) and on A4 paper.
//!
//! - hostile values stay text, even with the Content-Security-Policy removed;
//! - at both widths, light and dark: the page never scrolls sideways, no word or number is split
//!   across lines (long URLs aside), every scrollable region can be reached by keyboard, and
//!   axe-core finds no violation at all (WCAG 2.0-2.2 A/AA and best practice);
//! - in print layout (the print stylesheet at the A4 text width): no split words and every table
//!   fits the page;
//! - printed to PDF: page 1 is the executive summary, pages are numbered, a 12-account inventory
//!   prints in at most [`MAX_PAGES`] pages, and `--print-detail` adds the appendix;
//! - the screenshot of the README's first command's report (`docs/report.png`, refreshed with
//!   `PALISADE_UPDATE_DOCS=1`).
//!
//! Needs Chromium (`/usr/bin/chromium` or `PALISADE_CHROMIUM`), axe-core (`PALISADE_AXE_DIR` or
//! `node_modules/` at the repository root) and `pdftotext` (poppler-utils); `.ci/install-browser.sh`
//! installs all three. Without them the test FAILS and says what is missing. Chromium's window
//! cannot be narrower than 500 px, so each width is an `<iframe>` of that width in a host page;
//! the script injected into each copy of the report measures it and posts the result up.
//! Artefacts (pages, PDFs, screenshots) are left in `CARGO_TARGET_TMPDIR/browser/`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use palisade::baseline::{apply_baseline, load_results};
use palisade::model::results::Report;
use palisade::render::{html, RenderOptions};

#[path = "../examples/gen_inventory.rs"]
mod gen_inventory;

/// A 12-account inventory must print in "well under 22" A4 pages (issue 16).
const MAX_PAGES: usize = 12;
const PHONE: u32 = 390;
const DESKTOP: u32 = 1366;
/// A4 (210 mm) less the 12 mm side margins of the print stylesheet's `@page`, in CSS pixels.
const A4_TEXT_WIDTH: u32 = 703;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Where artefacts go: under cargo's per-target temporary directory, wherever the target
/// directory is (`CARGO_TARGET_DIR` included).
fn artefacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser");
    std::fs::create_dir_all(&dir)
        .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    dir
}

struct Tools {
    chromium: PathBuf,
    axe: String,
    pdftotext: PathBuf,
}

/// Chromium, axe-core and pdftotext, or a failure naming what is missing and how to get it.
fn tools() -> Tools {
    let chromium = std::env::var_os("PALISADE_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| "/usr/bin/chromium".into());
    let mut dirs: Vec<PathBuf> = std::env::var_os("PALISADE_AXE_DIR")
        .map(PathBuf::from)
        .into_iter()
        .collect();
    dirs.push(root().join("node_modules"));
    let axe = dirs
        .iter()
        .flat_map(|d| {
            [
                d.join("axe.min.js"),
                d.join("axe-core/axe.min.js"),
                d.join("node_modules/axe-core/axe.min.js"),
            ]
        })
        .find(|p| p.is_file());
    let pdftotext = ["/usr/bin/pdftotext", "/usr/local/bin/pdftotext"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file());
    let mut missing = Vec::new();
    if !chromium.is_file() {
        missing.push(format!(
            "Chromium (not at {}; set PALISADE_CHROMIUM)",
            chromium.display()
        ));
    }
    if axe.is_none() {
        missing.push("axe-core (axe.min.js not in PALISADE_AXE_DIR or node_modules/)".into());
    }
    if pdftotext.is_none() {
        missing.push("pdftotext (poppler-utils)".into());
    }
    assert!(
        missing.is_empty(),
        "the browser test cannot run: missing {}. Install them with `sh .ci/install-browser.sh` (as root).",
        missing.join(", ")
    );
    let axe = axe.unwrap_or_default();
    Tools {
        axe: std::fs::read_to_string(&axe)
            .unwrap_or_else(|e| panic!("reading {}: {e}", axe.display())),
        chromium,
        pdftotext: pdftotext.unwrap_or_default(),
    }
}

/// Runs headless Chromium with `extra` arguments on `url`, returning its standard output; kills
/// it after 90 s. Each run gets a fresh profile.
fn chromium(bin: &Path, extra: &[String], url: &str) -> String {
    let profile = tempfile::tempdir().expect("a temporary profile directory");
    let mut args: Vec<String> = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.push(format!("--user-data-dir={}", profile.path().display()));
    args.extend(extra.iter().cloned());
    args.push(url.to_string());
    let out_path = profile.path().join("stdout");
    let out = std::fs::File::create(&out_path).expect("a file for Chromium's output");
    let mut child = Command::new(bin)
        .args(&args)
        .stdout(out)
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if child.try_wait().expect("waiting for Chromium").is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("Chromium did not finish within 90 s: {args:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    std::fs::read_to_string(&out_path).unwrap_or_default()
}

fn file_url(p: &Path) -> String {
    format!("file://{}", p.display())
}

/// `html` without its Content-Security-Policy (so scripts may run: the test proves escaping,
/// not only CSP), with `inject` before `</body>`.
fn without_csp(html: &str, inject: &str) -> String {
    let start = html
        .find("<meta http-equiv=\"Content-Security-Policy\"")
        .expect("the report has a CSP meta element");
    let end = start + html[start..].find('>').expect("the meta element ends") + 1;
    let mut out = format!("{}{}", &html[..start], &html[end..]);
    let body = out.rfind("</body>").expect("the report has </body>");
    out.insert_str(body, inject);
    out
}

/// The text between `begin` and `end` markers in a dumped DOM, unescaped.
fn between(dom: &str, begin: &str, end: &str) -> Option<String> {
    let a = dom.find(begin)? + begin.len();
    let b = a + dom[a..].find(end)?;
    Some(
        dom[a..b]
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&amp;", "&"),
    )
}

/// Runs the palisade binary with `args` from the repository root; returns the exit code.
fn palisade(args: &[String]) -> i32 {
    let out = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("palisade runs");
    let code = out.status.code().unwrap_or(-1);
    assert!(
        code == 0 || code == 1,
        "palisade {args:?} exited {code}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    code
}

/// The README's first command (the first `cargo run` line), as palisade arguments, with its
/// `--out` pointed at `out`: the docs screenshot must be of what that command produces.
fn readme_command(out: &Path) -> Vec<String> {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let line = readme
        .lines()
        .find(|l| l.trim_start().starts_with("cargo run"))
        .expect("the README has a `cargo run` command");
    let mut args: Vec<String> = line
        .split_once(" -- ")
        .expect("the command passes arguments after --")
        .1
        .split_whitespace()
        .map(str::to_string)
        .collect();
    let at = args
        .iter()
        .position(|a| a == "--out")
        .expect("the README's command writes its outputs with --out DIR");
    args[at + 1] = out.display().to_string();
    assert!(
        args.iter().any(|a| a.contains("html")),
        "the README's first command must write the HTML report: {line}"
    );
    args
}

/// The hostile fixture: payloads that would leave a trace in the DOM if they ever ran.
fn hostile_report() -> Report {
    let mut r = load_results(&root().join("tests/data/report/current.json")).expect("fixture");
    apply_baseline(
        &mut r,
        &load_results(&root().join("tests/data/report/baseline.json")).expect("baseline"),
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

#[test]
fn hostile_values_stay_text_in_a_real_browser() {
    let tools = tools();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let html = html::render(&hostile_report(), &RenderOptions::default()).expect("renders");
    let page = dir.path().join("hostile.html");
    std::fs::write(&page, without_csp(&html, "")).expect("writes the page");
    let dom = chromium(&tools.chromium, &["--dump-dom".into()], &file_url(&page));
    assert!(
        dom.contains("<h1>"),
        "Chromium produced no DOM: {}",
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
    assert!(
        dom.contains("[U+202E]"),
        "the bidi override is shown visibly"
    );
    // Structure: one h1, the sections' h2s, tables with header cells and captions.
    assert_eq!(dom.matches("<h1").count(), 1, "one h1");
    assert!(dom.matches("<h2").count() >= 9, "section headings");
    assert!(dom.matches("<table").count() >= 8, "tables");
    assert!(dom.contains("<th scope=\"col\""), "column headers");
    assert!(dom.contains("<caption"), "captions");
}

/// Measures the page it is injected into and posts the result to the host page: overflow,
/// split words, unreachable scrollable regions, tables wider than the page, and (unless
/// `NOAXE`) axe-core's violations.
const PROBE: &str = r#"<script>
(function () {
  var TAG = '@TAG@', RUN_AXE = @AXE@;
  function lineOf(r, vertical) { return vertical ? [r.left, r.right] : [r.top, r.bottom]; }
  function sameLine(a, b, vertical) {
    var x = lineOf(a, vertical), y = lineOf(b, vertical);
    return Math.min(x[1], y[1]) - Math.max(x[0], y[0]) > 0.5 * Math.min(x[1] - x[0], y[1] - y[0]);
  }
  function rectsOf(range) {
    return Array.prototype.filter.call(range.getClientRects(), function (r) { return r.width > 0 && r.height > 0; });
  }
  // A word is split when its pieces sit on different lines. A break right after the hyphen of
  // a compound of letters ("third-party") is ordinary typography; in anything with a digit
  // (a date, a score, an id) it is not.
  function splitWords() {
    var out = [], range = document.createRange();
    var walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      var node = walker.currentNode, el = node.parentElement, text = node.data;
      if (!el || !text.trim() || el.closest('script, style, .vh')) continue;
      var vertical = getComputedStyle(el).writingMode.indexOf('vertical') === 0;
      var re = /\S+/g, m;
      while ((m = re.exec(text))) {
        var word = m[0];
        if (/:\/\/|^www\./.test(word)) continue;
        range.setStart(node, m.index); range.setEnd(node, m.index + word.length);
        var rects = rectsOf(range);
        if (rects.length < 2 || rects.every(function (r) { return sameLine(r, rects[0], vertical); })) continue;
        var allowed = !/\d/.test(word), prev = null;
        for (var i = 0; allowed && i < word.length; i++) {
          range.setStart(node, m.index + i); range.setEnd(node, m.index + i + 1);
          var r = rectsOf(range)[0];
          if (!r) continue;
          if (prev && !sameLine(prev.r, r, vertical)) {
            allowed = word[prev.i] === '-' && /\p{L}/u.test(word[prev.i - 1] || '') && /\p{L}/u.test(word[i]);
          }
          prev = {r: r, i: i};
        }
        if (!allowed) out.push(word + '  <' + el.tagName.toLowerCase() + (el.className ? '.' + el.className : '') + '>');
      }
    }
    return out;
  }
  function describe(el) {
    return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '');
  }
  function focusable(el) {
    return el.tabIndex >= 0 || el.querySelector('a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex="-1"])');
  }
  function unreachableScrollers() {
    var out = [];
    document.querySelectorAll('body *').forEach(function (el) {
      var cs = getComputedStyle(el);
      var sx = /(auto|scroll)/.test(cs.overflowX) && el.scrollWidth > el.clientWidth + 1;
      var sy = /(auto|scroll)/.test(cs.overflowY) && el.scrollHeight > el.clientHeight + 1;
      if ((sx || sy) && !focusable(el)) out.push(describe(el));
    });
    return out;
  }
  function tablesTooWide() {
    var width = document.documentElement.clientWidth, out = [];
    document.querySelectorAll('table').forEach(function (t) {
      if (t.closest('.scroll') && getComputedStyle(t.closest('.scroll')).overflowX !== 'visible') return;
      var r = t.getBoundingClientRect();
      if (r.width > 0 && (r.right > width + 0.5 || r.left < -0.5)) out.push(describe(t) + ' ' + Math.round(r.left) + '..' + Math.round(r.right) + ' of ' + width);
    });
    return out;
  }
  function send(res) { parent.postMessage(JSON.stringify(res), '*'); }
  function run() {
    var de = document.documentElement;
    var res = {tag: TAG, width: de.clientWidth, overflow: de.scrollWidth - de.clientWidth,
      dark: matchMedia('(prefers-color-scheme: dark)').matches,
      splits: splitWords(), unreachable: unreachableScrollers(), wide: tablesTooWide(), axe: []};
    if (!RUN_AXE) { send(res); return; }
    axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})
      .then(function (r) {
        res.axe = r.violations.map(function (v) {
          return {id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(function (n) { return n.target.join(' ') + ' :: ' + (n.failureSummary || ''); })};
        });
        send(res);
      })
      .catch(function (e) { res.error = String(e); send(res); });
  }
  if (document.readyState === 'complete') setTimeout(run, 0); else addEventListener('load', function () { setTimeout(run, 0); });
})();
</script>"#;

/// One copy of a report to measure: `tag` names it in failures.
struct Frame {
    tag: String,
    file: PathBuf,
    width: u32,
}

/// Writes the copies of `html` the probe measures: at the phone and desktop widths, and in
/// print layout (the print rules applied on screen at the A4 text width). Returns the frames.
fn frames(dir: &Path, name: &str, html: &str, axe: &str) -> Vec<Frame> {
    let mut out = Vec::new();
    for (kind, width) in [("phone", PHONE), ("desktop", DESKTOP)] {
        let tag = format!("{name}@{kind}");
        let probe = PROBE.replace("@TAG@", &tag).replace("@AXE@", "true");
        let file = dir.join(format!("{name}-{kind}.html"));
        let page = without_csp(html, &format!("<script>{axe}</script>{probe}"));
        std::fs::write(&file, page).expect("writes a probe page");
        out.push(Frame { tag, file, width });
    }
    let tag = format!("{name}@print");
    let print = html.replace("@media print {", "@media all {");
    assert_ne!(print, html, "the stylesheet has print rules");
    let probe = PROBE.replace("@TAG@", &tag).replace("@AXE@", "false");
    let file = dir.join(format!("{name}-print.html"));
    std::fs::write(&file, without_csp(&print, &probe)).expect("writes the print page");
    out.push(Frame {
        tag,
        file,
        width: A4_TEXT_WIDTH,
    });
    out
}

/// Loads every frame in one Chromium (light or dark) and returns each frame's measurements.
fn measure(bin: &Path, dir: &Path, frames: &[&Frame], dark: bool) -> Vec<serde_json::Value> {
    let mut host = String::from(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body style=\"margin:0\">",
    );
    for f in frames {
        host.push_str(&format!(
            "<iframe title=\"{}\" src=\"{}\" style=\"display:block;border:0;width:{}px;height:900px\"></iframe>",
            f.tag,
            file_url(&f.file),
            f.width
        ));
    }
    host.push_str(&format!(
        "<pre id=\"out\"></pre><script>var got = [], want = {};\
         addEventListener('message', function (e) {{ got.push(JSON.parse(e.data));\
         if (got.length === want) document.getElementById('out').textContent = 'PROBE-BEGIN' + JSON.stringify(got) + 'PROBE-END'; }});</script></body></html>",
        frames.len()
    ));
    let host_file = dir.join(if dark {
        "host-dark.html"
    } else {
        "host-light.html"
    });
    std::fs::write(&host_file, host).expect("writes the host page");
    let scheme = if dark { 0 } else { 1 };
    let dom = chromium(
        bin,
        &[
            "--dump-dom".into(),
            "--window-size=1400,1000".into(),
            "--virtual-time-budget=60000".into(),
            format!("--blink-settings=preferredColorScheme={scheme}"),
        ],
        &file_url(&host_file),
    );
    let json = between(&dom, "PROBE-BEGIN", "PROBE-END").unwrap_or_else(|| {
        panic!(
            "the probes did not all report ({} mode); the host page was {}",
            if dark { "dark" } else { "light" },
            host_file.display()
        )
    });
    serde_json::from_str::<Vec<serde_json::Value>>(&json)
        .unwrap_or_else(|e| panic!("the probes' report is not JSON ({e}): {json}"))
}

/// Every problem one frame's measurements show, as lines for the failure message.
fn problems(v: &serde_json::Value, dark: bool) -> Vec<String> {
    let tag = format!(
        "{} ({})",
        v["tag"].as_str().unwrap_or("?"),
        if dark { "dark" } else { "light" }
    );
    let mut out = Vec::new();
    if let Some(e) = v.get("error") {
        out.push(format!("{tag}: axe-core failed: {e}"));
    }
    if v["dark"].as_bool() != Some(dark) {
        out.push(format!("{tag}: the colour scheme was not emulated"));
    }
    let overflow = v["overflow"].as_f64().unwrap_or(f64::NAN);
    if overflow != 0.0 {
        out.push(format!(
            "{tag}: the page scrolls sideways by {overflow} px (width {})",
            v["width"]
        ));
    }
    let list = |key: &str| -> Vec<String> {
        v[key]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let splits = list("splits");
    if !splits.is_empty() {
        out.push(format!(
            "{tag}: {} words split across lines, e.g. {:?}",
            splits.len(),
            &splits[..splits.len().min(12)]
        ));
    }
    for (key, what) in [
        (
            "unreachable",
            "scrollable regions keyboard users cannot reach",
        ),
        ("wide", "tables wider than the page"),
    ] {
        let l = list(key);
        if !l.is_empty() {
            out.push(format!("{tag}: {what}: {l:?}"));
        }
    }
    if let Some(axe) = v["axe"].as_array().filter(|a| !a.is_empty()) {
        out.push(format!(
            "{tag}: axe-core found {} violations: {}",
            axe.len(),
            serde_json::to_string_pretty(axe).unwrap_or_default()
        ));
    }
    out
}

#[test]
fn report_reads_on_a_phone_a_desktop_and_paper() {
    let tools = tools();
    let dir = artefacts();
    let started = Instant::now();

    // The README's first command, exactly, and the hostile-free fixture with a baseline
    // (trend, regressions, waivers, suspects, a source table).
    let out = dir.join("readme");
    palisade(&readme_command(&out));
    let readme_html = std::fs::read_to_string(out.join("report.html"))
        .expect("the README's command writes report.html");
    let mut fixture =
        load_results(&root().join("tests/data/report/current.json")).expect("fixture");
    apply_baseline(
        &mut fixture,
        &load_results(&root().join("tests/data/report/baseline.json")).expect("baseline"),
    );
    fixture.meta.baseline = Some("results-2026-q3.json".into());
    let fixture_html = html::render(&fixture, &RenderOptions::default()).expect("renders");

    let mut all = frames(&dir, "readme", &readme_html, &tools.axe);
    all.extend(frames(&dir, "fixture", &fixture_html, &tools.axe));
    let light: Vec<&Frame> = all.iter().collect();
    let dark: Vec<&Frame> = all.iter().filter(|f| !f.tag.ends_with("@print")).collect();

    let mut failures = Vec::new();
    for (set, is_dark) in [(&light, false), (&dark, true)] {
        let results = measure(&tools.chromium, &dir, set, is_dark);
        assert_eq!(results.len(), set.len(), "one report per frame");
        for v in &results {
            println!(
                "{} ({}): overflow {}, split words {}, axe violations {}",
                v["tag"],
                if is_dark { "dark" } else { "light" },
                v["overflow"],
                v["splits"].as_array().map_or(0, Vec::len),
                v["axe"].as_array().map_or(0, Vec::len)
            );
            failures.extend(problems(v, is_dark));
        }
    }
    assert!(
        failures.is_empty(),
        "the report does not read well:\n{}\n(pages in {})",
        failures.join("\n"),
        dir.display()
    );

    // The README's screenshot: the top of that command's report on a desktop.
    let png = dir.join("report.png");
    chromium(
        &tools.chromium,
        &[
            format!("--screenshot={}", png.display()),
            "--window-size=1280,1600".into(),
        ],
        &file_url(&out.join("report.html")),
    );
    let size = std::fs::metadata(&png).map(|m| m.len()).unwrap_or(0);
    assert!(
        size > 10_000,
        "the screenshot {} was not written",
        png.display()
    );
    if std::env::var_os("PALISADE_UPDATE_DOCS").is_some() {
        std::fs::copy(&png, root().join("docs/report.png")).expect("updates docs/report.png");
    }
    println!(
        "layout, accessibility and screenshot: {:?}",
        started.elapsed()
    );
}

/// Pages of a PDF Chromium wrote: page objects (`/Type /Page`, not `/Pages`).
fn pdf_pages(pdf: &[u8]) -> usize {
    let needle = b"/Type /Page";
    pdf.windows(needle.len() + 1)
        .filter(|w| &w[..needle.len()] == needle && w[needle.len()] != b's')
        .count()
}

/// The text of one page of `pdf`, by pdftotext.
fn page_text(pdftotext: &Path, pdf: &Path, page: usize) -> String {
    let out = Command::new(pdftotext)
        .args(["-f", &page.to_string(), "-l", &page.to_string(), "-layout"])
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", pdftotext.display()));
    assert!(
        out.status.success(),
        "pdftotext failed on {}",
        pdf.display()
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn twelve_accounts_print_on_few_a4_pages_summary_first() {
    let tools = tools();
    let dir = artefacts();
    let inventory = dir.join("twelve.yaml");
    std::fs::write(&inventory, gen_inventory::inventory(12, 8)).expect("writes the inventory");
    let mut pages = Vec::new();
    for detail in [false, true] {
        let out = dir.join(if detail { "twelve-detail" } else { "twelve" });
        let mut args: Vec<String> = [
            "audit",
            &inventory.display().to_string(),
            "--as-of",
            "2026-10-01",
            "--format",
            "html",
            "--out",
            &out.display().to_string(),
            "--quiet",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        if detail {
            args.push("--print-detail".into());
        }
        palisade(&args);
        let pdf = out.join("report.pdf");
        chromium(
            &tools.chromium,
            &[
                format!("--print-to-pdf={}", pdf.display()),
                "--no-pdf-header-footer".into(),
            ],
            &file_url(&out.join("report.html")),
        );
        let bytes = std::fs::read(&pdf)
            .unwrap_or_else(|e| panic!("Chromium wrote no PDF at {}: {e}", pdf.display()));
        let n = pdf_pages(&bytes);
        println!("12 accounts, print detail {detail}: {n} A4 pages");
        let first = page_text(&tools.pdftotext, &pdf, 1);
        assert!(
            first.contains("Summary") && first.contains("things to fix first"),
            "page 1 is not the executive summary:\n{first}"
        );
        assert!(
            !first.contains("Scores by area and account\n") && !first.contains("Control planes\n"),
            "page 1 runs on past the summary:\n{first}"
        );
        assert!(
            first.contains(&format!("Page 1 of {n}")),
            "pages are not numbered \"Page 1 of {n}\":\n{first}"
        );
        // The generated inventory's control planes have findings, so they lead the details.
        let second = page_text(&tools.pdftotext, &pdf, 2);
        assert!(
            second.trim_start().starts_with("Control planes"),
            "page 2 does not start the details with the control planes:\n{second}"
        );
        let all: String = (1..=n)
            .map(|p| page_text(&tools.pdftotext, &pdf, p))
            .collect();
        assert_eq!(
            all.contains("Appendix: every account and result"),
            detail,
            "the appendix is printed only with --print-detail"
        );
        pages.push(n);
    }
    assert!(
        pages[0] <= MAX_PAGES,
        "12 accounts print in {} A4 pages; at most {MAX_PAGES} expected",
        pages[0]
    );
    assert!(
        pages[1] > pages[0],
        "--print-detail adds the appendix ({} pages against {})",
        pages[1],
        pages[0]
    );
}
