//! Look-up time in the offline Pwned Passwords corpus (AUTH-09, `--pwned-file`): binary search
//! over a memory map must stay under a millisecond for a 1 GB file.
//!
//! The corpus is generated once (sorted `HASH:COUNT\r\n` lines, like the published file) in the
//! temp directory and reused by later runs. Size in MB: `PALISADE_BENCH_PWNED_MB` (default 100,
//! to keep CI fast; 1000 for the 1 GB figure):
//!
//! ```sh
//! PALISADE_BENCH_PWNED_MB=1000 cargo bench --bench pwned_lookup
//! ```
//!
//! Measured on the 2-core development machine, page cache warm (medians of 3,000 samples,
//! `-- --sample-count 3000`): 1 GB with the order check (each probe checked against the lines
//! already passed and its neighbour on the discarded side; 2026-11-30), hit 26.5-27.2 µs, miss
//! 9.7-9.8 µs over three runs, against 25.8-31.6 µs and 9.1-11.3 µs for the build before the
//! check, runs alternated. From a cold cache a look-up costs about 25 random reads of one page
//! each (log2 of the line count), i.e. disk latency.

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::OnceLock;

use palisade::vault::PwnedFile;

fn main() {
    divan::main();
}

/// Bytes of one line: 40 hex, `:`, a count of up to 6 digits, CRLF.
const APPROX_LINE: u64 = 48;

struct Corpus {
    file: PwnedFile,
    /// Hashes known to be in the file, spread over its length.
    hits: Vec<[u8; 40]>,
    /// Hashes known not to be.
    misses: Vec<[u8; 40]>,
}

fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// Line `i` of `n`: evenly spread 128-bit prefixes keep the file sorted without sorting it.
fn hash_of(i: u64, n: u64, low: u32) -> [u8; 40] {
    let hi = (u128::MAX / u128::from(n)) * u128::from(i);
    let text = format!("{hi:032X}{low:08X}");
    let mut out = [0u8; 40];
    out.copy_from_slice(text.as_bytes());
    out
}

fn corpus() -> &'static Corpus {
    static CORPUS: OnceLock<Corpus> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let mb: u64 = std::env::var("PALISADE_BENCH_PWNED_MB")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(100);
        let n = (mb * 1_000_000 / APPROX_LINE).max(1);
        let path: PathBuf = std::env::temp_dir().join(format!("palisade-bench-pwned-{mb}mb.txt"));
        let mut rng = 0x9E37_79B9_7F4A_7C15u64;
        let low_of = |rng: &mut u64| (xorshift(rng) >> 32) as u32 & 0x7FFF_FFFF;
        let stamp = path.with_extension("done");
        if !stamp.exists() {
            let mut w = BufWriter::with_capacity(
                1 << 20,
                std::fs::File::create(&path).expect("create corpus"),
            );
            let mut r = rng;
            for i in 0..n {
                let h = hash_of(i, n, low_of(&mut r));
                w.write_all(&h).expect("write");
                write!(w, ":{}\r\n", xorshift(&mut r) % 100_000 + 1).expect("write");
            }
            w.flush().expect("flush");
            std::fs::write(&stamp, b"").expect("stamp");
        }
        let file = PwnedFile::open(&path).expect("open corpus");
        // Regenerate the same random stream to know which hashes are present.
        let step = (n / 4096).max(1);
        let (mut hits, mut misses) = (Vec::new(), Vec::new());
        for i in 0..n {
            let low = low_of(&mut rng);
            xorshift(&mut rng);
            if i % step == 0 {
                hits.push(hash_of(i, n, low));
                // Same prefix, low bits with the top bit set: never generated.
                misses.push(hash_of(i, n, low | 0x8000_0000));
            }
        }
        eprintln!(
            "pwned corpus: {} ({} lines, {} MB)",
            path.display(),
            n,
            std::fs::metadata(&path)
                .map(|m| m.len() / 1_000_000)
                .unwrap_or(0)
        );
        Corpus { file, hits, misses }
    })
}

#[divan::bench]
fn lookup_hit(bencher: divan::Bencher) {
    let c = corpus();
    let mut i = 0usize;
    bencher.bench_local(|| {
        i = (i + 7919) % c.hits.len();
        let found = c.file.count(divan::black_box(&c.hits[i]));
        assert!(matches!(found, Ok(Some(_))));
        found
    });
}

#[divan::bench]
fn lookup_miss(bencher: divan::Bencher) {
    let c = corpus();
    let mut i = 0usize;
    bencher.bench_local(|| {
        i = (i + 7919) % c.misses.len();
        let found = c.file.count(divan::black_box(&c.misses[i]));
        assert!(matches!(found, Ok(None)));
        found
    });
}
