//! `exp`: `x = (128 n + j) ln2/128 + r` with |r| ≤ ln2/256, then
//! `exp(x) = 2^n · 2^(j/128) · exp(r)`, `2^(j/128)` from a 128-entry table (a gather)
//! as a double and a relative tail, `exp(r) - 1` by a degree-5 Taylor polynomial (the
//! design of ARM's optimized-routines and glibc 2.28's `exp`: about 0.51 ULP).

use super::driver::{madd, unary_kernel, Unary};
use super::tables::{EXP_SBITS, EXP_TAIL, LN2_N_HI, LN2_N_LO};
use crate::math::float;

/// Measured bound (see the tests): at most 1 ULP from the correctly rounded result
/// (0.51 ULP of error at most, so the correctly rounded value almost everywhere).
pub(crate) const EXP_ULPS: u32 = 1;

/// `128 / ln 2`: `x` times this is `k = 128 n + j` before rounding.
const INV_LN2_N: f64 = 128.0 * std::f64::consts::LOG2_E;
/// 1.5 · 2^52: adding it to a float below 2^51 in magnitude rounds it to an integer.
pub(super) const SHIFT: f64 = 6755399441055744.0;

/// Where the lane function is exact enough and `2^n` is a normal number: beyond, libm
/// gives the overflows, underflows (subnormal results) and NaN.
#[inline(always)]
pub(crate) fn fast(x: f64) -> bool {
    x.abs() < 708.0
}

/// `exp(x)` for `fast(x)`; garbage (but no trap) elsewhere.
#[inline(always)]
pub(crate) fn lane<const F: bool>(x: f64) -> f64 {
    let kd = madd::<F>(x, INV_LN2_N, SHIFT);
    // The low bits of the shifted value are k itself (two's complement for k < 0).
    let ki = kd.to_bits();
    let kd = kd - SHIFT;
    // Exact: kd · LN2_N_HI has at most 53 bits and is close to x.
    let r = madd::<F>(-kd, LN2_N_HI, x);
    let r = madd::<F>(-kd, LN2_N_LO, r);
    let j = (ki & 127) as usize;
    // k << 45 adds n to the exponent field (and j << 45, which the table took off).
    let scale = f64::from_bits(EXP_SBITS[j].wrapping_add(ki << 45));
    // scale · (1 + tail) · (1 + expm1(r)) with the product of the two small terms
    // dropped (below 2^-61): expm1(r) to r^5, whose next term is below 2^-60 relative
    // for |r| ≤ ln2/256, as tail + r + r²·(q1 + r²·q2).
    let r2 = r * r;
    let q1 = madd::<F>(r, 1.0 / 6.0, 0.5);
    let q2 = madd::<F>(r, 1.0 / 120.0, 1.0 / 24.0);
    let tmp = madd::<F>(r2, madd::<F>(r2, q2, q1), f64::from_bits(EXP_TAIL[j]) + r);
    madd::<F>(scale, tmp, scale)
}

unary_kernel!(EXP_F64_LANES, f64, lane, fast, float::exp_f64);
/// `exp` on float64: the lane code on AVX2 and SSE2, the hand-written kernel on AVX-512.
pub(crate) const EXP_F64: Unary = Unary {
    #[cfg(target_arch = "x86_64")]
    avx512: super::avx512::exp::exp_f64,
    ..EXP_F64_LANES
};
unary_kernel!(EXP_F32, f32, lane, fast, float::exp_f32);
