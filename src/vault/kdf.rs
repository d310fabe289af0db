//! The key-derivation settings of a KeePass file, read from its unencrypted header and judged
//! before any derivation runs. The settings come from the file, before the password is checked:
//! a 2 KB file can otherwise ask palisade for terabytes of Argon2 memory or a billion passes.
//!
//! Limits, from KeePassXC's source (github.com/keepassxreboot/keepassxc at 95bae8377,
//! 2024-10-19; checked 2026-11-30):
//! - the database settings dialog (`src/gui/dbsettings/DatabaseSettingsWidgetEncryption.ui`)
//!   offers Argon2 memory of 1 to 1,048,576 MiB, 1 to 128 threads, and 1 to 1,000,000,000
//!   transform rounds (Argon2 iterations or AES-KDF rounds): what KeePassXC itself creates.
//!   (Its core, `src/crypto/kdf/Argon2Kdf.cpp` and `Kdf.cpp`, reads files made elsewhere with up
//!   to 2^32 KiB, 2^24 threads and 2^31 rounds, which palisade does not follow.)
//! - `Argon2Kdf.cpp` reads versions 0x10 to 0x13 and at least 8 KiB, and creates 64 MiB
//!   (`m_memory(1 << 16)` KiB) by default; `Kdf.h` caps the decryption time its benchmark aims
//!   for at 5 s (`MAX_ENCRYPTION_TIME`).
//!
//! Within those limits palisade also bounds what one audit spends: Argon2 memory up to
//! [`DEFAULT_MAX_MEMORY_MIB`] (16 times KeePassXC's default; more with
//! [`MAX_MEMORY_ENV`]), and memory × iterations up to [`MAX_ARGON2_WORK_MIB`].

use std::path::Path;

use super::bad_vault;
use crate::error::Error;

/// Raises palisade's Argon2 memory ceiling (in MiB) for a database known to need more.
pub const MAX_MEMORY_ENV: &str = "PALISADE_KDBX_MAX_MEMORY_MIB";

/// KeePassXC's settings dialog: `memorySpinBox` maximum, in MiB.
pub const KEEPASSXC_MAX_MEMORY_MIB: u64 = 1_048_576;
/// KeePassXC's settings dialog: `parallelismSpinBox` maximum.
pub const KEEPASSXC_MAX_PARALLELISM: u64 = 128;
/// KeePassXC's settings dialog: `transformRoundsSpinBox` maximum (iterations or AES rounds).
pub const KEEPASSXC_MAX_ROUNDS: u64 = 1_000_000_000;
/// `Argon2Kdf::setMemory`'s minimum, in KiB.
const ARGON2_MIN_MEMORY_KIB: u64 = 8;

/// palisade's Argon2 memory ceiling unless [`MAX_MEMORY_ENV`] raises it.
pub const DEFAULT_MAX_MEMORY_MIB: u64 = 1024;
/// Memory × iterations, in MiB passes: about five minutes on one lane of the 2-core development
/// machine (the reference Argon2 implementation made 210-240 MiB passes a second there,
/// 2026-11-30), or 1,024 passes over KeePassXC's default 64 MiB.
pub const MAX_ARGON2_WORK_MIB: u64 = 64 * 1024;

const ARGON2D: [u8; 16] = [
    0xEF, 0x63, 0x6D, 0xDF, 0x8C, 0x29, 0x44, 0x4B, 0x91, 0xF7, 0xA9, 0xA4, 0x03, 0xE3, 0x0A, 0x0C,
];
const ARGON2ID: [u8; 16] = [
    0x9E, 0x29, 0x8B, 0x19, 0x56, 0xDB, 0x47, 0x73, 0xB2, 0x3D, 0xFC, 0x3E, 0xC6, 0xF0, 0xA1, 0xE6,
];
/// AES-KDF as KDBX 4 names it, and the KDBX 3 AES identifier some writers use there too (the
/// `keepass` crate accepts both).
const AES_KDF: [u8; 16] = [
    0x7C, 0x02, 0xBB, 0x82, 0x79, 0xA7, 0x4A, 0xC0, 0x92, 0x7D, 0x11, 0x4A, 0x00, 0x64, 0x82, 0x38,
];
const AES_KDF_KDBX3: [u8; 16] = [
    0xC9, 0xD9, 0xF3, 0x9A, 0x62, 0x8A, 0x44, 0x60, 0xBF, 0x74, 0x0D, 0x08, 0xC1, 0x8A, 0x4F, 0xEA,
];

/// What the header asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kdf {
    Aes {
        rounds: u64,
    },
    Argon2 {
        memory_bytes: u64,
        iterations: u64,
        parallelism: u64,
        version: u64,
    },
    /// A KeePass header whose key-derivation settings cannot be read: refused, because what
    /// palisade cannot check it must not hand to the derivation (and the `keepass` crate panics
    /// on some of these, a KDBX 3 rounds field shorter than 8 bytes for one).
    Unreadable,
}

/// Refuses a KeePass file whose key derivation is beyond KeePassXC's own limits or palisade's
/// budget, with a message that names the setting, before any derivation. Files that are not
/// KeePass files pass through to the `keepass` crate, which says what they are.
pub fn check(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    match read(bytes) {
        None => Ok(()),
        Some(kdf) => judge(
            &kdf,
            memory_ceiling_mib(std::env::var(MAX_MEMORY_ENV).ok().as_deref()),
        )
        .map_err(|m| bad_vault(path, 0, 0, format!("{m}; nothing was derived"))),
    }
}

/// Why `kdf` is refused, if it is, with Argon2 memory allowed up to `ceiling_mib`.
pub fn judge(kdf: &Kdf, ceiling_mib: u64) -> Result<(), String> {
    let beyond = "beyond what KeePassXC lets a database be set to";
    match *kdf {
        Kdf::Unreadable => Err(
            "the KeePass file's header does not say how its key is derived in a way palisade can check (damaged or hostile)".into(),
        ),
        Kdf::Aes { rounds } if rounds == 0 || rounds > KEEPASSXC_MAX_ROUNDS => Err(format!(
            "the KeePass file asks for {rounds} AES-KDF rounds, {beyond} (1 to {KEEPASSXC_MAX_ROUNDS})"
        )),
        Kdf::Aes { .. } => Ok(()),
        Kdf::Argon2 {
            memory_bytes,
            iterations,
            parallelism,
            version,
        } => {
            let mib = memory_bytes / (1024 * 1024);
            if !(0x10..=0x13).contains(&version) {
                return Err(format!(
                    "the KeePass file asks for Argon2 version {version:#x}, which KeePassXC does not read (0x10 to 0x13)"
                ));
            }
            if memory_bytes / 1024 < ARGON2_MIN_MEMORY_KIB || mib > KEEPASSXC_MAX_MEMORY_MIB {
                return Err(format!(
                    "the KeePass file asks for {mib} MiB of Argon2 memory, {beyond} (8 KiB to {KEEPASSXC_MAX_MEMORY_MIB} MiB)"
                ));
            }
            if parallelism == 0 || parallelism > KEEPASSXC_MAX_PARALLELISM {
                return Err(format!(
                    "the KeePass file asks for {parallelism} Argon2 threads, {beyond} (1 to {KEEPASSXC_MAX_PARALLELISM})"
                ));
            }
            if iterations == 0 || iterations > KEEPASSXC_MAX_ROUNDS {
                return Err(format!(
                    "the KeePass file asks for {iterations} Argon2 iterations, {beyond} (1 to {KEEPASSXC_MAX_ROUNDS})"
                ));
            }
            if mib > ceiling_mib {
                return Err(format!(
                    "the KeePass file asks for {mib} MiB of Argon2 memory; palisade allows {ceiling_mib} MiB (KeePassXC creates 64 MiB by default). If this is your database, set {MAX_MEMORY_ENV}={mib}"
                ));
            }
            let work = mib.max(1).saturating_mul(iterations);
            if work > MAX_ARGON2_WORK_MIB {
                return Err(format!(
                    "the KeePass file asks for {iterations} Argon2 iterations over {mib} MiB, more key-derivation work than palisade spends on one vault ({MAX_ARGON2_WORK_MIB} MiB passes); lower the transform rounds in the database settings"
                ));
            }
            Ok(())
        }
    }
}

/// palisade's memory ceiling: [`DEFAULT_MAX_MEMORY_MIB`], or the value of [`MAX_MEMORY_ENV`]
/// when it is a number, never beyond KeePassXC's own maximum.
pub fn memory_ceiling_mib(env: Option<&str>) -> u64 {
    env.and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(DEFAULT_MAX_MEMORY_MIB)
        .min(KEEPASSXC_MAX_MEMORY_MIB)
}

/// Reads the key-derivation settings from a KDB, KDBX 3.x or KDBX 4.x header; `None` when the
/// file is not one of those (the `keepass` crate then says what it is).
pub fn read(bytes: &[u8]) -> Option<Kdf> {
    if u32_at(bytes, 0) != Some(0x9AA2_D903) {
        return None;
    }
    match (u32_at(bytes, 4)?, u16_at(bytes, 10)?) {
        // KeePass 1: a fixed 124-byte header, the rounds as a u32 at its end.
        (0xB54B_FB65, _) => Some(u32_at(bytes, 120).map_or(Kdf::Unreadable, |r| Kdf::Aes {
            rounds: u64::from(r),
        })),
        (0xB54B_FB67, 3) => Some(kdbx3(bytes)),
        (0xB54B_FB67, 4) => Some(kdbx4(bytes)),
        _ => None,
    }
}

/// The header fields from byte 12 on: `(id, data)` until the end field (id 0), with lengths of
/// `len_size` bytes; `None` when a field runs past the end. The last of repeated fields wins,
/// as it does in the `keepass` crate.
fn fields(bytes: &[u8], len_size: usize) -> Option<Vec<(u8, &[u8])>> {
    let mut out = Vec::new();
    let mut pos = 12;
    loop {
        let id = *bytes.get(pos)?;
        let len = match len_size {
            2 => usize::from(u16_at(bytes, pos + 1)?),
            _ => usize::try_from(u32_at(bytes, pos + 1)?).ok()?,
        };
        let data = pos + 1 + len_size;
        let field = bytes.get(data..data.checked_add(len)?)?;
        if id == 0 {
            return Some(out);
        }
        out.push((id, field));
        pos = data + len;
    }
}

/// KDBX 3.x: fields of `id: u8, len: u16`; field 6 holds the AES-KDF rounds as a u64.
fn kdbx3(bytes: &[u8]) -> Kdf {
    let rounds = fields(bytes, 2).and_then(|f| f.into_iter().rev().find(|(id, _)| *id == 6));
    match rounds {
        Some((_, data)) if data.len() == 8 => {
            u64_at(data, 0).map_or(Kdf::Unreadable, |rounds| Kdf::Aes { rounds })
        }
        _ => Kdf::Unreadable,
    }
}

/// KDBX 4.x: fields of `id: u8, len: u32`; field 11 is a variant dictionary of KDF parameters.
fn kdbx4(bytes: &[u8]) -> Kdf {
    fields(bytes, 4)
        .and_then(|f| f.into_iter().rev().find(|(id, _)| *id == 11))
        .map_or(Kdf::Unreadable, |(_, dict)| kdf_parameters(dict))
}

/// The variant dictionary: `version: u16`, then items `type: u8, key_len: u32, key,
/// value_len: u32, value` until type 0. Repeated keys: the last wins, as in the `keepass` crate.
fn kdf_parameters(dict: &[u8]) -> Kdf {
    let mut pos = 2;
    let (mut uuid, mut memory, mut iterations, mut parallelism, mut version, mut rounds) =
        (None, None, None, None, None, None);
    loop {
        let Some(&kind) = dict.get(pos) else {
            return Kdf::Unreadable;
        };
        if kind == 0 {
            break;
        }
        let item = (|| {
            let key_len = usize::try_from(u32_at(dict, pos + 1)?).ok()?;
            let key_at = pos + 5;
            let key = dict.get(key_at..key_at.checked_add(key_len)?)?;
            let len_at = key_at + key_len;
            let value_len = usize::try_from(u32_at(dict, len_at)?).ok()?;
            let value = dict.get(len_at + 4..(len_at + 4).checked_add(value_len)?)?;
            Some((key, value, len_at + 4 + value_len))
        })();
        let Some((key, value, next)) = item else {
            return Kdf::Unreadable;
        };
        // UInt32 (0x04) and UInt64 (0x05) are the only numeric types KeePass writes here.
        let number = match (kind, value.len()) {
            (0x04, 4) => u32_at(value, 0).map(u64::from),
            (0x05, 8) => u64_at(value, 0),
            _ => None,
        };
        match key {
            b"$UUID" => uuid = <[u8; 16]>::try_from(value).ok(),
            b"M" => memory = number,
            b"I" => iterations = number,
            b"P" => parallelism = number,
            b"V" => version = number,
            b"R" => rounds = number,
            _ => {}
        }
        pos = next;
    }
    match uuid {
        Some(u) if u == ARGON2D || u == ARGON2ID => {
            match (memory, iterations, parallelism, version) {
                (Some(memory_bytes), Some(iterations), Some(parallelism), Some(version)) => {
                    Kdf::Argon2 {
                        memory_bytes,
                        iterations,
                        parallelism,
                        version,
                    }
                }
                _ => Kdf::Unreadable,
            }
        }
        Some(u) if u == AES_KDF || u == AES_KDF_KDBX3 => {
            rounds.map_or(Kdf::Unreadable, |rounds| Kdf::Aes { rounds })
        }
        _ => Kdf::Unreadable,
    }
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(
        b.get(at..at.checked_add(2)?)?.try_into().ok()?,
    ))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        b.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(
        b.get(at..at.checked_add(8)?)?.try_into().ok()?,
    ))
}
