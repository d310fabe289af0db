//! The library's error type and the diagnostics users see for what they wrote.
//!
//! Every problem in a user's file is a [`Diagnostic`] with file, line, column and the offending
//! text; loaders collect all of them before failing, so a user fixes everything in one pass.

use std::fmt;

/// Kinds of input problems, one enum so codes stay stable and documented in one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    Syntax,
    UnknownField,
    MissingField,
    WrongType,
    UnknownValue,
    BadDate,
    BadEmail,
    BadHandle,
    BadRegex,
    DuplicateId,
    UnknownReference,
    Conflict,
    BadCheck,
    BadCsv,
    BadVault,
    BadResults,
    Encoding,
    /// A setting the platform does not offer (a warning).
    NotOffered,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Syntax => "syntax",
            Code::UnknownField => "unknown-field",
            Code::MissingField => "missing-field",
            Code::WrongType => "wrong-type",
            Code::UnknownValue => "unknown-value",
            Code::BadDate => "bad-date",
            Code::BadEmail => "bad-email",
            Code::BadHandle => "bad-handle",
            Code::BadRegex => "bad-regex",
            Code::DuplicateId => "duplicate-id",
            Code::UnknownReference => "unknown-reference",
            Code::Conflict => "conflict",
            Code::BadCheck => "bad-check",
            Code::BadCsv => "bad-csv",
            Code::BadVault => "bad-vault",
            Code::BadResults => "bad-results",
            Code::Encoding => "encoding",
            Code::NotOffered => "not-offered",
        }
    }
}

/// One problem in one file. `line`/`column` are 1-based; 0 means "the file as a whole".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub message: String,
    /// The source line the problem is on, for display (never a secret: vault problems leave it empty).
    pub snippet: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(
                f,
                "{}:{}:{}: error[{}]: {}",
                self.file,
                self.line,
                self.column,
                self.code.as_str(),
                self.message
            )
        } else {
            write!(
                f,
                "{}: error[{}]: {}",
                self.file,
                self.code.as_str(),
                self.message
            )
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The user's input is wrong: exit code 2.
    #[error("{} problem(s) in the input", .0.len())]
    Input(Vec<Diagnostic>),
    /// Bad usage that clap could not catch (e.g. an unknown check id): exit code 2.
    #[error("{0}")]
    Usage(String),
    /// I/O while reading or writing: exit code 3 (or 2 when it is an input file that cannot be read).
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    /// The audit could not finish: exit code 3.
    #[error("{0}")]
    Internal(String),
}

impl Error {
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }
    pub fn input(d: Diagnostic) -> Self {
        Error::Input(vec![d])
    }
    /// The exit code of `cli.md` for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Input(_) | Error::Usage(_) => 2,
            Error::Io { .. } | Error::Internal(_) => 3,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

thread_local! {
    static CONTAINED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f`, a call into a library known to panic on some inputs (the CEL parser), and turns a
/// panic into `None`, so that it can be reported as what it is: an input the library could not
/// handle. The binary's panic hook stays silent for it ([`panic_is_contained`]).
pub fn contain_panic<T>(f: impl FnOnce() -> T) -> Option<T> {
    let before = CONTAINED.with(|c| c.replace(true));
    let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).ok();
    CONTAINED.with(|c| c.set(before));
    out
}

/// Whether the panic being raised on this thread is one [`contain_panic`] will catch.
pub fn panic_is_contained() -> bool {
    CONTAINED.with(|c| c.get())
}
