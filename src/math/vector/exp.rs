//! `exp`: Cody–Waite reduction by `ln 2` and a degree-13 Taylor polynomial.

use super::driver::{int_bits, madd, unary_kernel};
use crate::math::float;

/// Measured bound (see the tests): at most 1 ULP from the correctly rounded result.
pub(crate) const EXP_ULPS: u32 = 1;

const LOG2E: f64 = std::f64::consts::LOG2_E;
/// `ln 2` split so that `k * LN2_HI` is exact for |k| < 2^11 (fdlibm's constants).
const LN2_HI: f64 = 6.931_471_803_691_238e-1;
const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
const SHIFT: f64 = 6755399441055744.0; // 1.5 * 2^52: adding it rounds to an integer

/// Where the lane function is exact enough and `2^k` is a normal number: beyond, libm
/// gives the overflows, underflows (subnormal results) and NaN.
#[inline(always)]
pub(crate) fn fast(x: f64) -> bool {
    x.abs() < 708.0
}

/// `exp(x)` for `fast(x)`; garbage (but no trap) elsewhere.
#[inline(always)]
pub(crate) fn lane<const F: bool>(x: f64) -> f64 {
    let k = (x * LOG2E + SHIFT) - SHIFT;
    let r = madd::<F>(-k, LN2_HI, x);
    let r = madd::<F>(-k, LN2_LO, r);
    // exp(r) = 1 + r + r^2 * q(r), |r| <= 0.35; Estrin-style pairs for throughput.
    const C: [f64; 12] = [
        1.0 / 2.0,
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
    ];
    let r2 = r * r;
    let r4 = r2 * r2;
    let r8 = r4 * r4;
    let p01 = madd::<F>(C[1], r, C[0]);
    let p23 = madd::<F>(C[3], r, C[2]);
    let p45 = madd::<F>(C[5], r, C[4]);
    let p67 = madd::<F>(C[7], r, C[6]);
    let p89 = madd::<F>(C[9], r, C[8]);
    let pab = madd::<F>(C[11], r, C[10]);
    let p03 = madd::<F>(p23, r2, p01);
    let p47 = madd::<F>(p67, r2, p45);
    let p8b = madd::<F>(pab, r2, p89);
    let p07 = madd::<F>(p47, r4, p03);
    let q = madd::<F>(p8b, r8, p07);
    let p = 1.0 + madd::<F>(q, r2, r);
    let scale = f64::from_bits(((int_bits(k) + 1023) as u64) << 52);
    p * scale
}

unary_kernel!(EXP_F64, f64, lane, fast, float::exp_f64);
unary_kernel!(EXP_F32, f32, lane, fast, float::exp_f32);
