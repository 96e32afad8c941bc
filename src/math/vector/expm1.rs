//! `expm1`: `exp`'s reduction `x = k ln2 + r`, then `2^k (1 + expm1(r)) - 1` summed
//! without cancellation: `(2^k - 1) + 2^k r` is added exactly (TwoSum), the small rest
//! after. Also the double-word form that `tanh`, `sinh` and `cosh` build on.

use super::driver::{int_bits, madd, unary_kernel, Unary};
use super::log::{LN2_HI, LN2_LO};
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
pub(crate) fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let bb = s - a;
    (s, (a - (s - bb)) + (b - bb))
}

/// `a * b` as the rounded product and its exact error: one FMA when `F`, else Dekker's
/// product on Veltkamp halves.
#[inline(always)]
pub(crate) fn two_prod<const F: bool>(a: f64, b: f64) -> (f64, f64) {
    let p = a * b;
    if F {
        return (p, a.mul_add(b, -p));
    }
    let split = |v: f64| {
        let c = 134_217_729.0 * v; // 2^27 + 1
        let h = c - (c - v);
        (h, v - h)
    };
    let ((ah, al), (bh, bl)) = (split(a), split(b));
    (p, ((ah * bh - p) + ah * bl + al * bh) + al * bl)
}

/// `expm1(x)` as `hi + lo` (`|lo| <= ulp(hi)/2`) for |x| < 708.
#[inline(always)]
pub(crate) fn expm1_dd<const F: bool>(x: f64) -> (f64, f64) {
    let k = (x * LOG2E + SHIFT) - SHIFT;
    // `hi` is exact (k * LN2_HI has few bits); `r + c = hi - lo` exactly.
    let hi = madd::<F>(-k, LN2_HI, x);
    let lo = k * LN2_LO;
    let r = hi - lo;
    let c = (hi - r) - lo;
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
    let p01 = madd::<F>(C[1], r, C[0]);
    let p23 = madd::<F>(C[3], r, C[2]);
    let p45 = madd::<F>(C[5], r, C[4]);
    let p67 = madd::<F>(C[7], r, C[6]);
    let p89 = madd::<F>(C[9], r, C[8]);
    let pab = madd::<F>(C[11], r, C[10]);
    let p03 = madd::<F>(p23, r2, p01);
    let p47 = madd::<F>(p67, r2, p45);
    let p8b = madd::<F>(pab, r2, p89);
    let q = madd::<F>(madd::<F>(p8b, r4, p47), r4, p03);
    // expm1(r + c) = r + r²/2 + [r³ q(r) + c (1 + r)] (first order in c); r²/2 is
    // split exactly, as its rounding error alone would cost 0.1 ULP.
    let (h2, h2_lo) = two_prod::<F>(0.5 * r, r);
    let tail = madd::<F>(r2 * r, q, madd::<F>(c, r, c) + h2_lo);
    // 2^k expm1(r+c) + (2^k - 1): the three large terms summed exactly, then the rest.
    let t = f64::from_bits(((int_bits(k) + 1023) as u64) << 52);
    let (a, a_lo) = two_sum(t, -1.0);
    let (s1, e1) = two_sum(a, t * r);
    let (s2, e2) = two_sum(s1, t * h2);
    let lo = (e1 + e2) + madd::<F>(t, tail, a_lo);
    // Normalise (Fast2Sum: the rest is far smaller than s2).
    let hi = s2 + lo;
    (hi, lo - (hi - s2))
}

/// `expm1(x)` for `fast(x)`.
#[inline(always)]
pub(crate) fn lane<const F: bool>(x: f64) -> f64 {
    let (hi, _) = expm1_dd::<F>(x);
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
