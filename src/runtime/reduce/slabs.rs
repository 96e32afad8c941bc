//! Axis reductions of a computed argument, a slab of outputs at a time: the argument's
//! elements for a few outputs are computed into a scratch array of bounded size and reduced
//! by the ordinary axis code into those outputs' places in the result. An output depends
//! only on its own reduced sequence, so the bits are those of reducing the materialised
//! argument.

use super::drive::{OutPtr, Tuning};
use super::fused::{static_parallel, Source};
use super::reduce_view_into;
use crate::ir::ReduceOp;
use crate::runtime::{c_strides, threads, ArrayView};
use crate::types::DType;
use rayon::prelude::*;

/// A slab's scratch bytes: a few of them stay in L2 with their threads.
pub(super) const SLAB_BYTES: usize = 1 << 20;

/// The fewest columns a column slab may have (fewer would make every computed run too short
/// to pay for its kernel call).
const MIN_COLS: usize = 16;

/// An axis reduction's argument as `(outer, len, inner)`: element `(o, i, j)` is the
/// argument's element `o·len·inner + i·inner + j` (C order), reduced over `i` into output
/// `o·inner + j`.
#[derive(Clone, Copy, Debug)]
pub(super) struct Shape {
    /// Product of the axes before the reduced one.
    pub outer: usize,
    /// The reduced axis's extent (nonzero).
    pub len: usize,
    /// Product of the axes after it.
    pub inner: usize,
}

/// What [`run`] needs to know of the argument and the result.
#[derive(Clone, Copy, Debug)]
pub(super) struct Plan {
    /// The argument's layout.
    pub shape: Shape,
    /// The argument's dtype.
    pub dtype: DType,
    /// Bytes per result element.
    pub out_size: usize,
    /// The most scratch bytes per slab.
    pub slab_bytes: usize,
}

/// How outputs are grouped into slabs.
#[derive(Clone, Copy, Debug)]
enum Cut {
    /// `rows` whole outer indices per slab: one contiguous range of the argument each.
    Rows { rows: usize },
    /// One outer index and `w` neighbouring columns per slab: `len` ranges of `w` elements.
    Cols { w: usize },
}

/// How an argument of `shape` and `elem`-byte elements is cut into slabs of at most
/// `slab_bytes`: `None` when no slab of at least [`MIN_COLS`] columns (or all of them)
/// fits.
fn cut(shape: Shape, elem: usize, slab_bytes: usize) -> Option<Cut> {
    let Shape { outer, len, inner } = shape;
    let per_outer = len.saturating_mul(inner).saturating_mul(elem);
    if per_outer <= slab_bytes {
        return Some(Cut::Rows {
            rows: (slab_bytes / per_outer.max(1)).clamp(1, outer),
        });
    }
    let w = (slab_bytes / len.saturating_mul(elem)).min(inner);
    (w > 0 && w >= inner.min(MIN_COLS)).then_some(Cut::Cols { w })
}

/// Whether [`run`] takes an argument of `shape` and `elem`-byte elements with slabs of at
/// most `slab_bytes`.
pub(super) fn fits(shape: Shape, elem: usize, slab_bytes: usize) -> bool {
    cut(shape, elem, slab_bytes).is_some()
}

/// Reduces `src` (whose layout `plan` gives) along its reduced axis with `op` into `dst`,
/// slab by slab, on up to `threads` threads. Gives `false`, having computed nothing, when
/// no slab of at least [`MIN_COLS`] columns (or all of them) fits `plan.slab_bytes`.
///
/// # Safety
/// `dst` is valid for writes of `outer × inner` results of `plan.out_size` bytes, and `op`
/// is defined for `plan.dtype` (bool `min`/`max` already `all`/`any`).
pub(super) unsafe fn run(
    src: &dyn Source,
    op: ReduceOp,
    plan: Plan,
    threads: usize,
    tuning: Tuning,
    dst: *mut u8,
) -> bool {
    let Shape { outer, len, inner } = plan.shape;
    let elem = plan.dtype.size();
    let Some(cut) = cut(plan.shape, elem, plan.slab_bytes) else {
        return false;
    };
    let items = match cut {
        Cut::Rows { rows } => outer.div_ceil(rows),
        Cut::Cols { w } => outer * inner.div_ceil(w),
    };
    let total = outer.saturating_mul(len).saturating_mul(inner);
    let bytes = (total as u64).saturating_mul(elem as u64);
    let pool = if items > 1 && static_parallel(total, bytes, src.parallel_from(), threads, tuning) {
        threads::pool(threads)
    } else {
        None
    };
    let out = OutPtr(dst);
    let one = |scratch: &mut Vec<u128>, item: usize| {
        // The slab's argument shape, where its elements start, and its first output.
        let (slab, axis, first) = match cut {
            Cut::Rows { rows } => {
                let o0 = item * rows;
                let k = rows.min(outer - o0);
                (vec![k, len, inner], 1, o0 * inner)
            }
            Cut::Cols { w } => {
                let (o, j0) = (item / inner.div_ceil(w), item % inner.div_ceil(w) * w);
                (vec![len, w.min(inner - j0)], 0, o * inner + j0)
            }
        };
        let n: usize = slab.iter().product();
        let words = (n * elem).div_ceil(16);
        if scratch.len() < words {
            scratch.resize(words, 0);
        }
        let p = scratch.as_mut_ptr() as *mut u8;
        match cut {
            // SAFETY: the slab's `n` elements are a range of the argument and fit `scratch`.
            Cut::Rows { .. } => unsafe { src.fill(first / inner * len * inner, n, p) },
            Cut::Cols { .. } => {
                let (o, j0) = (first / inner, first % inner);
                let wk = slab[1];
                for i in 0..len {
                    // SAFETY: row `i` of the slab is `wk` elements of the argument, and the
                    // `len` rows fill `scratch`'s first `n` elements.
                    unsafe { src.fill(o * len * inner + i * inner + j0, wk, p.add(i * wk * elem)) };
                }
            }
        }
        // SAFETY: `scratch` holds the slab's `n` elements of `dtype`, C order, initialised
        // just now, and lives (unchanged) while the view is used.
        let view =
            unsafe { ArrayView::from_raw_parts(p, plan.dtype, &slab, &c_strides(&slab, elem)) };
        // SAFETY: the slab's outputs are `first..first + n / len`, consecutive in C order
        // within the caller's result; no other slab writes them.
        unsafe { reduce_view_into(&view, op, axis, out.at(first * plan.out_size)) };
    };
    match pool {
        Some(p) => p.install(|| {
            (0..items)
                .into_par_iter()
                .for_each_init(Vec::new, |s, i| one(s, i))
        }),
        None => {
            let mut s = Vec::new();
            (0..items).for_each(|i| one(&mut s, i));
        }
    }
    true
}
