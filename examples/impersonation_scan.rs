//! Measure the impersonation search without an inventory file (the `impersonation` subcommand is
//! wired by the CLI): `cargo run --release --example impersonation_scan -- OFFICIALS.csv
//! CANDIDATES.csv [--threshold T] [--brute-force] [--repeat N]` (or `-- --lookalikes HANDLE
//! [PLATFORM]`). OFFICIALS.csv has `platform,handle` and
//! optionally `display_name`; suspects are printed as JSON on stdout, statistics on stderr.

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use palisade::impersonation::{CandidateRef, Search};
use palisade::model::{Account, Inventory, Platform};

fn official(i: usize, platform: Platform, handle: &str, display: Option<String>) -> Account {
    Account {
        display_name: display,
        ..Account::new(&format!("official-{i:04}"), platform, handle)
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `--lookalikes HANDLE [PLATFORM]`: the generator's JSON, until `palisade lookalikes` is wired.
    if args.first().map(String::as_str) == Some("--lookalikes") {
        let handle = args.get(1).map(String::as_str).unwrap_or("WestmerePolice");
        let platform = args
            .get(2)
            .and_then(|p| Platform::parse(p))
            .unwrap_or(Platform::X);
        let items = palisade::impersonation::lookalikes(handle, platform);
        println!(
            "{}",
            palisade::impersonation::render_json(handle, platform, &items)
        );
        return ExitCode::SUCCESS;
    }
    let positional: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let threshold = args
        .iter()
        .position(|a| a == "--threshold")
        .and_then(|i| args.get(i + 1))
        .and_then(|t| t.parse::<f64>().ok());
    let brute = args.iter().any(|a| a == "--brute-force");
    let (Some(officials), Some(candidates)) = (positional.first(), positional.get(1)) else {
        eprintln!("usage: impersonation_scan OFFICIALS.csv CANDIDATES.csv [--threshold T] [--brute-force]");
        return ExitCode::from(2);
    };
    let mut inv = Inventory::default();
    let mut reader = match csv::Reader::from_path(officials) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{officials}: {e}");
            return ExitCode::from(2);
        }
    };
    for (i, rec) in reader.records().enumerate() {
        let Ok(rec) = rec else { continue };
        let (Some(p), Some(h)) = (rec.get(0).and_then(Platform::parse), rec.get(1)) else {
            continue;
        };
        let display = rec.get(2).filter(|d| !d.is_empty()).map(str::to_string);
        inv.accounts.push(official(i, p, h, display));
    }
    // `--repeat N`: score the candidates held in memory on one thread, N times, and print the
    // fastest time per row: a figure that a busy machine disturbs far less than a whole run.
    if let Some(n) = args
        .iter()
        .position(|a| a == "--repeat")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse::<u32>().ok())
    {
        return repeat(&inv, threshold, candidates, n);
    }
    let start = Instant::now();
    let mut search = Search::new(&inv, threshold);
    search.set_brute_force(brute);
    let stats = match search.scan_csv(Path::new(candidates.as_str()), true) {
        Ok(s) => s,
        Err(diags) => {
            for d in diags {
                eprintln!("{d}");
            }
            return ExitCode::from(2);
        }
    };
    let suspects = search.finish();
    eprintln!(
        "{} rows, {} bad, {} suspects in {:.3}s",
        stats.rows,
        stats.bad_row_count,
        suspects.len(),
        start.elapsed().as_secs_f64()
    );
    println!(
        "{}",
        serde_json::to_string(&serde_json::json!({ "impersonation": suspects }))
            .unwrap_or_default()
    );
    ExitCode::SUCCESS
}

fn repeat(inv: &Inventory, threshold: Option<f64>, candidates: &str, n: u32) -> ExitCode {
    let Ok(mut reader) = csv::Reader::from_path(candidates) else {
        eprintln!("{candidates}: cannot read");
        return ExitCode::from(2);
    };
    let rows: Vec<(Platform, String)> = reader
        .records()
        .filter_map(Result::ok)
        .filter_map(|r| Some((Platform::parse(r.get(0)?)?, r.get(1)?.to_string())))
        .collect();
    let mut best = f64::INFINITY;
    for _ in 0..n {
        let mut search = Search::new(inv, threshold);
        let start = Instant::now();
        for (platform, handle) in &rows {
            search.consider_ref(CandidateRef {
                platform: *platform,
                handle,
                display_name: None,
                bio: None,
                url: None,
                source: "memory",
            });
        }
        best = best.min(start.elapsed().as_secs_f64());
        eprintln!("{} suspects", search.finish().len());
    }
    println!(
        "{} rows, fastest of {n}: {:.0} ns a row",
        rows.len(),
        best * 1e9 / rows.len().max(1) as f64
    );
    ExitCode::SUCCESS
}
