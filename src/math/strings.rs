//! String comparison, `contains` and copies with a C ABI, called by kernels once per
//! element.
//!
//! Every entry point takes two strings as (address, length in bytes) pairs: bytes for `S`
//! (code unit 1 byte), native-endian `u32` code points for `U` (code unit 4 bytes, read
//! without any alignment assumption, since strided views need not be aligned). NumPy's
//! rules: code units compare as unsigned numbers, the shorter string padded with NUL;
//! `contains` ignores trailing NULs of both and an empty needle is always found.
//!
//! Written independently of `interp`'s versions, which serve as the tests' oracle.

use std::cmp::Ordering;

/// A comparison entry point: the order of `a` and `b` as -1, 0 or 1.
pub(crate) type CompareFn =
    unsafe extern "C" fn(a: *const u8, a_len: usize, b: *const u8, b_len: usize) -> i32;

/// A `contains` entry point: 1 when `needle` occurs in `hay`, else 0.
pub(crate) type ContainsFn = unsafe extern "C" fn(
    hay: *const u8,
    hay_len: usize,
    needle: *const u8,
    needle_len: usize,
) -> i32;

/// The comparison entry point for code units of `unit` bytes (1 or 4).
pub(crate) fn compare_fn(unicode: bool) -> CompareFn {
    if unicode {
        compare_entry::<4>
    } else {
        compare_entry::<1>
    }
}

/// The `contains` entry point for `S` (`unicode == false`) or `U` strings.
pub(crate) fn contains_fn(unicode: bool) -> ContainsFn {
    if unicode {
        contains_entry::<4>
    } else {
        contains_entry::<1>
    }
}

/// A string-copy entry point: writes `src` (`src_len` bytes) to `dst` (`dst_len` bytes),
/// truncated or NUL-padded to `dst_len`.
pub(crate) type CopyFn =
    unsafe extern "C" fn(dst: *mut u8, dst_len: usize, src: *const u8, src_len: usize);

/// The entry point of a string output ([`crate::ir::Op::StrCopy`]), for `S` and `U` alike.
pub(crate) fn copy_fn() -> CopyFn {
    copy_entry
}

/// The code unit at unit index `i` of `s` (units of `W` bytes), or 0 past the end.
#[inline]
fn unit<const W: usize>(s: &[u8], i: usize) -> u32 {
    match s.get(i * W..i * W + W) {
        Some(c) if W == 1 => u32::from(c[0]),
        Some(c) => u32::from_ne_bytes([c[0], c[1], c[2], c[3]]),
        None => 0,
    }
}

/// The order of two strings of `W`-byte units, the shorter padded with NUL.
fn order<const W: usize>(a: &[u8], b: &[u8]) -> Ordering {
    let n = a.len().max(b.len()) / W;
    for i in 0..n {
        let (x, y) = (unit::<W>(a, i), unit::<W>(b, i));
        if x != y {
            return x.cmp(&y);
        }
    }
    Ordering::Equal
}

/// `s` without its trailing NUL units (and without an incomplete last unit).
fn strip<const W: usize>(s: &[u8]) -> &[u8] {
    let mut n = s.len() / W;
    while n > 0 && s[(n - 1) * W..n * W].iter().all(|&b| b == 0) {
        n -= 1;
    }
    &s[..n * W]
}

/// Whether `needle` occurs in `hay` at a unit boundary, trailing NULs ignored.
fn contains<const W: usize>(hay: &[u8], needle: &[u8]) -> bool {
    let (h, n) = (strip::<W>(hay), strip::<W>(needle));
    if n.is_empty() {
        return true;
    }
    if n.len() > h.len() {
        return false;
    }
    (0..=(h.len() - n.len()) / W).any(|i| &h[i * W..i * W + n.len()] == n)
}

/// # Safety
/// `a` and `b` are readable for `a_len` and `b_len` bytes (or the length is zero).
unsafe extern "C" fn compare_entry<const W: usize>(
    a: *const u8,
    a_len: usize,
    b: *const u8,
    b_len: usize,
) -> i32 {
    // SAFETY: forwarded from the caller.
    let (a, b) = unsafe { (bytes(a, a_len), bytes(b, b_len)) };
    order::<W>(a, b) as i32
}

/// # Safety
/// As [`compare_entry`].
unsafe extern "C" fn contains_entry<const W: usize>(
    hay: *const u8,
    hay_len: usize,
    needle: *const u8,
    needle_len: usize,
) -> i32 {
    // SAFETY: forwarded from the caller.
    let (h, n) = unsafe { (bytes(hay, hay_len), bytes(needle, needle_len)) };
    i32::from(contains::<W>(h, n))
}

/// # Safety
/// `dst` is writable for `dst_len` bytes and `src` readable for `src_len` bytes (either
/// may be dangling when its length is zero). They may overlap: an output written in place
/// over its own input is one and the same element.
unsafe extern "C" fn copy_entry(dst: *mut u8, dst_len: usize, src: *const u8, src_len: usize) {
    let n = src_len.min(dst_len);
    // SAFETY: forwarded from the caller; `copy` (memmove) allows the overlap.
    unsafe {
        if n > 0 {
            std::ptr::copy(src, dst, n);
        }
        if dst_len > n {
            std::ptr::write_bytes(dst.add(n), 0, dst_len - n);
        }
    }
}

/// The slice at `p`; a zero length never reads `p` (which may then be dangling or null).
///
/// # Safety
/// `p` is readable for `len` bytes, for the lifetime of the call.
unsafe fn bytes<'a>(p: *const u8, len: usize) -> &'a [u8] {
    if len == 0 {
        &[]
    } else {
        // SAFETY: forwarded from the caller.
        unsafe { std::slice::from_raw_parts(p, len) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(unicode: bool, a: &[u8], b: &[u8]) -> i32 {
        // SAFETY: slices are readable for their lengths.
        unsafe { compare_fn(unicode)(a.as_ptr(), a.len(), b.as_ptr(), b.len()) }
    }

    fn has(unicode: bool, h: &[u8], n: &[u8]) -> bool {
        // SAFETY: as above.
        unsafe { contains_fn(unicode)(h.as_ptr(), h.len(), n.as_ptr(), n.len()) == 1 }
    }

    fn ucs4(s: &str) -> Vec<u8> {
        s.chars().flat_map(|c| (c as u32).to_ne_bytes()).collect()
    }

    #[test]
    fn order_pads_with_nul_and_is_unsigned() {
        assert_eq!(cmp(false, b"ab\0", b"ab"), 0);
        assert_eq!(cmp(false, b"ab", b"abc"), -1);
        assert_eq!(cmp(false, b"\xff", b"\x7f"), 1);
        assert_eq!(cmp(false, b"", b""), 0);
        assert_eq!(cmp(true, &ucs4("\u{10000}"), &ucs4("\u{ffff}z")), 1);
        assert_eq!(cmp(true, &ucs4("ab\0\0"), &ucs4("ab")), 0);
    }

    #[test]
    fn copies_truncate_pad_and_allow_overlap() {
        let copy = |dst: &mut [u8], src: &[u8]| {
            // SAFETY: both slices are valid for their lengths.
            unsafe { copy_fn()(dst.as_mut_ptr(), dst.len(), src.as_ptr(), src.len()) }
        };
        let mut d = [7u8; 5];
        copy(&mut d, b"a\0b");
        assert_eq!(&d, b"a\0b\0\0");
        copy(&mut d, b"123456");
        assert_eq!(&d, b"12345");
        copy(&mut d, b"");
        assert_eq!(d, [0; 5]);
        let mut e: [u8; 0] = [];
        copy(&mut e, b"xyz");
        // In place: the element over itself.
        let mut buf = *b"foo\0b\0";
        let p = buf.as_mut_ptr();
        // SAFETY: `p` is valid for the buffer's 6 bytes, as source and destination.
        unsafe { copy_fn()(p, 6, p, 6) };
        assert_eq!(&buf, b"foo\0b\0");
    }

    #[test]
    fn contains_matches_whole_units() {
        assert!(has(false, b"hello\0", b"ll\0\0"));
        assert!(has(false, b"x", b""));
        assert!(!has(false, b"", b"x"));
        assert!(has(false, b"a\0b\0", b"\0b"));
        // 'Ā' is 0x100: its bytes contain a 0x01 byte that is not a code unit 1.
        assert!(!has(true, &ucs4("Ā"), &ucs4("\u{1}")));
        assert!(has(true, &ucs4("naïve"), &ucs4("ïv")));
    }
}
