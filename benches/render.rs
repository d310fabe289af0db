//! HTML rendering at scale: 10,000 accounts × 27 checks must render in under a second.
//! Run with `cargo bench --bench render`.

use palisade::render::{html::HtmlRenderer, sample, RenderOptions};

fn main() {
    divan::main();
}

#[divan::bench(sample_count = 10)]
fn html_10k_accounts(bencher: divan::Bencher) {
    let report = sample::synthetic(10_000, 27);
    let renderer = HtmlRenderer::new(None).expect("built-in templates load");
    let opts = RenderOptions::default();
    bencher.bench_local(|| {
        renderer
            .render(divan::black_box(&report), &opts)
            .expect("renders")
            .len()
    });
}

#[divan::bench(sample_count = 10)]
fn html_10k_accounts_with_template_loading(bencher: divan::Bencher) {
    let report = sample::synthetic(10_000, 27);
    let opts = RenderOptions::default();
    bencher.bench_local(|| {
        palisade::render::html::render(divan::black_box(&report), &opts)
            .expect("renders")
            .len()
    });
}
