//! `tanh`, `sinh`, `cosh` from `expm1`'s double-word result `t = e^a - 1` (a = |x|), so
//! that the cancelling forms near 0 keep their precision.

use super::driver::{madd, unary_kernel, Unary};
use super::expm1::{expm1_dd, two_prod, two_sum, TINY};
use crate::math::float;

/// Measured bound (see the tests): at most 1 ULP from the correctly rounded result.
pub(crate) const TANH_ULPS: u32 = 1;
/// Measured bound (see the tests): at most 1 ULP from the correctly rounded result.
pub(crate) const SINH_ULPS: u32 = 1;
/// Measured bound (see the tests): at most 1 ULP from the correctly rounded result.
pub(crate) const COSH_ULPS: u32 = 1;

/// Not NaN: `tanh` saturates, so infinities are fine too.
#[inline(always)]
pub(crate) fn tanh_fast(x: f64) -> bool {
    !x.is_nan()
}

/// Where `e^|x|` is finite (`expm1`'s domain); beyond, libm gives the overflow.
#[inline(always)]
pub(crate) fn sinh_cosh_fast(x: f64) -> bool {
    x.abs() < 708.0
}

/// `e^a` and `e^-a` from `t = e^a - 1 = th + tl`, each as a value and a correction:
/// `e = 1 + t`, and `1/e` corrected by its remainder and by `e`'s low part.
#[inline(always)]
fn exp_and_inverse<const F: bool>(th: f64, tl: f64) -> (f64, f64, f64, f64) {
    let (e, e_lo) = two_sum(1.0, th);
    let e_lo = e_lo + tl;
    let inv = 1.0 / e;
    // 1/(e + e_lo) - inv = (1 - inv e - inv e_lo) / e; `1 - p` is exact (Sterbenz).
    let (p, p_lo) = two_prod::<F>(inv, e);
    let inv_lo = (((1.0 - p) - p_lo) - inv * e_lo) * inv;
    // Past 1e150 the correction is far below e's ULP, and Dekker's split (no FMA)
    // would overflow to NaN.
    let inv_lo = if e < 1e150 { inv_lo } else { 0.0 };
    (e, e_lo, inv, inv_lo)
}

/// `1/d` for `d` in `[1, 2]`, to about 2^-32 relative: a linear first guess (error at most
/// 1/17) and three Newton steps, each squaring the error. A divide costs 2 cycles per
/// element on AVX-512 (its throughput), these seven multiply-adds under half a cycle;
/// `tanh_lane` needs no more, because it corrects its quotient by the exact remainder,
/// which leaves an error of the square of this one's (2^-64).
#[inline(always)]
fn recip_1_2<const F: bool>(d: f64) -> f64 {
    let mut r = madd::<F>(d, -8.0 / 17.0, 24.0 / 17.0);
    for _ in 0..3 {
        let e = madd::<F>(-d, r, 1.0);
        r = madd::<F>(r, e, r);
    }
    r
}

/// `tanh(x)` for `tanh_fast(x)`: `-t/(t+2)` with `t = expm1(-2a)` in `(-1, 0]`, whose
/// quotient (by an approximate reciprocal) is corrected by its remainder (exact with FMA).
#[inline(always)]
pub(crate) fn tanh_lane<const F: bool>(x: f64) -> f64 {
    // tanh(22) rounds to 1.
    let a = x.abs().min(22.0);
    let (th, tl) = expm1_dd::<F>(-2.0 * a);
    // d = t + 2 as d_hi + d_lo (Fast2Sum: |th| < 2).
    let d_hi = th + 2.0;
    let d_lo = ((2.0 - d_hi) + th) + tl;
    let inv = recip_1_2::<F>(d_hi);
    let q0 = -th * inv;
    // q0 + (-t - q0 d) / d: the remainder -th - q0 d_hi is exact (Sterbenz, then the
    // product's error), then the low parts of t and d.
    let (p, p_lo) = two_prod::<F>(q0, d_hi);
    let rem = madd::<F>(-q0, d_lo, ((-th - p) - p_lo) - tl);
    let q = madd::<F>(rem, inv, q0);
    if a < TINY {
        x
    } else {
        q.copysign(x)
    }
}

/// `sinh(x)` for `sinh_cosh_fast(x)`: `(e^a - e^-a)/2` with both in two parts, whose
/// difference is exact (TwoSum), so it keeps its precision down to small |x|; below
/// 1/64 (where the low parts are too coarse) a short odd Taylor polynomial.
#[inline(always)]
pub(crate) fn sinh_lane<const F: bool>(x: f64) -> f64 {
    let (th, tl) = expm1_dd::<F>(x.abs());
    let (e, e_lo, inv, inv_lo) = exp_and_inverse::<F>(th, tl);
    let (s, s_lo) = two_sum(e, -inv);
    let big = 0.5 * (s + ((s_lo + e_lo) - inv_lo));
    // x + x³/3! + x⁵/5! + x⁷/7! + x⁹/9!: the next term is below 2^-80 relative.
    let z = x * x;
    let p = madd::<F>(
        z,
        madd::<F>(z, madd::<F>(z, 1.0 / 362880.0, 1.0 / 5040.0), 1.0 / 120.0),
        1.0 / 6.0,
    );
    let small = madd::<F>(z * x, p, x);
    if x.abs() < 0.015_625 {
        small
    } else {
        big.copysign(x)
    }
}

/// `cosh(x)` for `sinh_cosh_fast(x)`: `(e^a + e^-a)/2` with both in two parts, summed
/// exactly (TwoSum) before the halving; there is no cancellation.
#[inline(always)]
pub(crate) fn cosh_lane<const F: bool>(x: f64) -> f64 {
    let (th, tl) = expm1_dd::<F>(x.abs());
    let (e, e_lo, inv, inv_lo) = exp_and_inverse::<F>(th, tl);
    let (s, s_lo) = two_sum(e, inv);
    0.5 * (s + ((s_lo + e_lo) + inv_lo))
}

unary_kernel!(TANH_F64_LANES, f64, tanh_lane, tanh_fast, float::tanh_f64);
/// `tanh` on float64: the lane code on AVX2 and SSE2, the hand-written kernel on AVX-512.
pub(crate) const TANH_F64: Unary = Unary {
    #[cfg(target_arch = "x86_64")]
    avx512: super::avx512::hyperbolic::tanh_f64,
    ..TANH_F64_LANES
};
unary_kernel!(TANH_F32, f32, tanh_lane, tanh_fast, float::tanh_f32);
unary_kernel!(
    SINH_F64_LANES,
    f64,
    sinh_lane,
    sinh_cosh_fast,
    float::sinh_f64
);
/// `sinh` on float64: the lane code on AVX2 and SSE2, the hand-written kernel on AVX-512.
pub(crate) const SINH_F64: Unary = Unary {
    #[cfg(target_arch = "x86_64")]
    avx512: super::avx512::hyperbolic::sinh_f64,
    ..SINH_F64_LANES
};
unary_kernel!(SINH_F32, f32, sinh_lane, sinh_cosh_fast, float::sinh_f32);
unary_kernel!(
    COSH_F64_LANES,
    f64,
    cosh_lane,
    sinh_cosh_fast,
    float::cosh_f64
);
/// `cosh` on float64: the lane code on AVX2 and SSE2, the hand-written kernel on AVX-512.
pub(crate) const COSH_F64: Unary = Unary {
    #[cfg(target_arch = "x86_64")]
    avx512: super::avx512::hyperbolic::cosh_f64,
    ..COSH_F64_LANES
};
unary_kernel!(COSH_F32, f32, cosh_lane, sinh_cosh_fast, float::cosh_f32);
