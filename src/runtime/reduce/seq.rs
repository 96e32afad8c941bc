//! Reducing one logical sequence of elements (a strided run, or all elements of an n-d view
//! in C order) in the documented order, on one thread or split across rayon with
//! `rayon::join`. The split points depend on the sequence length only, so the result does
//! not depend on the thread count.

use super::kernel::{Kern, Order};

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
                leaf_sum(k, TypedAt::<K::E>::new(p), n)
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
    let (a, b) = if fork.splits(n) {
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
