//! `log`: `x = 2^k z`, `z` in one of 128 intervals of `[0.68, 1.37)` with a centre `c`,
//! `log x = k ln2 + log c + log1p(z/c - 1)`: `1/c` and `log c` (exact to 2^-97) from tables
//! (gathers), `log1p(r)` for |r| < 2^-8 by a degree-7 Taylor polynomial (the design of
//! ARM's optimized-routines and glibc 2.28's `log`; the interval around 1 has `c = 1`, so
//! no second path is needed near 1). fdlibm's reduction to `[√½, √2)` and its
//! `atanh`-series ([`reduce`], [`log_kernel`]) serve `log1p`, `log2` and `log10`.

use super::driver::{int_to_f64, madd, unary_kernel, Unary};
use super::tables::{LOG_CHI, LOG_CLO, LOG_INVC, LOG_LOGC_HI, LOG_LOGC_LO, LOG_OFF};
use crate::math::float;

/// Measured bound (see the tests): at most 1 ULP from the correctly rounded result
/// (about 0.52 ULP of error at most).
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
/// libm. One unsigned comparison of the bits: everything outside wraps to above the range.
#[inline(always)]
pub(crate) fn fast(x: f64) -> bool {
    const LO: u64 = f64::MIN_POSITIVE.to_bits();
    x.to_bits().wrapping_sub(LO) < f64::INFINITY.to_bits() - LO
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
    let ix = x.to_bits();
    let tmp = ix.wrapping_sub(LOG_OFF);
    let i = ((tmp >> 45) & 127) as usize;
    let k = (tmp as i64) >> 52;
    // z = x / 2^k, in [OFF, 2 OFF).
    let z = f64::from_bits(ix.wrapping_sub(tmp & (0xfff << 52)));
    let invc = f64::from_bits(LOG_INVC[i]);
    // r = z/c - 1 with c = 1/invc exactly: one rounding with FMA; without, z - c (exact:
    // Sterbenz) times 1/c, which keeps r's error far below an ULP of the result.
    let r = if F {
        madd::<F>(z, invc, -1.0)
    } else {
        ((z - f64::from_bits(LOG_CHI[i])) - f64::from_bits(LOG_CLO[i])) * invc
    };
    let kd = int_to_f64(k);
    // k·LN2_HI + log c (both multiples of 2^-43 below 2^10) is exact; + r as hi + lo.
    let w = madd::<F>(kd, LN2_HI, f64::from_bits(LOG_LOGC_HI[i]));
    let hi = w + r;
    let lo = ((w - hi) + r) + madd::<F>(kd, LN2_LO, f64::from_bits(LOG_LOGC_LO[i]));
    // log1p(r) - r to r^7: the next term is below 2^-59 relative for |r| < 2^-8.
    let r2 = r * r;
    let q1 = madd::<F>(r, 1.0 / 3.0, -0.5);
    let q2 = madd::<F>(r, 1.0 / 5.0, -0.25);
    let q3 = madd::<F>(r, 1.0 / 7.0, -1.0 / 6.0);
    let p = madd::<F>(r2, madd::<F>(r2, q3, q2), q1);
    madd::<F>(r2, p, lo) + hi
}

unary_kernel!(LOG_F64_LANES, f64, lane, fast, float::log_f64);
/// `log` on float64: the lane code on AVX2 and SSE2, the hand-written kernel on AVX-512.
pub(crate) const LOG_F64: Unary = Unary {
    #[cfg(target_arch = "x86_64")]
    avx512: super::avx512::log::log_f64,
    ..LOG_F64_LANES
};
unary_kernel!(LOG_F32, f32, lane, fast, float::log_f32);
