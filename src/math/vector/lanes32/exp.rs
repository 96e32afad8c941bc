//! `exp` in `f32` lanes: Cody–Waite reduction by `ln 2` (the first product exact) and a
//! degree-6 minimax polynomial, scaled by `2^k` through the exponent bits.

use super::{round_scaled, unary_kernel_f32};
use crate::math::float;

const LOG2E: f32 = std::f32::consts::LOG2_E;
/// `ln 2` as a 9-bit head (`k·LN2_HI` is exact, and so is `x - k·LN2_HI`) and a tail.
const LN2_HI: f32 = 0.693_359_375;
const LN2_LO: f32 = -2.121_944_4e-4;
/// `exp(r) - 1 - r ≈ r²·(C[0] + C[1]·r + … + C[4]·r⁴)` on |r| ≤ ln2/2: minimax for
/// the relative error of `exp`, 2^-28.3 with these `f32` coefficients.
const C: [f32; 5] = [
    0.499_999_94,
    0.166_665_21,
    0.041_668_255,
    0.008_368_663,
    0.001_382_146_6,
];

/// Where `2^k` and the result are normal numbers: beyond, libm gives the overflows,
/// the subnormal results and NaN.
#[inline(always)]
pub(crate) fn fast(x: f32) -> bool {
    x > -87.0 && x < 88.0
}

/// `x = k·ln 2 + r1 + c` with `r1` exact and `c = -k·LN2_LO` small (|c| < 0.03), as
/// `(r1, c, k)`.
#[inline(always)]
pub(crate) fn reduce(x: f32) -> (f32, f32, i32) {
    let (k, ki) = round_scaled(x, LOG2E);
    // Exact: k·LN2_HI has 17 bits and x - k·LN2_HI is a multiple of 2^-25 below 1/2.
    ((-k).mul_add(LN2_HI, x), -k * LN2_LO, ki)
}

/// `r²·q(r)`, the part of `exp(r) - 1 - r` beyond first order, for |r| ≲ ln2/2.
#[inline(always)]
pub(crate) fn poly(r: f32) -> f32 {
    let r2 = r * r;
    let a = C[1].mul_add(r, C[0]);
    let b = C[3].mul_add(r, C[2]);
    r2 * C[4].mul_add(r2, b).mul_add(r2, a)
}

/// `2^k` for a `k` whose power is a normal number.
#[inline(always)]
pub(crate) fn pow2(k: i32) -> f32 {
    f32::from_bits((k.wrapping_add(127) as u32) << 23)
}

/// `exp(x) = hi + lo` for `fast(x)`: `hi` the rounded result, `lo` its error (to
/// ~2^-28 relative).
#[inline(always)]
pub(crate) fn parts(x: f32) -> (f32, f32) {
    let (r1, c, k) = reduce(x);
    // 1 + r1 with its rounding error (Fast2Sum), so that only the last sum rounds at the
    // result's scale.
    let s = 1.0 + r1;
    let l = ((1.0 - s) + r1) + (c + poly(r1 + c));
    let p = s + l;
    let t = pow2(k);
    (p * t, ((s - p) + l) * t)
}

/// `exp(x)` for `fast(x)`; garbage (but no trap) elsewhere.
#[inline(always)]
pub(crate) fn lane(x: f32) -> f32 {
    let (r1, c, k) = reduce(x);
    let s = 1.0 + r1;
    let l = ((1.0 - s) + r1) + (c + poly(r1 + c));
    (s + l) * pow2(k)
}

unary_kernel_f32!(
    EXP,
    lane,
    fast,
    float::exp_f32,
    crate::math::vector::exp::EXP_F32
);
