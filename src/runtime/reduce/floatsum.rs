//! Float `sum` and `mean` whose unit-stride subtrees are built several pairwise leaves at a
//! time.
//!
//! A leaf (see [`super`]) keeps eight accumulators, each a chain of dependent additions:
//! one leaf at a time, the adder waits on its own latency. But the leaves of a subtree are
//! independent, so with AVX-512 each leaf's eight accumulators are one vector register and
//! up to eight leaves advance in lockstep (eight chains in flight, a vector load and add
//! per eight elements of each). Their accumulators are then reduced in the leaf's own
//! order, `((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))`, eight leaves at once by
//! lane permutes that pair `r0` with `r1` and so on, keeping each left operand on the left;
//! the tail of a leaf (fewer than eight elements) is added left to right, and the leaves'
//! sums are combined in the tree's order. Every addition is the one the leaf-by-leaf walk
//! does, with the same operands in the same order, so the result has its bits.

use super::kernel::{Kern, Order};
use std::marker::PhantomData;

/// `sum` (and the sum inside `mean`) of a float type `T`, in the pairwise order.
pub(super) struct FloatSum<T>(PhantomData<T>);

impl<T> FloatSum<T> {
    /// The kernel.
    pub fn new() -> Self {
        FloatSum(PhantomData)
    }
}

/// Implements [`Kern`] for `FloatSum<$t>`, its unit-stride trees built by `$lanes`.
macro_rules! float_sum {
    ($t:ty, $lanes:ident) => {
        impl Kern for FloatSum<$t> {
            type A = $t;
            type E = $t;

            #[inline(always)]
            unsafe fn load(&self, p: *const u8) -> $t {
                // SAFETY: the caller's contract: `p` addresses a valid element.
                unsafe { (p as *const $t).read_unaligned() }
            }

            #[inline(always)]
            fn combine(&self, a: $t, b: $t) -> $t {
                a + b
            }

            fn order(&self) -> Order {
                Order::Pairwise
            }

            #[inline]
            unsafe fn tree_unit(&self, p: *const u8, n: usize) -> Option<$t> {
                #[cfg(target_arch = "x86_64")]
                if n >= 8 && x86::available() {
                    // SAFETY: the CPU has the features (checked); `n` valid elements from
                    // `p` (the caller's contract).
                    return Some(unsafe { x86::tree::<x86::$lanes>(p as *const $t, n) });
                }
                let _ = (p, n);
                None
            }
        }
    };
}

float_sum!(f64, F64x8);
float_sum!(f32, F32x8);

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::super::seq::{split_point, LEAF};
    use std::arch::x86_64::*;

    /// Whether the CPU runs this module's code (AVX-512F, and VL for the 256-bit `f32`
    /// permutes); the standard library caches the answer.
    #[inline]
    pub fn available() -> bool {
        is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("avx512vl")
    }

    /// Eight accumulators of a leaf in one vector register.
    pub trait Lanes: Copy {
        /// The element type.
        type T: Copy + std::ops::Add<Output = Self::T> + Default;
        /// Eight elements from `p` (any alignment).
        unsafe fn load(p: *const Self::T) -> Self;
        /// Lane-wise `a + b`.
        unsafe fn add(a: Self, b: Self) -> Self;
        /// All lanes zero.
        unsafe fn zero() -> Self;
        /// Lanes `0, 2, 4, 6` of `a`, then those of `b`.
        unsafe fn evens(a: Self, b: Self) -> Self;
        /// Lanes `1, 3, 5, 7` of `a`, then those of `b`.
        unsafe fn odds(a: Self, b: Self) -> Self;
        /// The eight lanes.
        unsafe fn store(v: Self) -> [Self::T; 8];
    }

    /// Eight `f64` lanes.
    #[derive(Clone, Copy)]
    pub struct F64x8(__m512d);

    /// Eight `f32` lanes.
    #[derive(Clone, Copy)]
    pub struct F32x8(__m256);

    // SAFETY (every method below): the callers run with AVX-512F and VL (`available`), and
    // pass pointers to eight readable elements.
    impl Lanes for F64x8 {
        type T = f64;
        #[inline(always)]
        unsafe fn load(p: *const f64) -> Self {
            // SAFETY: see the impl's comment.
            F64x8(unsafe { _mm512_loadu_pd(p) })
        }
        #[inline(always)]
        unsafe fn add(a: Self, b: Self) -> Self {
            // SAFETY: see the impl's comment.
            F64x8(unsafe { _mm512_add_pd(a.0, b.0) })
        }
        #[inline(always)]
        unsafe fn zero() -> Self {
            // SAFETY: see the impl's comment.
            F64x8(unsafe { _mm512_setzero_pd() })
        }
        #[inline(always)]
        unsafe fn evens(a: Self, b: Self) -> Self {
            // SAFETY: see the impl's comment.
            unsafe {
                let i = _mm512_setr_epi64(0, 2, 4, 6, 8, 10, 12, 14);
                F64x8(_mm512_permutex2var_pd(a.0, i, b.0))
            }
        }
        #[inline(always)]
        unsafe fn odds(a: Self, b: Self) -> Self {
            // SAFETY: see the impl's comment.
            unsafe {
                let i = _mm512_setr_epi64(1, 3, 5, 7, 9, 11, 13, 15);
                F64x8(_mm512_permutex2var_pd(a.0, i, b.0))
            }
        }
        #[inline(always)]
        unsafe fn store(v: Self) -> [f64; 8] {
            let mut out = [0.0; 8];
            // SAFETY: see the impl's comment; `out` has room for eight.
            unsafe { _mm512_storeu_pd(out.as_mut_ptr(), v.0) };
            out
        }
    }

    impl Lanes for F32x8 {
        type T = f32;
        #[inline(always)]
        unsafe fn load(p: *const f32) -> Self {
            // SAFETY: see the impl's comment.
            F32x8(unsafe { _mm256_loadu_ps(p) })
        }
        #[inline(always)]
        unsafe fn add(a: Self, b: Self) -> Self {
            // SAFETY: see the impl's comment.
            F32x8(unsafe { _mm256_add_ps(a.0, b.0) })
        }
        #[inline(always)]
        unsafe fn zero() -> Self {
            // SAFETY: see the impl's comment.
            F32x8(unsafe { _mm256_setzero_ps() })
        }
        #[inline(always)]
        unsafe fn evens(a: Self, b: Self) -> Self {
            // SAFETY: see the impl's comment.
            unsafe {
                let i = _mm256_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14);
                F32x8(_mm256_permutex2var_ps(a.0, i, b.0))
            }
        }
        #[inline(always)]
        unsafe fn odds(a: Self, b: Self) -> Self {
            // SAFETY: see the impl's comment.
            unsafe {
                let i = _mm256_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15);
                F32x8(_mm256_permutex2var_ps(a.0, i, b.0))
            }
        }
        #[inline(always)]
        unsafe fn store(v: Self) -> [f32; 8] {
            let mut out = [0.0; 8];
            // SAFETY: see the impl's comment; `out` has room for eight.
            unsafe { _mm256_storeu_ps(out.as_mut_ptr(), v.0) };
            out
        }
    }

    /// Subtrees of at most this many elements are cut into their leaves at once. A leaf of
    /// a split node has at least 64 elements (a split point is at least 64, and the right
    /// part is larger), so such a subtree has at most [`MAX_LEAVES`] leaves.
    const NODE: usize = 4096;
    /// The most leaves of a subtree of [`NODE`] elements.
    const MAX_LEAVES: usize = NODE / 64;

    /// The pairwise tree over the `n >= 8` elements from `p`.
    ///
    /// # Safety
    /// [`available`]; `p` addresses `n` readable elements.
    #[target_feature(enable = "avx512f,avx512vl")]
    pub unsafe fn tree<V: Lanes>(p: *const V::T, n: usize) -> V::T {
        if n <= NODE {
            // SAFETY: forwarded.
            return unsafe { node::<V>(p, n) };
        }
        let m = split_point(n);
        // SAFETY: forwarded; both halves lie within the `n` elements.
        unsafe { tree::<V>(p, m) + tree::<V>(p.add(m), n - m) }
    }

    /// The tree over `8 <= n <= NODE` elements: its leaves in groups, then their sums
    /// combined in the tree's order.
    ///
    /// # Safety
    /// As [`tree`].
    #[inline(always)]
    unsafe fn node<V: Lanes>(p: *const V::T, n: usize) -> V::T {
        let mut leaves = [(0u32, 0u32); MAX_LEAVES];
        let mut count = 0;
        cut(0, n, &mut leaves, &mut count);
        let mut sums = [V::T::default(); MAX_LEAVES];
        let mut i = 0;
        // SAFETY: forwarded; every leaf lies within the `n` elements and has at least
        // eight of them.
        unsafe {
            while count - i >= 8 {
                group::<V, 8>(p, &leaves[i..i + 8], &mut sums[i..i + 8]);
                i += 8;
            }
            if count - i >= 4 {
                group::<V, 4>(p, &leaves[i..i + 4], &mut sums[i..i + 4]);
                i += 4;
            }
            if count - i >= 2 {
                group::<V, 2>(p, &leaves[i..i + 2], &mut sums[i..i + 2]);
                i += 2;
            }
            if count - i == 1 {
                group::<V, 1>(p, &leaves[i..i + 1], &mut sums[i..i + 1]);
            }
        }
        let mut next = 0;
        join(n, &sums, &mut next)
    }

    /// Appends the leaves of the tree over `lo..lo+n` to `out`, left to right, as
    /// `(start, length)`.
    fn cut(lo: usize, n: usize, out: &mut [(u32, u32); MAX_LEAVES], count: &mut usize) {
        if n <= LEAF {
            // Within a node: both fit `u32`.
            out[*count] = (lo as u32, n as u32);
            *count += 1;
            return;
        }
        let m = split_point(n);
        cut(lo, m, out, count);
        cut(lo + m, n - m, out, count);
    }

    /// The tree over `n` elements whose leaves' sums are `sums[*next..]`, in order.
    fn join<T: Copy + std::ops::Add<Output = T>>(n: usize, sums: &[T], next: &mut usize) -> T {
        if n <= LEAF {
            let s = sums[*next];
            *next += 1;
            return s;
        }
        let m = split_point(n);
        let a = join(m, sums, next);
        let b = join(n - m, sums, next);
        a + b
    }

    /// The sums of `G` leaves (each of at least eight elements) into `out`.
    ///
    /// # Safety
    /// As [`tree`], for every leaf.
    #[inline(always)]
    unsafe fn group<V: Lanes, const G: usize>(
        p: *const V::T,
        leaves: &[(u32, u32)],
        out: &mut [V::T],
    ) {
        // SAFETY: every load reads eight elements inside a leaf (the caller's contract).
        unsafe {
            let ptr: [*const V::T; G] = std::array::from_fn(|g| p.add(leaves[g].0 as usize));
            let len: [usize; G] = std::array::from_fn(|g| leaves[g].1 as usize);
            let vecs: [usize; G] = std::array::from_fn(|g| len[g] / 8);
            let common = vecs.iter().copied().min().unwrap_or(0);
            let mut acc: [V; G] = std::array::from_fn(|g| V::load(ptr[g]));
            // The leaves in lockstep, then each one's remaining vectors (leaves of a tree
            // differ by a few vectors at most).
            for v in 1..common {
                for g in 0..G {
                    acc[g] = V::add(acc[g], V::load(ptr[g].add(8 * v)));
                }
            }
            for g in 0..G {
                for v in common.max(1)..vecs[g] {
                    acc[g] = V::add(acc[g], V::load(ptr[g].add(8 * v)));
                }
            }
            let sums = horizontal::<V>(&acc);
            for g in 0..G {
                let mut s = sums[g];
                for i in 8 * vecs[g]..len[g] {
                    s = s + ptr[g].add(i).read_unaligned();
                }
                out[g] = s;
            }
        }
    }

    /// Each register's `((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))`, for up to eight
    /// registers at once: three rounds of adding the even lanes to the odd ones, which
    /// halves the lanes per register and packs two registers' halves into one.
    ///
    /// # Safety
    /// [`available`].
    #[inline(always)]
    unsafe fn horizontal<V: Lanes>(acc: &[V]) -> [V::T; 8] {
        // SAFETY: the caller's contract.
        unsafe {
            let mut r = [V::zero(); 8];
            r[..acc.len()].copy_from_slice(acc);
            let pair = |a, b| V::add(V::evens(a, b), V::odds(a, b));
            // [a01 a23 a45 a67 b01 b23 b45 b67], …
            let s: [V; 4] = std::array::from_fn(|i| pair(r[2 * i], r[2 * i + 1]));
            // [a0-3 a4-7 b0-3 b4-7 c0-3 c4-7 d0-3 d4-7], …
            let t: [V; 2] = std::array::from_fn(|i| pair(s[2 * i], s[2 * i + 1]));
            // [a b c d e f g h]
            V::store(pair(t[0], t[1]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::seq::{serial_tree, Run, Seq, StrideAt};
    use super::*;

    /// The leaf-by-leaf tree (the generic walk) against the kernel's, bit for bit.
    fn check<T: Copy + std::fmt::Debug>(xs: &[T], bits: impl Fn(T) -> u64)
    where
        FloatSum<T>: Kern<A = T, E = T>,
    {
        let k = FloatSum::<T>::new();
        let run = Run(StrideAt {
            ptr: xs.as_ptr() as *const u8,
            stride: std::mem::size_of::<T>() as isize,
        });
        let want = serial_tree(&k, &run, 0, xs.len());
        let got = run.tree(&k, 0, xs.len());
        assert_eq!(bits(got), bits(want), "n = {}", xs.len());
    }

    #[test]
    fn lockstep_leaves_give_the_leaf_by_leaf_bits() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let sizes = (1..300)
            .chain([511, 512, 1000, 1023, 1024, 2047, 2048, 4095, 4096, 4097])
            .chain([5000, 8191, 10_000, 16_385, 100_003]);
        for n in sizes {
            // Magnitudes over many binades, so that association changes the rounding.
            let xs: Vec<f64> = (0..n)
                .map(|_| {
                    let v = next();
                    let m = (v >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
                    m * 2f64.powi((v % 40) as i32 - 20)
                })
                .collect();
            check(&xs, f64::to_bits);
            let ys: Vec<f32> = xs.iter().map(|&x| x as f32).collect();
            check(&ys, |x| x.to_bits() as u64);
        }
        // Special values: infinities and NaN propagate as in the scalar walk.
        let mut xs = vec![1.0f64; 700];
        xs[3] = f64::INFINITY;
        check(&xs, f64::to_bits);
        xs[400] = f64::NEG_INFINITY;
        check(&xs, |x| if x.is_nan() { 1 } else { x.to_bits() });
        xs[650] = f64::NAN;
        check(&xs, |x| if x.is_nan() { 1 } else { x.to_bits() });
        check(&[-0.0f64; 20], f64::to_bits);
    }
}
