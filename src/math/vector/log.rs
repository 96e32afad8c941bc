//! `log`: fdlibm's reduction to `[√½, √2)` and its `atanh`-series polynomial.

use super::driver::{int_to_f64, madd, unary_kernel};
use crate::math::float;

/// Measured bound (see the tests): at most 1 ULP from the correctly rounded result.
pub(crate) const LOG_ULPS: u32 = 1;

const LN2_HI: f64 = 0.6931471803691238;
const LN2_LO: f64 = 1.9082149292705877e-10;
const LG: [f64; 7] = [
    0.6666666666666735,
    0.3999999999940942,
    0.2857142874366239,
    0.22222198432149784,
    0.1818357216161805,
    0.15313837699209373,
    0.14798198605116586,
];

/// Positive normal finite numbers; zero, negatives, subnormals, infinities and NaN go to
/// libm.
#[inline(always)]
pub(crate) fn fast(x: f64) -> bool {
    (f64::MIN_POSITIVE..f64::INFINITY).contains(&x)
}

/// `log(x)` for `fast(x)`.
#[inline(always)]
pub(crate) fn lane<const F: bool>(x: f64) -> f64 {
    // x = 2^k * m with m in [√½, √2): subtracting √½'s bits makes k the exponent of x/√½.
    let bits = x.to_bits() as i64;
    let t = bits.wrapping_sub(0x3fe6_a09e_667f_3bcd);
    let k = t >> 52;
    let m = f64::from_bits(bits.wrapping_sub(k << 52) as u64);
    let kf = int_to_f64(k);
    let f = m - 1.0;
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * madd::<F>(w, madd::<F>(w, LG[5], LG[3]), LG[1]);
    let t2 = z * madd::<F>(w, madd::<F>(w, madd::<F>(w, LG[6], LG[4]), LG[2]), LG[0]);
    let r = t2 + t1;
    let hfsq = 0.5 * f * f;
    madd::<F>(
        kf,
        LN2_HI,
        -((hfsq - madd::<F>(s, hfsq + r, kf * LN2_LO)) - f),
    )
}

unary_kernel!(LOG_F64, f64, lane, fast, float::log_f64);
unary_kernel!(LOG_F32, f32, lane, fast, float::log_f32);
