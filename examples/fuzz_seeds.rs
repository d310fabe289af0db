//! Writes the KeePass seeds of the fuzzing corpus (`fuzz/corpus/kdbx/`), which cannot be typed
//! by hand: `cargo run --example fuzz_seeds`. Master password `fuzz`; the key derivation is
//! kept cheap so that a fuzzing run spends its time in the parsers.

use keepass::config::KdfConfig;
use keepass::db::fields;
use keepass::{Database, DatabaseKey};

fn vault(kdf: KdfConfig) -> Vec<u8> {
    let mut db = Database::new();
    db.config.kdf_config = kdf;
    {
        let mut root = db.root_mut();
        let mut social = root.add_group();
        social.name = "Social".into();
        let mut e = social.add_entry();
        e.set_unprotected(fields::TITLE, "X WestmerePolice");
        e.set_unprotected(fields::USERNAME, "socialmedia@westmere.police.uk");
        e.set_protected(fields::PASSWORD, "correct horse battery staple");
        e.set_unprotected(fields::URL, "https://x.com/login");
    }
    let mut out = Vec::new();
    if let Err(e) = db.save(&mut out, DatabaseKey::new().with_password("fuzz")) {
        eprintln!("cannot write a seed: {e}");
        std::process::exit(1);
    }
    out
}

fn main() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/kdbx");
    let default_argon2 = Database::new().config.kdf_config;
    let seeds = [
        ("aes.kdbx", vault(KdfConfig::Aes { rounds: 10 })),
        ("argon2.kdbx", vault(default_argon2)),
    ];
    for (name, bytes) in seeds {
        if let Err(e) = std::fs::write(dir.join(name), bytes) {
            eprintln!("cannot write {name}: {e}");
            std::process::exit(1);
        }
    }
    // KDBX 3.1 and KeePass 1 headers the crate reads differently; enough to reach their parsers.
    let mut kdbx3 = vec![0x03, 0xd9, 0xa2, 0x9a, 0x67, 0xfb, 0x4b, 0xb5, 1, 0, 3, 0];
    for (id, data) in [
        (
            2u8,
            vec![
                0x31, 0xc1, 0xf2, 0xe6, 0xbf, 0x71, 0x43, 0x50, 0xbe, 0x58, 0x05, 0x21, 0x6a, 0xfc,
                0x5a, 0xff,
            ],
        ),
        (3, 0u32.to_le_bytes().to_vec()),
        (4, vec![7; 32]),
        (5, vec![9; 32]),
        (6, 10u64.to_le_bytes().to_vec()),
        (7, vec![1; 16]),
        (0, b"\r\n\r\n".to_vec()),
    ] {
        kdbx3.push(id);
        kdbx3.extend((data.len() as u16).to_le_bytes());
        kdbx3.extend(data);
    }
    kdbx3.extend([0u8; 64]);
    let mut kdb = vec![0x03, 0xd9, 0xa2, 0x9a, 0x65, 0xfb, 0x4b, 0xb5];
    kdb.resize(124, 0);
    kdb[120..124].copy_from_slice(&10u32.to_le_bytes());
    kdb.extend([0u8; 64]);
    for (name, bytes) in [("kdbx3.kdbx", kdbx3), ("kdb1.kdb", kdb)] {
        if let Err(e) = std::fs::write(dir.join(name), bytes) {
            eprintln!("cannot write {name}: {e}");
            std::process::exit(1);
        }
    }
    println!("wrote the seeds to {}", dir.display());
}
