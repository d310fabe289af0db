//! The candidates CSV: columns by name, bad rows reported with file:line without stopping the
//! scan, a missing required column refused.

mod impersonation_common;

use std::io::Write;

use impersonation_common::westmere;
use palisade::impersonation::Search;

fn write(text: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().expect("temp file");
    f.write_all(text.as_bytes()).expect("write");
    f
}

#[test]
fn columns_by_name_and_bad_rows_collected() {
    let f = write(
        "followers,handle,display_name,platform\n\
         10,WestmerePo1ice,,x\n\
         x,WestmerePolcie,,x\n\
         5,Westmere Police,,x\n\
         5,SomeoneElse,,myspace\n\
         \n\
         7,CopyCat_99,Westmere Police,x\n\
         ,,,\n",
    );
    let mut s = Search::new(&westmere(), None);
    let stats = s.scan_csv(f.path(), false).expect("scan runs");
    assert_eq!(stats.rows, 6, "the csv reader skips blank lines");
    assert_eq!(stats.candidates, 2);
    assert_eq!(stats.bad_row_count, 4, "{:#?}", stats.bad_rows);
    let lines: Vec<u32> = stats.bad_rows.iter().map(|d| d.line).collect();
    assert_eq!(lines, vec![3, 4, 5, 8]);
    assert!(stats.bad_rows[0]
        .to_string()
        .contains(":3:1: error[bad-csv]"));
    let found = s.finish();
    assert_eq!(
        found
            .iter()
            .map(|x| x.candidate.as_str())
            .collect::<Vec<_>>(),
        vec!["WestmerePo1ice", "CopyCat_99"]
    );
    assert!(found[1]
        .reasons
        .iter()
        .any(|r| r.contains("display name identical")));
}

#[test]
fn missing_column_is_refused() {
    let f = write("platform,name\nx,WestmerePo1ice\n");
    let mut s = Search::new(&westmere(), None);
    let err = s.scan_csv(f.path(), false).expect_err("no handle column");
    assert_eq!(err.len(), 1);
    assert!(err[0].message.contains("handle"));
    let missing =
        Search::new(&westmere(), None).scan_csv(std::path::Path::new("/nonexistent/c.csv"), false);
    assert!(missing.is_err());
}

/// A large file without quotes is split at line ends and read on every worker; with one quoted
/// field it is read as a stream. Both must give the same suspects, counts and bad-row lines.
#[test]
fn split_and_streamed_reads_agree() {
    let mut plain = String::from("platform,handle,display_name\n");
    for i in 0..60_000u32 {
        match i {
            7 => plain.push_str("x,WestmerePo1ice,\n"),
            20_000 => plain.push_str("myspace,WestmerePolcie,\n"),
            33_333 => plain.push_str("x,Westmere Police,\n"),
            41_000 => plain.push('\n'),
            59_998 => plain.push_str("x,CopyCat_99,Westmere Police\n"),
            _ => plain.push_str(&format!("x,user{i:06}_abc,Someone {i}\n")),
        }
    }
    assert!(plain.len() > 1 << 20, "large enough to be split");
    let quoted = plain.replacen("x,user000008_abc,", "x,\"user000008_abc\",", 1);
    let run = |text: &str| {
        let f = write(text);
        let mut s = Search::new(&westmere(), None);
        let stats = s.scan_csv(f.path(), false).expect("scan runs");
        let lines: Vec<u32> = stats.bad_rows.iter().map(|d| d.line).collect();
        let found: Vec<String> = s.finish().into_iter().map(|x| x.candidate).collect();
        (
            stats.rows,
            stats.candidates,
            stats.bad_row_count,
            lines,
            found,
        )
    };
    let split = run(&plain);
    let streamed = run(&quoted);
    assert_eq!(split, streamed);
    // Header on line 1, so row i is on line i + 2.
    assert_eq!(split.3, vec![20_002, 33_335]);
    assert_eq!(split.4, vec!["WestmerePo1ice", "CopyCat_99"]);
}

/// A row that repeats one already scored is skipped: the answer must be the one every row
/// scored alone gives, including repeats that differ only in a field the score reads (a bio
/// that names the force, a home link, a copied display name), in either order.
#[test]
fn repeated_rows_give_the_answer_of_every_row_scored() {
    let rows = [
        "x,WestmerePo1ice,,,",
        "x,WestmerePo1ice,,Official account of Westmere Police,",
        "x,WestmerePo1ice,Westmere Police,,",
        "x,WestmerePo1ice,,,https://westmere.police.uk/",
        "x,westmerepo1ice,,,",
        "x,WestmerePolcie,,,",
        "x,WestmerePolcie,,Westmere Police news,",
        "tiktok,WestmerePolcie,,,",
        "x,cat_pictures,,,",
    ];
    let mut text = String::from("platform,handle,display_name,bio,url\n");
    // Forwards and backwards, many times over, so that each worker sees repeats in both orders.
    for i in 0..40_000usize {
        let k = if (i / rows.len()).is_multiple_of(2) {
            i % rows.len()
        } else {
            rows.len() - 1 - i % rows.len()
        };
        text.push_str(rows[k]);
        text.push('\n');
    }
    assert!(
        text.len() > 1 << 20,
        "large enough to be split among workers"
    );
    let f = write(&text);
    let mut scanned = Search::new(&westmere(), None);
    let stats = scanned.scan_csv(f.path(), false).expect("scan runs");
    assert_eq!(stats.candidates, 40_000, "every repeat is still counted");

    let source = f
        .path()
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let one_by_one = |rows: &[&str]| {
        let mut s = Search::new(&westmere(), None);
        for row in rows {
            let cells: Vec<&str> = row.split(',').collect();
            let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
            s.consider(&palisade::impersonation::Candidate {
                platform: palisade::model::Platform::parse(cells[0]).expect("platform"),
                handle: cells[1].to_string(),
                display_name: opt(cells[2]),
                bio: opt(cells[3]),
                url: opt(cells[4]),
                followers: None,
                created_on: None,
                source: source.clone(),
            });
        }
        serde_json::to_string_pretty(&s.finish()).expect("serialise")
    };
    let expected = one_by_one(&rows);
    let bare: Vec<&str> = rows
        .iter()
        .copied()
        .filter(|r| r.ends_with(",,,"))
        .collect();
    assert_ne!(
        expected,
        one_by_one(&bare),
        "the other fields change the answer"
    );
    let scanned = serde_json::to_string_pretty(&scanned.finish()).expect("serialise");
    assert_eq!(scanned, expected);
}
