//! Issue 15: KeePass files with absurd key-derivation settings are refused from their header,
//! before any password is asked for and before any derivation (which would otherwise allocate
//! the Argon2 memory the file asks for, or panic inside the `keepass` crate).

use std::path::{Path, PathBuf};
use std::time::Instant;

use palisade::error::{Code, Error};
use palisade::vault::kdf::{self, Kdf};
use palisade::vault::{self, VaultOptions};
use secrecy::SecretString;
use sha2::{Digest, Sha256};

const ARGON2D: [u8; 16] = [
    0xEF, 0x63, 0x6D, 0xDF, 0x8C, 0x29, 0x44, 0x4B, 0x91, 0xF7, 0xA9, 0xA4, 0x03, 0xE3, 0x0A, 0x0C,
];
const AES_CIPHER: [u8; 16] = [
    0x31, 0xC1, 0xF2, 0xE6, 0xBF, 0x71, 0x43, 0x50, 0xBE, 0x58, 0x05, 0x21, 0x6A, 0xFC, 0x5A, 0xFF,
];

/// A variant-dictionary item.
fn item(kind: u8, key: &str, value: &[u8]) -> Vec<u8> {
    let mut out = vec![kind];
    out.extend((key.len() as u32).to_le_bytes());
    out.extend(key.as_bytes());
    out.extend((value.len() as u32).to_le_bytes());
    out.extend(value);
    out
}

/// A KDBX 4 file whose header asks for Argon2d with these settings: a valid header hash, then
/// a wrong HMAC and no payload, so that an unchecked reader derives the key and only then
/// finds the "password" wrong.
fn kdbx4(memory_bytes: u64, iterations: u64, parallelism: u32) -> Vec<u8> {
    let mut dict = vec![0x00, 0x01];
    dict.extend(item(0x42, "$UUID", &ARGON2D));
    dict.extend(item(0x05, "I", &iterations.to_le_bytes()));
    dict.extend(item(0x05, "M", &memory_bytes.to_le_bytes()));
    dict.extend(item(0x04, "P", &parallelism.to_le_bytes()));
    dict.extend(item(0x42, "S", &[7u8; 32]));
    dict.extend(item(0x04, "V", &0x13u32.to_le_bytes()));
    dict.push(0);
    let mut h = vec![
        0x03, 0xD9, 0xA2, 0x9A, 0x67, 0xFB, 0x4B, 0xB5, 0x01, 0x00, 0x04, 0x00,
    ];
    let mut field = |id: u8, data: &[u8]| {
        h.push(id);
        h.extend((data.len() as u32).to_le_bytes());
        h.extend(data);
    };
    field(2, &AES_CIPHER);
    field(3, &1u32.to_le_bytes());
    field(4, &[1u8; 32]);
    field(7, &[2u8; 16]);
    field(11, &dict);
    field(0, b"\r\n\r\n");
    let hash = Sha256::digest(&h);
    h.extend(hash);
    h.extend([0u8; 32]);
    h
}

/// A KDBX 3.1 header whose first field is the AES-KDF rounds, `rounds` raw bytes long.
fn kdbx3(rounds: &[u8]) -> Vec<u8> {
    let mut h = vec![
        0x03, 0xD9, 0xA2, 0x9A, 0x67, 0xFB, 0x4B, 0xB5, 0x01, 0x00, 0x03, 0x00,
    ];
    let mut field = |id: u8, data: &[u8]| {
        h.push(id);
        h.extend((data.len() as u16).to_le_bytes());
        h.extend(data);
    };
    field(6, rounds);
    field(2, &AES_CIPHER);
    field(3, &1u32.to_le_bytes());
    field(4, &[1u8; 32]);
    field(5, &[3u8; 32]);
    field(7, &[2u8; 16]);
    field(0, b"\r\n\r\n");
    h.extend([0u8; 64]);
    h
}

fn write(dir: &Path, bytes: &[u8]) -> PathBuf {
    let p = dir.join("hostile.kdbx");
    std::fs::write(&p, bytes).unwrap();
    p
}

/// Loads as a KeePass vault with a master password given, as `audit` would.
fn load(path: &Path) -> Result<vault::Vault, Error> {
    vault::load_vault(
        path,
        &VaultOptions {
            password: Some(SecretString::from("any-password".to_string())),
            no_prompt: true,
            ..Default::default()
        },
    )
}

fn refused(bytes: &[u8], expect: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), bytes);
    let started = Instant::now();
    let err = load(&path).unwrap_err();
    // Refused from the header: no derivation ran.
    assert!(
        started.elapsed().as_secs() < 2,
        "took {:?}",
        started.elapsed()
    );
    let Error::Input(d) = &err else {
        panic!("not an input error: {err:?}")
    };
    assert_eq!(d[0].code, Code::BadVault);
    assert!(d[0].message.contains(expect), "{}", d[0].message);
    assert!(
        d[0].message.contains("nothing was derived"),
        "{}",
        d[0].message
    );
    assert_eq!(err.exit_code(), 2);
}

const MIB: u64 = 1024 * 1024;

#[test]
fn argon2_memory_beyond_palisades_ceiling_is_refused_before_derivation() {
    // 2 GiB: within KeePassXC's dialog, beyond palisade's default ceiling.
    refused(&kdbx4(2048 * MIB, 1, 1), "2048 MiB");
    refused(&kdbx4(2048 * MIB, 1, 1), kdf::MAX_MEMORY_ENV);
    // 2 TiB: beyond anything KeePassXC sets.
    refused(&kdbx4(2 * 1024 * 1024 * MIB, 1, 1), "beyond what KeePassXC");
}

#[test]
fn argon2_iterations_and_threads_beyond_keepassxc_are_refused() {
    refused(
        &kdbx4(MIB, 2_000_000_000, 1),
        "2000000000 Argon2 iterations",
    );
    refused(&kdbx4(MIB, 2, 129), "129 Argon2 threads");
    refused(&kdbx4(MIB, 0, 1), "0 Argon2 iterations");
    // Within KeePassXC's limits, but hours of derivation.
    refused(&kdbx4(64 * MIB, 100_000, 1), "more key-derivation work");
}

#[test]
fn audit_with_a_hostile_keepass_file_exits_2_without_asking_for_a_password() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), &kdbx4(4096 * MIB, 1, 1));
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = assert_cmd::Command::cargo_bin("palisade")
        .unwrap()
        .arg("audit")
        .arg(root.join("examples/westmere.yaml"))
        .arg("--vault")
        .arg(&path)
        .args(["--as-of", "2026-10-01", "--out"])
        .arg(dir.path().join("out"))
        .env_remove(vault::PASSWORD_ENV)
        .env_remove(kdf::MAX_MEMORY_ENV)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("4096 MiB"), "{stderr}");
}

#[test]
fn kdbx3_rounds_are_checked_and_a_short_field_is_refused_not_a_panic() {
    // The `keepass` crate reads this field with `read_u64`, which panics on 2 bytes.
    refused(&kdbx3(&[0xFF, 0xFF]), "palisade can check");
    refused(
        &kdbx3(&2_000_000_000u64.to_le_bytes()),
        "2000000000 AES-KDF rounds",
    );
}

#[test]
fn ordinary_settings_pass_and_reach_the_password_check() {
    assert_eq!(
        kdf::read(&kdbx4(64 * MIB, 10, 2)),
        Some(Kdf::Argon2 {
            memory_bytes: 64 * MIB,
            iterations: 10,
            parallelism: 2,
            version: 0x13
        })
    );
    assert_eq!(
        kdf::judge(
            &Kdf::Argon2 {
                memory_bytes: 64 * MIB,
                iterations: 10,
                parallelism: 2,
                version: 0x13
            },
            kdf::DEFAULT_MAX_MEMORY_MIB
        ),
        Ok(())
    );
    // A small real derivation, then the wrong-key error of the crate.
    let dir = tempfile::tempdir().unwrap();
    let err = load(&write(dir.path(), &kdbx4(MIB, 2, 1))).unwrap_err();
    let Error::Input(d) = &err else {
        panic!("{err:?}")
    };
    assert!(
        !d[0].message.contains("nothing was derived"),
        "{}",
        d[0].message
    );
    // The fixture made by pykeepass passes the check.
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/vault/pykeepass.kdbx");
    let bytes = std::fs::read(fixture).unwrap();
    assert!(matches!(kdf::read(&bytes), Some(Kdf::Argon2 { .. })));
    assert_eq!(kdf::read(b"not a kdbx file"), None);
}

#[test]
fn the_memory_ceiling_can_be_raised_up_to_keepassxcs_maximum() {
    assert_eq!(kdf::memory_ceiling_mib(None), kdf::DEFAULT_MAX_MEMORY_MIB);
    assert_eq!(kdf::memory_ceiling_mib(Some("4096")), 4096);
    assert_eq!(
        kdf::memory_ceiling_mib(Some("lots")),
        kdf::DEFAULT_MAX_MEMORY_MIB
    );
    assert_eq!(
        kdf::memory_ceiling_mib(Some("99999999999")),
        kdf::KEEPASSXC_MAX_MEMORY_MIB
    );
    let big = Kdf::Argon2 {
        memory_bytes: 4096 * MIB,
        iterations: 1,
        parallelism: 1,
        version: 0x13,
    };
    assert!(kdf::judge(&big, kdf::DEFAULT_MAX_MEMORY_MIB).is_err());
    assert_eq!(kdf::judge(&big, 4096), Ok(()));
}
