//! The fast path of YAML loading: builds the located tree straight from the parser's events
//! (`granit-parser`, the parser under `serde-saphyr`), without a serde round trip per node.
//!
//! It handles the documents inventories are made of (mappings, sequences, scalars untagged or
//! under a core-schema tag) and gives up, returning `None`, on anything else: a syntax error, an
//! anchor or alias, any other tag, a merge key, a duplicate or non-text key, deep nesting, several documents. `yaml::parse` then
//! reads the whole document again with `serde-saphyr`, which stays the authority on every
//! error message and on every feature the fast path leaves out. A differential test holds the
//! two to the same tree, locations included.
//!
//! Large documents are split at the items of their top-level block sequences and the pieces
//! parsed on several threads; the pieces are checked as they are joined, so a split in a wrong
//! place (inside a quoted or block scalar, say) only sends the document down the slow path.

use std::borrow::Cow;

use granit_parser::{Event, Parser, ScalarStyle, Tag};

use super::inventory::Loc;
use super::yaml_tree::{Kind, Node, Span};

/// Deeper than any inventory, policy or check definition; deeper documents take the slow path,
/// which enforces the real limit with a proper message.
const MAX_DEPTH: usize = 32;

/// Below this size one thread is faster than splitting.
const PARALLEL_MIN_BYTES: usize = 512 * 1024;

/// Parses `text` (one non-empty document) into a located tree, or `None` to defer to the slow path.
pub fn parse(text: &str) -> Option<Node<'_>> {
    let threads = crate::cores();
    if threads > 1 && text.len() >= PARALLEL_MIN_BYTES {
        if let Some(node) = parse_split(text, threads) {
            return Some(node);
        }
    }
    parse_piece(text)
}

fn parser_options() -> granit_parser::Options {
    let budget = serde_saphyr::Budget::default();
    granit_parser::options! {
        simple_key_max_lookahead: budget.simple_key_max_lookahead,
        flow_nesting_limit: MAX_DEPTH,
        block_nesting_limit: MAX_DEPTH,
        emit_comments: false,
    }
}

/// An open collection. Its children wait on the shared `items` or `entries` stack from `start`
/// on, and move into an exactly sized slice when it closes: no vector grows per collection.
enum Frame<'a> {
    Seq {
        loc: Loc,
        span: Span,
        start: usize,
    },
    Map {
        loc: Loc,
        span: Span,
        start: usize,
        key: Option<Node<'a>>,
    },
}

/// Parses a whole document on one thread.
pub fn parse_piece(text: &str) -> Option<Node<'_>> {
    parse_part(text, 0, 0, true)
}

/// Parses one piece of a document: `text` starts at byte `byte_base` and line `line_base + 1`
/// of the whole file (columns are unchanged, as pieces start at the beginning of a line);
/// `last` when it ends where the document ends.
fn parse_part(text: &str, byte_base: usize, line_base: usize, last: bool) -> Option<Node<'_>> {
    let mut parser = Parser::new_from_str_with_options(text, parser_options());
    let mut stack: Vec<Frame> = Vec::new();
    let mut items: Vec<Node> = Vec::new();
    let mut entries: Vec<(Node, Node)> = Vec::new();
    let mut root = None;
    let mut documents = 0;
    let at = |span: &granit_parser::Span| -> (Loc, Span) {
        let loc = Loc {
            line: u32::try_from(span.start.line() + line_base).unwrap_or(u32::MAX),
            column: u32::try_from(span.start.col() + 1).unwrap_or(u32::MAX),
        };
        let bytes = span
            .start
            .byte_offset()
            .zip(span.end.byte_offset())
            .map(|(s, e)| (s + byte_base, e.saturating_sub(s)));
        (loc, Span::from_option(bytes))
    };
    while let Some(next) = parser.next_event() {
        let (event, span) = next.ok()?;
        let node = match event {
            Event::StreamStart | Event::StreamEnd => continue,
            Event::DocumentStart(_, version) => {
                documents += 1;
                if documents > 1 || version.is_some() {
                    return None;
                }
                continue;
            }
            Event::DocumentEnd => continue,
            Event::Scalar(value, style, anchor, tag) => {
                if anchor != 0 {
                    return None;
                }
                // A block scalar's span runs on to the next token, which lies beyond a piece
                // that ends here: only the whole document knows where.
                let block = matches!(style, ScalarStyle::Literal | ScalarStyle::Folded);
                if block && !last && span.end.byte_offset().is_none_or(|e| e >= text.len()) {
                    return None;
                }
                let (loc, span) = at(&span);
                let kind = match tag {
                    Some(tag) => resolve_tagged(value, &tag)?,
                    None if style == ScalarStyle::Plain => resolve_plain(value)?,
                    None => Kind::Str(value),
                };
                Node { loc, span, kind }
            }
            Event::SequenceStart(_, anchor, ref tag)
                if anchor != 0
                    || tag.as_deref().is_some_and(|t| !is_core(t, "seq"))
                    || stack.len() >= MAX_DEPTH =>
            {
                return None;
            }
            Event::MappingStart(_, anchor, ref tag)
                if anchor != 0
                    || tag.as_deref().is_some_and(|t| !is_core(t, "map"))
                    || stack.len() >= MAX_DEPTH =>
            {
                return None;
            }
            Event::SequenceStart(..) => {
                let (loc, span) = at(&span);
                let start = items.len();
                stack.push(Frame::Seq { loc, span, start });
                continue;
            }
            Event::MappingStart(..) => {
                let (loc, span) = at(&span);
                let start = entries.len();
                stack.push(Frame::Map {
                    loc,
                    span,
                    start,
                    key: None,
                });
                continue;
            }
            Event::SequenceEnd => match stack.pop()? {
                Frame::Seq { loc, span, start } => Node {
                    loc,
                    span,
                    kind: Kind::Seq(items.drain(start..).collect()),
                },
                Frame::Map { .. } => return None,
            },
            Event::MappingEnd => match stack.pop()? {
                Frame::Map {
                    loc,
                    span,
                    start,
                    key: None,
                } => Node {
                    loc,
                    span,
                    kind: Kind::Map(entries.drain(start..).collect()),
                },
                _ => return None,
            },
            // Aliases, anchors' metadata, comments and anything newer: the slow path knows.
            _ => return None,
        };
        match stack.last_mut() {
            None => {
                if root.is_some() {
                    return None;
                }
                root = Some(node);
            }
            Some(Frame::Seq { .. }) => items.push(node),
            Some(Frame::Map { start, key, .. }) => match key.take() {
                Some(k) => entries.push((k, node)),
                None => {
                    let Kind::Str(k) = &node.kind else {
                        return None;
                    };
                    // `<<` merges; a repeated key is an error whose wording the slow path owns.
                    if k == "<<" || has_key(&entries[*start..], k) {
                        return None;
                    }
                    *key = Some(node);
                }
            },
        }
    }
    if !stack.is_empty() {
        return None;
    }
    root
}

/// A scalar under an explicit tag, as PyYAML's canonical output and ruamel's quoted scalars
/// write them: the core-schema tags read as the plain value they name (`!!int "3"` is 3,
/// `!!str 12` is "12"), `!!timestamp` as its text (dates are read from text). `None` for any
/// other tag or a value the tag does not fit; the slow path then decides, with the message.
pub fn resolve_tagged<'a>(value: Cow<'a, str>, tag: &Tag) -> Option<Kind<'a>> {
    // Other spellings (verbatim, `%TAG` handles) are the slow path's to refuse.
    if tag.original_handle() != "!!" {
        return None;
    }
    if is_timestamp(tag) {
        return Some(Kind::Str(value));
    }
    let t = value.trim_matches([' ', '\t', '\r', '\n']);
    match tag.core_suffix()? {
        "str" => Some(Kind::Str(value)),
        "null" => Some(Kind::Null),
        "bool" => match t {
            "true" | "True" | "TRUE" => Some(Kind::Bool(true)),
            "false" | "False" | "FALSE" => Some(Kind::Bool(false)),
            _ => None,
        },
        "int" if decimal_integer(t) => parse_int(t).map(Kind::int),
        // Only the plain decimal spellings; the rest are the slow path's to judge.
        "float" if simple_decimal(t) => parse_float(t).filter(|f| f.is_finite()).map(Kind::Float),
        _ => None,
    }
}

/// `!!name` as written, resolving to the core schema's `name`.
fn is_core(tag: &Tag, name: &str) -> bool {
    tag.original_handle() == "!!" && tag.core_suffix() == Some(name)
}

/// `!!timestamp` exactly as written by PyYAML and ruamel (YAML 1.1's type, outside the 1.2
/// core schema): `yaml::parse_slow` reads the same spelling as `!!str`.
pub fn is_timestamp(tag: &Tag) -> bool {
    tag.original_handle() == "!!"
        && tag
            .suffix_in_namespace(super::yaml_tree::CORE_TAG_PREFIX)
            .as_deref()
            == Some("timestamp")
}

fn decimal_integer(t: &str) -> bool {
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) && !leading_zero_decimal(t)
}

fn simple_decimal(t: &str) -> bool {
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    let (mantissa, exponent) = match digits.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e.strip_prefix(['+', '-']).unwrap_or(e))),
        None => (digits, None),
    };
    let (whole, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    !(whole.is_empty() && frac.is_empty())
        && all_digits(whole)
        && all_digits(frac)
        && exponent.is_none_or(|e| !e.is_empty() && all_digits(e))
}

fn has_key(entries: &[(Node, Node)], key: &str) -> bool {
    entries
        .iter()
        .any(|(k, _)| matches!(&k.kind, Kind::Str(s) if s == key))
}

/// Resolves an untagged plain scalar the way `serde-saphyr` does with palisade's options (YAML 1.2
/// core schema, strict booleans, leading-zero and underscored numbers kept as text), or `None`
/// for the rare spellings whose handling the slow path owns (non-finite floats).
pub fn resolve_plain(value: Cow<'_, str>) -> Option<Kind<'_>> {
    let t = value.trim_matches([' ', '\t', '\r', '\n']);
    if matches!(value.as_ref(), "" | "~" | "null" | "Null" | "NULL") {
        return Some(Kind::Null);
    }
    match t {
        "true" | "True" | "TRUE" => return Some(Kind::Bool(true)),
        "false" | "False" | "FALSE" => return Some(Kind::Bool(false)),
        _ => {}
    }
    let numeric_start = t
        .trim_start_matches(['+', '-'])
        .as_bytes()
        .first()
        .is_some_and(|b| b.is_ascii_digit() || *b == b'.');
    if !numeric_start {
        return Some(Kind::Str(value));
    }
    if leading_zero_decimal(t) || t.contains('_') {
        return Some(Kind::Str(value));
    }
    if let Some(i) = parse_int(t) {
        return Some(Kind::int(i));
    }
    if let Some(f) = parse_float(t) {
        return f.is_finite().then_some(Kind::Float(f));
    }
    Some(Kind::Str(value))
}

fn leading_zero_decimal(t: &str) -> bool {
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    digits.len() > 1 && digits.starts_with('0') && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Integers as `serde-saphyr` reads them for an untyped value: 64-bit, signed when negative,
/// decimal or `0x`/`0o`/`0b` (no underscores or leading zeros reach here).
fn parse_int(t: &str) -> Option<i128> {
    let (neg, rest) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (radix, digits) =
        if let Some(r) = rest.strip_prefix("0x").or_else(|| rest.strip_prefix("0X")) {
            (16, r)
        } else if let Some(r) = rest.strip_prefix("0o").or_else(|| rest.strip_prefix("0O")) {
            (8, r)
        } else if let Some(r) = rest.strip_prefix("0b").or_else(|| rest.strip_prefix("0B")) {
            (2, r)
        } else {
            (10, rest)
        };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    if radix == 10 && digits.starts_with('0') && digits != "0" {
        return None;
    }
    let mag = u128::from_str_radix(digits, radix).ok()?;
    if neg {
        let v = if mag == (i128::MAX as u128) + 1 {
            i128::MIN
        } else {
            -i128::try_from(mag).ok()?
        };
        i64::try_from(v).ok().map(i128::from)
    } else {
        u64::try_from(mag).ok().map(i128::from)
    }
}

/// Floats of the YAML 1.2 core schema; an overflowing literal (`1e999`) is infinite, as there.
fn parse_float(t: &str) -> Option<f64> {
    let unsigned = t.strip_prefix(['+', '-']).unwrap_or(t);
    if matches!(
        unsigned,
        ".nan" | ".NaN" | ".NAN" | ".inf" | ".Inf" | ".INF"
    ) {
        return Some(f64::NAN);
    }
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => Some(v),
        Ok(v) if v.is_infinite() && unsigned.as_bytes().first().is_some_and(u8::is_ascii_digit) => {
            Some(v)
        }
        _ => None,
    }
}

/// A top-level block sequence (`key:` at column 0, then `- ` items at `indent`) whose items are
/// split points.
struct Sequence<'a> {
    key: &'a str,
    /// Byte offset where the sequence's text ends (the next top-level line, or the end).
    end: usize,
    /// Byte offsets of the lines starting its second and later items.
    items: Vec<usize>,
}

/// Finds the top-level block sequences of a document whose root is a block mapping at column 0.
/// `None` when the layout is anything else (directives, document markers, flow root...).
fn top_level_sequences(text: &str) -> Option<Vec<Sequence<'_>>> {
    let mut lines = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        lines.push((offset, line.trim_end_matches(['\n', '\r'])));
        offset += line.len();
    }
    let insignificant = |l: &str| {
        let t = l.trim_start_matches([' ', '\t']);
        t.is_empty() || t.starts_with('#')
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let (_, line) = lines[i];
        if line.starts_with("---") || line.starts_with("...") || line.starts_with('%') {
            return None;
        }
        i += 1;
        let Some(key) = block_key(line) else { continue };
        // The first significant line after the key says whether its value is a block sequence.
        let Some(first) = (i..lines.len()).find(|&j| !insignificant(lines[j].1)) else {
            break;
        };
        let indent = lines[first].1.len() - lines[first].1.trim_start_matches(' ').len();
        let is_item = |l: &str| {
            l.len() > indent
                && l.as_bytes()[..indent].iter().all(|&b| b == b' ')
                && (l[indent..] == *"-" || l[indent..].starts_with("- "))
        };
        if !is_item(lines[first].1) {
            continue;
        }
        let mut items = Vec::new();
        let mut end = text.len();
        let mut j = first + 1;
        while j < lines.len() {
            let (at, l) = lines[j];
            if !insignificant(l) {
                let own_indent = l.len() - l.trim_start_matches(' ').len();
                if is_item(l) {
                    items.push(at);
                } else if own_indent == 0 {
                    end = at;
                    break;
                } else if own_indent <= indent {
                    // Not a layout seen in inventories; do not guess where the sequence ends.
                    return None;
                }
            }
            j += 1;
        }
        out.push(Sequence { key, end, items });
        i = j;
    }
    Some(out)
}

/// `key` when `line` is `key:` at column 0 with nothing after it but a comment.
fn block_key(line: &str) -> Option<&str> {
    let (key, rest) = line.split_once(':')?;
    let rest = rest.trim_start_matches([' ', '\t']);
    let simple = key
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    (simple && (rest.is_empty() || rest.starts_with('#'))).then_some(key)
}

/// One piece of the split document and what its tree must be.
struct Piece<'a> {
    start: usize,
    end: usize,
    /// `Some(key)`: a run of items of the sequence under `key`; `None`: top-level entries.
    items_of: Option<&'a str>,
}

/// Splits the document into about `threads` pieces at item boundaries of its top-level block
/// sequences, parses them in parallel and joins them; `None` if any piece or join fails.
pub fn parse_split(text: &str, threads: usize) -> Option<Node<'_>> {
    let sequences = top_level_sequences(text)?;
    let mut cuts: Vec<(usize, usize)> = Vec::new(); // (item offset, sequence index)
    let mut next_target = text.len() / threads;
    for (s, seq) in sequences.iter().enumerate() {
        for &at in &seq.items {
            if at >= next_target {
                cuts.push((at, s));
                next_target = at + text.len() / threads;
            }
        }
    }
    if cuts.is_empty() {
        return None;
    }
    let mut pieces = Vec::new();
    let mut start = 0;
    for (n, &(at, s)) in cuts.iter().enumerate() {
        pieces.push(Piece {
            start,
            end: at,
            items_of: None,
        });
        let seq = &sequences[s];
        let next_cut = cuts.get(n + 1).map_or(text.len(), |c| c.0);
        let end = seq.end.min(next_cut);
        pieces.push(Piece {
            start: at,
            end,
            items_of: Some(seq.key),
        });
        start = end;
    }
    pieces.push(Piece {
        start,
        end: text.len(),
        items_of: None,
    });
    // A piece can be empty (two cuts in a row in one sequence); it has no entries to parse.
    pieces.retain(|p| !text[p.start..p.end].trim().is_empty() || p.start == 0);

    let line_starts = |at: usize| {
        text.as_bytes()[..at]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
    };
    let trees: Vec<Option<Node>> = std::thread::scope(|scope| {
        let handles: Vec<_> = pieces
            .iter()
            .map(|p| {
                let piece = &text[p.start..p.end];
                let line_base = line_starts(p.start);
                let last = p.end == text.len();
                scope.spawn(move || parse_part(piece, p.start, line_base, last))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().ok().flatten())
            .collect()
    });

    let mut root: Option<Node> = None;
    for (piece, tree) in pieces.iter().zip(trees) {
        let tree = tree?;
        match (piece.items_of, tree.kind) {
            (None, Kind::Map(entries)) => match &mut root {
                None => {
                    root = Some(Node {
                        kind: Kind::Map(entries),
                        ..tree
                    })
                }
                Some(Node {
                    kind: Kind::Map(all),
                    ..
                }) => {
                    let mut joined = std::mem::take(all).into_vec();
                    for (k, v) in entries {
                        let Kind::Str(name) = &k.kind else {
                            return None;
                        };
                        if has_key(&joined, name) {
                            return None;
                        }
                        joined.push((k, v));
                    }
                    *all = joined.into_boxed_slice();
                }
                Some(_) => return None,
            },
            (Some(key), Kind::Seq(items)) => {
                let Some(Node {
                    kind: Kind::Map(all),
                    ..
                }) = &mut root
                else {
                    return None;
                };
                // The items continue the sequence that the previous piece ended with.
                match all.last_mut() {
                    Some((
                        Node {
                            kind: Kind::Str(k), ..
                        },
                        Node {
                            kind: Kind::Seq(seq),
                            ..
                        },
                    )) if k == key => {
                        let mut joined = std::mem::take(seq).into_vec();
                        joined.extend(items);
                        *seq = joined.into_boxed_slice();
                    }
                    _ => return None,
                }
            }
            _ => return None,
        }
    }
    root
}
