//! The password vault (issue 6): reading an organisation's vault export, matching its entries to
//! accounts, and turning it into secret-free facts ([`Credentials`]) for AUTH-07/08/09.
//!
//! Passwords live only in [`VaultEntry`] (as `SecretString`) and in short-lived zeroized buffers
//! while a file is parsed. Nothing that leaves this module carries one: not `Debug`, not an error,
//! not [`Credentials`]. See `THREAT_MODEL.md` beside this file.
//!
//! How `audit` uses it, before the engine runs (the engine itself does no I/O):
//!
//! ```text
//! if let Some(path) = &args.vault {
//!     let opts = VaultOptions { key_file: args.vault_key_file.clone(), ..Default::default() };
//!     let vault = vault::load_vault(path, &opts)?; // Error::Input (BadVault) -> exit 2
//!     // An offline corpus wins over --online: then nothing leaves the machine.
//!     let source = match (&args.pwned_file, args.online) {
//!         (Some(file), _) => BreachSource::Offline(file.clone()),
//!         (None, true) => BreachSource::online(args.pwned_api.as_deref()),
//!         (None, false) => BreachSource::None,
//!     };
//!     source.validate()?; // a wrong --pwned-file is an input error too
//!     ctx.credentials = Some(vault::assess(&inventory, &vault, source));
//! }
//! if args.online {
//!     if let Some(cfg) = vault::hibp::HibpConfig::from_env() {
//!         ctx.email_breaches = Some(vault::hibp::check_email_breaches(&inventory, &cfg));
//!     }
//! }
//! ```

mod assess;
mod bitwarden;
mod corpus;
mod csvfile;
pub mod hibp;
mod kdbx;
pub mod kdf;
mod matching;
pub mod pwned;

use std::fmt;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

use crate::error::{Code, Diagnostic, Error};

pub use crate::model::evidence::VaultFormat;
pub use assess::{
    assess, assess_with, AccountCredential, Credentials, EntryMatch, MatchedBy, Reuse, Strength,
};
pub use matching::{match_accounts, AccountMatch, VaultMatches};
pub use pwned::{
    check_breaches, check_breaches_with, BreachReport, BreachSource, BreachStatus, CorpusError,
    PwnedFile, DEFAULT_PWNED_API, PWNED_API_ENV,
};

/// Environment variable holding the KeePass master password (never a command-line option: those
/// show in `ps` and shell history).
pub const PASSWORD_ENV: &str = "PALISADE_VAULT_PASSWORD";

/// How to open a vault. The default reads the KeePass master password from
/// [`PASSWORD_ENV`], or prompts without echo when standard input is a terminal.
#[derive(Default)]
pub struct VaultOptions {
    /// Force a format instead of detecting it from the extension and content.
    pub format: Option<VaultFormat>,
    /// KeePass key file (`--vault-key-file`).
    pub key_file: Option<PathBuf>,
    /// KeePass master password given by the caller; takes precedence over the environment.
    pub password: Option<SecretString>,
    /// Never prompt, even on a terminal (CI, tests).
    pub no_prompt: bool,
}

impl fmt::Debug for VaultOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VaultOptions")
            .field("format", &self.format)
            .field("key_file", &self.key_file)
            .field("password", &self.password.as_ref().map(|_| "[REDACTED]"))
            .field("no_prompt", &self.no_prompt)
            .finish()
    }
}

/// One login in the vault. Names, folders, usernames and URLs are not secret (they appear in
/// findings); the password is, and is reachable only inside this module.
pub struct VaultEntry {
    /// Folder path, `/`-separated (KeePass groups below the root, Bitwarden folder names, or a
    /// Bitwarden organisation's first collection).
    pub folder: Option<String>,
    /// Further folders the same entry is in (the other collections of a Bitwarden organisation
    /// item); `security.vault_entry` may name the entry by any of them.
    pub also_in: Vec<String>,
    pub name: String,
    pub username: Option<String>,
    pub urls: Vec<String>,
    /// The entry holds a passkey (Bitwarden `fido2Credentials`).
    pub passkey: bool,
    password: Option<SecretString>,
    /// Keyed hash of the password: equal passwords give equal fingerprints within one vault,
    /// and the fingerprint is useless outside this process (the key is random per load).
    fingerprint: Option<[u8; 32]>,
}

impl VaultEntry {
    /// `Folder/Name`, or `Name` when the entry is not in a folder.
    pub fn path(&self) -> String {
        match &self.folder {
            Some(f) if !f.is_empty() => format!("{f}/{}", self.name),
            _ => self.name.clone(),
        }
    }
    /// `Folder/Name` for the folder and for every further one ([`VaultEntry::also_in`]).
    pub fn paths(&self) -> impl Iterator<Item = String> + '_ {
        std::iter::once(self.path()).chain(
            self.also_in
                .iter()
                .filter(|f| !f.is_empty())
                .map(|f| format!("{f}/{}", self.name)),
        )
    }
    pub fn has_password(&self) -> bool {
        self.password.is_some()
    }
    pub(crate) fn password(&self) -> Option<&SecretString> {
        self.password.as_ref()
    }
    pub(crate) fn fingerprint(&self) -> Option<&[u8; 32]> {
        self.fingerprint.as_ref()
    }
}

impl fmt::Debug for VaultEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VaultEntry")
            .field("folder", &self.folder)
            .field("also_in", &self.also_in)
            .field("name", &self.name)
            .field("username", &self.username)
            .field("urls", &self.urls)
            .field("passkey", &self.passkey)
            .field("password", &self.password.as_ref().map(|_| "[REDACTED]"))
            .finish_non_exhaustive()
    }
}

/// A loaded vault: its entries in file order.
pub struct Vault {
    pub path: PathBuf,
    pub format: VaultFormat,
    /// False for exports that carry no folders at all (1Password's CSV): there an entry can
    /// only be named by its title.
    pub has_folders: bool,
    pub entries: Vec<VaultEntry>,
}

impl fmt::Debug for Vault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Vault")
            .field("path", &self.path)
            .field("format", &self.format)
            .field("has_folders", &self.has_folders)
            .field("entries", &self.entries)
            .finish()
    }
}

/// What a format reader hands back before fingerprints are added.
pub(crate) struct RawEntry {
    pub folder: Option<String>,
    pub also_in: Vec<String>,
    pub name: String,
    pub username: Option<String>,
    pub urls: Vec<String>,
    pub passkey: bool,
    pub password: Option<SecretString>,
}

/// What a format reader hands back: its entries, and whether the format has folders at all.
pub(crate) struct Parsed {
    pub entries: Vec<RawEntry>,
    pub has_folders: bool,
}

impl From<Vec<RawEntry>> for Parsed {
    fn from(entries: Vec<RawEntry>) -> Parsed {
        Parsed {
            entries,
            has_folders: true,
        }
    }
}

impl Vault {
    /// Builds a vault from raw entries, fingerprinting passwords with a fresh random key.
    pub(crate) fn from_raw(path: &Path, format: VaultFormat, raw: Parsed) -> Vault {
        let Parsed {
            entries: raw,
            has_folders,
        } = raw;
        let mut key = Zeroizing::new(random_key());
        let entries = raw
            .into_iter()
            .map(|r| {
                // An empty password field means "no password" in every export format.
                let password = r.password.filter(|p| !p.expose_secret().is_empty());
                let fingerprint = password.as_ref().map(|p| keyed_hash(&key, p));
                VaultEntry {
                    folder: r.folder.filter(|f| !f.is_empty()),
                    also_in: r.also_in,
                    name: r.name,
                    username: r.username.filter(|u| !u.is_empty()),
                    urls: r
                        .urls
                        .into_iter()
                        .filter(|u| !u.trim().is_empty())
                        .collect(),
                    passkey: r.passkey,
                    password,
                    fingerprint,
                }
            })
            .collect();
        key.zeroize();
        Vault {
            path: path.to_path_buf(),
            format,
            has_folders,
            entries,
        }
    }
}

fn keyed_hash(key: &[u8; 32], password: &SecretString) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(key);
    h.update(password.expose_secret().as_bytes());
    h.update(key);
    h.finalize().into()
}

/// 32 bytes that differ per process and per call, without a dependency on an RNG crate: the
/// standard library seeds `RandomState` from the operating system's randomness.
fn random_key() -> [u8; 32] {
    use std::hash::{BuildHasher, Hasher};
    let mut out = [0u8; 32];
    for (i, chunk) in out.chunks_mut(8).enumerate() {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_usize(i);
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0),
        );
        chunk.copy_from_slice(&h.finish().to_le_bytes());
    }
    out
}

/// A vault problem as the input error of `cli.md` (exit 2). Messages never quote file content.
pub(crate) fn bad_vault(path: &Path, line: u32, column: u32, message: impl Into<String>) -> Error {
    Error::input(Diagnostic {
        code: Code::BadVault,
        file: path.display().to_string(),
        line,
        column,
        message: message.into(),
        snippet: None,
    })
}

const KDBX_MAGIC: [u8; 4] = [0x03, 0xD9, 0xA2, 0x9A];

/// Reads the vault export at `path`: Bitwarden JSON, KeePass KDBX or CSV, by extension and then
/// by content. Any problem is an input error with [`Code::BadVault`].
pub fn load_vault(path: &Path, opts: &VaultOptions) -> Result<Vault, Error> {
    let bytes = crate::input::read_secret(path, crate::input::VAULT)
        .map_err(|e| bad_vault(path, 0, 0, format!("cannot read the vault: {e}")))?;
    let format = match opts.format {
        Some(f) => f,
        None => detect_format(path, &bytes),
    };
    let raw = match format {
        VaultFormat::Bitwarden => bitwarden::parse(path, &bytes)?.into(),
        VaultFormat::Csv => csvfile::parse(path, &bytes)?,
        VaultFormat::Keepass => {
            // Hostile key-derivation settings are refused before any password is asked for.
            kdbx::check_kdf(path, &bytes)?;
            let password = master_password(path, opts)?;
            kdbx::parse(path, &bytes, password.as_ref(), opts.key_file.as_deref())?.into()
        }
    };
    Ok(Vault::from_raw(path, format, raw))
}

fn detect_format(path: &Path, bytes: &[u8]) -> VaultFormat {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("kdbx") | Some("kdb") => return VaultFormat::Keepass,
        Some("json") => return VaultFormat::Bitwarden,
        Some("csv") => return VaultFormat::Csv,
        _ => {}
    }
    if bytes.starts_with(&KDBX_MAGIC) {
        return VaultFormat::Keepass;
    }
    let text_start = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match text_start.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => VaultFormat::Bitwarden,
        _ => VaultFormat::Csv,
    }
}

/// The KeePass master password: the caller's, then the environment, then a no-echo prompt on a
/// terminal. `None` means "key file only".
fn master_password(path: &Path, opts: &VaultOptions) -> Result<Option<SecretString>, Error> {
    if let Some(p) = &opts.password {
        return Ok(Some(p.clone()));
    }
    if let Some(v) = std::env::var_os(PASSWORD_ENV) {
        let s = v
            .into_string()
            .map_err(|_| bad_vault(path, 0, 0, format!("{PASSWORD_ENV} is not valid UTF-8")))?;
        return Ok(Some(SecretString::from(s)));
    }
    if !opts.no_prompt && std::io::stdin().is_terminal() {
        let prompt = format!("Master password for {}: ", path.display());
        let p = rpassword::prompt_password(prompt)
            .map_err(|e| bad_vault(path, 0, 0, format!("cannot read the master password: {e}")))?;
        return Ok(Some(SecretString::from(p)));
    }
    if opts.key_file.is_some() {
        return Ok(None);
    }
    Err(bad_vault(
        path,
        0,
        0,
        format!("the KeePass vault needs its master password: set {PASSWORD_ENV} or run on a terminal to be asked"),
    ))
}
