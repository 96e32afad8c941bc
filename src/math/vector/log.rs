//! `log`: fdlibm's reduction to `[√½, √2)` and its `atanh`-series polynomial. The pieces
//! ([`reduce`], [`log_kernel`]) are shared with `log1p`, `log2` and `log10`.

use super::driver::{int_to_f64, madd, unary_kernel};
use crate::math::float;

/// Measured bound (see the tests): at most 1 ULP from the correctly rounded result.
pub(crate) const LOG_ULPS: u32 = 1;

/// `ln 2` split so that `k * LN2_HI` is exact for |k| < 2^11 (fdlibm's constants).
pub(crate) const LN2_HI: f64 = 6.931_471_803_691_238e-1;
pub(crate) const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
const LG: [f64; 7] = [
    6.666_666_666_666_735e-1,
    3.999_999_999_940_942e-1,
    2.857_142_874_366_239e-1,
    2.222_219_843_214_978_4e-1,
    1.818_357_216_161_805e-1,
    1.531_383_769_920_937_3e-1,
    1.479_819_860_511_658_6e-1,
];

/// Positive normal finite numbers; zero, negatives, subnormals, infinities and NaN go to
/// libm.
#[inline(always)]
pub(crate) fn fast(x: f64) -> bool {
    (f64::MIN_POSITIVE..f64::INFINITY).contains(&x)
}

/// Splits a positive normal `x` into `(k, m)` with `x = 2^k * m`, `m` in `[√½, √2)`, `k`
/// an integer-valued `f64`: subtracting √½'s bits makes `k` the exponent of `x/√½`.
#[inline(always)]
pub(crate) fn reduce(x: f64) -> (f64, f64) {
    let bits = x.to_bits() as i64;
    let t = bits.wrapping_sub(0x3fe6_a09e_667f_3bcd);
    let k = t >> 52;
    let m = f64::from_bits(bits.wrapping_sub(k << 52) as u64);
    (int_to_f64(k), m)
}

/// The parts of `log(1+f)` for `f` in `[√½-1, √2-1)`: `(s, hfsq, r)` with
/// `log(1+f) = f - hfsq + s*(hfsq+r)`, where `hfsq = f²/2` and `s = f/(2+f)`. Callers
/// add the terms in the order their precision needs (fdlibm's `k_log1p`).
#[inline(always)]
pub(crate) fn log_kernel<const F: bool>(f: f64) -> (f64, f64, f64) {
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * madd::<F>(w, madd::<F>(w, LG[5], LG[3]), LG[1]);
    let t2 = z * madd::<F>(w, madd::<F>(w, madd::<F>(w, LG[6], LG[4]), LG[2]), LG[0]);
    (s, 0.5 * f * f, t2 + t1)
}

/// `log(x)` for `fast(x)`.
#[inline(always)]
pub(crate) fn lane<const F: bool>(x: f64) -> f64 {
    let (kf, m) = reduce(x);
    let f = m - 1.0;
    let (s, hfsq, r) = log_kernel::<F>(f);
    madd::<F>(
        kf,
        LN2_HI,
        -((hfsq - madd::<F>(s, hfsq + r, kf * LN2_LO)) - f),
    )
}

unary_kernel!(LOG_F64, f64, lane, fast, float::log_f64);
unary_kernel!(LOG_F32, f32, lane, fast, float::log_f32);
