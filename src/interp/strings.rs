//! String comparison and `contains`, NumPy's way, on raw element bytes.
//!
//! A string element is its fixed-width storage: bytes for `S`, native-endian `u32` code
//! points for `U`. Code units compare as unsigned numbers and the shorter operand is
//! padded with NUL, so trailing NULs never matter (NumPy's `S`/`U` cannot hold them).

use crate::ir::BinaryOp;
use std::cmp::Ordering;

/// The code units of one element: bytes, or `u32` code points (an incomplete trailing
/// group of bytes, which well-formed `U` data never has, is ignored).
fn units(unicode: bool, s: &[u8]) -> Vec<u32> {
    if unicode {
        s.chunks_exact(4)
            .map(|c| u32::from_ne_bytes([c[0], c[1], c[2], c[3]]))
            .collect()
    } else {
        s.iter().map(|&b| u32::from(b)).collect()
    }
}

/// `units` without its trailing NULs.
fn stripped(unicode: bool, s: &[u8]) -> Vec<u32> {
    let mut u = units(unicode, s);
    while u.last() == Some(&0) {
        u.pop();
    }
    u
}

/// Compares two elements code unit by code unit, the shorter padded with NUL.
pub fn str_order(unicode: bool, a: &[u8], b: &[u8]) -> Ordering {
    // Comparing the NUL-stripped units lexicographically is the same as padding with NUL.
    stripped(unicode, a).cmp(&stripped(unicode, b))
}

/// `a op b` for one of the six comparisons (any other `op` gives `false`).
pub fn str_compare(op: BinaryOp, unicode: bool, a: &[u8], b: &[u8]) -> bool {
    let ord = str_order(unicode, a, b);
    match op {
        BinaryOp::Lt => ord.is_lt(),
        BinaryOp::Le => ord.is_le(),
        BinaryOp::Eq => ord.is_eq(),
        BinaryOp::Ne => ord.is_ne(),
        BinaryOp::Ge => ord.is_ge(),
        BinaryOp::Gt => ord.is_gt(),
        _ => false,
    }
}

/// Whether `needle` occurs in `hay`, both without trailing NULs; an empty needle always does.
pub fn str_contains(unicode: bool, hay: &[u8], needle: &[u8]) -> bool {
    let (h, n) = (stripped(unicode, hay), stripped(unicode, needle));
    n.is_empty() || h.windows(n.len()).any(|w| w == n.as_slice())
}

#[cfg(test)]
mod tests {
    use super::*;
    use BinaryOp::*;

    fn ucs4(s: &str) -> Vec<u8> {
        s.chars().flat_map(|c| (c as u32).to_ne_bytes()).collect()
    }

    #[test]
    fn bytes_compare_unsigned_with_nul_padding() {
        assert!(str_compare(Eq, false, b"ab\0\0", b"ab"));
        assert!(str_compare(Lt, false, b"ab", b"ab\x01"));
        assert!(str_compare(Gt, false, b"\x80", b"\x7f"));
        assert!(str_compare(Le, false, b"", b"\0"));
        assert!(!str_compare(Ne, false, b"", b"\0\0"));
        // A NUL inside a string still counts.
        assert!(str_compare(Gt, false, b"a\0b", b"a"));
    }

    #[test]
    fn unicode_compares_code_points() {
        assert!(str_compare(Lt, true, &ucs4("z"), &ucs4("é")));
        assert!(str_compare(Gt, true, &ucs4("\u{1F600}"), &ucs4("\u{FFFF}")));
        assert!(str_compare(Eq, true, &ucs4("ab\0"), &ucs4("ab")));
        assert!(str_compare(Ge, true, &ucs4("b"), &ucs4("abc")));
    }

    #[test]
    fn contains_strips_trailing_nuls() {
        assert!(str_contains(false, b"hello\0\0", b"llo\0"));
        assert!(str_contains(false, b"abc", b""));
        assert!(str_contains(false, b"", b"\0\0"));
        assert!(!str_contains(false, b"", b"a"));
        assert!(str_contains(false, b"a\0b", b"\0b"));
        assert!(!str_contains(false, b"ab", b"abc"));
        assert!(str_contains(true, &ucs4("naïve"), &ucs4("ïv")));
        assert!(!str_contains(true, &ucs4("naive"), &ucs4("ï")));
    }
}
