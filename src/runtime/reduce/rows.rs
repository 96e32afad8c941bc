//! Reducing a tile of `w` neighbouring outputs at once, row by row: for a reduction over a
//! non-innermost axis, each step combines a whole row of the tile (contiguous in memory for
//! C-order inputs), which vectorises, instead of striding through memory per output.
//!
//! Every output column follows exactly the order of [`super::seq`] (the same leaves, the
//! same split points, the same eight accumulators), so the two paths agree bit for bit.

use super::floatrows::RowsLeaf;
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
        // SAFETY: the caller's contract.
        unsafe { self.each_column::<K, 1>(k, i, 1, out, |o, x| f(o, x[0])) }
    }

    /// `f(&mut out[j], [load(i, j), load(i + step, j), …])` for every column `j`: `R`
    /// rows `step` apart, read column by column.
    ///
    /// # Safety
    /// Rows `i`, `i + step`, …, `i + (R - 1)·step` are within the tile's valid rows.
    #[inline(always)]
    unsafe fn each_column<K: Kern, const R: usize>(
        self,
        k: &K,
        i: usize,
        step: usize,
        out: &mut [K::A],
        f: impl Fn(&mut K::A, &[K::A; R]),
    ) {
        let rows: [*const u8; R] = std::array::from_fn(|q| self.row_ptr(i + q * step));
        // SAFETY: the rows are valid (the caller's contract) and `out` holds the tile's
        // columns.
        unsafe {
            // Two instances: the unit-stride one has a constant step and vectorises.
            if self.col == std::mem::size_of::<K::E>() as isize {
                let at = rows.map(TypedAt::<K::E>::new);
                for (j, o) in out.iter_mut().enumerate() {
                    f(o, &std::array::from_fn(|q| k.load(at[q].at(j))));
                }
            } else {
                let at = rows.map(|ptr| StrideAt {
                    ptr,
                    stride: self.col,
                });
                for (j, o) in out.iter_mut().enumerate() {
                    f(o, &std::array::from_fn(|q| k.load(at[q].at(j))));
                }
            }
        }
    }
}

/// Reduces rows `0..n` (`n >= 1`) of `t` into `out` (`t.w` values) in `k`'s order.
/// `streams`: the rows come from memory rather than the cache (the kernel's leaves,
/// [`Kern::leaf_rows_unit`], read them so).
///
/// # Safety
/// Every element of rows `0..n`, columns `0..t.w` is valid for `k`.
pub(super) unsafe fn reduce_rows<K: Kern>(
    k: &K,
    t: Tile,
    n: usize,
    out: &mut [K::A],
    fork: Fork,
    streams: bool,
) {
    debug_assert_eq!(out.len(), t.w);
    let unit = (t.col == std::mem::size_of::<K::E>() as isize).then_some(streams);
    // SAFETY: every row read is within `0..n` (the caller's contract).
    unsafe {
        match k.order() {
            Order::Pairwise => pairwise_rows(k, t, (0, n, unit), out, fork),
            // Splitting rows would only pay for very tall, narrow inputs; the caller already
            // parallelises over tiles.
            Order::Fold { .. } => {
                t.load_row(k, 0, out);
                for i in 1..n {
                    t.fold_row(k, i, out);
                }
            }
        }
    }
}

/// [`super::seq`]'s pairwise order over rows `lo..lo+n`, one row at a time (or, where the
/// tile's columns are unit-stride, `unit` being `Some(streams)`, in the kernel's own
/// leaves, [`Kern::leaf_rows_unit`], where it has them).
///
/// # Safety
/// As [`reduce_rows`], for rows `lo..lo+n`.
unsafe fn pairwise_rows<K: Kern>(
    k: &K,
    t: Tile,
    (lo, n, unit): (usize, usize, Option<bool>),
    out: &mut [K::A],
    fork: Fork,
) {
    if n <= LEAF {
        if let (Some(streams), true) = (unit, n >= 8) {
            let leaf = RowsLeaf {
                base: t.row_ptr(lo),
                row: t.row,
                n,
                streams,
            };
            // SAFETY: the leaf's rows are the caller's; its columns are the tile's.
            if unsafe { k.leaf_rows_unit(leaf, out) } {
                return;
            }
        }
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2; the caller's rows.
            return unsafe { leaf_rows_avx2(k, t, lo, n, out) };
        }
        // SAFETY: the caller's rows.
        return unsafe { leaf_rows(k, t, lo, n, out) };
    }
    let m = split_point(n);
    // The right half goes to a scratch row, then is combined into the left's.
    let mut right = out.to_vec();
    if fork.splits(n.saturating_mul(t.w)) {
        rayon::join(
            // SAFETY: the left half is rows of the caller's valid range.
            || unsafe { pairwise_rows(k, t, (lo, m, unit), out, fork) },
            // SAFETY: so is the right half.
            || unsafe { pairwise_rows(k, t, (lo + m, n - m, unit), &mut right, fork) },
        );
    } else {
        // SAFETY: both halves are rows of the caller's valid range.
        unsafe {
            pairwise_rows(k, t, (lo, m, unit), out, fork);
            pairwise_rows(k, t, (lo + m, n - m, unit), &mut right, fork);
        }
    }
    for (o, r) in out.iter_mut().zip(&right) {
        *o = k.combine(*o, *r);
    }
}

/// [`leaf_rows`] compiled for AVX2: four `f64` lanes where the baseline has two
/// (`sum(a, axis=0)` over 100 × 1000 float64, one AMD EPYC Zen 3 core: 0.30 → 0.23 ns per
/// element). The same operations in the same order: the same bits.
///
/// # Safety
/// As [`leaf_rows`], on a CPU with AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn leaf_rows_avx2<K: Kern>(k: &K, t: Tile, lo: usize, n: usize, out: &mut [K::A]) {
    // SAFETY: the caller's contract.
    unsafe { leaf_rows(k, t, lo, n, out) }
}

/// [`super::seq::leaf_sum`], one row at a time.
///
/// # Safety
/// As [`reduce_rows`].
#[inline(always)]
unsafe fn leaf_rows<K: Kern>(k: &K, t: Tile, lo: usize, n: usize, out: &mut [K::A]) {
    // SAFETY: every row read is within `lo..lo+n` (the caller's contract).
    unsafe {
        if n < 8 {
            t.load_row(k, lo, out);
            for i in lo + 1..lo + n {
                t.fold_row(k, i, out);
            }
            return;
        }
        // Eight accumulators per column, as the scalar leaf's: accumulator `r` is row
        // `r`, then rows `r + 8`, `r + 16`, … folded on. Nothing is copied: with one round
        // each column's tree reads the rows themselves, else the first fold of each
        // accumulator row adds two rows. (Copying the rows first took 40% of
        // `sum(a, axis=0)` over 10 × 10000 float64.)
        let w = t.w;
        let full = n - n % 8;
        let c = |a, b| k.combine(a, b);
        if full == 8 {
            t.each_column(k, lo, 1, out, |o, x: &[K::A; 8]| {
                *o = c(
                    c(c(x[0], x[1]), c(x[2], x[3])),
                    c(c(x[4], x[5]), c(x[6], x[7])),
                );
            });
        } else {
            let mut acc = out.repeat(8);
            for (r, row) in acc.chunks_exact_mut(w).enumerate() {
                t.each_column(k, lo + r, 8, row, |o, x: &[K::A; 2]| *o = c(x[0], x[1]));
            }
            let mut i = 16;
            while i < full {
                for (r, row) in acc.chunks_exact_mut(w).enumerate() {
                    t.fold_row(k, lo + i + r, row);
                }
                i += 8;
            }
            for (j, o) in out.iter_mut().enumerate() {
                let r = |q: usize| acc[q * w + j];
                *o = c(
                    c(c(r(0), r(1)), c(r(2), r(3))),
                    c(c(r(4), r(5)), c(r(6), r(7))),
                );
            }
        }
        for i in lo + full..lo + n {
            t.fold_row(k, i, out);
        }
    }
}
