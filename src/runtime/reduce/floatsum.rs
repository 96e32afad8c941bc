//! Float `sum` and `mean` whose unit-stride pairwise leaves are written with explicit
//! vectors.
//!
//! A leaf's eight accumulators `r0 … r7` (see [`super`]) are exactly the lanes of four
//! `f64x2` (two `f32x4`) vectors loaded from eight consecutive elements, so one vector
//! addition per vector and step computes every accumulator in the leaf's order. LLVM's
//! vectoriser did not find this from the generic leaf: it paired lanes of different
//! accumulators and shuffled them back every step (one core summing 1e5 float64 from L1:
//! 0.136 against 0.083 ns per element; over 1e7, 0.289 against 0.232). SSE2 is part of the
//! x86-64 baseline, so no feature test is needed; elsewhere the generic leaf runs.

use super::kernel::{Kern, Order};
#[cfg(not(target_arch = "x86_64"))]
use super::seq::leaf_pair_sum;
use super::seq::{leaf_sum, TypedAt};

/// `sum` (and the sum of `mean`) of a float type `T`, accumulated in `T`.
pub(super) struct FloatSum<T>(std::marker::PhantomData<T>);

impl<T> FloatSum<T> {
    /// The kernel.
    pub fn new() -> Self {
        FloatSum(std::marker::PhantomData)
    }
}

/// The float element types, each with its leaf in vectors.
pub(super) trait Float: Copy + Send + Sync + std::ops::Add<Output = Self> + 'static {
    /// The leaves `0..na` of `a` and `0..nb` of `b` (`8 <= na, nb <= LEAF`), each in
    /// [`leaf_sum`]'s order, their accumulators in vectors.
    ///
    /// # Safety
    /// `a` and `b` address `na` and `nb` valid elements.
    unsafe fn leaf_pair(a: *const Self, na: usize, b: *const Self, nb: usize) -> (Self, Self);
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
                // The leaf paired with itself: the pair's second result is discarded.
                T::leaf_pair(p as *const T, n, p as *const T, 8).0
            }
        }
    }

    #[inline(always)]
    unsafe fn leaf_pair_unit(&self, a: *const u8, na: usize, b: *const u8, nb: usize) -> (T, T) {
        // SAFETY: the caller's contract.
        unsafe { T::leaf_pair(a as *const T, na, b as *const T, nb) }
    }
}

/// The last `n % 8` elements of a leaf of `n` added to its accumulators' sum `s`, left to
/// right.
///
/// # Safety
/// `p` addresses `n` valid elements.
#[inline(always)]
unsafe fn tail<T: Float>(mut s: T, p: *const T, n: usize) -> T {
    for i in n - n % 8..n {
        // SAFETY: `i < n`.
        s = s + unsafe { p.add(i).read_unaligned() };
    }
    s
}

/// `((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))`.
#[inline(always)]
fn combine8<T: Float>(r: [T; 8]) -> T {
    ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
}

#[cfg(target_arch = "x86_64")]
impl Float for f64 {
    #[inline(always)]
    unsafe fn leaf_pair(a: *const f64, na: usize, b: *const f64, nb: usize) -> (f64, f64) {
        use std::arch::x86_64::{__m128d, _mm_add_pd, _mm_loadu_pd};
        // SAFETY: every load reads elements `i..i+2` with `i + 8 <= n - n % 8` of its
        // leaf (the caller's contract); SSE2 is part of the x86-64 baseline.
        unsafe {
            let load4 = |p: *const f64| {
                std::array::from_fn::<__m128d, 4, _>(|j| _mm_loadu_pd(p.add(2 * j)))
            };
            let (mut r, mut s) = (load4(a), load4(b));
            let (fa, fb) = (na - na % 8, nb - nb % 8);
            let mut i = 8;
            while i < fa.min(fb) {
                let (x, y) = (load4(a.add(i)), load4(b.add(i)));
                for j in 0..4 {
                    r[j] = _mm_add_pd(r[j], x[j]);
                    s[j] = _mm_add_pd(s[j], y[j]);
                }
                i += 8;
            }
            let mut k = i;
            while k < fa {
                let x = load4(a.add(k));
                for j in 0..4 {
                    r[j] = _mm_add_pd(r[j], x[j]);
                }
                k += 8;
            }
            while i < fb {
                let y = load4(b.add(i));
                for j in 0..4 {
                    s[j] = _mm_add_pd(s[j], y[j]);
                }
                i += 8;
            }
            // Lane `l` of vector `j` is accumulator `2j + l`.
            let lanes = |v| std::mem::transmute::<[__m128d; 4], [f64; 8]>(v);
            let (r, s) = (lanes(r), lanes(s));
            (tail(combine8(r), a, na), tail(combine8(s), b, nb))
        }
    }
}

#[cfg(target_arch = "x86_64")]
impl Float for f32 {
    #[inline(always)]
    unsafe fn leaf_pair(a: *const f32, na: usize, b: *const f32, nb: usize) -> (f32, f32) {
        use std::arch::x86_64::{__m128, _mm_add_ps, _mm_loadu_ps};
        // SAFETY: every load reads elements `i..i+4` with `i + 8 <= n - n % 8` of its
        // leaf (the caller's contract); SSE is part of the x86-64 baseline.
        unsafe {
            let load2 =
                |p: *const f32| std::array::from_fn::<__m128, 2, _>(|j| _mm_loadu_ps(p.add(4 * j)));
            let (mut r, mut s) = (load2(a), load2(b));
            let (fa, fb) = (na - na % 8, nb - nb % 8);
            let mut i = 8;
            while i < fa.min(fb) {
                let (x, y) = (load2(a.add(i)), load2(b.add(i)));
                for j in 0..2 {
                    r[j] = _mm_add_ps(r[j], x[j]);
                    s[j] = _mm_add_ps(s[j], y[j]);
                }
                i += 8;
            }
            let mut k = i;
            while k < fa {
                let x = load2(a.add(k));
                for j in 0..2 {
                    r[j] = _mm_add_ps(r[j], x[j]);
                }
                k += 8;
            }
            while i < fb {
                let y = load2(b.add(i));
                for j in 0..2 {
                    s[j] = _mm_add_ps(s[j], y[j]);
                }
                i += 8;
            }
            // Lane `l` of vector `j` is accumulator `4j + l`.
            let lanes = |v| std::mem::transmute::<[__m128; 2], [f32; 8]>(v);
            let (r, s) = (lanes(r), lanes(s));
            (tail(combine8(r), a, na), tail(combine8(s), b, nb))
        }
    }
}

/// Elsewhere, the generic leaves.
#[cfg(not(target_arch = "x86_64"))]
macro_rules! generic_float {
    ($t:ty) => {
        impl Float for $t {
            #[inline(always)]
            unsafe fn leaf_pair(a: *const $t, na: usize, b: *const $t, nb: usize) -> ($t, $t) {
                let k = FloatSum::<$t>::new();
                // SAFETY: the caller's contract.
                unsafe {
                    leaf_pair_sum(
                        &k,
                        (TypedAt::<$t>::new(a as *const u8), na),
                        (TypedAt::<$t>::new(b as *const u8), nb),
                    )
                }
            }
        }
    };
}
#[cfg(not(target_arch = "x86_64"))]
generic_float!(f64);
#[cfg(not(target_arch = "x86_64"))]
generic_float!(f32);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::reduce::kernel::K;
    use crate::runtime::reduce::seq::{leaf_pair_sum, LEAF};

    /// Every leaf length, and every pair of lengths, against the generic leaves of a
    /// kernel that adds the same way: the same bits (NaNs aside, whose payload a sum may
    /// take from either operand), for data with mixed signs, magnitudes and infinities.
    fn leaves_match_generic<T: Float + PartialEq + std::fmt::Debug>(
        make: impl Fn(u64) -> T,
        is_nan: impl Fn(T) -> bool,
    ) {
        let data: Vec<T> = (0..2 * LEAF as u64)
            .map(|i| make(i.wrapping_mul(0x9E37_79B9_7F4A_7C15)))
            .collect();
        let fast = FloatSum::<T>::new();
        // SAFETY: the closure reads one `T` at the address it is given.
        let slow = unsafe {
            K::<T, T, _, _>::new(
                |p: *const u8| (p as *const T).read_unaligned(),
                |a: T, b: T| a + b,
                Order::Pairwise,
            )
        };
        let p = data.as_ptr() as *const u8;
        let same = |x: T, y: T| x == y || (is_nan(x) && is_nan(y));
        for n in 1..=LEAF {
            // SAFETY: `n <= LEAF` elements of `data`.
            let (f, s) = unsafe {
                (
                    fast.leaf_unit(p, n),
                    leaf_sum(&slow, TypedAt::<T>::new(p), n),
                )
            };
            assert!(same(f, s), "leaf of {n}: {f:?} vs {s:?}");
        }
        let q = data[LEAF..].as_ptr() as *const u8;
        for na in 8..=LEAF {
            for nb in 8..=LEAF {
                // SAFETY: `na` and `nb` elements from each half of `data`.
                let (f, s) = unsafe {
                    (
                        fast.leaf_pair_unit(p, na, q, nb),
                        leaf_pair_sum(
                            &slow,
                            (TypedAt::<T>::new(p), na),
                            (TypedAt::<T>::new(q), nb),
                        ),
                    )
                };
                assert!(
                    same(f.0, s.0) && same(f.1, s.1),
                    "leaves of {na} and {nb}: {f:?} vs {s:?}"
                );
            }
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

    #[test]
    fn float64_leaves_match_the_generic_leaves() {
        leaves_match_generic(value, f64::is_nan);
    }

    #[test]
    fn float32_leaves_match_the_generic_leaves() {
        leaves_match_generic(|h| value(h) as f32, f32::is_nan);
    }
}
