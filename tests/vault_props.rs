//! Properties: the offline corpus search agrees with a set look-up on any sorted file, and no
//! byte string given as a vault or corpus makes palisade panic.

use std::collections::BTreeMap;

use palisade::vault::{self, PwnedFile, VaultFormat, VaultOptions};
use proptest::prelude::*;

fn hex40() -> impl Strategy<Value = [u8; 40]> {
    proptest::array::uniform20(any::<u8>()).prop_map(|b| {
        let s: String = b.iter().map(|x| format!("{x:02X}")).collect();
        let mut out = [0u8; 40];
        out.copy_from_slice(s.as_bytes());
        out
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn binary_search_matches_a_map(
        entries in proptest::collection::btree_map(hex40(), 1u64..1_000_000, 1..300),
        probes in proptest::collection::vec(hex40(), 0..20),
        crlf in any::<bool>(),
        trailing_newline in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pwned.txt");
        let sep = if crlf { "\r\n" } else { "\n" };
        let mut body = entries
            .iter()
            .map(|(h, c)| format!("{}:{c}", std::str::from_utf8(h).unwrap()))
            .collect::<Vec<_>>()
            .join(sep);
        if trailing_newline {
            body.push_str(sep);
        }
        std::fs::write(&path, body).unwrap();
        let file = PwnedFile::open(&path).unwrap();
        let map: BTreeMap<_, _> = entries;
        for (h, c) in &map {
            prop_assert_eq!(file.count(h), Some(*c));
        }
        for p in &probes {
            prop_assert_eq!(file.count(p), map.get(p).copied());
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400), which in 0..3u8) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vault.dat");
        std::fs::write(&path, &bytes).unwrap();
        let format = [VaultFormat::Bitwarden, VaultFormat::Csv, VaultFormat::Keepass][which as usize];
        let opts = VaultOptions {
            format: Some(format),
            password: Some(secrecy::SecretString::from("x".to_string())),
            no_prompt: true,
            ..Default::default()
        };
        if let Err(e) = vault::load_vault(&path, &opts) {
            prop_assert_eq!(e.exit_code(), 2);
        }
        if let Ok(f) = PwnedFile::open(&path) {
            let _ = f.count(&[b'A'; 40]);
        }
    }
}
