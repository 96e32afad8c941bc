//! Reducing an argument that is computed, not stored: a [`Source`] writes any range of the
//! argument's logical elements (C order) into a small buffer, and the reduction consumes
//! those buffers as it goes, so no argument array is ever materialised.
//!
//! The results are the bits of reducing the materialised argument, by construction:
//! * The pairwise tree (see [`super`]) is self-similar: a subtree's value depends only on
//!   its own elements. The fixed tree is walked down to subtrees of at most one block
//!   ([`BLOCK_BYTES`]); each is computed into a stack buffer and reduced there by the
//!   ordinary sequential code, which builds the same subtree again.
//! * A float sum or mean whose source has leaf sums ([`Source::leaf_sums`]) skips the
//!   buffer: subtrees of at most [`DIRECT`] elements are cut into their leaves, one
//!   compiled call sums every leaf from the inputs in the leaf's order, and the leaves'
//!   sums are combined as the tree combines them. (Which of several NaNs' payloads such a
//!   sum keeps may differ from the stored path's: the module doc of [`super`] leaves it
//!   unspecified.)
//! * Folds consume the blocks in order, continuing one accumulator; splittable folds split
//!   in halves across threads exactly as [`super::seq::reduce_range`] does.
//! * Along an axis, each output depends only on its own reduced sequence. Along the
//!   innermost axis, each output is one range of the argument: short outputs are computed
//!   a block of whole outputs (or one leaf-sum call's worth) at a time and each reduced
//!   where it lies, long ones by the flat path per output; groups of outputs are shared by
//!   the team's threads (`threads::share_items`). Along another axis, slabs of outputs are computed into a
//!   bounded scratch array and reduced by the ordinary axis code ([`super::slabs`]).

use super::dispatch::{self, Ctx, Input};
use super::drive::{OutPtr, Tuning};
use super::kernel::{Kern, Order};
use super::seq::{fold_in_steps, reduce_range, split_point, At, Fork, Run, StrideAt, Tree, LEAF};
use super::whole;
use super::{result_dtype, slabs, start, Dst, Reduced, Start};
use crate::codegen::{ExtremeFn, LeafSumFn};
use crate::error::{Error, ErrorKind, Result};
use crate::ir::ReduceOp;
use crate::runtime::prefetch::{prefetch_l2, AHEAD_BYTES, AHEAD_STEP};
use crate::runtime::{checked_len, threads};
use crate::types::DType;
use std::mem::MaybeUninit;

/// The logical elements of a reduction's argument, computed on demand.
pub(crate) trait Source: Sync {
    /// The argument's shape.
    fn shape(&self) -> &[usize];

    /// The argument's dtype.
    fn dtype(&self) -> DType;

    /// The fewest elements for which computing them on several threads pays.
    fn parallel_from(&self) -> usize;

    /// Writes elements `lo..lo+n` (C order over [`Source::shape`]) contiguously at `dst`.
    ///
    /// # Safety
    /// `lo + n` is at most the element count, and `dst` is valid for writes of `n`
    /// elements of [`Source::dtype`].
    unsafe fn fill(&self, lo: usize, n: usize, dst: *mut u8);

    /// For a `float32` or `float64` argument, a compiled function that sums pairwise
    /// leaves of the argument straight from its inputs, when there is one.
    fn leaf_sums(&self) -> Option<LeafSource<'_>> {
        None
    }

    /// For a `float32` or `float64` argument, a compiled function that gives the `min`
    /// (`is_min`) or `max` of a range of the argument straight from its inputs, when
    /// there is one.
    fn extremes(&self, is_min: bool) -> Option<ExtremeSource<'_>> {
        let _ = is_min;
        None
    }
}

// SAFETY: the inputs are only read, and stay borrowed unmodified while the reduction runs
// (as the `Source` that gives them, which is `Sync`).
unsafe impl<F: Sync> Sync for Direct<'_, F> {}
// SAFETY: as above.
unsafe impl<F: Send> Send for Direct<'_, F> {}

/// A compiled function that reduces ranges of the argument straight from the inputs it
/// reads.
#[derive(Clone, Copy)]
pub(crate) struct Direct<'a, F> {
    /// The entry point.
    pub func: F,
    /// Each input's element 0 (a one-axis iteration over the argument in C order).
    pub ins: &'a [*const u8],
    /// Each input's byte stride along that axis.
    pub strides: &'a [isize],
    /// Whether the inputs stream from beyond the caches, so that each call first
    /// prefetches the lines [`AHEAD_BYTES`] beyond its elements (`runtime::prefetch`).
    /// Only leaf sums prefetch (see [`Walk::fold`] for why extremes do not).
    pub ahead: bool,
}

/// Leaf sums: leaf `(lo, n)` sums the argument's elements `lo..lo+n` exactly as
/// [`super::seq::leaf_sum`] sums them stored.
pub(crate) type LeafSource<'a> = Direct<'a, LeafSumFn>;

/// Running extremes: `func(n, lo, ..)` gives the extreme of elements `lo..lo+n` and
/// whether it is exactly the ordered fold's ([`ExtremeFn`]).
pub(crate) type ExtremeSource<'a> = Direct<'a, ExtremeFn>;

impl<F> Direct<'_, F> {
    /// Prefetches, when the inputs stream, the lines [`AHEAD_BYTES`] beyond elements
    /// `lo..lo+n`.
    fn prefetch(&self, lo: usize, n: usize) {
        if !self.ahead {
            return;
        }
        for (&p, &s) in self.ins.iter().zip(self.strides) {
            if s > 0 {
                let at = p.wrapping_add(lo * s as usize + AHEAD_BYTES);
                prefetch_l2(at, n * s as usize);
            }
        }
    }
}

/// The most elements whose leaves one [`LeafSumFn`] call computes.
const DIRECT: usize = 8 << 10;

/// Room for the leaves of [`DIRECT`] elements.
const DIRECT_LEAVES: usize = max_leaves(DIRECT);

/// The most leaves of the pairwise tree over `n` elements: one for a leaf, else one per
/// 64 elements (every leaf of a node over 128 elements has at least 64: a split is a
/// multiple of 8 at or just below half).
const fn max_leaves(n: usize) -> usize {
    if n <= LEAF {
        1
    } else {
        n / 64
    }
}

/// Bytes of one block: computed on the stack and reduced while it is in L1.
pub(super) const BLOCK_BYTES: usize = 16 * 1024;

// A block of the widest element (16 bytes) is still above a pairwise leaf, so every tree
// node larger than a block splits at the tree's own split point.
const _: () = assert!(BLOCK_BYTES / 16 > LEAF);

/// One block's storage, aligned for any element and for vector loads.
#[repr(C, align(64))]
struct Block([MaybeUninit<u8>; BLOCK_BYTES]);

/// Reduces `src` over all elements (`axis = None`) or along `axis` (normalised to
/// `0..ndim`) on up to `threads` threads into `dst`, computing the argument a block at a
/// time: the bits [`super::reduce`] gives for the materialised argument. Gives `None`
/// (having computed nothing, `dst` untouched) for an axis reduction whose slabs would not
/// fit a bounded scratch array; the caller then materialises the argument.
///
/// The threads are used from the sizes of [`parallel_by_default`], or, with `eager`,
/// from any size that gives each a task (for a caller that measured that they pay).
pub(crate) fn reduce_fused(
    src: &dyn Source,
    op: ReduceOp,
    axis: Option<usize>,
    threads: usize,
    eager: bool,
    dst: Dst,
) -> Result<Option<Reduced>> {
    let tuning = if eager {
        // Tasks of 4K elements: at the sizes where only measurement says yes, the
        // default's 64K would leave the second thread nothing to take.
        Tuning {
            par_bytes: 0,
            rows_par_bytes: 0,
            grain: 1 << 12,
            ..Tuning::DEFAULT
        }
    } else {
        Tuning::DEFAULT
    };
    reduce_fused_tuned(src, op, axis, threads, tuning, slabs::SLAB_BYTES, dst)
}

/// Whether [`reduce_fused`] (not eager) runs `src` on several of `threads` threads.
pub(crate) fn parallel_by_default(src: &dyn Source, threads: usize) -> bool {
    let Some(total) = checked_len(src.shape()) else {
        return false;
    };
    let bytes = (total as u64).saturating_mul(src.dtype().size() as u64);
    static_parallel(total, bytes, src.parallel_from(), threads, Tuning::DEFAULT)
}

/// The static rule for a run of `total` argument elements (`bytes` bytes) whose program
/// pays for threads from `from` elements: threads from `from` elements or from
/// [`Tuning::par_bytes`] read, whichever comes first (one output's tree is shared, several
/// outputs use the pool).
pub(super) fn static_parallel(
    total: usize,
    bytes: u64,
    from: usize,
    threads: usize,
    tuning: Tuning,
) -> bool {
    threads > 1 && (total >= from || bytes >= tuning.par_bytes)
}

/// [`reduce_fused`] with explicit parallel thresholds and slab size (tests force the
/// parallel paths and many slabs with them).
pub(super) fn reduce_fused_tuned(
    src: &dyn Source,
    op: ReduceOp,
    axis: Option<usize>,
    threads: usize,
    tuning: Tuning,
    slab_bytes: usize,
    dst: Dst,
) -> Result<Option<Reduced>> {
    let dtype = src.dtype();
    let out_dtype = result_dtype(op, dtype)?;
    let shape = src.shape();
    let Some(total) = checked_len(shape) else {
        return Ok(None);
    };
    // The argument as (outer, reduced, inner): element (o, i, j) is at o·len·inner + i·inner + j.
    let (outer, len, inner, out_shape) = match axis {
        None => (1, total, 1, Vec::new()),
        Some(a) if a < shape.len() => (
            shape[..a].iter().product(),
            shape[a],
            shape[a + 1..].iter().product(),
            [&shape[..a], &shape[a + 1..]].concat(),
        ),
        Some(a) => {
            return Err(Error::new(
                ErrorKind::Value,
                format!(
                    "axis {a} is out of bounds for array of dimension {}",
                    shape.len()
                ),
            ))
        }
    };
    let elem = dtype.size();
    let shape = slabs::Shape { outer, len, inner };
    if inner > 1 && !slabs::fits(shape, elem, slab_bytes) {
        return Ok(None);
    }
    let (mut out, op) = match start(op, dtype, out_dtype, &out_shape, len, dst)? {
        Start::Done(out) => return Ok(Some(out)),
        Start::Run(out, op) => (out, op),
    };
    let dst = out.bytes().as_mut_ptr();
    if inner == 1 {
        // Each output's sequence is one range of the argument: the flat path, a block of
        // short outputs or a tree of blocks per long output at a time.
        let ctx = Ctx {
            input: Input::Flat(Flat {
                src,
                len,
                outputs: outer,
                sums_own_dtype: matches!(op, ReduceOp::Sum | ReduceOp::Mean)
                    && matches!(dtype, DType::F32 | DType::F64),
                extreme: float_extreme(op, dtype),
            }),
            elem_size: elem,
            threads,
            tuning,
            count: len,
        };
        dispatch::run(op, dtype, &ctx, dst);
    } else {
        let plan = slabs::Plan {
            shape,
            dtype,
            out_size: out_dtype.size(),
            slab_bytes,
        };
        // SAFETY: `dst` holds the `outer × inner` results, in C order.
        if !unsafe { slabs::run(src, op, plan, threads, tuning, dst) } {
            return Ok(None);
        }
    }
    Ok(Some(out.done()))
}

/// For a float `min` (`Some(true)`) or `max` (`Some(false)`) of `dtype` elements: the
/// reductions a source's [`Source::extremes`] serves; `None` for every other pair.
pub(crate) fn float_extreme(op: ReduceOp, dtype: DType) -> Option<bool> {
    match (op, dtype) {
        (ReduceOp::Min | ReduceOp::Max, DType::F32 | DType::F64) => Some(op == ReduceOp::Min),
        _ => None,
    }
}

/// A flat input: output `o` reduces the source's elements `o·len .. (o+1)·len`.
pub(super) struct Flat<'a> {
    /// The argument.
    pub src: &'a dyn Source,
    /// Elements per output (nonzero).
    pub len: usize,
    /// Outputs.
    pub outputs: usize,
    /// Whether the reduction is a pairwise sum of the source's own dtype (`float32` or
    /// `float64`), whose kernel's accumulator is that dtype: then the source's
    /// [`Source::leaf_sums`] may compute its leaves.
    pub sums_own_dtype: bool,
    /// For a float `min` (`Some(true)`) or `max` (`Some(false)`), whose kernel is a fold
    /// of the source's own dtype: then the source's [`Source::extremes`] may reduce its
    /// ranges.
    pub extreme: Option<bool>,
}

/// Runs `flat` with `k`, writing `finish(acc)` for output `o` to `out[o]`.
///
/// # Safety
/// `k` loads elements of the source's dtype; `out` points to one writable `O` per output.
pub(super) unsafe fn drive_flat<K, O, F>(
    k: &K,
    flat: &Flat,
    elem_size: usize,
    threads: usize,
    tuning: Tuning,
    out: *mut O,
    finish: F,
) where
    K: Kern,
    O: Copy + Send,
    F: Fn(K::A) -> O + Sync,
{
    let out = OutPtr(out);
    let total = flat.len.saturating_mul(flat.outputs);
    let bytes = (total as u64).saturating_mul(elem_size as u64);
    let from = flat.src.parallel_from();
    let walk = Walk {
        src: flat.src,
        elem: elem_size,
        block: BLOCK_BYTES / elem_size,
        leaves: flat.src.leaf_sums().filter(|_| flat.sums_own_dtype),
        extremes: flat.extreme.and_then(|is_min| flat.src.extremes(is_min)),
    };
    if flat.outputs == 1 {
        // One output (`axis = None`): as a stored run's, its tree's nodes shared between
        // threads from the size where that pays, else the walk on the calling thread.
        let mut v = None;
        if static_parallel(total, bytes, from, threads, tuning) {
            if let Some(tree) = Tree::of(k) {
                // Costly elements are worth a task sooner (but never under a leaf).
                let grain = whole::grain(elem_size, tuning).min(from.max(LEAF));
                let node = |lo, n| walk.range(k, lo, n);
                v = tree.shared(total, threads, grain, node, |a, b| k.combine(a, b));
            }
        }
        let v = v.unwrap_or_else(|| walk.range(k, 0, total));
        // SAFETY: `out` has room for the one output.
        unsafe { out.put(0, finish(v)) };
        return;
    }
    // Several outputs, each reduced on one thread, in groups: of whole outputs that fit one
    // block (one fill, each output reduced where it lies), or that one leaf-sum call
    // covers; else one output at a time.
    let per = if walk.leaves.is_some() {
        // As many as one call's elements and leaves allow.
        (DIRECT / flat.len).min(DIRECT_LEAVES / max_leaves(flat.len))
    } else {
        walk.block / flat.len
    };
    let per = per.max(1);
    let groups = flat.outputs.div_ceil(per);
    let group = |g: usize| {
        let o0 = g * per;
        let m = per.min(flat.outputs - o0);
        let put = |r: usize, v: K::A| {
            // SAFETY: `o0 + r` is an output of this group alone, written once.
            unsafe { out.put(o0 + r, finish(v)) }
        };
        if m == 1 {
            put(0, walk.range(k, o0 * flat.len, flat.len));
        } else if let Some(src) = walk.leaves {
            direct_outputs(src, k, o0 * flat.len, flat.len, m, put);
        } else {
            walk.with_block(o0 * flat.len, m * flat.len, |run| {
                for r in 0..m {
                    let one = Run(StrideAt {
                        ptr: run.0.at(r * flat.len),
                        stride: run.0.stride,
                    });
                    put(r, reduce_range(k, &one, 0, flat.len, Fork::SERIAL));
                }
            })
        }
    };
    // Costly elements are worth a task sooner than the reduction's own grain (but no
    // task is smaller than a pairwise leaf): items of whole groups, at least that long.
    let grain = tuning.grain.min(from.max(LEAF));
    let per_item = (grain / (per * flat.len)).max(1);
    let items = groups.div_ceil(per_item);
    let each = |i: usize, _: &mut ()| {
        for g in i * per_item..((i + 1) * per_item).min(groups) {
            group(g);
        }
    };
    if !(static_parallel(total, bytes, from, threads, tuning)
        && items > 1
        && threads::share_items(threads, items, || (), each))
    {
        (0..groups).for_each(group);
    }
}

/// Appends the leaves of the pairwise tree over `lo..lo+n` to `leaves[*count..]`, left
/// to right (what `Tree::PAIRWISE.cut` gives at full depth). Without recursion or
/// indirect calls: this runs once per [`DIRECT`] elements.
fn pairwise_leaves(lo: usize, n: usize, leaves: &mut [[usize; 2]], count: &mut usize) {
    // The right halves still to visit; a node's depth is at most log2 of its length.
    let mut pending = [[0usize; 2]; usize::BITS as usize];
    let mut top = 0;
    let (mut lo, mut n) = (lo, n);
    loop {
        while n > LEAF {
            let m = split_point(n);
            pending[top] = [lo + m, n - m];
            top += 1;
            n = m;
        }
        leaves[*count] = [lo, n];
        *count += 1;
        if top == 0 {
            return;
        }
        top -= 1;
        [lo, n] = pending[top];
    }
}

/// The pairwise tree over `n` elements from the sums of its leaves, `sums[*at..]` in
/// order: each node combines its halves, left then right. Without recursion, as
/// [`pairwise_leaves`].
fn pairwise_join<K: Kern>(k: &K, n: usize, sums: &[K::A], at: &mut usize) -> K::A {
    // Per open node: its right half's length, and its left half's value once known.
    let mut rights = [0usize; usize::BITS as usize];
    let mut lefts: [Option<K::A>; usize::BITS as usize] = [None; usize::BITS as usize];
    let mut top = 0;
    let mut n = n;
    loop {
        while n > LEAF {
            let m = split_point(n);
            rights[top] = n - m;
            lefts[top] = None;
            top += 1;
            n = m;
        }
        let mut v = sums[*at];
        *at += 1;
        loop {
            if top == 0 {
                return v;
            }
            match lefts[top - 1] {
                None => {
                    lefts[top - 1] = Some(v);
                    n = rights[top - 1];
                    break;
                }
                Some(left) => {
                    v = k.combine(left, v);
                    top -= 1;
                }
            }
        }
    }
}

/// The pairwise sums of `outputs` consecutive ranges of `n` elements from `lo`
/// (`outputs · n <= DIRECT`), by one leaf-sum call: `put(r, sum)` for range `r`. The
/// leaves are the fixed tree's, and are combined as it combines them.
fn direct_outputs<K: Kern>(
    src: LeafSource,
    k: &K,
    lo: usize,
    n: usize,
    outputs: usize,
    mut put: impl FnMut(usize, K::A),
) {
    debug_assert!(outputs * n <= DIRECT);
    let mut leaves = [[0usize; 2]; DIRECT_LEAVES];
    let mut count = 0;
    for r in 0..outputs {
        pairwise_leaves(lo + r * n, n, &mut leaves, &mut count);
    }
    let mut sums = [MaybeUninit::<K::A>::uninit(); DIRECT_LEAVES];
    // Calls of the leaves in order: all at once, or, streaming, as few leaves as make
    // `AHEAD_STEP` elements (one, for a tree's leaves of 64 to 128) at a time, each after
    // prefetching past its elements.
    let mut done = 0;
    while done < count {
        let mut end = count;
        if src.ahead {
            let first = leaves[done][0];
            end = done + 1;
            while end < count && leaves[end][0] - first < AHEAD_STEP {
                end += 1;
            }
            let last = leaves[end - 1];
            src.prefetch(first, last[0] + last[1] - first);
        }
        // SAFETY: every leaf lies within the argument (the callers' ranges do), the
        // source gave `func` with the inputs it reads, and `K::A` is the source's dtype
        // (`Flat::sums_own_dtype`), so each sum written fits its slot.
        unsafe {
            (src.func)(
                end - done,
                leaves[done..].as_ptr() as *const usize,
                src.ins.as_ptr(),
                src.strides.as_ptr(),
                sums[done..].as_mut_ptr() as *mut u8,
            )
        };
        done = end;
    }
    // SAFETY: the call wrote the first `count` sums, and `MaybeUninit<A>` has `A`'s
    // layout.
    let sums = unsafe { &*(&sums[..count] as *const [MaybeUninit<K::A>] as *const [K::A]) };
    let mut at = 0;
    for r in 0..outputs {
        put(r, pairwise_join(k, n, sums, &mut at));
    }
}

/// How a flat source is cut into blocks.
#[derive(Clone, Copy)]
struct Walk<'a> {
    src: &'a dyn Source,
    /// Bytes per element.
    elem: usize,
    /// Elements per block (more than a pairwise leaf).
    block: usize,
    /// The source's leaf sums, used instead of blocks for a pairwise sum whose accumulator
    /// is the source's dtype (see [`Flat::sums_own_dtype`]).
    leaves: Option<LeafSource<'a>>,
    /// The source's running extremes, used instead of blocks for a float `min` or `max`
    /// (see [`Flat::extreme`]).
    extremes: Option<ExtremeSource<'a>>,
}

impl Walk<'_> {
    /// Reduces elements `lo..lo+n` (`n >= 1`) in `k`'s order on the calling thread, as
    /// [`super::seq::reduce_range`] would over the materialised elements.
    fn range<K: Kern>(self, k: &K, lo: usize, n: usize) -> K::A {
        match k.order() {
            Order::Pairwise => self.tree(k, lo, n),
            Order::Fold { .. } => self.fold(k, lo, n),
        }
    }

    /// The pairwise tree over `lo..lo+n`: its nodes of at most a block are computed and
    /// reduced whole (or, with the source's leaf sums, nodes of up to [`DIRECT`] elements
    /// are summed from the inputs by one call), larger ones split where the tree splits.
    fn tree<K: Kern>(self, k: &K, lo: usize, n: usize) -> K::A {
        match self.leaves {
            Some(src) if n <= DIRECT => {
                let mut v = None;
                direct_outputs(src, k, lo, n, 1, |_, s| v = Some(s));
                if let Some(v) = v {
                    return v;
                }
            }
            _ => {}
        }
        if n <= self.block {
            return self.with_block(lo, n, |run| reduce_range(k, run, 0, n, Fork::SERIAL));
        }
        let m = split_point(n);
        let a = self.tree(k, lo, m);
        k.combine(a, self.tree(k, lo + m, n - m))
    }

    /// The left fold of `lo..lo+n`: with the source's running extremes, their results
    /// for ranges of up to [`DIRECT`] elements combined in order, each range whose result
    /// is not exact folded again a block at a time; else a block at a time.
    fn fold<K: Kern>(self, k: &K, lo: usize, n: usize) -> K::A {
        let Some(src) = self.extremes else {
            return self.fold_blocks(k, lo, n);
        };
        // Without prefetches, even streaming from DRAM: the hardware prefetcher keeps up
        // with one loop over the inputs (`max(a + b)` over 1e8 `float64`s, AVX2 code, AMD
        // Zen 3: one thread 0.70-0.73 ns per element without, 0.80-0.99 with prefetches
        // every 64 or 512 elements; two threads 0.38-0.48 against 0.52-0.58).
        let mut acc: Option<K::A> = None;
        let (mut at, end) = (lo, lo + n);
        while at < end {
            let m = DIRECT.min(end - at);
            let mut v = MaybeUninit::<K::A>::uninit();
            // SAFETY: `at..at+m` lies within the argument (the callers' ranges do), the
            // source gave `func` with the inputs it reads, and `K::A` is the source's
            // dtype (`Flat::extreme`), so the extreme written fits `v`.
            let exact = unsafe {
                (src.func)(
                    m,
                    at,
                    src.ins.as_ptr(),
                    src.strides.as_ptr(),
                    v.as_mut_ptr() as *mut u8,
                )
            } != 0;
            let v = if exact {
                // SAFETY: an exact call wrote the extreme.
                unsafe { v.assume_init() }
            } else {
                self.fold_blocks(k, at, m)
            };
            acc = Some(match acc {
                None => v,
                Some(a) => k.combine(a, v),
            });
            at += m;
        }
        acc.expect("a fold of at least one element")
    }

    /// The left fold of `lo..lo+n`, a block at a time.
    fn fold_blocks<K: Kern>(self, k: &K, lo: usize, n: usize) -> K::A {
        use super::seq::Seq;
        fold_in_steps(
            lo,
            n,
            self.block,
            |lo, m| self.with_block(lo, m, |run| run.fold(k, 0, m)),
            |lo, m, acc| self.with_block(lo, m, |run| run.fold_from(k, 0, m, acc)),
        )
    }

    /// Computes elements `lo..lo+n` (`n <= block`) into a stack block and hands them to
    /// `f` as a unit-stride run. Not inlined, so that only the innermost frame of a
    /// recursion holds a block.
    #[inline(never)]
    fn with_block<R>(self, lo: usize, n: usize, f: impl FnOnce(&Run) -> R) -> R {
        debug_assert!(n <= self.block);
        let mut buf = MaybeUninit::<Block>::uninit();
        let p = buf.as_mut_ptr() as *mut u8;
        // SAFETY: `n` elements fit the block (`n <= block = BLOCK_BYTES / elem`), and the
        // callers' ranges lie within the source.
        unsafe { self.src.fill(lo, n, p) };
        // The run reads exactly the `n` elements just written.
        f(&Run(StrideAt {
            ptr: p,
            stride: self.elem as isize,
        }))
    }
}
