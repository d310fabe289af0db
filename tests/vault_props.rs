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
            prop_assert_eq!(file.count(h), Ok(Some(*c)));
        }
        for p in &probes {
            prop_assert_eq!(file.count(p), Ok(map.get(p).copied()));
        }
    }

    /// A file sorted but for lines swapped with their neighbour (a local disorder the sample at
    /// open can miss) never reports a hash it holds as absent: it is refused at open, or the
    /// look-up finds the hash, or it says the file is out of order. (A line moved far away can
    /// hide from a search that never passes it; the sample at open is what catches files in
    /// another order altogether.)
    #[test]
    fn a_file_with_neighbours_swapped_never_hides_a_present_hash(
        entries in proptest::collection::btree_map(hex40(), 1u64..1_000_000, 2..300),
        swaps in proptest::collection::vec(any::<prop::sample::Index>(), 0..8),
    ) {
        let mut lines: Vec<(&[u8; 40], &u64)> = entries.iter().collect();
        let mut last = None;
        let mut at: Vec<usize> = swaps.iter().map(|i| i.index(lines.len() - 1)).collect();
        at.sort_unstable();
        for i in at {
            // Disjoint pairs only.
            if last.is_some_and(|l| i <= l + 1) {
                continue;
            }
            lines.swap(i, i + 1);
            last = Some(i);
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pwned.txt");
        let body: String = lines
            .iter()
            .map(|(h, c)| format!("{}:{c}\r\n", std::str::from_utf8(&h[..]).unwrap()))
            .collect();
        std::fs::write(&path, body).unwrap();
        let Ok(file) = PwnedFile::open(&path) else {
            return Ok(());
        };
        for (h, c) in &entries {
            match file.count(h) {
                Ok(found) => prop_assert_eq!(found, Some(*c)),
                Err(e) => prop_assert_eq!(e, vault::CorpusError::Unsorted),
            }
        }
    }

    /// Hostile KeePass headers: the signature of KDB, KDBX 3 or KDBX 4, then anything. Reading
    /// the key-derivation settings never panics, and a file whose settings are refused is an
    /// input error before any derivation. (Files whose settings pass are not loaded here: a
    /// billion AES rounds is within KeePassXC's limits and takes a minute.)
    #[test]
    fn arbitrary_keepass_headers_never_panic(
        format in 0..3u8,
        rest in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        let mut bytes = vec![0x03, 0xD9, 0xA2, 0x9A];
        match format {
            0 => bytes.extend([0x65, 0xFB, 0x4B, 0xB5, 0x03, 0x00, 0x03, 0x00]),
            1 => bytes.extend([0x67, 0xFB, 0x4B, 0xB5, 0x01, 0x00, 0x03, 0x00]),
            _ => bytes.extend([0x67, 0xFB, 0x4B, 0xB5, 0x01, 0x00, 0x04, 0x00]),
        }
        bytes.extend(&rest);
        let Some(kdf) = vault::kdf::read(&bytes) else {
            return Ok(());
        };
        if vault::kdf::judge(&kdf, vault::kdf::DEFAULT_MAX_MEMORY_MIB).is_ok() {
            return Ok(());
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vault.kdbx");
        std::fs::write(&path, &bytes).unwrap();
        let opts = VaultOptions {
            password: Some(secrecy::SecretString::from("x".to_string())),
            no_prompt: true,
            ..Default::default()
        };
        let started = std::time::Instant::now();
        let err = vault::load_vault(&path, &opts).err();
        prop_assert_eq!(err.map(|e| e.exit_code()), Some(2));
        prop_assert!(started.elapsed().as_secs() < 2);
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
