//! A YAML document as a tree of located nodes, read with `serde-saphyr` under strict limits.
//!
//! The loaders walk this tree themselves instead of deriving `Deserialize` on the model, so that
//! every problem in a file (not just the first) is reported with its line, column and text.

use std::borrow::Cow;

use crate::error::{Code, Diagnostic};

use super::types::Loc;
pub use super::yaml_tree::{Kind, Node, Span};

/// Upper bound on an input file; a larger one is refused before parsing.
pub const MAX_INPUT_BYTES: usize = 256 * 1024 * 1024;

fn options() -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    // A 10,000-account inventory is a few million events; aliases are almost never needed.
    budget.max_events = 50_000_000;
    budget.max_nodes = 50_000_000;
    budget.max_total_scalar_bytes = MAX_INPUT_BYTES;
    budget.max_aliases = 1_000;
    budget.max_anchors = 1_000;
    budget.max_depth = 64;
    budget.max_documents = 1;
    let mut aliases = serde_saphyr::options::AliasLimits::default();
    // Enough for a shared `security: *standard` block on thousands of accounts; an alias bomb
    // stops here instead of expanding exponentially.
    aliases.max_total_replayed_events = 250_000;
    serde_saphyr::options! {
        budget: Some(budget),
        alias_limits: aliases,
        strict_booleans: true,
        reject_unsupported_tags: true,
        leading_zero_numbers_as_strings: true,
        underscored_numbers_as_strings: true,
        with_snippet: false,
    }
}

/// Decodes bytes as UTF-8 (a BOM is dropped, CRLF accepted by the YAML parser).
pub fn decode<'a>(file: &str, bytes: &'a [u8]) -> Result<&'a str, Diagnostic> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let (line, column) = line_col(bytes, e.valid_up_to());
        Diagnostic {
            code: Code::Encoding,
            file: file.to_owned(),
            line,
            column,
            message: format!(
                "the file is not valid UTF-8 (invalid byte at offset {})",
                e.valid_up_to()
            ),
            snippet: None,
        }
    })
}

fn line_col(bytes: &[u8], offset: usize) -> (u32, u32) {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let col = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
    (
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(col).unwrap_or(u32::MAX),
    )
}

/// Parses one YAML document into a located tree. An empty document is `Null`.
pub fn parse<'a>(file: &str, text: &'a str) -> Result<Node<'a>, Diagnostic> {
    if text.len() > MAX_INPUT_BYTES {
        return Err(Diagnostic {
            code: Code::Syntax,
            file: file.to_owned(),
            line: 0,
            column: 0,
            message: format!(
                "the file is larger than {} MiB",
                MAX_INPUT_BYTES / (1024 * 1024)
            ),
            snippet: None,
        });
    }
    if text.trim().is_empty() {
        return Ok(Node {
            loc: Loc { line: 1, column: 1 },
            span: Span::NONE,
            kind: Kind::Null,
        });
    }
    if let Some(node) = super::yaml_fast::parse(text) {
        return Ok(node);
    }
    // A syntax error shows the line it is on, like every other error.
    parse_slow(file, text).map_err(|mut d| {
        if d.snippet.is_none() {
            d.snippet = super::reader::line_snippet(text, d.line);
        }
        d
    })
}

pub use super::yaml_tree::CORE_TAG_PREFIX;

/// Tags read as the plain values they name: the YAML 1.2 core schema's, and `!!timestamp`.
const READ_TAGS: &[&str] = &["str", "int", "float", "bool", "null", "seq", "map"];

/// Checks the explicit tags of a document that other tools wrote (PyYAML's `canonical=True`,
/// ruamel with every scalar quoted): a tag must be written `!!name` with a name of the core
/// schema, or `!!timestamp`; any other is a located error. Returns the text to read, with each
/// `!!timestamp` rewritten in place to `!!str` padded with spaces (the same length, so every
/// location stays put): `serde-saphyr` refuses to read a timestamp as text, and palisade reads
/// dates from text.
fn check_tags<'t>(file: &str, text: &'t str) -> Result<Cow<'t, str>, Diagnostic> {
    use granit_parser::{Scanner, StrInput, TokenType};
    // Most inventories carry no tag at all; only then is the document scanned an extra time.
    if !text.contains('!') {
        return Ok(Cow::Borrowed(text));
    }
    let mut out: Option<String> = None;
    // A syntax error ends the scan; serde-saphyr then reports it, with its wording.
    for token in Scanner::new(StrInput::new(text)).map_while(Result::ok) {
        let (span, kind) = token.into_parts();
        let TokenType::Tag(handle, suffix) = kind else {
            continue;
        };
        let timestamp = handle == "!!" && suffix == "timestamp";
        let core = handle == "!!" && READ_TAGS.contains(&suffix.as_ref());
        if !(core || timestamp) {
            return Err(Diagnostic {
                code: Code::Syntax,
                file: file.to_owned(),
                line: u32::try_from(span.start.line()).unwrap_or(u32::MAX),
                column: u32::try_from(span.start.col() + 1).unwrap_or(u32::MAX),
                message: format!(
                    "unsupported YAML tag `{handle}{suffix}`: palisade reads the core schema's tags (!!str, !!int, !!float, !!bool, !!null, !!seq, !!map) and !!timestamp as plain values; remove the tag"
                ),
                snippet: None,
            });
        }
        let bytes = span.start.byte_offset().zip(span.end.byte_offset());
        if let Some((start, end)) = bytes.filter(|_| timestamp) {
            if text.get(start..end) == Some("!!timestamp") {
                out.get_or_insert_with(|| text.to_owned())
                    .replace_range(start..end, "!!str      ");
            }
        }
    }
    Ok(out.map_or(Cow::Borrowed(text), Cow::Owned))
}

/// Stack for the `serde-saphyr` reader: it recurses once per level of nesting (at most
/// `max_depth`, 64), and an unoptimised build spends tens of KiB a level, more than the 2 MiB of
/// a spawned thread. The fuzzing target found 550 unclosed `{` overflowing a test thread.
const SLOW_PATH_STACK: usize = 32 << 20;

/// Reads the document with `serde-saphyr`: every YAML feature, and the authoritative errors. On
/// a thread of its own with a stack sized for its recursion, whatever thread calls it.
pub fn parse_slow(file: &str, text: &str) -> Result<Node<'static>, Diagnostic> {
    std::thread::scope(|scope| {
        match std::thread::Builder::new()
            .name("yaml".into())
            .stack_size(SLOW_PATH_STACK)
            .spawn_scoped(scope, || parse_slow_here(file, text))
        {
            // A panic in the parser is a bug: it goes on to the caller as one.
            Ok(h) => h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)),
            // No thread to be had: parse on this one.
            Err(_) => parse_slow_here(file, text),
        }
    })
}

fn parse_slow_here(file: &str, text: &str) -> Result<Node<'static>, Diagnostic> {
    let text = check_tags(file, text)?;
    serde_saphyr::from_str_with_options::<Node>(&text, options()).map_err(|e| {
        let (line, column) = e
            .location()
            .map(|l| {
                (
                    u32::try_from(l.line()).unwrap_or(0),
                    u32::try_from(l.column()).unwrap_or(0),
                )
            })
            .unwrap_or((0, 0));
        let message = match e.without_snippet() {
            // The library's own text advises setting one of its options, which a user of
            // palisade cannot do.
            serde_saphyr::Error::DuplicateMappingKey { key, .. } => match key {
                Some(k) => {
                    format!("the key `{k}` appears twice in the same mapping; give each key once")
                }
                None => "a key appears twice in the same mapping; give each key once".to_owned(),
            },
            // The parser's message may repeat the location; keep the first line, which says what.
            other => {
                let first = other.to_string();
                let first = first.lines().next().unwrap_or("invalid YAML").trim();
                // The location is shown beside the message already.
                match first.rsplit_once(" at line ") {
                    Some((what, at)) if at.contains(", column ") => what.to_owned(),
                    _ => first.to_owned(),
                }
            }
        };
        Diagnostic {
            code: Code::Syntax,
            file: file.to_owned(),
            line,
            column,
            message: format!("invalid YAML: {message}"),
            snippet: None,
        }
    })
}
