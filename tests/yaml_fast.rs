//! The fast YAML path (`model::yaml_fast`) against the authoritative one (`serde-saphyr`): when
//! the fast path gives a tree, it must be the very tree, locations and spans included, that the
//! slow path gives; otherwise it must give up. Split (multi-threaded) parsing is held to the same.

#[path = "../examples/gen_inventory.rs"]
#[allow(dead_code)]
mod gen;

use std::path::{Path, PathBuf};

use palisade::model::yaml::{self, Kind};
use palisade::model::yaml_fast;
use proptest::prelude::*;

/// Every way the fast path can read `text` agrees with the slow path; returns whether the
/// whole-document fast path accepted it.
fn agrees(text: &str) -> bool {
    let slow = yaml::parse_slow("doc.yaml", text);
    let fast = yaml_fast::parse_piece(text);
    if let Some(fast) = &fast {
        let slow = slow
            .as_ref()
            .expect("the fast path accepted what the slow path refuses");
        assert_eq!(fast, slow, "fast and slow trees differ for:\n{text}");
    }
    for threads in [2, 3, 7] {
        if let Some(split) = yaml_fast::parse_split(text, threads) {
            let slow = slow
                .as_ref()
                .expect("split parsing accepted what the slow path refuses");
            assert_eq!(
                &split, slow,
                "split ({threads}) and slow differ for:\n{text}"
            );
        }
    }
    fast.is_some()
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            yaml_files(&p, out);
        } else if matches!(p.extension().and_then(|x| x.to_str()), Some("yaml" | "yml")) {
            out.push(p);
        }
    }
}

#[test]
fn every_yaml_file_in_the_repository_reads_the_same_both_ways() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["checks", "examples", "templates", "tests"] {
        yaml_files(&root.join(dir), &mut files);
    }
    assert!(files.len() > 50, "found only {} YAML files", files.len());
    let mut fast = 0;
    for f in &files {
        let bytes = std::fs::read(f).expect("read");
        let Ok(text) = yaml::decode("doc.yaml", &bytes) else {
            continue;
        };
        if text.trim().is_empty() {
            continue;
        }
        if agrees(text) {
            fast += 1;
        }
    }
    // Most files are plain inventories and definitions; if the fast path stopped taking them,
    // the speed it exists for would be gone without any test failing.
    assert!(
        fast * 10 >= files.len() * 7,
        "the fast path took only {fast} of {} files",
        files.len()
    );
}

#[test]
fn generated_inventories_split_and_join_to_the_same_tree() {
    for (accounts, people) in [(1, 1), (7, 3), (300, 120)] {
        let text = gen::inventory(accounts, people);
        assert!(agrees(&text), "fast path refused a generated inventory");
        if accounts > 100 {
            assert!(
                yaml_fast::parse_split(&text, 3).is_some(),
                "a large generated inventory was not split"
            );
        }
    }
}

#[test]
fn layouts_the_splitter_must_not_be_fooled_by() {
    let cases = [
        // A quoted scalar whose continuation line looks like a new item.
        "accounts:\n  - id: a\n    bio: \"one\n  - id: b\"\n  - id: c\n  - id: d\n",
        // A block scalar holding item-like lines.
        "accounts:\n  - id: a\n    bio: |\n      - id: x\n      - id: y\n  - id: b\n  - id: c\n",
        // Items at column 0, then another key.
        "accounts:\n- id: a\n- id: b\n- id: c\npeople:\n- id: p\n- id: q\n",
        // A flow sequence across lines.
        "accounts: [\n  a,\n  b\n]\npeople:\n  - id: p\n  - id: q\n  - id: r\n",
        // Comments and blank lines between items, CRLF line ends.
        "accounts:\r\n  - id: a\r\n\r\n# note\r\n  - id: b\r\n  - id: c\r\n",
        // A repeated top-level key in different pieces.
        "accounts:\n  - id: a\n  - id: b\npeople: []\naccounts:\n  - id: c\n",
        // Document markers and directives.
        "%YAML 1.2\n---\naccounts:\n  - id: a\n  - id: b\n",
        "accounts:\n  - id: a\n---\naccounts:\n  - id: b\n",
        // Anchors and aliases, merge keys, tags.
        "base: &b {x: 1}\naccounts:\n  - *b\n  - *b\n  - *b\n",
        "accounts:\n  - <<: {x: 1}\n  - id: b\n  - id: c\n",
        "accounts:\n  - !!str 12\n  - id: b\n  - id: c\n",
        "accounts:\n  - !!timestamp 2021-01-10\n  - !custom b\n  - !!map {id: !!int \"3\"}\n",
        // Odd indentation inside the sequence.
        "accounts:\n    - id: a\n  - id: b\n    - id: c\n",
    ];
    for c in cases {
        agrees(c);
    }
}

#[test]
fn scalars_resolve_as_serde_saphyr_resolves_them() {
    for s in [
        "",
        "~",
        "null",
        "Null",
        "NULL",
        "nULL",
        "true",
        "True",
        "TRUE",
        "tRUE",
        "yes",
        "no",
        "on",
        "off",
        "y",
        "n",
        "0",
        "-0",
        "+0",
        "007",
        "-007",
        "0x1F",
        "0X1f",
        "-0x10",
        "0o17",
        "0b101",
        "0b",
        "0x",
        "1_000",
        "1__0",
        "12",
        "+12",
        "-12",
        "18446744073709551615",
        "18446744073709551616",
        "-9223372036854775808",
        "-9223372036854775809",
        "1.5",
        "-1.5",
        ".5",
        "1.",
        "1e5",
        "1E-5",
        "+1.5e3",
        ".inf",
        "-.inf",
        ".nan",
        "inf",
        "nan",
        "-inf",
        "1e999",
        "2026-10-01",
        "2026-1-1",
        "12:30",
        "1.2.3",
        "+-5",
        "-",
        "+",
        ".",
        "0.0.0.0",
        "Wm000",
        "@handle",
        "#x",
        "a b",
    ] {
        let doc = format!("k: {s}\n");
        agrees(&doc);
    }
}

/// Scalars and structures that stress the fast path's bail-outs and resolution.
fn scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z_][a-zA-Z0-9_.@-]{0,12}",
        "[+-]?[0-9_]{1,6}(\\.[0-9]{0,3})?([eE][+-]?[0-9]{1,3})?",
        "0[xob][0-9a-fA-F_]{0,5}",
        Just("~".to_owned()),
        Just("true".to_owned()),
        Just("False".to_owned()),
        Just(".inf".to_owned()),
        "\"[a-z \\-:#]{0,10}\"",
        "'[a-z \\-:#]{0,10}'",
        "20[0-9]{2}-[01][0-9]-[0-3][0-9]",
        // Explicit tags as PyYAML's canonical output and ruamel's quoted scalars write them.
        "!!str \"[a-z0-9 .:-]{0,8}\"",
        "!!str [a-z0-9]{1,6}",
        "!!int \"[+-]?[0-9]{1,5}\"",
        "!!float \"[+-]?[0-9]{1,3}(\\.[0-9]{0,3})?\"",
        "!!bool \"(true|false|True|yes)\"",
        "!!null \"\"",
        "!!timestamp \"20[0-9]{2}-[01][0-9]-[0-3][0-9]\"",
        "!![a-z]{2,6} x",
    ]
}

fn item() -> impl Strategy<Value = String> {
    prop_oneof![
        (scalar(), scalar()).prop_map(|(a, b)| format!("  - id: {a}\n    note: {b}\n")),
        scalar().prop_map(|a| format!("  - {a}\n")),
        (scalar(), scalar()).prop_map(|(a, b)| format!("  - {{id: {a}, x: [{b}, {a}]}}\n")),
        scalar().prop_map(|a| format!("  - id: x\n    text: |\n      {a}\n      - {a}\n")),
        scalar().prop_map(|a| format!("  - id: \"{a}\n  - y\"\n")),
        Just("# comment\n".to_owned()),
        Just("\n".to_owned()),
        scalar().prop_map(|a| format!("  - &a {a}\n  - *a\n")),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn generated_documents_read_the_same_both_ways(
        first in proptest::collection::vec(item(), 0..12),
        second in proptest::collection::vec(item(), 0..12),
        middle in scalar(),
    ) {
        let text = format!(
            "accounts:\n{}middle: {middle}\npeople:\n{}",
            first.concat(),
            second.concat()
        );
        agrees(&text);
    }

    #[test]
    fn plain_scalars_resolve_the_same_both_ways(s in scalar()) {
        agrees(&format!("k: {s}\nl: [{s}]\n"));
    }
}

#[test]
fn types_are_as_an_inventory_expects() {
    let node = yaml_fast::parse_piece("a: 2026-10-01\nb: 12\nc: \"12\"\nd: true\ne:\n")
        .expect("fast path");
    let Kind::Map(entries) = node.kind else {
        panic!("not a map")
    };
    let kinds: Vec<&Kind> = entries.iter().map(|(_, v)| &v.kind).collect();
    assert_eq!(
        kinds,
        vec![
            &Kind::Str("2026-10-01".into()),
            &Kind::Int(12),
            &Kind::Str("12".into()),
            &Kind::Bool(true),
            &Kind::Null
        ]
    );
}
