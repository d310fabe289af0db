//! A YAML document as a tree of located nodes, read with `serde-saphyr` under strict limits.
//!
//! The loaders walk this tree themselves instead of deriving `Deserialize` on the model, so that
//! every problem in a file (not just the first) is reported with its line, column and text.

use std::borrow::Cow;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

use super::inventory::Loc;
use crate::error::{Code, Diagnostic};

/// One value of the document, where it starts, and the text it came from.
///
/// Kept small (40 bytes) and borrowing its text from the source where the parser allows: a
/// 10,000-account inventory is a million nodes, and this tree is the largest thing palisade
/// holds while it loads one.
#[derive(Debug, Clone, PartialEq)]
pub struct Node<'a> {
    pub loc: Loc,
    /// Byte range of the node in the source, when known (for echoing what the user wrote).
    pub span: Span,
    pub kind: Kind<'a>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind<'a> {
    Null,
    Bool(bool),
    /// Whole numbers beyond `i64` are kept as `Float`: no field takes them, and the message
    /// about one quotes the text as written.
    Int(i64),
    Float(f64),
    Str(Cow<'a, str>),
    Seq(Box<[Node<'a>]>),
    Map(Box<[(Node<'a>, Node<'a>)]>),
}

/// A byte range of the source in 8 bytes (inputs are at most [`MAX_INPUT_BYTES`]), or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    start: u32,
    len: u32,
}

impl Span {
    pub const NONE: Span = Span {
        start: u32::MAX,
        len: 0,
    };

    pub fn new(start: usize, len: usize) -> Span {
        match (u32::try_from(start), u32::try_from(len)) {
            (Ok(start), Ok(len)) if start != u32::MAX => Span { start, len },
            _ => Span::NONE,
        }
    }

    pub fn from_option(range: Option<(usize, usize)>) -> Span {
        range.map_or(Span::NONE, |(s, l)| Span::new(s, l))
    }

    /// `(start, length)` in bytes.
    pub fn get(self) -> Option<(usize, usize)> {
        (self.start != u32::MAX).then_some((self.start as usize, self.len as usize))
    }
}

impl Kind<'_> {
    /// A whole number of any size (see [`Kind::Int`]).
    pub fn int(v: i128) -> Kind<'static> {
        match i64::try_from(v) {
            Ok(i) => Kind::Int(i),
            Err(_) => Kind::Float(v as f64),
        }
    }
}

impl Kind<'_> {
    pub fn type_name(&self) -> &'static str {
        match self {
            Kind::Null => "nothing",
            Kind::Bool(_) => "a boolean",
            Kind::Int(_) => "a number",
            Kind::Float(_) => "a number",
            Kind::Str(_) => "text",
            Kind::Seq(_) => "a list",
            Kind::Map(_) => "a mapping",
        }
    }
}

// The slow path owns its text: it is rare, and `Spanned` hands values over by value.
impl<'de> Deserialize<'de> for Node<'static> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = Spanned::<Kind<'static>>::deserialize(d)?;
        let at = s.referenced;
        let span = at.span();
        let span = match (span.byte_offset(), span.byte_len()) {
            (Some(o), Some(l)) => usize::try_from(o).ok().zip(usize::try_from(l).ok()),
            _ => None,
        };
        let span = Span::from_option(span);
        Ok(Node {
            loc: Loc {
                line: u32::try_from(at.line()).unwrap_or(u32::MAX),
                column: u32::try_from(at.column()).unwrap_or(u32::MAX),
            },
            span,
            kind: s.value,
        })
    }
}

impl<'de> Deserialize<'de> for Kind<'static> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(KindVisitor)
    }
}

struct KindVisitor;

impl<'de> Visitor<'de> for KindVisitor {
    type Value = Kind<'static>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Kind::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Kind::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Kind::int(v.into()))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Self::Value, E> {
        Ok(Kind::int(v))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Self::Value, E> {
        i128::try_from(v)
            .map(Kind::int)
            .map_err(|_| E::custom("number too large"))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Kind::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Kind::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Kind::Str(Cow::Owned(v)))
    }
    fn visit_bytes<E>(self, v: &[u8]) -> Result<Self::Value, E> {
        Ok(Kind::Str(Cow::Owned(
            String::from_utf8_lossy(v).into_owned(),
        )))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Kind::Null)
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(Kind::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        Kind::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Kind::Seq(items.into_boxed_slice()))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries = Vec::new();
        while let Some((k, v)) = map.next_entry::<Node, Node>()? {
            entries.push((k, v));
        }
        Ok(Kind::Map(entries.into_boxed_slice()))
    }
}

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
    parse_slow(file, text)
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
    serde_saphyr::from_str_with_options::<Node>(text, options()).map_err(|e| {
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
            other => other
                .to_string()
                .lines()
                .next()
                .unwrap_or("invalid YAML")
                .trim()
                .to_owned(),
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
