//! `log` in `f32` lanes: `x = 2^k·m` with `m` in `[√½, √2)`, `log(m) = f - f²/2 +
//! f³·P(f)` (`f = m - 1`, a degree-7 minimax `P`), and `k·ln 2` added in two parts with
//! the rounding error of the large sum recovered.

use super::unary_kernel_f32;
use crate::math::float;

/// `ln 2` as a 9-bit head (`k·LN2_HI` is exact) and a tail.
pub(crate) const LN2_HI: f32 = 0.693_359_375;
pub(crate) const LN2_LO: f32 = -2.121_944_4e-4;
/// `log(1+f) - f + f²/2 ≈ f³·(P[0] + P[1]·f + … + P[7]·f⁷)` on `[√½-1, √2-1]`: minimax
/// for the relative error of `log(1+f)`, 2^-27.3 with these `f32` coefficients.
const P: [f32; 8] = [
    0.333_333_31,
    -0.250_008_2,
    0.200_012_4,
    -0.166_234_02,
    0.142_016_1,
    -0.131_597_55,
    0.127_621_14,
    -0.076_358_855,
];

/// Positive normal finite numbers; zero, negatives, subnormals, infinities and NaN go to
/// libm.
#[inline(always)]
pub(crate) fn fast(x: f32) -> bool {
    (f32::MIN_POSITIVE..f32::INFINITY).contains(&x)
}

/// Splits a positive normal `x` into `(k, f)` with `x = 2^k·(1 + f)`, `1 + f` in
/// `[√½, √2)`: subtracting √½'s bits makes `k` the exponent of `x/√½`; `f` is exact.
#[inline(always)]
pub(crate) fn reduce(x: f32) -> (f32, f32) {
    let bits = x.to_bits() as i32;
    let k = bits.wrapping_sub(0x3f35_04f3) >> 23;
    let m = f32::from_bits(bits.wrapping_sub(k << 23) as u32);
    (k as f32, m - 1.0)
}

/// `f³·P(f)`, the polynomial part of `log(1+f)`.
#[inline(always)]
pub(crate) fn tail(f: f32) -> f32 {
    let f2 = f * f;
    let f4 = f2 * f2;
    let p01 = P[1].mul_add(f, P[0]);
    let p23 = P[3].mul_add(f, P[2]);
    let p45 = P[5].mul_add(f, P[4]);
    let p67 = P[7].mul_add(f, P[6]);
    let p03 = p23.mul_add(f2, p01);
    let p47 = p67.mul_add(f2, p45);
    (f2 * f) * p47.mul_add(f4, p03)
}

/// `log(x)` for `fast(x)`.
#[inline(always)]
pub(crate) fn lane(x: f32) -> f32 {
    let (k, f) = reduce(x);
    // The small terms, each rounded far below the result's ULP; f²/2 exact in the FMA.
    let b = (-0.5 * f).mul_add(f, k.mul_add(LN2_LO, tail(f)));
    // k·LN2_HI + f with its rounding error (Fast2Sum: |k·LN2_HI| > |f| unless k = 0);
    // the sum is exact anyway when it is below 1, where the two cancel.
    let kl = k * LN2_HI;
    let a = kl + f;
    let a_err = (kl - a) + f;
    a + (b + a_err)
}

unary_kernel_f32!(
    LOG,
    lane,
    fast,
    float::log_f32,
    crate::math::vector::log::LOG_F32
);
