//! The whole audit, parsing included, of a generated inventory of 10,000 accounts and 5,000
//! people (issue 2's target: under one second on a 2-core machine), and what writing its
//! results.json adds.

#[path = "../examples/gen_inventory.rs"]
mod gen;

use palisade::engine::registry::Registry;
use palisade::engine::{runner, Context};
use palisade::model::load;

// The same allocator as the `palisade` binary, so the figures are the binary's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

/// Parse, validate, run the 35 built-in checks, assemble, sort and score: `palisade audit
/// --quiet`. The report is returned so that freeing it is not timed (the binary skips it).
#[divan::bench(sample_count = 10)]
fn audit_10k_accounts_5k_people(bencher: divan::Bencher) {
    let yaml = gen::inventory(10_000, 5_000);
    let registry = Registry::builtin().expect("builtin");
    bencher.bench(|| {
        let inv = load::parse("big.yaml", yaml.as_bytes()).expect("valid");
        runner::run(
            &registry,
            &Context::new(&inv, "2026-10-01".parse().expect("date")),
        )
    });
}

#[divan::bench(sample_count = 10)]
fn parse_only_10k(bencher: divan::Bencher) {
    let yaml = gen::inventory(10_000, 5_000);
    bencher.bench(|| load::parse("big.yaml", yaml.as_bytes()).expect("valid"));
}

/// Serialising the 10k report's results.json (90 MB), without the disk.
#[divan::bench(sample_count = 10)]
fn results_json_10k(bencher: divan::Bencher) {
    let yaml = gen::inventory(10_000, 5_000);
    let inv = load::parse("big.yaml", yaml.as_bytes()).expect("valid");
    let registry = Registry::builtin().expect("builtin");
    let report = runner::run(
        &registry,
        &Context::new(&inv, "2026-10-01".parse().expect("date")),
    );
    bencher.bench(|| palisade::render::json::write(&report, &mut std::io::sink()).expect("sink"));
}
