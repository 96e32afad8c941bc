//! The pairwise leaf of a float sum down the rows of a tile (a `sum` or `mean` along a
//! non-innermost axis), with all eight accumulators of a strip of columns in registers.
//!
//! [`super::rows`]' generic leaf folds each row into one of eight accumulator rows in
//! memory: three memory operations per element, and eight rows of a wide tile do not stay
//! in L1. Here a strip of 8·S columns is carried down the leaf's rows with its eight
//! accumulators (one per row modulo 8, as the generic leaf's) in 8·S vectors, so each
//! element is one load and one addition; then the next strip. The additions are the
//! generic leaf's, column by column, so the bits are the same.
//!
//! Strips read the leaf's rows a few cache lines at a time, which the caches serve well
//! and DRAM does not (strips asking for the next leaf's rows ahead of time, with
//! prefetches or plain loads, were no faster: 10000 × 1000 float64, AMD Zen 4, one thread
//! 0.51–0.64 ns per element, the generic leaf 0.53–0.60). A leaf whose rows stream from
//! memory goes through its eight accumulators' classes instead (rows `q`, `q + 8`, …): a
//! class's rows are read side by side along their whole length, a vector of each at a
//! time, summed in a register, so that DRAM sees up to sixteen long streams; the class's
//! sums go to a row of their own, and the eight rows are combined at the end. The same
//! additions again: one thread 0.33–0.40, two 0.16–0.21 ns per element where the generic
//! leaf took 0.58–0.60 and 0.30–0.44 (one partial row per thread, in row order, as Numba
//! compiles it: 0.42–0.52 on one thread).

use super::floatsum::{combine8, combine8_lanes, Eight, Float, FloatSum};
use super::seq::{leaf_sum, StrideAt};

/// A leaf of a tile's rows: row `i`, column `j` is at `base + i·row` plus `j` elements.
#[derive(Clone, Copy, Debug)]
pub(super) struct RowsLeaf {
    /// Element (0, 0) of the leaf.
    pub base: *const u8,
    /// Byte step between rows (any sign).
    pub row: isize,
    /// Rows (`8 <= n <= LEAF`).
    pub n: usize,
    /// The rows stream from memory rather than the cache: the leaf is read a class of rows
    /// at a time, not in strips.
    pub streams: bool,
}

impl RowsLeaf {
    /// The address of element (`i`, `j`) of `T`s.
    #[inline(always)]
    fn at<T>(self, i: usize, j: usize) -> *const T {
        self.base
            .wrapping_offset((i as isize).wrapping_mul(self.row))
            .cast::<T>()
            .wrapping_add(j)
    }
}

/// The leaf's sums of `out.len()` columns: in strips of `8·S` columns of `V`s, then of
/// 8, then one column at a time. Where every row starts at the same offset in its cache
/// line, the strips start at a line's first column (the columns before it taken one at a
/// time): NumPy's arrays start 16 bytes into a line, and a strip whose loads each straddle
/// two lines took 1.5 times as long (100 × 1000 float64 from L2, AMD Zen 4).
///
/// # Safety
/// Every element of the leaf's `n` rows and `out.len()` columns is valid; the host has
/// `V`'s instructions.
#[inline(always)]
pub(super) unsafe fn leaf_rows_in<T: Float, V: Eight<T>, const S: usize>(
    leaf: RowsLeaf,
    out: &mut [T],
) {
    let w = out.len();
    let size = std::mem::size_of::<T>();
    let addr = leaf.base as usize;
    let head = if leaf.row % 64 == 0 && addr.is_multiple_of(size) {
        ((64 - addr % 64) % 64 / size).min(w)
    } else {
        0
    };
    if leaf.streams {
        // SAFETY: the caller's contract.
        return unsafe { by_classes::<T, V, S>(leaf, head, out) };
    }
    let k = FloatSum::<T>::new();
    let column = |j: usize| {
        let at = StrideAt {
            ptr: leaf.at::<T>(0, j).cast(),
            stride: leaf.row,
        };
        // SAFETY: column `j < w` of the leaf's rows (the caller's contract).
        unsafe { leaf_sum(&k, at, leaf.n) }
    };
    for (j, o) in out[..head].iter_mut().enumerate() {
        *o = column(j);
    }
    let mut c = head;
    // SAFETY: every strip's columns are below `w` (the caller's contract).
    unsafe {
        while c + 8 * S <= w {
            strip::<T, V, S>(leaf, c, &mut out[c..c + 8 * S]);
            c += 8 * S;
        }
        while c + 8 <= w {
            strip::<T, V, 1>(leaf, c, &mut out[c..c + 8]);
            c += 8;
        }
    }
    for (j, o) in out.iter_mut().enumerate().skip(c) {
        *o = column(j);
    }
}

/// One strip: columns `c..c + 8·S` of every row, into `out`.
///
/// # Safety
/// As [`leaf_rows_in`], for these columns.
#[inline(always)]
unsafe fn strip<T: Float, V: Eight<T>, const S: usize>(leaf: RowsLeaf, c: usize, out: &mut [T]) {
    let n = leaf.n;
    let full = n - n % 8;
    // SAFETY: rows below `n`, columns `c..c + 8·S` (the caller's contract).
    unsafe {
        let load = |i: usize, s: usize| V::load8(leaf.at::<T>(i, c + 8 * s));
        let mut r: [[V; S]; 8] = std::array::from_fn(|q| std::array::from_fn(|s| load(q, s)));
        let mut i = 8;
        while i < full {
            for (q, rq) in r.iter_mut().enumerate() {
                for (s, v) in rq.iter_mut().enumerate() {
                    *v = v.add8(load(i + q, s));
                }
            }
            i += 8;
        }
        for s in 0..S {
            let mut v = combine8_lanes(std::array::from_fn(|q| r[q][s]));
            for i in full..n {
                v = v.add8(load(i, s));
            }
            out[8 * s..8 * s + 8].copy_from_slice(&v.lanes());
        }
    }
}

/// The leaf a class of rows at a time: class `q`'s sums (rows `q`, `q + 8`, … below the
/// last whole eight, left to right) of every column into row `q` of a scratch block, in
/// runs of `8·S` columns of `V`s (then 8, then one, and the `head` columns before the
/// first line one at a time), then the eight rows combined and the last rows folded on:
/// [`super::seq::leaf_sum`]'s additions, column by column.
///
/// # Safety
/// As [`leaf_rows_in`]; `head <= out.len()`.
#[inline(always)]
unsafe fn by_classes<T: Float, V: Eight<T>, const S: usize>(
    leaf: RowsLeaf,
    head: usize,
    out: &mut [T],
) {
    let (w, n) = (out.len(), leaf.n);
    let full = n - n % 8;
    let mut sums = out.repeat(8);
    for (q, row) in sums.chunks_exact_mut(w).enumerate() {
        let one = |j: usize| {
            // SAFETY: rows `q`, `q + 8`, … below `full <= n`, column `j < w`.
            unsafe {
                let mut v = *leaf.at::<T>(q, j);
                for i in (q + 8..full).step_by(8) {
                    v = v + *leaf.at::<T>(i, j);
                }
                v
            }
        };
        // The same walk over the columns as `leaf_rows_in`'s, written out again: a helper
        // taking the runs as a closure compiles that closure without the caller's target
        // features, and strips run through one took 13 times as long.
        for (j, o) in row[..head].iter_mut().enumerate() {
            *o = one(j);
        }
        let mut c = head;
        // SAFETY: every run's columns are below `w` (the caller's contract).
        unsafe {
            while c + 8 * S <= w {
                class_run::<T, V, S>(leaf, (q, full), c, &mut row[c..c + 8 * S]);
                c += 8 * S;
            }
            while c + 8 <= w {
                class_run::<T, V, 1>(leaf, (q, full), c, &mut row[c..c + 8]);
                c += 8;
            }
        }
        for (j, o) in row.iter_mut().enumerate().skip(c) {
            *o = one(j);
        }
    }
    let mut c = 0;
    // SAFETY: columns below `w`, rows `full..n` (the caller's contract); the scratch rows
    // hold `w` sums each.
    unsafe {
        while c + 8 <= w {
            let class = |q: usize| V::load8(sums.as_ptr().add(q * w + c));
            let mut v = combine8_lanes(std::array::from_fn(class));
            for i in full..n {
                v = v.add8(V::load8(leaf.at::<T>(i, c)));
            }
            out[c..c + 8].copy_from_slice(&v.lanes());
            c += 8;
        }
        for (j, o) in out.iter_mut().enumerate().skip(c) {
            let mut v = combine8(std::array::from_fn(|q| sums[q * w + j]));
            for i in full..n {
                v = v + *leaf.at::<T>(i, j);
            }
            *o = v;
        }
    }
}

/// Class `q`'s sums (rows `q`, `q + 8`, … below `full`) of columns `c..c + 8·S`, into
/// `out`.
///
/// # Safety
/// As [`leaf_rows_in`], for these rows and columns.
#[inline(always)]
unsafe fn class_run<T: Float, V: Eight<T>, const S: usize>(
    leaf: RowsLeaf,
    (q, full): (usize, usize),
    c: usize,
    out: &mut [T],
) {
    // SAFETY: rows below `full`, columns `c..c + 8·S` (the caller's contract).
    unsafe {
        let load = |i: usize, s: usize| V::load8(leaf.at::<T>(i, c + 8 * s));
        let mut v: [V; S] = std::array::from_fn(|s| load(q, s));
        for i in (q + 8..full).step_by(8) {
            for (s, x) in v.iter_mut().enumerate() {
                *x = x.add8(load(i, s));
            }
        }
        for (s, x) in v.iter().enumerate() {
            out[8 * s..8 * s + 8].copy_from_slice(&x.lanes());
        }
    }
}
