//! Reducing one logical sequence of elements (a strided run, or all elements of an n-d view
//! in C order) in the documented order, on one thread or split across rayon with
//! `rayon::join`. The split points depend on the sequence length only, so the result does
//! not depend on the thread count.

use super::kernel::{Kern, Order};
use crate::runtime::prefetch::{prefetch_l2, AHEAD_BYTES};

/// Elements per pairwise leaf (NumPy's `PW_BLOCKSIZE`).
pub(super) const LEAF: usize = 128;

/// Where to fork: never inside a leaf, and only where both halves are worth a task.
#[derive(Clone, Copy, Debug)]
pub(super) struct Fork {
    /// `true` inside a rayon pool that may run halves concurrently.
    pub par: bool,
    /// The fewest elements a range must have to be split across tasks.
    pub grain: usize,
}

impl Fork {
    /// Never forks: everything on the calling thread.
    pub const SERIAL: Fork = Fork {
        par: false,
        grain: usize::MAX,
    };

    /// Whether a range of `n` elements forks.
    #[inline]
    pub fn splits(self, n: usize) -> bool {
        self.par && n >= self.grain
    }
}

/// The pairwise split point of a range of `n > LEAF` elements: half, rounded down to a
/// multiple of 8 (as NumPy's pairwise sum).
#[inline]
pub(super) fn split_point(n: usize) -> usize {
    let m = n / 2;
    m - m % 8
}

/// Element addresses by logical index.
pub(super) trait At: Copy {
    /// The address of element `i`.
    fn at(self, i: usize) -> *const u8;
}

/// A strided run: element `i` at `ptr + i·stride` (any sign, zero included).
#[derive(Clone, Copy, Debug)]
pub(super) struct StrideAt {
    /// Element 0.
    pub ptr: *const u8,
    /// Byte step.
    pub stride: isize,
}

impl At for StrideAt {
    #[inline(always)]
    fn at(self, i: usize) -> *const u8 {
        // Wrapping: the product is in bounds for every index the caller passes.
        self.ptr
            .wrapping_offset((i as isize).wrapping_mul(self.stride))
    }
}

/// A unit-stride run of `E`s: the step is a compile-time constant, so loads vectorise.
#[derive(Debug)]
pub(super) struct TypedAt<E>(pub *const u8, pub std::marker::PhantomData<E>);

impl<E> Clone for TypedAt<E> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<E> Copy for TypedAt<E> {}

impl<E> TypedAt<E> {
    /// Elements of type `E` from `ptr` on.
    #[inline(always)]
    pub fn new(ptr: *const u8) -> Self {
        TypedAt(ptr, std::marker::PhantomData)
    }
}

impl<E> At for TypedAt<E> {
    #[inline(always)]
    fn at(self, i: usize) -> *const u8 {
        (self.0 as *const E).wrapping_add(i) as *const u8
    }
}

impl At for &[*const u8] {
    #[inline(always)]
    fn at(self, i: usize) -> *const u8 {
        self[i]
    }
}

/// The leaf of the pairwise order over elements `0..n` of `at` (`1 <= n <= LEAF`).
///
/// # Safety
/// Every `at(i)`, `i < n`, is a valid element for `k`.
#[inline(always)]
pub(super) unsafe fn leaf_sum<K: Kern>(k: &K, at: impl At, n: usize) -> K::A {
    // SAFETY: every load reads an index below `n` (the caller's contract).
    unsafe {
        if n < 8 {
            let mut s = k.load(at.at(0));
            for i in 1..n {
                s = k.combine(s, k.load(at.at(i)));
            }
            return s;
        }
        let mut r: [K::A; 8] = std::array::from_fn(|j| k.load(at.at(j)));
        let full = n - n % 8;
        let mut i = 8;
        while i < full {
            for (j, rj) in r.iter_mut().enumerate() {
                *rj = k.combine(*rj, k.load(at.at(i + j)));
            }
            i += 8;
        }
        let c = |a, b| k.combine(a, b);
        let mut s = c(
            c(c(r[0], r[1]), c(r[2], r[3])),
            c(c(r[4], r[5]), c(r[6], r[7])),
        );
        for i in full..n {
            s = c(s, k.load(at.at(i)));
        }
        s
    }
}

/// Two leaves at once, `0..na` of `a` and `0..nb` of `b` (`8 <= na, nb <= LEAF`), each
/// in exactly [`leaf_sum`]'s order: interleaving their accumulator chains doubles the
/// additions in flight, which bound a leaf's speed, not its loads.
///
/// # Safety
/// As [`leaf_sum`], for both.
#[inline(always)]
pub(super) unsafe fn leaf_pair_sum<K: Kern>(
    k: &K,
    (a, na): (impl At, usize),
    (b, nb): (impl At, usize),
) -> (K::A, K::A) {
    // SAFETY: every load reads an index below `na` of `a` or `nb` of `b`.
    unsafe {
        let mut r: [K::A; 8] = std::array::from_fn(|j| k.load(a.at(j)));
        let mut s: [K::A; 8] = std::array::from_fn(|j| k.load(b.at(j)));
        let (fa, fb) = (na - na % 8, nb - nb % 8);
        let mut i = 8;
        while i < fa.min(fb) {
            for j in 0..8 {
                r[j] = k.combine(r[j], k.load(a.at(i + j)));
                s[j] = k.combine(s[j], k.load(b.at(i + j)));
            }
            i += 8;
        }
        (leaf_rest(k, a, r, i, na), leaf_rest(k, b, s, i, nb))
    }
}

/// [`leaf_sum`]'s accumulators `r` after its first `i` elements (a multiple of 8), carried
/// on to the leaf's end `n` and summed as it sums them.
///
/// # Safety
/// As [`leaf_sum`].
#[inline(always)]
unsafe fn leaf_rest<K: Kern>(k: &K, at: impl At, mut r: [K::A; 8], mut i: usize, n: usize) -> K::A {
    let full = n - n % 8;
    // SAFETY: every load reads an index below `n`.
    unsafe {
        while i < full {
            for (j, rj) in r.iter_mut().enumerate() {
                *rj = k.combine(*rj, k.load(at.at(i + j)));
            }
            i += 8;
        }
        let c = |x, y| k.combine(x, y);
        let mut t = c(
            c(c(r[0], r[1]), c(r[2], r[3])),
            c(c(r[4], r[5]), c(r[6], r[7])),
        );
        for i in full..n {
            t = c(t, k.load(at.at(i)));
        }
        t
    }
}

/// The left fold of elements `0..n` of `at` onto `acc`.
///
/// # Safety
/// As [`leaf_sum`].
#[inline(always)]
pub(super) unsafe fn fold_onto<K: Kern>(k: &K, at: impl At, n: usize, mut acc: K::A) -> K::A {
    // SAFETY: every load reads an index below `n` (the caller's contract).
    unsafe {
        for i in 0..n {
            acc = k.combine(acc, k.load(at.at(i)));
        }
        acc
    }
}

/// A logical sequence of elements that can hand out leaves.
pub(super) trait Seq: Sync {
    /// The pairwise leaf over elements `lo..lo+n` (`1 <= n <= LEAF`).
    fn leaf<K: Kern>(&self, k: &K, lo: usize, n: usize) -> K::A;
    /// The two leaves `lo..lo+m` and `lo+m..lo+n` (`1 <= m`, `n - m <= LEAF`).
    fn leaf_pair<K: Kern>(&self, k: &K, lo: usize, m: usize, n: usize) -> (K::A, K::A) {
        (self.leaf(k, lo, m), self.leaf(k, lo + m, n - m))
    }
    /// The left fold of elements `lo..lo+n` (`n >= 1`).
    fn fold<K: Kern>(&self, k: &K, lo: usize, n: usize) -> K::A;
}

/// A strided run of elements, every one valid for the kernels used on it.
#[derive(Clone, Copy, Debug)]
pub(super) struct Run(pub StrideAt);

// SAFETY: a run only reads shared, immutable elements (see `ArrayView`).
unsafe impl Sync for Run {}
// SAFETY: as above.
unsafe impl Send for Run {}

impl Run {
    /// Whether the run steps by exactly one `E`, for the constant-stride instances.
    #[inline]
    fn unit<E>(&self) -> bool {
        self.0.stride == std::mem::size_of::<E>() as isize
    }

    /// The left fold of elements `lo..lo+n` onto `acc` (a fold that continues from an
    /// earlier block's).
    pub fn fold_from<K: Kern>(&self, k: &K, lo: usize, n: usize, acc: K::A) -> K::A {
        let p = self.0.at(lo);
        // SAFETY: the run's elements `lo..lo+n` are valid by construction.
        unsafe {
            if self.unit::<K::E>() {
                k.fold_unit(p, n, acc)
            } else {
                fold_onto(
                    k,
                    StrideAt {
                        ptr: p,
                        stride: self.0.stride,
                    },
                    n,
                    acc,
                )
            }
        }
    }
}

impl Seq for Run {
    fn leaf<K: Kern>(&self, k: &K, lo: usize, n: usize) -> K::A {
        let p = self.0.at(lo);
        // SAFETY: the run's elements `lo..lo+n` are valid by construction.
        unsafe {
            if self.unit::<K::E>() {
                k.leaf_unit(p, n)
            } else {
                leaf_sum(
                    k,
                    StrideAt {
                        ptr: p,
                        stride: self.0.stride,
                    },
                    n,
                )
            }
        }
    }

    fn leaf_pair<K: Kern>(&self, k: &K, lo: usize, m: usize, n: usize) -> (K::A, K::A) {
        if !(self.unit::<K::E>() && m >= 8 && n - m >= 8) {
            return (self.leaf(k, lo, m), self.leaf(k, lo + m, n - m));
        }
        let (p, q) = (self.0.at(lo), self.0.at(lo + m));
        // SAFETY: the run's elements `lo..lo+n` are valid by construction.
        unsafe { k.leaf_pair_unit(p, m, q, n - m) }
    }

    fn fold<K: Kern>(&self, k: &K, lo: usize, n: usize) -> K::A {
        let stride = self.0.stride;
        // SAFETY: as in `leaf`; elements `lo+1..lo+n` follow the first.
        unsafe {
            let first = k.load(self.0.at(lo));
            let rest = self.0.at(lo + 1);
            if self.unit::<K::E>() {
                k.fold_unit(rest, n - 1, first)
            } else {
                fold_onto(k, StrideAt { ptr: rest, stride }, n - 1, first)
            }
        }
    }
}

/// A unit-stride [`Run`] too large for the caches: each leaf, and each step of a fold,
/// first prefetches the lines [`AHEAD_BYTES`] beyond it (`runtime::prefetch`). Nothing is
/// reordered: the leaves, and the fold's steps, are those of the run.
#[derive(Clone, Copy, Debug)]
pub(super) struct Ahead(pub Run);

impl Ahead {
    /// The run, wrapped when it steps by one `E` and spans at least `from` bytes over
    /// `len` elements; `None` otherwise.
    pub fn of<E>(run: Run, len: usize, from: u64) -> Option<Ahead> {
        let bytes = (len as u64).saturating_mul(std::mem::size_of::<E>() as u64);
        (run.unit::<E>() && bytes >= from).then_some(Ahead(run))
    }

    /// Prefetches the lines `AHEAD_BYTES` past elements `lo..lo+n` of `E`s.
    #[inline(always)]
    fn ahead<E>(&self, lo: usize, n: usize) {
        let size = std::mem::size_of::<E>();
        prefetch_l2(
            self.0 .0.at(lo).wrapping_add(AHEAD_BYTES),
            n.saturating_mul(size),
        );
    }
}

impl Seq for Ahead {
    fn leaf<K: Kern>(&self, k: &K, lo: usize, n: usize) -> K::A {
        self.ahead::<K::E>(lo, n);
        self.0.leaf(k, lo, n)
    }

    fn leaf_pair<K: Kern>(&self, k: &K, lo: usize, m: usize, n: usize) -> (K::A, K::A) {
        self.ahead::<K::E>(lo, n);
        self.0.leaf_pair(k, lo, m, n)
    }

    fn fold<K: Kern>(&self, k: &K, lo: usize, n: usize) -> K::A {
        // Each step is as long as the prefetch distance, so its burst asks for the next
        // step's lines.
        let step = (AHEAD_BYTES / std::mem::size_of::<K::E>().max(1)).max(1);
        fold_in_steps(
            lo,
            n,
            step,
            |lo, m| {
                self.ahead::<K::E>(lo, m);
                self.0.fold(k, lo, m)
            },
            |lo, m, acc| {
                self.ahead::<K::E>(lo, m);
                self.0.fold_from(k, lo, m, acc)
            },
        )
    }
}

/// The left fold of elements `lo..lo+n` (`n >= 1`) in steps of at most `step` elements:
/// `first(lo, m)` folds the first step, `then(lo, m, acc)` continues `acc` over each later
/// one. A left fold continued step by step is the same fold.
pub(super) fn fold_in_steps<A>(
    lo: usize,
    n: usize,
    step: usize,
    first: impl FnOnce(usize, usize) -> A,
    mut then: impl FnMut(usize, usize, A) -> A,
) -> A {
    let m = n.min(step);
    let mut acc = first(lo, m);
    let mut done = m;
    while done < n {
        let m = (n - done).min(step);
        acc = then(lo + done, m, acc);
        done += m;
    }
    acc
}

/// All elements of an n-d view (at least two axes left after collapsing), in C order.
#[derive(Clone, Debug)]
pub(super) struct Nd {
    /// Element `[0, …, 0]`.
    pub ptr: *const u8,
    /// `(extent, byte stride)` per axis, outermost first; no extent is 0.
    pub dims: Vec<(usize, isize)>,
}

// SAFETY: as `Run`.
unsafe impl Sync for Nd {}
// SAFETY: as `Run`.
unsafe impl Send for Nd {}

impl Nd {
    /// The addresses of elements `lo..lo+buf.len()`, by an odometer from `lo`'s index.
    fn gather(&self, lo: usize, buf: &mut [*const u8]) {
        let nd = self.dims.len();
        let mut idx = vec![0usize; nd];
        let mut rem = lo;
        let mut p = self.ptr;
        for a in (0..nd).rev() {
            let (len, stride) = self.dims[a];
            idx[a] = rem % len;
            rem /= len;
            p = p.wrapping_offset((idx[a] as isize).wrapping_mul(stride));
        }
        for slot in buf.iter_mut() {
            *slot = p;
            // Step the odometer, innermost axis first.
            for a in (0..nd).rev() {
                let (len, stride) = self.dims[a];
                idx[a] += 1;
                p = p.wrapping_offset(stride);
                if idx[a] < len {
                    break;
                }
                p = p.wrapping_offset((len as isize).wrapping_mul(stride).wrapping_neg());
                idx[a] = 0;
            }
        }
    }
}

impl Seq for Nd {
    fn leaf<K: Kern>(&self, k: &K, lo: usize, n: usize) -> K::A {
        let mut buf = [std::ptr::null(); LEAF];
        self.gather(lo, &mut buf[..n]);
        // SAFETY: `gather` gave the addresses of valid elements `lo..lo+n`.
        unsafe { leaf_sum(k, &buf[..n], n) }
    }

    fn fold<K: Kern>(&self, k: &K, lo: usize, n: usize) -> K::A {
        let mut buf = [std::ptr::null(); LEAF];
        let first = n.min(LEAF);
        self.gather(lo, &mut buf[..first]);
        // SAFETY: as in `leaf`, chunk by chunk.
        let mut acc = unsafe { k.load(buf[0]) };
        // SAFETY: as in `leaf`.
        acc = unsafe { fold_onto(k, &buf[1..first], first - 1, acc) };
        let mut done = first;
        while done < n {
            let m = (n - done).min(LEAF);
            self.gather(lo + done, &mut buf[..m]);
            // SAFETY: as above.
            acc = unsafe { fold_onto(k, &buf[..m], m, acc) };
            done += m;
        }
        acc
    }
}

/// Reduces elements `lo..lo+n` (`n >= 1`) of `seq` in `k`'s order.
pub(super) fn reduce_range<K: Kern, S: Seq>(
    k: &K,
    seq: &S,
    lo: usize,
    n: usize,
    fork: Fork,
) -> K::A {
    match k.order() {
        Order::Pairwise => pairwise(k, seq, lo, n, fork),
        Order::Fold { split: true } if fork.splits(n) => {
            let m = n / 2;
            let (a, b) = rayon::join(
                || reduce_range(k, seq, lo, m, fork),
                || reduce_range(k, seq, lo + m, n - m, fork),
            );
            k.combine(a, b)
        }
        Order::Fold { .. } => seq.fold(k, lo, n),
    }
}

/// The pairwise order: a leaf up to [`LEAF`] elements, else the two halves at
/// [`split_point`], combined left then right.
fn pairwise<K: Kern, S: Seq>(k: &K, seq: &S, lo: usize, n: usize, fork: Fork) -> K::A {
    if n <= LEAF {
        return seq.leaf(k, lo, n);
    }
    let m = split_point(n);
    let (a, b) = if n - m <= LEAF && !fork.splits(n) {
        seq.leaf_pair(k, lo, m, n)
    } else if fork.splits(n) {
        rayon::join(
            || pairwise(k, seq, lo, m, fork),
            || pairwise(k, seq, lo + m, n - m, fork),
        )
    } else {
        (
            pairwise(k, seq, lo, m, fork),
            pairwise(k, seq, lo + m, n - m, fork),
        )
    };
    k.combine(a, b)
}

/// Tasks per thread a shared tree is cut into, so that a worker that starts late, or a
/// core that another process holds, delays the call by a small task only.
const TASKS_PER_THREAD: usize = 4;

/// The shape of a fixed reduction tree: where a node of `n` elements splits, and the size
/// up to which a node is not split at all.
#[derive(Clone, Copy, Debug)]
pub(super) struct Tree {
    /// The left part's length of a node of `n > leaf` elements.
    pub split: fn(usize) -> usize,
    /// Nodes of at most this many elements are never split.
    pub leaf: usize,
}

impl Tree {
    /// The pairwise tree of the module doc.
    pub const PAIRWISE: Tree = Tree {
        split: split_point,
        leaf: LEAF,
    };
    /// The halving of a splittable fold.
    pub const HALVES: Tree = Tree {
        split: |n| n / 2,
        leaf: 1,
    };

    /// The tree `k`'s order computes in parallel, if any (a fold that may not be split has
    /// none).
    pub fn of<K: Kern>(k: &K) -> Option<Tree> {
        match k.order() {
            Order::Pairwise => Some(Tree::PAIRWISE),
            Order::Fold { split: true } => Some(Tree::HALVES),
            Order::Fold { split: false } => None,
        }
    }

    /// Appends the nodes `depth` levels below the node `lo..lo+n` (or the leaves above
    /// that depth) to `out`, left to right.
    fn cut(self, lo: usize, n: usize, depth: u32, out: &mut Vec<(usize, usize)>) {
        if depth == 0 || n <= self.leaf {
            out.push((lo, n));
            return;
        }
        let m = (self.split)(n);
        self.cut(lo, m, depth - 1, out);
        self.cut(lo + m, n - m, depth - 1, out);
    }

    /// Combines the values of the nodes [`Tree::cut`] gave, in the tree's order.
    fn join<A>(
        self,
        n: usize,
        depth: u32,
        vals: &mut impl Iterator<Item = A>,
        combine: &impl Fn(A, A) -> A,
    ) -> Option<A> {
        if depth == 0 || n <= self.leaf {
            return vals.next();
        }
        let m = (self.split)(n);
        let a = self.join(m, depth - 1, vals, combine)?;
        let b = self.join(n - m, depth - 1, vals, combine)?;
        Some(combine(a, b))
    }

    /// The tree's value over `0..n`, its nodes at one depth computed as tasks shared by
    /// `threads` threads, the calling thread among them (`threads::share_items`): deep
    /// enough for [`TASKS_PER_THREAD`] tasks per thread, but no task under `grain`
    /// elements. `node(lo, len)` computes a node's value on the calling thread; nodes are
    /// combined as the tree combines them, so the value is the serial walk's. `None`
    /// (nothing computed) when that leaves one task, or no second thread can be started.
    pub fn shared<A: Send>(
        self,
        n: usize,
        threads: usize,
        grain: usize,
        node: impl Fn(usize, usize) -> A + Sync,
        combine: impl Fn(A, A) -> A,
    ) -> Option<A> {
        let mut depth = 0u32;
        while (1usize << depth) < TASKS_PER_THREAD * threads
            && (n >> (depth + 1)) >= grain.max(1)
            && (n >> depth) > self.leaf
        {
            depth += 1;
        }
        if depth == 0 {
            return None;
        }
        let mut nodes = Vec::with_capacity(1 << depth);
        self.cut(0, n, depth, &mut nodes);
        let mut vals: Vec<Option<A>> = (0..nodes.len()).map(|_| None).collect();
        let slots = Slots(vals.as_mut_ptr());
        let shared = crate::runtime::threads::share_items(
            threads,
            nodes.len(),
            || (),
            |i, _| {
                let (lo, len) = nodes[i];
                // SAFETY: `i` is one of the `nodes.len()` slots, and each task writes only
                // its own, once, while `vals` outlives the shared run.
                unsafe { slots.put(i, node(lo, len)) };
            },
        );
        if !shared {
            return None;
        }
        self.join(n, depth, &mut vals.into_iter().flatten(), &combine)
    }
}

/// The value slots of [`Tree::shared`]'s tasks, written from several threads.
struct Slots<A>(*mut Option<A>);

// SAFETY: tasks write disjoint slots of a vector that outlives them, then the calling
// thread reads them after the join.
unsafe impl<A: Send> Sync for Slots<A> {}

impl<A> Slots<A> {
    /// Writes slot `i`.
    ///
    /// # Safety
    /// `i` is a slot, and no other task writes it.
    unsafe fn put(&self, i: usize, v: A) {
        // SAFETY: the caller's contract; the old value is `None`, which owns nothing.
        unsafe { self.0.add(i).write(Some(v)) }
    }
}
