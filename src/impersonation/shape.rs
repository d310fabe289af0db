//! "One shape": two names a reader cannot tell apart once multi-letter look-alikes (`rn`/`m`,
//! `vv`/`w`, `cl`/`d`, `ri`/`n`) and close pairs (`c`/`e`, `b`/`d`, `n`/`r`...) are read alike,
//! alone and in combination (`kcstrclfordpolicc` is `kestrelfordpolice`).
//!
//! The pairs are dnstwist's ASCII homoglyphs (its `glyphs_ascii` table, dnstwist 20250130) plus
//! `rr`/`m` and `ri`/`n`, each also chained once (dnstwist applies its table twice: `d`→`dl`→`bl`).
//! They compare skeleton (`bare`) forms, where `m`, `w`, `d`, `1`, `i`, `0` are already `rn`, `vv`,
//! `cl`, `l`, `l`, `o`.
//!
//! Two questions, one cheap and one exact:
//! - [`key`]: a coarse form that every pair leaves unchanged (letters of one class become one,
//!   `r`, `n` and `l` are dropped), so equal shapes always have equal keys: what the index and the
//!   prefilter hash. Many unrelated names share a key ("hill" and "h"); it only finds candidates.
//! - [`same_shape`]: whether the names can be cut into pieces that are equal or look-alike pairs:
//!   the relation itself.

use std::sync::OnceLock;

use super::normalise::skeleton;

/// dnstwist's `glyphs_ascii` (both directions are used) and the issue's `rr`/`m`, `ri`/`n`.
const GLYPHS: &[(&str, &str)] = &[
    ("0", "o"),
    ("1", "l"),
    ("1", "i"),
    ("3", "8"),
    ("6", "9"),
    ("b", "d"),
    ("b", "lb"),
    ("c", "e"),
    ("d", "cl"),
    ("d", "dl"),
    ("g", "q"),
    ("h", "lh"),
    ("i", "l"),
    ("k", "lc"),
    ("m", "n"),
    ("m", "nn"),
    ("m", "rn"),
    ("m", "rr"),
    ("n", "r"),
    ("n", "ri"),
    ("u", "v"),
    ("w", "vv"),
];

/// The look-alike pieces in skeleton terms, both directions, with one level of chaining; indexed
/// by the first byte of the official side so that the matcher tries only pieces that can start.
struct Pieces {
    by_first: Vec<Vec<Piece>>,
}

/// (official side, candidate side), skeleton bytes.
type Piece = (Box<[u8]>, Box<[u8]>);

fn pieces() -> &'static Pieces {
    static P: OnceLock<Pieces> = OnceLock::new();
    P.get_or_init(|| {
        let mut raw: Vec<(String, String)> = Vec::new();
        for (a, b) in GLYPHS {
            raw.push((a.to_string(), b.to_string()));
            raw.push((b.to_string(), a.to_string()));
        }
        // One more substitution inside what the first produced (d→dl, then d→b: "bl").
        let mut chained = Vec::new();
        for (a, b) in &raw {
            for (x, y) in &raw {
                for (pos, _) in b.match_indices(x.as_str()) {
                    let mut c = String::with_capacity(b.len() + y.len());
                    c.push_str(&b[..pos]);
                    c.push_str(y);
                    c.push_str(&b[pos + x.len()..]);
                    chained.push((a.clone(), c));
                }
            }
        }
        raw.extend(chained);
        let mut by_first: Vec<Vec<Piece>> = vec![Vec::new(); 128];
        for (a, b) in raw {
            let (a, b) = (skeleton(&a), skeleton(&b));
            if a == b || a.is_empty() || b.is_empty() {
                continue;
            }
            let piece = (a.as_bytes().into(), b.as_bytes().into());
            if let Some(slot) = by_first.get_mut(usize::from(a.as_bytes()[0] & 0x7f)) {
                if !slot.contains(&piece) {
                    slot.push(piece);
                }
            }
        }
        Pieces { by_first }
    })
}

/// What each skeleton byte becomes in the key: `None` to drop it.
fn key_byte(b: u8) -> Option<u8> {
    match b {
        b'r' | b'n' | b'l' => None,
        b'b' | b'e' | b'k' => Some(b'c'),
        b'v' => Some(b'u'),
        b'q' => Some(b'g'),
        b'9' => Some(b'6'),
        b'8' => Some(b'c'),
        b => Some(b),
    }
}

/// The key of a skeleton form into `out` (bytes that are not ASCII are kept as they are).
pub fn key_into(bare: &[u8], out: &mut Vec<u8>) {
    out.clear();
    out.extend(bare.iter().filter_map(|b| key_byte(*b)));
}

/// The key of a skeleton form (see the module docs).
pub fn key(bare: &str) -> String {
    let mut out = Vec::with_capacity(bare.len());
    key_into(bare.as_bytes(), &mut out);
    // Only ASCII bytes are dropped or replaced, so UTF-8 stays whole.
    String::from_utf8(out).unwrap_or_default()
}

/// The look-alike pieces that make `candidate` the same shape as `official` (both skeleton
/// forms), as (official piece, candidate piece); `None` when they are not the same shape. Equal
/// names give `Some(vec![])`.
pub fn same_shape(official: &str, candidate: &str) -> Option<Vec<(String, String)>> {
    let (o, c) = (official.as_bytes(), candidate.as_bytes());
    let (n, m) = (o.len(), c.len());
    if n == 0 || m == 0 || n > 255 || m > 255 {
        return (o == c).then(Vec::new);
    }
    // from[i][j]: how (i, j) was reached: (previous i, previous j), or none.
    let w = m + 1;
    let mut from: Vec<Option<(u8, u8)>> = vec![None; (n + 1) * w];
    let mut reached = vec![false; (n + 1) * w];
    reached[0] = true;
    let table = &pieces().by_first;
    for i in 0..=n {
        for j in 0..=m {
            if !reached[i * w + j] {
                continue;
            }
            let mut step = |ni: usize, nj: usize| {
                if !reached[ni * w + nj] {
                    reached[ni * w + nj] = true;
                    from[ni * w + nj] = Some((i as u8, j as u8));
                }
            };
            if i < n && j < m && o[i] == c[j] {
                step(i + 1, j + 1);
            }
            if i < n {
                for (x, y) in table.get(usize::from(o[i] & 0x7f)).into_iter().flatten() {
                    if o[i..].starts_with(x) && c[j..].starts_with(y) {
                        step(i + x.len(), j + y.len());
                    }
                }
            }
        }
    }
    if !reached[n * w + m] {
        return None;
    }
    let mut out = Vec::new();
    let (mut i, mut j) = (n, m);
    while let Some((pi, pj)) = from[i * w + j] {
        let (pi, pj) = (usize::from(pi), usize::from(pj));
        let (a, b) = (&o[pi..i], &c[pj..j]);
        if a != b {
            out.push((
                String::from_utf8_lossy(a).into_owned(),
                String::from_utf8_lossy(b).into_owned(),
            ));
        }
        (i, j) = (pi, pj);
    }
    out.reverse();
    Some(out)
}

/// A skeleton piece as a reader sees it: the multi-letter expansions back to their letter.
pub fn readable(piece: &str) -> String {
    match piece {
        "rn" => "m".to_string(),
        "vv" => "w".to_string(),
        "cl" => "d".to_string(),
        p => p.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sk(s: &str) -> String {
        skeleton(s)
    }

    #[test]
    fn every_piece_keeps_the_key() {
        for list in &pieces().by_first {
            for (a, b) in list {
                let (a, b) = (
                    String::from_utf8_lossy(a).into_owned(),
                    String::from_utf8_lossy(b).into_owned(),
                );
                assert_eq!(key(&a), key(&b), "{a} / {b}");
            }
        }
    }

    #[test]
    fn issue_examples_are_one_shape() {
        for (o, c) in [
            ("kestrelfordpolice", "kcstrclfordpolicc"),
            ("marlowcouncil", "rnarlowcouncil"),
            ("marlowcouncil", "nnarlowcouncil"),
            ("marlowcouncil", "rrarlowcouncil"),
            ("westmerepolice", "vvestmerepolice"),
            ("westmerepolice", "westmerepoiice"),
            ("kestrelfordpolice", "kestrelforclpolice"),
            ("kestrelfordpolice", "kestrelforblpolice"),
            ("ashbynpt", "ashbyript"),
            ("westmere", "wcstrnere"),
        ] {
            let (so, sc) = (sk(o), sk(c));
            assert!(same_shape(&so, &sc).is_some(), "{o} / {c}");
            assert_eq!(key(&so), key(&sc), "{o} / {c}");
        }
    }

    #[test]
    fn different_names_are_not() {
        for (o, c) in [
            ("westmerepolice", "eastmerepolice"),
            ("westmerepolice", "westmerepolce"),
            ("hill", "h"),
            ("kestrelfordfire", "kestrelfordfc"),
        ] {
            assert!(same_shape(&sk(o), &sk(c)).is_none(), "{o} / {c}");
        }
    }

    #[test]
    fn pieces_are_reported() {
        let p = same_shape(&sk("kestrelfordpolice"), &sk("kcstrclfordpolicc")).expect("same");
        assert_eq!(p.len(), 3);
        assert!(p.iter().all(|(a, b)| a == "e" && b == "c"), "{p:?}");
    }
}
