//! `log1p`: fdlibm's `s_log1p` — `u = 1 + x` reduced as `log` does, plus the rounding
//! error of `1 + x` as a first-order correction `c / u`.

use super::driver::{madd, unary_kernel, Unary};
use super::log::{log_kernel, reduce, LN2_HI, LN2_LO};
use crate::math::float;

/// Measured bound (see the tests): at most 1 ULP from the correctly rounded result.
pub(crate) const LOG1P_ULPS: u32 = 1;

/// Below this `log1p(x)` rounds to `x`: returned as is, which also keeps `-0.0`.
const TINY: f64 = 5.551_115_123_125_783e-17; // 2^-54

/// `x > -1` and finite: `-1` (a pole), below it, `+inf` and NaN go to libm.
#[inline(always)]
pub(crate) fn fast(x: f64) -> bool {
    x > -1.0 && x < f64::INFINITY
}

/// `log1p(x)` for `fast(x)`.
#[inline(always)]
pub(crate) fn lane<const F: bool>(x: f64) -> f64 {
    let u = 1.0 + x;
    let (kf, m) = reduce(u);
    // k = 0: 1+x is in [√½, √2), so x itself is f, exactly (no correction).
    let k0 = kf == 0.0;
    // Else the exact rounding error of 1 + x (each subtraction is exact on its side of
    // 2), relative to u: log(1+x) = log(u) + c/u to first order.
    let c = (if u >= 2.0 {
        1.0 - (u - x)
    } else {
        x - (u - 1.0)
    }) / u;
    let c = if k0 { 0.0 } else { c };
    let f = if k0 { x } else { m - 1.0 };
    let (s, hfsq, r) = log_kernel::<F>(f);
    let y = madd::<F>(
        kf,
        LN2_HI,
        -((hfsq - madd::<F>(s, hfsq + r, madd::<F>(kf, LN2_LO, c))) - f),
    );
    if x.abs() < TINY {
        x
    } else {
        y
    }
}

unary_kernel!(LOG1P_F64_LANES, f64, lane, fast, float::log1p_f64);
/// `log1p` on float64: the lane code on AVX2 and SSE2, the hand-written kernel on AVX-512.
pub(crate) const LOG1P_F64: Unary = Unary {
    #[cfg(target_arch = "x86_64")]
    avx512: super::avx512::log1p::log1p_f64,
    ..LOG1P_F64_LANES
};
unary_kernel!(LOG1P_F32, f32, lane, fast, float::log1p_f32);
