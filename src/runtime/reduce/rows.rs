//! Reducing a tile of `w` neighbouring outputs at once, row by row: for a reduction over a
//! non-innermost axis, each step combines a whole row of the tile (contiguous in memory for
//! C-order inputs), which vectorises, instead of striding through memory per output.
//!
//! Every output column follows exactly the order of [`super::seq`] (the same leaves, the
//! same split points, the same eight accumulators), so the two paths agree bit for bit.

use super::kernel::{Kern, Order};
use super::seq::{split_point, At, Fork, StrideAt, TypedAt, LEAF};

/// A tile: row `i`, column `j` is at `base + i·row + j·col`.
#[derive(Clone, Copy, Debug)]
pub(super) struct Tile {
    /// Element (0, 0).
    pub base: *const u8,
    /// Byte step between rows (along the reduced axis).
    pub row: isize,
    /// Byte step between columns (along the output lane).
    pub col: isize,
    /// Columns.
    pub w: usize,
}

// SAFETY: a tile only reads shared, immutable elements.
unsafe impl Sync for Tile {}
// SAFETY: as above.
unsafe impl Send for Tile {}

impl Tile {
    /// Element (i, 0).
    #[inline(always)]
    fn row_ptr(self, i: usize) -> *const u8 {
        self.base
            .wrapping_offset((i as isize).wrapping_mul(self.row))
    }

    /// `out[j] = load(i, j)`.
    ///
    /// # Safety
    /// Row `i` is within the tile's valid rows.
    #[inline(always)]
    unsafe fn load_row<K: Kern>(self, k: &K, i: usize, out: &mut [K::A]) {
        // SAFETY: the caller's contract.
        unsafe { self.each_in_row(k, i, out, |o, x| *o = x) }
    }

    /// `out[j] = out[j] ∘ load(i, j)`.
    ///
    /// # Safety
    /// As [`Tile::load_row`].
    #[inline(always)]
    unsafe fn fold_row<K: Kern>(self, k: &K, i: usize, out: &mut [K::A]) {
        // SAFETY: the caller's contract.
        unsafe { self.each_in_row(k, i, out, |o, x| *o = k.combine(*o, x)) }
    }

    /// `f(&mut out[j], load(i, j))` for every column `j`.
    ///
    /// # Safety
    /// As [`Tile::load_row`].
    #[inline(always)]
    unsafe fn each_in_row<K: Kern>(
        self,
        k: &K,
        i: usize,
        out: &mut [K::A],
        f: impl Fn(&mut K::A, K::A),
    ) {
        // SAFETY: row `i` is valid (the caller's contract) and `out` holds the tile's columns.
        unsafe {
            let p = self.row_ptr(i);
            // Two instances: the unit-stride one has a constant step and vectorises.
            if self.col == std::mem::size_of::<K::E>() as isize {
                let at = TypedAt::<K::E>::new(p);
                for (j, o) in out.iter_mut().enumerate() {
                    f(o, k.load(at.at(j)));
                }
            } else {
                let at = StrideAt {
                    ptr: p,
                    stride: self.col,
                };
                for (j, o) in out.iter_mut().enumerate() {
                    f(o, k.load(at.at(j)));
                }
            }
        }
    }
}

/// Reduces rows `lo..lo+n` (`n >= 1`) of `t` into `out` (`t.w` values) in `k`'s order.
///
/// # Safety
/// Every element of rows `lo..lo+n`, columns `0..t.w` is valid for `k`.
pub(super) unsafe fn reduce_rows<K: Kern>(
    k: &K,
    t: Tile,
    lo: usize,
    n: usize,
    out: &mut [K::A],
    fork: Fork,
) {
    debug_assert_eq!(out.len(), t.w);
    // SAFETY: every row read is within `lo..lo+n` (the caller's contract).
    unsafe {
        match k.order() {
            Order::Pairwise => pairwise_rows(k, t, lo, n, out, fork),
            // Splitting rows would only pay for very tall, narrow inputs; the caller already
            // parallelises over tiles.
            Order::Fold { .. } => {
                t.load_row(k, lo, out);
                for i in lo + 1..lo + n {
                    t.fold_row(k, i, out);
                }
            }
        }
    }
}

/// [`super::seq`]'s pairwise order, one row at a time.
///
/// # Safety
/// As [`reduce_rows`].
unsafe fn pairwise_rows<K: Kern>(
    k: &K,
    t: Tile,
    lo: usize,
    n: usize,
    out: &mut [K::A],
    fork: Fork,
) {
    if n <= LEAF {
        // SAFETY: the caller's rows.
        return unsafe { leaf_rows(k, t, lo, n, out) };
    }
    let m = split_point(n);
    // The right half goes to a scratch row, then is combined into the left's.
    let mut right = out.to_vec();
    if fork.splits(n.saturating_mul(t.w)) {
        rayon::join(
            // SAFETY: the left half is rows of the caller's valid range.
            || unsafe { pairwise_rows(k, t, lo, m, out, fork) },
            // SAFETY: so is the right half.
            || unsafe { pairwise_rows(k, t, lo + m, n - m, &mut right, fork) },
        );
    } else {
        // SAFETY: both halves are rows of the caller's valid range.
        unsafe {
            pairwise_rows(k, t, lo, m, out, fork);
            pairwise_rows(k, t, lo + m, n - m, &mut right, fork);
        }
    }
    for (o, r) in out.iter_mut().zip(&right) {
        *o = k.combine(*o, *r);
    }
}

/// [`super::seq::leaf_sum`], one row at a time.
///
/// # Safety
/// As [`reduce_rows`].
unsafe fn leaf_rows<K: Kern>(k: &K, t: Tile, lo: usize, n: usize, out: &mut [K::A]) {
    // SAFETY: every row read is within `lo..lo+n` (the caller's contract).
    unsafe {
        t.load_row(k, lo, out);
        if n < 8 {
            for i in lo + 1..lo + n {
                t.fold_row(k, i, out);
            }
            return;
        }
        // Eight accumulator rows, as the scalar leaf's eight accumulators.
        let w = t.w;
        let mut acc = out.repeat(8);
        for (r, row) in acc.chunks_exact_mut(w).enumerate().skip(1) {
            t.load_row(k, lo + r, row);
        }
        let full = n - n % 8;
        let mut i = 8;
        while i < full {
            for (r, row) in acc.chunks_exact_mut(w).enumerate() {
                t.fold_row(k, lo + i + r, row);
            }
            i += 8;
        }
        let c = |a, b| k.combine(a, b);
        for (j, o) in out.iter_mut().enumerate() {
            let r = |q: usize| acc[q * w + j];
            *o = c(
                c(c(r(0), r(1)), c(r(2), r(3))),
                c(c(r(4), r(5)), c(r(6), r(7))),
            );
        }
        for i in lo + full..lo + n {
            t.fold_row(k, i, out);
        }
    }
}
