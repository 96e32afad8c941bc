//! Float `sum` and `mean` whose unit-stride pairwise leaves are written with explicit
//! vectors.
//!
//! A leaf's eight accumulators `r0 … r7` (see [`super`]) are exactly the lanes of the
//! vectors loaded from eight consecutive elements, so one vector addition per vector and
//! step computes every accumulator in the leaf's order. LLVM's vectoriser did not find
//! this from the generic leaf: it paired lanes of different accumulators and shuffled
//! them back every step (one core summing 1e5 float64 from L1: 0.136 against 0.083 ns
//! per element; over 1e7, 0.289 against 0.232).
//!
//! The eight are one `f64x8` where the host has AVX-512F, two `f64x4` (one `f32x8`) where
//! it has AVX, and four `f64x2` (two `f32x4`) otherwise: the same additions, so the same
//! bits, whichever runs. The widest loads matter once the data streams from the LLC or
//! memory, where a core's bandwidth grows with the width of its loads. SSE2 is part of the
//! x86-64 baseline; elsewhere the eight are a plain array.

use super::floatrows::RowsLeaf;
use super::kernel::{Kern, Order};
use super::seq::{leaf_sum, TypedAt};

/// `sum` (and the sum of `mean`) of a float type `T`, accumulated in `T`.
pub(super) struct FloatSum<T>(std::marker::PhantomData<T>);

impl<T> FloatSum<T> {
    /// The kernel.
    pub fn new() -> Self {
        FloatSum(std::marker::PhantomData)
    }
}

/// The float element types, with their leaves in the widest vectors the host has.
pub(super) trait Float: Copy + Send + Sync + std::ops::Add<Output = Self> + 'static {
    /// A leaf of `n >= 8` elements from `p`, in [`leaf_sum`]'s order.
    ///
    /// # Safety
    /// `p` addresses `n` valid elements.
    unsafe fn leaf(p: *const Self, n: usize) -> Self;
    /// Two leaves of `na, nb >= 8` elements, as [`Float::leaf`] each.
    ///
    /// # Safety
    /// `a` and `b` address `na` and `nb` valid elements.
    unsafe fn leaf_pair(a: *const Self, na: usize, b: *const Self, nb: usize) -> (Self, Self);
    /// The leaf of rows down a tile of `out.len()` unit-stride columns (`floatrows`), where
    /// the host's vectors hold a strip's accumulators; `false` (nothing written) where
    /// they do not.
    ///
    /// # Safety
    /// Every element of the leaf's rows and `out.len()` columns is valid.
    unsafe fn leaf_rows(leaf: RowsLeaf, out: &mut [Self]) -> bool;
}

/// Eight consecutive elements of `T` in some vectors: a leaf's eight accumulators.
pub(super) trait Eight<T>: Copy {
    /// Loads the eight elements from `p`.
    ///
    /// # Safety
    /// `p` addresses eight valid elements, and the host has the vectors' instructions.
    unsafe fn load8(p: *const T) -> Self;
    /// Adds lane by lane.
    ///
    /// # Safety
    /// The host has the vectors' instructions.
    unsafe fn add8(self, b: Self) -> Self;
    /// The eight lanes in element order.
    fn lanes(self) -> [T; 8];
}

impl<T: Float> Kern for FloatSum<T> {
    type A = T;
    type E = T;

    #[inline(always)]
    unsafe fn load(&self, p: *const u8) -> T {
        // SAFETY: `p` addresses a valid `T` (the caller's contract), maybe unaligned.
        unsafe { (p as *const T).read_unaligned() }
    }

    #[inline(always)]
    fn combine(&self, a: T, b: T) -> T {
        a + b
    }

    fn order(&self) -> Order {
        Order::Pairwise
    }

    #[inline(always)]
    unsafe fn leaf_unit(&self, p: *const u8, n: usize) -> T {
        // SAFETY: `n` valid elements from `p` (the caller's contract).
        unsafe {
            if n < 8 {
                leaf_sum(self, TypedAt::<T>::new(p), n)
            } else {
                T::leaf(p as *const T, n)
            }
        }
    }

    #[inline(always)]
    unsafe fn leaf_pair_unit(&self, a: *const u8, na: usize, b: *const u8, nb: usize) -> (T, T) {
        // SAFETY: the caller's contract.
        unsafe { T::leaf_pair(a as *const T, na, b as *const T, nb) }
    }

    #[inline(always)]
    unsafe fn leaf_rows_unit(&self, leaf: RowsLeaf, out: &mut [T]) -> bool {
        // SAFETY: the caller's contract.
        unsafe { T::leaf_rows(leaf, out) }
    }
}

/// `((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))`.
#[inline(always)]
pub(super) fn combine8<T: Float>(r: [T; 8]) -> T {
    ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
}

/// [`combine8`] of eight vectors, lane by lane.
///
/// # Safety
/// The host has `V`'s instructions.
#[inline(always)]
pub(super) unsafe fn combine8_lanes<T, V: Eight<T>>(r: [V; 8]) -> V {
    // SAFETY: the caller's contract.
    unsafe {
        let (a, b) = (r[0].add8(r[1]), r[2].add8(r[3]));
        let (c, d) = (r[4].add8(r[5]), r[6].add8(r[7]));
        a.add8(b).add8(c.add8(d))
    }
}

/// The leaves `0..na` of `a` and `0..nb` of `b` (`8 <= na, nb <= LEAF`), each in
/// [`leaf_sum`]'s order, their steps interleaved (twice the additions in flight).
///
/// # Safety
/// `a` and `b` address `na` and `nb` valid elements; the host has `V`'s instructions.
#[inline(always)]
unsafe fn pair_in<T: Float, V: Eight<T>>(a: *const T, na: usize, b: *const T, nb: usize) -> (T, T) {
    let full = (na - na % 8).min(nb - nb % 8);
    // SAFETY: every load reads elements `i..i+8` with `i + 8 <= full`, within both leaves
    // (the caller's contract).
    unsafe {
        let (mut r, mut s) = (V::load8(a), V::load8(b));
        let mut i = 8;
        while i < full {
            r = r.add8(V::load8(a.add(i)));
            s = s.add8(V::load8(b.add(i)));
            i += 8;
        }
        (rest_in(r, a, i, na), rest_in(s, b, i, nb))
    }
}

/// A leaf of `n` elements from `p` whose accumulators `r` have taken its first `i`
/// (a multiple of 8), carried on to its end and summed in [`leaf_sum`]'s order.
///
/// # Safety
/// `p` addresses `n` valid elements; the host has `V`'s instructions.
#[inline(always)]
unsafe fn rest_in<T: Float, V: Eight<T>>(mut r: V, p: *const T, mut i: usize, n: usize) -> T {
    let full = n - n % 8;
    // SAFETY: every load reads elements `i..i+8` with `i + 8 <= full <= n`, and the tail
    // elements below `n` (the caller's contract).
    unsafe {
        while i < full {
            r = r.add8(V::load8(p.add(i)));
            i += 8;
        }
        let mut s = combine8(r.lanes());
        for k in full..n {
            s = s + p.add(k).read_unaligned();
        }
        s
    }
}

/// A leaf of `n >= 8` elements in `V`.
///
/// # Safety
/// `p` addresses `n` valid elements; the host has `V`'s instructions.
#[inline(always)]
unsafe fn leaf_in<T: Float, V: Eight<T>>(p: *const T, n: usize) -> T {
    // SAFETY: the caller's contract.
    unsafe { rest_in(V::load8(p), p, 8, n) }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    //! The x86-64 vectors, and the leaves in each width behind the feature they need.

    use super::{leaf_in, pair_in, Eight, Float};
    use crate::runtime::reduce::floatrows::{leaf_rows_in, RowsLeaf};
    use std::arch::x86_64::*;

    /// Four `f64x2`: lane `l` of vector `j` is element `2j + l`.
    #[derive(Clone, Copy)]
    pub struct Sse64([__m128d; 4]);
    /// Two `f64x4`.
    #[derive(Clone, Copy)]
    pub struct Avx64([__m256d; 2]);
    /// One `f64x8`.
    #[derive(Clone, Copy)]
    pub struct Avx512F64(__m512d);
    /// Two `f32x4`.
    #[derive(Clone, Copy)]
    pub struct Sse32([__m128; 2]);
    /// One `f32x8`.
    #[derive(Clone, Copy)]
    pub struct Avx32(__m256);

    impl Eight<f64> for Sse64 {
        #[inline(always)]
        unsafe fn load8(p: *const f64) -> Self {
            // SAFETY: eight valid elements from `p` (the caller's contract); SSE2 is part
            // of the x86-64 baseline.
            Sse64(std::array::from_fn(|j| unsafe {
                _mm_loadu_pd(p.add(2 * j))
            }))
        }
        #[inline(always)]
        unsafe fn add8(self, b: Self) -> Self {
            // SAFETY: SSE2 is part of the x86-64 baseline.
            Sse64(std::array::from_fn(|j| unsafe {
                _mm_add_pd(self.0[j], b.0[j])
            }))
        }
        #[inline(always)]
        fn lanes(self) -> [f64; 8] {
            // SAFETY: four `f64x2` are eight `f64`, lanes in order.
            unsafe { std::mem::transmute::<[__m128d; 4], [f64; 8]>(self.0) }
        }
    }

    impl Eight<f64> for Avx64 {
        #[inline]
        #[target_feature(enable = "avx")]
        unsafe fn load8(p: *const f64) -> Self {
            // SAFETY: eight valid elements from `p` (the caller's contract).
            Avx64(unsafe { [_mm256_loadu_pd(p), _mm256_loadu_pd(p.add(4))] })
        }
        #[inline]
        #[target_feature(enable = "avx")]
        unsafe fn add8(self, b: Self) -> Self {
            Avx64([
                _mm256_add_pd(self.0[0], b.0[0]),
                _mm256_add_pd(self.0[1], b.0[1]),
            ])
        }
        #[inline(always)]
        fn lanes(self) -> [f64; 8] {
            // SAFETY: two `f64x4` are eight `f64`, lanes in order.
            unsafe { std::mem::transmute::<[__m256d; 2], [f64; 8]>(self.0) }
        }
    }

    impl Eight<f64> for Avx512F64 {
        #[inline]
        #[target_feature(enable = "avx512f")]
        unsafe fn load8(p: *const f64) -> Self {
            // SAFETY: eight valid elements from `p` (the caller's contract).
            Avx512F64(unsafe { _mm512_loadu_pd(p) })
        }
        #[inline]
        #[target_feature(enable = "avx512f")]
        unsafe fn add8(self, b: Self) -> Self {
            Avx512F64(_mm512_add_pd(self.0, b.0))
        }
        #[inline(always)]
        fn lanes(self) -> [f64; 8] {
            // SAFETY: one `f64x8` is eight `f64`, lanes in order.
            unsafe { std::mem::transmute::<__m512d, [f64; 8]>(self.0) }
        }
    }

    impl Eight<f32> for Sse32 {
        #[inline(always)]
        unsafe fn load8(p: *const f32) -> Self {
            // SAFETY: eight valid elements from `p` (the caller's contract); SSE is part
            // of the x86-64 baseline.
            Sse32(std::array::from_fn(|j| unsafe {
                _mm_loadu_ps(p.add(4 * j))
            }))
        }
        #[inline(always)]
        unsafe fn add8(self, b: Self) -> Self {
            // SAFETY: SSE is part of the x86-64 baseline.
            Sse32(std::array::from_fn(|j| unsafe {
                _mm_add_ps(self.0[j], b.0[j])
            }))
        }
        #[inline(always)]
        fn lanes(self) -> [f32; 8] {
            // SAFETY: two `f32x4` are eight `f32`, lanes in order.
            unsafe { std::mem::transmute::<[__m128; 2], [f32; 8]>(self.0) }
        }
    }

    impl Eight<f32> for Avx32 {
        #[inline]
        #[target_feature(enable = "avx")]
        unsafe fn load8(p: *const f32) -> Self {
            // SAFETY: eight valid elements from `p` (the caller's contract).
            Avx32(unsafe { _mm256_loadu_ps(p) })
        }
        #[inline]
        #[target_feature(enable = "avx")]
        unsafe fn add8(self, b: Self) -> Self {
            Avx32(_mm256_add_ps(self.0, b.0))
        }
        #[inline(always)]
        fn lanes(self) -> [f32; 8] {
            // SAFETY: one `f32x8` is eight `f32`, lanes in order.
            unsafe { std::mem::transmute::<__m256, [f32; 8]>(self.0) }
        }
    }

    /// Which vectors the host's leaves use.
    #[derive(Clone, Copy, PartialEq, Eq, Debug)]
    pub enum Width {
        /// 128-bit: the baseline.
        Sse,
        /// 256-bit.
        Avx,
        /// 512-bit (`float64` only; eight `float32` fill 256 bits).
        Avx512,
    }

    /// The widest the host has.
    #[inline(always)]
    pub fn host_width() -> Width {
        if is_x86_feature_detected!("avx512f") {
            Width::Avx512
        } else if is_x86_feature_detected!("avx") {
            Width::Avx
        } else {
            Width::Sse
        }
    }

    /// Defines the leaf entry points of one width, compiled for its feature.
    macro_rules! entries {
        ($leaf:ident, $pair:ident, $t:ty, $v:ty, $feature:literal) => {
            /// A leaf in this width.
            ///
            /// # Safety
            /// As [`leaf_in`]; the host has the feature.
            #[target_feature(enable = $feature)]
            pub unsafe fn $leaf(p: *const $t, n: usize) -> $t {
                // SAFETY: the caller's contract.
                unsafe { leaf_in::<$t, $v>(p, n) }
            }

            /// Two leaves in this width.
            ///
            /// # Safety
            /// As [`pair_in`]; the host has the feature.
            #[target_feature(enable = $feature)]
            pub unsafe fn $pair(a: *const $t, na: usize, b: *const $t, nb: usize) -> ($t, $t) {
                // SAFETY: the caller's contract.
                unsafe { pair_in::<$t, $v>(a, na, b, nb) }
            }
        };
    }
    entries!(leaf_avx512_f64, pair_avx512_f64, f64, Avx512F64, "avx512f");
    entries!(leaf_avx_f64, pair_avx_f64, f64, Avx64, "avx");
    entries!(leaf_avx_f32, pair_avx_f32, f32, Avx32, "avx");

    /// Defines a leaf down the rows in one width: strips of `8·$s` columns, whose eight
    /// accumulators take `8·$s` of the width's vectors (16 of AVX-512's 32 registers, 8
    /// or 16 of AVX's 16), or, where the rows stream from memory, runs of `8·$s` columns
    /// a class of rows at a time.
    macro_rules! rows_entry {
        ($name:ident, $t:ty, $v:ty, $s:literal, $feature:literal) => {
            /// A leaf down the rows in this width.
            ///
            /// # Safety
            /// As [`leaf_rows_in`]; the host has the feature.
            #[target_feature(enable = $feature)]
            pub unsafe fn $name(leaf: RowsLeaf, out: &mut [$t]) {
                // SAFETY: the caller's contract.
                unsafe { leaf_rows_in::<$t, $v, $s>(leaf, out) }
            }
        };
    }
    rows_entry!(rows_avx512_f64, f64, Avx512F64, 2, "avx512f");
    rows_entry!(rows_avx_f64, f64, Avx64, 1, "avx");
    rows_entry!(rows_avx512_f32, f32, Avx32, 2, "avx512f");
    rows_entry!(rows_avx_f32, f32, Avx32, 1, "avx");

    /// A leaf of `float64` in `width`.
    ///
    /// # Safety
    /// As [`leaf_in`]; the host has `width`.
    #[inline(always)]
    pub unsafe fn leaf_f64(width: Width, p: *const f64, n: usize) -> f64 {
        // SAFETY: the caller's contract.
        unsafe {
            match width {
                Width::Avx512 => leaf_avx512_f64(p, n),
                Width::Avx => leaf_avx_f64(p, n),
                Width::Sse => leaf_in::<f64, Sse64>(p, n),
            }
        }
    }

    /// Two leaves of `float64` in `width`.
    ///
    /// # Safety
    /// As [`pair_in`]; the host has `width`.
    #[inline(always)]
    pub unsafe fn pair_f64(
        width: Width,
        a: *const f64,
        na: usize,
        b: *const f64,
        nb: usize,
    ) -> (f64, f64) {
        // SAFETY: the caller's contract.
        unsafe {
            match width {
                Width::Avx512 => pair_avx512_f64(a, na, b, nb),
                Width::Avx => pair_avx_f64(a, na, b, nb),
                Width::Sse => pair_in::<f64, Sse64>(a, na, b, nb),
            }
        }
    }

    /// A leaf of `float32` in `width`.
    ///
    /// # Safety
    /// As [`leaf_in`]; the host has `width`.
    #[inline(always)]
    pub unsafe fn leaf_f32(width: Width, p: *const f32, n: usize) -> f32 {
        // SAFETY: the caller's contract.
        unsafe {
            match width {
                Width::Avx512 | Width::Avx => leaf_avx_f32(p, n),
                Width::Sse => leaf_in::<f32, Sse32>(p, n),
            }
        }
    }

    /// Two leaves of `float32` in `width`.
    ///
    /// # Safety
    /// As [`pair_in`]; the host has `width`.
    #[inline(always)]
    pub unsafe fn pair_f32(
        width: Width,
        a: *const f32,
        na: usize,
        b: *const f32,
        nb: usize,
    ) -> (f32, f32) {
        // SAFETY: the caller's contract.
        unsafe {
            match width {
                Width::Avx512 | Width::Avx => pair_avx_f32(a, na, b, nb),
                Width::Sse => pair_in::<f32, Sse32>(a, na, b, nb),
            }
        }
    }

    /// A leaf down the rows in the widest of AVX and AVX-512 the host has; `false` where it
    /// has neither.
    ///
    /// # Safety
    /// As [`leaf_rows_in`].
    #[inline(always)]
    unsafe fn rows_in_host_width<T>(
        leaf: RowsLeaf,
        out: &mut [T],
        (avx, avx512): (RowsFn<T>, RowsFn<T>),
    ) -> bool {
        // SAFETY: the caller's contract; `host_width` is what the host has.
        unsafe {
            match host_width() {
                Width::Avx512 => avx512(leaf, out),
                Width::Avx => avx(leaf, out),
                Width::Sse => return false,
            }
        }
        true
    }

    /// A leaf-down-the-rows entry of one width.
    type RowsFn<T> = unsafe fn(RowsLeaf, &mut [T]);

    impl Float for f64 {
        #[inline(always)]
        unsafe fn leaf(p: *const f64, n: usize) -> f64 {
            // SAFETY: the caller's contract; `host_width` is what the host has.
            unsafe { leaf_f64(host_width(), p, n) }
        }
        #[inline(always)]
        unsafe fn leaf_pair(a: *const f64, na: usize, b: *const f64, nb: usize) -> (f64, f64) {
            // SAFETY: as above.
            unsafe { pair_f64(host_width(), a, na, b, nb) }
        }
        #[inline(always)]
        unsafe fn leaf_rows(leaf: RowsLeaf, out: &mut [f64]) -> bool {
            // SAFETY: the caller's contract.
            unsafe { rows_in_host_width(leaf, out, (rows_avx_f64, rows_avx512_f64)) }
        }
    }

    impl Float for f32 {
        #[inline(always)]
        unsafe fn leaf(p: *const f32, n: usize) -> f32 {
            // SAFETY: the caller's contract; `host_width` is what the host has.
            unsafe { leaf_f32(host_width(), p, n) }
        }
        #[inline(always)]
        unsafe fn leaf_pair(a: *const f32, na: usize, b: *const f32, nb: usize) -> (f32, f32) {
            // SAFETY: as above.
            unsafe { pair_f32(host_width(), a, na, b, nb) }
        }
        #[inline(always)]
        unsafe fn leaf_rows(leaf: RowsLeaf, out: &mut [f32]) -> bool {
            // SAFETY: the caller's contract.
            unsafe { rows_in_host_width(leaf, out, (rows_avx_f32, rows_avx512_f32)) }
        }
    }
}

/// Elsewhere, plain arrays.
#[cfg(not(target_arch = "x86_64"))]
mod plain {
    use super::{leaf_in, pair_in, Eight, Float};
    use crate::runtime::reduce::floatrows::RowsLeaf;

    /// Eight elements in an array.
    #[derive(Clone, Copy)]
    pub struct Plain<T>([T; 8]);

    impl<T: Float> Eight<T> for Plain<T> {
        #[inline(always)]
        unsafe fn load8(p: *const T) -> Self {
            // SAFETY: eight valid elements from `p` (the caller's contract).
            Plain(std::array::from_fn(|j| unsafe {
                p.add(j).read_unaligned()
            }))
        }
        #[inline(always)]
        unsafe fn add8(self, b: Self) -> Self {
            Plain(std::array::from_fn(|j| self.0[j] + b.0[j]))
        }
        #[inline(always)]
        fn lanes(self) -> [T; 8] {
            self.0
        }
    }

    macro_rules! plain_float {
        ($t:ty) => {
            impl Float for $t {
                #[inline(always)]
                unsafe fn leaf(p: *const $t, n: usize) -> $t {
                    // SAFETY: the caller's contract.
                    unsafe { leaf_in::<$t, Plain<$t>>(p, n) }
                }
                #[inline(always)]
                unsafe fn leaf_pair(a: *const $t, na: usize, b: *const $t, nb: usize) -> ($t, $t) {
                    // SAFETY: the caller's contract.
                    unsafe { pair_in::<$t, Plain<$t>>(a, na, b, nb) }
                }
                #[inline(always)]
                unsafe fn leaf_rows(_: RowsLeaf, _: &mut [$t]) -> bool {
                    false
                }
            }
        };
    }
    plain_float!(f64);
    plain_float!(f32);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::reduce::floatrows::RowsLeaf;
    use crate::runtime::reduce::kernel::K;
    use crate::runtime::reduce::seq::{leaf_pair_sum, StrideAt, LEAF};

    /// A leaf function and a pair function of one width.
    type Leaves<T> = (
        &'static str,
        unsafe fn(*const T, usize) -> T,
        unsafe fn(*const T, usize, *const T, usize) -> (T, T),
    );

    /// `n` values of `make` of hashed indices.
    fn hashed<T>(make: impl Fn(u64) -> T, n: usize) -> Vec<T> {
        (0..n as u64)
            .map(|i| make(i.wrapping_mul(0x9E37_79B9_7F4A_7C15)))
            .collect()
    }

    /// A sum kernel with the generic leaves, adding as [`FloatSum`] does.
    fn generic_sum<T: Float>() -> impl Kern<A = T, E = T> {
        // SAFETY: the closure reads one `T` at the address it is given.
        unsafe {
            K::<T, T, _, _>::new(
                |p: *const u8| (p as *const T).read_unaligned(),
                |a: T, b: T| a + b,
                Order::Pairwise,
            )
        }
    }

    /// Every leaf length, and every pair of lengths, in every width the host has, against
    /// the generic leaves of a kernel that adds the same way: the same bits (NaNs aside,
    /// whose payload a sum may take from either operand), for data with mixed signs,
    /// magnitudes and infinities.
    fn leaves_match_generic<T: Float + PartialEq + std::fmt::Debug>(
        make: impl Fn(u64) -> T,
        is_nan: impl Fn(T) -> bool,
        widths: &[Leaves<T>],
    ) {
        let data = hashed(&make, 2 * LEAF);
        let slow = generic_sum::<T>();
        let p = data.as_ptr();
        let q = data[LEAF..].as_ptr();
        let at = |p: *const T| TypedAt::<T>::new(p as *const u8);
        let same = |x: T, y: T| x == y || (is_nan(x) && is_nan(y));
        assert!(!widths.is_empty());
        for &(name, leaf, pair) in widths {
            for n in 8..=LEAF {
                // SAFETY: `n <= LEAF` elements of `data`; the host has the width.
                let (f, s) = unsafe { (leaf(p, n), leaf_sum(&slow, at(p), n)) };
                assert!(same(f, s), "{name}: leaf of {n}: {f:?} vs {s:?}");
            }
            for na in 8..=LEAF {
                for nb in 8..=LEAF {
                    // SAFETY: `na` and `nb` elements from each half of `data`.
                    let (f, s) = unsafe {
                        (
                            pair(p, na, q, nb),
                            leaf_pair_sum(&slow, (at(p), na), (at(q), nb)),
                        )
                    };
                    assert!(
                        same(f.0, s.0) && same(f.1, s.1),
                        "{name}: leaves of {na} and {nb}: {f:?} vs {s:?}"
                    );
                }
            }
        }
        // Under 8 elements the kernel takes the generic leaf.
        let fast = FloatSum::<T>::new();
        for n in 1..8 {
            // SAFETY: `n` elements of `data`.
            let (f, s) = unsafe { (fast.leaf_unit(p as *const u8, n), leaf_sum(&slow, at(p), n)) };
            assert!(same(f, s), "leaf of {n}: {f:?} vs {s:?}");
        }
    }

    /// A value from hashed bits: mostly finite numbers of both signs over many
    /// magnitudes, some infinities and NaNs.
    fn value(h: u64) -> f64 {
        match h % 97 {
            0 => f64::INFINITY,
            1 => f64::NEG_INFINITY,
            2 => f64::NAN,
            3 => -0.0,
            _ => {
                let mag = ((h >> 8) % 40) as i32 - 20;
                let sign = if h & 0x100_0000 != 0 { -1.0 } else { 1.0 };
                sign * ((h >> 32) as f64 / u32::MAX as f64) * 2f64.powi(mag)
            }
        }
    }

    /// The baseline's vectors: SSE on x86-64 (part of it), plain arrays elsewhere.
    #[cfg(target_arch = "x86_64")]
    type Base64 = x86::Sse64;
    #[cfg(target_arch = "x86_64")]
    type Base32 = x86::Sse32;
    #[cfg(not(target_arch = "x86_64"))]
    type Base64 = plain::Plain<f64>;
    #[cfg(not(target_arch = "x86_64"))]
    type Base32 = plain::Plain<f32>;

    /// A leaf in the baseline's vectors `V`.
    ///
    /// # Safety
    /// As [`leaf_in`].
    unsafe fn base_leaf<T: Float, V: Eight<T>>(p: *const T, n: usize) -> T {
        // SAFETY: the caller's contract; every host has the baseline.
        unsafe { leaf_in::<T, V>(p, n) }
    }

    /// Two leaves in the baseline's vectors `V`.
    ///
    /// # Safety
    /// As [`pair_in`].
    unsafe fn base_pair<T: Float, V: Eight<T>>(
        a: *const T,
        na: usize,
        b: *const T,
        nb: usize,
    ) -> (T, T) {
        // SAFETY: the caller's contract; every host has the baseline.
        unsafe { pair_in::<T, V>(a, na, b, nb) }
    }

    /// The host's widths for `float64`, narrowest first.
    fn widths_f64() -> Vec<Leaves<f64>> {
        #[allow(unused_mut)]
        let mut w: Vec<Leaves<f64>> = vec![(
            "baseline",
            base_leaf::<f64, Base64>,
            base_pair::<f64, Base64>,
        )];
        #[cfg(target_arch = "x86_64")]
        {
            if is_x86_feature_detected!("avx") {
                w.push(("avx", x86::leaf_avx_f64, x86::pair_avx_f64));
            }
            if is_x86_feature_detected!("avx512f") {
                w.push(("avx512", x86::leaf_avx512_f64, x86::pair_avx512_f64));
            }
        }
        w
    }

    /// The host's widths for `float32`, narrowest first.
    fn widths_f32() -> Vec<Leaves<f32>> {
        #[allow(unused_mut)]
        let mut w: Vec<Leaves<f32>> = vec![(
            "baseline",
            base_leaf::<f32, Base32>,
            base_pair::<f32, Base32>,
        )];
        #[cfg(target_arch = "x86_64")]
        if is_x86_feature_detected!("avx") {
            w.push(("avx", x86::leaf_avx_f32, x86::pair_avx_f32));
        }
        w
    }

    #[test]
    fn float64_leaves_match_the_generic_leaves() {
        leaves_match_generic(value, f64::is_nan, &widths_f64());
    }

    #[test]
    fn float32_leaves_match_the_generic_leaves() {
        leaves_match_generic(|h| value(h) as f32, f32::is_nan, &widths_f32());
    }

    /// A leaf-down-the-rows function of one width.
    type RowsEntry<T> = (&'static str, unsafe fn(RowsLeaf, &mut [T]));

    /// Every width's leaf down the rows against each column's generic leaf (its rows as a
    /// strided run): every leaf height, widths around the strips' sizes, rows packed and
    /// padded (the padded ones a whole number of cache lines, with the start moved over
    /// every offset in a line, so that columns before the first line boundary are taken
    /// one at a time), rows in reverse order; read in strips and by classes of rows.
    fn rows_match_generic<T: Float + PartialEq + std::fmt::Debug>(
        make: impl Fn(u64) -> T,
        is_nan: impl Fn(T) -> bool,
        entries: &[RowsEntry<T>],
    ) {
        let size = std::mem::size_of::<T>();
        let data = hashed(&make, (LEAF + 1) * 256 + 64);
        let slow = generic_sum::<T>();
        let same = |x: T, y: T| x == y || (is_nan(x) && is_nan(y));
        let lines = |w: usize| (w * size).div_ceil(64) * 64 / size;
        for &(name, entry) in entries {
            for streams in [false, true] {
                for w in (1..=40).chain([63, 64, 65, 129, 200]) {
                    for (pitch, reverse) in [
                        (w, false),
                        (w + 3, false),
                        (lines(w), false),
                        (lines(w), true),
                    ] {
                        let starts = if pitch == lines(w) {
                            0..64 / size
                        } else {
                            0..1
                        };
                        for start in starts {
                            for n in (8..=LEAF).step_by(if w > 40 { 13 } else { 1 }) {
                                let first = if reverse {
                                    start + (n - 1) * pitch
                                } else {
                                    start
                                };
                                let row = if reverse {
                                    -((pitch * size) as isize)
                                } else {
                                    (pitch * size) as isize
                                };
                                let base = data[first..].as_ptr() as *const u8;
                                let mut out = vec![make(0); w];
                                // SAFETY: rows of `pitch` elements from `start`, within `data`;
                                // the host has the width.
                                unsafe {
                                    entry(
                                        RowsLeaf {
                                            base,
                                            row,
                                            n,
                                            streams,
                                        },
                                        &mut out,
                                    )
                                };
                                for (j, &got) in out.iter().enumerate() {
                                    let column = StrideAt {
                                        ptr: base.wrapping_add(j * size),
                                        stride: row,
                                    };
                                    // SAFETY: column `j` of the same rows.
                                    let want = unsafe { leaf_sum(&slow, column, n) };
                                    assert!(
                                        same(got, want),
                                        "{name}: {n} rows of {w} (pitch {pitch}, start {start}, reverse {reverse}, streams {streams}), column {j}: {got:?} vs {want:?}"
                                    );
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Of the leaves down the rows in AVX and in AVX-512, those the host has (none without
    /// AVX, where the generic leaf is the only one).
    #[cfg(target_arch = "x86_64")]
    fn host_rows<T>(avx: RowsEntry<T>, avx512: RowsEntry<T>) -> Vec<RowsEntry<T>> {
        let has = [
            is_x86_feature_detected!("avx"),
            is_x86_feature_detected!("avx512f"),
        ];
        [avx, avx512]
            .into_iter()
            .zip(has)
            .filter_map(|(e, has)| has.then_some(e))
            .collect()
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn float64_leaves_down_the_rows_match_the_generic_leaves() {
        let entries = host_rows(("avx", x86::rows_avx_f64), ("avx512", x86::rows_avx512_f64));
        rows_match_generic(value, f64::is_nan, &entries);
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn float32_leaves_down_the_rows_match_the_generic_leaves() {
        let entries = host_rows(("avx", x86::rows_avx_f32), ("avx512", x86::rows_avx512_f32));
        rows_match_generic(|h| value(h) as f32, f32::is_nan, &entries);
    }
}
