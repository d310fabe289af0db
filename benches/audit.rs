//! The whole audit, parsing included, of a generated inventory of 10,000 accounts and 5,000
//! people (issue 2's target: under one second on a 2-core machine).

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

#[divan::bench(sample_count = 10)]
fn audit_10k_accounts_5k_people(bencher: divan::Bencher) {
    let yaml = gen::inventory(10_000, 5_000);
    bencher.bench(|| {
        let inv = load::parse("big.yaml", yaml.as_bytes()).expect("valid");
        let registry = Registry::builtin().expect("builtin");
        let report = runner::run(
            &registry,
            &Context::new(&inv, "2026-10-01".parse().expect("date")),
        );
        let mut out = Vec::new();
        palisade::render::json::write(&report, &mut out).expect("in memory");
        divan::black_box(out.len())
    });
}

#[divan::bench(sample_count = 10)]
fn parse_only_10k(bencher: divan::Bencher) {
    let yaml = gen::inventory(10_000, 5_000);
    bencher.bench(|| {
        divan::black_box(
            load::parse("big.yaml", yaml.as_bytes())
                .expect("valid")
                .accounts
                .len(),
        )
    });
}
