//! Fuzzing every kind of input palisade reads (issue 15): inventory, people CSV, candidates,
//! Bitwarden JSON, vault CSV, KDBX header, check definition, results.json.
//!
//! How: bolero, whose test engine runs on stable Rust under `cargo test` (libFuzzer needs a
//! nightly compiler this project does not have). Each target first runs every seed of
//! `fuzz/corpus/<target>/` as it is, then inputs bolero generates for `BOLERO_RANDOM_TEST_TIME_MS`
//! (1 s when unset; `.ci/run` gives each target a fixed few seconds, `.ci/fuzz-long` minutes). An
//! input is a seed with a list of edits (bit flips, inserted bytes and format tokens, deletions,
//! repeats, splices of another seed): random bytes alone would rarely get past a parser's first
//! line. A failure prints `BOLERO_RANDOM_SEED=…`, which replays it.
//!
//! What must hold for every input: no panic; an answer within a deadline; an error located
//! inside the input; for vault files, no password of the seeds in any error.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use bolero::TypeGenerator;
use palisade::model::Inventory;

/// Inputs grow no larger than this, so that an iteration stays in milliseconds.
const MAX_INPUT: usize = 64 * 1024;

/// The longest one input may take (a debug build on a busy 2-core machine).
const DEADLINE: Duration = Duration::from_secs(10);

/// The passwords planted in the vault seeds: never to be seen in an error.
const SEED_PASSWORDS: &[&str] = &[
    "Westmere2024!",
    "tundra-Quiver-mosaic-4417",
    "glacier Harpoon velvet 2291",
    "correct horse battery staple",
];

#[derive(Debug, TypeGenerator)]
enum Edit {
    Flip {
        at: u32,
        bit: u8,
    },
    Insert {
        at: u32,
        bytes: Vec<u8>,
    },
    Token {
        at: u32,
        token: u8,
    },
    Delete {
        at: u32,
        len: u16,
    },
    Repeat {
        at: u32,
        len: u8,
        times: u16,
    },
    Splice {
        seed: u8,
        from: u32,
        len: u16,
        at: u32,
    },
}

#[derive(Debug, TypeGenerator)]
struct Mutation {
    seed: u8,
    edits: Vec<Edit>,
}

/// Pieces of the formats the targets read, for edits to insert.
const TOKENS: &[&[u8]] = &[
    b"\n",
    b"\r\n",
    b":",
    b": ",
    b"- ",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b"\"",
    b"'",
    b"&a ",
    b"*a",
    b"<<: *a",
    b"!!binary ",
    b"~",
    b"null",
    b"unknown",
    b"true",
    b"2026-02-30",
    b"9999999999999999999",
    b"-1",
    b"1e999",
    b"\\u0000",
    b"\\uD800",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\x00",
    b"\x1b[2J",
    b"\xe2\x80\xae",
    b"@",
    b"a@b.c",
    b"id",
    b"accounts",
    b"people",
    b"policy",
    b"waivers",
    b"platform",
    b"handle",
    b"x",
    b"other",
    b"mastodon",
    b"status",
    b"leaver",
    b"account",
    b"rule",
    b"fail_when",
    b"native",
    b"scope: organisation",
    b"account.security",
    b".all(x, ",
    b".map(x, ",
    b"(",
    b")",
    b" + ",
    b" && ",
    b"has(",
    b"schema_version",
    b"results",
    b"evidence",
    b"\"\"\"",
    b"\n---\n",
    b"\t",
    b"%YAML 1.2\n",
    b"#",
    b"|",
    b">",
    b"\"a\",\"b\"\n",
];

impl Mutation {
    fn apply(&self, seeds: &[Vec<u8>]) -> Vec<u8> {
        let pick = |i: u8| &seeds[usize::from(i) % seeds.len()];
        let mut b = pick(self.seed).clone();
        let at = |b: &Vec<u8>, at: u32| (at as usize) % (b.len() + 1);
        for e in &self.edits {
            match e {
                Edit::Flip { at: i, bit } => {
                    if !b.is_empty() {
                        let i = (*i as usize) % b.len();
                        b[i] ^= 1 << (bit % 8);
                    }
                }
                Edit::Insert { at: i, bytes } => {
                    let i = at(&b, *i);
                    b.splice(i..i, bytes.iter().copied().take(64));
                }
                Edit::Token { at: i, token } => {
                    let i = at(&b, *i);
                    let t = TOKENS[usize::from(*token) % TOKENS.len()];
                    b.splice(i..i, t.iter().copied());
                }
                Edit::Delete { at: i, len } => {
                    let i = at(&b, *i);
                    let end = (i + usize::from(*len) % 256).min(b.len());
                    b.drain(i..end);
                }
                Edit::Repeat { at: i, len, times } => {
                    let i = at(&b, *i);
                    let end = (i + usize::from(*len)).min(b.len());
                    let piece = b[i..end].to_vec();
                    let times = usize::from(*times) % 2048;
                    for _ in 0..times {
                        if b.len() + piece.len() > MAX_INPUT {
                            break;
                        }
                        b.splice(i..i, piece.iter().copied());
                    }
                }
                Edit::Splice {
                    seed,
                    from,
                    len,
                    at: i,
                } => {
                    let other = pick(*seed);
                    let from = (*from as usize) % (other.len() + 1);
                    let end = (from + usize::from(*len)).min(other.len());
                    let i = at(&b, *i);
                    b.splice(i..i, other[from..end].iter().copied());
                }
            }
            b.truncate(MAX_INPUT);
        }
        b
    }
}

/// The seeds of `fuzz/corpus/<target>/`; a target without seeds fails rather than passes.
fn seeds(target: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    let seeds: Vec<Vec<u8>> = files
        .iter()
        .map(|f| std::fs::read(f).expect("seed"))
        .collect();
    assert!(!seeds.is_empty(), "no seeds in {}", dir.display());
    seeds
}

/// Runs `one` on every seed, then on mutations of them until bolero's time is up.
fn fuzz(target: &str, one: impl Fn(&[u8]) + std::panic::RefUnwindSafe) {
    let seeds = seeds(target);
    let runs = std::sync::atomic::AtomicU64::new(0);
    // A stack overflow aborts the process before bolero can print the input: with
    // PALISADE_FUZZ_LAST=DIR, each input is written to DIR/<target> before it runs.
    let last = std::env::var_os("PALISADE_FUZZ_LAST").map(|d| PathBuf::from(d).join(target));
    let timed = |input: &[u8]| {
        runs.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if let Some(p) = &last {
            std::fs::write(p, input).expect("PALISADE_FUZZ_LAST is writable");
        }
        let start = Instant::now();
        one(input);
        let took = start.elapsed();
        assert!(took < DEADLINE, "{target}: one input took {took:?}");
    };
    for s in &seeds {
        timed(s);
    }
    let start = Instant::now();
    bolero::check!()
        .with_type::<Mutation>()
        .for_each(|m| timed(&m.apply(&seeds)));
    // Shown with `--nocapture`: what a run covered.
    println!(
        "fuzz {target}: {} inputs in {:.1} s",
        runs.load(std::sync::atomic::Ordering::Relaxed),
        start.elapsed().as_secs_f64()
    );
}

/// Lines in `bytes`, for checking that a diagnostic points inside the input.
fn lines(bytes: &[u8]) -> u32 {
    u32::try_from(bytes.iter().filter(|&&b| b == b'\n').count() + 1).unwrap_or(u32::MAX)
}

fn located_inside(diags: &[palisade::error::Diagnostic], bytes: &[u8], what: &str) {
    assert!(!diags.is_empty(), "{what}: an error without a diagnostic");
    let n = lines(bytes);
    for d in diags {
        assert!(d.line <= n + 1, "{what}: {d} is past line {n}");
    }
}

fn example() -> &'static Inventory {
    static INV: OnceLock<Inventory> = OnceLock::new();
    INV.get_or_init(|| {
        palisade::model::load::parse("westmere.yaml", include_bytes!("../examples/westmere.yaml"))
            .expect("the example is valid")
    })
}

/// `bytes` in a fresh temporary directory as `name`, for readers that take a path.
fn as_file(name: &str, bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).expect("write");
    (dir, p)
}

#[test]
fn inventory() {
    fuzz("inventory", |bytes| {
        if let Err(d) = palisade::model::load::parse("fuzz.yaml", bytes) {
            located_inside(&d, bytes, "inventory");
        }
    });
}

#[test]
fn people_csv() {
    fuzz("people_csv", |bytes| {
        if let Err(d) = palisade::model::load::read_people_csv("hr.csv", bytes, &BTreeMap::new()) {
            located_inside(&d, bytes, "people CSV");
        }
    });
}

#[test]
fn candidates() {
    fuzz("candidates", |bytes| {
        let (_dir, p) = as_file("candidates.csv", bytes);
        let mut search = palisade::impersonation::Search::new(example(), None);
        match search.scan_csv(&p, false) {
            Ok(stats) => {
                if !stats.bad_rows.is_empty() {
                    located_inside(&stats.bad_rows, bytes, "candidates");
                }
                let _ = search.finish();
            }
            Err(d) => located_inside(&d, bytes, "candidates"),
        }
    });
}

fn vault(target: &str, name: &str, format: palisade::vault::VaultFormat) {
    fuzz(target, |bytes| {
        if format == palisade::vault::VaultFormat::Keepass {
            // The header's own bounds must hold on anything; past them, a fuzzing iteration
            // derives keys only as cheaply as the seeds do.
            use palisade::vault::kdf::{judge, read, Kdf};
            let Some(kdf) = read(bytes) else {
                return;
            };
            let _ = judge(&kdf, 1024);
            let cheap = match kdf {
                Kdf::Argon2 {
                    memory_bytes,
                    iterations,
                    ..
                } => (memory_bytes >> 20).max(1).saturating_mul(iterations) <= 64,
                Kdf::Aes { rounds } => rounds <= 100_000,
                Kdf::Unreadable => true,
            };
            if !cheap {
                return;
            }
        }
        let (_dir, p) = as_file(name, bytes);
        let opts = palisade::vault::VaultOptions {
            format: Some(format),
            password: Some(secrecy::SecretString::from("fuzz".to_string())),
            no_prompt: true,
            ..Default::default()
        };
        if let Err(e) = palisade::vault::load_vault(&p, &opts) {
            let shown = format!("{e} {e:?}");
            if let palisade::Error::Input(d) = &e {
                assert!(
                    d.iter().all(|d| d.snippet.is_none()),
                    "a vault error quotes the file"
                );
                for d in d {
                    for secret in SEED_PASSWORDS {
                        assert!(!d.message.contains(secret), "{target}: a password in {d}");
                    }
                }
            }
            for secret in SEED_PASSWORDS {
                assert!(!shown.contains(secret), "{target}: a password in {shown}");
            }
        }
    });
}

#[test]
fn bitwarden_json() {
    vault(
        "bitwarden",
        "vault.json",
        palisade::vault::VaultFormat::Bitwarden,
    );
}

#[test]
fn vault_csv() {
    vault("vault_csv", "vault.csv", palisade::vault::VaultFormat::Csv);
}

#[test]
fn kdbx_header() {
    vault("kdbx", "vault.kdbx", palisade::vault::VaultFormat::Keepass);
}

#[test]
fn check_definition() {
    let inv = example();
    let as_of = jiff::civil::date(2026, 10, 1);
    fuzz("check", |bytes| {
        let (dir, _) = as_file("ORG-99.yaml", bytes);
        match palisade::engine::registry::Registry::load(&[dir.path().to_path_buf()]) {
            Ok(registry) => {
                let ctx = palisade::engine::Context::new(inv, as_of);
                let report = palisade::engine::runner::run(&registry, &ctx);
                assert!(!report.results.is_empty());
                for c in &registry.checks {
                    let _ = palisade::cli::checks::explain(&c.def);
                }
            }
            Err(palisade::Error::Input(d)) => located_inside(&d, bytes, "check definition"),
            Err(e) => panic!("check definition: not an input error: {e}"),
        }
    });
}

#[test]
fn results_json() {
    let opts = palisade::render::RenderOptions::default();
    fuzz("results", |bytes| {
        match palisade::baseline::parse_results(bytes, "results.json") {
            Ok(mut report) => {
                for f in palisade::render::Format::ALL {
                    // A hostile results file may make a renderer refuse it, never panic.
                    let _ = palisade::render::render(&report, *f, &opts);
                }
                let old = report.clone();
                palisade::baseline::apply_baseline(&mut report, &old);
                let _ = palisade::baseline::render_text(&palisade::baseline::diff(&old, &report));
                palisade::redact::redact(&mut report);
                let _ = palisade::render::render(&report, palisade::render::Format::Text, &opts);
            }
            Err(palisade::Error::Input(d)) => located_inside(&d, bytes, "results.json"),
            Err(e) => panic!("results.json: not an input error: {e}"),
        }
    });
}
