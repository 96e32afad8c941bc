//! `expm1`: `exp`'s reduction `x = k ln2 + r`, then `2^k (1 + expm1(r)) - 1` summed
//! without cancellation: `(2^k - 1) + 2^k r` is added exactly (TwoSum), the small rest
//! after. Also the double-word form that `tanh`, `sinh` and `cosh` build on.

use super::driver::{unary_kernel, Unary};
use super::log::{LN2_HI, LN2_LO};
use super::real::Real;
use crate::math::float;

/// Measured bound (see the tests): at most 1 ULP from the correctly rounded result.
pub(crate) const EXPM1_ULPS: u32 = 1;

/// Below this `expm1(x)` rounds to `x`: returned as is, which also keeps `-0.0`.
pub(crate) const TINY: f64 = 5.551_115_123_125_783e-17; // 2^-54
const LOG2E: f64 = std::f64::consts::LOG2_E;
const SHIFT: f64 = 6755399441055744.0; // 1.5 * 2^52: adding it rounds to an integer

/// `2^k` stays normal and `2^k * 1.5` finite: beyond, libm gives -1, the overflows and
/// NaN.
#[inline(always)]
pub(crate) fn fast(x: f64) -> bool {
    x.abs() < 708.0
}

/// `a + b` as the rounded sum and its exact error (Knuth's TwoSum, any magnitudes).
#[inline(always)]
pub(crate) fn two_sum<V: Real>(a: V, b: V) -> (V, V) {
    let s = a + b;
    let bb = s - a;
    (s, (a - (s - bb)) + (b - bb))
}

/// `a * b` as the rounded product and its exact error: one FMA when `F`, else Dekker's
/// product on Veltkamp halves.
#[inline(always)]
pub(crate) fn two_prod<const F: bool, V: Real>(a: V, b: V) -> (V, V) {
    let p = a * b;
    if F {
        return (p, a.mul_add(b, -p));
    }
    let split = |v: V| {
        let c = V::splat(134_217_729.0) * v; // 2^27 + 1
        let h = c - (c - v);
        (h, v - h)
    };
    let ((ah, al), (bh, bl)) = (split(a), split(b));
    (p, ((ah * bh - p) + ah * bl + al * bh) + al * bl)
}

/// `expm1(x)` as `hi + lo` (`|lo| <= ulp(hi)/2`) for |x| < 708.
#[inline(always)]
pub(crate) fn expm1_dd<const F: bool, V: Real>(x: V) -> (V, V) {
    let c = V::splat;
    let k = (x * c(LOG2E) + c(SHIFT)) - c(SHIFT);
    // `hi` is exact (k * LN2_HI has few bits); `r + c = hi - lo` exactly.
    let hi = (-k).madd::<F>(c(LN2_HI), x);
    let lo = k * c(LN2_LO);
    let r = hi - lo;
    let cr = (hi - r) - lo;
    // expm1(r) = r + r²/2 + r³ q(r), |r| <= 0.35: Taylor terms to r^14, Estrin pairs.
    const C: [f64; 12] = [
        1.0 / 6.0,
        1.0 / 24.0,
        1.0 / 120.0,
        1.0 / 720.0,
        1.0 / 5040.0,
        1.0 / 40320.0,
        1.0 / 362880.0,
        1.0 / 3628800.0,
        1.0 / 39916800.0,
        1.0 / 479001600.0,
        1.0 / 6227020800.0,
        1.0 / 87178291200.0,
    ];
    let r2 = r * r;
    let r4 = r2 * r2;
    let pair = |i: usize| c(C[i + 1]).madd::<F>(r, c(C[i]));
    let p03 = pair(2).madd::<F>(r2, pair(0));
    let p47 = pair(6).madd::<F>(r2, pair(4));
    let p8b = pair(10).madd::<F>(r2, pair(8));
    let q = p8b.madd::<F>(r4, p47).madd::<F>(r4, p03);
    // expm1(r + c) = r + r²/2 + [r³ q(r) + c (1 + r)] (first order in c); r²/2 is
    // split exactly, as its rounding error alone would cost 0.1 ULP.
    let (h2, h2_lo) = two_prod::<F, V>(c(0.5) * r, r);
    let tail = (r2 * r).madd::<F>(q, cr.madd::<F>(r, cr) + h2_lo);
    // 2^k expm1(r+c) + (2^k - 1): the three large terms summed exactly, then the rest.
    let t = k.pow2();
    let (a, a_lo) = two_sum(t, c(-1.0));
    let (s1, e1) = two_sum(a, t * r);
    let (s2, e2) = two_sum(s1, t * h2);
    let lo = (e1 + e2) + t.madd::<F>(tail, a_lo);
    // Normalise (Fast2Sum: the rest is far smaller than s2).
    let hi = s2 + lo;
    (hi, lo - (hi - s2))
}

/// `expm1(x)` for `fast(x)`.
#[inline(always)]
pub(crate) fn lane<const F: bool>(x: f64) -> f64 {
    let (hi, _) = expm1_dd::<F, f64>(x);
    if x.abs() < TINY {
        x
    } else {
        hi
    }
}

unary_kernel!(EXPM1_F64_LANES, f64, lane, fast, float::expm1_f64);
/// `expm1` on float64: the lane code on AVX2 and SSE2, the hand-written kernel on AVX-512.
pub(crate) const EXPM1_F64: Unary = Unary {
    #[cfg(target_arch = "x86_64")]
    avx512: super::avx512::expm1::expm1_f64,
    ..EXPM1_F64_LANES
};
unary_kernel!(EXPM1_F32, f32, lane, fast, float::expm1_f32);
