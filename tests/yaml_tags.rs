//! Issue 14: YAML that other tools write with explicit tags (PyYAML's `canonical=True`, ruamel
//! with every scalar quoted) reads as the plain inventory; any tag outside the core schema (and
//! `!!timestamp`) is a located error. The fast and slow paths agree on every tagged document.

use std::path::Path;

use palisade::model::load;
use palisade::model::yaml::{self, Kind};
use palisade::model::yaml_fast;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The inventory as its `Debug` text, without what depends on the file's layout (locations,
/// spans, its path).
fn content(file: &str) -> String {
    let bytes = std::fs::read(root().join(file)).unwrap();
    let mut inv = load::parse(file, &bytes).unwrap_or_else(|d| {
        let all: Vec<String> = d.iter().map(|d| d.to_string()).collect();
        panic!("{file}: {}", all.join("\n"))
    });
    // Warnings quote their source line and position, which differ between layouts: compare
    // their messages only.
    let warnings: Vec<String> = inv.warnings.drain(..).map(|d| d.message).collect();
    let text = format!("{warnings:#?}\n{inv:#?}");
    let text = regex::Regex::new(r"Loc \{\s*line: \d+,\s*column: \d+,?\s*\}")
        .unwrap()
        .replace_all(&text, "Loc");
    let text = regex::Regex::new(r"Span \{[^}]*\}")
        .unwrap()
        .replace_all(&text, "Span");
    let text = regex::Regex::new(r#"digest: "[0-9a-f]+""#)
        .unwrap()
        .replace_all(&text, "digest");
    text.replace(file, "FILE")
}

#[test]
fn tagged_inventories_load_like_the_plain_one() {
    let plain = content("examples/westmere.yaml");
    for f in [
        "tests/data/yaml/westmere-pyyaml-canonical.yaml",
        "tests/data/yaml/westmere-ruamel-quoted.yaml",
    ] {
        // Not assert_eq: the inventory's text is long.
        assert!(content(f) == plain, "{f} reads differently");
        // Both are read on the fast path, and the slow path gives the same tree.
        let text = std::fs::read_to_string(root().join(f)).unwrap();
        let fast = yaml_fast::parse_piece(&text).expect("the fast path refused a tagged file");
        assert_eq!(fast, yaml::parse_slow(f, &text).unwrap(), "{f}");
    }
}

#[test]
fn core_tags_read_as_plain_values_on_both_paths() {
    let text = "a: !!int \"3\"\nb: !!str 12\nc: !!bool \"true\"\nd: !!timestamp \"2021-01-10\"\n\
                e: !!null \"\"\nf: !!float \"1.5\"\ng: !!seq [!!str x]\nh: !!map {k: !!int -4}\n\
                i: !!str \"\"\n";
    let slow = yaml::parse_slow("t.yaml", text).unwrap();
    let fast = yaml_fast::parse_piece(text).expect("fast path");
    assert_eq!(fast, slow);
    let Kind::Map(entries) = slow.kind else {
        panic!("not a map")
    };
    let kinds: Vec<&Kind> = entries.iter().map(|(_, v)| &v.kind).collect();
    assert_eq!(kinds[0], &Kind::Int(3));
    assert_eq!(kinds[1], &Kind::Str("12".into()));
    assert_eq!(kinds[2], &Kind::Bool(true));
    assert_eq!(kinds[3], &Kind::Str("2021-01-10".into()));
    assert_eq!(kinds[4], &Kind::Null);
    assert_eq!(kinds[5], &Kind::Float(1.5));
    assert!(matches!(kinds[6], Kind::Seq(items) if items[0].kind == Kind::Str("x".into())));
    assert!(matches!(kinds[7], Kind::Map(m) if m[0].1.kind == Kind::Int(-4)));
    assert_eq!(kinds[8], &Kind::Str("".into()));
}

#[test]
fn a_timestamp_keeps_its_location() {
    let text = "created_on: !!timestamp \"2021-01-10\"\n";
    let node = yaml::parse_slow("t.yaml", text).unwrap();
    let Kind::Map(entries) = node.kind else {
        panic!()
    };
    let fast = yaml_fast::parse_piece(text).unwrap();
    let Kind::Map(fast_entries) = fast.kind else {
        panic!()
    };
    assert_eq!(entries[0].1.loc, fast_entries[0].1.loc);
    assert_eq!(entries[0].1.span, fast_entries[0].1.span);
}

#[test]
fn other_tags_are_located_errors() {
    for (text, tag, line, column) in [
        ("organisation:\n  name: !secret Westmere\n", "!secret", 2, 9),
        (
            "organisation:\n  name: !!binary V2VzdG1lcmU=\n",
            "!!binary",
            2,
            9,
        ),
        ("accounts: !!set {a: null}\n", "!!set", 1, 11),
        ("organisation:\n  name: ! Westmere\n", "`!`", 2, 9),
    ] {
        let diags = load::parse("inv.yaml", text.as_bytes()).unwrap_err();
        let d = &diags[0];
        assert!(d.message.contains(tag), "{tag}: {}", d.message);
        assert!(d.message.contains("tag"), "{}", d.message);
        assert_eq!((d.line, d.column), (line, column), "{tag}: {}", d.message);
    }
}
