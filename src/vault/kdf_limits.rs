//! Bounds on the key derivation a KeePass file asks for, read from its header before the
//! `keepass` crate derives anything.
//!
//! The key derivation runs before the header's integrity can be checked (its HMAC needs the
//! derived key), so a damaged or hostile header could ask for Argon2 over terabytes of memory or
//! billions of AES rounds, and palisade would hang or be killed for memory. The limits are far
//! above what KeePass and KeePassXC set (Argon2 at tens of MiB and tens of passes, AES-KDF at
//! tuned "one second" round counts), and far below what would take more than a minute or two.
//!
//! Layout, as the `keepass` crate 0.17 reads it (`src/format/{mod,kdb,kdbx3,variant_dictionary}.rs`
//! and `src/format/kdbx4/parse.rs`): 12 bytes of signature and version; KDB (KeePass 1) keeps a
//! `u32` round count at offset 120; KDBX 3 has header fields of `id: u8, len: u16` with the AES
//! round count in field 6; KDBX 4 has fields of `id: u8, len: u32` with the KDF parameters in
//! field 11, a variant dictionary (`$UUID`, `R` rounds, `M` memory in bytes, `I` passes, `P`
//! lanes).

/// Argon2 memory, in bytes.
pub const MAX_ARGON2_MEMORY: u64 = 1 << 30;
/// Argon2 work: memory in bytes × passes (64 GiB-passes is about a minute on one core).
pub const MAX_ARGON2_WORK: u128 = 64 << 30;
/// Argon2 lanes.
pub const MAX_ARGON2_LANES: u64 = 64;
/// AES-KDF rounds (a few seconds per hundred million on a current CPU).
pub const MAX_AES_ROUNDS: u64 = 2_000_000_000;

const SIGNATURE: [u8; 4] = [0x03, 0xd9, 0xa2, 0x9a];
const KEEPASS_1: u32 = 0xb54b_fb65;
const KEEPASS_2: u32 = 0xb54b_fb67;

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}
fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}
fn u64_of(b: &[u8]) -> Option<u64> {
    match b.len() {
        4 => Some(u64::from(u32::from_le_bytes(b.try_into().ok()?))),
        8 => Some(u64::from_le_bytes(b.try_into().ok()?)),
        _ => None,
    }
}

/// The key derivation a header asks for (what it says; zero for what it does not).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Request {
    pub aes_rounds: u64,
    /// Argon2 memory, in bytes.
    pub argon2_memory: u64,
    pub argon2_passes: u64,
    pub argon2_lanes: u64,
}

impl Request {
    /// A rough measure of the work: bytes of Argon2 memory passed over, or AES rounds × 32.
    pub fn work(&self) -> u128 {
        (u128::from(self.argon2_memory) * u128::from(self.argon2_passes))
            .max(u128::from(self.aes_rounds) * 32)
    }
}

/// `Err` with the reason when the header asks for more key derivation than palisade allows.
/// A header it cannot make sense of is left to the `keepass` crate to refuse.
pub fn check(bytes: &[u8]) -> Result<(), String> {
    let r = request(bytes);
    if r.aes_rounds > MAX_AES_ROUNDS {
        return Err(format!(
            "the file asks for {} AES key-derivation rounds; palisade derives at most {MAX_AES_ROUNDS}",
            r.aes_rounds
        ));
    }
    if r.argon2_memory > MAX_ARGON2_MEMORY {
        return Err(format!(
            "the file asks for {} MiB of Argon2 memory; palisade derives keys with at most {} MiB",
            r.argon2_memory >> 20,
            MAX_ARGON2_MEMORY >> 20
        ));
    }
    if u128::from(r.argon2_memory) * u128::from(r.argon2_passes) > MAX_ARGON2_WORK {
        return Err(format!(
            "the file asks for {} Argon2 passes over {} MiB, more key derivation than palisade does",
            r.argon2_passes,
            r.argon2_memory >> 20
        ));
    }
    if r.argon2_lanes > MAX_ARGON2_LANES {
        return Err(format!(
            "the file asks for {} Argon2 lanes; palisade allows at most {MAX_ARGON2_LANES}",
            r.argon2_lanes
        ));
    }
    Ok(())
}

/// What the header of `bytes` asks for.
pub fn request(bytes: &[u8]) -> Request {
    let mut r = Request::default();
    if bytes.get(0..4) != Some(&SIGNATURE[..]) {
        return r;
    }
    let (Some(id), Some(major)) = (u32_at(bytes, 4), u16_at(bytes, 10)) else {
        return r;
    };
    match (id, major) {
        (KEEPASS_1, _) => r.aes_rounds = u32_at(bytes, 120).map_or(0, u64::from),
        (KEEPASS_2, 3) => walk(bytes, 2, |field, data| {
            if field == 6 {
                r.aes_rounds = u64_of(data).unwrap_or(0);
            }
        }),
        (KEEPASS_2, 4) => walk(bytes, 4, |field, data| {
            if field == 11 {
                kdf_parameters(data, &mut r);
            }
        }),
        _ => {}
    }
    r
}

/// Calls `on` with each header field of a KDBX 3 (`len_bytes` 2) or 4 (4) header until its end.
fn walk(bytes: &[u8], len_bytes: usize, mut on: impl FnMut(u8, &[u8])) {
    let mut at = 12;
    while let Some(&field) = bytes.get(at) {
        let len = match len_bytes {
            2 => u16_at(bytes, at + 1).map(usize::from),
            _ => u32_at(bytes, at + 1).and_then(|n| usize::try_from(n).ok()),
        };
        let start = at + 1 + len_bytes;
        let Some(data) = len.and_then(|n| bytes.get(start..start.checked_add(n)?)) else {
            return;
        };
        if field == 0 {
            return;
        }
        on(field, data);
        at = start + data.len();
    }
}

/// Reads the KDF parameters of a KDBX 4 header (a variant dictionary) into `r`.
fn kdf_parameters(dict: &[u8], r: &mut Request) {
    let mut at = 2; // the dictionary's version
    while let Some(&kind) = dict.get(at) {
        if kind == 0 {
            break;
        }
        let field = |at: usize| -> Option<(&[u8], usize)> {
            let len = usize::try_from(u32_at(dict, at)?).ok()?;
            Some((dict.get(at + 4..(at + 4).checked_add(len)?)?, at + 4 + len))
        };
        let Some((key, next)) = field(at + 1) else {
            break;
        };
        let Some((value, next)) = field(next) else {
            break;
        };
        let number = u64_of(value).unwrap_or(0);
        match key {
            b"R" => r.aes_rounds = number,
            b"M" => r.argon2_memory = number,
            b"I" => r.argon2_passes = number,
            b"P" => r.argon2_lanes = number,
            _ => {}
        }
        at = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A KDBX 4 header whose KDF parameters are `params` (key, u64 value).
    fn kdbx4(params: &[(&str, u64)]) -> Vec<u8> {
        let mut dict = vec![0x00, 0x01];
        for (k, v) in params {
            dict.push(0x05);
            dict.extend((k.len() as u32).to_le_bytes());
            dict.extend(k.as_bytes());
            dict.extend(8u32.to_le_bytes());
            dict.extend(v.to_le_bytes());
        }
        dict.push(0);
        let mut b = SIGNATURE.to_vec();
        b.extend(KEEPASS_2.to_le_bytes());
        b.extend(1u16.to_le_bytes());
        b.extend(4u16.to_le_bytes());
        b.push(11);
        b.extend((dict.len() as u32).to_le_bytes());
        b.extend(dict);
        b.push(0);
        b.extend(0u32.to_le_bytes());
        b
    }

    #[test]
    fn argon2_and_aes_requests_are_bounded() {
        assert!(check(&kdbx4(&[("M", 64 << 20), ("I", 10), ("P", 2)])).is_ok());
        let huge = check(&kdbx4(&[("M", 1 << 40), ("I", 1), ("P", 2)])).unwrap_err();
        assert!(huge.contains("1048576 MiB of Argon2 memory"), "{huge}");
        assert!(check(&kdbx4(&[("M", 1 << 30), ("I", 1_000_000), ("P", 2)])).is_err());
        assert!(check(&kdbx4(&[("M", 1 << 20), ("I", 1), ("P", 1 << 20)])).is_err());
        assert!(check(&kdbx4(&[("R", u64::MAX)])).is_err());
        assert!(check(&kdbx4(&[("R", 60_000)])).is_ok());
        // KDBX 3: AES rounds in field 6.
        let mut b = SIGNATURE.to_vec();
        b.extend(KEEPASS_2.to_le_bytes());
        b.extend(1u16.to_le_bytes());
        b.extend(3u16.to_le_bytes());
        b.push(6);
        b.extend(8u16.to_le_bytes());
        b.extend(u64::MAX.to_le_bytes());
        assert!(check(&b).is_err());
    }

    #[test]
    fn a_truncated_or_foreign_header_is_left_to_the_parser() {
        let full = kdbx4(&[("M", 1 << 40)]);
        for n in 0..full.len() {
            let _ = check(&full[..n]);
        }
        assert!(check(b"not a vault").is_ok());
        assert!(check(&[]).is_ok());
    }
}
