//! The edit distance the search grades typos with: unrestricted Damerau-Levenshtein, exactly as
//! `strsim::damerau_levenshtein` computes it, but asked only "is it at most `k`, and then what
//! is it?" (`k` is one or two everywhere).
//!
//! For ASCII names (nearly all) the table is filled on bytes in a buffer the caller reuses and
//! given up as soon as a whole row exceeds `k`: a few hundred instructions, where strsim builds
//! a hash map and a fresh table on every call. One table also answers for every prefix of the
//! first name at once, which is what the "cut to the platform's limit" relation asks. Text that
//! is not ASCII goes to strsim itself. The tests check both against strsim.

use strsim::damerau_levenshtein;

/// Longest pair (bytes, both names together) the byte table takes: row numbers must fit a byte.
const MAX_PAIR: usize = 250;

/// Whether the byte table can compare `a` and `b`.
pub fn fits(a: &[u8], b: &[u8]) -> bool {
    a.is_ascii() && b.is_ascii() && a.len() + b.len() <= MAX_PAIR
}

/// The distance between `a` and `b` when it is at most `k`.
pub fn bounded(a: &str, b: &str, k: usize, table: &mut Vec<u16>) -> Option<usize> {
    bounded_bytes(a.as_bytes(), b.as_bytes(), k, table)
}

/// As [`bounded`], on the bytes of two names (text that is not UTF-8 cannot be compared, and
/// counts as within: the prefilter asks, and must never say "no" wrongly).
pub fn bounded_bytes(a: &[u8], b: &[u8], k: usize, table: &mut Vec<u16>) -> Option<usize> {
    if !fits(a, b) {
        return match (std::str::from_utf8(a), std::str::from_utf8(b)) {
            (Ok(a), Ok(b)) => Some(damerau_levenshtein(a, b)).filter(|d| *d <= k),
            _ => Some(0),
        };
    }
    if a.len().abs_diff(b.len()) > k || bag_distance(a, b) > k {
        return None;
    }
    let mut found = None;
    rows(a, b, k, table, |i, d| {
        if i == a.len() && d <= k {
            found = Some(d);
        }
        true
    });
    found
}

/// The distance between `a[..i]` and `b`, for `i` from 0 up, calling `each(i, distance)` after
/// each row until `each` returns `false` or no longer prefix can be within `k` (every entry of
/// the row exceeds `k`: entries of later rows are never smaller than the smallest of an earlier
/// one). Both must be ASCII and together at most [`MAX_PAIR`] bytes long ([`fits`]).
///
/// `d[(i + 1) * w + (j + 1)]` is the distance between `a[..i]` and `b[..j]`; row and column 0
/// hold the "infinite" border the transposition step needs (Lowrance-Wagner, as strsim). Only
/// the borders are set: every other cell is written before it is read, so the table is never
/// cleared.
pub fn rows(
    a: &[u8],
    b: &[u8],
    k: usize,
    d: &mut Vec<u16>,
    mut each: impl FnMut(usize, usize) -> bool,
) {
    let (n, m) = (a.len(), b.len());
    if !fits(a, b) {
        return;
    }
    let w = m + 2;
    let inf = (n + m) as u16;
    if d.len() < (n + 2) * w {
        d.resize((n + 2) * w, 0);
    }
    d[..w].fill(inf);
    for i in 0..=n {
        d[(i + 1) * w] = inf;
        d[(i + 1) * w + 1] = i as u16;
    }
    for j in 0..=m {
        d[w + j + 1] = j as u16;
    }
    if !each(0, m) {
        return;
    }
    // Last row (1-based) in which each byte was seen in `a`; n < 256 here.
    let mut last_row = [0u8; 128];
    for i in 1..=n {
        let ai = a[i - 1];
        let mut last_col = 0;
        let mut row_min = i as u16;
        for j in 1..=m {
            let bj = b[j - 1];
            let (i1, j1) = (usize::from(last_row[usize::from(bj & 0x7f)]), last_col);
            let cost = if ai == bj {
                last_col = j;
                0
            } else {
                1
            };
            let v = (d[i * w + j] + cost)
                .min(d[(i + 1) * w + j] + 1)
                .min(d[i * w + j + 1] + 1)
                .min(d[i1 * w + j1] + (i - i1 - 1 + 1 + j - j1 - 1) as u16);
            d[(i + 1) * w + j + 1] = v;
            row_min = row_min.min(v);
        }
        if !each(i, usize::from(d[(i + 1) * w + m + 1])) || usize::from(row_min) > k {
            return;
        }
        last_row[usize::from(ai & 0x7f)] = i as u8;
    }
}

/// How many characters of the longer side are missing from the other, counted with
/// repeats: a lower bound of the Damerau-Levenshtein distance (an edit removes at most one
/// character and adds at most one; a transposition neither), found in a few dozen
/// instructions, while the distance takes hundreds for names that share a long prefix.
pub fn bag_distance(a: &[u8], b: &[u8]) -> usize {
    let mut count = [0i16; 128];
    for x in a {
        count[usize::from(x & 0x7f)] += 1;
    }
    for y in b {
        count[usize::from(y & 0x7f)] -= 1;
    }
    let (mut more, mut fewer) = (0, 0);
    for x in a.iter().chain(b) {
        let c = &mut count[usize::from(x & 0x7f)];
        if *c > 0 {
            more += usize::from(c.unsigned_abs());
        } else {
            fewer += usize::from(c.unsigned_abs());
        }
        *c = 0;
    }
    more.max(fewer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn bounded_agrees_with_strsim(
            pairs in proptest::collection::vec(("[abc]{0,9}", "[abc]{0,9}"), 1..8),
            k in 0usize..4,
        ) {
            // One table for all pairs, as in a scan: what one pair leaves must not mislead the next.
            let mut table = Vec::new();
            for (a, b) in &pairs {
                let d = damerau_levenshtein(a, b);
                prop_assert_eq!(bounded(a, b, k, &mut table), (d <= k).then_some(d), "{} {}", a, b);
            }
        }

        #[test]
        fn non_ascii_goes_to_strsim(a in "[aé]{0,6}", b in "[aé]{0,6}", k in 0usize..3) {
            let d = damerau_levenshtein(&a, &b);
            prop_assert_eq!(bounded(&a, &b, k, &mut Vec::new()), (d <= k).then_some(d));
        }

        /// Every prefix's distance is reported while any can still be within `k`, and each is
        /// strsim's.
        #[test]
        fn rows_are_the_prefix_distances(
            pairs in proptest::collection::vec(("[abc]{0,12}", "[abc]{0,9}"), 1..8),
            k in 0usize..3,
        ) {
            let mut table = Vec::new();
            for (a, b) in &pairs {
                let mut seen = Vec::new();
                rows(a.as_bytes(), b.as_bytes(), k, &mut table, |i, d| {
                    seen.push((i, d));
                    true
                });
                for (n, (i, d)) in seen.iter().enumerate() {
                    prop_assert_eq!(*i, n);
                    prop_assert_eq!(*d, damerau_levenshtein(&a[..*i], b), "{} {}", &a[..*i], b);
                }
                // Rows left out are out of reach.
                for i in seen.len()..=a.len() {
                    prop_assert!(damerau_levenshtein(&a[..i], b) > k, "{} {}", &a[..i], b);
                }
            }
        }
    }
}
