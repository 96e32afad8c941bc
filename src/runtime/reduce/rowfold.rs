//! Folds (`min`, `max`, `any`, `all`, `prod`) along a non-innermost axis whose output lane
//! is unit-stride, a whole row at a time: the accumulator row starts as the first row, and
//! each further row is folded onto it element by element ([`Kern::fold_rows_unit`], which
//! vectorises), so the input is read in memory order, one row after another, as NumPy's
//! `maximum.reduce(a, axis=0)` does. An input within the last-level cache is folded four
//! rows per pass over the accumulators (fewer accumulator loads and stores, four streams
//! from the cache); a larger one, read from DRAM, a row per pass, which the hardware
//! prefetcher follows as one stream. `max(a, axis=0)` over
//! 1000-column float64 rows, ns per element, four rows against one per pass:
//! - one Sapphire Rapids core: 1e5 elements 0.101-0.109 against 0.121-0.146; 1e6 0.242
//!   against 0.215-0.228; 1e7 0.239-0.240 against 0.215-0.225;
//! - AMD EPYC Zen 4 (32 MB L3), criterion, one thread and two: 1e6 (8 MB) 0.135-0.150 and
//!   0.095-0.102 against 0.195-0.248 and 0.105-0.166; 1e7 (80 MB) 0.61-0.75 and 0.39-0.42
//!   against 0.45-0.54 and 0.25-0.31 (two rows per pass: 1e6 0.15-0.17, 1e7 0.83-0.88).
//!
//! The last-level cache decides because the Zen 4 figures are far apart on each side of
//! it; Sapphire Rapids' 1e6 row loses about 10% with four rows.
//!
//! Every output column is the left fold of its elements in index order, as in
//! [`super::seq`]; a splittable fold (`Order::Fold { split: true }`) may also fold halves
//! of the rows on different threads and combine the two rows of accumulators, left then
//! right, which changes nothing for an associative operation. A 2-D sweep of one strip
//! shares blocks of its rows with the team instead ([`by_rows_shared`], from the calling
//! thread: `max(a, axis=0)` over 1000 × 1000 float64, two threads, Rust probe, 0.116–0.124
//! ns per element with nested rayon joins, 0.104–0.108 shared).

use super::drive::{by_lane_pieces, OutPtr};
use super::kernel::{Kern, Order};
use super::layout::AxisSweep;
use super::rows::Tile;
use super::seq::Fork;
use crate::runtime::threads;

/// Bytes of one strip's accumulator row: with the row being read it stays in L1.
const STRIP_BYTES: usize = 16 * 1024;

/// Whether [`by_rows`] runs `k` over `a` along `lane`: a fold, and a lane that steps by
/// exactly one source element.
pub(super) fn fits<K: Kern>(k: &K, a: &AxisSweep, lane: usize) -> bool {
    matches!(k.order(), Order::Fold { .. }) && a.unit_lane(lane, std::mem::size_of::<K::E>())
}

/// Strips of up to [`STRIP_BYTES`] of accumulators along `outer[lane]`, each folded a row
/// at a time (rows split across threads where the fold allows it), writing `finish(acc)`
/// for each output.
///
/// # Safety
/// As [`super::drive::drive`], and [`fits`] holds.
pub(super) unsafe fn by_rows<K, O, F>(
    k: &K,
    a: &AxisSweep,
    lane: usize,
    (fork, cached): (Fork, u64),
    out: OutPtr<O>,
    finish: &F,
) where
    K: Kern,
    K::A: Default,
    O: Copy + Send,
    F: Fn(K::A) -> O + Sync,
{
    // Only an associative fold may split its rows.
    let rows_fork = match k.order() {
        Order::Fold { split: true } => fork,
        _ => Fork { par: false, ..fork },
    };
    let per_pass = rows_per_pass::<K>(a, cached);
    // SAFETY: each strip's rows and columns are elements of the swept view.
    let fold =
        |t: Tile, acc: &mut [K::A]| unsafe { fold_rows(k, t, 0, a.len, acc, rows_fork, per_pass) };
    // SAFETY: the caller's contract.
    unsafe { by_lane_pieces(a, lane, strip_width::<K>(), (fork, None), out, finish, fold) }
}

/// Accumulators per strip: [`STRIP_BYTES`] of them (at least 16).
fn strip_width<K: Kern>() -> usize {
    (STRIP_BYTES / std::mem::size_of::<K::A>().max(1)).max(16)
}

/// Rows folded per pass over the accumulators: four for an input of at most `cached` bytes
/// (the last-level cache by default, [`super::drive::Tuning::cached_bytes`]), else one.
fn rows_per_pass<K: Kern>(a: &AxisSweep, cached: u64) -> usize {
    let elems = a
        .outer
        .iter()
        .fold(a.len as u64, |n, &(e, _)| n.saturating_mul(e as u64));
    if elems.saturating_mul(std::mem::size_of::<K::E>() as u64) <= cached {
        4
    } else {
        1
    }
}

/// Row blocks per thread of [`by_rows_shared`]: one, so that each participant adds one row
/// of accumulators to combine. A participant that starts late leaves its block to the
/// others (`threads::share_items`) unless it has begun it. `max(a, axis=0)` over
/// 1000-column float64 rows from NumPy, two threads, AMD EPYC Zen 4, three alternating
/// rounds, best ns per element for one, two and four blocks per thread: 1e5 0.078–0.081,
/// 0.086–0.092, 0.099–0.106 (Numba 0.096–0.097); 1e6 0.065–0.068, 0.065–0.067,
/// 0.069–0.070; 1e7 alike within noise (0.208–0.251).
const BLOCKS_PER_THREAD: usize = 1;

/// [`by_rows`] for a sweep of one strip (a single output axis of at most a strip's width)
/// whose fold is associative, on the calling thread and the team
/// (`threads::share_items`) instead of the rayon pool: blocks of rows are folded into rows
/// of accumulators of their own, which are then combined in row order. Gives `false`, having
/// done nothing, for any other sweep or when the team is unavailable.
///
/// # Safety
/// As [`by_rows`].
pub(super) unsafe fn by_rows_shared<K, O, F>(
    k: &K,
    a: &AxisSweep,
    lane: usize,
    (threads, cached): (usize, u64),
    out: OutPtr<O>,
    finish: &F,
) -> bool
where
    K: Kern,
    K::A: Default,
    O: Copy + Send,
    F: Fn(K::A) -> O + Sync,
{
    let (w, col) = a.outer[lane];
    if a.outer.len() != 1
        || w > strip_width::<K>()
        || !matches!(k.order(), Order::Fold { split: true })
    {
        return false;
    }
    let blocks = (threads * BLOCKS_PER_THREAD).min(a.len);
    let per_pass = rows_per_pass::<K>(a, cached);
    let t = Tile {
        base: a.ptr,
        row: a.stride,
        col,
        w,
    };
    let mut parts = vec![K::A::default(); blocks * w];
    let at = PartsPtr(parts.as_mut_ptr());
    let block = |b: usize, _: &mut ()| {
        let (lo, hi) = (b * a.len / blocks, (b + 1) * a.len / blocks);
        // SAFETY: block `b` alone writes its row of `parts`; its rows `lo..hi` (nonempty,
        // as `blocks <= a.len`) are rows of the swept view (the caller's contract).
        unsafe {
            let acc = std::slice::from_raw_parts_mut(at.row(b, w), w);
            fold_rows(k, t, lo, hi - lo, acc, Fork::SERIAL, per_pass);
        }
    };
    if !threads::share_items(threads, blocks, || (), block) {
        return false;
    }
    let (first, rest) = parts.split_at_mut(w);
    for later in rest.chunks_exact(w) {
        k.combine_rows(first, later);
    }
    for (j, &v) in first.iter().enumerate() {
        // SAFETY: with one output axis, column `j` is output `j`, one of the sweep's.
        unsafe { out.put(j, finish(v)) };
    }
    true
}

/// The rows of accumulators of [`by_rows_shared`]'s blocks, each written by one block.
#[derive(Clone, Copy)]
struct PartsPtr<A>(*mut A);

// SAFETY: each block writes only its own row (see `by_rows_shared`).
unsafe impl<A> Sync for PartsPtr<A> {}
// SAFETY: as above.
unsafe impl<A> Send for PartsPtr<A> {}

impl<A> PartsPtr<A> {
    /// Row `b` of `w` accumulators.
    fn row(self, b: usize, w: usize) -> *mut A {
        self.0.wrapping_add(b * w)
    }
}

/// Folds rows `lo..lo+n` (`n >= 1`) of the unit-stride tile `t` into `acc` (`t.w` values,
/// overwritten), `per_pass` (1 or 4; with 4 the last two or three rows share a pass too)
/// rows per pass over `acc`, splitting the rows in halves across tasks where `fork` says
/// so.
///
/// # Safety
/// Every element of rows `lo..lo+n`, columns `0..t.w` is valid for `k`, and the columns
/// are one element of `K::E` apart.
unsafe fn fold_rows<K: Kern>(
    k: &K,
    t: Tile,
    lo: usize,
    n: usize,
    acc: &mut [K::A],
    fork: Fork,
    per_pass: usize,
) {
    debug_assert_eq!(acc.len(), t.w);
    if n >= 2 && fork.splits(n.saturating_mul(t.w)) {
        let m = n / 2;
        let mut later = acc.to_vec();
        rayon::join(
            // SAFETY: the first half is rows of the caller's valid range.
            || unsafe { fold_rows(k, t, lo, m, acc, fork, per_pass) },
            // SAFETY: so is the second.
            || unsafe { fold_rows(k, t, lo + m, n - m, &mut later, fork, per_pass) },
        );
        k.combine_rows(acc, &later);
        return;
    }
    let row = |i: usize| t.base.wrapping_offset((i as isize).wrapping_mul(t.row));
    let size = std::mem::size_of::<K::E>();
    let first = row(lo);
    for (j, a) in acc.iter_mut().enumerate() {
        // SAFETY: column `j` of row `lo` (the caller's contract).
        *a = unsafe { k.load(first.wrapping_add(j * size)) };
    }
    // Four rows per pass over the accumulators, the last two or three in one pass too,
    // then one at a time.
    let mut i = lo + 1;
    let end = lo + n;
    if per_pass == 4 {
        while i + 4 <= end {
            // SAFETY: rows `i..i+4` hold `t.w` unit-stride elements (the caller's contract).
            unsafe { k.fold_rows_unit(acc, [row(i), row(i + 1), row(i + 2), row(i + 3)]) };
            i += 4;
        }
        let rest = end - i;
        // SAFETY: rows `i..end` hold `t.w` unit-stride elements (the caller's contract).
        unsafe {
            match rest {
                3 => k.fold_rows_unit(acc, [row(i), row(i + 1), row(i + 2)]),
                2 => k.fold_rows_unit(acc, [row(i), row(i + 1)]),
                _ => {}
            }
        }
        if rest >= 2 {
            i = end;
        }
    }
    for i in i..end {
        // SAFETY: row `i` holds `t.w` unit-stride elements (the caller's contract).
        unsafe { k.fold_rows_unit(acc, [row(i)]) };
    }
}
